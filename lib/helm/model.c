/* model.c - questions the Helm rules ask of a scanned chart. */
#include "helm/helm.h"
#include "yaml/ytree.h"

#include <string.h>
#include <strings.h>

const char helm_skip_prefix[] = "rendered checks skipped";

bool helm_is_workload_kind(const char *kind)
{
	static const char *const kinds[] = {
	    "Pod", "Deployment", "StatefulSet",		  "DaemonSet",	      "ReplicaSet",
	    "Job", "CronJob",	 "ReplicationController", "DeploymentConfig",
	};
	if (!kind)
		return false;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return true;
	return false;
}

static const struct helm_define *find_in(const struct helm_chart *c, const char *name,
					 unsigned depth)
{
	if (depth > 16)
		return NULL;
	for (size_t i = 0; i < c->ndefines; i++)
		if (strcmp(c->defines[i].name, name) == 0)
			return &c->defines[i];
	for (size_t i = 0; i < c->nsub; i++) {
		const struct helm_define *d = find_in(c->subcharts[i], name, depth + 1);
		if (d)
			return d;
	}
	return NULL;
}

const struct helm_define *helm_find_define(const struct helm_chart *chart, const char *name)
{
	const struct helm_chart *root = chart->root ? chart->root : chart;
	/* The chart's own definitions first, then the whole tree's. */
	for (size_t i = 0; i < chart->ndefines; i++)
		if (strcmp(chart->defines[i].name, name) == 0)
			return &chart->defines[i];
	return find_in(root, name, 0);
}

/*
 * Follows includes from `names` through the chart's named templates, at
 * most `budget` of them, and calls `visit` on each one found. Stops when
 * visit returns true.
 */
static bool reach(const struct helm_chart *c, const char *const *names, size_t n,
		  bool (*visit)(const struct helm_chart *, const struct helm_define *, void *),
		  void *data, bool *missing)
{
	const struct helm_define *queue[128];
	size_t nq = 0, head = 0;
	for (size_t i = 0; i < n && nq < 128; i++) {
		const struct helm_define *d = helm_find_define(c, names[i]);
		if (!d) {
			if (missing)
				*missing = true;
			continue;
		}
		bool seen = false;
		for (size_t k = 0; k < nq; k++)
			seen |= queue[k] == d;
		if (!seen)
			queue[nq++] = d;
	}
	while (head < nq) {
		const struct helm_define *d = queue[head++];
		if (visit(c, d, data))
			return true;
		for (size_t i = 0; i < d->nincludes && nq < 128; i++) {
			const struct helm_define *e = helm_find_define(c, d->includes[i]);
			if (!e) {
				if (missing)
					*missing = true;
				continue;
			}
			bool seen = false;
			for (size_t k = 0; k < nq; k++)
				seen |= queue[k] == e;
			if (!seen)
				queue[nq++] = e;
		}
	}
	return false;
}

static bool visit_adapts(const struct helm_chart *c, const struct helm_define *d, void *data)
{
	(void)c;
	(void)data;
	return d->openshift || d->omits_ids;
}

bool helm_sc_adapts_openshift(const struct helm_chart *chart, const struct helm_sc *sc, bool *known)
{
	*known = true;
	if (sc->openshift || sc->omits_uid)
		return true;
	if (!sc->helper)
		return false;
	bool missing = false;
	if (reach(chart, &sc->helper, 1, visit_adapts, NULL, &missing))
		return true;
	if (helm_find_define(chart, sc->helper))
		return false;
	/*
	 * Bitnami's common library chart is a dependency that is often not
	 * vendored into charts/. Its renderSecurityContext helper drops
	 * runAsUser, runAsGroup and fsGroup when
	 * global.compatibility.openshift.adaptSecurityContext is "force", or
	 * "auto" on a cluster that serves security.openshift.io/v1.
	 */
	if (strstr(sc->helper, "compatibility.renderSecurityContext"))
		return true;
	*known = false;
	return false;
}

