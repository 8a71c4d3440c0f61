/*
 * yedit.c - wishes about a YAML file's content into exact byte edits.
 *
 * Wishes are grouped by the node they change (a scalar to replace, a map to
 * add keys to or take keys from, a sequence), each group makes its edits,
 * and edits that meet are joined. Everything is worked out from the spans
 * yaml_load() recorded and the bytes around them; nothing is re-emitted.
 */
#include "yaml/yedit.h"
#include "yaml/ytree.h"
#include "unroot/arena.h"
#include "unroot/buf.h"
#include "unroot/source.h"

#include <stdlib.h>
#include <string.h>

enum wop {
	W_REPLACE, /* a scalar value: yedit_set on a key that is there */
	W_ADD,	   /* a key added to a map (or to a new map under `name`) */
	W_DEL,	   /* a key taken from a map */
	W_SEQ_ADD,
	W_SEQ_DEL,
};

struct wish {
	enum wop op;
	size_t tag;
	const struct ynode *node; /* the group: value, map, parent or sequence */
	const char *name;	  /* W_ADD into a new map: its key under node */
	const char *key;
	const struct yval *v;
	const struct ynode *item; /* W_SEQ_DEL; W_DEL: the key node */
	size_t order;
};

struct tags {
	size_t *t;
	size_t n, cap;
};

struct prim {
	size_t start, end;
	const char *text;
	size_t depth; /* insertions at one point: the deeper first */
	struct tags tags;
};

struct yedit {
	struct arena *a;
	const struct source *src;
	struct wish *w;
	size_t nw, capw;
	size_t *failed;
	size_t nfailed, capfailed;
	struct prim *p;
	size_t np, capp;
	bool oom;
	const struct ydoc *docs;
	size_t ndocs;
	size_t *lines; /* line starts, made when first needed */
	size_t nlines;
	/* the file's style */
	const char *eol;
	size_t step, seq_indent;
};

struct yedit *yedit_new(struct arena *a, const struct source *src, const struct ydoc *docs,
			size_t ndocs)
{
	struct yedit *e = arena_alloc(a, sizeof(*e));
	if (e) {
		e->a = a;
		e->src = src;
		e->docs = docs;
		e->ndocs = ndocs;
	}
	return e;
}

static void push(struct yedit *e, struct wish w)
{
	struct wish *s = ARR_PUSH(e->a, e->w, e->nw, e->capw);
	if (!s) {
		e->oom = true;
		return;
	}
	w.order = e->nw - 1;
	*s = w;
}

void yedit_fail(struct yedit *e, size_t tag)
{
	for (size_t i = 0; i < e->nfailed; i++)
		if (e->failed[i] == tag)
			return;
	size_t *s = ARR_PUSH(e->a, e->failed, e->nfailed, e->capfailed);
	if (s)
		*s = tag;
	else
		e->oom = true;
}

static bool failed(const struct yedit *e, size_t tag)
{
	for (size_t i = 0; i < e->nfailed; i++)
		if (e->failed[i] == tag)
			return true;
	return false;
}

/* --- reading the source ------------------------------------------------------ */

static const char *D(const struct yedit *e)
{
	return e->src->data;
}

/*
 * Where the line holding `off` starts. A manifest may be one line of JSON
 * megabytes long, so the line starts are indexed once and searched.
 */
static size_t line_start(const struct yedit *e, size_t off)
{
	struct yedit *m = (struct yedit *)e;
	if (!m->lines && !m->oom) {
		size_t n = 1;
		for (const char *p = D(e); (p = memchr(p, '\n', e->src->len - (size_t)(p - D(e))));
		     p++)
			n++;
		m->lines = arena_alloc_raw(m->a, n * sizeof(*m->lines));
		if (!m->lines) {
			m->oom = true;
		} else {
			m->lines[0] = 0;
			m->nlines = 1;
			for (size_t i = 0; i < e->src->len; i++)
				if (D(e)[i] == '\n')
					m->lines[m->nlines++] = i + 1;
		}
	}
	if (!m->lines)
		return 0;
	size_t lo = 0, hi = m->nlines; /* the last line start <= off */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return m->lines[lo];
}

