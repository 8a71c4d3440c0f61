/* NR403 image-user-not-numeric: the config's User is a name the kubelet cannot verify. */
#include "image-check.h"
#include "unroot/arena.h"

static void check(struct check_ctx *ctx, const struct rule *self)
{
	const struct image *img = ctx->image;
	if (!img || !img->view.user_known || !img->view.user_is_name || !img->user_found)
		return;
	const char *fix = img_user_fix(ctx, img->view.uid);
	img_report(ctx, self, NULL, fix,
		   "the image config's User '%s' is a name (uid %ld in the image's /etc/passwd): "
		   "with runAsNonRoot and no runAsUser the kubelet refuses to start it ('image "
		   "has non-numeric user (%s), cannot verify user is non-root'); use '%s'",
		   img->view.user, img->view.uid, img->view.user, fix);
}

const struct rule NR403_image_user_not_numeric = {
    .code = "NR403",
    .name = "image-user-not-numeric",
    .severity = SEV_WARNING,
    .platforms = PLAT_KUBERNETES | PLAT_OPENSHIFT,
    .kind = KIND_IMAGE,
    .summary = "the image config's user is a name, not a number",
    .description =
	"The kubelet checks runAsNonRoot against the image's user before the container starts, "
	"and it cannot look a name up: 'container has runAsNonRoot and image has non-numeric "
	"user (app), cannot verify user is non-root'. A numeric User, with group 0, works on "
	"every platform.",
    .remediation = "Write the uid the name stands for, in group 0: USER 1001:0.",
    .bad = "An image built from this Dockerfile (a description: image rules read built "
	   "images):\nFROM busybox\nRUN adduser -D -u 1001 app\nUSER app\n",
    .good = "An image built from:\nFROM busybox\nUSER 1001:0\n",
    .check = check,
};
