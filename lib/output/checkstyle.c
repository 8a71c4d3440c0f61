/*
 * checkstyle.c - Checkstyle XML, the format hadolint, ESLint and others
 * write for Jenkins' warnings plugin, reviewdog and SonarQube's
 * importers: a <file> per input (also the clean ones), an <error> per
 * finding, source = the rule code.
 */
#include "fmt.h"
#include "unroot/buf.h"
#include "unroot/diag.h"
#include "unroot/output.h"
#include "unroot/rule.h"

#include <string.h>

static void error_element(struct buf *out, const struct diag *d)
{
	unsigned line, col, el, ec;
	diag_position(d, &line, &col, &el, &ec);
	buf_puts(out, "    <error");
	if (d->src)
		buf_printf(out, " line=\"%u\" column=\"%u\"", line, col);
	else
		buf_puts(out, " line=\"0\"");
	buf_printf(out, " severity=\"%s\" message=\"", severity_name(d->severity));
	struct buf msg;
	buf_init(&msg);
	fmt_object_prefix(d, &msg);
	buf_puts(&msg, d->message);
	if (d->fix)
		buf_printf(&msg, " (fix: %s)", d->fix);
	fmt_put_xml(out, msg.data ? msg.data : "");
	buf_release(&msg);
	buf_printf(out, "\" source=\"%s\"/>\n", d->rule->code);
}

static bool seen_before(const char *const *list, size_t upto, const char *path)
{
	for (size_t i = 0; i < upto; i++)
		if (strcmp(list[i], path) == 0)
			return true;
	return false;
}

static void file_element(struct buf *out, const struct report *r, const char *path)
{
	buf_puts(out, "  <file name=\"");
	fmt_put_xml(out, path);
	buf_puts(out, "\"");
	bool any = false;
	for (size_t i = 0; i < r->diags->n; i++) {
		const struct diag *d = &r->diags->items[i];
		if (strcmp(d->path, path) != 0)
			continue;
		if (!any)
			buf_puts(out, ">\n");
		any = true;
		error_element(out, d);
	}
	buf_puts(out, any ? "  </file>\n" : "/>\n");
}

static void write_checkstyle(struct buf *out, const struct report *r)
{
	buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
	for (size_t i = 0; i < r->ninputs; i++)
		if (!seen_before(r->inputs, i, r->inputs[i]))
			file_element(out, r, r->inputs[i]);
	/* Paths with findings that were never read as inputs (they could not be opened). */
	for (size_t i = 0; i < r->diags->n; i++) {
		const char *p = r->diags->items[i].path;
		if (seen_before(r->inputs, r->ninputs, p))
			continue;
		bool done = false;
		for (size_t k = 0; k < i && !done; k++)
			done = strcmp(r->diags->items[k].path, p) == 0;
		if (!done)
			file_element(out, r, p);
	}
	buf_puts(out, "</checkstyle>\n");
}

const struct formatter format_checkstyle = {
    .name = "checkstyle",
    .description = "Checkstyle XML, for Jenkins warnings, reviewdog and friends",
    .write = write_checkstyle,
};