static size_t col(const struct yedit *e, size_t off)
{
	return off - line_start(e, off);
}

/* Only blanks between the line start and off. */
static bool first_on_line(const struct yedit *e, size_t off)
{
	for (size_t i = line_start(e, off); i < off; i++)
		if (D(e)[i] != ' ')
			return false;
	return true;
}

/* Only blanks and a comment from off to the line end; *next is where the next line starts. */
static bool rest_is_blank(const struct yedit *e, size_t off, size_t *next)
{
	const char *s = D(e);
	size_t len = e->src->len, i = off;
	bool blank = true;
	while (i < len && s[i] != '\n') {
		if (s[i] == '#' && (i == off || s[i - 1] == ' '))
			break;
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			blank = false;
		i++;
	}
	while (i < len && s[i] != '\n')
		i++;
	*next = i < len ? i + 1 : len;
	return blank;
}

static bool is_flow(const struct yedit *e, const struct ynode *n)
{
	return n->start < e->src->len && (D(e)[n->start] == '{' || D(e)[n->start] == '[');
}

/* The map's keys are double-quoted (JSON): new keys and strings are too. */
static bool quotes(const struct ynode *m)
{
	return m && m->kind == Y_MAP && m->nitems >= 2 && m->items[0]->style == Y_DOUBLE_QUOTED;
}

/* The index of the entry `key` written in map m itself, or -1. */
static long entry(const struct ynode *m, const char *key)
{
	if (!m || m->kind != Y_MAP)
		return -1;
	for (size_t i = m->nitems / 2; i-- > 0;)
		if (yscalar_is(m->items[2 * i], key))
			return (long)i;
	return -1;
}

/* A node written here, not an alias to one written before `after`. */
static bool own(const struct ynode *n, size_t after)
{
	return n->start >= after && !n->is_alias_target;
}

/* A single-line scalar that is not a block scalar. */
static bool simple_scalar(const struct yedit *e, const struct ynode *n)
{
	if (n->kind != Y_SCALAR || n->style == Y_LITERAL || n->style == Y_FOLDED)
		return false;
	return !memchr(D(e) + n->start, '\n', n->end - n->start);
}

/*
 * The end of what a block node writes last (its last scalar or flow
 * collection), for adding a line after it; *block when that is a block
 * scalar. False for an alias whose text cannot be placed.
 */
static bool last_end(const struct yedit *e, const struct ynode *n, size_t *out, bool *block)
{
	*block = false;
	for (int depth = 0; depth < 64; depth++) {
		if (n->kind == Y_SCALAR) {
			*out = n->end;
			*block = n->style == Y_LITERAL || n->style == Y_FOLDED;
			return true;
		}
		if (is_flow(e, n) || n->nitems == 0) {
			*out = n->end;
			return true;
		}
		if (n->kind == Y_MAP) {
			const struct ynode *k = n->items[n->nitems - 2],
					   *v = n->items[n->nitems - 1];
			if (v->start < k->end || (v->kind == Y_SCALAR && v->len == 0 &&
						  v->style == Y_PLAIN && !v->tag)) {
				*out = k->end; /* `key: *alias` or `key:` on its line */
				return true;
			}
			n = v;
		} else {
			const struct ynode *it = n->items[n->nitems - 1];
			if (it->start < n->start)
				return false;
			n = it;
		}
	}
	return false;
}

/* Where a line after the last one of block node n goes; false when unknown. */
static bool after_last_line(const struct yedit *e, const struct ynode *n, size_t *at)
{
	size_t end;
	bool block;
	if (!last_end(e, n, &end, &block))
		return false;
	if (block) {
		/* a block scalar ends where the line after its text starts */
		*at = end;
		return end == e->src->len || end == line_start(e, end);
	}
	rest_is_blank(e, end, at);
	return true;
}

