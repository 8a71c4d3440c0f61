/*
 * cache-blob.c - manifests and configs kept on disk by their digest, so that
 * a reference pinned by digest is read without asking the registry for its
 * manifest, an index's platform manifest is not fetched twice, and a config
 * seen before is not fetched again.
 *
 * A file holds the blob's bytes as the registry sent them, named by their
 * sha256. Its contents are hashed again on every read: a file changed,
 * cut or renamed on disk does not match its name and is a miss (the blob is
 * then fetched and the file written again). Only blobs up to `max` bytes
 * are kept or read; the folder's total is bounded too (BLOB_CACHE_TOTAL):
 * past it, the files read least recently go first.
 */
#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILES 4096

static void sha256_hex(const char *data, size_t len, char out[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char d[SHA256_DIGEST_SIZE];
	struct sha256_ctx md;
	sha256_init(&md);
	sha256_update(&md, len, (const uint8_t *)data);
	sha256_digest(&md, sizeof(d), d);
	for (unsigned i = 0; i < sizeof(d); i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[64] = 0;
}

bool blob_cache_has(const char *dir, const char *hex)
{
	struct stat sb;
	char *path = NULL;
	if (!dir || !hex64(hex) || asprintf(&path, "%s/blobs/%s", dir, hex) < 0)
		return false;
	bool found = lstat(path, &sb) == 0 && S_ISREG(sb.st_mode);
	free(path);
	return found;
}

char *blob_cache_get(const char *dir, const char *hex, size_t max, size_t *len)
{
	char *path = NULL;
	if (!dir || !hex64(hex) || asprintf(&path, "%s/blobs/%s", dir, hex) < 0)
		return NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	free(path);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0 ||
	    (uint64_t)sb.st_size > max) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	size_t n = (size_t)sb.st_size, got = 0;
	char *data = malloc(n + 1);
	while (data && got < n) {
		ssize_t r = read(fd, data + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	/* Mark it read now: the files read least recently are removed first. */
	futimens(fd, (struct timespec[2]){{.tv_nsec = UTIME_NOW}, {.tv_nsec = UTIME_OMIT}});
	close(fd);
	char sum[65];
	if (data && got == n) {
		sha256_hex(data, n, sum);
		if (strcmp(sum, hex) == 0) {
			data[n] = 0;
			*len = n;
			return data;
		}
	}
	free(data);
	return NULL;
}

struct old {
	char name[65];
	time_t atime;
	off_t size;
};

static int by_atime(const void *a, const void *b)
{
	const struct old *x = a, *y = b;
	return x->atime < y->atime ? -1 : x->atime > y->atime;
}

/* Removes the files read least recently until the folder holds at most `room` bytes. */
static void trim(const char *folder, uint64_t room)
{
	DIR *d = opendir(folder);
	if (!d)
		return;
	struct old *files = malloc(MAX_FILES * sizeof(*files));
	size_t n = 0;
	uint64_t total = 0;
	int dfd = dirfd(d);
	struct dirent *e;
	while (files && (e = readdir(d))) {
		struct stat sb;
		if (!hex64(e->d_name) || fstatat(dfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(sb.st_mode))
			continue;
		total += (uint64_t)sb.st_size;
		if (n < MAX_FILES) {
			memcpy(files[n].name, e->d_name, 65);
			files[n].atime = sb.st_atime;
			files[n].size = sb.st_size;
			n++;
		}
	}
	if (files && (total > room || n == MAX_FILES)) {
		qsort(files, n, sizeof(*files), by_atime);
		for (size_t i = 0; i < n && (total > room || n - i >= MAX_FILES); i++)
			if (unlinkat(dfd, files[i].name, 0) == 0)
				total -= (uint64_t)files[i].size;
	}
	free(files);
	closedir(d);
}

void blob_cache_put(const char *dir, const char *hex, const char *data, size_t len, size_t max)
{
	char sum[65];
	if (!dir || !hex64(hex) || !len || len > max)
		return;
	sha256_hex(data, len, sum);
	if (strcmp(sum, hex) != 0)
		return;
	char *folder = NULL, *tmp = NULL, *final = NULL;
	int fd = cache_temp(dir, "blobs", hex, &tmp, &final);
	if (fd < 0 || asprintf(&folder, "%s/blobs", dir) < 0) {
		folder = NULL;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		goto out;
	}
	trim(folder, BLOB_CACHE_TOTAL - len);
	size_t w = 0;
	while (w < len) {
		ssize_t r = write(fd, data + w, len - w);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		w += (size_t)r;
	}
	if (close(fd) != 0 || w != len || rename(tmp, final) != 0)
		unlink(tmp);
out:
	free(folder);
	free(tmp);
	free(final);
}
