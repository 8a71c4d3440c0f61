/*
 * model.c - Kubernetes objects, workloads, containers and the effective
 * security context, from a YAML tree.
 */
#include "k8s/k8s.h"
#include "unroot/arena.h"
#include "unroot/diag.h"
#include "yaml/ytree.h"
#include "util/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Alias targets seen, so a node reached through many aliases is walked once. */
struct seen {
	const void **slots;
	size_t cap, n;
};

static bool seen_add(struct arena *a, struct seen *s, const void *p)
{
	if (s->n * 2 >= s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		const void **ns = arena_alloc(a, ncap * sizeof(*ns));
		if (!ns)
			return false;
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->slots[i])
				continue;
			size_t h = ((uintptr_t)s->slots[i] >> 4) * 2654435761u % ncap;
			while (ns[h])
				h = (h + 1) % ncap;
			ns[h] = s->slots[i];
		}
		s->slots = ns;
		s->cap = ncap;
	}
	size_t h = ((uintptr_t)p >> 4) * 2654435761u % s->cap;
	while (s->slots[h]) {
		if (s->slots[h] == p)
			return false;
		h = (h + 1) % s->cap;
	}
	s->slots[h] = p;
	s->n++;
	return true;
}

struct builder {
	struct arena *a;
	struct k8s_input *in;
	size_t capobj, captype, capdup, capent, capblk;
	size_t ncontainers;
	int in_template;	  /* walking the objects of an OpenShift Template */
	struct seen objects_seen; /* aliased objects, modeled once */
	bool oom;
};

/* --- lookups --------------------------------------------------------------- */

/*
 * A map value by key: the last explicit occurrence, else a `<<` merge (a map
 * or a list of maps, earlier ones first), as go-yaml v2 reads merge keys.
 */
static const struct ynode *kget_depth(const struct ynode *m, const char *key, int depth,
				      const struct ynode **keynode)
{
	if (!m || m->kind != Y_MAP || depth > 8)
		return NULL;
	for (size_t i = m->nitems / 2; i-- > 0;) {
		const struct ynode *k = m->items[2 * i];
		if (k->kind == Y_SCALAR && strcmp(k->value, key) == 0) {
			if (keynode)
				*keynode = k;
			return m->items[2 * i + 1];
		}
	}
	for (size_t i = m->nitems / 2; i-- > 0;) {
		const struct ynode *k = m->items[2 * i];
		if (k->kind != Y_SCALAR || k->style != Y_PLAIN || strcmp(k->value, "<<") != 0)
			continue;
		const struct ynode *v = m->items[2 * i + 1];
		if (v->kind == Y_MAP)
			return kget_depth(v, key, depth + 1, keynode);
		if (v->kind == Y_SEQ)
			for (size_t j = 0; j < v->nitems; j++) {
				const struct ynode *r =
				    kget_depth(v->items[j], key, depth + 1, keynode);
				if (r)
					return r;
			}
	}
	return NULL;
}

static const struct ynode *kget(const struct ynode *m, const char *key)
{
	return kget_depth(m, key, 0, NULL);
}

static const char *str_of(const struct ynode *n)
{
	return n && k8s_type_of(n, NULL) == K8S_T_STRING ? n->value : NULL;
}

/* --- type errors ----------------------------------------------------------- */

static void type_error(struct builder *b, const struct ynode *n, const char *field,
		       const char *want, const char *fix)
{
	/*
	 * In a Template, "${{UID}}" is replaced by a value of any type when the
	 * template is processed: the value is unknown, not wrong.
	 */
	if (b->in_template && n->kind == Y_SCALAR && strstr(n->value, "${"))
		return;
	struct k8s_type_error *e =
	    ARR_PUSH(b->a, b->in->type_errors, b->in->ntype_errors, b->captype);
	if (!e) {
		b->oom = true;
		return;
	}
	struct k8s_scalar sc;
	enum k8s_type t = k8s_type_of(n, &sc);
	const char *shown;
	if (n->kind == Y_SCALAR && n->len <= 40 && strlen(n->value) == n->len)
		shown = arena_printf(b->a, "the %s %s%s%s", k8s_type_name(t),
				     t == K8S_T_STRING ? "\"" : "", n->value,
				     t == K8S_T_STRING ? "\"" : "");
	else
		shown = arena_printf(b->a, "a %s", k8s_type_name(t));
	e->node = n;
	e->field = field;
	e->fix = fix;
	e->message = arena_printf(
	    b->a, "%s is %s, but the API server wants %s here and rejects the object%s%s", field,
	    shown ? shown : "a value of another type", want, fix ? "; write " : "", fix ? fix : "");
	if (!e->message)
		b->oom = true;
}

