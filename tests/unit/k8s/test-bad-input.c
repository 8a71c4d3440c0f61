/*
 * test-bad-input.c - hostile and broken manifests: each is an NR000 with a
 * position, or is read correctly; none crashes, hangs or grows without bound.
 */
#include "helpers.h"

#include <stdlib.h>
#include <time.h>

#define HEAD "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Lints text; returns the run after checking it stayed within time (CPU time:
 * the machine may be shared) and memory.
 */
static struct lint_run *lint_bounded(const char *text, size_t len)
{
	double t0 = now();
	struct lint_run *run = lint_text(&test_opts, "bad.yaml", text, len);
	double took = now() - t0;
	if (took > 5.0)
		fail_msg("took %.1f s of CPU", took);
	/* The run's arena holds everything it read: bounded by a small multiple of the input. */
	size_t used = arena_used(lint_run_arena(run));
	if (used > 64 * len + (16u << 20))
		fail_msg("used %zu bytes for %zu bytes of input", used, len);
	return run;
}

static void expect_nr000(const char *text, size_t len, const char *needle)
{
	struct lint_run *run = lint_bounded(text, len);
	const struct diag *d = first_rule(run, "NR000");
	if (!d)
		fail_msg("no NR000 for input starting '%.40s'", text);
	if (needle && !strstr(d->message, needle))
		fail_msg("NR000 message '%s' lacks '%s'", d->message, needle);
	assert_true(d->start <= len);
	assert_int_equal(lint_run_exit_status(run), 2);
	lint_run_free(run);
}

static void billion_laughs(void **state)
{
	(void)state;
	const char *text = HEAD "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
				"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
				"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
				"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
				"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
				"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
				"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
				"h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
				"i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	expect_nr000(text, strlen(text), "alias");
}

/* Many documents each just under the expansion limit: walking must not expand aliases. */
static void many_small_bombs(void **state)
{
	(void)state;
	const char *doc =
	    "---\n" HEAD "spec:\n  containers: []\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
	    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n";
	size_t n = 400, dl = strlen(doc);
	char *text = malloc(n * dl + 1);
	for (size_t i = 0; i < n; i++)
		memcpy(text + i * dl, doc, dl);
	text[n * dl] = 0;
	struct lint_run *run = lint_bounded(text, n * dl);
	assert_int_equal(count_rule(run, "NR000"), 0);
	lint_run_free(run);
	free(text);
}

/* Aliases that repeat one workload or container are modeled and reported once. */
static void container_bomb(void **state)
{
	(void)state;
	size_t n = 400;
	char *text = malloc(n * 8 * 2 + 1024);
	size_t len = (size_t)sprintf(text, "apiVersion: v1\nkind: List\nx: &c {name: a, image: x}\n"
					   "y: &d\n  apiVersion: v1\n  kind: Pod\n  spec:\n"
					   "    containers: [");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "%s*c", i ? ", " : "");
	len += (size_t)sprintf(text + len, "]\nitems: [");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "%s*d", i ? ", " : "");
	len += (size_t)sprintf(text + len, "]\n");
	struct lint_run *run = lint_bounded(text, len);
	assert_int_equal(count_rule(run, "NR000"), 0);
	assert_int_equal(count_rule(run, "NR202"), 1);
	lint_run_free(run);
	free(text);
}

