/*
 * load.c - finding an image's config and layers in a docker save tarball
 * (classic or OCI-in-tar), an OCI layout folder or an OCI archive, then
 * reading the layers (in parallel when there are several) into the model.
 */
#include "blob.h"
#include "cache.h"
#include "image-internal.h"
#include "unroot/arena.h"
#include "util/threads.h"
#include "util/input.h"
#include "ref.h"
#include "util/reading.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define MAX_OUTER_MEMBERS 100000
#define MAX_LAYERS	  1000
#define STREAM_KEEP	  ((size_t)4 << 20) /* members kept from a compressed tarball */
#define STREAM_KEEP_TOTAL ((size_t)64 << 20)
#define MAX_INDEX_DEPTH	  4

enum src_kind {
	SRC_REMOTE, /* a blob_source: a registry */
	SRC_DIR,
	SRC_TAR,
	SRC_STREAM,
};

struct mem_member {
	const char *name;
	const unsigned char *data; /* NULL: not kept (too large), read as a stream */
	size_t size;
};

struct src {
	enum src_kind kind;
	const char *path;
	int dirfd, fd; /* the layout folder; the archive file (plain or compressed) */
	uint64_t fsize;
	struct tar_member *members;
	size_t nmembers;
	struct mem_member *mem;
	size_t nmem, capmem;
	const struct blob_source *bs; /* SRC_REMOTE */
};

struct layer_ref {
	const char *name;   /* member name or blob path */
	const char *digest; /* expected sha256 hex, or NULL */
	bool digest_if_plain;
	uint64_t size;
};

/*
 * The contents read of the capture paths, as layers are applied in order:
 * only the newest layer's copy of each path is kept (malloc'd, sized to the
 * file), so memory does not grow with the number of layers. A node whose
 * bytes are an older layer's (a hard link to a file replaced since) is read
 * again from that layer.
 */
struct kept_content {
	const char *path;
	int layer; /* -1: none yet */
	char *data;
	size_t len;
	bool truncated;
};

struct content_table {
	struct kept_content *items; /* parallel to the loader's capture list */
	size_t n;
};

struct loader {
	struct reading *rd;
	struct arena *a;
	const char *path;
	const char *tag; /* oci:DIR:TAG, docker-archive:FILE:REF: which image of several */
	struct image *img;
	struct src src;
	struct layer_ref *layers;
	size_t nlayers, caplayers;
	const char **capture;
	size_t ncapture, capcapture;
	size_t *capture_caps;	   /* how much of each capture path to keep */
	struct content_table kept; /* the newest copy of each, as layers are applied */
};

