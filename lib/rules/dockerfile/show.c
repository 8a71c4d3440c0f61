/* show.c - a command of the Dockerfile model, or one of its words, as the rules show it. */
#include "show.h"
#include "rules/check.h"
#include "unroot/arena.h"
#include "unroot/diag.h"

#include <string.h>

const char *show_expand(struct check_ctx *ctx, const struct df_instr *in, const char *s)
{
	return df_expand_known(ctx->arena, ctx->df, in, s);
}

const char *show_command(struct check_ctx *ctx, const struct df_command *h)
{
	const struct sh_cmd *c = h->f->cmd;
	size_t s = c->argc ? c->argv[0].start : c->start;
	size_t e = c->end;
	size_t len = strlen(h->t->text);
	if (e > len)
		e = len;
	if (s > e)
		s = e;
	return arena_strndup(ctx->scratch, h->t->text + s, e - s);
}

const char *show_option_replaced(struct check_ctx *ctx, const struct df_command *h, const char *opt,
				 const char *lopt, const char *old, const char *value)
{
	const struct sh_cmd *c = h->f->cmd;
	const char *t = h->t->text;
	size_t ol = strlen(opt), ll = strlen(lopt);
	for (size_t k = h->f->tool_index + 1; c->argc && k < c->argc; k++) {
		const char *v = c->argv[k].value;
		const char *rep = NULL;
		if (strcmp(v, old) == 0 && (strcmp(c->argv[k - 1].value, opt) == 0 ||
					    strcmp(c->argv[k - 1].value, lopt) == 0))
			rep = value;
		else if (strncmp(v, lopt, ll) == 0 && v[ll] == '=' && strcmp(v + ll + 1, old) == 0)
			rep = arena_printf(ctx->arena, "%s=%s", lopt, value);
		else if (strncmp(v, opt, ol) == 0 && strcmp(v + ol, old) == 0)
			rep = arena_printf(ctx->arena, "%s%s", opt, value);
		if (!rep)
			continue;
		size_t s0 = c->argv[0].start, ws = c->argv[k].start, we = c->argv[k].end;
		return arena_printf(ctx->arena, "%.*s%s%.*s", (int)(ws - s0), t + s0, rep,
				    (int)(c->end - we), t + we);
	}
	return arena_printf(ctx->arena, "%s %s", opt, value);
}

const char *show_word(struct check_ctx *ctx, const struct df_instr *in, const char *s)
{
	const char *e = show_expand(ctx, in, s);
	return e ? e : s;
}

const char *show_paths(struct check_ctx *ctx, const struct df_command *h)
{
	size_t n = h->f->npaths;
	const char **shown = n ? arena_alloc(ctx->scratch, n * sizeof(*shown)) : NULL;
	if (n && !shown)
		return "";
	for (size_t i = 0; i < n; i++)
		shown[i] = show_word(ctx, h->t->in, h->f->paths[i]);
	const char *s = arena_join(ctx->scratch, shown, n, " ");
	return s ? s : "";
}

bool show_paths_known(struct check_ctx *ctx, const struct df_command *h)
{
	if (!h->f->npaths)
		return true;
	for (size_t i = 0; i < h->f->npaths; i++)
		if (show_expand(ctx, h->t->in, h->f->paths[i]))
			return true;
	return false;
}

void show_branch(struct check_ctx *ctx, struct diag *d, const struct df_command *c)
{
	const struct sh_cond *u = c->unknown;
	if (!d || !u)
		return;
	d->variant = true;
	const char *how = u->kind == 'c' ? (u->negated ? "does not match" : "matches")
			  : u->negated	 ? "fails"
					 : "holds";
	d->message =
	    arena_printf(ctx->arena,
			 "%s (it runs only when `%s` %s, which unroot cannot tell from the "
			 "file alone: the finding holds if it does)",
			 d->message, u->text, how);
}
