/*
 * NR208 uid-pinned: what OpenShift's restricted-v2 does with the pod. A
 * rejection is an error with OpenShift's own reason; a UID, fsGroup or
 * runAsGroup pinned in a way restricted-v2 admits is a warning, because it
 * holds only in a namespace whose range contains it.
 */
#include "edit.h"
#include "k8s-rules.h"
#include "unroot/arena.h"
#include "k8s/openshift.h"
#include "yaml/ytree.h"

#include <string.h>

static bool pod_level(const char *field)
{
	return strncmp(field, "spec.securityContext", 20) == 0 ||
	       strncmp(field, "spec.volumes", 12) == 0;
}

/*
 * privileged, allowPrivilegeEscalation: true and added capabilities are
 * NR210's and NR211's facts, which say OpenShift rejects them too: one
 * finding per fact.
 */
static bool other_rules(const char *field)
{
	return strstr(field, ".privileged") || strstr(field, ".allowPrivilegeEscalation") ||
	       strstr(field, ".capabilities.add");
}

/* The pod's service account, for `oc adm policy add-scc-to-user SCC -z NAME`. */
static const char *service_account(const struct k8s_object *o)
{
	const struct ynode *n = ymap_get(o->pod.spec, "serviceAccountName");
	if (!n || n->kind != Y_SCALAR || !*n->value)
		n = ymap_get(o->pod.spec, "serviceAccount");
	return n && n->kind == Y_SCALAR && *n->value ? n->value : "default";
}

static void check_container(struct check_ctx *ctx, const struct rule *self,
			    const struct k8s_object *o, const struct k8s_container *c)
{
	struct openshift_ranges rg;
	openshift_ranges_for(ctx->k8s, o, ctx->opts, &rg);
	struct openshift_admission adm;
	if (openshift_admit(ctx->arena, o, c, &rg, &adm) != 0)
		return;
	bool first = c == &o->pod.containers[0];
	for (size_t i = 0; i < adm.nreasons; i++) {
		const struct openshift_reason *r = &adm.reasons[i];
		if ((pod_level(r->field) && !first) || other_rules(r->field))
			continue;
		bool uid = strstr(r->field, "runAsUser") != NULL;
		bool fsg = strstr(r->field, "fsGroup") != NULL;
		const char *from = uid ? rg.uid_from : fsg ? rg.groups_from : NULL;
		struct diag *d = k8s_report(
		    ctx, self, o, c, r->start, r->end, r->fix,
		    "OpenShift restricted-v2 rejects %s: \"%s\"%s%s%s; %s",
		    pod_level(r->field) ? o->label : k8s_where(ctx, o, c), r->message,
		    from ? " (range from " : "", from ? from : "", from ? ")" : "",
		    uid	  ? "remove runAsUser and write runAsNonRoot: true, so OpenShift assigns a "
			    "UID from the range"
		    : fsg ? "remove fsGroup, so OpenShift assigns one from the range"
		    /*
		     * What a pod asks of the node is asked on purpose (a CNI, CSI or
		     * monitoring agent needs it): unroot cannot tell from the file
		     * whether it can go, so it names the SCC that allows it.
		     */
		    : r->scc
			? arena_printf(ctx->arena,
				       "a pod that needs it (a node agent: network, storage or "
				       "monitoring) runs on OpenShift only under an SCC that "
				       "allows it: grant %s to its service account (oc adm "
				       "policy add-scc-to-user %s -z %s); otherwise remove it",
				       r->scc, r->scc, service_account(o))
		    : r->fix ? arena_printf(ctx->arena, "write %s", r->fix)
			     : "remove it");
		if (d) {
			d->variant = true; /* a rejection: an error */
			/* what the pod asks of the node is a person's call: no edit */
			d->no_edit = r->scc ? "whether the pod needs this access to the node is a "
					      "person's call"
					    : "no exact edit for this rejection";
		}
		if (uid)
			k8s_edit_unpin_uid(ctx, d, o, c, &c->sc.run_as_user);
		else if (fsg)
			k8s_edit_remove(ctx, d, o, c, &c->sc.fs_group);
	}
	const struct k8s_secctx *sc = &c->sc;
	struct diag *d;
	if (k8s_set(&sc->run_as_user) && openshift_range_contains(&rg.uid, sc->run_as_user.i)) {
		d = k8s_report(
		    ctx, self, o, c, sc->run_as_user.start, sc->run_as_user.end,
		    "runAsNonRoot: true",
		    "runAsUser: %lld in %s pins the UID of %s: restricted-v2 admits it only "
		    "in a namespace whose range (%s here) holds it, and every namespace gets "
		    "another range; remove runAsUser and write runAsNonRoot: true",
		    sc->run_as_user.i, k8s_origin(&sc->run_as_user), k8s_where(ctx, o, c),
		    rg.uid_from);
		k8s_edit_unpin_uid(ctx, d, o, c, &sc->run_as_user);
	}
	if (first && k8s_set(&sc->fs_group) &&
	    openshift_range_contains(&rg.groups, sc->fs_group.i)) {
		d = k8s_report(
		    ctx, self, o, c, sc->fs_group.start, sc->fs_group.end, NULL,
		    "fsGroup: %lld pins the volume group of %s: restricted-v2 admits it only "
		    "in a namespace whose supplemental-groups range (%s here) holds it; remove "
		    "fsGroup and let OpenShift assign one",
		    sc->fs_group.i, o->label, rg.groups_from);
		k8s_edit_remove(ctx, d, o, c, &sc->fs_group);
	}
	if (k8s_set(&sc->run_as_group) && sc->run_as_group.i != 0) {
		d = k8s_report(
		    ctx, self, o, c, sc->run_as_group.start, sc->run_as_group.end, "runAsGroup: 0",
		    "runAsGroup: %lld in %s pins the primary group of %s: OpenShift runs the "
		    "arbitrary UID in group 0, and images built for it give their files to "
		    "group 0; remove runAsGroup or write runAsGroup: 0",
		    sc->run_as_group.i, k8s_origin(&sc->run_as_group), k8s_where(ctx, o, c));
		k8s_edit_value(ctx, d, o, c, &sc->run_as_group, &k8s_zero);
	}
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	k8s_each_container(ctx, self, check_container);
}

