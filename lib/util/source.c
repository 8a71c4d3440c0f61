/* source.c - reading inputs with a size cap, and the byte offset to line map. */
#include "unroot/source.h"
#include "unroot/arena.h"
#include "util/input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct source *source_new(struct arena *a, const char *path, const char *data, size_t len)
{
	struct source *s = arena_alloc(a, sizeof(*s));
	char *copy = arena_alloc(a, len + 1);
	if (!s || !copy)
		return NULL;
	if (len)
		memcpy(copy, data, len);
	s->path = arena_strdup(a, path);
	s->data = copy;
	s->len = len;
	return s->path ? s : NULL;
}

/* Fills s with data[0..len) read from path (data has room for the NUL); NULL when out of memory. */
static struct source *filled(struct arena *a, struct source *s, const char *path, char *data,
			     size_t len, const char **why)
{
	data[len] = '\0';
	s->path = arena_strdup(a, path);
	s->data = data;
	s->len = len;
	if (!s->path)
		*why = "out of memory";
	return s->path ? s : NULL;
}

/* Why a file is not read: its size, with the limit it passed. */
static const char *too_big(struct arena *a, size_t limit)
{
	const char *m =
	    limit && limit % (1u << 20) == 0
		? arena_printf(a, "file is larger than the size limit of %zu MiB", limit >> 20)
		: arena_printf(a, "file is larger than the size limit of %zu bytes", limit);
	return m ? m : "file is larger than the size limit";
}

/* Reads a regular file straight into the arena: its size is known, so one
 * read fills it and the short read after it is the end of the file. */
static struct source *read_regular(struct arena *a, const char *path, int fd, size_t size,
				   size_t limit, const char **why)
{
	if (size > limit) {
		*why = too_big(a, limit);
		return NULL;
	}
	struct source *s = arena_alloc(a, sizeof(*s));
	char *data = arena_alloc_raw(a, size + 2); /* read() fills it */
	if (!s || !data) {
		*why = "out of memory";
		return NULL;
	}
	size_t len = 0;
	for (;;) {
		/* one byte more than the size, to see a file that grew meanwhile */
		size_t want = size + 1 - len;
		ssize_t got = read(fd, data + len, want);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			*why = "read error";
			return NULL;
		}
		len += (size_t)got;
		if ((size_t)got < want || len > size)
			break;
	}
	if (len > size) {
		*why = "file changed while it was read";
		return NULL;
	}
	return filled(a, s, path, data, len, why);
}

