/*
 * NR117 volume-not-writable: a VOLUME folder of the final image that the
 * Dockerfile leaves root's with mode 0755, for a non-root final user.
 *
 * Docker and Podman fill a new named volume from the image's folder, owner
 * and mode included, and a runtime that mounts nothing there keeps the
 * folder as it is: the app, which writes its data there, then cannot. Only
 * what the file decides counts. On scratch or an official OS or language
 * image, whose top folders are the system's own, the folder is made here
 * as root by a RUN mkdir, a WORKDIR or a COPY into it, or by VOLUME
 * itself; on another base only a plain mkdir that fails the step when the
 * folder is there proves it new. Nothing later may change its owner or
 * mode or copy over it. A folder under the system's own (/var, /opt,
 * /home, ...) can come from a package or the base image: never reported.
 */
#include "edit.h"
#include "final-user.h"
#include "folder.h"
#include "show.h"
#include "unroot/arena.h"
#include "unroot/diag.h"
#include "rules/check.h"
#include "unroot/source.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The top folder is one an OS image already has, or that its packages fill. */
static bool system_folder(const char *dir)
{
	static const char *const names[] = {
	    "bin", "boot", "dev",  "etc", "home", "lib", "lib32", "lib64", "libx32", "media", "mnt",
	    "opt", "proc", "root", "run", "sbin", "srv", "sys",	  "tmp",   "usr",    "var"};
	const char *t = dir + 1;
	size_t n = strcspn(t, "/");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && strncmp(t, names[i], n) == 0)
			return true;
	return false;
}

/*
 * The image is empty (scratch), or an official OS or language image, whose
 * top folders are the system's own (base_has() names the exception): a
 * top folder outside those is certainly not in it.
 */
static bool known_base(const char *base)
{
	static const char *const names[] = {"scratch",
					    "alpine",
					    "debian",
					    "ubuntu",
					    "busybox",
					    "fedora",
					    "centos",
					    "rockylinux",
					    "almalinux",
					    "amazonlinux",
					    "oraclelinux",
					    "archlinux",
					    "python",
					    "node",
					    "golang",
					    "ruby",
					    "php",
					    "perl",
					    "rust",
					    "gcc",
					    "openjdk",
					    "eclipse-temurin",
					    "amazoncorretto",
					    "maven",
					    "gradle",
					    "buildpack-deps",
					    "erlang",
					    "elixir"};
	return folder_base_is(base, names, sizeof(names) / sizeof(names[0]));
}

/* golang's /go is 1777: a language image may have a top folder of its own. */
static bool base_has(const char *base, const char *dir)
{
	static const char *const golang[] = {"golang"};
	return folder_base_is(base, golang, 1) && folder_within(dir, "/go");
}

/* `dir` or a path under it, as a word of `t` (after a space, quote, '=' or shell operator). */
static bool names(const char *t, const char *dir, bool exact)
{
	size_t n = strlen(dir);
	for (const char *p = t; (p = strstr(p, dir)) != NULL; p += n) {
		if (p != t && !strchr(" \t\n;&|=\"'(:", p[-1]))
			continue;
		char e = p[n];
		if (e == '/' && !exact)
			return true;
		if (e == '\0' || strchr(" \t\n;&|\"')", e))
			return true;
	}
	return false;
}

/* `word` as a command word of shell text t. */
static bool has_word(const char *t, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = t; (p = strstr(p, word)) != NULL; p += n)
		if ((p == t || strchr(" \t\n;&|(`", p[-1])) && (!p[n] || strchr(" \t\n", p[n])))
			return true;
	return false;
}

/*
 * Whether a RUN's text may set `dir`'s owner or mode in a way the model
 * does not read: a chmod or chown through find or xargs, a umask, install,
 * setfacl; or `dir` itself replaced or restored from elsewhere (tar, cp -a,
 * mv, rsync, unzip, ln, rm, git clone). `in_dir`: the RUN works in a
 * WORKDIR inside `dir`, where `.` may be the folder itself.
 */
