/*
 * storage.c - containers-storage:REF, the local store of Podman and Buildah,
 * read in place.
 *
 * The store keeps each image's manifest and config as "big data" beside
 * images.json, and each layer unpacked (overlay: <id>/diff; vfs: the whole
 * tree in dir/<id>) with its original tar headers in <id>.tar-split.gz. A
 * layer is rebuilt from those headers, in the order and with the owners,
 * modes, whiteouts and opaque markers the layer's tar had (the files on
 * disk of a rootless store belong to shifted uids), and fed to the layer
 * reader; file contents are read from the layer's folder only for the
 * paths the facts need, zeros stand for the rest. The store's read locks
 * (images.lock, layers.lock) are held while it is read, so that a
 * concurrent `podman pull` cannot hand over a half-written layer.
 */
#include "blob.h"
#include "image-internal.h"
#include "unroot/arena.h"
#include "ref.h"
#include "util/reading.h"

#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_JSON    ((size_t)64 << 20) /* images.json, layers.json of a big store */
#define MAX_BIGDATA ((size_t)8 << 20)
#define MAX_LINE    ((size_t)4 << 20) /* one tar-split record */
#define MAX_CHAIN   1000
#define CONTENT_CAP ((size_t)1 << 20)
#define ZERO_CHUNK  ((size_t)1 << 20)

struct store {
	const char *driver, *graphroot, *runroot;
	const char *conf; /* the storage.conf read, or NULL */
};

struct slayer {
	const char *id, *parent, *compressed, *diff;
};

struct split {
	struct storage *S;
	const struct slayer *layer;
	struct archive *gz;
	const char *dir; /* the layer's files */
	const char *const *capture;
	size_t ncapture;
	char *line;
	size_t llen, lcap;
	const unsigned char *chunk; /* what the gzip reader gave and is not used yet */
	size_t clen;
	unsigned char *out; /* decoded payload, or file contents */
	size_t outcap;
	uint64_t zeros; /* zeros still owed for a file whose contents are not read */
	bool eof;
};

struct storage {
	struct reading *rd;
	struct arena *a;
	const struct image_ref *ref;
	struct store st;
	const char *index_json, *manifest, *config;
	size_t index_len, manifest_len, config_len;
	char manifest_hex[65], config_hex[65];
	struct slayer *chain; /* base first */
	size_t nchain;
	struct slayer *layers;
	size_t nlayers;
	const char *error;
};

static const unsigned char zeros[ZERO_CHUNK];

/* --- small helpers ------------------------------------------------------------------ */