/* The fix for a scalar of the wrong type, when its text says what was meant. */
static const char *fix_for(struct builder *b, const struct ynode *n, const char *field,
			   enum k8s_type want)
{
	if (n->kind != Y_SCALAR || n->len > 40 || strlen(n->value) != n->len)
		return NULL;
	struct ynode plain = *n;
	plain.style = Y_PLAIN;
	plain.tag = NULL;
	struct k8s_scalar sc;
	enum k8s_type t = k8s_type_of(&plain, &sc);
	if (want == K8S_T_INT && t == K8S_T_INT && sc.fits_int)
		return arena_printf(b->a, "%s: %lld", field, sc.i);
	if (want == K8S_T_BOOL &&
	    (strcasecmp(n->value, "true") == 0 || strcasecmp(n->value, "false") == 0))
		return arena_printf(b->a, "%s: %s", field,
				    strcasecmp(n->value, "true") == 0 ? "true" : "false");
	if (want == K8S_T_BOOL && t == K8S_T_BOOL)
		return arena_printf(b->a, "%s: %s", field, sc.b ? "true" : "false");
	if (want == K8S_T_STRING)
		return arena_printf(b->a, "%s: \"%s\"", field, n->value);
	return NULL;
}

/*
 * Reads `key` of map `m` as type `want` into *f with `origin`. Null or
 * missing leaves *f as it was. A wrong type is a type error and marks the
 * field invalid.
 */
static void read_field(struct builder *b, const struct ynode *m, const char *key,
		       enum k8s_type want, enum k8s_origin origin, struct k8s_field *f)
{
	const struct ynode *kn = NULL;
	const struct ynode *v = kget_depth(m, key, 0, &kn);
	if (!v)
		return;
	struct k8s_scalar sc;
	enum k8s_type t = k8s_type_of(v, &sc);
	if (t == K8S_T_NULL)
		return;
	memset(f, 0, sizeof(*f));
	f->origin = origin;
	f->node = v;
	f->key = kn;
	f->start = v->start;
	f->end = v->end;
	bool ok;
	switch (want) {
	case K8S_T_INT:
		ok = (t == K8S_T_INT && sc.fits_int) || (t == K8S_T_FLOAT && sc.fits_int);
		f->i = sc.i;
		break;
	case K8S_T_BOOL:
		ok = t == K8S_T_BOOL;
		f->b = sc.b;
		break;
	case K8S_T_STRING:
		ok = t == K8S_T_STRING;
		f->s = v->value;
		break;
	default:
		ok = t == want;
	}
	if (!ok) {
		f->invalid = true;
		const char *want_name = want == K8S_T_INT      ? "an integer (int64)"
					: want == K8S_T_BOOL   ? "a boolean (true or false)"
					: want == K8S_T_STRING ? "a string"
					: want == K8S_T_SEQ    ? "a list"
							       : "an object";
		type_error(b, v, key, want_name, fix_for(b, v, key, want));
	}
}

