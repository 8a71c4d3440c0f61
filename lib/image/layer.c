/* layer.c - one layer tar, plain, gzip or zstd, streamed through libarchive and sha256. */
#include "blob.h"
#include "unroot/arena.h"
#include "util/input.h"
#include "unroot/lint.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (1u << 20)
/*
 * Past this many decompressed bytes, a stream that expands more than
 * BOMB_RATIO times is treated as a decompression bomb. Deflate cannot pass
 * about 1032:1, so only crafted input (or a layer of nothing but zeros)
 * gets here.
 */
#define BOMB_FLOOR ((uint64_t)256 << 20)
#define BOMB_RATIO 1000

struct reader_state {
	const struct blob *b;
	int fd; /* BLOB_FILE: b->fd, or the blob opened for this read */
	struct sha256_ctx md;
	unsigned char *buf;
	uint64_t pos; /* bytes of the blob read so far */
	int err;      /* errno of a failed read */
	const struct layer_opts *o;
	uint64_t counted; /* decompressed bytes already added to o->out */
	bool damaged;	  /* the stream did not read as a tar: the digest may say why */
	const char *why;  /* a BLOB_CALLBACK's own error */
};

static ssize_t read_cb(struct archive *a, void *data, const void **out)
{
	(void)a;
	struct reader_state *s = data;
	const struct blob *b = s->b;
	uint64_t left = b->size - s->pos;
	size_t want = left < READ_CHUNK ? (size_t)left : READ_CHUNK;
	ssize_t got = 0;
	if (want == 0 && b->kind != BLOB_STREAM && b->kind != BLOB_PIPE && b->kind != BLOB_CALLBACK)
		return 0;
	switch (b->kind) {
	case BLOB_FILE:
		do
			got = pread(s->fd, s->buf, want, (off_t)(b->offset + s->pos));
		while (got < 0 && errno == EINTR);
		if (got < 0) {
			s->err = errno;
			return -1;
		}
		*out = s->buf;
		break;
	case BLOB_MEMORY:
		*out = b->data + s->pos;
		got = (ssize_t)want;
		break;
	case BLOB_STREAM:
		got = archive_read_data(b->outer, s->buf, READ_CHUNK);
		if (got < 0) {
			s->err = EIO;
			return -1;
		}
		*out = s->buf;
		break;
	case BLOB_PIPE:
		do
			got = read(b->fd, s->buf, READ_CHUNK);
		while (got < 0 && errno == EINTR);
		if (got < 0) {
			s->err = errno;
			return -1;
		}
		*out = s->buf;
		break;
	case BLOB_CALLBACK:
		got = b->read(b->read_ctx, out, &s->why);
		if (got < 0) {
			s->err = EIO;
			return -1;
		}
		break;
	case BLOB_DONE:
		return 0;
	}
	if (got > 0) {
		if (b->kind != BLOB_CALLBACK)
			sha256_update(&s->md, (size_t)got, *out);
		s->pos += (uint64_t)got;
		if (s->o && s->o->done)
			__atomic_add_fetch(s->o->done, (uint64_t)got, __ATOMIC_RELAXED);
	}
	return got;
}

/* Reads what libarchive left unread (tar padding after the end blocks) into the hash. */
static int drain(struct reader_state *s)
{
	const void *p;
	ssize_t got;
	while ((got = read_cb(NULL, s, &p)) > 0)
		;
	return got < 0 ? -1 : 0;
}

static void hex(const unsigned char *d, unsigned n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = 0;
}

char *tar_name_normalise(struct arena *a, const char *name, bool absolute, const char **why)
{
	if (!name) {
		*why = "out of memory"; /* the name could not be made */
		return NULL;
	}
	size_t len = strlen(name);
	if (len > 4096) {
		*why = "has a name longer than the limit";
		return NULL;
	}
	if (name[0] == '/') {
		*why = "has an absolute name";
		return NULL;
	}
	char *out = arena_alloc(a, len + 2);
	if (!out) {
		*why = "out of memory";
		return NULL;
	}
	size_t w = 0;
	const char *p = name;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, "/");
		if (n == 1 && p[0] == '.') {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			*why = "climbs out of the image with '..'";
			return NULL;
		}
		if (w || absolute)
			out[w++] = '/';
		memcpy(out + w, p, n);
		w += n;
		p += n;
	}
	if (w == 0 && absolute)
		out[w++] = '/';
	out[w] = 0;
	if (w == 0) {
		*why = "has an empty name";
		return NULL;
	}
	return out;
}

