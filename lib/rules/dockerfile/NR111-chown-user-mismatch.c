/*
 * NR111 chown-user-mismatch: files chowned to uid X while the final USER is
 * uid Y, and the group does not reach them either.
 */
#include "final-user.h"
#include "edit.h"
#include "show.h"
#include "unroot/arena.h"
#include "unroot/diag.h"
#include "rules/check.h"
#include "unroot/source.h"

#include <stdint.h>
#include <string.h>

/* Who runs the process, as far as the Dockerfile tells. */
struct runner {
	long uid, gid;	  /* gid: the USER line's, else 0 (OpenShift, and no passwd entry) */
	const char *name; /* the USER name when it is one */
	const char *group;
	const struct dockerfile *df; /* whose useradd lines number names */
};

/* A uid for `who`: a number, root, or an account a useradd of the chain numbers; -1 unknown. */
static long resolve(const struct runner *r, const char *who)
{
	long id = df_id(who);
	if (id >= 0 || !who)
		return id;
	return df_account_uid(r->df, who, SIZE_MAX, false);
}

/* True when the owner `who` is someone else than the runner; false when unsure. */
static bool other_owner(const struct runner *r, const char *who, long *uid)
{
	*uid = resolve(r, who);
	if (*uid == 0)
		return false; /* root-owned files: a matter of group bits, not of owners */
	if (*uid >= 0 && r->uid >= 0)
		return *uid != r->uid;
	if (r->name && df_id(who) < 0)
		return strcmp(who, r->name) != 0;
	return false;
}

/* True when group `g` (a name or number; NULL: unknown) is the runner's group. */
static bool group_reaches(const struct runner *r, const char *g)
{
	if (!g)
		return false;
	long id = df_id(g);
	if (id >= 0)
		return id == 0 || id == r->gid;
	return r->group && strcmp(g, r->group) == 0;
}

static const char *runner_text(struct check_ctx *ctx, const struct runner *r)
{
	if (r->uid >= 0)
		return arena_printf(ctx->arena, "%ld", r->uid);
	return r->name ? r->name : "?";
}

static const char *who_text(struct check_ctx *ctx, const char *who, long uid)
{
	if (uid >= 0 && df_id(who) < 0)
		return arena_printf(ctx->arena, "'%s' (uid %ld)", who, uid);
	return arena_printf(ctx->arena, "'%s'", who);
}

static void check_copy(struct check_ctx *ctx, const struct rule *self, const struct runner *r,
		       const struct df_instr *in)
{
	const struct df_flag *fl = df_flag_get(in, "chown");
	if (!fl || !fl->value || in->nargs < 2)
		return;
	const char *v = show_expand(ctx, in, fl->value);
	if (!v || !*v)
		return;
	const char *colon = strchr(v, ':');
	const char *who = colon ? arena_strndup(ctx->arena, v, (size_t)(colon - v)) : v;
	/* --chown=1001 gives gid 1001; a name alone gives that name's group */
	const char *group = colon ? colon + 1 : (df_id(who) >= 0 ? who : NULL);
	long uid;
	if (!*who || !other_owner(r, who, &uid))
		return;
	const struct df_flag *fm = df_flag_get(in, "chmod");
	const char *mode = fm && fm->value ? show_expand(ctx, in, fm->value) : NULL;
	unsigned m = 0644;
	bool group_read = !mode || (mode_apply(mode, 0644, false, &m) == 0 && (m & 040));
	if (group_reaches(r, group) && group_read)
		return;
	const char *fix = arena_printf(ctx->arena, "--chown=%s:0", runner_text(ctx, r));
	struct diag *d = report(
	    ctx, self, fl->start, fl->end,
	    "'--chown=%s' gives the copied files to %s%s, but the final USER is %s: the process "
	    "is not their owner and %s, so it can only use what the 'other' bits allow; write "
	    "'%s'",
	    fl->value, who_text(ctx, who, uid),
	    group ? arena_printf(ctx->arena, " and group '%s'", group) : " and that user's group",
	    runner_text(ctx, r),
	    group_reaches(r, group) ? "the group has no read bit" : "not in their group", fix);
	if (d)
		d->fix = fix;
	edit_dockerfile(ctx, d, fl->start, fl->end, fix);
}

