/*
 * source.h - an input's bytes and how to turn byte offsets into positions.
 *
 * Every node and diagnostic in unroot holds byte offsets into a source; lines
 * and columns are computed only when a report is written. Lines and columns
 * are 1-based, columns count bytes. A source and its data live in the run's
 * arena.
 */
#ifndef UNROOT_SOURCE_H
#define UNROOT_SOURCE_H

#include <stddef.h>

struct arena;

struct source {
	const char *path; /* as the user named it; "-" for stdin */
	const char *data; /* NUL-terminated copy; may hold other NULs before len */
	size_t len;
	/* the last position asked for: an offset, its 1-based line and that line's start */
	size_t cur_off, cur_start;
	unsigned cur_line; /* 0 before the first */
};

/* A source over a copy of `data`; NULL when the arena is full. */
struct source *source_new(struct arena *a, const char *path, const char *data, size_t len);

/*
 * Reads `path` ("-" reads stdin) whole, refusing files over `limit` bytes.
 * For a path the user named: a pipe or character device is read too
 * (`<(...)`, /dev/stdin), a folder, socket or block device is refused.
 * On failure returns NULL and sets *why to a static lower-case reason.
 */
struct source *source_read(struct arena *a, const char *path, size_t limit, const char **why);

/*
 * source_read() for a file an input holds or points at (a script of a
 * build context, a file of a chart): only a regular file is read; a pipe,
 * device or folder in its place is refused at once (input_open()).
 */
struct source *source_read_file(struct arena *a, const char *path, size_t limit, const char **why);

/*
 * source_read() for a path a folder listing said is a regular file: most
 * such files fit one read into room set aside for them, so their size is
 * not asked for first. The short read that ends it is the end of the file,
 * as for source_read(); a file that fills the room is read as source_read()
 * does.
 */
struct source *source_read_regular(struct arena *a, const char *path, size_t limit,
				   const char **why);

/* Room for one read of a file from a listing: most inputs are far smaller; a
 * bit under an arena's first block so that it never needs a block of its own. */
#define SOURCE_READ_ROOM (60u * 1024)

/*
 * 1-based line and byte column of `off` (clamped to the end of the data).
 * Cheapest when asked in order of offsets; not for two threads at once.
 */
void source_position(struct source *s, size_t off, unsigned *line, unsigned *col);

/* Offset of the first byte of 0-based line `line`; s->len past the last line. */
size_t source_line_offset(struct source *s, size_t line);

/* Start and length of the line holding `off`, without its line ending. */
void source_line(struct source *s, size_t off, size_t *start, size_t *len);

#endif
