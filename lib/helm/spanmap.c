/*
 * spanmap.c - where a line of helm template output comes from in its
 * template. A finding's position in the rendered text is mapped to a line
 * of the template its `# Source:` line names: the line with the same key and
 * value when the template writes it, else the template line of the nearest
 * enclosing key (securityContext, containers, ...), else the template's kind
 * line. The map depends only on the rendered line, and is worked out for the
 * lines findings point at.
 */
#include "helm-internal.h"
#include "unroot/source.h"

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

static void ancestors(const char *s, size_t len, size_t ls, size_t indent, struct chain *c)
{
	c->n = 0;
	size_t at = ls;
	while (at > 0 && indent > 0 && c->n < MAX_CHAIN) {
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
			ancestors(r, rlen, ls, x.indent, &c);
			n += score(&c, rc) == rc->n && c.n == rc->n;
		}
		ls = le + 1;
	}
	return n;
}

/*
 * The template line with the same key (and value) whose enclosing keys agree
 * best with the rendered line's; among equals, the nth. *full tells whether
 * the enclosing keys agreed all the way.
 */
static bool best_line(const struct source *t, const struct keyline *want, bool value,
		      const struct chain *rc, size_t nth, size_t *start, size_t *end, bool *full)
{
	const char *s = t->data;
	size_t best = 0, count = 0;
	bool found = false;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t ls = 0; ls < t->len;) {
			size_t le = ls;
			while (le < t->len && s[le] != '\n')
				le++;
			struct keyline x;
			if (line_key(s, ls, le, &x) && same_key(&x, want, value)) {
				struct chain c;
				ancestors(s, t->len, ls, x.indent, &c);
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
			ls = le < t->len ? le + 1 : t->len;
		}
		if (!found)
			return false;
	}
	return true;
}

/* Maps [*start, *end) in the rendered text r to a line of template t. */
void helm_map_span(const char *r, size_t rlen, const struct source *t, size_t *start, size_t *end)
{
	size_t ls, le, ts, te;
	bool full = false;
	helm_line_at(r, rlen, *start, &ls, &le);
	struct keyline k;
	struct chain rc;
	if (line_key(r, ls, le, &k)) {
		ancestors(r, rlen, ls, k.indent, &rc);
		/* The template writes this very line. */
		if (k.vlen &&
		    best_line(t, &k, true, &rc, occurrence(r, rlen, ls, &k, true, &rc), &ts, &te,
			      &full) &&
		    full) {
			*start = ts;
			*end = te;
			return;
		}
	}
	/* The nearest key, this one or an enclosing one, that the template writes. */
	size_t at = le, indent = (size_t)-1;
	for (int hops = 0; hops < 32;) {
		size_t a, b;
		helm_line_at(r, rlen, at, &a, &b);
		if (line_key(r, a, b, &k) && k.indent < indent) {
			indent = k.indent;
			hops++;
			ancestors(r, rlen, a, k.indent, &rc);
			if (best_line(t, &k, false, &rc, occurrence(r, rlen, a, &k, false, &rc),
				      &ts, &te, &full)) {
				*start = ts;
				*end = te;
				return;
			}
			if (indent == 0)
				break;
		}
		if (a == 0)
			break;
		at = a - 1;
	}
	struct keyline kind = {.key = "kind", .klen = 4};
	struct chain none = {.n = 0};
	if (best_line(t, &kind, false, &none, 0, &ts, &te, &full)) {
		*start = ts;
		*end = te;
	} else {
		*start = *end = 0;
	}
}
