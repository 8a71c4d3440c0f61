/* new.c - a new run. */
#include "run.h"
#include "unroot/arena.h"

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
