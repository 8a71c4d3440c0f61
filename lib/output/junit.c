/*
 * junit.c - JUnit XML for CI test-report views (Jenkins, GitLab, Azure
 * DevOps). Each input is a test case; each finding in it is a <failure>, and
 * an input that could not be read (NR000) is an <error>. Times are 0 so the
 * report is the same on every run. The shape follows the schema Jenkins'
 * xUnit plugin reads (junit-10.xsd); tests/golden/junit.xsd checks it.
 */
#include "fmt.h"
#include "unroot/buf.h"
#include "unroot/diag.h"
#include "unroot/output.h"
#include "unroot/rule.h"

#include <stdlib.h>
#include <string.h>

struct junit_case {
	const char *path;
	size_t first, n; /* its diagnostics, contiguous since the list is sorted by path */
	bool error;
};

static bool in_inputs(const struct report *r, const char *path, size_t upto)
{
	for (size_t i = 0; i < upto; i++)
		if (strcmp(r->inputs[i], path) == 0)
			return true;
	return false;
}

/*
 * The test cases: every input in the order linted, then any path that has
 * diagnostics but was never an input (a path that could not be opened).
 */
static struct junit_case *cases(const struct report *r, size_t *ncases)
{
	size_t cap = r->ninputs + r->diags->n + 1;
	struct junit_case *c = calloc(cap, sizeof(*c));
	if (!c)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < r->ninputs; i++)
		if (!in_inputs(r, r->inputs[i], i))
			c[n++].path = r->inputs[i];
	for (size_t i = 0; i < r->diags->n; i++) {
		const char *p = r->diags->items[i].path;
		bool seen = false;
		for (size_t k = 0; k < n && !seen; k++)
			seen = strcmp(c[k].path, p) == 0;
		if (!seen)
			c[n++].path = p;
	}
	for (size_t k = 0; k < n; k++) {
		c[k].first = r->diags->n;
		for (size_t i = 0; i < r->diags->n; i++) {
			const struct diag *d = &r->diags->items[i];
			if (strcmp(d->path, c[k].path) != 0)
				continue;
			if (c[k].n == 0)
				c[k].first = i;
			c[k].n++;
			if (d->rule == &NR000_parse_error)
				c[k].error = true;
		}
	}
	*ncases = n;
	return c;
}

static void failure(struct buf *out, const struct diag *d)
{
	unsigned line, col, el, ec;
	diag_position(d, &line, &col, &el, &ec);
	const char *tag = d->rule == &NR000_parse_error ? "error" : "failure";
	buf_printf(out, "      <%s type=\"%s\" message=\"", tag, d->rule->code);
	struct buf msg;
	buf_init(&msg);
	fmt_object_prefix(d, &msg);
	buf_puts(&msg, d->message);
	fmt_put_xml(out, msg.data ? msg.data : "");
	buf_puts(out, "\">");
	/* The body is what a person reads in the CI view: the gnu-style line and the fix. */
	struct buf body;
	buf_init(&body);
	if (d->src)
		buf_printf(&body, "%s:%u:%u: ", d->path, line, col);
	else
		buf_printf(&body, "%s: ", d->path);
	buf_printf(&body, "%s: %s [%s %s]", severity_name(d->severity), msg.data ? msg.data : "",
		   d->rule->code, d->rule->name);
	if (d->fix)
		buf_printf(&body, "\nfix: %s", d->fix);
	buf_puts(&body, "\nplatforms: ");
	diag_platforms(d, &body, ", ");
	fmt_put_xml(out, body.data ? body.data : "");
	buf_printf(out, "</%s>\n", tag);
	buf_release(&msg);
	buf_release(&body);
}

static void write_junit(struct buf *out, const struct report *r)
{
	size_t n = 0;
	struct junit_case *c = cases(r, &n);
	if (!c) {
		out->failed = true;
		return;
	}
	size_t failures = 0, errors = 0;
	for (size_t k = 0; k < n; k++) {
		if (c[k].error)
			errors++;
		else if (c[k].n)
			failures++;
	}
	buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	buf_printf(out,
		   "<testsuites name=\"unroot\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		   "time=\"0\">\n",
		   n, failures, errors);
	buf_printf(out,
		   "  <testsuite name=\"unroot\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		   "skipped=\"0\" time=\"0\">\n",
		   n, failures, errors);
	for (size_t k = 0; k < n; k++) {
		buf_puts(out, "    <testcase name=\"");
		fmt_put_xml(out, c[k].path);
		buf_puts(out, "\" classname=\"unroot\" time=\"0\"");
		if (!c[k].n) {
			buf_puts(out, "/>\n");
			continue;
		}
		buf_puts(out, ">\n");
		for (size_t i = c[k].first; i < c[k].first + c[k].n; i++)
			failure(out, &r->diags->items[i]);
		buf_puts(out, "    </testcase>\n");
	}
	buf_puts(out, "  </testsuite>\n</testsuites>\n");
	free(c);
}

const struct formatter format_junit = {
    .name = "junit",
    .description = "JUnit XML: a test case per input, a failure per finding",
    .write = write_junit,
};
