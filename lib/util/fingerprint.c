/* fingerprint.c - findings' identities that survive line moves (fingerprint.h). */
#include "util/fingerprint.h"
#include "unroot/buf.h"
#include "unroot/diag.h"
#include "util/path.h"
#include "unroot/rule.h"
#include "unroot/source.h"

#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Appends bytes with every run of blanks (space, tab, CR, LF) made one space, trimmed. */
static void put_squeezed(struct buf *b, const char *p, size_t n)
{
	bool blank = false, any = false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			blank = any;
			continue;
		}
		if (blank)
			buf_putc(b, ' ');
		buf_putc(b, c);
		blank = false;
		any = true;
	}
}

/* The text a finding is about: its span, or the span's line when it is empty. */
static void put_text(struct buf *b, const struct diag *d)
{
	const struct source *s = d->src;
	if (!s) {
		buf_puts(b, d->message ? d->message : "");
		return;
	}
	size_t start = d->start < s->len ? d->start : s->len;
	size_t end = d->end < s->len ? d->end : s->len;
	if (end <= start) {
		while (start > 0 && s->data[start - 1] != '\n')
			start--;
		end = start;
		while (end < s->len && s->data[end] != '\n')
			end++;
	}
	put_squeezed(b, s->data + start, end - start);
}

static void to_hex(const unsigned char *d, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < FINGERPRINT_HEX / 2; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[FINGERPRINT_HEX] = 0;
}

static void hash(const void *data, size_t n, char *out)
{
	struct sha256_ctx md;
	unsigned char d[SHA256_DIGEST_SIZE];
	sha256_init(&md);
	sha256_update(&md, n, data);
	sha256_digest(&md, sizeof(d), d);
	to_hex(d, out);
}

struct slot {
	const char *hex;
	size_t index;
};

/* By fingerprint, then by position in the report, so "the n-th alike" follows the report. */
static int cmp_slot(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;
	int c = strcmp(x->hex, y->hex);
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

struct fingerprint *fingerprints(const struct diag_list *l, const char *cwd, const char *base)
{
	if (!l->n)
		return NULL;
	struct fingerprint *fp = calloc(l->n, sizeof(*fp));
	struct slot *order = malloc(l->n * sizeof(*order));
	struct buf key;
	buf_init(&key);
	if (!fp || !order)
		goto fail;
	/* The working folder once, not a getcwd() a finding. */
	char cwdbuf[4096];
	if (!cwd)
		cwd = getcwd(cwdbuf, sizeof(cwdbuf));
	for (size_t i = 0; i < l->n; i++) {
		const struct diag *d = &l->items[i];
		bool absolute;
		char *rel = path_relative(cwd, base, d->path ? d->path : "", &absolute);
		key.len = 0;
		/* Fields end with a NUL, so no two different sets of fields give one key. */
		buf_puts(&key, "unroot-fingerprint-1");
		buf_putc(&key, 0);
		buf_puts(&key, d->rule->code);
		buf_putc(&key, 0);
		buf_puts(&key, rel ? rel : d->path);
		buf_putc(&key, 0);
		buf_puts(&key, d->object ? d->object : "");
		buf_putc(&key, 0);
		buf_puts(&key, d->container ? d->container : "");
		buf_putc(&key, 0);
		put_text(&key, d);
		free(rel);
		if (key.failed)
			goto fail;
		hash(key.data, key.len, fp[i].hex);
		order[i] = (struct slot){fp[i].hex, i};
	}
	/* Alike findings: the first keeps its hash, the n-th (n > 0) hashes "HASH:n". */
	qsort(order, l->n, sizeof(*order), cmp_slot);
	char first[FINGERPRINT_HEX + 1] = "";
	size_t nth = 0;
	for (size_t k = 0; k < l->n; k++) {
		struct fingerprint *f = &fp[order[k].index];
		if (strcmp(f->hex, first) != 0) {
			memcpy(first, f->hex, sizeof(first));
			nth = 0;
			continue;
		}
		key.len = 0;
		buf_printf(&key, "%s:%zu", first, ++nth);
		if (key.failed)
			goto fail;
		hash(key.data, key.len, f->hex);
	}
	free(order);
	buf_release(&key);
	return fp;
fail:
	free(fp);
	free(order);
	buf_release(&key);
	return NULL;
}