static bool run_unknown(const char *t, const char *dir, bool in_dir)
{
	if (!in_dir && !names(t, dir, false))
		return false;
	static const char *const any[] = {"chmod", "chown", "chgrp", "setfacl", "umask", "install"};
	for (size_t i = 0; i < sizeof(any) / sizeof(any[0]); i++)
		if (has_word(t, any[i]))
			return true;
	static const char *const whole[] = {"tar",   "bsdtar", "cp", "mv",  "rsync",
					    "unzip", "ln",     "rm", "git", "7z"};
	if (!in_dir && !names(t, dir, true))
		return false;
	for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++)
		if (has_word(t, whole[i]))
			return true;
	return false;
}

/* A `set -e` (or -o errexit) in t before p: a failing command stops the RUN. */
static bool errexit_before(const char *t, const char *p)
{
	for (const char *s = t; (s = strstr(s, "set -")) != NULL && s < p; s += 5) {
		const char *o = s + 5;
		size_t n = strcspn(o, " \t\n;&|");
		if (memchr(o, 'e', n) || strncmp(o, "o errexit", 9) == 0)
			return true;
	}
	return false;
}

/*
 * Whether a RUN makes `dir`: 2 when a plain `mkdir DIR` whose failure
 * fails the step makes it (then it was not there before), 1 when a mkdir
 * has it (or, with -p, a folder in it) as an operand otherwise, -1 when
 * that mkdir gives a mode (-m), 0 when none does.
 */
static int run_makes(struct check_ctx *ctx, const char *t, const char *dir)
{
	for (const char *p = t; (p = strstr(p, "mkdir")) != NULL; p += 5) {
		if ((p != t && !strchr(" \t\n;&|(", p[-1])) || !strchr(" \t", p[5]))
			continue;
		size_t len = strcspn(p, ";&|\n)");
		const char *cmd = arena_strndup(ctx->scratch, p, len);
		if (!cmd)
			return -1;
		bool parents = false, mode = false;
		for (const char *o = cmd + 5; *o;) {
			o += strspn(o, " \t");
			size_t n = strcspn(o, " \t");
			if (n > 1 && o[0] == '-' && o[1] == '-') {
				parents = parents || strncmp(o, "--parents", n) == 0;
				mode = mode || strncmp(o, "--mode", 6) == 0;
			} else if (n > 1 && o[0] == '-') {
				parents = parents || memchr(o, 'p', n);
				mode = mode || memchr(o, 'm', n);
			}
			o += n;
		}
		if (!names(cmd, dir, !parents))
			continue;
		if (mode)
			return -1;
		/* not after `||`, and stopping the step: `&&` after it, the end, or set -e */
		const char *b = p;
		while (b > t && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		const char *a = p + len;
		a += strspn(a, " \t\n");
		bool guarded = b - t >= 2 && b[-1] == '|' && b[-2] == '|';
		bool stops = !*a || strncmp(a, "&&", 2) == 0 || errexit_before(t, p);
		return !parents && !guarded && stops && a[0] != '|' ? 2 : 1;
	}
	return 0;
}

/* What the file does to a VOLUME folder, in build order. */
struct fate {
	const struct df_instr *maker; /* the first instruction that makes it as root */
	bool unknown;		      /* something the rule cannot judge touches it */
	bool mentioned;		      /* a RUN names it (or a path in it) */
};

/*
 * What the file does to `dir`. On a base image whose folders are `known`,
 * a mkdir, WORKDIR or COPY into it makes it; on another, only a plain
 * mkdir that fails the step when the folder is there does.
 */
static void follow(struct check_ctx *ctx, const struct folder_walk *w, const char *dir, bool known,
		   struct fate *f)
{
	const struct dockerfile *df = ctx->df;
	memset(f, 0, sizeof(*f));
	if (folder_touched(ctx, w, dir) || folder_copied(ctx, w, dir, false)) {
		f->unknown = true;
		return;
	}
	for (size_t c = 0; c < df->nchain && !f->unknown; c++) {
		const struct df_stage *st = &df->stages[df->chain[c]];
		for (size_t k = st->first; k < st->last && !f->unknown; k++) {
			const struct df_instr *in = &df->instrs[k];
			bool root = edit_runs_as_root(ctx, in);
			const char *made = NULL;
			if (in->cmd == DF_WORKDIR && in->nargs) {
				const char *p = folder_resolve(
				    ctx, w->wd_at[k], show_expand(ctx, in, in->args[0].text));
				if (!p)
					continue;
				if (folder_within(p, dir))
					made = p;
			} else if ((in->cmd == DF_COPY || in->cmd == DF_ADD) && in->nargs >= 2) {
				const char *raw = in->args[in->nargs - 1].text;
				const char *x = in->json ? raw : show_expand(ctx, in, raw);
				const char *dest = folder_resolve(ctx, w->wd_at[k], x ? x : raw);
				if (!dest || !folder_within(dest, dir))
					continue;
				/* its parents are made as root 0755, unless --chown or --chmod */
				if (in->nflags &&
				    (df_flag_get(in, "chown") || df_flag_get(in, "chmod"))) {
					f->unknown = true;
					break;
				}
				made = dest;
				root = true;
			} else if (in->cmd == DF_RUN) {
				if (in->json) {
					f->unknown = names(in->text, dir, false);
					continue;
				}
				for (size_t h = 0; h < in->nheredocs && !f->unknown; h++)
					f->unknown = names(in->heredocs[h].body, dir, false);
				const char *t = show_expand(ctx, in, in->text);
				if (!t)
					t = in->text;
				bool wd_in = w->wd_at[k] && folder_within(w->wd_at[k], dir);
				if (f->unknown || (!names(t, dir, false) && !wd_in))
					continue;
				f->mentioned = true;
				int m = run_makes(ctx, t, dir);
				if (m < 0 || run_unknown(t, dir, wd_in)) {
					f->unknown = true;
					break;
				}
				if (m > 0 && (known || m == 2))
					made = dir;
				else if (!f->maker) { /* used before the file makes it */
					f->unknown = true;
					break;
				}
			}
			if (!made || f->maker)
				continue;
			if (!known && in->cmd != DF_RUN) { /* the base may have it already */
				f->unknown = true;
				break;
			}
			if (!root) { /* made as another user: its owner, not root */
				f->unknown = true;
				break;
			}
			f->maker = in;
		}
	}
}

/* NR116 gives these to group 0 when they are the final WORKDIR: one line a folder. */
static bool tool_folder(struct check_ctx *ctx, const struct df_instr *in, const char *dir)
{
	static const char *const vars[] = {"GOPATH", "CATALINA_HOME", "CATALINA_BASE"};
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = folder_env(ctx, in, vars[i], NULL);
		if (v && (folder_within(v, dir) || folder_within(dir, v)))
			return true;
	}
	return false;
}

