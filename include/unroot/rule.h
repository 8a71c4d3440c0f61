/*
 * rule.h - a rule is data plus one check function.
 *
 * Each rule lives in its own file under lib/rules/ and is declared as
 *
 *	const struct rule NR102_user_root = { .code = "NR102", ... };
 *
 * and listed once in lib/rules/rules.def. Adding a rule means one new file
 * and one line. A rule only reports: suppression, severity (its default and
 * the overrides) and output belong to the engine.
 */
#ifndef UNROOT_RULE_H
#define UNROOT_RULE_H

#include <stdbool.h>
#include <stddef.h>

#include "unroot/diag.h"

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

/* What a rule's check function is given (lib/rules/check.h). */
struct check_ctx;

struct rule {
	const char *code;	/* "NR102" */
	const char *name;	/* "user-root" */
	enum severity severity; /* of its findings, unless the config says otherwise */
	/*
	 * Of the findings the rule marks `variant` (diag.h), where some weigh
	 * otherwise than the rest: a pod restricted-v2 rejects (NR208, an error
	 * beside pinned ids), root inside a user namespace (NR201, a warning).
	 * SEV_NONE: the rule marks none.
	 */
	enum severity variant_severity;
	unsigned platforms;
	enum input_kind kind;
	const char *summary;	 /* one line, lower case, no full stop */
	const char *description; /* why it matters, on which platform; plain paragraphs */
	const char *remediation; /* what to write instead */
	const char *bad, *good;	 /* a short input that fires, and its fixed form */
	void (*check)(struct check_ctx *ctx, const struct rule *self);
	/* check() reads the image sides paired with the containers (check_ctx.pairs). */
	bool pairs;
	/*
	 * A note the engine makes about the run (NR002), not a finding about an
	 * input: SARIF lists it among its rules only when a report holds one.
	 */
	bool note;
	/*
	 * Its findings' edits on one input stand or fall together (NR108: a
	 * group taken out while the user that joins it stays breaks the
	 * build): when one of them is left out of the report (suppressed,
	 * ignored), none of them carries its edits.
	 */
	bool edits_together;
};

/* The table, in code order. */
extern const struct rule *const rule_table[];
extern const size_t rule_count;

/* By code ("NR102", any case) or name ("user-root"); NULL when unknown. */
const struct rule *rule_find(const char *code_or_name);

/* The rule whose code or name is nearest to a mistyped one ("NR1O7", "user-rot"); NULL when none is
 * near. */
const struct rule *rule_nearest(const char *word);

/*
 * "unknown rule 'NR1O7'; did you mean NR107 (group-implicit)?", or the same
 * pointing at `unroot rules` when no rule is near; in `a`, NULL when it is full.
 */
const char *rule_unknown(struct arena *a, const char *word);

/* Rules the engine raises itself. */
extern const struct rule NR000_parse_error;
extern const struct rule NR001_unused_suppression;
extern const struct rule NR002_findings_capped;
/* Raised by the Helm reader when it cannot render a chart. */
extern const struct rule NR003_rendered_checks_skipped;

#endif
