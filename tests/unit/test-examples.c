/*
 * test-examples.c - every rule's bad example fires it and its good example
 * does not. The examples are what `unroot explain` and docs/rules.md show, so
 * this keeps the documentation honest.
 *
 * A single-file example is linted as a Dockerfile or a manifest by its rule's
 * kind. An example made of "--- NAME" sections is written out as files (a
 * chart, or a Dockerfile with its scripts) and the first one is linted.
 * Image rules describe an image built from a Dockerfile; the image tests
 * build and check those.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <ftw.h>
#include <unistd.h>

#include <cmocka.h>

#include "unroot/lint.h"
#include "unroot/rule.h"

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void mkparents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
}

/* Writes "--- NAME" sections under dir; returns the path to lint (malloc'd). */
static char *write_sections(const char *dir, const char *text)
{
	char *lint = NULL;
	const char *p = text;
	FILE *f = NULL;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n > 4 && strncmp(p, "--- ", 4) == 0) {
			if (f)
				fclose(f);
			char path[4096];
			snprintf(path, sizeof(path), "%s/%.*s", dir, (int)(n - 4), p + 4);
			mkparents(path);
			f = fopen(path, "w");
			if (!lint) {
				/* A chart is linted as its folder. */
				const char *slash = memchr(p + 4, '/', n - 4);
				if (slash)
					snprintf(path, sizeof(path), "%s/%.*s", dir,
						 (int)(slash - (p + 4)), p + 4);
				lint = strdup(path);
			}
		} else if (f) {
			fwrite(p, 1, n, f);
			fputc('\n', f);
		}
		p += n + (nl != NULL);
	}
	if (f)
		fclose(f);
	return lint;
}

static size_t count_rule(const struct rule *r, const char *example, bool *parse_error)
{
	struct lint_options o;
	lint_options_init(&o);
	struct lint_run *run = lint_run_new(&o);
	assert_non_null(run);
	char tmpl[] = "/tmp/unroot-example-XXXXXX";
	char *dir = NULL;
	if (strncmp(example, "--- ", 4) == 0) {
		dir = mkdtemp(tmpl);
		assert_non_null(dir);
		char *path = write_sections(dir, example);
		assert_non_null(path);
		lint_run_path(run, path);
		free(path);
	} else {
		const char *name = r->kind == KIND_K8S ? "example.yaml" : "Dockerfile";
		lint_run_buffer(run, name, example, strlen(example),
				r->kind == KIND_K8S ? KIND_K8S : KIND_DOCKERFILE);
	}
	lint_run_finish(run);
	const struct diag_list *l = lint_run_diags(run);
	size_t n = 0;
	*parse_error = false;
	for (size_t i = 0; i < l->n; i++) {
		n += l->items[i].rule == r;
		if (l->items[i].rule == &NR000_parse_error && r != &NR000_parse_error)
			*parse_error = true;
	}
	lint_run_free(run);
	if (dir)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return n;
}

/*
 * These rules look at a manifest together with the image it runs; their
 * examples are checked with an image view by tests/unit/k8s/test-examples.c.
 */
static bool needs_pair(const struct rule *r)
{
	return strcmp(r->code, "NR206") == 0 || strcmp(r->code, "NR207") == 0 ||
	       strcmp(r->code, "NR209") == 0;
}

static void examples_fire_and_pass(void **state)
{
	(void)state;
	size_t checked = 0;
	for (size_t i = 0; i < rule_count; i++) {
		const struct rule *r = rule_table[i];
		/* NR002 needs over 1,000 findings in an input, no example's size;
		 * tests/cli/limits.sh makes it fire. */
		if (r->kind == KIND_IMAGE || needs_pair(r) || r->note)
			continue;
		assert_non_null(r->bad);
		assert_non_null(r->good);
		bool perr;
		size_t bad = count_rule(r, r->bad, &perr);
		if (bad == 0)
			fail_msg("%s: its bad example does not fire it", r->code);
		size_t good = count_rule(r, r->good, &perr);
		if (good != 0)
			fail_msg("%s: its good example fires it", r->code);
		if (perr)
			fail_msg("%s: its good example does not parse", r->code);
		checked++;
	}
	printf("checked the examples of %zu rules\n", checked);
}

static void table_is_well_formed(void **state)
{
	(void)state;
	for (size_t i = 0; i < rule_count; i++) {
		const struct rule *r = rule_table[i];
		assert_non_null(r->code);
		assert_non_null(r->name);
		assert_non_null(r->summary);
		assert_non_null(r->description);
		assert_non_null(r->remediation);
		assert_true(r->platforms != 0);
		if (i > 0 && strcmp(rule_table[i - 1]->code, r->code) >= 0)
			fail_msg("%s is out of order or repeated", r->code);
		/* Summaries are one lower-case line without a full stop, as `rules` lists them. */
		size_t n = strlen(r->summary);
		if (n == 0 || r->summary[n - 1] == '.' || strchr(r->summary, '\n'))
			fail_msg("%s: summary must be one line without a full stop", r->code);
		assert_ptr_equal(rule_find(r->code), r);
		/* Names may repeat across kinds (uid-too-low is NR104 and NR204). */
		assert_string_equal(rule_find(r->name)->name, r->name);
		if (r->kind != KIND_ANY && !r->check)
			fail_msg("%s has no check", r->code);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(table_is_well_formed),
	    cmocka_unit_test(examples_fire_and_pass),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
