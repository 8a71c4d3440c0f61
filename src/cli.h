/* cli.h - what the commands share: parsed options, and the command table. */
#ifndef UNROOT_CLI_H
#define UNROOT_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "unroot/lint.h"
#include "unroot/output.h"

#define UNROOT_VERSION "0.1.0"
/* docs/rules.md as published; set at build time with meson -Ddocs_url=URL. */
#ifndef UNROOT_DOCS_URL
#define UNROOT_DOCS_URL UNROOT_DEFAULT_DOCS_URL
#endif

struct arena;

struct cli {
	struct lint_options opts;
	const char *format;
	const char *output;	    /* --output FILE, or NULL for stdout */
	const char *write_baseline; /* --write-baseline FILE, or NULL */
	int color;		    /* 0 never, 1 always, -1 auto */
	bool quiet;
	const char *config;
	bool no_config;
	const char **paths;
	size_t npaths;
	struct arena *arena; /* for what the options own */
};

struct cmd {
	const char *name;
	const char *usage;
	int (*run)(int argc, char **argv);
};

/*
 * Parses the options common to all commands (DESIGN.md, "Commands") plus
 * the config file. Returns 0, or 2 after printing a usage error.
 */
int cli_parse(const char *cmd, int argc, char **argv, struct cli *cli);
void cli_release(struct cli *cli);

/* Lints every path (and --rootfs), finishes the run and writes its report; the exit status. */
int cli_lint_and_report(struct cli *cli, struct lint_run *run);

/* Writes a finished run's report in the chosen format; returns the exit status. */
int cli_report(struct cli *cli, struct lint_run *run);

/* Writes a run's findings (its reading errors, for simulate and fix --from-image) to stderr
 * as text. */
void cli_print_errors(struct cli *cli, struct lint_run *run);

/* Where a report goes (output-file.c): stdout, or --output written whole or not at all. */
struct out_file {
	FILE *fp;
	const char *cmd, *path; /* path: --output, or NULL for stdout */
	char *tmp, *target;	/* the temporary file renamed onto target at the end, or NULL */
};

/*
 * Opens where the report goes: stdout, or a temporary file beside --output
 * (a device or a pipe is opened as it is). False after saying why on stderr,
 * as "unroot CMD: ..." (cmd NULL: "unroot: ...").
 */
bool out_open(struct out_file *o, const char *cmd, const char *path);
/*
 * Ends the report: when `ok`, the temporary file replaces --output; when
 * not (the report failed half-way), it is removed and --output is left as it
 * was. False, after saying so, when --output could not be written.
 */
bool out_close(struct out_file *o, bool ok);
/*
 * True, after saying so on stderr, when --output names a file the run reads
 * (same device and inode): a named path, one of `inputs`, a --values file, an
 * --image pair, --image-config, --config or --baseline.
 */
bool cli_output_is_input(const struct cli *cli, const char *cmd, const char *const *inputs,
			 size_t ninputs);
/*
 * The same for --write-baseline, which may name the --baseline file (it is
 * read whole before it is replaced) but not --output.
 */
bool cli_baseline_is_input(const struct cli *cli, const char *const *inputs, size_t ninputs);

/* Colour for a stream, following --color and NO_COLOR. */
bool cli_use_color(const struct cli *cli, FILE *stream);

int cmd_lint(int argc, char **argv);
int cmd_fix(int argc, char **argv);
/* unroot fix --from-image IMAGE (cmd-fix-image.c): the derived Dockerfile; the exit status. */
int cli_fix_from_image(struct cli *cli, const char *image);
int cmd_image(int argc, char **argv);
/* Progress and notes of image reads on stderr (cmd-image.c). */
void cli_image_progress(struct cli *cli);
int cmd_simulate(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_version(int argc, char **argv);
/* Runs unroot-serve, the admission webhook (serve-exec.c). */
int cmd_serve(int argc, char **argv);

#endif
