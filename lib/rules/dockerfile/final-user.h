/*
 * final-user.h - what the USER rules look at: the user the final stage runs
 * as, from its USER line or from a well-known base image. Internal to the
 * Dockerfile rules.
 */
#ifndef UNROOT_RULES_FINAL_USER_H
#define UNROOT_RULES_FINAL_USER_H

#include <stdbool.h>
#include <stddef.h>

#include "dockerfile/dockerfile.h"

struct check_ctx;

struct final_user {
	struct df_final f;
	bool from_base; /* no USER line: the base image's user */
	bool known;	/* the uid (and maybe gid) is known */
	const char *user,
	    *group;	   /* as the USER line gives them after expansion; group may be NULL */
	long uid, gid;	   /* "root" counts as 0; -1 unknown */
	bool user_is_name; /* the user part is a name (root included) */
	const struct df_instr *line; /* the USER line, or the final FROM line */
	size_t start, end;	     /* span to report */
};

/* False when the Dockerfile has no stage. */
bool final_user_get(struct check_ctx *ctx, struct final_user *fu);

/* The one user every finding on this Dockerfile suggests (dockerfile.h), worked out once. */
const struct df_image_user *image_user(struct check_ctx *ctx);

/* "USER uid:0" with the image's user. */
const char *final_user_fix(struct check_ctx *ctx);

/*
 * The USER line's user part as written ("${uid}" stays so), and in *colon
 * the offset of the ':' before its group in fu->line->text (-1: none).
 */
const char *final_user_written(struct check_ctx *ctx, const struct final_user *fu, long *colon);

/* The fix for a USER line that keeps its user: "USER <as written>:0" when
 * that user is the image's, else final_user_fix(). */
const char *final_user_fix_keep(struct check_ctx *ctx, const struct final_user *fu);

/* " (NAME, the user the image ...)" after the fix when the uid is the image's own, or "". */
const char *image_user_why(struct check_ctx *ctx);

/* " (the user comes from the base image 'x': why)" or "" for a USER line. */
const char *final_user_origin(const struct check_ctx *ctx, const struct final_user *fu);

#endif
