/*
 * input.h - opening a file that an input names or holds, without waiting.
 *
 * Every file unroot reads comes from somewhere a user (or an attacker who
 * wrote the image or the repository) controls. A named pipe in its place
 * would make open() or read() wait for a writer forever, a device could
 * give endless bytes, and a symbolic link could point at the host's own
 * files. input_open() looks before it opens (lstat or stat), opens with
 * O_NONBLOCK so that even a file swapped for a pipe in between cannot
 * block, and checks the opened file again (fstat, same inode) before it
 * hands it out.
 */
#ifndef UNROOT_INPUT_H
#define UNROOT_INPUT_H

#include <sys/stat.h>

enum input_flags {
	/* The last component must not be a symbolic link (a blob of an image
	 * layout, a file of an unpacked root filesystem). */
	INPUT_NOFOLLOW = 1,
	/* A pipe or character device named by the user is read too
	 * (`unroot lint <(...)`, /dev/stdin); the descriptor then blocks. */
	INPUT_STREAM = 2,
};

/*
 * Opens `path` (relative to dirfd, or AT_FDCWD) read-only. Returns the
 * descriptor, with *st filled (st may be NULL), or -1 with *why set to a
 * static lower-case reason that follows the file's name in a message: "is
 * a named pipe (FIFO), not a regular file", "is a symbolic link", "does not
 * exist", ...
 */
int input_open(int dirfd, const char *path, unsigned flags, struct stat *st, const char **why);

/* Why a file of this mode is no regular file ("is a folder", ...), or NULL when it is one. */
const char *input_not_regular(mode_t mode);

#endif
