/* workers.h - linting a batch's inputs on threads. Internal to the engine. */
#ifndef UNROOT_ENGINE_WORKERS_H
#define UNROOT_ENGINE_WORKERS_H

#include <stdbool.h>
#include <stddef.h>

#include "unroot/lint.h"

struct lint_run;
struct reader;
struct source;

/* An input read and ready to lint, by a reader that may run on any thread. */
struct work {
	const char *path;
	struct source *src;
	const struct reader *rd;
	bool regular; /* a folder listing said it is a regular file */
};

/* How many threads to lint `n` such inputs with (--jobs, else the CPUs); below 2, none. */
unsigned workers_count(const struct lint_options *opts, size_t n);

/*
 * Lints the items on `nworkers` threads (the caller's among them) and moves
 * their findings into `run`. False when the workers could not be set up; the
 * caller then lints the items itself.
 */
bool workers_lint(struct lint_run *run, struct work *items, size_t n, unsigned nworkers);

#endif
