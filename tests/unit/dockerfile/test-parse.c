/*
 * test-parse.c - the Dockerfile reader against BuildKit's parser behaviour.
 *
 * Each fact comes from moby/buildkit frontend/dockerfile/parser/parser.go
 * (Parse, trimContinuationCharacter, isComment, isEmptyContinuationLine,
 * heredocsFromLine, ParseHeredoc), parser/line_parsers.go (parseJSON,
 * parseMaybeJSON, extractBuilderFlags, parseWords) and parser/directives.go,
 * or from the Dockerfile reference (docs.docker.com/reference/dockerfile:
 * "Parser directives", "Here-Documents").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "unroot/arena.h"
#include "dockerfile/dockerfile.h"
#include "unroot/source.h"

static struct arena *A;

static int setup(void **state)
{
	(void)state;
	A = arena_new(1u << 30);
	return A ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(A);
	return 0;
}

static struct dockerfile *parse_n(const char *text, size_t len, struct df_error *err)
{
	struct source *src = source_new(A, "Dockerfile", text, len);
	struct dockerfile *df = arena_alloc(A, sizeof(*df));
	struct df_error e;
	if (!err)
		err = &e;
	if (df_parse(A, src, df, err) != 0)
		return NULL;
	assert_int_equal(df_eval(A, df), 0);
	return df;
}

static struct dockerfile *parse(const char *text)
{
	return parse_n(text, strlen(text), NULL);
}

/* Where `needle` starts in `hay`. */
static size_t off(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);
	assert_non_null(p);
	return (size_t)(p - hay);
}

static void instructions_and_spans(void **state)
{
	(void)state;
	const char *t = "FROM alpine:3.20\nrun echo hi\nUSER 1001:0\n";
	struct dockerfile *df = parse(t);
	assert_non_null(df);
	assert_int_equal(df->ninstrs, 3);
	/* Instruction names are case-insensitive; the keyword keeps its spelling. */
	assert_int_equal(df->instrs[1].cmd, DF_RUN);
	assert_string_equal(df->instrs[1].keyword, "run");
	assert_string_equal(df->instrs[1].text, "echo hi");
	assert_int_equal(df->instrs[1].start, off(t, "run"));
	assert_int_equal(df->instrs[1].end, off(t, "\nUSER"));
	assert_int_equal(df->instrs[2].start, off(t, "USER"));
	/* A shell-form RUN is the shell's to split: no BuildKit words. */
	assert_int_equal(df->instrs[1].nargs, 0);
	/* Other instructions' words carry their source spans. */
	t = "FROM alpine:3.20\ncmd echo hi\n";
	df = parse(t);
	assert_non_null(df);
	assert_int_equal(df->instrs[1].nargs, 2);
	assert_int_equal(df->instrs[1].args[1].start, off(t, "hi"));
	assert_int_equal(df->instrs[1].args[1].end, off(t, "hi") + 2);
}

static void continuation_lines(void **state)
{
	(void)state;
	/* The escape, then only blanks, ends a line that continues. */
	const char *t = "FROM a\nRUN a \\  \n  b\n";
	struct dockerfile *df = parse(t);
	assert_non_null(df);
	const struct df_instr *in = &df->instrs[1];
	assert_string_equal(in->text, "a   b");
	assert_int_equal(in->end, strlen(t) - 1);
	/* 'b' is at logical offset 4, and maps back to its source byte. */
	assert_int_equal(df_text_to_src(in, 4), off(t, "b\n"));
}

static void comments_and_blank_lines_inside_continuations(void **state)
{
	(void)state;
	/* Comment lines and empty lines inside a continuation are dropped. */
	const char *t =
	    "FROM a\nRUN one \\\n# a comment\n\n    two \\\n  # another\nthree\nUSER 1\n";
	struct dockerfile *df = parse(t);
	assert_non_null(df);
	assert_int_equal(df->ninstrs, 3);
	assert_string_equal(df->instrs[1].text, "one     two three");
	assert_int_equal(df_text_to_src(&df->instrs[1], off(df->instrs[1].text, "three")),
			 off(t, "three"));
	assert_int_equal(df->instrs[2].cmd, DF_USER);
	/* A mid-line # is not a comment. */
	df = parse("FROM a\nRUN echo # not a comment\n");
	assert_string_equal(df->instrs[1].text, "echo # not a comment");
}

