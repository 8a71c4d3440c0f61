/* cmd-lint.c - unroot [lint] PATH...: every input kind, one report. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cmd_lint(int argc, char **argv)
{
	struct cli cli;
	/* argv[0] is "lint", or the program itself when the command word was left out. */
	const char *name = strcmp(argv[0], "lint") == 0 ? "lint" : "";
	int rc = cli_parse(name, argc, argv, &cli);
	if (rc) {
		cli_release(&cli);
		return rc < 0 ? 0 : rc;
	}
	if (cli.npaths == 0 && !cli.opts.rootfs) {
		fprintf(stderr, "unroot%s%s: no paths given\nTry 'unroot%s%s --help'.\n",
			*name ? " " : "", name, *name ? " " : "", name);
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