static int err(struct loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int err(struct loader *L, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = arena_vprintf(L->a, fmt, ap);
	va_end(ap);
	reading_error(L->rd, L->path, NULL, 0, 0, "%s", msg ? msg : "cannot read the image");
	return -1;
}

/* "sha256:<hex>" to "<hex>"; NULL when it is not a sha256 digest. */
static const char *digest_hex(const char *d)
{
	if (!d || strncmp(d, "sha256:", 7) != 0 || !hex64(d + 7))
		return NULL;
	return d + 7;
}

/* --- the container of blobs ---------------------------------------------------- */

/* A member of a compressed archive kept in memory (the last of a name), or NULL. */
static struct mem_member *mem_find(struct src *s, const char *name)
{
	for (size_t i = s->nmem; i-- > 0;)
		if (strcmp(s->mem[i].name, name) == 0)
			return s->mem[i].data ? &s->mem[i] : NULL;
	return NULL;
}

/* A member of a compressed archive seen but not kept, or NULL. */
static struct mem_member *mem_skipped(struct src *s, const char *name)
{
	for (size_t i = s->nmem; i-- > 0;)
		if (strcmp(s->mem[i].name, name) == 0)
			return s->mem[i].data ? NULL : &s->mem[i];
	return NULL;
}

static struct tar_member *member_find(struct src *s, const char *name)
{
	/* The last member of a name wins, as when a tar is extracted. */
	for (size_t i = s->nmembers; i-- > 0;)
		if (strcmp(s->members[i].name, name) == 0)
			return &s->members[i];
	return NULL;
}

static bool src_has(struct src *s, const char *name)
{
	struct stat st;
	switch (s->kind) {
	case SRC_REMOTE:
		return s->bs->has(s->bs->ctx, name);
	case SRC_DIR:
		/* Anything but a folder: reading it then says what is wrong with it. */
		return fstatat(s->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		       !S_ISDIR(st.st_mode);
	case SRC_TAR:
		return member_find(s, name) != NULL;
	case SRC_STREAM:
		return mem_find(s, name) || mem_skipped(s, name);
	}
	return false;
}

/*
 * A blob by its name inside the image. Names come from manifests, so they
 * are normalised first: one that climbs with ".." or is absolute points
 * outside the image and is refused. A blob of a layout folder comes opened:
 * the caller closes b->fd.
 */
static int src_blob(struct loader *L, const char *name, struct blob *b, const char **why)
{
	struct src *s = &L->src;
	const char *nwhy;
	char *norm = tar_name_normalise(L->a, name, false, &nwhy);
	memset(b, 0, sizeof(*b));
	if (!norm) {
		*why = arena_printf(L->a, "points outside the image (%s)", nwhy);
		return -1;
	}
	b->name = norm;
	b->fd = -1;
	switch (s->kind) {
	case SRC_REMOTE:
		return s->bs->open(s->bs->ctx, L->a, norm, L->capture, L->ncapture, b, why);
	case SRC_DIR: {
		struct stat st;
		const char *owhy;
		int fd = input_open(s->dirfd, norm, INPUT_NOFOLLOW, &st, &owhy);
		if (fd < 0) {
			if (strcmp(owhy, "no such file") == 0)
				*why = "is missing from the layout";
			else if (strcmp(owhy, "is a symbolic link") == 0)
				*why = "is a symbolic link; unroot reads a layout's own files only "
				       "and follows no link out of it";
			else
				*why = owhy;
			return -1;
		}
		b->kind = BLOB_FILE;
		b->dirfd = s->dirfd;
		b->fd = fd;
		b->size = (uint64_t)st.st_size;
		return 0;
	}
	case SRC_TAR: {
		struct tar_member *m = member_find(s, norm);
		if (!m) {
			*why = "is missing from the archive";
			return -1;
		}
		b->kind = BLOB_FILE;
		b->fd = s->fd;
		b->offset = m->offset;
		b->size = m->size;
		return 0;
	}
	case SRC_STREAM: {
		struct mem_member *m = mem_find(s, norm);
		struct mem_member *big = m ? NULL : mem_skipped(s, norm);
		if (big) {
			/* Only small members are kept from a compressed archive's one pass. */
			*why = arena_printf(
			    L->a,
			    "is %zu bytes: of a compressed archive, unroot keeps the "
			    "members it reads whole (JSON) up to %zu bytes each and %zu "
			    "bytes together",
			    big->size, STREAM_KEEP, STREAM_KEEP_TOTAL);
			if (!*why)
				*why =
				    "is larger than unroot keeps of a compressed archive's member";
			return -1;
		}
		if (!m) {
			*why = "is missing from the archive";
			return -1;
		}
		b->kind = BLOB_MEMORY;
		b->data = m->data;
		b->size = m->size;
		return 0;
	}
	}
	return -1;
}

static json_t *load_json(struct loader *L, const char *name, const char *digest)
{
	struct blob b;
	const char *why = NULL;
	if (!name) {
		err(L, "out of memory reading '%s'", L->path);
		return NULL;
	}
	if (src_blob(L, name, &b, &why) != 0) {
		err(L, "'%s' %s", name, why);
		return NULL;
	}
	b.digest = digest;
	size_t len;
	char *text = blob_slurp(L->a, &b, L->rd->opts->limits.file_size, &len, &why);
	if (b.fd >= 0 && L->src.kind == SRC_DIR)
		close(b.fd);
	if (!text) {
		err(L, "'%s' %s", name, why);
		return NULL;
	}
	const char *enc = image_json_encoding(text, len);
	if (enc) {
		err(L, "'%s' %s", name, enc);
		return NULL;
	}
	json_error_t je;
	json_t *j = json_loadb(text, len, 0, &je);
	if (!j) {
		err(L, "'%s' is not valid JSON at line %d, column %d: %s", name, je.line, je.column,
		    je.text);
		return NULL;
	}
	return j;
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int read_config(struct loader *L, json_t *cfg, const char *name)
{
	const char *why = image_config_apply(L->a, L->img, cfg, name);
	return why ? err(L, "%s", why) : 0;
}

static void add_capture(struct arena *a, const char ***list, size_t *n, size_t *cap,
			const char *path)
{
	if (!path || path[0] != '/')
		return;
	const char *why;
	char *norm = tar_name_normalise(a, path + 1, true, &why);
	if (!norm)
		return;
	const char **slot = ARR_PUSH(a, *list, *n, *cap);
	if (slot)
		*slot = norm;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Paths whose contents the facts need: passwd, group and where the entrypoint may be. */
void image_capture_plan(struct arena *a, struct image *img, const char ***list, size_t *n)
{
	size_t cap = *n;
	add_capture(a, list, n, &cap, "/etc/passwd");
	add_capture(a, list, n, &cap, "/etc/group");
	const char *progs[2];
	size_t np = image_programs(a, &img->view, progs);
	image_path_env(a, img);
	for (size_t i = 0; i < np; i++) {
		const char *p = progs[i];
		if (strchr(p, '/')) {
			if (p[0] == '/')
				add_capture(a, list, n, &cap, p);
			else
				add_capture(
				    a, list, n, &cap,
				    arena_printf(a, "%s/%s",
						 img->view.workdir ? img->view.workdir : "/", p));
			continue;
		}
		for (size_t k = 0; k < img->npath_env; k++)
			add_capture(a, list, n, &cap,
				    arena_printf(a, "%s/%s", img->path_env[k], p));
	}
	if (*n > 1)
		qsort(*list, *n, sizeof(**list), cmp_str);
}

size_t image_capture_cap(const char *path)
{
	return strcmp(path, "/etc/passwd") == 0 || strcmp(path, "/etc/group") == 0
		   ? IMAGE_TEXT_CAP
		   : IMAGE_SCRIPT_CAP;
}

static void plan_capture(struct loader *L)
{
	image_capture_plan(L->a, L->img, &L->capture, &L->ncapture);
	L->capcapture = L->ncapture;
	size_t w = 0; /* one of each: the list is sorted */
	for (size_t i = 0; i < L->ncapture; i++)
		if (!w || strcmp(L->capture[w - 1], L->capture[i]) != 0)
			L->capture[w++] = L->capture[i];
	L->ncapture = w;
	L->capture_caps = arena_alloc(L->a, (L->ncapture + 1) * sizeof(*L->capture_caps));
	L->kept.items = arena_alloc(L->a, (L->ncapture + 1) * sizeof(*L->kept.items));
	if (!L->capture_caps || !L->kept.items) {
		L->ncapture = 0; /* an empty plan: the facts then say the arena is full */
		return;
	}
	L->kept.n = L->ncapture;
	for (size_t i = 0; i < L->ncapture; i++) {
		L->capture_caps[i] = image_capture_cap(L->capture[i]);
		L->kept.items[i] = (struct kept_content){.path = L->capture[i], .layer = -1};
	}
}

/* --- docker save ------------------------------------------------------------------- */

/* Two spellings of one registry name ("app:t", "docker.io/library/app:t") agree. */
static bool same_name(struct arena *a, const char *x, const char *y)
{
	if (strcmp(x, y) == 0)
		return true;
	struct image_name nx, ny;
	const char *why;
	return image_name_parse(a, x, &nx, &why) == 0 && image_name_parse(a, y, &ny, &why) == 0 &&
	       strcmp(nx.canonical, ny.canonical) == 0;
}

/* docker-archive:FILE:REF (a RepoTags name) or FILE:@N (the Nth image, from 0). */
static json_t *docker_archive_pick(struct loader *L, json_t *m)
{
	size_t n = json_array_size(m);
	if (L->tag[0] == '@') {
		char *end;
		unsigned long i = strtoul(L->tag + 1, &end, 10);
		if (*end || end == L->tag + 1 || i >= n) {
			err(L, "'%s' holds %zu images; '%s' is not one of @0 to @%zu", L->path, n,
			    L->tag, n ? n - 1 : 0);
			return NULL;
		}
		return json_array_get(m, i);
	}
	char *names = arena_strdup(L->a, "");
	for (size_t i = 0; i < n; i++) {
		json_t *tags = json_object_get(json_array_get(m, i), "RepoTags");
		for (size_t k = 0; k < json_array_size(tags); k++) {
			const char *t = json_string_value(json_array_get(tags, k));
			if (!t)
				continue;
			if (same_name(L->a, t, L->tag))
				return json_array_get(m, i);
			if (names)
				names = arena_printf(L->a, "%s%s%s", names, *names ? ", " : "", t);
		}
	}
	err(L, "'%s' has no image named '%s' (it has: %s)", L->path, L->tag,
	    names && *names ? names : "no names");
	return NULL;
}

static int docker_layers(struct loader *L, json_t *m);

static int docker_archive(struct loader *L)
{
	json_t *m = load_json(L, "manifest.json", NULL);
	if (!m)
		return -1;
	int rc = docker_layers(L, m);
	json_decref(m);
	return rc;
}

/* The config and layers of manifest.json's image (m is the caller's to free). */
static int docker_layers(struct loader *L, json_t *m)
{
	if (!json_is_array(m) || json_array_size(m) == 0)
		return err(L, "'manifest.json' is not a docker save manifest: expected a "
			      "non-empty array");
	json_t *e = json_array_get(m, 0);
	if (L->tag) {
		e = docker_archive_pick(L, m);
		if (!e)
			return -1;
	} else if (json_array_size(m) > 1) {
		L->img->note = arena_printf(L->a, "%s holds %zu images; reading the first", L->path,
					    json_array_size(m));
	}
	const char *config = json_is_object(e) ? jstr(e, "Config") : NULL;
	json_t *layers = json_is_object(e) ? json_object_get(e, "Layers") : NULL;
	if (!config || !json_is_array(layers))
		return err(L, "'manifest.json' has no Config or Layers");
	/* Blob names are digests in the newer layouts: "blobs/sha256/<hex>" or "<hex>.json". */
	const char *base = strrchr(config, '/') ? strrchr(config, '/') + 1 : config;
	const char *cdig = NULL;
	if (strlen(base) == 69 && strcmp(base + 64, ".json") == 0)
		cdig = arena_strndup(L->a, base, 64);
	else if (hex64(base))
		cdig = arena_strdup(L->a, base);
	if (cdig && !hex64(cdig))
		cdig = NULL;
	json_t *cfg = load_json(L, config, cdig);
	if (!cfg)
		return -1;
	int rc = read_config(L, cfg, config);
	json_t *diff_ids = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
	size_t n = json_array_size(layers);
	if (rc == 0 && n > MAX_LAYERS)
		rc = err(L, "'manifest.json' lists %zu layers, more than the limit of %d", n,
			 MAX_LAYERS);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		json_t *le = json_array_get(layers, i);
		if (!json_is_string(le)) {
			rc = err(L, "'manifest.json': layer %zu is not a string", i + 1);
			break;
		}
		struct layer_ref *r = ARR_PUSH(L->a, L->layers, L->nlayers, L->caplayers);
		r->name = r ? arena_strdup(L->a, json_string_value(le)) : NULL;
		if (!r || !r->name) {
			rc = err(L, "out of memory reading '%s'", L->path);
			break;
		}
		const char *lb = strrchr(r->name, '/') ? strrchr(r->name, '/') + 1 : r->name;
		char *hexpart = strlen(lb) >= 64 ? arena_strndup(L->a, lb, 64) : NULL;
		if (hexpart && hex64(hexpart) && (lb[64] == 0 || strcmp(lb + 64, ".tar") == 0))
			r->digest = hexpart;
		else if (json_array_size(diff_ids) == n) {
			/* Classic layout: "<id>/layer.tar", uncompressed, hashed as the diff_id. */
			r->digest = arena_strdup(
			    L->a, digest_hex(json_string_value(json_array_get(diff_ids, i))));
			r->digest_if_plain = true;
		}
	}
	json_decref(cfg);
	return rc;
}

/* --- OCI ------------------------------------------------------------------------ */

static const char *host_arch(void)
{
	struct utsname u;
	if (uname(&u) != 0)
		return "amd64";
	static const struct {
		const char *machine, *arch;
	} map[] = {{"x86_64", "amd64"},	  {"aarch64", "arm64"},	  {"armv7l", "arm"},
		   {"i686", "386"},	  {"ppc64le", "ppc64le"}, {"s390x", "s390x"},
		   {"riscv64", "riscv64"}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(u.machine, map[i].machine) == 0)
			return map[i].arch;
	return "amd64";
}

static bool is_index_type(const char *mt)
{
	return mt && (strcmp(mt, "application/vnd.oci.image.index.v1+json") == 0 ||
		      strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json") == 0);
}

/* "arm64", "linux/arm64", "arm64/v8", "linux/arm/v7" against a descriptor's platform. */
static bool platform_matches(json_t *p, const char *want)
{
	const char *os = jstr(p, "os"), *arch = jstr(p, "architecture"),
		   *variant = jstr(p, "variant");
	if (!arch)
		return false;
	const char *w = want;
	/* An OS first ("linux/", or what --os gave: "windows/amd64"), else linux. */
	static const char *const oses[] = {"linux/", "windows/", "freebsd/", "darwin/"};
	const char *wos = "linux";
	size_t wos_len = 5;
	for (size_t i = 0; i < sizeof(oses) / sizeof(oses[0]); i++)
		if (strncmp(w, oses[i], strlen(oses[i])) == 0) {
			wos = w;
			wos_len = strlen(oses[i]) - 1;
			w += wos_len + 1;
		}
	if (os && (strlen(os) != wos_len || strncmp(os, wos, wos_len) != 0))
		return false;
	size_t n = strcspn(w, "/");
	if (strlen(arch) != n || strncmp(arch, w, n) != 0)
		return false;
	if (w[n] == '/' && (!variant || strcmp(variant, w + n + 1) != 0))
		return false;
	return true;
}

static const char *plat_name(struct arena *a, json_t *p)
{
	const char *os = jstr(p, "os"), *arch = jstr(p, "architecture"),
		   *variant = jstr(p, "variant");
	if (!arch)
		return "unknown";
	return arena_printf(a, "%s/%s%s%s", os ? os : "?", arch, variant ? "/" : "",
			    variant ? variant : "");
}

/* The image manifest's descriptor from an index, following nested indexes. */
static json_t *pick_manifest(struct loader *L, json_t *index, const char *name, int depth,
			     char *mdigest)
{
	json_t *ms = json_object_get(index, "manifests");
	if (!json_is_array(ms) || json_array_size(ms) == 0) {
		err(L, "'%s' lists no manifests", name);
		return NULL;
	}
	const struct lint_options *o = L->rd->opts;
	const char *want = o->arch;
	bool asked = want || o->fetch.os || o->fetch.variant;
	if (!want)
		want = host_arch();
	if ((o->fetch.os || o->fetch.variant) && !strchr(want, '/'))
		want = arena_printf(L->a, "%s/%s%s%s", o->fetch.os ? o->fetch.os : "linux", want,
				    o->fetch.variant ? "/" : "",
				    o->fetch.variant ? o->fetch.variant : "");
	json_t *pick = NULL;
	size_t n = json_array_size(ms), withp = 0;
	char *avail = arena_strdup(L->a, "");
	for (size_t i = 0; i < n; i++) {
		json_t *d = json_array_get(ms, i);
		json_t *p = json_object_get(d, "platform");
		if (!json_is_object(p))
			continue;
		const char *arch = jstr(p, "architecture");
		if (arch && strcmp(arch, "unknown") == 0)
			continue; /* attestation manifests */
		withp++;
		if (avail)
			avail = arena_printf(L->a, "%s%s%s", avail, *avail ? ", " : "",
					     plat_name(L->a, p));
		if (!pick && platform_matches(p, want))
			pick = d;
	}
	if (!pick) {
		if (withp > 1 || (withp == 1 && asked)) {
			err(L,
			    "'%s' has no image for %s (it has: %s); pick one with --arch (and "
			    "--os, --variant)",
			    name, want, avail ? avail : "?");
			return NULL;
		}
		pick = json_array_get(ms, 0);
	} else if (withp > 1) {
		L->img->platform = plat_name(L->a, json_object_get(pick, "platform"));
		L->img->note =
		    arena_printf(L->a, "%s: picked %s of %s (%s)", L->path, L->img->platform, avail,
				 asked ? "--arch" : "the host's");
	}
	const char *dig = digest_hex(jstr(pick, "digest"));
	if (!dig) {
		err(L, "'%s': a manifest descriptor has no sha256 digest", name);
		return NULL;
	}
	if (depth == 0)
		L->img->digest = arena_printf(L->a, "sha256:%s", dig);
	const char *bname = arena_printf(L->a, "blobs/sha256/%s", dig);
	json_t *m = load_json(L, bname, dig);
	if (!m)
		return NULL;
	const char *mt = jstr(m, "mediaType");
	if (is_index_type(mt) || (!mt && json_is_array(json_object_get(m, "manifests")))) {
		if (depth >= MAX_INDEX_DEPTH) {
			err(L, "'%s': indexes nest deeper than %d", name, MAX_INDEX_DEPTH);
			json_decref(m);
			return NULL;
		}
		json_t *r = pick_manifest(L, m, bname, depth + 1, mdigest);
		json_decref(m);
		return r;
	}
	memcpy(mdigest, dig, 65);
	return m;
}

/*
 * oci:DIR:TAG keeps only the index entries named TAG by their
 * org.opencontainers.image.ref.name annotation (skopeo writes the tag,
 * other tools a whole reference).
 */
static int oci_pick_tag(struct loader *L, json_t *index)
{
	json_t *ms = json_object_get(index, "manifests");
	json_t *keep = json_array();
	char *names = arena_strdup(L->a, "");
	if (!keep)
		return err(L, "out of memory");
	for (size_t i = 0; i < json_array_size(ms); i++) {
		json_t *d = json_array_get(ms, i);
		const char *rn =
		    jstr(json_object_get(d, "annotations"), "org.opencontainers.image.ref.name");
		if (!rn)
			continue;
		if (strcmp(rn, L->tag) == 0 || same_name(L->a, rn, L->tag))
			json_array_append(keep, d);
		else if (names)
			names = arena_printf(L->a, "%s%s%s", names, *names ? ", " : "", rn);
	}
	if (json_array_size(keep) == 0) {
		json_decref(keep);
		return err(L, "'%s' has no image tagged '%s' (it has: %s)", L->path, L->tag,
			   names && *names ? names : "no tags");
	}
	json_object_set_new(index, "manifests", keep);
	return 0;
}

static int oci(struct loader *L)
{
	json_t *index = load_json(L, "index.json", NULL);
	if (!index)
		return -1;
	if (!json_is_object(index)) {
		json_decref(index);
		return err(L, "'index.json' is not an OCI index: expected an object");
	}
	if (L->tag && oci_pick_tag(L, index) != 0) {
		json_decref(index);
		return -1;
	}
	char mdig[65];
	json_t *m = pick_manifest(L, index, "index.json", 0, mdig);
	json_decref(index);
	if (!m)
		return -1;
	const char *mname = arena_printf(L->a, "blobs/sha256/%s", mdig);
	json_t *cd = json_object_get(m, "config");
	const char *cdig = digest_hex(jstr(cd, "digest"));
	json_t *layers = json_object_get(m, "layers");
	if (!cdig || !json_is_array(layers)) {
		json_decref(m);
		return err(L, "'%s' is not an image manifest: no config digest or layers", mname);
	}
	const char *cname = arena_printf(L->a, "blobs/sha256/%s", cdig);
	cdig = arena_strdup(L->a, cdig);
	json_t *cfg = load_json(L, cname, cdig);
	if (!cfg) {
		json_decref(m);
		return -1;
	}
	int rc = read_config(L, cfg, cname);
	json_decref(cfg);
	size_t n = json_array_size(layers);
	if (rc == 0 && n > MAX_LAYERS)
		rc = err(L, "'%s' lists %zu layers, more than the limit of %d", mname, n,
			 MAX_LAYERS);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		json_t *d = json_array_get(layers, i);
		const char *dig = digest_hex(jstr(d, "digest"));
		const char *mt = jstr(d, "mediaType");
		if (!dig) {
			rc = err(L, "'%s': layer %zu has no sha256 digest", mname, i + 1);
			break;
		}
		if (mt && strstr(mt, "nondistributable") == NULL && strstr(mt, "tar") == NULL) {
			rc = err(L, "'%s': layer %zu has media type '%s', not a tar layer", mname,
				 i + 1, mt);
			break;
		}
		struct layer_ref *r = ARR_PUSH(L->a, L->layers, L->nlayers, L->caplayers);
		if (!r) {
			rc = err(L, "out of memory");
			break;
		}
		r->name = arena_printf(L->a, "blobs/sha256/%s", dig);
		r->digest = arena_strdup(L->a, dig);
		if (!r->name || !r->digest) {
			rc = err(L, "out of memory reading '%s'", L->path);
			break;
		}
	}
	json_decref(m);
	return rc;
}

/* --- reading layers ---------------------------------------------------------- */

/*
 * The layers being read. Threads read them, several at a time; when they are
 * read to be merged, the calling thread applies each to the model in order
 * as soon as it is read, and frees its entries. Readers stay at most
 * `window` layers ahead of the merge, so memory holds a few layers' entries
 * at a time, whatever the number of layers.
 */
struct pool {
	struct loader *L;
	struct blob *blobs;
	struct layer *layers;
	struct layer_stats *stats;
	const size_t *index; /* the image's layer each one is */
	struct layer_opts opts;
	size_t n;
	struct fsmodel *fs;	    /* where to apply them; NULL: read only (contents) */
	struct content_table *kept; /* where their contents go, when applied */
	const char *cache;	    /* the layer cache's folder, or NULL */
	bool *ready;		    /* layer i is read */
	bool *shared;	/* layer i's entries serve a later layer too: freed at the end */
	size_t next;	/* the next layer to read */
	size_t applied; /* layers applied (and their entries freed) */
	size_t window;
	bool stop; /* an error: read no more */
	pthread_mutex_t mu;
	pthread_cond_t cv; /* a layer is read, or applied */
	uint64_t done;	   /* atomic: compressed bytes read */
	uint64_t out;	   /* atomic: decompressed bytes of all layers */
};

/* Reads layers, in order of their index, while the window allows. */
static void read_some(struct pool *p)
{
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->fs && !p->stop && p->next < p->n && p->next >= p->applied + p->window)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop || p->next >= p->n) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		size_t i = p->next++;
		pthread_mutex_unlock(&p->mu);
		/* Read in order through the outer stream already, or from the cache. */
		if (p->blobs[i].kind != BLOB_STREAM && p->blobs[i].kind != BLOB_DONE)
			layer_read(&p->blobs[i], &p->layers[i], &p->opts, &p->stats[i]);
		pthread_mutex_lock(&p->mu);
		p->ready[i] = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
}

static unsigned ncpus(void)
{
	unsigned n = cpus_usable();
	return n > 8 ? 8 : n;
}

static void progress(struct loader *L, const char *what, uint64_t done, uint64_t total)
{
	const struct lint_options *o = L->rd->opts;
	if (o->progress)
		o->progress(o->progress_data, what, done, total);
}

/* The kept copy of a capture path, or NULL. */
static struct kept_content *kept_find(struct content_table *t, const char *path)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(t->items[mid].path, path);
		if (c == 0)
			return &t->items[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void kept_release(struct content_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->items[i].data);
		t->items[i].data = NULL;
		t->items[i].layer = -1;
	}
}