/* How much of `path` to keep: its cap when the read wants its contents, else 0. */
static size_t wanted(const struct layer_opts *o, const char *path)
{
	size_t lo = 0, hi = o->ncapture;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(o->capture[mid], path);
		if (c == 0)
			return o->capture_caps ? o->capture_caps[mid] : o->capture_cap;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int fail(struct layer *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct layer *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	l->error = arena_vprintf(l->arena, fmt, ap);
	va_end(ap);
	if (!l->error)
		l->error = "out of memory";
	return -1;
}

/* Checks the decompressed bytes, of this layer and of all layers together, against the limits. */
static int check_bytes(struct layer *l, const struct layer_opts *o, uint64_t out,
		       struct reader_state *s, const struct blob *b)
{
	uint64_t in = s->pos, total = out;
	if (o->out && out > s->counted) {
		total = __atomic_add_fetch(o->out, out - s->counted, __ATOMIC_RELAXED);
		s->counted = out;
	}
	if (out > o->limits->uncompressed || total > o->limits->uncompressed)
		return fail(l,
			    "the layers decompress to more than the limit of %zu bytes (at layer "
			    "'%s')",
			    o->limits->uncompressed, b->name);
	if (out > BOMB_FLOOR && in && out / in > BOMB_RATIO)
		return fail(l,
			    "layer '%s' expands more than %u times (%llu bytes from %llu): a "
			    "decompression bomb",
			    b->name, BOMB_RATIO, (unsigned long long)out, (unsigned long long)in);
	return 0;
}

static struct fs_xattr *read_xattrs(struct arena *a, struct archive_entry *e)
{
	struct fs_xattr *head = NULL, **tail = &head;
	if (archive_entry_xattr_reset(e) == 0)
		return NULL;
	const char *name;
	const void *value;
	size_t size;
	int n = 0;
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		/* 64 a file are kept, but never at the cost of the one a rule reads. A value
		 * over the kernel's XATTR_SIZE_MAX could not be set on any file. */
		bool cap = name && strcmp(name, "security.capability") == 0;
		if (size > 65536 || (!cap && n++ >= 64))
			continue;
		struct fs_xattr *x = arena_alloc(a, sizeof(*x));
		unsigned char *v = arena_alloc(a, size + 1);
		if (!x || !v)
			return head;
		memcpy(v, value, size);
		x->name = arena_strdup(a, name);
		x->value = v;
		x->len = size;
		*tail = x;
		tail = &x->next;
	}
	return head;
}

static uint32_t type_bits(struct archive_entry *e)
{
	switch (archive_entry_filetype(e)) {
	case AE_IFDIR:
		return FS_DIR;
	case AE_IFLNK:
		return FS_LNK;
	case AE_IFCHR:
		return FS_CHR;
	case AE_IFBLK:
		return FS_BLK;
	case AE_IFIFO:
		return FS_FIFO;
	case AE_IFSOCK:
		return FS_SOCK;
	default:
		return FS_REG;
	}
}

