/* helm-eval.h - template conditions against default values (eval.c). */
#ifndef UNROOT_HELM_EVAL_H
#define UNROOT_HELM_EVAL_H

#include "helm/helm.h"

#include <stddef.h>

enum tri { TRI_FALSE = 0, TRI_TRUE = 1, TRI_UNKNOWN = 2 };

enum hval_kind { H_UNKNOWN = 0, H_NIL, H_BOOL, H_STR, H_NODE };

/* A value: a node of values.yaml, a literal, a truth value, nil, or unknown. */
struct hval {
	enum hval_kind kind;
	const struct ynode *node; /* H_NODE */
	const char *str;	  /* H_STR, not NUL-terminated */
	size_t len;
	enum tri b; /* H_BOOL */
};

#define HELM_MAX_VARS 64

/* Variables assigned in a template ($x := ...), newest value wins. */
struct helm_vars {
	const char *name[HELM_MAX_VARS];
	char buf[HELM_MAX_VARS][48];
	struct hval val[HELM_MAX_VARS];
	size_t n;
};

/* Go template truthiness; unknown stays unknown. */
enum tri hval_truth(struct hval v);

/* The value of the pipeline s[0..n) with the chart's default values. */
struct hval helm_eval(const struct helm_chart *c, const struct helm_vars *vars, struct hval dot,
		      const char *s, size_t n);

/* `$x := pipeline` or `$x = pipeline`: records x; anything else is ignored. */
void helm_eval_assign(const struct helm_chart *c, struct helm_vars *vars, struct hval dot,
		      const char *s, size_t n);

#endif