/* A layer's contents, in entry order: each replaces an older copy of its path. */
static int keep_contents(struct content_table *t, const struct layer *l, int layer)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct layer_entry *e = &l->entries[i];
		struct kept_content *k = e->content ? kept_find(t, e->path) : NULL;
		if (!k)
			continue;
		char *copy = malloc(e->content_len + 1);
		if (!copy)
			return -1;
		memcpy(copy, e->content, e->content_len);
		copy[e->content_len] = 0;
		free(k->data);
		*k = (struct kept_content){k->path, layer, copy, e->content_len,
					   e->content_truncated};
	}
	return 0;
}

/* Layer i, read: its error, or applied to the model. Returns 0 or -1 after an NR000. */
static int merge_one(struct loader *L, struct pool *p, size_t i)
{
	const char *why = NULL;
	struct layer *l = &p->layers[i];
	if (l->error)
		return err(L, "%s", l->error);
	const char *digest = L->layers[p->index[i]].digest;
	if (p->cache && p->blobs[i].kind != BLOB_DONE && digest)
		layer_cache_put(p->cache, digest, L->capture, L->ncapture, l, &p->stats[i]);
	L->img->bytes_compressed += p->stats[i].compressed;
	L->img->bytes_uncompressed += p->stats[i].uncompressed;
	if (!p->fs)
		return 0;
	if (p->kept && keep_contents(p->kept, l, (int)p->index[i]) != 0)
		return err(L, "out of memory reading '%s'", L->path);
	l->contents_apart = p->kept != NULL;
	if (fs_apply_layer(p->fs, l, (uint16_t)p->index[i], &why) != 0)
		return err(L, "layer '%s': %s", L->layers[p->index[i]].name, why);
	return 0;
}