static void check_run(struct check_ctx *ctx, const struct rule *self, const struct runner *r,
		      const struct df_command *h)
{
	const struct sh_finding *f = h->f;
	if (!f->owner)
		return;
	const char *who = show_expand(ctx, h->t->in, f->owner);
	long uid;
	if (!who || !*who || !other_owner(r, who, &uid))
		return;
	/* chown USER alone keeps the group; USER: gives the login group */
	const char *group = f->group	     ? show_expand(ctx, h->t->in, f->group)
			    : f->owner_colon ? NULL
					     : "0";
	if (f->group && !group)
		return;
	if (group_reaches(r, group))
		return;
	const char *paths = show_paths(ctx, h);
	const char *R = f->recursive ? "-R " : "";
	const char *fix = arena_printf(ctx->arena, "chown %s%s:0 %s && chmod %sg=u %s", R,
				       runner_text(ctx, r), paths, R, paths);
	struct diag edits = {.path = h->t->path};
	edit_chown(ctx, &edits, h, runner_text(ctx, r), false);
	fix = edit_fix(ctx, h, &edits, fix);
	size_t s, e;
	df_command_span(h, &s, &e);
	struct diag *d = diag_add(
	    ctx->diags, self, h->t->path, h->t->src, s, e,
	    "'%s' gives %s to %s and group '%s', but the final USER is %s: the process is not "
	    "their owner and not in their group, so it can only use what the 'other' bits allow; "
	    "write '%s'",
	    show_command(ctx, h), paths, who_text(ctx, who, uid), group ? group : who,
	    runner_text(ctx, r), fix);
	show_branch(ctx, d, h);
	edit_keep(d, &edits, fix);
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	struct final_user fu;
	if (!final_user_get(ctx, &fu) || !fu.known)
		return;
	const struct df_command *h = ctx->df->run;
	size_t n = ctx->df->nrun;
	struct runner r = {
	    .uid = fu.uid, .gid = fu.gid >= 0 ? fu.gid : 0, .group = fu.group, .df = ctx->df};
	if (fu.user_is_name && fu.user && strcmp(fu.user, "root") != 0) {
		r.name = fu.user;
		r.uid = resolve(&r, fu.user);
	}
	if (r.uid == 0 || (r.uid < 0 && !r.name))
		return;
	size_t ncopies = ctx->df->ncopies;
	const struct df_instr *const *copies = ctx->df->copies;
	for (size_t i = 0; i < ncopies; i++)
		check_copy(ctx, self, &r, copies[i]);
	for (size_t i = 0; i < n; i++)
		if (h[i].f->kind == SH_CHOWN && show_paths_known(ctx, &h[i]))
			check_run(ctx, self, &r, &h[i]);
}

const struct rule NR111_chown_user_mismatch = {
    .code = "NR111",
    .name = "chown-user-mismatch",
    .severity = SEV_WARNING,
    .variant_severity = SEV_INFO, /* in a branch the file does not decide */
    .platforms = PLAT_ALL,
    .kind = KIND_DOCKERFILE,
    .summary = "files are chowned to one uid while the final USER is another, and the group "
	       "cannot reach them",
    .description =
	"When COPY/ADD --chown or RUN chown gives files to uid X and the final USER is uid Y, "
	"the process is not the owner. It can then use the files only through the group bits, "
	"if it is in their group, or the 'other' bits. On OpenShift the process has an "
	"arbitrary uid and group 0, so files owned by a fixed uid with group 0 and g=u still "
	"work; files owned by X with X's own group do not work anywhere but for X. Names are "
	"resolved through the useradd lines of the Dockerfile where they can be."
	" A command in a branch whose condition the file does not decide (an if on the base "
	"image's files, a case on the architecture) gives an info finding that names the "
	"condition; a branch the ARG and ENV defaults rule out gives none.",
    .remediation = "Give the files to the final user and group 0 (`COPY --chown=1001:0`, "
		   "`chown -R 1001:0 /app && chmod -R g=u /app`), matching `USER 1001:0`.",
    .bad = "FROM alpine:3.20\nCOPY --chown=1001:1001 app /app\nUSER 2000:0\n",
    .good = "FROM alpine:3.20\nCOPY --chown=2000:0 app /app\nUSER 2000:0\n",
    .check = check,
};