static void crlf_line_endings(void **state)
{
	(void)state;
	const char *t = "FROM a\r\nRUN a \\\r\n  b\r\nUSER 1001\r\n";
	struct dockerfile *df = parse(t);
	assert_non_null(df);
	assert_string_equal(df->instrs[1].text, "a   b");
	assert_string_equal(df->instrs[2].text, "1001");
	assert_int_equal(df->instrs[2].user.uid, 1001);
}

static void continuation_to_end_of_file(void **state)
{
	(void)state;
	struct dockerfile *df = parse("FROM a\nRUN a \\");
	assert_non_null(df);
	assert_string_equal(df->instrs[1].text, "a");
	df = parse("FROM a\nRUN a \\\n\n\n");
	assert_non_null(df);
	assert_int_equal(df->ninstrs, 2);
}

/* A stage is Windows by its platform, or a base image that names windows or nanoserver in any case.
 */
static void windows_stages(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		bool windows;
	} cases[] = {
	    {"FROM mcr.microsoft.com/windows/servercore:ltsc2022\n", true},
	    {"FROM mcr.microsoft.com/WindowsServerCore:ltsc2022\n", true},
	    {"FROM mcr.microsoft.com/powershell:NanoServer-1809\n", true},
	    {"FROM --platform=windows/amd64 example/app\n", true},
	    {"ARG B=mcr.microsoft.com/windows/nanoserver\nFROM $B\n", true},
	    {"FROM mcr.microsoft.com/windows/servercore AS w\nFROM w\n", true},
	    {"FROM alpine:3.20\n", false},
	    {"FROM example/window:1\nFROM nano/server\n", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dockerfile *df = parse(cases[i].text);
		assert_non_null(df);
		assert_int_equal(df_stage_is_windows(df, df_final_stage(df)), cases[i].windows);
	}
}

static void escape_directive(void **state)
{
	(void)state;
	/* `# escape=`` makes the backtick the escape and continuation char. */
	const char *t = "# escape=`\nFROM mcr.microsoft.com/windows/servercore\n"
			"RUN Write-Host a `\n  b\nCOPY C:\\a C:\\b\n";
	struct dockerfile *df = parse(t);
	assert_non_null(df);
	assert_int_equal(df->escape, '`');
	assert_string_equal(df->instrs[1].text, "Write-Host a   b");
	/* A backslash is then an ordinary character. */
	assert_string_equal(df->instrs[2].args[0].text, "C:\\a");
	/* Directives are case-insensitive and may have blanks around '='. */
	df = parse("#  ESCAPE = `\nFROM a\n");
	assert_int_equal(df->escape, '`');
	/* A directive after an instruction, comment or blank line is a comment. */
	df = parse("FROM a\n# escape=`\n");
	assert_int_equal(df->escape, '\\');
	df = parse("# hello\n# escape=`\nFROM a\n");
	assert_int_equal(df->escape, '\\');
	df = parse("\n# escape=`\nFROM a\n");
	assert_int_equal(df->escape, '\\');
	/* An unknown directive ends the directives too. */
	df = parse("# foo=bar\n# escape=`\nFROM a\n");
	assert_int_equal(df->escape, '\\');
	/* syntax= and check= are kept. */
	df = parse("# syntax=docker/dockerfile:1\n# check=skip=all\nFROM a\n");
	assert_string_equal(df->syntax, "docker/dockerfile:1");
	assert_string_equal(df->check, "skip=all");
}

static void invalid_escape_directive(void **state)
{
	(void)state;
	struct df_error err;
	const char *t = "# escape=x\nFROM a\n";
	assert_null(parse_n(t, strlen(t), &err));
	assert_non_null(strstr(err.message, "invalid escape token"));
	assert_int_equal(err.start, off(t, "x"));
	/* Only one of each directive. */
	t = "# escape=`\n# escape=\\\nFROM a\n";
	assert_null(parse_n(t, strlen(t), &err));
	assert_non_null(strstr(err.message, "only one escape"));
	assert_int_equal(err.start, off(t, "# escape=\\"));
}

