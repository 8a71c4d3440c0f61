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

/* A uid to suggest: `uid` when it is fine, else 1001 (or --min-uid when higher). */
long final_user_suggest_uid(const struct check_ctx *ctx, long uid);

/* "USER 1001:0" with the suggested uid. */
const char *final_user_fix(const struct check_ctx *ctx, long uid);

/* " (the user comes from the base image 'x': why)" or "" for a USER line. */
const char *final_user_origin(const struct check_ctx *ctx, const struct final_user *fu);

/* The numeric uid a RUN useradd/adduser in the final chain gives `name`, or -1. */
long final_user_created_uid(struct check_ctx *ctx, const char *name);

#endif
