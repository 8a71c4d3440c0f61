/* test-find.c - sh_find(): accounts, ownership, modes, /etc/passwd writes, privilege drops;
 * sh_writes(): what commands write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../../lib/shell/internal.h"
#include "unroot/arena.h"
#include "shell/shell.h"

static struct arena *A;

static int setup(void **state)
{
	(void)state;
	A = arena_new(64u << 20);
	return A ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(A);
	return 0;
}

struct found {
	struct sh_finding *f;
	size_t n;
};

static struct found find(const char *text)
{
	struct sh_script s;
	struct sh_error e;
	struct found r = {0};
	assert_int_equal(sh_parse(A, text, strlen(text), &s, &e), 0);
	assert_int_equal(sh_find(A, &s, &r.f, &r.n), 0);
	return r;
}

/* The one finding of `kind` (fails when there are none or several). */
static const struct sh_finding *one(const char *text, enum sh_kind kind)
{
	struct found r = find(text);
	const struct sh_finding *hit = NULL;
	size_t n = 0;
	for (size_t i = 0; i < r.n; i++)
		if (r.f[i].kind == kind) {
			hit = &r.f[i];
			n++;
		}
	if (n != 1)
		print_error("'%s': %zu findings of kind %d\n", text, n, (int)kind);
	assert_int_equal(n, 1);
	return hit;
}

static size_t count(const char *text, enum sh_kind kind)
{
	struct found r = find(text);
	size_t n = 0;
	for (size_t i = 0; i < r.n; i++)
		n += r.f[i].kind == kind;
	return n;
}

static void str_eq(const char *got, const char *want)
{
	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
}

static void accounts(void **state)
{
	(void)state;
	const struct sh_finding *f;

	f = one("useradd -r -u 1001 -g 0 -d /app -s /sbin/nologin app", SH_USER_ADD);
	str_eq(f->tool, "useradd");
	str_eq(f->name, "app");
	assert_int_equal(f->uid, 1001);
	assert_int_equal(f->gid, 0);
	assert_true(f->system);

	f = one("/usr/sbin/useradd --uid=999 --gid postgres --groups a,b --home-dir /x pg",
		SH_USER_ADD);
	str_eq(f->tool, "useradd");
	assert_int_equal(f->uid, 999);
	str_eq(f->gid_name, "postgres");
	str_eq(f->groups, "a,b");
	str_eq(f->name, "pg");

	f = one("useradd -rmu 1000 -G wheel bob", SH_USER_ADD);
	assert_int_equal(f->uid, 1000);
	str_eq(f->groups, "wheel");
	str_eq(f->name, "bob");

	/* BusyBox: -g is the GECOS field, -G the group */
	f = one("adduser -S -D -H -h /home/x -g 'X user' -s /bin/false -u 100 -G nginx nginx",
		SH_USER_ADD);
	assert_int_equal(f->uid, 100);
	str_eq(f->gid_name, "nginx");
	assert_true(f->system);
	str_eq(f->name, "nginx");

	/* Debian */
	f = one("adduser --system --uid 101 --ingroup grp --no-create-home --gecos '' "
		"--disabled-login web",
		SH_USER_ADD);
	assert_int_equal(f->uid, 101);
	str_eq(f->gid_name, "grp");
	str_eq(f->name, "web");
	/* Red Hat's adduser is useradd: -g is the group */
	f = one("adduser --uid 100 --system -g consul consul", SH_USER_ADD);
	assert_int_equal(f->uid, 100);
	str_eq(f->gid_name, "consul");
	assert_true(f->system);
	f = one("adduser --uid=5 --gid=0 x", SH_USER_ADD);
	assert_int_equal(f->gid, 0);

	f = one("groupadd -r -g 999 postgres", SH_GROUP_ADD);
	assert_int_equal(f->gid, 999);
	str_eq(f->name, "postgres");
	f = one("groupadd --system --gid=70 pg", SH_GROUP_ADD);
	assert_int_equal(f->gid, 70);
	f = one("addgroup -S -g 1000 redis", SH_GROUP_ADD);
	assert_int_equal(f->gid, 1000);
	str_eq(f->name, "redis");
	f = one("addgroup --system --gid 101 rabbitmq", SH_GROUP_ADD);
	assert_int_equal(f->gid, 101);

	/* two operands: an existing user joins a group */
	f = one("addgroup app wheel", SH_USER_MOD);
	str_eq(f->name, "app");
	str_eq(f->gid_name, "wheel");
	f = one("adduser app root", SH_USER_MOD);
	str_eq(f->gid_name, "root");

	f = one("usermod -aG docker -u 2000 jenkins", SH_USER_MOD);
	assert_int_equal(f->uid, 2000);
	str_eq(f->groups, "docker");
	str_eq(f->name, "jenkins");
	f = one("groupmod -g 1001 -n new old", SH_GROUP_MOD);
	assert_int_equal(f->gid, 1001);
	str_eq(f->name, "old");

	/* seen through wrappers, sh -c and $(...) */
	assert_int_equal(count("exec env -i A=1 nice -n 5 nohup useradd a", SH_USER_ADD), 1);
	assert_int_equal(count("sh -c 'groupadd g' && x=$(useradd u)", SH_GROUP_ADD), 1);
	assert_int_equal(count("sh -c 'groupadd g' && x=$(useradd u)", SH_USER_ADD), 1);
	assert_int_equal(count("echo useradd; 'echo' adduser x; userdel y", SH_USER_ADD), 0);
}