static void heredocs(void **state)
{
	(void)state;
	const char *t = "FROM a\nRUN <<EOF\necho hi\nEOF\nUSER 1\n";
	struct dockerfile *df = parse(t);
	assert_non_null(df);
	const struct df_instr *in = &df->instrs[1];
	assert_int_equal(in->nheredocs, 1);
	assert_string_equal(in->heredocs[0].name, "EOF");
	assert_string_equal(in->heredocs[0].body, "echo hi\n");
	assert_false(in->heredocs[0].quoted);
	assert_int_equal(in->heredocs[0].start, off(t, "echo"));
	assert_int_equal(in->heredocs[0].end, off(t, "EOF\nUSER"));
	assert_int_equal(in->end, off(t, "\nUSER"));
	assert_int_equal(df->instrs[2].cmd, DF_USER);

	/* <<- strips leading tabs, from the body and before the delimiter. */
	df = parse("FROM a\nRUN <<-EOT\n\techo a\n\tEOT\n");
	assert_true(df->instrs[1].heredocs[0].chomp);
	assert_string_equal(df->instrs[1].heredocs[0].body, "echo a\n");

	/* A quoted delimiter turns expansion off. */
	df = parse("FROM a\nRUN <<'EOF'\n$HOME\nEOF\nRUN <<\"X\"\nx\nX\n");
	assert_true(df->instrs[1].heredocs[0].quoted);
	assert_string_equal(df->instrs[1].heredocs[0].name, "EOF");
	assert_true(df->instrs[2].heredocs[0].quoted);

	/* Several on one line are read in order. */
	df = parse("FROM a\nCOPY <<A <<B /dst/\na\nA\nb\nB\nUSER 1\n");
	in = &df->instrs[1];
	assert_int_equal(in->nheredocs, 2);
	assert_string_equal(in->heredocs[0].body, "a\n");
	assert_string_equal(in->heredocs[1].body, "b\n");
	assert_int_equal(df->ninstrs, 3);

	/* `<< EOF` (a space) and heredocs in quotes are not heredocs. */
	df = parse("FROM a\nRUN cat << EOF\nRUN echo '<<EOF'\n");
	assert_int_equal(df->ninstrs, 3);
	assert_int_equal(df->instrs[1].nheredocs, 0);
	/* Only RUN, COPY and ADD take heredocs. */
	df = parse("FROM a\nLABEL a=<<EOF\nUSER 1\n");
	assert_int_equal(df->ninstrs, 3);
	/* CRLF bodies lose their CRs, as BuildKit's line scanner drops them. */
	df = parse("FROM a\r\nRUN <<EOF\r\necho\r\nEOF\r\n");
	assert_string_equal(df->instrs[1].heredocs[0].body, "echo\n");
}

static void unterminated_heredoc(void **state)
{
	(void)state;
	struct df_error err;
	const char *t = "FROM a\nRUN <<EOF\necho never closed\n";
	assert_null(parse_n(t, strlen(t), &err));
	assert_string_equal(err.message, "unterminated heredoc");
	assert_int_equal(err.start, off(t, "<<EOF"));
	assert_int_equal(err.end, off(t, "<<EOF") + 5);
}

static void json_form(void **state)
{
	(void)state;
	const char *t = "FROM a\nCMD [\"/bin/app\", \"--x=\\\"q\\\"\", \"\\u00e9\"]\n";
	struct dockerfile *df = parse(t);
	const struct df_instr *in = &df->instrs[1];
	assert_true(in->json);
	assert_int_equal(in->nargs, 3);
	assert_string_equal(in->args[0].text, "/bin/app");
	assert_string_equal(in->args[1].text, "--x=\"q\"");
	assert_string_equal(in->args[2].text, "\xc3\xa9");
	assert_int_equal(in->args[0].start, off(t, "\"/bin/app\""));
	assert_int_equal(in->args[0].end, off(t, "\"/bin/app\"") + 10);
	/* Broken JSON is the shell form (parseMaybeJSON). */
	df = parse("FROM a\nCMD [\"a\", b]\nENTRYPOINT [\"x\"\n");
	assert_false(df->instrs[1].json);
	assert_string_equal(df->instrs[1].text, "[\"a\", b]");
	assert_false(df->instrs[2].json);
	/* An empty array is JSON. */
	df = parse("FROM a\nCMD []\n");
	assert_true(df->instrs[1].json);
	assert_int_equal(df->instrs[1].nargs, 0);
	/* JSON across continuation lines keeps positions. */
	t = "FROM a\nENTRYPOINT [\"a\", \\\n  \"b\"]\n";
	df = parse(t);
	assert_true(df->instrs[1].json);
	assert_int_equal(df->instrs[1].args[1].start, off(t, "\"b\""));
}

