/* image-internal.h - what the files of lib/image share and nothing else sees. */
#ifndef UNROOT_IMAGE_INTERNAL_H
#define UNROOT_IMAGE_INTERNAL_H

#include "unroot/image.h"

#include <jansson.h>

struct lint_run;

/*
 * The programs the container starts: the entrypoint (or cmd) program, and
 * for `sh -c "SCRIPT"` the first command of SCRIPT. Returns how many.
 */
size_t image_programs(struct arena *a, const struct image_view *v, const char *out[2]);

/* Fills img->path_env from the config's PATH, or the runtimes' default. */
void image_path_env(struct arena *a, struct image *img);

/*
 * The node a program name starts, through PATH and the working folder, as
 * the runtimes look it up; NULL when there is none. *path gets the path
 * that was found (before links).
 */
struct fs_node *image_find_program(struct arena *a, const struct image *img, const char *prog,
				   const char **path);

/* Calls fetch for passwd, group and the programs when their contents are missing. */
void image_facts_targets(struct arena *a, struct image *img, void *data,
			 void (*fetch)(void *data, struct fs_node *n));

/* User, groups, home and the rest of the view, once the filesystem is built. */
int image_facts(struct lint_run *run, struct image *img);

/* Applies a parsed image config (json_t) to img; NULL, or why it is not one. */
const char *image_config_apply(struct arena *a, struct image *img, json_t *cfg, const char *name);

#endif
