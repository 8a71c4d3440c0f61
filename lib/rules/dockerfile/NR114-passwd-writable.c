/* NR114 passwd-writable: /etc/passwd made group- or world-writable. */
#include "edit.h"
#include "show.h"
#include "unroot/arena.h"
#include "unroot/diag.h"
#include "rules/check.h"

#include <string.h>

#define RUN_UMASK 022u
#define FIX	  "chmod 644 /etc/passwd"

static const char *why =
    "on OpenShift the runtime adds an /etc/passwd entry for the arbitrary uid it picks, but "
    "not when the file is group- or world-writable, and any process in group 0 can then "
    "write accounts into it; let the runtime add the entry and keep the file at 0644";

static void check(struct check_ctx *ctx, const struct rule *self)
{
	size_t ncopies = ctx->df->ncopies;
	const struct df_instr *const *copies = ctx->df->copies;
	for (size_t i = 0; i < ncopies; i++) {
		const struct df_instr *in = copies[i];
		const struct df_flag *fl = df_flag_get(in, "chmod");
		if (!fl || !fl->value || in->nargs < 2)
			continue;
		const char *dest = in->json ? in->args[in->nargs - 1].text
					    : show_expand(ctx, in, in->args[in->nargs - 1].text);
		const char *mode = show_expand(ctx, in, fl->value);
		unsigned m;
		if (!dest || !mode || strcmp(dest, "/etc/passwd") != 0 ||
		    mode_apply(mode, 0644, false, &m) != 0 || !(m & 022))
			continue;
		struct diag *d = report(ctx, self, fl->start, fl->end,
					"'--chmod=%s' makes /etc/passwd %04o, writable by %s: %s; "
					"write '--chmod=644'",
					fl->value, m, (m & 02) ? "everyone" : "group 0", why);
		if (d)
			d->fix = "--chmod=644";
		edit_dockerfile(ctx, d, fl->start, fl->end, "--chmod=644");
	}
	const struct df_command *h = ctx->df->run;
	size_t n = ctx->df->nrun;
	for (size_t i = 0; i < n; i++) {
		const struct sh_finding *f = h[i].f;
		if (f->kind != SH_PASSWD_WRITE || !f->mode)
			continue;
		const char *mode = show_expand(ctx, h[i].t->in, f->mode);
		unsigned m;
		if (!mode || mode_apply_umask(mode, 0644, false, RUN_UMASK, &m) != 0 || !(m & 022))
			continue;
		size_t s, e;
		df_command_span(&h[i], &s, &e);
		struct diag *d = diag_add(
		    ctx->diags, self, h[i].t->path, h[i].t->src, s, e,
		    "'%s' makes /etc/passwd %04o, writable by %s: %s; write '%s' or drop "
		    "the command",
		    show_command(ctx, &h[i]), m, (m & 02) ? "everyone" : "group 0", why, FIX);
		if (d)
			d->fix = FIX;
		show_branch(ctx, d, &h[i]);
		/* `chmod MODE /etc/passwd` alone: its mode word becomes 644 */
		if (strcmp(f->tool, "chmod") == 0 && f->npaths == 1 && !f->recursive &&
		    strcmp(f->paths[0], "/etc/passwd") == 0 &&
		    edit_find_word(&h[i], f->mode) < f->cmd->argc)
			edit_word(ctx, d, &h[i], edit_find_word(&h[i], f->mode), "644");
	}
}

const struct rule NR114_passwd_writable = {
    .code = "NR114",
    .name = "passwd-writable",
    .severity = SEV_WARNING,
    .variant_severity = SEV_INFO, /* in a branch the file does not decide */
    .platforms = PLAT_ALL,
    .kind = KIND_DOCKERFILE,
    .summary = "/etc/passwd made group- or world-writable",
    .description =
	"An old recipe for arbitrary uids makes /etc/passwd group-writable (`chmod g=u "
	"/etc/passwd`, `chmod 664`, `chmod -R g+w /etc`) so an entrypoint can append an entry "
	"for its own uid. The runtimes now add that entry themselves, and turn the injection "
	"off when the file is writable, so the recipe only leaves a file every process in "
	"group 0 may rewrite. Checked in RUN steps of the final image (with runc's umask 022) "
	"and for `COPY --chmod` onto /etc/passwd."
	" A command in a branch whose condition the file does not decide (an if on the base "
	"image's files, a case on the architecture) gives an info finding that names the "
	"condition; a branch the ARG and ENV defaults rule out gives none.",
    .remediation = "Drop the chmod on /etc/passwd and the entrypoint code that writes to it; "
		   "keep the file at 0644.",
    .bad = "FROM alpine:3.20\nRUN chmod g=u /etc/passwd\nUSER 1001:0\n",
    .good = "FROM alpine:3.20\nRUN chmod -R g=u /app\nUSER 1001:0\n",
    .check = check,
};
