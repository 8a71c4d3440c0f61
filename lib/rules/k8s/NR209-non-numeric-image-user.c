/* NR209 non-numeric-image-user: runAsNonRoot cannot verify a named image user. */
#include "k8s-rules.h"
#include "unroot/arena.h"
#include "unroot/model.h"

static void one(struct check_ctx *ctx, const struct rule *self, const struct k8s_object *o,
		const struct k8s_container *c)
{
	const struct k8s_field *nr = &c->sc.run_as_non_root, *u = &c->sc.run_as_user;
	if (!k8s_set(nr) || !nr->b || u->origin != K8S_UNSET || !c->image || !ctx->pair)
		return;
	const struct image_view *v = ctx->pair(ctx, c->image);
	if (!v || !v->user_known)
		return;
	if (v->user_is_name) {
		const char *fix =
		    v->uid > 0 ? arena_printf(ctx->arena, "runAsUser: %ld", v->uid) : "USER 1001:0";
		k8s_report(
		    ctx, self, o, c, nr->start, nr->end, fix,
		    "runAsNonRoot: true in %s with no runAsUser, and the image user of %s is "
		    "the name '%s' (%s): the kubelet refuses to start it with \"container has "
		    "runAsNonRoot and image has non-numeric user (%s), cannot verify user is "
		    "non-root\"; %s%s",
		    k8s_origin(nr), k8s_where(ctx, o, c), v->user, v->origin, v->user,
		    v->uid > 0 ? "write " : "write a numeric user in the image: ",
		    fix ? fix : "USER 1001:0");
		return;
	}
	if (v->uid == 0 || (v->user && !*v->user)) {
		k8s_report(
		    ctx, self, o, c, nr->start, nr->end, "USER 1001:0",
		    "runAsNonRoot: true in %s with no runAsUser, and the image of %s runs as "
		    "root (%s): the kubelet refuses to start it with \"container has "
		    "runAsNonRoot and image will run as root\"; write USER 1001:0 in the image",
		    k8s_origin(nr), k8s_where(ctx, o, c), v->origin);
	}
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	k8s_each_container(ctx, self, one);
}

const struct rule NR209_non_numeric_image_user = {
    .code = "NR209",
    .name = "non-numeric-image-user",
    .severity = SEV_ERROR,
    .platforms = PLAT_KUBERNETES | PLAT_OPENSHIFT,
    .kind = KIND_K8S,
    .summary = "runAsNonRoot: true, no runAsUser, and the image user is a name",
    .description =
	"With runAsNonRoot: true and no runAsUser, the kubelet checks the image's USER before "
	"starting the container. It cannot look a name up, so USER app makes it refuse with "
	"\"container has runAsNonRoot and image has non-numeric user (app), cannot verify user "
	"is non-root\", and an image that runs as root gets \"container has runAsNonRoot and "
	"image will run as root\". Both leave the pod in CreateContainerConfigError. Only "
	"checked when the container's image is paired with a Dockerfile or an image "
	"(--image REF=PATH, or the config key images); quiet without.",
    .remediation = "Write a numeric USER in the image (USER 1001:0), or set runAsUser to the "
		   "user's UID.",
    .bad = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  securityContext:\n"
	   "    runAsNonRoot: true\n  containers:\n  - name: app\n"
	   "    image: registry.example.com/web:1.0\n",
    .good = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  securityContext:\n"
	    "    runAsNonRoot: true\n    runAsUser: 1001\n  containers:\n  - name: app\n"
	    "    image: registry.example.com/web:1.0\n",
    .check = check,
};
