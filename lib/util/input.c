/* input.c - opening the files inputs name or hold: regular files only, never waiting. */
#include "util/input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

const char *input_not_regular(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return NULL;
	case S_IFDIR:
		return "is a folder, not a regular file";
	case S_IFLNK:
		return "is a symbolic link";
	case S_IFIFO:
		return "is a named pipe (FIFO), not a regular file";
	case S_IFCHR:
		return "is a character device, not a regular file";
	case S_IFBLK:
		return "is a block device, not a regular file";
	case S_IFSOCK:
		return "is a socket, not a regular file";
	}
	return "is not a regular file";
}

static const char *open_error(int err)
{
	switch (err) {
	case ENOENT:
		return "no such file";
	case EACCES:
	case EPERM:
		return "permission denied";
	case ENOTDIR:
		return "has a part of its path that is not a folder";
	case ELOOP:
		return "has too many levels of symbolic links";
	case ENAMETOOLONG:
		return "has a name that is too long";
	case EMFILE:
	case ENFILE:
		return "cannot be opened: too many open files";
	case ENOMEM:
		return "cannot be opened: out of memory";
	}
	return "cannot be opened";
}

/* A pipe or a character device, which the user may name on purpose. */
static bool stream_ok(mode_t mode, unsigned flags)
{
	return (flags & INPUT_STREAM) && (S_ISFIFO(mode) || S_ISCHR(mode));
}

int input_open(int dirfd, const char *path, unsigned flags, struct stat *out, const char **why)
{
	struct stat before, after;
	bool nofollow = flags & INPUT_NOFOLLOW;
	/* Look first: opening a device can do things, even without blocking. */
	if (fstatat(dirfd, path, &before, nofollow ? AT_SYMLINK_NOFOLLOW : 0) != 0) {
		*why = open_error(errno);
		return -1;
	}
	const char *bad = input_not_regular(before.st_mode);
	if (bad && !stream_ok(before.st_mode, flags)) {
		*why = bad;
		return -1;
	}
	int fd = openat(dirfd, path,
			O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (nofollow ? O_NOFOLLOW : 0));
	if (fd < 0) {
		*why = errno == ELOOP && nofollow ? "is a symbolic link" : open_error(errno);
		return -1;
	}
	/* The file may have been swapped since the look: check what was opened. */
	if (fstat(fd, &after) != 0 || after.st_dev != before.st_dev ||
	    after.st_ino != before.st_ino) {
		close(fd);
		*why = "changed while it was opened";
		return -1;
	}
	if (bad) {
		/* A stream the user named: reads wait for its writer, as a shell's would. */
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
			close(fd);
			*why = "cannot be read";
			return -1;
		}
	}
	if (out)
		*out = after;
	*why = NULL;
	return fd;
}
