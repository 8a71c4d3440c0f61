/*
 * rule.h - a rule is data plus one check function.
 *
 * Each rule lives in its own file under lib/rules/ and is declared as
 *
 *	const struct rule NR102_user_root = { .code = "NR102", ... };
 *
 * and listed once in lib/rules/rules.def. Adding a rule means one new file
 * and one line. A rule only reports: suppression, severity overrides and
 * output belong to the engine.
 */
#ifndef UNROOT_RULE_H
#define UNROOT_RULE_H

#include <stdbool.h>
#include <stddef.h>

#include "unroot/diag.h"

struct arena;
struct source;
struct lint_options;
struct dockerfile;
struct k8s_input;
struct helm_chart;
struct image;
struct image_view;

/* What a rule looks at. KIND_ANY is for NR000/NR001, which the engine raises. */
enum input_kind {
	KIND_NONE = 0,
	KIND_DOCKERFILE,
	KIND_K8S,
	KIND_HELM,
	KIND_IMAGE,
	KIND_ANY,
};

const char *input_kind_name(enum input_kind k);

/*
 * Everything a check function may read. Only the member for the rule's kind
 * is set. Strings and models are borrowed from the run.
 */
struct check_ctx {
	const struct lint_options *opts;
	struct arena *arena; /* lives as long as the run: fixes and anything a finding keeps */
	/*
	 * For what a check derives and drops once the input is done (parsed
	 * shell, lookups): it may be reset after the input, so nothing a finding
	 * keeps may point into it. The same as `arena` unless a reader says.
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
	 * The image side paired with a container's image reference (through
	 * --image REF=PATH or the config key `images`), or NULL when there is
	 * no pair. Set for KIND_K8S.
	 */
	const struct image_view *(*pair)(struct check_ctx *ctx, const char *ref);
	/*
	 * False when folder dir[0..dlen) is known to hold no entry name[0..nlen)
	 * (the run listed it while walking), true when it may: a rule asks before
	 * a stat that would most likely fail. NULL: nothing is known.
	 */
	bool (*may_exist)(struct check_ctx *ctx, const char *dir, size_t dlen, const char *name,
			  size_t nlen);
	void *data; /* what pair and may_exist are called with */
	/*
	 * What several rules of a kind derive from the same input (the
	 * Dockerfile rules' shell findings), made once by whichever rule asks
	 * first. NULL until then; owned by the run's arena.
	 */
	void *memo;
};

struct rule {
	const char *code; /* "NR102" */
	const char *name; /* "user-root" */
	enum severity severity;
	unsigned platforms;
	enum input_kind kind;
	const char *summary;	 /* one line, lower case, no full stop */
	const char *description; /* why it matters, on which platform; plain paragraphs */
	const char *remediation; /* what to write instead */
	const char *bad, *good;	 /* a short input that fires, and its fixed form */
	void (*check)(struct check_ctx *ctx, const struct rule *self);
	/*
	 * A note the engine makes about the run (NR002), not a finding about an
	 * input: SARIF lists it among its rules only when a report holds one.
	 */
	bool note;
};

/* The table, in code order. */
extern const struct rule *const rule_table[];
extern const size_t rule_count;

/* By code ("NR102", any case) or name ("user-root"); NULL when unknown. */
const struct rule *rule_find(const char *code_or_name);

/* Rules the engine raises itself. */
extern const struct rule NR000_parse_error;
extern const struct rule NR001_unused_suppression;
extern const struct rule NR002_findings_capped;

/* diag_add() with the context's path and source. */
struct diag *report(struct check_ctx *ctx, const struct rule *rule, size_t start, size_t end,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
