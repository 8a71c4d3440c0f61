/*
 * test-fix.c - the guards of lib/fix that no rule should ever make fire:
 * edits of two findings that collide, an edit outside the file, a file that
 * changed between the read and the write; and the diff's edge cases (no
 * final newline, an insertion at the end, CRLF).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unroot/buf.h"
#include "unroot/diag.h"
#include "unroot/fix.h"
#include "unroot/lint.h"
#include "unroot/rule.h"

static struct lint_options opts;

/* A run over one Dockerfile held in memory, finished. */
static struct lint_run *lint_text(const char *text)
{
	lint_options_init(&opts);
	struct lint_run *run = lint_run_new(&opts);
	assert_non_null(run);
	lint_run_buffer(run, "Dockerfile", text, strlen(text), KIND_DOCKERFILE);
	lint_run_finish(run);
	return run;
}

static struct diag *find(struct lint_run *run, const char *code)
{
	const struct diag_list *l = lint_run_diags(run);
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].rule->code, code) == 0)
			return &l->items[i];
	fail_msg("no %s", code);
	return NULL;
}

static const struct fix_manual *manual_of(const struct fix_plan *p, const char *code)
{
	for (size_t i = 0; i < p->nmanual; i++)
		if (strcmp(p->manual[i].d->rule->code, code) == 0)
			return &p->manual[i];
	return NULL;
}

/* The new text of a planned file, as fix_text() makes it. */
static char *new_text(const struct fix_file *f)
{
	struct buf b;
	buf_init(&b);
	fix_text(f, &b);
	assert_false(b.failed);
	return b.data;
}

static void assert_new_text(const struct fix_file *f, const char *want)
{
	char *got = new_text(f);
	assert_string_equal(got, want);
	free(got);
}

static const char text[] = "FROM alpine:3.20\nCOPY --chown=app:app . /app\nUSER app\n";

/* NR103 and NR107 ask for the same USER line: it is written once. */
static void test_equal_edits_once(void **state)
{
	(void)state;
	struct lint_run *run = lint_text(text);
	struct fix_plan p;
	assert_int_equal(fix_plan_make(run, NULL, 0, &p), 0);
	assert_int_equal(p.nfiles, 1);
	assert_new_text(&p.files[0], "FROM alpine:3.20\nCOPY --chown=app:0 . /app\nUSER 1001:0\n");
	assert_int_equal(p.nmanual, 0);
	fix_plan_release(&p);
	lint_run_free(run);
}

/* A finding whose edit overlaps an earlier finding's is left to a person, whole. */
static void test_overlap_refused(void **state)
{
	(void)state;
	struct lint_run *run = lint_text(text);
	struct diag *chown = find(run, "NR109"), *user = find(run, "NR103");
	assert_int_equal(chown->nedits, 1);
	/* USER's edit made to reach into the COPY line that NR109 edits, plus one good edit */
	static struct diag_edit edits[2];
	edits[0] = user->edits[0];
	edits[1] = (struct diag_edit){"Dockerfile", chown->edits[0].offset + 2, 3, "xyz"};
	user->edits = edits;
	user->nedits = 2;
	struct fix_plan p;
	assert_int_equal(fix_plan_make(run, NULL, 0, &p), 0);
	const struct fix_manual *m = manual_of(&p, "NR103");
	assert_non_null(m);
	assert_non_null(strstr(m->reason, "overlap those of NR109 on line 2"));
	/* NR107's equal USER edit still applies; NR103's first edit did not on its own */
	assert_int_equal(p.nfiles, 1);
	assert_new_text(&p.files[0], "FROM alpine:3.20\nCOPY --chown=app:0 . /app\nUSER 1001:0\n");
	fix_plan_release(&p);
	lint_run_free(run);
}

