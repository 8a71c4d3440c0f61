/*
 * cmd-fix.c - unroot fix PATH...: the findings' exact edits as a unified
 * diff (default), written in place (--write), or only counted (--check);
 * what a person must still do goes to stderr, so that the diff on stdout
 * can be piped to `git apply` or `patch -p1` as it is.
 */
#include "cli.h"
#include "unroot/arena.h"
#include "unroot/buf.h"
#include "unroot/fix.h"
#include "unroot/output.h"
#include "unroot/rule.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum fix_mode { MODE_DIFF, MODE_WRITE, MODE_CHECK };

/* What fix takes besides the common options, taken out of argv before cli_parse sees it. */
struct fix_args {
	enum fix_mode mode;
	int nmodes;
	const char *rules; /* --rule CODES, comma-separated codes or names */
	const char *from_image;
	char **argv; /* the rest, for cli_parse */
	int argc;
};

static int usage(const char *msg, const char *arg)
{
	fprintf(stderr, "unroot fix: ");
	fprintf(stderr, msg, arg);
	fprintf(stderr, "\nTry 'unroot fix --help'.\n");
	return 2;
}

/* "--name VALUE" or "--name=VALUE" at argv[*i]: the value, moving *i past it; NULL if not. */
static const char *valued(int argc, char **argv, int *i, const char *name, bool *missing)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

static int split_args(int argc, char **argv, struct fix_args *fa)
{
	memset(fa, 0, sizeof(*fa));
	fa->argv = calloc((size_t)argc + 1, sizeof(*fa->argv));
	if (!fa->argv)
		return usage("%s", "out of memory");
	bool rest = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v;
		bool missing = false;
		if (i == 0 || rest) {
			fa->argv[fa->argc++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			rest = true;
			fa->argv[fa->argc++] = argv[i];
		} else if (strcmp(a, "--diff") == 0) {
			fa->mode = MODE_DIFF;
			fa->nmodes++;
		} else if (strcmp(a, "--write") == 0 || strcmp(a, "-w") == 0) {
			fa->mode = MODE_WRITE;
			fa->nmodes++;
		} else if (strcmp(a, "--check") == 0) {
			fa->mode = MODE_CHECK;
			fa->nmodes++;
		} else if ((v = valued(argc, argv, &i, "--rule", &missing)) != NULL) {
			fa->rules = v;
		} else if ((v = valued(argc, argv, &i, "--from-image", &missing)) != NULL) {
			fa->from_image = v;
		} else if (missing) {
			return usage("%s needs a value", a);
		} else {
			fa->argv[fa->argc++] = argv[i];
			/* the value of a common option is not one of fix's own */
			static const char *const takes[] = {"-f",
							    "--format",
							    "--output",
							    "--platform",
							    "--min-uid",
							    "--uid-range",
							    "--supplemental-groups",
							    "--image",
							    "--fail-on",
							    "--ignore",
							    "--config",
							    "--color",
							    "--colour",
							    "--type",
							    "--context",
							    "-j",
							    "--jobs",
							    "--arch",
							    "--rootfs",
							    "--image-config",
							    "--tree",
							    "--helm",
							    "--values",
							    "--set",
							    "--creds",
							    "--cert-dir",
							    "--timeout",
							    "--os",
							    "--variant",
							    "--retry-times"};
			for (size_t k = 0; k < sizeof(takes) / sizeof(takes[0]); k++)
				if (strcmp(a, takes[k]) == 0 && i + 1 < argc) {
					fa->argv[fa->argc++] = argv[++i];
					break;
				}
		}
	}
	if (fa->nmodes > 1)
		return usage("%s", "--diff, --write and --check go one at a time");
	return 0;
}

/* --rule CODES as rules; -1 after saying which name is unknown. */
static int parse_rules(struct arena *a, const char *list, const struct rule ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!list)
		return 0;
	char *copy = arena_strdup(a, list);
	size_t cap = 1;
	for (const char *p = list; *p; p++)
		cap += *p == ',';
	const struct rule **rules = arena_alloc(a, cap * sizeof(*rules));
	if (!copy || !rules)
		return usage("%s", "out of memory");
	for (char *save = NULL, *tok = strtok_r(copy, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		const struct rule *r = rule_find(tok);
		if (!r) {
			usage("--rule: no rule '%s' (see 'unroot rules')", tok);
			return -1;
		}
		rules[(*n)++] = r;
	}
	if (!*n)
		return usage("%s", "--rule needs rule codes or names");
	*out = rules;
	return 0;
}

