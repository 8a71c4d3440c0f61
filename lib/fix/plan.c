/*
 * plan.c - which edits of a run's findings are applied, per file, and what
 * is left to a person. The findings decide what to write; this only takes
 * their edits whole, once, and refuses a finding whose edits would collide
 * with those already taken.
 */
#include "unroot/fix.h"
#include "unroot/arena.h"
#include "unroot/diag.h"
#include "unroot/lint.h"
#include "unroot/rule.h"
#include "unroot/source.h"
#include "util/strmap.h"

#include <stdlib.h>
#include <string.h>

/* An edit taken, with the finding it came from (for the reason a later one is refused). */
struct taken {
	const struct diag_edit *e;
	const struct diag *d;
};

/* A file and the edits taken on it so far. */
struct pfile {
	const char *path;
	const char *data;
	size_t len;
	struct taken *t;
	size_t n, cap;
};

struct planner {
	struct arena *a;
	struct lint_run *run;
	struct strmap index;   /* path -> pfile index */
	struct strmap sources; /* path -> a finding whose source is that file */
	struct pfile *files;
	size_t nfiles, cap;
	size_t file_limit;
	struct fix_plan *out;
};

/* The bytes of `path` as the run read them (a finding's source), else read now. */
static bool file_bytes(struct planner *p, const char *path, const char **data, size_t *len)
{
	size_t k;
	if (strmap_get(&p->sources, path, &k)) {
		const struct source *s = lint_run_diags(p->run)->items[k].src;
		*data = s->data;
		*len = s->len;
		return true;
	}
	const char *why = NULL;
	struct source *s = source_read_file(p->a, path, p->file_limit, &why);
	if (!s) {
		p->out->error_path = path;
		p->out->error = why ? why : "cannot be read";
		return false;
	}
	*data = s->data;
	*len = s->len;
	return true;
}

/* The file of an edit, added on first sight; NULL when it cannot be read or memory is out. */
static struct pfile *file_of(struct planner *p, const char *path)
{
	size_t k;
	if (strmap_get(&p->index, path, &k))
		return &p->files[k];
	const char *data;
	size_t len;
	if (!file_bytes(p, path, &data, &len))
		return NULL;
	struct pfile *f = arr_push(p->a, (void **)&p->files, &p->nfiles, &p->cap, sizeof(*f));
	if (!f || !strmap_put(&p->index, path, p->nfiles - 1))
		return NULL;
	*f = (struct pfile){.path = path, .data = data, .len = len};
	return f;
}

static bool same(const struct diag_edit *x, const struct diag_edit *y)
{
	return x->offset == y->offset && x->length == y->length && strcmp(x->text, y->text) == 0;
}

/* Whether two different edits of one file cannot both be applied. */
static bool collide(const struct diag_edit *x, const struct diag_edit *y)
{
	size_t xe = x->offset + x->length, ye = y->offset + y->length;
	if (!x->length && !y->length)
		return x->offset == y->offset;
	if (!x->length)
		return x->offset > y->offset && x->offset < ye;
	if (!y->length)
		return y->offset > x->offset && y->offset < xe;
	return x->offset < ye && y->offset < xe;
}

/*
 * Why the edits of d cannot be taken, or NULL when they can. Equal edits
 * (taken already, or twice in d) are fine.
 */
static const char *refusal(struct planner *p, const struct diag *d)
{
	for (size_t i = 0; i < d->nedits; i++) {
		const struct diag_edit *e = &d->edits[i];
		struct pfile *f = file_of(p, e->path);
		if (!f)
			return p->out->error ? "" : NULL;
		if (e->offset > f->len || e->length > f->len - e->offset)
			return arena_printf(p->a, "its edit of %s falls outside the file as read",
					    e->path);
		for (size_t k = 0; k < f->n; k++) {
			const struct taken *t = &f->t[k];
			if (!same(e, t->e) && collide(e, t->e)) {
				const char *at =
				    t->d->line ? arena_printf(p->a, " on line %u", t->d->line) : "";
				return arena_printf(p->a,
						    "its edits overlap those of %s%s, which were "
						    "applied; run unroot fix again after this one",
						    t->d->rule->code, at);
			}
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(d->edits[k].path, e->path) == 0 && !same(e, &d->edits[k]) &&
			    collide(e, &d->edits[k]))
				return "its own edits overlap";
	}
	return NULL;
}

static bool take(struct planner *p, const struct diag *d)
{
	for (size_t i = 0; i < d->nedits; i++) {
		const struct diag_edit *e = &d->edits[i];
		struct pfile *f = file_of(p, e->path);
		if (!f)
			return false;
		bool dup = false;
		for (size_t k = 0; k < f->n && !dup; k++)
			dup = same(e, f->t[k].e);
		if (dup)
			continue;
		struct taken *t = arr_push(p->a, (void **)&f->t, &f->n, &f->cap, sizeof(*t));
		if (!t)
			return false;
		*t = (struct taken){e, d};
	}
	return true;
}

static bool add_manual(struct planner *p, const struct diag *d, const char *reason, size_t *cap)
{
	struct fix_manual *m =
	    arr_push(p->a, (void **)&p->out->manual, &p->out->nmanual, cap, sizeof(*m));
	if (!m)
		return false;
	*m = (struct fix_manual){d, reason};
	return true;
}

