/*
 * buf.h - a growable byte buffer for reports (malloc'd, not arena'd, so a
 * report can outlive a run). A failed allocation sets `failed` and later
 * writes are dropped; the caller checks once at the end.
 */
#ifndef UNROOT_BUF_H
#define UNROOT_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data; /* NUL-terminated when len > 0 */
	size_t len, cap;
	bool failed;
	/*
	 * Optional: once the buffer holds BUF_FLUSH_AT bytes, they are handed
	 * to `sink` and the buffer starts over, so a report streams out in
	 * pieces instead of growing to its full size. Only for buffers that
	 * are written to and never read back. A false return sets `failed`.
	 */
	bool (*sink)(void *arg, const char *data, size_t len);
	void *sink_arg;
};

#define BUF_FLUSH_AT (16 * 1024)

void buf_init(struct buf *b);
void buf_release(struct buf *b);
/* Hands what the buffer holds to its sink now (at the end of a report). */
void buf_flush(struct buf *b);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
/* The number in decimal, without printf: reports write several per finding. */
void buf_put_uint(struct buf *b, unsigned long long v);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);

#endif
