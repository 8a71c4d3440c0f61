/*
 * suppress.c - matching findings with suppressions, and NR001 for those
 * that matched nothing.
 *
 * Each finding once compared with every suppression of the run: a file of
 * 100,000 `# unroot ignore=` lines and as many findings took minutes. Now
 * the suppressions are sorted by input and start, those with the same span
 * form a group with the set of rules they name, and a finding looks only at
 * the groups of its input whose span holds it: its input's global group,
 * and the ranged groups found by a binary search on their starts (a prefix
 * maximum of their ends says when no earlier one can reach it).
 */
#include "unroot/arena.h"
#include "run.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RULE_WORDS 2 /* bits for up to 128 rules */

struct entry {
	struct suppression *s;
	const struct rule **rules; /* its codes, looked up once; NULL for `all` */
};

static bool names_all(const struct suppression *s, size_t k)
{
	return strcmp(s->codes[k], "all") == 0;
}

struct group {
	const char *path;
	size_t from, to;    /* global: 0, SIZE_MAX */
	size_t first, last; /* its entries */
	uint64_t named[RULE_WORDS], marked[RULE_WORDS];
	size_t reach; /* the largest `to` of the ranged groups of its input up to it */
};

static int rule_bit(const struct rule *r)
{
	for (size_t i = 0; i < rule_count && i < 64 * RULE_WORDS; i++)
		if (rule_table[i] == r)
			return (int)i;
	return -1;
}

static size_t span_from(const struct suppression *s)
{
	return s->global ? 0 : s->from;
}

static size_t span_to(const struct suppression *s)
{
	return s->global ? SIZE_MAX : s->to;
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct suppression *a = ((const struct entry *)pa)->s,
				 *b = ((const struct entry *)pb)->s;
	int c = a->path == b->path ? 0 : strcmp(a->path, b->path);
	if (c)
		return c;
	/* the global group of an input first, then the ranged ones by start */
	if (a->global != b->global)
		return a->global ? -1 : 1;
	if (span_from(a) != span_from(b))
		return span_from(a) < span_from(b) ? -1 : 1;
	if (span_to(a) != span_to(b))
		return span_to(a) < span_to(b) ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Marks every suppression of g that names rule bit `bit` as used, once. */
static void mark(struct group *g, struct entry *e, int bit, const struct rule *r)
{
	uint64_t m = 1ull << (bit % 64);
	if (g->marked[bit / 64] & m)
		return;
	g->marked[bit / 64] |= m;
	for (size_t i = g->first; i < g->last; i++)
		for (size_t k = 0; k < e[i].s->ncodes; k++)
			if (e[i].rules[k] == r || names_all(e[i].s, k))
				e[i].s->used = true;
}

/* True when g names d's rule (bit) and holds d; marks its suppressions used. */
static bool try_group(struct group *g, struct entry *e, const struct diag *d, int bit)
{
	if (!(g->named[bit / 64] & (1ull << (bit % 64))))
		return false;
	if (d->start < g->from || d->start >= g->to)
		return false;
	mark(g, e, bit, d->rule);
	return true;
}

/* The first group of `path` in g[0..n) (sorted by path), or n. */
static size_t first_of(const struct group *g, size_t n, const char *path)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(g[mid].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void suppress(struct group *g, size_t ng, struct entry *e, struct diag *d)
{
	int bit = rule_bit(d->rule);
	if (bit < 0)
		return;
	size_t k = first_of(g, ng, d->path);
	if (k == ng || strcmp(g[k].path, d->path) != 0)
		return;
	size_t end = k;
	while (end < ng && (g[end].path == g[k].path || strcmp(g[end].path, d->path) == 0))
		end++;
	if (g[k].to == SIZE_MAX && g[k].from == 0 && g[k].first < g[k].last &&
	    e[g[k].first].s->global) {
		if (try_group(&g[k], e, d, bit))
			d->suppressed = true;
		k++;
	}
	/* the ranged groups starting at or before d: the last such, then back while one may reach
	 */
	size_t lo = k, hi = end;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g[mid].from <= d->start)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i-- > k && g[i].reach > d->start;)
		if (try_group(&g[i], e, d, bit))
			d->suppressed = true;
}

