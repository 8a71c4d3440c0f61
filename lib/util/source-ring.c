/*
 * source-ring.c - several small regular files read with one system call.
 *
 * Opening, reading and closing a file are three system calls, and on
 * virtual machines each costs several microseconds, as much as linting a
 * small Dockerfile. io_uring takes the opens and
 * reads of a whole batch in one call. The files are opened as fixed files
 * of the ring (a table of its own, not the process's descriptors), each
 * open linked to its read, and a file stays in its slot until the next
 * batch closes it or the ring goes: nothing can leak into the process.
 *
 * Whatever this path cannot do (no io_uring, an error, a file that fills
 * the room) is left to source_read_regular(), which reads it again and
 * says why it could not: this path only ever saves time.
 */
#include "unroot/arena.h"
#include "unroot/source.h"

#include <stdlib.h>
#include <string.h>

#ifdef UNROOT_HAVE_LIBURING
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>

/* Room for each file of a batch: a larger one is read again the usual way. */
#define RING_ROOM (16u * 1024)

/* Ring entries: a close, an open and a read for each file of a batch. */
#define RING_ENTRIES 32
_Static_assert(3 * SOURCE_RING_BATCH <= RING_ENTRIES, "a batch fits the ring");

enum { OP_CLOSE, OP_OPEN, OP_READ };

struct source_ring {
	struct io_uring ring;
	bool occupied[SOURCE_RING_BATCH]; /* a file is open in this slot */
	bool broken; /* an entry was left unsubmitted, or a completion lost: not used again */
};

struct source_ring *source_ring_new(void)
{
	struct source_ring *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	if (io_uring_queue_init(RING_ENTRIES, &r->ring, 0) < 0) {
		free(r);
		return NULL;
	}
	struct io_uring_probe *p = io_uring_get_probe_ring(&r->ring);
	bool ok = p && io_uring_opcode_supported(p, IORING_OP_OPENAT) &&
		  io_uring_opcode_supported(p, IORING_OP_READ) &&
		  io_uring_opcode_supported(p, IORING_OP_CLOSE);
	if (p)
		io_uring_free_probe(p);
	if (!ok || io_uring_register_files_sparse(&r->ring, SOURCE_RING_BATCH) < 0) {
		io_uring_queue_exit(&r->ring);
		free(r);
		return NULL;
	}
	return r;
}

void source_ring_free(struct source_ring *r)
{
	if (!r)
		return;
	io_uring_queue_exit(&r->ring); /* closes the files still in the table */
	free(r);
}

static uint64_t tag(unsigned op, size_t i)
{
	return (uint64_t)op << 32 | i;
}

void source_ring_read(struct source_ring *r, struct arena *a, const char *const *paths, size_t n,
		      size_t limit, struct source **out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = NULL;
	if (!r || r->broken || n == 0 || n > SOURCE_RING_BATCH)
		return;
	/* The sources first and the data after them, so that the data can be packed
	 * and its end given back to the arena. The room is smaller than one read's
	 * (most Dockerfiles are under 8 KiB): the batch's data must fit the rest of
	 * the arena's block, and what does not is left unused when it takes a new
	 * one, a huge page of which costs a fault on first touch. */
	size_t room = limit < RING_ROOM ? limit + 1 : RING_ROOM;
	struct source *srcs = arena_alloc(a, n * sizeof(*srcs));
	char *data = srcs ? arena_alloc_raw(a, n * (room + 1)) : NULL;
	if (!data)
		return;

	unsigned want = 0;
	for (size_t i = 0; i < n; i++) {
		struct io_uring_sqe *s;
		/* A slot still holding the last batch's file is closed first; the close,
		 * open and read of a slot are linked, so each waits for the one before. */
		if (r->occupied[i]) {
			s = io_uring_get_sqe(&r->ring);
			io_uring_prep_close_direct(s, (unsigned)i);
			s->flags |= IOSQE_IO_LINK;
			io_uring_sqe_set_data64(s, tag(OP_CLOSE, i));
			want++;
		}
		/* O_NONBLOCK and O_NOFOLLOW: should it have become a pipe or a link
		 * since the listing, a read cannot hang or leave the folder. A fixed
		 * file takes no O_CLOEXEC: it is no descriptor. */
		s = io_uring_get_sqe(&r->ring);
		io_uring_prep_openat_direct(s, AT_FDCWD, paths[i],
					    O_RDONLY | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW, 0,
					    (unsigned)i);
		s->flags |= IOSQE_IO_LINK;
		io_uring_sqe_set_data64(s, tag(OP_OPEN, i));
		s = io_uring_get_sqe(&r->ring);
		io_uring_prep_read(s, (int)i, data + i * (room + 1), (unsigned)room, 0);
		s->flags |= IOSQE_FIXED_FILE;
		io_uring_sqe_set_data64(s, tag(OP_READ, i));
		want += 2;
	}
	long got[SOURCE_RING_BATCH];
	for (size_t i = 0; i < n; i++)
		got[i] = -1;
	/* The kernel may take fewer entries than were queued (it stops at one it cannot
	 * start); those left would go with the next batch, so the ring is then given up. */
	io_uring_submit_and_wait(&r->ring, want);
	unsigned taken = want - io_uring_sq_ready(&r->ring);
	if (taken < want)
		r->broken = true;
	/* Each entry taken completes once, a cancelled link too. */
	for (unsigned k = 0; k < taken; k++) {
		struct io_uring_cqe *c;
		int e;
		do
			e = io_uring_wait_cqe(&r->ring, &c);
		while (e == -EINTR);
		if (e < 0) {
			/* a read may still be writing into the data: it is left where it is */
			r->broken = true;
			return;
		}
		uint64_t t = io_uring_cqe_get_data64(c);
		unsigned op = (unsigned)(t >> 32);
		size_t i = (size_t)(t & 0xffffffffu);
		if (i < n && op == OP_CLOSE && c->res == 0)
			r->occupied[i] = false;
		else if (i < n && op == OP_OPEN && c->res == 0)
			r->occupied[i] = true;
		else if (i < n && op == OP_READ)
			got[i] = c->res;
		io_uring_cqe_seen(&r->ring, c);
	}

	/* Pack what was read to the front of the data, as one read each would have left it. */
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		if (got[i] < 0 || (size_t)got[i] >= room)
			continue; /* the usual way: it tells the error, or reads the large file */
		size_t len = (size_t)got[i];
		char *to = data + used;
		memmove(to, data + i * (room + 1), len);
		to[len] = '\0';
		used += len + 1;
		srcs[i] = (struct source){.data = to, .len = len};
		out[i] = &srcs[i];
	}
	arena_shrink(a, data, n * (room + 1), used);
	for (size_t i = 0; i < n; i++)
		if (out[i] && !(out[i]->path = arena_strdup(a, paths[i])))
			out[i] = NULL;
}

#else /* no liburing: every file is read the usual way */

struct source_ring *source_ring_new(void)
{
	return NULL;
}

void source_ring_free(struct source_ring *r)
{
	(void)r;
}

void source_ring_read(struct source_ring *r, struct arena *a, const char *const *paths, size_t n,
		      size_t limit, struct source **out)
{
	(void)r, (void)a, (void)paths, (void)limit;
	for (size_t i = 0; i < n; i++)
		out[i] = NULL;
}

#endif
