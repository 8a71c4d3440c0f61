/* NR211 capabilities: not dropping ALL, or adding more than NET_BIND_SERVICE. */
#include "edit.h"
#include "k8s-rules.h"
#include "unroot/arena.h"
#include "yaml/ytree.h"

#include <string.h>
#include <strings.h>

static void check_container(struct check_ctx *ctx, const struct rule *self,
			    const struct k8s_object *o, const struct k8s_container *c)
{
	const struct k8s_secctx *sc = &c->sc;
	/*
	 * A privileged container has every capability whatever its lists say:
	 * NR210 reports privileged, and dropping or not adding changes nothing.
	 */
	if (k8s_set(&sc->privileged) && sc->privileged.b)
		return;
	if (!sc->cap_drop.invalid && !k8s_caps_has(&sc->cap_drop, "ALL")) {
		size_t s = c->start, e = c->start;
		if (k8s_set(&sc->cap_drop)) {
			s = sc->cap_drop.start;
			e = sc->cap_drop.end;
		} else if (sc->capabilities) {
			s = sc->capabilities->start;
			e = sc->capabilities->start;
		}
		/* OpenShift's restricted-v2 drops ALL itself. */
		struct diag *d = k8s_report_on(
		    ctx, self, PLAT_KUBERNETES, o, c, s, e, "capabilities: {drop: [ALL]}",
		    "%s keeps the runtime's default capabilities (%s), so a process that "
		    "gets root back can still chown, kill and bind raw sockets; Pod Security "
		    "Standards restricted requires dropping ALL; write capabilities: {drop: "
		    "[ALL]}",
		    k8s_where(ctx, o, c),
		    k8s_set(&sc->cap_drop) ? "its drop list does not name ALL"
					   : "nothing is dropped");
		k8s_edit_drop_all(ctx, d, o, c);
	}
	const struct k8s_field *add = &sc->cap_add;
	if (!k8s_set(add) || !add->node || add->node->kind != Y_SEQ)
		return;
	for (size_t i = 0; i < add->node->nitems; i++) {
		const struct ynode *n = add->node->items[i];
		if (n->kind != Y_SCALAR)
			continue;
		const char *v = n->value;
		if (strncasecmp(v, "CAP_", 4) == 0)
			v += 4;
		if (strcmp(v, "NET_BIND_SERVICE") == 0)
			continue;
		struct diag *d = k8s_report(
		    ctx, self, o, c, n->start, n->end,
		    "capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}",
		    "%s adds the capability %s: Pod Security Standards restricted allows only "
		    "NET_BIND_SERVICE, and OpenShift restricted-v2 rejects it (\"capability may "
		    "not be added\"); remove it, and if the process must bind a port below "
		    "1024, write capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}",
		    k8s_where(ctx, o, c), n->value);
		/* restricted-v2 rejects it: an error, as NR208's rejections are. */
		if (d)
			d->variant = true;
		k8s_edit_cap_remove(ctx, d, c, n);
	}
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	k8s_each_container(ctx, self, check_container);
}

const struct rule NR211_capabilities = {
    .code = "NR211",
    .name = "capabilities",
    .severity = SEV_WARNING,
    .variant_severity = SEV_ERROR,
    .platforms = PLAT_KUBERNETES | PLAT_OPENSHIFT,
    .kind = KIND_K8S,
    .summary = "capabilities do not drop ALL, or add more than NET_BIND_SERVICE",
    .description =
	"Container runtimes give a container a default set of capabilities (CHOWN, DAC_OVERRIDE, "
	"FOWNER, SETUID, SETGID, NET_RAW, KILL and more). A non-root process does not use them, "
	"but one that regains root does. Pod Security Standards restricted requires "
	"capabilities.drop to contain ALL and allows adding back only NET_BIND_SERVICE. "
	"OpenShift restricted-v2 drops ALL itself and rejects any other added capability, "
	"which is an error; a missing drop is a warning, and only on Kubernetes. Binaries with "
	"file capabilities fail to start once ALL is dropped.",
    .remediation = "Write capabilities: {drop: [ALL]} in every container's securityContext; add "
		   "back NET_BIND_SERVICE only for ports below 1024.",
    .bad = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
	   "  - name: app\n    image: nginx:1.27\n    securityContext:\n      capabilities:\n"
	   "        add: [SYS_ADMIN]\n",
    .good = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
	    "  - name: app\n    image: nginx:1.27\n    securityContext:\n      capabilities:\n"
	    "        drop: [ALL]\n",
    .check = check,
};
