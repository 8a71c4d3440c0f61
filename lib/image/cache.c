/*
 * cache.c - what a layer held, kept on disk by its digest, so that a second
 * image on the same base downloads only its own layers.
 *
 * A cache file holds a layer's entries (path, type, mode, owner, size, link,
 * the flags, xattrs) and the contents of the files whose contents were asked
 * for when it was read (passwd, group, an entrypoint), gzip-compressed. It
 * holds no other file contents: a few KB for a small layer, about 10 bytes
 * an entry once compressed. A layer that holds a file whose contents are
 * asked for now and were not kept then is read again. Files are written
 * whole under another name and renamed, so a reader never sees half of one;
 * one that does not read back exactly is a miss.
 */
#include "cache.h"
#include "unroot/arena.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define MAGIC	    "unroot layer cache 1\n"
#define MAX_FIELD   ((uint64_t)1 << 20)
#define MAX_ENTRIES ((uint64_t)2000000)
#define MAX_XATTRS  64
#define F_HARDLINK  1u
#define F_WHITEOUT  2u
#define F_OPAQUE    4u
#define F_CONTENT   8u
#define F_TRUNCATED 16u

struct out {
	gzFile gz;
	bool failed;
};

static void put_bytes(struct out *o, const void *p, size_t n)
{
	if (!o->failed && n && gzwrite(o->gz, p, (unsigned)n) != (int)n)
		o->failed = true;
}

