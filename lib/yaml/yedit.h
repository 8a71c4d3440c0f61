/*
 * yedit.h - exact, format-preserving edits of a YAML (or JSON) file.
 *
 * The callers say what a file should hold, against the tree yaml_load()
 * read from it: set a key of a map (adding it, or a map to hold it, when
 * missing), remove a key, add an item to a sequence, remove one. Each wish
 * carries a tag (a finding). yedit_finish() turns all the wishes of one file
 * into byte edits that keep everything else as written: comments, key order,
 * quoting, CRLF line ends, `---` documents. New keys follow the style of the
 * map they go into: a line of their own at the map's indentation in block
 * style (nested maps indented by the file's own step, sequences indented or
 * not as the file does it), `, key: value` in a flow map, and quoted keys and
 * strings where the map quotes its keys (JSON, which keeps its indentation).
 *
 * Wishes about the same map are merged, and edits that touch are joined, so
 * the edits handed back never overlap: two tags get either the same edit or
 * edits that share no byte and no insertion point. A wish that cannot be
 * done exactly (a key reached through an alias or a `<<` merge, a value that
 * shares its line with another key) makes its tag get no edit at all, rather
 * than a part of one.
 */
#ifndef UNROOT_YEDIT_H
#define UNROOT_YEDIT_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct source;
struct ydoc;
struct ynode;

/* A value to write: a scalar, or a small map or sequence of them. */
struct yval {
	enum { YV_SCALAR, YV_MAP, YV_SEQ } kind;
	const char *s;		     /* YV_SCALAR: as written in plain YAML */
	bool str;		     /* a string: quoted where the map quotes (JSON) */
	const char *const *keys;     /* YV_MAP: n keys */
	const struct yval *const *v; /* YV_MAP: n values; YV_SEQ: n items */
	size_t n;
};

struct yedit;

/*
 * A plan for one file, in arena a; its documents tell the file's style
 * (indentation step, sequences indented or not). NULL when the arena is full.
 */
struct yedit *yedit_new(struct arena *a, const struct source *src, const struct ydoc *docs,
			size_t ndocs);

/*
 * `key` of `map` gets the value v: its scalar is replaced when it is there,
 * else the key is added at the end of the map.
 */
void yedit_set(struct yedit *e, size_t tag, const struct ynode *map, const char *key,
	       const struct yval *v);

/*
 * As yedit_set on the map `parent`[`name`] (a securityContext), which is
 * added with that key in it when `parent` has no such key. `cur` is that
 * map when it exists, else NULL.
 */
void yedit_set_in(struct yedit *e, size_t tag, const struct ynode *parent, const char *name,
		  const struct ynode *cur, const char *key, const struct yval *v);

/* The entry `key` of `map` goes, with its line in block style. */
void yedit_del(struct yedit *e, size_t tag, const struct ynode *map, const char *key);

/* `item` is added at the end of `seq`. */
void yedit_seq_add(struct yedit *e, size_t tag, const struct ynode *seq, const struct yval *item);

/* Item `item` (a node of `seq`) goes. */
void yedit_seq_del(struct yedit *e, size_t tag, const struct ynode *seq, const struct ynode *item);

/* The tag gets no edit (what it asks is not mechanical after all). */
void yedit_fail(struct yedit *e, size_t tag);

/*
 * Works out the edits and hands each to emit(arg, tag, start, end, text),
 * once for every tag that has it, in file order per tag. Returns 0, or -1
 * when the arena is full (then nothing was emitted).
 */
int yedit_finish(struct yedit *e,
		 void (*emit)(void *arg, size_t tag, size_t start, size_t end, const char *text),
		 void *arg);

#endif
