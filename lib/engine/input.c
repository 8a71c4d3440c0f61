/*
 * input.c - one input through the pipeline: its reader reads it into a
 * model (with its NR000 errors and suppressions), the rules of its kind
 * check the model. Also the image sides that --image pairs with containers,
 * read once per path.
 */
#include "run.h"
#include "unroot/arena.h"
#include "unroot/k8s.h"
#include "unroot/ref.h"
#include "unroot/source.h"

#include <fnmatch.h>
#include <string.h>
#include <sys/stat.h>

const struct reader *reader_for_kind(enum input_kind k)
{
	for (size_t i = 0; i < reader_count; i++)
		if (reader_table[i]->kind == k)
			return reader_table[i];
	return NULL;
}

enum input_kind run_detect(const char *path, bool is_dir)
{
	for (size_t i = 0; i < reader_count; i++)
		if (reader_table[i]->match && reader_table[i]->match(path, is_dir))
			return reader_table[i]->kind;
	return KIND_NONE;
}

bool run_read_text(struct lint_run *run, const struct reader *rd, const char *path, bool regular,
		   struct source **src)
{
	if (!rd->text || *src)
		return true;
	const char *why = NULL;
	size_t limit = run->opts->limits.file_size;
	*src = regular ? source_read_regular(run->arena, path, limit, &why)
		       : source_read(run->arena, path, limit, &why);
	if (!*src) {
		run_error(run, path, NULL, 0, 0, "cannot read '%s': %s", path, why);
		return false;
	}
	return true;
}

void run_reading_init(struct lint_run *run, struct reading *rd, const char *path,
		      struct source *src)
{
	memset(rd, 0, sizeof(*rd));
	rd->opts = run->opts;
	rd->arena = rd->scratch = run->arena;
	rd->path = path;
	rd->src = src;
	rd->listing = run->listing.n ? &run->listing : NULL;
}

/* The reader's errors from errors[first] on, as NR000. */
static void take_errors(struct lint_run *run, const struct reading *rd, size_t first)
{
	for (size_t i = first; i < rd->nerrors; i++) {
		const struct read_error *e = &rd->errors[i];
		struct diag *d = diag_add(&run->diags, &NR000_parse_error, e->path, e->src,
					  e->start, e->end, "%s", e->message ? e->message : "");
		run->input_error = true;
		if (d)
			d->fix = e->fix;
		else if (arena_failed(run->arena))
			run_memory_error(run, e->path);
	}
}

void run_take(struct lint_run *run, const struct reading *rd, bool suppressions)
{
	take_errors(run, rd, 0);
	for (size_t i = 0; suppressions && i < rd->nsupp; i++) {
		struct suppression *slot =
		    ARR_PUSH(run->arena, run->supp, run->nsupp, run->capsupp);
		if (slot)
			*slot = rd->supp[i];
	}
}

void run_lint_input(struct lint_run *run, const struct reader *rdr, const char *path,
		    struct source *src, bool regular, bool rootfs)
{
	run_begin_input(run);
	if (!run_read_text(run, rdr, path, regular, &src)) {
		run_end_input(run, path);
		return;
	}
	struct reading rd;
	run_reading_init(run, &rd, path, src);
	rd.rootfs = rootfs;
	rd.kept = (void *const *)run->kept[rdr->kind];
	rd.nkept = run->nkept[rdr->kind];
	struct arena *scratch = rdr->scratch ? run_scratch(run) : NULL;
	if (scratch)
		rd.scratch = scratch;
	rdr->read(&rd);
	run_take(run, &rd, true);
	if (rd.model && rdr->kind == KIND_HELM) {
		run_check_helm(run, &rd);
	} else if (rd.model) {
		struct check_ctx ctx;
		run_ctx_init(run, &ctx, path, rd.src ? rd.src : src);
		ctx.scratch = rd.scratch;
		switch (rdr->kind) {
		case KIND_DOCKERFILE:
			ctx.df = rd.model;
			break;
		case KIND_K8S:
			ctx.k8s = rd.model;
			break;
		case KIND_IMAGE:
			ctx.image = rd.model;
			break;
		default:
			break;
		}
		run_rules(run, &ctx, rdr->kind);
		if (rdr->after) {
			size_t first = rd.nerrors;
			rdr->after(&rd);
			take_errors(run, &rd, first);
		}
	}
	if (scratch) {
		if (arena_failed(scratch))
			run_memory_error(run, path);
		arena_reset(scratch);
	}
	run_end_input(run, path);
}

