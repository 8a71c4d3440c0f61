/* memo.c - one memo per Dockerfile input, in the check context. */
#include "memo.h"
#include "unroot/arena.h"
#include "rules/check.h"

struct df_memo *df_memo(struct check_ctx *ctx)
{
	struct df_memo *m = ctx->memo;
	/* The context is reused for the next input: a memo of another one is stale. */
	if (m && m->df == ctx->df)
		return m;
	m = arena_alloc(ctx->scratch, sizeof(*m));
	if (m) {
		m->df = ctx->df;
		ctx->memo = m;
	}
	return m;
}
