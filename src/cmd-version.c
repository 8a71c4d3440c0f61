/* cmd-version.c - unroot version. */
#include "cli.h"

#include <archive.h>
#include <jansson.h>
#include <stdio.h>
#include <yaml.h>

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("unroot %s (libyaml %s, jansson %s, %s)\n", UNROOT_VERSION,
	       yaml_get_version_string(), JANSSON_VERSION, archive_version_string());
	return 0;
}
