/*
 * test-expand.c - variable expansion and ARG/ENV scoping as BuildKit does them.
 *
 * Expansion: moby/buildkit frontend/dockerfile/shell/lex.go (processStopOn,
 * processSingleQuote, processDoubleQuote, processDollar, processName).
 * Scoping: frontend/dockerfile/dockerfile2llb/convert.go (meta args expanded
 * before the stages, dispatchArg adding ARG values to the stage's env with
 * state.AddEnv, a stage FROM another stage starting from its state and image
 * config), and the Dockerfile reference ("Scope", "Using ARG variables",
 * "Predefined ARGs", "Automatic platform ARGs in the global scope").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unroot/arena.h"
#include "dockerfile/dockerfile.h"
#include "unroot/source.h"

static struct arena *A;

static int setup(void **state)
{
	(void)state;
	A = arena_new(1u << 28);
	return A ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(A);
	return 0;
}

static const struct df_var *vars(void)
{
	static struct df_var v[4];
	v[0] = (struct df_var){.name = "A", .value = "alpha", .next = &v[1]};
	v[1] = (struct df_var){.name = "EMPTY", .value = "", .next = &v[2]};
	v[2] =
	    (struct df_var){.name = "PATHV", .value = "/usr/local/bin/app.tar.gz", .next = &v[3]};
	v[3] = (struct df_var){.name = "NOVAL", .value = NULL, .next = NULL};
	return v;
}

static const char *x(const char *s, const char **un)
{
	return df_expand(A, s, vars(), '\\', un);
}

static void forms(void **state)
{
	(void)state;
	const char *un;
	assert_string_equal(x("$A", &un), "alpha");
	assert_null(un);
	assert_string_equal(x("${A}-x", &un), "alpha-x");
	assert_string_equal(x("$A$A", &un), "alphaalpha");
	/* A name is letters, digits and '_': `$A.b` stops at the dot. */
	assert_string_equal(x("$A.b", &un), "alpha.b");
	/* A lone $ stays. */
	assert_string_equal(x("a$ b$", &un), "a$ b$");
	/* Unset variables expand to "" and are reported. */
	assert_string_equal(x("u=$NOPE.", &un), "u=.");
	assert_string_equal(un, "NOPE");
	assert_string_equal(x("${NOPE}${A}", &un), "alpha");
	assert_string_equal(un, "NOPE");
	/* `ARG NAME` with no value is not set (dispatchArg adds no env for it). */
	assert_string_equal(x("$NOVAL", &un), "");
	assert_string_equal(un, "NOVAL");
	/* Results longer than the expander's first buffer (128 bytes) grow past it. */
	char in[400], want[800];
	size_t n = 0, w = 0;
	for (int i = 0; i < 20; i++) { /* 15 bytes in, 31 out each */
		n += (size_t)snprintf(in + n, sizeof(in) - n, "'x'$A\"${PATHV}\"");
		w +=
		    (size_t)snprintf(want + w, sizeof(want) - w, "xalpha/usr/local/bin/app.tar.gz");
	}
	assert_int_equal(w, 620);
	assert_string_equal(x(in, &un), want);
}

static void modifiers(void **state)
{
	(void)state;
	const char *un;
	/* ${V:-d}: d when unset or empty; ${V-d}: d only when unset. */
	assert_string_equal(x("${NOPE:-1001}", &un), "1001");
	assert_null(un);
	assert_string_equal(x("${EMPTY:-1001}", &un), "1001");
	assert_string_equal(x("${EMPTY-1001}", &un), "");
	assert_string_equal(x("${NOPE-1001}", &un), "1001");
	assert_string_equal(x("${A:-1001}", &un), "alpha");
	/* ${V:+a}: a when set and not empty; ${V+a}: a when set. */
	assert_string_equal(x("${A:+yes}", &un), "yes");
	assert_string_equal(x("${EMPTY:+yes}", &un), "");
	assert_string_equal(x("${EMPTY+yes}", &un), "yes");
	assert_string_equal(x("${NOPE+yes}", &un), "");
	assert_null(un);
	/* The word is expanded itself. */
	assert_string_equal(x("${NOPE:-$A}", &un), "alpha");
	assert_string_equal(x("${NOPE:-${NOPE2:-deep}}", &un), "deep");
	/* #, ##, %, %% and / patterns. */
	assert_string_equal(x("${PATHV#*/}", &un), "usr/local/bin/app.tar.gz");
	assert_string_equal(x("${PATHV##*/}", &un), "app.tar.gz");
	assert_string_equal(x("${PATHV%.*}", &un), "/usr/local/bin/app.tar");
	assert_string_equal(x("${PATHV%%.*}", &un), "/usr/local/bin/app");
	assert_string_equal(x("${A/l/L}", &un), "aLpha");
	assert_string_equal(x("${PATHV//\\//_}", &un), "_usr_local_bin_app.tar.gz");
	/* ${V:?msg} on an unset variable, and bad syntax, are errors. */
	assert_null(x("${NOPE:?need it}", &un));
	assert_null(x("${A", &un));
	assert_null(x("${}", &un));
	assert_null(x("${A!x}", &un));
}

