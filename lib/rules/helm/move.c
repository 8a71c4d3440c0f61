/* move.c - a literal securityContext block of a template into values.yaml (move.h). */
#include "move.h"
#include "helm/helm.h"
#include "rules/check.h"
#include "unroot/arena.h"
#include "unroot/buf.h"
#include "unroot/diag.h"
#include "unroot/lint.h"
#include "unroot/source.h"
#include "yaml/ytree.h"

#include <stdlib.h>
#include <string.h>

/*
 * The lines of a literal securityContext block: `securityContext:` alone on
 * its line, then lines indented deeper that hold no action. False when it
 * is another shape (flow style, an action among its lines, CRLF), which
 * stays manual.
 */
static bool literal_block(struct check_ctx *ctx, const struct helm_sc *sc, struct helm_move *m)
{
	const struct source *src = sc->file->src;
	const char *d = src->data;
	size_t ls = sc->start;
	while (ls > 0 && d[ls - 1] != '\n')
		ls--;
	if (sc->start - ls != sc->indent)
		return false;
	size_t p = sc->end;
	while (p < src->len && d[p] == ' ')
		p++;
	if (p >= src->len || d[p] != '\n' || memchr(d, '\r', src->len))
		return false;
	size_t at = p + 1, end = at, step = 0;
	struct buf content;
	buf_init(&content);
	while (at < src->len) {
		size_t le = at;
		while (le < src->len && d[le] != '\n')
			le++;
		size_t ind = 0;
		while (at + ind < le && d[at + ind] == ' ')
			ind++;
		if (at + ind == le) { /* a blank line: part of the block only if more follows */
			at = le + 1;
			continue;
		}
		if (ind <= sc->indent)
			break;
		/* an action or a line out of step inside the block: not plain lines */
		if (memmem(d + at, le - at, "{{", 2) || (step && ind < sc->indent + step)) {
			buf_release(&content);
			return false;
		}
		if (!step)
			step = ind - sc->indent;
		buf_add(&content, d + at + sc->indent, le - at - sc->indent);
		buf_putc(&content, '\n');
		end = le < src->len ? le + 1 : le;
		at = end;
	}
	if (!step || content.failed || (end < src->len && d[end - 1] != '\n')) {
		buf_release(&content);
		return false;
	}
	m->start = ls;
	m->step = step;
	m->end = end;
	m->content = arena_strndup(ctx->arena, content.data, content.len);
	buf_release(&content);
	return m->content;
}

/* What the block's lines become, once its key is known. */
static const char *template_of(struct check_ctx *ctx, const struct helm_move *m)
{
	size_t ind = m->indent;
	return arena_printf(ctx->arena,
			    "%*s{{- with %s.Values.%s }}\n%*ssecurityContext:\n%*s{{- toYaml . | "
			    "nindent %zu }}\n%*s{{- end }}\n",
			    (int)ind, "", m->root, m->key, (int)ind, "", (int)(ind + m->step), "",
			    ind + m->step, (int)ind, "");
}

/*
 * A values key made of a literal name and a suffix, in the camelCase of
 * values files: "init-sysctl" and "SecurityContext" give
 * "initSysctlSecurityContext". NULL when the name is not a plain word.
 */
