/* openshift.c - namespace ranges, assigned UIDs and SCC restricted-v2 admission. */
#include "k8s/openshift.h"
#include "unroot/arena.h"
#include "unroot/config.h"
#include "unroot/ids.h"
#include "k8s/k8s.h"
#include "yaml/ytree.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool openshift_range_parse(const char *s, struct id_range *out)
{
	char buf[64];
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strcspn(s, ",");
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = 0;
	return id_range_parse(buf, out);
}

unsigned long openshift_range_last(const struct id_range *r)
{
	return r->start + r->len - 1;
}

bool openshift_range_contains(const struct id_range *r, long long id)
{
	return id >= 0 && (unsigned long long)id >= r->start &&
	       (unsigned long long)id <= openshift_range_last(r);
}

/* A Namespace (or an OpenShift Project) carrying range annotations. */
static bool is_namespace(const struct k8s_object *o)
{
	return strcmp(o->kind, "Namespace") == 0 || strcmp(o->kind, "Project") == 0;
}

static bool has_ranges(const struct k8s_object *c)
{
	return is_namespace(c) && (k8s_annotation(c, OPENSHIFT_UID_RANGE_ANNOTATION) ||
				   k8s_annotation(c, OPENSHIFT_SUPP_GROUPS_ANNOTATION));
}

/*
 * The Namespace for object o among the objects of `in`: the one named as
 * o's namespace, else (when o names none) the only one with ranges, counted
 * in *nranged across every input looked at.
 */
static void find_namespace(const struct k8s_input *in, const struct k8s_object *o,
			   const struct k8s_object **named, const struct k8s_object **only,
			   size_t *nranged)
{
	for (size_t i = 0; i < in->nobjects; i++) {
		const struct k8s_object *c = &in->objects[i];
		if (!is_namespace(c))
			continue;
		if (has_ranges(c)) {
			(*nranged)++;
			*only = c;
		}
		if (!*named && *o->namespace && strcmp(c->name, o->namespace) == 0)
			*named = c;
	}
}

void openshift_ranges_for(const struct k8s_input *in, const struct k8s_object *o,
			  const struct lint_options *opts, struct openshift_ranges *out)
{
	out->uid = opts->uid_range;
	out->groups = opts->supp_groups;
	out->uid_from = "--uid-range";
	out->groups_from = "--supplemental-groups";
	const struct k8s_object *ns = NULL, *only = NULL;
	size_t nranged = 0;
	/* The object's own input first, then the other inputs of the run. */
	find_namespace(in, o, &ns, &only, &nranged);
	for (size_t i = 0; i < in->npeers && !ns; i++)
		if (in->peers[i]->src != in->src)
			find_namespace(in->peers[i], o, &ns, &only, &nranged);
	if (!ns && !*o->namespace && nranged == 1)
		ns = only;
	if (!ns)
		return;
	const char *label = ns->label;
	const struct k8s_annotation *u = k8s_annotation(ns, OPENSHIFT_UID_RANGE_ANNOTATION);
	const struct k8s_annotation *g = k8s_annotation(ns, OPENSHIFT_SUPP_GROUPS_ANNOTATION);
	struct id_range r;
	if (u && openshift_range_parse(u->value, &r)) {
		out->uid = r;
		out->uid_from = label;
	}
	if (g && openshift_range_parse(g->value, &r)) {
		out->groups = r;
		out->groups_from = label;
	}
}

static int add_reason(struct arena *a, struct openshift_admission *out, size_t *cap,
		      const char *field, const char *value, const char *what, size_t start,
		      size_t end, const char *fix)
{
	struct openshift_reason *r = ARR_PUSH(a, out->reasons, out->nreasons, *cap);
	if (!r)
		return -1;
	r->field = field;
	r->what = what;
	r->message = arena_printf(a, "%s: Invalid value: %s: %s", field, value, what);
	r->start = start;
	r->end = end;
	r->fix = fix;
	r->scc = NULL;
	out->admitted = false;
	return r->message ? 0 : -1;
}

/* The SCC that allows what the last reason is about. */
static void set_scc(struct openshift_admission *out, const char *scc)
{
	if (out->nreasons)
		out->reasons[out->nreasons - 1].scc = scc;
}

static bool is_true(const struct k8s_field *f)
{
	return k8s_set(f) && f->b;
}