static void json_with_non_strings_is_an_error(void **state)
{
	(void)state;
	/* errDockerfileNotStringArray: valid JSON, but not all strings. */
	struct df_error err;
	const char *t = "FROM a\nCMD [\"a\", 1]\n";
	assert_null(parse_n(t, strlen(t), &err));
	assert_non_null(strstr(err.message, "strings only"));
	assert_int_equal(err.start, off(t, "[\"a\""));
}

static void flags(void **state)
{
	(void)state;
	const char *t = "FROM --platform=$BUILDPLATFORM golang AS build\n"
			"COPY --from=build --chown=1001:0 --chmod=755 --link /out /app\n"
			"RUN --mount=type=cache,target=/root/.cache go build\n";
	struct dockerfile *df = parse(t);
	const struct df_instr *in = &df->instrs[1];
	assert_int_equal(in->nflags, 4);
	assert_string_equal(df_flag_get(in, "from")->value, "build");
	assert_string_equal(df_flag_get(in, "chown")->value, "1001:0");
	assert_string_equal(df_flag_get(in, "chmod")->value, "755");
	assert_null(df_flag_get(in, "link")->value);
	assert_int_equal(df_flag_get(in, "chown")->start, off(t, "--chown=1001"));
	assert_int_equal(df_flag_get(in, "chown")->end, off(t, "--chown=1001") + 14);
	assert_string_equal(in->text, "/out /app");
	assert_string_equal(df_flag_get(&df->instrs[2], "mount")->value,
			    "type=cache,target=/root/.cache");
	assert_string_equal(df->stages[0].platform, "$BUILDPLATFORM");
	/* `--chown 3000:3000` (no '='): BuildKit's BFlags refuses a string flag without a value. */
	struct df_error err;
	const char *bad = "FROM a\nCOPY --chown 3000:3000 a /b\n";
	assert_null(parse_n(bad, strlen(bad), &err));
	assert_non_null(strstr(err.message, "missing a value on flag: chown"));
	assert_int_equal(err.start, off(bad, "--chown"));
	/* Quotes in a flag value are removed; `--` ends the flags. */
	df = parse("FROM a\nCOPY --chown=\"1 2\" -- --odd /x\n");
	assert_string_equal(df_flag_get(&df->instrs[1], "chown")->value, "1 2");
	assert_string_equal(df->instrs[1].text, "--odd /x");
	/* Flags and JSON longer than the parser's stack buffers are read the same way. */
	char mount[700], longer[1600];
	memset(mount, 'm', sizeof(mount) - 1);
	mount[sizeof(mount) - 1] = '\0';
	snprintf(longer, sizeof(longer), "FROM a\nRUN --mount=target=/%s make\nCMD [\"%s\"]\n",
		 mount, mount);
	df = parse(longer);
	const struct df_flag *m = df_flag_get(&df->instrs[1], "mount");
	assert_int_equal(strlen(m->value), strlen("target=/") + strlen(mount));
	assert_string_equal(df->instrs[1].text, "make");
	assert_true(df->instrs[2].json);
	assert_string_equal(df->instrs[2].args[0].text, mount);
}