/* --- the file's style ---------------------------------------------------------- */

static void find_style(struct yedit *e, const struct ynode *n, int depth, bool *step_seen,
		       bool *seq_seen)
{
	if (!n || depth > 64 || (*step_seen && *seq_seen) || n->kind == Y_SCALAR)
		return;
	if (n->kind == Y_SEQ) {
		for (size_t i = 0; i < n->nitems; i++)
			find_style(e, n->items[i], depth + 1, step_seen, seq_seen);
		return;
	}
	for (size_t i = 0; i + 1 < n->nitems; i += 2) {
		const struct ynode *k = n->items[i], *v = n->items[i + 1];
		if (v->start < k->end || v->kind == Y_SCALAR || v->nitems == 0)
			continue;
		size_t kc = col(e, k->start);
		/* the value's first key or item on a line of its own, as block style and JSON write
		 * it */
		const struct ynode *first = v->items[0];
		bool own_line = line_start(e, is_flow(e, v) ? first->start : v->start) > k->start;
		if (v->kind == Y_MAP && !*step_seen && own_line && col(e, first->start) > kc) {
			e->step = col(e, first->start) - kc;
			*step_seen = true;
		}
		if (v->kind == Y_SEQ && !*seq_seen && !is_flow(e, v) && own_line) {
			size_t dc = col(e, v->start);
			e->seq_indent = dc > kc ? dc - kc : 0;
			*seq_seen = true;
		}
		find_style(e, v, depth + 1, step_seen, seq_seen);
	}
}

static void style_for(struct yedit *e)
{
	/* The first line end says CRLF or LF. */
	const char *nl = memchr(D(e), '\n', e->src->len);
	e->eol = nl && nl > D(e) && nl[-1] == '\r' ? "\r\n" : "\n";
	e->step = 2;
	e->seq_indent = 0;
	bool step_seen = false, seq_seen = false;
	for (size_t i = 0; i < e->ndocs; i++)
		find_style(e, e->docs[i].root, 0, &step_seen, &seq_seen);
	if (e->step == 0 || e->step > 8)
		e->step = 2;
}

/* --- rendering new text -------------------------------------------------------- */

static void spaces(struct buf *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_putc(b, ' ');
}

static void put_key(struct buf *b, const char *key, bool q)
{
	if (q)
		buf_printf(b, "\"%s\"", key);
	else
		buf_puts(b, key);
}

static void put_scalar(struct buf *b, const struct yval *v, bool q)
{
	if (q && v->str)
		buf_printf(b, "\"%s\"", v->s);
	else
		buf_puts(b, v->s);
}

/* `key: value` and its lines in block style, the key at column c. */
static void block_entry(const struct yedit *e, struct buf *b, const char *key, const struct yval *v,
			size_t c, bool q)
{
	spaces(b, c);
	put_key(b, key, q);
	buf_putc(b, ':');
	if (v->kind == YV_SCALAR) {
		buf_putc(b, ' ');
		put_scalar(b, v, q);
		buf_puts(b, e->eol);
		return;
	}
	if (v->n == 0) {
		buf_printf(b, " %s%s", v->kind == YV_MAP ? "{}" : "[]", e->eol);
		return;
	}
	buf_puts(b, e->eol);
	for (size_t i = 0; i < v->n; i++) {
		if (v->kind == YV_MAP) {
			block_entry(e, b, v->keys[i], v->v[i], c + e->step, q);
			continue;
		}
		spaces(b, c + e->seq_indent);
		buf_puts(b, "- ");
		put_scalar(b, v->v[i], q);
		buf_puts(b, e->eol);
	}
}