static char *slurp(struct arena *a, const char *path, size_t max, size_t *len, int *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	*err = 0;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		*err = fd < 0 ? errno : (size_t)st.st_size > max ? EFBIG : EINVAL;
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	char *buf = arena_alloc_raw(a, (size_t)st.st_size + 1);
	size_t got = 0;
	while (buf && got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (!buf) {
		*err = ENOMEM;
		return NULL;
	}
	buf[got] = 0;
	*len = got;
	return buf;
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char d[SHA256_DIGEST_SIZE];
	struct sha256_ctx md;
	sha256_init(&md);
	sha256_update(&md, len, data);
	sha256_digest(&md, sizeof(d), d);
	for (unsigned i = 0; i < sizeof(d); i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[64] = 0;
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Standard base64 into out (room for n/4*3 bytes); -1 when malformed. */
static ssize_t b64decode(const char *s, size_t n, unsigned char *out)
{
	size_t w = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n && s[i] != '='; i++) {
		int v = b64val((unsigned char)s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[w++] = (unsigned char)((acc >> bits) & 0xff);
		}
	}
	return (ssize_t)w;
}

static char *b64encode(struct arena *a, const char *s)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s);
	char *o = arena_alloc(a, (n + 2) / 3 * 4 + 1);
	size_t w = 0;
	for (size_t i = 0; o && i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		o[w++] = tbl[(v >> 18) & 63];
		o[w++] = tbl[(v >> 12) & 63];
		o[w++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		o[w++] = i + 2 < n ? tbl[v & 63] : '=';
	}
	return o;
}

/* The file name containers-storage gives a big-data key: as is, or "=" and its base64. */
static const char *bigdata_name(struct arena *a, const char *key)
{
	for (const char *p = key; *p; p++)
		if (*p != '.' && !(*p >= '0' && *p <= '9') && !(*p >= 'a' && *p <= 'z'))
			return arena_concat(a, "=", b64encode(a, key), "");
	return key;
}

/* --- where the store is -------------------------------------------------------------- */

/* A value of `key = "..."` in the [storage] table of a storage.conf; NULL when absent. */
static const char *conf_value(struct arena *a, const char *text, const char *key)
{
	bool in_storage = false;
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *q = p;
		while (q < p + n && (*q == ' ' || *q == '\t'))
			q++;
		if (*q == '[')
			in_storage = (size_t)(p + n - q) >= 9 && strncmp(q, "[storage]", 9) == 0;
		else if (in_storage && strncmp(q, key, strlen(key)) == 0) {
			const char *r = q + strlen(key);
			while (r < p + n && (*r == ' ' || *r == '\t'))
				r++;
			if (r < p + n && *r == '=') {
				r++;
				while (r < p + n && (*r == ' ' || *r == '\t'))
					r++;
				if (r < p + n && (*r == '"' || *r == '\'')) {
					const char *e = memchr(r + 1, *r, (size_t)(p + n - r - 1));
					if (e)
						return arena_strndup(a, r + 1, (size_t)(e - r - 1));
				}
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static const char *expand_home(struct arena *a, const char *v)
{
	const char *home = getenv("HOME");
	if (v && strncmp(v, "$HOME", 5) == 0 && home)
		return arena_concat(a, home, v + 5, "");
	if (v && v[0] == '~' && v[1] == '/' && home)
		return arena_concat(a, home, v + 1, "");
	return v;
}

/*
 * The store: a [driver@graphroot+runroot] prefix of the reference as skopeo
 * writes it, else storage.conf ($CONTAINERS_STORAGE_CONF, the user's, the
 * system's), else Podman's defaults for root and for a user.
 */
static void find_store(struct storage *S, const char **image)
{
	struct arena *a = S->a;
	const char *s = *image;
	bool root = geteuid() == 0;
	const char *home = getenv("HOME");
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (end) {
			char *spec = arena_strndup(a, s + 1, (size_t)(end - s - 1));
			*image = end + 1;
			char *colon = spec ? strchr(spec, ':') : NULL;
			if (colon)
				*colon = 0; /* driver options: not needed to read */
			char *at = spec ? strchr(spec, '@') : NULL;
			char *plus = spec ? strchr(spec, '+') : NULL;
			if (plus)
				*plus = 0;
			if (at) {
				*at = 0;
				S->st.driver = *spec ? spec : NULL;
				S->st.graphroot = at + 1;
			} else if (spec && *spec) {
				S->st.graphroot = spec;
			}
			S->st.runroot = plus ? plus + 1 : NULL;
			if (S->st.graphroot)
				return;
		}
	}
	const char *candidates[4] = {0};
	size_t n = 0;
	const char *env = getenv("CONTAINERS_STORAGE_CONF");
	if (env && *env)
		candidates[n++] = env;
	if (!root) {
		const char *xdg = getenv("XDG_CONFIG_HOME");
		if (xdg && *xdg)
			candidates[n++] = arena_concat(a, xdg, "/containers/storage.conf", "");
		else if (home)
			candidates[n++] =
			    arena_concat(a, home, "/.config/containers/storage.conf", "");
	}
	candidates[n++] = "/etc/containers/storage.conf";
	candidates[n++] = "/usr/share/containers/storage.conf";
	for (size_t i = 0; i < n; i++) {
		size_t len;
		int err;
		if (!candidates[i])
			continue;
		char *text = slurp(a, candidates[i], (size_t)1 << 20, &len, &err);
		if (!text)
			continue;
		S->st.conf = candidates[i];
		S->st.driver = conf_value(a, text, "driver");
		S->st.runroot = conf_value(a, text, "runroot");
		const char *g = conf_value(a, text, root ? "graphroot" : "rootless_storage_path");
		S->st.graphroot = expand_home(a, g);
		break;
	}
	if (S->st.driver && !*S->st.driver)
		S->st.driver = NULL;
	if (!S->st.graphroot || !*S->st.graphroot) {
		const char *xdg = getenv("XDG_DATA_HOME");
		S->st.graphroot =
		    root	  ? "/var/lib/containers/storage"
		    : xdg && *xdg ? arena_concat(a, xdg, "/containers/storage", "")
		    : home	  ? arena_concat(a, home, "/.local/share/containers/storage", "")
				  : NULL;
	}
}

/* The driver whose images.json the store has, when storage.conf does not say. */
static const char *find_driver(struct storage *S)
{
	static const char *const drivers[] = {"overlay", "vfs", "btrfs", "zfs", "aufs"};
	if (S->st.driver)
		return S->st.driver;
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		char *p =
		    arena_printf(S->a, "%s/%s-images/images.json", S->st.graphroot, drivers[i]);
		if (p && access(p, F_OK) == 0)
			return drivers[i];
	}
	return "overlay";
}

/* --- the store's locks ---------------------------------------------------------------- */

/*
 * A read lock on one of the store's lock files (fcntl, as containers/storage
 * takes them), waited for up to the --timeout. -1 when there is no such
 * file (an old store), -2 when it stayed locked.
 */
static int read_lock(struct storage *S, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
	unsigned waited = 0,
		 limit = (S->rd->opts->fetch.timeout ? S->rd->opts->fetch.timeout : 30) * 20;
	while (fcntl(fd, F_SETLK, &fl) != 0) {
		if ((errno != EACCES && errno != EAGAIN) || waited++ >= limit) {
			close(fd);
			return errno == EACCES || errno == EAGAIN ? -2 : -1;
		}
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return fd;
}

static void unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* closing drops the process's fcntl locks on the file */
}

/* --- the image ----------------------------------------------------------------------- */

static bool all_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* How well a stored name matches what the user wrote: 3 exact, 2 localhost/, 1 a short name. */
static int name_score(struct storage *S, const char *stored)
{
	const struct image_name *want = &S->ref->name;
	const char *text = S->ref->local;
	if (want->canonical) {
		struct image_name n;
		const char *why;
		if (image_name_parse(S->a, stored, &n, &why) != 0)
			return 0;
		if (strcmp(n.canonical, want->canonical) == 0)
			return 3;
		/* Podman gives a short name of its own images "localhost/". */
		const char *bare = strchr(text, '/') ? NULL : text;
		if (bare && strcmp(n.domain, "localhost") == 0 &&
		    strcmp(n.repository, want->repository + 8) == 0 && n.tag && want->tag &&
		    strcmp(n.tag, want->tag) == 0)
			return 2;
		size_t rl = strlen(n.repository), wl = strlen(want->repository);
		const char *short_repo = strncmp(want->repository, "library/", 8) == 0 &&
						 strcmp(want->domain, "docker.io") == 0 &&
						 !strchr(text, '/')
					     ? want->repository + 8
					     : NULL;
		if (short_repo) {
			size_t sl = strlen(short_repo);
			if (rl > sl && n.repository[rl - sl - 1] == '/' &&
			    strcmp(n.repository + rl - sl, short_repo) == 0 && n.tag && want->tag &&
			    strcmp(n.tag, want->tag) == 0)
				return 1;
		}
		(void)wl;
	}
	return 0;
}

static json_t *find_image(struct storage *S, json_t *images, char **why)
{
	const char *text = S->ref->local;
	const char *idtext = strncmp(text, "sha256:", 7) == 0 ? text + 7 : text;
	bool by_id = strlen(idtext) >= 3 && strlen(idtext) <= 64 && all_hex(idtext);
	json_t *best = NULL;
	int best_score = 0, ties = 0;
	size_t n = json_array_size(images);
	for (size_t i = 0; i < n; i++) {
		json_t *im = json_array_get(images, i);
		const char *id = json_string_value(json_object_get(im, "id"));
		if (!id)
			continue;
		int score = 0;
		if (by_id && strncmp(id, idtext, strlen(idtext)) == 0)
			score = strlen(idtext) == 64 ? 4 : 3;
		json_t *names = json_object_get(im, "names");
		for (size_t k = 0; k < json_array_size(names); k++) {
			const char *nm = json_string_value(json_array_get(names, k));
			int s = nm ? name_score(S, nm) : 0;
			if (s > score)
				score = s;
		}
		const char *dg = S->ref->name.digest;
		if (dg && json_string_value(json_object_get(im, "digest")) &&
		    strcmp(json_string_value(json_object_get(im, "digest")), dg) == 0)
			score = 4;
		if (score > best_score) {
			best = im;
			best_score = score;
			ties = 0;
		} else if (score && score == best_score) {
			ties++;
		}
	}
	if (!best) {
		*why = arena_printf(S->a, "the store %s has no image '%s'", S->st.graphroot, text);
		return NULL;
	}
	if (ties) {
		*why = arena_printf(S->a,
				    "'%s' names %d images in the store %s: give the whole name or "
				    "the image ID",
				    text, ties + 1, S->st.graphroot);
		return NULL;
	}
	return best;
}

static const char *bigdata(struct storage *S, const char *driver, const char *id, const char *key,
			   size_t *len, char **why)
{
	const char *path = arena_printf(S->a, "%s/%s-images/%s/%s", S->st.graphroot, driver, id,
					bigdata_name(S->a, key));
	int err = 0;
	char *data = path ? slurp(S->a, path, MAX_BIGDATA, len, &err) : NULL;
	if (!data)
		*why = arena_printf(S->a, "cannot read the image's %s in the store (%s): %s", key,
				    path ? path : "?", strerror(err ? err : ENOMEM));
	return data;
}

/* Reads images.json, the image's manifest and config, under the images lock. */
static int read_image(struct storage *S, const char *driver, char **why)
{
	const char *dir = arena_printf(S->a, "%s/%s-images", S->st.graphroot, driver);
	int lock = read_lock(S, arena_concat(S->a, dir, "/images.lock", ""));
	if (lock == -2) {
		*why = arena_printf(S->a,
				    "the store %s stayed locked for writing (a podman or buildah "
				    "command is changing it) longer than --timeout",
				    S->st.graphroot);
		return -1;
	}
	size_t len;
	int err;
	char *text = slurp(S->a, arena_concat(S->a, dir, "/images.json", ""), MAX_JSON, &len, &err);
	int rc = -1;
	json_t *images = NULL;
	if (!text) {
		*why = arena_printf(S->a,
				    "%s has no image store for the %s driver (%s/images.json: %s)",
				    S->st.graphroot, driver, dir, strerror(err));
		goto out;
	}
	json_error_t je;
	images = json_loadb(text, len, 0, &je);
	if (!json_is_array(images)) {
		*why = arena_printf(S->a, "%s/images.json is not a list of images (line %d: %s)",
				    dir, je.line, je.text);
		goto out;
	}
	json_t *im = find_image(S, images, why);
	if (!im)
		goto out;
	const char *id = json_string_value(json_object_get(im, "id"));
	const char *top = json_string_value(json_object_get(im, "layer"));
	S->manifest = bigdata(S, driver, id, "manifest", &S->manifest_len, why);
	if (!S->manifest)
		goto out;
	sha256_hex(S->manifest, S->manifest_len, S->manifest_hex);
	json_t *m = json_loadb(S->manifest, S->manifest_len, 0, &je);
	const char *cdig =
	    json_string_value(json_object_get(json_object_get(m, "config"), "digest"));
	if (json_integer_value(json_object_get(m, "schemaVersion")) == 1 || !cdig) {
		*why = arena_printf(
		    S->a, "the image's manifest in the store is not an OCI or Docker schema "
			  "2 image manifest (schema 1 images hold no config)");
		json_decref(m);
		goto out;
	}
	S->config = bigdata(S, driver, id, cdig, &S->config_len, why);
	if (S->config)
		sha256_hex(S->config, S->config_len, S->config_hex);
	json_decref(m);
	if (!S->config)
		goto out;
	/* The layer chain's top, for read_layers(); kept as the first slayer. */
	S->chain = arena_alloc(S->a, sizeof(*S->chain));
	if (!S->chain)
		goto out;
	S->chain[0].id = top ? arena_strdup(S->a, top) : NULL;
	rc = 0;
out:
	json_decref(images);
	unlock(lock);
	return rc;
}

static const char *jdup(struct arena *a, json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? arena_strdup(a, s) : NULL;
}

static int read_layers_json(struct storage *S, const char *path, bool required, char **why)
{
	size_t len;
	int err;
	char *text = slurp(S->a, path, MAX_JSON, &len, &err);
	if (!text) {
		if (!required && err == ENOENT)
			return 0;
		*why = arena_printf(S->a, "cannot read %s: %s", path, strerror(err));
		return -1;
	}
	json_error_t je;
	json_t *ls = json_loadb(text, len, 0, &je);
	if (!json_is_array(ls)) {
		json_decref(ls);
		*why = arena_printf(S->a, "%s is not a list of layers (line %d: %s)", path, je.line,
				    je.text);
		return -1;
	}
	size_t n = json_array_size(ls);
	struct slayer *all = arena_alloc(S->a, (S->nlayers + n + 1) * sizeof(*all));
	if (!all) {
		json_decref(ls);
		return -1;
	}
	if (S->nlayers)
		memcpy(all, S->layers, S->nlayers * sizeof(*all));
	for (size_t i = 0; i < n; i++) {
		json_t *l = json_array_get(ls, i);
		struct slayer *s = &all[S->nlayers];
		s->id = jdup(S->a, l, "id");
		s->parent = jdup(S->a, l, "parent");
		s->compressed = jdup(S->a, l, "compressed-diff-digest");
		s->diff = jdup(S->a, l, "diff-digest");
		if (s->id)
			S->nlayers++;
	}
	S->layers = all;
	json_decref(ls);
	return 0;
}

static const struct slayer *layer_by_id(struct storage *S, const char *id)
{
	for (size_t i = 0; id && i < S->nlayers; i++)
		if (strcmp(S->layers[i].id, id) == 0)
			return &S->layers[i];
	return NULL;
}

/* The image's layers, base first, from the top layer through the parents. */
static int layer_chain(struct storage *S, const char *driver, char **why)
{
	const char *top = S->chain[0].id;
	if (read_layers_json(
		S, arena_printf(S->a, "%s/%s-layers/layers.json", S->st.graphroot, driver), true,
		why) != 0)
		return -1;
	if (S->st.runroot &&
	    read_layers_json(
		S, arena_printf(S->a, "%s/%s-layers/volatile-layers.json", S->st.runroot, driver),
		false, why) != 0)
		return -1;
	const struct slayer *up[MAX_CHAIN];
	size_t n = 0;
	for (const struct slayer *l = layer_by_id(S, top); l; l = layer_by_id(S, l->parent)) {
		if (n == MAX_CHAIN) {
			*why = "the image's layers form a chain longer than 1000 (or a loop)";
			return -1;
		}
		up[n++] = l;
	}
	if (top && n == 0) {
		*why =
		    arena_printf(S->a, "the store lists no layer %s, the image's top layer", top);
		return -1;
	}
	S->chain = arena_alloc(S->a, (n + 1) * sizeof(*S->chain));
	if (!S->chain)
		return -1;
	for (size_t i = 0; i < n; i++)
		S->chain[i] = *up[n - 1 - i];
	S->nchain = n;
	return 0;
}

/* --- rebuilding a layer's tar from its tar-split ------------------------------------- */

/* The next record of the tar-split; false at the end. */
static bool next_line(struct split *sp, const char **why)
{
	sp->llen = 0;
	for (;;) {
		if (sp->clen == 0) {
			if (sp->eof)
				return sp->llen > 0;
			const void *p;
			size_t size;
			la_int64_t off;
			int r = archive_read_data_block(sp->gz, &p, &size, &off);
			if (r == ARCHIVE_EOF) {
				sp->eof = true;
				continue;
			}
			if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
				*why = "its tar-split index is damaged";
				return false;
			}
			sp->chunk = p;
			sp->clen = size;
		}
		const unsigned char *nl = memchr(sp->chunk, '\n', sp->clen);
		size_t take = nl ? (size_t)(nl - sp->chunk) : sp->clen;
		if (sp->llen + take > MAX_LINE) {
			*why = "its tar-split index has a record larger than the limit";
			return false;
		}
		if (sp->llen + take + 1 > sp->lcap) {
			size_t cap = sp->lcap ? sp->lcap : 4096;
			while (cap < sp->llen + take + 1)
				cap *= 2;
			char *grown = realloc(sp->line, cap);
			if (!grown) {
				*why = "out of memory";
				return false;
			}
			sp->line = grown;
			sp->lcap = cap;
		}
		memcpy(sp->line + sp->llen, sp->chunk, take);
		sp->llen += take;
		sp->line[sp->llen] = 0;
		sp->chunk += take + (nl ? 1 : 0);
		sp->clen -= take + (nl ? 1 : 0);
		if (nl)
			return true;
	}
}

static bool wanted(const struct split *sp, const char *path)
{
	for (size_t i = 0; i < sp->ncapture; i++)
		if (strcmp(sp->capture[i], path) == 0)
			return true;
	return false;
}

/*
 * Opens a file of the layer's folder without following a symlink on the
 * way: the layer's own links must not lead out of it.
 */
static int open_beneath(const char *dir, const char *rel)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	while (fd >= 0 && *rel) {
		while (*rel == '/')
			rel++;
		size_t n = strcspn(rel, "/");
		char part[256];
		if (n == 0 || n >= sizeof(part) || (n == 2 && rel[0] == '.' && rel[1] == '.')) {
			close(fd);
			return -1;
		}
		memcpy(part, rel, n);
		part[n] = 0;
		rel += n;
		bool last = !*rel || !rel[strspn(rel, "/")];
		int next = openat(fd, part,
				  O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK |
				      (last ? 0 : O_DIRECTORY));
		close(fd);
		fd = next;
		if (last)
			break;
	}
	return fd;
}

