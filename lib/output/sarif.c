/*
 * sarif.c - SARIF 2.1.0 for code-scanning services (GitHub, Azure DevOps)
 * and SARIF viewers in editors. The full rule table goes into tool.driver.rules,
 * so a consumer can show a rule's help without knowing unroot. Columns are
 * UTF-16 code units (SARIF's default columnKind); paths are relative to the
 * repository's top folder (or --base-dir), under the uriBaseId %SRCROOT%, as
 * code scanning wants them wherever in the repository unroot ran. Rules carry
 * a security-severity (code scanning ranks alerts by it) and results a
 * fingerprint that survives line moves. docs/output.md describes the mapping
 * field by field.
 */
#include "fmt.h"
#include "unroot/buf.h"
#include "unroot/diag.h"
#include "util/fingerprint.h"
#include "unroot/output.h"
#include "unroot/rule.h"
#include "unroot/ruledoc.h"
#include "unroot/source.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define SRCROOT "%SRCROOT%"

/* A JSON string from bytes that may not be UTF-8. */
static json_t *jstr(const char *s)
{
	char *clean = fmt_utf8(s);
	json_t *j = clean ? json_string(clean) : NULL;
	free(clean);
	return j ? j : json_string("");
}

static json_t *jbuf(struct buf *b)
{
	json_t *j = jstr(b->data ? b->data : "");
	buf_release(b);
	return j;
}

/*
 * SARIF's message convention: a sentence ends with a full stop (multitool
 * rule SARIF2001). Rule descriptions also start with a capital; messages keep
 * their first word as it is, since it may be a key such as runAsUser.
 */
static json_t *sentence_cap(const char *s, bool capital)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, s);
	if (capital && b.len)
		b.data[0] = (char)toupper((unsigned char)b.data[0]);
	while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == ' '))
		b.data[--b.len] = 0;
	if (b.len && b.data[b.len - 1] != '.' && b.data[b.len - 1] != '?' &&
	    b.data[b.len - 1] != '!')
		buf_putc(&b, '.');
	return jbuf(&b);
}

static json_t *sentence(const char *s)
{
	return sentence_cap(s, false);
}

static const char *level(enum severity s)
{
	return s == SEV_ERROR	  ? "error"
	       : s == SEV_WARNING ? "warning"
	       : s == SEV_INFO	  ? "note"
				  : "none";
}

/* "user-root" as a PascalCase identifier, "UserRoot": SARIF's friendly-name convention. */
static json_t *pascal(const char *name)
{
	struct buf b;
	buf_init(&b);
	bool up = true;
	for (const char *p = name; *p; p++) {
		if (!isalnum((unsigned char)*p)) {
			up = true;
			continue;
		}
		buf_putc(&b, up ? (char)toupper((unsigned char)*p) : *p);
		up = false;
	}
	return jbuf(&b);
}

static json_t *platform_array(unsigned bits)
{
	json_t *a = json_array();
	for (unsigned bit = 1; bit <= PLAT_OPENSHIFT; bit <<= 1)
		if (bits & bit)
			json_array_append_new(a, json_string(platform_name(bit)));
	return a;
}

static json_t *help_uri(const struct report *r, const struct rule *rule)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, r->docs_url ? r->docs_url : UNROOT_DEFAULT_DOCS_URL);
	buf_putc(&b, '#');
	rule_anchor(rule, &b);
	return jbuf(&b);
}

static json_t *descriptor(const struct report *r, const struct rule *rule)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(rule->code));
	json_object_set_new(o, "name", pascal(rule->name));
	json_t *sd = json_object();
	json_object_set_new(sd, "text", sentence_cap(rule->summary, true));
	json_object_set_new(o, "shortDescription", sd);
	json_t *fd = json_object();
	json_object_set_new(fd, "text", sentence_cap(rule->description, true));
	json_object_set_new(o, "fullDescription", fd);
	json_t *help = json_object();
	struct buf b;
	buf_init(&b);
	ruledoc_explain(&b, rule);
	json_object_set_new(help, "text", jbuf(&b));
	buf_init(&b);
	ruledoc_markdown_rule(&b, rule);
	json_object_set_new(help, "markdown", jbuf(&b));
	json_object_set_new(o, "help", help);
	json_object_set_new(o, "helpUri", help_uri(r, rule));
	json_t *cfg = json_object();
	json_object_set_new(cfg, "level", json_string(level(rule->severity)));
	json_object_set_new(o, "defaultConfiguration", cfg);
	json_t *props = json_object();
	json_t *tags = json_array();
	/*
	 * The checks are about security; NR000 to NR003 (an unreadable input, a stale
	 * suppression, capped findings, skipped rendered checks) are about the run
	 * itself, so code scanning files them as such.
	 */
	bool security = rule->kind != KIND_ANY;
	if (security)
		json_array_append_new(tags, json_string("security"));
	json_array_append_new(tags, json_string(input_kind_name(rule->kind)));
	for (unsigned bit = 1; bit <= PLAT_OPENSHIFT; bit <<= 1)
		if (rule->platforms & bit)
			json_array_append_new(tags, json_string(platform_name(bit)));
	json_object_set_new(props, "tags", tags);
	/*
	 * GitHub code scanning ranks security alerts by this score (a string holding
	 * 0.0 to 10.0: 7.0 and up is high, 4.0 medium, below that low), from the
	 * rule's default severity: an error (root, a container that cannot start)
	 * is high, a warning medium, a note low.
	 */
	if (security)
		json_object_set_new(props, "security-severity",
				    json_string(rule->severity == SEV_ERROR	? "8.0"
						: rule->severity == SEV_WARNING ? "5.0"
										: "2.0"));
	json_object_set_new(props, "unroot-name", json_string(rule->name));
	json_object_set_new(o, "properties", props);
	return o;
}