/* A value in flow style; on several lines (JSON as written by tools) with ml, key at column c. */
static void flow_value(const struct yedit *e, struct buf *b, const struct yval *v, bool q, bool ml,
		       size_t c)
{
	if (v->kind == YV_SCALAR) {
		put_scalar(b, v, q);
		return;
	}
	bool map = v->kind == YV_MAP;
	buf_putc(b, map ? '{' : '[');
	for (size_t i = 0; i < v->n; i++) {
		if (ml) {
			buf_puts(b, i ? "," : "");
			buf_puts(b, e->eol);
			spaces(b, c + e->step);
		} else if (i) {
			buf_puts(b, ", ");
		}
		if (map) {
			put_key(b, v->keys[i], q);
			buf_puts(b, ": ");
		}
		flow_value(e, b, v->v[i], q, ml, c + e->step);
	}
	if (ml && v->n) {
		buf_puts(b, e->eol);
		spaces(b, c);
	}
	buf_putc(b, map ? '}' : ']');
}

static const char *done(struct yedit *e, struct buf *b)
{
	const char *s = b->failed ? NULL : arena_strndup(e->a, b->data ? b->data : "", b->len);
	buf_release(b);
	if (!s)
		e->oom = true;
	return s;
}

/* --- edits --------------------------------------------------------------------- */

static bool tags_add(struct yedit *e, struct tags *t, size_t tag)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->t[i] == tag)
			return true;
	size_t *s = ARR_PUSH(e->a, t->t, t->n, t->cap);
	if (!s)
		return e->oom = true, false;
	*s = tag;
	return true;
}

static struct prim *prim(struct yedit *e, size_t start, size_t end, const char *text, size_t depth)
{
	if (!text)
		return NULL;
	struct prim *p = ARR_PUSH(e->a, e->p, e->np, e->capp);
	if (!p) {
		e->oom = true;
		return NULL;
	}
	p->start = start;
	p->end = end;
	p->text = text;
	p->depth = depth;
	return p;
}

static void prim_tags(struct yedit *e, struct prim *p, struct wish *const *ws, size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		tags_add(e, &p->tags, ws[i]->tag);
}

/* --- checks: can a wish be done exactly ---------------------------------------- */

static bool can_insert_into(const struct yedit *e, const struct ynode *m)
{
	size_t at;
	if (m->is_alias_target)
		return false;
	if (is_flow(e, m))
		return true;
	return m->nitems > 0 && after_last_line(e, m, &at);
}

static bool can_del_line(const struct yedit *e, size_t first, size_t last_end)
{
	size_t next;
	return first_on_line(e, first) && rest_is_blank(e, last_end, &next);
}

static bool check(const struct yedit *e, const struct wish *w)
{
	const struct ynode *n = w->node;
	switch (w->op) {
	case W_REPLACE:
		return simple_scalar(e, n) && !n->is_alias_target && w->v->kind == YV_SCALAR;
	case W_ADD:
		return n->kind == Y_MAP && can_insert_into(e, n) &&
		       (!w->name || entry(n, w->name) < 0);
	case W_DEL: {
		long i = entry(n, w->key);
		if (i < 0 || n->is_alias_target)
			return false;
		const struct ynode *k = n->items[2 * i], *v = n->items[2 * i + 1];
		if (!own(v, k->end) || !simple_scalar(e, v))
			return false;
		return is_flow(e, n) || can_del_line(e, k->start, v->end);
	}
	case W_SEQ_ADD:
		return n->kind == Y_SEQ && !n->is_alias_target &&
		       (is_flow(e, n) || (n->nitems > 0 && can_insert_into(e, n)));
	case W_SEQ_DEL: {
		if (n->kind != Y_SEQ || n->is_alias_target || !simple_scalar(e, w->item) ||
		    !own(w->item, n->start))
			return false;
		if (is_flow(e, n))
			return true;
		size_t ls = line_start(e, w->item->start), i = ls;
		while (i < w->item->start && (D(e)[i] == ' ' || D(e)[i] == '-'))
			i++;
		size_t next;
		return i == w->item->start && rest_is_blank(e, w->item->end, &next);
	}
	}
	return false;
}

