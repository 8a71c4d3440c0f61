/*
 * strmap.h - strings to numbers, for lookups that a list would make
 * quadratic: the last ownership entry of each of 30,000 chmod'ed paths, the
 * uid of each account a RUN line creates.
 *
 * An open-addressing table in an arena; keys are borrowed, not copied. The
 * hash is seeded per table, so no input can choose keys that all collide.
 */
#ifndef UNROOT_STRMAP_H
#define UNROOT_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

struct strmap_slot {
	const char *key;
	size_t value;
};

struct strmap {
	struct arena *a;
	struct strmap_slot *slots;
	size_t cap, n;
	uint64_t seed;
};

/* An empty map that allocates from `a`. */
void strmap_init(struct strmap *m, struct arena *a);
/* Sets key to value (the newest value wins); false when the arena is full. */
bool strmap_put(struct strmap *m, const char *key, size_t value);
/* True and *value when key is there. */
bool strmap_get(const struct strmap *m, const char *key, size_t *value);

#endif
