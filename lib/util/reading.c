/* reading.c - what a reader gives back: its NR000 errors and suppressions. */
#include "reading.h"
#include "unroot/arena.h"

#include <ctype.h>
#include <stdarg.h>
#include <string.h>

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

bool reading_ignore_comment(const char *text, size_t len, bool *global, const char **list,
			    size_t *list_len)
{
	const char *p = text, *end = text + len;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '#'))
		p++;
	if (end - p < 7 || strncmp(p, "unroot", 6) != 0 || !isspace((unsigned char)p[6]))
		return false;
	p += 6;
	while (p < end && isspace((unsigned char)*p))
		p++;
	*global = false;
	if (end - p > 7 && strncmp(p, "global", 6) == 0 && isspace((unsigned char)p[6])) {
		*global = true;
		p += 6;
		while (p < end && isspace((unsigned char)*p))
			p++;
	}
	if (end - p < 7 || strncmp(p, "ignore=", 7) != 0)
		return false;
	*list = p + 7;
	*list_len = (size_t)(end - *list);
	return true;
}