/* Reads a pipe or other stream in growing steps, up to the limit. */
static struct source *read_stream(struct arena *a, const char *path, int fd, size_t limit,
				  const char **why)
{
	size_t cap = 64 * 1024, len = 0;
	char *data = malloc(cap);
	struct source *s = NULL;
	while (data) {
		if (len == cap) {
			if (cap > limit) {
				*why = too_big(a, limit);
				break;
			}
			char *bigger = realloc(data, cap * 2);
			if (!bigger)
				break;
			data = bigger;
			cap *= 2;
		}
		ssize_t got = read(fd, data + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			*why = "read error";
			break;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	if (!*why && len > limit)
		*why = too_big(a, limit);
	if (!*why && data) {
		s = source_new(a, path, data, len);
		if (!s)
			*why = "out of memory";
	} else if (!*why) {
		*why = "out of memory";
	}
	free(data);
	return s;
}

/* Reads what input_open() opened: a regular file by its size, a stream to its end. */
static struct source *read_opened(struct arena *a, const char *path, int fd, const struct stat *st,
				  size_t limit, const char **why)
{
	if (S_ISREG(st->st_mode) && st->st_size >= 0)
		return read_regular(a, path, fd, (size_t)st->st_size, limit, why);
	return read_stream(a, path, fd, limit, why);
}

static struct source *read_path(struct arena *a, const char *path, unsigned flags, size_t limit,
				const char **why)
{
	struct stat st;
	int fd = input_open(AT_FDCWD, path, flags, &st, why);
	if (fd < 0)
		return NULL;
	struct source *s = read_opened(a, path, fd, &st, limit, why);
	close(fd);
	return s;
}

struct source *source_read(struct arena *a, const char *path, size_t limit, const char **why)
{
	*why = NULL;
	if (strcmp(path, "-") == 0) {
		struct stat st;
		if (fstat(STDIN_FILENO, &st) != 0) {
			*why = "cannot read stdin";
			return NULL;
		}
		return read_opened(a, path, STDIN_FILENO, &st, limit, why);
	}
	return read_path(a, path, INPUT_STREAM, limit, why);
}

struct source *source_read_file(struct arena *a, const char *path, size_t limit, const char **why)
{
	*why = NULL;
	return read_path(a, path, 0, limit, why);
}

struct source *source_read_regular(struct arena *a, const char *path, size_t limit,
				   const char **why)
{
	/*
	 * The listing said it is a regular file, and asking again would cost a
	 * system call per file: O_NONBLOCK and O_NOFOLLOW make sure that, should
	 * it have become a pipe or a link since, the read cannot hang or leave
	 * the folder. A file larger than the room is read the checked way.
	 */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	*why = NULL;
	if (fd < 0) {
		*why = errno == ENOENT ? "no such file" : "cannot open file";
		return NULL;
	}
	size_t room = limit < SOURCE_READ_ROOM ? limit + 1 : SOURCE_READ_ROOM;
	struct source *s = arena_alloc(a, sizeof(*s));
	char *data = arena_alloc_raw(a, room + 1);
	if (!s || !data) {
		close(fd);
		*why = "out of memory";
		return NULL;
	}
	ssize_t got;
	do
		got = read(fd, data, room);
	while (got < 0 && errno == EINTR);
	if (got >= 0 && (size_t)got < room) {
		close(fd);
		arena_shrink(a, data, room + 1, (size_t)got + 1);
		return filled(a, s, path, data, (size_t)got, why);
	}
	/* larger than the room, or the read failed: the checked way, from the start */
	close(fd);
	return read_path(a, path, INPUT_NOFOLLOW, limit, why);
}

/*
 * Positions come from a cursor that remembers the last offset asked for, its
 * line and where that line starts, and moves from there: findings are asked
 * for in order, so each source is read once, and no table of every line's
 * start is kept: over many inputs such tables are fresh memory, which costs
 * more to touch than the counting it saves.
 */
static void cursor_init(struct source *s)
{
	if (s->cur_line == 0 || s->cur_off > s->len) {
		s->cur_off = s->cur_start = 0;
		s->cur_line = 1;
	}
}

/* Moves the cursor to `off` (at most s->len). */
static void cursor_move(struct source *s, size_t off)
{
	cursor_init(s);
	const char *d = s->data;
	if (off < s->cur_off && off < s->cur_off - off) {
		/* nearer the start than the cursor: count from there, with memchr */
		s->cur_off = s->cur_start = 0;
		s->cur_line = 1;
	}
	if (off >= s->cur_off) {
		const char *p = d + s->cur_off, *end = d + off;
		while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			p++;
			s->cur_line++;
			s->cur_start = (size_t)(p - d);
		}
	} else {
		/* back: take off the newlines between, then find the line's start */
		for (size_t i = off; i < s->cur_off; i++)
			s->cur_line -= d[i] == '\n';
		size_t b = off;
		while (b > 0 && d[b - 1] != '\n')
			b--;
		s->cur_start = b;
	}
	s->cur_off = off;
}

void source_position(struct source *s, size_t off, unsigned *line, unsigned *col)
{
	if (off > s->len)
		off = s->len;
	cursor_move(s, off);
	*line = s->cur_line;
	*col = (unsigned)(off - s->cur_start) + 1;
}

size_t source_line_offset(struct source *s, size_t line)
{
	cursor_init(s);
	if (line + 1 < s->cur_line) {
		s->cur_off = s->cur_start = 0;
		s->cur_line = 1;
	}
	const char *d = s->data, *end = d + s->len;
	const char *p = d + s->cur_start;
	while (s->cur_line < line + 1) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return s->len;
		p = nl + 1;
		s->cur_line++;
		s->cur_start = (size_t)(p - d);
	}
	s->cur_off = s->cur_start;
	return s->cur_start;
}

void source_line(struct source *s, size_t off, size_t *start, size_t *len)
{
	if (off > s->len)
		off = s->len;
	size_t b = off;
	while (b > 0 && s->data[b - 1] != '\n')
		b--;
	size_t e = b;
	while (e < s->len && s->data[e] != '\n')
		e++;
	if (e > b && s->data[e - 1] == '\r')
		e--;
	*start = b;
	*len = e - b;
}