/* Waits for layer i, reporting progress on a large image meanwhile. */
static void wait_ready(struct loader *L, struct pool *p, size_t i, uint64_t total)
{
	bool report = L->rd->opts->progress && total >= ((uint64_t)64 << 20);
	pthread_mutex_lock(&p->mu);
	while (!p->ready[i]) {
		if (!report) {
			pthread_cond_wait(&p->cv, &p->mu);
			continue;
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&p->cv, &p->mu, &ts);
		pthread_mutex_unlock(&p->mu);
		progress(L, "reading layers", __atomic_load_n(&p->done, __ATOMIC_RELAXED), total);
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
}

/* Applies the layers in order as they are read; 0, or -1 after the first error. */
static int merge_all(struct loader *L, struct pool *p, uint64_t total)
{
	int rc = 0;
	for (size_t i = 0; i < p->n; i++) {
		wait_ready(L, p, i, total);
		if (rc == 0)
			rc = merge_one(L, p, i);
		pthread_mutex_lock(&p->mu);
		if (p->fs) {
			if (!p->shared[i]) {
				arena_free(p->layers[i].arena);
				p->layers[i].arena = NULL;
			}
			p->applied = i + 1;
		}
		p->stop |= rc != 0;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (rc != 0)
			break;
	}
	return rc;
}

struct layer_job {
	struct loader *L;
	struct pool *p;
	uint64_t total;
	int rc;
};

/*
 * The calling thread merges while the others read; when merging is not
 * asked for, or no other thread runs, it reads as well (with no window to
 * keep: nothing frees the layers before the end).
 */
static void layer_work(void *arg, unsigned index, unsigned others)
{
	struct layer_job *j = arg;
	if (index > 0) {
		read_some(j->p);
		return;
	}
	if (!j->p->fs || others == 0) {
		pthread_mutex_lock(&j->p->mu);
		j->p->window = j->p->n;
		pthread_mutex_unlock(&j->p->mu);
		read_some(j->p);
	}
	j->rc = merge_all(j->L, j->p, j->total);
}

/*
 * Reads every layer, several at a time, and merges them in order. Returns
 * 0, or -1 after the first error in layer order.
 */
static int read_layers_parallel(struct loader *L, struct pool *p)
{
	unsigned nt = ncpus();
	if (nt > p->n)
		nt = (unsigned)p->n;
	uint64_t total = 0;
	for (size_t i = 0; i < p->n; i++)
		total += p->blobs[i].size;
	p->opts.done = &p->done;
	p->window = 2 * (size_t)nt;
	/* Merging, the calling thread applies while nt threads read; else it reads too. */
	struct layer_job job = {.L = L, .p = p, .total = total};
	threads_run(p->fs ? nt + 1 : nt, layer_work, &job);
	if (total >= ((uint64_t)64 << 20))
		progress(L, "reading layers", total, total);
	return job.rc;
}

/*
 * A compressed tarball is read in order, once: each wanted layer member is
 * read through the outer stream as it comes.
 */
static int read_layers_stream(struct loader *L, struct pool *p)
{
	struct archive *ar = archive_read_new();
	if (!ar)
		return err(L, "out of memory");
	archive_read_support_format_tar(ar);
	archive_read_support_filter_gzip(ar);
	archive_read_support_filter_zstd(ar);
	int rc = 0;
	if (lseek(L->src.fd, 0, SEEK_SET) != 0 ||
	    archive_read_open_fd(ar, L->src.fd, 1 << 20) != ARCHIVE_OK) {
		rc = err(L, "cannot read '%s': %s", L->src.path,
			 archive_error_string(ar) ? archive_error_string(ar) : strerror(errno));
		goto out;
	}
	struct archive_entry *e;
	size_t left = 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->blobs[i].kind == BLOB_STREAM)
			left++;
	while (left > 0) {
		int r = archive_read_next_header(ar, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			rc = err(L, "'%s' is truncated or damaged: %s", L->path,
				 archive_error_string(ar));
			goto out;
		}
		const char *why;
		const char *name = archive_entry_pathname(e);
		char *norm = name ? tar_name_normalise(L->a, name, false, &why) : NULL;
		if (!norm)
			continue;
		for (size_t i = 0; i < p->n; i++) {
			struct blob *b = &p->blobs[i];
			if (b->kind != BLOB_STREAM || strcmp(b->name, norm) != 0 || b->outer)
				continue;
			b->outer = ar;
			b->size = (uint64_t)archive_entry_size(e);
			layer_read(b, &p->layers[i], &p->opts, &p->stats[i]);
			left--;
			break;
		}
	}
out:
	archive_read_free(ar);
	for (size_t i = 0; rc == 0 && i < p->n; i++) {
		if (p->blobs[i].kind != BLOB_STREAM || p->blobs[i].outer)
			continue;
		/* A blob listed twice (identical layers) was read once: share its entries. */
		for (size_t k = 0; k < i && !p->blobs[i].outer; k++) {
			if (p->blobs[k].kind != BLOB_STREAM || !p->blobs[k].outer ||
			    strcmp(p->blobs[k].name, p->blobs[i].name) != 0)
				continue;
			arena_free(p->layers[i].arena);
			p->layers[i] = p->layers[k];
			p->layers[i].arena = NULL; /* owned by layer k */
			p->stats[i] = p->stats[k];
			p->blobs[i].outer = p->blobs[k].outer;
			p->shared[k] = true;
		}
		if (!p->blobs[i].outer)
			rc = err(L, "'%s' is missing from the archive", p->blobs[i].name);
	}
	return rc;
}

