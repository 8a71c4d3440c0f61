/*
 * remote.c - images named by reference. A registry is read as an OCI
 * layout whose blobs come over the network: the tag's manifest (or index)
 * becomes a one-entry index.json, manifests are fetched whole and checked
 * against their digests, and layers stream from unroot-fetch through a pipe
 * into the layer reader, which hashes them as they come. image_load() starts
 * here: a reference comes this way, a file or folder goes to load.c.
 */
#include "blob.h"
#include "cache.h"
#include "fetch.h"
#include "image-internal.h"
#include "unroot/arena.h"
#include "ref.h"
#include "util/reading.h"

#include <errno.h>
#include <jansson.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_MANIFEST ((size_t)4 << 20) /* what containers/image accepts too */
#define MAX_KNOWN    4096
/*
 * Blobs asked for as soon as the image manifest is read, before the loader
 * opens them: the config and the first layers the cache does not have, so
 * that they come while the config is parsed and cached layers are read
 * (one round trip to the registry less on the way). At most the helper's
 * streams less one: a transfer asked ahead and never opened pauses once its
 * pipe is full and holds its stream, and the others must still get one.
 */
#define AHEAD_LAYERS 3

struct pipe_blob;

/* A digest the registry's manifests named: a manifest (fetched whole) or a blob. */
struct known {
	char hex[65];
	bool manifest;
	bool config;	  /* an image manifest's config: kept in the blob cache */
	const char *data; /* a manifest once fetched, in the arena */
	size_t len;
	uint64_t size;		 /* from the descriptor, 0 when not said */
	struct pipe_blob *ahead; /* asked for ahead (AHEAD_LAYERS), not opened yet */
};

struct remote;

/* One blob being streamed, for its done() callback. */
struct pipe_blob {
	struct remote *r;
	uint64_t id;
	int fd;
	char *error; /* malloc'd; freed with the remote */
	bool closed;
};

struct remote {
	struct reading *rd;
	struct arena *a;
	const char *name; /* as the user wrote it */
	const struct image_name *ref;
	struct fetcher *f; /* started when the first request is made (fetcher_of) */
	bool f_failed;
	const char *f_why;
	const char *index_json;
	size_t index_len;
	struct known *known;
	size_t nknown, capknown;
	struct pipe_blob **pipes;
	size_t npipes, cappipes;
	pthread_mutex_t lock;
	const char *error; /* why open failed, for the loader's message */
};

static void hex(const unsigned char *d, unsigned n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = 0;
}

static void sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char d[SHA256_DIGEST_SIZE];
	struct sha256_ctx md;
	sha256_init(&md);
	sha256_update(&md, len, (const uint8_t *)data);
	sha256_digest(&md, sizeof(d), d);
	hex(d, sizeof(d), out);
}

static struct known *known_find(struct remote *r, const char *hexd)
{
	for (size_t i = 0; i < r->nknown; i++)
		if (strcmp(r->known[i].hex, hexd) == 0)
			return &r->known[i];
	return NULL;
}

static struct known *known_add(struct remote *r, const char *hexd)
{
	struct known *k = known_find(r, hexd);
	if (k || r->nknown >= MAX_KNOWN || strlen(hexd) != 64)
		return k;
	k = ARR_PUSH(r->a, r->known, r->nknown, r->capknown);
	if (k)
		memcpy(k->hex, hexd, 65);
	return k;
}

