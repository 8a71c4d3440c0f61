/*
 * tarindex.c - the members of an uncompressed tar file, by offset.
 *
 * A docker save or OCI archive is a plain tar of blobs. Knowing where each
 * member starts lets every layer be read on its own, in parallel, with
 * pread, without extracting anything. Only what these archives use is read:
 * ustar names with a prefix, PAX path and size records, GNU long names, and
 * base-256 sizes.
 */
#include "blob.h"
#include "unroot/arena.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int read_at(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* An octal field, or GNU base-256 when the top bit is set; false when malformed. */
static bool number(const unsigned char *f, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (f[0] & 0x80) {
		if (f[0] != 0x80)
			return false; /* negative or too large */
		for (size_t i = 1; i < n; i++) {
			if (v >> 56)
				return false;
			v = (v << 8) | f[i];
		}
		*out = v;
		return true;
	}
	size_t i = 0;
	while (i < n && (f[i] == ' ' || f[i] == 0))
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return false;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != 0)
			return false;
	*out = v;
	return true;
}

static bool checksum_ok(const unsigned char *h)
{
	uint64_t want;
	if (!number(h + 148, 8, &want))
		return false;
	uint64_t sum = 0;
	for (int i = 0; i < 512; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return sum == want;
}

/* Finds "key=" in PAX records; returns a copy of the value or NULL. */
static char *pax_value(struct arena *a, const char *rec, size_t len, const char *key)
{
	size_t klen = strlen(key);
	size_t i = 0;
	while (i < len) {
		size_t j = i, n = 0;
		while (j < len && rec[j] >= '0' && rec[j] <= '9' && n < 100000000)
			n = n * 10 + (size_t)(rec[j++] - '0');
		if (n == 0 || j >= len || rec[j] != ' ' || i + n > len || n < j - i + 2)
			return NULL;
		const char *kv = rec + j + 1;
		size_t kvlen = i + n - (j + 1) - 1; /* without the newline */
		if (kvlen > klen && strncmp(kv, key, klen) == 0 && kv[klen] == '=')
			return arena_strndup(a, kv + klen + 1, kvlen - klen - 1);
		i += n;
	}
	return NULL;
}

int tar_index(struct arena *a, int fd, uint64_t file_size, size_t max_members,
	      struct tar_member **out, size_t *nout, const char **why)
{
	unsigned char h[512];
	uint64_t off = 0;
	struct tar_member *m = NULL;
	size_t n = 0, cap = 0, headers = 0;
	char *long_name = NULL;
	*out = NULL;
	*nout = 0;
	for (;;) {
		if (off + 512 > file_size) {
			*why = "is truncated: it ends inside a tar header";
			return -1;
		}
		if (read_at(fd, h, 512, off) != 0) {
			*why = "cannot be read";
			return -1;
		}
		bool zero = true;
		for (int i = 0; i < 512 && zero; i++)
			zero = h[i] == 0;
		if (zero)
			break;
		if (!checksum_ok(h)) {
			*why = headers ? "has a damaged tar header" : "is not a tar archive";
			return -1;
		}
		if (++headers > max_members * 2 + 16) {
			*why = arena_printf(a, "has more than %zu members, the limit", max_members);
			return -1;
		}
		uint64_t size;
		if (!number(h + 124, 12, &size)) {
			*why = "has a tar header with a bad size";
			return -1;
		}
		uint64_t data = off + 512;
		uint64_t padded = (size + 511) & ~(uint64_t)511;
		if (size > file_size || data + padded > file_size + 511 ||
		    data + size > file_size) {
			*why = "is truncated: a member runs past the end of the file";
			return -1;
		}
		char type = (char)h[156];
		if (type == 'x' || type == 'L') {
			if (size > 1 << 20) {
				*why = "has an oversized PAX or long-name header";
				return -1;
			}
			char *rec = arena_alloc(a, (size_t)size + 1);
			if (!rec || read_at(fd, rec, (size_t)size, data) != 0) {
				*why = "cannot be read";
				return -1;
			}
			if (type == 'L') {
				long_name = rec;
			} else {
				char *p = pax_value(a, rec, (size_t)size, "path");
				if (p)
					long_name = p;
				char *s = pax_value(a, rec, (size_t)size, "size");
				(void)s; /* the next header's own size field is used */
			}
			off = data + padded;
			continue;
		}
		if (type == '0' || type == 0 || type == '7') {
			char name[257];
			const char *nm = long_name;
			if (!nm) {
				size_t plen = strnlen((const char *)h + 345, 155);
				size_t nlen = strnlen((const char *)h, 100);
				size_t w = 0;
				if (plen && memcmp(h + 257, "ustar", 5) == 0) {
					memcpy(name, h + 345, plen);
					w = plen;
					name[w++] = '/';
				}
				memcpy(name + w, h, nlen);
				name[w + nlen] = 0;
				nm = name;
			}
			const char *nwhy = NULL;
			char *norm = tar_name_normalise(a, nm, false, &nwhy);
			if (norm) {
				struct tar_member *slot = ARR_PUSH(a, m, n, cap);
				if (!slot) {
					*why = "out of memory";
					return -1;
				}
				slot->name = norm;
				slot->offset = data;
				slot->size = size;
			}
		}
		long_name = NULL;
		off = data + padded;
		if (n > max_members) {
			*why = arena_printf(a, "has more than %zu members, the limit", max_members);
			return -1;
		}
	}
	*out = m;
	*nout = n;
	return 0;
}
