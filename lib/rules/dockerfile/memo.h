/*
 * memo.h - what several Dockerfile rules derive from the same input (the
 * final user: its base image is looked up against every listed pattern),
 * made once by whichever rule asks first and kept in the check context.
 * Internal to the Dockerfile rules.
 */
#ifndef UNROOT_RULES_MEMO_H
#define UNROOT_RULES_MEMO_H

#include <stdbool.h>
#include <stddef.h>

#include "accounts.h"
#include "final-user.h"

struct check_ctx;

struct df_memo {
	const struct dockerfile *df; /* the input it was made for */
	bool has_user, user_ok;
	struct final_user user;
	bool has_image_user;
	struct df_image_user image_user;
	bool has_removal;
	struct account_removal removal;
};

/* The memo of ctx->df, empty when new; NULL when out of memory. */
struct df_memo *df_memo(struct check_ctx *ctx);

#endif