static const char *key_of(struct check_ctx *ctx, const char *name, size_t n, const char *suffix)
{
	struct buf b;
	buf_init(&b);
	bool up = false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		if (ch == '-' || ch == '_' || ch == '.') {
			up = b.len > 0;
			continue;
		}
		bool alpha = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
		if (!alpha && !(ch >= '0' && ch <= '9' && b.len)) {
			buf_release(&b);
			return NULL;
		}
		if (up && ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		else if (!b.len && ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		buf_putc(&b, ch);
		up = false;
	}
	const char *key =
	    b.len && !b.failed ? arena_printf(ctx->arena, "%s%s", b.data, suffix) : NULL;
	buf_release(&b);
	return key;
}

/* The value of a `name:` key on the line at `at` (after its indentation and any "- "). */
static bool name_value(const char *d, size_t at, size_t le, const char **v, size_t *n)
{
	if (le - at < 5 || memcmp(d + at, "name:", 5) != 0)
		return false;
	at += 5;
	while (at < le && d[at] == ' ')
		at++;
	while (le > at && (d[le - 1] == ' ' || d[le - 1] == '\r'))
		le--;
	if (le - at >= 2 && (d[at] == '"' || d[at] == '\'') && d[le - 1] == d[at]) {
		at++;
		le--;
	}
	*v = d + at;
	*n = le - at;
	return *n > 0 && !memmem(d + at, le - at, "{{", 2);
}

/*
 * A line of a template as the container search reads it: its bounds, its
 * indentation, and whether it holds a key (not blank, a comment or an
 * action alone).
 */
struct tline {
	size_t ks, ke, ind;
	bool key;
};

static struct tline tline_at(const char *d, size_t at, size_t le)
{
	struct tline t = {.ke = le};
	while (at + t.ind < le && d[at + t.ind] == ' ')
		t.ind++;
	t.ks = at + t.ind;
	t.key = t.ks < le && d[t.ks] != '#' && !(le - t.ks >= 2 && memcmp(d + t.ks, "{{", 2) == 0);
	return t;
}

/*
 * The literal name of the container whose `securityContext:` key starts the
 * line at ls with `indent` spaces, and whose block ends at `end`: the
 * `name:` of the same sequence item, before the key or after the block.
 * False when the item has none, or a templated one.
 */
static bool container_name(const struct source *src, size_t ls, size_t end, size_t indent,
			   const char **v, size_t *n)
{
	const char *d = src->data;
	for (size_t le = ls; le > 0;) { /* back to the item's "- " */
		size_t at = le - 1;
		while (at > 0 && d[at - 1] != '\n')
			at--;
		struct tline t = tline_at(d, at, le - 1);
		le = at;
		if (!t.key || t.ind > indent)
			continue;
		if (t.ind == indent) {
			if (name_value(d, t.ks, t.ke, v, n))
				return true;
			continue;
		}
		if (t.ind + 2 != indent || d[t.ks] != '-' || t.ks + 1 >= t.ke || d[t.ks + 1] != ' ')
			return false;
		if (name_value(d, t.ks + 2, t.ke, v, n))
			return true;
		break;
	}
	for (size_t at = end; at < src->len;) { /* the item's keys after the block */
		const char *nl = memchr(d + at, '\n', src->len - at);
		size_t le = nl ? (size_t)(nl - d) : src->len;
		struct tline t = tline_at(d, at, le);
		at = le + 1;
		if (!t.key || t.ind > indent)
			continue;
		if (t.ind < indent)
			return false;
		if (name_value(d, t.ks, t.ke, v, n))
			return true;
	}
	return false;
}

/* Two YAML trees hold the same data, scalars as written (quoted or not, and their tags). */
static bool same_node(const struct ynode *a, const struct ynode *b, unsigned depth)
{
	if (!a || !b || depth > 32 || a->kind != b->kind)
		return false;
	if (a->kind == Y_SCALAR)
		return a->len == b->len && memcmp(a->value, b->value, a->len) == 0 &&
		       (a->style == Y_PLAIN) == (b->style == Y_PLAIN) &&
		       (a->tag == NULL) == (b->tag == NULL) && (!a->tag || !strcmp(a->tag, b->tag));
	if (a->nitems != b->nitems)
		return false;
	if (a->kind == Y_SEQ) {
		for (size_t i = 0; i < a->nitems; i++)
			if (!same_node(a->items[i], b->items[i], depth + 1))
				return false;
		return true;
	}
	for (size_t i = 0; i + 1 < a->nitems; i += 2) {
		if (a->items[i]->kind != Y_SCALAR ||
		    !same_node(a->items[i + 1], ymap_get(b, a->items[i]->value), depth + 1))
			return false;
	}
	return true;
}

/* Whether values node v holds what the block's lines say. */
static bool holds(struct check_ctx *ctx, const struct ynode *v, const char *content)
{
	if (!ctx->opts)
		return false;
	struct source *src = source_new(ctx->scratch, "values", content, strlen(content));
	struct ydoc *docs = NULL;
	size_t n = 0;
	struct yerror err;
	if (!src || yaml_load(ctx->scratch, src, &ctx->opts->limits, &docs, &n, &err) != 0 ||
	    n != 1)
		return false;
	return same_node(docs[0].root, v, 0);
}

enum key_state {
	KEY_TAKEN, /* values.yaml or an earlier move gives it other content */
	KEY_NEW,   /* values.yaml gets it */
	KEY_SAME,  /* values.yaml has it with the block's content already: feed from it */
};

/*
 * Whether key can take the block's content: values.yaml does not have it,
 * or has it with the same content; and no block moved before it
 * (m[0..i)) gave it other content.
 */
static enum key_state key_state(struct check_ctx *ctx, const struct helm_chart *c,
				const struct helm_move *m, size_t i, const char *key,
				const char *content)
{
	if (!key)
		return KEY_TAKEN;
	const struct ynode *v = helm_values_get(c, key);
	if (v)
		return holds(ctx, v, content) ? KEY_SAME : KEY_TAKEN;
	for (size_t j = 0; j < i; j++)
		if (m[j].ok && strcmp(m[j].key, key) == 0 && strcmp(m[j].content, content) != 0)
			return KEY_TAKEN;
	return KEY_NEW;
}

/* Keys that hold a workload's own settings: where they sit is the workload's sub-tree. */
static bool setting(const char *s, size_t n)
{
	static const char *const keys[] = {"image",	   "resources",	   "replicas",
					   "replicaCount", "nodeSelector", "tolerations",
					   "affinity"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i]) == n && memcmp(keys[i], s, n) == 0)
			return true;
	return false;
}