static void ownership(void **state)
{
	(void)state;
	const struct sh_finding *f;

	f = one("chown -R 1001:0 /app /data", SH_CHOWN);
	str_eq(f->tool, "chown");
	str_eq(f->owner, "1001");
	str_eq(f->group, "0");
	assert_true(f->recursive);
	assert_int_equal(f->npaths, 2);
	str_eq(f->paths[1], "/data");

	f = one("chown --recursive redis.redis /data", SH_CHOWN);
	str_eq(f->owner, "redis");
	str_eq(f->group, "redis");
	assert_true(f->recursive);

	f = one("chown app: /x", SH_CHOWN);
	str_eq(f->owner, "app");
	assert_null(f->group);
	assert_true(f->owner_colon);

	f = one("chown :0 /x", SH_CHOWN);
	assert_null(f->owner);
	str_eq(f->group, "0");

	f = one("chown -hf 1001 /x", SH_CHOWN);
	str_eq(f->owner, "1001");
	assert_null(f->group);
	assert_false(f->owner_colon);
	assert_false(f->recursive);

	f = one("chown \"${APP_UID:-1001}:${GID}\" /x", SH_CHOWN);
	str_eq(f->owner, "${APP_UID:-1001}");
	str_eq(f->group, "${GID}");

	f = one("chgrp -R 0 /app && chmod -R g=u /app", SH_CHOWN);
	str_eq(f->tool, "chgrp");
	assert_null(f->owner);
	str_eq(f->group, "0");
	assert_true(f->recursive);

	assert_int_equal(count("chown --reference=/a /b", SH_CHOWN), 0);

	f = one("find . \\! -user redis -exec chown redis '{}' +", SH_CHOWN);
	str_eq(f->owner, "redis");
	str_eq(f->paths[0], ".");
	assert_true(f->recursive);
	f = one("find /app /data -type d -exec chmod g+rwx {} \\;", SH_CHMOD);
	assert_int_equal(f->npaths, 2);
	str_eq(f->paths[1], "/data");

	f = one("install -d -o postgres -g postgres -m 1777 /var/run/postgresql", SH_CHOWN);
	str_eq(f->tool, "install");
	str_eq(f->owner, "postgres");
	str_eq(f->group, "postgres");
	str_eq(f->paths[0], "/var/run/postgresql");
	f = one("install --verbose --directory --owner postgres --group postgres --mode 3777 /a /b",
		SH_CHMOD);
	str_eq(f->mode, "3777");
	assert_int_equal(f->npaths, 2);
	f = one("install -m 0755 -o 1001 bin /usr/local/bin/app", SH_CHMOD);
	str_eq(f->paths[0], "/usr/local/bin/app");
	assert_int_equal(count("install -m 755 a b", SH_CHOWN), 0);
}

static void modes(void **state)
{
	(void)state;
	const struct sh_finding *f;

	f = one("chmod 700 /app", SH_CHMOD);
	str_eq(f->mode, "700");
	str_eq(f->paths[0], "/app");
	f = one("chmod -R go-rwx /app", SH_CHMOD);
	str_eq(f->mode, "go-rwx");
	assert_true(f->recursive);
	f = one("chmod -x /bin/a", SH_CHMOD);
	str_eq(f->mode, "-x");
	f = one("chmod -v -- u+x,g=u a b", SH_CHMOD);
	str_eq(f->mode, "u+x,g=u");
	assert_int_equal(f->npaths, 2);
	f = one("chmod --recursive a+rX /srv", SH_CHMOD);
	assert_true(f->recursive);
	str_eq(f->mode, "a+rX");
	assert_int_equal(count("chmod --reference=/a /b", SH_CHMOD), 0);
}

