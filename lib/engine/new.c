/* new.c - a new run. */
#include "run.h"
#include "unroot/arena.h"
#include "util/path.h"

#include <stdlib.h>

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