static bool ident_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_';
}

/*
 * The values sub-tree that template text d[from..to) reads its workload's
 * settings from, as the chart names them: `.Values.controller.image.tag`
 * and `.Values.controller.resources` give "controller". The one most read
 * wins, the shallower on a tie. NULL when that is the top of values.yaml,
 * `global` or a subchart's values, not a map there, or nothing tells.
 */
static const char *subtree_of(struct check_ctx *ctx, const struct helm_chart *c, const char *d,
			      size_t from, size_t to)
{
	struct cand {
		size_t at, n;
		unsigned count;
	} cand[32];
	size_t nc = 0;
	for (size_t i = from; i + 8 <= to; i++) {
		if (memcmp(d + i, ".Values.", 8) != 0 ||
		    (i > from && (ident_char(d[i - 1]) || d[i - 1] == ')')))
			continue;
		size_t at = i + 8, p = at;
		bool found = false;
		for (;;) {
			size_t e = p;
			while (e < to && ident_char(d[e]))
				e++;
			if (e == p)
				break;
			if (setting(d + p, e - p)) {
				found = true;
				break;
			}
			if (e >= to || d[e] != '.')
				break;
			p = e + 1;
		}
		if (!found)
			continue;
		size_t n = p > at ? p - 1 - at : 0;
		size_t k = 0;
		while (k < nc && !(cand[k].n == n && memcmp(d + cand[k].at, d + at, n) == 0))
			k++;
		if (k == nc) {
			if (nc == sizeof(cand) / sizeof(cand[0]))
				continue;
			cand[nc++] = (struct cand){at, n, 0};
		}
		cand[k].count++;
	}
	const struct cand *best = NULL;
	for (size_t k = 0; k < nc; k++)
		if (!best || cand[k].count > best->count ||
		    (cand[k].count == best->count && cand[k].n < best->n))
			best = &cand[k];
	if (!best || !best->n ||
	    (best->n >= 6 && memcmp(d + best->at, "global", 6) == 0 &&
	     (best->n == 6 || d[best->at + 6] == '.')))
		return NULL;
	/* a subchart's values: a key there would reach that chart too */
	for (size_t i = 0; i < c->nsub; i++) {
		const char *name = c->subcharts[i]->name;
		size_t n = name ? strlen(name) : 0;
		if (n && best->n >= n && memcmp(d + best->at, name, n) == 0 &&
		    (best->n == n || d[best->at + n] == '.'))
			return NULL;
	}
	const char *sub = arena_strndup(ctx->arena, d + best->at, best->n);
	const struct ynode *v = sub ? helm_values_get(c, sub) : NULL;
	return v && v->kind == Y_MAP ? sub : NULL;
}

/*
 * The container item whose `securityContext:` key starts the line at ls
 * with `indent` spaces, and whose block ends at `end`: from its "- " line
 * to the first key left of the item. False when it is not an item.
 */
static bool item_range(const struct source *src, size_t ls, size_t end, size_t indent, size_t *from,
		       size_t *to)
{
	const char *d = src->data;
	bool found = false;
	for (size_t le = ls; le > 0 && !found;) {
		size_t at = le - 1;
		while (at > 0 && d[at - 1] != '\n')
			at--;
		struct tline t = tline_at(d, at, le - 1);
		le = at;
		if (!t.key || t.ind >= indent)
			continue;
		if (t.ind + 2 != indent || d[t.ks] != '-')
			return false;
		*from = at;
		found = true;
	}
	if (!found)
		return false;
	*to = src->len;
	for (size_t at = end; at < src->len;) {
		const char *nl = memchr(d + at, '\n', src->len - at);
		size_t le = nl ? (size_t)(nl - d) : src->len;
		struct tline t = tline_at(d, at, le);
		if (t.key && t.ind < indent) {
			*to = at;
			break;
		}
		at = le + 1;
	}
	return true;
}

/* Where the template text of block m's workload lies: its document, or its named template. */
static bool pod_range(const struct helm_chart *c, const struct helm_move *m, size_t doc,
		      size_t *from, size_t *to)
{
	if (m->sc && m->sc->define >= 0) {
		*from = c->defines[m->sc->define].start;
		*to = c->defines[m->sc->define].end;
	} else if (m->sc && m->sc->doc >= 0) {
		*from = c->docs[m->sc->doc].start;
		*to = c->docs[m->sc->doc].end;
	} else if (!m->sc) {
		*from = c->docs[doc].start;
		*to = c->docs[doc].end;
	} else {
		return false;
	}
	return *to > *from && *to <= m->file->src->len;
}

