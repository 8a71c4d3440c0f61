/*
 * spanmap.c - where a line of helm template output comes from in its
 * template. A finding's position in the rendered text is mapped to a line
 * of the template its `# Source:` line names: the line with the same key and
 * value when the template writes it, else the template line of the nearest
 * enclosing key (securityContext, containers, ...), else the template's kind
 * line. Text that did not render is no candidate: comments, actions over
 * lines, and the branches the defaults skip when helm rendered the defaults
 * (helm_file.off, recorded by the scanner). The map depends only on the
 * rendered line, and is worked out for the lines findings point at.
 */
#include "helm-internal.h"
#include "unroot/source.h"
#include "yaml/ytree.h"

#include <string.h>

struct keyline {
	size_t start, end; /* key start to end of line */
	size_t indent;
	const char *key;
	size_t klen;
	const char *value; /* after ':' trimmed */
	size_t vlen;
};

/* A YAML-looking key on the line at s[ls..le): `  - key: value`. */
static bool line_key(const char *s, size_t ls, size_t le, struct keyline *k)
{
	size_t p = ls;
	while (p < le && (s[p] == ' ' || s[p] == '-' || s[p] == '\t'))
		p++;
	size_t ks = p;
	while (p < le &&
	       (s[p] == '_' || s[p] == '-' || s[p] == '.' || s[p] == '/' ||
		(s[p] >= '0' && s[p] <= '9') || ((s[p] | 32) >= 'a' && (s[p] | 32) <= 'z')))
		p++;
	if (p == ks || p >= le || s[p] != ':' || (p + 1 < le && s[p + 1] != ' '))
		return false;
	k->start = ks;
	k->end = le;
	k->indent = ks - ls;
	k->key = s + ks;
	k->klen = p - ks;
	size_t v = p + 1, e = le;
	while (v < e && s[v] == ' ')
		v++;
	while (e > v && (s[e - 1] == ' ' || s[e - 1] == '\r'))
		e--;
	k->value = s + v;
	k->vlen = e - v;
	return true;
}

void helm_line_at(const char *s, size_t len, size_t off, size_t *ls, size_t *le)
{
	if (off > len)
		off = len;
	size_t a = off, b = off;
	while (a > 0 && s[a - 1] != '\n')
		a--;
	while (b < len && s[b] != '\n')
		b++;
	*ls = a;
	*le = b;
}

#define MAX_CHAIN 16

/* The keys enclosing a line, nearest first, found by indentation. */
struct chain {
	const char *k[MAX_CHAIN];
	size_t l[MAX_CHAIN];
	size_t n;
};

static void ancestors(const char *s, size_t len, size_t lo, size_t ls, size_t indent,
		      struct chain *c)
{
	c->n = 0;
	size_t at = ls;
	while (at > lo && indent > 0 && c->n < MAX_CHAIN) {
		size_t a, b;
		helm_line_at(s, len, at - 1, &a, &b);
		struct keyline k;
		if (line_key(s, a, b, &k) && k.indent < indent) {
			c->k[c->n] = k.key;
			c->l[c->n] = k.klen;
			c->n++;
			indent = k.indent;
		}
		at = a;
	}
}

/* How many enclosing keys agree, nearest first. */
static size_t score(const struct chain *a, const struct chain *b)
{
	size_t i = 0;
	while (i < a->n && i < b->n && a->l[i] == b->l[i] && memcmp(a->k[i], b->k[i], a->l[i]) == 0)
		i++;
	return i;
}

static bool same_key(const struct keyline *x, const struct keyline *want, bool value)
{
	return x->klen == want->klen && memcmp(x->key, want->key, x->klen) == 0 &&
	       (!value || (x->vlen == want->vlen && memcmp(x->value, want->value, x->vlen) == 0));
}

/*
 * How many lines before `before` in the rendered text r have the same key
 * (and value) and the same enclosing keys: which occurrence this one is.
 */
static size_t occurrence(const char *r, size_t rlen, size_t before, const struct keyline *want,
			 bool value, const struct chain *rc)
{
	size_t n = 0;
	for (size_t ls = 0; ls < before;) {
		size_t le = ls;
		while (le < before && r[le] != '\n')
			le++;
		struct keyline x;
		if (le < before && line_key(r, ls, le, &x) && same_key(&x, want, value)) {
			struct chain c;
			ancestors(r, rlen, 0, ls, x.indent, &c);
			n += score(&c, rc) == rc->n && c.n == rc->n;
		}
		ls = le + 1;
	}
	return n;
}

/*
 * Whether the text at `at` of area t is never output as written (a
 * template comment, an action over lines), or sits in a branch that the
 * chart's defaults skip when the render used those defaults alone: helm
 * wrote nothing from there, however alike its text.
 */
static bool skipped(const struct helm_area *t, bool skip, size_t at)
{
	if (!t->file)
		return false;
	const struct helm_range *r = t->file->off;
	size_t n = t->file->noff, live = 0;
	while (live < n && !r[live].dead)
		live++;
	return helm_range_find(r + live, n - live, at) ||
	       (skip && t->skip_off && helm_range_find(r, live, at));
}

