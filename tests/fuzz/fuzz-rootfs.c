/*
 * fuzz-rootfs.c - the --rootfs walk on a tree the input describes, made in
 * a private temporary folder and removed after each run: folders, files
 * (passwd, group, scripts), symlinks, FIFOs, hard links, deep chains; then
 * linted as a root filesystem (the walk, its limits, the facts, the rules)
 * and shown as the --tree view.
 *
 * The input is parts split at "\n==\n": the first is the tree program,
 * byte 0 flags (0x01: the second part is the image config JSON), the rest
 * ops; the later parts are file contents. An op is a byte: its low 3 bits
 * say what, the bytes after it what with:
 *   0 NAME        make folder NAME and go in      4 NAME      make a FIFO
 *   1             go up                           5 NAME      hard link to the last file
 *   2 K MODE NAME a file, contents part K          6 MODE      mode of this folder (u+rwx kept)
 *   3 T NAME      symlink NAME -> target T         7 N         N folders "d", nested, go in
 * A NAME byte picks from a table of the names the facts look at, or makes
 * a short one.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unroot/buf.h"
#include "image/image.h"
#include "unroot/lint.h"

#define MAX_DEPTH 400
#define MAX_PARTS 8

static char dir[64];

static const char *const names[] = {"etc",    "passwd", "group", "bin",	    "sh",   "app",
				    "run.sh", "usr",	"local", "env",	    "data", "home",
				    "tmp",    "x",	".wh.x", "busybox", "lib",  "var"};
static const char *const targets[] = {"/etc/passwd",
				      "passwd",
				      "..",
				      "../..",
				      "/",
				      "../../../../etc/shadow",
				      "x",
				      "/bin/sh",
				      "busybox",
				      "/app",
				      "loop",
				      "/usr/bin/env",
				      "",
				      "sh"};

static void remove_tree(int at, const char *name)
{
	struct stat st;
	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		fchmodat(at, name, 0700, 0);
		int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				remove_tree(dirfd(d), e->d_name);
		}
		if (d)
			closedir(d);
		else if (fd >= 0)
			close(fd);
		unlinkat(at, name, AT_REMOVEDIR);
	} else {
		unlinkat(at, name, 0);
	}
}

static void cleanup(void)
{
	if (dir[0])
		remove_tree(AT_FDCWD, dir);
}

struct prog {
	const uint8_t *p, *end;
};

static int next(struct prog *g)
{
	return g->p < g->end ? *g->p++ : -1;
}

static const char *name_of(int b, char buf[8])
{
	if (b < 0)
		return NULL;
	if ((size_t)b < sizeof(names) / sizeof(names[0]))
		return names[b];
	snprintf(buf, 8, "n%02x", b);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0]) {
		/* In memory when there is a tmpfs: a disk's journal made a run 20 times slower. */
		strcpy(dir, "/dev/shm/unroot-fuzz-rootfs-XXXXXX");
		if (!mkdtemp(dir)) {
			strcpy(dir, "/tmp/unroot-fuzz-rootfs-XXXXXX");
			if (!mkdtemp(dir)) {
				dir[0] = 0;
				return 0;
			}
		}
		atexit(cleanup);
	}
	if (size < 1)
		return 0;
	unsigned flags = data[0];
	struct {
		const uint8_t *p;
		size_t n;
	} parts[MAX_PARTS];
	size_t np = 0;
	const uint8_t *p = data + 1, *end = data + size;
	while (np < MAX_PARTS) {
		const uint8_t *sep = memmem(p, (size_t)(end - p), "\n==\n", 4);
		parts[np].p = p;
		parts[np].n = (size_t)((sep ? sep : end) - p);
		np++;
		if (!sep)
			break;
		p = sep + 4;
	}
	char root[96], config[96];
	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(config, sizeof(config), "%s/config.json", dir);
	if (mkdir(root, 0755) != 0)
		return 0;
	int stack[MAX_DEPTH + 1];
	size_t depth = 0;
	stack[0] = open(root, O_RDONLY | O_DIRECTORY);
	char last[8] = "", nb[8];
	struct prog g = {parts[0].p, parts[0].p + parts[0].n};
	int op;
	while (stack[0] >= 0 && (op = next(&g)) >= 0) {
		int cur = stack[depth];
		const char *name;
		switch (op & 7) {
		case 0:
			if (!(name = name_of(next(&g), nb)) || depth >= MAX_DEPTH)
				break;
			mkdirat(cur, name, 0755);
			int fd = openat(cur, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
			if (fd >= 0)
				stack[++depth] = fd;
			break;
		case 1:
			if (depth > 0)
				close(stack[depth--]);
			break;
		case 2: {
			int k = next(&g), mode = next(&g);
			if (!(name = name_of(k < 0 ? -1 : next(&g), nb)) || mode < 0)
				break;
			/* O_NONBLOCK: a FIFO made under this name must not make the harness wait */
			int fd = openat(cur, name,
					O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK,
					(mode_t)(mode << 1) & 07777);
			if (fd < 0)
				break;
			/* contents come after the config, when there is one */
			size_t first = flags & 1 ? 2 : 1;
			size_t part = np > first ? first + (size_t)k % (np - first) : 0;
			if (parts[part].n && write(fd, parts[part].p, parts[part].n) < 0) {
				/* a short tree is still a tree */
			}
			fchmod(fd, (mode_t)(mode << 1 | (mode & 1 ? 04000 : 0)) & 07777);
			close(fd);
			snprintf(last, sizeof(last), "%s", name);
			break;
		}
		case 3: {
			int t = next(&g);
			if (!(name = name_of(next(&g), nb)) || t < 0)
				break;
			symlinkat(targets[(size_t)t % (sizeof(targets) / sizeof(targets[0]))], cur,
				  name);
			break;
		}
		case 4:
			if ((name = name_of(next(&g), nb)))
				mkfifoat(cur, name, 0755);
			break;
		case 5:
			if ((name = name_of(next(&g), nb)) && last[0])
				linkat(cur, last, cur, name, 0);
			break;
		case 6: {
			int mode = next(&g);
			if (mode >= 0 && depth > 0)
				fchmod(cur, (mode_t)(mode << 3 | 0700) & 07777);
			break;
		}
		case 7: {
			int n = next(&g);
			for (int i = 0; i < n && depth < MAX_DEPTH; i++) {
				mkdirat(stack[depth], "d", 0755);
				int fd =
				    openat(stack[depth], "d", O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
				if (fd < 0)
					break;
				stack[++depth] = fd;
			}
			break;
		}
		}
	}
	for (size_t i = 0; i <= depth; i++)
		if (stack[i] >= 0)
			close(stack[i]);

	struct lint_options o;
	lint_options_init(&o);
	o.limits.arena = 128u << 20;
	o.limits.tar_entries = 5000;
	if ((flags & 1) && np > 1) {
		int fd = open(config, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			if (write(fd, parts[1].p, parts[1].n) < 0) {
				/* an empty config is a config too */
			}
			close(fd);
			o.image_config = config;
		}
	}
	o.rootfs = root;
	struct lint_run *run = lint_run_new(&o);
	if (run) {
		lint_run_paths(run, NULL, 0);
		struct buf b;
		buf_init(&b);
		lint_run_tree(run, root, "/", &b);
		buf_release(&b);
		lint_run_finish(run);
		lint_run_free(run);
	}
	remove_tree(AT_FDCWD, root);
	unlink(config);
	return 0;
}
