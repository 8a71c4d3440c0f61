/* path.c - paths relative to a base folder, and the repository's top folder. */
#include "util/path.h"
#include "unroot/buf.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Appends the normalised segments of `path` to the segment stack in `out` (a '/'-joined path). */
static void push_segments(struct buf *out, const char *path)
{
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n == 1 && p[0] == '.') {
			/* "." adds nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *last = out->len ? memrchr(out->data, '/', out->len) : NULL;
			out->len = last ? (size_t)(last - out->data) : 0;
			if (out->data)
				out->data[out->len] = 0;
		} else {
			buf_putc(out, '/');
			buf_add(out, p, n);
		}
		p += n;
	}
}

char *path_relative(const char *cwd, const char *base, const char *path, bool *absolute)
{
	*absolute = false;
	if (strcmp(path, "-") == 0 || !*path)
		return strdup(path);
	char cwdbuf[PATH_MAX];
	if (!cwd)
		cwd = getcwd(cwdbuf, sizeof(cwdbuf));
	struct buf abs, root;
	buf_init(&abs);
	buf_init(&root);
	if (path[0] != '/') {
		if (!cwd) {
			/* Without a working folder, only drop what says nothing. */
			push_segments(&abs, path);
			char *s = strdup(abs.len ? abs.data + 1 : ".");
			buf_release(&abs);
			return s;
		}
		push_segments(&abs, cwd);
	}
	push_segments(&abs, path);
	/* A relative base is taken from the working folder too. */
	if (base && base[0] != '/' && cwd)
		push_segments(&root, cwd);
	if (base)
		push_segments(&root, base);
	else if (cwd)
		push_segments(&root, cwd);
	bool have_root = base || cwd;
	char *result = NULL;
	const char *a = abs.data ? abs.data : "";
	const char *b = root.data ? root.data : "";
	if (!abs.failed && !root.failed) {
		if (have_root && strncmp(a, b, root.len) == 0 &&
		    (a[root.len] == '/' || !a[root.len])) {
			result = strdup(a[root.len] ? a + root.len + 1 : ".");
		} else {
			*absolute = true;
			result = strdup(abs.len ? a : "/");
		}
	}
	buf_release(&abs);
	buf_release(&root);
	return result;
}

char *path_repo_root(const char *dir)
{
	char *d = realpath(dir, NULL);
	if (!d)
		return NULL;
	struct buf git;
	buf_init(&git);
	for (;;) {
		struct stat st;
		git.len = 0;
		buf_puts(&git, strcmp(d, "/") ? d : "");
		buf_puts(&git, "/.git");
		/* a folder in a clone, a file in a worktree or a submodule */
		if (!git.failed && stat(git.data, &st) == 0 &&
		    (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
			buf_release(&git);
			return d;
		}
		if (strcmp(d, "/") == 0)
			break;
		char *slash = strrchr(d, '/');
		if (slash == d)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	buf_release(&git);
	free(d);
	return NULL;
}
