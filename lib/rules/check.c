/* check.c - what the rules share to report, and the pairs the engine made for them. */
#include "check.h"

#include <stdarg.h>
#include <string.h>

struct diag *report(struct check_ctx *ctx, const struct rule *rule, size_t start, size_t end,
		    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct diag *d = diag_vadd(ctx->diags, rule, ctx->path, ctx->src, start, end, fmt, ap);
	va_end(ap);
	return d;
}

const struct image_view *check_pair(const struct check_ctx *ctx, const char *ref)
{
	for (size_t i = 0; ref && i < ctx->npairs; i++)
		if (strcmp(ctx->pairs[i].ref, ref) == 0)
			return ctx->pairs[i].view;
	return NULL;
}
