/* test-source.c - byte offsets to lines and columns, asked for in any order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unroot/arena.h"
#include "unroot/source.h"

/* Line and column of every offset by counting from the start, to check against. */
static void slow_position(const char *d, size_t off, unsigned *line, unsigned *col)
{
	unsigned l = 1;
	size_t start = 0;
	for (size_t i = 0; i < off; i++)
		if (d[i] == '\n') {
			l++;
			start = i + 1;
		}
	*line = l;
	*col = (unsigned)(off - start) + 1;
}

static void positions_in_any_order(void **state)
{
	(void)state;
	struct arena *a = arena_new(1u << 20);
	const char *text = "FROM alpine\n\nRUN a \\\n  b\r\nUSER 1001:0\nlast";
	size_t len = strlen(text);
	struct source *s = source_new(a, "Dockerfile", text, len);
	assert_non_null(s);
	/* forwards, backwards, and jumps, against the slow count */
	size_t order[] = {0, 5, 12, 13, 30, 2, len, 11, 12, 40, 0, len + 10, 20};
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		unsigned l, c, wl, wc;
		size_t off = order[i] > len ? len : order[i];
		source_position(s, order[i], &l, &c);
		slow_position(text, off, &wl, &wc);
		assert_int_equal(l, wl);
		assert_int_equal(c, wc);
	}
	/* every offset, in a shuffled order */
	srand(7);
	for (int k = 0; k < 500; k++) {
		size_t off = (size_t)rand() % (len + 1);
		unsigned l, c, wl, wc;
		source_position(s, off, &l, &c);
		slow_position(text, off, &wl, &wc);
		assert_int_equal(l, wl);
		assert_int_equal(c, wc);
	}
	arena_free(a);
}

static void line_offsets(void **state)
{
	(void)state;
	struct arena *a = arena_new(1u << 20);
	const char *text = "a\nbb\n\nccc\n";
	struct source *s = source_new(a, "x", text, strlen(text));
	size_t want[] = {0, 2, 5, 6, 10};
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(source_line_offset(s, i), want[i]);
	assert_int_equal(source_line_offset(s, 9), strlen(text));
	assert_int_equal(source_line_offset(s, 1), 2); /* back again */
	unsigned l, c;
	source_position(s, 7, &l, &c); /* positions still agree after it */
	assert_int_equal(l, 4);
	assert_int_equal(c, 2);
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(positions_in_any_order),
	    cmocka_unit_test(line_offsets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
