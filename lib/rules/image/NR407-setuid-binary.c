/* NR407 setuid-binary: setuid and setgid files in the image. */
#include "image-check.h"
#include "unroot/arena.h"

#define MAX_REPORTS 50

struct scan {
	struct check_ctx *ctx;
	const struct rule *self;
	size_t n;
	struct diag *last; /* the last one shown */
};

static bool visit(struct fs_node *n, void *data)
{
	struct scan *s = data;
	if (fs_type_of(n) != FS_REG || !(n->mode & 06000))
		return true;
	if (s->n++ >= MAX_REPORTS)
		return true;
	const char *p = fs_path(s->ctx->arena, n);
	bool suid = n->mode & 04000, sgid = n->mode & 02000;
	const char *what = suid && sgid ? "setuid and setgid" : suid ? "setuid" : "setgid";
	const char *fix = arena_printf(s->ctx->arena, "chmod %s %s",
				       suid && sgid ? "u-s,g-s"
				       : suid	    ? "u-s"
						    : "g-s",
				       p);
	s->last =
	    img_report(s->ctx, s->self, p, fix,
		       "'%s' is %s (%s): it lets any user gain uid %u or gid %u, and with "
		       "allowPrivilegeEscalation: false (OpenShift restricted-v2, Pod Security "
		       "restricted) it runs without that privilege; remove the bit with '%s'",
		       p, what, img_describe(s->ctx, n), n->uid, n->gid, fix);
	return true;
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	if (!ctx->image || !ctx->image->fs)
		return;
	struct scan s = {ctx, self, 0, NULL};
	fs_walk(ctx->arena, ctx->image->fs->root, visit, &s);
	if (s.n > MAX_REPORTS)
		img_more(ctx, s.last, s.n - MAX_REPORTS);
}

const struct rule NR407_setuid_binary = {
    .code = "NR407",
    .name = "setuid-binary",
    .severity = SEV_INFO,
    .platforms = PLAT_ALL,
    .kind = KIND_IMAGE,
    .summary = "setuid or setgid files in the image",
    .description =
	"A setuid or setgid file runs with its owner's or group's identity, whoever starts it: "
	"a way back to root for a process that was meant to run without it. Under "
	"allowPrivilegeEscalation: false (no_new_privs), which OpenShift's restricted-v2 and "
	"the Pod Security restricted profile require, the bit is ignored, so a program that "
	"relies on it fails there.",
    .remediation = "Remove the bit in the image build (chmod u-s,g-s FILE), or the file.",
    .bad = "An image built from this Dockerfile (a description: image rules read built "
	   "images):\nFROM busybox\nCOPY helper /app/helper\nRUN chmod 4755 /app/helper\n",
    .good = "An image built from:\nFROM busybox\nCOPY --chmod=755 helper /app/helper\n",
    .check = check,
};