/* --- groups ---------------------------------------------------------------------- */

static int cmp_wish(const void *x, const void *y)
{
	const struct wish *a = *(const struct wish *const *)x, *b = *(const struct wish *const *)y;
	if (a->node != b->node) {
		if (a->node->start != b->node->start)
			return a->node->start < b->node->start ? -1 : 1;
		if (a->node->end != b->node->end)
			return a->node->end > b->node->end ? -1 : 1;
		return a->node->kind < b->node->kind ? -1 : 1;
	}
	/* replacements, then the map's or sequence's own wishes, in the order made */
	bool ra = a->op == W_REPLACE, rb = b->op == W_REPLACE;
	if (ra != rb)
		return ra ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* A key to add and the tags behind it; a new map's keys under `name`. */
struct add {
	const char *key;
	const struct yval *v;
	struct tags tags;
	const char *keys[16];
	const struct yval *vals[16];
	size_t nkeys;
	struct yval merged;
};

#define MAX_ADDS 8

/* Span [ks, ve) of entry i of a collection: its key (or item) to the end of its value. */
static void span_of(const struct ynode *n, size_t i, size_t *ks, size_t *ve)
{
	if (n->kind == Y_MAP) {
		*ks = n->items[2 * i]->start;
		const struct ynode *v = n->items[2 * i + 1];
		*ve = v->end > n->items[2 * i]->end ? v->end : n->items[2 * i]->end;
	} else {
		*ks = n->items[i]->start;
		*ve = n->items[i]->end;
	}
}

static void prim_with(struct yedit *e, struct prim *p, const struct tags *t)
{
	for (size_t i = 0; p && i < t->n; i++)
		tags_add(e, &p->tags, t->t[i]);
}

/*
 * A flow collection: the entries marked in `del` go with their commas, and
 * `add` (entries written with their separators; `add_first` without the
 * first one's) comes after the last one that stays.
 */
static void flow_group(struct yedit *e, const struct ynode *n, const struct tags *del,
		       const char *add, const char *add_first, const struct tags *adders)
{
	size_t count = n->kind == Y_MAP ? n->nitems / 2 : n->nitems;
	long last_kept = -1;
	for (size_t i = 0; i < count; i++)
		if (!del[i].n)
			last_kept = (long)i;
	for (size_t a = 0; a < count;) {
		if (!del[a].n) {
			a++;
			continue;
		}
		size_t b = a;
		while (b + 1 < count && del[b + 1].n)
			b++;
		size_t s, en, x;
		if (b + 1 < count) {
			span_of(n, a, &s, &x);
			span_of(n, b + 1, &en, &x);
		} else if (a > 0) {
			span_of(n, a - 1, &x, &s);
			span_of(n, b, &x, &en);
		} else {
			span_of(n, a, &s, &x);
			span_of(n, b, &x, &en);
		}
		struct prim *p = prim(e, s, en, "", 0);
		for (size_t i = a; i <= b; i++)
			prim_with(e, p, &del[i]);
		a = b + 1;
	}
	if (!add)
		return;
	size_t at, x;
	const char *text = add;
	if (last_kept >= 0) {
		span_of(n, (size_t)last_kept, &x, &at);
	} else if (count > 0) {
		span_of(n, 0, &at, &x);
		text = add_first;
	} else {
		at = n->start + 1;
		text = add_first;
	}
	struct prim *p = prim(e, at, at, text, col(e, n->start) + 1);
	prim_with(e, p, adders);
}

/* Where the line of a deleted block entry starts and the next begins. */
static void del_line(const struct yedit *e, size_t ks, size_t ve, size_t *s, size_t *next)
{
	rest_is_blank(e, ve, next);
	*s = line_start(e, ks);
	/* the last line of a file without a final newline takes the line end before it */
	if (*next == e->src->len && (*next == 0 || D(e)[*next - 1] != '\n') && *s > 0) {
		(*s)--;
		if (*s > 0 && D(e)[*s - 1] == '\r')
			(*s)--;
	}
}

/* Everything wished of one map or one sequence. */
static void collection_group(struct yedit *e, const struct ynode *n, struct wish **ws, size_t nws)
{
	bool map = n->kind == Y_MAP;
	size_t count = map ? n->nitems / 2 : n->nitems;
	struct tags *del = arena_alloc(e->a, (count + 1) * sizeof(*del));
	struct add *adds = arena_alloc(e->a, MAX_ADDS * sizeof(*adds));
	struct tags adders = {0};
	if (!del || !adds) {
		e->oom = true;
		return;
	}
	size_t nadds = 0;
	for (size_t i = 0; i < nws; i++) {
		struct wish *w = ws[i];
		if (w->op == W_DEL || w->op == W_SEQ_DEL) {
			size_t k = 0;
			if (w->op == W_DEL)
				k = (size_t)entry(n, w->key);
			else
				while (k < count && n->items[k] != w->item)
					k++;
			if (k < count)
				tags_add(e, &del[k], w->tag);
			continue;
		}
		/* an addition: a key of its own, or into a new map under w->name */
		const char *key = w->name ? w->name : w->key;
		struct add *ad = NULL;
		for (size_t j = 0; j < nadds && !ad; j++)
			if ((map && strcmp(adds[j].key, key) == 0) ||
			    (!map && adds[j].v->kind == YV_SCALAR && w->v->kind == YV_SCALAR &&
			     strcmp(adds[j].v->s, w->v->s) == 0))
				ad = &adds[j];
		if (!ad) {
			if (nadds == MAX_ADDS) {
				yedit_fail(e, w->tag);
				continue;
			}
			ad = &adds[nadds++];
			ad->key = key;
			ad->v = w->v;
		}
		if (w->name) {
			size_t j = 0;
			while (j < ad->nkeys && strcmp(ad->keys[j], w->key) != 0)
				j++;
			if (j == ad->nkeys && j < 16) {
				ad->keys[j] = w->key;
				ad->vals[j] = w->v;
				ad->nkeys++;
			}
			ad->merged = (struct yval){
			    .kind = YV_MAP, .keys = ad->keys, .v = ad->vals, .n = ad->nkeys};
			ad->v = &ad->merged;
		}
		tags_add(e, &ad->tags, w->tag);
		tags_add(e, &adders, w->tag);
	}

	bool flow = is_flow(e, n);
	bool q = map ? quotes(n) : n->nitems > 0 && n->items[0]->style == Y_DOUBLE_QUOTED;
	/* A map's keys are at the column of its first; a sequence's dashes at the first's. */
	size_t c = 0;
	if (count > 0) {
		c = col(e, n->items[0]->start);
		if (!map && !flow) {
			size_t d = n->items[0]->start;
			while (d > 0 && D(e)[d - 1] == ' ')
				d--;
			c = d > 0 && D(e)[d - 1] == '-' ? col(e, d - 1) : c;
		}
	}
	if (flow) {
		const char *add = NULL, *add_first = NULL;
		if (nadds) {
			bool ml = count > 0 && line_start(e, n->items[0]->start) > n->start;
			struct buf b, bf;
			buf_init(&b);
			buf_init(&bf);
			for (size_t j = 0; j < nadds; j++) {
				struct buf *t[2] = {&b, &bf};
				for (int k = 0; k < 2; k++) {
					if (k == 0 || j > 0) {
						buf_putc(t[k], ',');
						if (ml) {
							buf_puts(t[k], e->eol);
							spaces(t[k], c);
						} else {
							buf_putc(t[k], ' ');
						}
					}
					if (map) {
						put_key(t[k], adds[j].key, q);
						buf_puts(t[k], ": ");
					}
					flow_value(e, t[k], adds[j].v, q, ml, c);
				}
			}
			add = done(e, &b);
			add_first = done(e, &bf);
		}
		flow_group(e, n, del, add, add_first, &adders);
		return;
	}
	for (size_t k = 0; k < count; k++) {
		if (!del[k].n)
			continue;
		size_t ks, ve, s, next;
		span_of(n, k, &ks, &ve);
		del_line(e, ks, ve, &s, &next);
		prim_with(e, prim(e, s, next, "", 0), &del[k]);
	}
	if (!nadds)
		return;
	size_t at;
	if (!after_last_line(e, n, &at))
		return;
	struct buf b;
	buf_init(&b);
	bool no_final_eol = at == e->src->len && (at == 0 || D(e)[at - 1] != '\n');
	if (no_final_eol)
		buf_puts(&b, e->eol);
	for (size_t j = 0; j < nadds; j++) {
		if (map) {
			block_entry(e, &b, adds[j].key, adds[j].v, c, q);
			continue;
		}
		spaces(&b, c);
		buf_puts(&b, "- ");
		put_scalar(&b, adds[j].v, q);
		buf_puts(&b, e->eol);
	}
	const char *text = done(e, &b);
	if (text && no_final_eol) /* the file keeps ending without a newline */
		text = arena_strndup(e->a, text, strlen(text) - strlen(e->eol));
	prim_with(e, prim(e, at, at, text, c + 1), &adders);
}

static void replace_group(struct yedit *e, struct wish **ws, size_t n)
{
	const struct ynode *v = ws[0]->node;
	struct buf b;
	buf_init(&b);
	put_scalar(&b, ws[0]->v, v->style == Y_DOUBLE_QUOTED);
	struct prim *p = prim(e, v->start, v->end, done(e, &b), 0);
	prim_tags(e, p, ws, n);
}

/* --- joining ----------------------------------------------------------------- */

static int cmp_prim(const void *x, const void *y)
{
	const struct prim *a = x, *b = y;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->end != b->end)
		return a->end < b->end ? -1 : 1;
	return a->depth > b->depth ? -1 : a->depth < b->depth;
}