/* Reads (capturing up to the cap) or skips the current entry's data, watching the limits. */
static int consume_data(struct archive *ar, struct layer *l, const struct layer_opts *o,
			const struct blob *b, struct reader_state *s, struct layer_entry *keep,
			size_t keep_cap)
{
	const void *p;
	size_t size;
	la_int64_t off;
	char *cap = NULL;
	size_t caplen = 0, room = 0;
	if (keep) {
		/* Sized to the file, not to the cap: every layer may hold passwd and group. */
		room = keep->size < keep_cap ? (size_t)keep->size : keep_cap;
		keep->content_truncated = keep->size > room;
		cap = arena_alloc(l->arena, room + 1);
		if (!cap)
			return fail(l, "out of memory");
	}
	if (!keep && archive_filter_code(ar, 0) == ARCHIVE_FILTER_NONE) {
		/* Plain tar: skipping seeks past the data without reading it. */
		if (archive_read_data_skip(ar) == ARCHIVE_OK)
			return 0;
		s->damaged = true;
		return fail(l, "layer '%s' is truncated or damaged: %s", b->name,
			    archive_error_string(ar) ? archive_error_string(ar) : "");
	}
	for (;;) {
		int r = archive_read_data_block(ar, &p, &size, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			s->damaged = true;
			return fail(l, "layer '%s' is truncated or damaged: %s", b->name,
				    archive_error_string(ar) ? archive_error_string(ar)
							     : "read error");
		}
		if (keep && off >= 0 && (uint64_t)off < room) {
			size_t left = room - (size_t)off;
			size_t n = size < left ? size : left;
			memcpy(cap + off, p, n);
			if ((size_t)off + n > caplen)
				caplen = (size_t)off + n;
			if (size > left)
				keep->content_truncated = true;
		} else if (keep && size) {
			keep->content_truncated = true;
		}
		if (check_bytes(l, o, (uint64_t)archive_filter_bytes(ar, 0), s, b))
			return -1;
	}
	if (keep) {
		cap[caplen] = 0;
		keep->content = cap;
		keep->content_len = caplen;
	}
	return 0;
}

static int read_entries(struct archive *ar, struct layer *l, const struct layer_opts *o,
			const struct blob *b, struct reader_state *s)
{
	struct archive_entry *e;
	size_t count = 0;
	for (;;) {
		int r = archive_read_next_header(ar, &e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			s->damaged = true;
			if (count == 0 && s->pos == 0)
				return fail(l, "layer '%s' is empty", b->name);
			return fail(l, "layer '%s' is truncated or damaged after entry %zu: %s",
				    b->name, count,
				    archive_error_string(ar) ? archive_error_string(ar)
							     : "read error");
		}
		if (++count > o->limits->tar_entries)
			return fail(l, "layer '%s' has more than %zu entries, the limit", b->name,
				    o->limits->tar_entries);
		if (check_bytes(l, o, (uint64_t)archive_filter_bytes(ar, 0), s, b))
			return -1;
		const char *raw = archive_entry_pathname(e);
		if (!raw)
			raw = archive_entry_pathname_utf8(e);
		if (!raw)
			return fail(l, "layer '%s': entry %zu has no readable name", b->name,
				    count);
		if (strlen(raw) > o->limits->path_len)
			return fail(l, "layer '%s': entry %zu has a name longer than %zu bytes",
				    b->name, count, o->limits->path_len);
		const char *why = NULL;
		char *path = tar_name_normalise(l->arena, raw, true, &why);
		if (!path)
			return fail(l, "layer '%s': entry '%.200s' %s", b->name, raw, why);
		struct layer_entry tmp = {0}, *le = &tmp;
		if (o->entries) {
			le = ARR_PUSH(l->arena, l->entries, l->n, l->cap);
			if (!le)
				return fail(l, "out of memory");
		}
		le->path = path;
		char *base = strrchr(path, '/') + 1;
		if (strncmp(base, ".wh.", 4) == 0) {
			if (strcmp(base, ".wh..wh..opq") == 0) {
				/* The folder that holds the marker is opaque. */
				le->opaque = true;
				if (base - 1 == path)
					path[1] = 0;
				else
					base[-1] = 0;
			} else if (strncmp(base, ".wh..wh.", 8) == 0) {
				/* aufs bookkeeping (.wh..wh.plnk): not part of the filesystem. */
				if (o->entries)
					l->n--;
			} else {
				le->whiteout = true;
				memmove(base, base + 4, strlen(base + 4) + 1);
				if (!*base)
					return fail(
					    l, "layer '%s': entry '%.200s' is an empty whiteout",
					    b->name, raw);
			}
			if (consume_data(ar, l, o, b, s, NULL, 0))
				return -1;
			continue;
		}
		le->mode = type_bits(e) | ((uint32_t)archive_entry_perm(e) & 07777);
		le->uid = (uint32_t)archive_entry_uid(e);
		le->gid = (uint32_t)archive_entry_gid(e);
		le->size = (uint64_t)archive_entry_size(e);
		const char *hl = archive_entry_hardlink(e);
		if (hl) {
			le->link = tar_name_normalise(l->arena, hl, true, &why);
			if (!le->link)
				return fail(l, "layer '%s': hard link '%.200s' -> '%.200s' %s",
					    b->name, raw, hl, why);
			le->hardlink = true;
		} else if (le->mode >> 12 == FS_LNK >> 12) {
			const char *t = archive_entry_symlink(e);
			le->link = arena_strdup(l->arena, t ? t : "");
		}
		le->xattrs = read_xattrs(l->arena, e);
		size_t keep_cap =
		    !hl && (le->mode & 0170000) == FS_REG && o->ncapture ? wanted(o, path) : 0;
		bool want = keep_cap > 0;
		if (consume_data(ar, l, o, b, s, want ? le : NULL, keep_cap))
			return -1;
		if (want && !o->entries) {
			/* Capture only: keep the newest content of a wanted path. */
			struct layer_entry *c = ARR_PUSH(l->arena, l->entries, l->n, l->cap);
			if (!c)
				return fail(l, "out of memory");
			*c = *le;
		}
	}
}

