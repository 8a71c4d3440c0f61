/*
 * arena.h - one bump allocator per run.
 *
 * Everything a run reads and builds (sources, models, diagnostics) lives in
 * the run's arena and is released at once by arena_free(). An arena has a
 * hard limit: once an allocation would pass it, that allocation and every
 * later one return NULL and arena_failed() turns true (a sticky flag, checked
 * once at the API boundary). Callers turn that into an NR000 diagnostic; the
 * library never aborts on a full arena.
 */
#ifndef UNROOT_ARENA_H
#define UNROOT_ARENA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct arena;

/* A new arena that will hand out at most `limit` bytes; NULL if out of memory. */
struct arena *arena_new(size_t limit);
/* Releases the arena and everything allocated from it. NULL is fine. */
void arena_free(struct arena *a);
/*
 * Forgets everything allocated from the arena but keeps its newest block for
 * what comes next, so memory that was touched once is used again. Builds
 * with AddressSanitizer free every block instead, so a pointer kept past a
 * reset is caught.
 */
void arena_reset(struct arena *a);
/*
 * For a run that will read many inputs: the arena's next allocations come
 * from the shared pool of huge pages, which the threads' arenas go on to
 * use, instead of the rest of a first block whose every 4 KiB page is a
 * fault of its own. Nothing happens in builds that keep no pool.
 */
void arena_use_pool(struct arena *a);

/* `size` zeroed bytes, aligned for any type; NULL once the limit is hit. */
void *arena_alloc(struct arena *a, size_t size);
/* As arena_alloc, but the bytes are not cleared: for a caller that fills them at once. */
void *arena_alloc_raw(struct arena *a, size_t size);
/*
 * Grows a block from arena_alloc(); the new bytes are zero. The newest block
 * grows where it is when there is room; otherwise it is copied.
 */
void *arena_realloc(struct arena *a, void *old, size_t old_size, size_t new_size);
/* arena_realloc() without clearing the new bytes: for buffers filled as they grow. */
void *arena_realloc_raw(struct arena *a, void *old, size_t old_size, size_t new_size);
/*
 * Gives back the end of the newest allocation, which keeps its first
 * `new_size` bytes; any other allocation is left as it is.
 */
void arena_shrink(struct arena *a, void *p, size_t old_size, size_t new_size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* x, y and z one after the other: a path, "/" and a name, with no format to read. */
char *arena_concat(struct arena *a, const char *x, const char *y, const char *z);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

bool arena_failed(const struct arena *a);
size_t arena_used(const struct arena *a);

/*
 * Growable arrays in an arena: `ARR_PUSH(a, items, n, cap)` returns a pointer
 * to a new zeroed slot items[n] and increments n, or NULL when the arena is
 * full (the array is then left as it was).
 */
void *arr_push(struct arena *a, void **items, size_t *n, size_t *cap, size_t elem);
#define ARR_PUSH(a, items, n, cap)                                                                 \
	((__typeof__(items))arr_push((a), (void **)&(items), &(n), &(cap), sizeof(*(items))))

#endif
