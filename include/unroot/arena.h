/*
 * arena.h - one bump allocator per run.
 *
 * Everything a run reads and builds (sources, models, diagnostics) lives in
 * the run's arena and is released at once by arena_free(). An arena has a
 * hard limit: once an allocation would pass it, that allocation and every
 * later one return NULL and arena_failed() turns true (a sticky flag, checked
 * once at the API boundary). Callers turn that into an NR000 diagnostic; the
 * library never aborts on a full arena.
 *
 * The limit is a budget that several arenas may share (arena_new_shared):
 * the run's arena, its scratch arena and those of its threads together hand
 * out at most the limit, so four threads do not take four times the memory.
 * The last part of the budget (1/16 of it, at most 4 MiB) is kept back for
 * arenas in reserve mode (arena_reserve), so that the message saying a
 * limit was hit can always be stored.
 */
#ifndef UNROOT_ARENA_H
#define UNROOT_ARENA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct arena;

/* A new arena that will hand out at most `limit` bytes; NULL if out of memory. */
struct arena *arena_new(size_t limit);
/* A new arena that shares `other`'s limit: what both hand out counts against it. */
struct arena *arena_new_shared(struct arena *other);
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
/* parts[0..n) with `sep` between them, in one allocation: a list built with one
 * printf a part copies the whole list each time, quadratic in its length. */
char *arena_join(struct arena *a, const char *const *parts, size_t n, const char *sep);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

bool arena_failed(const struct arena *a);
/* Bytes the arena hands out now. */
size_t arena_used(const struct arena *a);
/* The limit of the arena's budget, and what every arena sharing it holds now. */
size_t arena_limit(const struct arena *a);
size_t arena_budget_used(const struct arena *a);

/*
 * Reserve mode on or off; returns what it was. In reserve mode the arena may
 * use the budget's reserve and serves even after a failure (the failed flag
 * stays): for the report that a limit was hit, and nothing else.
 */
bool arena_reserve(struct arena *a, bool on);
bool arena_in_reserve(const struct arena *a);
/* Forgets a failure once it has been reported, so the next input gets its chance. */
void arena_clear_failed(struct arena *a);

/*
 * Growable arrays in an arena: `ARR_PUSH(a, items, n, cap)` returns a pointer
 * to a new zeroed slot items[n] and increments n, or NULL when the arena is
 * full (the array is then left as it was).
 */
void *arr_push(struct arena *a, void **items, size_t *n, size_t *cap, size_t elem);
#define ARR_PUSH(a, items, n, cap)                                                                 \
	((__typeof__(items))arr_push((a), (void **)&(items), &(n), &(cap), sizeof(*(items))))

#endif