/*
 * The line of area t with the same key (and value) whose enclosing keys
 * agree best with the rendered line's; among equals, the nth. *full tells
 * whether the enclosing keys agreed all the way, *agree how many did.
 * Lines in branches the defaults skip are left out when `skip`.
 */
static bool best_line(const struct helm_area *t, const struct keyline *want, bool value,
		      const struct chain *rc, size_t nth, bool skip, size_t *start, size_t *end,
		      bool *full, size_t *agree)
{
	const char *s = t->src->data;
	size_t len = t->src->len, to = t->to < len ? t->to : len;
	size_t best = 0, count = 0;
	bool found = false;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t ls = t->from; ls < to;) {
			size_t le = ls;
			while (le < len && s[le] != '\n')
				le++;
			struct keyline x;
			if (line_key(s, ls, le, &x) && same_key(&x, want, value) &&
			    !skipped(t, skip, x.start)) {
				struct chain c;
				ancestors(s, len, t->from, ls, x.indent, &c);
				size_t sc = score(&c, rc);
				if (pass == 0) {
					if (!found || sc > best) {
						best = sc;
						*full = sc == rc->n || sc == c.n;
					}
					found = true;
				} else if (sc == best) {
					*start = x.start;
					*end = x.end;
					if (count++ == nth)
						return true;
				}
			}
			ls = le < len ? le + 1 : len;
		}
		if (!found)
			return false;
	}
	*agree = best;
	return true;
}

/* The next `.Values.PATH` in s[*at..to), copied to buf; false when none. */
static bool next_ref(const char *s, size_t to, size_t *at, char *buf, size_t cap)
{
	static const char pre[] = ".Values.";
	const size_t pl = sizeof(pre) - 1;
	for (size_t p = *at; p + pl <= to; p++) {
		if (memcmp(s + p, pre, pl) != 0)
			continue;
		size_t q = p + pl, n = 0;
		while (q < to && n + 1 < cap &&
		       (s[q] == '_' || s[q] == '.' || s[q] == '-' || (s[q] >= '0' && s[q] <= '9') ||
			((s[q] | 32) >= 'a' && (s[q] | 32) <= 'z')))
			buf[n++] = s[q++];
		while (n && buf[n - 1] == '.')
			n--;
		buf[n] = 0;
		*at = q;
		if (n)
			return true;
	}
	*at = to;
	return false;
}

/*
 * The nth line with the flagged key (and value) inside the values named by
 * the `.Values.` references in s[from..to).
 */
static bool find_in_refs(const char *s, size_t from, size_t to, const struct helm_area *v,
			 const struct keyline *want, size_t *nth, size_t *start, size_t *end)
{
	char path[256];
	size_t at = from;
	while (next_ref(s, to, &at, path, sizeof(path))) {
		const struct ynode *node = helm_values_get(v->chart, path);
		if (!node || node->end > v->src->len)
			continue;
		const char *vs = v->src->data;
		for (size_t ls = node->start; ls < node->end;) {
			size_t a, b;
			helm_line_at(vs, v->src->len, ls, &a, &b);
			struct keyline x;
			if (line_key(vs, a, b, &x) && x.start >= node->start &&
			    same_key(&x, want, want->vlen > 0) && (*nth)-- == 0) {
				*start = x.start;
				*end = x.end;
				return true;
			}
			ls = b + 1;
		}
	}
	return false;
}

/*
 * The flagged line r[ls..] sits under the rendered key at r[a..], which the
 * template writes at t[ts..]: when the flagged key comes from values that
 * the template's block under that key (or the `with`/`if` lines just above
 * it) pastes in, the values line that holds it.
 */
static bool from_values(const char *r, size_t rlen, size_t a, size_t ls,
			const struct keyline *flagged, const struct helm_area *t, size_t ts,
			const struct helm_area *areas, size_t n, size_t *start, size_t *end,
			size_t *which)
{
	const struct helm_area *v = NULL;
	for (size_t i = 0; i < n && !v; i++)
		if (areas[i].values && areas[i].chart) {
			v = &areas[i];
			*which = i;
		}
	if (!v)
		return false;
	/* Which one of the flagged keys under the rendered key this is. */
	size_t nth = 0;
	for (size_t p = a; p < ls;) {
		size_t x0, x1;
		helm_line_at(r, rlen, p, &x0, &x1);
		struct keyline x;
		if (x0 > a && line_key(r, x0, x1, &x) && same_key(&x, flagged, flagged->vlen > 0))
			nth++;
		p = x1 + 1;
	}
	const char *s = t->src->data;
	size_t len = t->src->len, to = t->to < len ? t->to : len;
	size_t tl, te;
	helm_line_at(s, len, ts, &tl, &te);
	struct keyline key;
	if (!line_key(s, tl, te, &key))
		return false;
	/* The block: up to the next key at the same indentation or less. */
	size_t bend = te;
	while (bend < to) {
		size_t x0, x1;
		helm_line_at(s, len, bend + 1, &x0, &x1);
		struct keyline x;
		if (x0 >= to || (line_key(s, x0, x1, &x) && x.indent <= key.indent))
			break;
		bend = x1;
	}
	/* The action lines just above the key (`{{- with .Values.x }}`). */
	size_t above = tl;
	for (int k = 0; k < 3 && above > t->from; k++) {
		size_t x0, x1;
		helm_line_at(s, len, above - 1, &x0, &x1);
		size_t p = x0;
		while (p < x1 && (s[p] == ' ' || s[p] == '\t'))
			p++;
		if (x1 - p < 2 || s[p] != '{' || s[p + 1] != '{')
			break;
		above = x0;
	}
	return find_in_refs(s, tl, bend, v, flagged, &nth, start, end) ||
	       find_in_refs(s, above, tl, v, flagged, &nth, start, end);
}

