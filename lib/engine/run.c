/*
 * run.c - a lint run: its memory and options, the NR000 it raises, the rules
 * it calls on each input's model, and the end: suppressions, severities, the
 * platform filter and the order of the report.
 */
#include "run.h"
#include "unroot/arena.h"
#include "unroot/model.h"
#include "unroot/ref.h"
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

/* A note from the reserve: it must be stored even when the run's memory is spent. */
static void reserved_add(struct lint_run *run, const struct rule *rule, const char *path,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void reserved_add(struct lint_run *run, const struct rule *rule, const char *path,
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
		reserved_add(run, &NR000_parse_error, path,
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

static bool listed(const char *const *list, size_t n, const struct rule *r)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(list[i], r->code) == 0 || strcasecmp(list[i], r->name) == 0)
			return true;
	return false;
}

/* The configured severity of a rule, or -1 when the config says nothing. */
static int configured_severity(const struct lint_options *o, const struct rule *r)
{
	for (size_t i = 0; i < o->nseverity; i++) {
		const struct kv *kv = &o->severity[i];
		if (strcasecmp(kv->key, r->code) == 0 || strcasecmp(kv->key, r->name) == 0)
			return severity_parse(kv->value);
	}
	return -1;
}

bool run_rule_disabled(const struct lint_run *run, const struct rule *r)
{
	if (r == &NR000_parse_error)
		return false;
	if (listed(run->opts->ignore, run->opts->nignore, r))
		return true;
	return configured_severity(run->opts, r) == SEV_NONE;
}

void run_rules(struct lint_run *run, struct check_ctx *ctx, enum input_kind kind)
{
	for (size_t i = 0; i < rule_count; i++) {
		const struct rule *r = rule_table[i];
		if (r->kind != kind || !r->check || run_rule_disabled(run, r))
			continue;
		if (!(r->platforms & run->opts->platforms))
			continue;
		if (r->pairs && !ctx->pairs)
			run_pair_containers(run, ctx);
		r->check(ctx, r);
	}
}

/* --- finishing ----------------------------------------------------------- */

void lint_run_finish(struct lint_run *run)
{
	if (run->finished)
		return;
	run->finished = true;
	struct diag_list *l = &run->diags;
	run_apply_suppressions(run);
	/* The notes of what the limits left out, from the reserve: said whatever else happened. */
	if (run->oom_more)
		reserved_add(run, &NR000_parse_error, run->oom_more_path,
			     "%zu more input%s, from '%s' on, also needed more memory than the run "
			     "may use; %s not fully checked",
			     run->oom_more, run->oom_more == 1 ? "" : "s", run->oom_more_path,
			     run->oom_more == 1 ? "it was" : "they were");
	if (l->run_dropped)
		reserved_add(run, &NR002_findings_capped,
			     run->run_capped_path ? run->run_capped_path : "-",
			     "%zu more finding%s of this run %s left out, from '%s' on: unroot "
			     "reports at most %zu a run; fix those reported and run it again",
			     l->run_dropped, l->run_dropped == 1 ? "" : "s",
			     l->run_dropped == 1 ? "was" : "were",
			     run->run_capped_path ? run->run_capped_path : "-",
			     run->opts->limits.findings_run);
	/* Severity overrides, the ignore list and the platform filter, then drop what is gone. */
	size_t w = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct diag d = l->items[i];
		int sev = configured_severity(run->opts, d.rule);
		d.severity = sev > 0				     ? (enum severity)sev
			     : d.variant && d.rule->variant_severity ? d.rule->variant_severity
								     : d.rule->severity;
		if (d.suppressed || (sev == SEV_NONE && d.rule != &NR000_parse_error))
			continue;
		if (listed(run->opts->ignore, run->opts->nignore, d.rule) &&
		    d.rule != &NR000_parse_error)
			continue;
		if (d.rule != &NR000_parse_error && !(d.platforms & run->opts->platforms))
			continue;
		if (d.rule != &NR000_parse_error)
			d.platforms &= run->opts->platforms;
		else
			run->input_error = true; /* also one a rule raised (a shell text) */
		l->items[w++] = d;
	}
	l->n = w;
	diag_list_sort(l);
	/* Lines and columns for the callers, in order: each source's cursor moves forward. */
	for (size_t i = 0; i < l->n; i++)
		diag_locate(&l->items[i]);
}

const struct diag_list *lint_run_diags(const struct lint_run *run)
{
	return &run->diags;
}

const char *const *lint_run_inputs(const struct lint_run *run, size_t *n)
{
	*n = run->ninputs;
	return run->inputs;
}

bool lint_run_had_input_error(const struct lint_run *run)
{
	return run->input_error;
}

void lint_run_counts(const struct lint_run *run, size_t counts[4])
{
	memset(counts, 0, 4 * sizeof(size_t));
	for (size_t i = 0; i < run->diags.n; i++)
		counts[run->diags.items[i].severity]++;
}

int lint_run_exit_status(const struct lint_run *run)
{
	if (run->input_error)
		return 2;
	if (run->opts->fail_on == SEV_NONE)
		return 0;
	for (size_t i = 0; i < run->diags.n; i++)
		if (run->diags.items[i].severity >= run->opts->fail_on)
			return 1;
	return 0;
}