/* A list field whose items must all be of type `item`. */
static void read_list(struct builder *b, const struct ynode *m, const char *key, enum k8s_type item,
		      enum k8s_origin origin, struct k8s_field *f)
{
	read_field(b, m, key, K8S_T_SEQ, origin, f);
	if (f->origin != origin || f->invalid || !f->node || f->node->kind != Y_SEQ)
		return;
	for (size_t i = 0; i < f->node->nitems; i++) {
		const struct ynode *e = f->node->items[i];
		struct k8s_scalar sc;
		enum k8s_type t = k8s_type_of(e, &sc);
		bool ok = t == item || (item == K8S_T_INT && t == K8S_T_FLOAT && sc.fits_int);
		if (item == K8S_T_INT && t == K8S_T_INT && !sc.fits_int)
			ok = false;
		if (!ok) {
			f->invalid = true;
			type_error(b, e, arena_printf(b->a, "an item of %s", key),
				   item == K8S_T_INT ? "an integer (int64)" : "a string", NULL);
		}
	}
}

/* A map-valued key; a value of another type is a type error and reads as missing. */
static const struct ynode *read_map(struct builder *b, const struct ynode *m, const char *key)
{
	const struct ynode *v = kget(m, key);
	if (!v)
		return NULL;
	enum k8s_type t = k8s_type_of(v, NULL);
	if (t == K8S_T_MAP)
		return v;
	if (t != K8S_T_NULL)
		type_error(b, v, key, "an object", NULL);
	return NULL;
}

static const struct ynode *read_seq(struct builder *b, const struct ynode *m, const char *key)
{
	const struct ynode *v = kget(m, key);
	if (!v)
		return NULL;
	enum k8s_type t = k8s_type_of(v, NULL);
	if (t == K8S_T_SEQ)
		return v;
	if (t != K8S_T_NULL)
		type_error(b, v, key, "a list", NULL);
	return NULL;
}

static const char *read_string(struct builder *b, const struct ynode *m, const char *key,
			       const struct ynode **node)
{
	const struct ynode *v = kget(m, key);
	if (node)
		*node = v;
	if (!v)
		return NULL;
	enum k8s_type t = k8s_type_of(v, NULL);
	if (t == K8S_T_STRING)
		return v->value;
	if (t != K8S_T_NULL)
		type_error(b, v, key, "a string", fix_for(b, v, key, K8S_T_STRING));
	return NULL;
}

/* --- security contexts ----------------------------------------------------- */

/* The fields a securityContext map holds at one level. */
static void read_secctx(struct builder *b, const struct ynode *sc, enum k8s_origin origin,
			struct k8s_secctx *out)
{
	if (!sc)
		return;
	read_field(b, sc, "runAsUser", K8S_T_INT, origin, &out->run_as_user);
	read_field(b, sc, "runAsGroup", K8S_T_INT, origin, &out->run_as_group);
	read_field(b, sc, "runAsNonRoot", K8S_T_BOOL, origin, &out->run_as_non_root);
	const struct ynode *sp = read_map(b, sc, "seccompProfile");
	if (sp)
		read_field(b, sp, "type", K8S_T_STRING, origin, &out->seccomp_type);
	if (origin == K8S_FROM_POD) {
		read_field(b, sc, "fsGroup", K8S_T_INT, origin, &out->fs_group);
		read_list(b, sc, "supplementalGroups", K8S_T_INT, origin,
			  &out->supplemental_groups);
		return;
	}
	read_field(b, sc, "privileged", K8S_T_BOOL, origin, &out->privileged);
	read_field(b, sc, "allowPrivilegeEscalation", K8S_T_BOOL, origin,
		   &out->allow_privilege_escalation);
	read_field(b, sc, "readOnlyRootFilesystem", K8S_T_BOOL, origin, &out->read_only_root_fs);
	const struct ynode *caps = read_map(b, sc, "capabilities");
	out->capabilities = caps;
	if (caps) {
		read_list(b, caps, "add", K8S_T_STRING, origin, &out->cap_add);
		read_list(b, caps, "drop", K8S_T_STRING, origin, &out->cap_drop);
	}
}

/* Container over pod, field by field; unset fields point at the container. */
static void merge(struct k8s_field *eff, const struct k8s_field *pod, const struct k8s_field *ctr,
		  size_t start, size_t end)
{
	if (ctr && ctr->origin != K8S_UNSET)
		*eff = *ctr;
	else if (pod && pod->origin != K8S_UNSET)
		*eff = *pod;
	else {
		memset(eff, 0, sizeof(*eff));
		eff->start = start;
		eff->end = end;
	}
}

