/*
 * listing.h - the folders a run listed while walking its inputs, kept for
 * lookups without a system call. A Dockerfile names many files of its build
 * context that are not there (the context is often the Dockerfile's folder
 * alone): a listed folder answers "no" without a failed stat. A listing cut
 * short is never kept, so a name it lacks is truly missing. Internal to the
 * library.
 */
#ifndef UNROOT_UTIL_LISTING_H
#define UNROOT_UTIL_LISTING_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

/* A folder the walk listed: every entry's name, sorted by bytes, then length. */
struct listed_folder {
	const char *path; /* no trailing slash */
	size_t len;
	const char **names;
	size_t n;
};

struct listing {
	struct listed_folder *folders; /* sorted by listing_sort() */
	size_t n, cap;
};

/*
 * Keeps folder `path`'s names (sorted), borrowed; false when the arena is
 * full (the folder is then not kept).
 */
bool listing_add(struct arena *a, struct listing *l, const char *path, const char **names,
		 size_t n);

/* Sorts the folders for listing_may_exist(); once they are all added. */
void listing_sort(struct listing *l);

/*
 * False when folder dir[0..dlen) was listed and holds no entry
 * name[0..nlen); true when it does, or when it was not listed (only a stat
 * can tell). `l` may be NULL.
 */
bool listing_may_exist(const struct listing *l, const char *dir, size_t dlen, const char *name,
		       size_t nlen);

#endif
