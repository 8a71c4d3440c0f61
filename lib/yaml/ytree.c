/* ytree.c - libyaml events into a positioned, bounded tree. */
#include "yaml/ytree.h"
#include "unroot/arena.h"
#include "unroot/lint.h"
#include "unroot/source.h"
#include "util/strmap.h"

#include <string.h>
#include <yaml.h>

struct anchor {
	const char *name;
	struct ynode *node;
	size_t weight;
};

struct frame {
	struct ynode *node;
	struct ynode **items;
	size_t n, cap;
	size_t weight;
	const char *anchor;
};

struct loader {
	struct arena *a;
	struct source *src;
	bool ascii; /* no byte above 0x7f: libyaml's character index is the byte offset */
	const struct lint_limits *lim;
	struct frame *stack;
	size_t depth, cap;
	struct anchor *anchors;
	size_t nanchors, capanchors;
	struct strmap by_name; /* anchor name -> index, the newest: a list made aliases quadratic */
	size_t weight;	       /* nodes in this document, aliases expanded */
	size_t aliases;
	struct yerror *err;
};

/*
 * libyaml marks count characters, not bytes; turn (line, column) into a
 * byte offset by walking the UTF-8 of that line.
 */
static size_t mark_offset_slow(struct source *src, const yaml_mark_t *m)
{
	size_t off = source_line_offset(src, m->line);
	if (off >= src->len)
		return src->len;
	for (size_t col = 0; col < m->column && off < src->len; col++) {
		unsigned char c = (unsigned char)src->data[off];
		size_t w = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		off += w;
	}
	return off > src->len ? src->len : off;
}

static bool all_ascii(const struct source *src)
{
	for (size_t i = 0; i < src->len; i++)
		if ((unsigned char)src->data[i] >= 0x80)
			return false;
	return true;
}

static size_t mark_offset(const struct loader *loader, const yaml_mark_t *m)
{
	if (loader->ascii)
		return m->index < loader->src->len ? m->index : loader->src->len;
	return mark_offset_slow(loader->src, m);
}

static int fail(struct loader *loader, size_t start, size_t end, const char *msg)
{
	loader->err->start = start;
	loader->err->end = end;
	loader->err->message = msg ? msg : "out of memory";
	return -1;
}

static struct anchor *find_anchor(struct loader *loader, const char *name)
{
	/* YAML lets a later anchor of the same name win: the map keeps the newest. */
	size_t i;
	return strmap_get(&loader->by_name, name, &i) && i < loader->nanchors ? &loader->anchors[i]
									      : NULL;
}

static int remember(struct loader *loader, const char *name, struct ynode *n, size_t weight)
{
	if (!name)
		return 0;
	struct anchor *an =
	    ARR_PUSH(loader->a, loader->anchors, loader->nanchors, loader->capanchors);
	if (!an)
		return -1;
	an->name = arena_strdup(loader->a, name);
	an->node = n;
	an->weight = weight;
	n->is_alias_target = true;
	return an->name && strmap_put(&loader->by_name, an->name, loader->nanchors - 1) ? 0 : -1;
}

/* Adds a finished node to the open collection, or makes it the document root. */
static int attach(struct loader *loader, struct ynode *n, size_t weight, struct ydoc *doc)
{
	loader->weight += weight;
	if (loader->weight > loader->lim->yaml_nodes)
		return fail(
		    loader, n->start, n->end,
		    arena_printf(loader->a,
				 "document expands to too many nodes: more than %zu with its "
				 "aliases expanded (the limit; an alias bomb?)",
				 loader->lim->yaml_nodes));
	if (loader->depth == 0) {
		doc->root = n;
		return 0;
	}
	struct frame *f = &loader->stack[loader->depth - 1];
	struct ynode **slot = ARR_PUSH(loader->a, f->items, f->n, f->cap);
	if (!slot)
		return fail(loader, n->start, n->end, "out of memory");
	*slot = n;
	f->weight += weight;
	return 0;
}