/* Reads up to `size` bytes (at most the capture cap) of a layer file into sp->out. */
static size_t file_contents(struct split *sp, const char *name, uint64_t size)
{
	size_t want = size < CONTENT_CAP ? (size_t)size : CONTENT_CAP;
	if (sp->outcap < want) {
		unsigned char *grown = realloc(sp->out, want);
		if (!grown)
			return 0;
		sp->out = grown;
		sp->outcap = want;
	}
	int fd = open_beneath(sp->dir, name);
	struct stat st;
	size_t got = 0;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		while (got < want) {
			ssize_t r = read(fd, sp->out + got, want - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
	}
	if (fd >= 0)
		close(fd);
	memset(sp->out + got, 0, want - got);
	return want;
}

static ssize_t split_read(void *ctx, const void **out, const char **why)
{
	struct split *sp = ctx;
	for (;;) {
		if (sp->zeros) {
			size_t n = sp->zeros < ZERO_CHUNK ? (size_t)sp->zeros : ZERO_CHUNK;
			sp->zeros -= n;
			*out = zeros;
			return (ssize_t)n;
		}
		if (!next_line(sp, why))
			return *why ? -1 : 0;
		json_error_t je;
		json_t *j = json_loadb(sp->line, sp->llen, 0, &je);
		json_int_t type = json_integer_value(json_object_get(j, "type"));
		if (type == 2) {
			const char *p = json_string_value(json_object_get(j, "payload"));
			size_t n = p ? strlen(p) : 0;
			if (sp->outcap < n / 4 * 3 + 3) {
				unsigned char *grown = realloc(sp->out, n / 4 * 3 + 3);
				if (!grown) {
					json_decref(j);
					*why = "out of memory";
					return -1;
				}
				sp->out = grown;
				sp->outcap = n / 4 * 3 + 3;
			}
			ssize_t got = p ? b64decode(p, n, sp->out) : 0;
			json_decref(j);
			if (got < 0) {
				*why = "its tar-split index holds a payload that is not base64";
				return -1;
			}
			if (got == 0)
				continue;
			*out = sp->out;
			return got;
		}
		if (type == 1) {
			const char *name = json_string_value(json_object_get(j, "name"));
			json_int_t size = json_integer_value(json_object_get(j, "size"));
			if (size <= 0 || !name) {
				json_decref(j);
				continue;
			}
			char path[4200];
			snprintf(path, sizeof(path), "/%s", name);
			size_t plen = strlen(path);
			while (plen > 1 && path[plen - 1] == '/')
				path[--plen] = 0;
			bool keep = wanted(sp, path);
			json_decref(j);
			if (!keep) {
				sp->zeros = (uint64_t)size;
				continue;
			}
			size_t n = file_contents(sp, path + 1, (uint64_t)size);
			sp->zeros = (uint64_t)size - n;
			*out = sp->out;
			return (ssize_t)n;
		}
		json_decref(j);
		*why = "its tar-split index has a record of an unknown type";
		return -1;
	}
}

/* The read is over: the gzip reader and the buffers go. */
static const char *split_done(void *ctx, const struct blob *b, bool ok)
{
	struct split *sp = ctx;
	(void)b;
	(void)ok;
	archive_read_free(sp->gz);
	free(sp->line);
	free(sp->out);
	sp->gz = NULL;
	sp->line = NULL;
	sp->out = NULL;
	return NULL;
}

static bool has(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "index.json") == 0;
}