/* Percent-encodes a path for a URI: unreserved characters and '/' stay as they are. */
static void put_uri_path(struct buf *out, const char *path)
{
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~' || *p == '/')
			buf_putc(out, (char)*p);
		else
			buf_printf(out, "%%%02X", *p);
	}
}

static json_t *artifact_location(const struct report *r, const char *path)
{
	json_t *o = json_object();
	if (strcmp(path, "-") == 0) {
		/*
		 * Standard input has no file. Code scanning still needs a uri
		 * (multitool rule GH1017): "-" as the command line wrote it, and a
		 * description that says what it is.
		 */
		json_object_set_new(o, "uri", json_string("-"));
		json_t *desc = json_object();
		json_object_set_new(desc, "text", json_string("standard input"));
		json_object_set_new(o, "description", desc);
		return o;
	}
	bool absolute;
	char *rel = fmt_rel_path(r, path, &absolute);
	struct buf b;
	buf_init(&b);
	if (absolute)
		buf_puts(&b, "file://");
	put_uri_path(&b, rel ? rel : path);
	free(rel);
	json_object_set_new(o, "uri", jbuf(&b));
	if (!absolute)
		json_object_set_new(o, "uriBaseId", json_string(SRCROOT));
	return o;
}

/* SARIF's `fixes`: one fix, its edits grouped by file as artifactChanges with byte regions. */
static json_t *fixes(const struct report *r, const struct diag *d)
{
	json_t *changes = json_array();
	for (size_t i = 0; i < d->nedits; i++) {
		const struct diag_edit *e = &d->edits[i];
		bool seen = false;
		for (size_t k = 0; k < i; k++)
			seen |= strcmp(d->edits[k].path, e->path) == 0;
		if (seen)
			continue;
		json_t *reps = json_array();
		for (size_t k = i; k < d->nedits; k++) {
			const struct diag_edit *x = &d->edits[k];
			if (strcmp(x->path, e->path) != 0)
				continue;
			json_t *region = json_object();
			json_object_set_new(region, "byteOffset",
					    json_integer((json_int_t)x->offset));
			json_object_set_new(region, "byteLength",
					    json_integer((json_int_t)x->length));
			json_t *ins = json_object();
			json_object_set_new(ins, "text", jstr(x->text));
			json_t *rep = json_object();
			json_object_set_new(rep, "deletedRegion", region);
			json_object_set_new(rep, "insertedContent", ins);
			json_array_append_new(reps, rep);
		}
		json_t *change = json_object();
		json_object_set_new(change, "artifactLocation", artifact_location(r, e->path));
		json_object_set_new(change, "replacements", reps);
		json_array_append_new(changes, change);
	}
	json_t *fix = json_object();
	json_t *desc = json_object();
	json_object_set_new(desc, "text", jstr(d->fix ? d->fix : "apply the edits"));
	json_object_set_new(fix, "description", desc);
	json_object_set_new(fix, "artifactChanges", changes);
	json_t *list = json_array();
	json_array_append_new(list, fix);
	return list;
}

static json_t *region(const struct diag *d)
{
	json_t *o = json_object();
	if (!d->src) {
		/*
		 * An image has no lines. Code scanning needs a startLine to place a
		 * result (multitool rule GH1003), so the result sits at the top of
		 * the artifact; the object names the file inside the image.
		 */
		json_object_set_new(o, "startLine", json_integer(1));
		return o;
	}
	unsigned line, col, el, ec;
	fmt_utf16_position(d->src, d->start, &line, &col);
	fmt_utf16_position(d->src, d->end, &el, &ec);
	json_object_set_new(o, "startLine", json_integer(line));
	json_object_set_new(o, "startColumn", json_integer(col));
	json_object_set_new(o, "endLine", json_integer(el));
	json_object_set_new(o, "endColumn", json_integer(ec));
	/* The text itself, for viewers that do not have the file (multitool rule SARIF2010). */
	if (d->end > d->start) {
		char *text = malloc(d->end - d->start + 1);
		if (text) {
			memcpy(text, d->src->data + d->start, d->end - d->start);
			text[d->end - d->start] = 0;
			json_t *snippet = json_object();
			json_object_set_new(snippet, "text", jstr(text));
			json_object_set_new(o, "snippet", snippet);
			free(text);
		}
	}
	return o;
}

