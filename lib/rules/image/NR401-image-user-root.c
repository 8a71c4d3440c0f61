/* NR401 image-user-root: the image's config runs its process as root. */
#include "image-check.h"
#include "unroot/arena.h"

#include <string.h>

static void check(struct check_ctx *ctx, const struct rule *self)
{
	const struct image *img = ctx->image;
	if (!img || !img->view.user_known)
		return;
	const char *user = img->view.user ? img->view.user : "";
	const char *fix = img_user_fix(ctx, -1);
	if (!*user) {
		img_report(ctx, self, NULL, fix,
			   "the image config sets no User, so the container runs as root on "
			   "Docker and Podman, and Kubernetes refuses it under runAsNonRoot: "
			   "build it with '%s'",
			   fix);
		return;
	}
	if (img->view.uid != 0)
		return;
	bool literal = strcmp(user, "0") == 0 || strcmp(user, "root") == 0 ||
		       strncmp(user, "0:", 2) == 0 || strncmp(user, "root:", 5) == 0;
	img_report(ctx, self, NULL, fix,
		   "the image config's User '%s' %s: the container runs as root on Docker and "
		   "Podman, and Kubernetes refuses it under runAsNonRoot; build it with '%s'",
		   user, literal ? "is root" : "resolves to uid 0 in the image's /etc/passwd", fix);
}

const struct rule NR401_image_user_root = {
    .code = "NR401",
    .name = "image-user-root",
    .severity = SEV_ERROR,
    .platforms = PLAT_ALL,
    .kind = KIND_IMAGE,
    .summary = "the image config's user is empty, 0, root, or resolves to uid 0",
    .description =
	"A built image starts its process as the config's User. An empty User means root, on "
	"Docker and Podman and on Kubernetes when the pod sets no runAsUser. The kubelet refuses "
	"such a container when runAsNonRoot is true ('container has runAsNonRoot and image will "
	"run as root'). A named user is resolved through the image's own /etc/passwd, so a name "
	"whose uid is 0 is root as well. OpenShift replaces the uid, but the image then still "
	"runs as root everywhere else.",
    .remediation = "End the final stage with a numeric non-root user in group 0: USER 1001:0.",
    .bad = "An image whose config has no User, e.g. built from this Dockerfile (image rules "
	   "read built images, so this text is a description, not an input):\n"
	   "FROM busybox\nCOPY app /app\nENTRYPOINT [\"/app/run.sh\"]\n",
    .good = "An image built from:\nFROM busybox\nCOPY --chown=1001:0 app /app\nUSER 1001:0\n"
	    "ENTRYPOINT [\"/app/run.sh\"]\n",
    .check = check,
};
