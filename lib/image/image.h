/*
 * image.h - built images: reading them, and the filesystem model the image
 * rules and the identity model look at.
 *
 * An image is read into a `struct image`: the config (user, entrypoint, env,
 * volumes) and a `struct fsmodel`, the merged filesystem after every layer
 * is applied the way the runtimes apply it (whiteouts, opaque folders, hard
 * links, files replaced by folders and the reverse). The model holds
 * metadata only (path, type, owner, group, mode, size, link target, xattrs),
 * so its memory grows with the number of entries, never with file sizes.
 * File contents are kept only for /etc/passwd, /etc/group and the
 * entrypoint's script, each capped.
 *
 * Everything lives in the run's arena. Nothing here writes anywhere: layers
 * are read as streams, and symbolic links are resolved inside the image
 * root only.
 */
#ifndef UNROOT_IMAGE_H
#define UNROOT_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/view.h"

struct arena;
struct buf;
struct identity;
struct reading;
struct lint_limits;

/* File types, as the S_IFMT bits of a mode. */
enum fs_type {
	FS_REG = 0100000,
	FS_DIR = 0040000,
	FS_LNK = 0120000,
	FS_CHR = 0020000,
	FS_BLK = 0060000,
	FS_FIFO = 0010000,
	FS_SOCK = 0140000,
};

struct fs_xattr {
	const char *name; /* "security.capability" */
	const unsigned char *value;
	size_t len;
	struct fs_xattr *next;
};

/*
 * One path of the merged filesystem. Nodes form a tree (parent, children
 * in a doubly linked list) and are also found by (parent, name) in a hash
 * table, so a whiteout removes a whole subtree in constant time.
 */
struct fs_node {
	struct fs_node *parent, *child, *prev, *next;
	struct fs_node *hnext; /* hash chain */
	const char *name;      /* one component; "" for the root */
	const char *link;      /* symlink target as written */
	struct fs_xattr *xattrs;
	const char *content; /* captured contents (capped), or NULL */
	size_t content_len;
	/*
	 * Where a regular file's bytes are: the path they were written at, when
	 * a hard link made this node (NULL: the node's own path), in layer
	 * data_layer. Contents are fetched from there.
	 */
	const char *data_path;
	uint64_t size;
	uint32_t uid, gid;
	uint32_t mode;	     /* type (enum fs_type) | permission bits 07777 */
	uint32_t hash;	     /* of (parent, name) */
	uint16_t layer;	     /* index of the layer that last wrote it */
	uint16_t data_layer; /* see data_path */
	bool content_truncated;
};

struct fsmodel {
	struct arena *arena;
	struct fs_node *root;
	struct fs_node **buckets;
	size_t nbuckets, nnodes;
	size_t nentries; /* layer entries applied, whiteouts included */
	size_t max_entries;
};

/* The type bits of a node. */
static inline enum fs_type fs_type_of(const struct fs_node *n)
{
	return (enum fs_type)(n->mode & 0170000);
}

struct fsmodel *fs_new(struct arena *a, size_t max_entries);

/*
 * A copy of a whole tree in arena `a`, to change without touching the
 * original (a Dockerfile's changes over its base image); names, links,
 * xattrs and captured contents are shared. NULL when out of memory.
 */
struct fsmodel *fs_clone(struct arena *a, const struct fsmodel *src);

/*
 * Lookup of an absolute path without following symlinks anywhere, the way
 * the model stores it ("/app/run.sh", "/" for the root). NULL when absent.
 */
struct fs_node *fs_lookup(const struct fsmodel *fs, const char *path);

/*
 * Resolves a path the way the kernel does inside a chroot at the image
 * root: every symlink, in the middle or at the end (unless nofollow), is
 * followed inside the root, ".." at the root stays at the root. Returns the
 * node, or NULL with *why set ("no such file", "too many levels of symbolic
 * links", "not a directory"). *escaped turns true when a link climbed above
 * the root with ".." (the kernel clamps it; unroot reports it).
 */
