/*
 * identity.h - who a process is, and what the kernel lets it do with a path
 * of an image's filesystem.
 *
 * fs_access() follows the kernel's permission rules (generic_permission in
 * fs/namei.c): every folder on the way needs search (x); exactly one class
 * applies: the owner class when the uid owns the file (even when its bits
 * deny and the group's would allow), else the group class when the file's
 * group is the process's gid or one of its supplementary groups, else
 * other; uid 0 may read and write anything and search any folder, but
 * executes a file only when some x bit is set. Symbolic links are followed
 * inside the image root. Access control lists and read-only mounts are not
 * modelled.
 */
#ifndef UNROOT_IDENTITY_H
#define UNROOT_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

#include "unroot/simulate.h"

struct arena;
struct fsmodel;
struct fs_node;

struct identity {
	long uid, gid;
	const long *groups; /* supplementary groups */
	size_t ngroups;
};

/* Why access was refused: the node and the bits that failed there. */
struct fs_denial {
	const struct fs_node *node; /* where it failed; NULL when the path is missing */
	unsigned want;		    /* FS_*_OK bits that this node refused */
	bool search;		    /* a folder on the way refused search */
	const char *why;	    /* "no such file", a loop, ... when node is NULL */
};

/*
 * May `id` do `want` (FS_R_OK | FS_W_OK | FS_X_OK) on `path`? Returns true
 * or false; on false, *d (when not NULL) says where and why.
 */
bool fs_access(const struct fsmodel *fs, const struct identity *id, const char *path, unsigned want,
	       struct fs_denial *d);

/* The same check on one node alone (no folders on the way). */
bool fs_node_permits(const struct fs_node *n, const struct identity *id, unsigned want);

/* Which class applies to id for n: 'u', 'g' or 'o'. */
char fs_class(const struct fs_node *n, const struct identity *id);

/* "rwx", "r-x", ... for what id may do on path, written into out[4]. */
void fs_access_string(const struct fsmodel *fs, const struct identity *id, const char *path,
		      char out[4]);

/*
 * The arbitrary UID OpenShift gives a pod: the first uid of the namespace
 * range (opts->uid_range), primary group 0, no other groups.
 */
struct lint_options;
void identity_arbitrary(const struct lint_options *o, struct identity *id);

/* "r", "w", "x" joined, e.g. "read and execute", for messages. */
const char *fs_want_words(unsigned want);

struct k8s_input;
struct k8s_object;
struct k8s_container;

/* A Kubernetes container, for sim_run(); NULL for a plain run. */
struct sim_pod {
	const struct k8s_input *in;
	const struct k8s_object *obj;
	const struct k8s_container *c;
};

/*
 * A context for many sim_run() calls: it caches, per image view, what does
 * not depend on the platform (the app's paths), so simulating many
 * containers of one image costs one walk of its filesystem.
 */
struct sim_ctx;
struct sim_ctx *sim_ctx_new(struct arena *a, const struct lint_options *o);

/*
 * Simulates platform p for image view v (NULL: not paired) and container
 * pod (NULL: a plain `docker run IMAGE`, a pod with no security context, or
 * an OpenShift pod under restricted-v2 that sets nothing). Returns 0, or -1
 * when the arena is full.
 */
int sim_run(struct sim_ctx *ctx, enum sim_platform p, const struct image_view *v,
	    const struct sim_pod *pod, struct sim_result *out);

#endif
