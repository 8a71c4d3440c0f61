/*
 * run.c - a lint run: its memory and options, the NR000 it raises, the rules
 * it calls on each input's model, and the end: suppressions, severities, the
 * platform filter and the order of the report.
 */
#include "run.h"
#include "unroot/arena.h"
#include "unroot/source.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <strings.h>

void lint_options_init(struct lint_options *o)
{
	memset(o, 0, sizeof(*o));
	o->platforms = PLAT_ALL;
	o->min_uid = LINT_DEFAULT_MIN_UID;
	o->uid_range = (struct id_range){1000680000, 10000};
	o->supp_groups = (struct id_range){1000680000, 10000};
	o->fail_on = SEV_WARNING;
	o->limits = (struct lint_limits){
	    .file_size = 8u << 20,
	    .arena = 1u << 30,
	    .yaml_depth = 200,
	    .yaml_aliases = 10000,
	    .yaml_nodes = 2000000,
	    .tar_entries = 1000000,
	    .path_len = 4096,
	    .uncompressed = (size_t)16 << 30,
	    .dir_depth = 64,
	    .findings_input = 1000,
	    .findings_run = 100000,
	};
	o->fetch = (struct fetch_options){
	    .tls_verify = true, .timeout = 30, .retries = 4, .retry_time = 60};
}

struct lint_run *run_new_child(struct lint_run *parent)
{
	struct arena *a = arena_new_shared(parent->arena);
	struct lint_run *run = a ? arena_alloc(a, sizeof(*run)) : NULL;
	if (!run) {
		arena_free(a);
		return NULL;
	}
	run->opts = parent->opts;
	run->arena = a;
	run->parent = parent;
	run->diags.arena = a;
	run->diags.run_cap = parent->diags.run_cap;
	run->diags.kept = parent->diags.kept;
	return run;
}

void lint_run_free(struct lint_run *run)
{
	if (!run)
		return;
	for (size_t i = 0; i < run->nchildren; i++)
		lint_run_free(run->children[i]);
	arena_free(run->scratch);
	arena_free(run->arena);
}

struct arena *run_scratch(struct lint_run *run)
{
	if (!run->scratch)
		run->scratch = arena_new_shared(run->arena);
	return run->scratch;
}

struct arena *lint_run_arena(struct lint_run *run)
{
	return run->arena;
}

void run_error(struct lint_run *run, const char *path, struct source *src, size_t start, size_t end,
	       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct diag *d = diag_vadd(&run->diags, &NR000_parse_error, path, src, start, end, fmt, ap);
	va_end(ap);
	run->input_error = true;
	if (!d && arena_failed(run->arena))
		run_memory_error(run, path); /* a message the run had no memory left for */
}

void run_reserved_add(struct lint_run *run, const struct rule *rule, const char *path,
		      const char *fmt, ...)
{
	bool was = arena_reserve(run->arena, true);
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(&run->diags, rule, path, NULL, 0, 0, fmt, ap);
	va_end(ap);
	arena_reserve(run->arena, was);
}

void run_memory_error(struct lint_run *run, const char *path)
{
	run->input_error = true;
	if (!run->oom_noted) {
		run->oom_noted = true;
		run_reserved_add(
		    run, &NR000_parse_error, path,
		    "'%s' needs more memory than a run may use (%zu MiB, its threads and "
		    "inputs together); it was not fully checked",
		    path, arena_limit(run->arena) >> 20);
	} else if (run->oom_more++ == 0) {
		run->oom_more_path = path;
	}
	arena_clear_failed(run->arena);
	arena_clear_failed(run->scratch);
}

void run_begin_input(struct lint_run *run)
{
	if (run->depth++)
		return;
	run->diags.input_first = run->diags.n;
	run->diags.input_cap = run->opts->limits.findings_input;
	run->diags.input_dropped = 0;
	run->input_supp = run->nsupp;
}

void run_end_input(struct lint_run *run, const char *path)
{
	if (--run->depth)
		return;
	struct diag_list *l = &run->diags;
	l->input_cap = 0;
	if (arena_failed(run->arena) || (run->scratch && arena_failed(run->scratch)))
		run_memory_error(run, path);
	if (l->run_dropped && !run->run_capped_path)
		run->run_capped_path = path;
	if (!l->input_dropped)
		return;
	/* Whether a suppression of this input matched a finding left out is not known. */
	for (size_t i = run->input_supp; i < run->nsupp; i++)
		run->supp[i].capped = true;
	/* once the run's cap is reached, its own note says it for every input */
	bool run_full = l->run_cap && l->kept && atomic_load(l->kept) >= l->run_cap;
	if (!run_full &&
	    !diag_add(l, &NR002_findings_capped, path, NULL, 0, 0,
		      "%zu more finding%s in this input %s left out: unroot reports "
		      "at most %zu an input; fix those above and run it again",
		      l->input_dropped, l->input_dropped == 1 ? "" : "s",
		      l->input_dropped == 1 ? "was" : "were", run->opts->limits.findings_input))
		run_memory_error(run, path);
	l->input_dropped = 0;
}

void run_note_input(struct lint_run *run, const char *path)
{
	const char **slot = ARR_PUSH(run->arena, run->inputs, run->ninputs, run->capinputs);
	if (slot)
		*slot = arena_strdup(run->arena, path);
}

void run_ctx_init(struct lint_run *run, struct check_ctx *ctx, const char *path, struct source *src)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->opts = run->opts;
	ctx->arena = run->arena;
	ctx->scratch = run->arena;
	ctx->diags = &run->diags;
	ctx->path = path;
	ctx->src = src;
	ctx->listing = run->listing.n ? &run->listing : NULL;
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

void run_take_errors(struct lint_run *run, const struct reading *rd, size_t first)
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

void run_take(struct lint_run *run, const struct reading *rd)
{
	run_take_errors(run, rd, 0);
}
