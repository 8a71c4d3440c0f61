/* NR406 writable-path-not-group-writable: where the app writes, group 0 must write too. */
#include "image-check.h"
#include "unroot/arena.h"

#include <string.h>

#define MAX_REPORTS 50

struct scan {
	struct check_ctx *ctx;
	struct identity arb, user;
	bool have_user;
	struct fs_node **dirs;
	size_t ndirs, cap;
	size_t reported;
	struct diag *last; /* the last one shown */
};

static bool skip(const char *p)
{
	static const char *const pseudo[] = {"/proc", "/sys", "/dev", "/tmp", "/var/tmp", "/run"};
	for (size_t i = 0; i < sizeof(pseudo) / sizeof(pseudo[0]); i++) {
		size_t n = strlen(pseudo[i]);
		if (strncmp(p, pseudo[i], n) == 0 && (p[n] == 0 || p[n] == '/'))
			return true;
	}
	return false;
}

/* The image user's own folders, topmost first (children of a listed folder are left out). */
static bool visit(struct fs_node *n, void *data)
{
	struct scan *s = data;
	if (fs_type_of(n) != FS_DIR || !n->parent)
		return true;
	if (s->user.uid > 0 && n->uid == (uint32_t)s->user.uid && (n->mode & 0200)) {
		const char *p = fs_path(s->ctx->arena, n);
		if (skip(p))
			return false;
		struct fs_node **slot = ARR_PUSH(s->ctx->arena, s->dirs, s->ndirs, s->cap);
		if (slot)
			*slot = n;
		return false;
	}
	return true;
}

static void judge(struct check_ctx *ctx, const struct rule *self, struct scan *s, const char *path,
		  const char *why)
{
	struct fs_denial d;
	if (fs_access(ctx->image->fs, &s->arb, path, FS_W_OK | FS_X_OK, &d))
		return;
	if (s->reported++ >= MAX_REPORTS)
		return;
	if (!d.node) {
		const char *fix = arena_printf(
		    ctx->arena, "mkdir -p %s && chgrp 0 %s && chmod g=u %s", path, path, path);
		s->last = img_report(
		    ctx, self, path, fix,
		    "'%s' is %s but does not exist in the image, so the runtime creates it "
		    "owned by root with mode 0755 and uid %ld in group 0 cannot write to it "
		    "on OpenShift or Kubernetes; create it in the image with '%s'",
		    path, why, s->arb.uid, fix);
		return;
	}
	const char *where = fs_path(ctx->arena, d.node);
	bool search = d.search;
	const char *fix =
	    search ? img_fix(ctx, where, d.node, FS_X_OK, false)
		   : arena_printf(ctx->arena, "chgrp -R 0 %s && chmod -R g=u %s", path, path);
	if (!search && d.node->gid == 0 && (d.node->mode & 0070) == 0050)
		fix = arena_printf(ctx->arena, "chmod g+w %s", path);
	s->last = img_report(
	    ctx, self, where, fix,
	    "'%s' is %s, where the app writes, but %s'%s' (%s) denies %s to uid %ld in "
	    "group 0: the app fails with 'permission denied' on OpenShift and under any "
	    "other uid; fix with '%s'",
	    path, why, search ? "the folder on its way " : "", where, img_describe(ctx, d.node),
	    search ? "search" : fs_want_words(d.want ? d.want : FS_W_OK), s->arb.uid, fix);
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	const struct image *img = ctx->image;
	if (!img || !img->fs)
		return;
	struct scan s = {.ctx = ctx};
	img_arbitrary(ctx, &s.arb);
	s.have_user = img_user(ctx, &s.user);
	for (size_t i = 0; i < img->view.nvolumes; i++)
		judge(ctx, self, &s, img->view.volumes[i], "a VOLUME");
	const char *wd = img->view.workdir;
	if (wd && strcmp(wd, "/") != 0 && s.have_user && s.user.uid != 0 &&
	    fs_access(img->fs, &s.user, wd, FS_W_OK | FS_X_OK, NULL))
		judge(ctx, self, &s, wd, "the WORKDIR, which the image's user can write");
	const char *home = img->view.home;
	if (home && strcmp(home, "/") != 0 && (!wd || strcmp(home, wd) != 0) && s.have_user &&
	    s.user.uid != 0 && fs_access(img->fs, &s.user, home, FS_W_OK | FS_X_OK, NULL))
		judge(ctx, self, &s, home, "the HOME of the image's user, which it can write");
	if (s.have_user && s.user.uid > 0)
		fs_walk(ctx->arena, img->fs->root, visit, &s);
	for (size_t i = 0; i < s.ndirs; i++) {
		const char *p = fs_path(ctx->arena, s.dirs[i]);
		bool dup = (wd && strcmp(p, wd) == 0) || (home && strcmp(p, home) == 0);
		for (size_t k = 0; k < img->view.nvolumes; k++)
			dup |= strcmp(p, img->view.volumes[k]) == 0;
		if (!dup)
			judge(ctx, self, &s, p,
			      arena_printf(ctx->arena, "a folder of the image's user %ld",
					   s.user.uid));
	}
	if (s.reported > MAX_REPORTS)
		img_more(ctx, s.last, s.reported - MAX_REPORTS);
}

const struct rule NR406_writable_path_not_group_writable = {
    .code = "NR406",
    .name = "writable-path-not-group-writable",
    .severity = SEV_WARNING,
    .platforms = PLAT_OPENSHIFT | PLAT_KUBERNETES,
    .kind = KIND_IMAGE,
    .summary = "a path the app writes (its user's folders, VOLUMEs, WORKDIR, HOME) is not "
	       "writable "
	       "through group 0",
    .description =
	"The folders an app writes to are the ones its image user owns and can write, the "
	"VOLUMEs (a new volume takes the image folder's owner and mode, and one missing from "
	"the image is created as root 0755), and a WORKDIR or HOME the user can write. Under "
	"OpenShift's arbitrary uid in group 0, and on Kubernetes with another runAsUser, they "
	"must be writable and searchable through group 0, or the app fails with 'permission "
	"denied'.",
    .remediation = "chgrp -R 0 /data && chmod -R g=u /data for each such folder, in the "
		   "image build.",
    .bad = "An image built from this Dockerfile (a description: image rules read built "
	   "images):\nFROM busybox\nRUN mkdir /data && chown 1001:1001 /data && chmod 700 "
	   "/data\nUSER 1001\nVOLUME /data\n",
    .good = "An image built from:\nFROM busybox\nRUN mkdir /data && chown 1001:0 /data && "
	    "chmod 770 /data\nUSER 1001:0\nVOLUME /data\n",
    .check = check,
};
