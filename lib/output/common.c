/* common.c - what every format needs of a diagnostic: positions, paths, escaping. */
#include "unroot/output.h"
#include "fmt.h"
#include "unroot/buf.h"
#include "unroot/diag.h"
#include "util/path.h"
#include "unroot/rule.h"
#include "unroot/source.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

void diag_position(const struct diag *d, unsigned *line, unsigned *col, unsigned *end_line,
		   unsigned *end_col)
{
	if (!d->src) {
		*line = *col = *end_line = *end_col = 1;
		return;
	}
	if (d->line) {
		*line = d->line;
		*col = d->col;
		*end_line = d->end_line;
		*end_col = d->end_col;
		return;
	}
	source_position(d->src, d->start, line, col);
	source_position(d->src, d->end, end_line, end_col);
}

void diag_platforms(const struct diag *d, struct buf *out, const char *sep)
{
	bool first = true;
	for (unsigned bit = 1; bit <= PLAT_OPENSHIFT; bit <<= 1) {
		if (!(d->platforms & bit))
			continue;
		if (!first)
			buf_puts(out, sep);
		buf_puts(out, platform_name(bit));
		first = false;
	}
}

void rule_anchor(const struct rule *r, struct buf *out)
{
	/* GitHub's heading slug of "## NR102 user-root": lower case, spaces to '-'. */
	for (const char *p = r->code; *p; p++)
		buf_putc(out, (char)tolower((unsigned char)*p));
	buf_putc(out, '-');
	for (const char *p = r->name; *p; p++)
		if (isalnum((unsigned char)*p) || *p == '-' || *p == '_')
			buf_putc(out, (char)tolower((unsigned char)*p));
		else if (*p == ' ')
			buf_putc(out, '-');
}

/*
 * The whole table, less the engine's notes (NR002) that no finding of the
 * report is: a report without one describes the rules it always did.
 */
void fmt_rules(const struct report *r, const struct rule *const **rules, size_t *n)
{
	static _Thread_local const struct rule *listed[256];
	if (r->rules) {
		*rules = r->rules;
		*n = r->nrules;
		return;
	}
	size_t k = 0;
	for (size_t i = 0; i < rule_count && k < sizeof(listed) / sizeof(listed[0]); i++) {
		const struct rule *x = rule_table[i];
		bool keep = !x->note;
		for (size_t j = 0; !keep && r->diags && j < r->diags->n; j++)
			keep = r->diags->items[j].rule == x;
		if (keep)
			listed[k++] = x;
	}
	*rules = listed;
	*n = k;
}

long fmt_rule_index(const struct rule *const *rules, size_t n, const struct rule *rule)
{
	for (size_t i = 0; i < n; i++)
		if (rules[i] == rule)
			return (long)i;
	for (size_t i = 0; i < n; i++)
		if (strcmp(rules[i]->code, rule->code) == 0)
			return (long)i;
	return -1;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when p starts an invalid one. */
static size_t utf8_seq(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	size_t n;
	unsigned long cp;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

void fmt_put_utf8(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	while (*p) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		size_t n = utf8_seq(p);
		if (n) {
			p += n;
			continue;
		}
		/* Valid bytes go out in one piece; each invalid byte becomes U+FFFD. */
		buf_add(out, run, (size_t)(p - run));
		buf_puts(out, replacement);
		run = ++p;
	}
	buf_add(out, run, (size_t)(p - run));
}

char *fmt_utf8(const char *s)
{
	struct buf b;
	buf_init(&b);
	fmt_put_utf8(&b, s ? s : "");
	buf_putc(&b, 0);
	if (b.failed) {
		buf_release(&b);
		return NULL;
	}
	return b.data;
}

void fmt_put_xml(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		switch (*p) {
		case '&':
			buf_puts(out, "&amp;");
			break;
		case '<':
			buf_puts(out, "&lt;");
			break;
		case '>':
			buf_puts(out, "&gt;");
			break;
		case '"':
			buf_puts(out, "&quot;");
			break;
		case '\'':
			buf_puts(out, "&apos;");
			break;
		case '\t':
			buf_puts(out, "&#9;");
			break;
		case '\n':
			buf_puts(out, "&#10;");
			break;
		case '\r':
			buf_puts(out, "&#13;");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				buf_puts(out, replacement);
				break;
			}
			size_t n = utf8_seq(p);
			if (!n) {
				buf_puts(out, replacement);
				break;
			}
			/* U+FFFE and U+FFFF are not XML characters either. */
			if (n == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe)
				buf_puts(out, replacement);
			else
				buf_add(out, p, n);
			p += n;
			continue;
		}
		p++;
	}
}

char *fmt_rel_path(const struct report *r, const char *path, bool *absolute)
{
	return path_relative(r->cwd, r->base_dir, path, absolute);
}

