/* text.c - PATH:LINE:COL: SEVERITY: MESSAGE [CODE name], for people. */
#include "unroot/buf.h"
#include "unroot/diag.h"
#include "unroot/output.h"
#include "unroot/rule.h"
#include "unroot/source.h"

static const char *sev_color(enum severity s)
{
	return s == SEV_ERROR ? "\033[1;31m" : s == SEV_WARNING ? "\033[1;33m" : "\033[1;36m";
}

/* The offending line, then a caret under the span (tabs kept so the caret lines up). */
static void show_line(struct buf *out, const struct diag *d, bool color)
{
	size_t start, len;
	source_line(d->src, d->start, &start, &len);
	buf_puts(out, "    ");
	buf_add(out, d->src->data + start, len);
	buf_puts(out, "\n    ");
	size_t from = d->start - start;
	size_t to = d->end > start + len ? len : d->end - start;
	for (size_t i = 0; i < from && i < len; i++)
		buf_putc(out, d->src->data[start + i] == '\t' ? '\t' : ' ');
	if (color)
		buf_puts(out, sev_color(d->severity));
	buf_putc(out, '^');
	for (size_t i = from + 1; i < to; i++)
		buf_putc(out, '~');
	if (color)
		buf_puts(out, "\033[0m");
	buf_putc(out, '\n');
}

static void write_text(struct buf *out, const struct report *r)
{
	for (size_t i = 0; i < r->diags->n; i++) {
		const struct diag *d = &r->diags->items[i];
		unsigned line, col, el, ec;
		diag_position(d, &line, &col, &el, &ec);
		if (r->color)
			buf_puts(out, "\033[1m");
		buf_printf(out, "%s:%u:%u:", d->path, line, col);
		if (r->color)
			buf_printf(out, "\033[0m %s%s\033[0m: ", sev_color(d->severity),
				   severity_name(d->severity));
		else
			buf_printf(out, " %s: ", severity_name(d->severity));
		if (d->object)
			buf_printf(out, "%s%s%s: ", d->object, d->container ? " container " : "",
				   d->container ? d->container : "");
		buf_printf(out, "%s [%s %s]\n", d->message, d->rule->code, d->rule->name);
		if (r->source_line && d->src && d->src->len)
			show_line(out, d, r->color);
		if (r->source_line && d->fix && *d->fix)
			buf_printf(out, "    fix: %s\n", d->fix);
	}
}

const struct formatter format_text = {
    .name = "text",
    .description = "PATH:LINE:COL: SEVERITY: MESSAGE [CODE name], for people",
    .write = write_text,
};
