/* test-fsmodel.c - the filesystem model, layer application, the access check, passwd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "unroot/arena.h"
#include "identity/identity.h"
#include "image/image.h"

static struct arena *A;

static struct layer_entry E(const char *path, uint32_t mode, uint32_t uid, uint32_t gid) {
	struct layer_entry e = {.path = path, .mode = mode, .uid = uid, .gid = gid};
	return e;
}

static struct fsmodel *
build(struct layer_entry *es, size_t n)
{
	struct fsmodel *fs = fs_new(A, 1000);
	struct layer l = {.entries = es, .n = n};
	const char *why = NULL;
	assert_int_equal(fs_apply_layer(fs, &l, 0, &why), 0);
	return fs;
}

static int setup(void **state)
{
	(void)state;
	A = arena_new(64 << 20);
	return A ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(A);
	return 0;
}

static void search_needed_on_every_folder(void **state)
{
	(void)state;
	struct layer_entry es[] = {
	    E("/app", FS_DIR | 0700, 0, 0),
	    E("/app/run", FS_REG | 0755, 0, 0),
	    E("/pub", FS_DIR | 0711, 0, 0),
	    E("/pub/run", FS_REG | 0755, 0, 0),
	};
	struct fsmodel *fs = build(es, 4);
	struct identity id = {.uid = 1000680000, .gid = 0};
	struct fs_denial d;
	assert_false(fs_access(fs, &id, "/app/run", FS_X_OK, &d));
	assert_true(d.search);
	assert_string_equal(d.node->name, "app");
	/* 0711: group 0 may search (x) but not list (r). */
	assert_true(fs_access(fs, &id, "/pub/run", FS_X_OK, &d));
	assert_false(fs_access(fs, &id, "/pub", FS_R_OK, &d));
}

static void owner_class_wins(void **state)
{
	(void)state;
	struct layer_entry es[] = {E("/f", FS_REG | 0077, 1001, 0)};
	struct fsmodel *fs = build(es, 1);
	struct identity owner = {.uid = 1001, .gid = 0};
	struct identity other = {.uid = 1002, .gid = 0};
	assert_false(fs_access(fs, &owner, "/f", FS_R_OK, NULL));
	assert_true(fs_access(fs, &other, "/f", FS_R_OK | FS_W_OK | FS_X_OK, NULL));
}

static void supplementary_groups_count(void **state)
{
	(void)state;
	struct layer_entry es[] = {E("/f", FS_REG | 0640, 0, 2000)};
	struct fsmodel *fs = build(es, 1);
	long groups[] = {5, 2000};
	struct identity with = {.uid = 1001, .gid = 0, .groups = groups, .ngroups = 2};
	struct identity without = {.uid = 1001, .gid = 0};
	assert_true(fs_access(fs, &with, "/f", FS_R_OK, NULL));
	assert_false(fs_access(fs, &with, "/f", FS_W_OK, NULL));
	assert_false(fs_access(fs, &without, "/f", FS_R_OK, NULL));
}

static void root_gets_all_but_x_without_bits(void **state)
{
	(void)state;
	struct layer_entry es[] = {
	    E("/d", FS_DIR | 0000, 5, 5),
	    E("/d/f", FS_REG | 0000, 5, 5),
	    E("/d/g", FS_REG | 0001, 5, 5),
	};
	struct fsmodel *fs = build(es, 3);
	struct identity root = {.uid = 0, .gid = 0};
	assert_true(fs_access(fs, &root, "/d/f", FS_R_OK | FS_W_OK, NULL));
	assert_false(fs_access(fs, &root, "/d/f", FS_X_OK, NULL));
	assert_true(fs_access(fs, &root, "/d/g", FS_X_OK, NULL));
	assert_true(fs_access(fs, &root, "/d", FS_X_OK | FS_R_OK | FS_W_OK, NULL));
}