static void onbuild(void **state)
{
	(void)state;
	const char *t = "FROM a\nONBUILD RUN echo hi\nonbuild USER 1001\n";
	struct dockerfile *df = parse(t);
	const struct df_instr *in = &df->instrs[1];
	assert_int_equal(in->cmd, DF_ONBUILD);
	assert_non_null(in->sub);
	assert_int_equal(in->sub->cmd, DF_RUN);
	assert_string_equal(in->sub->text, "echo hi");
	assert_int_equal(in->sub->start, off(t, "RUN echo"));
	assert_int_equal(df->instrs[2].sub->cmd, DF_USER);
	/* ONBUILD does not change the user of the stage that declares it. */
	assert_null(df->instrs[2].user.instr);
	struct df_error err;
	t = "FROM a\nONBUILD ONBUILD RUN x\n";
	assert_null(parse_n(t, strlen(t), &err));
}

static void stages(void **state)
{
	(void)state;
	const char *t = "ARG BASE=alpine:3.20\n"
			"FROM ${BASE} AS Build\n"
			"RUN make\n"
			"FROM build AS test\n"
			"FROM scratch\n"
			"COPY --from=build /out /out\n";
	struct dockerfile *df = parse(t);
	assert_int_equal(df->nstages, 3);
	assert_int_equal(df->instrs[0].stage, -1);
	assert_string_equal(df->stages[0].base, "${BASE}");
	assert_string_equal(df->stages[0].base_expanded, "alpine:3.20");
	/* Stage names are lower-cased; FROM <name> makes the stage a parent. */
	assert_string_equal(df->stages[0].name, "build");
	assert_int_equal(df->stages[0].parent, -1);
	assert_int_equal(df->stages[1].parent, 0);
	assert_int_equal(df->stages[2].parent, -1);
	assert_int_equal(df->stages[0].first, 1);
	assert_int_equal(df->stages[0].last, 3);
	assert_int_equal(df_final_stage(df), 2);
	assert_string_equal(df_root_image(df, 1), "alpine:3.20");
	assert_int_equal(df_stage_by_name(df, "BUILD", 2, false), 0);
	assert_int_equal(df_stage_by_name(df, "1", 2, true), 1);
	assert_int_equal(df_stage_by_name(df, "alpine", 2, true), -1);
	/* A name used before the stage that defines it is an image. */
	df = parse("FROM later\nFROM alpine AS later\n");
	assert_int_equal(df->stages[0].parent, -1);
}

static void bad_instructions(void **state)
{
	(void)state;
	struct df_error err;
	const char *t = "FROM a\nFOO bar\n";
	assert_null(parse_n(t, strlen(t), &err));
	assert_non_null(strstr(err.message, "unknown instruction 'FOO'"));
	assert_int_equal(err.start, off(t, "FOO"));
	t = "FROM a\nENV A=1 B\n";
	assert_null(parse_n(t, strlen(t), &err));
	assert_int_equal(err.start, off(t, "B\n"));
	t = "FROM a b\n";
	assert_null(parse_n(t, strlen(t), &err));
	t = "FROM a\nUSER\n";
	assert_null(parse_n(t, strlen(t), &err));
	/* Only ARG may come before the first FROM. */
	t = "ARG A=1\nRUN echo\nFROM a\n";
	assert_null(parse_n(t, strlen(t), &err));
	assert_int_equal(err.start, off(t, "RUN"));
	assert_non_null(parse("ARG A=1\n# c\nFROM a\n"));
}

static void binary_file(void **state)
{
	(void)state;
	struct df_error err;
	const char t[] = "FROM a\nRUN x\0y\n";
	assert_null(parse_n(t, sizeof(t) - 1, &err));
	assert_non_null(strstr(err.message, "binary file"));
	assert_int_equal(err.start, 12);
}

static void invalid_utf8_is_bytes(void **state)
{
	(void)state;
	struct dockerfile *df = parse("FROM a\nRUN echo \xff\xfe\xc3\nUSER \xe9t\xe9\n");
	assert_non_null(df);
	assert_string_equal(df->instrs[1].text, "echo \xff\xfe\xc3");
	assert_string_equal(df->instrs[2].user.user, "\xe9t\xe9");
	/* A UTF-8 byte order mark is dropped. */
	df = parse("\xef\xbb\xbf# escape=`\nFROM a\n");
	assert_int_equal(df->escape, '`');
}