static void passwd_writes(void **state)
{
	(void)state;
	assert_int_equal(count("echo 'a:x:1:0::/:/bin/sh' >> /etc/passwd", SH_PASSWD_WRITE), 1);
	assert_int_equal(count("cat x > /etc/passwd", SH_PASSWD_WRITE), 1);
	assert_int_equal(count("echo x | tee -a /etc/passwd", SH_PASSWD_WRITE), 1);
	assert_int_equal(count("sed -i 's/a/b/' /etc/passwd", SH_PASSWD_WRITE), 1);
	assert_int_equal(count("sed 's/a/b/' /etc/passwd", SH_PASSWD_WRITE), 0);
	assert_int_equal(count("cat /etc/passwd; grep x /etc/passwd", SH_PASSWD_WRITE), 0);
	assert_int_equal(count("cp /tmp/passwd /etc/passwd", SH_PASSWD_WRITE), 1);
	const struct sh_finding *f = one("chmod g+w /etc/passwd", SH_PASSWD_WRITE);
	str_eq(f->mode, "g+w");
	f = one("chmod 666 /etc/passwd", SH_PASSWD_WRITE);
	str_eq(f->mode, "666");
	f = one("chgrp 0 /etc/passwd", SH_PASSWD_WRITE);
	str_eq(f->group, "0");
	f = one("chmod -R g=u /etc", SH_PASSWD_WRITE);
	str_eq(f->mode, "g=u");
	assert_int_equal(count("chmod g=u /etc", SH_PASSWD_WRITE), 0);
	assert_int_equal(count("chmod g+w /etc/passwd", SH_CHMOD), 1);
}

