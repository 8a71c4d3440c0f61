/* arena.c - bump allocation in chained blocks, with a hard byte limit. */
#include "unroot/arena.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define ALIGN	  16
#define BLOCK_MIN (64 * 1024)
#define BLOCK_MAX (8u << 20)
#define HUGE_PAGE (2u << 20)
#define PIECE	  (1u << 20)  /* a block from the shared pool */
#define SLAB	  (32u << 20) /* the pool maps this much at a time */
#define POOLED	  (16u << 20) /* an arena past this takes blocks of its own */

/* Sanitizer builds free every block, so that a pointer kept past a reset is caught. */
#if defined(__SANITIZE_ADDRESS__)
#define RESET_FREES_ALL 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RESET_FREES_ALL 1
#endif
#endif

struct block {
	struct block *next;
	size_t size, used;
	void *map; /* the mapping the block sits in, or NULL when it came from malloc */
	size_t maplen;
	bool pooled; /* a piece of the shared pool */
	_Alignas(ALIGN) unsigned char data[];
};

/*
 * What the arenas of one run may hand out together: the run's, its scratch
 * arena, and those of its threads. An arena takes credit from it in chunks
 * (one atomic add per chunk, not per allocation) and gives it back when it
 * is reset or freed. The last RESERVE bytes are only for arenas in reserve
 * mode: the message that a limit was hit must always find room.
 */
struct budget {
	atomic_size_t held;
	size_t limit, reserve;
	atomic_uint refs;
};

#define CREDIT_CHUNK (256u << 10)
#define RESERVE_MAX  (4u << 20)

struct arena {
	struct block *head;
	size_t used;   /* bytes handed out */
	size_t credit; /* bytes taken from the budget, at least `used` */
	struct budget *budget;
	bool failed;
	bool reserve; /* arena_reserve(): the budget's reserve may be used */
};

static struct arena *arena_with(struct budget *b)
{
	struct arena *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->budget = b;
	atomic_fetch_add(&b->refs, 1);
	return a;
}

struct arena *arena_new(size_t limit)
{
	struct budget *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->limit = limit;
	b->reserve = limit / 16 < RESERVE_MAX ? limit / 16 : RESERVE_MAX;
	atomic_init(&b->held, 0);
	atomic_init(&b->refs, 0);
	struct arena *a = arena_with(b);
	if (!a)
		free(b);
	return a;
}

struct arena *arena_new_shared(struct arena *other)
{
	return other ? arena_with(other->budget) : NULL;
}

/* Gives back the arena's credit, down to what it hands out now. */
static void give_back(struct arena *a)
{
	if (a->credit > a->used) {
		atomic_fetch_sub(&a->budget->held, a->credit - a->used);
		a->credit = a->used;
	}
}

/*
 * Makes room in the budget for `need` more bytes: a chunk of credit when the
 * budget has it, else just what is needed. False when even that would pass
 * the limit (less the reserve, unless the arena is in reserve mode).
 */
static bool take_credit(struct arena *a, size_t need)
{
	if (need <= a->credit - a->used)
		return true;
	struct budget *b = a->budget;
	size_t want = need - (a->credit - a->used);
	size_t top = b->limit - (a->reserve ? 0 : b->reserve);
	size_t held = atomic_load(&b->held);
	for (;;) {
		if (held > top || want > top - held)
			return false;
		size_t chunk =
		    want < CREDIT_CHUNK && CREDIT_CHUNK <= top - held ? CREDIT_CHUNK : want;
		if (atomic_compare_exchange_weak(&b->held, &held, held + chunk)) {
			a->credit += chunk;
			return true;
		}
	}
}

static void free_block(struct block *b);

void arena_free(struct arena *a)
{
	if (!a)
		return;
	for (struct block *b = a->head, *next; b; b = next) {
		next = b->next;
		free_block(b);
	}
	struct budget *bg = a->budget;
	atomic_fetch_sub(&bg->held, a->credit);
	if (atomic_fetch_sub(&bg->refs, 1) == 1)
		free(bg);
	free(a);
}

