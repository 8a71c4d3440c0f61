/*
 * reading.h - what the engine hands a reader for one input, and what the
 * reader gives back: its model, its NR000 errors and its suppressions.
 *
 * A reader never sees the run. The engine fills the first part, calls the
 * reader's read(), then takes the errors and suppressions into the run and
 * hands the model to the rules. Strings the engine keeps after the input
 * (errors, suppressions, what findings point at) go to `arena`; the model
 * may go to `scratch`, which the engine resets after the input when it is
 * not `arena`. Internal to the library.
 */
#ifndef UNROOT_UTIL_READING_H
#define UNROOT_UTIL_READING_H

#include <stdbool.h>
#include <stddef.h>

#include "unroot/lint.h"
#include "unroot/rule.h"

struct arena;
struct listing;
struct image_view;
struct source;

/* An input the reader could not read, or a part of it: an NR000 for the engine to report. */
struct read_error {
	const char *path;   /* the input or the file inside it, as reported */
	struct source *src; /* NULL when there is no text to point into */
	size_t start, end;
	const char *message; /* lower case, no full stop */
	const char *fix;     /* the line to write instead, or NULL */
};

/*
 * An ignore comment or annotation. Findings in the same file whose start
 * offset lies in [from, to) and whose code is listed are suppressed;
 * `global` covers the whole file. [start, end) is the comment itself, where
 * NR001 points when it matched nothing.
 *
 * A reader gives the rule list as written (`list`): rule codes or names
 * separated by commas, or `all`, then a reason. The engine reads it into
 * `codes` (lib/engine/suppress-read.c), the same way for every kind, and an
 * unknown rule there is an NR000 at its place in [start, end).
 */
struct suppression {
	const char *path;
	struct source *src;
	size_t start, end;
	size_t from, to;
	bool global;
	const char *list; /* the rule list and reason, as written */
	size_t list_len;
	const char **codes; /* filled by the engine from `list` */
	size_t ncodes;
	bool used;   /* it matched a finding (the engine marks it) */
	bool capped; /* its input had findings left out: whether it matched is not known */
};

struct reading {
	/* Given by the engine. */
	const struct lint_options *opts;
	struct arena *arena;   /* lives as long as the run */
	struct arena *scratch; /* this input's model; the same as arena unless the engine says */
	const char *path;      /* the input as the user named it */
	struct source *src;    /* its text, for the kinds the engine reads; else NULL */
	bool rootfs;	       /* an unpacked root filesystem (--rootfs), not an image file */
	/* Folders the engine listed while walking the inputs, or NULL (listing.h). */
	const struct listing *listing;
	/* What this kind's prescan kept of the batch's inputs (the k8s reader's Namespaces). */
	void *const *kept;
	size_t nkept;

	/* Given back by the reader. */
	const void *model; /* NULL: nothing to check (an unreadable input, or not of this kind) */
	struct read_error *errors;
	size_t nerrors, caperrors;
	struct suppression *supp;
	size_t nsupp, capsupp;
};

/* An NR000 for `path` (NULL: the input's path); returns the error, or NULL when out of memory. */
struct read_error *reading_error(struct reading *rd, const char *path, struct source *src,
				 size_t start, size_t end, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Records a suppression; the struct is copied. */
void reading_suppress(struct reading *rd, const struct suppression *s);

/*
 * A comment's text after its marker, "unroot ignore=LIST reason" or "unroot
 * global ignore=LIST reason" (blanks and further '#' before it are skipped):
 * true when it is one, with *global set and [*list, *list + *list_len) the
 * LIST and reason, up to `len`.
 */
bool reading_ignore_comment(const char *text, size_t len, bool *global, const char **list,
			    size_t *list_len);

/*
 * An input kind. `match` says whether a path looks like one (is_dir tells a
 * folder); `read` reads it into rd. Tables of them live in the engine.
 */
struct reader {
	enum input_kind kind;
	const char *name;
	bool text;     /* the engine reads the file into rd->src first */
	bool parallel; /* read() may run on any thread: it uses only rd */
	bool scratch;  /* its model may go to rd->scratch: the findings keep nothing of it */
	bool (*match)(const char *path, bool is_dir);
	void (*read)(struct reading *rd);
	/*
	 * Optional: called for every input of a batch before any is read, with
	 * rd->src set; what it returns (NULL: nothing) is handed to every read()
	 * of the kind in rd->kept (OpenShift's namespace ranges, which apply to
	 * workloads in other files).
	 */
	void *(*prescan)(struct reading *rd);
	/*
	 * Optional: called after the rules checked the model, for errors only
	 * the checking finds (a value the rules expanded past its bound).
	 */
	void (*after)(struct reading *rd);
	/*
	 * Optional: the image side of a model read() gave back, for pairing
	 * (--image REF=PATH) and simulate; NULL when there is none.
	 */
	const struct image_view *(*view)(struct reading *rd);
	/*
	 * Optional: the image reference the model is built FROM (a Dockerfile's
	 * final base image), or NULL. With --pull the engine reads that image
	 * after read() and hands its side to take_base() before the rules and
	 * view() see the model, so the reader itself fetches nothing.
	 */
	const char *(*base_ref)(struct reading *rd);
	void (*take_base)(struct reading *rd, const char *ref, const struct image_view *base);
};

#endif