/* An insertion inside a replaced span, and two different insertions at one place, collide. */
static void test_insertions_collide(void **state)
{
	(void)state;
	struct lint_run *run = lint_text(text);
	struct diag *chown = find(run, "NR109"), *user = find(run, "NR107");
	static struct diag_edit ins[1];
	ins[0] = (struct diag_edit){"Dockerfile", chown->edits[0].offset + 1, 0, "x"};
	user->edits = ins;
	user->nedits = 1;
	struct fix_plan p;
	assert_int_equal(fix_plan_make(run, NULL, 0, &p), 0);
	assert_non_null(manual_of(&p, "NR107"));
	fix_plan_release(&p);

	static struct diag_edit two[2] = {{"Dockerfile", 0, 0, "# a\n"},
					  {"Dockerfile", 0, 0, "# b\n"}};
	user->edits = two;
	user->nedits = 2;
	assert_int_equal(fix_plan_make(run, NULL, 0, &p), 0);
	const struct fix_manual *m = manual_of(&p, "NR107");
	assert_non_null(m);
	assert_string_equal(m->reason, "its own edits overlap");
	fix_plan_release(&p);
	lint_run_free(run);
}

static void test_edit_outside_file(void **state)
{
	(void)state;
	struct lint_run *run = lint_text(text);
	struct diag *user = find(run, "NR107");
	static struct diag_edit far[1] = {{"Dockerfile", 1000, 0, "x"}};
	user->edits = far;
	user->nedits = 1;
	struct fix_plan p;
	assert_int_equal(fix_plan_make(run, NULL, 0, &p), 0);
	const struct fix_manual *m = manual_of(&p, "NR107");
	assert_non_null(m);
	assert_non_null(strstr(m->reason, "outside the file"));
	fix_plan_release(&p);
	lint_run_free(run);
}

/* --rule: only the rules asked for are applied or listed. */
static void test_only(void **state)
{
	(void)state;
	struct lint_run *run = lint_text(text);
	const struct rule *only[] = {rule_find("NR109")};
	struct fix_plan p;
	assert_int_equal(fix_plan_make(run, only, 1, &p), 0);
	assert_int_equal(p.nfixed, 1);
	assert_new_text(&p.files[0], "FROM alpine:3.20\nCOPY --chown=app:0 . /app\nUSER app\n");
	fix_plan_release(&p);
	lint_run_free(run);
}

/* Edits that together write what is there already leave no file to change. */
static void test_edits_change_nothing(void **state)
{
	(void)state;
	struct lint_run *run = lint_text(text);
	struct diag *user = find(run, "NR107");
	static struct diag_edit undo[2] = {{"Dockerfile", 0, 0, "F"}, {"Dockerfile", 0, 1, ""}};
	user->edits = undo;
	user->nedits = 2;
	const struct rule *only[] = {rule_find("NR107")};
	struct fix_plan p;
	assert_int_equal(fix_plan_make(run, only, 1, &p), 0);
	assert_int_equal(p.nfixed, 1);
	assert_int_equal(p.nfiles, 0);
	/* one byte more is a change */
	undo[0].text = "FF";
	assert_int_equal(fix_plan_make(run, only, 1, &p), 0);
	assert_int_equal(p.nfiles, 1);
	assert_new_text(&p.files[0], "F"
				     "FROM alpine:3.20\nCOPY --chown=app:app . /app\nUSER app\n");
	fix_plan_release(&p);
	lint_run_free(run);
}

static char *diff_of(const char *old, const struct diag_edit *edits, size_t n, const char *after)
{
	const struct diag_edit *list[8];
	for (size_t i = 0; i < n; i++)
		list[i] = &edits[i];
	struct fix_file f = {
	    .path = "./Dockerfile", .old = old, .old_len = strlen(old), .edits = list, .nedits = n};
	if (n)
		assert_new_text(&f, after);
	struct buf b;
	buf_init(&b);
	fix_diff(&f, &b);
	assert_false(b.failed);
	return b.data;
}