static const char *digest_hex(const char *d)
{
	if (!d || strncmp(d, "sha256:", 7) != 0 || strlen(d) != 71)
		return NULL;
	for (const char *p = d + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return NULL;
	return d + 7;
}

/* The hex of a descriptor's digest, or "" (which names nothing). */
static const char *desc_hex(json_t *d)
{
	const char *h = digest_hex(json_string_value(json_object_get(d, "digest")));
	return h ? h : "";
}

static void ask_ahead(struct remote *r, json_t *j);

/*
 * Learns from a manifest what its descriptors name (child manifests, sizes),
 * and asks ahead for an image manifest's first blobs.
 */
static void learn(struct remote *r, const char *data, size_t len)
{
	json_error_t je;
	json_t *j = json_loadb(data, len, 0, &je);
	json_t *ms = json_object_get(j, "manifests");
	for (size_t i = 0; i < json_array_size(ms) && i < MAX_KNOWN; i++) {
		json_t *d = json_array_get(ms, i);
		struct known *k = known_add(r, desc_hex(d));
		if (k) {
			k->manifest = true;
			json_int_t sz = json_integer_value(json_object_get(d, "size"));
			k->size = sz > 0 ? (uint64_t)sz : 0;
		}
	}
	json_t *descs[2] = {json_object_get(j, "config"), NULL};
	json_t *layers = json_object_get(j, "layers");
	for (size_t i = 0; i <= json_array_size(layers) && i < MAX_KNOWN; i++) {
		json_t *d = i == 0 ? descs[0] : json_array_get(layers, i - 1);
		struct known *k = known_add(r, desc_hex(d));
		json_int_t sz = json_integer_value(json_object_get(d, "size"));
		if (k && !k->manifest && sz > 0)
			k->size = (uint64_t)sz;
		if (k && !k->manifest && i == 0)
			k->config = true;
	}
	ask_ahead(r, j);
	json_decref(j);
}

/*
 * The helper, started the first time something must come from the registry:
 * a reference whose manifests and config are all in the cache, and whose
 * layers are too, is read without it. NULL with *why.
 */
static struct fetcher *fetcher_of(struct remote *r, const char **why)
{
	pthread_mutex_lock(&r->lock);
	if (!r->f && !r->f_failed) {
		char *w = NULL;
		r->f = fetcher_start(r->rd->opts, &w);
		if (!r->f) {
			r->f_failed = true;
			r->f_why = arena_strdup(r->a, w ? w : "out of memory");
			free(w);
		}
	}
	struct fetcher *f = r->f;
	if (!f)
		*why = r->f_why ? r->f_why : "out of memory";
	pthread_mutex_unlock(&r->lock);
	return f;
}

static char *request_fields(struct remote *r, const char *op, const char *ref, uint64_t max,
			    bool buffer)
{
	json_t *q = json_object();
	json_object_set_new(q, "op", json_string(op));
	json_object_set_new(q, "registry", json_string(r->ref->domain));
	json_object_set_new(q, "repo", json_string(r->ref->repository));
	json_object_set_new(q, "ref", json_string(ref));
	json_object_set_new(q, "max", json_integer((json_int_t)max));
	json_object_set_new(q, "buffer", json_boolean(buffer));
	char *text = json_dumps(q, JSON_COMPACT);
	json_decref(q);
	return text;
}

/* Asks the helper for a blob (not a manifest); NULL with *why. */
static struct pipe_blob *request_blob(struct remote *r, struct arena *a, const char *hexd,
				      const char **why)
{
	struct known *k = known_find(r, hexd);
	uint64_t size = k ? k->size : 0;
	uint64_t max = size ? size : (uint64_t)r->rd->opts->limits.uncompressed;
	char *fields = request_fields(r, "blob", arena_printf(a, "sha256:%s", hexd), max, false);
	struct pipe_blob *p = arena_alloc(a, sizeof(*p));
	struct pipe_blob **slot = p ? ARR_PUSH(a, r->pipes, r->npipes, r->cappipes) : NULL;
	char *ferr = NULL;
	const char *fwhy = NULL;
	struct fetcher *f = fields && slot ? fetcher_of(r, &fwhy) : NULL;
	int fd = f ? fetcher_request(f, fields, &p->id, &ferr) : -1;
	free(fields);
	if (fd < 0) {
		*why = fwhy ? fwhy : arena_strdup(a, ferr ? ferr : "out of memory");
		free(ferr);
		if (slot)
			r->npipes--;
		return NULL;
	}
	p->r = r;
	p->fd = fd;
	*slot = p;
	return p;
}

/*
 * Once an image manifest is read: its config, and its first layers that
 * the cache has no file for (those are fetched whatever the loader finds),
 * are asked for now. A failure here is quiet: the loader asks again.
 */
static void ask_ahead(struct remote *r, json_t *j)
{
	json_t *layers = json_object_get(j, "layers");
	const char *cfg = desc_hex(json_object_get(j, "config"));
	if (!*cfg || !json_is_array(layers))
		return;
	const char *cache = r->rd->opts->fetch.cache_dir;
	const char *why;
	/* The config (i == 0), then the layers. */
	unsigned asked = 0;
	for (size_t i = 0; i <= json_array_size(layers) && asked < 1 + AHEAD_LAYERS; i++) {
		const char *h = i == 0 ? cfg : desc_hex(json_array_get(layers, i - 1));
		struct known *k = known_find(r, h);
		if (!k || k->manifest || k->ahead ||
		    (i > 0 ? layer_cache_has(cache, h) : blob_cache_has(cache, h)))
			continue;
		struct pipe_blob *p = request_blob(r, r->a, h, &why);
		if (!p)
			break;
		known_find(r, h)->ahead = p;
		asked++;
	}
}

/* A manifest's media type from its own text, for one read from the cache. */
static const char *media_type_of(struct remote *r, const char *data, size_t len)
{
	json_error_t je;
	json_t *j = json_loadb(data, len, 0, &je);
	const char *mt = json_string_value(json_object_get(j, "mediaType"));
	const char *out = mt ? arena_strdup(r->a, mt)
			  : json_is_array(json_object_get(j, "manifests"))
			      ? "application/vnd.oci.image.index.v1+json"
			      : "application/vnd.oci.image.manifest.v1+json";
	json_decref(j);
	return out;
}

/*
 * A manifest by tag or digest, whole; checked against `want` (hex) when
 * given. One named by digest comes from the blob cache when it is there
 * (a tag is always asked for: tags move); one fetched is kept there by its
 * digest. Returns its bytes in the arena, or NULL with r->error.
 */
static const char *get_manifest(struct remote *r, const char *ref, const char *want, size_t *len,
				char out_hex[65], const char **media_type)
{
	const char *cache = r->rd->opts->fetch.cache_dir;
	size_t n = 0;
	char *data = want ? blob_cache_get(cache, want, MAX_MANIFEST, &n) : NULL;
	if (data) {
		memcpy(out_hex, want, 65);
		const char *copy = arena_strndup(r->a, data, n);
		if (media_type && copy)
			*media_type = media_type_of(r, data, n);
		free(data);
		*len = n;
		if (!copy)
			r->error = "out of memory";
		return copy;
	}
	char *fields = request_fields(r, "manifest", ref, MAX_MANIFEST, true);
	struct fetch_result res = {0};
	const char *fwhy = NULL;
	struct fetcher *f = fetcher_of(r, &fwhy);
	if (!f) {
		free(fields);
		r->error = fwhy;
		return NULL;
	}
	if (!fields || fetcher_get(f, fields, MAX_MANIFEST, &data, &n, &res) != 0) {
		r->error = arena_printf(r->a, "%s", res.error ? res.error : "out of memory");
		if (fields && res.error && strstr(res.error, "larger than the limit"))
			r->error = arena_printf(r->a,
						"the manifest '%s' is larger than the limit of %zu "
						"bytes",
						ref, MAX_MANIFEST);
		free(fields);
		fetch_result_release(&res);
		return NULL;
	}
	free(fields);
	sha256_hex(data, n, out_hex);
	/* A registry says the digest of what it sends; a manifest changed on its disk differs. */
	const char *said = res.digest ? digest_hex(res.digest) : NULL;
	if (!want && said && strcmp(out_hex, said) != 0)
		want = said;
	if (want && strcmp(out_hex, want) != 0) {
		r->error = arena_printf(r->a,
					"the registry sent a manifest with sha256:%s for %s, which "
					"should be sha256:%s: it was not read",
					out_hex, ref, want);
		free(data);
		fetch_result_release(&res);
		return NULL;
	}
	const char *copy = arena_strndup(r->a, data, n);
	if (media_type)
		*media_type = res.media_type ? arena_strdup(r->a, res.media_type) : NULL;
	json_error_t je;
	json_t *j = json_loadb(data, n, 0, &je);
	json_t *sv = json_object_get(j, "schemaVersion");
	if (json_is_integer(sv) && json_integer_value(sv) == 1) {
		r->error =
		    arena_printf(r->a,
				 "%s is a Docker schema 1 manifest, which unroot does not read "
				 "(it is deprecated and holds no image config); push the image "
				 "again with a current tool to get a schema 2 or OCI manifest",
				 ref);
		copy = NULL;
	}
	json_decref(j);
	if (copy)
		blob_cache_put(cache, out_hex, data, n, MAX_MANIFEST);
	free(data);
	fetch_result_release(&res);
	*len = n;
	return copy;
}

static bool has(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "index.json") == 0;
}