static void print_help(void)
{
	fputs("usage: unroot fix [--diff | --write | --check] [--rule CODES] [OPTIONS] PATH...\n"
	      "       unroot fix --from-image IMAGE [--output FILE]\n"
	      "\n"
	      "Applies the exact edits of the findings (see 'unroot lint --help' for OPTIONS).\n"
	      "\n"
	      "      --diff                print a unified diff for git apply or patch -p1 "
	      "(default)\n"
	      "  -w, --write               edit the files in place, atomically\n"
	      "      --check               change nothing; exit 1 when something would change\n"
	      "      --rule CODES          fix only these rules (codes or names, "
	      "comma-separated)\n"
	      "      --from-image IMAGE    write a Dockerfile deriving from IMAGE that runs under\n"
	      "                            OpenShift's arbitrary uid (to stdout or --output)\n"
	      "\n"
	      "What cannot be fixed mechanically is listed on stderr, with the advice and\n"
	      "why no edit was made.\n"
	      "Exit status: --diff and --write: 0 when nothing at or above --fail-on is left to\n"
	      "fix by hand, 1 when something is; --check: 1 when an edit would be made;\n"
	      "2 on usage, input or write errors.\n",
	      stdout);
}

/*
 * The findings left to a person, on stderr, as lint's text format writes them,
 * each with why no edit was made.
 */
static void print_manual(struct cli *cli, struct lint_run *run, const struct fix_plan *plan)
{
	if (!plan->nmanual)
		return;
	struct arena *a = lint_run_arena(run);
	struct diag *items = arena_alloc(a, plan->nmanual * sizeof(*items));
	if (!items) {
		fprintf(stderr, "unroot fix: out of memory\n");
		return;
	}
	for (size_t i = 0; i < plan->nmanual; i++) {
		items[i] = *plan->manual[i].d;
		if (plan->manual[i].reason)
			items[i].message = arena_printf(a, "%s (not fixed: %s)", items[i].message,
							plan->manual[i].reason);
	}
	struct diag_list l = {.arena = a, .items = items, .n = plan->nmanual, .cap = plan->nmanual};
	struct report r = {.diags = &l,
			   .color = cli_use_color(cli, stderr),
			   .version = UNROOT_VERSION,
			   .docs_url = UNROOT_DOCS_URL};
	r.inputs = lint_run_inputs(run, &r.ninputs);
	struct buf b;
	buf_init(&b);
	formatter_find("text")->write(&b, &r);
	fprintf(stderr, "unroot fix: %zu finding%s to fix by hand:\n", plan->nmanual,
		plan->nmanual == 1 ? "" : "s");
	if (b.len)
		fwrite(b.data, 1, b.len, stderr);
	buf_release(&b);
}

static size_t edits_of(const struct fix_plan *plan)
{
	size_t n = 0;
	for (size_t i = 0; i < plan->nfiles; i++)
		n += plan->files[i].nedits;
	return n;
}

static int write_diff(struct cli *cli, struct lint_run *run, const struct fix_plan *plan)
{
	size_t ninputs;
	const char *const *inputs = lint_run_inputs(run, &ninputs);
	struct out_file of;
	if (cli_output_is_input(cli, "fix", inputs, ninputs) || !out_open(&of, "fix", cli->output))
		return 2;
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < plan->nfiles; i++)
		fix_diff(&plan->files[i], &b);
	bool ok = !b.failed && (!b.len || fwrite(b.data, 1, b.len, of.fp) == b.len);
	if (!ok)
		fprintf(stderr, "unroot fix: cannot write the diff\n");
	buf_release(&b);
	if (!out_close(&of, ok))
		return 2;
	return ok ? 0 : 2;
}

static int write_files(const struct fix_plan *plan)
{
	int rc = 0;
	for (size_t i = 0; i < plan->nfiles; i++) {
		char why[1024];
		if (fix_write(&plan->files[i], why, sizeof(why)) != 0) {
			fprintf(stderr, "unroot fix: %s\n", why);
			rc = 2;
		}
	}
	return rc;
}

