/*
 * gnu.c - the GNU Coding Standards' error format, `FILE:LINE:COLUMN: SEVERITY:
 * MESSAGE`, which Emacs' compilation mode, Vim's quickfix and most editors
 * jump from. Columns are display columns as the standard asks (tab stops
 * every 8, one a character), not bytes. One finding a line.
 */
#include "fmt.h"
#include "unroot/buf.h"
#include "unroot/diag.h"
#include "unroot/output.h"
#include "unroot/rule.h"

#include <string.h>

/* GCC's words: error, warning, note. */
static const char *gnu_severity(enum severity s)
{
	return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "note";
}

static void write_gnu(struct buf *out, const struct report *r)
{
	for (size_t i = 0; i < r->diags->n; i++) {
		const struct diag *d = &r->diags->items[i];
		fmt_put_one_line(out, d->path);
		if (d->src) {
			unsigned line, col;
			fmt_display_position(d->src, d->start, &line, &col);
			buf_printf(out, ":%u:%u", line, col);
		}
		buf_printf(out, ": %s: ", gnu_severity(d->severity));
		struct buf msg;
		buf_init(&msg);
		fmt_object_prefix(d, &msg);
		buf_puts(&msg, d->message);
		fmt_put_one_line(out, msg.data ? msg.data : "");
		buf_release(&msg);
		buf_printf(out, " [%s %s]\n", d->rule->code, d->rule->name);
	}
}

const struct formatter format_gnu = {
    .name = "gnu",
    .description = "FILE:LINE:COLUMN: SEVERITY: MESSAGE, for editors",
    .write = write_gnu,
};
