/* NR303 values-run-as-root: values.yaml defaults that run the workload as root. */
#include "unroot/arena.h"
#include "helm/helm.h"
#include "rules/check.h"
#include "examples.h"
#include "yaml/ytree.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_zero(const struct ynode *n)
{
	if (n->kind != Y_SCALAR || n->len == 0 || n->len > 20)
		return false;
	char *end = NULL;
	long v = strtol(n->value, &end, 0);
	return end && *end == 0 && v == 0;
}

static bool is_false(const struct ynode *n)
{
	return n->kind == Y_SCALAR && n->style == Y_PLAIN &&
	       (strcasecmp(n->value, "false") == 0 || strcasecmp(n->value, "no") == 0 ||
		strcasecmp(n->value, "off") == 0);
}

static void walk(struct check_ctx *ctx, const struct rule *self, const struct helm_chart *c,
		 const struct ynode *n, const char *path, unsigned depth, size_t *budget)
{
	if (!n || depth > 64 || *budget == 0 || n->kind == Y_SCALAR)
		return;
	(*budget)--;
	if (n->kind == Y_SEQ) {
		for (size_t i = 0; i < n->nitems; i++)
			walk(ctx, self, c, n->items[i], path, depth + 1, budget);
		return;
	}
	for (size_t i = 0; i + 1 < n->nitems; i += 2) {
		const struct ynode *k = n->items[i], *v = n->items[i + 1];
		if (k->kind != Y_SCALAR)
			continue;
		const char *kp =
		    *path ? arena_printf(ctx->arena, "%s.%s", path, k->value) : k->value;
		if (!kp)
			return;
		bool uid0 = strcmp(k->value, "runAsUser") == 0 && is_zero(v);
		bool nonroot_false = strcmp(k->value, "runAsNonRoot") == 0 && is_false(v);
		if ((uid0 || nonroot_false) && !(*path && helm_values_disabled(c, path)) &&
		    !(*path && helm_values_rendered_off(c, path))) {
			const struct helm_file *f = c->values_file;
			struct diag *d = diag_add(
			    ctx->diags, self, f->path, f->src, k->start, v->end,
			    "values.yaml defaults `%s: %s` at %s: the chart %s unless the operator "
			    "overrides it; Pod Security \"restricted\" and OpenShift's "
			    "restricted-v2 "
			    "SCC reject it; leave runAsUser unset and set runAsNonRoot: true",
			    k->value, v->value, kp,
			    uid0 ? "runs as root" : "lets the container run as root");
			if (d) {
				d->fix = "runAsNonRoot: true";
				d->no_edit = "changing a values default changes what the chart "
					     "deploys for everyone";
			}
		}
		walk(ctx, self, c, v, kp, depth + 1, budget);
	}
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	const struct helm_chart *c = ctx->helm;
	size_t budget = 1000000;
	if (c->values && c->values_file)
		walk(ctx, self, c, c->values, "", 0, &budget);
}

const struct rule NR303_values_run_as_root = {
    .code = "NR303",
    .name = "values-run-as-root",
    .severity = SEV_ERROR,
    .platforms = PLAT_KUBERNETES | PLAT_OPENSHIFT,
    .kind = KIND_HELM,
    .summary = "values.yaml defaults give root (runAsUser: 0, runAsNonRoot: false)",
    .description =
	"What values.yaml says is what most installs run. A default of runAsUser: 0 runs the "
	"container as root; runAsNonRoot: false turns off the kubelet's check that would "
	"refuse an image whose user is root. Pod Security \"restricted\" forbids both, and "
	"OpenShift's restricted-v2 SCC rejects uid 0. A part of values that the chart "
	"switches off by default is not a default and is not reported: an `enabled: false` "
	"beside it or above it, or templates that render it only in branches the default "
	"values skip (an init container that runs when a fix is turned on).",
    .remediation = "Leave runAsUser unset (the image's numeric USER applies, or OpenShift's "
		   "assigned UID) and set runAsNonRoot: true.",
    .bad = EXAMPLE_CHART "--- web/values.yaml\n"
			 "securityContext:\n"
			 "  runAsUser: 0\n" EXAMPLE_DEPLOYMENT_HEAD "      containers:\n"
			 "        - name: web\n"
			 "          image: nginx\n"
			 "          securityContext:\n"
			 "            {{- toYaml .Values.securityContext | nindent 12 }}\n",
    .good = EXAMPLE_CHART "--- web/values.yaml\n"
			  "securityContext:\n"
			  "  runAsNonRoot: true\n" EXAMPLE_DEPLOYMENT_HEAD "      containers:\n"
			  "        - name: web\n"
			  "          image: nginx\n"
			  "          securityContext:\n"
			  "            {{- toYaml .Values.securityContext | nindent 12 }}\n",
    .check = check,
};