static void effective(const struct k8s_secctx *pod, const struct k8s_secctx *ctr,
		      struct k8s_container *c)
{
	struct k8s_secctx *e = &c->sc;
	size_t s = c->start, en = c->end;
	merge(&e->run_as_user, &pod->run_as_user, &ctr->run_as_user, s, en);
	merge(&e->run_as_group, &pod->run_as_group, &ctr->run_as_group, s, en);
	merge(&e->run_as_non_root, &pod->run_as_non_root, &ctr->run_as_non_root, s, en);
	merge(&e->seccomp_type, &pod->seccomp_type, &ctr->seccomp_type, s, en);
	merge(&e->fs_group, &pod->fs_group, NULL, s, en);
	merge(&e->supplemental_groups, &pod->supplemental_groups, NULL, s, en);
	merge(&e->privileged, NULL, &ctr->privileged, s, en);
	merge(&e->allow_privilege_escalation, NULL, &ctr->allow_privilege_escalation, s, en);
	merge(&e->read_only_root_fs, NULL, &ctr->read_only_root_fs, s, en);
	merge(&e->cap_add, NULL, &ctr->cap_add, s, en);
	merge(&e->cap_drop, NULL, &ctr->cap_drop, s, en);
	e->capabilities = ctr->capabilities;
}

/* --- workloads ------------------------------------------------------------- */

/* A container node already read for this pod (an alias repeated in the list). */
static bool seen_in(const struct k8s_pod *pod, const struct ynode *cn)
{
	for (size_t i = 0; i < pod->ncontainers; i++)
		if (pod->containers[i].node == cn)
			return true;
	return false;
}

static void read_containers(struct builder *b, struct k8s_pod *pod, const struct k8s_secctx *psc,
			    enum k8s_container_kind kind, size_t *cap)
{
	const struct ynode *list = read_seq(b, pod->spec, k8s_container_list_name(kind));
	if (!list)
		return;
	for (size_t i = 0; i < list->nitems; i++) {
		const struct ynode *cn = list->items[i];
		if (cn->kind != Y_MAP) {
			type_error(
			    b, cn,
			    arena_printf(b->a, "an item of %s", k8s_container_list_name(kind)),
			    "an object (a container)", NULL);
			continue;
		}
		if (cn->is_alias_target && seen_in(pod, cn))
			continue;
		if (b->ncontainers >= K8S_MAX_CONTAINERS) {
			b->in->truncated = true;
			return;
		}
		struct k8s_container *c = ARR_PUSH(b->a, pod->containers, pod->ncontainers, *cap);
		if (!c) {
			b->oom = true;
			return;
		}
		b->ncontainers++;
		c->kind = kind;
		c->index = i;
		c->node = cn;
		c->start = cn->start;
		c->end = cn->end;
		const char *name = read_string(b, cn, "name", NULL);
		c->name = name ? name : "";
		c->image = read_string(b, cn, "image", &c->image_node);
		c->sc_node = read_map(b, cn, "securityContext");
		struct k8s_secctx csc;
		memset(&csc, 0, sizeof(csc));
		read_secctx(b, c->sc_node, K8S_FROM_CONTAINER, &csc);
		effective(psc, &csc, c);
	}
}

