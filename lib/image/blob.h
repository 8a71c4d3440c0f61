/*
 * blob.h - where an image's files come from, inside lib/image only.
 *
 * A blob is a byte range of a file (an OCI layout folder's blob, or a
 * member of an uncompressed tar, read with pread so several threads can
 * read one file), bytes in memory, the member the outer archive stream
 * is positioned on (a compressed docker save tarball, read once in order),
 * or a pipe that a transfer writes into (a registry's blob, read once).
 */
#ifndef UNROOT_IMAGE_BLOB_H
#define UNROOT_IMAGE_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "image/image.h"

struct archive;

enum blob_kind {
	BLOB_FILE,
	BLOB_MEMORY,
	BLOB_STREAM,
	BLOB_PIPE,
	BLOB_CALLBACK,
	BLOB_DONE, /* nothing to read: the layer came from the cache */
};

struct blob {
	enum blob_kind kind;
	int fd;		 /* BLOB_FILE; -1: opened from dirfd and name while it is read */
	int dirfd;	 /* BLOB_FILE with fd -1: the layout folder */
	uint64_t offset; /* BLOB_FILE */
	uint64_t size;
	const unsigned char *data; /* BLOB_MEMORY */
	struct archive *outer;	   /* BLOB_STREAM */
	const char *name;	   /* for messages: "blobs/sha256/ab12..." */
	const char *digest;	   /* expected sha256, 64 hex digits, or NULL */
	bool digest_if_plain;	   /* check digest only when the blob is not compressed */
	/*
	 * BLOB_PIPE (fd is the read end; size is 0 when unknown): called once the
	 * read is over, `ok` when it got to the end. It closes the pipe and
	 * returns what went wrong with the transfer (a cut connection explains a
	 * short stream better than the tar reader can), or NULL.
	 */
	const char *(*done)(void *ctx, const struct blob *b, bool ok);
	void *done_ctx;
	/*
	 * BLOB_CALLBACK: bytes made on demand (a layer rebuilt from a container
	 * store's tar-split index, with zeros where contents were not read);
	 * returns how many at *out, 0 at the end, -1 on error with *why. Such a
	 * blob is neither hashed nor checked against a digest. `done` (above)
	 * is called for it too, to release what it holds.
	 */
	ssize_t (*read)(void *ctx, const void **out, const char **why);
	void *read_ctx;
};

/*
 * Blobs that do not come from a file: a registry (remote.c), a container
 * store (storage.c). `has` says whether a name ("index.json") is there;
 * `open` fills *b for a name ("index.json", "blobs/sha256/<hex>"), or
 * returns -1 with *why. `capture` lists the paths (sorted, absolute) whose
 * contents the layer read will keep, for a source that must choose what
 * it reads.
 */
struct blob_source {
	bool (*has)(void *ctx, const char *name);
	int (*open)(void *ctx, struct arena *a, const char *name, const char *const *capture,
		    size_t ncapture, struct blob *b, const char **why);
	void *ctx;
	const char *layout; /* what struct image says it was: "registry" */
	bool cache;	    /* its layers may be kept in the layer cache (verified digests) */
};

/* What a layer read should do besides listing entries. */
struct layer_opts {
	const struct lint_limits *limits;
	const char *const *capture; /* sorted absolute paths whose contents to keep */
	size_t ncapture;
	size_t capture_cap; /* bytes kept per file, at most; each copy is sized to its file */
	const size_t *capture_caps; /* the cap of each capture path, or NULL: capture_cap */
	bool entries;		    /* build the entry list (false: only capture) */
	volatile uint64_t *done;    /* compressed bytes read so far, for progress; may be NULL */
	volatile uint64_t *out;	    /* decompressed bytes of all layers so far; may be NULL */
};

struct layer_stats {
	uint64_t compressed, uncompressed;
	int filter;	 /* libarchive filter code of the stream */
	char sha256[65]; /* of the blob's bytes, when it was read whole (not BLOB_CALLBACK) */
};

/*
 * Reads one layer tar (plain, gzip or zstd) into l->entries, hashing the
 * blob's bytes as they stream. Returns 0, or -1 with l->error set.
 */
int layer_read(const struct blob *b, struct layer *l, const struct layer_opts *o,
	       struct layer_stats *st);

/* Reads a whole small blob (JSON) into the arena, checking its digest. NULL with *why. */
char *blob_slurp(struct arena *a, const struct blob *b, size_t limit, size_t *len,
		 const char **why);

/* A member of a plain tar file, found by our own header reader. */
struct tar_member {
	const char *name; /* normalised, no leading "./" or "/" */
	uint64_t offset, size;
};

/*
 * Lists the regular files of an uncompressed tar file. Returns 0, or -1
 * with *why (a truncated or malformed header, too many members).
 */
int tar_index(struct arena *a, int fd, uint64_t file_size, size_t max_members,
	      struct tar_member **out, size_t *n, const char **why);

/*
 * Normalises a tar entry name: strips "./" and duplicate slashes, refuses
 * "..", absolute names and empty ones. Returns the arena copy with a
 * leading "/" when `absolute`, or NULL with *why.
 */
char *tar_name_normalise(struct arena *a, const char *name, bool absolute, const char **why);

#endif