/* Joins edits that meet; false when two overlap (then their tags fail). */
static bool join(struct yedit *e)
{
	if (e->np == 0)
		return true;
	qsort(e->p, e->np, sizeof(*e->p), cmp_prim);
	size_t w = 0;
	bool ok = true;
	for (size_t i = 1; i < e->np; i++) {
		struct prim *cur = &e->p[w], *q = &e->p[i];
		bool same = q->start == cur->start && q->end == cur->end &&
			    strcmp(q->text, cur->text) == 0 && q->start != q->end;
		if (!same && q->start < cur->end) {
			for (size_t k = 0; k < q->tags.n; k++)
				yedit_fail(e, q->tags.t[k]);
			for (size_t k = 0; k < cur->tags.n; k++)
				yedit_fail(e, cur->tags.t[k]);
			ok = false;
			continue;
		}
		if (same || q->start == cur->end) {
			if (!same) {
				cur->text = arena_printf(e->a, "%s%s", cur->text, q->text);
				if (!cur->text)
					e->oom = true;
				cur->end = q->end;
			}
			for (size_t k = 0; k < q->tags.n; k++)
				tags_add(e, &cur->tags, q->tags.t[k]);
			continue;
		}
		e->p[++w] = *q;
	}
	e->np = w + 1;
	return ok;
}

