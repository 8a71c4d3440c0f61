/* main.c - unroot's command table and dispatch. */
#include "cli.h"
#include "unroot/suggest.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const struct cmd commands[] = {
    {"lint", "unroot [lint] [OPTIONS] PATH...", cmd_lint},
    {"fix", "unroot fix [--diff|--write|--check] [--rule CODES] [OPTIONS] PATH...", cmd_fix},
    {"image", "unroot image [--tree PATH] [--arch ARCH] [--rootfs DIR] IMAGE...", cmd_image},
    {"simulate", "unroot simulate [--platform LIST] [--image REF=PATH] INPUT...", cmd_simulate},
    {"rules", "unroot rules [--format text|markdown|json]", cmd_rules},
    {"explain", "unroot explain RULE", cmd_explain},
    {"serve", "unroot serve --tls-cert FILE --tls-key FILE [--listen ADDR:PORT] [--config FILE]",
     cmd_serve},
    {"version", "unroot version", cmd_version},
};

static void usage(FILE *f)
{
	fputs("usage: unroot [COMMAND] [OPTIONS] PATH...\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fputs("\nRun 'unroot lint --help' for the options.\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(1, argv);
	const char *names[sizeof(commands) / sizeof(commands[0])];
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
		names[i] = commands[i].name;
	}
	/*
	 * No command word: `unroot PATH...` means lint. A first word that is no
	 * file but nearly a command is a mistyped command, not a path to lint.
	 */
	struct stat st;
	const char *near = suggest(argv[1], names, sizeof(names) / sizeof(names[0]));
	if (argv[1][0] != '-' && near && stat(argv[1], &st) != 0) {
		fprintf(stderr,
			"unroot: '%s' is not a command or a file; did you mean 'unroot %s'?\n"
			"Try 'unroot --help'.\n",
			argv[1], near);
		return 2;
	}
	return cmd_lint(argc, argv);
}
