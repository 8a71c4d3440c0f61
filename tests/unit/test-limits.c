/*
 * test-limits.c - the run's limits say so when they are hit: the findings
 * caps (NR002, per input and per run), the memory a run may use (NR000,
 * stored even when the memory is spent, with threads sharing the limit),
 * and the expansion bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "unroot/arena.h"
#include "unroot/diag.h"
#include "unroot/lint.h"
#include "unroot/rule.h"
#include "unroot/source.h"

/* A Dockerfile whose RUN line chmods `n` paths one command each: n NR110 findings. */
static char *chmods(size_t n)
{
	char *s = malloc(64 + n * 32), *p = s;
	p += sprintf(p, "FROM alpine:3.20\nRUN true");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, " && chmod 700 /p%zu", i);
	sprintf(p, "\nUSER 1001:0\n");
	return s;
}

static size_t count(const struct diag_list *l, const char *code, const char *text)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += strcmp(l->items[i].rule->code, code) == 0 &&
		     (!text || strstr(l->items[i].message, text));
	return n;
}

static void findings_per_input(void **state)
{
	(void)state;
	struct lint_options o;
	lint_options_init(&o);
	o.limits.findings_input = 3;
	struct lint_run *run = lint_run_new(&o);
	char *a = chmods(7), *b = chmods(2);
	/* a suppression of a rule that did not fire, in the capped input: not NR001 */
	char *c = malloc(strlen(a) + 64);
	sprintf(c, "# unroot ignore=NR114\n%s", a);
	lint_run_buffer(run, "a/Dockerfile", c, strlen(c), KIND_DOCKERFILE);
	lint_run_buffer(run, "b/Dockerfile", b, strlen(b), KIND_DOCKERFILE);
	lint_run_finish(run);
	const struct diag_list *l = lint_run_diags(run);
	assert_int_equal(count(l, "NR110", NULL), 3 + 2);
	assert_int_equal(count(l, "NR002", "4 more findings in this input were left out"), 1);
	assert_int_equal(count(l, "NR002", NULL), 1);
	assert_int_equal(count(l, "NR001", NULL), 0);
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].rule->code, "NR002") == 0)
			assert_string_equal(l->items[i].path, "a/Dockerfile");
	/* an info note: the exit status is the findings' */
	assert_int_equal(lint_run_exit_status(run), 1);
	lint_run_free(run);
	free(a);
	free(b);
	free(c);
}

static void findings_per_run(void **state)
{
	(void)state;
	struct lint_options o;
	lint_options_init(&o);
	o.limits.findings_run = 10;
	struct lint_run *run = lint_run_new(&o);
	char *a = chmods(4);
	char name[32];
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "d%d/Dockerfile", i);
		lint_run_buffer(run, name, a, strlen(a), KIND_DOCKERFILE);
	}
	lint_run_finish(run);
	const struct diag_list *l = lint_run_diags(run);
	assert_int_equal(count(l, "NR110", NULL), 10);
	assert_int_equal(count(l, "NR002", "10 more findings of this run were left out"), 1);
	assert_int_equal(count(l, "NR002", "unroot reports at most 10 a run"), 1);
	lint_run_free(run);
	free(a);
}

/* A run's memory limit: the NR000 that says so is there, whatever filled the memory. */
static void memory_limit_reports_itself(void **state)
{
	(void)state;
	struct lint_options o;
	lint_options_init(&o);
	o.limits.arena = 4u << 20;
	struct lint_run *run = lint_run_new(&o);
	char *big = chmods(20000); /* its model and findings need more than 4 MiB */
	char *small = chmods(1);
	lint_run_buffer(run, "big/Dockerfile", big, strlen(big), KIND_DOCKERFILE);
	lint_run_buffer(run, "later/Dockerfile", big, strlen(big), KIND_DOCKERFILE);
	lint_run_buffer(run, "small/Dockerfile", small, strlen(small), KIND_DOCKERFILE);
	lint_run_finish(run);
	const struct diag_list *l = lint_run_diags(run);
	assert_int_equal(
	    count(l, "NR000", "'big/Dockerfile' needs more memory than a run may use (4 MiB"), 1);
	assert_int_equal(count(l, "NR000", "1 more input, from 'later/Dockerfile' on, also"), 1);
	assert_int_equal(lint_run_exit_status(run), 2);
	assert_true(arena_budget_used(lint_run_arena(run)) <= 4u << 20);
	lint_run_free(run);
	free(big);
	free(small);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* The threads of a run share its memory limit: four threads cannot take four times it. */
static void threads_share_the_limit(void **state)
{
	(void)state;
	char dir[] = "/tmp/unroot-limits-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *big = chmods(6000);
	char path[256];
	for (int i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "%s/%02d.Dockerfile", dir, i);
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(big, f);
		fclose(f);
	}
	struct lint_options o;
	lint_options_init(&o);
	o.limits.arena = 8u << 20;
	o.jobs = 4;
	struct lint_run *run = lint_run_new(&o);
	lint_run_path(run, dir);
	lint_run_finish(run);
	const struct diag_list *l = lint_run_diags(run);
	assert_true(count(l, "NR000", "needs more memory than a run may use (8 MiB") >= 1);
	assert_true(count(l, "NR000", NULL) <= 4 + 1); /* one a thread, and the count */
	assert_int_equal(lint_run_exit_status(run), 2);
	lint_run_free(run);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(big);
}

/* ARG doubling stops at the value that passes 1 MiB, with an NR000 on its line. */
static void expansion_bound(void **state)
{
	(void)state;
	char text[4096], *p = text;
	p += sprintf(p, "FROM alpine:3.20\nARG a0=xy\n");
	for (int i = 1; i <= 60; i++)
		p += sprintf(p, "ARG a%d=${a%d}${a%d}\n", i, i - 1, i - 1);
	sprintf(p, "USER $a60\n");
	struct lint_options o;
	lint_options_init(&o);
	struct lint_run *run = lint_run_new(&o);
	lint_run_buffer(run, "Dockerfile", text, strlen(text), KIND_DOCKERFILE);
	lint_run_finish(run);
	const struct diag_list *l = lint_run_diags(run);
	assert_int_equal(l->n, 1);
	assert_string_equal(l->items[0].rule->code, "NR000");
	assert_non_null(strstr(l->items[0].message, "expands to more than 1 MiB"));
	/* ARG a20 (2 MiB) is the first past the bound: line 22 */
	const char *s = l->items[0].src->data;
	size_t line = 1;
	for (size_t i = 0; i < l->items[0].start; i++)
		line += s[i] == '\n';
	assert_int_equal(line, 22);
	lint_run_free(run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(findings_per_input),
	    cmocka_unit_test(findings_per_run),
	    cmocka_unit_test(memory_limit_reports_itself),
	    cmocka_unit_test(threads_share_the_limit),
	    cmocka_unit_test(expansion_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
