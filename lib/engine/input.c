/*
 * input.c - one input through the pipeline: its text read, its reader
 * reading it into a model (with its NR000 errors and suppressions), the
 * rules of its kind checking the model; a chart's rendered documents too.
 */
#include "run.h"
#include "unroot/arena.h"

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
	run_resolve_base(run, rdr, &rd);
	if (rdr->kind == KIND_HELM) {
		run_take(run, &rd);
		run_take_suppressions(run, &rd, true);
		if (rd.model)
			run_check_helm(run, &rd);
	} else {
		run_check(run, rdr, &rd, src, true);
	}
	if (scratch) {
		if (arena_failed(scratch))
			run_memory_error(run, path);
		arena_reset(scratch);
	}
	run_end_input(run, path);
}
