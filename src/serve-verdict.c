/*
 * serve-verdict.c - what the webhook answers: the object of a review linted
 * and simulated with the calls `unroot lint` and `unroot simulate` make,
 * weighed under the policy of its namespace.
 *
 * A verdict at admission is the verdict of the CLI on the same object: the
 * lint run's findings are `unroot lint --platform P`'s, and a container that
 * would not start or breaks is what makes `unroot simulate --platform P`
 * exit 1. Only the platform and, for a pod OpenShift's SCC admission already
 * handled, the ranges it assigned from, come from the request.
 */
#include "serve.h"
#include "unroot/arena.h"
#include "unroot/buf.h"
#include "identity/identity.h"
#include "unroot/simulate.h"

#include <fnmatch.h>
#include <nettle/base64.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the API server is told at most; kubectl prints every warning. */
#define MAX_WARNINGS 30

static const char *const label_names[VERDICT_NLABELS] = {"allowed", "warned", "denied", "patched",
							 "skipped"};

const char *verdict_label_name(enum verdict_label l)
{
	return label_names[l];
}

void verdict_release(struct verdict *v)
{
	arena_free(v->arena);
	memset(v, 0, sizeof(*v));
}

static const char *dup(struct verdict *v, const char *s)
{
	return s ? arena_strdup(v->arena, s) : NULL;
}

static int add_finding(struct verdict *v, int severity, const char *code, const char *text,
		       const char *fix, const char *object, const char *container)
{
	struct finding *f = ARR_PUSH(v->arena, v->findings, v->nfindings, v->cap);
	if (!f)
		return -1;
	f->severity = severity;
	f->code = dup(v, code);
	f->text = dup(v, text);
	f->fix = dup(v, fix);
	f->object = dup(v, object);
	f->container = dup(v, container);
	return f->text ? 0 : -1;
}

static int add_warning(struct verdict *v, const char *text)
{
	const char **w = ARR_PUSH(v->arena, v->warnings, v->nwarnings, v->capwarnings);
	if (!w || !text)
		return -1;
	*w = text;
	return 0;
}

/* The namespace rule that applies, or NULL. */
static const struct ns_rule *ns_rule_for(const struct serve_config *c, const char *ns)
{
	for (size_t i = 0; i < c->nnamespaces; i++)
		if (fnmatch(c->namespaces[i].match, ns, 0) == 0)
			return &c->namespaces[i];
	return NULL;
}

/* --- the object's facts ------------------------------------------------------- */