/*
 * A layer that does not read as a tar may not be the blob its manifest
 * names at all (a blob changed on a registry's disk): the rest is read and
 * hashed, and a digest that differs is the error, naming both digests.
 */
static void blame_digest(struct reader_state *s, struct layer *l)
{
	const struct blob *b = s->b;
	if (drain(s) != 0)
		return;
	unsigned char d[SHA256_DIGEST_SIZE];
	char got[2 * SHA256_DIGEST_SIZE + 1];
	sha256_digest(&s->md, sizeof(d), d);
	hex(d, sizeof(d), got);
	if (strcmp(got, b->digest) != 0)
		fail(l, "layer '%s' has sha256 %s, but the manifest says %s (%s)", b->name, got,
		     b->digest, l->error);
}

int layer_read(const struct blob *b, struct layer *l, const struct layer_opts *o,
	       struct layer_stats *st)
{
	struct reader_state s = {.b = b, .o = o, .fd = b->fd};
	int rc = -1;
	memset(st, 0, sizeof(*st));
	if (b->kind == BLOB_FILE && b->fd < 0) {
		/* A blob of a layout folder is opened only while it is read: an image
		 * may have a thousand layers, more than a process may hold open. */
		const char *why;
		struct stat fst;
		s.fd = input_open(b->dirfd, b->name, INPUT_NOFOLLOW, &fst, &why);
		if (s.fd < 0)
			return fail(l, "layer '%s' %s", b->name, why);
		if ((uint64_t)fst.st_size != b->size) {
			close(s.fd);
			return fail(l, "layer '%s' changed while it was read", b->name);
		}
	}
	sha256_init(&s.md);
	s.buf = b->kind == BLOB_MEMORY ? NULL : malloc(READ_CHUNK);
	struct archive *ar = archive_read_new();
	if ((!s.buf && b->kind != BLOB_MEMORY) || !ar) {
		fail(l, "out of memory");
		goto out;
	}
	archive_read_support_format_tar(ar);
	archive_read_support_filter_gzip(ar);
	archive_read_support_filter_zstd(ar);
	archive_read_support_filter_none(ar);
	archive_read_set_read_callback(ar, read_cb);
	archive_read_set_callback_data(ar, &s);
	if (archive_read_open1(ar) != ARCHIVE_OK) {
		const char *e =
		    archive_error_string(ar) ? archive_error_string(ar) : "unknown format";
		s.damaged = true;
		if (strstr(e, "runcated") || strstr(e, "damaged"))
			fail(l, "layer '%s' is truncated or damaged: %s", b->name, e);
		else
			fail(l, "layer '%s' is not a tar stream (plain, gzip or zstd): %s", b->name,
			     e);
		goto out;
	}
	if (read_entries(ar, l, o, b, &s) != 0)
		goto out;
	st->filter = archive_filter_code(ar, 0);
	st->uncompressed = (uint64_t)archive_filter_bytes(ar, 0);
	if (drain(&s) != 0) {
		fail(l, "cannot read layer '%s': %s", b->name, strerror(s.err));
		goto out;
	}
	st->compressed = s.pos;
	bool sized =
	    b->kind != BLOB_STREAM && b->kind != BLOB_CALLBACK && (b->kind != BLOB_PIPE || b->size);
	if (b->kind != BLOB_CALLBACK) {
		unsigned char d[SHA256_DIGEST_SIZE];
		sha256_digest(&s.md, sizeof(d), d);
		hex(d, sizeof(d), st->sha256);
	}
	/* The digest first: a blob that is another one is named by it, whatever its size. */
	if (b->digest && b->kind != BLOB_CALLBACK &&
	    (!b->digest_if_plain || st->filter == ARCHIVE_FILTER_NONE)) {
		const char *got = st->sha256;
		if (strcmp(got, b->digest) != 0) {
			if (sized && s.pos != b->size)
				fail(l,
				     "layer '%s' has sha256 %s (%llu bytes), but the manifest says "
				     "%s "
				     "(%llu bytes)",
				     b->name, got, (unsigned long long)s.pos, b->digest,
				     (unsigned long long)b->size);
			else
				fail(l, "layer '%s' has sha256 %s, but the manifest says %s",
				     b->name, got, b->digest);
			goto out;
		}
	}
	if (sized && s.pos != b->size) {
		fail(l, "layer '%s' is shorter than its %llu bytes", b->name,
		     (unsigned long long)b->size);
		goto out;
	}
	rc = 0;
out:
	if (rc != 0 && s.damaged && b->digest && !b->digest_if_plain && b->kind != BLOB_CALLBACK)
		blame_digest(&s, l);
	if (rc != 0 && s.why)
		fail(l, "layer '%s': %s", b->name, s.why);
	if (ar)
		archive_read_free(ar);
	free(s.buf);
	if (s.fd != b->fd)
		close(s.fd);
	if ((b->kind == BLOB_PIPE || b->kind == BLOB_CALLBACK) && b->done) {
		/* The transfer's own failure says more than a short tar stream. */
		const char *why = b->done(b->done_ctx, b, rc == 0);
		if (why) {
			fail(l, "%s", why);
			rc = -1;
		}
	}
	return rc;
}

