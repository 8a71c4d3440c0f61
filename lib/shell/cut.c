/*
 * cut.c - where a shell text can be cut into stretches that parse on their own.
 *
 * A separator that ends a command at the top level of a text (a newline, ;,
 * &, &&, ||, |, |&) leaves the parser as it was at the text's start: no open
 * quote, substitution, subshell, [[ ]], case or heredoc, and no command under
 * way. So the stretches between such separators parse to the same commands
 * as the whole text does, and sh_parse_near() parses only the stretches a
 * name stands in: most of a long RUN line installs packages.
 *
 * sh_next_cut() reads the text as shell.c's lexer does, as far as telling
 * such separators needs, and no further. Where it cannot be sure it reads as
 * the lexer would (a heredoc, ((, [[ ]] across a separator or around
 * a parenthesis, a case it cannot follow, nesting past CUT_DEPTH, anything
 * unterminated) it gives up, and the rest of the text is parsed whole. Each
 * guess it makes errs toward cutting less: a [[ or a case anywhere starts a
 * condition or a case (opening too many is safe: the reading only gives up
 * later), a bare ( opens a group whether or not the parser takes it for a
 * subshell, and a case ends only at an esac that stands where a command
 * surely starts (closing one too early would not be safe).
 */
#include "internal.h"

#include <stdint.h>
#include <string.h>

#define CUT_DEPTH 8

/* "...", $( <( >( (and one opened inside [[ ]], which it leaves), a bare (, case */
enum ctx { CUT_DQ, CUT_SUB, CUT_SUB_COND, CUT_GROUP, CUT_CASE };

/* Bytes a run of plain word bytes ends at (the lexer's `special`, #, and NUL). */
static const bool special[256] = {
    [' '] = true,  ['\t'] = true, ['\r'] = true, ['\f'] = true, ['\v'] = true,
    ['\n'] = true, [';'] = true,  ['&'] = true,	 ['|'] = true,	['<'] = true,
    ['>'] = true,  ['('] = true,  [')'] = true,	 ['\\'] = true, ['\''] = true,
    ['"'] = true,  ['$'] = true,  ['`'] = true,	 ['#'] = true,	['\0'] = true,
};

struct cutter {
	const char *t;
	size_t i, end;
	unsigned char stack[CUT_DEPTH];
	int sp;
	bool start;	/* at a token's first byte: # starts a comment */
	bool sure;	/* a word here surely starts a command, or is a case pattern */
	bool cond;	/* after a [[ word, until a ]] word */
	int case_words; /* words left of `case WORD in` */
	size_t tok;	/* where the current word started */
	bool backtick;	/* the stretch has a `...`, which only parsing checks */
};

/* plain_value() for a word with a line continuation in it. */
static const char *spliced_value(const struct cutter *C, char buf[8])
{
	size_t k = 0;
	for (size_t i = C->i; i < C->end; i++) {
		char c = C->t[i];
		if (c == '\\' && i + 1 < C->end && C->t[i + 1] == '\n') {
			i++; /* a line continuation is no part of the value */
			continue;
		}
		if (sh_is_blank(c) || c == '\n' || (C->cond ? c == ';' : sh_is_meta(c)))
			break;
		if (c == '\\' || c == '\'' || c == '"' || c == '$' || c == '`' || k == 7)
			return ""; /* quoted or expanded words are no keywords */
		buf[k++] = c;
	}
	buf[k] = '\0';
	return buf;
}

/*
 * The value of the plain word at C->i as the lexer would build it, when it
 * is short and has no quote, escape or expansion; else "" (no keyword has
 * any byte that makes it so).
 */
static const char *plain_value(const struct cutter *C, char buf[8])
{
	const char *t = C->t;
	size_t i = C->i, k = 0;
	while (i < C->end && !special[(unsigned char)t[i]] && k < 7)
		buf[k++] = t[i++];
	buf[k] = '\0';
	if (i >= C->end)
		return buf;
	char c = t[i];
	if (c == '\\' && i + 1 < C->end && t[i + 1] == '\n')
		return spliced_value(C, buf);
	return sh_is_blank(c) || c == '\n' || (C->cond ? c == ';' : sh_is_meta(c)) ? buf : "";
}

static bool push(struct cutter *C, enum ctx k)
{
	if (C->sp == CUT_DEPTH)
		return false;
	C->stack[C->sp++] = (unsigned char)k;
	return true;
}

