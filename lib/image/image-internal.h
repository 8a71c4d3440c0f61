/* image-internal.h - what the files of lib/image share and nothing else sees. */
#ifndef UNROOT_IMAGE_INTERNAL_H
#define UNROOT_IMAGE_INTERNAL_H

#include "image/image.h"

#include <jansson.h>

struct reading;

/*
 * What is read of the few files whose contents the facts need: /etc/passwd
 * and /etc/group whole, up to IMAGE_TEXT_CAP (past it, an NR000: the user
 * cannot be resolved for sure); of a program, only its first
 * IMAGE_SCRIPT_CAP bytes, which is all the kernel reads for a #! line
 * (BINPRM_BUF_SIZE).
 */
#define IMAGE_TEXT_CAP	 ((size_t)1 << 20)
#define IMAGE_SCRIPT_CAP ((size_t)256)

/*
 * Calls fetch for passwd, group and the programs, with how much of each to
 * read; fetch fills n->content unless it is there already.
 */
void image_facts_targets(struct arena *a, struct image *img, void *data,
			 void (*fetch)(void *data, struct fs_node *n, size_t cap));

/* User, groups, home and the rest of the view, once the filesystem is built. */
int image_facts(struct reading *rd, struct image *img);

/*
 * The absolute paths whose contents the facts need (passwd, group, where
 * the entrypoint may be), appended to *list (grown in the arena; start
 * with *n = 0) and sorted.
 */
void image_capture_plan(struct arena *a, struct image *img, const char ***list, size_t *n);

/* How much of a path image_capture_plan() lists to keep: IMAGE_TEXT_CAP or IMAGE_SCRIPT_CAP. */
size_t image_capture_cap(const char *path);

/* Why a JSON file of an image is not UTF-8 text (UTF-16, UTF-32), or NULL. */
const char *image_json_encoding(const char *text, size_t len);

/* Applies a parsed image config (json_t) to img; NULL, or why it is not one. */
const char *image_config_apply(struct arena *a, struct image *img, json_t *cfg, const char *name);

struct image_ref;

/* An image before anything is read of it: named `name`, its user not known. */
void image_begin(struct image *img, const char *name);

/*
 * Reads an image file or folder that `ref` (a file transport, or a plain
 * path) names into *img (load.c). -1 after an NR000 in rd.
 */
int image_load_file(struct reading *rd, const char *name, const struct image_ref *ref,
		    struct image *img);

/*
 * Reads an image named by a registry, daemon or local store reference
 * into *img (remote.c). -1 after an NR000 through the run.
 */
int image_load_ref(struct reading *rd, const struct image_ref *ref, struct image *img);

/* docker-daemon:REF, through the Docker Engine API (daemon.c). */
int image_load_daemon(struct reading *rd, const struct image_ref *ref, struct image *img);

/* containers-storage:REF, read in the store (storage.c). */
int image_load_storage(struct reading *rd, const struct image_ref *ref, struct image *img);

struct blob_source;

/*
 * Reads an image whose blobs come from `bs` as an OCI layout's do (its
 * "index.json", then "blobs/sha256/<hex>"), named `name` in messages.
 */
int image_load_source(struct reading *rd, const char *name, const struct blob_source *bs,
		      struct image *img);

#endif
