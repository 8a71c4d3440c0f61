/*
 * test-base.c - a Dockerfile over a base image the engine read (--pull):
 * names through the base's /etc/passwd and /etc/group, its config carried
 * over, a copy of its files with the RUN chown and chmod lines applied (and
 * the base's own tree untouched), what COPY writes listed as changed, and
 * the simulation's HOME and VOLUME checks against those files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dockerfile/dockerfile.h"
#include "identity/identity.h"
#include "image/image.h"
#include "unroot/arena.h"
#include "unroot/lint.h"
#include "unroot/source.h"
#include "util/reading.h"

static struct arena *A;
static struct lint_options O;
static struct image BASE;

static struct layer_entry E(const char *path, uint32_t mode, uint32_t uid, uint32_t gid) {
	struct layer_entry e = {.path = path, .mode = mode, .uid = uid, .gid = gid};
	return e;
}

/* A base like jboss/wildfly: the account app (1000:1000), its home 0700, /opt/app its own. */
static int
setup(void **state)
{
	(void)state;
	A = arena_new(1u << 28);
	lint_options_init(&O);
	if (!A)
		return -1;
	struct layer_entry es[] = {
	    E("/etc", FS_DIR | 0755, 0, 0),
	    E("/etc/passwd", FS_REG | 0644, 0, 0),
	    E("/home", FS_DIR | 0755, 0, 0),
	    E("/home/app", FS_DIR | 0700, 1000, 1000),
	    E("/opt", FS_DIR | 0755, 0, 0),
	    E("/opt/app", FS_DIR | 0755, 1000, 1000),
	    E("/opt/app/lib", FS_DIR | 0755, 1000, 1000),
	};
	es[1].size = 10;
	BASE.fs = fs_new(A, 1000);
	struct layer l = {.entries = es, .n = sizeof(es) / sizeof(es[0])};
	const char *why = NULL;
	if (!BASE.fs || fs_apply_layer(BASE.fs, &l, 0, &why) != 0)
		return -1;
	static const char pw[] =
	    "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";
	static const char gr[] = "root:x:0:\napp:x:1000:\nstaff:x:50:\n";
	passwd_parse(A, pw, strlen(pw), gr, strlen(gr), &BASE.db);
	BASE.view = (struct image_view){.origin = "docker://example.com/base:1",
					.from_image = true,
					.user = "app",
					.user_known = true,
					.uid = 1000,
					.gid = 1000,
					.user_is_name = true,
					.workdir = "/opt/app",
					.fs = BASE.fs};
	static const char *cmd[] = {"/opt/app/run.sh"};
	static const char *env[] = {"JBOSS_HOME=/opt/app", "HOME=/home/app"};
	BASE.view.cmd = cmd;
	BASE.view.ncmd = 1;
	BASE.view.env = env;
	BASE.view.nenv = 2;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(A);
	return 0;
}

/* The Dockerfile read as the reader reads it, its base handed over as the engine does. */
static struct dockerfile *read_df(const char *text)
{
	struct source *src = source_new(A, "Dockerfile", text, strlen(text));
	struct dockerfile *df = arena_alloc(A, sizeof(*df));
	struct df_error err;
	assert_int_equal(df_parse(A, src, df, &err), 0);
	assert_int_equal(df_eval(A, df), 0);
	struct reading rd = {
	    .opts = &O, .arena = A, .scratch = A, .path = "Dockerfile", .src = src};
	assert_int_equal(df_read_commands(&rd, df), 0);
	assert_string_equal(df_base_ref(df), "example.com/base:1");
	df->base = &BASE.view;
	df->base_db = &BASE.db;
	return df;
}

static const struct fs_node *node(const struct image_view *v, const char *path)
{
	const struct fs_node *n = fs_lookup(v->fs, path);
	assert_non_null(n);
	return n;
}

static void names_resolve_through_the_base(void **state)
{
	(void)state;
	struct dockerfile *df = read_df("FROM example.com/base:1\nUSER app:staff\n");
	assert_int_equal(df_account_uid(df, "app", SIZE_MAX, false), 1000);
	assert_int_equal(df_account_uid(df, "nobody", SIZE_MAX, false), -1);
	struct image_view *v = df_image_view(A, df, "Dockerfile", &O);
	assert_int_equal(v->uid, 1000);
	assert_int_equal(v->gid, 50);
	assert_true(v->user_is_name);
	/* An account the Dockerfile makes is its own, not the base's. */
	df = read_df("FROM example.com/base:1\nRUN useradd -u 2000 app\nUSER app\n");
	assert_int_equal(df_account_uid(df, "app", SIZE_MAX, false), 2000);
}

static void base_user_and_config_carry_over(void **state)
{
	(void)state;
	struct dockerfile *df = read_df("FROM example.com/base:1\nENV HOME=/srv\n");
	struct df_final f;
	assert_true(df_final_user(df, &O, &f));
	assert_true(f.base_known && f.base_pulled);
	struct image_view *v = df_image_view(A, df, "Dockerfile", &O);
	assert_string_equal(v->user, "app");
	assert_true(v->user_is_name);
	assert_int_equal(v->uid, 1000);
	assert_string_equal(v->workdir, "/opt/app");
	assert_int_equal(v->ncmd, 1);
	assert_string_equal(v->cmd[0], "/opt/app/run.sh");
	bool jboss = false, home = false;
	for (size_t i = 0; i < v->nenv; i++) {
		jboss |= strcmp(v->env[i], "JBOSS_HOME=/opt/app") == 0;
		home |= strcmp(v->env[i], "HOME=/srv") == 0;
		assert_string_not_equal(v->env[i], "HOME=/home/app");
	}
	assert_true(jboss && home);
	/* ENTRYPOINT drops the base's CMD. */
	v = df_image_view(A, read_df("FROM example.com/base:1\nENTRYPOINT [\"/x\"]\n"), "D", &O);
	assert_int_equal(v->ncmd, 0);
}