static bool top_is(const struct cutter *C, enum ctx k)
{
	return C->sp && C->stack[C->sp - 1] == k;
}

/* $( <( >( at C->i, `skip` bytes long: as sub_paren, the inside is no [[ ]]. */
static bool open_sub(struct cutter *C, size_t skip)
{
	C->i += skip;
	C->start = C->sure = true;
	bool ok = push(C, C->cond ? CUT_SUB_COND : CUT_SUB);
	C->cond = false;
	return ok;
}

/*
 * ` at C->i: past its closing one (as lex_backtick), or false. A heredoc
 * begun inside is read from the line after it, outside: no guess.
 */
static bool backtick(struct cutter *C)
{
	size_t q = C->i + 1;
	while (q < C->end && C->t[q] != '`') {
		if (C->t[q] == '<' && q + 1 < C->end && C->t[q + 1] == '<')
			return false;
		q += C->t[q] == '\\' ? 2 : 1;
	}
	C->i = q + 1;
	C->backtick = true;
	return q < C->end;
}

/* Keywords the parser steps over at a command's start, so the next word starts it. */
static bool keeps_sure(const char *w)
{
	switch (w[0]) {
	case 'i':
		return strcmp(w, "if") == 0;
	case 't':
		return strcmp(w, "then") == 0;
	case 'e':
		return strcmp(w, "else") == 0 || strcmp(w, "elif") == 0;
	case 'f':
		return strcmp(w, "fi") == 0;
	case 'd':
		return strcmp(w, "do") == 0 || strcmp(w, "done") == 0;
	case 'w':
		return strcmp(w, "while") == 0;
	case 'u':
		return strcmp(w, "until") == 0;
	case '{':
	case '}':
	case '!':
		return w[1] == '\0';
	default:
		return false;
	}
}

/* Whether a word starting with c can be case, esac, or one keeps_sure() knows. */
static bool keyword_start(char c)
{
	switch (c) {
	case 'c':
	case 'e':
	case 'i':
	case 't':
	case 'f':
	case 'd':
	case 'w':
	case 'u':
	case '{':
	case '}':
	case '!':
		return true;
	default:
		return false;
	}
}

/*
 * A word starts at C->i (`plain`: with a byte no quote or expansion): follows
 * [[ ]] and case as the parser does. False when the reading cannot go on.
 * Only a plain word can be a keyword, and most words are arguments, which
 * only [[ and case are looked for in.
 */
static bool word_start(struct cutter *C, bool plain)
{
	char buf[8], c = C->t[C->i];
	bool sure = C->sure;
	C->tok = C->i;
	C->start = false;
	C->sure = false;
	if (C->case_words) {
		/* case WORD in: after `in` come patterns, where esac may stand */
		C->sure = --C->case_words == 0 && plain && c == 'i' &&
			  strcmp(plain_value(C, buf), "in") == 0;
		return true;
	}
	if (!plain)
		return true;
	if (C->cond) {
		C->cond = c != ']' || strcmp(plain_value(C, buf), "]]") != 0;
		return true;
	}
	if (c == '[') {
		C->cond = strcmp(plain_value(C, buf), "[[") == 0;
		return true;
	}
	if (!keyword_start(c))
		return true;
	const char *w = plain_value(C, buf);
	if (strcmp(w, "case") == 0) {
		C->case_words = 2;
		return push(C, CUT_CASE);
	}
	if (strcmp(w, "esac") == 0) {
		if (sure && top_is(C, CUT_CASE))
			C->sp--;
		C->sure = sure; /* the parser reads on for a command */
		return true;
	}
	C->sure = sure && keeps_sure(w);
	return true;
}

/* Past the } that closes ${ at t[i] (as lex_brace), or SIZE_MAX. */
static size_t brace_end(const char *t, size_t i, size_t end)
{
	int depth = 1;
	for (size_t q = i + 2; q < end; q++) {
		char c = t[q];
		if (c == '\\') {
			q++;
			continue;
		}
		if (c == '\'') {
			const char *e = memchr(t + q + 1, '\'', end - q - 1);
			if (!e)
				return SIZE_MAX;
			q = (size_t)(e - t);
			continue;
		}
		if (c == '{')
			depth++;
		else if (c == '}' && --depth == 0)
			return q + 1;
	}
	return SIZE_MAX;
}

