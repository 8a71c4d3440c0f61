/* cmd-lint.c - unroot [lint] PATH...: every input kind, one report. */
#include "cli.h"

#include <stdio.h>

int cmd_lint(int argc, char **argv)
{
	struct cli cli;
	int rc = cli_parse("lint", argc, argv, &cli);
	if (rc) {
		cli_release(&cli);
		return rc < 0 ? 0 : rc;
	}
	if (cli.npaths == 0 && !cli.opts.rootfs) {
		fprintf(stderr, "unroot lint: no paths given\nTry 'unroot lint --help'.\n");
		cli_release(&cli);
		return 2;
	}
	cli_image_progress(&cli);
	struct lint_run *run = lint_run_new(&cli.opts);
	if (!run) {
		fprintf(stderr, "unroot: out of memory\n");
		cli_release(&cli);
		return 2;
	}
	rc = cli_lint_and_report(&cli, run);
	lint_run_free(run);
	cli_release(&cli);
	return rc;
}
