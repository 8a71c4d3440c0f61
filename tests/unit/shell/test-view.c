/* test-view.c - RUN chown/chgrp/chmod/install in the Dockerfile's image view. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unroot/arena.h"
#include "dockerfile/dockerfile.h"
#include "unroot/lint.h"
#include "image/view.h"
#include "unroot/source.h"
#include "util/reading.h"

static struct image_view *view_of(struct arena *a, const char *text)
{
	struct lint_options o;
	lint_options_init(&o);
	struct source *src = source_new(a, "Dockerfile", text, strlen(text));
	struct dockerfile *df = arena_alloc(a, sizeof(*df));
	struct df_error err;
	assert_non_null(src);
	assert_int_equal(df_parse(a, src, df, &err), 0);
	assert_int_equal(df_eval(a, df), 0);
	/* what its commands do, read as the Dockerfile reader reads them */
	struct reading rd = {
	    .opts = &o, .arena = a, .scratch = a, .path = "Dockerfile", .src = src};
	assert_int_equal(df_read_commands(&rd, df), 0);
	struct image_view *v = df_image_view(a, df, "Dockerfile", &o);
	assert_non_null(v);
	return v;
}

/* The entry in effect for a path: the last one. */
static const struct owned_path *owned(const struct image_view *v, const char *path)
{
	for (size_t i = v->nowned; i-- > 0;)
		if (strcmp(v->owned[i].path, path) == 0)
			return &v->owned[i];
	print_error("no entry for %s\n", path);
	fail();
	return NULL;
}

static void run_lines_change_ownership(void **state)
{
	(void)state;
	struct arena *a = arena_new(16u << 20);
	const char *text = "FROM alpine:3.20 AS base\n"
			   "ARG DATA=/data\n"
			   "RUN adduser -D -u 1500 app && mkdir /app $DATA\n"
			   "COPY --chown=1001:1001 app /app\n"
			   "RUN chgrp -R 0 /app && chmod -R g=u /app\n"
			   "FROM base\n"
			   "RUN chown -R app:app \"$DATA\" && chmod 700 /data\n"
			   "RUN install -d -o 1001 -g 0 -m 2770 /var/run/app\n"
			   "RUN chown 1002 /keep && chown app: /login\n"
			   "USER 1001:0\n";
	struct image_view *v = view_of(a, text);
	const struct owned_path *p = owned(v, "/app");
	assert_int_equal(p->uid, 1001);
	assert_int_equal(p->gid, 0);
	assert_int_equal(p->mode, -1); /* g=u on a mode the file does not tell */
	assert_true(p->recursive);
	p = owned(v, "/data");
	assert_int_equal(p->uid, 1500);
	assert_int_equal(p->gid, -1); /* the group app: not numbered by the Dockerfile */
	assert_int_equal(p->mode, 0700);
	assert_true(p->recursive);
	assert_int_equal(p->start, strstr(text, "RUN chown -R app") - text);
	p = owned(v, "/var/run/app");
	assert_int_equal(p->uid, 1001);
	assert_int_equal(p->gid, 0);
	assert_int_equal(p->mode, 02770);
	p = owned(v, "/keep");
	assert_int_equal(p->uid, 1002);
	assert_int_equal(p->gid, -1);
	p = owned(v, "/login");
	assert_int_equal(p->uid, 1500);
	assert_int_equal(p->gid, -1);
	arena_free(a);
}

static void symbolic_modes_build_on_known_ones(void **state)
{
	(void)state;
	struct arena *a = arena_new(16u << 20);
	struct image_view *v = view_of(a, "FROM alpine:3.20\n"
					  "COPY --chown=1001:0 --chmod=640 conf /conf\n"
					  "RUN chmod g+w,o= /conf && chmod +w /x\n");
	const struct owned_path *p = owned(v, "/conf");
	assert_int_equal(p->uid, 1001);
	assert_int_equal(p->gid, 0);
	assert_int_equal(p->mode, 0660);
	arena_free(a);
}

static void build_order_between_copy_and_run(void **state)
{
	(void)state;
	struct arena *a = arena_new(16u << 20);
	struct image_view *v = view_of(a, "FROM alpine:3.20\n"
					  "RUN mkdir /app && chown -R 5:5 /app\n"
					  "COPY --chown=1001:0 app /app\n"
					  "COPY --chown=7:7 data /data\n"
					  "RUN chgrp -R 0 /data\n");
	const struct owned_path *p = owned(v, "/app");
	assert_int_equal(p->uid, 1001);
	assert_int_equal(p->gid, 0);
	p = owned(v, "/data");
	assert_int_equal(p->uid, 7);
	assert_int_equal(p->gid, 0);
	arena_free(a);
}

static void build_stages_do_not_count(void **state)
{
	(void)state;
	struct arena *a = arena_new(16u << 20);
	struct image_view *v = view_of(a, "FROM alpine:3.20 AS build\n"
					  "RUN chown -R 5:5 /src\n"
					  "FROM alpine:3.20\n"
					  "COPY --from=build /src /app\n");
	for (size_t i = 0; i < v->nowned; i++)
		assert_string_not_equal(v->owned[i].path, "/src");
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(run_lines_change_ownership),
	    cmocka_unit_test(symbolic_modes_build_on_known_ones),
	    cmocka_unit_test(build_order_between_copy_and_run),
	    cmocka_unit_test(build_stages_do_not_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
