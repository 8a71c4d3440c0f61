/* helpers.h - loading manifests into the k8s model, and linting them, for the k8s unit tests. */
#ifndef UNROOT_TEST_K8S_HELPERS_H
#define UNROOT_TEST_K8S_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unroot/arena.h"
#include "k8s/k8s.h"
#include "unroot/lint.h"
#include "unroot/source.h"
#include "yaml/ytree.h"

static struct arena *test_arena;
static struct lint_options test_opts;

static __attribute__((unused)) int k8s_setup(void **state)
{
	(void)state;
	test_arena = arena_new(1 << 28);
	lint_options_init(&test_opts);
	return 0;
}

static __attribute__((unused)) int k8s_teardown(void **state)
{
	(void)state;
	arena_free(test_arena);
	return 0;
}

/* The model of `text`; fails the test when the YAML does not load. */
static __attribute__((unused)) struct k8s_input *model_of(const char *text)
{
	struct source *s = source_new(test_arena, "t.yaml", text, strlen(text));
	struct ydoc *docs;
	size_t n;
	struct yerror err;
	assert_int_equal(yaml_load(test_arena, s, &test_opts.limits, &docs, &n, &err), 0);
	struct k8s_input *in = arena_alloc(test_arena, sizeof(*in));
	assert_int_equal(k8s_build(test_arena, s, docs, n, in), 0);
	return in;
}

/* The only workload's container number i. */
static __attribute__((unused)) const struct k8s_container *container_of(const struct k8s_input *in,
									size_t i)
{
	for (size_t k = 0; k < in->nobjects; k++)
		if (in->objects[k].workload) {
			assert_true(i < in->objects[k].pod.ncontainers);
			return &in->objects[k].pod.containers[i];
		}
	fail_msg("no workload");
	return NULL;
}

/* The text a field's span covers. */
static __attribute__((unused)) const char *span_text(const struct k8s_input *in,
						     const struct k8s_field *f)
{
	return arena_strndup(test_arena, in->src->data + f->start, f->end - f->start);
}

/* Lints `text` as `path`; returns the finished run (free it with lint_run_free). */
static __attribute__((unused)) struct lint_run *
lint_text(const struct lint_options *o, const char *path, const char *text, size_t len)
{
	struct lint_run *run = lint_run_new(o);
	assert_non_null(run);
	lint_run_buffer(run, path, text, len, KIND_NONE);
	lint_run_finish(run);
	return run;
}

/* How many findings of `code`. */
static __attribute__((unused)) size_t count_rule(const struct lint_run *run, const char *code)
{
	const struct diag_list *l = lint_run_diags(run);
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].rule->code, code) == 0)
			n++;
	return n;
}

static __attribute__((unused)) const struct diag *first_rule(const struct lint_run *run,
							     const char *code)
{
	const struct diag_list *l = lint_run_diags(run);
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].rule->code, code) == 0)
			return &l->items[i];
	return NULL;
}

#endif
