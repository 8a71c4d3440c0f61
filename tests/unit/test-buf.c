/* test-buf.c - the report buffer: growth, numbers, and streaming through a sink. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unroot/buf.h"

/* Writes the same mix of calls into a buffer, enough to pass the flush size several times. */
static void write_report(struct buf *b)
{
	for (unsigned i = 0; i < 20000; i++) {
		buf_puts(b, "path/to/Dockerfile:");
		buf_put_uint(b, i);
		buf_putc(b, ':');
		buf_printf(b, "%u: warning: %s [NR%03u]\n", i % 80, "a message of some length",
			   i % 7);
		if (i % 997 == 0) /* now and then a piece larger than the flush size */
			for (int k = 0; k < 3000; k++)
				buf_add(b, "0123456789abcdefghijklmnopqrstuv", 32);
	}
}

struct collect {
	struct buf all;
	size_t calls;
	bool fail_after_first;
};

static bool collect(void *arg, const char *data, size_t len)
{
	struct collect *c = arg;
	c->calls++;
	if (c->fail_after_first && c->calls > 1)
		return false;
	assert_true(len > 0);
	buf_add(&c->all, data, len);
	return true;
}

/* Writes the report into a buffer that streams into c, and flushes what is left. */
static void write_streamed(struct buf *b, struct collect *c)
{
	buf_init(&c->all);
	buf_init(b);
	b->sink = collect;
	b->sink_arg = c;
	write_report(b);
}

static void sink_gets_the_same_bytes(void **state)
{
	(void)state;
	struct buf whole;
	buf_init(&whole);
	write_report(&whole);
	assert_false(whole.failed);
	assert_true(whole.len > 10 * BUF_FLUSH_AT);

	struct collect c = {0};
	struct buf b;
	write_streamed(&b, &c);
	/* the buffer never held much more than the flush size, plus the largest piece */
	assert_true(b.cap <= 4 * BUF_FLUSH_AT);
	buf_flush(&b);
	assert_false(b.failed);
	assert_int_equal(b.len, 0);
	assert_true(c.calls > 10);
	assert_int_equal(c.all.len, whole.len);
	assert_memory_equal(c.all.data, whole.data, whole.len);
	buf_release(&b);
	buf_release(&c.all);
	buf_release(&whole);
}

static void sink_failure_is_sticky(void **state)
{
	(void)state;
	struct collect c = {.fail_after_first = true};
	struct buf b;
	write_streamed(&b, &c);
	buf_flush(&b);
	assert_true(b.failed);
	/* nothing more is handed to a sink that failed */
	assert_int_equal(c.calls, 2);
	buf_release(&b);
	buf_release(&c.all);
}

static void numbers(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	buf_put_uint(&b, 0);
	buf_putc(&b, ' ');
	buf_put_uint(&b, 42);
	buf_putc(&b, ' ');
	buf_put_uint(&b, 18446744073709551615ull);
	assert_string_equal(b.data, "0 42 18446744073709551615");
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sink_gets_the_same_bytes),
	    cmocka_unit_test(sink_failure_is_sticky),
	    cmocka_unit_test(numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