struct fs_node *fs_resolve(const struct fsmodel *fs, const char *path, bool nofollow,
			   const char **why, bool *escaped);

/*
 * fs_resolve, calling enter(arg, dir) for each folder before a component is
 * looked up in it (the kernel's search-permission check); when enter returns
 * false the walk stops and NULL is returned with *why untouched.
 */
struct fs_node *fs_resolve_through(const struct fsmodel *fs, const char *path, bool nofollow,
				   const char **why, bool *escaped,
				   bool (*enter)(void *arg, const struct fs_node *dir), void *arg);

/* The child `name` (len bytes) of a folder, or NULL. */
struct fs_node *fs_child(const struct fsmodel *fs, const struct fs_node *parent, const char *name,
			 size_t len);

/* The absolute path of a node, in the arena. */
const char *fs_path(struct arena *a, const struct fs_node *n);
/* The same into buf; false when it does not fit. For walks over every node. */
bool fs_path_buf(const struct fs_node *n, char *buf, size_t size);

/* The value of an xattr, or NULL. */
const struct fs_xattr *fs_xattr_get(const struct fs_node *n, const char *name);

/* "drwxr-x---" for a node. `out` holds at least 11 bytes. */
void fs_mode_string(uint32_t mode, char *out);

/*
 * Every node under `top` (itself included), depth first, children in name
 * order. `fn` returns false to skip a folder's children.
 */
void fs_walk(struct arena *a, struct fs_node *top, bool (*fn)(struct fs_node *n, void *data),
	     void *data);

/* --- applying layer entries ------------------------------------------------ */

/* One entry of a layer, as read from its tar stream. */
struct layer_entry {
	const char *path; /* normalised, absolute: "/app/x" */
	uint32_t mode;	  /* type | permissions; 0 for whiteouts */
	uint32_t uid, gid;
	uint64_t size;
	const char *link; /* symlink target, or hard link target (normalised) */
	bool hardlink;	  /* link names another entry */
	bool whiteout;	  /* .wh.NAME: path is the removed NAME */
	bool opaque;	  /* .wh..wh..opq: path is the opaque folder */
	struct fs_xattr *xattrs;
	const char *content; /* captured contents, when asked for */
	size_t content_len;
	bool content_truncated;
};

struct layer {
	struct arena *arena; /* the entries' own arena, freed after merging */
	struct layer_entry *entries;
	size_t n, cap;
	bool contents_apart; /* the reader keeps the entries' contents itself: not copied */
	const char *error;   /* why reading failed, or NULL */
};

/*
 * Applies one layer's entries as the runtimes do: whiteouts and opaque
 * markers first (they hide only what lower layers made), then the entries
 * in order. Returns 0, or -1 with *why (a hard link to a missing target, a
 * path through a symlink, the entry limit, a full arena).
 */
int fs_apply_layer(struct fsmodel *fs, const struct layer *l, uint16_t index, const char **why);

/* --- passwd and group ------------------------------------------------------ */

struct passwd_entry {
	const char *name;
	long uid, gid;
	const char *home, *shell;
};

struct group_entry {
	const char *name;
	long gid;
	const char **members;
	size_t nmembers;
};

struct passwd_db {
	struct passwd_entry *users;
	size_t nusers, capusers;
	struct group_entry *groups;
	size_t ngroups, capgroups;
	bool have_passwd, have_group;
	bool passwd_cut, group_cut; /* more lines than PASSWD_MAX_ENTRIES: the rest not kept */
};

/* Entries kept of each file: lookups are linear. */
#define PASSWD_MAX_ENTRIES 100000

/*
 * Parses /etc/passwd and /etc/group texts (either may be NULL). Malformed
 * lines are skipped as the C library skips them. Bounded by the input size;
 * past PASSWD_MAX_ENTRIES lines of either, passwd_cut or group_cut is set.
 */