/* The final user, when it is certainly not root: "USER 1001:0", or the base image's. */
static const char *non_root_user(struct check_ctx *ctx)
{
	struct final_user fu;
	if (ctx->df->needs_root || !final_user_get(ctx, &fu) || !fu.known)
		return NULL;
	if (fu.from_base)
		return fu.uid > 0 ? arena_printf(ctx->arena, "uid %ld of the base image '%s'",
						 fu.uid, fu.f.base ? fu.f.base : "?")
				  : NULL;
	if (fu.uid == 0 || !fu.user || !*fu.user)
		return NULL;
	return arena_printf(ctx->arena, "USER %s", fu.f.user->value);
}

struct volume {
	const struct df_instr *in;
	const struct df_word *word;
	const char *dir;
	struct fate fate;
	bool shown;	 /* reported: no folder above it is */
	size_t at;	 /* where its new line goes; SIZE_MAX: no edit */
	const char *ops; /* the folders of the new line there */
	bool make;	 /* ... made there with mkdir -p first */
};

/* The instruction the new line goes after: the maker, or the one before the VOLUME. */
static const struct df_instr *anchor(struct check_ctx *ctx, const struct volume *v)
{
	if (v->fate.maker)
		return v->fate.maker;
	size_t k = (size_t)(v->in - ctx->df->instrs);
	return k > 0 && ctx->df->instrs[k - 1].stage == v->in->stage ? &ctx->df->instrs[k - 1]
								     : NULL;
}