/* The sub-tree of values that block m's workload (or container) reads its settings from. */
static const char *subtree_for(struct check_ctx *ctx, const struct helm_chart *c,
			       const struct helm_move *m, size_t doc, bool pod)
{
	const struct source *src = m->file->src;
	size_t from, to;
	if (!pod && item_range(src, m->start, m->end, m->indent, &from, &to)) {
		const char *sub = subtree_of(ctx, c, src->data, from, to);
		if (sub)
			return sub;
	}
	return pod_range(c, m, doc, &from, &to) ? subtree_of(ctx, c, src->data, from, to) : NULL;
}

/*
 * The name a container's context has in the chart's sub-trees:
 * containerSecurityContext when the chart's own containers read theirs from
 * such a key, else securityContext as `helm create` writes it.
 */
static const char *container_key(const struct helm_chart *c, const char *sub)
{
	const struct ynode *v = helm_values_get(c, sub);
	if (v && ymap_get(v, "containerSecurityContext"))
		return "containerSecurityContext";
	for (size_t i = 0; i < c->nscs; i++) {
		const char *vp = c->scs[i].values_path;
		const char *last = vp ? strrchr(vp, '.') : NULL;
		if (c->scs[i].level == HELM_LEVEL_CONTAINER && last &&
		    strcmp(last + 1, "containerSecurityContext") == 0)
			return "containerSecurityContext";
	}
	return "securityContext";
}

/*
 * The values key of a block: podSecurityContext or securityContext, as
 * `helm create` names them, when they are free; else one named after the
 * container (`- name: init-sysctl`: initSysctlSecurityContext) or, for a
 * pod, after its named template or its template (preupgrade-job.yaml:
 * preupgradeJobPodSecurityContext). With a sub-tree, the key goes under it
 * (controller.podSecurityContext). *st says whether values.yaml has it.
 */
static const char *key_for(struct check_ctx *ctx, const struct helm_chart *c,
			   const struct helm_move *m, size_t i, bool pod, const char *sub,
			   enum key_state *st)
{
	const char *base = pod	 ? "podSecurityContext"
			   : sub ? container_key(c, sub)
				 : "securityContext";
	const char *key = sub ? arena_printf(ctx->arena, "%s.%s", sub, base) : base;
	if ((*st = key_state(ctx, c, m, i, key, m[i].content)) != KEY_TAKEN)
		return key;
	const char *name = NULL;
	size_t n = 0;
	if (pod && m[i].sc && m[i].sc->define >= 0) {
		name = c->defines[m[i].sc->define].name;
		n = strlen(name);
	} else if (pod) {
		const char *f = m[i].file->name;
		name = strrchr(f, '/') ? strrchr(f, '/') + 1 : f;
		const char *dot = strchr(name, '.');
		n = dot ? (size_t)(dot - name) : strlen(name);
	} else if (!container_name(m[i].file->src, m[i].start, m[i].end, m[i].indent, &name, &n)) {
		return NULL;
	}
	key = key_of(ctx, name, n, pod ? "PodSecurityContext" : "SecurityContext");
	if (key && sub)
		key = arena_printf(ctx->arena, "%s.%s", sub, key);
	*st = key_state(ctx, c, m, i, key, m[i].content);
	return *st != KEY_TAKEN ? key : NULL;
}

/*
 * Where a key goes under values map `sub`: after the line that ends its
 * last value, at the column of its keys. False when the map is not a block
 * map of its own (flow style, an alias's), ends in a block scalar, or the
 * file has CRLF line ends: the key then goes at the top of values.yaml.
 * *step is how far the map's keys sit right of its own key, the step the
 * block's lines are written in there.
 */
static bool nest_point(struct check_ctx *ctx, const struct helm_chart *c, const char *sub,
		       size_t *at, size_t *col, size_t *step)
{
	const struct source *vs = c->values_file->src;
	const char *d = vs->data;
	const struct ynode *v = helm_values_get(c, sub);
	if (!v || v->kind != Y_MAP || v->nitems < 2 || v->is_alias_target ||
	    memchr(d, '\r', vs->len) || v->start >= vs->len || d[v->start] == '{')
		return false;
	size_t ls = v->items[0]->start;
	while (ls > 0 && d[ls - 1] != '\n')
		ls--;
	*col = v->items[0]->start - ls;
	/* the file's step: how far the map's keys sit right of the key that holds it */
	const char *dot = strrchr(sub, '.');
	const struct ynode *up =
	    dot ? helm_values_get(c, arena_strndup(ctx->arena, sub, (size_t)(dot - sub)))
		: c->values;
	const struct ynode *key = NULL;
	for (size_t i = 0; up && up->kind == Y_MAP && i + 1 < up->nitems; i += 2)
		if (up->items[i + 1] == v)
			key = up->items[i];
	if (!key)
		return false;
	size_t kl = key->start;
	while (kl > 0 && d[kl - 1] != '\n')
		kl--;
	if (key->start - kl >= *col)
		return false;
	*step = *col - (key->start - kl);
	for (size_t k = ls; k < v->items[0]->start; k++)
		if (d[k] != ' ')
			return false; /* not the first thing on its line */
	/* the last byte of the map's text: its last scalar, or an empty value's key */
	const struct ynode *n = v;
	size_t e = v->start;
	for (unsigned depth = 0; n && depth < 64; depth++) {
		if (n->kind == Y_SCALAR) {
			if (n->style == Y_LITERAL || n->style == Y_FOLDED)
				return false;
			if (n->end > n->start)
				e = n->end;
			break;
		}
		if (!n->nitems) {
			e = n->end;
			break;
		}
		if (n->kind == Y_MAP)
			e = n->items[n->nitems - 2]->end;
		n = n->items[n->nitems - 1];
	}
	if (!e || e > vs->len)
		return false;
	size_t p = e - 1;
	while (p < vs->len && d[p] != '\n')
		p++;
	*at = p < vs->len ? p + 1 : vs->len;
	return *col > 0;
}

