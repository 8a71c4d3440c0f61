/* test-parse.c - sh_parse(): words, quoting, operators, substitutions, sh -c, heredocs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

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

static struct sh_script parse(const char *text)
{
	struct sh_script s;
	struct sh_error e;
	int rc = sh_parse(A, text, strlen(text), &s, &e);
	if (rc != 0)
		print_error("unexpected error at %zu: %s\n", e.start, e.message);
	assert_int_equal(rc, 0);
	return s;
}

/* The command whose argv[0] is `name` (the n-th one when several). */
static const struct sh_cmd *cmd(const struct sh_script *s, const char *name, int n)
{
	for (size_t i = 0; i < s->ncmds; i++)
		if (s->cmds[i].argc && strcmp(s->cmds[i].argv[0].value, name) == 0 && n-- == 0)
			return &s->cmds[i];
	print_error("no command '%s'\n", name);
	fail();
	return NULL;
}

/* The text a span covers. */
static const char *span(const char *text, size_t start, size_t end)
{
	static char buf[256];
	size_t n = end - start < sizeof(buf) - 1 ? end - start : sizeof(buf) - 1;
	memcpy(buf, text + start, n);
	buf[n] = '\0';
	return buf;
}

static void quoting_and_escapes(void **state)
{
	(void)state;
	const char *t = "echo 'a b' \"c $HOME d\" e\\ f \"g\\\"h\" 'i'\"j\"k $'l\\tm' \"\" x\\\ny";
	struct sh_script s = parse(t);
	assert_int_equal(s.ncmds, 1);
	const struct sh_cmd *c = &s.cmds[0];
	assert_int_equal(c->argc, 9);
	assert_string_equal(c->argv[1].value, "a b");
	assert_false(c->argv[1].expands);
	assert_string_equal(c->argv[2].value, "c $HOME d");
	assert_true(c->argv[2].expands);
	assert_string_equal(c->argv[3].value, "e f");
	assert_string_equal(c->argv[4].value, "g\"h");
	assert_string_equal(c->argv[5].value, "ijk");
	assert_string_equal(c->argv[6].value, "l\tm");
	assert_string_equal(c->argv[7].value, "");
	assert_string_equal(c->argv[8].value, "xy");
	assert_string_equal(span(t, c->argv[1].start, c->argv[1].end), "'a b'");
	assert_string_equal(span(t, c->argv[2].start, c->argv[2].end), "\"c $HOME d\"");
}

static void operators_and_comments(void **state)
{
	(void)state;
	const char *t = "a 1 && b 2 || c; d | e & f\n# comment && g\nh # trailing\n  i;j&&k";
	struct sh_script s = parse(t);
	const char *want[] = {"a", "b", "c", "d", "e", "f", "h", "i", "j", "k"};
	assert_int_equal(s.ncmds, 10);
	for (size_t i = 0; i < 10; i++) {
		assert_string_equal(s.cmds[i].argv[0].value, want[i]);
		assert_int_equal(s.cmds[i].depth, 0);
	}
	assert_int_equal(cmd(&s, "h", 0)->argc, 1);
	assert_string_equal(span(t, s.cmds[0].start, s.cmds[0].end), "a 1");
}

static void assignments_are_not_commands(void **state)
{
	(void)state;
	struct sh_script s = parse("A=1 B=\"x y\" C+=2 useradd app; D=3; export E=4; arr=(a b) ls");
	const struct sh_cmd *c = cmd(&s, "useradd", 0);
	assert_int_equal(c->argc, 2);
	assert_string_equal(c->argv[1].value, "app");
	assert_int_equal(cmd(&s, "ls", 0)->argc, 1);
	assert_string_equal(cmd(&s, "export", 0)->argv[1].value, "E=4");
	/* D=3 alone is an assignment, not a command named D=3 */
	for (size_t i = 0; i < s.ncmds; i++)
		assert_true(s.cmds[i].argc > 0);
}