static bool int_of(const json_t *v, long long *out)
{
	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

/*
 * A pod OpenShift's SCC admission handled (annotation openshift.io/scc): it
 * wrote the UID and fsGroup from the namespace's ranges, so the ranges hold
 * them, and restricted-v2's pins are its own. The first runAsUser found
 * (pod, then containers) and the pod's fsGroup.
 */
static bool scc_facts(const json_t *obj, long long *uid, long long *fs_group)
{
	const json_t *ann = json_object_get(json_object_get(obj, "metadata"), "annotations");
	if (!json_is_string(json_object_get(ann, "openshift.io/scc")))
		return false;
	const json_t *spec = json_object_get(obj, "spec");
	const json_t *psc = json_object_get(spec, "securityContext");
	*uid = *fs_group = -1;
	if (!int_of(json_object_get(psc, "runAsUser"), uid)) {
		const json_t *cs = json_object_get(spec, "containers");
		for (size_t i = 0; i < json_array_size(cs) && *uid < 0; i++)
			int_of(json_object_get(
				   json_object_get(json_array_get(cs, i), "securityContext"),
				   "runAsUser"),
			       uid);
	}
	int_of(json_object_get(psc, "fsGroup"), fs_group);
	return true;
}

/* --- lint and simulate -------------------------------------------------------- */

#define OBJECT_PATH "request.object"

static int lint_object(struct verdict *v, const struct lint_options *o, const char *text,
		       size_t len, const struct review *only_new)
{
	struct lint_run *run = lint_run_new(o);
	if (!run)
		return -1;
	lint_run_buffer(run, OBJECT_PATH, text, len, KIND_K8S);
	lint_run_finish(run);
	const struct diag_list *dl = lint_run_diags(run);
	int rc = 0;
	for (size_t i = 0; i < dl->n && rc == 0; i++) {
		const struct diag *d = &dl->items[i];
		if (only_new && !review_new_ephemeral(only_new, d->container))
			continue;
		rc = add_finding(v, d->severity, d->rule->code, d->message, d->fix, d->object,
				 d->container);
	}
	lint_run_free(run);
	return rc;
}

static const char *rwx(unsigned want)
{
	static const char *const s[] = {"---", "--x", "-w-", "-wx", "r--", "r-x", "rw-", "rwx"};
	unsigned i = (want & FS_R_OK ? 4 : 0) | (want & FS_W_OK ? 2 : 0) | (want & FS_X_OK ? 1 : 0);
	return s[i];
}

static int sim_row_findings(struct verdict *v, struct arena *a, const struct sim_row *row)
{
	const struct sim_result *r = &row->r;
	const char *where = arena_printf(a, "%s container '%s'", row->object ? row->object : "",
					 row->container ? row->container : "");
	const char *plat = sim_platform_name(r->platform);
	for (size_t i = 0; i < r->nrefusals; i++) {
		const struct sim_refusal *x = &r->refusals[i];
		if (add_finding(v, SEV_ERROR, "simulate",
				arena_printf(a, "%s would not start on %s: refused by %s: %s",
					     where, plat, x->by, x->message),
				x->fix, row->object, row->container) != 0)
			return -1;
	}
	if (r->start == SIM_REFUSED)
		return 0;
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct sim_check *c = &r->checks[i];
		if (!sim_check_failed(c) || !c->fatal)
			continue; /* an unknown is not a failure: it does not refuse the object */
		if (add_finding(v, SEV_ERROR, "simulate",
				arena_printf(a, "%s breaks on %s as %s: %s %s needs %s: %s", where,
					     plat, sim_id_string(a, r), sim_check_name(c->kind),
					     c->path, rwx(c->want), c->why ? c->why : "denied"),
				c->fix, row->object, row->container) != 0)
			return -1;
	}
	return 0;
}

static int simulate_object(struct verdict *v, const struct lint_options *o, const char *text,
			   size_t len, const struct review *only_new)
{
	struct lint_run *run = lint_run_new(o);
	if (!run)
		return -1;
	struct sim_report rep;
	int rc = sim_report_init(run, &rep);
	if (rc == 0) {
		sim_add_buffer(run, &rep, OBJECT_PATH, text, len, KIND_K8S);
		lint_run_finish(run);
	}
	for (size_t i = 0; rc == 0 && i < rep.nrows; i++) {
		const struct sim_row *row = &rep.rows[i];
		if (!row->r.breaks || !(sim_platform_bit(row->r.platform) & o->platforms))
			continue;
		if (only_new && !review_new_ephemeral(only_new, row->container))
			continue;
		rc = sim_row_findings(v, lint_run_arena(run), row);
	}
	lint_run_free(run);
	return rc;
}

/* --- the policy ---------------------------------------------------------------- */

static const char *finding_line(struct arena *a, const struct finding *f, bool with_fix)
{
	const char *sev = f->severity >= 0 ? severity_name((enum severity)f->severity) : "note";
	if (with_fix && f->fix)
		return arena_printf(a, "%s (%s): %s\n  fix: %s", f->code, sev, f->text, f->fix);
	return arena_printf(a, "%s (%s): %s", f->code, sev, f->text);
}

static bool denies(const struct finding *f, unsigned mask)
{
	return f->severity > 0 && (mask & (1u << f->severity));
}

