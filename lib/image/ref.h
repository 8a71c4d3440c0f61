/*
 * ref.h - image references, written the way the container tools write them.
 *
 * An image can be named by a path (a docker save tarball, an OCI layout or
 * archive, an unpacked root filesystem) or by a reference with skopeo's
 * transport names:
 *
 *   docker://REF, or a bare REF      a registry
 *   docker-daemon:REF                the Docker Engine API (Podman's service too)
 *   containers-storage:REF           Podman's and Buildah's local store
 *   oci:DIR[:TAG]                    an OCI layout folder
 *   oci-archive:FILE[:TAG]           an OCI layout in a tar
 *   docker-archive:FILE[:REF]        a docker save tarball
 *
 * A registry reference is normalised as Docker and Podman do for Docker
 * Hub: `nginx` is `docker.io/library/nginx:latest`, fetched from
 * registry-1.docker.io. Everything parsed lives in the arena given.
 */
#ifndef UNROOT_REF_H
#define UNROOT_REF_H

#include <stdbool.h>

struct arena;

enum image_transport {
	TRANSPORT_PATH,		  /* a plain path: the image reader finds out what it is */
	TRANSPORT_DOCKER,	  /* docker://REF or a bare REF */
	TRANSPORT_DAEMON,	  /* docker-daemon:REF */
	TRANSPORT_STORAGE,	  /* containers-storage:REF */
	TRANSPORT_OCI,		  /* oci:DIR[:TAG] */
	TRANSPORT_OCI_ARCHIVE,	  /* oci-archive:FILE[:TAG] */
	TRANSPORT_DOCKER_ARCHIVE, /* docker-archive:FILE[:REF] */
};

/* A registry reference, normalised. */
struct image_name {
	const char *domain;	/* "docker.io", "quay.io", "127.0.0.1:5000" */
	const char *repository; /* "library/nginx" */
	const char *tag;	/* "1.27"; "latest" when neither tag nor digest was given */
	const char *digest;	/* "sha256:<64 hex>", or NULL */
	const char *canonical;	/* "docker.io/library/nginx:1.27[@sha256:...]" */
};

struct image_ref {
	enum image_transport transport;
	const char *text; /* as the user wrote it */
	/* TRANSPORT_DOCKER, and TRANSPORT_DAEMON / TRANSPORT_STORAGE when it is a name. */
	struct image_name name;
	/* TRANSPORT_DAEMON / TRANSPORT_STORAGE: what follows the prefix, as written. */
	const char *local;
	/* TRANSPORT_OCI*, TRANSPORT_DOCKER_ARCHIVE, TRANSPORT_PATH: the file or folder. */
	const char *file;
	/* The :TAG (or docker-archive :REF) after the file, or NULL. */
	const char *file_tag;
};

/*
 * Parses a registry reference ("nginx", "quay.io/a/b:1@sha256:...") into
 * *out, normalised. Returns 0, or -1 with *why saying what is wrong.
 */
int image_name_parse(struct arena *a, const char *s, struct image_name *out, const char **why);

/*
 * Parses what the user named as an image. A string that names an existing
 * file or folder is a path. One with a transport prefix is that transport.
 * Any other string is a registry reference when it parses as one and does
 * not look like a file name (no leading "." or "/", no input suffix such as
 * ".yaml" or ".tar"). Returns 0, or -1 with *why (an unknown or malformed
 * reference: the caller says the path does not exist).
 */
int image_ref_parse(struct arena *a, const char *s, struct image_ref *out, const char **why);

/*
 * True when `s` names an image by reference, not by a path that exists:
 * the inputs a walk must not stat. A transport prefix is enough (the image
 * reader then says what is wrong with the rest).
 */
bool image_ref_is_reference(const char *s);

/* The host a registry domain is served from: "registry-1.docker.io" for docker.io. */
const char *image_registry_host(const char *domain);

#endif
