/* report.c - turning a finished run into bytes on stdout or --output, and a summary on stderr. */
#include "cli.h"
#include "unroot/buf.h"
#include "unroot/output.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Where a report goes, as it is written: a failed write is told from running out of memory. */
struct sink {
	int fd;
	bool write_failed;
};

/*
 * Each piece goes to the file in one write(2): through stdio, a 16 KiB piece
 * took two (stdout's 4 KiB buffer filled first), on the one thread that
 * writes the report.
 */
static bool write_out(void *arg, const char *data, size_t len)
{
	struct sink *s = arg;
	while (len) {
		ssize_t n = write(s->fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			s->write_failed = true;
			return false;
		}
		data += n;
		len -= (size_t)n;
	}
	return true;
}

int cli_report(struct cli *cli, struct lint_run *run)
{
	const struct formatter *f = formatter_find(cli->format);
	size_t ninputs;
	const char *const *inputs = lint_run_inputs(run, &ninputs);
	struct out_file of;
	if (cli_output_is_input(cli, NULL, inputs, ninputs) || !out_open(&of, NULL, cli->output))
		return 2;
	FILE *out = of.fp;
	/* The offending line and its caret are for a person at a terminal, and -q drops them. */
	struct report r = {
	    .diags = lint_run_diags(run),
	    .color = !cli->output && cli_use_color(cli, out),
	    .source_line = !cli->output && !cli->quiet && isatty(fileno(out)),
	    .version = UNROOT_VERSION,
	    .docs_url = UNROOT_DOCS_URL,
	    .base_dir = lint_run_base_dir(run),
	};
	r.inputs = inputs;
	r.ninputs = ninputs;
	/* The report goes out in pieces as it is written, so it never has to fit in memory whole.
	 */
	/* the pieces go past stdio, which must hand over what it holds first */
	struct sink sink = {.fd = fileno(out), .write_failed = fflush(out) != 0};
	struct buf b;
	buf_init(&b);
	b.sink = write_out;
	b.sink_arg = &sink;
	f->write(&b, &r);
	buf_flush(&b);
	int status = lint_run_exit_status(run);
	if (sink.write_failed) {
		fprintf(stderr, "unroot: cannot write the report\n");
		status = 2;
	} else if (b.failed) {
		fprintf(stderr, "unroot: out of memory writing the report\n");
		status = 2;
	}
	buf_release(&b);
	/* a report cut short never replaces the one that was there */
	if (!out_close(&of, !sink.write_failed && !b.failed))
		status = 2;
	if (!cli->quiet) {
		size_t counts[4];
		lint_run_counts(run, counts);
		size_t ninputs;
		lint_run_inputs(run, &ninputs);
		fprintf(stderr, "unroot: %zu input%s, %zu error%s, %zu warning%s, %zu info\n",
			ninputs, ninputs == 1 ? "" : "s", counts[SEV_ERROR],
			counts[SEV_ERROR] == 1 ? "" : "s", counts[SEV_WARNING],
			counts[SEV_WARNING] == 1 ? "" : "s", counts[SEV_INFO]);
	}
	return status;
}

/*
 * Writes the baseline as --output writes a report (out_open): whole or not at
 * all, so a CI job never reads half a baseline, and never over an input.
 */
static bool write_baseline(const struct cli *cli, struct lint_run *run)
{
	struct buf b;
	buf_init(&b);
	lint_run_write_baseline(run, &b, UNROOT_VERSION);
	struct out_file of;
	bool ok = false;
	if (b.failed)
		fprintf(stderr, "unroot: out of memory writing the baseline '%s'\n",
			cli->write_baseline);
	else if (out_open(&of, NULL, cli->write_baseline)) {
		bool written = fwrite(b.data ? b.data : "", 1, b.len, of.fp) == b.len;
		if (!written)
			fprintf(stderr, "unroot: cannot write the baseline '%s': %s\n",
				cli->write_baseline, strerror(errno));
		ok = out_close(&of, written) && written;
	}
	buf_release(&b);
	return ok;
}

int cli_lint_and_report(struct cli *cli, struct lint_run *run)
{
	lint_run_paths(run, cli->paths, cli->npaths);
	lint_run_finish(run);
	if (!cli->write_baseline)
		return cli_report(cli, run);
	/* Over a file the run reads, neither the baseline nor the report is written. */
	size_t ninputs;
	const char *const *inputs = lint_run_inputs(run, &ninputs);
	if (cli_baseline_is_input(cli, inputs, ninputs))
		return 2;
	/* The findings are recorded now: only an input that could not be read fails. */
	bool ok = write_baseline(cli, run);
	int status = cli_report(cli, run);
	if (!ok)
		return 2;
	return status == 2 || lint_run_had_input_error(run) ? 2 : 0;
}

void cli_print_errors(struct cli *cli, struct lint_run *run)
{
	const struct diag_list *dl = lint_run_diags(run);
	if (!dl->n)
		return;
	struct report r = {
	    .diags = dl, .color = cli_use_color(cli, stderr), .version = UNROOT_VERSION};
	r.inputs = lint_run_inputs(run, &r.ninputs);
	struct buf b;
	buf_init(&b);
	formatter_find("text")->write(&b, &r);
	if (b.len)
		fwrite(b.data, 1, b.len, stderr);
	buf_release(&b);
}