/* Past the )) that closes $(( at t[i] (as arith_end), or SIZE_MAX. */
static size_t arith_end(const char *t, size_t i, size_t end)
{
	int depth = 2;
	for (size_t q = i + 3; q < end; q++) {
		if (t[q] == '(')
			depth++;
		else if (t[q] == ')' && --depth == 0)
			return q + 1;
	}
	return SIZE_MAX;
}

/* $ at C->i (in double quotes or not), as lex_dollar reads it. False: give up. */
static bool dollar(struct cutter *C, bool dq)
{
	const char *t = C->t;
	size_t i = C->i, end = C->end;
	char nx = i + 1 < end ? t[i + 1] : '\0';
	if (!dq && nx == '\'') {
		/* $'...': to the quote no backslash escapes, as lex_dollar reads it */
		size_t q = i + 2;
		while (q < end && t[q] != '\'')
			q += t[q] == '\\' && q + 1 < end ? 2 : 1;
		C->i = q + 1;
		return q < end;
	}
	if (nx == '(' && i + 2 < end && t[i + 2] == '(') {
		C->i = arith_end(t, i, end);
		return C->i != SIZE_MAX;
	}
	if (nx == '(')
		return open_sub(C, 2);
	if (nx == '{') {
		C->i = brace_end(t, i, end);
		return C->i != SIZE_MAX;
	}
	/* $$ $# $1 ...: two bytes, so the second is no $ or # of its own; $"...": the
	 * quote comes next; $NAME: word bytes */
	C->i = i + ((nx >= '0' && nx <= '9') || (nx && strchr("@*#?$!-", nx)) ? 2 : 1);
	return true;
}

/* One step inside double quotes. */
static bool in_dquote(struct cutter *C)
{
	const char *t = C->t;
	size_t i = C->i, end = C->end;
	while (i < end && !sh_dq_special[(unsigned char)t[i]])
		i++;
	C->i = i;
	if (i >= end)
		return false;
	switch (t[i]) {
	case '"':
		C->sp--;
		C->i++;
		return true;
	case '\\':
		C->i += i + 1 < end && strchr("$`\"\\\n", t[i + 1]) ? 2 : 1;
		return true;
	case '`':
		return backtick(C);
	default:
		return dollar(C, true);
	}
}

/* A separator of `n` bytes at C->i: true when it cuts the text there. */
static bool separator(struct cutter *C, size_t n)
{
	if (C->sp == 0 && !C->cond)
		return true;
	C->i += n;
	C->start = C->sure = true;
	return false;
}

/* NAME=(a b): to the matching parenthesis, quotes or not, as lex_word reads it. */
static bool array(struct cutter *C)
{
	if (C->start || C->i <= C->tok || sh_assign_end(C->t, C->tok, C->i) != C->i)
		return false;
	int depth = 1;
	size_t q = C->i + 1;
	while (q < C->end && depth) {
		if (C->t[q] == '(')
			depth++;
		else if (C->t[q] == ')')
			depth--;
		q++;
	}
	C->i = q;
	return true;
}