static int by_offset(const void *x, const void *y)
{
	const struct diag_edit *a = ((const struct taken *)x)->e, *b = ((const struct taken *)y)->e;
	if (a->offset != b->offset)
		return a->offset < b->offset ? -1 : 1;
	/* an insertion goes before a replacement that starts where it is */
	return (a->length > 0) - (b->length > 0);
}

/*
 * Whether the edits, in offset order, leave the file as it was (each writes
 * what is there already, or together they do). Compared piece by piece
 * against the old bytes: building the new text of every file would touch
 * as much fresh memory as the inputs fill, for a diff that needs none of it.
 */
static bool changes_nothing(const struct pfile *f)
{
	size_t len = f->len;
	for (size_t i = 0; i < f->n; i++)
		len = len - f->t[i].e->length + strlen(f->t[i].e->text);
	if (len != f->len)
		return false;
	size_t at = 0, w = 0; /* in the old text, and in the new one */
	for (size_t i = 0; i < f->n; i++) {
		const struct diag_edit *e = f->t[i].e;
		size_t keep = e->offset - at, tl = strlen(e->text);
		if (memcmp(f->data + w, f->data + at, keep) != 0 ||
		    memcmp(f->data + w + keep, e->text, tl) != 0)
			return false;
		w += keep + tl;
		at = e->offset + e->length;
	}
	return memcmp(f->data + w, f->data + at, f->len - at) == 0;
}

/* The file's edits, in offset order, as the plan gives them; -1 when out of memory. */
static int apply(struct arena *a, const struct pfile *f, struct fix_file *out)
{
	const struct diag_edit **list = arena_alloc(a, f->n * sizeof(*list));
	if (!list)
		return -1;
	for (size_t i = 0; i < f->n; i++)
		list[i] = f->t[i].e;
	*out = (struct fix_file){
	    .path = f->path, .old = f->data, .old_len = f->len, .edits = list, .nedits = f->n};
	return 0;
}

static int by_path(const void *x, const void *y)
{
	return strcmp(((const struct fix_file *)x)->path, ((const struct fix_file *)y)->path);
}

static bool wanted(const struct diag *d, const struct rule *const *only, size_t n)
{
	if (!only || d->rule == &NR000_parse_error)
		return true;
	for (size_t i = 0; i < n; i++)
		if (only[i] == d->rule)
			return true;
	return false;
}

/* Why a finding has no edits: its own reason, else what its kind of input lacks. */
static const char *no_edit(const struct diag *d)
{
	if (d->no_edit && *d->no_edit)
		return d->no_edit;
	if (d->rule == &NR000_parse_error)
		return "the input could not be read";
	if (d->rule == &NR002_findings_capped || d->rule == &NR003_rendered_checks_skipped)
		return "a note about the run, not about a line of a file";
	if (d->rule->kind == KIND_IMAGE)
		return "a built image has no text to edit; unroot fix --from-image writes a "
		       "Dockerfile that derives from it";
	return "no exact edit for this rule";
}

int fix_plan_make(struct lint_run *run, const struct rule *const *only, size_t n,
		  struct fix_plan *out)
{
	memset(out, 0, sizeof(*out));
	struct planner p = {.a = lint_run_arena(run), .run = run, .out = out};
	p.file_limit = (size_t)64 << 20;
	strmap_init(&p.index, p.a);
	strmap_init(&p.sources, p.a);
	const struct diag_list *all = lint_run_diags(run);
	for (size_t i = 0; i < all->n; i++) {
		const struct source *s = all->items[i].src;
		size_t k;
		if (s && s->path && !strmap_get(&p.sources, s->path, &k) &&
		    !strmap_put(&p.sources, s->path, i))
			return -1;
	}
	size_t mcap = 0;
	const struct diag_list *l = lint_run_diags(run);
	for (size_t i = 0; i < l->n; i++) {
		const struct diag *d = &l->items[i];
		if (!wanted(d, only, n))
			continue;
		if (!d->nedits) {
			if (!add_manual(&p, d, no_edit(d), &mcap))
				return -1;
			continue;
		}
		const char *why = refusal(&p, d);
		if (out->error)
			return -1;
		if (why) {
			if (!add_manual(&p, d, why, &mcap))
				return -1;
			continue;
		}
		if (!take(&p, d))
			return -1;
		out->nfixed++;
	}
	if (!p.nfiles)
		return 0;
	out->files = arena_alloc(p.a, p.nfiles * sizeof(*out->files));
	if (!out->files)
		return -1;
	for (size_t i = 0; i < p.nfiles; i++) {
		struct pfile *f = &p.files[i];
		if (!f->n)
			continue;
		qsort(f->t, f->n, sizeof(*f->t), by_offset);
		if (changes_nothing(f))
			continue;
		if (apply(p.a, f, &out->files[out->nfiles]) != 0)
			return -1;
		out->nfiles++;
	}
	qsort(out->files, out->nfiles, sizeof(*out->files), by_path);
	return 0;
}

void fix_plan_release(struct fix_plan *p)
{
	p->nfiles = 0; /* all of it is in the run's arena */
}
