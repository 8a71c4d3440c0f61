/* final-user.c - the final stage's user, shared by the Dockerfile USER rules. */
#include "final-user.h"
#include "memo.h"
#include "unroot/arena.h"
#include "unroot/lint.h"
#include "rules/check.h"
#include "shell/shell.h"

#include <stdint.h>
#include <string.h>

static bool compute(const struct check_ctx *ctx, struct final_user *fu);

/* Asked by most USER rules for each input: worked out once (the base image
 * lookup matches the reference against every listed pattern). */
bool final_user_get(struct check_ctx *ctx, struct final_user *fu)
{
	struct df_memo *m = df_memo(ctx);
	if (m && m->has_user) {
		*fu = m->user;
		return m->user_ok;
	}
	bool ok = compute(ctx, fu);
	if (m) {
		m->has_user = true;
		m->user_ok = ok;
		m->user = *fu;
	}
	return ok;
}

static bool compute(const struct check_ctx *ctx, struct final_user *fu)
{
	memset(fu, 0, sizeof(*fu));
	fu->uid = fu->gid = -1;
	if (!ctx->df || !df_final_user(ctx->df, ctx->opts, &fu->f))
		return false;
	/* Windows images run as account names (ContainerUser); uids do not apply. */
	if (df_stage_is_windows(ctx->df, fu->f.stage))
		return false;
	const struct df_user *u = fu->f.user;
	if (!u->instr) {
		fu->from_base = true;
		fu->line = fu->f.from;
		fu->start = fu->f.from->start;
		fu->end = fu->f.from->end;
		if (fu->f.base_known) {
			fu->known = true;
			fu->uid = fu->f.base_uid;
			fu->gid = fu->f.base_gid;
		}
		return true;
	}
	fu->line = u->instr;
	fu->start = u->instr->start;
	fu->end = u->instr->end;
	if (!u->value)
		return true;
	fu->known = true;
	if (!*u->value) { /* `USER ""` leaves the default: root */
		fu->user = "";
		fu->uid = 0;
		fu->user_is_name = false;
		return true;
	}
	fu->user = u->user;
	fu->group = u->group;
	fu->user_is_name = u->uid < 0;
	fu->uid = strcmp(u->user, "root") == 0 ? 0 : u->uid;
	if (u->group)
		fu->gid = strcmp(u->group, "root") == 0 ? 0 : u->gid;
	return true;
}

const struct df_image_user *image_user(struct check_ctx *ctx)
{
	struct df_memo *m = df_memo(ctx);
	static const struct df_image_user none = {.uid = 1001};
	if (m && m->has_image_user)
		return &m->image_user;
	if (!m || !ctx->df)
		return &none;
	df_image_user(ctx->arena, ctx->df, ctx->opts, &m->image_user);
	m->has_image_user = true;
	return &m->image_user;
}

const char *final_user_fix(struct check_ctx *ctx)
{
	return arena_printf(ctx->arena, "USER %ld:0", image_user(ctx)->uid);
}

const char *image_user_why(struct check_ctx *ctx)
{
	const struct df_image_user *u = image_user(ctx);
	return u->why ? arena_printf(ctx->arena, " (uid %ld: %s)", u->uid, u->why) : "";
}

const char *final_user_origin(const struct check_ctx *ctx, const struct final_user *fu)
{
	if (!fu->from_base)
		return "";
	return arena_printf(ctx->arena, " (the user comes from the base image '%s': %s)",
			    fu->f.base ? fu->f.base : "?",
			    fu->f.base_source ? fu->f.base_source : "not listed");
}

const char *final_user_written(struct check_ctx *ctx, const struct final_user *fu, long *colon)
{
	const char *t = fu->line->text;
	int depth = 0;
	*colon = -1;
	for (const char *p = t; *p; p++) {
		if (*p == '{')
			depth++;
		else if (*p == '}' && depth > 0)
			depth--;
		else if (*p == ':' && depth == 0) {
			*colon = p - t;
			break;
		}
	}
	size_t n = *colon >= 0 ? (size_t)*colon : strlen(t);
	while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t'))
		n--;
	return arena_strndup(ctx->arena, t, n);
}

const char *final_user_fix_keep(struct check_ctx *ctx, const struct final_user *fu)
{
	long colon;
	if (fu->from_base || fu->uid != image_user(ctx)->uid || fu->user_is_name)
		return final_user_fix(ctx);
	return arena_printf(ctx->arena, "USER %s:0", final_user_written(ctx, fu, &colon));
}