/* Many containers written out, no aliases: the model stops at its limit. */
static void too_many_containers(void **state)
{
	(void)state;
	size_t n = K8S_MAX_CONTAINERS + 100;
	char *text = malloc(n * 32 + 256);
	size_t len = (size_t)sprintf(text, HEAD "spec:\n  containers:\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "  - {name: c%zu, image: x}\n", i);
	expect_nr000(text, len, "the rest were not checked");
	free(text);
}

static void nesting_ten_thousand_deep(void **state)
{
	(void)state;
	size_t depth = 10000;
	/* Flow style. */
	char *text = malloc(2 * depth + 64);
	size_t n = (size_t)sprintf(text, HEAD "x: ");
	for (size_t i = 0; i < depth; i++)
		text[n++] = '[';
	for (size_t i = 0; i < depth; i++)
		text[n++] = ']';
	text[n++] = '\n';
	expect_nr000(text, n, "nesting");
	free(text);
	/* Block style, a map in a map 2,500 deep (10,000 would pass the file size limit). */
	size_t levels = 2500;
	text = malloc(levels * levels + levels * 8 + 64);
	n = (size_t)sprintf(text, HEAD);
	for (size_t i = 0; i < levels; i++) {
		memset(text + n, ' ', i);
		n += i;
		n += (size_t)sprintf(text + n, "k:\n");
	}
	expect_nr000(text, n, "nesting");
	free(text);
}

static void huge_scalar_is_read(void **state)
{
	(void)state;
	size_t big = 4u << 20;
	char *text = malloc(big + 256);
	size_t n = (size_t)sprintf(text, HEAD "  annotations:\n    note: ");
	memset(text + n, 'a', big);
	n += big;
	n += (size_t)sprintf(text + n, "\nspec:\n  containers:\n  - name: a\n    image: x\n");
	struct lint_run *run = lint_bounded(text, n);
	assert_int_equal(count_rule(run, "NR000"), 0);
	assert_int_equal(count_rule(run, "NR202"), 1);
	lint_run_free(run);
	free(text);
}

static void tabs_in_indentation(void **state)
{
	(void)state;
	const char *text = HEAD "spec:\n\tcontainers:\n\t- name: a\n";
	struct lint_run *run = lint_bounded(text, strlen(text));
	const struct diag *d = first_rule(run, "NR000");
	assert_non_null(d);
	unsigned line, col;
	source_position(d->src, d->start, &line, &col);
	assert_int_equal(line, 6);
	lint_run_free(run);
}

static void invalid_utf8(void **state)
{
	(void)state;
	const char text[] = HEAD "spec:\n  containers:\n  - name: \xff\xfe\n    image: x\n";
	expect_nr000(text, sizeof(text) - 1, NULL);
}

static void nul_bytes(void **state)
{
	(void)state;
	const char text[] = HEAD "spec:\n  containers:\n  - name: a\0b\n";
	expect_nr000(text, sizeof(text) - 1, NULL);
}

static void bare_scalar_document(void **state)
{
	(void)state;
	const char *text = "just some text\n---\n42\n---\n" HEAD
			   "spec:\n  securityContext:\n    runAsNonRoot: true\n  containers:\n"
			   "  - name: a\n    image: x\n";
	struct lint_run *run = lint_bounded(text, strlen(text));
	assert_int_equal(count_rule(run, "NR000"), 0);
	assert_int_equal(count_rule(run, "NR202"), 0);
	assert_int_equal(lint_run_exit_status(run) == 2, 0);
	lint_run_free(run);
}

static void duplicate_keys(void **state)
{
	(void)state;
	const char *text = HEAD "spec:\n  securityContext:\n    runAsUser: 1001\n    runAsUser: 0\n"
				"  containers:\n  - name: a\n    image: x\n";
	struct lint_run *run = lint_bounded(text, strlen(text));
	const struct diag *d = first_rule(run, "NR000");
	assert_non_null(d);
	assert_non_null(strstr(d->message, "duplicate key 'runAsUser' (first at line 7)"));
	assert_int_equal(d->start, (size_t)(strstr(text, "runAsUser: 0") - text));
	/* The last one wins, as in the decoders that accept it. */
	assert_int_equal(count_rule(run, "NR201"), 1);
	lint_run_free(run);
}

static void truncated_file(void **state)
{
	(void)state;
	const char *text = HEAD "spec:\n  containers:\n  - name: \"unterminated\n";
	expect_nr000(text, strlen(text), NULL);
}

/* A broken file that does not look like a manifest is not reported: a folder has many. */
static void broken_non_manifest_is_quiet(void **state)
{
	(void)state;
	const char *text = "{\n  // tsconfig with comments\n  \"compilerOptions\": {,}\n}\n";
	struct lint_run *run = lint_bounded(text, strlen(text));
	assert_int_equal(lint_run_diags(run)->n, 0);
	lint_run_free(run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(billion_laughs),
	    cmocka_unit_test(many_small_bombs),
	    cmocka_unit_test(container_bomb),
	    cmocka_unit_test(too_many_containers),
	    cmocka_unit_test(nesting_ten_thousand_deep),
	    cmocka_unit_test(huge_scalar_is_read),
	    cmocka_unit_test(tabs_in_indentation),
	    cmocka_unit_test(invalid_utf8),
	    cmocka_unit_test(nul_bytes),
	    cmocka_unit_test(bare_scalar_document),
	    cmocka_unit_test(duplicate_keys),
	    cmocka_unit_test(truncated_file),
	    cmocka_unit_test(broken_non_manifest_is_quiet),
	};
	return cmocka_run_group_tests(tests, k8s_setup, k8s_teardown);
}