static void test_diff_no_final_newline(void **state)
{
	(void)state;
	struct diag_edit e[1] = {{"Dockerfile", 17, 0, "\nUSER 1001:0\n"}};
	char *d = diff_of("FROM alpine:3.20\n", e, 0, "");
	assert_null(d);
	d = diff_of("FROM alpine:3.20", (struct diag_edit[]){{"Dockerfile", 16, 0, "\nUSER 1:0\n"}},
		    1, "FROM alpine:3.20\nUSER 1:0\n");
	assert_string_equal(d, "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,1 +1,2 @@\n"
			       "-FROM alpine:3.20\n\\ No newline at end of file\n"
			       "+FROM alpine:3.20\n+USER 1:0\n");
	free(d);
	/* an insertion at the very end of a file that ends with a newline */
	d = diff_of("FROM a\nRUN x\n", e + 0, 0, "");
	assert_null(d);
	d = diff_of("FROM a\nRUN x\n", (struct diag_edit[]){{"Dockerfile", 13, 0, "USER 1:0\n"}}, 1,
		    "FROM a\nRUN x\nUSER 1:0\n");
	assert_string_equal(d, "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,2 +1,3 @@\n"
			       " FROM a\n RUN x\n+USER 1:0\n");
	free(d);
}

static void test_diff_hunks_apart(void **state)
{
	(void)state;
	/* two changes 10 lines apart are two hunks; CRLF lines are kept as they are */
	char old[512] = "L1\r\n", want_new[512];
	for (int i = 2; i <= 12; i++)
		snprintf(old + strlen(old), sizeof(old) - strlen(old), "L%d\r\n", i);
	size_t second = (size_t)(strstr(old, "L12") - old);
	struct diag_edit e[2] = {{"Dockerfile", 0, 2, "X1"}, {"Dockerfile", second, 3, "X12"}};
	snprintf(want_new, sizeof(want_new), "X1%.*sX12\r\n", (int)(second - 2), old + 2);
	char *d = diff_of(old, e, 2, want_new);
	assert_string_equal(d, "--- a/Dockerfile\n+++ b/Dockerfile\n"
			       "@@ -1,4 +1,4 @@\n-L1\r\n+X1\r\n L2\r\n L3\r\n L4\r\n"
			       "@@ -9,4 +9,4 @@\n L9\r\n L10\r\n L11\r\n-L12\r\n+X12\r\n");
	free(d);
}

/* The file changed after the run read it: nothing is written. */
static void test_write_changed_since_read(void **state)
{
	(void)state;
	char path[] = "/tmp/unroot-test-fix-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "FROM b\n", 7), 7);
	close(fd);
	const struct diag_edit add = {path, 7, 0, "USER 1:0\n"};
	const struct diag_edit *edits[] = {&add};
	struct fix_file f = {
	    .path = path, .old = "FROM a\n", .old_len = 7, .edits = edits, .nedits = 1};
	char why[512];
	assert_int_equal(fix_write(&f, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "changed since it was read"));
	char back[64] = {0};
	FILE *r = fopen(path, "r");
	assert_non_null(r);
	assert_int_equal(fread(back, 1, sizeof(back) - 1, r), 7);
	fclose(r);
	assert_string_equal(back, "FROM b\n");
	/* the same with the bytes it had: written */
	const struct diag_edit swap = {path, 0, 7, "FROM a\nUSER 1:0\n"};
	edits[0] = &swap;
	f.old = "FROM b\n";
	assert_int_equal(fix_write(&f, why, sizeof(why)), 0);
	r = fopen(path, "r");
	memset(back, 0, sizeof(back));
	assert_int_equal(fread(back, 1, sizeof(back) - 1, r), 16);
	fclose(r);
	assert_string_equal(back, "FROM a\nUSER 1:0\n");
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_equal_edits_once),
	    cmocka_unit_test(test_overlap_refused),
	    cmocka_unit_test(test_insertions_collide),
	    cmocka_unit_test(test_edit_outside_file),
	    cmocka_unit_test(test_only),
	    cmocka_unit_test(test_edits_change_nothing),
	    cmocka_unit_test(test_diff_no_final_newline),
	    cmocka_unit_test(test_diff_hunks_apart),
	    cmocka_unit_test(test_write_changed_since_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
