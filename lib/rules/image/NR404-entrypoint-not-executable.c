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

/* "#!/usr/bin/env python3 -u" -> the interpreter path, or the program env looks up. */
static void interpreter(struct check_ctx *ctx, const struct rule *self, const struct identity *id,
			const struct fs_node *script, const char *spath)
{
	if (!script->content || script->content_len < 3 || strncmp(script->content, "#!", 2))
		return;
	const char *p = script->content + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = strcspn(p, " \t\r\n");
	const char *interp = arena_strndup(ctx->arena, p, n);
	if (!interp || !*interp)
		return;
	const char *role = arena_printf(ctx->arena, "the #! interpreter of '%s',", spath);
	if (!need(ctx, self, id, interp, FS_X_OK, role))
		return;
	const char *b = strrchr(interp, '/');
	if (!b || strcmp(b + 1, "env") != 0)
		return;
	p += n;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '-')
		return; /* env -S and friends: too clever to follow */
	n = strcspn(p, " \t\r\n");
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
