/* NR207 image-user-mismatch: runAsUser differs from the image's user and cannot reach its files. */
#include "k8s-rules.h"
#include "pair.h"
#include "unroot/arena.h"

/*
 * A check the process fails on a path the image's own user owns, or whose
 * outcome is unknown because only its other bits (the build context's)
 * could open it: out of reach through owner and group either way.
 */
static void check_container(struct check_ctx *ctx, const struct rule *self,
			    const struct k8s_object *o, const struct k8s_container *c,
			    const struct image_view *v, const struct sim_result *r)
{
	const struct k8s_field *u = &c->sc.run_as_user;
	if (!k8s_set(u) || v->uid < 0 || v->uid == u->i)
		return;
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct sim_check *x = &r->checks[i];
		if (x->ok || !x->fatal || x->missing || x->owner != v->uid)
			continue;
		const char *chown =
		    arena_printf(ctx->arena, "chgrp -R 0 %s && chmod -R g=u %s", x->at, x->at);
		struct diag *d = k8s_report(
		    ctx, self, o, c, u->start, u->end, chown,
		    "runAsUser: %lld in %s differs from the image user %ld (%s), and %s "
		    "belongs to %ld:%ld, which uid %ld in group %ld cannot reach%s, so %s "
		    "%s to use it; give the files to group 0 in the image (%s) or remove "
		    "runAsUser",
		    u->i, k8s_origin(u), v->uid, v->origin, x->at, x->owner, x->group, r->uid.id,
		    r->gid.id,
		    x->unknown ? " as owner or group (only its other bits, which the build "
				 "context decides, could open it)"
			       : "",
		    k8s_where(ctx, o, c), x->unknown ? "may fail" : "fails",
		    chown ? chown : "chgrp -R 0");
		if (d)
			d->no_edit = "the fix is in the image, or a choice between the image's "
				     "files and the pinned user";
		return;
	}
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	pair_each(ctx, self, check_container);
}

const struct rule NR207_image_user_mismatch = {
    .code = "NR207",
    .name = "image-user-mismatch",
    .severity = SEV_WARNING,
    .platforms = PLAT_KUBERNETES | PLAT_OPENSHIFT,
    .kind = KIND_K8S,
    .summary = "runAsUser differs from the image's user and the image's files are not "
	       "reachable through the group",
    .description =
	"runAsUser replaces the image's USER and drops its group. When the image gave its "
	"files to its own user and group (COPY --chown=1001:1001), a pod that runs another UID "
	"can no longer read or write them, and the container fails at start. Files given to "
	"group 0 with g=u stay reachable, which is what OpenShift's random UID needs anyway. "
	"Only checked when the container's image is paired with a Dockerfile or an image "
	"(--image REF=PATH, or the config key images); quiet without.",
    .remediation = "Give the files to group 0 in the image (COPY --chown=1001:0, chmod -R g=u), "
		   "or remove runAsUser so the image's user applies.",
    .bad = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  securityContext:\n"
	   "    runAsUser: 2000\n  containers:\n  - name: app\n"
	   "    image: registry.example.com/web:1.0\n",
    .good = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  securityContext:\n"
	    "    runAsNonRoot: true\n  containers:\n  - name: app\n"
	    "    image: registry.example.com/web:1.0\n",
    .check = check,
    .pairs = true,
};
