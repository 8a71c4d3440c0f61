/*
 * text.c - PATH:LINE:COL: SEVERITY: MESSAGE [CODE name], for people. On a
 * terminal (report->source_line) each finding is followed by the offending
 * line, a caret under the span and the fix. Everything that comes from an
 * input is written with control characters replaced, so a hostile file
 * cannot send escape sequences to the terminal.
 */
#include "fmt.h"
#include "unroot/buf.h"
#include "unroot/diag.h"
#include "unroot/output.h"
#include "unroot/rule.h"
#include "unroot/source.h"

#include <string.h>

static const char *sev_color(enum severity s)
{
	return s == SEV_ERROR ? "\033[1;31m" : s == SEV_WARNING ? "\033[1;33m" : "\033[1;36m";
}

/*
 * The offending line, then a caret under the span. Tabs before the span are
 * kept and other characters become as many spaces as the cells they take,
 * so the caret lines up whatever the tab width. A span over several lines
 * is underlined to the end of its first line.
 */
static void show_line(struct buf *out, const struct diag *d, bool color)
{
	size_t start, len;
	source_line(d->src, d->start, &start, &len);
	const char *line = d->src->data + start;
	buf_puts(out, "    ");
	fmt_put_text(out, line, len);
	buf_puts(out, "\n    ");
	size_t from = d->start - start;
	if (from > len)
		from = len;
	size_t to = d->end > start + len ? len : d->end - start;
	size_t i = 0;
	while (i < from) {
		unsigned w;
		size_t n = fmt_char(line + i, from - i, &w);
		if (line[i] == '\t')
			buf_putc(out, '\t');
		else
			for (unsigned k = 0; k < w; k++)
				buf_putc(out, ' ');
		i += n;
	}
	unsigned cells = 0;
	while (i < to) {
		unsigned w;
		size_t n = fmt_char(line + i, to - i, &w);
		cells += line[i] == '\t' ? 1 : w;
		i += n;
	}
	if (color)
		buf_puts(out, sev_color(d->severity));
	buf_putc(out, '^');
	for (unsigned k = 1; k < cells; k++)
		buf_putc(out, '~');
	if (color)
		buf_puts(out, "\033[0m");
	buf_putc(out, '\n');
}

static void write_text(struct buf *out, const struct report *r)
{
	for (size_t i = 0; i < r->diags->n; i++) {
		const struct diag *d = &r->diags->items[i];
		/* only where it starts is printed: the end is for the formats that carry spans */
		unsigned line, col, end_line, end_col;
		diag_position(d, &line, &col, &end_line, &end_col);
		if (r->color)
			buf_puts(out, "\033[1m");
		fmt_put_one_line(out, d->path);
		buf_putc(out, ':');
		buf_put_uint(out, line);
		buf_putc(out, ':');
		buf_put_uint(out, col);
		buf_putc(out, ':');
		if (r->color) {
			buf_puts(out, "\033[0m ");
			buf_puts(out, sev_color(d->severity));
			buf_puts(out, severity_name(d->severity));
			buf_puts(out, "\033[0m: ");
		} else {
			buf_putc(out, ' ');
			buf_puts(out, severity_name(d->severity));
			buf_puts(out, ": ");
		}
		/* object, container and message are each kept on the line */
		if (d->object) {
			fmt_put_one_line(out, d->object);
			if (d->container) {
				buf_puts(out, " container ");
				fmt_put_one_line(out, d->container);
			}
			buf_puts(out, ": ");
		}
		fmt_put_one_line(out, d->message);
		buf_puts(out, " [");
		buf_puts(out, d->rule->code);
		buf_putc(out, ' ');
		buf_puts(out, d->rule->name);
		buf_puts(out, "]\n");
		if (r->source_line && d->src && d->src->len)
			show_line(out, d, r->color);
		if (r->source_line && d->fix && *d->fix) {
			buf_puts(out, "    fix: ");
			fmt_put_one_line(out, d->fix);
			buf_putc(out, '\n');
		}
	}
}

const struct formatter format_text = {
    .name = "text",
    .description = "PATH:LINE:COL: SEVERITY: MESSAGE [CODE name], for people",
    .write = write_text,
};
