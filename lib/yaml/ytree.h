/*
 * yaml.h - YAML (and JSON, which YAML reads) into a tree with byte spans.
 *
 * Built on libyaml's event parser. Aliases point at the anchored node (no
 * copies); the loader counts every node an alias would expand to and stops
 * at limits->yaml_nodes, so a billion-laughs document is an error, not a
 * hang, for every consumer that walks the tree. Nesting stops at
 * limits->yaml_depth. The tree lives in the arena.
 */
#ifndef UNROOT_YAML_H
#define UNROOT_YAML_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct source;
struct lint_limits;

enum ynode_kind {
	Y_SCALAR,
	Y_SEQ,
	Y_MAP,
};

enum yscalar_style {
	Y_PLAIN,
	Y_SINGLE_QUOTED,
	Y_DOUBLE_QUOTED,
	Y_LITERAL,
	Y_FOLDED,
};

struct ynode {
	enum ynode_kind kind;
	size_t start, end; /* byte span in the source */
	const char *tag;   /* explicit tag ("!!str"), or NULL */
	/* Y_SCALAR */
	const char *value; /* NUL-terminated; may hold NULs before len */
	size_t len;
	enum yscalar_style style;
	/* Y_SEQ: items[i]; Y_MAP: items[2i] keys and items[2i+1] values */
	struct ynode **items;
	size_t nitems;
	bool is_alias_target;
};

struct ydoc {
	struct ynode *root; /* NULL for an empty document */
	size_t start, end;
};

struct yerror {
	size_t start, end;
	const char *message;
};

/*
 * Loads every document of src. Returns 0, or -1 with *err at the first
 * problem (syntax, a limit, a full arena); documents before it are kept in
 * *docs and *ndocs.
 */
int yaml_load(struct arena *a, struct source *src, const struct lint_limits *limits,
	      struct ydoc **docs, size_t *ndocs, struct yerror *err);

/* Map lookup by key; NULL when n is not a map or lacks the key. */
struct ynode *ymap_get(const struct ynode *n, const char *key);
/* The key node paired with `key` (for positions); NULL when missing. */
struct ynode *ymap_key(const struct ynode *n, const char *key);
/* n is a scalar equal to s. */
bool yscalar_is(const struct ynode *n, const char *s);

#endif
