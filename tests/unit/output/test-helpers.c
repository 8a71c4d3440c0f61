/* test-helpers.c - what the formats share: paths, escaping, columns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fmt.h"
#include "unroot/arena.h"
#include "unroot/buf.h"
#include "unroot/output.h"
#include "unroot/rule.h"
#include "unroot/source.h"

static void rel(const char *cwd, const char *path, const char *want, bool want_abs)
{
	struct report r = {.base_dir = cwd};
	/* the working folder is the process's: relative paths below come from it */
	bool absolute;
	char *got = fmt_rel_path(&r, path, &absolute);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(absolute, want_abs);
	free(got);
}

static void test_rel_path(void **state)
{
	(void)state;
	rel("/src/p", "/src/p/Dockerfile", "Dockerfile", false);
	rel("/src/p", "/src/p/./k8s//deploy.yaml", "k8s/deploy.yaml", false);
	rel("/src/p", "/src/p/a/../b/./c", "b/c", false);
	rel("/src/p/", "/src/p/sub/Dockerfile", "sub/Dockerfile", false);
	rel("/src/p", "/src/pq/Dockerfile", "/src/pq/Dockerfile", true);
	rel("/src/p", "/src/other/../p/x", "x", false);
	rel("/src/p", "/src/p/../../../../x", "/x", true);
	rel("/src/p", "/src/p", ".", false);
	rel("/src/p", "-", "-", false);
	rel("/", "/etc/x", "etc/x", false);

	/*
	 * A relative path is taken from the working folder, and so is a relative
	 * base: unroot run in a repository's subfolder writes paths from its top.
	 */
	char tmpl[] = "/tmp/unroot-rel-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	char *top = realpath(tmpl, NULL);
	char *sub = malloc(strlen(top) + 20), *deeper = malloc(strlen(top) + 20);
	char old[4096];
	assert_non_null(getcwd(old, sizeof(old)));
	sprintf(sub, "%s/sub", top);
	sprintf(deeper, "%s/sub/deeper", top);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(chdir(sub), 0);
	rel(top, "Dockerfile", "sub/Dockerfile", false);
	rel(top, "./k8s//../deploy.yaml", "sub/deploy.yaml", false);
	rel("..", "x/../Dockerfile", "sub/Dockerfile", false);
	rel(".", "a//b", "a/b", false);
	rel(NULL, "./a//b", "a/b", false);
	char *want = malloc(strlen(top) + 40);
	sprintf(want, "%s/sub/Dockerfile", top);
	rel(deeper, "Dockerfile", want, true);
	assert_int_equal(chdir(old), 0);
	rmdir(sub);
	rmdir(top);
	free(want);
	free(sub);
	free(deeper);
	free(top);
}

static void test_xml(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	fmt_put_xml(&b, "<a href=\"x\">&'\t\n\r\x01\xff\xef\xbf\xbe caf\xc3\xa9");
	assert_string_equal(b.data, "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#9;&#10;&#13;"
				    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd caf\xc3\xa9");
	buf_release(&b);
}

static void test_utf8(void **state)
{
	(void)state;
	/* Overlong, surrogate, truncated and out-of-range sequences are each replaced. */
	char *s = fmt_utf8("ok \xc0\xaf \xed\xa0\x80 \xe2\x82 \xf4\x90\x80\x80 \xe2\x82\xac");
	assert_non_null(s);
	const char *r = "\xef\xbf\xbd";
	char want[128];
	snprintf(want, sizeof(want), "ok %s%s %s%s%s %s%s %s%s%s%s \xe2\x82\xac", r, r, r, r, r, r,
		 r, r, r, r, r);
	assert_string_equal(s, want);
	free(s);
}

static void test_columns(void **state)
{
	(void)state;
	struct arena *a = arena_new(1 << 20);
	/* tab, e-acute (2 bytes), emoji (4 bytes, 2 UTF-16 units, 2 cells), then X. */
	const char *text = "line one\n\t\xc3\xa9\xf0\x9f\x98\x80X\n";
	struct source *s = source_new(a, "f", text, strlen(text));
	size_t x = (size_t)(strchr(text, 'X') - text);
	unsigned line, col;
	source_position(s, x, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 8); /* bytes: 1 + 2 + 4, then X */
	fmt_utf16_position(s, x, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 5); /* 1 + 1 + 2 */
	fmt_display_position(s, x, &line, &col);
	assert_int_equal(col, 12); /* tab to 8, 1 cell, 2 cells */
	struct buf b;
	buf_init(&b);
	fmt_put_text(&b, "a\x1b[31mb\tc", 9);
	assert_string_equal(b.data, "a\xef\xbf\xbd[31mb\tc");
	buf_release(&b);
	arena_free(a);
}

/*
 * A line of a finding is written eight bytes at a time while they are all
 * printable ASCII: a byte that is not is caught at every place in the word.
 */
static void test_one_line(void **state)
{
	(void)state;
	static const struct {
		char c;
		const char *want;
	} cases[] = {
	    {'\x01', "\xef\xbf\xbd"},
	    {'\x1f', "\xef\xbf\xbd"},
	    {'\x7f', "\xef\xbf\xbd"},
	    {'\xff', "\xef\xbf\xbd"},
	    {'\x80', "\xef\xbf\xbd"},
	    {'\n', " "},
	    {'\r', " "},
	    {' ', " "},
	    {'~', "~"},
	    {'\t', "\t"},
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
		for (size_t k = 0; k < 20; k++) {
			char in[32], want[40];
			memset(in, 'a', k);
			in[k] = cases[c].c;
			memset(in + k + 1, 'b', 20 - k);
			in[21] = '\0';
			memset(want, 'a', k);
			size_t w = strlen(cases[c].want);
			memcpy(want + k, cases[c].want, w);
			memset(want + k + w, 'b', 20 - k);
			want[k + w + 20 - k] = '\0';
			struct buf b;
			buf_init(&b);
			fmt_put_one_line(&b, in);
			assert_string_equal(b.data, want);
			buf_release(&b);
		}
	struct buf b;
	buf_init(&b);
	fmt_put_one_line(&b, "caf\xc3\xa9 \xe2\x9c\x93 done\r\nnext line");
	assert_string_equal(b.data, "caf\xc3\xa9 \xe2\x9c\x93 done  next line");
	buf_release(&b);
}

static void test_anchor(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	rule_anchor(&NR001_unused_suppression, &b);
	assert_string_equal(b.data, "nr001-unused-suppression");
	buf_release(&b);
	/* Every format is in the table once, and found by name. */
	for (size_t i = 0; i < formatter_count; i++) {
		assert_ptr_equal(formatter_find(formatter_table[i]->name), formatter_table[i]);
		for (size_t k = i + 1; k < formatter_count; k++)
			assert_string_not_equal(formatter_table[i]->name, formatter_table[k]->name);
	}
	assert_null(formatter_find("xml"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rel_path), cmocka_unit_test(test_xml),
	    cmocka_unit_test(test_utf8),     cmocka_unit_test(test_columns),
	    cmocka_unit_test(test_anchor),   cmocka_unit_test(test_one_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
