/* NR203 run-as-non-root-false: runAsNonRoot: false, said explicitly. */
#include "edit.h"
#include "k8s-rules.h"

static void check_container(struct check_ctx *ctx, const struct rule *self,
			    const struct k8s_object *o, const struct k8s_container *c)
{
	const struct k8s_field *nr = &c->sc.run_as_non_root;
	if (!k8s_set(nr) || nr->b)
		return;
	struct diag *d = k8s_report(
	    ctx, self, o, c, nr->start, nr->end, "runAsNonRoot: true",
	    "runAsNonRoot: false in %s turns off the kubelet's non-root check for %s, so "
	    "an image that runs as root starts as root; Pod Security Standards restricted "
	    "rejects it; write runAsNonRoot: true",
	    k8s_origin(nr), k8s_where(ctx, o, c));
	k8s_edit_value(ctx, d, o, c, nr, &k8s_true);
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	k8s_each_container(ctx, self, check_container);
}

const struct rule NR203_run_as_non_root_false = {
    .code = "NR203",
    .name = "run-as-non-root-false",
    .severity = SEV_ERROR,
    .platforms = PLAT_KUBERNETES | PLAT_OPENSHIFT,
    .kind = KIND_K8S,
    .summary = "runAsNonRoot is explicitly false",
    .description =
	"runAsNonRoot: false says on purpose that the container may run as root. The kubelet "
	"then does not check the image's user, and a container-level false overrides a "
	"pod-level true. Pod Security Standards restricted rejects it. YAML 1.1 spellings count: "
	"runAsNonRoot: no and runAsNonRoot: off are false too, because the API server reads "
	"YAML that way.",
    .remediation = "Write runAsNonRoot: true.",
    .bad =
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
	"  - name: app\n    image: nginx:1.27\n    securityContext:\n      runAsNonRoot: false\n",
    .good =
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
	"  - name: app\n    image: nginx:1.27\n    securityContext:\n      runAsNonRoot: true\n",
    .check = check,
};