static void generate(struct yedit *e)
{
	e->np = 0;
	struct wish **ws = arena_alloc(e->a, (e->nw + 1) * sizeof(*ws));
	if (!ws) {
		e->oom = true;
		return;
	}
	size_t n = 0;
	for (size_t i = 0; i < e->nw; i++)
		if (!failed(e, e->w[i].tag))
			ws[n++] = &e->w[i];
	qsort(ws, n, sizeof(*ws), cmp_wish);
	for (size_t i = 0; i < n && !e->oom;) {
		size_t j = i;
		while (j < n && ws[j]->node == ws[i]->node &&
		       (ws[j]->op == W_REPLACE) == (ws[i]->op == W_REPLACE))
			j++;
		if (ws[i]->op == W_REPLACE)
			replace_group(e, ws + i, j - i);
		else
			collection_group(e, ws[i]->node, ws + i, j - i);
		i = j;
	}
}

int yedit_finish(struct yedit *e,
		 void (*emit)(void *arg, size_t tag, size_t start, size_t end, const char *text),
		 void *arg)
{
	if (!e || e->oom)
		return -1;
	if (e->nw == 0)
		return 0;
	style_for(e);
	for (size_t i = 0; i < e->nw; i++)
		if (!check(e, &e->w[i]))
			yedit_fail(e, e->w[i].tag);
	/* A join that finds an overlap fails its tags; the rest is made again without them. */
	for (int round = 0; round < 8; round++) {
		generate(e);
		if (e->oom)
			return -1;
		if (join(e))
			break;
		if (round == 7)
			e->np = 0;
	}
	if (e->oom)
		return -1;
	for (size_t i = 0; i < e->np; i++)
		for (size_t k = 0; k < e->p[i].tags.n; k++)
			if (!failed(e, e->p[i].tags.t[k]))
				emit(arg, e->p[i].tags.t[k], e->p[i].start, e->p[i].end,
				     e->p[i].text);
	return 0;
}