static void command_substitution(void **state)
{
	(void)state;
	const char *t = "chown \"$(id -u):$(id -g)\" /app; echo `whoami` $(( 1 + 2 )) $(a $(b c))";
	struct sh_script s = parse(t);
	const struct sh_cmd *id = cmd(&s, "id", 0);
	assert_int_equal(id->depth, 1);
	assert_string_equal(span(t, id->start, id->end), "id -u");
	assert_int_equal(cmd(&s, "id", 1)->depth, 1);
	assert_int_equal(cmd(&s, "whoami", 0)->depth, 1);
	assert_int_equal(cmd(&s, "a", 0)->depth, 1);
	assert_int_equal(cmd(&s, "b", 0)->depth, 2);
	const struct sh_cmd *ch = cmd(&s, "chown", 0);
	assert_int_equal(ch->depth, 0);
	assert_string_equal(ch->argv[1].value, "$(id -u):$(id -g)");
	assert_true(ch->argv[1].expands);
	const struct sh_cmd *echo = cmd(&s, "echo", 0);
	assert_int_equal(echo->argc, 4);
	assert_string_equal(echo->argv[2].value, "$(( 1 + 2 ))");
}

static void sh_c_spans_point_inside_the_string(void **state)
{
	(void)state;
	const char *t = "set -e; /bin/sh -ec 'useradd -u 1001 app && chown app /x' && "
			"bash -xc \"chmod 'g+w' /etc/passwd\"; exec gosu app sh -c 'su-exec b c'";
	struct sh_script s = parse(t);
	const struct sh_cmd *u = cmd(&s, "useradd", 0);
	assert_int_equal(u->depth, 1);
	assert_string_equal(span(t, u->start, u->end), "useradd -u 1001 app");
	assert_string_equal(span(t, u->argv[3].start, u->argv[3].end), "app");
	const struct sh_cmd *ch = cmd(&s, "chown", 0);
	assert_string_equal(span(t, ch->argv[2].start, ch->argv[2].end), "/x");
	const struct sh_cmd *m = cmd(&s, "chmod", 0);
	assert_int_equal(m->depth, 1);
	assert_string_equal(m->argv[1].value, "g+w");
	assert_string_equal(span(t, m->argv[1].start, m->argv[1].end), "'g+w'");
	assert_string_equal(span(t, m->argv[2].start, m->argv[2].end), "/etc/passwd");
	const struct sh_cmd *se = cmd(&s, "su-exec", 0);
	assert_int_equal(se->depth, 1);
	assert_string_equal(span(t, se->start, se->end), "su-exec b c");
	/* the shell command itself is kept at depth 0 */
	assert_int_equal(cmd(&s, "/bin/sh", 0)->depth, 0);
}

static void sh_c_flags(void **state)
{
	(void)state;
	struct sh_script s =
	    parse("bash -o pipefail -c 'a1'; sh -e -c 'a2'; dash script.sh 'not1'; "
		  "bash -lc 'a3' name arg; su app -c 'a4'; sh -- 'not2'");
	assert_int_equal(cmd(&s, "a1", 0)->depth, 1);
	assert_int_equal(cmd(&s, "a2", 0)->depth, 1);
	assert_int_equal(cmd(&s, "a3", 0)->depth, 1);
	assert_int_equal(cmd(&s, "a4", 0)->depth, 1);
	for (size_t i = 0; i < s.ncmds; i++) {
		assert_true(s.cmds[i].argc > 0);
		assert_string_not_equal(s.cmds[i].argv[0].value, "not1");
		assert_string_not_equal(s.cmds[i].argv[0].value, "not2");
	}
}

