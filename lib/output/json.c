/* json.c - one JSON object per run, keys in a stable order. */
#include "fmt.h"
#include "unroot/buf.h"
#include "unroot/diag.h"
#include "unroot/output.h"
#include "unroot/rule.h"

#include <stdio.h>
#include <string.h>

/*
 * The report is written straight into the buffer, in the layout jansson's
 * JSON_INDENT(2) gives, rather than built as a jansson tree first: for a
 * thousand inputs the tree cost more than linting them.
 */

/* A JSON string: invalid UTF-8 as U+FFFD (messages quote input bytes), then escaped. */
static void put_str(struct buf *out, struct buf *tmp, const char *s)
{
	tmp->len = 0;
	fmt_put_utf8(tmp, s ? s : "");
	buf_putc(out, '"');
	const unsigned char *p = (const unsigned char *)(tmp->data ? tmp->data : "");
	size_t n = tmp->len, run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_add(out, p + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':
			buf_puts(out, "\\\"");
			break;
		case '\\':
			buf_puts(out, "\\\\");
			break;
		case '\b':
			buf_puts(out, "\\b");
			break;
		case '\f':
			buf_puts(out, "\\f");
			break;
		case '\n':
			buf_puts(out, "\\n");
			break;
		case '\r':
			buf_puts(out, "\\r");
			break;
		case '\t':
			buf_puts(out, "\\t");
			break;
		default:
			buf_printf(out, "\\u%04x", c);
		}
	}
	buf_add(out, p + run, n - run);
	buf_putc(out, '"');
}

/* printf is most of the cost of a large report: keys and numbers are put by hand. */
static void key(struct buf *out, const char *indent, const char *name)
{
	buf_puts(out, indent);
	buf_putc(out, '"');
	buf_puts(out, name);
	buf_puts(out, "\": ");
}

static void field(struct buf *out, struct buf *tmp, const char *indent, const char *name,
		  const char *value, bool last)
{
	key(out, indent, name);
	put_str(out, tmp, value);
	buf_puts(out, last ? "\n" : ",\n");
}

static void number(struct buf *out, const char *indent, const char *name, unsigned long v)
{
	key(out, indent, name);
	buf_put_uint(out, v);
	buf_puts(out, ",\n");
}

/* "edits": [{"path", "offset", "length", "text"}], the finding's last key. */
static void edits(struct buf *out, struct buf *tmp, const struct diag *d)
{
	static const char in[] = "          ";
	key(out, "      ", "edits");
	buf_puts(out, "[\n");
	for (size_t i = 0; i < d->nedits; i++) {
		const struct diag_edit *e = &d->edits[i];
		buf_puts(out, "        {\n");
		field(out, tmp, in, "path", e->path, false);
		number(out, in, "offset", e->offset);
		number(out, in, "length", e->length);
		field(out, tmp, in, "text", e->text, true);
		buf_puts(out, i + 1 < d->nedits ? "        },\n" : "        }\n");
	}
	buf_puts(out, "      ]\n");
}

static void one(struct buf *out, struct buf *tmp, const struct diag *d, bool last)
{
	static const char in[] = "      ";
	unsigned line, col, el, ec;
	diag_position(d, &line, &col, &el, &ec);
	buf_puts(out, "    {\n");
	field(out, tmp, in, "rule", d->rule->code, false);
	field(out, tmp, in, "name", d->rule->name, false);
	field(out, tmp, in, "severity", severity_name(d->severity), false);
	field(out, tmp, in, "path", d->path, false);
	number(out, in, "line", line);
	number(out, in, "column", col);
	number(out, in, "end_line", el);
	number(out, in, "end_column", ec);
	field(out, tmp, in, "message", d->message, false);
	key(out, in, "platforms");
	buf_putc(out, '[');
	bool first = true;
	for (unsigned bit = 1; bit <= PLAT_OPENSHIFT; bit <<= 1) {
		if (!(d->platforms & bit))
			continue;
		buf_puts(out, first ? "\n" : ",\n");
		buf_puts(out, in);
		buf_puts(out, "  \"");
		buf_puts(out, platform_name(bit));
		buf_putc(out, '"');
		first = false;
	}
	if (!first) {
		buf_putc(out, '\n');
		buf_puts(out, in);
	}
	buf_putc(out, ']');
	if (d->object) {
		buf_puts(out, ",\n");
		field(out, tmp, in, "object", d->object, !d->container && !d->fix && !d->nedits);
	}
	if (d->container) {
		if (!d->object)
			buf_puts(out, ",\n");
		field(out, tmp, in, "container", d->container, !d->fix && !d->nedits);
	}
	if (d->fix) {
		if (!d->object && !d->container)
			buf_puts(out, ",\n");
		field(out, tmp, in, "fix", d->fix, !d->nedits);
	}
	if (d->nedits) {
		if (!d->object && !d->container && !d->fix)
			buf_puts(out, ",\n");
		edits(out, tmp, d);
	}
	if (!d->object && !d->container && !d->fix && !d->nedits)
		buf_putc(out, '\n');
	buf_puts(out, last ? "    }\n" : "    },\n");
}

static void write_json(struct buf *out, const struct report *r)
{
	struct buf tmp;
	buf_init(&tmp);
	size_t counts[4] = {0};
	buf_puts(out, "{\n  \"tool\": {\n    \"name\": \"unroot\",\n");
	field(out, &tmp, "    ", "version", r->version, true);
	buf_puts(out, "  },\n");
	number(out, "  ", "schema", UNROOT_JSON_SCHEMA);
	buf_puts(out, "  \"diagnostics\": [");
	if (r->diags->n)
		buf_putc(out, '\n');
	for (size_t i = 0; i < r->diags->n; i++) {
		one(out, &tmp, &r->diags->items[i], i + 1 == r->diags->n);
		counts[r->diags->items[i].severity]++;
	}
	buf_puts(out, r->diags->n ? "  ],\n" : "],\n");
	buf_printf(out,
		   "  \"summary\": {\n    \"error\": %zu,\n    \"warning\": %zu,\n    \"info\": "
		   "%zu\n  }\n}\n",
		   counts[SEV_ERROR], counts[SEV_WARNING], counts[SEV_INFO]);
	if (tmp.failed)
		out->failed = true;
	buf_release(&tmp);
}

const struct formatter format_json = {
    .name = "json",
    .description = "one JSON object with every diagnostic and a summary",
    .write = write_json,
};
