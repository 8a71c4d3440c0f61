/*
 * pairs.c - the image sides that --image REF=PATH (or the config key
 * `images`) pairs with container image references: a Dockerfile or an
 * image, read through its reader once per path. With --pull, also the
 * image a Dockerfile is built FROM: a Dockerfile that starts from an image
 * unroot does not know leaves its user, its accounts and its files
 * unknown, so the engine pairs the FROM reference as it pairs a manifest's
 * image: reference (the `images` patterns, the caller's lookup, then the registry) and
 * hands that image's side to the reader before the rules and the
 * simulation see the model. Readers and rules fetch nothing themselves.
 */
#include "run.h"
#include "unroot/arena.h"
#include "k8s/k8s.h"
#include "image/ref.h"
#include "unroot/source.h"

#include <fnmatch.h>
#include <string.h>
#include <sys/stat.h>

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
	if (o->fetch.lookup) {
		const struct image_view *v = o->fetch.lookup(o->fetch.lookup_data, ref);
		if (v)
			return v;
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
	bool pairing = run->opts->nimages || run->opts->fetch.pull || run->opts->fetch.lookup;
	for (size_t i = 0; in && pairing && i < in->nobjects; i++) {
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

void run_resolve_base(struct lint_run *run, const struct reader *rdr, struct reading *rd)
{
	if (!run->opts->fetch.pull || !rd->model || !rdr->base_ref || !rdr->take_base)
		return;
	/* A base paired with a Dockerfile has a base of its own: one level is read, not a chain
	 * that could name itself. */
	if (run->resolving_base)
		return;
	const char *ref = rdr->base_ref(rd);
	if (!ref)
		return;
	run->resolving_base = true;
	const struct image_view *v = run_pair(run, ref);
	run->resolving_base = false;
	if (v)
		rdr->take_base(rd, ref, v);
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
		run_resolve_base(run, rdr, &rd);
		v = rd.model ? rdr->view(&rd) : NULL;
		if (rd.model && rdr->after)
			rdr->after(&rd);
		run_take(run, &rd);
	}
	struct pair_entry *e = ARR_PUSH(run->arena, run->pairs, run->npairs, run->cappairs);
	if (e) {
		e->path = arena_strdup(run->arena, path);
		e->view = v;
	}
	return v;
}
