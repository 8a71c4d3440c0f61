/*
 * serve-images.c - the images reviews name, read in the background and kept
 * in memory between reviews.
 *
 * A review asks for each container's image through the lint options'
 * lookup hook. An image read already is handed over at once (a hit), held
 * by the review until it is done, so a newer read can replace it in the
 * cache meanwhile. An image not read yet is queued for the scanner threads,
 * and the review is told to wait (a miss); the HTTP side parks it until
 * every image it waits for is read or its deadline passes. A read is the
 * library's image_load() of "docker://REFERENCE", the call `--pull` makes,
 * with the layer cache on disk under it, so the view is the one `unroot
 * lint --pull` pairs.
 *
 * Bounded: at most image_cache_count images and image_cache_bytes of their
 * models, least recently used out first (one a review holds lives on until
 * the review lets go); reads queue behind `scanners` threads. A tag is read
 * again once its read is older than the TTL (the old read serves until the
 * new one is in); a digest never changes. A failed read is remembered, and
 * tried again after image_retry_s.
 */
#include "serve.h"
#include "unroot/arena.h"
#include "image/image.h"
#include "image/ref.h"
#include "util/reading.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NBUCKETS 1024

/* One read of an image: the run whose arena holds it. */
struct scanned {
	struct lint_run *run;
	const struct image_view *view;
	size_t bytes;
	unsigned refs; /* the cache's own, and each review holding it */
};

struct entry {
	char *key;   /* the canonical reference */
	char *path;  /* "docker://" key: what image_load reads */
	bool pinned; /* by digest */
	struct scanned *cur;
	char *error; /* why the last read failed; NULL after a good one */
	uint64_t read_at, failed_at;
	bool queued, scanning;
	unsigned pins; /* reviews that asked for it and are not done */
	struct entry *hnext;
	struct entry *prev, *next; /* most recently used first */
	struct entry *qnext;
};

struct waiter;

struct image_cache {
	const struct serve_config *c;
	struct metrics *m;
	struct lint_options opts; /* what a read takes */
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	struct entry *buckets[NBUCKETS];
	struct entry *head, *tail;
	size_t count, bytes, scanning;
	struct entry *qhead, *qtail;
	pthread_t *threads;
	size_t nthreads;
	pthread_t waiter;
	bool waiter_started;
	struct image_lookup *waiting;
	bool stop;
};

struct held {
	char *key;
	char *text; /* as the manifest wrote it */
	struct entry *e;
	struct scanned *s;
	char *why; /* the read failed: why */
	bool pending;
};