static void quotes_and_escapes(void **state)
{
	(void)state;
	const char *un;
	/* Quotes are removed; single quotes stop expansion. */
	assert_string_equal(x("\"$A\"", &un), "alpha");
	assert_string_equal(x("'$A'", &un), "$A");
	assert_string_equal(x("a\" b \"c", &un), "a b c");
	/* An escaped $ is literal. */
	assert_string_equal(x("\\$A", &un), "$A");
	assert_string_equal(x("\"\\$A\"", &un), "$A");
	/* In double quotes, the escape only escapes " $ and itself. */
	assert_string_equal(x("\"a\\b\"", &un), "a\\b");
	assert_string_equal(x("\"a\\\"b\"", &un), "a\"b");
	/* With the backtick escape, a backslash is ordinary. */
	assert_string_equal(df_expand(A, "C:\\$A", vars(), '`', &un), "C:\\alpha");
	assert_string_equal(df_expand(A, "`$A", vars(), '`', &un), "$A");
	/* Unterminated quotes are errors. */
	assert_null(x("'abc", &un));
	assert_null(x("\"abc", &un));
}

static struct dockerfile *parse(const char *text)
{
	struct source *src = source_new(A, "Dockerfile", text, strlen(text));
	struct dockerfile *df = arena_alloc(A, sizeof(*df));
	struct df_error err;
	assert_int_equal(df_parse(A, src, df, &err), 0);
	assert_int_equal(df_eval(A, df), 0);
	return df;
}

/* The user in effect at the end of the final stage. */
static const struct df_user *final_user(const struct dockerfile *df)
{
	const struct df_stage *st = &df->stages[df_final_stage(df)];
	return &df->instrs[st->last - 1].user;
}

static void global_args_are_seen_only_by_from(void **state)
{
	(void)state;
	/* "An ARG declared before a FROM is outside of a build stage, so it can't be used in any
	 * instruction after a FROM." */
	struct dockerfile *df = parse("ARG UID=1001\nARG IMG=alpine\nFROM $IMG:3.20\nUSER $UID\n");
	assert_string_equal(df->stages[0].base_expanded, "alpine:3.20");
	const struct df_user *u = final_user(df);
	assert_null(u->value);
	assert_string_equal(u->unresolved, "UID");
	/* "To use the default value of an ARG declared before the first FROM use an ARG
	 * instruction without a value inside of a build stage." */
	df = parse("ARG UID=1001\nFROM alpine\nARG UID\nUSER $UID:0\n");
	u = final_user(df);
	assert_string_equal(u->value, "1001:0");
	assert_int_equal(u->uid, 1001);
	assert_int_equal(u->gid, 0);
	assert_null(u->unresolved);
	/* Meta args see the meta args before them. */
	df = parse("ARG V=3.20\nARG IMG=alpine:$V\nFROM $IMG\n");
	assert_string_equal(df->stages[0].base_expanded, "alpine:3.20");
	/* An unresolved FROM has no expanded base. */
	df = parse("FROM alpine:$NOPE\n");
	assert_null(df->stages[0].base_expanded);
	/* The platform ARGs are predefined in the global scope, not in stages. */
	df = parse("FROM --platform=$BUILDPLATFORM golang:$TARGETARCH\nUSER $TARGETARCH\n");
	assert_string_equal(df->stages[0].base_expanded, "golang:amd64");
	assert_string_equal(final_user(df)->unresolved, "TARGETARCH");
	df = parse("FROM golang\nARG TARGETARCH\nUSER $TARGETARCH\n");
	assert_string_equal(final_user(df)->value, "amd64");
}

