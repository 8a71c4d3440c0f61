/*
 * finish.c - the end of a run: suppressions matched, the notes of what the
 * limits left out, severities given, what --ignore and --platform leave out
 * dropped, the findings sorted and located; then what the caller reads.
 */
#include "run.h"
#include "unroot/arena.h"

#include <stdatomic.h>
#include <string.h>

void lint_run_finish(struct lint_run *run)
{
	if (run->finished)
		return;
	run->finished = true;
	struct diag_list *l = &run->diags;
	run_apply_suppressions(run);
	/* The notes of what the limits left out, from the reserve: said whatever else happened. */
	if (run->oom_more)
		run_reserved_add(
		    run, &NR000_parse_error, run->oom_more_path,
		    "%zu more input%s, from '%s' on, also needed more memory than the run "
		    "may use; %s not fully checked",
		    run->oom_more, run->oom_more == 1 ? "" : "s", run->oom_more_path,
		    run->oom_more == 1 ? "it was" : "they were");
	if (l->run_dropped)
		run_reserved_add(run, &NR002_findings_capped,
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
		int sev = run_configured_severity(run->opts, d.rule);
		d.severity = sev > 0				     ? (enum severity)sev
			     : d.variant && d.rule->variant_severity ? d.rule->variant_severity
								     : d.rule->severity;
		if (d.suppressed || (sev == SEV_NONE && d.rule != &NR000_parse_error))
			continue;
		if (run_ignored_rule(run->opts, d.rule) && d.rule != &NR000_parse_error)
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
	/* Sorted first: a fingerprint counts alike findings in report order. */
	diag_list_sort(l);
	run_baseline_apply(run);
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