static void read_pod(struct builder *b, struct k8s_object *o, const struct ynode *spec)
{
	struct k8s_pod *pod = &o->pod;
	o->workload = true;
	pod->spec = spec;
	pod->sc_node = read_map(b, spec, "securityContext");
	read_field(b, spec, "hostUsers", K8S_T_BOOL, K8S_FROM_POD, &pod->host_users);
	read_field(b, spec, "hostNetwork", K8S_T_BOOL, K8S_FROM_POD, &pod->host_network);
	read_field(b, spec, "hostPID", K8S_T_BOOL, K8S_FROM_POD, &pod->host_pid);
	read_field(b, spec, "hostIPC", K8S_T_BOOL, K8S_FROM_POD, &pod->host_ipc);
	struct k8s_secctx psc;
	memset(&psc, 0, sizeof(psc));
	read_secctx(b, pod->sc_node, K8S_FROM_POD, &psc);
	/* Containers are large: size the array once instead of growing it. */
	size_t cap = 0;
	for (int k = K8S_CONTAINER; k <= K8S_EPHEMERAL_CONTAINER; k++) {
		const struct ynode *l = kget(spec, k8s_container_list_name(k));
		if (l && l->kind == Y_SEQ)
			cap += l->nitems;
	}
	if (cap > K8S_MAX_CONTAINERS - b->ncontainers)
		cap = K8S_MAX_CONTAINERS - b->ncontainers;
	if (cap > 0) {
		pod->containers = arena_alloc(b->a, cap * sizeof(*pod->containers));
		if (!pod->containers) {
			b->oom = true;
			return;
		}
	} else {
		cap = 0;
	}
	read_containers(b, pod, &psc, K8S_INIT_CONTAINER, &cap);
	read_containers(b, pod, &psc, K8S_CONTAINER, &cap);
	read_containers(b, pod, &psc, K8S_EPHEMERAL_CONTAINER, &cap);
}

/* The pod spec of a workload kind, or NULL. */
static const struct ynode *pod_spec_of(const char *kind, const struct ynode *obj)
{
	const struct ynode *spec = kget(obj, "spec");
	if (strcmp(kind, "Pod") == 0)
		return spec;
	if (strcmp(kind, "PodTemplate") == 0)
		return kget(kget(obj, "template"), "spec");
	if (strcmp(kind, "CronJob") == 0)
		return kget(kget(kget(kget(spec, "jobTemplate"), "spec"), "template"), "spec");
	static const char *const known[] = {
	    "Deployment", "ReplicaSet", "ReplicationController", "StatefulSet",
	    "DaemonSet",  "Job",	"DeploymentConfig"};
	const struct ynode *ps = kget(kget(spec, "template"), "spec");
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(kind, known[i]) == 0)
			return ps;
	/* Argo Rollouts, Knative Services, ...: a template whose spec holds containers. */
	const struct ynode *cs = kget(ps, "containers");
	return cs && cs->kind == Y_SEQ ? ps : NULL;
}

static void read_annotations(struct builder *b, struct k8s_annotation **list, size_t *n,
			     const struct ynode *meta)
{
	const struct ynode *an = read_map(b, meta, "annotations");
	if (!an)
		return;
	size_t cap = 0;
	for (size_t i = 0; i + 1 < an->nitems; i += 2) {
		const struct ynode *k = an->items[i], *v = an->items[i + 1];
		if (k->kind != Y_SCALAR)
			continue;
		enum k8s_type t = k8s_type_of(v, NULL);
		if (t != K8S_T_STRING) {
			if (t != K8S_T_NULL)
				type_error(b, v, arena_printf(b->a, "the annotation %s", k->value),
					   "a string", fix_for(b, v, k->value, K8S_T_STRING));
			continue;
		}
		struct k8s_annotation *a = ARR_PUSH(b->a, *list, *n, cap);
		if (!a) {
			b->oom = true;
			return;
		}
		a->key = k->value;
		a->value = v->value;
		a->key_node = k;
		a->value_node = v;
	}
}

