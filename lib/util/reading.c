/* reading.c - what a reader gives back: its NR000 errors and suppressions. */
#include "reading.h"
#include "unroot/arena.h"

#include <stdarg.h>

struct read_error *reading_error(struct reading *rd, const char *path, struct source *src,
				 size_t start, size_t end, const char *fmt, ...)
{
	struct read_error *e = ARR_PUSH(rd->arena, rd->errors, rd->nerrors, rd->caperrors);
	if (!e)
		return NULL;
	va_list ap;
	va_start(ap, fmt);
	e->message = arena_vprintf(rd->arena, fmt, ap);
	va_end(ap);
	e->path = path ? path : rd->path;
	e->src = src;
	e->start = start;
	e->end = end;
	return e;
}

void reading_suppress(struct reading *rd, const struct suppression *s)
{
	struct suppression *slot = ARR_PUSH(rd->arena, rd->supp, rd->nsupp, rd->capsupp);
	if (slot)
		*slot = *s;
}
