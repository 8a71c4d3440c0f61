/*
 * daemon.c - docker-daemon:REF, an image a Docker Engine API serves
 * (Docker, or Podman's `podman system service`).
 *
 * GET /images/NAME/json gives the config first, so the paths whose
 * contents the facts need are known; GET /images/NAME/get then streams the
 * image as a docker save tarball, read once as it comes: each large member
 * is read as a layer right away (its sha256 computed on the way), small
 * ones are kept. manifest.json comes last in that tarball and says which
 * members are the layers and in what order; their digests are checked
 * against the names (OCI layout) or the config's diff_ids (classic layout).
 */
#include "blob.h"
#include "fetch.h"
#include "image-internal.h"
#include "unroot/arena.h"
#include "ref.h"
#include "util/reading.h"

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define API	    "/v1.41"
#define KEEP_ONE    ((size_t)4 << 20) /* members kept whole: JSON, small layers */
#define KEEP_ALL    ((size_t)64 << 20)
#define MAX_MEMBERS 100000
#define MAX_INSPECT ((size_t)8 << 20)

struct member {
	const char *name;
	const unsigned char *data; /* kept whole, or NULL */
	size_t size;
	struct layer layer; /* read as it streamed (data == NULL) */
	struct layer_stats stats;
	bool read;
};

struct daemon {
	struct reading *rd;
	struct arena *a;
	const char *name; /* as the user wrote it */
	struct member *m;
	size_t nm, capm;
	const char **capture;
	size_t ncapture;
};

static int fail(struct daemon *D, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct daemon *D, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = arena_vprintf(D->a, fmt, ap);
	va_end(ap);
	reading_error(D->rd, D->name, NULL, 0, 0, "cannot read '%s': %s", D->name,
		      msg ? msg : "out of memory");
	return -1;
}

/* The image name in a URL path: '/' and ':' stay, the rest is percent-encoded. */
static const char *escape(struct arena *a, const char *s)
{
	char *o = arena_alloc(a, strlen(s) * 3 + 1);
	size_t w = 0;
	for (const unsigned char *p = (const unsigned char *)s; o && *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~:/", *p))
			o[w++] = (char)*p;
		else
			w += (size_t)sprintf(o + w, "%%%02X", *p);
	}
	return o;
}

static char *request(struct daemon *D, const char *path, bool buffer, uint64_t max)
{
	json_t *q = json_object();
	const char *host = getenv("DOCKER_HOST");
	json_object_set_new(q, "op", json_string("daemon"));
	if (host && *host)
		json_object_set_new(q, "host", json_string(host));
	json_object_set_new(q, "path", json_string(path));
	json_object_set_new(q, "buffer", json_boolean(buffer));
	json_object_set_new(q, "max", json_integer((json_int_t)max));
	char *text = json_dumps(q, JSON_COMPACT);
	json_decref(q);
	(void)D;
	return text;
}

static struct member *find(struct daemon *D, const char *name)
{
	for (size_t i = D->nm; i-- > 0;)
		if (strcmp(D->m[i].name, name) == 0)
			return &D->m[i];
	return NULL;
}

