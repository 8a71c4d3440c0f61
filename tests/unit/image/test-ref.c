/*
 * test-ref.c - image references: Docker Hub normalisation as Docker does it,
 * the grammar's refusals, and skopeo's transport prefixes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unroot/arena.h"
#include "image/ref.h"

static struct arena *A;

static int setup(void **state)
{
	(void)state;
	A = arena_new(1 << 20);
	return A ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(A);
	return 0;
}

static void norm(const char *in, const char *canonical)
{
	struct image_name n;
	const char *why = NULL;
	int rc = image_name_parse(A, in, &n, &why);
	if (rc != 0)
		fail_msg("'%s' refused: %s", in, why);
	if (strcmp(n.canonical, canonical) != 0)
		fail_msg("'%s' gave '%s', want '%s'", in, n.canonical, canonical);
}

static void refused(const char *in, const char *why_part)
{
	struct image_name n;
	const char *why = NULL;
	if (image_name_parse(A, in, &n, &why) == 0)
		fail_msg("'%s' accepted as '%s'", in, n.canonical);
	if (!strstr(why, why_part))
		fail_msg("'%s': '%s' does not say '%s'", in, why, why_part);
}

static void docker_hub(void **state)
{
	(void)state;
	norm("nginx", "docker.io/library/nginx:latest");
	norm("nginx:1.27", "docker.io/library/nginx:1.27");
	norm("library/nginx", "docker.io/library/nginx:latest");
	norm("docker.io/nginx", "docker.io/library/nginx:latest");
	norm("index.docker.io/nginx:1", "docker.io/library/nginx:1");
	norm("index.docker.io/library/nginx", "docker.io/library/nginx:latest");
	norm("bitnami/postgresql:16", "docker.io/bitnami/postgresql:16");
	norm("a/b/c", "docker.io/a/b/c:latest");
	struct image_name n;
	const char *why;
	assert_int_equal(image_name_parse(A, "postgres:16", &n, &why), 0);
	assert_string_equal(n.domain, "docker.io");
	assert_string_equal(n.repository, "library/postgres");
	assert_string_equal(n.tag, "16");
	assert_null(n.digest);
	assert_string_equal(image_registry_host(n.domain), "registry-1.docker.io");
}

static void other_registries(void **state)
{
	(void)state;
	norm("quay.io/prometheus/node-exporter:v1.8.2", "quay.io/prometheus/node-exporter:v1.8.2");
	norm("localhost/app:t", "localhost/app:t");
	norm("localhost:5000/app", "localhost:5000/app:latest");
	norm("127.0.0.1:5123/test/img:1", "127.0.0.1:5123/test/img:1");
	norm("registry.access.redhat.com/ubi9/ubi-minimal",
	     "registry.access.redhat.com/ubi9/ubi-minimal:latest");
	norm("[::1]:5000/app:1", "[::1]:5000/app:1");
	/* A first part with capitals is a host, as Docker reads it. */
	norm("Registry/app", "Registry/app:latest");
	norm("a.b/c__d/e-f--g/h.i_j:T_a.g-1", "a.b/c__d/e-f--g/h.i_j:T_a.g-1");
	struct image_name n;
	const char *why;
	assert_int_equal(image_name_parse(A, "quay.io/a/b", &n, &why), 0);
	assert_string_equal(image_registry_host(n.domain), "quay.io");
}

static void digests(void **state)
{
	(void)state;
	const char *d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char in[256], want[256];
	snprintf(in, sizeof(in), "nginx@%s", d);
	snprintf(want, sizeof(want), "docker.io/library/nginx@%s", d);
	norm(in, want);
	struct image_name n;
	const char *why;
	assert_int_equal(image_name_parse(A, in, &n, &why), 0);
	assert_null(n.tag);
	assert_string_equal(n.digest, d);
	snprintf(in, sizeof(in), "nginx:1.27@%s", d);
	snprintf(want, sizeof(want), "docker.io/library/nginx:1.27@%s", d);
	norm(in, want);
	snprintf(in, sizeof(in), "localhost:5000/x@%s", d);
	snprintf(want, sizeof(want), "localhost:5000/x@%s", d);
	norm(in, want);
}

