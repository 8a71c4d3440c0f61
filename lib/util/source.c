/* source.c - reading inputs with a size cap, and the byte offset to line map. */
#include "unroot/source.h"
#include "unroot/arena.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct source *source_new(struct arena *a, const char *path, const char *data, size_t len)
{
	struct source *s = arena_alloc(a, sizeof(*s));
	char *copy = arena_alloc(a, len + 1);
	if (!s || !copy)
		return NULL;
	if (len)
		memcpy(copy, data, len);
	s->arena = a;
	s->path = arena_strdup(a, path);
	s->data = copy;
	s->len = len;
	return s->path ? s : NULL;
}

struct source *source_read(struct arena *a, const char *path, size_t limit, const char **why)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		*why = errno == ENOENT ? "no such file" : "cannot open file";
		return NULL;
	}
	size_t cap = 64 * 1024, len = 0;
	char *data = malloc(cap);
	struct source *s = NULL;
	*why = NULL;
	while (data) {
		if (len == cap) {
			if (cap > limit) {
				*why = "file is larger than the size limit";
				break;
			}
			char *bigger = realloc(data, cap * 2);
			if (!bigger)
				break;
			data = bigger;
			cap *= 2;
		}
		size_t got = fread(data + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f))
				*why = "read error";
			break;
		}
	}
	if (!*why && len > limit)
		*why = "file is larger than the size limit";
	if (!*why && data) {
		s = source_new(a, path, data, len);
		if (!s)
			*why = "out of memory";
	} else if (!*why) {
		*why = "out of memory";
	}
	free(data);
	if (f != stdin)
		fclose(f);
	return s;
}

static void build_lines(struct source *s)
{
	size_t n = 1;
	for (size_t i = 0; i < s->len; i++)
		n += s->data[i] == '\n';
	s->line_starts = arena_alloc(s->arena, n * sizeof(size_t));
	if (!s->line_starts)
		return;
	size_t k = 0;
	s->line_starts[k++] = 0;
	for (size_t i = 0; i < s->len; i++)
		if (s->data[i] == '\n')
			s->line_starts[k++] = i + 1;
	s->nlines = k;
}

/* Index of the line holding `off`; a linear count when the arena is full. */
static size_t line_index(struct source *s, size_t off)
{
	if (!s->line_starts)
		build_lines(s);
	if (!s->line_starts) {
		size_t n = 0;
		for (size_t i = 0; i < off; i++)
			n += s->data[i] == '\n';
		return n;
	}
	size_t lo = 0, hi = s->nlines;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->line_starts[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

void source_position(struct source *s, size_t off, unsigned *line, unsigned *col)
{
	if (off > s->len)
		off = s->len;
	size_t i = line_index(s, off);
	size_t start = off;
	while (start > 0 && s->data[start - 1] != '\n')
		start--;
	*line = (unsigned)i + 1;
	*col = (unsigned)(off - start) + 1;
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
