/* NR301 security-context-hardcoded: a template writes user or group fields as literals. */
#include "unroot/arena.h"
#include "helm/helm.h"
#include "rules/check.h"
#include "examples.h"
#include "move.h"
#include "unroot/source.h"

#include <string.h>

/* True when some securityContext key of the chart tree renders the named template. */
static bool rendered_as_sc(const struct helm_chart *c, const char *name, unsigned depth)
{
	if (!c || depth > 16)
		return false;
	for (size_t i = 0; i < c->nscs; i++)
		if (c->scs[i].helper && strcmp(c->scs[i].helper, name) == 0)
			return true;
	for (size_t i = 0; i < c->nsub; i++)
		if (rendered_as_sc(c->subcharts[i], name, depth + 1))
			return true;
	return false;
}

/*
 * Objects that describe security contexts without being one: a CRD's schema
 * lists their fields, a PodSecurityPolicy or SecurityContextConstraints sets
 * rules for them (`runAsUser: {rule: RunAsAny}`).
 */
static bool describes_sc(const char *kind)
{
	return kind && (strcmp(kind, "CustomResourceDefinition") == 0 ||
			strcmp(kind, "PodSecurityPolicy") == 0 ||
			strcmp(kind, "SecurityContextConstraints") == 0);
}

/*
 * Whether field f is a literal in a pod's or container's securityContext:
 * under a `securityContext:` key, or in a named template that a
 * securityContext key renders (any, in a library chart, whose callers are
 * elsewhere); a scalar, not the map of a policy rule; and
 * not in a branch that values choose (the fallback of `if
 * .Values.securityContext`).
 */
static bool hardcoded(const struct helm_chart *c, const struct helm_field *f)
{
	if (!f->value || !*f->value || f->values_guarded)
		return false;
	if (f->doc >= 0 && describes_sc(c->docs[f->doc].kind))
		return false;
	if (f->sc >= 0)
		return true;
	if (f->define < 0)
		return false;
	/* A library chart's templates are rendered by charts that are not here. */
	const struct helm_chart *root = c->root ? c->root : c;
	return root->library || rendered_as_sc(root, c->defines[f->define].name, 0);
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	const struct helm_chart *c = ctx->helm;
	struct helm_moves mv = {0};
	bool moves_done = false;
	for (size_t i = 0; i < c->nfields; i++) {
		const struct helm_field *f = &c->fields[i];
		if (!hardcoded(c, f))
			continue;
		const struct helm_sc *sc = f->sc >= 0 ? &c->scs[f->sc] : NULL;
		bool pod = sc && sc->level == HELM_LEVEL_POD;
		const char *values = pod ? "podSecurityContext" : "securityContext";
		size_t indent = sc ? sc->indent : 0;
		bool root = strcmp(f->key, "runAsNonRoot") == 0 ? strcmp(f->value, "false") == 0
								: strcmp(f->value, "0") == 0;
		const char *why;
		if (strcmp(f->key, "runAsNonRoot") == 0)
			why = root ? "it lets the container run as root, and operators cannot turn "
				     "that off through values"
				   : "operators cannot change the security context through values";
		else if (root)
			why = "the container runs as root and operators cannot change it through "
			      "values; OpenShift's restricted-v2 SCC rejects uid 0";
		else
			why =
			    "operators cannot change or remove it through values, and OpenShift's "
			    "restricted-v2 SCC rejects an id outside the namespace's range";
		struct diag *d =
		    diag_add(ctx->diags, self, f->file->path, f->file->src, f->start, f->end,
			     "%s hard-codes `%s: %s` in a %ssecurity context: %s; render "
			     "the context from values (.Values.%s) instead",
			     f->file->name, f->key, f->value,
			     !sc   ? ""
			     : pod ? "pod "
				   : "container ",
			     why, values);
		if (d && f->off) {
			/* values can turn the branch on at install: a note, not a failure */
			d->variant = true;
			d->message = arena_printf(
			    ctx->arena,
			    "%s (it is in a branch the chart's default values do not render: it "
			    "applies only when an install's values turn that branch on)",
			    d->message);
		}
		if (d) {
			d->fix = arena_printf(
			    ctx->arena, "securityContext: {{- toYaml .Values.%s | nindent %zu }}",
			    values, indent + 2);
		}
		if (!d || f->sc < 0)
			continue;
		if (!moves_done) {
			helm_moves_of(ctx, c, &mv);
			moves_done = true;
		}
		const struct helm_move *m = helm_move_at(&mv, f->sc);
		if (m) {
			d->fix = helm_move_fix(ctx, m);
			helm_move_edit(ctx, d, &mv, m, true);
		} else {
			d->no_edit = helm_move_why(&mv, f->sc);
		}
	}
}

const struct rule NR301_security_context_hardcoded = {
    .code = "NR301",
    .name = "security-context-hardcoded",
    .severity = SEV_WARNING,
    .variant_severity = SEV_INFO, /* in a branch the default values do not render */
    .platforms = PLAT_KUBERNETES | PLAT_OPENSHIFT,
    .kind = KIND_HELM,
    .summary = "a template writes runAsUser, runAsGroup, fsGroup or runAsNonRoot as literals",
    .description =
	"A Helm chart is installed by people who do not edit its templates. When a template "
	"writes runAsUser, runAsGroup, fsGroup or runAsNonRoot as a literal, the only way to "
	"change it is to fork the chart. On OpenShift the restricted-v2 SCC assigns the UID "
	"from the namespace's range and rejects a pod whose runAsUser (or fsGroup) lies "
	"outside it, so a literal id makes the chart uninstallable there. A literal "
	"runAsUser: 0 also runs the container as root on Kubernetes."
	" A literal in a branch the chart's default values do not render (an init container under "
	"`if .Values.sysctl.enabled`) is reported as info and says so: it applies only when an "
	"install turns that branch on.",
    .remediation =
	"Move the fields into values.yaml (podSecurityContext for the pod, securityContext "
	"for containers) and render them with toYaml, e.g. "
	"`securityContext: {{- toYaml .Values.securityContext | nindent 12 }}`.",
    .bad = EXAMPLE_CHART "--- web/values.yaml\n"
			 "image: nginx\n" EXAMPLE_DEPLOYMENT_HEAD "      securityContext:\n"
			 "        runAsUser: 1000\n"
			 "      containers:\n"
			 "        - name: web\n"
			 "          image: {{ .Values.image }}\n",
    .good = EXAMPLE_CHART "--- web/values.yaml\n"
			  "image: nginx\n"
			  "podSecurityContext:\n"
			  "  runAsNonRoot: true\n" EXAMPLE_DEPLOYMENT_HEAD
			  "      {{- with .Values.podSecurityContext }}\n"
			  "      securityContext:\n"
			  "        {{- toYaml . | nindent 8 }}\n"
			  "      {{- end }}\n"
			  "      containers:\n"
			  "        - name: web\n"
			  "          image: {{ .Values.image }}\n",
    .check = check,
};