static json_t *result(const struct report *r, const struct rule *const *table, size_t ntable,
		      const struct diag *d, const struct fingerprint *fp)
{
	json_t *o = json_object();
	json_object_set_new(o, "ruleId", json_string(d->rule->code));
	long idx = fmt_rule_index(table, ntable, d->rule);
	if (idx >= 0)
		json_object_set_new(o, "ruleIndex", json_integer(idx));
	json_object_set_new(o, "level", json_string(level(d->severity)));
	struct buf b;
	buf_init(&b);
	fmt_object_prefix(d, &b);
	buf_puts(&b, d->message);
	json_t *msg = json_object();
	json_object_set_new(msg, "text", sentence(b.data ? b.data : ""));
	buf_release(&b);
	json_object_set_new(o, "message", msg);

	json_t *loc = json_object();
	json_t *phys = json_object();
	json_object_set_new(phys, "artifactLocation", artifact_location(r, d->path));
	json_object_set_new(phys, "region", region(d));
	json_object_set_new(loc, "physicalLocation", phys);
	if (d->object) {
		json_t *logical = json_array();
		json_t *l = json_object();
		buf_init(&b);
		buf_puts(&b, d->object);
		if (d->container)
			buf_printf(&b, "/%s", d->container);
		json_object_set_new(l, "fullyQualifiedName", jbuf(&b));
		json_object_set_new(l, "kind", json_string("resource"));
		json_array_append_new(logical, l);
		json_object_set_new(loc, "logicalLocations", logical);
	}
	json_t *locs = json_array();
	json_array_append_new(locs, loc);
	json_object_set_new(o, "locations", locs);

	if (d->nedits)
		json_object_set_new(o, "fixes", fixes(r, d));
	/* The same finding in the next run, on whatever line it moved to (fingerprint.h). */
	if (fp) {
		json_t *fps = json_object();
		json_object_set_new(fps, "unroot/v1", json_string(fp->hex));
		json_object_set_new(o, "partialFingerprints", fps);
	}

	json_t *props = json_object();
	json_object_set_new(props, "platforms", platform_array(d->platforms));
	if (d->object)
		json_object_set_new(props, "object", jstr(d->object));
	if (d->container)
		json_object_set_new(props, "container", jstr(d->container));
	if (d->fix)
		json_object_set_new(props, "fix", jstr(d->fix));
	json_object_set_new(o, "properties", props);
	return o;
}

static void write_sarif(struct buf *out, const struct report *r)
{
	json_t *root = json_object();
	json_object_set_new(root, "$schema",
			    json_string("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/"
					"os/schemas/sarif-schema-2.1.0.json"));
	json_object_set_new(root, "version", json_string("2.1.0"));

	json_t *driver = json_object();
	json_object_set_new(driver, "name", json_string("unroot"));
	json_object_set_new(driver, "version", jstr(r->version));
	json_object_set_new(driver, "semanticVersion", jstr(r->version));
	json_object_set_new(driver, "informationUri",
			    jstr(r->docs_url ? r->docs_url : UNROOT_DEFAULT_DOCS_URL));
	json_t *rules = json_array();
	const struct rule *const *table;
	size_t n;
	fmt_rules(r, &table, &n);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(rules, descriptor(r, table[i]));
	json_object_set_new(driver, "rules", rules);
	json_t *tool = json_object();
	json_object_set_new(tool, "driver", driver);

	json_t *run = json_object();
	json_object_set_new(run, "tool", tool);
	json_t *bases = json_object();
	json_t *srcroot = json_object();
	json_t *desc = json_object();
	json_object_set_new(desc, "text",
			    json_string("The top folder of the repository unroot ran in, or the "
					"folder --base-dir named."));
	json_object_set_new(srcroot, "description", desc);
	json_object_set_new(bases, SRCROOT, srcroot);
	json_object_set_new(run, "originalUriBaseIds", bases);
	json_t *results = json_array();
	struct fingerprint *fps = fingerprints(r->diags, r->cwd, r->base_dir);
	if (r->diags->n && !fps)
		out->failed = true;
	for (size_t i = 0; i < r->diags->n; i++)
		json_array_append_new(
		    results, result(r, table, n, &r->diags->items[i], fps ? &fps[i] : NULL));
	free(fps);
	json_object_set_new(run, "results", results);
	json_object_set_new(run, "columnKind", json_string("utf16CodeUnits"));

	json_t *runs = json_array();
	json_array_append_new(runs, run);
	json_object_set_new(root, "runs", runs);
	fmt_put_json(out, root);
}

const struct formatter format_sarif = {
    .name = "sarif",
    .description = "SARIF 2.1.0 for code scanning (GitHub, Azure DevOps)",
    .write = write_sarif,
};
