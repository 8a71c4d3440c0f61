/*
 * cache.h - layers' scan results on disk, keyed by the layer's sha256
 * (cache.c). `dir` is the cache folder ($XDG_CACHE_HOME/unroot); NULL turns
 * the cache off.
 */
#ifndef UNROOT_IMAGE_CACHE_H
#define UNROOT_IMAGE_CACHE_H

#include "blob.h"

/*
 * A new private file for `hex` in DIR/SUB (the folders made 0700 as
 * needed): its descriptor, with *tmp the name to write it under and *final
 * the name to rename it to (both malloc'd, for the caller to free); -1 when
 * it cannot be made.
 */
int cache_temp(const char *dir, const char *sub, const char *hex, char **tmp, char **final);

/* 64 lower-case hex digits: a sha256 digest's hex part, safe as a file name. */
bool hex64(const char *s);

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

/*
 * Manifests and configs by digest (cache-blob.c), under `dir`/blobs/: the
 * blob's bytes as the registry sent them, named by their sha256 (hex).
 * A file is read only up to `max` bytes and only when its contents hash to
 * its name: anything else is a miss. The folder holds at most
 * BLOB_CACHE_TOTAL bytes; the files read least recently are removed first.
 */
#define BLOB_CACHE_TOTAL ((uint64_t)64 << 20)

/* The blob's bytes (malloc'd, NUL-terminated, *len), or NULL on a miss. */
char *blob_cache_get(const char *dir, const char *hex, size_t max, size_t *len);

/* Whether there is a file for it (a look: it may still be a miss). */
bool blob_cache_has(const char *dir, const char *hex);

/* Keeps a blob whose bytes hash to `hex`, when it is at most `max` bytes. Quiet. */
void blob_cache_put(const char *dir, const char *hex, const char *data, size_t len, size_t max);

#endif