/* The line of *off (clamped to the source) and where that line starts. */
static size_t line_start(struct source *s, size_t *off, unsigned *line)
{
	if (*off > s->len)
		*off = s->len;
	unsigned bytecol;
	source_position(s, *off, line, &bytecol);
	return *off - (bytecol - 1);
}

void fmt_utf16_position(struct source *s, size_t off, unsigned *line, unsigned *col)
{
	size_t start = line_start(s, &off, line);
	unsigned c = 1;
	const unsigned char *p = (const unsigned char *)s->data + start;
	const unsigned char *end = (const unsigned char *)s->data + (off < start ? start : off);
	while (p < end) {
		size_t n = utf8_seq(p);
		if (!n || p + n > end) {
			c++; /* an invalid byte shows as one U+FFFD */
			p++;
			continue;
		}
		c += n == 4 ? 2 : 1;
		p += n;
	}
	*col = c;
}

void fmt_display_position(struct source *s, size_t off, unsigned *line, unsigned *col)
{
	size_t start = line_start(s, &off, line);
	unsigned c = 0;
	size_t i = start;
	while (i < off) {
		if (s->data[i] == '\t') {
			c = (c / 8 + 1) * 8;
			i++;
			continue;
		}
		unsigned w;
		i += fmt_char(s->data + i, off - i, &w);
		c += w;
	}
	*col = c + 1;
}

void fmt_title(const struct diag *d, struct buf *out)
{
	buf_printf(out, "%s %s", d->rule->code, d->rule->name);
}

void fmt_object_prefix(const struct diag *d, struct buf *out)
{
	if (!d->object)
		return;
	buf_puts(out, d->object);
	if (d->container)
		buf_printf(out, " container %s", d->container);
	buf_puts(out, ": ");
}

/* Decodes the valid sequence of n bytes at p. */
static unsigned long decode(const unsigned char *p, size_t n)
{
	if (n == 1)
		return p[0];
	unsigned long cp = p[0] & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
	for (size_t i = 1; i < n; i++)
		cp = (cp << 6) | (p[i] & 0x3f);
	return cp;
}

/*
 * Terminal cells of a code point: 0 for combining marks, 2 for East Asian
 * wide characters and emoji, 1 otherwise. A small table rather than
 * wcwidth(), which depends on the process's locale.
 */
static unsigned cells(unsigned long cp)
{
	if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0xfe00 && cp <= 0xfe0f))
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
	    (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	return 1;
}

size_t fmt_char(const char *s, size_t avail, unsigned *width)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = utf8_seq(p);
	if (!n || n > avail || p[0] < 0x20 || p[0] == 0x7f) {
		*width = 1; /* shown as U+FFFD (or a kept tab) */
		return 1;
	}
	*width = cells(decode(p, n));
	return n;
}

/*
 * How many bytes at s[0..n) are printable ASCII, eight at a time: a word has
 * none below 0x20 when subtracting 0x20 from each byte borrows nowhere, and
 * none above 0x7e when adding 1 to each sets no high bit.
 */
static size_t printable_run(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, s + i, 8);
		if ((((x - ones * 0x20) & ~x) | (x + ones) | x) & highs)
			break;
	}
	while (i < n && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f)
		i++;
	return i;
}

void fmt_put_text(struct buf *out, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		/* Printable ASCII, most of any message, goes out in one piece. */
		size_t run = i + printable_run(s + i, n - i);
		if (run > i) {
			buf_add(out, s + i, run - i);
			i = run;
			continue;
		}
		unsigned w;
		size_t k = fmt_char(s + i, n - i, &w);
		unsigned char c = (unsigned char)s[i];
		if (c == '\t')
			buf_putc(out, '\t');
		else if (k == 1 && (c < 0x20 || c == 0x7f || c >= 0x80))
			buf_puts(out, replacement);
		else
			buf_add(out, s + i, k);
		i += k;
	}
}

void fmt_put_one_line(struct buf *out, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		/* Printable ASCII up to the next byte that needs a look goes out at once. */
		size_t run = i + printable_run(s + i, n - i);
		if (run > i) {
			buf_add(out, s + i, run - i);
			i = run;
			continue;
		}
		if (s[i] == '\r' || s[i] == '\n') {
			buf_putc(out, ' ');
			i++;
			continue;
		}
		size_t k = strcspn(s + i, "\r\n");
		fmt_put_text(out, s + i, k);
		i += k;
	}
}

void fmt_put_json(struct buf *out, json_t *doc)
{
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s) {
		buf_puts(out, s);
		buf_putc(out, '\n');
		free(s);
	} else {
		out->failed = true;
	}
	json_decref(doc);
}
