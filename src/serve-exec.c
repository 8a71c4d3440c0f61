/*
 * serve-exec.c - `unroot serve` runs unroot-serve, the webhook server, in
 * its place. The server links libmicrohttpd and GnuTLS, which cannot be
 * linked statically here and would slow every start of the CLI (as libcurl
 * would: unroot-fetch is a program of its own for the same reason).
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* $UNROOT_SERVE, else beside this program (a build folder, or one prefix), else where installed. */
static const char *server_path(char *buf, size_t size)
{
	const char *env = getenv("UNROOT_SERVE");
	if (env && *env)
		return env;
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	if (n > 0) {
		buf[n] = 0;
		char *slash = strrchr(buf, '/');
		if (slash && (size_t)(slash - buf) + sizeof("/unroot-serve") <= size) {
			strcpy(slash, "/unroot-serve");
			if (access(buf, X_OK) == 0)
				return buf;
		}
	}
#ifdef UNROOT_SERVE_PATH
	return UNROOT_SERVE_PATH;
#else
	return NULL;
#endif
}

int cmd_serve(int argc, char **argv)
{
	(void)argc;
	char buf[4096];
	const char *path = server_path(buf, sizeof(buf));
	if (!path) {
		fprintf(stderr,
			"unroot serve: this unroot was built without the webhook server "
			"(it needs libmicrohttpd and GnuTLS: meson setup -Dserve=enabled)\n");
		return 2;
	}
	argv[0] = (char *)path;
	execv(path, argv);
	fprintf(stderr, "unroot serve: cannot run '%s': %s\n", path, strerror(errno));
	return 2;
}