static void stage_args_and_env(void **state)
{
	(void)state;
	/* ARG defaults expand with what is in scope; ENV values too. */
	struct dockerfile *df =
	    parse("FROM alpine\nARG BASE=10\nARG UID=${BASE}01\nENV G=0\nUSER \"$UID\":${G}\n");
	const struct df_user *u = final_user(df);
	/* USER: expanded, then quotes removed. */
	assert_string_equal(u->value, "1001:0");
	assert_string_equal(u->user, "1001");
	assert_string_equal(u->group, "0");
	/* All words of one ENV are expanded before it is applied. */
	df = parse("FROM alpine\nENV A=old\nENV A=new B=$A\nUSER $B\n");
	assert_string_equal(final_user(df)->value, "old");
	/* The old ENV form: `ENV NAME the rest`. */
	df = parse("FROM alpine\nENV U 1001 x\nUSER $U\n");
	assert_string_equal(final_user(df)->value, "1001 x");
	/* `ARG NAME` without a value does not hide an ENV value (it adds no env). */
	df = parse("FROM alpine\nENV U=1001\nARG U\nUSER $U\n");
	assert_string_equal(final_user(df)->value, "1001");
	/* A later ARG with a value overrides an ENV of the same name while building. */
	df = parse("FROM alpine\nENV U=1001\nARG U=2002\nUSER $U\n");
	assert_string_equal(final_user(df)->value, "2002");
	/* Variables do not leak into the next stage built from an image. */
	df = parse("FROM alpine AS a\nENV U=1001\nFROM alpine\nUSER $U\n");
	assert_string_equal(final_user(df)->unresolved, "U");
	/* A variable built from an unresolved one stays unresolved. */
	df = parse("FROM alpine\nENV U=$NOPE\nUSER $U\n");
	assert_string_equal(final_user(df)->unresolved, "NOPE");
}

static void stages_inherit_env_and_user(void **state)
{
	(void)state;
	/* A stage FROM a stage starts from that stage's env (ENV and ARG) and USER. */
	struct dockerfile *df = parse("FROM alpine AS base\nARG A=7\nENV UID=1001\nUSER 2000\n"
				      "FROM base AS mid\nRUN id\n"
				      "FROM mid\nUSER $UID:$A\n");
	assert_int_equal(df->stages[2].parent, 1);
	assert_int_equal(df->stages[1].parent, 0);
	const struct df_instr *run = &df->instrs[5];
	assert_int_equal(run->cmd, DF_RUN);
	assert_int_equal(run->user.uid, 2000);
	assert_ptr_equal(run->user.instr, &df->instrs[3]);
	bool found;
	assert_string_equal(df_var_get(run->vars, "UID", &found), "1001");
	assert_true(found);
	assert_string_equal(final_user(df)->value, "1001:7");
	/* ONBUILD instructions of the parent stage run first in the child (convert.go,
	 * "initialize onbuild triggers"). */
	df = parse("FROM alpine AS base\nONBUILD ENV U=1001\nONBUILD USER $U:0\nFROM base\n");
	assert_string_equal(final_user(df)->value, "1001:0");
	assert_null(df->instrs[2].user.instr);
	/* .NET 8+ images set APP_UID=1654 in their ENV; .NET 6 images do not. */
	df = parse("FROM mcr.microsoft.com/dotnet/aspnet:8.0\nUSER $APP_UID\n");
	assert_string_equal(final_user(df)->value, "1654");
	df = parse("FROM mcr.microsoft.com/dotnet/aspnet:6.0\nUSER $APP_UID\n");
	assert_string_equal(final_user(df)->unresolved, "APP_UID");
	/* A stage FROM an image starts with the base image's user (instr NULL). */
	df = parse("FROM alpine\nRUN id\n");
	assert_null(final_user(df)->instr);
	assert_null(final_user(df)->value);
}

static void user_split(void **state)
{
	(void)state;
	struct df_user u = {0};
	df_user_split(A, "root", &u);
	assert_string_equal(u.user, "root");
	assert_null(u.group);
	assert_int_equal(u.uid, -1);
	df_user_split(A, "0:0", &u);
	assert_int_equal(u.uid, 0);
	assert_int_equal(u.gid, 0);
	df_user_split(A, "app:staff", &u);
	assert_string_equal(u.group, "staff");
	assert_int_equal(u.gid, -1);
	df_user_split(A, "99999999999", &u);
	assert_int_equal(u.uid, -1);
	df_user_split(A, "4294967295:1", &u);
	assert_int_equal(u.uid, 4294967295L);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(forms),
	    cmocka_unit_test(modifiers),
	    cmocka_unit_test(quotes_and_escapes),
	    cmocka_unit_test(global_args_are_seen_only_by_from),
	    cmocka_unit_test(stage_args_and_env),
	    cmocka_unit_test(stages_inherit_env_and_user),
	    cmocka_unit_test(user_split),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