static void walk_object(struct builder *b, const struct ynode *n, size_t doc, long parent,
			int depth)
{
	if (!n || n->kind != Y_MAP || depth > 16 || b->oom)
		return;
	const char *api = str_of(kget(n, "apiVersion"));
	const char *kind = str_of(kget(n, "kind"));
	if (!api || !kind)
		return;
	/* The same object through an alias again: the same findings at the same place. */
	if (n->is_alias_target && !seen_add(b->a, &b->objects_seen, n))
		return;
	if (b->in->nobjects >= K8S_MAX_OBJECTS) {
		b->in->truncated = true;
		return;
	}
	/* Most files hold one or two objects: grow from one, not from eight. */
	if (b->in->nobjects == b->capobj) {
		size_t ncap = b->capobj ? 2 * b->capobj : 1;
		void *p = arena_realloc(b->a, b->in->objects, b->capobj * sizeof(*b->in->objects),
					ncap * sizeof(*b->in->objects));
		if (!p) {
			b->oom = true;
			return;
		}
		b->in->objects = p;
		b->capobj = ncap;
	}
	struct k8s_object *o = ARR_PUSH(b->a, b->in->objects, b->in->nobjects, b->capobj);
	if (!o) {
		b->oom = true;
		return;
	}
	size_t idx = b->in->nobjects - 1;
	o->api_version = api;
	o->kind = kind;
	o->node = n;
	o->start = n->start;
	o->end = n->end;
	o->doc = doc;
	o->parent = parent;
	/*
	 * Only OpenShift processes a Template or serves an *.openshift.io API
	 * (a DeploymentConfig of OpenShift 3 says apiVersion: v1).
	 */
	o->platforms =
	    b->in_template || strstr(api, ".openshift.io/") || strcmp(kind, "DeploymentConfig") == 0
		? PLAT_OPENSHIFT
		: PLAT_ALL;
	const struct ynode *meta = read_map(b, n, "metadata");
	const char *name = read_string(b, meta, "name", NULL);
	const char *ns = read_string(b, meta, "namespace", NULL);
	o->name = name ? name : "";
	o->namespace = ns ? ns : "";
	o->label = name && *name ? arena_printf(b->a, "%s/%s", kind, name) : kind;
	read_annotations(b, &o->annotations, &o->nannotations, meta);
	const struct ynode *ps = pod_spec_of(kind, n);
	/* The pod template around that spec, whose own metadata may hold annotations. */
	const struct ynode *tmpl =
	    strcmp(kind, "Pod") == 0	       ? NULL
	    : strcmp(kind, "PodTemplate") == 0 ? kget(n, "template")
	    : strcmp(kind, "CronJob") == 0
		? kget(kget(kget(kget(n, "spec"), "jobTemplate"), "spec"), "template")
		: kget(kget(n, "spec"), "template");
	if (ps && tmpl && tmpl->kind == Y_MAP && kget(tmpl, "spec") == ps) {
		o->pod_template = tmpl;
		read_annotations(b, &o->template_annotations, &o->ntemplate_annotations,
				 read_map(b, tmpl, "metadata"));
	}
	if (ps && ps->kind == Y_MAP)
		read_pod(b, o, ps);
	else if (ps && k8s_type_of(ps, NULL) != K8S_T_NULL)
		type_error(b, ps, "spec", "an object (the pod spec)", NULL);

	/* Objects inside: kind List and any *List, and OpenShift Templates. */
	const struct ynode *inner = NULL;
	if (text_ends_with(kind, "List", false))
		inner = kget(n, "items");
	else if (strcmp(kind, "Template") == 0)
		inner = kget(n, "objects");
	if (inner && inner->kind == Y_SEQ) {
		bool tmpl = strcmp(kind, "Template") == 0;
		b->in_template += tmpl;
		for (size_t i = 0; i < inner->nitems; i++)
			walk_object(b, inner->items[i], doc, (long)idx, depth + 1);
		b->in_template -= tmpl;
	}
}

/* --- whole-tree checks: duplicate keys and entry spans ------------------- */

static int cmp_key(const void *x, const void *y)
{
	const struct ynode *a = *(const struct ynode *const *)x,
			   *b = *(const struct ynode *const *)y;
	int c = strcmp(a->value, b->value);
	if (c)
		return c;
	return a->start < b->start ? -1 : a->start > b->start;
}

static void check_map(struct builder *b, const struct ynode *m)
{
	size_t n = m->nitems / 2, k = 0;
	if (n < 2)
		return;
	const struct ynode **keys = arena_alloc(b->a, n * sizeof(*keys));
	if (!keys) {
		b->oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ynode *key = m->items[2 * i];
		if (key->kind == Y_SCALAR && strcmp(key->value, "<<") != 0)
			keys[k++] = key;
	}
	qsort(keys, k, sizeof(*keys), cmp_key);
	for (size_t i = 1; i < k; i++) {
		if (strcmp(keys[i - 1]->value, keys[i]->value) != 0)
			continue;
		struct k8s_dup_key *d =
		    ARR_PUSH(b->a, b->in->dup_keys, b->in->ndup_keys, b->capdup);
		if (!d) {
			b->oom = true;
			return;
		}
		d->first = keys[i - 1];
		d->second = keys[i];
	}
}

