/*
 * NR110 chmod-group-denied: --chmod, RUN chmod or install -m takes from the
 * group a read bit (or, where the owner has it, an execute bit) the owner keeps.
 */
#include "edit.h"
#include "show.h"
#include "unroot/arena.h"
#include "unroot/diag.h"
#include "rules/check.h"
#include "unroot/source.h"

#include <string.h>

/* RUN steps run with runc's default umask unless the OCI config sets one. */
#define RUN_UMASK 022u

/* Bits the owner has and the group lacks: read, and execute. */
static unsigned denied(unsigned m)
{
	unsigned owner = (m >> 6) & 05, group = (m >> 3) & 05;
	return owner & ~group;
}

/* Bits the owner has that neither the group nor "other" gives. */
static unsigned denied_to_all(unsigned m)
{
	unsigned owner = (m >> 6) & 05, group = (m >> 3) & 05, other = m & 05;
	return owner & ~(group | other);
}

/*
 * Applies the mode to a 0644 file and a 0755 folder. Returns the denied
 * bits (0 when fine, or when the mode does not parse) and the two results.
 */
static unsigned evaluate(const char *mode, unsigned umask_value, unsigned *file, unsigned *dir)
{
	if (mode_apply_umask(mode, 0644, false, umask_value, file) != 0 ||
	    mode_apply_umask(mode, 0755, true, umask_value, dir) != 0)
		return 0;
	return denied(*file) | denied(*dir);
}

static const char *bits_name(unsigned d)
{
	return d == 05 ? "read and execute" : d == 04 ? "read" : "execute";
}

/*
 * The mode to write instead: group 0 gets the owner's permissions (g=u), as
 * the arbitrary uid plays the owner's part on OpenShift; a folder the owner
 * writes stays writable. An octal mode has its group digit replaced by the
 * owner's (700 -> 770, 0600 -> 0660), so set-id, sticky and "other" bits stay
 * as written; a symbolic mode is followed by ",g=u".
 */
static const char *better(struct check_ctx *ctx, const char *mode)
{
	size_t n = strlen(mode);
	if (mode[0] >= '0' && mode[0] <= '7') {
		char *m = arena_printf(ctx->arena, "%s", mode);
		if (m && n >= 3)
			m[n - 2] = m[n - 3];
		return m;
	}
	return arena_printf(ctx->arena, "%s,g=u", mode);
}

/*
 * A GnuPG home ($GNUPGHOME, ~/.gnupg, a folder named gnupg or gpg): gpg
 * refuses a home others can read ("unsafe permissions on homedir"), so
 * 0700 is what it needs, not a mistake.
 */
static bool gnupg_home(const char *p)
{
	if (strstr(p, "GNUPGHOME") || strstr(p, "gnupg"))
		return true;
	for (const char *s = strstr(p, "gpg"); s; s = strstr(s + 1, "gpg"))
		if ((s == p || s[-1] == '/') && (s[3] == '\0' || s[3] == '/'))
			return true;
	return false;
}

/* Paths nobody but root needs: private keys and the account databases. */
static bool private_path(const char *p)
{
	return gnupg_home(p) || strncmp(p, "/root", 5) == 0 || strstr(p, "/.ssh") ||
	       strncmp(p, "/etc/shadow", 11) == 0 || strncmp(p, "/etc/gshadow", 12) == 0 ||
	       strncmp(p, "/etc/sudoers", 12) == 0 || strncmp(p, "/etc/ssh", 8) == 0 ||
	       strstr(p, "/private") != NULL;
}

static void check_flag(struct check_ctx *ctx, const struct rule *self, const struct df_instr *in)
{
	const struct df_flag *fl = df_flag_get(in, "chmod");
	if (!fl || !fl->value || in->nargs < 2)
		return;
	const char *mode = show_expand(ctx, in, fl->value);
	unsigned file, dir;
	unsigned d = mode ? evaluate(mode, 0, &file, &dir) : 0;
	if (!d || private_path(in->args[in->nargs - 1].text))
		return;
	const char *fix = arena_printf(ctx->arena, "--chmod=%s", better(ctx, mode));
	struct diag *dg = report(
	    ctx, self, fl->start, fl->end,
	    "'--chmod=%s' leaves the owner %s permission that group 0 does not get (files "
	    "%04o, folders %04o): OpenShift's arbitrary uid is not the owner and reaches the "
	    "files only through group 0, so the app cannot read them there; give group 0 the "
	    "owner's permissions: write '%s'",
	    fl->value, bits_name(d), file, dir, fix);
	if (dg)
		dg->fix = fix;
	edit_dockerfile(ctx, dg, fl->start, fl->end, fix);
}