static void put_num(struct out *o, uint64_t v)
{
	unsigned char b[10];
	size_t n = 0;
	do {
		b[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	put_bytes(o, b, n);
}

static void put_str(struct out *o, const char *s, size_t n)
{
	put_num(o, s ? n + 1 : 0);
	if (s)
		put_bytes(o, s, n);
}

struct in {
	gzFile gz;
	bool failed;
};

static uint64_t get_num(struct in *in)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		int c = gzgetc(in->gz);
		if (c < 0) {
			in->failed = true;
			return 0;
		}
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	in->failed = true;
	return 0;
}

/* A string (NULL when it was written as none) in the arena; *len its length. */
static char *get_str(struct in *in, struct arena *a, size_t *len)
{
	uint64_t n = get_num(in);
	if (in->failed || n == 0)
		return NULL;
	n--;
	if (n > MAX_FIELD) {
		in->failed = true;
		return NULL;
	}
	char *s = arena_alloc_raw(a, (size_t)n + 1);
	if (!s || (n && gzread(in->gz, s, (unsigned)n) != (int)n)) {
		in->failed = true;
		return NULL;
	}
	s[n] = 0;
	if (len)
		*len = (size_t)n;
	return s;
}

/* 64 lower-case hex digits: a sha256 digest's hex part, safe as a file name. */
bool hex64(const char *s)
{
	size_t i = 0;
	for (; s && s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == 64;
}

static char *file_of(const char *dir, const char *digest)
{
	char *p;
	return asprintf(&p, "%s/layers/%s", dir, digest) < 0 ? NULL : p;
}

static bool in_list(const char *const *list, size_t n, const char *path)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(list[mid], path);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool layer_cache_has(const char *dir, const char *digest)
{
	struct stat sb;
	char *path = dir && hex64(digest) ? file_of(dir, digest) : NULL;
	bool found = path && lstat(path, &sb) == 0 && S_ISREG(sb.st_mode);
	free(path);
	return found;
}

bool layer_cache_get(const char *dir, const char *digest, const char *const *capture,
		     size_t ncapture, struct layer *l, struct layer_stats *st)
{
	if (!dir || !hex64(digest))
		return false;
	char *path = file_of(dir, digest);
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) : -1;
	free(path);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	struct in in = {.gz = gzdopen(fd, "rb")};
	if (!in.gz) {
		close(fd);
		return false;
	}
	char magic[sizeof(MAGIC) - 1];
	bool ok = gzread(in.gz, magic, sizeof(magic)) == (int)sizeof(magic) &&
		  memcmp(magic, MAGIC, sizeof(magic)) == 0;
	/* The layer's own digest, again: a file renamed by hand is no hit. */
	size_t dlen = 0;
	char *d = ok ? get_str(&in, l->arena, &dlen) : NULL;
	ok = ok && d && strcmp(d, digest) == 0;
	memset(st, 0, sizeof(*st));
	if (ok) {
		st->compressed = get_num(&in);
		st->uncompressed = get_num(&in);
		st->filter = (int)get_num(&in);
		memcpy(st->sha256, digest, 65);
	}
	/* The paths whose contents were asked for when it was read. */
	uint64_t nasked = ok ? get_num(&in) : 0;
	const char **asked = NULL;
	if (ok && !in.failed && nasked <= MAX_ENTRIES) {
		asked = arena_alloc(l->arena, (size_t)(nasked + 1) * sizeof(*asked));
		for (uint64_t i = 0; asked && i < nasked && !in.failed; i++)
			asked[i] = get_str(&in, l->arena, NULL);
	}
	ok = ok && !in.failed && asked;
	uint64_t n = ok ? get_num(&in) : 0;
	ok = ok && !in.failed && n <= MAX_ENTRIES;
	if (ok) {
		l->entries = arena_alloc(l->arena, (size_t)(n + 1) * sizeof(*l->entries));
		l->n = l->cap = 0;
		ok = l->entries != NULL;
		if (ok)
			l->cap = (size_t)n + 1;
	}
	for (uint64_t i = 0; ok && i < n; i++) {
		struct layer_entry *e = &l->entries[l->n++];
		size_t len;
		e->path = get_str(&in, l->arena, NULL);
		e->mode = (uint32_t)get_num(&in);
		e->uid = (uint32_t)get_num(&in);
		e->gid = (uint32_t)get_num(&in);
		e->size = get_num(&in);
		e->link = get_str(&in, l->arena, NULL);
		unsigned flags = (unsigned)get_num(&in);
		e->hardlink = flags & F_HARDLINK;
		e->whiteout = flags & F_WHITEOUT;
		e->opaque = flags & F_OPAQUE;
		e->content_truncated = flags & F_TRUNCATED;
		uint64_t nx = get_num(&in);
		struct fs_xattr **tail = &e->xattrs;
		for (uint64_t k = 0; k < nx && k < MAX_XATTRS && !in.failed; k++) {
			struct fs_xattr *x = arena_alloc(l->arena, sizeof(*x));
			if (!x) {
				in.failed = true;
				break;
			}
			x->name = get_str(&in, l->arena, NULL);
			x->value = (const unsigned char *)get_str(&in, l->arena, &x->len);
			if (!x->name || !x->value)
				in.failed = true;
			*tail = x;
			tail = &x->next;
		}
		if (flags & F_CONTENT) {
			e->content = get_str(&in, l->arena, &len);
			e->content_len = e->content ? len : 0;
		}
		ok = !in.failed && e->path && nx <= MAX_XATTRS;
		/* A file asked for now whose contents were not asked for then: read it again. */
		bool file = (e->mode & 0170000) == 0100000 && !e->hardlink && !e->whiteout;
		if (ok && file && !(flags & F_CONTENT) && ncapture &&
		    in_list(capture, ncapture, e->path) && !in_list(asked, (size_t)nasked, e->path))
			ok = false;
	}
	/* Nothing may follow: a file cut short or with more in it is no hit. */
	ok = ok && gzgetc(in.gz) < 0 && gzeof(in.gz);
	gzclose(in.gz);
	if (!ok) {
		l->entries = NULL;
		l->n = l->cap = 0;
	}
	return ok;
}

int cache_temp(const char *dir, const char *sub, const char *hex, char **tmp, char **final)
{
	char *folder = NULL;
	int fd = -1;
	*tmp = *final = NULL;
	if (asprintf(&folder, "%s/%s", dir, sub) < 0)
		return -1;
	/* The folders, private to the user: the cache says what images hold. */
	if (mkdir(folder, 0700) != 0 && errno != EEXIST) {
		for (char *p = folder + 1; *p; p++) {
			if (*p != '/')
				continue;
			*p = 0;
			if (mkdir(folder, 0700) != 0 && errno != EEXIST) {
				*p = '/';
				goto out;
			}
			*p = '/';
		}
		if (mkdir(folder, 0700) != 0 && errno != EEXIST)
			goto out;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (asprintf(final, "%s/%s", folder, hex) < 0) {
		*final = NULL;
		goto out;
	}
	if (asprintf(tmp, "%s/.%s.%ld.%ld", folder, hex, (long)getpid(), (long)ts.tv_nsec) < 0) {
		*tmp = NULL;
		goto out;
	}
	fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
out:
	free(folder);
	return fd;
}

void layer_cache_put(const char *dir, const char *digest, const char *const *capture,
		     size_t ncapture, const struct layer *l, const struct layer_stats *st)
{
	if (!dir || !hex64(digest) || l->error)
		return;
	char *tmp = NULL, *final = NULL;
	int fd = cache_temp(dir, "layers", digest, &tmp, &final);
	if (fd < 0)
		goto out;
	struct out o = {.gz = gzdopen(fd, "wb6")};
	if (!o.gz) {
		close(fd);
		unlink(tmp);
		goto out;
	}
	put_bytes(&o, MAGIC, sizeof(MAGIC) - 1);
	put_str(&o, digest, 64);
	put_num(&o, st->compressed);
	put_num(&o, st->uncompressed);
	put_num(&o, (uint64_t)st->filter);
	put_num(&o, ncapture);
	for (size_t i = 0; i < ncapture; i++)
		put_str(&o, capture[i], strlen(capture[i]));
	put_num(&o, l->n);
	for (size_t i = 0; i < l->n; i++) {
		const struct layer_entry *e = &l->entries[i];
		put_str(&o, e->path, strlen(e->path));
		put_num(&o, e->mode);
		put_num(&o, e->uid);
		put_num(&o, e->gid);
		put_num(&o, e->size);
		put_str(&o, e->link, e->link ? strlen(e->link) : 0);
		unsigned flags = (e->hardlink ? F_HARDLINK : 0) | (e->whiteout ? F_WHITEOUT : 0) |
				 (e->opaque ? F_OPAQUE : 0) | (e->content ? F_CONTENT : 0) |
				 (e->content_truncated ? F_TRUNCATED : 0);
		put_num(&o, flags);
		size_t nx = 0;
		for (const struct fs_xattr *x = e->xattrs; x && nx < MAX_XATTRS; x = x->next)
			nx++;
		put_num(&o, nx);
		size_t k = 0;
		for (const struct fs_xattr *x = e->xattrs; x && k < nx; x = x->next, k++) {
			put_str(&o, x->name, strlen(x->name));
			put_str(&o, (const char *)x->value, x->len);
		}
		if (e->content)
			put_str(&o, e->content, e->content_len);
	}
	if (gzclose(o.gz) != Z_OK || o.failed || rename(tmp, final) != 0)
		unlink(tmp);
out:
	free(tmp);
	free(final);
}
