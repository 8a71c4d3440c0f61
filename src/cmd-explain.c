/* cmd-explain.c - unroot explain RULE: what it checks, why, and how to fix it. */
#include "cli.h"
#include "unroot/buf.h"
#include "unroot/output.h"
#include "unroot/rule.h"
#include "unroot/ruledoc.h"

#include <stdio.h>
#include <string.h>

int cmd_explain(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		puts("usage: unroot explain RULE\n\nRULE is a code (NR102) or a name (user-root).");
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: unroot explain RULE\n");
		return 2;
	}
	const struct rule *r = rule_find(argv[1]);
	if (!r) {
		const struct rule *near = rule_nearest(argv[1]);
		if (near)
			fprintf(
			    stderr,
			    "unroot explain: no rule '%s'; did you mean %s (%s)? 'unroot rules' "
			    "lists them\n",
			    argv[1], near->code, near->name);
		else
			fprintf(stderr, "unroot explain: no rule '%s'; 'unroot rules' lists them\n",
				argv[1]);
		return 2;
	}
	struct buf b;
	buf_init(&b);
	ruledoc_explain(&b, r);
	buf_printf(&b, "\nMore: %s#", UNROOT_DOCS_URL);
	rule_anchor(r, &b);
	buf_putc(&b, '\n');
	fwrite(b.data ? b.data : "", 1, b.len, stdout);
	buf_release(&b);
	return 0;
}
