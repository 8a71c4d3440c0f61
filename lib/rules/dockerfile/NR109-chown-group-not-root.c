/* NR109 chown-group-not-root: COPY/ADD --chown or RUN chown gives files a group other than 0. */
#include "accounts.h"
#include "edit.h"
#include "final-user.h"
#include "show.h"
#include "unroot/arena.h"
#include "unroot/diag.h"
#include "rules/check.h"
#include "unroot/source.h"

#include <string.h>

/*
 * The --chown flag with group 0 and the owner as written ("${uid}" stays
 * "${uid}"); the image's user when it names none.
 */
static const char *copy_fix(struct check_ctx *ctx, const struct df_flag *fl)
{
	/* an account NR108 takes out is named by its uid, as NR108 writes it */
	const char *numeric = account_use_at(ctx, fl->start, fl->end);
	if (numeric)
		return numeric;
	const char *v = fl->value;
	size_t gs, ge, len = strlen(v);
	size_t n = edit_group_span(v, len, &gs, &ge) ? gs - 1 : len;
	if (n == 0)
		return arena_printf(ctx->arena, "--chown=%ld:0", image_user(ctx)->uid);
	return arena_printf(ctx->arena, "--chown=%.*s:0", (int)n, v);
}

/* Every path the command names is given back to group 0 or everyone by the build later. */
static bool reached_later(struct check_ctx *ctx, const struct df_command *h)
{
	const struct sh_finding *f = h->f;
	if (!f->npaths)
		return false;
	for (size_t i = 0; i < f->npaths; i++)
		if (!df_reached_later(ctx->arena, ctx->df, h->t->in,
				      show_expand(ctx, h->t->in, f->paths[i])))
			return false;
	return true;
}

