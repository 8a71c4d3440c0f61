/*
 * simulate.c - simulating what the user names: an image or a Dockerfile (a
 * plain run on each platform), and manifests (every container on
 * Kubernetes and OpenShift, with its image paired through --image or the
 * config key `images`). The engine reads them as it lints them and hands
 * the models to the identity module (sim_run()); read problems become NR000
 * in the run.
 */
#include "run.h"
#include "unroot/arena.h"
#include "unroot/diag.h"
#include "k8s/k8s.h"
#include "helm/helm.h"
#include "image/view.h"
#include "identity/identity.h"
#include "image/ref.h"
#include "unroot/source.h"
#include "yaml/ytree.h"

#include <string.h>
#include <sys/stat.h>

int sim_report_init(struct lint_run *run, struct sim_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->ctx = sim_ctx_new(run->arena, run->opts);
	return rep->ctx ? 0 : -1;
}

static struct sim_row *new_row(struct lint_run *run, struct sim_report *rep)
{
	return ARR_PUSH(run->arena, rep->rows, rep->nrows, rep->cap);
}

static void plain(struct lint_run *run, struct sim_report *rep, const char *path,
		  const struct image_view *v)
{
	for (int p = 0; p < SIM_NPLATFORMS; p++) {
		if (!(sim_platform_bit((enum sim_platform)p) & run->opts->platforms))
			continue;
		struct sim_row *row = new_row(run, rep);
		if (!row)
			return;
		row->input = path;
		row->image = path;
		if (sim_run(rep->ctx, (enum sim_platform)p, v, NULL, &row->r) != 0) {
			run_error(run, path, NULL, 0, 0, "out of memory simulating '%s'", path);
			return;
		}
	}
}

static void manifests(struct lint_run *run, struct sim_report *rep, const char *path,
		      struct source *src, unsigned platforms, bool rendered)
{
	struct ydoc *docs = NULL;
	size_t ndocs = 0;
	struct yerror err = {0};
	if (yaml_load(run->arena, src, &run->opts->limits, &docs, &ndocs, &err) != 0) {
		run_error(run, path, src, err.start, err.end, "%s",
			  err.message ? err.message : "invalid YAML");
		return;
	}
	struct k8s_input *in = arena_alloc(run->arena, sizeof(*in));
	if (!in || k8s_build(run->arena, src, docs, ndocs, in) != 0) {
		run_error(run, path, src, 0, 0, "out of memory reading '%s'", path);
		return;
	}
	in->path = path;
	for (size_t i = 0; i < in->ntype_errors; i++) {
		const struct k8s_type_error *e = &in->type_errors[i];
		run_error(run, path, src, e->node->start, e->node->end, "%s", e->message);
	}
	bool any = false;
	for (size_t i = 0; i < in->nobjects; i++) {
		const struct k8s_object *o = &in->objects[i];
		if (!o->workload)
			continue;
		for (size_t k = 0; k < o->pod.ncontainers; k++) {
			const struct k8s_container *c = &o->pod.containers[k];
			const struct image_view *v = c->image ? run_pair(run, c->image) : NULL;
			struct sim_pod pod = {in, o, c};
			for (int p = SIM_KUBERNETES; p <= SIM_OPENSHIFT; p++) {
				if (!(sim_platform_bit((enum sim_platform)p) &
				      run->opts->platforms & platforms))
					continue;
				struct sim_row *row = new_row(run, rep);
				if (!row)
					return;
				any = true;
				row->input = path;
				row->object = o->label;
				row->container = *c->name ? c->name : "";
				row->image = c->image;
				row->paired = v ? v->origin : NULL;
				row->src = src;
				if (sim_run(rep->ctx, (enum sim_platform)p, v, &pod, &row->r) !=
				    0) {
					run_error(run, path, src, 0, 0,
						  "out of memory simulating '%s'", path);
					return;
				}
			}
		}
	}
	if (!any && !(run->opts->platforms & (PLAT_KUBERNETES | PLAT_OPENSHIFT)))
		return;
	if (in->nobjects == 0 && !rendered)
		run_error(run, path, src, 0, 0,
			  "'%s' holds no Kubernetes objects: nothing to simulate", path);
}

/*
 * A chart, rendered as lint renders it (helm template, and again with
 * OpenShift's API for the OpenShift rows when both are asked for): every
 * container of every rendered workload.
 */