static bool visit_values(const struct helm_chart *c, const struct helm_define *d, void *data)
{
	(void)c;
	(void)data;
	return d->values;
}

bool helm_sc_from_values(const struct helm_chart *chart, const struct helm_sc *sc, bool *known)
{
	*known = true;
	if (sc->values_path)
		return true;
	if (sc->helper) {
		bool missing = false;
		if (reach(chart, &sc->helper, 1, visit_values, NULL, &missing))
			return true;
		if (!helm_find_define(chart, sc->helper)) {
			*known = false;
			return false;
		}
		return false;
	}
	if (sc->other) {
		*known = false;
		return false;
	}
	return false;
}

const struct ynode *helm_values_get(const struct helm_chart *chart, const char *path)
{
	const struct ynode *n = chart->values;
	if (!path)
		return NULL;
	const char *p = path;
	while (n && *p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		const struct ynode *next = NULL;
		if (n->kind != Y_MAP)
			return NULL;
		for (size_t i = 0; i + 1 < n->nitems; i += 2) {
			const struct ynode *k = n->items[i];
			if (k->kind == Y_SCALAR && k->len == len && memcmp(k->value, p, len) == 0)
				next = n->items[i + 1];
		}
		n = next;
		p = dot ? dot + 1 : p + len;
	}
	return n;
}

static bool scalar_false(const struct ynode *n)
{
	return n && n->kind == Y_SCALAR && n->style == Y_PLAIN &&
	       (strcasecmp(n->value, "false") == 0 || strcasecmp(n->value, "no") == 0 ||
		strcasecmp(n->value, "off") == 0);
}

bool helm_values_disabled(const struct helm_chart *chart, const char *path)
{
	char buf[512];
	size_t n = strlen(path);
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, path, n + 1);
	for (;;) {
		const struct ynode *m = helm_values_get(chart, buf);
		if (m && m->kind == Y_MAP && scalar_false(ymap_get(m, "enabled")))
			return true;
		char *dot = strrchr(buf, '.');
		if (!dot)
			break;
		*dot = 0;
	}
	return false;
}

static bool visit_containers(const struct helm_chart *c, const struct helm_define *d, void *data)
{
	(void)c;
	(void)data;
	return d->containers;
}

void helm_chart_finish(struct helm_chart *chart)
{
	for (size_t i = 0; i < chart->ndocs; i++) {
		struct helm_doc *d = &chart->docs[i];
		if (d->file->partial)
			continue; /* `_name.tpl`: Helm never renders it as a manifest */
		if (d->kind)
			d->workload = helm_is_workload_kind(d->kind);
		else if (d->kind_templated)
			d->workload = d->containers || reach(chart, d->includes, d->nincludes,
							     visit_containers, NULL, NULL);
	}
	for (size_t i = 0; i < chart->nsub; i++)
		helm_chart_finish(chart->subcharts[i]);
}

/* The chart of the tree whose defines array holds d. */
static const struct helm_chart *owner(const struct helm_chart *c, const struct helm_define *d,
				      unsigned depth)
{
	if (c->ndefines && d >= c->defines && d < c->defines + c->ndefines)
		return c;
	for (size_t i = 0; i < c->nsub && depth < 16; i++) {
		const struct helm_chart *o = owner(c->subcharts[i], d, depth + 1);
		if (o)
			return o;
	}
	return NULL;
}

struct fed {
	bool fed, unknown;
};

static void judge_site(const struct helm_chart *c, const struct helm_sc *sc, struct fed *f)
{
	bool known = true;
	if (helm_sc_from_values(c, sc, &known))
		f->fed = true;
	else if (!known)
		f->unknown = true;
}

