/* test-mode.c - mode_apply() against results recorded with the real chmod(1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "shell/shell.h"

struct mode_case {
	const char *spec;
	unsigned old;
	bool dir;
	unsigned want;
};

static const struct mode_case table[] = {
#include "mode-table.inc"
};

static void matches_real_chmod(void **state)
{
	(void)state;
	size_t bad = 0;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		unsigned got = 0;
		int rc = mode_apply(table[i].spec, table[i].old, table[i].dir, &got);
		if (rc != 0 || got != table[i].want) {
			print_error("chmod %s on %s %04o: want %04o, got %04o (rc %d)\n",
				    table[i].spec, table[i].dir ? "folder" : "file", table[i].old,
				    table[i].want, got, rc);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
	assert_true(sizeof(table) / sizeof(table[0]) > 500);
}

static void rejects_what_chmod_rejects(void **state)
{
	(void)state;
	/* each of these made GNU chmod fail with "invalid mode" */
	static const char *const bad[] = {"8",	  "u+q",  "",	      "g=ux", "77777", "u",
					  "u+x,", ",u+x", "a+r,,g+w", "ugo",  "0o755", "+8"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned got;
		assert_int_equal(mode_apply(bad[i], 0644, false, &got), -1);
	}
	unsigned got;
	assert_int_equal(mode_apply(NULL, 0644, false, &got), -1);
}

static void chained_operators(void **state)
{
	(void)state;
	unsigned got;
	/* recorded with GNU chmod under umask 0 */
	assert_int_equal(mode_apply("u+x-w", 0644, false, &got), 0);
	assert_int_equal(got, 0544);
	assert_int_equal(mode_apply("g=u+w", 0644, false, &got), 0);
	assert_int_equal(got, 0664);
	assert_int_equal(mode_apply("+r+w", 0600, false, &got), 0);
	assert_int_equal(got, 0666);
}

static void umask_limits_clauses_without_who(void **state)
{
	(void)state;
	unsigned got;
	/* recorded with GNU chmod under umask 022 */
	assert_int_equal(mode_apply_umask("+r+w", 0644, false, 022, &got), 0);
	assert_int_equal(got, 0644);
	assert_int_equal(mode_apply_umask("+w", 0444, false, 022, &got), 0);
	assert_int_equal(got, 0644);
	assert_int_equal(mode_apply_umask("g+w", 0644, false, 022, &got), 0);
	assert_int_equal(got, 0664);
	assert_int_equal(mode_apply_umask("+x", 0644, false, 022, &got), 0);
	assert_int_equal(got, 0755);
	assert_int_equal(mode_apply_umask("=rw", 0755, false, 022, &got), 0);
	assert_int_equal(got, 0644);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(matches_real_chmod),
	    cmocka_unit_test(rejects_what_chmod_rejects),
	    cmocka_unit_test(chained_operators),
	    cmocka_unit_test(umask_limits_clauses_without_who),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