/*
 * Why `.Values` inside named template d may not be chart c's values: NULL
 * when every call of d in the chart's tree is made from a template of c
 * with the caller's root context (`.` outside with and range, or `$`), and
 * from a named template only when the same holds for that one; else the
 * reason, for the finding that stays manual.
 */
/*
 * What define_why() found for the named templates it judged, so that each
 * is judged once, and how many more calls it may look at: a chart whose
 * includes of includes fan out cannot make it slow.
 */
struct judged {
	const struct helm_define *d[256];
	const char *why[256]; /* "" when its .Values is the chart's */
	size_t n;
	size_t left;
};

static const char *define_why(struct check_ctx *ctx, const struct helm_chart *c,
			      const struct helm_define *d, unsigned depth, struct judged *jd);

static const char *calls_why(struct check_ctx *ctx, const struct helm_chart *t,
			     const struct helm_chart *c, const struct helm_define *d,
			     unsigned depth, size_t *ncalls, size_t *ndefs, unsigned tree,
			     struct judged *jd)
{
	if (tree > 16)
		return "the chart's subcharts nest too deep to follow";
	/* every call looked at counts, so that includes of includes cannot blow up */
	if (jd->left < t->ncalls + t->ndefines + 1)
		return "the chart has more includes than fix follows";
	jd->left -= t->ncalls + t->ndefines + 1;
	for (size_t i = 0; i < t->ndefines; i++)
		if (strcmp(t->defines[i].name, d->name) == 0)
			(*ndefs)++;
	for (size_t i = 0; i < t->ncalls; i++) {
		const struct helm_call *k = &t->calls[i];
		if (strcmp(k->name, d->name) != 0 || (k->file->partial && k->define < 0))
			continue;
		(*ncalls)++;
		unsigned line, col;
		source_position(k->file->src, k->start, &line, &col);
		if (t != c)
			return arena_printf(ctx->arena,
					    "%s:%u (chart %s) includes \"%s\", where .Values is "
					    "that chart's values",
					    k->file->name, line, t->name, d->name);
		if (!k->root)
			return arena_printf(ctx->arena,
					    "%s:%u passes \"%s\" something other than the chart's "
					    "root context (`.` or `$`), so .Values there is not "
					    "the chart's values",
					    k->file->name, line, d->name);
		if (k->define >= 0) {
			const char *why = define_why(ctx, t, &t->defines[k->define], depth + 1, jd);
			if (why)
				return why;
		}
	}
	for (size_t i = 0; i < t->nsub; i++) {
		const char *why =
		    calls_why(ctx, t->subcharts[i], c, d, depth, ncalls, ndefs, tree + 1, jd);
		if (why)
			return why;
	}
	return NULL;
}

static const char *define_why(struct check_ctx *ctx, const struct helm_chart *c,
			      const struct helm_define *d, unsigned depth, struct judged *jd)
{
	if (depth > 8)
		return "the named templates that include it nest too deep to follow";
	for (size_t i = 0; i < jd->n; i++)
		if (jd->d[i] == d)
			return *jd->why[i] ? jd->why[i] : NULL;
	const struct helm_chart *root = c->root ? c->root : c;
	size_t ncalls = 0, ndefs = 0;
	const char *why = calls_why(ctx, root, c, d, depth, &ncalls, &ndefs, 0, jd);
	if (!why && ndefs != 1)
		why = arena_printf(ctx->arena, "another named template is called \"%s\" too",
				   d->name);
	else if (!why && !ncalls)
		why = arena_printf(ctx->arena, "no template includes \"%s\"", d->name);
	if (jd->n < sizeof(jd->d) / sizeof(jd->d[0])) {
		jd->d[jd->n] = d;
		jd->why[jd->n++] = why ? why : "";
	}
	return why;
}