static void run_lines_change_a_copy(void **state)
{
	(void)state;
	struct dockerfile *df =
	    read_df("FROM example.com/base:1\n"
		    "RUN chgrp -R 0 /opt/app && chmod -R g=u /opt/app && chmod 700 /home/app\n"
		    "RUN chown app: /home/app && chmod g+w /etc/passwd && chmod 755 /made/here\n"
		    "COPY app.jar /opt/app/lib/\nCOPY conf /etc/app.conf\n");
	struct image_view *v = df_image_view(A, df, "Dockerfile", &O);
	assert_non_null(v->fs);
	assert_ptr_not_equal(v->fs, BASE.fs);
	assert_int_equal(node(v, "/opt/app")->gid, 0);
	assert_int_equal(node(v, "/opt/app")->mode & 07777, 0775);
	assert_int_equal(node(v, "/opt/app/lib")->mode & 07777, 0775);
	assert_int_equal(node(v, "/opt/app/lib")->uid, 1000);
	assert_int_equal(node(v, "/home/app")->gid, 1000); /* app's login group */
	assert_int_equal(node(v, "/etc/passwd")->mode & 07777, 0664);
	/* The base's own tree is as it was. */
	assert_int_equal(fs_lookup(BASE.fs, "/opt/app")->gid, 1000);
	assert_int_equal(fs_lookup(BASE.fs, "/etc/passwd")->mode & 07777, 0644);
	/* What only a build shows. */
	bool made = false, lib = false, conf = false;
	for (size_t i = 0; i < v->nchanged; i++) {
		const struct changed_path *c = &v->changed[i];
		made |= strcmp(c->path, "/made/here") == 0 && !c->below;
		lib |= strcmp(c->path, "/opt/app/lib/") == 0 && c->below;
		conf |= strcmp(c->path, "/etc/app.conf") == 0 && !c->below;
	}
	assert_true(made && lib && conf);
}

static const struct sim_check *check_of(const struct sim_result *r, enum sim_check_kind k)
{
	for (size_t i = 0; i < r->nchecks; i++)
		if (r->checks[i].kind == k)
			return &r->checks[i];
	return NULL;
}

static bool unchecked(const struct sim_result *r, const char *what)
{
	for (size_t i = 0; i < r->nunchecked; i++)
		if (strstr(r->unchecked[i], what))
			return true;
	return false;
}

static void simulate_on_the_base_files(void **state)
{
	(void)state;
	struct sim_ctx *ctx = sim_ctx_new(A, &O);
	struct sim_result r;
	/* HOME 0700 of app and /opt/app of app: the arbitrary uid of OpenShift is shut out. */
	struct image_view *v = df_image_view(
	    A, read_df("FROM example.com/base:1\nENV HOME=/home/app\nVOLUME /opt/app\n"), "D", &O);
	assert_int_equal(sim_run(ctx, SIM_OPENSHIFT, v, NULL, &r), 0);
	const struct sim_check *c = check_of(&r, SIM_CHECK_HOME);
	assert_non_null(c);
	assert_false(c->ok);
	assert_int_equal(c->mode, 0700);
	c = check_of(&r, SIM_CHECK_VOLUME);
	assert_non_null(c);
	assert_false(c->ok);
	assert_true(r.breaks);
	/* Docker runs it as app, through the base's /etc/passwd: both are its own. */
	assert_int_equal(sim_run(ctx, SIM_DOCKER, v, NULL, &r), 0);
	assert_int_equal(r.uid.id, 1000);
	assert_int_equal(r.uid.src, SIM_SRC_PASSWD);
	assert_int_equal(r.gid.id, 1000);
	assert_true(check_of(&r, SIM_CHECK_HOME)->ok);
	assert_false(r.breaks);
	/* The Dockerfile's chmod fixes the volume; what COPY writes and what the base lacks are
	 * not checked. */
	v = df_image_view(A,
			  read_df("FROM example.com/base:1\n"
				  "RUN chgrp -R 0 /opt/app && chmod -R g=u /opt/app\n"
				  "COPY data /srv/data\nVOLUME /opt/app\nVOLUME /srv/data\n"
				  "VOLUME /var/new\n"),
			  "D", &O);
	assert_int_equal(sim_run(ctx, SIM_OPENSHIFT, v, NULL, &r), 0);
	assert_true(check_of(&r, SIM_CHECK_VOLUME)->ok);
	assert_string_equal(check_of(&r, SIM_CHECK_VOLUME)->path, "/opt/app");
	assert_true(unchecked(&r, "volume /srv/data: the Dockerfile writes it"));
	assert_true(unchecked(&r, "volume /var/new: not in the base image"));
	/* USER of an account the Dockerfile makes without a uid: not known, not refused. */
	v = df_image_view(A, read_df("FROM example.com/base:1\nRUN useradd web\nUSER web\n"), "D",
			  &O);
	assert_int_equal(sim_run(ctx, SIM_DOCKER, v, NULL, &r), 0);
	assert_int_equal(r.uid.id, -1);
	assert_int_equal(r.nrefusals, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(names_resolve_through_the_base),
	    cmocka_unit_test(base_user_and_config_carry_over),
	    cmocka_unit_test(run_lines_change_a_copy),
	    cmocka_unit_test(simulate_on_the_base_files),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
