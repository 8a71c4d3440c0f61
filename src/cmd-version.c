/* cmd-version.c - unroot version. */
#include "cli.h"

#include <archive.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

int cmd_version(int argc, char **argv)
{
	/* It takes nothing: a word after it is a mistake to say, not to pass over. */
	if (argc > 1) {
		if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
			puts(
			    "usage: unroot version\n\nPrints unroot's version and its libraries'.");
			return 0;
		}
		fprintf(stderr,
			"unroot version: unexpected '%s': the command takes no options or "
			"arguments\nTry 'unroot version --help'.\n",
			argv[1]);
		return 2;
	}
	printf("unroot %s (libyaml %s, jansson %s, %s)\n", UNROOT_VERSION,
	       yaml_get_version_string(), JANSSON_VERSION, archive_version_string());
	return 0;
}