static void walk_tree(struct builder *b, const struct ynode *n, struct seen *seen, int depth)
{
	if (!n || depth > 1000 || b->oom)
		return;
	if (n->kind == Y_SCALAR) {
		if (n->style != Y_LITERAL && n->style != Y_FOLDED)
			return;
		struct k8s_entry *e = ARR_PUSH(b->a, b->in->blocks, b->in->nblocks, b->capblk);
		if (!e) {
			b->oom = true;
			return;
		}
		e->start = n->start;
		e->end = n->end;
		return;
	}
	if (n->is_alias_target && !seen_add(b->a, seen, n))
		return;
	if (n->kind == Y_SEQ) {
		for (size_t i = 0; i < n->nitems; i++)
			walk_tree(b, n->items[i], seen, depth + 1);
		return;
	}
	check_map(b, n);
	for (size_t i = 0; i + 1 < n->nitems; i += 2) {
		const struct ynode *k = n->items[i], *v = n->items[i + 1];
		struct k8s_entry *e = ARR_PUSH(b->a, b->in->entries, b->in->nentries, b->capent);
		if (!e) {
			b->oom = true;
			return;
		}
		e->start = k->start;
		e->end = i == 0 ? n->end : v->end;
		if (e->end < v->end)
			e->end = v->end;
		walk_tree(b, v, seen, depth + 1);
	}
}

static int cmp_entry(const void *x, const void *y)
{
	const struct k8s_entry *a = x, *b = y;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->end > b->end ? -1 : a->end < b->end;
}

int k8s_build(struct arena *a, struct source *src, struct ydoc *docs, size_t ndocs,
	      struct k8s_input *out)
{
	memset(out, 0, sizeof(*out));
	out->src = src;
	out->docs = docs;
	out->ndocs = ndocs;
	struct builder b = {.a = a, .in = out};
	for (size_t d = 0; d < ndocs && !b.oom; d++) {
		size_t before = out->nobjects;
		walk_object(&b, docs[d].root, d, -1, 0);
		if (out->nobjects > before) {
			struct seen seen = {0};
			walk_tree(&b, docs[d].root, &seen, 0);
		}
	}
	if (out->nentries > 1)
		qsort(out->entries, out->nentries, sizeof(*out->entries), cmp_entry);
	if (out->nblocks > 1)
		qsort(out->blocks, out->nblocks, sizeof(*out->blocks), cmp_entry);
	return b.oom ? -1 : 0;
}

/* --- small helpers --------------------------------------------------------- */

const struct k8s_annotation *k8s_annotation(const struct k8s_object *o, const char *key)
{
	for (size_t i = o->nannotations; i-- > 0;)
		if (strcmp(o->annotations[i].key, key) == 0)
			return &o->annotations[i];
	return NULL;
}

const char *k8s_container_list_name(enum k8s_container_kind k)
{
	switch (k) {
	case K8S_INIT_CONTAINER:
		return "initContainers";
	case K8S_EPHEMERAL_CONTAINER:
		return "ephemeralContainers";
	case K8S_CONTAINER:
		break;
	}
	return "containers";
}

bool k8s_caps_has(const struct k8s_field *caps, const char *name)
{
	if (!k8s_set(caps) || !caps->node || caps->node->kind != Y_SEQ)
		return false;
	for (size_t i = 0; i < caps->node->nitems; i++) {
		const struct ynode *e = caps->node->items[i];
		if (e->kind != Y_SCALAR)
			continue;
		const char *v = e->value;
		if (strncmp(v, "CAP_", 4) == 0)
			v += 4;
		/* Pod Security Standards compare names exactly: "all" is not ALL. */
		if (strcmp(v, name) == 0)
			return true;
	}
	return false;
}
