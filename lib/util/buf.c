/* buf.c - growable output buffer with a sticky failure flag. */
#include "unroot/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b)
{
	memset(b, 0, sizeof(*b));
}

void buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

static bool reserve(struct buf *b, size_t extra)
{
	if (b->failed)
		return false;
	if (b->len + extra + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1) {
		if (cap > ((size_t)-1) / 2) {
			b->failed = true;
			return false;
		}
		cap *= 2;
	}
	char *p = realloc(b->data, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void buf_flush(struct buf *b)
{
	if (!b->sink || b->failed || !b->len)
		return;
	if (!b->sink(b->sink_arg, b->data, b->len))
		b->failed = true;
	b->len = 0;
	b->data[0] = '\0';
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	if (b->sink && b->len >= BUF_FLUSH_AT)
		buf_flush(b);
}

void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_put_uint(struct buf *b, unsigned long long v)
{
	char tmp[24];
	size_t i = sizeof(tmp);
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_add(b, tmp + i, sizeof(tmp) - i);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	/* One pass when the text fits in the space left, which is nearly always. */
	if (b->failed)
		return;
	size_t room = b->cap > b->len ? b->cap - b->len : 0;
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	if ((size_t)n < room) {
		b->len += (size_t)n;
		if (b->sink && b->len >= BUF_FLUSH_AT)
			buf_flush(b);
		return;
	}
	if (!reserve(b, (size_t)n))
		return;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	if (b->sink && b->len >= BUF_FLUSH_AT)
		buf_flush(b);
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}
