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
#include <openssl/evp.h>

#include "unroot/diag.h"
#include "unroot/image.h"
#include "unroot/lint.h"
#include "unroot/rule.h"
#include "unroot/run.h"

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

/* The NR000 messages of a run, joined. */
static const char *errors(struct lint_run *run)
{
	static char out[4096];
	out[0] = 0;
	for (size_t i = 0; i < run->diags.n; i++) {
		const struct diag *d = &run->diags.items[i];
		if (strcmp(d->rule->code, "NR000") == 0)
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s|", d->message);
	}
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
	struct lint_run *run = lint_run_new(&o);
	struct image img;
	snprintf(p, sizeof(p), "%s/rootfs", dir);
	assert_int_equal(image_load_rootfs(run, p, NULL, &img), -1);
	assert_non_null(strstr(errors(run), "it has more than 20 entries, the limit"));
	lint_run_free(run);
}

static char *hexdigest(const void *data, size_t n)
{
	static char out[4][65];
	static int k;
	unsigned char d[32];
	unsigned dn;
	EVP_Digest(data, n, d, &dn, EVP_sha256(), NULL);
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
	struct lint_run *run = lint_run_new(&o);
	struct image img;
	char p[512];
	snprintf(p, sizeof(p), "%s/oci", dir);
	assert_int_equal(image_load(run, p, &img), -1);
	assert_non_null(
	    strstr(errors(run), "the layers decompress to more than the limit of 1048576 bytes"));
	lint_run_free(run);

	/* Within the limit, the same image reads. */
	o.limits.uncompressed = 4 << 20;
	run = lint_run_new(&o);
	assert_int_equal(image_load(run, p, &img), 0);
	assert_string_equal(errors(run), "");
	lint_run_free(run);
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
			struct lint_run *run = lint_run_new(&o);
			if (!run)
				continue;
			struct image img;
			if (image_load(run, k ? r : p, &img) != 0) {
				/* Said, when there was room to say it at all (the engine's to
				 * keep). */
				assert_true(lint_run_had_input_error(run));
				if (*errors(run) && !strstr(errors(run), "out of memory") &&
				    !strstr(errors(run), "more memory than a run may use"))
					fail_msg("limit %zu: %s", limit, errors(run));
				failed++;
			} else {
				read++;
			}
			lint_run_free(run);
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
