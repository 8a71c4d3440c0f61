/* NR206 group-mismatch: runAsGroup shuts the process out of group 0's files. */
#include "edit.h"
#include "k8s-rules.h"
#include "pair.h"
#include "unroot/arena.h"

/*
 * A check the process fails on a path that belongs to group 0, as other
 * than its owner; or whose outcome is unknown because only the path's
 * other bits, which the Dockerfile leaves to the build context, could open
 * it: either way group 0's files are out of reach through owner and group.
 */
static void check_container(struct check_ctx *ctx, const struct rule *self,
			    const struct k8s_object *o, const struct k8s_container *c,
			    const struct image_view *v, const struct sim_result *r)
{
	const struct k8s_field *g = &c->sc.run_as_group;
	if (!k8s_set(g) || g->i == 0)
		return;
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct sim_check *x = &r->checks[i];
		if (x->ok || !x->fatal || x->group != 0 || x->klass == 'u' || x->missing)
			continue;
		struct diag *d = k8s_report(
		    ctx, self, o, c, g->start, g->end, "runAsGroup: 0",
		    "runAsGroup: %lld in %s makes group %lld the primary group of %s, but "
		    "%s gave %s to group 0 (owner %ld): uid %ld is not its owner and not in "
		    "group 0, so %s; write runAsGroup: 0 or remove runAsGroup",
		    g->i, k8s_origin(g), g->i, k8s_where(ctx, o, c), v->origin, x->at, x->owner,
		    r->uid.id,
		    x->unknown ? "only its other bits, which the build context decides, could "
				 "let it use it"
			       : "it cannot use it");
		k8s_edit_value(ctx, d, o, c, g, &k8s_zero);
		return;
	}
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	pair_each(ctx, self, check_container);
}

const struct rule NR206_group_mismatch = {
    .code = "NR206",
    .name = "group-mismatch",
    .severity = SEV_WARNING,
    .platforms = PLAT_KUBERNETES | PLAT_OPENSHIFT,
    .kind = KIND_K8S,
    .summary = "runAsGroup is a gid that cannot reach the files the image gave to group 0",
    .description =
	"An image built to run under any UID gives its files to group 0 (chown -R 1001:0, "
	"chmod -R g=u), because OpenShift starts the process with a random UID in group 0. "
	"runAsGroup replaces that primary group: with runAsGroup: 3000 and a UID that does not "
	"own the files, the process is neither owner nor member of group 0 and gets only the "
	"\"other\" bits. Only checked when the container's image is paired with a Dockerfile "
	"or an image (--image REF=PATH, or the config key images); quiet without.",
    .remediation = "Write runAsGroup: 0, or remove runAsGroup; or add 0 to supplementalGroups.",
    .bad = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  securityContext:\n"
	   "    runAsUser: 2000\n    runAsGroup: 3000\n  containers:\n  - name: app\n"
	   "    image: registry.example.com/web:1.0\n",
    .good = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  securityContext:\n"
	    "    runAsUser: 2000\n    runAsGroup: 0\n  containers:\n  - name: app\n"
	    "    image: registry.example.com/web:1.0\n",
    .check = check,
    .pairs = true,
};
