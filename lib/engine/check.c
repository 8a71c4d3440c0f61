/* check.c - checking one input's model: the rules of its kind, with what they need. */
#include "run.h"

#include <string.h>

/*
 * Past this many comparisons of the input's findings with its suppressions
 * (a file of thousands of ignore comments), suppressions are not looked at
 * here: their findings' fixes may then still shape the shared edits.
 */
#define LEFT_OUT_WORK ((size_t)1 << 22)

/* A suppression of the input being checked covers d. */
static bool suppressed(const struct lint_run *run, const struct diag *d)
{
	for (size_t i = run->input_supp; i < run->nsupp; i++) {
		const struct suppression *s = &run->supp[i];
		if (strcmp(s->path, d->path) != 0 ||
		    (!s->global && (d->start < s->from || d->start >= s->to)))
			continue;
		for (size_t k = 0; k < s->ncodes; k++)
			if (strcmp(s->codes[k], "all") == 0 || rule_find(s->codes[k]) == d->rule)
				return true;
	}
	return false;
}

/* What lint_run_finish() will leave out of the report, as far as it is known now. */
static bool left_out(const struct lint_run *run, const struct diag *d, bool supp)
{
	if (d->rule == &NR000_parse_error)
		return false;
	if (run_configured_severity(run->opts, d->rule) == SEV_NONE ||
	    run_ignored_rule(run->opts, d->rule) || !(d->platforms & run->opts->platforms))
		return true;
	return supp && suppressed(run, d);
}

void run_rules(struct lint_run *run, struct check_ctx *ctx, enum input_kind kind)
{
	size_t first = ctx->diags->n;
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
	size_t n = ctx->diags->n - first, ns = run->nsupp - run->input_supp;
	bool supp = ns && (!n || ns <= LEFT_OUT_WORK / n);
	struct diag *items = ctx->diags->items;
	if (kind == KIND_K8S) {
		/* a finding no one will see asks nothing of the edits the others carry */
		for (size_t i = first; i < ctx->diags->n; i++)
			if (left_out(run, &items[i], supp))
				k8s_edits_drop(ctx, &items[i]);
		k8s_edits_finish(ctx);
	}
	for (size_t i = first; i < ctx->diags->n; i++) {
		const struct rule *r = items[i].rule;
		if (!r->edits_together || !items[i].nedits || !left_out(run, &items[i], supp))
			continue;
		for (size_t k = first; k < ctx->diags->n; k++)
			if (items[k].rule == r) {
				items[k].edits = NULL;
				items[k].nedits = 0;
				items[k].no_edit =
				    "its edits go with those of a finding a "
				    "suppression keeps, and apply together or not at all";
			}
	}
}

void run_check(struct lint_run *run, const struct reader *rdr, struct reading *rd,
	       struct source *src, bool report_unknown)
{
	run_take(run, rd);
	run_take_suppressions(run, rd, report_unknown);
	if (!rd->model)
		return;
	struct check_ctx ctx;
	run_ctx_init(run, &ctx, rd->path, rd->src ? rd->src : src);
	ctx.scratch = rd->scratch;
	switch (rdr->kind) {
	case KIND_DOCKERFILE:
		ctx.df = rd->model;
		break;
	case KIND_K8S:
		ctx.k8s = rd->model;
		break;
	case KIND_IMAGE:
		ctx.image = rd->model;
		break;
	default:
		break;
	}
	run_rules(run, &ctx, rdr->kind);
	if (rdr->after) {
		size_t first = rd->nerrors;
		rdr->after(rd);
		run_take_errors(run, rd, first);
	}
}
