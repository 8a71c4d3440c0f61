/*
 * test-pair.c - the image side used for pairing (--image REF=PATH): an OCI
 * layout loaded through run_pair() fills every field the Kubernetes rules
 * read.
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

#include "image/image.h"
#include "unroot/lint.h"
#include "engine/run.h"

static char dir[] = "/tmp/unroot-pair-XXXXXX";

static char *hexdigest(const void *data, size_t n)
{
	static char out[4][65];
	static int k;
	unsigned char d[SHA256_DIGEST_SIZE];
	struct sha256_ctx md;
	sha256_init(&md);
	sha256_update(&md, n, data);
	sha256_digest(&md, sizeof(d), d);
	char *o = out[k++ & 3];
	for (unsigned i = 0; i < 32; i++)
		sprintf(o + 2 * i, "%02x", d[i]);
	return o;
}

static void put(const char *rel, const void *data, size_t n)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void entry(struct archive *ar, const char *path, mode_t type, mode_t perm, int uid,
		  const char *body)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_uid(e, uid);
	archive_entry_set_size(e, body ? (la_int64_t)strlen(body) : 0);
	assert_int_equal(archive_write_header(ar, e), ARCHIVE_OK);
	if (body)
		archive_write_data(ar, body, strlen(body));
	archive_entry_free(e);
}

/* A one-layer OCI layout, written with libarchive and hashed with libcrypto. */
static void make_layout(void)
{
	static char layer[1 << 16];
	size_t used = 0;
	struct archive *ar = archive_write_new();
	archive_write_set_format_pax_restricted(ar);
	archive_write_open_memory(ar, layer, sizeof(layer), &used);
	entry(ar, "etc", AE_IFDIR, 0755, 0, NULL);
	entry(ar, "etc/passwd", AE_IFREG, 0644, 0,
	      "root:x:0:0::/root:/bin/sh\nweb:x:1001:0::/home/web:/bin/sh\n");
	entry(ar, "etc/group", AE_IFREG, 0644, 0, "root:x:0:\nextra:x:2000:web\n");
	entry(ar, "app", AE_IFDIR, 0775, 1001, NULL);
	entry(ar, "app/run.sh", AE_IFREG, 0775, 1001, "#!/bin/sh\n");
	entry(ar, "data", AE_IFDIR, 0770, 1001, NULL);
	archive_write_close(ar);
	archive_write_free(ar);

	char cfg[1024], man[2048], idx[1024], path[256];
	snprintf(cfg, sizeof(cfg),
		 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"User\":\"web\","
		 "\"Entrypoint\":[\"/app/run.sh\"],\"WorkingDir\":\"/app\",\"Volumes\":{\"/data\":"
		 "{}},\"Env\":[\"PATH=/bin\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
	char *lh = hexdigest(layer, used), *ch = hexdigest(cfg, strlen(cfg));
	snprintf(man, sizeof(man),
		 "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:%s\",\"size\":%zu},"
		 "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
		 "\"digest\":\"sha256:%s\",\"size\":%zu}]}",
		 ch, strlen(cfg), lh, used);
	char *mh = hexdigest(man, strlen(man));
	snprintf(idx, sizeof(idx),
		 "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:%s\",\"size\":%zu}]}",
		 mh, strlen(man));
	snprintf(path, sizeof(path), "%s/blobs", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/blobs/sha256", dir);
	mkdir(path, 0755);
	put("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
	put("index.json", idx, strlen(idx));
	snprintf(path, sizeof(path), "blobs/sha256/%s", lh);
	put(path, layer, used);
	snprintf(path, sizeof(path), "blobs/sha256/%s", ch);
	put(path, cfg, strlen(cfg));
	snprintf(path, sizeof(path), "blobs/sha256/%s", mh);
	put(path, man, strlen(man));
}

static void image_side_fills_the_view(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	make_layout();
	struct lint_options o;
	lint_options_init(&o);
	struct kv pair = {"registry.example.com/web", dir};
	o.images = &pair;
	o.nimages = 1;
	struct lint_run *run = lint_run_new(&o);
	const struct image_view *v = run_pair(run, "registry.example.com/web:1.0");
	assert_non_null(v);
	assert_true(v->from_image);
	assert_non_null(v->fs);
	assert_string_equal(v->user, "web");
	assert_true(v->user_is_name);
	assert_int_equal(v->uid, 1001);
	assert_int_equal(v->gid, 0);
	assert_string_equal(v->home, "/home/web");
	assert_string_equal(v->workdir, "/app");
	assert_int_equal(v->nentrypoint, 1);
	assert_string_equal(v->entrypoint[0], "/app/run.sh");
	assert_int_equal(v->nvolumes, 1);
	assert_string_equal(v->volumes[0], "/data");
	assert_non_null(fs_lookup(v->fs, "/app/run.sh"));
	assert_true(v->nowned >= 2); /* /app and /data belong to 1001 */
	assert_false(lint_run_had_input_error(run));
	lint_run_free(run);

	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(image_side_fills_the_view),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