char *blob_slurp(struct arena *a, const struct blob *b, size_t limit, size_t *len, const char **why)
{
	char *out = b->size <= limit ? arena_alloc(a, (size_t)b->size + 1) : NULL;
	if (!out) {
		*why = b->size > limit
			   ? arena_printf(a,
					  "is %llu bytes, more than %zu, the limit for a "
					  "JSON file",
					  (unsigned long long)b->size, limit)
			   : "out of memory";
		if (!*why)
			*why = "is larger than the limit for a JSON file";
		if (b->kind == BLOB_PIPE && b->done)
			b->done(b->done_ctx, b, false);
		return NULL;
	}
	size_t got = 0;
	if (b->kind == BLOB_MEMORY) {
		memcpy(out, b->data, (size_t)b->size);
		got = (size_t)b->size;
	} else if (b->kind == BLOB_FILE) {
		while (got < b->size) {
			ssize_t r = pread(b->fd, out + got, (size_t)b->size - got,
					  (off_t)(b->offset + got));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				*why = "cannot be read";
				return NULL;
			}
			got += (size_t)r;
		}
	} else if (b->kind == BLOB_PIPE) {
		bool big = false;
		for (;;) {
			if (got == b->size) {
				char extra;
				ssize_t r = read(b->fd, &extra, 1);
				if (r < 0 && errno == EINTR)
					continue;
				big = r > 0;
				break;
			}
			ssize_t r = read(b->fd, out + got, (size_t)b->size - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		const char *tw = b->done ? b->done(b->done_ctx, b, !big) : NULL;
		if (tw || big) {
			*why = tw ? tw : "is larger than its manifest says";
			return NULL;
		}
	} else {
		*why = "cannot be read from a stream";
		return NULL;
	}
	out[got] = 0;
	*len = got;
	if (b->digest) {
		unsigned char d[SHA256_DIGEST_SIZE];
		char hexd[2 * SHA256_DIGEST_SIZE + 1];
		struct sha256_ctx md;
		sha256_init(&md);
		sha256_update(&md, got, (const uint8_t *)out);
		sha256_digest(&md, sizeof(d), d);
		hex(d, sizeof(d), hexd);
		if (strcmp(hexd, b->digest) != 0) {
			*why = arena_printf(a, "has sha256 %s, but the manifest says %s", hexd,
					    b->digest);
			return NULL;
		}
	}
	return out;
}