static void privilege_drops(void **state)
{
	(void)state;
	struct {
		const char *text;
		const char *tool, *user;
	} cases[] = {
	    {"exec gosu postgres \"$@\"", "gosu", "postgres"},
	    {"exec su-exec redis:redis redis-server", "su-exec", "redis:redis"},
	    {"exec /usr/local/bin/gosu mysql \"$BASH_SOURCE\" \"$@\"", "gosu", "mysql"},
	    {"exec setpriv --reuid=1000 --regid=1000 --init-groups app", "setpriv", "1000"},
	    {"setpriv --reuid app --clear-groups -- cmd", "setpriv", "app"},
	    {"su cassandra -c \"$CASSANDRA_HOME/bin/cassandra -f\"", "su", "cassandra"},
	    {"su -s /bin/sh -l app -c run", "su", "app"},
	    {"su - app", "su", "app"},
	    {"runuser -u app -- /bin/app", "runuser", "app"},
	    {"runuser -l app -c 'x'", "runuser", "app"},
	    {"sudo -u www-data -E php x", "sudo", "www-data"},
	    {"sudo --user=app cmd", "sudo", "app"},
	    {"chroot --userspec=1000:1000 / /bin/app", "chroot", "1000:1000"},
	    {"chroot --userspec 1000:0 / app", "chroot", "1000:0"},
	    {"exec s6-setuidgid nobody app", "s6-setuidgid", "nobody"},
	    {"exec chpst -u app:app -U x app", "chpst", "app:app"},
	    {"exec tini -- gosu app run", "gosu", "app"},
	    {"exec env HOME=/x gosu app run", "gosu", "app"},
	    {"set -- su-exec vault \"$@\"", "su-exec", "vault"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct sh_finding *f = one(cases[i].text, SH_PRIV_DROP);
		str_eq(f->tool, cases[i].tool);
		str_eq(f->owner, cases[i].user);
	}
	const char *quiet[] = {
	    "sudo apt-get install x",	   "sudo -u root x", "su -c 'x'",      "chroot / /bin/sh",
	    "setpriv --no-new-privs app",  "gosu --version", "chpst -U app x", "echo gosu app",
	    "set -- redis-server gosu app"};
	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
		assert_int_equal(count(quiet[i], SH_PRIV_DROP), 0);
	/* what runs under the drop is classified too */
	assert_int_equal(count("sudo chown -R app /x", SH_CHOWN), 1);
	assert_int_equal(count("gosu app sh -c 'chmod 700 /x'", SH_CHMOD), 1);
}

static void appends_to_existing(void **state)
{
	(void)state;
	struct sh_script s;
	struct sh_error e;
	struct sh_finding *f = NULL;
	size_t n = 0;
	assert_int_equal(sh_parse(A, "useradd a", 9, &s, &e), 0);
	assert_int_equal(sh_find(A, &s, &f, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(sh_parse(A, "chmod 600 b", 11, &s, &e), 0);
	assert_int_equal(sh_find(A, &s, &f, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(f[0].kind, SH_USER_ADD);
	assert_int_equal(f[1].kind, SH_CHMOD);
}

/* Every name of the command table is found by the lookup (it searches a sorted
 * table, so a name out of order would be missed), and near misses are not. */
static void command_names(void **state)
{
	(void)state;
	enum sh_prog kind;
	size_t i = 0;
	for (const char *name; (name = sh_prog_name(i, &kind)) != NULL; i++) {
		if (i > 0) {
			enum sh_prog k0;
			assert_true(strcmp(sh_prog_name(i - 1, &k0), name) < 0);
		}
		assert_int_equal(sh_prog_kind(name), kind);
	}
	assert_true(i > 40);
	assert_int_equal(sh_prog_kind("chown"), PROG_CHOWN);
	assert_int_equal(sh_prog_kind("gosu"), PROG_DROP);
	assert_int_equal(sh_prog_kind("bash"), PROG_SHELL);
	assert_int_equal(sh_prog_kind("chowner"), PROG_OTHER);
	assert_int_equal(sh_prog_kind("s"), PROG_OTHER);
	assert_int_equal(sh_prog_kind(""), PROG_OTHER);
	assert_int_equal(sh_prog_kind("apt-get"), PROG_OTHER);
}

/* A command is found however its name is spelled: quoted, escaped, split, in a command string. */
static void spellings(void **state)
{
	(void)state;
	static const char *const found[] = {
	    "useradd -u 1001 app",
	    "/usr/sbin/useradd app",
	    "c'h'own 1001 /app",
	    "ch\\own 1001 /app",
	    "\"chmod\" g=u /app",
	    "cho\\\nwn 1001 /app",
	    "$\"chgrp\" 0 /app",
	    "echo x >\"/etc/\"passwd",
	    "sed -i s/a/b/ /etc/passwd",
	    "chmod -R g+w /etc//passwd",
	    "sh -c \"cd /x;chown 1 y\"",
	    "bash -c 'su-exec app true'",
	    "bash -c $'true\\nchown 1 /x'",
	    "find /app -exec chmod g=u {} +",
	    "set -- gosu app \"$@\"",
	    "apt-get install -y x && install -o 1001 a b",
	    "x=$(groupadd -r g)",
	    "echo x\\\\\nsu app -c true", /* \\ is one backslash: the newline ends the line */
	    "true # a comment\\\nsu app -c true", /* no line continuation in a comment */
	    /* a comment's line ends at its \<newline>, and the next line goes on */
	    "# c\\\ncho\\\nwn 1 /x",
	    "x=$'a\\tb' && sh -c $'id;\\tuseradd u'",
	};
	for (size_t i = 0; i < sizeof(found) / sizeof(found[0]); i++) {
		struct found r = find(found[i]);
		if (!r.n)
			print_error("'%s': no finding\n", found[i]);
		assert_true(r.n > 0);
	}
	static const char *const none[] = {
	    "apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*",
	    "curl -fsSL https://example.org/x.tgz | tar -xz -C /opt",
	    "echo suffix checksum sudoku chowner", /* names inside longer words */
	    "./configure --prefix=/usr && make -j4",
	};
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		assert_int_equal(find(none[i]).n, 0);
	}
}

/* install(1) is found only where an option gives it an owner, a group or a mode. */
static void install_needs_its_options(void **state)
{
	(void)state;
	static const char *const found[] = {
	    "apt-get install -y x && install -o 1001 a /b",
	    "install -Dm644 a /b",
	    "install --owner=1001 a /b",
	    "install --group 0 a /b",
	    "install --mode=600 a /b",
	    "install \"-o\" 1001 a /b",
	    "install -\"g\" 0 a /b",
	    "install '--mode' 600 a /b",
	    "install \\-m 600 a /b",
	    "install \\\n-o 1 a /b",
	    "sh -c \"install -m 700 a /b\"",
	    "find /x -exec install -g 0 {} /y \\;",
	    "pip install x; install -d -m 0775 /srv",
	    /* `...` keeps its blanks in the word: -x, a backquote, blanks and o, which takes a
	       value */
	    "apt-get install -y && install -x`  o` a /b",
	};
	for (size_t i = 0; i < sizeof(found) / sizeof(found[0]); i++) {
		if (!find(found[i]).n)
			print_error("'%s': no finding\n", found[i]);
		assert_true(find(found[i]).n > 0);
	}
	static const char *const none[] = {
	    "apt-get update && apt-get install -y --no-install-recommends curl",
	    "pip install --no-cache-dir -r requirements.txt",
	    "make -j4 && make install",
	    "npm install --omit=dev",
	    "apk add --no-cache x && install -D a /b", /* no owner, group or mode: nothing */
	};
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		assert_int_equal(find(none[i]).n, 0);
	}
	/* a variable's value is not an option to the parse: "$OPTS" stays an operand */
	assert_int_equal(find("apt-get install -y \"$OPTS\" x").n, 0);
}

/* sh_writes(): what the commands write, and what follows each command. */
static size_t writes(const char *text, struct sh_write **w, struct sh_script *s)
{
	struct sh_error e;
	size_t n = 0;
	*w = NULL;
	assert_int_equal(sh_parse(A, text, strlen(text), s, &e), 0);
	assert_int_equal(sh_writes(A, s, w, &n), 0);
	return n;
}

static void start_writes(void **state)
{
	(void)state;
	struct sh_write *w;
	struct sh_script s;
	assert_int_equal(writes("echo x > /etc/app.conf; echo y >> log; echo z >&2", &w, &s), 2);
	assert_int_equal(w[0].kind, SH_W_FILE);
	str_eq(w[0].path, "/etc/app.conf");
	str_eq(w[1].tool, ">>");
	assert_int_equal(writes("echo x > /dev/null", &w, &s), 0);
	assert_int_equal(writes("mkdir -p /a /b && touch /a/x", &w, &s), 3);
	assert_true(w[0].parents && w[0].kind == SH_W_DIR);
	assert_int_equal(w[2].kind, SH_W_FILE);
	assert_int_equal(writes("sed -i 's/a/b/' /etc/x.conf; sed 's/a/b/' /etc/y", &w, &s), 1);
	str_eq(w[0].path, "/etc/x.conf");
	assert_int_equal(writes("cp a b /opt/dir; ln -s /x /etc/y; install -d /z", &w, &s), 2);
	str_eq(w[0].path, "/opt/dir");
	str_eq(w[1].path, "/etc/y");
	/* tar: a tree of "." piped in restores the folder itself, unless told not to */
	assert_int_equal(writes("tar -c -f - -C /src . | tar -x -f -", &w, &s), 1);
	assert_true(w[0].kind == SH_W_EXTRACT && w[0].whole_dir && !w[0].path);
	assert_int_equal(writes("tar -c . | tar --extract --no-overwrite-dir -C /dst", &w, &s), 1);
	assert_false(w[0].whole_dir);
	str_eq(w[0].path, "/dst");
	assert_int_equal(writes("tar xzf app.tgz -C /opt", &w, &s), 1);
	assert_false(w[0].whole_dir);
	assert_int_equal(writes("chown -R app:0 /data /logs; chgrp 0 /x; chmod 700 /y", &w, &s), 4);
	str_eq(w[0].owner, "app");
	str_eq(w[0].group, "0");
	assert_int_equal(w[2].kind, SH_W_OWNER);
	assert_null(w[2].owner);
	assert_int_equal(w[3].kind, SH_W_MODE);
	/* what follows a command, and whether it is a condition */
	assert_int_equal(
	    writes("chown a /x || true; chmod 1 /y && z; if touch /f; then :; fi", &w, &s), 3);
	assert_int_equal(w[0].cmd->next_op, 'o');
	assert_int_equal(w[1].cmd->next_op, '&');
	assert_true(w[2].cmd->tested);
	assert_false(w[0].cmd->tested);
	/* set -e before a command */
	writes("echo a; set -eu; touch /x", &w, &s);
	assert_false(sh_errexit_before(&s, s.cmds[0].start));
	assert_true(sh_errexit_before(&s, s.cmds[2].start));
	writes("set -o errexit; touch /x", &w, &s);
	assert_true(sh_errexit_before(&s, s.cmds[1].start));
	writes("set -o pipefail; touch /x", &w, &s);
	assert_false(sh_errexit_before(&s, s.cmds[1].start));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(accounts),
	    cmocka_unit_test(ownership),
	    cmocka_unit_test(modes),
	    cmocka_unit_test(passwd_writes),
	    cmocka_unit_test(privilege_drops),
	    cmocka_unit_test(appends_to_existing),
	    cmocka_unit_test(command_names),
	    cmocka_unit_test(spellings),
	    cmocka_unit_test(install_needs_its_options),
	    cmocka_unit_test(start_writes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
