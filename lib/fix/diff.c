/*
 * diff.c - a unified diff of one fixed file, from its edits.
 *
 * The edits say exactly what changes, so no line matching is needed: each
 * run of edits that touch the same lines is one change, the lines both
 * sides share at its ends are context, and hunks get three lines of context
 * as diff -u and git write them. A line without a final newline gets the
 * "\ No newline at end of file" marker that patch and git apply expect.
 */
#include "unroot/buf.h"
#include "unroot/diag.h"
#include "unroot/fix.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONTEXT 3

struct line {
	const char *p;
	size_t n; /* with its '\n' when it has one */
};

/* A change: old lines [start, start + nold) become the new lines. */
struct change {
	size_t start, nold;
	struct line *add;
	size_t nadd;
};

struct lines {
	struct line *v;
	size_t n, cap;
};

static bool push_line(struct lines *l, const char *p, size_t n)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct line *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return false;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct line){p, n};
	return true;
}

static bool split(struct lines *l, const char *s, size_t len)
{
	size_t at = 0;
	while (at < len) {
		const char *nl = memchr(s + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (s + at)) + 1 : len - at;
		if (!push_line(l, s + at, n))
			return false;
		at += n;
	}
	return true;
}

static bool same_line(const struct line *a, const struct line *b)
{
	return a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

/* The index of the line holding byte `off` (off == len: the line count when the text ends
 * with a newline). */
static size_t line_at(const struct lines *old, size_t off, const char *base)
{
	size_t lo = 0, hi = old->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((size_t)(old->v[mid].p - base) <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	const struct line *l = &old->v[lo - 1];
	size_t end = (size_t)(l->p - base) + l->n;
	return off < end || l->p[l->n - 1] != '\n' ? lo - 1 : lo;
}

static size_t line_start(const struct lines *old, size_t k, size_t len, const char *base)
{
	return k < old->n ? (size_t)(old->v[k].p - base) : len;
}

static void put_line(struct buf *out, char sign, const struct line *l)
{
	buf_putc(out, sign);
	buf_add(out, l->p, l->n);
	if (!l->n || l->p[l->n - 1] != '\n')
		buf_puts(out, "\n\\ No newline at end of file\n");
}

/* The path as the diff names it, after a/ and b/. */
static const char *diff_name(const char *path, char *cwd, size_t size)
{
	if (path[0] == '/' && getcwd(cwd, size)) {
		size_t n = strlen(cwd);
		if (n > 1 && strncmp(path, cwd, n) == 0 && path[n] == '/')
			path += n + 1;
	}
	while (path[0] == '.' && path[1] == '/')
		for (path += 2; *path == '/';)
			path++;
	/* outside the current folder: relative to the root, as `git diff --no-index` names
	 * it, so the diff applies from / ("a//etc" is no path git apply or patch takes) */
	while (*path == '/')
		path++;
	return path;
}

static void put_hunks(struct buf *out, const struct lines *old, const struct change *c, size_t nc)
{
	long delta = 0; /* new lines minus old lines of the changes before */
	for (size_t i = 0; i < nc;) {
		/* the changes whose contexts touch make one hunk */
		size_t j = i + 1;
		while (j < nc && c[j].start <= c[j - 1].start + c[j - 1].nold + 2 * CONTEXT)
			j++;
		size_t from = c[i].start > CONTEXT ? c[i].start - CONTEXT : 0;
		size_t last = c[j - 1].start + c[j - 1].nold;
		size_t to = last + CONTEXT < old->n ? last + CONTEXT : old->n;
		size_t nold = to - from, nnew = nold;
		for (size_t k = i; k < j; k++)
			nnew = nnew - c[k].nold + c[k].nadd;
		size_t nstart = (size_t)((long)from + delta);
		buf_printf(out, "@@ -%zu,%zu +%zu,%zu @@\n", nold ? from + 1 : from, nold,
			   nnew ? nstart + 1 : nstart, nnew);
		size_t at = from;
		for (size_t k = i; k < j;) {
			/* changes on adjacent lines read as one: their old lines, then their new */
			size_t m = k + 1;
			while (m < j && c[m].start == c[m - 1].start + c[m - 1].nold)
				m++;
			for (; at < c[k].start; at++)
				put_line(out, ' ', &old->v[at]);
			for (size_t q = k; q < m; q++)
				for (size_t r = 0; r < c[q].nold; r++)
					put_line(out, '-', &old->v[c[q].start + r]);
			for (size_t q = k; q < m; q++) {
				for (size_t r = 0; r < c[q].nadd; r++)
					put_line(out, '+', &c[q].add[r]);
				at = c[q].start + c[q].nold;
				delta += (long)c[q].nadd - (long)c[q].nold;
			}
			k = m;
		}
		for (; at < to; at++)
			put_line(out, ' ', &old->v[at]);
		i = j;
	}
}

/* The new text of old bytes [rs, re), edits [i, j) applied, into b. */
static void region_text(struct buf *b, const struct fix_file *f, size_t rs, size_t re, size_t i,
			size_t j)
{
	size_t at = rs;
	for (size_t k = i; k < j; k++) {
		const struct diag_edit *e = f->edits[k];
		buf_add(b, f->old + at, e->offset - at);
		buf_puts(b, e->text);
		at = e->offset + e->length;
	}
	buf_add(b, f->old + at, re - at);
}

void fix_text(const struct fix_file *f, struct buf *out)
{
	region_text(out, f, 0, f->old_len, 0, f->nedits);
}

void fix_diff(const struct fix_file *f, struct buf *out)
{
	struct lines old = {0};
	struct change *ch = NULL;
	size_t nch = 0;
	struct buf texts; /* the regions' new text, one after another */
	buf_init(&texts);
	struct lines *adds = NULL;
	if (!split(&old, f->old, f->old_len))
		goto fail;
	ch = calloc(f->nedits ? f->nedits : 1, sizeof(*ch));
	adds = calloc(f->nedits ? f->nedits : 1, sizeof(*adds));
	size_t *offs = calloc(f->nedits ? f->nedits : 1, sizeof(*offs));
	size_t *lens = calloc(f->nedits ? f->nedits : 1, sizeof(*lens));
	if (!ch || !adds || !offs || !lens) {
		free(offs);
		free(lens);
		goto fail;
	}
	for (size_t i = 0; i < f->nedits;) {
		/* the region: whole lines from the first edit's line to the last one's */
		const struct diag_edit *e = f->edits[i];
		size_t sl = line_at(&old, e->offset, f->old);
		size_t rs = line_start(&old, sl, f->old_len, f->old);
		size_t j = i, re = e->offset;
		size_t tstart = texts.len;
		for (;;) {
			for (; j < f->nedits && f->edits[j]->offset <= re; j++) {
				size_t end = f->edits[j]->offset + f->edits[j]->length;
				size_t el = line_at(&old, end, f->old);
				size_t ls = line_start(&old, el, f->old_len, f->old);
				/* an edit ending inside a line takes the rest of it */
				size_t e2 =
				    ls == end ? end : line_start(&old, el + 1, f->old_len, f->old);
				if (e2 > re)
					re = e2;
			}
			texts.len = tstart;
			region_text(&texts, f, rs, re, i, j);
			/* new text that stops inside a line takes the old line it runs into */
			if (re < f->old_len && texts.len > tstart &&
			    texts.data[texts.len - 1] != '\n') {
				re = line_start(&old, line_at(&old, re, f->old) + 1, f->old_len,
						f->old);
				continue;
			}
			if (j < f->nedits && f->edits[j]->offset <= re)
				continue;
			break;
		}
		offs[nch] = tstart;
		lens[nch] = texts.len - tstart;
		ch[nch].start = sl;
		ch[nch].nold = (re >= f->old_len ? old.n : line_at(&old, re, f->old)) - sl;
		nch++;
		i = j;
	}
	if (texts.failed)
		goto fail_offs;
	for (size_t k = 0; k < nch; k++) {
		if (!split(&adds[k], texts.data ? texts.data + offs[k] : "", lens[k]))
			goto fail_offs;
		/* lines both sides share at the ends of a change are context */
		struct change *c = &ch[k];
		c->add = adds[k].v;
		c->nadd = adds[k].n;
		while (c->nold && c->nadd && same_line(&old.v[c->start], &c->add[0])) {
			c->start++;
			c->nold--;
			c->add++;
			c->nadd--;
		}
		while (c->nold && c->nadd &&
		       same_line(&old.v[c->start + c->nold - 1], &c->add[c->nadd - 1])) {
			c->nold--;
			c->nadd--;
		}
	}
	/* drop changes that became empty */
	size_t w = 0;
	for (size_t k = 0; k < nch; k++)
		if (ch[k].nold || ch[k].nadd)
			ch[w++] = ch[k];
	if (w) {
		char cwd[4096];
		const char *name = diff_name(f->path, cwd, sizeof(cwd));
		buf_printf(out, "--- a/%s\n+++ b/%s\n", name, name);
		put_hunks(out, &old, ch, w);
	}
	for (size_t k = 0; k < nch; k++)
		free(adds[k].v);
	free(offs);
	free(lens);
	free(adds);
	free(ch);
	free(old.v);
	buf_release(&texts);
	return;
fail_offs:
	for (size_t k = 0; k < nch; k++)
		free(adds[k].v);
	free(offs);
	free(lens);
fail:
	free(adds);
	free(ch);
	free(old.v);
	buf_release(&texts);
	out->failed = true;
}