static int weigh(struct verdict *v, const struct review *r, unsigned mask, bool dry)
{
	struct buf b;
	buf_init(&b);
	size_t n = 0;
	for (size_t i = 0; i < v->nfindings; i++)
		n += denies(&v->findings[i], mask);
	v->denying = (unsigned)n;
	v->allowed = n == 0 || dry;
	const char *what = arena_printf(v->arena, "%s%s%s", r->kind, *r->name ? "/" : "", r->name);
	if (!v->allowed) {
		buf_printf(&b, "unroot: %s%s%s: %zu finding%s that den%s admission:", what,
			   *r->namespace ? " in namespace " : "", r->namespace, n,
			   n == 1 ? "" : "s", n == 1 ? "ies" : "y");
		for (size_t i = 0; i < v->nfindings; i++)
			if (denies(&v->findings[i], mask))
				buf_printf(&b, "\n- %s",
					   finding_line(v->arena, &v->findings[i], true));
	}
	size_t shown = 0, total = 0;
	for (size_t i = 0; i < v->nfindings; i++) {
		const struct finding *f = &v->findings[i];
		if (!v->allowed && denies(f, mask))
			continue;
		total++;
		if (shown == MAX_WARNINGS)
			continue;
		shown++;
		const char *line = finding_line(v->arena, f, false);
		if (dry && denies(f, mask))
			line = arena_printf(v->arena, "dry run, would deny: %s", line);
		if (add_warning(v, line) != 0) {
			buf_release(&b);
			return -1;
		}
	}
	if (total > shown &&
	    add_warning(v, arena_printf(v->arena,
					"and %zu more finding%s: run unroot lint on the object to "
					"see them all",
					total - shown, total - shown == 1 ? "" : "s")) != 0) {
		buf_release(&b);
		return -1;
	}
	if (!v->allowed)
		v->message = b.data ? arena_strdup(v->arena, b.data) : "denied by unroot";
	buf_release(&b);
	v->label = !v->allowed ? VERDICT_DENIED : v->nwarnings ? VERDICT_WARNED : VERDICT_ALLOWED;
	return b.failed ? -1 : 0;
}

static int image_problems(struct verdict *v, struct image_lookup *images, bool deny)
{
	const char **refs, **whys;
	size_t n = image_lookup_problems(images, &refs, &whys);
	v->images_failed = (unsigned)n;
	for (size_t i = 0; i < n; i++) {
		const char *text =
		    deny ? arena_printf(v->arena,
					"image %s was not checked: %s; images.failure is deny, "
					"so what cannot be checked is not admitted",
					refs[i], whys[i])
			 : arena_printf(v->arena,
					"image %s was not checked: %s; admitted without its "
					"checks (images.failure: allow)",
					refs[i], whys[i]);
		if (add_finding(v, deny ? SEV_ERROR : -1, "image", text, NULL, NULL, NULL) != 0)
			return -1;
	}
	return 0;
}

static int skip(struct verdict *v, const char *why)
{
	v->label = VERDICT_SKIPPED;
	v->allowed = true;
	v->why_skipped = why;
	return 0;
}

static char *base64(struct arena *a, const char *data, size_t len)
{
	char *out = arena_alloc(a, BASE64_ENCODE_RAW_LENGTH(len) + 1);
	if (out) {
		base64_encode_raw(out, len, (const uint8_t *)data);
		out[BASE64_ENCODE_RAW_LENGTH(len)] = 0;
	}
	return out;
}

static int mutate(struct verdict *v, const struct review *r, enum review_kind k)
{
	json_t *ops = json_array();
	if (!ops)
		return -1;
	patch_build(r, k, ops);
	int rc = 0;
	if (json_array_size(ops)) {
		char *text = json_dumps(ops, JSON_COMPACT);
		v->patch = text ? base64(v->arena, text, strlen(text)) : NULL;
		rc = v->patch ? 0 : -1;
		free(text);
	}
	json_decref(ops);
	v->allowed = true;
	v->label = v->patch ? VERDICT_PATCHED : VERDICT_ALLOWED;
	return rc;
}

/* The image of the container named `name` in list `key` of a pod spec, or NULL. */
static const char *image_of(const json_t *spec, const char *key, const char *name)
{
	const json_t *cs = json_object_get(spec, key);
	for (size_t i = 0; i < json_array_size(cs); i++) {
		const json_t *c = json_array_get(cs, i);
		const char *n = json_string_value(json_object_get(c, "name"));
		if (n && strcmp(n, name) == 0)
			return json_string_value(json_object_get(c, "image"));
	}
	return NULL;
}