/* Whether one of the block's own keys (one step in) is among keys[0..n). */
static bool has_key(const char *content, size_t step, const char *const *keys, size_t n)
{
	for (const char *l = content; *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		for (size_t i = 0; i < n; i++) {
			size_t k = strlen(keys[i]);
			if (len > step + k && strspn(l, " ") == step &&
			    memcmp(l + step, keys[i], k) == 0 && l[step + k] == ':')
				return true;
		}
		l += nl ? len + 1 : len;
	}
	return false;
}

/*
 * The level of a block of a named template that has no telling keys
 * around it: a pod's when the template writes `containers:` beside it or
 * the block holds a field only pods have (fsGroup), a container's when it
 * holds one only containers have (privileged, capabilities).
 */
static enum helm_level level_in_define(const struct helm_chart *c, const struct helm_move *m)
{
	static const char *const pod[] = {"fsGroup", "fsGroupChangePolicy", "supplementalGroups",
					  "sysctls"};
	static const char *const ctr[] = {"privileged", "allowPrivilegeEscalation", "capabilities",
					  "readOnlyRootFilesystem", "procMount"};
	const struct helm_sc *sc = m->sc;
	const struct helm_define *def = &c->defines[sc->define];
	const char *d = sc->file->src->data;
	size_t len = def->end < sc->file->src->len ? def->end : sc->file->src->len;
	for (size_t ls = def->start; ls < len;) {
		const char *nl = memchr(d + ls, '\n', len - ls);
		size_t le = nl ? (size_t)(nl - d) : len;
		struct tline t = tline_at(d, ls, le);
		if (t.key && t.ind == sc->indent && le - t.ks >= 11 &&
		    memcmp(d + t.ks, "containers:", 11) == 0)
			return HELM_LEVEL_POD;
		ls = le + 1;
	}
	bool p = has_key(m->content, m->step, pod, sizeof(pod) / sizeof(pod[0]));
	bool k = has_key(m->content, m->step, ctr, sizeof(ctr) / sizeof(ctr[0]));
	return p && !k ? HELM_LEVEL_POD : k && !p ? HELM_LEVEL_CONTAINER : HELM_LEVEL_UNKNOWN;
}

/*
 * A line of the block's content in the values file's own step: its
 * indentation counted in the template's steps, then written in the file's.
 */
static void add_reindented(struct buf *b, const char *l, size_t n, size_t col, size_t from,
			   size_t to)
{
	size_t ind = 0;
	while (ind < n && l[ind] == ' ')
		ind++;
	size_t want = col + ind / from * to + ind % from;
	buf_printf(b, "%*s", (int)want, "");
	buf_add(b, l + ind, n - ind);
}

/* Where doc opens its pod's containers: the `containers:` line at the pod spec's column. */
static bool containers_line(const struct helm_doc *doc, size_t *at)
{
	const struct source *src = doc->file->src;
	const char *d = src->data;
	size_t ind = doc->spec_indent;
	for (size_t ls = doc->start; ls < doc->end && ls < src->len;) {
		const char *nl = memchr(d + ls, '\n', src->len - ls);
		size_t le = nl ? (size_t)(nl - d) : src->len;
		size_t k = 0;
		while (ls + k < le && d[ls + k] == ' ')
			k++;
		if (k == ind && le - ls - k >= 11 && memcmp(d + ls + k, "containers:", 11) == 0) {
			size_t p = ls + k + 11;
			while (p < le && d[p] == ' ')
				p++;
			if (p == le) {
				*at = ls;
				return true;
			}
		}
		ls = le + 1;
	}
	return false;
}

/*
 * The context added to workload document k when it has none at all (no
 * securityContext key of its own, none from values or helpers): its place
 * before the pod's `containers:` in the document's own text. False when
 * that line is not there (written by a helper, or CRLF text).
 */
static bool addable(const struct helm_chart *c, size_t k, struct helm_move *mv)
{
	const struct helm_doc *doc = &c->docs[k];
	if (!doc->workload || !doc->containers || !doc->spec_indent || doc->file->partial ||
	    memchr(doc->file->src->data, '\r', doc->file->src->len))
		return false;
	for (size_t j = 0; j < c->nscs; j++)
		if (c->scs[j].doc == (int)k && c->scs[j].file == doc->file)
			return false;
	bool known = true;
	if (helm_doc_values_fed(c, k, &known) || !known || !containers_line(doc, &mv->start))
		return false;
	*mv = (struct helm_move){.file = doc->file,
				 .start = mv->start,
				 .end = mv->start,
				 .indent = doc->spec_indent,
				 .step = 2,
				 .add = true,
				 .content = "{}",
				 /* the line may sit in a with or range */
				 .root = "$"};
	return true;
}

/* Whether a move before m[i] already writes m[i]'s key into values.yaml. */
static bool key_taken(const struct helm_move *m, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (m[j].ok && strcmp(m[j].key, m[i].key) == 0)
			return true;
	return false;
}

/* A key's lines added to values.yaml: where, and what. */
struct ins {
	size_t at;
	size_t col; /* of its key: at one place a deeper map's keys go first */
	const char *text;
};