void passwd_parse(struct arena *a, const char *passwd, size_t plen, const char *group, size_t glen,
		  struct passwd_db *db);
const struct passwd_entry *passwd_by_name(const struct passwd_db *db, const char *name);
const struct passwd_entry *passwd_by_uid(const struct passwd_db *db, long uid);
const struct group_entry *group_by_name(const struct passwd_db *db, const char *name);
const struct group_entry *group_by_gid(const struct passwd_db *db, long gid);

/* --- the image ------------------------------------------------------------- */

struct image {
	const char *path;     /* as the user named it */
	const char *layout;   /* "docker-archive", "oci-layout", "oci-archive", "rootfs" */
	const char *platform; /* "linux/amd64" when picked from an index, or NULL */
	const char *note;     /* what was picked and why, for the user, or NULL */
	/*
	 * "sha256:<hex>" of what the reference named: the manifest, or the index
	 * a platform was picked from (what `REF@digest` pins); NULL for a docker
	 * save tarball or a root filesystem, which have none.
	 */
	const char *digest;
	struct image_view view; /* user, entrypoint, ... and fs */
	struct fsmodel *fs;

	/* The config's User resolved through the image's passwd and group. */
	struct passwd_db db;
	bool user_found;     /* a name that /etc/passwd has, or a number */
	bool group_found;    /* the ":group" part resolves, or there is none */
	const char *missing; /* the name that did not resolve, or NULL */
	long *groups;	     /* supplementary groups from /etc/group */
	size_t ngroups;

	const char **path_env; /* the PATH folders from Env (or the default) */
	size_t npath_env;
	bool path_env_cut; /* PATH lists more than IMAGE_MAX_PATH_DIRS folders */
	size_t nlayers;
	uint64_t bytes_compressed, bytes_uncompressed;
};

/*
 * The image a view belongs to: the view of a built image is the `view`
 * member of its struct image (image_load, the reader's image side). NULL
 * for a Dockerfile's view.
 */
static inline const struct image *image_of_view(const struct image_view *v)
{
	return v && v->from_image
		   ? (const struct image *)(const void *)((const char *)v -
							  offsetof(struct image, view))
		   : NULL;
}

/*
 * The programs the container starts: the entrypoint (or cmd) program, and
 * for `sh -c "SCRIPT"` the first command of SCRIPT. Returns how many.
 */
size_t image_programs(struct arena *a, const struct image_view *v, const char *out[2]);

/* PATH folders followed at most; a longer PATH sets path_env_cut. */
#define IMAGE_MAX_PATH_DIRS 256

/* Fills img->path_env from the config's PATH, or the runtimes' default. */
void image_path_env(struct arena *a, struct image *img);

/*
 * The node a program name starts, through PATH and the working folder, as
 * the runtimes look it up; NULL when there is none. *path gets the path
 * that was found (before links).
 */
struct fs_node *image_find_program(struct arena *a, const struct image *img, const char *prog,
				   const char **path);

/*
 * Reads an image (any layout unroot knows) into *out, in rd->arena, with
 * rd's options. On failure returns -1 after an error in rd (util/reading.h).
 */
int image_load(struct reading *rd, const char *path, struct image *out);

/* Reads an unpacked root filesystem with an optional config file. */
int image_load_rootfs(struct reading *rd, const char *dir, const char *config, struct image *out);

/*
 * The ls -ln-like permission view of `subtree` (default "/") of an image,
 * one row per path, with what `id` can do: "r-x". Returns 0, or -1 with
 * *why set when the subtree is not in the image.
 */
int image_tree(struct arena *a, const struct image *img, const char *subtree,
	       const struct identity *id, struct buf *out, const char **why);

/* True when a .tar/.tar.gz/.tgz or folder holds an image (not a Helm chart). */
bool image_path_matches(const char *path, bool is_dir);

#endif
