/* NR202 run-as-non-root-unset: nothing says the container runs as non-root. */
#include "edit.h"
#include "k8s-rules.h"

static void check_container(struct check_ctx *ctx, const struct rule *self,
			    const struct k8s_object *o, const struct k8s_container *c)
{
	const struct k8s_field *nr = &c->sc.run_as_non_root, *u = &c->sc.run_as_user;
	/* Explicit false is NR203, runAsUser 0 is NR201; unknown values say nothing. */
	if (nr->origin != K8S_UNSET || u->invalid)
		return;
	if (k8s_set(u))
		return;
	/*
	 * A privileged container is root on the node whatever its user: NR210
	 * reports privileged, and a node agent that must be privileged often
	 * must be root too.
	 */
	if (k8s_set(&c->sc.privileged) && c->sc.privileged.b)
		return;
	/* Pod Security Standards relax the check for pods in a user namespace. */
	if (k8s_set(&o->pod.host_users) && !o->pod.host_users.b)
		return;
	struct diag *d = k8s_report(
	    ctx, self, o, c, c->start, c->start, "runAsNonRoot: true",
	    "%s sets neither runAsNonRoot: true nor a non-zero runAsUser, so it runs as "
	    "whatever user the image names, root when the image has no USER; Pod Security "
	    "Standards restricted rejects it; write runAsNonRoot: true in the pod's "
	    "securityContext",
	    k8s_where(ctx, o, c));
	k8s_edit_set(ctx, d, o, c, true, "runAsNonRoot", &k8s_true);
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	k8s_each_container(ctx, self, check_container);
}

const struct rule NR202_run_as_non_root_unset = {
    .code = "NR202",
    .name = "run-as-non-root-unset",
    .severity = SEV_WARNING,
    .platforms = PLAT_KUBERNETES,
    .kind = KIND_K8S,
    .summary = "no runAsNonRoot: true and no non-zero runAsUser",
    .description =
	"Without runAsNonRoot: true or a non-zero runAsUser, Kubernetes starts the container "
	"as the image's USER, which is root for most public images. runAsNonRoot: true makes "
	"the kubelet check the user before it starts the container, and Pod Security Standards "
	"restricted requires it on the pod or on every container. It is the portable choice: "
	"unlike a pinned runAsUser it also works on OpenShift, which assigns the UID. Pods with "
	"hostUsers: false run in a user namespace and are exempt, as in the standard.",
    .remediation = "Write runAsNonRoot: true in the pod's securityContext, and give the image "
		   "a numeric non-root USER.",
    .bad = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n"
	   "    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n"
	   "    spec:\n      containers:\n      - name: app\n        image: nginx:1.27\n",
    .good = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n"
	    "    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n"
	    "    spec:\n      securityContext:\n        runAsNonRoot: true\n      containers:\n"
	    "      - name: app\n        image: nginx:1.27\n",
    .check = check,
};