int openshift_admit(struct arena *a, const struct k8s_object *o, const struct k8s_container *c,
		    const struct openshift_ranges *rg, struct openshift_admission *out)
{
	memset(out, 0, sizeof(*out));
	out->admitted = true;
	size_t cap = 0;
	const struct k8s_secctx *sc = &c->sc;
	const char *ctr =
	    arena_printf(a, "spec.%s[%zu]", k8s_container_list_name(c->kind), c->index);
	if (!ctr)
		return -1;
	int rc = 0;

	/* runAsUser: MustRunAsRange; an unset UID gets the range's first. */
	if (k8s_set(&sc->run_as_user)) {
		out->uid = sc->run_as_user.i;
		if (!openshift_range_contains(&rg->uid, sc->run_as_user.i))
			rc |= add_reason(
			    a, out, &cap, arena_printf(a, "%s.securityContext.runAsUser", ctr),
			    arena_printf(a, "%lld", sc->run_as_user.i),
			    arena_printf(a, "must be in the ranges: [%lu, %lu]", rg->uid.start,
					 openshift_range_last(&rg->uid)),
			    sc->run_as_user.start, sc->run_as_user.end, "runAsNonRoot: true");
	} else if (!sc->run_as_user.invalid) {
		out->uid = (long long)rg->uid.start;
		out->uid_assigned = true;
	}

	/* fsGroup: MustRunAs over the supplemental-groups range. */
	if (k8s_set(&sc->fs_group)) {
		out->fs_group = sc->fs_group.i;
		if (!openshift_range_contains(&rg->groups, sc->fs_group.i))
			rc |= add_reason(
			    a, out, &cap, "spec.securityContext.fsGroup",
			    arena_printf(a, "[]int64{%lld}", sc->fs_group.i),
			    arena_printf(a, "%lld is not an allowed group", sc->fs_group.i),
			    sc->fs_group.start, sc->fs_group.end, NULL);
	} else if (!sc->fs_group.invalid) {
		out->fs_group = (long long)rg->groups.start;
		out->fs_group_assigned = true;
	}

	if (is_true(&sc->privileged))
		rc |=
		    add_reason(a, out, &cap, arena_printf(a, "%s.securityContext.privileged", ctr),
			       "true", "Privileged containers are not allowed",
			       sc->privileged.start, sc->privileged.end, "privileged: false");
	if (is_true(&sc->allow_privilege_escalation))
		rc |= add_reason(
		    a, out, &cap,
		    arena_printf(a, "%s.securityContext.allowPrivilegeEscalation", ctr), "true",
		    "Allowing privilege escalation for containers is not allowed",
		    sc->allow_privilege_escalation.start, sc->allow_privilege_escalation.end,
		    "allowPrivilegeEscalation: false");

	/* Capabilities: ALL is dropped for the pod; only NET_BIND_SERVICE may come back. */
	const struct k8s_field *add = &sc->cap_add;
	if (k8s_set(add) && add->node && add->node->kind == Y_SEQ) {
		for (size_t i = 0; i < add->node->nitems; i++) {
			const struct ynode *e = add->node->items[i];
			if (e->kind != Y_SCALAR)
				continue;
			const char *v = e->value;
			if (strncasecmp(v, "CAP_", 4) == 0)
				v += 4;
			if (strcmp(v, "NET_BIND_SERVICE") == 0)
				continue;
			rc |=
			    add_reason(a, out, &cap,
				       arena_printf(a, "%s.securityContext.capabilities.add", ctr),
				       arena_printf(a, "\"%s\"", e->value),
				       "capability may not be added", e->start, e->end, NULL);
		}
	}

	/* Host ports: restricted-v2 allows none (hostnetwork-v2 does). */
	const struct ynode *ports = ymap_get(c->node, "ports");
	for (size_t i = 0; ports && ports->kind == Y_SEQ && i < ports->nitems; i++) {
		const struct ynode *hp = ymap_get(ports->items[i], "hostPort");
		struct k8s_scalar v;
		if (!hp || k8s_type_of(hp, &v) != K8S_T_INT || !v.fits_int || v.i <= 0)
			continue;
		rc |= add_reason(a, out, &cap, arena_printf(a, "%s.hostPort", ctr),
				 arena_printf(a, "%lld", v.i),
				 "Host ports are not allowed to be used", hp->start, hp->end, NULL);
		set_scc(out, "hostnetwork-v2");
	}

	const struct k8s_pod *pod = &o->pod;
	if (is_true(&pod->host_network)) {
		rc |= add_reason(a, out, &cap, "spec.securityContext.hostNetwork", "true",
				 "Host network is not allowed to be used", pod->host_network.start,
				 pod->host_network.end, NULL);
		set_scc(out, "hostnetwork-v2");
	}
	if (is_true(&pod->host_pid)) {
		rc |= add_reason(a, out, &cap, "spec.securityContext.hostPID", "true",
				 "Host PID is not allowed to be used", pod->host_pid.start,
				 pod->host_pid.end, NULL);
		set_scc(out, "hostaccess");
	}
	if (is_true(&pod->host_ipc)) {
		rc |= add_reason(a, out, &cap, "spec.securityContext.hostIPC", "true",
				 "Host IPC is not allowed to be used", pod->host_ipc.start,
				 pod->host_ipc.end, NULL);
		set_scc(out, "hostaccess");
	}
	/* hostPath volumes: restricted-v2 allows none (hostmount-anyuid does). */
	const struct ynode *vols = ymap_get(pod->spec, "volumes");
	for (size_t i = 0; vols && vols->kind == Y_SEQ && i < vols->nitems; i++) {
		const struct ynode *key = ymap_key(vols->items[i], "hostPath");
		if (!key)
			continue;
		rc |= add_reason(a, out, &cap, arena_printf(a, "spec.volumes[%zu]", i),
				 "\"hostPath\"", "hostPath volumes are not allowed to be used",
				 key->start, key->end, NULL);
		set_scc(out, "hostmount-anyuid");
	}
	return rc ? -1 : 0;
}