/* The codes of a suppression as written, comma-separated. */
static const char *codes_text(struct arena *a, const struct suppression *s)
{
	size_t len = 1;
	for (size_t i = 0; i < s->ncodes; i++)
		len += strlen(s->codes[i]) + 1;
	char *out = arena_alloc_raw(a, len), *p = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < s->ncodes; i++) {
		size_t n = strlen(s->codes[i]);
		if (i)
			*p++ = ',';
		memcpy(p, s->codes[i], n);
		p += n;
	}
	*p = '\0';
	return out;
}

void run_apply_suppressions(struct lint_run *run)
{
	struct diag_list *l = &run->diags;
	size_t ns = run->nsupp;
	struct arena *a = run_scratch(run);
	if (!a)
		a = run->arena;
	struct entry *e = ns ? arena_alloc(a, ns * sizeof(*e)) : NULL;
	struct group *g = ns ? arena_alloc(a, ns * sizeof(*g)) : NULL;
	if (ns && (!e || !g))
		goto out_of_memory;
	for (size_t i = 0; i < ns; i++) {
		struct suppression *s = &run->supp[i];
		e[i].s = s;
		e[i].rules = s->ncodes ? arena_alloc(a, s->ncodes * sizeof(*e[i].rules)) : NULL;
		if (s->ncodes && !e[i].rules)
			goto out_of_memory;
		for (size_t k = 0; k < s->ncodes; k++)
			e[i].rules[k] = rule_find(s->codes[k]);
	}
	if (ns > 1)
		qsort(e, ns, sizeof(*e), cmp_entry);
	size_t ng = 0;
	for (size_t i = 0; i < ns; i++) {
		const struct suppression *s = e[i].s;
		struct group *last = ng ? &g[ng - 1] : NULL;
		if (!last || strcmp(last->path, s->path) != 0 || last->from != span_from(s) ||
		    last->to != span_to(s) || (ng && e[last->first].s->global != s->global)) {
			bool same_input = last && strcmp(last->path, s->path) == 0;
			last = &g[ng++];
			memset(last, 0, sizeof(*last));
			last->path = s->path;
			last->from = span_from(s);
			last->to = span_to(s);
			last->first = i;
			size_t before =
			    same_input && !e[g[ng - 2].first].s->global ? g[ng - 2].reach : 0;
			last->reach = s->global ? 0 : (before > last->to ? before : last->to);
		}
		last->last = i + 1;
		for (size_t k = 0; k < s->ncodes; k++) {
			if (names_all(s, k)) {
				/* every rule; NR000 is never suppressed (the caller leaves it out)
				 */
				for (size_t b = 0; b < rule_count && b < 64 * RULE_WORDS; b++)
					last->named[b / 64] |= 1ull << (b % 64);
				continue;
			}
			int bit = e[i].rules[k] ? rule_bit(e[i].rules[k]) : -1;
			if (bit >= 0)
				last->named[bit / 64] |= 1ull << (bit % 64);
		}
	}
	size_t n = l->n;
	for (size_t i = 0; i < n && ng; i++) {
		struct diag *d = &l->items[i];
		if (d->rule != &NR000_parse_error)
			suppress(g, ng, e, d);
	}
	if (run_rule_disabled(run, &NR001_unused_suppression))
		return;
	for (size_t k = 0; k < run->nsupp; k++) {
		struct suppression *s = &run->supp[k];
		if (s->used || s->capped)
			continue;
		const char *codes = codes_text(run->arena, s);
		diag_add(l, &NR001_unused_suppression, s->path, s->src, s->start, s->end,
			 "suppression of %s matched no finding here; remove it",
			 codes ? codes : "rules");
	}
	return;
out_of_memory:
	run_memory_error(run, run->nsupp ? run->supp[0].path : "-");
}