/* True when a container of the pod has another image than in `old` (or there is no old). */
static bool images_changed(const json_t *pod, const json_t *old)
{
	if (!old)
		return true;
	static const char *const lists[] = {"containers", "initContainers"};
	const json_t *spec = json_object_get(pod, "spec");
	const json_t *old_spec = json_object_get(old, "spec");
	for (size_t l = 0; l < 2; l++) {
		const json_t *cs = json_object_get(spec, lists[l]);
		for (size_t i = 0; i < json_array_size(cs); i++) {
			const json_t *c = json_array_get(cs, i);
			const char *name = json_string_value(json_object_get(c, "name"));
			const char *image = json_string_value(json_object_get(c, "image"));
			const char *was = name ? image_of(old_spec, lists[l], name) : NULL;
			if (!was || !image || strcmp(was, image) != 0)
				return true;
		}
	}
	return false;
}

int serve_decide(const struct serve_config *c, const struct review *r, bool do_mutate,
		 struct image_lookup *images, bool final, struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->arena = arena_new((size_t)64 << 20);
	if (!v->arena)
		return -1;
	v->allowed = true;
	enum review_kind k = review_kind_of(r);
	if (k == RK_OTHER)
		return skip(v, "not a kind unroot checks");
	if (strcmp(r->operation, "CREATE") != 0 && strcmp(r->operation, "UPDATE") != 0)
		return skip(v, "only CREATE and UPDATE are checked");
	if (!r->object)
		return skip(v, "the request has no object");
	bool ephemeral = false;
	if (r->sub_resource) {
		if (k != RK_POD || strcmp(r->sub_resource, "ephemeralcontainers") != 0)
			return skip(v, "a subresource other than ephemeralcontainers");
		ephemeral = true;
	} else if (k == RK_POD && strcmp(r->operation, "UPDATE") == 0 &&
		   !images_changed(r->object, r->old_object)) {
		/*
		 * A pod's security context cannot change once it exists; its images can
		 * (kubectl set image), and a new image is judged as a new pod would be.
		 */
		return skip(v, "an update of a pod that changes none of its images");
	}
	const json_t *meta = json_object_get(r->object, "metadata");
	if (json_object_get(meta, "deletionTimestamp"))
		return skip(v, "the object is being deleted");
	const struct ns_rule *ns = ns_rule_for(c, r->namespace);
	if (ns && ns->skip)
		return skip(v, "the namespace is skipped");
	if (do_mutate)
		return mutate(v, r, k);

	struct lint_options o = c->lint;
	o.platforms = c->platform;
	if (k == RK_DEPLOYMENTCONFIG)
		o.platforms = PLAT_OPENSHIFT;
	long long uid, fs_group;
	const char **ignore = NULL;
	if (k == RK_POD && scc_facts(r->object, &uid, &fs_group)) {
		o.platforms = PLAT_OPENSHIFT;
		if (uid >= 0)
			o.uid_range = (struct id_range){(unsigned long)uid, 1};
		if (fs_group >= 0)
			o.supp_groups = (struct id_range){(unsigned long)fs_group, 1};
		/* The pins NR208 warns about are the ones the SCC wrote. */
		ignore = arena_alloc(v->arena, (o.nignore + 1) * sizeof(*ignore));
		if (!ignore)
			return -1;
		if (o.nignore)
			memcpy(ignore, o.ignore, o.nignore * sizeof(*ignore));
		ignore[o.nignore++] = "NR208";
		o.ignore = ignore;
	}
	if (images) {
		o.fetch.lookup = image_lookup_view;
		o.fetch.lookup_data = images;
	}
	o.fetch.pull = false;

	char *text = json_dumps(r->object, JSON_COMPACT);
	if (!text)
		return -1;
	size_t len = strlen(text);
	const struct review *only = ephemeral ? r : NULL;
	int rc = lint_object(v, &o, text, len, only);
	if (rc == 0)
		rc = simulate_object(v, &o, text, len, only);
	free(text);
	if (rc != 0)
		return -1;
	if (images) {
		v->images_pending = image_lookup_pending(images);
		/* Final when the caller waits no longer, or has nothing to wait for. */
		if ((final || !v->images_pending) &&
		    image_problems(v, images, c->image_failure_deny) != 0)
			return -1;
	}
	unsigned mask = ns && ns->deny >= 0 ? (unsigned)ns->deny : c->deny;
	bool dry = ns && ns->dry_run >= 0 ? ns->dry_run : c->dry_run;
	return weigh(v, r, mask, dry);
}