static void check_run(struct check_ctx *ctx, const struct rule *self, const struct df_command *h)
{
	const struct sh_finding *f = h->f;
	const char *mode = show_expand(ctx, h->t->in, f->mode);
	unsigned file, dir;
	unsigned d = mode ? evaluate(mode, RUN_UMASK, &file, &dir) : 0;
	if (!d)
		return;
	/* A path of a group other than 0 is reached through its "other" bits
	 * (705 after chown app:app): only what they also lack is denied. */
	bool others = !denied_to_all(file) && !denied_to_all(dir);
	bool any = f->npaths == 0;
	for (size_t i = 0; i < f->npaths; i++) {
		const char *p = show_expand(ctx, h->t->in, f->paths[i]);
		if (!private_path(f->paths[i]) &&
		    !(others && df_group_not_root(ctx->arena, ctx->df, h, p ? p : f->paths[i])))
			any = true;
	}
	if (!any)
		return;
	const char *paths = f->npaths ? arena_join(ctx->scratch, f->paths, f->npaths, " ") : "";
	if (!paths)
		return;
	const char *fix =
	    strcmp(f->tool, "install") == 0
		? show_option_replaced(ctx, h, "-m", "--mode", f->mode, better(ctx, mode))
		: arena_printf(ctx->arena, "chmod %s%s%s%s", f->recursive ? "-R " : "",
			       better(ctx, mode), *paths ? " " : "", paths);
	/* the mode word alone changes: options, paths and quotes stay as written */
	struct diag edits = {.path = h->t->path};
	if (strcmp(f->tool, "install") == 0)
		edit_option(ctx, &edits, h, "-m", "--mode", f->mode, better(ctx, mode));
	else if (edit_find_word(h, f->mode) < f->cmd->argc)
		edit_word(ctx, &edits, h, edit_find_word(h, f->mode), better(ctx, mode));
	fix = edit_fix(ctx, h, &edits, fix);
	size_t s, e;
	df_command_span(h, &s, &e);
	struct diag *dg = diag_add(
	    ctx->diags, self, h->t->path, h->t->src, s, e,
	    "'%s' leaves the owner %s permission that group 0 does not get (a 0644 file becomes "
	    "%04o, a 0755 folder %04o): OpenShift's arbitrary uid is not the owner and reaches "
	    "the files only through group 0, so the app cannot use them there; give group 0 the "
	    "owner's permissions: write '%s'",
	    show_command(ctx, h), bits_name(d), file, dir, fix);
	show_branch(ctx, dg, h);
	edit_keep(dg, &edits, fix);
}

static bool remote_file(const char *s)
{
	if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
		return false;
	/* a Git repository keeps the modes it holds */
	size_t n = strcspn(s, "?#");
	return !(n >= 4 && strncmp(s + n - 4, ".git", 4) == 0);
}

/* The last part of a URL's path, before a query: the name ADD saves it under in a folder. */
static const char *url_name(struct check_ctx *ctx, const char *url)
{
	size_t n = strcspn(url, "?#");
	size_t b = n;
	while (b > 0 && url[b - 1] != '/')
		b--;
	return b < n ? arena_strndup(ctx->scratch, url + b, n - b) : NULL;
}

/*
 * Whether a RUN after `from` in the final image names `what`: the file is
 * then used by the build (unpacked and deleted, chmodded, moved), and what
 * it becomes is the later command's matter.
 */
static bool used_later(struct check_ctx *ctx, const struct df_instr *from, const char *what)
{
	const struct dockerfile *df = ctx->df;
	if (!what || !*what)
		return false;
	for (size_t c = 0; c < df->nchain; c++) {
		const struct df_stage *st = &df->stages[df->chain[c]];
		for (size_t k = st->first; k < st->last; k++) {
			const struct df_instr *in = &df->instrs[k];
			if (in->start <= from->start || in->cmd != DF_RUN)
				continue;
			const char *t = show_expand(ctx, in, in->text);
			if (strstr(t ? t : in->text, what))
				return true;
			for (size_t j = 0; j < in->nheredocs; j++)
				if (strstr(in->heredocs[j].body, what))
					return true;
		}
	}
	return false;
}

/*
 * ADD URL DEST saves the download with mode 0600 and owner root (or the
 * --chown user): nobody but its owner can read it, and group 0 gets no bit.
 * Quiet when --chmod says the mode (check_flag) or a later RUN uses the file.
 */