static const struct slayer *layer_for(struct storage *S, const char *digest, size_t *index)
{
	for (size_t i = 0; i < S->nchain; i++) {
		const struct slayer *l = &S->chain[i];
		if ((l->compressed && strcmp(l->compressed, digest) == 0) ||
		    (l->diff && strcmp(l->diff, digest) == 0)) {
			*index = i;
			return l;
		}
	}
	return NULL;
}

static int open_blob(void *ctx, struct arena *a, const char *name, const char *const *capture,
		     size_t ncapture, struct blob *b, const char **why)
{
	struct storage *S = ctx;
	if (strcmp(name, "index.json") == 0) {
		b->kind = BLOB_MEMORY;
		b->data = (const unsigned char *)S->index_json;
		b->size = S->index_len;
		return 0;
	}
	const char *hex = strncmp(name, "blobs/sha256/", 13) == 0 ? name + 13 : "";
	if (strcmp(hex, S->manifest_hex) == 0 || strcmp(hex, S->config_hex) == 0) {
		bool m = strcmp(hex, S->manifest_hex) == 0;
		b->kind = BLOB_MEMORY;
		b->data = (const unsigned char *)(m ? S->manifest : S->config);
		b->size = m ? S->manifest_len : S->config_len;
		return 0;
	}
	size_t index;
	const struct slayer *l = layer_for(S, arena_concat(a, "sha256:", hex, ""), &index);
	if (!l) {
		*why = "is a layer the image's manifest names but the store does not have";
		return -1;
	}
	const char *driver = S->st.driver;
	const char *dir = strcmp(driver, "vfs") == 0
			      ? arena_printf(a, "%s/vfs/dir/%s", S->st.graphroot, l->id)
			      : arena_printf(a, "%s/%s/%s/diff", S->st.graphroot, driver, l->id);
	const char *tarsplit =
	    arena_printf(a, "%s/%s-layers/%s.tar-split.gz", S->st.graphroot, driver, l->id);
	struct split *sp = arena_alloc(a, sizeof(*sp));
	struct archive *gz = archive_read_new();
	if (!sp || !gz) {
		archive_read_free(gz);
		*why = "out of memory";
		return -1;
	}
	archive_read_support_format_raw(gz);
	archive_read_support_filter_gzip(gz);
	struct archive_entry *e;
	if (archive_read_open_filename(gz, tarsplit, 65536) != ARCHIVE_OK ||
	    archive_read_next_header(gz, &e) != ARCHIVE_OK) {
		*why = arena_printf(a,
				    "(layer %s) cannot be rebuilt: %s has no readable tar-split "
				    "index (%s)",
				    l->id, S->st.graphroot,
				    archive_error_string(gz) ? archive_error_string(gz) : "?");
		archive_read_free(gz);
		return -1;
	}
	*sp = (struct split){
	    .S = S, .layer = l, .gz = gz, .dir = dir, .capture = capture, .ncapture = ncapture};
	b->kind = BLOB_CALLBACK;
	b->read = split_read;
	b->read_ctx = sp;
	b->done = split_done;
	b->done_ctx = sp;
	b->name = arena_printf(a, "%s (layer %zu of %s in %s)", hex, index + 1, S->ref->text,
			       S->st.graphroot);
	return 0;
}