static void comments_are_kept(void **state)
{
	(void)state;
	const char *t =
	    "# unroot global ignore=NR107\nFROM a\n  # unroot ignore=NR102 ok\nUSER 0\n";
	struct dockerfile *df = parse(t);
	assert_int_equal(df->ncomments, 2);
	assert_string_equal(df->comments[1].text, "unroot ignore=NR102 ok");
	assert_int_equal(df->comments[1].start, off(t, "# unroot ignore"));
}

static double parse_seconds(const char *kind, int lines)
{
	size_t cap = (size_t)lines * 32 + 64, len = 0;
	char *t = malloc(cap);
	assert_non_null(t);
	len += (size_t)snprintf(t, cap, "FROM a\nENV V1=1\nRUN \\\n");
	for (int i = 0; i < lines; i++)
		len += (size_t)snprintf(t + len, cap - len, kind, i, i);
	clock_t c0 = clock();
	struct arena *a = arena_new(1u << 30);
	struct source *src = source_new(a, "Dockerfile", t, len);
	struct dockerfile df;
	struct df_error err;
	assert_int_equal(df_parse(a, src, &df, &err), 0);
	assert_int_equal(df_eval(a, &df), 0);
	double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
	arena_free(a);
	free(t);
	return secs;
}

/*
 * 100,000 lines of each kind parse in linear time. A quadratic step over
 * 100,000 lines costs around 10^10 operations, many seconds; the linear
 * reader takes a fraction of a second (more under sanitizers).
 */
static void large_inputs_are_linear(void **state)
{
	(void)state;
	const char *kinds[] = {"RUN echo %d\n",	    "ENV V%d=$V1\n",	"USER $V%d\n",
			       "  a%d \\\n",	    "ARG A%d=1\n",	"FROM a AS s%d\n",
			       "FROM s%d AS s%d\n", "# comment %d\n\n", "COPY <<E%d /x\nE%d\n"};
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		double secs = parse_seconds(kinds[k], 100000);
		print_message("kind %zu: 100k lines in %.3fs\n", k, secs);
		assert_true(secs < 5.0);
	}
}

/* A full arena is an error with a reason, never a crash, wherever it happens. */
static void full_arena(void **state)
{
	(void)state;
	size_t cap = 200000 * 40, len = 0;
	char *t = malloc(cap);
	assert_non_null(t);
	len += (size_t)snprintf(t, cap, "ARG A=1\nFROM a AS s\n");
	for (int i = 0; len + 64 < cap && i < 200000; i++)
		len +=
		    (size_t)snprintf(t + len, cap - len, "ENV V%d=$A x=\"y\"\nUSER $V%d:0\n", i, i);
	for (size_t limit = 1u << 16; limit <= (64u << 20); limit *= 4) {
		struct arena *a = arena_new(limit);
		struct source *src = source_new(a, "Dockerfile", t, len);
		if (src) {
			struct dockerfile df;
			struct df_error err;
			if (df_parse(a, src, &df, &err) == 0)
				(void)df_eval(a, &df);
			else
				assert_non_null(err.message);
		}
		arena_free(a);
	}
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(instructions_and_spans),
	    cmocka_unit_test(continuation_lines),
	    cmocka_unit_test(comments_and_blank_lines_inside_continuations),
	    cmocka_unit_test(crlf_line_endings),
	    cmocka_unit_test(continuation_to_end_of_file),
	    cmocka_unit_test(escape_directive),
	    cmocka_unit_test(windows_stages),
	    cmocka_unit_test(invalid_escape_directive),
	    cmocka_unit_test(heredocs),
	    cmocka_unit_test(unterminated_heredoc),
	    cmocka_unit_test(json_form),
	    cmocka_unit_test(json_with_non_strings_is_an_error),
	    cmocka_unit_test(flags),
	    cmocka_unit_test(onbuild),
	    cmocka_unit_test(stages),
	    cmocka_unit_test(bad_instructions),
	    cmocka_unit_test(binary_file),
	    cmocka_unit_test(invalid_utf8_is_bytes),
	    cmocka_unit_test(comments_are_kept),
	    cmocka_unit_test(large_inputs_are_linear),
	    cmocka_unit_test(full_arena),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