/* --- pairing ------------------------------------------------------------- */

struct pair_entry {
	const char *path;
	const struct image_view *view;
};

/* `nginx` matches `nginx:1.27` and `docker.io/library/nginx:1.27`; patterns use fnmatch. */
static bool ref_matches(const char *pattern, const char *ref)
{
	if (fnmatch(pattern, ref, 0) == 0)
		return true;
	size_t n = strlen(pattern);
	if (!strpbrk(pattern, "*?[") && strncmp(ref, pattern, n) == 0 &&
	    (ref[n] == ':' || ref[n] == '@'))
		return true;
	const char *last = strrchr(ref, '/');
	if (last && !strchr(pattern, '/'))
		return ref_matches(pattern, last + 1);
	return false;
}

const struct image_view *run_pair(struct lint_run *run, const char *ref)
{
	const struct lint_options *o = run->opts;
	if (!ref)
		return NULL;
	for (size_t i = 0; i < o->nimages; i++) {
		if (!ref_matches(o->images[i].key, ref))
			continue;
		return run_image_side(run, o->images[i].value);
	}
	/* --pull: a reference with no pair is read from its registry. */
	struct image_name n;
	const char *why;
	if (o->fetch.pull && image_name_parse(run->arena, ref, &n, &why) == 0)
		return run_image_side(run, arena_concat(run->arena, "docker://", n.canonical, ""));
	return NULL;
}

void run_pair_containers(struct lint_run *run, struct check_ctx *ctx)
{
	static const struct paired_image none[1];
	const struct k8s_input *in = ctx->k8s;
	struct paired_image *pairs = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; in && (run->opts->nimages || run->opts->fetch.pull) && i < in->nobjects;
	     i++) {
		const struct k8s_object *o = &in->objects[i];
		for (size_t k = 0; o->workload && k < o->pod.ncontainers; k++) {
			const char *ref = o->pod.containers[k].image;
			bool seen = !ref;
			for (size_t j = 0; j < n && !seen; j++)
				seen = strcmp(pairs[j].ref, ref) == 0;
			if (seen)
				continue;
			struct paired_image *p = ARR_PUSH(run->arena, pairs, n, cap);
			if (!p)
				break;
			p->ref = ref;
			p->view = run_pair(run, ref);
		}
	}
	ctx->pairs = pairs ? pairs : none;
	ctx->npairs = n;
}

const struct image_view *run_image_side(struct lint_run *run, const char *path)
{
	for (size_t k = 0; k < run->npairs; k++)
		if (strcmp(run->pairs[k].path, path) == 0)
			return run->pairs[k].view;
	struct stat st;
	bool found = stat(path, &st) == 0, is_dir = found && S_ISDIR(st.st_mode);
	const struct reader *rdr = reader_for_kind(
	    !found && image_ref_is_reference(path) ? KIND_IMAGE : run_detect(path, is_dir));
	if (!rdr || !rdr->view)
		rdr = reader_for_kind(KIND_DOCKERFILE);
	const struct image_view *v = NULL;
	struct source *src = NULL;
	if (rdr && rdr->view && run_read_text(run, rdr, path, false, &src)) {
		/* The model stays as long as the run: the view points into it. Its
		 * suppressions are not taken: this reading lints nothing. */
		struct reading rd;
		run_reading_init(run, &rd, path, src);
		rdr->read(&rd);
		v = rd.model ? rdr->view(&rd) : NULL;
		if (rd.model && rdr->after)
			rdr->after(&rd);
		run_take(run, &rd, false);
	}
	struct pair_entry *e = ARR_PUSH(run->arena, run->pairs, run->npairs, run->cappairs);
	if (e) {
		e->path = arena_strdup(run->arena, path);
		e->view = v;
	}
	return v;
}
