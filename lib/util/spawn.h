/*
 * spawn.h - running a helper program and keeping what it writes: helm for a
 * chart's rendered side, git for .gitignore. Bounded: at most `limit` bytes
 * of output are kept, and the program is killed after `timeout_ms`.
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

struct spawn_how {
	size_t limit;	  /* bytes of standard output kept; more is SPAWN_TOO_BIG */
	size_t err_limit; /* bytes of standard error kept; more is cut, never an error */
	int timeout_ms;	  /* wall-clock limit; past it the program is killed */
	char *const
	    *envp; /* its environment; NULL: this process's, and argv[0] looked up in PATH */
};

/*
 * Runs argv with standard input /dev/null and captures standard output and
 * error. SPAWN_FAILED when it cannot be started (errno says why), SPAWN_EXIT
 * when it exits other than 0 (out->status).
 */
enum spawn_result spawn_run(char *const argv[], const struct spawn_how *how, struct spawn_out *out);

#endif
