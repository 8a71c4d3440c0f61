/*
 * folder.h - a folder of the final image in build order: the WORKDIR in
 * effect at each instruction, and whether the file makes the folder, copies
 * over it, or changes its owner or mode. What NR116 and NR117 judge a
 * folder the app writes by. Internal to the Dockerfile rules.
 */
#ifndef UNROOT_RULES_FOLDER_H
#define UNROOT_RULES_FOLDER_H

#include <stdbool.h>

#include "dockerfile/dockerfile.h"

struct check_ctx;

/* A path without surrounding quotes and a trailing slash; NULL when not absolute. */
const char *folder_clean(struct check_ctx *ctx, const char *p);

/* `path` joined to the working folder `wd` when relative; NULL when that is unknown. */
const char *folder_resolve(struct check_ctx *ctx, const char *wd, const char *path);

/* p is w, or below it. */
bool folder_within(const char *p, const char *w);

/* The final chain's instructions in build order, with the WORKDIR in effect at each. */
struct folder_walk {
	const struct df_instr *last_workdir;
	const char *wd;	    /* after the last instruction; NULL: not known */
	const char **wd_at; /* by instruction index: the WORKDIR in effect when it runs */
};

/* False when memory is out. */
bool folder_walk(struct check_ctx *ctx, struct folder_walk *w);

/*
 * Whether a RUN chown, chgrp or chmod of the final image touches `dir`:
 * the folder itself, something in it, or a folder above it recursively. A
 * relative path whose working folder is not known counts too.
 */
bool folder_touched(struct check_ctx *ctx, const struct folder_walk *w, const char *dir);

/*
 * Whether a COPY or ADD of the final image writes `dir` or a folder above
 * it (its owner and mode then come from the source), or, with `inside`,
 * anything in it. An unknown destination counts too.
 */
bool folder_copied(struct check_ctx *ctx, const struct folder_walk *w, const char *dir,
		   bool inside);

/* Whether a RUN before `before` makes `dir` with mkdir (the folder or one inside it, -p). */
bool folder_made(struct check_ctx *ctx, const struct df_instr *before, const char *dir);

/*
 * Whether `base` is one of `names`, official images by their short names:
 * "alpine", "alpine:3.20", "docker.io/library/alpine@sha256:...".
 */
bool folder_base_is(const char *base, const char *const *names, size_t n);

/*
 * The folder an ENV or ARG in scope at `in` names, cleaned (folder_clean);
 * NULL when it is not set or not an absolute path. *set, when given, says
 * whether it is set at all.
 */
const char *folder_env(struct check_ctx *ctx, const struct df_instr *in, const char *name,
		       bool *set);

#endif
