/* test-yaml.c - the YAML tree: spans, aliases, and the limits that stop bombs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unroot/arena.h"
#include "unroot/lint.h"
#include "unroot/source.h"
#include "yaml/ytree.h"

struct fixture {
	struct arena *a;
	struct lint_options o;
};

static int setup(void **state)
{
	static struct fixture f;
	f.a = arena_new(1 << 26);
	lint_options_init(&f.o);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	arena_free(f->a);
	return 0;
}

static int load(struct fixture *f, const char *text, struct ydoc **docs, size_t *n,
		struct yerror *err)
{
	struct source *s = source_new(f->a, "t.yaml", text, strlen(text));
	return yaml_load(f->a, s, &f->o.limits, docs, n, err);
}

static void spans_are_bytes(void **state)
{
	struct fixture *f = *state;
	struct ydoc *docs;
	size_t n;
	struct yerror err;
	/* "é" is two bytes: the value after it must still point at the right byte. */
	const char *text = "a: é\nb: 1001\n";
	assert_int_equal(load(f, text, &docs, &n, &err), 0);
	assert_int_equal(n, 1);
	struct ynode *b = ymap_get(docs[0].root, "b");
	assert_non_null(b);
	assert_string_equal(b->value, "1001");
	assert_int_equal(b->start, (size_t)(strstr(text, "1001") - text));
}

static void multi_documents(void **state)
{
	struct fixture *f = *state;
	struct ydoc *docs;
	size_t n;
	struct yerror err;
	assert_int_equal(load(f, "a: 1\n---\nb: 2\n---\n", &docs, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_null(docs[2].root);
}

static void quoted_scalars_keep_style(void **state)
{
	struct fixture *f = *state;
	struct ydoc *docs;
	size_t n;
	struct yerror err;
	assert_int_equal(load(f, "u: \"1001\"\nv: 1001\n", &docs, &n, &err), 0);
	assert_int_equal(ymap_get(docs[0].root, "u")->style, Y_DOUBLE_QUOTED);
	assert_int_equal(ymap_get(docs[0].root, "v")->style, Y_PLAIN);
}

static void billion_laughs_is_refused(void **state)
{
	struct fixture *f = *state;
	struct ydoc *docs;
	size_t n;
	struct yerror err;
	char text[4096];
	size_t len = (size_t)snprintf(text, sizeof(text), "a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n");
	for (int i = 1; i < 12; i++) {
		len += (size_t)snprintf(text + len, sizeof(text) - len, "a%d: &a%d [", i, i);
		for (int k = 0; k < 10; k++)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s*a%d",
						k ? "," : "", i - 1);
		len += (size_t)snprintf(text + len, sizeof(text) - len, "]\n");
	}
	assert_int_equal(load(f, text, &docs, &n, &err), -1);
	assert_non_null(strstr(err.message, "too many nodes"));
}

static void deep_nesting_is_refused(void **state)
{
	struct fixture *f = *state;
	struct ydoc *docs;
	size_t n;
	struct yerror err;
	static char text[20002];
	memset(text, '[', 10000);
	memset(text + 10000, ']', 10000);
	text[20000] = '\n';
	assert_int_equal(load(f, text, &docs, &n, &err), -1);
	assert_non_null(strstr(err.message, "deeper"));
}

static void syntax_error_has_position(void **state)
{
	struct fixture *f = *state;
	struct ydoc *docs;
	size_t n;
	struct yerror err;
	const char *text = "a: 1\n\tb: 2\n";
	assert_int_equal(load(f, text, &docs, &n, &err), -1);
	assert_true(err.start >= 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(spans_are_bytes),
	    cmocka_unit_test(multi_documents),
	    cmocka_unit_test(quoted_scalars_keep_style),
	    cmocka_unit_test(billion_laughs_is_refused),
	    cmocka_unit_test(deep_nesting_is_refused),
	    cmocka_unit_test(syntax_error_has_position),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