/*
 * The lines that add key (its content, or `{}`) to values.yaml: at the
 * end, or under its sub-tree at that map's column.
 */
static bool insertion(struct check_ctx *ctx, const struct helm_chart *c, const struct helm_move *mv,
		      struct ins *out)
{
	const char *dot = strrchr(mv->key, '.');
	if (!dot) {
		out->at = c->values_file->src->len;
		out->col = 0;
		out->text = mv->add ? arena_printf(ctx->arena, "%s: {}\n", mv->key)
				    : arena_printf(ctx->arena, "%s:\n%s", mv->key, mv->content);
		return out->text;
	}
	const char *sub = arena_strndup(ctx->arena, mv->key, (size_t)(dot - mv->key));
	size_t col, step;
	if (!sub || !nest_point(ctx, c, sub, &out->at, &col, &step))
		return false;
	out->col = col;
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "%*s%s:%s\n", (int)col, "", dot + 1, mv->add ? " {}" : "");
	for (const char *l = mv->add ? "" : mv->content; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) + 1 : strlen(l);
		add_reindented(&b, l, n, col, mv->step, step);
		l += n;
	}
	out->text = b.failed ? NULL : arena_strndup(ctx->arena, b.data, b.len);
	buf_release(&b);
	return out->text;
}

/*
 * Names move i's key (under the workload's values sub-tree when it has one
 * that can take it, else at the top) and says where its values lines go.
 * False when no key is free.
 */
static bool name_key(struct check_ctx *ctx, const struct helm_chart *c, struct helm_move *m,
		     size_t i, size_t doc, bool pod, struct ins *ins, bool *writes)
{
	struct helm_move *mv = &m[i];
	enum key_state st = KEY_TAKEN;
	const char *sub = subtree_for(ctx, c, mv, doc, pod);
	mv->key = sub ? key_for(ctx, c, m, i, pod, sub, &st) : NULL;
	if (mv->key && st == KEY_NEW && !insertion(ctx, c, mv, ins))
		mv->key = NULL;
	if (!mv->key && !(mv->key = key_for(ctx, c, m, i, pod, NULL, &st)))
		return false;
	*writes = st == KEY_NEW && !key_taken(m, i);
	if (*writes && !strchr(mv->key, '.'))
		return insertion(ctx, c, mv, ins);
	return true;
}

