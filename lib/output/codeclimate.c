/*
 * codeclimate.c - GitLab's code quality report: a JSON array of Code Climate
 * issues, which GitLab shows in merge requests and the pipeline's Code
 * Quality tab (artifacts:reports:codequality). GitLab reads description,
 * check_name, fingerprint, severity and location.path/lines.begin, and drops
 * the whole report at the first issue its schema rejects. Paths are relative
 * to the repository's top folder (r->base_dir), as GitLab resolves them; the
 * fingerprint is the one SARIF carries, so an issue keeps its identity when
 * its line moves. docs/output.md has the mapping.
 */
#include "fmt.h"
#include "unroot/buf.h"
#include "unroot/diag.h"
#include "util/fingerprint.h"
#include "unroot/output.h"
#include "unroot/rule.h"
#include "unroot/source.h"

#include <jansson.h>
#include <stdlib.h>

/* GitLab's scale: info, minor, major, critical, blocker. Root and refusals are critical. */
static const char *severity(enum severity s)
{
	return s == SEV_ERROR ? "critical" : s == SEV_WARNING ? "major" : "info";
}

static json_t *jstr(const char *s)
{
	char *clean = fmt_utf8(s ? s : "");
	json_t *j = clean ? json_string(clean) : NULL;
	free(clean);
	return j ? j : json_string("");
}

static json_t *issue(const struct report *r, const struct diag *d, const struct fingerprint *fp)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("issue"));
	json_object_set_new(o, "check_name", json_string(d->rule->code));
	struct buf b;
	buf_init(&b);
	fmt_object_prefix(d, &b);
	buf_puts(&b, d->message);
	buf_puts(&b, " [");
	fmt_title(d, &b);
	buf_putc(&b, ']');
	json_object_set_new(o, "description", jstr(b.data));
	buf_release(&b);
	if (d->fix) {
		json_t *content = json_object();
		buf_init(&b);
		buf_printf(&b, "Fix: `%s`", d->fix);
		json_object_set_new(content, "body", jstr(b.data));
		buf_release(&b);
		json_object_set_new(o, "content", content);
	}
	json_t *cats = json_array();
	json_array_append_new(cats,
			      json_string(d->rule->kind == KIND_ANY ? "Bug Risk" : "Security"));
	json_object_set_new(o, "categories", cats);

	json_t *loc = json_object();
	bool absolute;
	char *path = fmt_rel_path(r, d->path, &absolute);
	json_object_set_new(loc, "path", jstr(path ? path : d->path));
	free(path);
	/* An image has no lines: its findings sit on the first line of the image file. */
	unsigned line = 1, col, el = 1, ec;
	if (d->src) {
		source_position(d->src, d->start, &line, &col);
		source_position(d->src, d->end > d->start ? d->end - 1 : d->start, &el, &ec);
	}
	json_t *lines = json_object();
	json_object_set_new(lines, "begin", json_integer(line));
	json_object_set_new(lines, "end", json_integer(el < line ? line : el));
	json_object_set_new(loc, "lines", lines);
	json_object_set_new(o, "location", loc);
	json_object_set_new(o, "severity", json_string(severity(d->severity)));
	json_object_set_new(o, "fingerprint", json_string(fp ? fp->hex : ""));
	return o;
}

static void write_codeclimate(struct buf *out, const struct report *r)
{
	json_t *root = json_array();
	struct fingerprint *fps = fingerprints(r->diags, r->cwd, r->base_dir);
	if (r->diags->n && !fps) {
		out->failed = true; /* an issue without a fingerprint is one GitLab rejects */
		json_decref(root);
		return;
	}
	for (size_t i = 0; i < r->diags->n; i++)
		json_array_append_new(root, issue(r, &r->diags->items[i], &fps[i]));
	free(fps);
	fmt_put_json(out, root);
}

const struct formatter format_codeclimate = {
    .name = "codeclimate",
    .description = "GitLab code quality report (Code Climate issues)",
    .write = write_codeclimate,
};