static void compound_commands(void **state)
{
	(void)state;
	const char *t = "if [ \"$(id -u)\" = 0 ]; then\n"
			"  for d in /a /b; do chown app \"$d\"; done\n"
			"elif true; then :; else while read x; do echo $x; done < f; fi\n"
			"case \"$1\" in\n"
			"  -*|'') set -- app \"$@\" ;;\n"
			"  (x) exec gosu app \"$@\" ;;\n"
			"esac\n"
			"( cd /x && useradd y ) ; { adduser z; }\n"
			"f() { groupadd g; }\n"
			"function h { usermod -aG g u; }\n"
			"[[ $a =~ ^(x|y)$ && -n $b ]] && groupmod -g 5 g\n"
			"(( i++ )); ! chgrp 0 /x";
	struct sh_script s = parse(t);
	const char *none[] = {"if",	  "then", "for",  "d",	  "do",	   "done", "in", "elif",
			      "else",	  "fi",	  "case", "esac", "-*|''", "(x)",  "{",	 "}",
			      "function", "f",	  "h",	  "(",	  "!",	   "while"};
	for (size_t i = 0; i < s.ncmds; i++)
		for (size_t k = 0; s.cmds[i].argc && k < sizeof(none) / sizeof(none[0]); k++)
			assert_string_not_equal(s.cmds[i].argv[0].value, none[k]);
	/* `done < f`: the redirection of the loop is kept, as a command without words */
	bool loop_redir = false;
	for (size_t i = 0; i < s.ncmds; i++)
		if (s.cmds[i].argc == 0 && s.cmds[i].nredirs == 1 &&
		    strcmp(s.cmds[i].redirs[0].target.value, "f") == 0)
			loop_redir = true;
	assert_true(loop_redir);
	assert_int_equal(cmd(&s, "chown", 0)->argc, 3);
	assert_int_equal(cmd(&s, "set", 0)->argc, 4);
	assert_int_equal(cmd(&s, "exec", 0)->argc, 4);
	assert_int_equal(cmd(&s, "useradd", 0)->depth, 1);
	assert_int_equal(cmd(&s, "adduser", 0)->depth, 0);
	assert_int_equal(cmd(&s, "groupadd", 0)->argc, 2);
	assert_int_equal(cmd(&s, "usermod", 0)->argc, 4);
	assert_int_equal(cmd(&s, "groupmod", 0)->argc, 4);
	assert_int_equal(cmd(&s, "[[", 0)->argc, 8);
	assert_int_equal(cmd(&s, "chgrp", 0)->argc, 3);
	assert_int_equal(cmd(&s, "read", 0)->nredirs, 0);
	assert_int_equal(cmd(&s, ":", 0)->argc, 1);
}

static void redirections(void **state)
{
	(void)state;
	struct sh_script s = parse("echo x >> /etc/passwd 2>&1; cat </a >/b 2>/dev/null; "
				   "cmd &>/log; exec 3<>/f; tee -a /x <<<'s'");
	const struct sh_cmd *e = cmd(&s, "echo", 0);
	assert_int_equal(e->argc, 2);
	assert_int_equal(e->nredirs, 2);
	assert_string_equal(e->redirs[0].op, ">>");
	assert_string_equal(e->redirs[0].target.value, "/etc/passwd");
	assert_string_equal(e->redirs[1].op, "2>&");
	assert_string_equal(e->redirs[1].target.value, "1");
	const struct sh_cmd *c = cmd(&s, "cat", 0);
	assert_int_equal(c->nredirs, 3);
	assert_string_equal(c->redirs[2].op, "2>");
	assert_string_equal(cmd(&s, "cmd", 0)->redirs[0].op, "&>");
	assert_string_equal(cmd(&s, "exec", 0)->redirs[0].op, "3<>");
	assert_string_equal(cmd(&s, "tee", 0)->redirs[0].op, "<<<");
}

static void heredocs(void **state)
{
	(void)state;
	const char *t = "cat > /etc/passwd <<'EOF' && chmod 644 /x\n"
			"app:x:1001:0::/app:/bin/sh\n"
			"useradd not-a-command\n"
			"EOF\n"
			"cat <<-END | sh\n"
			"\techo $HOME\n"
			"\tEND\n"
			"useradd after";
	struct sh_script s = parse(t);
	const struct sh_cmd *c = cmd(&s, "cat", 0);
	assert_int_equal(c->nredirs, 2);
	assert_string_equal(c->redirs[1].op, "<<");
	assert_string_equal(c->redirs[1].target.value, "EOF");
	assert_non_null(c->redirs[1].heredoc);
	assert_true(c->redirs[1].heredoc->quoted);
	assert_string_equal(c->redirs[1].heredoc->body,
			    "app:x:1001:0::/app:/bin/sh\nuseradd not-a-command\n");
	const struct sh_heredoc *h = c->redirs[1].heredoc;
	assert_string_equal(span(t, h->start, h->end), h->body);
	assert_int_equal(cmd(&s, "chmod", 0)->argc, 3);
	const struct sh_cmd *c2 = cmd(&s, "cat", 1);
	assert_string_equal(c2->redirs[0].op, "<<-");
	assert_false(c2->redirs[0].heredoc->quoted);
	assert_string_equal(c2->redirs[0].heredoc->body, "echo $HOME\n");
	const struct sh_cmd *u = cmd(&s, "useradd", 0);
	assert_string_equal(u->argv[1].value, "after");
	/* an unterminated heredoc runs to the end, as the shell reads it */
	struct sh_script s2 = parse("cat <<EOF\nabc\n");
	assert_string_equal(s2.cmds[0].redirs[0].heredoc->body, "abc\n");
}

