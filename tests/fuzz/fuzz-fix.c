/*
 * fuzz-fix.c - unroot fix on arbitrary bytes: the findings' edits planned,
 * applied and written as a diff never crash, and the fixed text reads
 * wherever the original did (no parse error that the original had not).
 * The first byte picks the input kind: a Dockerfile, or a manifest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unroot/buf.h"
#include "unroot/fix.h"
#include "unroot/lint.h"
#include "unroot/rule.h"

static size_t parse_errors(struct lint_run *run)
{
	const struct diag_list *l = lint_run_diags(run);
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += l->items[i].rule == &NR000_parse_error;
	return n;
}

static struct lint_run *lint(const struct lint_options *o, const char *path, const char *data,
			     size_t size, enum input_kind kind)
{
	struct lint_run *run = lint_run_new(o);
	if (run) {
		lint_run_buffer(run, path, data, size, kind);
		lint_run_finish(run);
	}
	return run;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool yaml = data[0] & 1;
	enum input_kind kind = yaml ? KIND_K8S : KIND_DOCKERFILE;
	/* names that no file of the current folder has: nothing is read from there */
	const char *path = yaml ? "fuzz-fix-input.yaml" : "fuzz-fix-input.Dockerfile";
	struct lint_options o;
	lint_options_init(&o);
	o.limits.arena = 16u << 20;
	struct lint_run *run = lint(&o, path, (const char *)data + 1, size - 1, kind);
	if (!run)
		return 0;
	size_t before = parse_errors(run);
	struct fix_plan plan;
	if (fix_plan_make(run, NULL, 0, &plan) == 0) {
		for (size_t i = 0; i < plan.nfiles; i++) {
			const struct fix_file *f = &plan.files[i];
			struct buf b;
			buf_init(&b);
			fix_diff(f, &b);
			buf_release(&b);
			if (strcmp(f->path, path) != 0 || before)
				continue;
			buf_init(&b);
			fix_text(f, &b);
			struct lint_run *again =
			    b.failed ? NULL : lint(&o, path, b.data ? b.data : "", b.len, kind);
			buf_release(&b);
			if (again && parse_errors(again) > 0)
				abort(); /* the fix broke a file that read */
			lint_run_free(again);
		}
	}
	fix_plan_release(&plan);
	lint_run_free(run);
	return 0;
}