int image_load_storage(struct reading *rd, const struct image_ref *ref, struct image *img)
{
	struct storage S = {.rd = rd, .a = rd->arena, .ref = ref};
	const char *image = ref->local;
	char *why = NULL;
	find_store(&S, &image);
	if (image != ref->local) {
		/* The image part after a [store] prefix, parsed again as a name or an ID. */
		struct image_ref *r2 = arena_alloc(S.a, sizeof(*r2));
		const char *w2 = NULL;
		if (!r2 || image_ref_parse(S.a, arena_concat(S.a, "containers-storage:", image, ""),
					   r2, &w2) != 0) {
			reading_error(rd, ref->text, NULL, 0, 0, "cannot read '%s': %s", ref->text,
				      w2 ? w2 : "out of memory");
			return -1;
		}
		r2->text = ref->text;
		S.ref = r2;
	}
	if (!S.st.graphroot) {
		reading_error(rd, ref->text, NULL, 0, 0,
			      "cannot read '%s': no container store was found (no storage.conf "
			      "and no HOME)",
			      ref->text);
		return -1;
	}
	const char *driver = find_driver(&S);
	S.st.driver = driver;
	if (read_image(&S, driver, &why) != 0 || layer_chain(&S, driver, &why) != 0) {
		reading_error(rd, ref->text, NULL, 0, 0, "cannot read '%s': %s", ref->text,
			      why ? why : "out of memory");
		return -1;
	}
	if (strcmp(driver, "overlay") != 0 && strcmp(driver, "vfs") != 0) {
		reading_error(rd, ref->text, NULL, 0, 0,
			      "cannot read '%s': the store %s uses the %s driver; unroot reads the "
			      "overlay and vfs drivers (copy the image out with skopeo copy)",
			      ref->text, S.st.graphroot, driver);
		return -1;
	}
	json_t *idx = json_pack("{s:i,s:[{s:s,s:s,s:I}]}", "schemaVersion", 2, "manifests",
				"mediaType", "application/vnd.oci.image.manifest.v1+json", "digest",
				arena_concat(S.a, "sha256:", S.manifest_hex, ""), "size",
				(json_int_t)S.manifest_len);
	char *text = idx ? json_dumps(idx, JSON_COMPACT) : NULL;
	json_decref(idx);
	S.index_json = text ? arena_strdup(S.a, text) : NULL;
	S.index_len = S.index_json ? strlen(S.index_json) : 0;
	free(text);
	if (!S.index_json) {
		reading_error(rd, ref->text, NULL, 0, 0, "out of memory reading '%s'", ref->text);
		return -1;
	}
	int lock =
	    read_lock(&S, arena_printf(S.a, "%s/%s-layers/layers.lock", S.st.graphroot, driver));
	if (lock == -2) {
		reading_error(rd, ref->text, NULL, 0, 0,
			      "cannot read '%s': the store %s stayed locked for writing (a podman "
			      "or buildah command is changing it) longer than --timeout",
			      ref->text, S.st.graphroot);
		return -1;
	}
	struct blob_source bs = {
	    .has = has, .open = open_blob, .ctx = &S, .layout = "containers-storage"};
	int rc = image_load_source(rd, ref->text, &bs, img);
	unlock(lock);
	return rc;
}
