/* NR210 privilege-escalation: allowPrivilegeEscalation not false, or privileged: true. */
#include "edit.h"
#include "k8s-rules.h"
#include "unroot/lint.h"
#include "yaml/ytree.h"

#include <string.h>
#include <strings.h>

/*
 * privileged: false brings back what privileged hid (NR202, NR211, NR212,
 * and allowPrivilegeEscalation unset or true): its edit fixes those too, so the
 * fixed file has nothing left to fix.
 */
static void unprivileged(struct check_ctx *ctx, struct diag *d, const struct k8s_object *o,
			 const struct k8s_container *c)
{
	const struct k8s_secctx *sc = &c->sc;
	const struct k8s_field *e = &sc->allow_privilege_escalation, *add = &sc->cap_add;
	if (k8s_set(e) && e->b)
		k8s_edit_value(ctx, d, o, c, e, &k8s_false);
	for (size_t i = 0;
	     k8s_set(add) && add->node && add->node->kind == Y_SEQ && i < add->node->nitems; i++) {
		const struct ynode *n = add->node->items[i];
		const char *v = n->kind == Y_SCALAR ? n->value : "";
		if (strncasecmp(v, "CAP_", 4) == 0)
			v += 4;
		if (n->kind == Y_SCALAR && strcmp(v, "NET_BIND_SERVICE") != 0)
			k8s_edit_cap_remove(ctx, d, c, n);
	}
	const struct k8s_field *sp = &sc->seccomp_type;
	if (k8s_set(sp) && strcmp(sp->s, "Unconfined") == 0)
		k8s_edit_seccomp(ctx, d, o, c, sp);
	if (!(ctx->opts->platforms & o->platforms & PLAT_KUBERNETES))
		return;
	const struct k8s_annotation *sa = k8s_seccomp_annotation(ctx, o, c);
	if (sp->origin == K8S_UNSET && (!sa || k8s_seccomp_default(sa->value)))
		k8s_edit_seccomp(ctx, d, o, c, sp);
	if (e->origin == K8S_UNSET)
		k8s_edit_set(ctx, d, o, c, false, "allowPrivilegeEscalation", &k8s_false);
	if (!sc->cap_drop.invalid && !k8s_caps_has(&sc->cap_drop, "ALL"))
		k8s_edit_drop_all(ctx, d, o, c);
	bool userns = k8s_set(&o->pod.host_users) && !o->pod.host_users.b;
	if (sc->run_as_non_root.origin == K8S_UNSET && sc->run_as_user.origin == K8S_UNSET &&
	    !userns)
		k8s_edit_set(ctx, d, o, c, true, "runAsNonRoot", &k8s_true);
}

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
		k8s_edit_value(ctx, d, o, c, p, &k8s_false);
		unprivileged(ctx, d, o, c);
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
		k8s_edit_value(ctx, d, o, c, e, &k8s_false);
	} else {
		/* OpenShift's restricted-v2 sets it to false itself. */
		struct diag *d = k8s_report_on(
		    ctx, self, PLAT_KUBERNETES, o, c, c->start, c->start,
		    "allowPrivilegeEscalation: false",
		    "%s does not set allowPrivilegeEscalation: false, so setuid binaries in "
		    "the image can raise a non-root process back to root; Pod Security "
		    "Standards restricted requires it; write allowPrivilegeEscalation: false "
		    "in the container's securityContext",
		    k8s_where(ctx, o, c));
		k8s_edit_set(ctx, d, o, c, false, "allowPrivilegeEscalation", &k8s_false);
	}
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
