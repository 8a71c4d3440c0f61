/*
 * move.h - the edit that moves a literal securityContext block of a
 * template into values.yaml: the block becomes `{{- with .Values.KEY }}
 * securityContext: {{- toYaml . | nindent N }} {{- end }}`, and values.yaml
 * gets KEY with the block's lines, so the defaults render what the literals
 * did. KEY is podSecurityContext or securityContext, as `helm create` names
 * them, unless values.yaml has them already or another block fills them
 * differently: then it is named after the container (`- name: init-sysctl`:
 * initSysctlSecurityContext) or, for a pod, after the named template or the
 * template. A workload that reads its settings from a values sub-tree
 * (`.Values.controller.image`) gets KEY there (controller.podSecurityContext).
 * A key values.yaml has with the block's content feeds it. A block in an if,
 * with or range reads `$.Values.KEY`; a block in a named template moves only
 * when every include of it passes the chart's root context. Shared by NR301
 * and NR302.
 * Internal to the Helm rules.
 */
#ifndef UNROOT_RULES_HELM_MOVE_H
#define UNROOT_RULES_HELM_MOVE_H

#include <stdbool.h>
#include <stddef.h>

struct check_ctx;
struct diag;
struct helm_chart;
struct helm_sc;

struct helm_move {
	const struct helm_sc *sc; /* the block moved, or NULL for a context added */
	const struct helm_file *file;
	size_t start, end;   /* the key's line through the block's last line; or where one goes */
	size_t indent;	     /* the securityContext key's column */
	bool add;	     /* a context added to a workload that has none (content "{}") */
	const char *key;     /* the values key: podSecurityContext, securityContext, or named */
	const char *root;    /* "$" inside if/with/range (`.` may be rebound there), else "" */
	const char *tmpl;    /* what the template lines become */
	const char *content; /* the block's lines, as values.yaml holds them under key */
	size_t step;	     /* the block's indentation step */
	bool ok;	     /* the block can move */
	const char *why;     /* why it cannot, when not ok */
};

/* Lines added to values.yaml at one place: its end, or the end of a sub-tree's map. */
struct helm_vedit {
	size_t at;
	const char *text;
};

/*
 * The moves of a chart, one for each securityContext key (chart->scs), then
 * one for each document (chart->docs): a workload with no securityContext
 * at all gets `{{- with $.Values.KEY }}` ... before its `containers:`, and
 * values.yaml gets `KEY: {}`, which renders nothing until an operator sets it.
 */
struct helm_moves {
	struct helm_move *m;
	size_t n;
	struct helm_vedit *vedits; /* what values.yaml gets, in the order of its text */
	size_t nvedits;
};

/*
 * Works out the moves of chart c. A block that is not plain literal lines
 * (actions, flow style, CRLF), that sits in a named template some include
 * passes something other than the root context (`.` and `$` there are what
 * the caller passes: the move's `why` says which), or for which no free key
 * can be named, cannot move: that stays manual.
 */
void helm_moves_of(struct check_ctx *ctx, const struct helm_chart *c, struct helm_moves *out);

/* The move of securityContext key `sc` (an index in chart->scs), or NULL when it cannot move. */
const struct helm_move *helm_move_at(const struct helm_moves *mv, int sc);

/* The context added to workload document `doc` of chart c, or NULL when none can be. */
const struct helm_move *helm_move_for_doc(const struct helm_moves *mv, const struct helm_chart *c,
					  size_t doc);

/* Why securityContext key `sc` cannot move (a few words), or NULL when it can. */
const char *helm_move_why(const struct helm_moves *mv, int sc);

/* Why no context can be added to workload document `doc`, or NULL when one can. */
const char *helm_move_why_doc(const struct helm_moves *mv, const struct helm_chart *c, size_t doc);

/* The fix text that says what the move writes. */
const char *helm_move_fix(struct check_ctx *ctx, const struct helm_move *m);

/*
 * Gives d the move's edits: its block, and with `values` the edits of
 * values.yaml that every moved finding of the chart carries (one for each
 * place keys are added: its end, or the end of a sub-tree's map).
 */
void helm_move_edit(struct check_ctx *ctx, struct diag *d, const struct helm_moves *mv,
		    const struct helm_move *m, bool values);

#endif
