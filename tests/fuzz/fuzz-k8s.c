/*
 * fuzz-k8s.c - the YAML-to-model path: manifests through the k8s reader and
 * every Kubernetes rule.
 *
 * Debian's libyaml is not built with coverage, so the fuzzer sees only our
 * side. Two modes, picked by the first byte, share one target:
 *   even: the bytes are a manifest, linted as foo.yaml (libyaml, the tree
 *         loader, the model, suppressions, the rules);
 *   odd:  the bytes are a program that builds a YAML tree directly, from a
 *         vocabulary of Kubernetes keys and values, with shared nodes as
 *         aliases make them, so the model and the rules get deep, odd shapes
 *         without going through the parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unroot/arena.h"
#include "k8s/k8s.h"
#include "unroot/lint.h"
#include "engine/run.h"
#include "unroot/source.h"
#include "yaml/ytree.h"

static const char *const keys[] = {
    "apiVersion",
    "kind",
    "metadata",
    "name",
    "namespace",
    "annotations",
    "spec",
    "template",
    "jobTemplate",
    "containers",
    "initContainers",
    "ephemeralContainers",
    "securityContext",
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "fsGroup",
    "supplementalGroups",
    "privileged",
    "allowPrivilegeEscalation",
    "readOnlyRootFilesystem",
    "capabilities",
    "add",
    "drop",
    "seccompProfile",
    "type",
    "image",
    "items",
    "objects",
    "hostUsers",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "<<",
    "unroot/ignore",
    "openshift.io/sa.scc.uid-range",
    "openshift.io/sa.scc.supplemental-groups",
};

static const char *const values[] = {
    "v1",	 "apps/v1",
    "Pod",	 "Deployment",
    "CronJob",	 "PodTemplate",
    "List",	 "PodList",
    "Template",	 "Namespace",
    "Rollout",	 "0",
    "1001",	 "65534",
    "2000",	 "yes",
    "no",	 "on",
    "Off",	 "true",
    "false",	 "~",
    "",		 "0x3E8",
    "0o17",	 "1e3",
    "1.5",	 "9223372036854775808",
    "ALL",	 "NET_BIND_SERVICE",
    "SYS_ADMIN", "1000680000/10000",
    "5-1",	 "NR201,NR202",
    "web",	 "nginx:1.27",
    "${IMAGE}",	 "RuntimeDefault",
};

struct prog {
	const uint8_t *p;
	size_t n, i;
	struct arena *a;
	size_t len; /* of the source, for spans */
	struct ynode *pool[64];
	size_t npool;
	size_t budget;
};

static unsigned next(struct prog *g)
{
	return g->i < g->n ? g->p[g->i++] : 0;
}

static struct ynode *node(struct prog *g, int depth)
{
	if (g->budget == 0)
		return NULL;
	g->budget--;
	unsigned op = next(g);
	struct ynode *n;
	/* Reuse an earlier node, as an alias would. */
	if ((op & 7) == 7 && g->npool) {
		n = g->pool[next(g) % g->npool];
		n->is_alias_target = true;
		return n;
	}
	n = arena_alloc(g->a, sizeof(*n));
	if (!n)
		return NULL;
	size_t s = g->len ? next(g) % g->len : 0, e = g->len ? next(g) % g->len : 0;
	n->start = s < e ? s : e;
	n->end = s < e ? e : s;
	if (depth > 12 || (op & 3) == 0) {
		n->kind = Y_SCALAR;
		n->value = values[next(g) % (sizeof(values) / sizeof(values[0]))];
		n->len = strlen(n->value);
		n->style = (op & 0x10) ? Y_DOUBLE_QUOTED : Y_PLAIN;
		if (op & 0x20)
			n->tag = (op & 0x40) ? "tag:yaml.org,2002:int" : "!!str";
	} else {
		n->kind = (op & 3) == 1 ? Y_SEQ : Y_MAP;
		size_t count = next(g) % 6;
		size_t per = n->kind == Y_MAP ? 2 : 1;
		n->items = arena_alloc(g->a, count * per * sizeof(*n->items) + 1);
		if (!n->items)
			return NULL;
		for (size_t k = 0; k < count; k++) {
			if (n->kind == Y_MAP) {
				struct ynode *key = arena_alloc(g->a, sizeof(*key));
				if (!key)
					return NULL;
				key->kind = Y_SCALAR;
				key->value = keys[next(g) % (sizeof(keys) / sizeof(keys[0]))];
				key->len = strlen(key->value);
				key->start = n->start;
				key->end = n->start;
				struct ynode *v = node(g, depth + 1);
				if (!v)
					break;
				n->items[n->nitems++] = key;
				n->items[n->nitems++] = v;
			} else {
				struct ynode *v = node(g, depth + 1);
				if (!v)
					break;
				n->items[n->nitems++] = v;
			}
		}
	}
	if (g->npool < 64)
		g->pool[g->npool++] = n;
	return n;
}

static void tree_mode(const uint8_t *data, size_t size)
{
	struct lint_options o;
	lint_options_init(&o);
	o.limits.arena = 64u << 20;
	struct lint_run *run = lint_run_new(&o);
	if (!run)
		return;
	struct arena *a = lint_run_arena(run);
	struct source *src = source_new(a, "tree.yaml", (const char *)data, size);
	struct prog g = {.p = data, .n = size, .a = a, .len = size, .budget = 2000};
	struct ydoc docs[3];
	size_t ndocs = 0;
	for (; ndocs < 3 && g.i < g.n; ndocs++) {
		docs[ndocs].root = node(&g, 0);
		docs[ndocs].start = 0;
		docs[ndocs].end = size;
	}
	struct k8s_input *in = arena_alloc(a, sizeof(*in));
	if (src && in && k8s_build(a, src, docs, ndocs, in) == 0) {
		struct check_ctx ctx;
		run_ctx_init(run, &ctx, "tree.yaml", src);
		ctx.k8s = in;
		run_rules(run, &ctx, KIND_K8S);
	}
	lint_run_finish(run);
	lint_run_free(run);
}

static void text_mode(const uint8_t *data, size_t size)
{
	struct lint_options o;
	lint_options_init(&o);
	o.limits.arena = 64u << 20;
	o.limits.yaml_nodes = 100000;
	struct lint_run *run = lint_run_new(&o);
	if (!run)
		return;
	lint_run_buffer(run, "fuzz.yaml", (const char *)data, size, KIND_K8S);
	lint_run_finish(run);
	lint_run_free(run);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		tree_mode(data + 1, size - 1);
	else
		text_mode(data + 1, size - 1);
	return 0;
}
