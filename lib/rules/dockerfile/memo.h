/*
 * memo.h - what several Dockerfile rules derive from the same input (the
 * final user, the RUN lines' shell findings), made once by whichever rule
 * asks first and kept in the check context. Internal to the Dockerfile rules.
 */
#ifndef UNROOT_RULES_MEMO_H
#define UNROOT_RULES_MEMO_H

#include <stdbool.h>
#include <stddef.h>

#include "final-user.h"
#include "shell-hits.h"

struct check_ctx;

struct source;

/* Where the shell reader gave up on a text: its source and the offset. */
struct df_gave_up {
	const struct source *src;
	size_t at;
};

struct df_memo {
	const struct dockerfile *df; /* the input it was made for */
	bool has_run;
	struct shell_hit *run;
	size_t nrun;
	bool has_user, user_ok;
	struct final_user user;
	bool scripts_capped; /* the context scripts past MAX_SCRIPTS were reported */
	/* Texts the shell reader gave up on, already reported. */
	struct df_gave_up *gave_up;
	size_t ngave_up, capgave_up;
};

/* The memo of ctx->df, empty when new; NULL when out of memory. */
struct df_memo *df_memo(struct check_ctx *ctx);

#endif
