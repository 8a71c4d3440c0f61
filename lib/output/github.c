/*
 * github.c - GitHub Actions workflow commands: one `::error ...::message`
 * line a finding, which the runner turns into an annotation on the pull
 * request. Paths are relative to the repository's top folder (r->base_dir,
 * the checkout in a workflow), which is what the runner resolves them from,
 * wherever in the repository unroot ran. Values are escaped as the runner decodes them: % CR LF in
 * the message, and also : and , in properties.
 */
#include "fmt.h"
#include "unroot/buf.h"
#include "unroot/diag.h"
#include "unroot/output.h"
#include "unroot/rule.h"
#include "unroot/source.h"

#include <stdlib.h>

static const char *command(enum severity s)
{
	return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "notice";
}

static void escape(struct buf *out, const char *s, bool property)
{
	struct buf clean;
	buf_init(&clean);
	fmt_put_utf8(&clean, s);
	for (size_t i = 0; i < clean.len; i++) {
		char c = clean.data[i];
		if (c == '%')
			buf_puts(out, "%25");
		else if (c == '\r')
			buf_puts(out, "%0D");
		else if (c == '\n')
			buf_puts(out, "%0A");
		else if (property && c == ':')
			buf_puts(out, "%3A");
		else if (property && c == ',')
			buf_puts(out, "%2C");
		else
			buf_putc(out, c);
	}
	buf_release(&clean);
}

static void write_github(struct buf *out, const struct report *r)
{
	for (size_t i = 0; i < r->diags->n; i++) {
		const struct diag *d = &r->diags->items[i];
		bool absolute;
		char *path = fmt_rel_path(r, d->path, &absolute);
		buf_printf(out, "::%s file=", command(d->severity));
		escape(out, path ? path : d->path, true);
		free(path);
		if (d->src) {
			/* The runner's end column is the last character's, not the one after. */
			unsigned line, col, el, ec;
			source_position(d->src, d->start, &line, &col);
			source_position(d->src, d->end > d->start ? d->end - 1 : d->start, &el,
					&ec);
			buf_printf(out, ",line=%u,col=%u,endLine=%u,endColumn=%u", line, col, el,
				   ec);
		}
		struct buf title;
		buf_init(&title);
		fmt_title(d, &title);
		buf_puts(out, ",title=");
		escape(out, title.data ? title.data : "", true);
		buf_release(&title);
		buf_puts(out, "::");
		struct buf msg;
		buf_init(&msg);
		fmt_object_prefix(d, &msg);
		buf_puts(&msg, d->message);
		if (d->fix)
			buf_printf(&msg, "\nfix: %s", d->fix);
		escape(out, msg.data ? msg.data : "", false);
		buf_release(&msg);
		buf_putc(out, '\n');
	}
}

const struct formatter format_github = {
    .name = "github",
    .description = "GitHub Actions workflow commands (annotations)",
    .write = write_github,
};
