/*
 * test-corpus.c - every Dockerfile of the real-world corpus reads without an
 * error, Linux and Windows ones alike, and their image views hold what a
 * reading by hand finds.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unroot/arena.h"
#include "dockerfile/dockerfile.h"
#include "unroot/lint.h"
#include "image/view.h"
#include "unroot/source.h"

static const char *corpus_dir(void)
{
	static char path[4096];
	const char *c = getenv("UNROOT_CORPUS");
	assert_non_null(c);
	snprintf(path, sizeof(path), "%s/dockerfiles", c);
	return path;
}

static struct dockerfile *load(struct arena *a, const char *name, struct df_error *err)
{
	char path[8192];
	snprintf(path, sizeof(path), "%s/%s", corpus_dir(), name);
	const char *why;
	struct source *src = source_read(a, path, 8u << 20, &why);
	assert_non_null(src);
	struct dockerfile *df = arena_alloc(a, sizeof(*df));
	if (df_parse(a, src, df, err) != 0)
		return NULL;
	assert_int_equal(df_eval(a, df), 0);
	return df;
}

static bool is_dockerfile(const char *name)
{
	size_t n = strlen(name);
	return !(n > 3 && strcmp(name + n - 3, ".sh") == 0) && name[0] != '.';
}

static void every_file_parses(void **state)
{
	(void)state;
	DIR *d = opendir(corpus_dir());
	assert_non_null(d);
	struct dirent *e;
	int files = 0, windows = 0;
	while ((e = readdir(d))) {
		if (!is_dockerfile(e->d_name))
			continue;
		struct arena *a = arena_new(1u << 28);
		struct df_error err = {0};
		struct dockerfile *df = load(a, e->d_name, &err);
		if (!df)
			fail_msg("%s: %s at byte %zu", e->d_name, err.message, err.start);
		assert_true(df->nstages > 0);
		files++;
		if (df_stage_is_windows(df, df_final_stage(df)))
			windows++;
		arena_free(a);
	}
	closedir(d);
	print_message("%d Dockerfiles, %d of them Windows\n", files, windows);
	assert_true(files >= 40);
	assert_true(windows >= 4);
}

static struct image_view *view_of(struct arena *a, const char *name)
{
	struct df_error err;
	struct dockerfile *df = load(a, name, &err);
	assert_non_null(df);
	static struct lint_options o;
	lint_options_init(&o);
	return df_image_view(a, df, name, &o);
}

static void views_match_hand_reading(void **state)
{
	(void)state;
	struct arena *a = arena_new(1u << 28);
	/* grafana: `USER "$GF_UID"` with ARG GF_UID="472": quotes removed after expansion. */
	struct image_view *v = view_of(a, "grafana__grafana__Dockerfile");
	assert_true(v->user_known);
	assert_string_equal(v->user, "472");
	assert_int_equal(v->uid, 472);
	assert_int_equal(v->nentrypoint, 1);
	assert_string_equal(v->entrypoint[0], "/run.sh");
	/* nginx-unprivileged: ARG UID=101, USER $UID. */
	v = view_of(a, "nginxinc__docker-nginx-unprivileged__mainline__debian__Dockerfile");
	assert_int_equal(v->uid, 101);
	/* prometheus distroless: no USER, the :nonroot base runs as 65532. */
	v = view_of(a, "prometheus__prometheus__Dockerfile.distroless");
	assert_true(v->user_known);
	assert_int_equal(v->uid, 65532);
	/* jenkins: `USER ${user}` with ARG user=jenkins: a name. */
	v = view_of(a, "jenkinsci__docker__debian__Dockerfile");
	assert_string_equal(v->user, "jenkins");
	assert_true(v->user_is_name);
	/* dotnet: `USER $APP_UID`, set in the .NET base image's ENV (1654). */
	v = view_of(a, "dotnet__dotnet-docker__samples__aspnetapp__Dockerfile");
	assert_true(v->user_known);
	assert_int_equal(v->uid, 1654);
	/* redis: no USER on the official Debian image, which runs as root. */
	v = view_of(a, "docker-library__redis__7.2__debian__Dockerfile");
	assert_true(v->user_known);
	assert_int_equal(v->uid, 0);
	/* sclorg nginx: `USER 1001`; chown in RUN is not here, but the workdir is. */
	v = view_of(a, "sclorg__nginx-container__1.26__Dockerfile.rhel9");
	assert_int_equal(v->uid, 1001);
	assert_int_equal(v->gid, -1);
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_file_parses),
	    cmocka_unit_test(views_match_hand_reading),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
