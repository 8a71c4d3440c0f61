/*
 * baseline.c - a legacy repository's findings recorded once (--write-baseline)
 * and then not reported (--baseline), so that CI fails only on new ones.
 *
 * An entry is matched by rule, path (relative to the base folder) and the
 * finding's fingerprint (fingerprint.h): the flagged text, not its line, so
 * entries survive lines moving above them. An entry no finding matches any
 * more is reported as NR001 at its place in the baseline file: the problem was
 * fixed (or its text changed), and the entry should go. The file is JSON
 * (docs/schema/baseline.json), read with positions through the YAML reader.
 */
#include "unroot/arena.h"
#include "unroot/buf.h"
#include "util/fingerprint.h"
#include "unroot/output.h"
#include "util/path.h"
#include "run.h"
#include "unroot/source.h"
#include "yaml/ytree.h"
#include "../output/fmt.h"

#include <stdlib.h>
#include <string.h>

#define BASELINE_MAX ((size_t)64 << 20)

struct entry {
	const char *rule, *path, *fp;
	size_t start, end; /* the entry's map in the file, for NR001 */
	unsigned line;	   /* where the finding was when it was recorded */
	bool used;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->fp, y->fp);
	if (!c)
		c = strcmp(x->rule, y->rule);
	return c ? c : strcmp(x->path, y->path);
}

static const char *field(const struct ynode *m, const char *key)
{
	const struct ynode *v = ymap_get(m, key);
	return v && v->kind == Y_SCALAR ? v->value : NULL;
}

static bool hex32(const char *s)
{
	if (!s || strlen(s) != FINGERPRINT_HEX)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* The file's entries, sorted; false after an NR000 when the file is not a baseline. */
static bool read_entries(struct lint_run *run, struct source **srcp, struct entry **out, size_t *n)
{
	const char *path = run->opts->baseline, *why = NULL;
	struct source *src = source_read(run->arena, path, BASELINE_MAX, &why);
	*srcp = src;
	if (!src) {
		run_error(run, path, NULL, 0, 0, "cannot read the baseline '%s': %s", path, why);
		return false;
	}
	struct ydoc *docs;
	size_t ndocs;
	struct yerror err;
	if (yaml_load(run->arena, src, &run->opts->limits, &docs, &ndocs, &err) != 0) {
		run_error(run, path, src, err.start, err.end, "%s", err.message);
		return false;
	}
	const struct ynode *root = ndocs ? docs[0].root : NULL;
	const struct ynode *list = ymap_get(root, "findings");
	const char *schema = field(root, "schema");
	if (!root || root->kind != Y_MAP || !list || list->kind != Y_SEQ) {
		run_error(run, path, src, root ? root->start : 0, root ? root->end : 0,
			  "'%s' is not an unroot baseline: it has no \"findings\" list (write "
			  "one with --write-baseline)",
			  path);
		return false;
	}
	if (!schema || strcmp(schema, "1") != 0) {
		const struct ynode *s = ymap_get(root, "schema");
		run_error(run, path, src, s ? s->start : root->start, s ? s->end : root->start,
			  "the baseline's schema is %s; this unroot reads schema 1",
			  schema ? schema : "missing");
		return false;
	}
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < list->nitems; i++) {
		const struct ynode *m = list->items[i];
		const char *rule = field(m, "rule"), *p = field(m, "path"),
			   *fp = field(m, "fingerprint"), *line = field(m, "line");
		if (m->kind != Y_MAP || !rule || !p || !hex32(fp)) {
			run_error(run, path, src, m->start, m->end,
				  "a baseline entry needs \"rule\", \"path\" and a "
				  "\"fingerprint\" of %d hex digits",
				  FINGERPRINT_HEX);
			return false;
		}
		if (!rule_find(rule)) {
			const struct ynode *r = ymap_get(m, "rule");
			run_error(run, path, src, r->start, r->end, "%s",
				  rule_unknown(run->arena, rule));
			return false;
		}
		struct entry *e = ARR_PUSH(run->arena, *out, *n, cap);
		if (!e)
			return false;
		*e = (struct entry){.rule = rule_find(rule)->code,
				    .path = p,
				    .fp = fp,
				    .start = m->start,
				    .end = m->end,
				    .line = line ? (unsigned)strtoul(line, NULL, 10) : 0};
	}
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), cmp_entry);
	return true;
}

/* NR000 and NR001 are about the run, never recorded. */
static bool recordable(const struct diag *d)
{
	return d->rule != &NR000_parse_error && d->rule != &NR001_unused_suppression;
}