/* 1 when something at or above --fail-on is left to a person. */
static int left_status(const struct cli *cli, const struct fix_plan *plan)
{
	if (cli->opts.fail_on == SEV_NONE)
		return 0;
	for (size_t i = 0; i < plan->nmanual; i++)
		if (plan->manual[i].d->severity >= cli->opts.fail_on)
			return 1;
	return 0;
}

int cmd_fix(int argc, char **argv)
{
	struct fix_args fa;
	if (split_args(argc, argv, &fa) != 0) {
		free(fa.argv);
		return 2;
	}
	for (int i = 1; i < fa.argc && strcmp(fa.argv[i], "--") != 0; i++)
		if (strcmp(fa.argv[i], "--help") == 0 || strcmp(fa.argv[i], "-h") == 0) {
			print_help();
			free(fa.argv);
			return 0;
		}
	struct cli cli;
	int rc = cli_parse("fix", fa.argc, fa.argv, &cli);
	if (rc) {
		cli_release(&cli);
		free(fa.argv);
		return rc < 0 ? 0 : rc;
	}
	if (fa.from_image) {
		if (cli.npaths || fa.nmodes || fa.rules) {
			cli_release(&cli);
			free(fa.argv);
			return usage(
			    "%s",
			    "--from-image takes no paths, --diff, --write, --check or --rule");
		}
		rc = cli_fix_from_image(&cli, fa.from_image);
		cli_release(&cli);
		free(fa.argv);
		return rc;
	}
	const struct rule **only = NULL;
	size_t nonly = 0;
	if (cli.npaths == 0 || parse_rules(cli.arena, fa.rules, &only, &nonly) != 0) {
		if (cli.npaths == 0)
			usage("%s", "no paths given");
		cli_release(&cli);
		free(fa.argv);
		return 2;
	}
	for (size_t i = 0; i < cli.npaths; i++)
		if (strcmp(cli.paths[i], "-") == 0 && fa.mode == MODE_WRITE) {
			cli_release(&cli);
			free(fa.argv);
			return usage("%s", "--write cannot write back to stdin");
		}
	/* A file size limit (ulimit -f) makes write(2) fail with EFBIG instead of a signal that
	 * kills the run half-way; the file is then left as it was. */
	signal(SIGXFSZ, SIG_IGN);
	struct lint_run *run = lint_run_new(&cli.opts);
	if (!run) {
		fprintf(stderr, "unroot: out of memory\n");
		cli_release(&cli);
		free(fa.argv);
		return 2;
	}
	lint_run_paths(run, cli.paths, cli.npaths);
	lint_run_finish(run);
	struct fix_plan plan;
	if (fix_plan_make(run, only, nonly, &plan) != 0) {
		if (plan.error)
			fprintf(stderr, "unroot fix: cannot read '%s': %s\n", plan.error_path,
				plan.error);
		else
			fprintf(stderr, "unroot fix: out of memory\n");
		fix_plan_release(&plan);
		lint_run_free(run);
		cli_release(&cli);
		free(fa.argv);
		return 2;
	}
	int status = 0;
	if (fa.mode == MODE_DIFF)
		status = write_diff(&cli, run, &plan);
	else if (fa.mode == MODE_WRITE)
		status = write_files(&plan);
	print_manual(&cli, run, &plan);
	if (!cli.quiet) {
		const char *verb =
		    fa.mode == MODE_WRITE ? (status ? "tried to apply" : "applied") : "would apply";
		fprintf(stderr,
			"unroot fix: %s %zu edit%s for %zu finding%s in %zu file%s; %zu left "
			"to fix by hand\n",
			verb, edits_of(&plan), edits_of(&plan) == 1 ? "" : "s", plan.nfixed,
			plan.nfixed == 1 ? "" : "s", plan.nfiles, plan.nfiles == 1 ? "" : "s",
			plan.nmanual);
	}
	if (!status && lint_run_had_input_error(run))
		status = 2;
	if (!status)
		status = fa.mode == MODE_CHECK ? plan.nfiles > 0 : left_status(&cli, &plan);
	fix_plan_release(&plan);
	lint_run_free(run);
	cli_release(&cli);
	free(fa.argv);
	return status;
}
