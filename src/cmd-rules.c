/*
 * cmd-rules.c - unroot rules: the rule table as a list, markdown (docs/rules.md, or with
 * --type one kind's table for the other docs) or JSON.
 */
#include "cli.h"
#include "unroot/buf.h"
#include "unroot/ruledoc.h"

#include <stdio.h>
#include <string.h>

int cmd_rules(int argc, char **argv)
{
	struct cli cli;
	int rc = cli_parse("rules", argc, argv, &cli);
	if (rc) {
		cli_release(&cli);
		return rc < 0 ? 0 : rc;
	}
	if (cli.npaths) {
		/* `unroot rules NR102` lists every rule all the same: say where one is told */
		fprintf(stderr,
			"unroot rules: unexpected '%s': the command lists every rule; 'unroot "
			"explain RULE' tells one\nTry 'unroot rules --help'.\n",
			cli.paths[0]);
		cli_release(&cli);
		return 2;
	}
	struct buf b;
	buf_init(&b);
	if (strcmp(cli.format, "text") == 0)
		ruledoc_list(&b);
	else if (strcmp(cli.format, "json") == 0)
		ruledoc_json(&b);
	else if ((strcmp(cli.format, "markdown") == 0 || strcmp(cli.format, "md") == 0) &&
		 cli.opts.type != KIND_NONE)
		ruledoc_markdown_table(&b, cli.opts.type, "rules.md"); /* for the other docs */
	else if (strcmp(cli.format, "markdown") == 0 || strcmp(cli.format, "md") == 0)
		ruledoc_markdown(&b);
	else {
		fprintf(stderr, "unroot rules: --format needs text, markdown or json, not '%s'\n",
			cli.format);
		rc = 2;
	}
	if (!rc && b.failed) {
		fprintf(stderr, "unroot rules: out of memory\n");
		rc = 2;
	}
	if (!rc) {
		struct out_file of;
		if (!out_open(&of, "rules", cli.output)) {
			rc = 2;
		} else {
			bool written = fwrite(b.data ? b.data : "", 1, b.len, of.fp) == b.len;
			if (!written)
				fprintf(stderr, "unroot rules: cannot write '%s'\n",
					cli.output ? cli.output : "stdout");
			if (!out_close(&of, written) || !written)
				rc = 2;
		}
	}
	buf_release(&b);
	cli_release(&cli);
	return rc;
}