void helm_moves_of(struct check_ctx *ctx, const struct helm_chart *c, struct helm_moves *out)
{
	memset(out, 0, sizeof(*out));
	if (!c->values_file || !c->values_file->src)
		return;
	size_t total = c->nscs + c->ndocs + 1;
	struct helm_move *m = arena_alloc(ctx->arena, total * sizeof(*m));
	struct ins *ins = arena_alloc(ctx->arena, total * sizeof(*ins));
	if (!m || !ins)
		return;
	memset(m, 0, total * sizeof(*m));
	size_t nins = 0;
	struct judged *judged = arena_alloc(ctx->scratch, sizeof(*judged));
	if (!judged)
		return;
	judged->n = 0;
	judged->left = (size_t)1 << 22;
	for (size_t i = 0; i < c->nscs; i++) {
		const struct helm_sc *sc = &c->scs[i];
		struct helm_move *mv = &m[i];
		mv->sc = sc;
		mv->file = sc->file;
		mv->indent = sc->indent;
		mv->why =
		    sc->values_path || sc->other ? "the block comes from values or a variable"
		    : sc->helper		 ? "a helper writes the block"
		    : sc->file->partial && sc->define < 0
			? "the block is outside any named template of a file helm does not render"
		    : sc->define < 0 && sc->level != HELM_LEVEL_POD &&
			    sc->level != HELM_LEVEL_CONTAINER
			? "the block is not a pod's or a container's securityContext"
			: NULL;
		if (mv->why)
			continue;
		if (!literal_block(ctx, sc, mv)) {
			mv->why = "the block is not plain lines: template actions, flow style or "
				  "CRLF line ends";
			continue;
		}
		bool pod = sc->level == HELM_LEVEL_POD;
		if (sc->define >= 0) {
			/* `.` in a named template is what its callers pass */
			if ((mv->why = define_why(ctx, c, &c->defines[sc->define], 0, judged)))
				continue;
			enum helm_level lv =
			    sc->level == HELM_LEVEL_UNKNOWN ? level_in_define(c, mv) : sc->level;
			if (lv == HELM_LEVEL_UNKNOWN) {
				mv->why =
				    "a block in a named template with nothing beside it that tells "
				    "a pod's securityContext from a container's";
				continue;
			}
			pod = lv == HELM_LEVEL_POD;
		}
		bool writes = false;
		if (!name_key(ctx, c, m, i, 0, pod, &ins[nins], &writes)) {
			mv->why =
			    pod ? "no free values key to name it: podSecurityContext and the "
				  "key named after the template are taken"
				: "no free values key to name it: the container has no literal "
				  "name and the usual keys are taken";
			continue;
		}
		/* inside with or range `.` is another value; `$` is the template's root */
		mv->root = sc->conditional ? "$" : "";
		if (!(mv->tmpl = template_of(ctx, mv))) {
			mv->why = "no exact edit of the template's lines";
			continue;
		}
		mv->ok = true;
		nins += writes;
	}
	for (size_t k = 0; k < c->ndocs; k++) {
		size_t i = c->nscs + k;
		struct helm_move *mv = &m[i];
		bool writes = false;
		if (!addable(c, k, mv) || !name_key(ctx, c, m, i, k, true, &ins[nins], &writes) ||
		    !(mv->tmpl = template_of(ctx, mv))) {
			mv->why = "no `containers:` line of the template to put a securityContext "
				  "before, or no free values key";
			continue;
		}
		mv->ok = true;
		nins += writes;
	}
	out->m = m;
	out->n = c->nscs + c->ndocs;
	/*
	 * One edit for each place, its keys in the order of the moves; where a
	 * sub-tree's map ends with a deeper one's, the deeper keys come first
	 * (after them, a shallower key closes the deeper map).
	 */
	for (size_t i = 1; i < nins; i++)
		for (size_t j = i;
		     j > 0 && (ins[j - 1].at > ins[j].at ||
			       (ins[j - 1].at == ins[j].at && ins[j - 1].col < ins[j].col));
		     j--) {
			struct ins t = ins[j];
			ins[j] = ins[j - 1];
			ins[j - 1] = t;
		}
	const struct source *vs = c->values_file->src;
	bool nl = vs->len == 0 || vs->data[vs->len - 1] == '\n';
	struct helm_vedit *ve = nins ? arena_alloc(ctx->arena, nins * sizeof(*ve)) : NULL;
	for (size_t i = 0; i < nins && ve;) {
		struct buf b;
		buf_init(&b);
		if (ins[i].at == vs->len && !nl)
			buf_putc(&b, '\n');
		size_t j = i;
		for (; j < nins && ins[j].at == ins[i].at; j++)
			buf_add(&b, ins[j].text, strlen(ins[j].text));
		const char *text = b.failed ? NULL : arena_strndup(ctx->arena, b.data, b.len);
		buf_release(&b);
		if (!text) {
			/* without every key in values.yaml no move is safe */
			out->n = 0;
			return;
		}
		ve[out->nvedits++] = (struct helm_vedit){ins[i].at, text};
		i = j;
	}
	if (nins && !ve)
		out->n = 0;
	out->vedits = ve;
}

const struct helm_move *helm_move_for_doc(const struct helm_moves *mv, const struct helm_chart *c,
					  size_t doc)
{
	return helm_move_at(mv, (int)(c->nscs + doc));
}

const struct helm_move *helm_move_at(const struct helm_moves *mv, int sc)
{
	if (!mv->m || sc < 0 || (size_t)sc >= mv->n || !mv->m[sc].ok)
		return NULL;
	return &mv->m[sc];
}

const char *helm_move_why(const struct helm_moves *mv, int sc)
{
	if (helm_move_at(mv, sc))
		return NULL;
	if (!mv->m)
		return "the chart has no values.yaml to feed the securityContext from";
	if (sc < 0 || (size_t)sc >= mv->n || !mv->m[sc].why)
		return "no exact edit of the template's lines";
	return mv->m[sc].why;
}

const char *helm_move_why_doc(const struct helm_moves *mv, const struct helm_chart *c, size_t doc)
{
	return helm_move_why(mv, (int)(c->nscs + doc));
}

const char *helm_move_fix(struct check_ctx *ctx, const struct helm_move *m)
{
	const char *dot = strrchr(m->key, '.');
	const char *where =
	    dot ? arena_printf(ctx->arena, " under %.*s:", (int)(dot - m->key), m->key) : "";
	return arena_printf(
	    ctx->arena,
	    "{{- with %s.Values.%s }} securityContext: {{- toYaml . | nindent %zu }} "
	    "{{- end }}, and %s:%s%s in values.yaml",
	    m->root, m->key, m->indent + m->step, dot ? dot + 1 : m->key, m->add ? " {}" : "",
	    where ? where : "");
}

void helm_move_edit(struct check_ctx *ctx, struct diag *d, const struct helm_moves *mv,
		    const struct helm_move *m, bool values)
{
	diag_edit_add(ctx->diags, d, m->file->path, m->start, m->end, m->tmpl);
	const struct helm_chart *c = ctx->helm;
	if (!values)
		return;
	for (size_t i = 0; i < mv->nvedits; i++)
		diag_edit_add(ctx->diags, d, c->values_file->path, mv->vedits[i].at,
			      mv->vedits[i].at, mv->vedits[i].text);
}
