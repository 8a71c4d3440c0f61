/*
 * test-rules.c - the Dockerfile USER rules through the library's entry
 * point: each rule's bad example fires it and its good example does not, and
 * the base-images setting changes what a base image's user is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "unroot/diag.h"
#include "unroot/lint.h"
#include "image/view.h"
#include "unroot/rule.h"
#include "engine/run.h"

/* How many unsuppressed findings of `code` linting `text` as a Dockerfile gives. */
static size_t count(const struct lint_options *o, const char *text, const char *code)
{
	struct lint_run *run = lint_run_new(o);
	assert_non_null(run);
	lint_run_buffer(run, "Dockerfile", text, strlen(text), KIND_DOCKERFILE);
	lint_run_finish(run);
	const struct diag_list *l = lint_run_diags(run);
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++) {
		assert_string_not_equal(l->items[i].rule->code, "NR000");
		if (strcmp(l->items[i].rule->code, code) == 0 && !l->items[i].suppressed) {
			n++;
			assert_non_null(l->items[i].fix);
		}
	}
	lint_run_free(run);
	return n;
}

static void examples(void **state)
{
	(void)state;
	static const char *const codes[] = {"NR101", "NR102", "NR103", "NR104",
					    "NR105", "NR106", "NR107", "NR113"};
	struct lint_options o;
	lint_options_init(&o);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const struct rule *r = rule_find(codes[i]);
		assert_non_null(r);
		assert_int_equal(r->kind, KIND_DOCKERFILE);
		assert_non_null(r->description);
		assert_non_null(r->remediation);
		if (count(&o, r->bad, r->code) == 0)
			fail_msg("%s: the bad example does not fire", r->code);
		if (count(&o, r->good, r->code) != 0)
			fail_msg("%s: the good example fires", r->code);
	}
}

static void base_images_setting(void **state)
{
	(void)state;
	struct lint_options o;
	lint_options_init(&o);
	const char *df = "FROM registry.example.com/base/java:21\nCOPY app /app\n";
	assert_int_equal(count(&o, df, "NR101"), 1);
	struct kv kv[] = {{"registry.example.com/base/*", "2000:0"}};
	o.base_images = kv;
	o.nbase_images = 1;
	assert_int_equal(count(&o, df, "NR101"), 0);
	/* The setting overrides the built-in list: here a Bitnami image said to run as root. */
	struct kv root[] = {{"bitnami/*", "0"}};
	o.base_images = root;
	assert_int_equal(count(&o, "FROM bitnami/nginx:1.29\n", "NR101"), 1);
	/* A listed uid below --min-uid is NR104, said to come from the base image. */
	struct kv low[] = {{"acme/*", "500:0"}};
	o.base_images = low;
	assert_int_equal(count(&o, "FROM acme/app:1\n", "NR104"), 1);
	assert_int_equal(count(&o, "FROM acme/app:1\n", "NR106"), 0);
}

static void suppression(void **state)
{
	(void)state;
	struct lint_options o;
	lint_options_init(&o);
	assert_int_equal(
	    count(&o, "FROM alpine\n# unroot ignore=NR102 build only\nUSER root\n", "NR102"), 0);
	assert_int_equal(
	    count(&o, "# unroot global ignore=NR107\nFROM alpine\nUSER 1001\n", "NR107"), 0);
}

/* The reader's image side: what a manifest paired with this Dockerfile runs. */
static void image_side(void **state)
{
	(void)state;
	char path[] = "/tmp/unroot-df-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "ARG UID=1001\nFROM alpine\nARG UID\nCOPY --chown=$UID:0 app /app\n"
			   "USER $UID:0\nENTRYPOINT [\"/app/run\"]\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct lint_options o;
	lint_options_init(&o);
	struct lint_run *run = lint_run_new(&o);
	const struct image_view *v = run_image_side(run, path);
	assert_non_null(v);
	assert_true(v->user_known);
	assert_int_equal(v->uid, 1001);
	assert_int_equal(v->gid, 0);
	assert_int_equal(v->nowned, 1);
	assert_string_equal(v->owned[0].path, "/app");
	assert_int_equal(v->owned[0].uid, 1001);
	assert_string_equal(v->entrypoint[0], "/app/run");
	/* A file that does not parse gives no view and an NR000. */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "FROM a\nRUN <<EOF\n", 17), 17);
	close(fd);
	lint_run_free(run);
	run = lint_run_new(&o); /* a run reads a path's image side once */
	assert_null(run_image_side(run, path));
	assert_true(lint_run_had_input_error(run));
	lint_run_free(run);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(examples),
	    cmocka_unit_test(base_images_setting),
	    cmocka_unit_test(suppression),
	    cmocka_unit_test(image_side),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