static void refusals(void **state)
{
	(void)state;
	refused("nginx:", "tag");
	refused(":1", "empty");
	refused("a//b", "repository name");
	refused("-nginx", "repository name");
	refused("nginx_", "repository name");
	refused("nginx:-x", "tag");
	refused("nginx:.x", "tag");
	refused("NGINX", "lowercase");
	refused("docker.io/Library/nginx", "lowercase");
	refused("nginx@sha256:abc", "digest");
	refused("nginx@md5:0123", "digest");
	refused("a/b:c:d", "repository name");
	refused("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "image ID");
	refused("bad_host-.com/x", "registry");
	refused("host:99999999/x", "registry");
	refused("localhost:5000/", "empty");
	char longtag[200];
	memset(longtag, 'a', sizeof(longtag));
	memcpy(longtag, "x:", 2);
	longtag[sizeof(longtag) - 1] = 0;
	refused(longtag, "tag");
	char longname[300];
	memset(longname, 'a', sizeof(longname));
	longname[sizeof(longname) - 1] = 0;
	refused(longname, "255");
}

static void transports(void **state)
{
	(void)state;
	struct image_ref r;
	const char *why = NULL;
	assert_int_equal(image_ref_parse(A, "docker://nginx:1.27", &r, &why), 0);
	assert_int_equal(r.transport, TRANSPORT_DOCKER);
	assert_string_equal(r.name.canonical, "docker.io/library/nginx:1.27");
	assert_int_equal(image_ref_parse(A, "nginx", &r, &why), 0);
	assert_int_equal(r.transport, TRANSPORT_DOCKER);
	assert_int_equal(image_ref_parse(A, "oci:/nowhere/dir:t", &r, &why), 0);
	assert_int_equal(r.transport, TRANSPORT_OCI);
	assert_string_equal(r.file, "/nowhere/dir");
	assert_string_equal(r.file_tag, "t");
	assert_int_equal(image_ref_parse(A, "oci:/nowhere/dir", &r, &why), 0);
	assert_null(r.file_tag);
	assert_int_equal(image_ref_parse(A, "oci-archive:/nowhere/x.tar", &r, &why), 0);
	assert_int_equal(r.transport, TRANSPORT_OCI_ARCHIVE);
	assert_string_equal(r.file, "/nowhere/x.tar");
	assert_int_equal(image_ref_parse(A, "docker-archive:/nowhere/x.tar:app:t", &r, &why), 0);
	assert_int_equal(r.transport, TRANSPORT_DOCKER_ARCHIVE);
	assert_string_equal(r.file, "/nowhere/x.tar");
	assert_string_equal(r.file_tag, "app:t");
	assert_int_equal(image_ref_parse(A, "containers-storage:localhost/app:t", &r, &why), 0);
	assert_int_equal(r.transport, TRANSPORT_STORAGE);
	assert_string_equal(r.local, "localhost/app:t");
	assert_string_equal(r.name.canonical, "localhost/app:t");
	assert_int_equal(image_ref_parse(A, "docker-daemon:app:1", &r, &why), 0);
	assert_int_equal(r.transport, TRANSPORT_DAEMON);
	assert_string_equal(r.name.canonical, "docker.io/library/app:1");
	/* An image ID is kept as written. */
	assert_int_equal(image_ref_parse(A, "containers-storage:0123abcd", &r, &why), 0);
	assert_string_equal(r.local, "0123abcd");
	assert_null(r.name.canonical);
	/* A path that exists is a path, whatever it looks like. */
	assert_int_equal(image_ref_parse(A, "/", &r, &why), 0);
	assert_int_equal(r.transport, TRANSPORT_PATH);
	/* Names that read as files are missing files, not Docker Hub repositories. */
	assert_int_equal(image_ref_parse(A, "deploy.yaml", &r, &why), -1);
	assert_int_equal(image_ref_parse(A, "./nginx", &r, &why), -1);
	assert_int_equal(image_ref_parse(A, "out/image.tar", &r, &why), -1);
	assert_int_equal(image_ref_parse(A, "dockerfile", &r, &why), -1);
	assert_int_equal(image_ref_parse(A, "app.containerfile", &r, &why), -1);
	assert_int_equal(image_ref_parse(A, "docker://", &r, &why), -1);
	assert_int_equal(image_ref_parse(A, "oci:", &r, &why), -1);
	assert_int_equal(image_ref_parse(A, "docker-daemon:", &r, &why), -1);
	assert_true(image_ref_is_reference("nginx:1.27"));
	assert_true(image_ref_is_reference("oci:/nowhere"));
	assert_false(image_ref_is_reference("/"));
	assert_false(image_ref_is_reference("-"));
	assert_false(image_ref_is_reference("nope.Dockerfile"));
	assert_false(image_ref_is_reference("missing.yaml"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(docker_hub), cmocka_unit_test(other_registries),
	    cmocka_unit_test(digests),	  cmocka_unit_test(refusals),
	    cmocka_unit_test(transports),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
