/* test-fingerprint.c - findings keep their fingerprint when lines move, and no two are alike. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unroot/arena.h"
#include "unroot/diag.h"
#include "util/fingerprint.h"
#include "unroot/rule.h"
#include "unroot/source.h"

struct fixture {
	struct arena *a;
	struct diag_list l;
};

/* A finding of `rule` on the first occurrence of `text` in src (after byte `from`). */
static void add(struct fixture *f, struct source *src, const struct rule *rule, const char *text,
		size_t from)
{
	const char *at = strstr(src->data + from, text);
	assert_non_null(at);
	size_t start = (size_t)(at - src->data);
	assert_non_null(diag_add(&f->l, rule, src->path, src, start, start + strlen(text), "m"));
}

static struct fingerprint *run(struct fixture *f, const char *path, const char *data,
			       const char *const *texts, size_t n)
{
	f->l.n = 0;
	struct source *src = source_new(f->a, path, data, strlen(data));
	assert_non_null(src);
	for (size_t i = 0; i < n; i++) {
		const char *prev = i ? strstr(src->data, texts[i - 1]) : NULL;
		size_t from = prev && strcmp(texts[i], texts[i - 1]) == 0
				  ? (size_t)(prev - src->data) + 1
				  : 0;
		add(f, src, rule_find("NR102"), texts[i], from);
	}
	struct fingerprint *fp = fingerprints(&f->l, NULL, "/src");
	assert_non_null(fp);
	return fp;
}

static void test_line_moves(void **state)
{
	struct fixture *f = *state;
	const char *texts[] = {"USER root"};
	struct fingerprint *a = run(f, "/src/Dockerfile", "FROM x\nUSER root\n", texts, 1);
	/* Blank runs inside the span are one space: "USER   root" is "USER root". */
	const char *spaced[] = {"USER   root"};
	struct fingerprint *b =
	    run(f, "/src/Dockerfile", "# moved\nFROM x\n\nRUN true\nUSER   root\n", spaced, 1);
	assert_int_equal(strlen(a[0].hex), FINGERPRINT_HEX);
	assert_string_equal(a[0].hex, b[0].hex);
	/* The same file named from elsewhere in the repository is the same file. */
	struct fingerprint *c = run(f, "/src/./x/../Dockerfile", "USER root\n", texts, 1);
	assert_string_equal(a[0].hex, c[0].hex);
	free(a);
	free(b);
	free(c);
}

static void test_changes(void **state)
{
	struct fixture *f = *state;
	const char *root[] = {"USER root"}, *zero[] = {"USER 0"};
	struct fingerprint *a = run(f, "/src/Dockerfile", "USER root\n", root, 1);
	struct fingerprint *b = run(f, "/src/Dockerfile", "USER 0\n", zero, 1);
	struct fingerprint *c = run(f, "/src/other/Dockerfile", "USER root\n", root, 1);
	assert_string_not_equal(a[0].hex, b[0].hex);
	assert_string_not_equal(a[0].hex, c[0].hex);
	free(a);
	free(b);
	free(c);
}

static void test_alike(void **state)
{
	struct fixture *f = *state;
	/* Two findings alike but for their line: both fingerprints differ, and stay put. */
	const char *twice[] = {"USER root", "USER root"};
	struct fingerprint *a =
	    run(f, "/src/Dockerfile", "FROM a\nUSER root\nFROM b\nUSER root\n", twice, 2);
	assert_string_not_equal(a[0].hex, a[1].hex);
	struct fingerprint *b =
	    run(f, "/src/Dockerfile", "\n\nFROM a\nUSER root\n\nFROM b\nUSER root\n", twice, 2);
	assert_string_equal(a[0].hex, b[0].hex);
	assert_string_equal(a[1].hex, b[1].hex);
	free(a);
	free(b);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->a = arena_new(1 << 20);
	f->l.arena = f->a;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	arena_free(f->a);
	free(f);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_line_moves, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_changes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_alike, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
