/*
 * cmd-fix-image.c - unroot fix --from-image IMAGE: the image simulated on
 * OpenShift, and a Dockerfile deriving from it that gives group 0 what its
 * arbitrary uid could not use (lib/fix/derive.c), on stdout or --output.
 */
#include "cli.h"
#include "unroot/buf.h"
#include "unroot/fix.h"
#include "unroot/output.h"
#include "unroot/simulate.h"

#include <stdio.h>
#include <string.h>

int cli_fix_from_image(struct cli *cli, const char *image)
{
	cli->opts.platforms = PLAT_OPENSHIFT;
	cli_image_progress(cli);
	struct lint_run *run = lint_run_new(&cli->opts);
	struct sim_report rep;
	if (!run || sim_report_init(run, &rep) != 0) {
		fprintf(stderr, "unroot: out of memory\n");
		lint_run_free(run);
		return 2;
	}
	sim_add_path(run, &rep, image);
	lint_run_finish(run);
	const struct sim_row *row = NULL;
	for (size_t i = 0; i < rep.nrows && !row; i++)
		if (rep.rows[i].r.platform == SIM_OPENSHIFT && rep.rows[i].r.view &&
		    rep.rows[i].r.from_image)
			row = &rep.rows[i];
	if (!row) {
		cli_print_errors(cli, run);
		fprintf(stderr, "unroot fix: '%s' could not be read as an image\n", image);
		lint_run_free(run);
		return 2;
	}
	struct buf b;
	buf_init(&b);
	long uid = cli->opts.min_uid > 1001 ? cli->opts.min_uid : 1001;
	fix_from_image(&row->r, image, uid, &b);
	struct out_file of;
	const char *inputs[] = {image};
	int status = 0;
	if (cli_output_is_input(cli, "fix", inputs, 1) || !out_open(&of, "fix", cli->output)) {
		status = 2;
	} else {
		bool ok = !b.failed && fwrite(b.data, 1, b.len, of.fp) == b.len;
		if (!ok)
			fprintf(stderr, "unroot fix: cannot write the Dockerfile\n");
		if (!out_close(&of, ok) || !ok)
			status = 2;
	}
	if (!cli->quiet) {
		size_t failed = 0;
		for (size_t i = 0; i < row->r.nchecks; i++)
			failed += sim_check_failed(&row->r.checks[i]);
		fprintf(stderr,
			"unroot fix: %s on openshift %s; the derived Dockerfile gives group 0 what "
			"%zu failed check%s needed\n",
			image, row->r.breaks ? "breaks" : "starts", failed, failed == 1 ? "" : "s");
	}
	buf_release(&b);
	lint_run_free(run);
	return status;
}