static void errors_have_positions(void **state)
{
	(void)state;
	struct {
		const char *text;
		size_t at;
	} cases[] = {
	    {"echo 'abc", 5},  {"echo \"abc", 5},   {"echo `abc", 5},
	    {"echo $(abc", 5}, {"echo ${abc", 5},   {"a && echo \"x $(b 'c)\"", 17},
	    {"echo $'x", 5},   {"echo $((1+2)", 5},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sh_script s;
		struct sh_error e;
		assert_int_equal(sh_parse(A, cases[i].text, strlen(cases[i].text), &s, &e), -1);
		assert_non_null(e.message);
		if (e.start != cases[i].at)
			print_error("'%s': error at %zu (%s), want %zu\n", cases[i].text, e.start,
				    e.message, cases[i].at);
		assert_int_equal(e.start, cases[i].at);
	}
}

static void nesting_is_bounded(void **state)
{
	(void)state;
	static char deep[200000];
	size_t n = 0;
	for (int i = 0; i < 20000; i++) {
		memcpy(deep + n, "$(", 2);
		n += 2;
	}
	struct sh_script s;
	struct sh_error e;
	assert_int_equal(sh_parse(A, deep, n, &s, &e), -1);
	assert_non_null(strstr(e.message, "inside one another"));
	assert_true(e.limit); /* a limit of the reader, reported as such (NR000) */
	n = 0;
	for (int i = 0; i < 20000; i++) {
		deep[n++] = '(';
		deep[n++] = ' ';
	}
	/* unclosed subshells are not read past the frame limit */
	assert_int_equal(sh_parse(A, deep, n, &s, &e), -1);
	n = 0;
	for (int i = 0; i < 21; i++) {
		memcpy(deep + n, "sh -c '", 7);
		n += 7;
	}
	memcpy(deep + n, "x", 1);
	n++;
	/* quotes that do not close: an error, never a crash */
	assert_int_equal(sh_parse(A, deep, n, &s, &e), -1);
	/* A limit hit inside an sh -c string is the whole text's, at its place in the text:
	 * 15 $( inside the string's own level make 16. */
	n = 0;
	memcpy(deep, "sh -c \"echo ", 12);
	n = 12;
	for (int i = 0; i < 15; i++) {
		memcpy(deep + n, "$(", 2);
		n += 2;
	}
	memcpy(deep + n, "useradd x", 9);
	n += 9;
	for (int i = 0; i < 15; i++)
		deep[n++] = ')';
	deep[n++] = '"';
	assert_int_equal(sh_parse(A, deep, n, &s, &e), -1);
	assert_true(e.limit);
	assert_int_equal(e.start, 12 + 14 * 2); /* the 15th $( */
	/* a quote the shell refuses is no limit of ours */
	assert_int_equal(sh_parse(A, "echo 'x", 7, &s, &e), -1);
	assert_false(e.limit);
	const char *nested = "sh -c \"sh -c 'sh -c useradd'\"";
	s = parse(nested);
	const struct sh_cmd *u = cmd(&s, "useradd", 0);
	assert_int_equal(u->depth, 3);
	assert_string_equal(span(nested, u->start, u->end), "useradd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(quoting_and_escapes),
	    cmocka_unit_test(operators_and_comments),
	    cmocka_unit_test(assignments_are_not_commands),
	    cmocka_unit_test(command_substitution),
	    cmocka_unit_test(sh_c_spans_point_inside_the_string),
	    cmocka_unit_test(sh_c_flags),
	    cmocka_unit_test(compound_commands),
	    cmocka_unit_test(redirections),
	    cmocka_unit_test(heredocs),
	    cmocka_unit_test(errors_have_positions),
	    cmocka_unit_test(nesting_is_bounded),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
