/*
 * accounts.h - taking a Dockerfile's account commands out (NR108's fix),
 * and what that asks of the lines that name those accounts: a chown or
 * chgrp word, a COPY/ADD --chown, a USER line becomes numeric, with the
 * image's one uid (image_user(), the same NR101 and NR103 write) and group
 * 0. Worked out once per Dockerfile, so that the rules that edit the same
 * words (NR109's --chown and chown) write the same text. Internal to the
 * Dockerfile rules.
 */
#ifndef UNROOT_RULES_ACCOUNTS_H
#define UNROOT_RULES_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>

struct check_ctx;
struct sh_finding;

/* useradd, adduser, groupadd, addgroup, usermod, groupmod. */
bool account_command(const struct sh_finding *f);

/* A span of the Dockerfile that names a removed account, and what it becomes. */
struct account_use {
	size_t start, end;
	const char *text; /* in ctx->arena */
};

struct account_removal {
	/*
	 * Every account command can go: each stands where taking it out leaves
	 * valid shell, and every other mention of the accounts is a word this
	 * makes numeric. Else nothing changes: a `/home/app`, a `su app` or a
	 * script naming the account would fail once the account is gone.
	 */
	bool ok;
	const size_t *start, *end; /* per ctx->df->run[i]: the span that takes it out */
	const struct account_use *uses;
	size_t nuses;
};

/* The removal for ctx's Dockerfile; NULL when out of memory. */
const struct account_removal *account_removal(struct check_ctx *ctx);

/*
 * The text a use of a removed account at exactly [start, end) becomes, or
 * NULL when nothing there names one (or the accounts stay).
 */
const char *account_use_at(struct check_ctx *ctx, size_t start, size_t end);

#endif