void run_baseline_apply(struct lint_run *run)
{
	struct diag_list *l = &run->diags;
	if (!run->opts->baseline && !run->opts->record_baseline)
		return; /* fingerprints cost a hash a finding: only when asked for */
	/* What --write-baseline records: the findings before the baseline took any. */
	run->recorded = arena_alloc(run->arena, (l->n ? l->n : 1) * sizeof(*run->recorded));
	run->nrecorded = 0;
	const char *base = lint_run_base_dir(run);
	struct fingerprint *fps = l->n ? fingerprints(l, NULL, base) : NULL;
	if (l->n && (!fps || !run->recorded)) {
		free(fps);
		run_error(run, run->opts->baseline ? run->opts->baseline : "-", NULL, 0, 0,
			  "out of memory fingerprinting the findings");
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (!recordable(&l->items[i]))
			continue;
		struct recorded *r = &run->recorded[run->nrecorded++];
		r->d = l->items[i];
		memcpy(r->fp, fps[i].hex, sizeof(r->fp));
	}
	if (!run->opts->baseline) {
		free(fps);
		return;
	}
	struct source *src;
	struct entry *entries = NULL;
	size_t n = 0;
	if (!read_entries(run, &src, &entries, &n)) {
		free(fps);
		return;
	}
	size_t w = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct diag *d = &l->items[i];
		bool matched = false;
		if (recordable(d)) {
			bool absolute;
			char *rel = path_relative(NULL, base, d->path, &absolute);
			struct entry key = {
			    .rule = d->rule->code, .path = rel ? rel : d->path, .fp = fps[i].hex};
			struct entry *e = bsearch(&key, entries, n, sizeof(*entries), cmp_entry);
			if (e && !e->used) {
				e->used = true;
				matched = true;
			}
			free(rel);
		}
		if (!matched)
			l->items[w++] = *d;
	}
	l->n = w;
	free(fps);
	if (run_rule_disabled(run, &NR001_unused_suppression))
		return;
	for (size_t i = 0; i < n; i++) {
		const struct entry *e = &entries[i];
		if (e->used)
			continue;
		struct diag *d = diag_add(
		    l, &NR001_unused_suppression, run->opts->baseline, src, e->start, e->end,
		    "the baseline entry for %s in '%s'%s matched no finding: it was fixed or its "
		    "text "
		    "changed; remove the entry, or write the baseline again with --write-baseline",
		    e->rule, e->path,
		    e->line ? arena_printf(run->arena, " (line %u when recorded)", e->line) : "");
		if (d)
			d->platforms &= run->opts->platforms;
	}
}

/* A JSON string, escaped; the writer is small: these are paths, codes and messages. */
static void put_str(struct buf *out, const char *s)
{
	buf_putc(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(out, "\\%c", *p);
		else if (*p < 0x20)
			buf_printf(out, "\\u%04x", *p);
		else
			buf_putc(out, (char)*p);
	}
	buf_putc(out, '"');
}

void lint_run_write_baseline(const struct lint_run *run, struct buf *out, const char *version)
{
	buf_puts(out, "{\n  \"tool\": {\n    \"name\": \"unroot\",\n    \"version\": ");
	put_str(out, version);
	buf_puts(out, "\n  },\n  \"schema\": 1,\n  \"findings\": [");
	for (size_t i = 0; i < run->nrecorded; i++) {
		const struct recorded *r = &run->recorded[i];
		unsigned line, col, el, ec;
		diag_position(&r->d, &line, &col, &el, &ec);
		bool absolute;
		/* run_baseline_apply() asked lint_run_base_dir() already. */
		char *rel =
		    path_relative(NULL, run->opts->base_dir ? run->opts->base_dir : run->base_dir,
				  r->d.path, &absolute);
		char *msg = fmt_utf8(r->d.message);
		buf_puts(out, i ? ",\n    {\n      \"rule\": " : "\n    {\n      \"rule\": ");
		put_str(out, r->d.rule->code);
		buf_puts(out, ",\n      \"path\": ");
		put_str(out, rel ? rel : r->d.path);
		buf_puts(out, ",\n      \"fingerprint\": ");
		put_str(out, r->fp);
		buf_printf(out, ",\n      \"line\": %u,\n      \"message\": ", line);
		put_str(out, msg ? msg : "");
		buf_puts(out, "\n    }");
		free(rel);
		free(msg);
	}
	buf_puts(out, run->nrecorded ? "\n  ]\n}\n" : "]\n}\n");
}
