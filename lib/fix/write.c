/*
 * write.c - a fixed file written in place of the original, all or nothing.
 *
 * The new text goes to a temporary file in the file's own folder (so the
 * rename stays on one file system), which gets the original's mode, owner
 * and POSIX ACL, is synced, and is renamed over the original; the folder is
 * synced after. Whatever fails before the rename (no space, a file size
 * limit, a read-only file, a file that changed since the run read it)
 * removes the temporary file and leaves the original as it was.
 */
#include "unroot/fix.h"
#include "unroot/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define ACL_ACCESS "system.posix_acl_access"

static int fail(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -1;
}

/* Whether the file open at fd holds exactly `data`. */
static bool holds(int fd, const char *data, size_t len)
{
	char chunk[65536];
	size_t at = 0;
	if (lseek(fd, 0, SEEK_SET) != 0)
		return false;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		if (n == 0)
			return at == len;
		if ((size_t)n > len - at || memcmp(chunk, data + at, (size_t)n) != 0)
			return false;
		at += (size_t)n;
	}
}

static bool write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return false;
		}
		data += n;
		len -= (size_t)n;
	}
	return true;
}

/* The original's POSIX ACL onto the temporary file; false only when it has one that cannot be
 * copied. */
static bool copy_acl(int from, int to)
{
	char value[4096];
	ssize_t n = fgetxattr(from, ACL_ACCESS, value, sizeof(value));
	if (n < 0)
		return errno == ENODATA || errno == ENOTSUP;
	return fsetxattr(to, ACL_ACCESS, value, (size_t)n, 0) == 0;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int fix_write(const struct fix_file *f, char *why, size_t size)
{
	/* a symbolic link is followed: its target gets the new text */
	char *target = realpath(f->path, NULL);
	if (!target)
		return fail(why, size, "cannot open '%s': %s", f->path, strerror(errno));
	int fd = open(target, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		free(target);
		return fail(why, size, "cannot open '%s': %s", f->path, strerror(e));
	}
	int rc = -1;
	char *dir_copy = strdup(target), *tmp = NULL;
	int out = -1;
	if (!dir_copy) {
		fail(why, size, "out of memory");
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(why, size, "'%s' is not a regular file", f->path);
		goto done;
	}
	/* a read-only file stays as it is, even for root, who could replace it */
	if (!(st.st_mode & 0222) || access(target, W_OK) != 0) {
		fail(why, size, "'%s' is read-only: nothing written", f->path);
		goto done;
	}
	if (!holds(fd, f->old, f->old_len)) {
		fail(why, size,
		     "'%s' changed since it was read: nothing written; run unroot fix again",
		     f->path);
		goto done;
	}
	const char *dir = dirname(dir_copy);
	const char *base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	if (asprintf(&tmp, "%s/.%s.unroot-XXXXXX", dir, base) < 0) {
		tmp = NULL;
		fail(why, size, "out of memory");
		goto done;
	}
	out = mkostemp(tmp, O_CLOEXEC);
	if (out < 0) {
		fail(why, size, "cannot write beside '%s': %s", f->path, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto done;
	}
	struct buf text;
	buf_init(&text);
	fix_text(f, &text);
	if (text.failed) {
		buf_release(&text);
		fail(why, size, "out of memory");
		goto done;
	}
	bool written = write_all(out, text.data ? text.data : "", text.len);
	buf_release(&text);
	if (!written) {
		fail(why, size, "cannot write '%s': %s: nothing written", f->path, strerror(errno));
		goto done;
	}
	/* the owner first: changing it can clear set-id bits that the mode then puts back */
	if (fchown(out, st.st_uid, st.st_gid) != 0) {
		struct stat ts;
		if (fstat(out, &ts) != 0 || ts.st_uid != st.st_uid || ts.st_gid != st.st_gid) {
			fail(why, size,
			     "cannot keep the owner of '%s' (%ld:%ld): %s: nothing written",
			     f->path, (long)st.st_uid, (long)st.st_gid, strerror(errno));
			goto done;
		}
	}
	if (fchmod(out, st.st_mode & 07777) != 0 || !copy_acl(fd, out)) {
		fail(why, size, "cannot keep the permissions of '%s': %s: nothing written", f->path,
		     strerror(errno));
		goto done;
	}
	if (fsync(out) != 0) {
		fail(why, size, "cannot write '%s': %s: nothing written", f->path, strerror(errno));
		goto done;
	}
	int c = close(out);
	out = -1;
	if (c != 0) {
		fail(why, size, "cannot write '%s': %s: nothing written", f->path, strerror(errno));
		goto done;
	}
	/* once more just before the rename: an editor may have saved it meanwhile */
	if (!holds(fd, f->old, f->old_len)) {
		fail(why, size,
		     "'%s' changed since it was read: nothing written; run unroot fix again",
		     f->path);
		goto done;
	}
	if (rename(tmp, target) != 0) {
		fail(why, size, "cannot replace '%s': %s: nothing written", f->path,
		     strerror(errno));
		goto done;
	}
	free(tmp);
	tmp = NULL;
	sync_dir(dir);
	rc = 0;
done:
	if (out >= 0)
		close(out);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	close(fd);
	free(dir_copy);
	free(target);
	return rc;
}
