/* NR209 non-numeric-image-user: runAsNonRoot cannot verify a named image user. */
#include "k8s-rules.h"
#include "pair.h"
#include "unroot/arena.h"

#include <string.h>

/* The user goes in the image or in the securityContext: a choice for a person. */
#define IMAGE_OR_MANIFEST                                                                          \
	"the user can be written in the image or in the securityContext: a person's choice"

/* The kubelet's refusal of the image's user (not of runAsUser), as the model gives it. */
static void check_container(struct check_ctx *ctx, const struct rule *self,
			    const struct k8s_object *o, const struct k8s_container *c,
			    const struct image_view *v, const struct sim_result *r)
{
	const struct k8s_field *nr = &c->sc.run_as_non_root;
	if (c->sc.run_as_user.origin != K8S_UNSET)
		return;
	for (size_t i = 0; i < r->nrefusals; i++) {
		const struct sim_refusal *x = &r->refusals[i];
		if (strcmp(x->by, "kubelet") != 0 ||
		    strncmp(x->message, "container has runAsNonRoot", 26) != 0)
			continue;
		bool named = strstr(x->message, "non-numeric") != NULL;
		if (named) {
			struct diag *d = k8s_report(
			    ctx, self, o, c, nr->start, nr->end, x->fix,
			    "runAsNonRoot: true in %s with no runAsUser, and the image of %s "
			    "has the user name '%s' (%s): the kubelet refuses to start it with "
			    "\"%s\" (the pod stays in CreateContainerConfigError); %s%s",
			    k8s_origin(nr), k8s_where(ctx, o, c), v->user, v->origin, x->message,
			    v->uid > 0 ? "write " : "write a numeric user in the image: ",
			    x->fix ? x->fix : "USER 1001:0");
			if (d)
				d->no_edit = IMAGE_OR_MANIFEST;
			return;
		}
		long uid = v->own_uid > 0 ? v->own_uid : 1001;
		const char *fix = arena_printf(ctx->arena, "USER %ld:0", uid);
		struct diag *d = k8s_report(
		    ctx, self, o, c, nr->start, nr->end, fix,
		    "runAsNonRoot: true in %s with no runAsUser, and the image of %s runs as "
		    "root (%s): the kubelet refuses to start it with \"%s\" (the pod stays "
		    "in CreateContainerConfigError); write '%s' in the image, or "
		    "'runAsUser: %ld' in the securityContext",
		    k8s_origin(nr), k8s_where(ctx, o, c), v->origin, x->message, fix, uid);
		if (d)
			d->no_edit = IMAGE_OR_MANIFEST;
		return;
	}
	/*
	 * A Dockerfile with no USER on a base image unroot does not list: the
	 * model leaves its user unknown, and the Dockerfile rules take it for
	 * root (NR101), as the kubelet will find it for almost every base.
	 */
	if (!k8s_set(nr) || !nr->b || v->user_known || !v->unlisted_base)
		return;
	long uid = v->own_uid > 0 ? v->own_uid : 1001;
	const char *fix = arena_printf(ctx->arena, "USER %ld:0", uid);
	struct diag *d = k8s_report(
	    ctx, self, o, c, nr->start, nr->end, fix,
	    "runAsNonRoot: true in %s with no runAsUser, and the image of %s (%s) sets no "
	    "USER on the base image '%s', which is not known to run as non-root: it then "
	    "runs as root, and the kubelet refuses to start it with \"container has "
	    "runAsNonRoot and image will run as root\" (the pod stays in "
	    "CreateContainerConfigError); write '%s' in the image, or 'runAsUser: %ld' in "
	    "the securityContext (or list the base under base-images if it sets a user)",
	    k8s_origin(nr), k8s_where(ctx, o, c), v->origin, v->unlisted_base, fix, uid);
	if (d)
		d->no_edit = "the base image is unknown: whether it sets a user decides the fix";
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	pair_each(ctx, self, check_container);
}

const struct rule NR209_non_numeric_image_user = {
    .code = "NR209",
    .name = "non-numeric-image-user",
    .severity = SEV_ERROR,
    .platforms = PLAT_KUBERNETES | PLAT_OPENSHIFT,
    .kind = KIND_K8S,
    .summary = "runAsNonRoot: true, no runAsUser, and the image user is a name or root",
    .description =
	"With runAsNonRoot: true and no runAsUser, the kubelet checks the image's USER before "
	"starting the container. It cannot look a name up, so USER app makes it refuse with "
	"\"container has runAsNonRoot and image has non-numeric user (app), cannot verify user "
	"is non-root\", and an image that runs as root gets \"container has runAsNonRoot and "
	"image will run as root\". Both leave the pod in CreateContainerConfigError. A "
	"Dockerfile with no USER on a base image that is not known to run as non-root counts "
	"as root, as NR101 takes it; a base given only at build time (an ARG with no default) "
	"is unknown and not reported. Only "
	"checked when the container's image is paired with a Dockerfile or an image "
	"(--image REF=PATH, or the config key images); quiet without.",
    .remediation = "Write a numeric USER in the image (USER 1001:0), or set runAsUser to the "
		   "user's UID in the securityContext.",
    .bad = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  securityContext:\n"
	   "    runAsNonRoot: true\n  containers:\n  - name: app\n"
	   "    image: registry.example.com/web:1.0\n",
    .good = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  securityContext:\n"
	    "    runAsNonRoot: true\n    runAsUser: 1001\n  containers:\n  - name: app\n"
	    "    image: registry.example.com/web:1.0\n",
    .check = check,
    .pairs = true,
};