static bool visit_fed(const struct helm_chart *c, const struct helm_define *d, void *data)
{
	struct fed *f = data;
	const struct helm_chart *root = c->root ? c->root : c;
	const struct helm_chart *o = owner(root, d, 0);
	if (!o)
		return false;
	int idx = (int)(d - o->defines);
	for (size_t i = 0; i < o->nscs; i++)
		if (o->scs[i].define == idx)
			judge_site(o, &o->scs[i], f);
	for (size_t i = 0; i < o->nfields; i++)
		if (o->fields[i].define == idx && o->fields[i].values_path)
			f->fed = true;
	return f->fed;
}

bool helm_doc_values_fed(const struct helm_chart *c, size_t doc, bool *known)
{
	struct fed f = {0};
	const struct helm_doc *d = &c->docs[doc];
	for (size_t i = 0; i < c->nscs; i++)
		if (c->scs[i].doc == (int)doc)
			judge_site(c, &c->scs[i], &f);
	for (size_t i = 0; i < c->nfields; i++)
		if (c->fields[i].doc == (int)doc && c->fields[i].values_path)
			f.fed = true;
	bool missing = false;
	if (!f.fed)
		reach(c, d->includes, d->nincludes, visit_fed, &f, &missing);
	/* The pod spec comes from a named template that is not in the chart. */
	if (!f.fed && missing && !d->containers)
		f.unknown = true;
	*known = !f.unknown;
	return f.fed;
}

bool helm_values_rendered_off(const struct helm_chart *c, const char *path)
{
	size_t n = strlen(path), users = 0, off = 0;
	for (size_t i = 0; i < c->nscs; i++) {
		const char *vp = c->scs[i].values_path;
		if (!vp || strcmp(vp, path) != 0)
			continue;
		users++;
		off += c->scs[i].off;
	}
	for (size_t i = 0; i < c->nfields; i++) {
		const char *vp = c->fields[i].values_path;
		if (!vp || strncmp(vp, path, n) != 0 || vp[n] != '.')
			continue;
		users++;
		off += c->fields[i].off;
	}
	return users > 0 && off == users;
}

struct collect {
	const struct helm_define **out;
	size_t n, cap;
};

static bool visit_collect(const struct helm_chart *c, const struct helm_define *d, void *data)
{
	(void)c;
	struct collect *k = data;
	if (k->n < k->cap)
		k->out[k->n++] = d;
	return k->n == k->cap;
}

const struct helm_chart *helm_chart_of(const struct helm_chart *chart, const struct helm_file *f)
{
	for (size_t i = 0; i < chart->nfiles; i++)
		if (&chart->files[i] == f)
			return chart;
	for (size_t i = 0; i < chart->nsub; i++) {
		const struct helm_chart *c = helm_chart_of(chart->subcharts[i], f);
		if (c)
			return c;
	}
	return NULL;
}

size_t helm_file_includes(const struct helm_chart *chart, const struct helm_file *f,
			  const struct helm_define **out, size_t cap)
{
	struct collect k = {.out = out, .cap = cap};
	/* The file's own includes outside documents first, then each document's. */
	for (size_t i = 0; i <= chart->ndocs && k.n < cap; i++) {
		const struct helm_doc *d = i ? &chart->docs[i - 1] : NULL;
		const char *const *names = d ? d->includes : f->includes;
		size_t nnames = d ? d->nincludes : f->nincludes;
		if ((d && d->file != f) || !nnames)
			continue;
		/* reach() follows the includes breadth first: nearest first. */
		size_t n0 = k.n;
		struct collect more = {.out = out + n0, .cap = cap - n0};
		reach(chart, names, nnames, visit_collect, &more, NULL);
		for (size_t j = 0; j < more.n; j++) {
			bool seen = false;
			for (size_t m = 0; m < k.n && !seen; m++)
				seen = out[m] == more.out[j];
			if (!seen)
				out[k.n++] = more.out[j];
		}
	}
	return k.n;
}

bool helm_range_find(const struct helm_range *r, size_t n, size_t at)
{
	size_t lo = 0, hi = n; /* the first range that ends after `at` is in [lo, hi] */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r[mid].end <= at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && r[lo].start <= at;
}