static void chart(struct lint_run *run, struct sim_report *rep, const char *path)
{
	const struct reader *rdr = reader_for_kind(KIND_HELM);
	struct source *src = NULL;
	if (!rdr || !run_read_text(run, rdr, path, false, &src))
		return;
	struct reading rd;
	run_reading_init(run, &rd, path, src);
	rdr->read(&rd);
	run_take(run, &rd);
	const struct helm_input *in = rd.model;
	if (!in)
		return;
	if (in->skipped) {
		run_error(run, path, NULL, 0, 0, "cannot simulate the chart '%s': %s", path,
			  in->skipped);
		return;
	}
	for (size_t i = 0; i < in->nrenders; i++) {
		const struct helm_render *r = &in->renders[i];
		unsigned plats = in->nrenders < 2 ? PLAT_ALL
				 : r->openshift	  ? (unsigned)PLAT_OPENSHIFT
						  : (unsigned)PLAT_ALL & ~(unsigned)PLAT_OPENSHIFT;
		for (size_t k = 0; k < r->ndocs; k++)
			manifests(run, rep, r->docs[k].src->path, r->docs[k].src, plats, true);
	}
}

static void add_kind(struct lint_run *run, struct sim_report *rep, const char *path,
		     enum input_kind k, bool is_dir);

/* An input a folder's walk found. */
static void visit(struct lint_run *run, const char *path, enum input_kind kind, void *data)
{
	add_kind(run, data, path, kind, kind == KIND_HELM);
}

void sim_add_path(struct lint_run *run, struct sim_report *rep, const char *path)
{
	struct stat st;
	bool ref = false;
	if (stat(path, &st) != 0) {
		/* An image named by reference (docker://..., oci:DIR, a bare name) is no path. */
		ref = image_ref_is_reference(path);
		if (!ref) {
			run_error(run, path, NULL, 0, 0, "cannot read '%s': no such file or folder",
				  path);
			return;
		}
	}
	bool is_dir = !ref && S_ISDIR(st.st_mode);
	enum input_kind k = ref				   ? KIND_IMAGE
			    : run->opts->type != KIND_NONE ? run->opts->type
							   : run_detect(path, is_dir);
	add_kind(run, rep, path, k, is_dir);
}

static void add_kind(struct lint_run *run, struct sim_report *rep, const char *path,
		     enum input_kind k, bool is_dir)
{
	if (k != KIND_NONE || !is_dir)
		run_note_input(run, path);
	switch (k) {
	case KIND_IMAGE:
	case KIND_DOCKERFILE: {
		const struct image_view *v = run_image_side(run, path);
		if (v)
			plain(run, rep, path, v);
		return;
	}
	case KIND_K8S: {
		const char *why = NULL;
		struct source *src =
		    source_read(run->arena, path, run->opts->limits.file_size, &why);
		if (!src) {
			run_error(run, path, NULL, 0, 0, "cannot read '%s': %s", path, why);
			return;
		}
		manifests(run, rep, path, src, PLAT_ALL, false);
		return;
	}
	case KIND_HELM:
		chart(run, rep, path);
		return;
	default:
		if (is_dir) {
			run_walk(run, path, visit, rep);
			return;
		}
		run_error(run, path, NULL, 0, 0,
			  "'%s' is not a Dockerfile, an image or a manifest; name the file, "
			  "or say what it is with --type",
			  path);
	}
}

void sim_add_buffer(struct lint_run *run, struct sim_report *rep, const char *path,
		    const char *data, size_t len, int kind)
{
	enum input_kind k = kind != KIND_NONE ? (enum input_kind)kind : run_detect(path, false);
	run_note_input(run, path);
	if (len > run->opts->limits.file_size) {
		run_error(run, path, NULL, 0, 0, "'%s' is larger than %zu bytes", path,
			  run->opts->limits.file_size);
		return;
	}
	struct source *src = source_new(run->arena, path, data, len);
	if (!src) {
		run_error(run, path, NULL, 0, 0, "out of memory reading '%s'", path);
		return;
	}
	if (k == KIND_K8S) {
		manifests(run, rep, path, src, PLAT_ALL, false);
		return;
	}
	run_error(run, path, src, 0, 0,
		  "simulate reads manifests from standard input (--type k8s); name a "
		  "Dockerfile or an image as a file");
}

bool sim_report_breaks(const struct sim_report *rep, unsigned platforms)
{
	for (size_t i = 0; i < rep->nrows; i++)
		if ((sim_platform_bit(rep->rows[i].r.platform) & platforms) &&
		    rep->rows[i].r.breaks)
			return true;
	return false;
}