/* Reads the docker save stream once: large members as layers, small ones kept. */
static int read_stream(struct daemon *D, int fd)
{
	const struct lint_limits *lim = &D->rd->opts->limits;
	struct archive *ar = archive_read_new();
	if (!ar)
		return fail(D, "out of memory");
	archive_read_support_format_tar(ar);
	int rc = 0;
	size_t kept = 0;
	uint64_t out = 0;
	struct layer_opts lo = {.limits = lim,
				.capture = D->capture,
				.ncapture = D->ncapture,
				.capture_cap = (size_t)1 << 20,
				.entries = true,
				.out = &out};
	if (archive_read_open_fd(ar, fd, 1 << 20) != ARCHIVE_OK) {
		rc = fail(D, "the daemon's answer is not a tar stream: %s",
			  archive_error_string(ar) ? archive_error_string(ar) : "?");
		goto done;
	}
	struct archive_entry *e;
	for (size_t count = 0;; count++) {
		int r = archive_read_next_header(ar, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			rc = fail(D, "the image stream is truncated or damaged: %s",
				  archive_error_string(ar) ? archive_error_string(ar) : "?");
			break;
		}
		if (count >= MAX_MEMBERS) {
			rc = fail(D, "the image stream has more members than the limit");
			break;
		}
		const char *why;
		const char *raw = archive_entry_pathname(e);
		char *name = raw ? tar_name_normalise(D->a, raw, false, &why) : NULL;
		la_int64_t size = archive_entry_size(e);
		if (!name || archive_entry_filetype(e) != AE_IFREG || size < 0)
			continue;
		struct member *m = ARR_PUSH(D->a, D->m, D->nm, D->capm);
		if (!m) {
			rc = fail(D, "out of memory");
			break;
		}
		m->name = name;
		m->size = (size_t)size;
		if ((size_t)size <= KEEP_ONE && kept + (size_t)size <= KEEP_ALL) {
			unsigned char *data = arena_alloc_raw(D->a, (size_t)size + 1);
			if (!data || archive_read_data(ar, data, (size_t)size) != size) {
				rc = fail(D, "the image stream is truncated or damaged at '%s'",
					  name);
				break;
			}
			data[size] = 0;
			m->data = data;
			kept += (size_t)size;
			continue;
		}
		/* A layer, most likely: read now, as it streams by. */
		struct blob b = {.kind = BLOB_STREAM,
				 .outer = ar,
				 .size = (uint64_t)size,
				 .name = name,
				 .fd = -1};
		m->layer.arena = arena_new_shared(D->rd->arena); /* the run's memory limit */
		if (!m->layer.arena) {
			rc = fail(D, "out of memory");
			break;
		}
		layer_read(&b, &m->layer, &lo, &m->stats);
		m->read = true;
	}
done:
	archive_read_free(ar);
	return rc;
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static bool is_hex64(const char *s, size_t n)
{
	if (n < 64)
		return false;
	for (size_t i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The digest a member's name gives ("blobs/sha256/<hex>", "<hex>.json", "<hex>.tar"). */
static const char *name_digest(struct arena *a, const char *name)
{
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	size_t n = strlen(base);
	if (is_hex64(base, n) &&
	    (n == 64 || strcmp(base + 64, ".json") == 0 || strcmp(base + 64, ".tar") == 0))
		return arena_strndup(a, base, 64);
	return NULL;
}

static void no_fetch(void *data, struct fs_node *n, size_t cap)
{
	/* The stream was read once; a file reached through a link keeps no contents. */
	(void)data;
	(void)n;
	(void)cap;
}

static int assemble(struct daemon *D, struct image *img)
{
	struct member *mf = find(D, "manifest.json");
	if (!mf || !mf->data)
		return fail(D, "the daemon's tarball has no manifest.json");
	json_error_t je;
	json_t *m = json_loadb((const char *)mf->data, mf->size, 0, &je);
	json_t *e = json_array_get(m, 0);
	const char *cname = jstr(e, "Config");
	json_t *layers = json_object_get(e, "Layers");
	int rc = -1;
	json_t *cfg = NULL;
	struct member *cm = cname ? find(D, cname) : NULL;
	if (!json_is_array(layers) || !cm || !cm->data) {
		fail(D, "the daemon's manifest.json names no config or layers it holds");
		goto out;
	}
	const char *cdig = name_digest(D->a, cname);
	char hex[65];
	if (cdig) {
		struct blob cb = {.kind = BLOB_MEMORY,
				  .data = cm->data,
				  .size = cm->size,
				  .name = cname,
				  .digest = cdig};
		size_t len;
		const char *why = NULL;
		if (!blob_slurp(D->a, &cb, D->rd->opts->limits.file_size, &len, &why)) {
			fail(D, "'%s' %s", cname, why);
			goto out;
		}
	}
	(void)hex;
	cfg = json_loadb((const char *)cm->data, cm->size, 0, &je);
	const char *why = image_config_apply(D->a, img, cfg, cname);
	if (why) {
		fail(D, "%s", why);
		goto out;
	}
	json_t *diff_ids = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
	size_t n = json_array_size(layers);
	if (n > 1000) {
		fail(D, "the image has %zu layers, more than the limit of 1000", n);
		goto out;
	}
	img->fs = fs_new(D->a, D->rd->opts->limits.tar_entries);
	if (!img->fs) {
		fail(D, "out of memory");
		goto out;
	}
	img->view.fs = img->fs;
	img->nlayers = n;
	struct layer_opts lo = {.limits = &D->rd->opts->limits,
				.capture = D->capture,
				.ncapture = D->ncapture,
				.capture_cap = (size_t)1 << 20,
				.entries = true};
	for (size_t i = 0; i < n; i++) {
		const char *ln = json_string_value(json_array_get(layers, i));
		const char *w2;
		char *norm = ln ? tar_name_normalise(D->a, ln, false, &w2) : NULL;
		struct member *lm = norm ? find(D, norm) : NULL;
		if (!lm) {
			fail(D, "layer '%s' is missing from the daemon's tarball", ln ? ln : "?");
			goto out;
		}
		if (!lm->read) {
			struct blob b = {.kind = BLOB_MEMORY,
					 .data = lm->data,
					 .size = lm->size,
					 .name = lm->name,
					 .fd = -1};
			lm->layer.arena = arena_new_shared(D->rd->arena);
			if (!lm->layer.arena) {
				fail(D, "out of memory");
				goto out;
			}
			layer_read(&b, &lm->layer, &lo, &lm->stats);
			lm->read = true;
		}
		if (lm->layer.error) {
			fail(D, "%s", lm->layer.error);
			goto out;
		}
		/* The digest: the member's name in the OCI layout, else the config's diff_id of a
		 * plain layer. */
		const char *want = name_digest(D->a, lm->name);
		bool plain_only = false;
		if (!want || strstr(lm->name, "layer.tar")) {
			const char *d = json_string_value(json_array_get(diff_ids, i));
			want = d && strncmp(d, "sha256:", 7) == 0 ? d + 7 : NULL;
			plain_only = true;
		}
		if (want && (!plain_only || lm->stats.filter == ARCHIVE_FILTER_NONE) &&
		    strcmp(want, lm->stats.sha256) != 0) {
			fail(D, "layer '%s' has sha256 %s, but the image says %s", lm->name,
			     lm->stats.sha256, want);
			goto out;
		}
		img->bytes_compressed += lm->stats.compressed;
		img->bytes_uncompressed += lm->stats.uncompressed;
		if (fs_apply_layer(img->fs, &lm->layer, (uint16_t)i, &why) != 0) {
			fail(D, "layer '%s': %s", lm->name, why);
			goto out;
		}
	}
	image_facts_targets(D->a, img, D, no_fetch);
	rc = image_facts(D->rd, img);
out:
	json_decref(cfg);
	json_decref(m);
	return rc;
}

int image_load_daemon(struct reading *rd, const struct image_ref *ref, struct image *img)
{
	struct daemon D = {.rd = rd, .a = rd->arena, .name = ref->text};
	char *why = NULL;
	struct fetcher *f = fetcher_start(rd->opts, &why);
	if (!f) {
		fail(&D, "%s", why ? why : "out of memory");
		free(why);
		return -1;
	}
	int rc = -1;
	const char *esc = escape(D.a, ref->local);
	char *q =
	    esc ? request(&D, arena_concat(D.a, API "/images/", esc, "/json"), true, MAX_INSPECT)
		: NULL;
	struct fetch_result res;
	char *data = NULL;
	size_t len = 0;
	if (!q || fetcher_get(f, q, MAX_INSPECT, &data, &len, &res) != 0) {
		fail(&D, "%s", res.error ? res.error : "out of memory");
		free(q);
		fetch_result_release(&res);
		goto out;
	}
	free(q);
	fetch_result_release(&res);
	json_error_t je;
	json_t *inspect = json_loadb(data, len, 0, &je);
	free(data);
	img->layout = "docker-daemon";
	const char *cwhy = inspect ? image_config_apply(D.a, img, inspect, "the daemon's inspect")
				   : "the daemon's answer to inspect is not JSON";
	if (!img->platform && jstr(inspect, "Os") && jstr(inspect, "Architecture"))
		img->platform =
		    arena_printf(D.a, "%s/%s", jstr(inspect, "Os"), jstr(inspect, "Architecture"));
	json_decref(inspect);
	if (cwhy) {
		fail(&D, "%s", cwhy);
		goto out;
	}
	image_capture_plan(D.a, img, &D.capture, &D.ncapture);
	q = request(&D, arena_concat(D.a, API "/images/", esc, "/get"), false,
		    rd->opts->limits.uncompressed);
	uint64_t id;
	int fd = q ? fetcher_request(f, q, &id, &why) : -1;
	free(q);
	if (fd < 0) {
		fail(&D, "%s", why ? why : "out of memory");
		free(why);
		goto out;
	}
	int src = read_stream(&D, fd);
	close(fd);
	fetcher_result(f, id, &res);
	if (!res.ok && res.error && !strstr(res.error, "reader stopped")) {
		if (src == 0)
			fail(&D, "%s", res.error);
		src = -1;
	}
	fetch_result_release(&res);
	if (src == 0)
		rc = assemble(&D, img);
out:
	for (size_t i = 0; i < D.nm; i++)
		arena_free(D.m[i].layer.arena);
	fetcher_stop(f);
	return rc;
}
