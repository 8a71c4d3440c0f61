/*
 * reader.c - the Kubernetes input kind: *.yaml, *.yml and *.json files
 * holding Kubernetes objects. Parse errors, wrongly typed fields and
 * duplicate keys become NR000; suppressions come from the `unroot/ignore`
 * annotation and `# unroot ignore=` comments.
 */
#include "unroot/arena.h"
#include "k8s/k8s.h"
#include "k8s/openshift.h"
#include "util/reading.h"
#include "unroot/source.h"
#include "yaml/ytree.h"
#include "util/text.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define IGNORE_ANNOTATION "unroot/ignore"

static bool match(const char *path, bool is_dir)
{
	return !is_dir &&
	       (text_ends_with(path, ".yaml", true) || text_ends_with(path, ".yml", true) ||
		text_ends_with(path, ".json", true));
}

/*
 * A file that does not parse is reported only when it looks like it was
 * meant to hold Kubernetes objects: a folder of YAML and JSON files holds
 * many that are not manifests (tsconfig.json with comments, templates).
 */
static bool looks_like_k8s(const struct source *src)
{
	return memmem(src->data, src->len, "apiVersion", 10) &&
	       memmem(src->data, src->len, "kind", 4);
}

/*
 * `unroot/ignore` on the object covers the whole object; on its pod template
 * (spec.template.metadata.annotations) it covers the template, where charts
 * and kustomizations often put pod annotations.
 */
static void add_annotation(struct reading *rd, const struct k8s_input *in,
			   const struct k8s_annotation *an, size_t from, size_t to)
{
	if (!an)
		return;
	struct suppression s = {.path = rd->path,
				.src = in->src,
				.start = an->key_node->start,
				.end = an->value_node->end,
				.from = from,
				.to = to,
				.list = an->value,
				.list_len = strlen(an->value)};
	reading_suppress(rd, &s);
}

static void annotation_suppressions(struct reading *rd, const struct k8s_input *in)
{
	for (size_t i = 0; i < in->nobjects; i++) {
		const struct k8s_object *o = &in->objects[i];
		add_annotation(rd, in, k8s_annotation(o, IGNORE_ANNOTATION), o->start, o->end);
		for (size_t k = o->ntemplate_annotations; o->pod_template && k-- > 0;) {
			const struct k8s_annotation *an = &o->template_annotations[k];
			if (strcmp(an->key, IGNORE_ANNOTATION) == 0) {
				add_annotation(rd, in, an, o->pod_template->start,
					       o->pod_template->end);
				break;
			}
		}
	}
}

