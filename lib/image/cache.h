/*
 * cache.h - layers' scan results on disk, keyed by the layer's sha256
 * (cache.c). `dir` is the cache folder ($XDG_CACHE_HOME/unroot); NULL turns
 * the cache off.
 */
#ifndef UNROOT_IMAGE_CACHE_H
#define UNROOT_IMAGE_CACHE_H

#include "blob.h"

/*
 * Fills l (whose arena is set) and *st from the cache, when it holds the
 * layer and the contents of every file of `capture` (sorted) the layer
 * has. False on a miss, with l left empty.
 */
bool layer_cache_get(const char *dir, const char *digest, const char *const *capture,
		     size_t ncapture, struct layer *l, struct layer_stats *st);

/*
 * Whether the cache has a file for the layer (it may still miss: a file it
 * lacks the contents of, a damaged one). A look, without reading it.
 */
bool layer_cache_has(const char *dir, const char *digest);

/* Keeps a layer that was read whole and checked against `digest`. Failures are quiet. */
void layer_cache_put(const char *dir, const char *digest, const char *const *capture,
		     size_t ncapture, const struct layer *l, const struct layer_stats *st);

#endif
