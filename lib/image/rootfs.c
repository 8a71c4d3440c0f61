/*
 * rootfs.c - an unpacked root filesystem (umoci unpack, a chroot) read into
 * the same model as an image: lstat only, symlinks never followed, no
 * crossing into other mounted filesystems.
 */
#include "blob.h"
#include "image-internal.h"
#include "unroot/arena.h"
#include "util/input.h"
#include "util/reading.h"
#include "unroot/source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Folders below the root the walk enters, at most. */
#define MAX_DEPTH 256

struct walk {
	struct reading *rd;
	struct arena *a; /* the entries' arena, freed once they are in the model */
	int rootfd;
	dev_t dev;
	struct layer l;
	const char *dir;
	const char *error; /* in the run's arena: it outlives the walk's */
};

/* `path` is "/" and rel, in the walk's arena: the entry keeps it. */
static int add(struct walk *w, const char *path, const struct stat *st)
{
	const char *rel = path + 1;
	struct layer_entry *e = ARR_PUSH(w->a, w->l.entries, w->l.n, w->l.cap);
	if (!e)
		return -1;
	e->path = path;
	e->mode = (uint32_t)(st->st_mode & 0170000) | (uint32_t)(st->st_mode & 07777);
	e->uid = (uint32_t)st->st_uid;
	e->gid = (uint32_t)st->st_gid;
	e->size = (uint64_t)st->st_size;
	if (S_ISLNK(st->st_mode)) {
		char buf[4097];
		ssize_t n = readlinkat(w->rootfd, rel, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = 0;
		e->link = arena_strdup(w->a, buf);
	}
	if (S_ISREG(st->st_mode)) {
		/* File capabilities are the only xattr the rules read. */
		char full[8192];
		unsigned char val[1024];
		snprintf(full, sizeof(full), "%s/%s", w->dir, rel);
		ssize_t n = lgetxattr(full, "security.capability", val, sizeof(val));
		if (n > 0) {
			struct fs_xattr *x = arena_alloc(w->a, sizeof(*x));
			unsigned char *v = arena_alloc(w->a, (size_t)n);
			if (x && v) {
				memcpy(v, val, (size_t)n);
				x->name = "security.capability";
				x->value = v;
				x->len = (size_t)n;
				e->xattrs = x;
			}
		}
	}
	return 0;
}

static int walk_dir(struct walk *w, const char *rel, size_t depth)
{
	const struct lint_limits *lim = &w->rd->opts->limits;
	if (depth > MAX_DEPTH) {
		w->error = arena_printf(
		    w->rd->arena, "'/%.200s...' is nested more than %d folders deep, the limit",
		    rel, MAX_DEPTH);
		return -1;
	}
	int fd = *rel ? openat(w->rootfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
		      : dup(w->rootfd);
	if (fd < 0)
		return 0; /* unreadable folder: listed, not entered */
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	struct dirent *de;
	char **subdirs = NULL;
	size_t nsub = 0, capsub = 0;
	int rc = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		/* One copy a path: "/rel/name" for the entry, and without its "/" for the walk. */
		size_t rl = strlen(rel), nl = strlen(de->d_name);
		char *path = arena_alloc_raw(w->a, rl + nl + 3);
		struct stat st;
		if (!path) {
			rc = -1;
			break;
		}
		path[0] = '/';
		memcpy(path + 1, rel, rl);
		path[1 + rl] = '/';
		memcpy(path + 1 + (rl ? rl + 1 : 0), de->d_name, nl + 1);
		char *child = path + 1;
		if (strlen(child) > lim->path_len) {
			w->error = arena_printf(w->rd->arena,
						"a path under '/%.200s' is longer than %zu bytes, "
						"the limit",
						rel, lim->path_len);
			rc = -1;
			break;
		}
		if (fstatat(w->rootfd, child, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (w->l.n >= lim->tar_entries) {
			w->error =
			    arena_printf(w->rd->arena, "it has more than %zu entries, the limit",
					 lim->tar_entries);
			rc = -1;
			break;
		}
		if (add(w, path, &st) != 0) {
			rc = -1;
			break;
		}
		if (S_ISDIR(st.st_mode) && st.st_dev == w->dev) {
			char **slot = ARR_PUSH(w->a, subdirs, nsub, capsub);
			if (slot)
				*slot = child;
		}
	}
	closedir(d);
	for (size_t i = 0; rc == 0 && i < nsub; i++)
		rc = walk_dir(w, subdirs[i], depth + 1);
	return rc;
}

/*
 * Reads up to `cap` bytes of a file of the root filesystem that the model
 * says is a regular file. Its folders are real ones (the walk saw them),
 * and the file itself must still be a regular file: a pipe put there since
 * would make a read wait forever.
 */
static void read_content(struct walk *w, struct arena *a, struct fs_node *n, size_t cap)
{
	if (!n || n->content || fs_type_of(n) != FS_REG)
		return;
	const char *p = fs_path(a, n);
	struct stat st;
	const char *why;
	int fd = input_open(w->rootfd, p + 1, INPUT_NOFOLLOW, &st, &why);
	if (fd < 0)
		return;
	size_t room = (uint64_t)st.st_size < cap ? (size_t)st.st_size : cap;
	char *buf = arena_alloc(a, room + 1);
	size_t got = 0;
	while (buf && got < room) {
		ssize_t r = read(fd, buf + got, room - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (buf) {
		buf[got] = 0;
		n->content = buf;
		n->content_len = got;
		n->content_truncated = (uint64_t)st.st_size > got;
	}
}

struct fetch_ctx {
	struct walk *w;
	struct arena *a;
};

static void fetch_cb(void *data, struct fs_node *n, size_t cap)
{
	struct fetch_ctx *f = data;
	read_content(f->w, f->a, n, cap);
}

int image_load_rootfs(struct reading *rd, const char *dir, const char *config, struct image *img)
{
	struct arena *a = rd->arena;
	memset(img, 0, sizeof(*img));
	img->path = dir;
	img->layout = "rootfs";
	img->view.origin = dir;
	img->view.from_image = true;
	img->view.user = "";
	img->view.user_known = config != NULL;
	img->view.uid = img->view.gid = -1;
	if (config) {
		const char *why = NULL;
		struct source *src = source_read(a, config, rd->opts->limits.file_size, &why);
		if (!src) {
			reading_error(rd, dir, NULL, 0, 0, "cannot read the image config '%s': %s",
				      config, why);
			return -1;
		}
		const char *enc = image_json_encoding(src->data, src->len);
		if (enc) {
			reading_error(rd, config, src, 0, 0, "'%s' %s", config, enc);
			return -1;
		}
		json_error_t je;
		json_t *j = json_loadb(src->data, src->len, 0, &je);
		if (!j) {
			reading_error(rd, config, src, (size_t)je.position, (size_t)je.position,
				      "not valid JSON: %s", je.text);
			return -1;
		}
		why = image_config_apply(a, img, j, config);
		json_decref(j);
		if (why) {
			reading_error(rd, config, src, 0, 0, "%s", why);
			return -1;
		}
	}
	struct walk w = {.rd = rd, .dir = dir};
	w.rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	if (w.rootfd < 0 || fstat(w.rootfd, &st) != 0) {
		reading_error(rd, dir, NULL, 0, 0, "cannot open folder '%s': %s", dir,
			      strerror(errno));
		if (w.rootfd >= 0)
			close(w.rootfd);
		return -1;
	}
	w.dev = st.st_dev;
	w.a = arena_new_shared(rd->arena); /* the run's memory limit */
	w.l.arena = w.a;
	int rc = w.a ? walk_dir(&w, "", 0) : -1;
	img->fs = fs_new(a, rd->opts->limits.tar_entries);
	if (rc == 0 && img->fs) {
		img->fs->root->mode = FS_DIR | (uint32_t)(st.st_mode & 07777);
		img->fs->root->uid = (uint32_t)st.st_uid;
		img->fs->root->gid = (uint32_t)st.st_gid;
		const char *why = NULL;
		rc = fs_apply_layer(img->fs, &w.l, 0, &why);
		if (rc != 0)
			w.error = why;
	}
	arena_free(w.a);
	if (rc != 0 || !img->fs) {
		reading_error(rd, dir, NULL, 0, 0, "cannot read the root filesystem '%s': %s", dir,
			      w.error ? w.error : "out of memory");
		close(w.rootfd);
		return -1;
	}
	img->view.fs = img->fs;
	image_path_env(a, img);
	struct fetch_ctx f = {&w, a};
	image_facts_targets(a, img, &f, fetch_cb);
	close(w.rootfd);
	if (image_facts(rd, img) != 0)
		return -1;
	return 0;
}