/* --- wishes -------------------------------------------------------------------- */

void yedit_set(struct yedit *e, size_t tag, const struct ynode *map, const char *key,
	       const struct yval *v)
{
	if (!e)
		return;
	long i = entry(map, key);
	if (i >= 0) {
		const struct ynode *k = map->items[2 * i], *val = map->items[2 * i + 1];
		if (!own(val, k->end) || map->is_alias_target) {
			yedit_fail(e, tag);
			return;
		}
		push(e,
		     (struct wish){.op = W_REPLACE, .tag = tag, .node = val, .key = key, .v = v});
		return;
	}
	if (!map || map->kind != Y_MAP) {
		yedit_fail(e, tag);
		return;
	}
	push(e, (struct wish){.op = W_ADD, .tag = tag, .node = map, .key = key, .v = v});
}

void yedit_set_in(struct yedit *e, size_t tag, const struct ynode *parent, const char *name,
		  const struct ynode *cur, const char *key, const struct yval *v)
{
	if (!e)
		return;
	if (cur) {
		yedit_set(e, tag, cur, key, v);
		return;
	}
	if (!parent || parent->kind != Y_MAP) {
		yedit_fail(e, tag);
		return;
	}
	push(e, (struct wish){
		    .op = W_ADD, .tag = tag, .node = parent, .name = name, .key = key, .v = v});
}

void yedit_del(struct yedit *e, size_t tag, const struct ynode *map, const char *key)
{
	if (!e)
		return;
	if (entry(map, key) < 0) {
		yedit_fail(e, tag);
		return;
	}
	push(e, (struct wish){.op = W_DEL, .tag = tag, .node = map, .key = key});
}

void yedit_seq_add(struct yedit *e, size_t tag, const struct ynode *seq, const struct yval *item)
{
	if (!e)
		return;
	if (!seq || seq->kind != Y_SEQ) {
		yedit_fail(e, tag);
		return;
	}
	push(e, (struct wish){.op = W_SEQ_ADD, .tag = tag, .node = seq, .v = item});
}

void yedit_seq_del(struct yedit *e, size_t tag, const struct ynode *seq, const struct ynode *item)
{
	if (!e)
		return;
	if (!seq || seq->kind != Y_SEQ) {
		yedit_fail(e, tag);
		return;
	}
	push(e, (struct wish){.op = W_SEQ_DEL, .tag = tag, .node = seq, .item = item});
}
