/* reader.c - the image input kind: detection, reading, the image side, the tree view. */
#include "blob.h"
#include "image-internal.h"
#include "unroot/arena.h"
#include "unroot/buf.h"
#include "identity/identity.h"
#include "util/input.h"
#include "util/reading.h"
#include "util/text.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define PEEK_ENTRIES 64

static bool hex_prefix(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* 1 for a name only images hold, -1 for a Helm chart's Chart.yaml, 0 otherwise. */
static int classify(const char *name)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	const char *slash = strchr(name, '/');
	if (slash && strcmp(slash + 1, "Chart.yaml") == 0 && !strchr(slash + 1, '/'))
		return -1;
	if (strcmp(name, "manifest.json") == 0 || strcmp(name, "index.json") == 0 ||
	    strcmp(name, "oci-layout") == 0 || strcmp(name, "repositories") == 0 ||
	    strncmp(name, "blobs/", 6) == 0)
		return 1;
	if (strlen(name) >= 64 && hex_prefix(name, 64) && (name[64] == '/' || name[64] == '.'))
		return 1;
	return 0;
}

/*
 * A tarball is an image when its first entries look like one, and not a
 * Helm chart (CHART/Chart.yaml). One that cannot be read at all is taken,
 * so that the image reader says what is wrong with it.
 */
static bool peek_tar(const char *path)
{
	/* A pipe named x.tar is taken too: the image reader says it cannot read it. */
	const char *why;
	int fd = input_open(AT_FDCWD, path, 0, NULL, &why);
	if (fd < 0)
		return true;
	struct archive *ar = archive_read_new();
	if (!ar) {
		close(fd);
		return false;
	}
	archive_read_support_format_tar(ar);
	archive_read_support_filter_gzip(ar);
	archive_read_support_filter_zstd(ar);
	bool image = false;
	if (archive_read_open_fd(ar, fd, 65536) != ARCHIVE_OK) {
		archive_read_free(ar);
		close(fd);
		return true;
	}
	struct archive_entry *e;
	for (int i = 0; i < PEEK_ENTRIES; i++) {
		int r = archive_read_next_header(ar, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			image = i == 0;
			break;
		}
		const char *name = archive_entry_pathname(e);
		int c = name ? classify(name) : 0;
		if (c < 0) {
			image = false;
			break;
		}
		if (c > 0)
			image = true;
	}
	archive_read_free(ar);
	close(fd);
	return image;
}

bool image_path_matches(const char *path, bool is_dir)
{
	if (is_dir) {
		char buf[4200];
		struct stat st;
		if (snprintf(buf, sizeof(buf), "%s/oci-layout", path) >= (int)sizeof(buf))
			return false;
		return stat(buf, &st) == 0 && S_ISREG(st.st_mode);
	}
	if (!text_ends_with(path, ".tar", true) && !text_ends_with(path, ".tar.gz", true) &&
	    !text_ends_with(path, ".tgz", true) && !text_ends_with(path, ".tar.zst", true))
		return false;
	return peek_tar(path);
}

static bool match(const char *path, bool is_dir)
{
	return image_path_matches(path, is_dir);
}

/* What the user should know about how the image was read ("holds 2 images; reading the first"). */
static void note(const struct reading *rd, const struct image *img)
{
	const struct lint_options *o = rd->opts;
	if (img->note && o->progress)
		o->progress(o->progress_data, img->note, 0, 0);
}

static void read_image(struct reading *rd)
{
	struct image *img = arena_alloc(rd->arena, sizeof(*img));
	if (!img) {
		reading_error(rd, NULL, NULL, 0, 0, "out of memory reading '%s'", rd->path);
		return;
	}
	int rc = rd->rootfs ? image_load_rootfs(rd, rd->path, rd->opts->image_config, img)
			    : image_load(rd, rd->path, img);
	if (rc != 0)
		return;
	note(rd, img);
	rd->model = img;
}

static const struct image_view *image_view(struct reading *rd)
{
	const struct image *img = rd->model;
	return &img->view;
}

/* --- the tree view ------------------------------------------------------------- */

struct tree {
	struct arena *a;
	const struct fsmodel *fs;
	struct identity id;
	struct buf *out;
	size_t rows;
};

static bool tree_row(struct fs_node *n, void *data)
{
	struct tree *t = data;
	char mode[11], acc[4];
	char p[8192];
	if (!fs_path_buf(n, p, sizeof(p)))
		return true;
	fs_mode_string(n->mode, mode);
	fs_access_string(t->fs, &t->id, p, acc);
	bool cap = fs_xattr_get(n, "security.capability") != NULL;
	buf_printf(t->out, "%s%s %10u %10u %12llu  %s  %s", mode, cap ? "+cap" : "", n->uid, n->gid,
		   (unsigned long long)n->size, acc, p);
	if (fs_type_of(n) == FS_LNK)
		buf_printf(t->out, " -> %s", n->link ? n->link : "");
	buf_putc(t->out, '\n');
	t->rows++;
	return true;
}

int image_tree(struct arena *a, const struct image *img, const char *subtree,
	       const struct identity *id, struct buf *out, const char **why)
{
	if (!subtree || !*subtree)
		subtree = "/";
	struct fs_node *top = fs_resolve(img->fs, subtree, false, why, NULL);
	if (!top)
		return -1;
	struct tree t = {.a = a, .fs = img->fs, .id = *id, .out = out};
	buf_printf(out, "# %s (%s%s%s): access for uid %ld gid %ld\n", img->path, img->layout,
		   img->platform ? ", " : "", img->platform ? img->platform : "", t.id.uid,
		   t.id.gid);
	fs_walk(a, top, tree_row, &t);
	return 0;
}

const struct reader image_reader = {
    .kind = KIND_IMAGE,
    .name = "image",
    .text = false,
    .match = match,
    .read = read_image,
    .view = image_view,
};