/*
 * Where each folder's new line goes. Folders whose lines go to the same
 * place share one line naming them all, so the findings' edits are equal
 * and the fix writes it once.
 */
static void place(struct check_ctx *ctx, struct volume *vs, size_t nv)
{
	for (size_t i = 0; i < nv; i++) {
		struct diag tmp = {0};
		const struct df_instr *a = anchor(ctx, &vs[i]);
		vs[i].at = SIZE_MAX;
		if (vs[i].shown && a &&
		    edit_group_folder(ctx, &tmp, a, vs[i].dir, vs[i].dir, !vs[i].fate.maker) &&
		    tmp.nedits)
			vs[i].at = tmp.edits[0].offset;
	}
	for (size_t i = 0; i < nv; i++) {
		if (vs[i].at == SIZE_MAX)
			continue;
		const char *ops = NULL;
		bool make = false;
		for (size_t j = 0; j < nv; j++) {
			if (vs[j].at != vs[i].at)
				continue;
			ops = ops ? arena_printf(ctx->arena, "%s %s", ops, vs[j].dir) : vs[j].dir;
			make = make || !vs[j].fate.maker;
		}
		vs[i].ops = ops;
		vs[i].make = make;
	}
}

static void report_volume(struct check_ctx *ctx, const struct rule *self, const struct volume *v,
			  const char *user)
{
	const char *dir = v->dir;
	const struct df_instr *mk = v->fate.maker;
	const char *how;
	unsigned line = 0, col;
	if (mk) {
		source_position(ctx->src, mk->start, &line, &col);
		how = arena_printf(ctx->arena, "made by the %s on line %u as root with mode 0755",
				   mk->keyword, line);
	} else {
		how =
		    arena_printf(ctx->arena,
				 "not in the base image '%s', so VOLUME makes it, root's with mode "
				 "0755",
				 ctx->df->stages[ctx->df->chain[0]].base_expanded);
	}
	const char *ops = v->ops ? v->ops : dir;
	bool make = v->ops ? v->make : !mk;
	const char *cmd =
	    make ? arena_printf(ctx->arena, "RUN mkdir -p %s && chgrp -R 0 %s && chmod -R g=u %s",
				ops, ops, ops)
		 : arena_printf(ctx->arena, "RUN chgrp -R 0 %s && chmod -R g=u %s", ops, ops);
	struct diag *d = report(
	    ctx, self, v->word->start, v->word->end,
	    "VOLUME '%s' is %s, and nothing gives it to group 0: Docker and Podman fill a new "
	    "named volume from the image's folder, owner and mode included, and a runtime that "
	    "mounts nothing there keeps the folder, so %s and OpenShift's arbitrary uid (in group "
	    "0) cannot write there (on Kubernetes an emptyDir or a PVC mounted there replaces "
	    "it, and fsGroup decides); write '%s' %s, while the user is root",
	    dir, how, user, cmd, mk ? "after the steps that fill it" : "before the VOLUME line");
	if (!d)
		return;
	d->fix = cmd;
	/* no shell in the image to run the line: the message says what to write */
	if (v->at != SIZE_MAX)
		edit_group_folder(ctx, d, anchor(ctx, v), dir, ops, make);
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	const struct dockerfile *df = ctx->df;
	bool any = false; /* most Dockerfiles have no VOLUME: nothing else to work out */
	for (size_t c = 0; c < df->nchain && !any; c++) {
		const struct df_stage *st = &df->stages[df->chain[c]];
		for (size_t k = st->first; k < st->last && !any; k++)
			any = df->instrs[k].cmd == DF_VOLUME;
	}
	if (!any)
		return;
	const char *user = non_root_user(ctx);
	if (!user)
		return;
	struct folder_walk w = {0}; /* walked when a folder passes the quick tests */
	const char *base = df->stages[df->chain[0]].base_expanded;
	bool known = known_base(base), shell = false;
	struct volume *vs = NULL;
	size_t nv = 0;
	for (size_t c = 0; c < df->nchain; c++) {
		const struct df_stage *st = &df->stages[df->chain[c]];
		for (size_t k = st->first; k < st->last; k++) {
			const struct df_instr *in = &df->instrs[k];
			shell = shell || (in->cmd == DF_RUN && !in->json);
			if (in->cmd != DF_VOLUME)
				continue;
			for (size_t i = 0; i < in->nargs; i++) {
				const char *raw = in->args[i].text;
				const char *dir = folder_clean(
				    ctx, show_expand(ctx, in, raw)); /* both forms expand */
				if (!dir || strcmp(dir, "/") == 0 || system_folder(dir) ||
				    base_has(base, dir) || tool_folder(ctx, in, dir))
					continue;
				struct fate f;
				if (!w.wd_at && !folder_walk(ctx, &w))
					return;
				follow(ctx, &w, dir, known, &f);
				if (f.unknown || (!f.maker && (!known || f.mentioned)))
					continue;
				struct volume *n = arena_alloc(ctx->scratch, (nv + 1) * sizeof(*n));
				if (!n)
					return;
				if (nv)
					memcpy(n, vs, nv * sizeof(*n));
				n[nv++] = (struct volume){
				    .in = in, .word = &in->args[i], .dir = dir, .fate = f};
				vs = n;
			}
		}
	}
	for (size_t i = 0; i < nv; i++) {
		bool inner = false; /* a folder above it gets the line: one chgrp covers both */
		for (size_t j = 0; j < nv && !inner; j++)
			inner = j != i && strcmp(vs[i].dir, vs[j].dir) != 0 &&
				folder_within(vs[i].dir, vs[j].dir);
		for (size_t j = 0; j < i && !inner; j++)
			inner = strcmp(vs[i].dir, vs[j].dir) == 0;
		vs[i].shown = !inner;
	}
	if (shell) /* the new line needs a shell in the image */
		place(ctx, vs, nv);
	else
		for (size_t i = 0; i < nv; i++)
			vs[i].at = SIZE_MAX;
	for (size_t i = 0; i < nv; i++)
		if (vs[i].shown)
			report_volume(ctx, self, &vs[i], user);
}

