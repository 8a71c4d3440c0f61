/* cmd-image.c - unroot image IMAGE...: lint built images, or print their permission view. */
#include "cli.h"
#include "unroot/buf.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct progress_state {
	bool tty, quiet, shown;
	double last;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Notes (done == total == 0) go to stderr unless -q; progress only on a terminal. */
static void on_progress(void *data, const char *what, unsigned long long done,
			unsigned long long total)
{
	struct progress_state *p = data;
	if (done == 0 && total == 0) {
		if (!p->quiet) {
			if (p->shown)
				fputs("\r\033[K", stderr);
			p->shown = false;
			fprintf(stderr, "unroot: %s\n", what);
		}
		return;
	}
	if (!p->tty || p->quiet)
		return;
	double t = now();
	if (done < total && t - p->last < 0.2)
		return;
	p->last = t;
	if (done >= total && total) {
		if (p->shown)
			fputs("\r\033[K", stderr);
		p->shown = false;
		return;
	}
	fprintf(stderr, "\r\033[Kunroot: %s %3llu%% (%llu of %llu MB)", what,
		total ? done * 100 / total : 0, done >> 20, total >> 20);
	p->shown = true;
}

static struct progress_state progress_state;

void cli_image_progress(struct cli *cli)
{
	progress_state.tty = isatty(STDERR_FILENO);
	progress_state.quiet = cli->quiet;
	cli->opts.progress = on_progress;
	cli->opts.progress_data = &progress_state;
}

static int tree(struct cli *cli, struct lint_run *run)
{
	const char *const *paths = cli->paths;
	size_t n = cli->npaths;
	const char *rootfs[1] = {cli->opts.rootfs};
	if (cli->opts.rootfs) {
		paths = rootfs;
		n = 1;
	}
	int status = 0;
	for (size_t i = 0; i < n; i++) {
		struct buf b;
		buf_init(&b);
		if (lint_run_tree(run, paths[i], cli->opts.tree, &b) != 0)
			status = 2;
		else if (b.failed || fwrite(b.data, 1, b.len, stdout) != b.len)
			status = 2;
		buf_release(&b);
	}
	if (status) {
		lint_run_finish(run);
		cli_report(cli, run);
	}
	return status;
}

int cmd_image(int argc, char **argv)
{
	struct cli cli;
	int rc = cli_parse("image", argc, argv, &cli);
	if (rc) {
		cli_release(&cli);
		return rc < 0 ? 0 : rc;
	}
	if (cli.npaths == 0 && !cli.opts.rootfs) {
		fprintf(stderr, "unroot image: no image given\nTry 'unroot image --help'.\n");
		cli_release(&cli);
		return 2;
	}
	if (cli.opts.type == KIND_NONE)
		cli.opts.type = KIND_IMAGE;
	cli_image_progress(&cli);
	struct lint_run *run = lint_run_new(&cli.opts);
	if (!run) {
		fprintf(stderr, "unroot: out of memory\n");
		cli_release(&cli);
		return 2;
	}
	if (cli.opts.tree) {
		rc = tree(&cli, run);
	} else {
		rc = cli_lint_and_report(&cli, run);
	}
	lint_run_free(run);
	cli_release(&cli);
	return rc;
}