/* One step outside double quotes: false to give up, *cut set at a cut. */
static bool step(struct cutter *C, size_t *n, bool *cut)
{
	const char *t = C->t;
	size_t end = C->end;
	char c = t[C->i];
	if (!special[(unsigned char)c]) {
		if (C->start && !word_start(C, true))
			return false;
		while (++C->i < end && !special[(unsigned char)t[C->i]])
			;
		return true;
	}
	char nx = C->i + 1 < end ? t[C->i + 1] : '\0';
	switch (c) {
	case '\\':
		if (nx == '\n') {
			C->i += 2; /* a line continuation: a word goes on, a blank stays blank */
			return true;
		}
		if (C->start && !word_start(C, false))
			return false;
		C->i += C->i + 1 < end ? 2 : 1;
		return true;
	case '\'': {
		const char *e = memchr(t + C->i + 1, '\'', end - C->i - 1);
		if (!e || (C->start && !word_start(C, false)))
			return false;
		C->i = (size_t)(e - t) + 1;
		return true;
	}
	case '"':
		if (C->start && !word_start(C, false))
			return false;
		C->i++;
		return push(C, CUT_DQ);
	case '`':
		if (C->start && !word_start(C, false))
			return false;
		return backtick(C);
	case '$':
		if (C->start && !word_start(C, false))
			return false;
		return dollar(C, false);
	case '\0':
		return false; /* the parser compares words as C strings: "case\0x" is case */
	case '#':
		/* In [[ ]] a # after & | < > is a word's byte, outside it starts a comment:
		 * since [[ is taken for a condition where the parser may not, no guess. */
		if (C->cond)
			return false;
		if (!C->start) {
			C->i++; /* inside a word */
			return true;
		}
		while (C->i < end && t[C->i] != '\n')
			C->i++;
		return true;
	case '\n':
		if (C->cond)
			return false;
		*n = 1;
		*cut = separator(C, 1);
		return true;
	case ';':
		if (C->cond)
			return false;
		if (nx == ';' || nx == '&') {
			/* ;; ;& ;;& end a case branch: patterns follow */
			if (!top_is(C, CUT_CASE))
				return false;
			C->i += nx == ';' && C->i + 2 < end && t[C->i + 2] == '&' ? 3 : 2;
			C->start = C->sure = true;
			return true;
		}
		*n = 1;
		*cut = separator(C, 1);
		return true;
	case '(':
		if (C->cond || nx == '(')
			return false;
		if (array(C))
			return true;
		C->i++;
		C->start = C->sure = true;
		return push(C, CUT_GROUP);
	case ')':
		if (C->cond || C->sp == 0)
			return false;
		C->i++;
		if (top_is(C, CUT_CASE)) {
			C->start = C->sure = true; /* the end of a pattern */
			return true;
		}
		switch (C->stack[--C->sp]) {
		case CUT_GROUP:
			C->start = C->sure = true;
			break;
		case CUT_SUB_COND:
			C->cond = true;
			/* fall through */
		default:
			C->start = C->sure = false; /* $(...) goes on as a word */
		}
		return true;
	case '&':
	case '|':
		if (C->cond) {
			C->i++; /* a word's byte in [[ ]] */
			C->start = false;
			return true;
		}
		if (c == '&' && nx == '>') {
			C->i += C->i + 2 < end && t[C->i + 2] == '>' ? 3 : 2; /* &> &>> */
			C->start = true;
			C->sure = false;
			return true;
		}
		*n = nx == c || (c == '|' && nx == '&') ? 2 : 1;
		*cut = separator(C, *n);
		return true;
	case '<':
	case '>':
		if (nx == '(') {
			if (C->cond || (C->start && !word_start(C, false)))
				return false;
			return open_sub(C, 2); /* <(...) >(...) */
		}
		if (c == '<' && nx == '<' && (C->i + 2 >= end || t[C->i + 2] != '<'))
			return false; /* a heredoc */
		if (C->cond) {
			C->i++; /* a word's byte in [[ ]] */
			C->start = false;
			return true;
		}
		if (c == '<' && nx == '<') {
			C->i += 3; /* <<< */
		} else {
			bool two =
			    c == '>' ? nx == '>' || nx == '&' || nx == '|' : nx == '&' || nx == '>';
			C->i += two ? 2 : 1;
		}
		/* the word after a redirection is its target: no esac can close a case there */
		C->start = true;
		C->sure = false;
		return true;
	default: /* a blank */
		C->i++;
		C->start = true;
		return true;
	}
}

size_t sh_next_cut(const char *t, size_t i, size_t end, size_t *n, bool *must)
{
	struct cutter C = {.t = t, .i = i, .end = end, .start = true, .sure = true};
	while (C.i < C.end) {
		bool dq = top_is(&C, CUT_DQ);
		if (!dq) {
			/* The common bytes first, in locals: blanks, and the plain bytes of
			 * words no keyword can be (arguments, mostly). */
			size_t k = C.i;
			bool start = C.start;
			while (k < end) {
				unsigned char c = (unsigned char)t[k];
				if (c == ' ' || c == '\t') {
					start = true;
					k++;
					continue;
				}
				if (special[c] || (start && (C.sure || C.cond || C.case_words ||
							     c == '[' || c == 'c')))
					break;
				if (start)
					C.tok = k;
				start = false;
				while (++k < end && !special[(unsigned char)t[k]])
					;
			}
			C.i = k;
			C.start = start;
			if (k >= end)
				break;
		}
		bool cut = false;
		bool ok = dq ? in_dquote(&C) : step(&C, n, &cut);
		if (!ok)
			return SIZE_MAX;
		if (cut) {
			*must = C.backtick;
			return C.i;
		}
	}
	if (C.sp || C.cond || C.case_words)
		return SIZE_MAX;
	*n = 0;
	*must = C.backtick;
	return end;
}
