/* NR109 chown-group-not-root: COPY/ADD --chown or RUN chown gives files a group other than 0. */
#include "final-user.h"
#include "show.h"
#include "unroot/arena.h"
#include "unroot/diag.h"
#include "rules/check.h"
#include "unroot/source.h"

#include <string.h>

/* The source line of an instruction with its --chown flag rewritten, or the flag alone. */
static const char *copy_fix(struct check_ctx *ctx, const struct df_instr *in,
			    const struct df_flag *fl, const char *owner)
{
	const char *flag = arena_printf(ctx->arena, "--chown=%s:0", owner);
	const char *d = ctx->src->data;
	if (memchr(d + in->start, '\n', in->end - in->start))
		return flag;
	return arena_printf(ctx->arena, "%.*s%s%.*s", (int)(fl->start - in->start), d + in->start,
			    flag, (int)(in->end - fl->end), d + fl->end);
}

static void check_copy(struct check_ctx *ctx, const struct rule *self, const struct df_instr *in)
{
	const struct df_flag *fl = df_flag_get(in, "chown");
	if (!fl || !fl->value)
		return;
	const char *v = show_expand(ctx, in, fl->value);
	if (!v || !*v)
		return;
	const char *colon = strchr(v, ':');
	const char *user = colon ? arena_strndup(ctx->arena, v, (size_t)(colon - v)) : v;
	const char *group = colon ? colon + 1 : NULL;
	long uid = df_id(user);
	const char *owner = *user ? user : arena_printf(ctx->arena, "%ld", image_user(ctx)->uid);
	struct diag *d;
	const char *fix;
	if (group && *group) {
		if (df_id(group) == 0)
			return;
		fix = copy_fix(ctx, in, fl, owner);
		d = report(
		    ctx, self, fl->start, fl->end,
		    "'--chown=%s' gives the copied files group '%s', not 0: OpenShift runs the "
		    "container under an arbitrary uid whose only group is 0, so it reaches "
		    "them only through the 'other' bits; write '%s'",
		    fl->value, group, fix);
	} else {
		if (uid == 0)
			return; /* root's group is 0 */
		fix = copy_fix(ctx, in, fl, owner);
		d = report(
		    ctx, self, fl->start, fl->end,
		    "'--chown=%s' names no group, so the copied files get %s, not 0: OpenShift "
		    "runs the container under an arbitrary uid whose only group is 0, so it "
		    "reaches them only through the 'other' bits; write '%s'",
		    fl->value,
		    uid > 0
			? arena_printf(ctx->arena, "gid %ld (a uid alone is used as the gid)", uid)
			: arena_printf(ctx->arena, "the group of '%s'", user),
		    fix);
	}
	if (d)
		d->fix = fix;
}

static void check_run(struct check_ctx *ctx, const struct rule *self, const struct df_command *h)
{
	const struct sh_finding *f = h->f;
	const struct df_instr *in = h->t->in;
	const char *group = f->group ? show_expand(ctx, in, f->group) : NULL;
	const char *owner = f->owner ? show_expand(ctx, in, f->owner) : NULL;
	const char *why;
	if (f->group) {
		if (!group || !*group || df_id(group) == 0)
			return;
		why = arena_printf(ctx->arena, "group '%s'", group);
	} else if (f->owner_colon) {
		if (!owner || df_id(owner) == 0)
			return;
		why = arena_printf(ctx->arena, "the login group of '%s' (`%s:` with no group)",
				   owner, owner);
	} else {
		return; /* chown USER alone keeps the group the files had */
	}
	const char *paths = show_paths(ctx, h);
	if (!*paths)
		paths = "/app";
	const char *R = f->recursive ? "-R " : "";
	const char *fix;
	if (strcmp(f->tool, "install") == 0)
		fix = show_option_replaced(ctx, h, "-g", "--group", f->group, "0");
	else if (owner && *owner)
		fix = arena_printf(ctx->arena, "chown %s%s:0 %s && chmod %sg=u %s", R, owner, paths,
				   R, paths);
	else
		fix =
		    arena_printf(ctx->arena, "chgrp %s0 %s && chmod %sg=u %s", R, paths, R, paths);
	size_t s, e;
	df_command_span(h, &s, &e);
	struct diag *d = diag_add(ctx->diags, self, h->t->path, h->t->src, s, e,
				  "'%s' gives %s %s, not 0: OpenShift runs the container under an "
				  "arbitrary uid whose only group is 0, so it reaches them only "
				  "through the 'other' bits; write '%s'",
				  show_command(ctx, h), paths, why, fix);
	if (d)
		d->fix = fix;
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	size_t ncopies = ctx->df->ncopies;
	const struct df_instr *const *copies = ctx->df->copies;
	for (size_t i = 0; i < ncopies; i++)
		check_copy(ctx, self, copies[i]);
	const struct df_command *h = ctx->df->run;
	size_t n = ctx->df->nrun;
	for (size_t i = 0; i < n; i++)
		if (h[i].f->kind == SH_CHOWN && show_paths_known(ctx, &h[i]))
			check_run(ctx, self, &h[i]);
}

const struct rule NR109_chown_group_not_root = {
    .code = "NR109",
    .name = "chown-group-not-root",
    .severity = SEV_WARNING,
    .platforms = PLAT_ALL,
    .kind = KIND_DOCKERFILE,
    .summary = "COPY/ADD --chown or RUN chown gives files a group other than 0",
    .description =
	"OpenShift runs every container under an arbitrary uid whose only group is 0, and "
	"Kubernetes' runAsUser drops the image's group. Files given to another group "
	"(`--chown=app:app`, `chown -R redis:redis /data`, `chgrp app`) are then reachable only "
	"through the 'other' bits. `--chown=1001` with no group is a trap: BuildKit uses the "
	"uid as the gid, and a name with no group gets that user's own group. `chown app:` "
	"(trailing colon) gives the user's login group. `chown 1001 /app` alone keeps the "
	"group the files had (0 for files root created) and is fine. Variables are expanded "
	"with the ARG and ENV values in scope.",
    .remediation = "Give the files group 0 with the owner's bits: `COPY --chown=1001:0`, or "
		   "`chown -R 1001:0 /app && chmod -R g=u /app`.",
    .bad = "FROM alpine:3.20\nCOPY --chown=1001:1001 app /app\nUSER 1001:0\n",
    .good = "FROM alpine:3.20\nCOPY --chown=1001:0 app /app\nUSER 1001:0\n",
    .check = check,
};
