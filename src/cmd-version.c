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
	/* liburing 2.3 has no version to ask; that it is built in is what matters */
#ifdef UNROOT_HAVE_LIBURING
	const char *uring = ", liburing";
#else
	const char *uring = "";
#endif
	printf("unroot %s (libyaml %s, jansson %s, %s%s)\n", UNROOT_VERSION,
	       yaml_get_version_string(), JANSSON_VERSION, archive_version_string(), uring);
	return 0;
}