/*
 * Reads the layers (all, or only[0..nonly)), keeping the contents the
 * capture list asks for, `caps` bytes of each, and applies them in order to
 * fs, the contents going to `kept`; with fs NULL, the contents stay in the
 * layers, returned in *out (freed by the caller), for a read of one file.
 */
static int read_layers(struct loader *L, struct fsmodel *fs, const size_t *caps, const size_t *only,
		       size_t nonly, struct layer **out)
{
	const struct lint_limits *lim = &L->rd->opts->limits;
	size_t n = only ? nonly : L->nlayers;
	struct pool p = {.L = L,
			 .n = n,
			 .fs = fs,
			 .kept = fs ? &L->kept : NULL,
			 .mu = PTHREAD_MUTEX_INITIALIZER,
			 .cv = PTHREAD_COND_INITIALIZER};
	size_t *index = arena_alloc(L->a, (n + 1) * sizeof(*index));
	p.blobs = arena_alloc(L->a, (n + 1) * sizeof(*p.blobs));
	p.layers = arena_alloc(L->a, (n + 1) * sizeof(*p.layers));
	p.stats = arena_alloc(L->a, (n + 1) * sizeof(*p.stats));
	p.ready = arena_alloc(L->a, (n + 1) * sizeof(*p.ready));
	p.shared = arena_alloc(L->a, (n + 1) * sizeof(*p.shared));
	if (out)
		*out = NULL;
	if (!index || !p.blobs || !p.layers || !p.stats || !p.ready || !p.shared)
		return err(L, "out of memory reading '%s'", L->path);
	for (size_t i = 0; i < n; i++)
		index[i] = only ? only[i] : i;
	p.index = index;
	p.opts = (struct layer_opts){
	    .limits = lim,
	    .capture = L->capture,
	    .ncapture = L->ncapture,
	    .capture_cap = IMAGE_TEXT_CAP,
	    .capture_caps = caps,
	    .entries = fs != NULL,
	    .out = &p.out,
	};
	int rc = 0;
	/* A registry's layers are kept by digest: a second image on the same base reads
	 * only its own. */
	p.cache = L->src.kind == SRC_REMOTE && L->src.bs->cache && fs ? L->rd->opts->fetch.cache_dir
								      : NULL;
	for (size_t i = 0; i < n; i++) {
		const struct layer_ref *r = &L->layers[index[i]];
		const char *why = NULL;
		p.layers[i].arena = arena_new_shared(L->rd->arena); /* the run's memory limit */
		if (!p.layers[i].arena) {
			rc = err(L, "out of memory");
			break;
		}
		if (p.cache && r->digest &&
		    layer_cache_get(p.cache, r->digest, L->capture, L->ncapture, &p.layers[i],
				    &p.stats[i])) {
			p.blobs[i].kind = BLOB_DONE;
			continue;
		}
		if (L->src.kind == SRC_STREAM && !mem_find(&L->src, r->name)) {
			p.blobs[i].kind = BLOB_STREAM;
			p.blobs[i].name = r->name;
			p.blobs[i].fd = -1;
		} else if (src_blob(L, r->name, &p.blobs[i], &why) != 0) {
			rc = err(L, "layer '%s' %s", r->name, why);
			break;
		}
		if (L->src.kind == SRC_DIR) {
			/* Opened again by the thread that reads it, and only then. */
			close(p.blobs[i].fd);
			p.blobs[i].fd = -1;
		}
		p.blobs[i].digest = r->digest;
		p.blobs[i].digest_if_plain = r->digest_if_plain;
	}
	if (rc == 0) {
		bool stream = false;
		for (size_t i = 0; i < n; i++)
			stream |= p.blobs[i].kind == BLOB_STREAM;
		if (stream)
			rc = read_layers_stream(L, &p);
		for (size_t i = 0; i < n; i++)
			p.ready[i] = p.blobs[i].kind == BLOB_STREAM || p.blobs[i].kind == BLOB_DONE;
		if (rc == 0)
			rc = read_layers_parallel(L, &p);
	}
	if (rc == 0 && out && !fs) {
		*out = p.layers;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		arena_free(p.layers[i].arena);
	return rc;
}

/* A kept copy into the node, in the run's arena (contents may hold NULs). */
static void take_content(struct loader *L, struct fs_node *node, const char *data, size_t len,
			 bool truncated)
{
	char *copy = arena_alloc(L->a, len + 1);
	if (!copy)
		return;
	memcpy(copy, data, len);
	node->content = copy;
	node->content_len = len;
	node->content_truncated = truncated;
}

/*
 * The contents of a file the facts need, up to `cap` bytes: the copy kept as
 * the layers were applied when it is the one this node shows, else read
 * again from the one layer that wrote the node's bytes (a file reached
 * through a link, a hard link to a file replaced since).
 */
static void fetch_content(struct loader *L, struct fs_node *node, size_t cap)
{
	if (!node || node->content || fs_type_of(node) != FS_REG || node->data_layer >= L->nlayers)
		return;
	const char *path = node->data_path ? node->data_path : fs_path(L->a, node);
	const struct kept_content *k = kept_find(&L->kept, path);
	if (k && k->data && k->layer == node->data_layer &&
	    L->capture_caps[k - L->kept.items] >= cap) {
		take_content(L, node, k->data, k->len, k->truncated);
		return;
	}
	const char *one[1] = {path};
	const char **save = L->capture;
	size_t nsave = L->ncapture;
	L->capture = one;
	L->ncapture = 1;
	size_t idx = node->data_layer;
	struct layer *ls = NULL;
	int rc = read_layers(L, NULL, &cap, &idx, 1, &ls);
	L->capture = save;
	L->ncapture = nsave;
	if (rc != 0 || !ls)
		return;
	/* The last entry of the path in that layer is the one the model shows. */
	for (size_t i = ls[0].n; i-- > 0;) {
		const struct layer_entry *e = &ls[0].entries[i];
		if (e->content && strcmp(e->path, path) == 0) {
			take_content(L, node, e->content, e->content_len, e->content_truncated);
			break;
		}
	}
	arena_free(ls[0].arena);
}

static void fetch_cb(void *data, struct fs_node *node, size_t cap)
{
	fetch_content(data, node, cap);
}

/* --- the source -------------------------------------------------------------- */

static int open_tar(struct loader *L, int fd, uint64_t size)
{
	const char *why = NULL;
	L->src.kind = SRC_TAR;
	L->src.fsize = size;
	if (tar_index(L->a, fd, size, MAX_OUTER_MEMBERS, &L->src.members, &L->src.nmembers, &why) !=
	    0)
		return err(L, "'%s' %s", L->path, why);
	return 0;
}

/* First pass over a compressed tarball: keep the small members (JSON). */
static int open_stream(struct loader *L)
{
	L->src.kind = SRC_STREAM;
	struct archive *ar = archive_read_new();
	if (!ar)
		return err(L, "out of memory");
	archive_read_support_format_tar(ar);
	archive_read_support_filter_gzip(ar);
	archive_read_support_filter_zstd(ar);
	int rc = 0;
	size_t kept = 0, count = 0;
	uint64_t total = 0;
	if (lseek(L->src.fd, 0, SEEK_SET) != 0 ||
	    archive_read_open_fd(ar, L->src.fd, 1 << 20) != ARCHIVE_OK) {
		rc = err(L, "'%s' is not a tar archive: %s", L->path,
			 archive_error_string(ar) ? archive_error_string(ar) : strerror(errno));
		goto out;
	}
	struct archive_entry *e;
	for (;;) {
		int r = archive_read_next_header(ar, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			rc = err(L, "'%s' is truncated or damaged: %s", L->path,
				 archive_error_string(ar));
			goto out;
		}
		if (++count > MAX_OUTER_MEMBERS) {
			rc = err(L, "'%s' has more than %d members, the limit", L->path,
				 MAX_OUTER_MEMBERS);
			goto out;
		}
		la_int64_t size = archive_entry_size(e);
		total += (uint64_t)(size > 0 ? size : 0);
		if (total > L->rd->opts->limits.uncompressed) {
			rc = err(L, "'%s' decompresses to more than the limit", L->path);
			goto out;
		}
		const char *why;
		const char *name = archive_entry_pathname(e);
		char *norm = name ? tar_name_normalise(L->a, name, false, &why) : NULL;
		if (!norm || archive_entry_filetype(e) != AE_IFREG || size < 0)
			continue;
		if ((size_t)size > STREAM_KEEP || kept + (size_t)size > STREAM_KEEP_TOTAL) {
			/* A layer, read in the second pass; a JSON file says it was too large. */
			struct mem_member *m =
			    ARR_PUSH(L->a, L->src.mem, L->src.nmem, L->src.capmem);
			if (!m) {
				rc = err(L, "out of memory");
				goto out;
			}
			m->name = norm;
			m->size = (size_t)size;
			continue;
		}
		unsigned char *data = arena_alloc(L->a, (size_t)size + 1);
		struct mem_member *m = ARR_PUSH(L->a, L->src.mem, L->src.nmem, L->src.capmem);
		if (!data || !m) {
			rc = err(L, "out of memory");
			goto out;
		}
		la_ssize_t got = archive_read_data(ar, data, (size_t)size);
		if (got != size) {
			rc = err(L, "'%s' is truncated or damaged: %s", L->path,
				 archive_error_string(ar) ? archive_error_string(ar)
							  : "short member");
			goto out;
		}
		m->name = norm;
		m->data = data;
		m->size = (size_t)size;
		kept += (size_t)size;
	}
out:
	archive_read_free(ar);
	return rc;
}

static void close_src(struct src *s)
{
	if (s->dirfd >= 0)
		close(s->dirfd);
	if (s->fd >= 0)
		close(s->fd);
}

/* Reads the image once its container of blobs is open: manifests, config, layers, facts. */
static int load_found(struct loader *L, const char *path)
{
	if (src_has(&L->src, "manifest.json")) {
		L->img->layout = L->src.kind == SRC_DIR ? "oci-layout" : "docker-archive";
		if (docker_archive(L) != 0)
			return -1;
	} else if (src_has(&L->src, "index.json")) {
		L->img->layout = L->src.kind == SRC_DIR	     ? "oci-layout"
				 : L->src.kind == SRC_REMOTE ? L->src.bs->layout
							     : "oci-archive";
		if (oci(L) != 0)
			return -1;
	} else {
		err(L,
		    "'%s' holds neither manifest.json nor index.json: it is not a docker save "
		    "tarball or an OCI image",
		    path);
		return -1;
	}
	plan_capture(L);
	L->img->fs = fs_new(L->a, L->rd->opts->limits.tar_entries);
	if (!L->img->fs) {
		err(L, "out of memory");
		return -1;
	}
	L->img->view.fs = L->img->fs;
	L->img->nlayers = L->nlayers;
	if (L->nlayers && read_layers(L, L->img->fs, L->capture_caps, NULL, 0, NULL) != 0)
		return -1;
	/* The contents of the files the facts read: kept as the layers were applied, or
	 * read again from the layer that holds them. */
	image_facts_targets(L->a, L->img, L, fetch_cb);
	return image_facts(L->rd, L->img);
}

int image_load_file(struct reading *rd, const char *name, const struct image_ref *ref,
		    struct image *img)
{
	struct loader L = {.rd = rd, .a = rd->arena, .path = name, .img = img};
	L.src.dirfd = L.src.fd = -1;
	image_begin(img, name);
	const char *why = NULL;
	const char *path = ref->file;
	L.tag = ref->file_tag;
	L.src.path = path;
	int rc = -1;
	struct stat st;
	if (stat(path, &st) != 0) {
		err(&L, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		L.src.kind = SRC_DIR;
		L.src.dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (L.src.dirfd < 0) {
			err(&L, "cannot open folder '%s': %s", path, strerror(errno));
			return -1;
		}
		if (!src_has(&L.src, "oci-layout")) {
			close_src(&L.src);
			if (ref->transport == TRANSPORT_OCI) {
				err(&L, "'%s' is not an OCI layout: it has no oci-layout file",
				    path);
				return -1;
			}
			return image_load_rootfs(rd, path, rd->opts->image_config, img);
		}
	} else {
		/* An archive is read more than once: a pipe cannot be, nor waited on. */
		int fd = input_open(AT_FDCWD, path, 0, &st, &why);
		unsigned char magic[4] = {0};
		if (fd < 0) {
			err(&L, "cannot read '%s': it %s", path, why);
			return -1;
		}
		L.src.fd = fd;
		ssize_t got = pread(fd, magic, 4, 0);
		bool gz = got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b;
		bool zst = got >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f &&
			   magic[3] == 0xfd;
		if (gz || zst) {
			if (open_stream(&L) != 0)
				goto out;
		} else if (open_tar(&L, fd, (uint64_t)st.st_size) != 0) {
			goto out;
		}
	}
	rc = load_found(&L, path);
out:
	kept_release(&L.kept);
	close_src(&L.src);
	return rc;
}

int image_load_source(struct reading *rd, const char *name, const struct blob_source *bs,
		      struct image *img)
{
	struct loader L = {.rd = rd, .a = rd->arena, .path = name, .img = img};
	L.src.dirfd = L.src.fd = -1;
	L.src.kind = SRC_REMOTE;
	L.src.bs = bs;
	L.src.path = name;
	image_begin(img, name);
	int rc = load_found(&L, name);
	kept_release(&L.kept);
	close_src(&L.src);
	return rc;
}
