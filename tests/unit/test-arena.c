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
	assert_string_equal(arena_concat(a, "/ctx", "/", "Dockerfile"), "/ctx/Dockerfile");
	assert_string_equal(arena_concat(a, "", "", ""), "");
	/* a message longer than arena_printf's first buffer is formatted in full */
	char big[3000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	const char *m = arena_printf(a, "<%s>", big);
	assert_int_equal(strlen(m), sizeof(big) + 1);
	assert_true(m[0] == '<' && m[sizeof(big)] == '>');
	arena_free(a);
	/* and fails as a whole when it passes the limit */
	a = arena_new(1000);
	assert_null(arena_printf(a, "%s", big));
	assert_null(arena_concat(a, "x", "y", "z"));
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

/* The newest block grows where it is; what it held stays and what is new is zero. */
/* The newest allocation gives back its end, and the next one starts there. */
static void shrink_gives_back_the_end(void **state)
{
	(void)state;
	struct arena *a = arena_new(1u << 20);
	char *keep = arena_alloc(a, 16);
	char *p = arena_alloc_raw(a, 4096);
	size_t used = arena_used(a);
	memcpy(p, "kept", 5);
	arena_shrink(a, p, 4096, 5);
	assert_int_equal(arena_used(a), used - 4096 + 16);
	assert_string_equal(p, "kept");
	assert_ptr_equal(arena_alloc(a, 8), p + 16);
	/* not the newest: nothing changes */
	used = arena_used(a);
	arena_shrink(a, keep, 16, 0);
	assert_int_equal(arena_used(a), used);
	arena_free(a);
}

static void realloc_keeps_contents(void **state)
{
	(void)state;
	struct arena *a = arena_new(64u << 20);
	unsigned char *p = arena_realloc(a, NULL, 0, 16);
	assert_non_null(p);
	memset(p, 7, 16);
	for (size_t n = 16; n < (4u << 20); n *= 2) {
		unsigned char *q = arena_realloc(a, p, n, n * 2);
		assert_non_null(q);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(q[i], 7);
		for (size_t i = n; i < n * 2; i++)
			assert_int_equal(q[i], 0);
		memset(q + n, 7, n);
		/* something allocated after it: the next growth has to copy */
		if (n == 1024)
			assert_non_null(arena_alloc(a, 8));
		p = q;
	}
	assert_false(arena_failed(a));
	arena_free(a);
}

/* Blocks past the first are large, aligned mappings; any size up to the limit works. */
static void large_blocks(void **state)
{
	(void)state;
	struct arena *a = arena_new(64u << 20);
	for (size_t size = 100; size < (20u << 20); size *= 3) {
		unsigned char *p = arena_alloc(a, size);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		assert_int_equal(p[0], 0);
		assert_int_equal(p[size - 1], 0);
		memset(p, 0xaa, size);
	}
	assert_false(arena_failed(a));
	arena_free(a);
}

/* A reset forgets what was allocated (and a failure), and the arena serves again. */
static void reset_starts_over(void **state)
{
	(void)state;
	struct arena *a = arena_new(8u << 20);
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 100; i++) {
			unsigned char *p = arena_alloc(a, 50000);
			assert_non_null(p);
			for (size_t k = 0; k < 50000; k += 4999)
				assert_int_equal(p[k], 0);
			memset(p, 0x55, 50000);
		}
		assert_true(arena_used(a) >= 100 * 50000);
		assert_null(arena_alloc(a, 9u << 20)); /* over the limit */
		assert_true(arena_failed(a));
		arena_reset(a);
		assert_int_equal(arena_used(a), 0);
		assert_false(arena_failed(a));
	}
	arena_reset(a);
	arena_reset(NULL);
	arena_free(a);
}

/* An arena moved to the pool keeps what it had, and goes on handing out cleared memory. */
static void moving_to_the_pool(void **state)
{
	(void)state;
	struct arena *a = arena_new(8u << 20);
	char *before = arena_strndup(a, "kept", 4);
	arena_use_pool(a);
	arena_use_pool(a); /* already there: nothing changes */
	unsigned char *p = arena_alloc(a, 100000);
	assert_non_null(p);
	for (size_t i = 0; i < 100000; i++)
		assert_int_equal(p[i], 0);
	assert_string_equal(before, "kept");
	assert_int_equal(arena_used(a), 16 + 100000);
	arena_reset(a);
	assert_non_null(arena_alloc(a, 5000));
	arena_free(a);
	arena_use_pool(NULL);
}

/*
 * Once one arena has outgrown its first block, new arenas take their first
 * block from the shared pool: they still hand out cleared memory, keep their
 * limits, and give the piece back when freed, for the next arena to use.
 */
static void arenas_after_the_pool_started(void **state)
{
	(void)state;
	struct arena *big = arena_new(64u << 20);
	for (int i = 0; i < 40; i++)
		assert_non_null(arena_alloc(big, 10000)); /* past the first block */
	for (int round = 0; round < 3; round++) {
		struct arena *as[20];
		for (int k = 0; k < 20; k++) {
			as[k] = arena_new(4096);
			unsigned char *p = arena_alloc(as[k], 1000);
			assert_non_null(p);
			assert_int_equal((uintptr_t)p % 16, 0);
			for (size_t i = 0; i < 1000; i++)
				assert_int_equal(p[i], 0);
			memset(p, 0x77, 1000); /* the next round gets this piece back */
			assert_null(arena_alloc(as[k], 4000)); /* over its own limit */
			assert_true(arena_failed(as[k]));
		}
		for (int k = 0; k < 20; k++)
			arena_free(as[k]);
	}
	/* a first allocation larger than a piece gets a block of its own */
	struct arena *a = arena_new(8u << 20);
	unsigned char *p = arena_alloc(a, 3u << 20);
	assert_non_null(p);
	assert_int_equal(p[(3u << 20) - 1], 0);
	arena_free(a);
	arena_free(big);
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
	    cmocka_unit_test(realloc_keeps_contents),
	    cmocka_unit_test(shrink_gives_back_the_end),
	    cmocka_unit_test(large_blocks),
	    cmocka_unit_test(reset_starts_over),
	    cmocka_unit_test(arenas_after_the_pool_started),
	    cmocka_unit_test(moving_to_the_pool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
