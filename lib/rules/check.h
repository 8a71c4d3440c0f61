/*
 * check.h - what a rule's check function is given, and how it reports.
 * Internal to the library: the engine fills a context for each input and
 * calls the rules of its kind; a rule reads the model and adds findings to
 * ctx->diags, nothing else.
 */
#ifndef UNROOT_RULES_CHECK_H
#define UNROOT_RULES_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "unroot/diag.h"
#include "unroot/rule.h"

struct arena;
struct source;
struct lint_options;
struct dockerfile;
struct k8s_input;
struct helm_chart;
struct image;
struct image_view;
struct listing;

/* A container's image reference and the image side the engine paired it with. */
struct paired_image {
	const char *ref;
	const struct image_view *view; /* NULL: paired with nothing */
};

/*
 * Everything a check function may read. Only the model of the rule's kind
 * is set. Strings and models are borrowed from the run.
 */
struct check_ctx {
	const struct lint_options *opts;
	struct arena *arena; /* lives as long as the run: fixes and anything a finding keeps */
	/*
	 * For what a check derives and drops once the input is done (parsed
	 * shell, lookups): it may be reset after the input, so nothing a finding
	 * keeps may point into it. The same as `arena` unless the engine says.
	 */
	struct arena *scratch;
	struct diag_list *diags;
	const char *path;
	struct source *src;
	const struct dockerfile *df;
	const struct k8s_input *k8s;
	const struct helm_chart *helm;
	const struct image *image;
	/*
	 * For the rules marked `pairs`: the image side of every container image
	 * reference of ctx->k8s that --image REF=PATH (or the config key
	 * `images`) pairs, which the engine loads before it calls them.
	 */
	const struct paired_image *pairs;
	size_t npairs;
	/* The folders the run listed, for build-context lookups; NULL when none were. */
	const struct listing *listing;
	/*
	 * What several rules of a kind derive from the same input (the
	 * Dockerfile rules' shell findings), made once by whichever rule asks
	 * first. NULL until then.
	 */
	void *memo;
};

/* The image side paired with image reference `ref`, or NULL. */
const struct image_view *check_pair(const struct check_ctx *ctx, const char *ref);

/*
 * After the Kubernetes rules ran on an input: their findings get the edits
 * that their fixes asked for (lib/rules/k8s/edit.h).
 */
void k8s_edits_finish(struct check_ctx *ctx);

/*
 * Before k8s_edits_finish(): finding d will not be reported (a suppression
 * covers it, its rule is ignored, its platforms are not the run's), so what
 * its fix asked for stays out of the edits the others carry.
 */
void k8s_edits_drop(struct check_ctx *ctx, const struct diag *d);

/* diag_add() with the context's path and source. */
struct diag *report(struct check_ctx *ctx, const struct rule *rule, size_t start, size_t end,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
