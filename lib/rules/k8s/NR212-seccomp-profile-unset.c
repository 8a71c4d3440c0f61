/* NR212 seccomp-profile-unset: no seccompProfile RuntimeDefault or Localhost, or Unconfined. */
#include "edit.h"
#include "k8s-rules.h"
#include "unroot/arena.h"
#include "unroot/lint.h"
#include "yaml/ytree.h"

#include <string.h>

static void unset(struct check_ctx *ctx, const struct rule *self, const struct k8s_object *o,
		  const struct k8s_container *c)
{
	const struct k8s_annotation *a = k8s_seccomp_annotation(ctx, o, c);
	const char *v = a && a->value ? a->value : NULL;
	/* OpenShift's restricted-v2 sets runtime/default itself. */
	if (!v) {
		struct diag *d = k8s_report_on(
		    ctx, self, PLAT_KUBERNETES, o, c, c->start, c->start,
		    "seccompProfile: {type: RuntimeDefault}",
		    "%s sets no seccompProfile, so it runs without a seccomp filter (Unconfined, "
		    "the kubelet's default) and may use every system call the kernel has; Pod "
		    "Security Standards restricted requires RuntimeDefault or Localhost; write "
		    "seccompProfile: {type: RuntimeDefault} in the pod's securityContext",
		    k8s_where(ctx, o, c));
		k8s_edit_seccomp(ctx, d, o, c, &c->sc.seccomp_type);
		return;
	}
	/*
	 * Kubernetes 1.27 no longer reads the annotations, and Pod Security
	 * restricted reads only the field. The field goes in beside an annotation
	 * that says the same; beside one that says otherwise, the API server of
	 * a release that still reads them refuses the pod (the two must match).
	 */
	bool same = k8s_seccomp_default(v);
	struct diag *d = k8s_report_on(
	    ctx, self, PLAT_KUBERNETES, o, c, a->key_node ? a->key_node->start : c->start,
	    a->key_node ? a->key_node->end : c->start, "seccompProfile: {type: RuntimeDefault}",
	    "%s has its seccomp profile only in the annotation %s: %s, which Kubernetes "
	    "ignores since 1.27 and Pod Security Standards restricted does not read, so it "
	    "runs without a seccomp filter; write seccompProfile: {type: RuntimeDefault} in "
	    "the pod's securityContext%s",
	    k8s_where(ctx, o, c), a->key, v, same ? "" : " and remove the annotation");
	if (same)
		k8s_edit_seccomp(ctx, d, o, c, &c->sc.seccomp_type);
	else if (d)
		d->no_edit = arena_printf(ctx->arena,
					  "the annotation says %s: a release that still reads it "
					  "refuses a field that differs, so it goes first",
					  v);
}

static void check_container(struct check_ctx *ctx, const struct rule *self,
			    const struct k8s_object *o, const struct k8s_container *c)
{
	const struct k8s_field *t = &c->sc.seccomp_type;
	/*
	 * A privileged container runs without a seccomp filter whatever its
	 * profile: NR210 reports privileged.
	 */
	if (k8s_set(&c->sc.privileged) && c->sc.privileged.b)
		return;
	if (t->invalid)
		return;
	if (!k8s_set(t)) {
		unset(ctx, self, o, c);
		return;
	}
	/* RuntimeDefault and Localhost pass; another word is the API server's to refuse. */
	if (strcmp(t->s, "Unconfined") != 0)
		return;
	struct diag *d = k8s_report(
	    ctx, self, o, c, t->start, t->end, "seccompProfile: {type: RuntimeDefault}",
	    "seccompProfile Unconfined in %s lets %s use every system call the kernel has; "
	    "Pod Security Standards restricted and OpenShift restricted-v2 reject it; write "
	    "type: RuntimeDefault",
	    k8s_origin(t), k8s_where(ctx, o, c));
	/* What an admission rejects is an error, as NR208's rejections are. */
	if (d)
		d->variant = true;
	k8s_edit_seccomp(ctx, d, o, c, t);
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	k8s_each_container(ctx, self, check_container);
}

const struct rule NR212_seccomp_profile_unset = {
    .code = "NR212",
    .name = "seccomp-profile-unset",
    .severity = SEV_WARNING,
    .variant_severity = SEV_ERROR,
    .platforms = PLAT_KUBERNETES | PLAT_OPENSHIFT,
    .kind = KIND_K8S,
    .summary = "no seccompProfile RuntimeDefault or Localhost, or Unconfined",
    .description =
	"Without a seccompProfile the kubelet starts the container Unconfined: no seccomp filter, "
	"so a process that breaks out of its user can call every system call the kernel has "
	"(unshare, keyctl, bpf, mount in a new namespace), the way most container escapes "
	"begin. RuntimeDefault is the container runtime's filter, which blocks those and lets "
	"ordinary programs run. Pod Security Standards restricted requires seccompProfile type "
	"RuntimeDefault or Localhost on the pod or on every container, and rejects Unconfined. "
	"OpenShift restricted-v2 sets runtime/default itself and rejects any other profile, "
	"which is an error; a profile left unset is a warning, and only on Kubernetes. The "
	"annotations seccomp.security.alpha.kubernetes.io/pod and "
	"container.seccomp.security.alpha.kubernetes.io/NAME are ignored since Kubernetes 1.27 "
	"and do not count for restricted. A privileged container runs unfiltered anyway: NR210 "
	"reports it.",
    .remediation = "Write seccompProfile: {type: RuntimeDefault} in the pod's securityContext.",
    .bad = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
	   "  - name: app\n    image: nginx:1.27\n",
    .good = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  securityContext:\n"
	    "    seccompProfile:\n      type: RuntimeDefault\n  containers:\n"
	    "  - name: app\n    image: nginx:1.27\n",
    .check = check,
};