struct image_lookup {
	struct image_cache *ic;
	struct arena *a; /* for image_name_parse */
	struct held *h;
	size_t n, cap;
	const char **refs, **whys; /* image_lookup_problems */
	/* Parked: */
	uint64_t deadline;
	void (*done)(void *arg);
	void *arg;
	struct image_lookup *wnext;
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void release_scanned(struct image_cache *ic, struct scanned *s)
{
	(void)ic;
	if (s && --s->refs == 0) {
		lint_run_free(s->run);
		free(s);
	}
}

/* --- the list of entries, most recently used first ----------------------------- */

static void unlink_lru(struct image_cache *ic, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		ic->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		ic->tail = e->prev;
	e->prev = e->next = NULL;
}

static void touch(struct image_cache *ic, struct entry *e)
{
	if (ic->head == e)
		return;
	if (e->prev || e->next || ic->tail == e)
		unlink_lru(ic, e);
	e->next = ic->head;
	if (ic->head)
		ic->head->prev = e;
	ic->head = e;
	if (!ic->tail)
		ic->tail = e;
}

static void drop(struct image_cache *ic, struct entry *e)
{
	struct entry **p = &ic->buckets[hash(e->key) % NBUCKETS];
	while (*p != e)
		p = &(*p)->hnext;
	*p = e->hnext;
	unlink_lru(ic, e);
	if (e->cur) {
		ic->bytes -= e->cur->bytes;
		release_scanned(ic, e->cur);
	}
	ic->count--;
	free(e->key);
	free(e->path);
	free(e->error);
	free(e);
}

/*
 * Least recently used first, skipping what is being read or asked for, until
 * `room` more entries fit.
 */
static void evict(struct image_cache *ic, size_t room)
{
	struct entry *e = ic->tail;
	while (e && (ic->count + room > ic->c->image_cache_count ||
		     ic->bytes > ic->c->image_cache_bytes)) {
		struct entry *prev = e->prev;
		if (!e->queued && !e->scanning && !e->pins)
			drop(ic, e);
		e = prev;
	}
}

static struct entry *find(struct image_cache *ic, const char *key)
{
	for (struct entry *e = ic->buckets[hash(key) % NBUCKETS]; e; e = e->hnext)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

static struct entry *create(struct image_cache *ic, const char *key, bool pinned)
{
	struct entry *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->key = strdup(key);
	size_t n = strlen(key) + sizeof("docker://");
	e->path = malloc(n);
	if (!e->key || !e->path) {
		free(e->key);
		free(e->path);
		free(e);
		return NULL;
	}
	strcpy(e->path, "docker://");
	strcat(e->path, key);
	e->pinned = pinned;
	uint32_t b = hash(key) % NBUCKETS;
	e->hnext = ic->buckets[b];
	ic->buckets[b] = e;
	ic->count++;
	touch(ic, e);
	return e;
}

static void enqueue(struct image_cache *ic, struct entry *e)
{
	if (e->queued || e->scanning)
		return;
	e->queued = true;
	e->qnext = NULL;
	if (ic->qtail)
		ic->qtail->qnext = e;
	else
		ic->qhead = e;
	ic->qtail = e;
	pthread_cond_signal(&ic->work);
}

/* --- the scanners ---------------------------------------------------------------- */

/* Why image_load failed: its NR000's message. */
/* What the image reader said last, malloc'd. */
static char *load_error(const struct reading *rd)
{
	for (size_t i = rd->nerrors; i-- > 0;)
		if (rd->errors[i].message)
			return strdup(rd->errors[i].message);
	return strdup("the image could not be read");
}

static void *scanner(void *arg)
{
	struct image_cache *ic = arg;
	pthread_mutex_lock(&ic->lock);
	for (;;) {
		while (!ic->stop && !ic->qhead)
			pthread_cond_wait(&ic->work, &ic->lock);
		if (ic->stop)
			break;
		struct entry *e = ic->qhead;
		ic->qhead = e->qnext;
		if (!ic->qhead)
			ic->qtail = NULL;
		e->queued = false;
		e->scanning = true;
		ic->scanning++;
		char *path = strdup(e->path);
		pthread_mutex_unlock(&ic->lock);

		uint64_t t0 = now_ns();
		/*
		 * A run of its own holds the image, which lives until the cache lets it go:
		 * the image reader reads into the run's arena, as the engine's --pull does.
		 */
		struct lint_run *run = lint_run_new(&ic->opts);
		struct image *img = run ? arena_alloc(lint_run_arena(run), sizeof(*img)) : NULL;
		/* The image keeps the name it was read by: it lives in the image's own arena. */
		const char *name = run && path ? arena_strdup(lint_run_arena(run), path) : NULL;
		struct reading rd = {.opts = &ic->opts, .path = name};
		rd.arena = rd.scratch = run ? lint_run_arena(run) : NULL;
		int rc = img && name ? image_load(&rd, name, img) : -1;
		char *why = NULL;
		struct scanned *s = NULL;
		if (rc == 0) {
			s = malloc(sizeof(*s));
			if (s)
				*s = (struct scanned){run, &img->view,
						      arena_used(lint_run_arena(run)), 1};
			else
				rc = -1;
		}
		if (rc != 0) {
			why = run ? load_error(&rd) : strdup("out of memory");
			lint_run_free(run);
			metrics_pull_error(ic->m);
		}
		uint64_t took = now_ns() - t0;
		metrics_scan(ic->m, took);
		json_t *f = json_pack("{s:s,s:f}", "image", path ? path + 9 : "", "seconds",
				      (double)took / 1e9);
		if (why)
			json_object_set_new(f, "error", json_string(why));
		slog(why ? "warn" : "info", why ? "image not read" : "image read", f);
		free(path);

		pthread_mutex_lock(&ic->lock);
		e->scanning = false;
		ic->scanning--;
		if (s) {
			if (e->cur) {
				ic->bytes -= e->cur->bytes;
				release_scanned(ic, e->cur);
			}
			e->cur = s;
			ic->bytes += s->bytes;
			e->read_at = now_ns();
			free(e->error);
			e->error = NULL;
		} else {
			free(e->error);
			e->error = why;
			e->failed_at = now_ns();
		}
		evict(ic, 0);
		pthread_cond_broadcast(&ic->done);
	}
	pthread_mutex_unlock(&ic->lock);
	return NULL;
}

/* --- parked reviews ---------------------------------------------------------------- */

static bool lookup_done(const struct image_lookup *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct held *h = &l->h[i];
		if (h->pending && h->e && (h->e->queued || h->e->scanning))
			return false;
	}
	return true;
}

static void deadline_ts(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
}

/*
 * Hands each parked review whose images are all read, or whose deadline has
 * passed, back to the HTTP side.
 */
static void *waiter(void *arg)
{
	struct image_cache *ic = arg;
	pthread_mutex_lock(&ic->lock);
	while (!ic->stop) {
		uint64_t now = now_ns(), next = now + 1000000000u;
		struct image_lookup *ready = NULL, **p = &ic->waiting;
		while (*p) {
			struct image_lookup *l = *p;
			if (lookup_done(l) || now >= l->deadline) {
				*p = l->wnext;
				l->wnext = ready;
				ready = l;
				continue;
			}
			if (l->deadline < next)
				next = l->deadline;
			p = &l->wnext;
		}
		if (ready) {
			pthread_mutex_unlock(&ic->lock);
			while (ready) {
				struct image_lookup *l = ready;
				ready = l->wnext;
				l->wnext = NULL;
				l->done(l->arg);
			}
			pthread_mutex_lock(&ic->lock);
			continue;
		}
		struct timespec ts;
		deadline_ts(next, &ts);
		pthread_cond_timedwait(&ic->done, &ic->lock, &ts);
	}
	/* Stopping: whoever is parked is answered now. */
	struct image_lookup *l = ic->waiting;
	ic->waiting = NULL;
	pthread_mutex_unlock(&ic->lock);
	while (l) {
		struct image_lookup *next = l->wnext;
		l->wnext = NULL;
		l->done(l->arg);
		l = next;
	}
	return NULL;
}

void image_lookup_park(struct image_lookup *l, uint64_t deadline, void (*done)(void *arg),
		       void *arg)
{
	struct image_cache *ic = l->ic;
	l->deadline = deadline;
	l->done = done;
	l->arg = arg;
	pthread_mutex_lock(&ic->lock);
	l->wnext = ic->waiting;
	ic->waiting = l;
	pthread_cond_broadcast(&ic->done);
	pthread_mutex_unlock(&ic->lock);
}

/* --- the cache ------------------------------------------------------------------ */

struct image_cache *image_cache_new(const struct serve_config *c, struct metrics *m)
{
	struct image_cache *ic = calloc(1, sizeof(*ic));
	if (!ic)
		return NULL;
	ic->c = c;
	ic->m = m;
	ic->opts = c->lint;
	ic->opts.fetch.pull = false;
	ic->opts.fetch.lookup = NULL;
	pthread_mutex_init(&ic->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ic->work, NULL);
	pthread_cond_init(&ic->done, &ca);
	pthread_condattr_destroy(&ca);
	ic->threads = calloc(c->scanners, sizeof(*ic->threads));
	if (!ic->threads) {
		image_cache_free(ic);
		return NULL;
	}
	for (size_t i = 0; i < c->scanners; i++) {
		if (pthread_create(&ic->threads[i], NULL, scanner, ic) != 0)
			break;
		ic->nthreads++;
	}
	ic->waiter_started = pthread_create(&ic->waiter, NULL, waiter, ic) == 0;
	if (!ic->nthreads || !ic->waiter_started) {
		image_cache_free(ic);
		return NULL;
	}
	return ic;
}

void image_cache_free(struct image_cache *ic)
{
	if (!ic)
		return;
	pthread_mutex_lock(&ic->lock);
	ic->stop = true;
	pthread_cond_broadcast(&ic->work);
	pthread_cond_broadcast(&ic->done);
	pthread_mutex_unlock(&ic->lock);
	for (size_t i = 0; i < ic->nthreads; i++)
		pthread_join(ic->threads[i], NULL);
	if (ic->waiter_started)
		pthread_join(ic->waiter, NULL);
	while (ic->head)
		drop(ic, ic->head);
	free(ic->threads);
	pthread_cond_destroy(&ic->work);
	pthread_cond_destroy(&ic->done);
	pthread_mutex_destroy(&ic->lock);
	free(ic);
}

void image_cache_unpark(struct image_cache *ic)
{
	pthread_mutex_lock(&ic->lock);
	for (struct image_lookup *l = ic->waiting; l; l = l->wnext)
		l->deadline = 0;
	pthread_cond_broadcast(&ic->done);
	pthread_mutex_unlock(&ic->lock);
}

bool image_cache_busy(struct image_cache *ic)
{
	pthread_mutex_lock(&ic->lock);
	bool busy = ic->scanning > 0;
	pthread_mutex_unlock(&ic->lock);
	return busy;
}

void image_cache_stats(struct image_cache *ic, size_t *count, size_t *bytes, size_t *scanning)
{
	pthread_mutex_lock(&ic->lock);
	*count = 0;
	for (struct entry *e = ic->head; e; e = e->next)
		*count += e->cur != NULL;
	*bytes = ic->bytes;
	*scanning = ic->scanning;
	pthread_mutex_unlock(&ic->lock);
}

/* --- one review's lookups ---------------------------------------------------------- */

struct image_lookup *image_lookup_new(struct image_cache *ic)
{
	struct image_lookup *l = calloc(1, sizeof(*l));
	if (l)
		l->ic = ic;
	return l;
}

void image_lookup_reset(struct image_lookup *l)
{
	struct image_cache *ic = l->ic;
	pthread_mutex_lock(&ic->lock);
	for (size_t i = 0; i < l->n; i++) {
		release_scanned(ic, l->h[i].s);
		if (l->h[i].e)
			l->h[i].e->pins--;
	}
	evict(ic, 0);
	pthread_mutex_unlock(&ic->lock);
	for (size_t i = 0; i < l->n; i++) {
		free(l->h[i].key);
		free(l->h[i].text);
		free(l->h[i].why);
	}
	l->n = 0;
	free(l->refs);
	free(l->whys);
	l->refs = l->whys = NULL;
	arena_free(l->a);
	l->a = NULL;
}

void image_lookup_free(struct image_lookup *l)
{
	if (!l)
		return;
	image_lookup_reset(l);
	free(l->h);
	free(l);
}

static bool stale(const struct image_cache *ic, const struct entry *e, uint64_t now)
{
	return !e->pinned && now - e->read_at > (uint64_t)ic->c->image_ttl_s * 1000000000u;
}

const struct image_view *image_lookup_view(void *data, const char *ref)
{
	struct image_lookup *l = data;
	struct image_cache *ic = l->ic;
	if (!l->a && !(l->a = arena_new((size_t)1 << 20)))
		return NULL;
	struct image_name n;
	const char *why;
	if (image_name_parse(l->a, ref, &n, &why) != 0)
		return NULL; /* not a reference a registry serves: left unpaired, as --pull does */
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->h[i].key, n.canonical) == 0)
			return l->h[i].s ? l->h[i].s->view : NULL;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 4;
		struct held *h = realloc(l->h, cap * sizeof(*h));
		if (!h)
			return NULL;
		l->h = h;
		l->cap = cap;
	}
	struct held *h = &l->h[l->n];
	*h = (struct held){.key = strdup(n.canonical), .text = strdup(ref)};
	if (!h->key || !h->text) {
		free(h->key);
		free(h->text);
		return NULL;
	}
	l->n++;
	uint64_t now = now_ns();
	pthread_mutex_lock(&ic->lock);
	struct entry *e = find(ic, h->key);
	if (!e) {
		evict(ic, 1);
		if (ic->count >= ic->c->image_cache_count) {
			h->why = strdup("every place in the image cache is taken by images being "
					"read; raise images.cache-size");
			pthread_mutex_unlock(&ic->lock);
			metrics_cache(ic->m, false);
			return NULL;
		}
		e = create(ic, h->key, n.digest != NULL);
	}
	if (!e) {
		pthread_mutex_unlock(&ic->lock);
		h->why = strdup("out of memory");
		return NULL;
	}
	touch(ic, e);
	h->e = e;
	e->pins++;
	const struct image_view *v = NULL;
	if (e->cur) {
		h->s = e->cur;
		h->s->refs++;
		v = h->s->view;
		if (stale(ic, e, now))
			enqueue(ic, e);
	} else if (e->error && !e->queued && !e->scanning &&
		   now - e->failed_at < (uint64_t)ic->c->image_retry_s * 1000000000u) {
		h->why = strdup(e->error);
	} else {
		h->pending = true;
		enqueue(ic, e);
	}
	pthread_mutex_unlock(&ic->lock);
	metrics_cache(ic->m, v != NULL);
	return v;
}

unsigned image_lookup_pending(const struct image_lookup *l)
{
	unsigned n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += l->h[i].pending;
	return n;
}

size_t image_lookup_problems(const struct image_lookup *l, const char ***refs, const char ***whys)
{
	struct image_lookup *m = (struct image_lookup *)l;
	free(m->refs);
	free(m->whys);
	m->refs = calloc(l->n + 1, sizeof(*m->refs));
	m->whys = calloc(l->n + 1, sizeof(*m->whys));
	size_t n = 0;
	if (m->refs && m->whys)
		for (size_t i = 0; i < l->n; i++) {
			const struct held *h = &l->h[i];
			if (h->s)
				continue;
			m->refs[n] = h->text;
			m->whys[n++] = h->why ? h->why
				       : h->pending
					   ? "it is still being read (it will be ready for the "
					     "next request)"
					   : "unknown";
		}
	*refs = m->refs;
	*whys = m->whys;
	return n;
}
