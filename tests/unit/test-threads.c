/*
 * test-threads.c - cpus_usable() counts the CPUs the process may run on, not
 * the machine's; threads_run() runs the work on every thread it asks for and
 * tells the calling one how many others there were.
 */
#include <sched.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "util/threads.h"

static void follows_the_affinity_mask(void **state)
{
	(void)state;
	cpu_set_t all;
	assert_int_equal(sched_getaffinity(0, sizeof(all), &all), 0);
	assert_int_equal(cpus_usable(), (unsigned)CPU_COUNT(&all));
	/* one CPU allowed, as under `taskset -c N` or a one-CPU cpuset */
	int first = 0;
	while (!CPU_ISSET(first, &all))
		first++;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	assert_int_equal(cpus_usable(), 1);
	assert_int_equal(sched_setaffinity(0, sizeof(all), &all), 0);
}

struct counts {
	atomic_uint ran;
	atomic_uint seen[THREADS_MAX];
	unsigned others;
};

static void count(void *arg, unsigned index, unsigned others)
{
	struct counts *c = arg;
	atomic_fetch_add(&c->ran, 1);
	atomic_fetch_add(&c->seen[index], 1);
	if (index == 0)
		c->others = others;
	else
		assert_int_equal(others, 0);
}

static void runs_every_thread_once(void **state)
{
	(void)state;
	for (unsigned n = 1; n <= THREADS_MAX + 2; n++) {
		struct counts c = {0};
		threads_run(n, count, &c);
		unsigned want = n > THREADS_MAX ? THREADS_MAX : n;
		assert_int_equal(atomic_load(&c.ran), want);
		assert_int_equal(c.others, want - 1);
		for (unsigned k = 0; k < want; k++)
			assert_int_equal(atomic_load(&c.seen[k]), 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(follows_the_affinity_mask),
	    cmocka_unit_test(runs_every_thread_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