const struct rule NR208_uid_pinned = {
    .code = "NR208",
    .name = "uid-pinned",
    .severity = SEV_WARNING,
    .variant_severity = SEV_ERROR,
    .platforms = PLAT_OPENSHIFT,
    .kind = KIND_K8S,
    .summary = "runAsUser, runAsGroup or fsGroup pinned, or a pod that restricted-v2 rejects",
    .description =
	"OpenShift's default SCC, restricted-v2, runs every pod with a UID from the "
	"namespace's range (annotation openshift.io/sa.scc.uid-range, e.g. 1000680000/10000) "
	"and an fsGroup from openshift.io/sa.scc.supplemental-groups. A pod that sets neither "
	"gets the first of each. A runAsUser or fsGroup outside the range is rejected, and so "
	"are privileged containers, allowPrivilegeEscalation: true and added capabilities other "
	"than NET_BIND_SERVICE (NR210 and NR211 report those), and the host's network, PID and "
	"IPC namespaces, host ports and hostPath volumes: these findings are errors and quote "
	"OpenShift's reason. A node agent needs the host on purpose; the finding names the SCC "
	"that allows it. A value inside the range is admitted, but "
	"only in that namespace, so it is a warning, as is a pinned runAsGroup other than 0. "
	"The range comes from a Namespace object in the same input, else from --uid-range and "
	"--supplemental-groups (default 1000680000/10000).",
    .remediation = "Remove runAsUser, runAsGroup and fsGroup from manifests meant for OpenShift "
		   "and set runAsNonRoot: true; let the image's numeric USER apply elsewhere.",
    .bad = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n"
	   "    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n"
	   "    spec:\n      securityContext:\n        runAsUser: 2000\n        fsGroup: 2000\n"
	   "      containers:\n      - name: app\n        image: nginx:1.27\n",
    .good = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n"
	    "    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n"
	    "    spec:\n      securityContext:\n        runAsNonRoot: true\n      containers:\n"
	    "      - name: app\n        image: nginx:1.27\n",
    .check = check,
};
