/* NR210 privilege-escalation: allowPrivilegeEscalation not false, or privileged: true. */
#include "k8s-rules.h"

static void check_container(struct check_ctx *ctx, const struct rule *self,
			    const struct k8s_object *o, const struct k8s_container *c)
{
	const struct k8s_field *p = &c->sc.privileged, *e = &c->sc.allow_privilege_escalation;
	/* What an admission rejects is an error, as NR208's rejections are. */
	if (k8s_set(p) && p->b) {
		struct diag *d = k8s_report(
		    ctx, self, o, c, p->start, p->end, "privileged: false",
		    "privileged: true gives %s every capability and the host's devices, so "
		    "root in it is root on the node; Pod Security Standards baseline and "
		    "OpenShift restricted-v2 reject it; write privileged: false",
		    k8s_where(ctx, o, c));
		if (d)
			d->variant = true;
		return; /* privileged implies escalation: one finding is enough */
	}
	if (e->invalid || (k8s_set(e) && !e->b))
		return;
	if (k8s_set(e)) {
		struct diag *d = k8s_report(
		    ctx, self, o, c, e->start, e->end, "allowPrivilegeEscalation: false",
		    "allowPrivilegeEscalation: true lets a process in %s gain more privileges "
		    "than its parent (setuid binaries, file capabilities); Pod Security "
		    "Standards restricted and OpenShift restricted-v2 reject it; write "
		    "allowPrivilegeEscalation: false",
		    k8s_where(ctx, o, c));
		if (d)
			d->variant = true;
	} else
		/* OpenShift's restricted-v2 sets it to false itself. */
		k8s_report_on(
		    ctx, self, PLAT_KUBERNETES, o, c, c->start, c->start,
		    "allowPrivilegeEscalation: false",
		    "%s does not set allowPrivilegeEscalation: false, so setuid binaries in "
		    "the image can raise a non-root process back to root; Pod Security "
		    "Standards restricted requires it; write allowPrivilegeEscalation: false "
		    "in the container's securityContext",
		    k8s_where(ctx, o, c));
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	k8s_each_container(ctx, self, check_container);
}

const struct rule NR210_privilege_escalation = {
    .code = "NR210",
    .name = "privilege-escalation",
    .severity = SEV_WARNING,
    .variant_severity = SEV_ERROR,
    .platforms = PLAT_KUBERNETES | PLAT_OPENSHIFT,
    .kind = KIND_K8S,
    .summary = "allowPrivilegeEscalation is not false, or privileged is true",
    .description =
	"Running as non-root is undone when the process can gain privileges back: a setuid "
	"binary (su, sudo, ping on some images) or a file capability raises it unless "
	"allowPrivilegeEscalation is false, which sets the kernel's no_new_privs flag. The "
	"field has no pod-level form; Kubernetes defaults it to true. privileged: true gives "
	"the container all capabilities and the host's devices. Pod Security Standards "
	"restricted requires allowPrivilegeEscalation: false on every container; OpenShift "
	"restricted-v2 defaults it to false and rejects true and privileged: true. What they "
	"reject is an error; a field left unset is a warning, and only on Kubernetes.",
    .remediation = "Write allowPrivilegeEscalation: false in every container's securityContext, "
		   "and remove privileged: true.",
    .bad = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
	   "  - name: app\n    image: nginx:1.27\n",
    .good = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
	    "  - name: app\n    image: nginx:1.27\n    securityContext:\n"
	    "      allowPrivilegeEscalation: false\n",
    .check = check,
};