static void symlinks_stay_inside_the_root(void **state)
{
	(void)state;
	struct layer_entry es[] = {
	    E("/etc", FS_DIR | 0755, 0, 0),   E("/etc/shadow", FS_REG | 0640, 0, 42),
	    E("/esc", FS_LNK | 0777, 0, 0),   E("/loop1", FS_LNK | 0777, 0, 0),
	    E("/loop2", FS_LNK | 0777, 0, 0),
	};
	es[2].link = "../../../../etc/shadow";
	es[3].link = "loop2";
	es[4].link = "/loop1";
	struct fsmodel *fs = build(es, 5);
	const char *why = NULL;
	bool escaped = false;
	struct fs_node *n = fs_resolve(fs, "/esc", false, &why, &escaped);
	assert_non_null(n);
	assert_true(escaped);
	assert_string_equal(fs_path(A, n), "/etc/shadow");
	assert_null(fs_resolve(fs, "/loop1", false, &why, NULL));
	assert_non_null(strstr(why, "symbolic links"));
	struct identity id = {.uid = 1000680000, .gid = 0};
	struct fs_denial d;
	assert_false(fs_access(fs, &id, "/loop1", FS_R_OK, &d));
	assert_null(d.node);
}

static void whiteouts_hide_only_lower_layers(void **state)
{
	(void)state;
	struct fsmodel *fs = fs_new(A, 1000);
	struct layer_entry l1[] = {E("/d", FS_DIR | 0755, 0, 0), E("/d/a", FS_REG | 0644, 0, 0),
				   E("/d/b", FS_REG | 0644, 0, 0)};
	struct layer_entry l2[] = {E("/d/c", FS_REG | 0644, 0, 0), E("/d", 0, 0, 0),
				   E("/d/a", 0, 0, 0)};
	l2[1].opaque = true;
	l2[2].whiteout = true;
	struct layer a = {.entries = l1, .n = 3}, b = {.entries = l2, .n = 3};
	const char *why;
	assert_int_equal(fs_apply_layer(fs, &a, 0, &why), 0);
	assert_int_equal(fs_apply_layer(fs, &b, 1, &why), 0);
	assert_null(fs_lookup(fs, "/d/a"));
	assert_null(fs_lookup(fs, "/d/b"));
	assert_non_null(fs_lookup(fs, "/d/c"));
}

static void writes_through_a_symlink_are_refused(void **state)
{
	(void)state;
	struct fsmodel *fs = fs_new(A, 1000);
	struct layer_entry es[] = {E("/l", FS_LNK | 0777, 0, 0),
				   E("/l/shadow", FS_REG | 0644, 0, 0)};
	es[0].link = "/etc";
	struct layer l = {.entries = es, .n = 2};
	const char *why = NULL;
	assert_int_equal(fs_apply_layer(fs, &l, 0, &why), -1);
	assert_non_null(strstr(why, "symbolic link"));
}

static void passwd_and_group(void **state)
{
	(void)state;
	const char pw[] = "root:x:0:0:root:/root:/bin/sh\n# comment\nbad line\n"
			  "app:x:1001:1001::/home/app:/bin/sh\r\nbig:x:4294967295:0::/:\n";
	const char gr[] = "root:x:0:\napp:x:1001:\nextra:x:2000:other,app\n";
	struct passwd_db db;
	passwd_parse(A, pw, strlen(pw), gr, strlen(gr), &db);
	assert_int_equal(db.nusers, 3);
	assert_int_equal(passwd_by_name(&db, "app")->uid, 1001);
	assert_string_equal(passwd_by_uid(&db, 1001)->shell, "/bin/sh");
	assert_int_equal(passwd_by_name(&db, "big")->uid, 4294967295L);
	assert_int_equal(group_by_name(&db, "extra")->nmembers, 2);
	assert_string_equal(group_by_gid(&db, 2000)->members[1], "app");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(search_needed_on_every_folder),
	    cmocka_unit_test(owner_class_wins),
	    cmocka_unit_test(supplementary_groups_count),
	    cmocka_unit_test(root_gets_all_but_x_without_bits),
	    cmocka_unit_test(symlinks_stay_inside_the_root),
	    cmocka_unit_test(whiteouts_hide_only_lower_layers),
	    cmocka_unit_test(writes_through_a_symlink_are_refused),
	    cmocka_unit_test(passwd_and_group),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