/* Called from the layer readers' threads when a streamed blob is over. */
static const char *pipe_done(void *ctx, const struct blob *b, bool ok)
{
	struct pipe_blob *p = ctx;
	(void)b;
	(void)ok;
	pthread_mutex_lock(&p->r->lock);
	if (!p->closed) {
		close(p->fd);
		p->closed = true;
	}
	pthread_mutex_unlock(&p->r->lock);
	struct fetch_result res;
	fetcher_result(p->r->f, p->id, &res);
	const char *why = NULL;
	/* "The reader stopped" is our own doing: the layer reader's error says why. */
	if (!res.ok && res.error && !strstr(res.error, "reader stopped")) {
		p->error = res.error;
		res.error = NULL;
		why = p->error;
	}
	fetch_result_release(&res);
	return why;
}

/*
 * A config's bytes through its pipe, whole (at most `max`), and the
 * transfer's result: malloc'd, or NULL with *why.
 */
static char *read_pipe(struct remote *r, struct arena *a, struct pipe_blob *p, size_t max,
		       size_t *len, const char **why)
{
	size_t n;
	bool big;
	char *buf = fetch_read_bounded(p->fd, max, &n, &big);
	pthread_mutex_lock(&r->lock);
	close(p->fd); /* past the limit: the helper sees the pipe close */
	p->closed = true;
	pthread_mutex_unlock(&r->lock);
	struct fetch_result res;
	fetcher_result(r->f, p->id, &res);
	if (big)
		*why = arena_printf(a, "is more than %zu bytes, the limit for a JSON file", max);
	else if (!buf)
		*why = "out of memory";
	else if (!res.ok)
		*why = arena_printf(a, "could not be fetched: %s", res.error);
	fetch_result_release(&res);
	if (big || !buf || *why) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

/*
 * An image's config: from the blob cache when it is there, else fetched
 * whole and kept there. The loader checks its digest again as it reads it.
 */
static int open_config(struct remote *r, struct arena *a, struct known *k, struct blob *b,
		       const char **why)
{
	const char *cache = r->rd->opts->fetch.cache_dir;
	size_t max = r->rd->opts->limits.file_size, len = 0;
	char *data = blob_cache_get(cache, k->hex, max, &len);
	if (!data) {
		struct pipe_blob *p = k->ahead ? k->ahead : request_blob(r, a, k->hex, why);
		k->ahead = NULL;
		if (!p)
			return -1;
		*why = NULL;
		data = read_pipe(r, a, p, max, &len, why);
		if (!data)
			return -1;
		blob_cache_put(cache, k->hex, data, len, max);
	}
	b->kind = BLOB_MEMORY;
	b->data = (const unsigned char *)arena_strndup(a, data, len);
	b->size = len;
	free(data);
	if (!b->data) {
		*why = "out of memory";
		return -1;
	}
	return 0;
}

static int open_blob(void *ctx, struct arena *a, const char *name, const char *const *capture,
		     size_t ncapture, struct blob *b, const char **why)
{
	struct remote *r = ctx;
	(void)capture;
	(void)ncapture;
	if (strcmp(name, "index.json") == 0) {
		b->kind = BLOB_MEMORY;
		b->data = (const unsigned char *)r->index_json;
		b->size = r->index_len;
		return 0;
	}
	const char *hexd = strncmp(name, "blobs/sha256/", 13) == 0 ? name + 13 : NULL;
	if (!hexd || strlen(hexd) != 64) {
		*why = "is not a blob the registry can have";
		return -1;
	}
	b->name = arena_printf(a, "sha256:%s of %s/%s", hexd, r->ref->domain, r->ref->repository);
	struct known *k = known_find(r, hexd);
	if (k && k->manifest) {
		if (!k->data) {
			char got[65];
			size_t len;
			k->data = get_manifest(r, arena_printf(a, "sha256:%s", hexd), hexd, &len,
					       got, NULL);
			if (!k->data) {
				*why = arena_printf(a, "could not be fetched: %s", r->error);
				return -1;
			}
			k->len = len;
			learn(r, k->data, len);
			k = known_find(r, hexd); /* learn() may have moved the table */
		}
		b->kind = BLOB_MEMORY;
		b->data = (const unsigned char *)k->data;
		b->size = k->len;
		return 0;
	}
	/* A config the manifest says is too large goes the layers' way: the loader says so. */
	if (k && k->config && k->size <= r->rd->opts->limits.file_size)
		return open_config(r, a, k, b, why);
	struct pipe_blob *p = k && k->ahead ? k->ahead : request_blob(r, a, hexd, why);
	if (k)
		k->ahead = NULL;
	if (!p)
		return -1;
	uint64_t size = k ? k->size : 0;
	b->kind = BLOB_PIPE;
	b->fd = p->fd;
	b->size = size;
	b->done = pipe_done;
	b->done_ctx = p;
	return 0;
}

static int load_registry(struct reading *rd, const struct image_ref *ref, struct image *img)
{
	struct remote r = {.rd = rd, .a = rd->arena, .name = ref->text, .ref = &ref->name};
	pthread_mutex_init(&r.lock, NULL);
	int rc = -1;
	const char *want = ref->name.digest ? digest_hex(ref->name.digest) : NULL;
	const char *tag_or_digest = ref->name.digest ? ref->name.digest : ref->name.tag;
	char top[65];
	size_t len = 0;
	const char *mt = NULL;
	const char *data = get_manifest(&r, tag_or_digest, want, &len, top, &mt);
	if (!data) {
		bool same = strcmp(ref->text, ref->name.canonical) == 0 ||
			    (strncmp(ref->text, "docker://", 9) == 0 &&
			     strcmp(ref->text + 9, ref->name.canonical) == 0);
		reading_error(rd, ref->text, NULL, 0, 0, "cannot read '%s'%s%s%s: %s", ref->text,
			      same ? "" : " (", same ? "" : ref->name.canonical, same ? "" : ")",
			      r.error ? r.error : "out of memory");
		goto out;
	}
	struct known *k = known_add(&r, top);
	if (k) {
		k->manifest = true;
		k->data = data;
		k->len = len;
	}
	learn(&r, data, len);
	/* The tag's manifest, as the only entry of an OCI index. */
	json_t *idx =
	    json_pack("{s:i,s:[{s:s,s:s,s:I}]}", "schemaVersion", 2, "manifests", "mediaType",
		      mt ? mt : "application/vnd.oci.image.manifest.v1+json", "digest",
		      arena_printf(r.a, "sha256:%s", top), "size", (json_int_t)len);
	char *text = idx ? json_dumps(idx, JSON_COMPACT) : NULL;
	json_decref(idx);
	r.index_json = text ? arena_strdup(r.a, text) : NULL;
	r.index_len = r.index_json ? strlen(r.index_json) : 0;
	free(text);
	if (!r.index_json) {
		reading_error(rd, ref->text, NULL, 0, 0, "out of memory reading '%s'", ref->text);
		goto out;
	}
	struct blob_source bs = {
	    .has = has, .open = open_blob, .ctx = &r, .layout = "registry", .cache = true};
	rc = image_load_source(rd, ref->text, &bs, img);

out:
	for (size_t i = 0; i < r.npipes; i++) {
		if (!r.pipes[i]->closed)
			close(r.pipes[i]->fd);
		free(r.pipes[i]->error);
	}
	fetcher_stop(r.f);
	pthread_mutex_destroy(&r.lock);
	return rc;
}

int image_load_ref(struct reading *rd, const struct image_ref *ref, struct image *img)
{
	if (ref->transport == TRANSPORT_DOCKER)
		return load_registry(rd, ref, img);
	if (ref->transport == TRANSPORT_STORAGE)
		return image_load_storage(rd, ref, img);
	return image_load_daemon(rd, ref, img);
}

/*
 * The dispatch stands here, above load.c: an image named by reference is
 * read through remote.c, daemon.c or storage.c, which use load.c's reading
 * of a layout in turn.
 */
int image_load(struct reading *rd, const char *name, struct image *img)
{
	struct image_ref ref;
	const char *why = NULL;
	image_begin(img, name);
	if (image_ref_parse(rd->arena, name, &ref, &why) != 0) {
		reading_error(rd, name, NULL, 0, 0, "cannot open '%s': %s", name, why);
		return -1;
	}
	if (ref.transport == TRANSPORT_DOCKER || ref.transport == TRANSPORT_DAEMON ||
	    ref.transport == TRANSPORT_STORAGE)
		return image_load_ref(rd, &ref, img);
	return image_load_file(rd, name, &ref, img);
}