const struct rule NR117_volume_not_writable = {
    .code = "NR117",
    .name = "volume-not-writable",
    .severity = SEV_WARNING,
    .platforms = PLAT_ALL,
    .kind = KIND_DOCKERFILE,
    .summary = "a VOLUME folder the Dockerfile leaves root's (0755) for a non-root user",
    .description =
	"Docker and Podman fill a new named volume from the image's folder, owner and mode "
	"included, and a runtime that mounts nothing at a VOLUME keeps the image's folder: a "
	"folder made root's with mode 0755 is then not writable by the image's non-root USER "
	"nor by OpenShift's arbitrary uid in group 0, and the app cannot write its data. On "
	"Kubernetes an emptyDir or a PVC mounted there replaces the folder (an emptyDir is "
	"writable by all; on a PVC fsGroup decides), so the finding holds where the volume "
	"comes from the image. Reported only where the file decides it: the final user is "
	"not root; the folder is made by the Dockerfile as root (RUN mkdir, WORKDIR, a COPY "
	"into it) or by VOLUME itself on scratch or an official OS or language image (alpine, "
	"debian, ubuntu, python, node, ...), or on another base image by a plain mkdir that "
	"fails the step when the folder is there; and no chown, chgrp, chmod, umask, COPY "
	"--chown/--chmod or copy over it changes its owner or mode. Folders under the "
	"system's own (/var, /opt, /home, /srv, ...) may come from a package or the base "
	"image, and what an unknown base image has is unknown: they are not reported.",
    .remediation = "Give the folder to group 0 with the owner's bits after the steps that fill it "
		   "and before the USER line (`RUN chgrp -R 0 /data && chmod -R g=u /data`).",
    .bad = "FROM alpine:3.20\nRUN mkdir /data\nVOLUME /data\nUSER 1001:0\n",
    .good = "FROM alpine:3.20\nRUN mkdir /data && chgrp -R 0 /data && chmod -R g=u /data\n"
	    "VOLUME /data\nUSER 1001:0\n",
    .check = check,
};
