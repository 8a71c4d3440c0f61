/* NR108 user-created-in-run: accounts created or changed in a RUN of the final image. */
#include "accounts.h"
#include "edit.h"
#include "final-user.h"
#include "show.h"
#include "unroot/arena.h"
#include "unroot/diag.h"
#include "unroot/lint.h"
#include "rules/check.h"
#include "unroot/source.h"
#include "util/strmap.h"

#include <stdlib.h>
#include <string.h>

static const char *what(const struct sh_finding *f)
{
	switch (f->kind) {
	case SH_USER_ADD:
		return "creates the user";
	case SH_GROUP_ADD:
		return "creates the group";
	case SH_USER_MOD:
		return "changes the user";
	default:
		return "changes the group";
	}
}

/*
 * A RUN that writes lines into /etc/passwd (`echo ... >> /etc/passwd`,
 * `cat >`, `tee [-a]`) writes accounts as useradd does. A chmod of the
 * file is NR114's matter, and `sed -i` edits entries that are there.
 */
static bool passwd_append(const struct sh_finding *f)
{
	return f->kind == SH_PASSWD_WRITE &&
	       (strcmp(f->tool, ">>") == 0 || strcmp(f->tool, ">") == 0 ||
		strcmp(f->tool, "tee") == 0);
}

static const char *script_where(struct check_ctx *ctx, const struct df_command *h)
{
	if (!h->t->in_script)
		return "";
	unsigned line, col;
	source_position(ctx->src, h->t->in->start, &line, &col);
	return arena_printf(ctx->arena, " (in a script that %s on line %u of %s runs)",
			    h->t->in->keyword, line, ctx->path);
}

/*
 * What to do instead. An image that starts a program that runs only as root
 * in a privileged container (dockerd: NR101 says so) gets no USER line, so the
 * advice names none and no edit takes its accounts out (dockerd's userns-remap
 * uses dockremap); every other image is told its one user.
 */
static const char *instead(struct check_ctx *ctx)
{
	if (ctx->df->needs_root)
		return arena_printf(ctx->arena,
				    "this image must run as root in a privileged container, since "
				    "it starts '%s' (NR101), so no USER line applies: leave the "
				    "account to that program, and run the image only where "
				    "privileged containers are allowed",
				    ctx->df->needs_root);
	return arena_printf(ctx->arena,
			    "say who runs the process with '%s' and give the app's files to "
			    "group 0 instead",
			    final_user_fix(ctx));
}

/*
 * No edit: the line written may name a user other lines use; the fix is
 * the USER line the USER rules give, and the message says it.
 */
static struct diag *report_passwd(struct check_ctx *ctx, const struct rule *self,
				  const struct df_command *h)
{
	size_t s, e;
	df_command_span(h, &s, &e);
	const char *cmd = show_command(ctx, h);
	return diag_add(
	    ctx->diags, self, h->t->path, h->t->src, s, e,
	    "'%s' writes an account into /etc/passwd in a RUN step of the final image%s, "
	    "as useradd would: the image then depends on that entry, although OpenShift "
	    "runs it under an arbitrary uid the entry does not name, and Kubernetes' "
	    "runAsUser replaces it; %s%s",
	    cmd ? cmd : h->f->tool, script_where(ctx, h),
	    ctx->df->needs_root ? "" : "drop the line, ", instead(ctx));
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	const struct df_command *h = ctx->df->run;
	size_t n = ctx->df->nrun;
	const struct account_removal *rm = account_removal(ctx);
	bool remove = rm && rm->ok && !ctx->df->needs_root;
	for (size_t i = 0; i < n; i++) {
		const struct sh_finding *f = h[i].f;
		if (passwd_append(f)) {
			show_branch(ctx, report_passwd(ctx, self, &h[i]), &h[i]);
			continue;
		}
		if (!account_command(f))
			continue;
		size_t s, e;
		df_command_span(&h[i], &s, &e);
		const char *cmd = show_command(ctx, &h[i]);
		const char *where = script_where(ctx, &h[i]);
		struct diag *d = diag_add(
		    ctx->diags, self, h[i].t->path, h[i].t->src, s, e,
		    "'%s' %s '%s' in a RUN step of the final image%s: the image then depends on "
		    "that account, although OpenShift runs it under an arbitrary uid that is in no "
		    "/etc/passwd entry and Kubernetes' runAsUser replaces it, and the tool may be "
		    "missing from the base image; %s",
		    cmd ? cmd : f->tool, what(f),
		    f->name ? show_word(ctx, h[i].t->in, f->name) : "?", where, instead(ctx));
		show_branch(ctx, d, &h[i]);
		/* The command goes when every other line naming the account can name its uid
		 * instead (accounts.c); those lines become numeric in the same fix, the same
		 * text the USER and chown rules write there. */
		if (!remove) {
			if (d)
				d->no_edit =
				    ctx->df->needs_root
					? "the entrypoint needs root and the account it drops to"
					: "another line needs the account by name, or taking the "
					  "command out would leave the RUN invalid shell";
			continue;
		}
		edit_dockerfile(ctx, d, rm->start[i], rm->end[i], "");
		for (size_t k = 0; k < rm->nuses; k++)
			edit_dockerfile(ctx, d, rm->uses[k].start, rm->uses[k].end,
					rm->uses[k].text);
	}
}

const struct rule NR108_user_created_in_run = {
    .code = "NR108",
    .name = "user-created-in-run",
    .severity = SEV_WARNING,
    .variant_severity = SEV_INFO, /* in a branch the file does not decide */
    .platforms = PLAT_ALL,
    .kind = KIND_DOCKERFILE,
    .summary = "useradd, adduser, groupadd, addgroup, usermod, groupmod or a line written into "
	       "/etc/passwd in a RUN of the final image",
    .description =
	"Creating an account in the image (useradd, adduser, groupadd, addgroup, usermod, "
	"groupmod, or a line written into /etc/passwd with `echo ... >> /etc/passwd`, `cat >` or "
	"`tee -a`, in a RUN step of the final stage or the stages it is built FROM, heredoc "
	"bodies and context scripts those steps run included) ties the image to a user that "
	"only this image knows. OpenShift ignores it and runs the container under an arbitrary "
	"uid in group 0, with no entry of its own; Kubernetes' runAsUser replaces it; and "
	"adduser or useradd may not exist in a slimmer base image. A numeric `USER uid:0` says "
	"who runs the process without any account, and group-0 permissions make the files "
	"reachable for whatever uid the platform picks."
	" A command in a branch whose condition the file does not decide (an if on the base "
	"image's files, a case on the architecture) gives an info finding that names the "
	"condition; a branch the ARG and ENV defaults rule out gives none.",
    .remediation = "Drop the account commands, write `USER 1001:0`, and give the app's files "
		   "to group 0 with the owner's bits (`chgrp -R 0 /app && chmod -R g=u /app`, "
		   "or `COPY --chown=1001:0`).",
    .bad = "FROM alpine:3.20\nRUN addgroup -S app && adduser -S -G app -u 1001 app\nUSER 1001\n",
    .good = "FROM alpine:3.20\nCOPY --chown=1001:0 app /app\nUSER 1001:0\n",
    .check = check,
    .edits_together = true,
};
