/*
 * fuzz-output.c - every report format on hostile bytes: the input is both
 * the source text and the strings of the findings (path, message, object,
 * fix), with spans taken from it. Checks what each format promises: json and
 * sarif parse back as JSON, the XML formats hold no raw control character,
 * github and gnu write exactly one line a finding.
 */
#include "unroot/arena.h"
#include "unroot/buf.h"
#include "unroot/diag.h"
#include "unroot/output.h"
#include "unroot/rule.h"
#include "unroot/source.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

/* A NUL-terminated copy of data[from .. from+n) clamped to size. */
static const char *slice(struct arena *a, const uint8_t *data, size_t size, size_t from, size_t n)
{
	if (from > size)
		from = size;
	if (n > size - from)
		n = size - from;
	return arena_strndup(a, (const char *)data + from, n);
}

static void check(const char *name, const struct buf *b, size_t ndiags)
{
	const char *s = b->data ? b->data : "";
	if (!strcmp(name, "json") || !strcmp(name, "sarif") || !strcmp(name, "codeclimate")) {
		json_error_t err;
		json_t *j = json_loadb(s, b->len, 0, &err);
		if (!j)
			__builtin_trap();
		/* GitLab drops the report at an issue it rejects: one per finding, each whole. */
		if (!strcmp(name, "codeclimate") &&
		    (!json_is_array(j) || json_array_size(j) != ndiags))
			__builtin_trap();
		json_decref(j);
	} else if (!strcmp(name, "junit") || !strcmp(name, "checkstyle")) {
		for (size_t i = 0; i < b->len; i++) {
			unsigned char c = (unsigned char)s[i];
			if ((c < 0x20 && c != '\n') || c == 0x7f)
				__builtin_trap();
		}
	} else if (!strcmp(name, "github") || !strcmp(name, "gnu")) {
		size_t lines = 0;
		for (size_t i = 0; i < b->len; i++)
			lines += s[i] == '\n';
		if (lines != ndiags)
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	struct arena *a = arena_new((size_t)8 << 20);
	if (!a)
		return 0;
	struct diag_list l = {.arena = a};
	const char *path = slice(a, data, size, 8, data[0] % 24);
	struct source *src = source_new(a, path, (const char *)data, size);
	size_t n = 1 + data[1] % 6;
	for (size_t i = 0; i < n && src; i++) {
		size_t start = (size_t)data[(2 + i) % size] * 7 % (size + 1);
		size_t end = start + (size_t)data[(3 + i) % size] % 40;
		const struct rule *r = rule_table[data[(4 + i) % size] % rule_count];
		bool textless = data[(5 + i) % size] & 1;
		const char *msg = slice(a, data, size, start, 60);
		struct diag *d =
		    diag_add(&l, r, path, textless ? NULL : src, start, end, "%s", msg);
		if (!d)
			break;
		d->severity = (enum severity)(1 + data[(6 + i) % size] % 3);
		if (data[(7 + i) % size] & 2)
			d->object = slice(a, data, size, end, 12);
		if (data[(7 + i) % size] & 4)
			d->container = slice(a, data, size, start / 2, 8);
		if (data[(7 + i) % size] & 8)
			d->fix = slice(a, data, size, start / 3, 20);
	}
	diag_list_sort(&l);
	const char *inputs[] = {path, "other"};
	struct report rep = {
	    .diags = &l,
	    .inputs = inputs,
	    .ninputs = 2,
	    .color = data[2] & 1,
	    .source_line = data[2] & 2,
	    .version = "0",
	    .base_dir = data[3] & 1 ? "/" : "/srv/x",
	    .cwd = data[3] & 4 ? "/srv/x/sub" : "/srv",
	};
	for (size_t f = 0; f < formatter_count; f++) {
		struct buf b;
		buf_init(&b);
		formatter_table[f]->write(&b, &rep);
		if (!b.failed)
			check(formatter_table[f]->name, &b, l.n);
		buf_release(&b);
	}
	arena_free(a);
	return 0;
}
