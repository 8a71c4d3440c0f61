/*
 * sandbox.c - what `helm template` gets to see: a private copy of the chart
 * and an environment with nothing of ours in it.
 *
 * The static reader never follows a symlink, but helm does: a chart in a
 * repository with `files/s -> /etc/hostname` or `files/env ->
 * /proc/self/environ` put those files, environment tokens included, into
 * the report that CI uploads. So helm renders a copy that holds only regular
 * files and folders: a symlink whose target lies inside the chart is copied
 * as what it names, one that leads out of the chart (or nowhere), a pipe, a
 * socket or a device is left out with an NR000 naming it. The copy is
 * bounded as the static reader is (files, bytes, depth).
 *
 * helm runs with PATH alone of the caller's environment (for the plugins and
 * tools it may start), HOME and its cache, config and data folders inside
 * the private folder, which is removed afterwards. A packaged chart (.tgz)
 * is given to helm as it is: helm reads an archive's links as empty files.
 */
#include "helm-internal.h"
#include "unroot/arena.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct copier {
	struct reading *rd;
	const struct helm_chart *c;
	const char *real_root; /* the chart folder with every link resolved */
	size_t real_len;
	size_t files, bytes;
	bool failed; /* a bound was hit: no render */
};

static bool inside(const struct copier *k, const char *real)
{
	return strncmp(real, k->real_root, k->real_len) == 0 &&
	       (real[k->real_len] == '/' || real[k->real_len] == '\0');
}

static void left_out(struct copier *k, const char *shown, const char *why)
{
	reading_error(k->rd, k->c->path, NULL, 0, 0,
		      "'%s' %s: left out of the copy of the chart that helm template renders",
		      shown, why);
}

/* Copies the regular file open at `in` to a new file dst; false when a bound is hit. */
static bool copy_data(struct copier *k, int in, const char *dst, const char *shown)
{
	struct stat st;
	if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode))
		return true;
	if (++k->files > HELM_MAX_FILES || k->bytes + (size_t)st.st_size > HELM_MAX_BYTES) {
		reading_error(k->rd, k->c->path, NULL, 0, 0,
			      "chart '%s' holds more than %u files or %u MiB (at '%s'); helm "
			      "template was not run",
			      k->c->path, (unsigned)HELM_MAX_FILES,
			      (unsigned)(HELM_MAX_BYTES >> 20), shown);
		k->failed = true;
		return false;
	}
	int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return true;
	char buf[65536];
	size_t left = HELM_MAX_BYTES - k->bytes;
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if ((size_t)n > left)
			n = (ssize_t)left; /* the file grew while we read it */
		left -= (size_t)n;
		k->bytes += (size_t)n;
		if (write(out, buf, (size_t)n) != n)
			break;
		if (!left)
			break;
	}
	close(out);
	return true;
}

static void copy_dir(struct copier *k, const char *src, const char *dst, const char *shown,
		     size_t depth);