/*
 * A block of at least `bsize` bytes. Small ones come from malloc. Large ones
 * are mapped on a huge-page boundary and advised as huge pages: a fresh page
 * costs a fault on first touch, and on virtual machines a 4 KiB fault costs
 * about as much as a 2 MiB one, so a run over many inputs spent more time in
 * faults than in linting until its blocks were huge pages.
 */
static struct block *new_block(size_t bsize)
{
	struct block *b;
#if defined(MADV_HUGEPAGE) && defined(MAP_ANONYMOUS)
	if (bsize >= HUGE_PAGE - sizeof(*b)) {
		size_t want = (sizeof(*b) + bsize + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
		size_t len = want + HUGE_PAGE; /* room to move to a boundary */
		void *m =
		    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		uintptr_t lo = ((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
		madvise((void *)lo, want, MADV_HUGEPAGE);
		b = (struct block *)lo;
		b->map = m;
		b->maplen = len;
		b->pooled = false;
		b->size = want - sizeof(*b);
		b->used = 0;
		return b;
	}
#endif
	b = malloc(sizeof(*b) + bsize);
	if (!b)
		return NULL;
	b->map = NULL;
	b->maplen = 0;
	b->pooled = false;
	b->size = bsize;
	b->used = 0;
	return b;
}

/*
 * The pool: 1 MiB pieces of huge pages, shared by the arenas of every thread.
 * Runs over many inputs have several arenas at once (one and a scratch arena
 * per thread); with blocks of their own, each rounded its use up to whole
 * 2 MiB pages, and every fresh page is cleared by the kernel before it is
 * first touched, which on virtual machines costs more than linting the
 * bytes. A piece an arena gives back is used again by the next arena that
 * needs one. Pieces are kept for the life of the process, so an arena takes
 * them only up to POOLED bytes.
 *
 * Once some arena has outgrown its first block, the process is linting many
 * inputs, and new arenas (the threads' runs and scratch arenas) take even
 * their first block from the pool: a malloc'd first block is faulted in
 * 4 KiB at a time, and on virtual machines each such fault costs a good part
 * of what a cleared 2 MiB page does. A run over one input never starts the
 * pool and keeps its small malloc'd block.
 */
#ifndef RESET_FREES_ALL
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct block *pool_free;
static unsigned char *slab_next;
static size_t slab_left;
static bool pool_started;

/* A piece; NULL when there is none, or for an arena's `first` block while the pool is unused. */
static struct block *piece_get(bool first)
{
	struct block *b = NULL;
	pthread_mutex_lock(&pool_lock);
	if (first && !pool_started) {
		/* a run over one input: its arenas stay small, malloc's pages suit them */
	} else if (pool_free) {
		b = pool_free;
		pool_free = b->next;
	} else {
#if defined(MADV_HUGEPAGE) && defined(MAP_ANONYMOUS)
		if (slab_left < PIECE) {
			void *m = mmap(NULL, SLAB + HUGE_PAGE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (m != MAP_FAILED) {
				uintptr_t lo =
				    ((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
				madvise((void *)lo, SLAB, MADV_HUGEPAGE);
				slab_next = (unsigned char *)lo;
				slab_left = SLAB;
			}
		}
		if (slab_left >= PIECE) {
			b = (struct block *)slab_next;
			slab_next += PIECE;
			slab_left -= PIECE;
			pool_started = true;
		}
#endif
	}
	pthread_mutex_unlock(&pool_lock);
	if (b) {
		b->next = NULL;
		b->map = NULL;
		b->maplen = 0;
		b->pooled = true;
		b->size = PIECE - sizeof(*b);
		b->used = 0;
	}
	return b;
}

static void piece_put(struct block *b)
{
	pthread_mutex_lock(&pool_lock);
	b->next = pool_free;
	pool_free = b;
	pthread_mutex_unlock(&pool_lock);
}
#endif

/* `size` bytes, not cleared: for callers that fill them at once. */
static void *bump(struct arena *a, size_t size)
{
	if (!a || (a->failed && !a->reserve))
		return NULL;
	size_t need = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (need < size || !take_credit(a, need)) {
		a->failed = true;
		return NULL;
	}
	struct block *b = a->head;
	if (!b || b->size - b->used < need) {
		/*
		 * The first block is small, for a run over one input; after it,
		 * blocks are huge pages that grow with the arena (half of what it
		 * holds, up to BLOCK_MAX), so a run over many inputs takes few.
		 */
		size_t bsize = a->reserve ? 4096 : BLOCK_MIN;
		if (a->head && !a->reserve) {
			size_t grow = a->used / 2 < BLOCK_MAX ? a->used / 2 : BLOCK_MAX;
			bsize = grow > HUGE_PAGE ? grow : HUGE_PAGE;
		}
		if (bsize < need)
			bsize = need;
		b = NULL;
#ifndef RESET_FREES_ALL
		if (a->used < POOLED && need <= PIECE - sizeof(*b) && !a->reserve)
			b = piece_get(!a->head);
#endif
		if (!b)
			b = new_block(bsize);
		if (!b) {
			a->failed = true;
			return NULL;
		}
		/* A block mostly taken by this one allocation goes behind the head, so the
		 * head keeps its free space. */
		if (a->head && need > b->size - need) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	void *p = b->data + b->used;
	b->used += need;
	a->used += need;
	return p;
}

void *arena_alloc_raw(struct arena *a, size_t size)
{
	return bump(a, size);
}

void *arena_alloc(struct arena *a, size_t size)
{
	void *p = bump(a, size);
	if (p)
		memset(p, 0, size);
	return p;
}

static void *grow(struct arena *a, void *old, size_t old_size, size_t new_size, bool clear)
{
	struct block *b = a && (!a->failed || a->reserve) ? a->head : NULL;
	size_t old_need = (old_size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	size_t new_need = (new_size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	/* The last allocation of the head block grows where it is: a buffer that
	 * doubles while a word or a list is read costs no copies. */
	if (old && b && new_need >= new_size && new_need >= old_need &&
	    (unsigned char *)old + old_need == b->data + b->used &&
	    new_need - old_need <= b->size - b->used && take_credit(a, new_need - old_need)) {
		b->used += new_need - old_need;
		a->used += new_need - old_need;
		if (clear && new_size > old_size)
			memset((unsigned char *)old + old_size, 0, new_size - old_size);
		return old;
	}
	void *p = bump(a, new_size);
	if (!p)
		return NULL;
	size_t keep = old ? (old_size < new_size ? old_size : new_size) : 0;
	if (keep)
		memcpy(p, old, keep);
	if (clear)
		memset((unsigned char *)p + keep, 0, new_size - keep);
	return p;
}

void *arena_realloc(struct arena *a, void *old, size_t old_size, size_t new_size)
{
	return grow(a, old, old_size, new_size, true);
}

void *arena_realloc_raw(struct arena *a, void *old, size_t old_size, size_t new_size)
{
	return grow(a, old, old_size, new_size, false);
}

void arena_shrink(struct arena *a, void *p, size_t old_size, size_t new_size)
{
	struct block *b = a && !a->failed ? a->head : NULL;
	size_t old_need = (old_size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	size_t new_need = (new_size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (!p || !b || new_need >= old_need || (unsigned char *)p + old_need != b->data + b->used)
		return;
	b->used -= old_need - new_need;
	a->used -= old_need - new_need;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = bump(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_concat(struct arena *a, const char *x, const char *y, const char *z)
{
	size_t nx = strlen(x), ny = strlen(y), nz = strlen(z);
	char *p = bump(a, nx + ny + nz + 1);
	if (p) {
		memcpy(p, x, nx);
		memcpy(p + nx, y, ny);
		memcpy(p + nx + ny, z, nz + 1);
	}
	return p;
}

char *arena_join(struct arena *a, const char *const *parts, size_t n, const char *sep)
{
	size_t ns = strlen(sep), len = 1;
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(parts[i]) + (i ? ns : 0);
		if (k > SIZE_MAX - len)
			return NULL;
		len += k;
	}
	char *out = bump(a, len), *p = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (i) {
			memcpy(p, sep, ns);
			p += ns;
		}
		size_t k = strlen(parts[i]);
		memcpy(p, parts[i], k);
		p += k;
	}
	*p = '\0';
	return out;
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	/* Most strings fit a small buffer: format once, and twice only when they do not
	 * (findings' messages run to 700 bytes). */
	char small[1024];
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(small, sizeof(small), fmt, copy);
	va_end(copy);
	if (n < 0)
		return NULL;
	char *p = bump(a, (size_t)n + 1);
	if (!p)
		return NULL;
	if ((size_t)n < sizeof(small))
		memcpy(p, small, (size_t)n + 1);
	else
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

static void free_block(struct block *b)
{
#ifndef RESET_FREES_ALL
	if (b->pooled) {
		piece_put(b);
		return;
	}
#endif
	if (b->map)
		munmap(b->map, b->maplen);
	else
		free(b);
}

void arena_use_pool(struct arena *a)
{
#ifndef RESET_FREES_ALL
	if (!a || a->failed || (a->head && a->head->pooled) || a->used >= POOLED)
		return;
	struct block *b = piece_get(false);
	if (!b)
		return;
	b->next = a->head;
	a->head = b;
#else
	(void)a;
#endif
}

void arena_reset(struct arena *a)
{
	if (!a)
		return;
	struct block *keep = a->head;
#ifdef RESET_FREES_ALL
	keep = NULL;
#endif
	for (struct block *b = a->head, *next; b; b = next) {
		next = b->next;
		if (b != keep)
			free_block(b);
	}
	a->head = keep;
	if (keep) {
		keep->next = NULL;
		keep->used = 0;
	}
	a->used = 0;
	give_back(a);
	a->failed = false;
}

void arena_clear_failed(struct arena *a)
{
	if (a)
		a->failed = false;
}

bool arena_reserve(struct arena *a, bool on)
{
	if (!a)
		return false;
	bool was = a->reserve;
	a->reserve = on;
	return was;
}

bool arena_in_reserve(const struct arena *a)
{
	return a && a->reserve;
}

size_t arena_limit(const struct arena *a)
{
	return a ? a->budget->limit : 0;
}

size_t arena_budget_used(const struct arena *a)
{
	return a ? atomic_load(&a->budget->held) : 0;
}

bool arena_failed(const struct arena *a)
{
	return !a || a->failed;
}

size_t arena_used(const struct arena *a)
{
	return a ? a->used : 0;
}

void *arr_push(struct arena *a, void **items, size_t *n, size_t *cap, size_t elem)
{
	if (*n == *cap) {
		/* A first allocation of about 128 bytes: a list of one or two large items
		 * (a command, a finding) is the common case, and one kept per RUN line
		 * of 100,000 must not cost a kilobyte each. */
		size_t first = elem >= 128 ? 1 : 128 / elem > 8 ? 8 : 128 / elem;
		size_t ncap = *cap ? *cap * 2 : first;
		if (ncap > SIZE_MAX / elem)
			return NULL;
		void *p = arena_realloc(a, *items, *cap * elem, ncap * elem);
		if (!p)
			return NULL;
		*items = p;
		*cap = ncap;
	}
	unsigned char *slot = (unsigned char *)*items + *n * elem;
	memset(slot, 0, elem);
	(*n)++;
	return slot;
}
