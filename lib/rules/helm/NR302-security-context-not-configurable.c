/* NR302 security-context-not-configurable: a workload template renders no context from values. */
#include "unroot/arena.h"
#include "helm/helm.h"
#include "rules/check.h"
#include "examples.h"
#include "move.h"

#include <string.h>

/*
 * Gives d the moves of the literal blocks of the named templates that doc's
 * template includes, when there are some and all of them move; false else,
 * with *why set to why a block of theirs cannot move when that is what
 * stops it.
 */
static bool defines_moved(struct check_ctx *ctx, struct diag *d, const struct helm_moves *mv,
			  const struct helm_doc *doc, const char **why)
{
	const struct helm_chart *c = ctx->helm;
	const struct helm_define *defs[64];
	size_t n = helm_file_includes(c, doc->file, defs, 64);
	if (n == 64)
		return false; /* more than it can follow */
	/* a subchart's named template: this chart's moves do not cover its blocks */
	for (size_t j = 0; j < n; j++) {
		bool own = false;
		for (size_t k = 0; k < c->ndefines && !own; k++)
			own = defs[j] == &c->defines[k];
		if (!own)
			return false;
	}
	const struct helm_move *first = NULL;
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < c->nscs; k++) {
			int def = c->scs[k].define;
			bool mine = false;
			for (size_t j = 0; j < n && def >= 0 && !mine; j++)
				mine = defs[j] == &c->defines[def];
			if (!mine)
				continue;
			const struct helm_move *m = helm_move_at(mv, (int)k);
			if (pass == 0 && !m) {
				*why = helm_move_why(mv, (int)k);
				return false;
			}
			if (pass == 0 && !first)
				first = m;
			if (pass == 1)
				helm_move_edit(ctx, d, mv, m, m == first);
		}
	if (first)
		d->fix = helm_move_fix(ctx, first);
	return first;
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	const struct helm_chart *c = ctx->helm;
	struct helm_moves mv = {0};
	bool moves_done = false;
	for (size_t i = 0; i < c->ndocs; i++) {
		const struct helm_doc *doc = &c->docs[i];
		if (!doc->workload)
			continue;
		bool known = true;
		if (helm_doc_values_fed(c, i, &known) || !known)
			continue;
		/* Point at a literal context when there is one, else at the kind. */
		size_t start = doc->kind_end ? doc->kind_start : doc->start;
		size_t end = doc->kind_end ? doc->kind_end : doc->start;
		const char *what = "no securityContext at all";
		for (size_t k = 0; k < c->nscs; k++)
			if (c->scs[k].doc == (int)i && c->scs[k].file == doc->file) {
				start = c->scs[k].start;
				end = c->scs[k].end;
				what = "a securityContext that values cannot change";
				break;
			}
		size_t indent = doc->spec_indent ? doc->spec_indent : 6;
		struct diag *d = diag_add(
		    ctx->diags, self, doc->file->path, doc->file->src, start, end,
		    "%s renders a %s with %s: operators cannot set runAsNonRoot or the pod's "
		    "user and groups through values, and cannot leave the UID to OpenShift's "
		    "restricted-v2 SCC; render it from values.yaml, as `helm create` does",
		    doc->file->name, doc->kind ? doc->kind : "workload", what);
		if (d)
			d->fix = arena_printf(ctx->arena,
					      "securityContext: {{- toYaml "
					      ".Values.podSecurityContext | nindent %zu }}",
					      indent + 2);
		if (!d)
			continue;
		if (!moves_done) {
			helm_moves_of(ctx, c, &mv);
			moves_done = true;
		}
		if (strcmp(what, "no securityContext at all") == 0) {
			/* a context from values that renders nothing until an operator sets it */
			const struct helm_move *a = helm_move_for_doc(&mv, c, i);
			if (a) {
				d->fix = helm_move_fix(ctx, a);
				helm_move_edit(ctx, d, &mv, a, true);
			} else {
				/* the literal blocks of the named templates it includes */
				const char *why = NULL;
				if (!defines_moved(ctx, d, &mv, doc, &why))
					d->no_edit = why ? why : helm_move_why_doc(&mv, c, i);
			}
			continue;
		}
		/* Its literal blocks, moved to values as NR301's are: all of them, or none. */
		bool all = true;
		const struct helm_move *first = NULL;
		for (size_t k = 0; k < c->nscs && all; k++)
			if (c->scs[k].doc == (int)i && c->scs[k].file == doc->file) {
				const struct helm_move *m = helm_move_at(&mv, (int)k);
				all = m != NULL;
				if (m && !first)
					first = m;
				if (!m)
					d->no_edit = helm_move_why(&mv, (int)k);
			}
		if (!all || !first)
			continue;
		d->fix = helm_move_fix(ctx, first);
		bool values = true;
		for (size_t k = 0; k < c->nscs; k++)
			if (c->scs[k].doc == (int)i && c->scs[k].file == doc->file) {
				helm_move_edit(ctx, d, &mv, helm_move_at(&mv, (int)k), values);
				values = false;
			}
	}
}

const struct rule NR302_security_context_not_configurable = {
    .code = "NR302",
    .name = "security-context-not-configurable",
    .severity = SEV_WARNING,
    .platforms = PLAT_KUBERNETES | PLAT_OPENSHIFT,
    .kind = KIND_HELM,
    .summary = "a workload template renders no security context from values",
    .description =
	"The advice for Helm charts is short: if the pod needs a security context, make it "
	"configurable. A workload template (Deployment, StatefulSet, DaemonSet, Job, CronJob, "
	"Pod) that renders neither a pod nor a container securityContext from values leaves "
	"operators no way to add runAsNonRoot: true on Kubernetes, or to adapt the user and "
	"groups to OpenShift's SCC, without forking the chart. Named templates the workload "
	"includes are followed; a helper that is not in the chart is given the benefit of "
	"the doubt.",
    .remediation =
	"Add podSecurityContext and securityContext to values.yaml and render them the way "
	"`helm create` does: `{{- with .Values.podSecurityContext }} securityContext: "
	"{{- toYaml . | nindent 8 }} {{- end }}` in the pod spec, and the same with "
	".Values.securityContext in each container.",
    .bad = EXAMPLE_CHART "--- web/values.yaml\n"
			 "image: nginx\n" EXAMPLE_DEPLOYMENT_HEAD "      containers:\n"
			 "        - name: web\n"
			 "          image: {{ .Values.image }}\n",
    .good = EXAMPLE_CHART "--- web/values.yaml\n"
			  "image: nginx\n"
			  "securityContext:\n"
			  "  runAsNonRoot: true\n" EXAMPLE_DEPLOYMENT_HEAD "      containers:\n"
			  "        - name: web\n"
			  "          image: {{ .Values.image }}\n"
			  "          {{- with .Values.securityContext }}\n"
			  "          securityContext:\n"
			  "            {{- toYaml . | nindent 12 }}\n"
			  "          {{- end }}\n",
    .check = check,
};
