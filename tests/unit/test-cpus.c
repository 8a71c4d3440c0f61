/* test-cpus.c - cpus_usable() counts the CPUs the process may run on, not the machine's. */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "unroot/cpus.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(follows_the_affinity_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
