/*
 * model.h - the image view: what the rules and the identity model know
 * about the image side of a workload.
 *
 * It comes from a built image (everything known) or from a Dockerfile
 * (partly known: the final USER, and what COPY/RUN lines did to ownership).
 * Strings borrow from the run's arena.
 */
#ifndef UNROOT_MODEL_H
#define UNROOT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct source;
struct fsmodel;	  /* the merged filesystem of a built image; see image.h */
struct passwd_db; /* an image's /etc/passwd and /etc/group; see image.h */

/* Ownership a Dockerfile or image gives to a path the app needs. */
struct owned_path {
	const char *path;
	long uid, gid; /* -1 when unknown */
	int mode;      /* permission bits, -1 when unknown */
	bool recursive;
	size_t start, end; /* where it was set, in the image view's source */
};

/* A path a Dockerfile changes in a way only a build shows (a COPY destination). */
struct changed_path {
	const char *path;
	bool below; /* only what is under it; the folder itself keeps the base's owner and mode */
	size_t start, end; /* the line, in the image view's source */
};

/*
 * A write a Dockerfile's entrypoint makes at start that only root, or the
 * owner of the path, can make (lib/dockerfile/start.c, which NR120 reports).
 */
struct start_write {
	const char *command; /* as written */
	const char *path;    /* absolute, or NULL (a variable, or the unknown working folder) */
	int need; /* 0: root (chown to `owner`), 1: the path's owner, 2: write in `folder` */
	const char *owner, *folder;
	const char *at; /* "docker-entrypoint.sh:16" */
};

struct image_view {
	const char *origin; /* the Dockerfile or image path it came from */
	bool from_image;    /* a built image: fs is set */
	struct source *src; /* the Dockerfile, or NULL */

	const char *user; /* as the config or final USER gives it; "" when unset */
	bool user_known;  /* false when set in an unknown base image or by an unresolved variable */
	long uid, gid;	  /* numeric, resolved through /etc/passwd for images; -1 unknown */
	bool user_is_name;	     /* the USER field is a name, not a number */
	size_t user_start, user_end; /* the USER line, when src */
	/*
	 * A Dockerfile with no USER whose base image is neither listed nor read:
	 * that base, which the Dockerfile rules take to run as root (NR101), as
	 * almost every base image does; user_known stays false. NULL otherwise.
	 */
	const char *unlisted_base;
	long own_uid; /* a Dockerfile's one user (df_image_user(), set by its reader): the uid its
		       * fixes suggest; 0 otherwise */

	const char **entrypoint, **cmd, **env, **volumes;
	size_t nentrypoint, ncmd, nenv, nvolumes;
	const char *workdir;
	const char *home; /* HOME of the user, when known */

	struct owned_path *owned;
	size_t nowned;
	struct start_write *starts; /* a Dockerfile's entrypoint writes at start */
	size_t nstarts;

	/*
	 * A built image's files. For a Dockerfile whose base image --pull read
	 * (`base`): a copy of the base's files with the owners and modes its RUN
	 * chown and chmod lines give; the paths in `changed` (and missing ones)
	 * are known only in a built image. NULL for other Dockerfiles.
	 */
	struct fsmodel *fs;
	const char *base; /* the base image a Dockerfile's `fs` and `db` come from */
	/* A Dockerfile's accounts: the base's /etc/passwd and /etc/group, and its own useradd
	 * lines (uid -1 when the build picks it). NULL without a base read. */
	const struct passwd_db *db;
	struct changed_path *changed;
	size_t nchanged;
};

#endif