static void check_copy(struct check_ctx *ctx, const struct rule *self, const struct df_instr *in)
{
	const struct df_flag *fl = df_flag_get(in, "chown");
	if (!fl || !fl->value)
		return;
	if (in->nargs >= 2 &&
	    df_reached_later(ctx->arena, ctx->df, in,
			     in->json ? in->args[in->nargs - 1].text
				      : show_expand(ctx, in, in->args[in->nargs - 1].text)))
		return;
	const char *v = show_expand(ctx, in, fl->value);
	if (!v || !*v)
		return;
	const char *colon = strchr(v, ':');
	const char *user = colon ? arena_strndup(ctx->arena, v, (size_t)(colon - v)) : v;
	const char *group = colon ? colon + 1 : NULL;
	long uid = df_id(user);
	struct diag *d;
	const char *fix;
	if (group && *group) {
		if (df_id(group) == 0)
			return;
		fix = copy_fix(ctx, fl);
		d = report(
		    ctx, self, fl->start, fl->end,
		    "'--chown=%s' gives the copied files group '%s', not 0: OpenShift runs the "
		    "container under an arbitrary uid whose only group is 0, so it reaches "
		    "them only through the 'other' bits; write '%s'",
		    fl->value, group, fix);
	} else {
		if (uid == 0)
			return; /* root's group is 0 */
		fix = copy_fix(ctx, fl);
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
	edit_dockerfile(ctx, d, fl->start, fl->end, fix);
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
	/* an account NR108 takes out is named by its uid, as NR108 writes it */
	const char *numeric = NULL;
	size_t k = edit_spec_word(h), ws, we;
	if (strcmp(f->tool, "chown") == 0 && k < f->cmd->argc && edit_word_span(h, k, &ws, &we))
		numeric = account_use_at(ctx, ws, we);
	if (numeric && strchr(numeric, ':'))
		owner = arena_strndup(ctx->arena, numeric, strcspn(numeric, ":"));
	else
		numeric = NULL;
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
	struct diag edits = {.path = h->t->path};
	if (strcmp(f->tool, "install") == 0)
		edit_option(ctx, &edits, h, "-g", "--group", f->group, "0");
	else
		edit_chown(ctx, &edits, h, numeric ? owner : NULL, strcmp(f->tool, "chgrp") == 0);
	fix = edit_fix(ctx, h, &edits, fix);
	size_t s, e;
	df_command_span(h, &s, &e);
	struct diag *d = diag_add(ctx->diags, self, h->t->path, h->t->src, s, e,
				  "'%s' gives %s %s, not 0: OpenShift runs the container under an "
				  "arbitrary uid whose only group is 0, so it reaches them only "
				  "through the 'other' bits; write '%s'",
				  show_command(ctx, h), paths, why, fix);
	show_branch(ctx, d, h);
	edit_keep(d, &edits, fix);
}

/*
 * The group the command gives is known and not 0: then the group is the
 * problem whatever the paths are, even a loop variable (`for d in A B; do
 * chown -R app:app "$d"; done`) or a variable with no value in the file.
 */
static bool group_known(struct check_ctx *ctx, const struct df_command *h)
{
	const struct sh_finding *f = h->f;
	const char *g = f->group		     ? show_expand(ctx, h->t->in, f->group)
			: f->owner_colon && f->owner ? show_expand(ctx, h->t->in, f->owner)
						     : NULL;
	return g && *g && df_id(g) != 0;
}

/* The text sets variable name[0..n) to a fresh temporary folder: NAME="$(mktemp -d)". */
static bool temp_var(const char *text, const char *name, size_t n)
{
	for (const char *p = text; n && (p = strstr(p, name)) != NULL; p++) {
		if (strncmp(p + n, "=", 1) != 0 || (p > text && p[-1] != ' ' && p[-1] != '\t' &&
						    p[-1] != ';' && p[-1] != '&' && p[-1] != '\n'))
			continue;
		const char *v = p + n + 1;
		v += *v == '"';
		if (strncmp(v, "$(mktemp", 8) == 0 || strncmp(v, "`mktemp", 7) == 0)
			return true;
	}
	return false;
}

/* Some path is a build's scratch folder, made by mktemp in the same text and removed. */
static bool scratch_path(const struct df_command *h)
{
	for (size_t i = 0; i < h->f->npaths; i++) {
		const char *w = h->f->paths[i];
		if (*w != '$')
			continue;
		w += 1 + (w[1] == '{');
		size_t n =
		    strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
		char name[64];
		if (n == 0 || n >= sizeof(name))
			continue;
		memcpy(name, w, n);
		name[n] = 0;
		if (temp_var(h->t->text, name, n))
			return true;
	}
	return false;
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
		if (h[i].f->kind == SH_CHOWN &&
		    (show_paths_known(ctx, &h[i]) ||
		     (group_known(ctx, &h[i]) && !scratch_path(&h[i]))) &&
		    (h[i].t->in_script || !reached_later(ctx, &h[i])))
			check_run(ctx, self, &h[i]);
}

const struct rule NR109_chown_group_not_root = {
    .code = "NR109",
    .name = "chown-group-not-root",
    .severity = SEV_WARNING,
    .variant_severity = SEV_INFO, /* in a branch the file does not decide */
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
	"with the ARG and ENV values in scope; when the group is known and not 0, a path "
	"that is not (a loop variable, a variable the file gives no value) is reported as "
	"written, except a scratch folder the same RUN makes with mktemp. Not reported when "
	"the same or a later RUN gives the path back: to group 0 with the group's rwx "
	"(`chgrp -R 0 DIR && chmod -R g+rwX DIR`), or with a mode that lets everyone read "
	"it and gives the group no more than \"other\" (1777, 755, 705): the group then "
	"no longer matters."
	" A command in a branch whose condition the file does not decide (an if on the base "
	"image's files, a case on the architecture) gives an info finding that names the "
	"condition; a branch the ARG and ENV defaults rule out gives none.",
    .remediation = "Give the files group 0 with the owner's bits: `COPY --chown=1001:0`, or "
		   "`chown -R 1001:0 /app && chmod -R g=u /app`.",
    .bad = "FROM alpine:3.20\nCOPY --chown=1001:1001 app /app\nUSER 1001:0\n",
    .good = "FROM alpine:3.20\nCOPY --chown=1001:0 app /app\nUSER 1001:0\n",
    .check = check,
};
