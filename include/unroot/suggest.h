/*
 * suggest.h - "did you mean": the nearest of a few known words to a word
 * someone typed, when it is near enough to be a typo.
 */
#ifndef UNROOT_SUGGEST_H
#define UNROOT_SUGGEST_H

#include <stddef.h>

/*
 * The optimal string alignment distance of a and b, ignoring ASCII case:
 * insertions, deletions, substitutions and swaps of two neighbours cost one
 * each. Counting stops past `max`, which is then returned plus one.
 */
size_t edit_distance(const char *a, const char *b, size_t max);

/* How far a word of this length may be from a candidate and still be a typo of it. */
size_t suggest_limit(size_t len);

/*
 * The candidate nearest to `word` within suggest_limit(), the first of equals;
 * NULL when none is near. `cands` need not be sorted.
 */
const char *suggest(const char *word, const char *const *cands, size_t n);

#endif
