/* test-arena.c - the arena's limit, alignment and growable arrays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "unroot/arena.h"

static void alloc_is_zeroed_and_aligned(void **state)
{
	(void)state;
	struct arena *a = arena_new(1 << 20);
	for (int i = 1; i < 100; i++) {
		unsigned char *p = arena_alloc(a, (size_t)i);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		for (int k = 0; k < i; k++)
			assert_int_equal(p[k], 0);
		memset(p, 0xff, (size_t)i);
	}
	arena_free(a);
}

static void limit_is_sticky(void **state)
{
	(void)state;
	struct arena *a = arena_new(1000);
	assert_non_null(arena_alloc(a, 500));
	assert_false(arena_failed(a));
	assert_null(arena_alloc(a, 600));
	assert_true(arena_failed(a));
	/* Once failed, even small allocations fail: the flag is checked once at the end. */
	assert_null(arena_alloc(a, 1));
	arena_free(a);
}

static void huge_sizes_do_not_wrap(void **state)
{
	(void)state;
	struct arena *a = arena_new(1 << 20);
	assert_null(arena_alloc(a, SIZE_MAX - 3));
	assert_true(arena_failed(a));
	arena_free(a);
}

static void strings(void **state)
{
	(void)state;
	struct arena *a = arena_new(1 << 20);
	assert_string_equal(arena_strndup(a, "abcdef", 3), "abc");
	assert_string_equal(arena_printf(a, "%s:%d", "uid", 1001), "uid:1001");
	assert_null(arena_strdup(a, NULL));
	arena_free(a);
}

static void arrays_grow_and_keep_items(void **state)
{
	(void)state;
	struct arena *a = arena_new(1 << 20);
	int *v = NULL;
	size_t n = 0, cap = 0;
	for (int i = 0; i < 1000; i++) {
		int *slot = ARR_PUSH(a, v, n, cap);
		assert_non_null(slot);
		*slot = i;
	}
	assert_int_equal(n, 1000);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(v[i], i);
	arena_free(a);
}

static void full_array_push_keeps_old_items(void **state)
{
	(void)state;
	struct arena *a = arena_new(200);
	long *v = NULL;
	size_t n = 0, cap = 0;
	long *slot;
	while ((slot = ARR_PUSH(a, v, n, cap)) != NULL)
		*slot = 7;
	assert_non_null(v);
	assert_true(n > 0);
	assert_int_equal(v[0], 7);
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(alloc_is_zeroed_and_aligned),
	    cmocka_unit_test(limit_is_sticky),
	    cmocka_unit_test(huge_sizes_do_not_wrap),
	    cmocka_unit_test(strings),
	    cmocka_unit_test(arrays_grow_and_keep_items),
	    cmocka_unit_test(full_array_push_keeps_old_items),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
