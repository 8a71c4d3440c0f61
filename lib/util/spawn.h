/*
 * spawn.h - running a helper program and keeping what it writes: git for
 * .gitignore. Bounded: at most `limit` bytes of output are kept, and the
 * program is killed after `timeout_ms`.
 */
#ifndef UNROOT_UTIL_SPAWN_H
#define UNROOT_UTIL_SPAWN_H

#include <stddef.h>

enum spawn_result { SPAWN_OK, SPAWN_FAILED, SPAWN_EXIT, SPAWN_TIMEOUT, SPAWN_TOO_BIG };

struct spawn_out {
	char *data; /* malloc'd, NUL-terminated; the caller frees it */
	size_t len;
	char *err;  /* the first bytes of its standard error, likewise */
	int status; /* exit status, for SPAWN_EXIT */
};

/*
 * Runs argv (argv[0] is looked up in PATH) with standard input /dev/null and
 * captures standard output and error. SPAWN_FAILED when it cannot be started
 * (errno says why), SPAWN_EXIT when it exits other than 0.
 */
enum spawn_result spawn_run(char *const argv[], size_t limit, int timeout_ms,
			    struct spawn_out *out);

#endif