/*
 * One try of helm_map_span_areas(): with `skip`, lines in branches the
 * defaults skip are no candidates. False when no template line is found.
 */
static bool map_lines(const char *r, size_t rlen, const struct helm_area *areas, size_t n,
		      bool skip, size_t *start, size_t *end, size_t *which)
{
	size_t ls, le, ts, te, agree;
	bool full = false;
	helm_line_at(r, rlen, *start, &ls, &le);
	struct keyline k;
	struct chain rc;
	bool keyed = line_key(r, ls, le, &k);
	struct keyline flagged = k;
	if (keyed && k.vlen) {
		ancestors(r, rlen, 0, ls, k.indent, &rc);
		/* A template writes this very line. */
		size_t nth = occurrence(r, rlen, ls, &k, true, &rc);
		for (size_t i = 0; i < n; i++)
			if (!areas[i].values &&
			    best_line(&areas[i], &k, true, &rc, nth, skip, &ts, &te, &full,
				      &agree) &&
			    full) {
				*start = ts;
				*end = te;
				*which = i;
				return true;
			}
	}
	/*
	 * The nearest key, this one or an enclosing one, that a template
	 * writes: in the area whose line agrees best with the rendered one's
	 * enclosing keys (all the way first, then the most), the template
	 * before the named templates among equals. So a key that both an
	 * init container of the template and the container of an included
	 * named template write goes where the enclosing keys say.
	 */
	size_t at = le, indent = (size_t)-1;
	for (int hops = 0; hops < 32;) {
		size_t a, b;
		helm_line_at(r, rlen, at, &a, &b);
		if (line_key(r, a, b, &k) && k.indent < indent) {
			indent = k.indent;
			hops++;
			ancestors(r, rlen, 0, a, k.indent, &rc);
			size_t nth = occurrence(r, rlen, a, &k, false, &rc);
			size_t pick = n, pts = 0, pte = 0, pagree = 0;
			bool pfull = false;
			for (size_t i = 0; i < n; i++) {
				if (areas[i].values || !best_line(&areas[i], &k, false, &rc, nth,
								  skip, &ts, &te, &full, &agree))
					continue;
				if (pick == n || (full && !pfull) ||
				    (full == pfull && agree > pagree)) {
					pick = i;
					pts = ts;
					pte = te;
					pfull = full;
					pagree = agree;
				}
			}
			if (pick < n) {
				/*
				 * No template writes the flagged key, only a key
				 * around it: the key came from the values that
				 * block pastes in (toYaml .Values.x).
				 */
				size_t v;
				if (hops > 1 && keyed &&
				    from_values(r, rlen, a, ls, &flagged, &areas[pick], pts, areas,
						n, start, end, &v)) {
					*which = v;
					return true;
				}
				*start = pts;
				*end = pte;
				*which = pick;
				return true;
			}
			if (indent == 0)
				break;
		}
		if (a == 0)
			break;
		at = a - 1;
	}
	return false;
}

size_t helm_map_span_areas(const char *r, size_t rlen, const struct helm_area *areas, size_t n,
			   size_t *start, size_t *end)
{
	size_t which = 0, st = *start, en = *end;
	/*
	 * First without the branches the defaults skip; then, when nothing
	 * else matched, with them (a subchart's branch that the parent's
	 * values turn on, a condition read wrong).
	 */
	for (int skip = 1; skip >= 0; skip--) {
		*start = st;
		*end = en;
		if (map_lines(r, rlen, areas, n, skip, start, end, &which))
			return which;
	}
	/* The kind line of the template, or of the named template that writes the document. */
	struct keyline kind = {.key = "kind", .klen = 4};
	struct chain none = {.n = 0};
	size_t ts, te, agree;
	bool full;
	for (size_t i = 0; i < n; i++)
		if (!areas[i].values &&
		    best_line(&areas[i], &kind, false, &none, 0, false, &ts, &te, &full, &agree)) {
			*start = ts;
			*end = te;
			return i;
		}
	*start = *end = 0;
	return 0;
}

/* Maps [*start, *end) in the rendered text r to a line of template t. */
void helm_map_span(const char *r, size_t rlen, const struct source *t, size_t *start, size_t *end)
{
	struct helm_area one = {.src = t, .path = t->path, .from = 0, .to = t->len};
	helm_map_span_areas(r, rlen, &one, 1, start, end);
}
