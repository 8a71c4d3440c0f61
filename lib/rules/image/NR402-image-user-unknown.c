/* NR402 image-user-unknown: the config's User names an account the image lacks. */
#include "image-check.h"
#include "unroot/arena.h"

#include <string.h>

static void check(struct check_ctx *ctx, const struct rule *self)
{
	const struct image *img = ctx->image;
	if (!img || !img->view.user_known || !img->missing)
		return;
	const char *fix = img_user_fix(ctx, -1);
	bool group = img->user_found;
	const char *file = group ? "/etc/group" : "/etc/passwd";
	bool have = group ? img->db.have_group : img->db.have_passwd;
	img_report(ctx, self, file, fix,
		   "the image config's User '%s' names %s '%s' that %s: Docker, Podman and "
		   "Kubernetes fail to start the container ('unable to find %s %s'); use numbers: "
		   "'%s'",
		   img->view.user, group ? "a group" : "a user", img->missing,
		   have
		       ? arena_printf(ctx->arena, "the image's %s lacks", file)
		       : arena_printf(ctx->arena, "cannot be looked up: the image has no %s", file),
		   group ? "group" : "user", img->missing, fix);
}

const struct rule NR402_image_user_unknown = {
    .code = "NR402",
    .name = "image-user-unknown",
    .severity = SEV_ERROR,
    .platforms = PLAT_ALL,
    .kind = KIND_IMAGE,
    .summary = "the image config's user or group names an account the image's /etc/passwd "
	       "or /etc/group lacks",
    .description =
	"The runtimes resolve a named User through the image's own /etc/passwd (and a named "
	"group through /etc/group) when the container starts. When the name is missing, the "
	"container does not start at all: 'unable to find user app: no matching entries in "
	"passwd file'. This happens on every platform, unless a pod sets runAsUser. Numbers "
	"need no lookup.",
    .remediation = "Use a numeric user and group: USER 1001:0.",
    .bad = "An image built from this Dockerfile, where no RUN line creates 'app' (a "
	   "description: image rules read built images):\nFROM busybox\nUSER app\n",
    .good = "An image built from:\nFROM busybox\nUSER 1001:0\n",
    .check = check,
};
