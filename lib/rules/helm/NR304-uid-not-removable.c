/* NR304 uid-not-removable: runAsUser/fsGroup rendered with no way to leave them out on OpenShift.
 */
#include "unroot/arena.h"
#include "helm/helm.h"
#include "rules/check.h"
#include "examples.h"
#include "unroot/source.h"
#include "yaml/ytree.h"

#include <string.h>

static bool unset(const struct ynode *v)
{
	return !v || (v->kind == Y_SCALAR && v->style == Y_PLAIN &&
		      (v->len == 0 || strcmp(v->value, "null") == 0 || strcmp(v->value, "~") == 0 ||
		       strcmp(v->value, "Null") == 0 || strcmp(v->value, "NULL") == 0));
}

static bool reported(const struct ynode **seen, size_t n, const struct ynode *k)
{
	for (size_t i = 0; i < n; i++)
		if (seen[i] == k)
			return true;
	return false;
}

/* A templated runAsUser/fsGroup line outside any if/with. */
static void fields(struct check_ctx *ctx, const struct rule *self, const struct helm_chart *c)
{
	for (size_t i = 0; i < c->nfields; i++) {
		const struct helm_field *f = &c->fields[i];
		if (f->value || f->conditional || f->openshift || f->off)
			continue;
		if (strcmp(f->key, "runAsUser") != 0 && strcmp(f->key, "fsGroup") != 0)
			continue;
		const char *vp = f->values_path ? f->values_path : "...";
		struct diag *d = diag_add(
		    ctx->diags, self, f->file->path, f->file->src, f->start, f->end,
		    "%s always renders %s from .Values.%s: an OpenShift user cannot leave it out, "
		    "and restricted-v2 rejects an id outside the namespace's range; wrap it so an "
		    "unset value drops the line",
		    f->file->name, f->key, vp);
		if (d) {
			d->fix = arena_printf(
			    ctx->arena, "{{ with .Values.%s }}%s: {{ . }}{{ end }}", vp, f->key);
			d->no_edit = "no exact edit of a template line that holds actions";
		}
	}
}

/* A context rendered whole from values whose defaults pin runAsUser/fsGroup. */
static void sites(struct check_ctx *ctx, const struct rule *self, const struct helm_chart *c)
{
	const struct ynode *seen[256];
	size_t nseen = 0;
	if (!c->values_file)
		return;
	for (size_t i = 0; i < c->nscs; i++) {
		const struct helm_sc *sc = &c->scs[i];
		if (!sc->values_path || !*sc->values_path || sc->off)
			continue;
		bool known = true;
		if (helm_sc_adapts_openshift(c, sc, &known) || !known)
			continue;
		const struct ynode *m = helm_values_get(c, sc->values_path);
		if (!m || m->kind != Y_MAP || helm_values_disabled(c, sc->values_path))
			continue;
		static const char *const keys[] = {"runAsUser", "fsGroup"};
		for (size_t k = 0; k < 2; k++) {
			const struct ynode *key = ymap_key(m, keys[k]);
			const struct ynode *v = ymap_get(m, keys[k]);
			if (!key || unset(v) || v->kind != Y_SCALAR || reported(seen, nseen, key))
				continue;
			if (nseen < 256)
				seen[nseen++] = key;
			unsigned line, col;
			source_position(sc->file->src, sc->start, &line, &col);
			const struct helm_file *vf = c->values_file;
			struct diag *d = diag_add(
			    ctx->diags, self, vf->path, vf->src, key->start, v->end,
			    "values.yaml sets `%s: %s` (%s.%s) and %s:%u renders %s with no "
			    "OpenShift switch: restricted-v2 rejects an id outside the namespace's "
			    "range unless the operator knows to null it; leave it unset by "
			    "default, "
			    "or omit runAsUser, runAsGroup and fsGroup on OpenShift the way "
			    "Bitnami's "
			    "global.compatibility.openshift.adaptSecurityContext does",
			    keys[k], v->value, sc->values_path, keys[k], sc->file->name, line,
			    sc->values_path);
			if (d) {
				d->fix = arena_printf(ctx->arena, "# %s: %s", keys[k], v->value);
				d->no_edit = "changing a values default changes what the chart "
					     "deploys for everyone";
			}
		}
	}
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	fields(ctx, self, ctx->helm);
	sites(ctx, self, ctx->helm);
}

const struct rule NR304_uid_not_removable = {
    .code = "NR304",
    .name = "uid-not-removable",
    .severity = SEV_INFO,
    .platforms = PLAT_OPENSHIFT,
    .kind = KIND_HELM,
    .summary = "runAsUser/fsGroup is rendered unconditionally from values, so an OpenShift "
	       "user cannot unset it",
    .description =
	"OpenShift's restricted-v2 SCC picks the UID and fsGroup from the namespace's "
	"annotations and rejects a pod that asks for ids outside those ranges. A chart that "
	"always renders runAsUser or fsGroup, either as a templated line with no if/with "
	"around it or as a values default inside a context rendered whole, cannot be "
	"installed there as it is. A switch that drops the ids on OpenShift cures it: "
	"Bitnami's global.compatibility.openshift.adaptSecurityContext (auto, force, "
	"disabled) and its common.compatibility.renderSecurityContext helper, a condition "
	"on .Capabilities.APIVersions.Has \"security.openshift.io/v1\", or an omit of the "
	"ids.",
    .remediation = "Leave runAsUser and fsGroup unset by default, wrap templated ids in "
		   "`{{ with }}`, or add an OpenShift switch that omits runAsUser, runAsGroup "
		   "and fsGroup.",
    .bad = EXAMPLE_CHART "--- web/values.yaml\n"
			 "podSecurityContext:\n"
			 "  fsGroup: 1001\n" EXAMPLE_DEPLOYMENT_HEAD "      securityContext:\n"
			 "        {{- toYaml .Values.podSecurityContext | nindent 8 }}\n"
			 "      containers:\n"
			 "        - name: web\n"
			 "          image: nginx\n",
    .good = EXAMPLE_CHART "--- web/values.yaml\n"
			  "podSecurityContext:\n"
			  "  runAsNonRoot: true\n"
			  "  # fsGroup: 1001\n" EXAMPLE_DEPLOYMENT_HEAD "      securityContext:\n"
			  "        {{- toYaml .Values.podSecurityContext | nindent 8 }}\n"
			  "      containers:\n"
			  "        - name: web\n"
			  "          image: nginx\n",
    .check = check,
};
