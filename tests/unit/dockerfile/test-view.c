/*
 * test-view.c - the image view of a Dockerfile, and the well-known base images.
 *
 * Docker facts: no USER means root; COPY/ADD --chown=UID with no group gives
 * the files that number as gid, and without --chown files belong to 0:0
 * (Dockerfile reference, "COPY --chown --chmod"); ENTRYPOINT resets a CMD
 * inherited from the base (dockerfile2llb dispatchEntrypoint: "if
 * !d.cmdSet"); a relative WORKDIR is relative to the previous one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "unroot/arena.h"
#include "dockerfile/dockerfile.h"
#include "unroot/lint.h"
#include "image/view.h"
#include "unroot/source.h"

static struct arena *A;
static struct lint_options O;

static int setup(void **state)
{
	(void)state;
	A = arena_new(1u << 28);
	lint_options_init(&O);
	return A ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(A);
	return 0;
}

static struct image_view *view(const char *text)
{
	struct source *src = source_new(A, "Dockerfile", text, strlen(text));
	struct dockerfile *df = arena_alloc(A, sizeof(*df));
	struct df_error err;
	assert_int_equal(df_parse(A, src, df, &err), 0);
	assert_int_equal(df_eval(A, df), 0);
	struct image_view *v = df_image_view(A, df, "Dockerfile", &O);
	assert_non_null(v);
	return v;
}

static void user(void **state)
{
	(void)state;
	const char *t = "FROM alpine\nUSER 1001:0\n";
	struct image_view *v = view(t);
	assert_true(v->user_known);
	assert_string_equal(v->user, "1001:0");
	assert_int_equal(v->uid, 1001);
	assert_int_equal(v->gid, 0);
	assert_false(v->user_is_name);
	assert_int_equal(v->user_start, 12);
	assert_int_equal(v->user_end, 23);
	v = view("FROM alpine\nUSER app\n");
	assert_true(v->user_is_name);
	assert_int_equal(v->uid, -1);
	v = view("FROM alpine\nUSER root:root\n");
	assert_int_equal(v->uid, 0);
	assert_int_equal(v->gid, 0);
	/* root is a name too: the kubelet cannot verify it under runAsNonRoot. */
	assert_true(v->user_is_name);
	/* No USER on an unknown base: unknown. */
	v = view("FROM registry.example.com/base:1\n");
	assert_false(v->user_known);
	/* No USER on an official OS image: it runs as root, known. */
	v = view("FROM alpine\n");
	assert_true(v->user_known);
	assert_int_equal(v->uid, 0);
	/* scratch has no user: root, known. */
	v = view("FROM scratch\n");
	assert_true(v->user_known);
	assert_int_equal(v->uid, 0);
	/* A listed base image gives its user. */
	v = view("FROM gcr.io/distroless/static-debian12:nonroot\n");
	assert_true(v->user_known);
	assert_int_equal(v->uid, 65532);
	assert_int_equal(v->gid, 65532);
	/* Unresolved: unknown. */
	v = view("FROM alpine\nUSER $NOPE\n");
	assert_false(v->user_known);
	/* Inherited from a stage. */
	v = view("FROM alpine AS b\nUSER 1001:0\nFROM b\nRUN x\n");
	assert_int_equal(v->uid, 1001);
}

static void commands_env_workdir_volumes(void **state)
{
	(void)state;
	struct image_view *v = view("FROM alpine AS base\nCMD [\"serve\"]\nENV A=1 B=2\n"
				    "FROM base\nENTRYPOINT /app/run --x\nENV A=3\n"
				    "WORKDIR /srv\nWORKDIR app\nVOLUME /data [\"/x\"]\n"
				    "VOLUME [\"/logs\", \"/tmp\"]\n");
	assert_int_equal(v->nentrypoint, 3);
	assert_string_equal(v->entrypoint[0], "/bin/sh");
	assert_string_equal(v->entrypoint[2], "/app/run --x");
	/* ENTRYPOINT in the child resets the CMD of its parent stage. */
	assert_int_equal(v->ncmd, 0);
	assert_int_equal(v->nenv, 2);
	assert_string_equal(v->env[0], "B=2");
	assert_string_equal(v->env[1], "A=3");
	assert_string_equal(v->workdir, "/srv/app");
	assert_int_equal(v->nvolumes, 4);
	assert_string_equal(v->volumes[0], "/data");
	assert_string_equal(v->volumes[2], "/logs");
	v = view("FROM alpine\nENTRYPOINT [\"/e\"]\nCMD [\"c\"]\nSHELL [\"/bin/bash\", \"-c\"]\n"
		 "CMD run\n");
	assert_int_equal(v->ncmd, 3);
	assert_string_equal(v->cmd[0], "/bin/bash");
}