static void check_url(struct check_ctx *ctx, const struct rule *self, const struct df_instr *in)
{
	if (in->cmd != DF_ADD || in->nargs < 2 || df_flag_get(in, "chmod"))
		return;
	const char *dest = show_expand(ctx, in, in->args[in->nargs - 1].text);
	if (!dest || private_path(dest))
		return;
	const char *first = NULL;
	for (size_t i = 0; i + 1 < in->nargs; i++) {
		const char *url = show_expand(ctx, in, in->args[i].text);
		if (!url || !remote_file(url))
			continue;
		const char *name = url_name(ctx, url);
		if (used_later(ctx, in, dest) || (name && used_later(ctx, in, name)))
			return;
		if (!first)
			first = url;
	}
	if (!first || in->json)
		return;
	/* a program in a bin folder needs its execute bits too */
	const char *mode = strstr(dest, "bin/") || (strlen(dest) >= 4 &&
						    strcmp(dest + strlen(dest) - 4, "/bin") == 0)
			       ? "755"
			       : "644";
	size_t at = in->nflags ? in->flags[0].start : in->args[0].start;
	const char *line =
	    arena_strndup(ctx->scratch, ctx->src->data + in->start, in->end - in->start);
	size_t kw = strlen(in->keyword);
	const char *fix =
	    line ? arena_printf(ctx->arena, "%.*s --chmod=%s%s", (int)kw, line, mode, line + kw)
		 : NULL;
	struct diag *dg = report(
	    ctx, self, in->start, in->end,
	    "'ADD %s' saves the download with mode 0600, owned by %s: only the owner can read "
	    "it, and neither a USER other than the owner nor OpenShift's arbitrary uid, which "
	    "reaches the image's files only through group 0, can; say the mode: write '%s'",
	    first, df_flag_get(in, "chown") ? "the --chown user" : "root",
	    fix ? fix : "ADD --chmod=644 URL DEST");
	if (dg && fix)
		dg->fix = fix;
	edit_dockerfile(ctx, dg, at, at, arena_printf(ctx->arena, "--chmod=%s ", mode));
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	size_t ncopies = ctx->df->ncopies;
	const struct df_instr *const *copies = ctx->df->copies;
	for (size_t i = 0; i < ncopies; i++) {
		check_flag(ctx, self, copies[i]);
		check_url(ctx, self, copies[i]);
	}
	const struct df_command *h = ctx->df->run;
	size_t n = ctx->df->nrun;
	for (size_t i = 0; i < n; i++)
		if (h[i].f->kind == SH_CHMOD)
			check_run(ctx, self, &h[i]);
}

const struct rule NR110_chmod_group_denied = {
    .code = "NR110",
    .name = "chmod-group-denied",
    .severity = SEV_WARNING,
    .variant_severity = SEV_INFO, /* in a branch the file does not decide */
    .platforms = PLAT_OPENSHIFT | PLAT_KUBERNETES,
    .kind = KIND_DOCKERFILE,
    .summary = "--chmod or RUN chmod takes from the group a read or execute bit the owner keeps",
    .description =
	"OpenShift runs the container under an arbitrary uid that owns nothing in the image; "
	"it is in group 0, so it gets exactly the group bits. A mode such as 700, 600, "
	"`go-rwx`, `g-r` or `u+x` alone leaves the owner able to read (or execute) what the "
	"group cannot, and the app fails there while it works under Docker as the owner. "
	"Owner-only write (750, 640) is not reported: code and configuration may be "
	"read-only to the process. Symbolic modes are evaluated as chmod(1) does on a 0644 "
	"file and a 0755 folder, with runc's umask 022 for RUN steps. Private paths (/root, "
	"~/.ssh, /etc/shadow, /etc/ssh, .../private) are left alone, and so are GnuPG homes "
	"($GNUPGHOME, .gnupg, gnupg and gpg folders), which gpg requires to be 0700. `ADD URL "
	"DEST` without --chmod counts as a mode too: the download is saved 0600, so it is "
	"reported unless a later RUN uses the file (unpacks, moves or chmods it). On files "
	"the build gave a group other than 0 (`--chown=app:app`, `chown -R app:app`), a "
	"process in group 0 gets the \"other\" bits instead, so 705 there is not reported: "
	"everyone reads them."
	" A command in a branch whose condition the file does not decide (an if on the base "
	"image's files, a case on the architecture) gives an info finding that names the "
	"condition; a branch the ARG and ENV defaults rule out gives none.",
    .remediation = "Give group 0 the owner's permissions, as OpenShift's uid plays the "
		   "owner's part: `chmod 770` instead of 700 (a folder the app writes stays "
		   "writable), `660` instead of 600, or `,g=u` after a symbolic mode "
		   "(`chmod -R go-rwx,g=u /app`); the other bits stay as written. Say the "
		   "mode of a download: `ADD --chmod=644 URL DEST`.",
    .bad = "FROM alpine:3.20\nCOPY --chown=1001:0 --chmod=700 app /app\nUSER 1001:0\n",
    .good = "FROM alpine:3.20\nCOPY --chown=1001:0 --chmod=770 app /app\nUSER 1001:0\n",
    .check = check,
};
