/* NR201 run-as-root: the effective runAsUser is 0. */
#include "edit.h"
#include "k8s-rules.h"

static void check_container(struct check_ctx *ctx, const struct rule *self,
			    const struct k8s_object *o, const struct k8s_container *c)
{
	const struct k8s_field *u = &c->sc.run_as_user;
	if (!k8s_set(u) || u->i != 0)
		return;
	bool userns = k8s_set(&o->pod.host_users) && !o->pod.host_users.b;
	struct diag *d = k8s_report(
	    ctx, self, o, c, u->start, u->end, "runAsNonRoot: true",
	    "runAsUser: 0 in %s runs %s as root%s: the kubelet refuses it under runAsNonRoot, Pod "
	    "Security Standards restricted rejects it, and OpenShift restricted-v2 rejects it; "
	    "remove it and write runAsNonRoot: true, with a numeric non-root USER in the image",
	    k8s_origin(u), k8s_where(ctx, o, c),
	    userns ? " (inside its user namespace: hostUsers is false)" : "");
	if (d && userns)
		d->variant = true; /* in a user namespace: a warning */
	k8s_edit_unpin_uid(ctx, d, o, c, u);
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	k8s_each_container(ctx, self, check_container);
}

const struct rule NR201_run_as_root = {
    .code = "NR201",
    .name = "run-as-root",
    .severity = SEV_ERROR,
    .variant_severity = SEV_WARNING,
    .platforms = PLAT_KUBERNETES | PLAT_OPENSHIFT,
    .kind = KIND_K8S,
    .summary = "a container's effective runAsUser is 0",
    .description =
	"runAsUser replaces the image's USER, so runAsUser: 0 runs the process as root "
	"whatever the image says. A container escape then lands as root on the node. On "
	"Kubernetes, Pod Security Standards restricted forbids it and runAsNonRoot: true makes "
	"the kubelet refuse it (\"container's runAsUser breaks non-root policy\"). On OpenShift, "
	"restricted-v2 rejects any UID outside the namespace range, 0 included. The value is "
	"the effective one: a container's securityContext overrides the pod's. With hostUsers: "
	"false the pod runs in a user namespace and the finding is a warning.",
    .remediation = "Remove runAsUser: 0, set runAsNonRoot: true, and give the image a numeric "
		   "non-root USER (USER 1001:0).",
    .bad = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  securityContext:\n"
	   "    runAsUser: 0\n  containers:\n  - name: app\n    image: nginx:1.27\n",
    .good = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  securityContext:\n"
	    "    runAsNonRoot: true\n  containers:\n  - name: app\n    image: nginx:1.27\n",
    .check = check,
};