static struct ynode *new_node(struct loader *loader, enum ynode_kind k, const yaml_event_t *e)
{
	struct ynode *n = arena_alloc(loader->a, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = k;
	n->start = mark_offset(loader, &e->start_mark);
	n->end = mark_offset(loader, &e->end_mark);
	return n;
}

static int on_event(struct loader *loader, yaml_event_t *e, struct ydoc *doc)
{
	struct ynode *n;
	switch (e->type) {
	case YAML_SCALAR_EVENT: {
		n = new_node(loader, Y_SCALAR, e);
		if (!n)
			return fail(loader, 0, 0, "out of memory");
		n->value = arena_strndup(loader->a, (const char *)e->data.scalar.value,
					 e->data.scalar.length);
		n->len = e->data.scalar.length;
		if (e->data.scalar.tag)
			n->tag = arena_strdup(loader->a, (const char *)e->data.scalar.tag);
		switch (e->data.scalar.style) {
		case YAML_SINGLE_QUOTED_SCALAR_STYLE:
			n->style = Y_SINGLE_QUOTED;
			break;
		case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
			n->style = Y_DOUBLE_QUOTED;
			break;
		case YAML_LITERAL_SCALAR_STYLE:
			n->style = Y_LITERAL;
			break;
		case YAML_FOLDED_SCALAR_STYLE:
			n->style = Y_FOLDED;
			break;
		default:
			n->style = Y_PLAIN;
		}
		if (!n->value || remember(loader, (const char *)e->data.scalar.anchor, n, 1))
			return fail(loader, n->start, n->end, "out of memory");
		return attach(loader, n, 1, doc);
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool seq = e->type == YAML_SEQUENCE_START_EVENT;
		n = new_node(loader, seq ? Y_SEQ : Y_MAP, e);
		if (!n)
			return fail(loader, 0, 0, "out of memory");
		if (loader->depth >= loader->lim->yaml_depth)
			return fail(loader, n->start, n->end,
				    arena_printf(loader->a,
						 "nesting is deeper than the limit of %zu levels",
						 loader->lim->yaml_depth));
		const yaml_char_t *tag =
		    seq ? e->data.sequence_start.tag : e->data.mapping_start.tag;
		const yaml_char_t *anchor =
		    seq ? e->data.sequence_start.anchor : e->data.mapping_start.anchor;
		if (tag)
			n->tag = arena_strdup(loader->a, (const char *)tag);
		struct frame *f = ARR_PUSH(loader->a, loader->stack, loader->depth, loader->cap);
		if (!f)
			return fail(loader, n->start, n->end, "out of memory");
		f->node = n;
		f->anchor = anchor ? arena_strdup(loader->a, (const char *)anchor) : NULL;
		return 0;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: {
		if (loader->depth == 0)
			return fail(loader, 0, 0, "unbalanced collection");
		struct frame f = loader->stack[--loader->depth];
		n = f.node;
		n->items = f.items;
		n->nitems = f.n;
		n->end = mark_offset(loader, &e->end_mark);
		size_t w = f.weight + 1;
		/* Children were counted as they came; count the node itself now. */
		loader->weight -= f.weight;
		if (remember(loader, f.anchor, n, w))
			return fail(loader, n->start, n->end, "out of memory");
		return attach(loader, n, w, doc);
	}
	case YAML_ALIAS_EVENT: {
		size_t s = mark_offset(loader, &e->start_mark),
		       en = mark_offset(loader, &e->end_mark);
		struct anchor *an = find_anchor(loader, (const char *)e->data.alias.anchor);
		if (!an)
			return fail(loader, s, en, "alias to an unknown anchor");
		if (++loader->aliases > loader->lim->yaml_aliases)
			return fail(
			    loader, s, en,
			    arena_printf(loader->a,
					 "too many aliases: more than %zu in one document (the "
					 "limit)",
					 loader->lim->yaml_aliases));
		return attach(loader, an->node, an->weight, doc);
	}
	default:
		return 0;
	}
}

int yaml_load(struct arena *a, struct source *src, const struct lint_limits *limits,
	      struct ydoc **docs, size_t *ndocs, struct yerror *err)
{
	yaml_parser_t p;
	struct loader loader = {
	    .a = a, .src = src, .lim = limits, .err = err, .ascii = all_ascii(src)};
	size_t cap = 0;
	struct ydoc *doc = NULL;
	int rc = 0;

	*docs = NULL;
	*ndocs = 0;
	if (!yaml_parser_initialize(&p))
		return fail(&loader, 0, 0, "out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)src->data, src->len);
	for (;;) {
		yaml_event_t e;
		if (!yaml_parser_parse(&p, &e)) {
			size_t off = mark_offset(&loader, &p.problem_mark);
			const char *why = p.problem ? p.problem : "invalid YAML";
			const char *ctx = p.context;
			loader.err->start = off;
			loader.err->end = off;
			loader.err->message =
			    ctx ? arena_printf(a, "%s %s", why, ctx) : arena_strdup(a, why);
			if (!loader.err->message)
				loader.err->message = "invalid YAML";
			rc = -1;
			break;
		}
		yaml_event_type_t t = e.type;
		if (t == YAML_DOCUMENT_START_EVENT) {
			doc = ARR_PUSH(a, *docs, *ndocs, cap);
			if (doc)
				doc->start = mark_offset(&loader, &e.start_mark);
			loader.depth = 0;
			loader.nanchors = 0;
			strmap_init(&loader.by_name, a);
			loader.weight = 0;
			loader.aliases = 0;
			if (!doc)
				rc = fail(&loader, 0, 0, "out of memory");
		} else if (t == YAML_DOCUMENT_END_EVENT) {
			if (doc) {
				doc->end = mark_offset(&loader, &e.end_mark);
				/* An empty document reads as a null scalar: keep it as no root. */
				struct ynode *r = doc->root;
				if (r && r->kind == Y_SCALAR && r->style == Y_PLAIN && !r->tag &&
				    r->len == 0)
					doc->root = NULL;
			}
		} else if (doc) {
			rc = on_event(&loader, &e, doc);
		}
		yaml_event_delete(&e);
		if (rc || t == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&p);
	return rc;
}

struct ynode *ymap_key(const struct ynode *n, const char *key)
{
	if (!n || n->kind != Y_MAP)
		return NULL;
	/* The last occurrence wins, as in Kubernetes' decoder. */
	for (size_t i = n->nitems / 2; i-- > 0;) {
		struct ynode *k = n->items[2 * i];
		if (k->kind == Y_SCALAR && strcmp(k->value, key) == 0)
			return k;
	}
	return NULL;
}

struct ynode *ymap_get(const struct ynode *n, const char *key)
{
	if (!n || n->kind != Y_MAP)
		return NULL;
	for (size_t i = n->nitems / 2; i-- > 0;) {
		struct ynode *k = n->items[2 * i];
		if (k->kind == Y_SCALAR && strcmp(k->value, key) == 0)
			return n->items[2 * i + 1];
	}
	return NULL;
}

bool yscalar_is(const struct ynode *n, const char *s)
{
	return n && n->kind == Y_SCALAR && strcmp(n->value, s) == 0;
}
