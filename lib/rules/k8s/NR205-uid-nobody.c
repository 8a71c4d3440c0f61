/* NR205 uid-nobody: runAsUser 65534 or 65535. */
#include "edit.h"
#include "k8s-rules.h"

static void check_container(struct check_ctx *ctx, const struct rule *self,
			    const struct k8s_object *o, const struct k8s_container *c)
{
	const struct k8s_field *u = &c->sc.run_as_user;
	if (!k8s_set(u) || (u->i != 65534 && u->i != 65535))
		return;
	bool unpin = k8s_targets_openshift(ctx, o);
	struct diag *d = k8s_report(
	    ctx, self, o, c, u->start, u->end, unpin ? "runAsNonRoot: true" : "runAsUser: 1001",
	    "runAsUser: %lld in %s runs %s as %s, an account reserved for NFS and shared "
	    "by every workload that makes the same choice; write runAsUser: 1001, or leave "
	    "it out and set runAsNonRoot: true",
	    u->i, k8s_origin(u), k8s_where(ctx, o, c), u->i == 65534 ? "nobody (65534)" : "65535");
	static const struct yval uid = {.kind = YV_SCALAR, .s = "1001"};
	if (unpin)
		k8s_edit_unpin_uid(ctx, d, o, c, u);
	else
		k8s_edit_value(ctx, d, o, c, u, &uid);
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	k8s_each_container(ctx, self, check_container);
}

const struct rule NR205_uid_nobody = {
    .code = "NR205",
    .name = "uid-nobody",
    .severity = SEV_WARNING,
    .platforms = PLAT_KUBERNETES,
    .kind = KIND_K8S,
    .summary = "runAsUser is 65534 (nobody) or 65535",
    .description =
	"65534 is nobody, the UID NFS maps unknown users to, and 65535 is reserved as well. "
	"Every workload that picks nobody shares one identity, so files one of them writes on a "
	"shared volume are open to the others. Use a UID of your own.",
    .remediation = "Write runAsUser: 1001, or remove runAsUser and set runAsNonRoot: true.",
    .bad = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: exporter\nspec:\n  securityContext:\n"
	   "    runAsUser: 65534\n    runAsNonRoot: true\n  containers:\n  - name: app\n"
	   "    image: prom/node-exporter:v1.8.2\n",
    .good = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: exporter\nspec:\n  securityContext:\n"
	    "    runAsUser: 1001\n    runAsNonRoot: true\n  containers:\n  - name: app\n"
	    "    image: prom/node-exporter:v1.8.2\n",
    .check = check,
};