/* The first map entry starting at or after `off`, by binary search. */
static const struct k8s_entry *entry_after(const struct k8s_input *in, size_t off)
{
	size_t lo = 0, hi = in->nentries;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (in->entries[mid].start < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < in->nentries ? &in->entries[lo] : NULL;
}

/* True when `off` lies inside a literal or folded scalar: a '#' there is text. */
static bool in_block(const struct k8s_input *in, size_t off)
{
	size_t lo = 0, hi = in->nblocks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (in->blocks[mid].start <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Blocks do not nest: the last one starting at or before off is the only candidate. */
	return lo > 0 && off < in->blocks[lo - 1].end;
}

/*
 * `# unroot ignore=NR202 reason` on its own line covers the map entry that
 * follows; `# unroot global ignore=...` covers the file.
 */
static void comment_suppressions(struct reading *rd, const struct k8s_input *in)
{
	const char *path = rd->path;
	const char *d = in->src->data;
	size_t len = in->src->len;
	for (size_t off = 0; off < len;) {
		size_t eol = off;
		while (eol < len && d[eol] != '\n')
			eol++;
		size_t p = off;
		while (p < eol && (d[p] == ' ' || d[p] == '\t'))
			p++;
		if (p < eol && d[p] == '#' && !in_block(in, p)) {
			size_t q = p + 1;
			while (q < eol && d[q] == ' ')
				q++;
			struct suppression s = {
			    .path = path, .src = in->src, .start = p, .end = eol};
			if (reading_ignore_comment(d + q, eol - q, &s.global, &s.list,
						   &s.list_len)) {
				const struct k8s_entry *e = entry_after(in, eol);
				if (!s.global) {
					s.from = e ? e->start : len + 1;
					s.to = e ? e->end : len + 1;
				}
				reading_suppress(rd, &s);
			}
		}
		off = eol + 1;
	}
}

/*
 * A Namespace's range annotation that does not parse (a negative start, a
 * range past uid 4294967295) gives OpenShift no range to assign from; the
 * checks would fall back to --uid-range without a word.
 */
static void report_bad_ranges(struct reading *rd, const struct k8s_input *in)
{
	static const char *const keys[] = {OPENSHIFT_UID_RANGE_ANNOTATION,
					   OPENSHIFT_SUPP_GROUPS_ANNOTATION};
	for (size_t i = 0; i < in->nobjects; i++) {
		const struct k8s_object *o = &in->objects[i];
		if (strcmp(o->kind, "Namespace") != 0 && strcmp(o->kind, "Project") != 0)
			continue;
		for (size_t k = 0; k < 2; k++) {
			const struct k8s_annotation *a = k8s_annotation(o, keys[k]);
			struct id_range r;
			if (!a || openshift_range_parse(a->value, &r))
				continue;
			const struct ynode *n = a->value_node ? a->value_node : a->key_node;
			reading_error(rd, NULL, in->src, n ? n->start : 0, n ? n->end : 0,
				      "%s '%s: %.100s' is not START/LENGTH or START-END of ids "
				      "from 0 to 4294967295; OpenShift assigns no %s from it",
				      o->label, keys[k], a->value, k ? "groups" : "uids");
		}
	}
}

static void report_input_errors(struct reading *rd, const struct k8s_input *in)
{
	report_bad_ranges(rd, in);
	for (size_t i = 0; i < in->ntype_errors; i++) {
		const struct k8s_type_error *e = &in->type_errors[i];
		struct read_error *x = reading_error(rd, NULL, in->src, e->node->start,
						     e->node->end, "%s", e->message);
		if (x)
			x->fix = e->fix;
	}
	for (size_t i = 0; i < in->ndup_keys; i++) {
		const struct k8s_dup_key *k = &in->dup_keys[i];
		unsigned line, col;
		source_position(in->src, k->first->start, &line, &col);
		reading_error(rd, NULL, in->src, k->second->start, k->second->end,
			      "duplicate key '%s' (first at line %u): kubectl's strict decoding "
			      "rejects the object, other tools keep only the last one; remove one",
			      k->second->value, line);
	}
	if (in->truncated)
		reading_error(rd, NULL, in->src, 0, 0,
			      "more than %d objects or containers; the rest were not checked",
			      K8S_MAX_OBJECTS);
}

/*
 * A Namespace (or Project) with OpenShift's range annotations may sit in
 * another file than the workloads it governs. Files that spell the
 * annotation are read now, so every workload of the run sees their ranges.
 */
static void *prescan(struct reading *rd)
{
	struct source *src = rd->src;
	if (!memmem(src->data, src->len, "openshift.io/sa.scc.", 20))
		return NULL;
	struct ydoc *docs = NULL;
	size_t ndocs = 0;
	struct yerror err = {0};
	if (yaml_load(rd->arena, src, &rd->opts->limits, &docs, &ndocs, &err) != 0)
		return NULL; /* read() reports it */
	struct k8s_input *in = arena_alloc(rd->arena, sizeof(*in));
	if (!in || k8s_build(rd->arena, src, docs, ndocs, in) != 0)
		return NULL;
	in->path = rd->path;
	return in;
}

static void read_manifests(struct reading *rd)
{
	struct source *src = rd->src;
	/*
	 * An object needs the key apiVersion, so a file that never spells it
	 * (package.json, a CI workflow) is not parsed at all. Only a key written
	 * with escapes ("\x61piVersion") would slip past, and no manifest does that.
	 */
	if (rd->opts->type != KIND_K8S && !looks_like_k8s(src))
		return;
	struct ydoc *docs = NULL;
	size_t ndocs = 0;
	struct yerror err = {0};
	int rc = yaml_load(rd->arena, src, &rd->opts->limits, &docs, &ndocs, &err);
	if (rc != 0 && (rd->opts->type == KIND_K8S || looks_like_k8s(src)))
		reading_error(rd, NULL, src, err.start, err.end, "%s",
			      err.message ? err.message : "invalid YAML");
	struct k8s_input *in = arena_alloc(rd->arena, sizeof(*in));
	if (!in)
		return;
	if (k8s_build(rd->arena, src, docs, ndocs, in) != 0) {
		reading_error(rd, NULL, src, 0, 0, "out of memory reading '%s'", rd->path);
		return;
	}
	in->path = rd->path;
	if (in->nobjects == 0)
		return;
	/* The inputs with OpenShift's ranges prescan kept: this very file may be among them. */
	in->peers = (struct k8s_input *const *)rd->kept;
	in->npeers = rd->nkept;
	report_input_errors(rd, in);
	annotation_suppressions(rd, in);
	comment_suppressions(rd, in);
	rd->model = in;
}

const struct reader k8s_reader = {
    .kind = KIND_K8S,
    .name = "k8s",
    .text = true,
    .match = match,
    .read = read_manifests,
    .prescan = prescan,
};
