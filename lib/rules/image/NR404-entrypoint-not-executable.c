/* NR404 entrypoint-not-executable: the arbitrary UID in group 0 cannot start the entrypoint. */
#include "image-check.h"
#include "unroot/arena.h"

#include <string.h>

/* Reports when id cannot do `want` on path; true when it can. */
static bool need(struct check_ctx *ctx, const struct rule *self, const struct identity *id,
		 const char *path, unsigned want, const char *role)
{
	struct fs_denial d;
	if (fs_access(ctx->image->fs, id, path, want, &d))
		return true;
	if (!d.node) {
		img_report(ctx, self, path, NULL,
			   "%s '%s' cannot be opened in the image (%s): the container fails to "
			   "start on every platform",
			   role, path, d.why ? d.why : "missing");
		return false;
	}
	const char *where = fs_path(ctx->arena, d.node);
	const char *fix = img_fix(ctx, where, d.node, d.search ? FS_X_OK : d.want, false);
	if (d.search)
		img_report(ctx, self, where, fix,
			   "%s '%s' cannot be reached by uid %ld in group 0: the folder '%s' (%s) "
			   "denies it search, so the container fails to start on OpenShift and "
			   "under any other uid; fix with '%s'",
			   role, path, id->uid, where, img_describe(ctx, d.node), fix);
	else
		img_report(ctx, self, where, fix,
			   "%s '%s' (%s) denies %s to uid %ld in group 0, so the container "
			   "fails to start on OpenShift and under any other uid; fix with '%s'",
			   role, path, img_describe(ctx, d.node), fs_want_words(d.want), id->uid,
			   fix);
	return false;
}

/*
 * The kernel executes regular files only: a folder, a named pipe or a device
 * as the program (or interpreter) makes execve fail with EACCES, whatever
 * its mode bits say. Reports it and returns true.
 */
static bool not_regular(struct check_ctx *ctx, const struct rule *self, const struct fs_node *n,
			const char *path, const char *role)
{
	static const struct {
		enum fs_type type;
		const char *what;
	} kinds[] = {{FS_DIR, "a folder"},
		     {FS_FIFO, "a named pipe (FIFO)"},
		     {FS_CHR, "a character device"},
		     {FS_BLK, "a block device"},
		     {FS_SOCK, "a socket"}};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (fs_type_of(n) != kinds[i].type)
			continue;
		img_report(ctx, self, path, NULL,
			   "%s '%s' is %s, not a regular file: the kernel executes regular files "
			   "only (execve fails with 'permission denied'), so the container fails "
			   "to start on every platform",
			   role, path, kinds[i].what);
		return true;
	}
	return false;
}

/* The #! interpreter named by captured contents, in the arena, or NULL. */
static const char *shebang(struct arena *a, const struct fs_node *script, const char **rest)
{
	if (!script || !script->content || script->content_len < 3 ||
	    strncmp(script->content, "#!", 2))
		return NULL;
	const char *p = script->content + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = strcspn(p, " \t\r\n");
	if (rest)
		*rest = p + n;
	return n ? arena_strndup(a, p, n) : NULL;
}

/*
 * A script whose #! line names itself, or scripts that name each other in a
 * circle: the kernel follows interpreters a few levels deep and then fails
 * with ELOOP. Only scripts whose contents unroot read are followed.
 */
static bool interpreter_loop(struct check_ctx *ctx, const struct rule *self,
			     const struct fs_node *script, const char *spath)
{
	const struct fs_node *seen[6] = {script};
	size_t nseen = 1;
	const struct fs_node *cur = script;
	const char *why;
	while (nseen < 6) {
		const char *interp = shebang(ctx->arena, cur, NULL);
		const struct fs_node *n =
		    interp ? fs_resolve(ctx->image->fs, interp, false, &why, NULL) : NULL;
		if (!n)
			return false;
		for (size_t i = 0; i < nseen; i++) {
			if (seen[i] != n)
				continue;
			const char *what =
			    n == script && cur == script
				? arena_printf(ctx->arena,
					       "names itself as its #! interpreter ('#!%s')",
					       interp)
				: arena_printf(
				      ctx->arena,
				      "starts a chain of #! interpreters that comes back to "
				      "'%s'",
				      fs_path(ctx->arena, n));
			img_report(
			    ctx, self, spath, NULL,
			    "'%s' %s: the kernel follows interpreters a few levels deep, then "
			    "execve fails with 'too many levels of symbolic links' (ELOOP), so "
			    "the container fails to start on every platform",
			    spath, what);
			return true;
		}
		seen[nseen++] = n;
		cur = n;
	}
	return false;
}