/* One entry of a chart folder: src is its path, dst the copy's, shown its name in the chart. */
static void copy_entry(struct copier *k, const char *src, const char *dst, const char *shown,
		       size_t depth)
{
	struct stat st;
	if (k->failed || lstat(src, &st) != 0)
		return;
	if (S_ISLNK(st.st_mode)) {
		char *real = realpath(src, NULL);
		if (!real) {
			left_out(k, shown, "is a symbolic link to nothing");
			return;
		}
		bool in = inside(k, real);
		if (!in || stat(real, &st) != 0) {
			char target[PATH_MAX];
			ssize_t n = readlink(src, target, sizeof(target) - 1);
			target[n > 0 ? n : 0] = '\0';
			const char *why = arena_printf(
			    k->rd->arena, "is a symbolic link to '%s', outside the chart",
			    n > 0 ? target : real);
			left_out(k, shown, why ? why : "is a symbolic link outside the chart");
			free(real);
			return;
		}
		/* a link within the chart: copied as what it names */
		if (S_ISDIR(st.st_mode)) {
			copy_dir(k, real, dst, shown, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			int fd = open(real, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			if (fd >= 0) {
				copy_data(k, fd, dst, shown);
				close(fd);
			}
		} else {
			left_out(k, shown, "is a symbolic link to a pipe, socket or device");
		}
		free(real);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		copy_dir(k, src, dst, shown, depth + 1);
	} else if (S_ISREG(st.st_mode)) {
		/* O_NONBLOCK: the file may have become a pipe since lstat */
		int fd = open(src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0) {
			copy_data(k, fd, dst, shown);
			close(fd);
		}
	} else {
		left_out(k, shown, "is not a regular file (a pipe, socket or device)");
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void copy_dir(struct copier *k, const char *src, const char *dst, const char *shown,
		     size_t depth)
{
	struct arena *a = k->rd->arena;
	if (k->failed)
		return;
	/* folders count as files: two links to "." would otherwise make 2^depth empty ones */
	if (++k->files > HELM_MAX_FILES) {
		reading_error(k->rd, k->c->path, NULL, 0, 0,
			      "chart '%s' holds more than %u files (at '%s'); helm template was "
			      "not run",
			      k->c->path, (unsigned)HELM_MAX_FILES, shown);
		k->failed = true;
		return;
	}
	if (depth > k->rd->opts->limits.dir_depth) {
		reading_error(k->rd, k->c->path, NULL, 0, 0,
			      "chart '%s' is nested deeper than the limit at '%s'; helm template "
			      "was not run",
			      k->c->path, shown);
		k->failed = true;
		return;
	}
	if (mkdir(dst, 0700) != 0 && errno != EEXIST)
		return;
	DIR *d = opendir(src);
	if (!d)
		return;
	const char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    (depth == 0 && strcmp(e->d_name, ".git") == 0))
			continue;
		const char **slot = ARR_PUSH(a, names, n, cap);
		if (!slot || !(*slot = arena_strdup(a, e->d_name))) {
			k->failed = true;
			break;
		}
		if (n > HELM_MAX_FILES)
			break;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && !k->failed; i++) {
		const char *s = arena_concat(a, src, "/", names[i]);
		const char *t = arena_concat(a, dst, "/", names[i]);
		const char *sh = *shown ? arena_concat(a, shown, "/", names[i]) : names[i];
		if (!s || !t || !sh) {
			k->failed = true;
			return;
		}
		copy_entry(k, s, t, sh, depth);
	}
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void helm_sandbox_close(struct helm_sandbox *sb)
{
	if (sb->root)
		nftw(sb->root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	sb->root = NULL;
}

bool helm_sandbox_open(struct reading *rd, const struct helm_chart *c, struct helm_sandbox *sb)
{
	struct arena *a = rd->arena;
	memset(sb, 0, sizeof(*sb));
	const char *tmp = getenv("TMPDIR");
	char *root = arena_concat(a, tmp && *tmp == '/' ? tmp : "/tmp", "/", "unroot-helm-XXXXXX");
	if (!root || !mkdtemp(root)) {
		reading_error(rd, c->path, NULL, 0, 0,
			      "cannot make a private folder to render chart '%s' in: %s", c->path,
			      root ? strerror(errno) : "out of memory");
		return false;
	}
	sb->root = root;
	const char *home = arena_concat(a, root, "/", "home");
	const char *path = getenv("PATH");
	sb->envp = arena_alloc(a, 6 * sizeof(*sb->envp));
	if (!home || !sb->envp || mkdir(home, 0700) != 0)
		goto fail;
	size_t n = 0;
	if (path)
		sb->envp[n++] = arena_concat(a, "PATH=", "", path);
	sb->envp[n++] = arena_concat(a, "HOME=", "", home);
	sb->envp[n++] = arena_concat(a, "HELM_CACHE_HOME=", home, "/cache");
	sb->envp[n++] = arena_concat(a, "HELM_CONFIG_HOME=", home, "/config");
	sb->envp[n++] = arena_concat(a, "HELM_DATA_HOME=", home, "/data");
	for (size_t i = 0; i < n; i++)
		if (!sb->envp[i])
			goto fail;
	if (c->packaged) {
		sb->chart = c->path;
		return true;
	}
	char *real = realpath(c->path, NULL);
	if (!real)
		goto fail;
	struct copier k = {.rd = rd, .c = c, .real_root = real, .real_len = strlen(real)};
	if (k.real_len == 1)
		k.real_len = 0; /* a chart at / holds everything */
	const char *dst = arena_concat(a, root, "/", "chart");
	if (dst)
		copy_dir(&k, real, dst, "", 0);
	free(real);
	if (k.failed) {
		helm_sandbox_close(sb);
		return false; /* said already */
	}
	if (!dst)
		goto fail;
	sb->chart = dst;
	return true;
fail:
	reading_error(rd, c->path, NULL, 0, 0, "cannot copy chart '%s' to render it: %s", c->path,
		      arena_failed(a) ? "out of memory" : strerror(errno));
	helm_sandbox_close(sb);
	return false;
}