static void owned_paths(void **state)
{
	(void)state;
	struct image_view *v = view("FROM alpine AS build\nCOPY --chown=5:5 a /build\n"
				    "FROM alpine\nARG G=0\nCOPY --chown=1001:$G app /app\n"
				    "COPY --chown=1001 cfg /etc/app/\nCOPY --chown=app:app x /x\n"
				    "ADD --chmod=750 s.sh /s.sh\nCOPY plain /plain\n"
				    "COPY --from=build --chown=root:root /b /b\n");
	/* The build stage is not in the final image's chain. */
	assert_int_equal(v->nowned, 5);
	assert_string_equal(v->owned[0].path, "/app");
	assert_int_equal(v->owned[0].uid, 1001);
	assert_int_equal(v->owned[0].gid, 0);
	/* A uid with no group gives gid = uid. */
	assert_int_equal(v->owned[1].gid, 1001);
	/* Names are not resolved from a Dockerfile. */
	assert_int_equal(v->owned[2].uid, -1);
	assert_int_equal(v->owned[2].gid, -1);
	/* --chmod alone: 0:0 with that mode. */
	assert_int_equal(v->owned[3].uid, 0);
	assert_int_equal(v->owned[3].mode, 0750);
	assert_int_equal(v->owned[4].uid, 0);
	assert_int_equal(v->owned[4].gid, 0);
}

static void base_images(void **state)
{
	(void)state;
	long uid, gid;
	const char *src;
	struct {
		const char *image;
		long uid, gid;
	} known[] = {
	    {"gcr.io/distroless/static-debian12:nonroot", 65532, 65532},
	    {"gcr.io/distroless/base:debug-nonroot", 65532, 65532},
	    {"gcr.io/distroless/static:nonroot@sha256:abc", 65532, 65532},
	    {"gcr.io/distroless/static-debian12", 0, 0},
	    {"cgr.dev/chainguard/nginx:latest", 65532, 65532},
	    {"cgr.dev/chainguard/wolfi-base", 0, 0},
	    {"bitnami/nginx:1.29", 1001, 0},
	    {"docker.io/bitnami/postgresql:17", 1001, 0},
	    {"bitnami/minideb:bookworm", 0, 0},
	    {"nginxinc/nginx-unprivileged:alpine", 101, 101},
	    {"registry.access.redhat.com/ubi8/nginx-120", 1001, 0},
	    {"registry.access.redhat.com/ubi9/nodejs-20:latest", 1001, 0},
	    {"ubi9/s2i-core", 0, 0},
	    {"mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled", 1654, 1654},
	    {"scratch", 0, 0},
	    {"alpine:3.20", 0, 0},
	    {"docker.io/library/python:3.12-slim", 0, 0},
	    {"node", 0, 0},
	    {"registry.access.redhat.com/ubi9/ubi-minimal:9.5", 0, 0},
	    {"registry.access.redhat.com/ubi9:latest", 0, 0},
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		assert_true(df_base_image_user(&O, known[i].image, &uid, &gid, &src));
		assert_int_equal(uid, known[i].uid);
		assert_int_equal(gid, known[i].gid);
		assert_non_null(src);
	}
	assert_false(df_base_image_user(&O, "registry.example.com/base:1", &uid, &gid, &src));
	/* a name that starts like an official image's is not that image */
	assert_false(df_base_image_user(&O, "nodered/node-red:4.0", &uid, &gid, &src));
	assert_false(df_base_image_user(&O, "python-custom:1", &uid, &gid, &src));
	assert_false(
	    df_base_image_user(&O, "cgr.dev/chainguard/python:latest-dev", &uid, &gid, &src));
	assert_false(df_base_image_user(&O, NULL, &uid, &gid, &src));
	/* The config adds to and overrides the list. */
	struct kv kv[] = {{"registry.example.com/base/*", "2000:0"}, {"bitnami/nginx", "7"}};
	struct lint_options o = O;
	o.base_images = kv;
	o.nbase_images = 2;
	assert_true(df_base_image_user(&o, "registry.example.com/base/java:21", &uid, &gid, &src));
	assert_int_equal(uid, 2000);
	assert_int_equal(gid, 0);
	assert_true(df_base_image_user(&o, "bitnami/nginx:1.29", &uid, &gid, &src));
	assert_int_equal(uid, 7);
	assert_int_equal(gid, -1);
	/* Patterns are fnmatch's, whatever shortcut is taken before it: brackets, ?, \. */
	struct kv globs[] = {{"reg.example.com/team[0-9]/*:v?", "3000"},
			     {"*/odd\\*name", "3001"},
			     {"x/[]a]*", "3002"},
			     {"*mid*dle*", "3003"}};
	o.base_images = globs;
	o.nbase_images = 4;
	struct {
		const char *image;
		long uid; /* -1: no match */
	} g[] = {
	    {"reg.example.com/team7/app:v1", 3000},
	    {"reg.example.com/teamx/app:v1", -1},
	    {"reg.example.com/team7/app:v10", -1},
	    {"a/odd*name", 3001},
	    {"a/oddxname", -1},
	    {"x/]zz", 3002},
	    {"x/a", 3002},
	    {"x/b", -1},
	    {"amiddle", 3003},
	    {"the-mid-and-dle:1", 3003},
	    {"dlemid", -1},
	};
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		bool hit = df_base_image_user(&o, g[i].image, &uid, &gid, &src);
		assert_int_equal(hit, g[i].uid >= 0);
		if (hit)
			assert_int_equal(uid, g[i].uid);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(user),
	    cmocka_unit_test(commands_env_workdir_volumes),
	    cmocka_unit_test(owned_paths),
	    cmocka_unit_test(base_images),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