/* "#!/usr/bin/env python3 -u" -> the interpreter path, or the program env looks up. */
static void interpreter(struct check_ctx *ctx, const struct rule *self, const struct identity *id,
			const struct fs_node *script, const char *spath)
{
	const char *p;
	const char *interp = shebang(ctx->arena, script, &p);
	if (!interp)
		return;
	if (interpreter_loop(ctx, self, script, spath))
		return;
	const char *role = arena_printf(ctx->arena, "the #! interpreter of '%s',", spath);
	const char *why;
	const struct fs_node *in = fs_resolve(ctx->image->fs, interp, false, &why, NULL);
	if (in && not_regular(ctx, self, in, interp, role))
		return;
	if (!need(ctx, self, id, interp, FS_X_OK, role))
		return;
	const char *b = strrchr(interp, '/');
	if (!b || strcmp(b + 1, "env") != 0)
		return;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '-')
		return; /* env -S and friends: too clever to follow */
	size_t n = strcspn(p, " \t\r\n");
	const char *prog = arena_strndup(ctx->arena, p, n);
	if (!prog || !*prog)
		return;
	const char *found;
	struct fs_node *pn = image_find_program(ctx->arena, ctx->image, prog, &found);
	if (!pn) {
		img_report(ctx, self, spath, NULL,
			   "'%s' runs '%s' through env, and no '%s' is on the image's PATH: the "
			   "container fails to start on every platform",
			   spath, prog, prog);
		return;
	}
	need(ctx, self, id, found, FS_X_OK,
	     arena_printf(ctx->arena, "the interpreter of '%s' ('%s' on PATH),", spath, prog));
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	const struct image *img = ctx->image;
	if (!img || !img->fs)
		return;
	struct identity id;
	img_arbitrary(ctx, &id);
	const char *progs[2];
	size_t np = image_programs(ctx->arena, &img->view, progs);
	for (size_t i = 0; i < np; i++) {
		const char *found;
		struct fs_node *n = image_find_program(ctx->arena, img, progs[i], &found);
		const char *role =
		    i == 0 ? "the entrypoint" : "the program the entrypoint's script runs";
		if (!n) {
			if (i > 0)
				continue; /* a shell builtin or function, most likely */
			img_report(ctx, self, progs[i], NULL,
				   "%s '%s' is not in the image%s: the container fails to start on "
				   "every platform",
				   role, progs[i],
				   strchr(progs[i], '/') ? "" : " (searched the config's PATH)");
			continue;
		}
		if (not_regular(ctx, self, n, found ? found : progs[i], role))
			continue;
		/* A script is also read by its interpreter. */
		bool script = n->content && n->content_len > 2 && strncmp(n->content, "#!", 2) == 0;
		if (!need(ctx, self, &id, found, FS_X_OK | (script ? FS_R_OK : 0), role))
			continue;
		if (script)
			interpreter(ctx, self, &id, n, found);
	}
}

const struct rule NR404_entrypoint_not_executable = {
    .code = "NR404",
    .name = "entrypoint-not-executable",
    .severity = SEV_ERROR,
    .platforms = PLAT_ALL,
    .kind = KIND_IMAGE,
    .summary = "the entrypoint or its interpreter cannot be executed by an arbitrary uid in "
	       "group 0",
    .description =
	"OpenShift runs the container under an arbitrary uid whose only group is 0. The "
	"program the entrypoint (or cmd) names, found through the config's PATH and "
	"WorkingDir, must then be executable through the group-0 (or other) bits, and every "
	"folder on its way searchable. A script must also be readable, and its #! interpreter "
	"executable. Otherwise the container fails at once with 'permission denied'. Files "
	"only their owner can run (mode 700, or group other than 0) work on Docker only for "
	"that one uid.",
    .remediation = "Give the entrypoint to group 0 and let the group run it: chgrp 0 "
		   "/app/run.sh && chmod g+rx /app/run.sh (or chmod -R g=u on the folder).",
    .bad = "An image built from this Dockerfile (a description: image rules read built "
	   "images):\nFROM busybox\nCOPY --chown=1001:1001 --chmod=700 run.sh /app/run.sh\n"
	   "USER 1001\nENTRYPOINT [\"/app/run.sh\"]\n",
    .good = "An image built from:\nFROM busybox\nCOPY --chown=1001:0 --chmod=770 run.sh "
	    "/app/run.sh\nUSER 1001:0\nENTRYPOINT [\"/app/run.sh\"]\n",
    .check = check,
};
