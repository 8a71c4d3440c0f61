/* check.c - checking one input's model: the rules of its kind, with what they need. */
#include "run.h"

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
	if (kind == KIND_K8S)
		k8s_edits_finish(ctx);
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
