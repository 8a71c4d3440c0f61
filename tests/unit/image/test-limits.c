/*
 * test-limits.c - image limits too costly to reach from the command line
 * (a million files in a root filesystem, 16 GiB of layers), hit with the
 * limits lowered: each is an NR000 that names it, and nothing is cut
 * without a word.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>
#include <nettle/sha2.h>

#include "unroot/diag.h"
#include "image/image.h"
#include "unroot/lint.h"
#include "unroot/rule.h"
#include "unroot/arena.h"
#include "util/reading.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/unroot-limits-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *rel, const void *data, size_t n)
{
	char p[512];
	assert_true(snprintf(p, sizeof(p), "%s/%s", dir, rel) < (int)sizeof(p));
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

/* What the engine hands the image reader for `path`, in an arena of its own. */
static struct reading *reading_new(const struct lint_options *o, const char *path)
{
	struct arena *a = arena_new(o->limits.arena);
	assert_non_null(a);
	struct reading *rd = arena_alloc(a, sizeof(*rd));
	assert_non_null(rd);
	rd->opts = o;
	rd->arena = rd->scratch = a;
	rd->path = path;
	return rd;
}

/* The reader's NR000 messages, joined. */
static const char *errors(const struct reading *rd)
{
	static char out[4096];
	out[0] = 0;
	for (size_t i = 0; i < rd->nerrors; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s|",
			 rd->errors[i].message);
	return out;
}

static void rootfs_entries(void **state)
{
	(void)state;
	char p[512];
	snprintf(p, sizeof(p), "%s/rootfs", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	for (int i = 0; i < 30; i++) {
		snprintf(p, sizeof(p), "rootfs/f%02d", i);
		put(p, "", 0);
	}
	struct lint_options o;
	lint_options_init(&o);
	o.limits.tar_entries = 20;
	struct image img;
	snprintf(p, sizeof(p), "%s/rootfs", dir);
	struct reading *rd = reading_new(&o, p);
	assert_int_equal(image_load_rootfs(rd, p, NULL, &img), -1);
	assert_non_null(strstr(errors(rd), "it has more than 20 entries, the limit"));
	arena_free(rd->arena);
}

static char *hexdigest(const void *data, size_t n)
{
	static char out[4][65];
	static int k;
	unsigned char d[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	sha256_init(&ctx);
	sha256_update(&ctx, n, data);
	sha256_digest(&ctx, sizeof(d), d);
	char *o = out[k++ & 3];
	for (unsigned i = 0; i < 32; i++)
		sprintf(o + 2 * i, "%02x", d[i]);
	return o;
}

/* An OCI layout of one gzip layer holding `size` bytes in one file. */
static void layout(size_t size)
{
	size_t cap = size / 100 + 65536, used = 0;
	char *layer = malloc(cap), *body = calloc(size, 1);
	assert_non_null(layer);
	assert_non_null(body);
	struct archive *ar = archive_write_new();
	archive_write_set_format_pax_restricted(ar);
	archive_write_add_filter_gzip(ar);
	archive_write_open_memory(ar, layer, cap, &used);
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, "big");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)size);
	assert_int_equal(archive_write_header(ar, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(ar, body, size), (la_ssize_t)size);
	archive_entry_free(e);
	archive_write_close(ar);
	archive_write_free(ar);
	free(body);

	const char *cfg = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"User\":"
			  "\"1001:0\"},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
	char man[1024], idx[512], path[256];
	char *lh = hexdigest(layer, used), *ch = hexdigest(cfg, strlen(cfg));
	snprintf(man, sizeof(man),
		 "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:%s\",\"size\":%zu},"
		 "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
		 "\"digest\":\"sha256:%s\",\"size\":%zu}]}",
		 ch, strlen(cfg), lh, used);
	char *mh = hexdigest(man, strlen(man));
	snprintf(idx, sizeof(idx),
		 "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:%s\",\"size\":%zu}]}",
		 mh, strlen(man));
	snprintf(path, sizeof(path), "%s/oci", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/oci/blobs", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/oci/blobs/sha256", dir);
	mkdir(path, 0755);
	put("oci/oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
	put("oci/index.json", idx, strlen(idx));
	snprintf(path, sizeof(path), "oci/blobs/sha256/%s", lh);
	put(path, layer, used);
	snprintf(path, sizeof(path), "oci/blobs/sha256/%s", ch);
	put(path, cfg, strlen(cfg));
	snprintf(path, sizeof(path), "oci/blobs/sha256/%s", mh);
	put(path, man, strlen(man));
	free(layer);
}

static void layers_uncompressed(void **state)
{
	(void)state;
	layout(3 << 20);
	struct lint_options o;
	lint_options_init(&o);
	o.limits.uncompressed = 1 << 20;
	struct image img;
	char p[512];
	snprintf(p, sizeof(p), "%s/oci", dir);
	struct reading *rd = reading_new(&o, p);
	assert_int_equal(image_load(rd, p, &img), -1);
	assert_non_null(
	    strstr(errors(rd), "the layers decompress to more than the limit of 1048576 bytes"));
	arena_free(rd->arena);

	/* Within the limit, the same image reads. */
	o.limits.uncompressed = 4 << 20;
	rd = reading_new(&o, p);
	assert_int_equal(image_load(rd, p, &img), 0);
	assert_string_equal(errors(rd), "");
	arena_free(rd->arena);
}

/* A run's memory limit reached while an image is read: an NR000, whatever was being built. */
static void run_memory(void **state)
{
	(void)state;
	layout(64 << 10);
	char p[512], r[512];
	snprintf(p, sizeof(p), "%s/oci", dir);
	snprintf(r, sizeof(r), "%s/rootfs", dir);
	assert_int_equal(mkdir(r, 0755), 0);
	snprintf(r, sizeof(r), "%s/rootfs/etc", dir);
	assert_int_equal(mkdir(r, 0755), 0);
	const char *pw = "root:x:0:0::/root:/bin/sh\napp:x:1001:0::/app:/bin/sh\n";
	put("rootfs/etc/passwd", pw, strlen(pw));
	put("rootfs/etc/group", "root:x:0:\n", 10);
	snprintf(r, sizeof(r), "%s/rootfs", dir);
	size_t failed = 0, read = 0;
	for (size_t limit = 1 << 10; limit <= (1 << 20); limit += limit / 8) {
		for (int k = 0; k < 2; k++) {
			struct lint_options o;
			lint_options_init(&o);
			o.limits.arena = limit;
			struct reading *rd = reading_new(&o, k ? r : p);
			struct image img;
			if (image_load(rd, k ? r : p, &img) != 0) {
				/* Said, when there was room to say it at all (the engine says
				 * it then, from the arena's failure). */
				assert_true(rd->nerrors > 0 || arena_failed(rd->arena));
				if (*errors(rd) && !strstr(errors(rd), "out of memory") &&
				    !strstr(errors(rd), "more memory than a run may use"))
					fail_msg("limit %zu: %s", limit, errors(rd));
				failed++;
			} else {
				read++;
			}
			arena_free(rd->arena);
		}
	}
	assert_true(failed > 0); /* the small limits were hit */
	assert_true(read > 0);	 /* and the large ones were not */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(rootfs_entries, setup, teardown),
	    cmocka_unit_test_setup_teardown(layers_uncompressed, setup, teardown),
	    cmocka_unit_test_setup_teardown(run_memory, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
