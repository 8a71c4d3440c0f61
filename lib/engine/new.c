/*
 * new.c - a new run. With --pull it answers the Dockerfile reader's question
 * about FROM base images nobody knows by reading them as image sides
 * (pairs.c), so it stands above the pairs.
 */
#include "run.h"
#include "unroot/arena.h"
#include "image/view.h"
#include "image/ref.h"
#include "util/path.h"

#include <stdlib.h>

/*
 * --pull: a FROM base image that neither the config nor the built-in list
 * knows is read from its registry, and its config's user, resolved through
 * its /etc/passwd, is what the Dockerfile starts as.
 */
static bool pulled_base_user(void *data, const char *image, long *uid, long *gid,
			     const char **source)
{
	struct lint_run *run = data;
	struct image_name n;
	const char *why;
	if (image_name_parse(run->arena, image, &n, &why) != 0)
		return false;
	const struct image_view *v =
	    run_image_side(run, arena_concat(run->arena, "docker://", n.canonical, ""));
	if (!v || v->uid < 0)
		return false;
	*uid = v->uid;
	*gid = v->gid;
	*source = arena_printf(run->arena, "the image %s, read with --pull", n.canonical);
	return *source != NULL;
}

struct lint_run *lint_run_new(const struct lint_options *opts)
{
	struct arena *a = arena_new(opts->limits.arena);
	if (!a)
		return NULL;
	struct lint_run *run = arena_alloc(a, sizeof(*run));
	if (!run) {
		arena_free(a);
		return NULL;
	}
	if (opts->fetch.pull) {
		/* The run's own copy of the options, whose base-image question it answers. */
		struct lint_options *own = arena_alloc(a, sizeof(*own));
		if (!own) {
			arena_free(a);
			return NULL;
		}
		*own = *opts;
		own->fetch.base_user = pulled_base_user;
		own->fetch.base_user_data = run;
		opts = own;
	}
	run->opts = opts;
	run->arena = a;
	run->diags.arena = a;
	run->diags.run_cap = opts->limits.findings_run;
	run->diags.kept = &run->kept_findings;
	return run;
}

const char *lint_run_base_dir(struct lint_run *run)
{
	if (run->opts->base_dir || run->base_dir_known)
		return run->opts->base_dir ? run->opts->base_dir : run->base_dir;
	/* Asked once: the walk up to the work tree's top costs a stat a folder. */
	run->base_dir_known = true;
	char *top = path_repo_root(".");
	if (top) {
		run->base_dir = arena_strdup(run->arena, top);
		free(top);
	}
	return run->base_dir;
}
