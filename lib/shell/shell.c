/*
 * shell.c - splits a POSIX shell script into simple commands.
 *
 * A hand-written lexer and a flat parser: compound commands (if, for, while,
 * case, subshells, braces, functions) are read only as far as needed to tell
 * their keywords from commands. Command substitutions ($(...) and `...`) and
 * the string of `sh -c STRING` are parsed too, and their commands are added
 * with a greater depth. Nothing is expanded or run. Recursion and nesting are
 * bounded; the only errors are unterminated quotes and substitutions, too
 * deep a nesting, and a full arena.
 */
#include "shell/shell.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "unroot/arena.h"

#define MAX_NEST   16 /* $(...), `...`, sh -c inside one another */
#define MAX_FRAMES 64 /* open subshells and case statements in one list */

/* The lexer's character classes. */
static bool sh_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static bool sh_is_meta(char c)
{
	return c == ';' || c == '&' || c == '|' || c == '<' || c == '>' || c == '(' || c == ')';
}

static bool sh_is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool sh_is_name_char(char c)
{
	return sh_is_name_start(c) || (c >= '0' && c <= '9');
}

/* Offset just past the NAME= or NAME+= that t[start..end) starts with, or 0. */
static size_t sh_assign_end(const char *t, size_t start, size_t end)
{
	if (start >= end || !sh_is_name_start(t[start]))
		return 0;
	size_t i = start + 1;
	while (i < end && sh_is_name_char(t[i]))
		i++;
	if (i < end && t[i] == '+')
		i++;
	return i < end && t[i] == '=' ? i + 1 : 0;
}

struct out {
	struct sh_cmd *cmds;
	size_t n, cap;
};

/* A word while it is built: its value, and where each byte came from. */
struct word_build {
	char *buf;
	size_t n, cap;
	unsigned *map; /* NULL while value[i] came from text[start + i] */
	size_t mcap;
	size_t start;
	bool expands, quoted;
};

/* A word of a command being read, with its offset map (NULL: identity). */
struct cmd_word {
	struct sh_word w;
	const unsigned *map;
	size_t mapn;
};

struct pending {
	struct sh_heredoc *h;
	const char *delim;
	bool chomp;
};

enum token_type { T_EOF, T_WORD, T_OP, T_NL, T_REDIR, T_ARITH };

struct tok {
	enum token_type type;
	const char *op;
	size_t start, end;
	struct sh_word w;
	const unsigned *map;
	size_t mapn;
	bool quoted, assign;
};

struct branch {
	const struct sh_cond *cond;
	bool root; /* after `[ "$(id -u)" = 0 ] &&`: runs only as root */
};

struct parser {
	struct arena *a;
	const char *t;
	char *copy; /* t copied: a plain word's value is its span here, ended in place */
	size_t len, pos, end;
	unsigned depth, nest;
	struct out *out;
	struct sh_error *err;
	bool failed;
	bool limit;	/* the failure is a limit of this reader, not a text the shell refuses */
	bool cond;	/* inside [[ ... ]] */
	bool cmd_start; /* the next token would start a command */
	struct pending *pend;
	size_t npend, cappend;
	struct tok back;
	bool has_back;
	/* open if statements: whether each branch runs only as root (sh_cmd.root_only) */
	struct if_frame {
		size_t cond_first; /* the condition's commands start here in out */
		signed char root;  /* the condition holds: +1 only as root, -1 only not as root */
		char part;	   /* 'c' condition, 't' then, 'e' else */
		size_t cond_list;  /* the last and-or list of the condition starts here in out */
		bool all_and;	   /* that list's commands are joined by && only */
		bool bang;	   /* that list began with `!` */
	} ifs[MAX_FRAMES];
	int nifs;
	/* The conditions commands run under (sh_cmd.cond, and root_only after a root test's &&):
	 * `base` for a new and-or list here, `andor` for the next pipeline of this one. */
	struct branch base, andor;
	size_t list_first,
	    pipe_first; /* out->n where the and-or list and its last pipeline began */
	bool bang;	/* the pipeline began with `!` */
	bool list_or;	/* the and-or list holds || or | */
	bool after_op;	/* the last token was && or ||: a newline continues */
	/* what an if, a loop, a case, braces or a subshell keep of the list around them */
	struct group {
		struct branch base, andor;
		size_t list_first, pipe_first;
		const struct sh_cond *test; /* an if's undecided test (then), or NULL */
		struct sh_word *arm;	    /* a case: its word, then the patterns of an arm */
		size_t narm;
		const struct sh_cond *others; /* a case: none of the arms before matched */
		char kind; /* 'i' if, 'w' loop, 'c' case, 'b' braces, 'p' subshell */
		bool func; /* a function's body */
	} grps[MAX_FRAMES];
	int ngrps;
	bool func_next; /* a function definition was read: the group that opens next is its body */
	int nfunc;	/* function bodies open */
};

struct cmd_build {
	struct cmd_word *words;
	size_t argc, capw;
	struct sh_redir *redirs;
	size_t nredirs, capr;
	size_t nassign;
	size_t start, end;
	bool any;
};

static int parse_list(struct parser *parser, bool stop_rparen, bool *closed);
static bool root_only(const struct parser *parser);

static int fail(struct parser *parser, size_t start, size_t end, const char *msg)
{
	if (!parser->failed) {
		parser->failed = true;
		parser->err->start = start;
		parser->err->end = end;
		parser->err->message = msg;
		parser->err->limit = parser->limit;
	}
	return -1;
}

/* A limit of this reader: the text may be fine, but it is not read. */
static int fail_limit(struct parser *parser, size_t start, size_t end, const char *msg)
{
	if (!parser->failed)
		parser->limit = true;
	return fail(parser, start, end, msg);
}

static int oom(struct parser *parser)
{
	return fail_limit(parser, parser->pos, parser->pos,
			  "out of memory reading the shell script");
}

#define TOO_MANY_OPEN "more than 64 subshells and case statements open at once"
#define TOO_DEEP                                                                                   \
	"more than 15 command substitutions ($(...), `...`) and sh -c strings inside one another"

/* Appends `k` bytes that came from text offsets off, off+1, ... */
static int word_put(struct parser *parser, struct word_build *w, const char *src, size_t k,
		    size_t off)
{
	if (w->n + k + 2 > w->cap) {
		size_t ncap = w->cap ? w->cap : 32;
		while (ncap < w->n + k + 2)
			ncap *= 2;
		/* the bytes are written before they are read: no need to clear them */
		char *nb = w->buf ? arena_realloc(parser->a, w->buf, w->cap, ncap)
				  : arena_alloc_raw(parser->a, ncap);
		if (!nb)
			return oom(parser);
		w->buf = nb;
		w->cap = ncap;
	}
	if (!w->map && off != w->start + w->n) {
		w->mcap = w->cap;
		w->map = arena_alloc(parser->a, w->mcap * sizeof(*w->map));
		if (!w->map)
			return oom(parser);
		for (size_t i = 0; i < w->n; i++)
			w->map[i] = (unsigned)(w->start + i);
	}
	if (w->map) {
		if (w->n + k > w->mcap) {
			size_t ncap = w->mcap;
			while (ncap < w->n + k)
				ncap *= 2;
			unsigned *nm = arena_realloc(parser->a, w->map, w->mcap * sizeof(*nm),
						     ncap * sizeof(*nm));
			if (!nm)
				return oom(parser);
			w->map = nm;
			w->mcap = ncap;
		}
		for (size_t i = 0; i < k; i++)
			w->map[w->n + i] = (unsigned)(off + i);
	}
	memcpy(w->buf + w->n, src, k);
	w->n += k;
	w->buf[w->n] = '\0';
	return 0;
}

static int word_push(struct parser *parser, struct word_build *w, char c, size_t off)
{
	return word_put(parser, w, &c, 1, off);
}

/* Makes sure the word has a buffer: '' and "" are empty words, not nothing. */
static int word_ensure(struct parser *parser, struct word_build *w)
{
	if (w->buf)
		return 0;
	w->cap = 32;
	w->buf = arena_alloc(parser->a, w->cap);
	return w->buf ? 0 : oom(parser);
}

static int word_raw(struct parser *parser, struct word_build *w, size_t from, size_t to)
{
	return to > from ? word_put(parser, w, parser->t + from, to - from, from) : 0;
}

/* Bytes that end a word or need a closer look; every other byte is part of
 * a word as it stands, in and out of [[ ]]. */
static const bool special[256] = {
    [' '] = true, ['\t'] = true, ['\r'] = true, ['\f'] = true, ['\v'] = true, ['\n'] = true,
    [';'] = true, ['&'] = true,	 ['|'] = true,	['<'] = true,  ['>'] = true,  ['('] = true,
    [')'] = true, ['\\'] = true, ['\''] = true, ['"'] = true,  ['$'] = true,  ['`'] = true,
};

/*
 * Parses the commands of a substitution, text[from..end), one level deeper;
 * the state of the command around it is kept for after.
 */
static int parse_inner(struct parser *parser, size_t from, size_t end, bool stop_rparen,
		       bool *closed)
{
	size_t outer_end = parser->end;
	unsigned depth = parser->depth;
	bool cond = parser->cond, cmd_start = parser->cmd_start;
	/* the commands inside run under the conditions of the command around them */
	struct branch base = parser->base, andor = parser->andor;
	size_t list_first = parser->list_first, pipe_first = parser->pipe_first;
	bool bang = parser->bang, list_or = parser->list_or, after_op = parser->after_op;
	int ngrps = parser->ngrps;
	parser->nest++;
	parser->depth++;
	parser->cond = false;
	parser->end = end;
	parser->pos = from;
	parser->base = andor;
	parser->list_first = parser->pipe_first = parser->out->n;
	parser->bang = parser->list_or = parser->after_op = false;
	if (parse_list(parser, stop_rparen, closed) < 0)
		return -1;
	parser->nest--;
	parser->end = outer_end;
	parser->depth = depth;
	parser->cond = cond;
	parser->cmd_start = cmd_start;
	parser->base = base;
	parser->andor = andor;
	parser->list_first = list_first;
	parser->pipe_first = pipe_first;
	parser->bang = bang;
	parser->list_or = list_or;
	parser->after_op = after_op;
	parser->ngrps = ngrps;
	return 0;
}

/* Parses the commands of $(...) starting at `from`, up to its ')'. */
static int sub_paren(struct parser *parser, size_t open, size_t from)
{
	bool closed = false;
	if (parser->nest + 1 >= MAX_NEST)
		return fail_limit(parser, open, from, TOO_DEEP);
	if (parse_inner(parser, from, parser->end, true, &closed) < 0)
		return -1;
	if (!closed)
		return fail(parser, open, parser->end, "unterminated command substitution '$('");
	return 0;
}

static int lex_backtick(struct parser *parser, struct word_build *w)
{
	size_t open = parser->pos, q = open + 1;
	while (q < parser->end && parser->t[q] != '`')
		q += parser->t[q] == '\\' ? 2 : 1;
	if (q >= parser->end)
		return fail(parser, open, parser->end, "unterminated backquote");
	if (parser->nest + 1 >= MAX_NEST)
		return fail_limit(parser, open, q, TOO_DEEP);
	bool closed = false;
	if (parse_inner(parser, open + 1, q, false, &closed) < 0)
		return -1;
	parser->pos = q + 1;
	w->expands = true;
	return word_raw(parser, w, open, q + 1);
}

/* ${...}: to the matching brace, stepping over quotes and nested braces. */
static int lex_brace(struct parser *parser, struct word_build *w)
{
	size_t open = parser->pos, q = open + 2;
	int depth = 1;
	while (q < parser->end) {
		char c = parser->t[q];
		if (c == '\\') {
			q += 2;
			continue;
		}
		if (c == '\'') {
			const char *e = memchr(parser->t + q + 1, '\'', parser->end - q - 1);
			if (!e)
				break;
			q = (size_t)(e - parser->t) + 1;
			continue;
		}
		if (c == '{')
			depth++;
		else if (c == '}' && --depth == 0)
			break;
		q++;
	}
	if (q >= parser->end)
		return fail(parser, open, parser->end, "unterminated parameter expansion '${'");
	parser->pos = q + 1;
	w->expands = true;
	return word_raw(parser, w, open, q + 1);
}

/* $((...)) and ((...)): to the parenthesis closing the opening pair. */
static size_t arith_end(struct parser *parser, size_t from)
{
	int depth = 2;
	size_t q = from;
	while (q < parser->end) {
		char c = parser->t[q++];
		if (c == '(')
			depth++;
		else if (c == ')' && --depth == 0)
			return q;
	}
	return 0;
}

static int ansi_escape(char c)
{
	switch (c) {
	case 'n':
		return '\n';
	case 't':
		return '\t';
	case 'r':
		return '\r';
	case 'a':
		return '\a';
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'v':
		return '\v';
	case 'e':
	case 'E':
		return 033;
	case '\\':
	case '\'':
	case '"':
	case '?':
		return c;
	default:
		return -1;
	}
}

static int lex_dollar(struct parser *parser, struct word_build *w, bool in_dq)
{
	size_t p = parser->pos;
	char n = p + 1 < parser->end ? parser->t[p + 1] : '\0';
	if (!in_dq && n == '\'') {
		size_t q = p + 2;
		w->quoted = true;
		for (;;) {
			if (q >= parser->end)
				return fail(parser, p, parser->end, "unterminated $'...' quote");
			char c = parser->t[q];
			if (c == '\'')
				break;
			if (c == '\\' && q + 1 < parser->end) {
				int e = ansi_escape(parser->t[q + 1]);
				if (e >= 0) {
					if (word_push(parser, w, (char)e, q + 1) < 0)
						return -1;
				} else if (word_raw(parser, w, q, q + 2) < 0) {
					return -1;
				}
				q += 2;
				continue;
			}
			if (word_push(parser, w, c, q) < 0)
				return -1;
			q++;
		}
		parser->pos = q + 1;
		return 0;
	}
	if (!in_dq && n == '"') {
		parser->pos = p + 1; /* $"..." is a double-quoted string */
		return 0;
	}
	if (n == '(' && p + 2 < parser->end && parser->t[p + 2] == '(') {
		size_t e = arith_end(parser, p + 3);
		if (!e)
			return fail(parser, p, parser->end,
				    "unterminated arithmetic expansion '$(('");
		parser->pos = e;
		w->expands = true;
		return word_raw(parser, w, p, e);
	}
	if (n == '(') {
		if (sub_paren(parser, p, p + 2) < 0)
			return -1;
		w->expands = true;
		return word_raw(parser, w, p, parser->pos);
	}
	if (n == '{')
		return lex_brace(parser, w);
	size_t q = p + 1;
	if (sh_is_name_start(n)) {
		while (q < parser->end && sh_is_name_char(parser->t[q]))
			q++;
	} else if ((n >= '0' && n <= '9') || (n && strchr("@*#?$!-", n))) {
		q++;
	}
	if (q > p + 1)
		w->expands = true;
	parser->pos = q;
	return word_raw(parser, w, p, q);
}

/* Bytes that mean something inside double quotes. */
static const bool sh_dq_special[256] = {['"'] = true, ['\\'] = true, ['$'] = true, ['`'] = true};

static int lex_dquote(struct parser *parser, struct word_build *w)
{
	size_t open = parser->pos;
	parser->pos++;
	w->quoted = true;
	for (;;) {
		if (parser->pos >= parser->end)
			return fail(parser, open, parser->end, "unterminated double quote");
		/* a run of plain bytes is taken at once */
		size_t run = parser->pos;
		while (run < parser->end && !sh_dq_special[(unsigned char)parser->t[run]])
			run++;
		if (run > parser->pos) {
			if (word_raw(parser, w, parser->pos, run) < 0)
				return -1;
			parser->pos = run;
			continue;
		}
		char c = parser->t[parser->pos];
		if (c == '"') {
			parser->pos++;
			return 0;
		}
		if (c == '\\' && parser->pos + 1 < parser->end &&
		    strchr("$`\"\\\n", parser->t[parser->pos + 1])) {
			if (parser->t[parser->pos + 1] != '\n' &&
			    word_push(parser, w, parser->t[parser->pos + 1], parser->pos + 1) < 0)
				return -1;
			parser->pos += 2;
			continue;
		}
		if (c == '$') {
			if (lex_dollar(parser, w, true) < 0)
				return -1;
			continue;
		}
		if (c == '`') {
			if (lex_backtick(parser, w) < 0)
				return -1;
			continue;
		}
		if (word_push(parser, w, c, parser->pos) < 0)
			return -1;
		parser->pos++;
	}
}

/* NAME= or NAME+= so far, unquoted: the start of an assignment. */
static bool assign_prefix(const char *t, size_t start, size_t pos)
{
	return pos > start && sh_assign_end(t, start, pos) == pos;
}

/*
 * A word that is one run of plain bytes (most are) needs no building: its
 * value is its span of parser->copy, ended with a NUL where the byte that ends
 * it (a blank or an operator, which no value holds) was. Returns false when
 * the word is not that simple.
 */
static bool plain_word(struct parser *parser, struct tok *tk)
{
	const char *t = parser->t;
	size_t start = parser->pos, run = start;
	while (run < parser->end && !special[(unsigned char)t[run]])
		run++;
	if (run == start)
		return false;
	if (run < parser->end) {
		char c = t[run];
		if (!sh_is_blank(c) && c != '\n' &&
		    !(parser->cond ? c == ';'
				   : sh_is_meta(c) && !(c == '(' && assign_prefix(t, start, run))))
			return false;
	}
	parser->copy[run] = '\0';
	parser->pos = run;
	tk->type = T_WORD;
	tk->start = tk->w.start = start;
	tk->end = tk->w.end = run;
	tk->w.value = parser->copy + start;
	tk->mapn = run - start;
	tk->assign = sh_assign_end(t, start, run) != 0;
	return true;
}

static int lex_word(struct parser *parser, struct tok *tk)
{
	struct word_build w = {.start = parser->pos};
	const char *t = parser->t;
	if (plain_word(parser, tk))
		return 0;

	if (parser->pos + 1 < parser->end && (t[parser->pos] == '<' || t[parser->pos] == '>') &&
	    t[parser->pos + 1] == '(') {
		/* <(cmd) and >(cmd): process substitution, read like $(cmd) */
		size_t open = parser->pos;
		if (sub_paren(parser, open, open + 2) < 0 ||
		    word_raw(parser, &w, open, parser->pos) < 0)
			return -1;
		w.expands = true;
	}
	while (parser->pos < parser->end) {
		size_t run = parser->pos;
		while (run < parser->end && !special[(unsigned char)t[run]])
			run++;
		if (run > parser->pos) {
			if (word_raw(parser, &w, parser->pos, run) < 0)
				return -1;
			parser->pos = run;
			continue;
		}
		char c = t[parser->pos];
		if (sh_is_blank(c) || c == '\n')
			break;
		if (parser->cond ? c == ';' : sh_is_meta(c)) {
			if (c == '(' && assign_prefix(t, w.start, parser->pos)) {
				/* NAME=(a b c): an array, kept as written */
				size_t q = parser->pos + 1;
				int depth = 1;
				while (q < parser->end && depth) {
					if (t[q] == '(')
						depth++;
					else if (t[q] == ')')
						depth--;
					q++;
				}
				if (word_raw(parser, &w, parser->pos, q) < 0)
					return -1;
				parser->pos = q;
				continue;
			}
			break;
		}
		int rc = 0;
		if (c == '\\') {
			if (parser->pos + 1 >= parser->end) {
				rc = word_push(parser, &w, c, parser->pos);
				parser->pos++;
			} else if (t[parser->pos + 1] == '\n') {
				parser->pos += 2;
			} else {
				w.quoted = true;
				rc = word_push(parser, &w, t[parser->pos + 1], parser->pos + 1);
				parser->pos += 2;
			}
		} else if (c == '\'') {
			const char *e =
			    memchr(t + parser->pos + 1, '\'', parser->end - parser->pos - 1);
			if (!e)
				return fail(parser, parser->pos, parser->end,
					    "unterminated single quote");
			w.quoted = true;
			rc = word_raw(parser, &w, parser->pos + 1, (size_t)(e - t));
			if (rc == 0)
				rc = word_ensure(parser, &w);
			parser->pos = (size_t)(e - t) + 1;
		} else if (c == '"') {
			rc = lex_dquote(parser, &w);
			if (rc == 0)
				rc = word_ensure(parser, &w);
		} else if (c == '$') {
			rc = lex_dollar(parser, &w, false);
		} else if (c == '`') {
			rc = lex_backtick(parser, &w);
		} else {
			rc = word_push(parser, &w, c, parser->pos);
			parser->pos++;
		}
		if (rc < 0)
			return -1;
	}
	if (!w.buf) {
		/* nothing but line continuations */
		tk->type = T_NL;
		tk->start = w.start;
		tk->end = parser->pos;
		return 1;
	}
	w.buf[w.n] = '\0';
	tk->type = T_WORD;
	tk->start = w.start;
	tk->end = parser->pos;
	tk->w.value = w.buf;
	tk->w.start = w.start;
	tk->w.end = parser->pos;
	tk->w.expands = w.expands;
	tk->map = w.map;
	tk->mapn = w.n;
	tk->quoted = w.quoted;
	tk->assign = sh_assign_end(t, w.start, parser->pos) != 0;
	return 0;
}

static void read_heredocs(struct parser *parser)
{
	for (size_t k = 0; k < parser->npend; k++) {
		struct pending *pd = &parser->pend[k];
		size_t start = parser->pos, ls = parser->pos, dlen = strlen(pd->delim);
		size_t body_end = parser->end, next = parser->end;
		while (ls < parser->end) {
			const char *nl = memchr(parser->t + ls, '\n', parser->end - ls);
			size_t le = nl ? (size_t)(nl - parser->t) : parser->end;
			size_t s = ls, e = le;
			if (pd->chomp)
				while (s < e && parser->t[s] == '\t')
					s++;
			if (e > s && parser->t[e - 1] == '\r')
				e--;
			if (e - s == dlen && memcmp(parser->t + s, pd->delim, dlen) == 0) {
				body_end = ls;
				next = nl ? le + 1 : le;
				break;
			}
			ls = nl ? le + 1 : le;
		}
		pd->h->start = start;
		pd->h->end = body_end;
		if (pd->chomp) {
			char *b = arena_alloc(parser->a, body_end - start + 1);
			size_t n = 0;
			bool bol = true;
			if (!b) {
				oom(parser);
				return;
			}
			for (size_t i = start; i < body_end; i++) {
				if (bol && parser->t[i] == '\t')
					continue;
				bol = parser->t[i] == '\n';
				b[n++] = parser->t[i];
			}
			b[n] = '\0';
			pd->h->body = b;
		} else {
			pd->h->body = arena_strndup(parser->a, parser->t + start, body_end - start);
			if (!pd->h->body) {
				oom(parser);
				return;
			}
		}
		parser->pos = next;
	}
	parser->npend = 0;
}

static const char *const ops[] = {
    ";;&", "&>>", "<<<", "<<-", "&&", "||", ";;", ";&", "|&", "&>", ">>", ">&",
    ">|",  "<<",  "<&",	 "<>",	";",  "&",  "|",  "(",	")",  "<",  ">",
};

static bool is_redir_op(const char *op)
{
	return op[0] == '<' || op[0] == '>' || (op[0] == '&' && op[1] == '>');
}

/* The longest operator at t[p], from the table; NULL when none starts there. */
static const char *match_op(const char *t, size_t p, size_t end, size_t *len)
{
	if (!sh_is_meta(t[p]))
		return NULL;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const char *op = ops[i];
		if (op[0] != t[p])
			continue;
		size_t n = op[1] ? (op[2] ? 3 : 2) : 1;
		if (p + n <= end && (n < 2 || op[1] == t[p + 1]) && (n < 3 || op[2] == t[p + 2])) {
			*len = n;
			return op;
		}
	}
	return NULL;
}

/* Returns 0, or -1 on an error; the token is in *tk. */
static int next_token(struct parser *parser, struct tok *tk)
{
	if (parser->has_back) {
		*tk = parser->back;
		parser->has_back = false;
		return 0;
	}
	tk->op = NULL;
	tk->w.value = NULL;
	tk->w.start = tk->w.end = 0;
	tk->w.expands = false;
	tk->map = NULL;
	tk->mapn = 0;
	tk->quoted = tk->assign = false;
	for (;;) {
		while (parser->pos < parser->end) {
			char c = parser->t[parser->pos];
			if (sh_is_blank(c))
				parser->pos++;
			else if (c == '\\' && parser->pos + 1 < parser->end &&
				 parser->t[parser->pos + 1] == '\n')
				parser->pos += 2;
			else
				break;
		}
		if (parser->pos >= parser->end) {
			tk->type = T_EOF;
			tk->start = tk->end = parser->pos;
			return 0;
		}
		if (parser->t[parser->pos] != '#')
			break;
		while (parser->pos < parser->end && parser->t[parser->pos] != '\n')
			parser->pos++;
	}
	const char *t = parser->t;
	size_t p = parser->pos;
	tk->start = p;
	if (t[p] == '\n') {
		parser->pos++;
		tk->type = T_NL;
		tk->end = parser->pos;
		parser->cond = false;
		read_heredocs(parser);
		return parser->failed ? -1 : 0;
	}
	if (parser->cond) {
		if (t[p] == ';') {
			parser->pos++;
			tk->type = T_OP;
			tk->op = ";";
			tk->end = parser->pos;
			return 0;
		}
		return lex_word(parser, tk) < 0 ? -1 : 0;
	}
	if (parser->cmd_start && t[p] == '(' && p + 1 < parser->end && t[p + 1] == '(') {
		size_t e = arith_end(parser, p + 2);
		parser->pos = e ? e : parser->end;
		tk->type = T_ARITH;
		tk->end = parser->pos;
		return 0;
	}
	if ((t[p] == '<' || t[p] == '>') && p + 1 < parser->end && t[p + 1] == '(')
		return lex_word(parser, tk) < 0 ? -1 : 0;
	size_t q = p;
	while (q < parser->end && t[q] >= '0' && t[q] <= '9')
		q++;
	if (q > p && q < parser->end && (t[q] == '<' || t[q] == '>')) {
		/* an IO number: 2>&1, 3<file */
		size_t n;
		if (match_op(t, q, parser->end, &n)) {
			char *op = arena_strndup(parser->a, t + p, q + n - p);
			if (!op)
				return oom(parser);
			parser->pos = q + n;
			tk->type = T_REDIR;
			tk->op = op;
			tk->end = parser->pos;
			return 0;
		}
	}
	size_t n;
	const char *op = match_op(t, p, parser->end, &n);
	if (op) {
		parser->pos = p + n;
		tk->type = is_redir_op(op) ? T_REDIR : T_OP;
		tk->op = op;
		tk->end = parser->pos;
		return 0;
	}
	int rc = lex_word(parser, tk);
	if (rc < 0)
		return -1;
	if (rc > 0) /* a lone line continuation at the end: read on */
		return next_token(parser, tk);
	return 0;
}

static bool word_is(const struct tok *tk, const char *s)
{
	/* the first byte rules out most words before a call */
	return tk->type == T_WORD && !tk->quoted && tk->w.value[0] == s[0] &&
	       strcmp(tk->w.value, s) == 0;
}

static size_t map_off(const struct cmd_word *w, size_t i)
{
	if (w->mapn == 0)
		return w->w.start;
	if (i >= w->mapn)
		return map_off(w, w->mapn - 1) + 1;
	return w->map ? w->map[i] : w->w.start + i;
}

static size_t map_end(const struct cmd_word *w, size_t e)
{
	return e == 0 ? map_off(w, 0) : map_off(w, e - 1) + 1;
}

static void map_word(const struct cmd_word *w, struct sh_word *x)
{
	size_t s = map_off(w, x->start), e = map_end(w, x->end);
	x->start = s;
	x->end = e < s ? s : e;
}

/* Parses the command string of `sh -c STRING` and adds its commands, mapped back. */
static int parse_string(struct parser *parser, const struct cmd_word *w)
{
	if (parser->nest + 1 >= MAX_NEST)
		return fail_limit(parser, w->w.start, w->w.end, TOO_DEEP);
	struct out sub = {0};
	struct sh_error err = {0};
	struct parser inner = {
	    .a = parser->a,
	    .t = w->w.value,
	    .copy = arena_strndup(parser->a, w->w.value, w->mapn),
	    .len = w->mapn,
	    .end = w->mapn,
	    .depth = parser->depth + 1,
	    .nest = parser->nest + 1,
	    .out = &sub,
	    .err = &err,
	    /* the string runs under the conditions of the command that runs it */
	    .base = {.cond = parser->andor.cond, .root = root_only(parser)},
	    .andor = {.cond = parser->andor.cond, .root = root_only(parser)},
	    /* its $1 is the string's own argument, as in a function */
	    .nfunc = 1,
	};
	bool closed = false;
	if (!inner.copy)
		return oom(parser);
	if (parse_list(&inner, false, &closed) < 0) {
		if (arena_failed(parser->a))
			return oom(parser);
		/* a limit of ours inside the string: the whole text is not read, and says where */
		if (inner.limit)
			return fail_limit(parser, map_off(w, err.start), map_end(w, err.end),
					  err.message);
		return 0; /* a string the shell would reject at run time: nothing to add */
	}
	for (size_t i = 0; i < sub.n; i++) {
		struct sh_cmd c = sub.cmds[i];
		for (size_t k = 0; k < c.argc; k++)
			map_word(w, &c.argv[k]);
		for (size_t k = 0; k < c.nredirs; k++) {
			map_word(w, &c.redirs[k].target);
			if (c.redirs[k].heredoc) {
				struct sh_heredoc *h = arena_alloc(parser->a, sizeof(*h));
				if (!h)
					return oom(parser);
				*h = *c.redirs[k].heredoc;
				h->start = map_off(w, h->start);
				h->end = map_end(w, h->end);
				if (h->end < h->start)
					h->end = h->start;
				c.redirs[k].heredoc = h;
			}
		}
		size_t s = map_off(w, c.start), e = map_end(w, c.end);
		c.start = s;
		c.end = e < s ? s : e;
		struct sh_cmd *slot =
		    ARR_PUSH(parser->a, parser->out->cmds, parser->out->n, parser->out->cap);
		if (!slot)
			return oom(parser);
		*slot = c;
	}
	return 0;
}

/* A word that expands to the shell's uid (uid true) or user name. */
static bool uid_word(const char *v, bool *uid)
{
	static const char *const ids[] = {"$(id -u)", "`id -u`", "$EUID",    "${EUID}",
					  "$UID",     "${UID}",	 "$(id -ru)"};
	static const char *const names[] = {"$(whoami)", "`whoami`", "$(id -un)", "`id -un`"};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (strcmp(v, ids[i]) == 0)
			return *uid = true;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(v, names[i]) == 0) {
			*uid = false;
			return true;
		}
	return false;
}

/* `L OP R` compares the uid with root: +1 when it holds only as root, -1 only when not. */
static signed char root_compare(const struct sh_word *w)
{
	const char *l = w[0].value, *op = w[1].value, *r = w[2].value;
	bool uid = false;
	const char *other = uid_word(l, &uid) ? r : uid_word(r, &uid) ? l : NULL;
	if (!other || strcmp(other, uid ? "0" : "root") != 0)
		return 0;
	if (strcmp(op, "=") == 0 || strcmp(op, "==") == 0 || (uid && strcmp(op, "-eq") == 0))
		return 1;
	if (strcmp(op, "!=") == 0 || (uid && strcmp(op, "-ne") == 0))
		return -1;
	return 0;
}

/*
 * Whether one test command holds only as root (+1: `[ "$(id -u)" = 0 ]`,
 * also one comparison of `[ ... -a ... ]` or `[[ ... && ... ]]`), only when
 * not (-1: `!=`, `-ne`, alone), or is anything else (0).
 */
static signed char root_of(const struct sh_cmd *t)
{
	if (!t || t->argc < 4)
		return 0;
	const char *a0 = t->argv[0].value;
	bool brackets = strcmp(a0, "[") == 0 || strcmp(a0, "[[") == 0;
	if (!brackets && strcmp(a0, "test") != 0)
		return 0;
	size_t n = t->argc - (brackets ? 1 : 0); /* the closing ] or ]] */
	if (brackets && strcmp(t->argv[n].value, a0[1] ? "]]" : "]") != 0)
		return 0;
	if (n == 4)
		return root_compare(&t->argv[1]);
	/* a conjunction: the comparisons between -a (or && inside [[ ]]) */
	const char *and = a0[1] ? "&&" : "-a";
	size_t from = 1;
	bool root = false;
	for (size_t i = 1; i <= n; i++) {
		if (i < n && strcmp(t->argv[i].value, "-o") != 0 &&
		    strcmp(t->argv[i].value, "||") != 0 && strcmp(t->argv[i].value, and) != 0)
			continue;
		if (i < n && strcmp(t->argv[i].value, and) != 0)
			return 0; /* an or: either side may hold */
		if (i - from == 3 && root_compare(&t->argv[from]) > 0)
			root = true;
		from = i + 1;
	}
	return root ? 1 : 0;
}

/* The one command at the list's own depth among out->cmds[first..], or NULL. */
static const struct sh_cmd *single_cmd(const struct parser *parser, size_t first)
{
	const struct sh_cmd *t = NULL;
	for (size_t i = first; i < parser->out->n; i++) {
		const struct sh_cmd *c = &parser->out->cmds[i];
		if (c->depth != parser->depth)
			continue; /* the `id -u` inside $(...) */
		if (t)
			return NULL;
		t = c;
	}
	return t;
}

/*
 * Whether an if condition, out->cmds[first..], is a test that the shell
 * runs as root: +1 when it holds only as root (`[ "$(id -u)" = 0 ]`, or one
 * of tests joined by &&), -1 when it holds only when not (`!=`, `-ne`
 * alone), 0 when it is anything else.
 */
static signed char root_test(const struct parser *parser, size_t first, bool all_and)
{
	const struct sh_cmd *one = single_cmd(parser, first);
	if (one || !all_and)
		return root_of(one);
	for (size_t i = first; i < parser->out->n; i++) {
		const struct sh_cmd *c = &parser->out->cmds[i];
		if (c->depth == parser->depth && root_of(c) > 0)
			return 1;
	}
	return 0;
}

/* In the condition of an open if: set -e does not stop at its failure. */
static bool tested(const struct parser *parser)
{
	for (int i = 0; i < parser->nifs && i < MAX_FRAMES; i++)
		if (parser->ifs[i].part == 'c')
			return true;
	return false;
}

static bool root_only(const struct parser *parser)
{
	if (parser->andor.root)
		return true;
	for (int i = 0; i < parser->nifs && i < MAX_FRAMES; i++) {
		const struct if_frame *f = &parser->ifs[i];
		if ((f->part == 't' && f->root > 0) || (f->part == 'e' && f->root < 0))
			return true;
	}
	return false;
}

/* A command whose exit status answers a question: after it, && is a branch. */
static bool is_test(const struct sh_cmd *c)
{
	static const char *const tests[] = {"[",    "[[",    "test",  "getent",	   "id",
					    "grep", "egrep", "fgrep", "which",	   "type",
					    "hash", "cmp",   "pgrep", "dpkg-query"};
	if (!c || !c->argc)
		return false;
	const char *a0 = c->argv[0].value;
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (strcmp(a0, tests[i]) == 0)
			return true;
	return strcmp(a0, "command") == 0 && c->argc > 1 &&
	       (strcmp(c->argv[1].value, "-v") == 0 || strcmp(c->argv[1].value, "-V") == 0);
}

/* The text of out->cmds[first..], blanks and line continuations squeezed, for messages. */
static const char *cond_text(struct parser *parser, size_t first)
{
	size_t s = SIZE_MAX, e = 0;
	/* the first and the last commands of the range give its span: a long `a || b || ...`
	 * list stays linear */
	for (size_t i = first; i < parser->out->n; i++) {
		if (i >= first + 16 && i + 16 < parser->out->n)
			i = parser->out->n - 16;
		const struct sh_cmd *c = &parser->out->cmds[i];
		if (c->start < s)
			s = c->start;
		if (c->end > e)
			e = c->end;
	}
	if (s >= e || e > parser->len)
		return "";
	char buf[84];
	size_t n = 0;
	for (size_t i = s; i < e && n < 80; i++) {
		char ch = parser->t[i];
		if (ch == '\\' && i + 1 < e && parser->t[i + 1] == '\n')
			ch = ' ', i++;
		if (ch == '\n' || ch == '\t' || ch == '\r')
			ch = ' ';
		if (ch == ' ' && n && buf[n - 1] == ' ')
			continue;
		buf[n++] = ch;
	}
	if (n == 80 && e - s > 80)
		memcpy(buf + 77, "...", 3);
	return arena_strndup(parser->a, buf, n);
}

/* A condition made of out->cmds[first..]: its test when that is one simple command. */
static const struct sh_cond *new_cond(struct parser *parser, const struct sh_cond *outer,
				      size_t first, bool negated, char kind)
{
	struct sh_cond *c = arena_alloc(parser->a, sizeof(*c));
	if (!c) {
		oom(parser);
		return outer;
	}
	const struct sh_cmd *t = single_cmd(parser, first);
	*c = (struct sh_cond){.outer = outer,
			      .argv = t ? t->argv : NULL,
			      .argc = t ? t->argc : 0,
			      .text = cond_text(parser, first),
			      .negated = negated,
			      .kind = kind,
			      .in_function = parser->nfunc > 0};
	return c;
}

/* The same condition, for the branch taken when it fails. */
static const struct sh_cond *negation(struct parser *parser, const struct sh_cond *c)
{
	struct sh_cond *n = arena_alloc(parser->a, sizeof(*n));
	if (!n) {
		oom(parser);
		return c->outer;
	}
	*n = *c;
	n->negated = !c->negated;
	return n;
}

/* A new and-or list starts here: after ; & newline, or a keyword. */
static void new_list(struct parser *parser)
{
	parser->andor = parser->base;
	parser->list_first = parser->pipe_first = parser->out->n;
	parser->bang = parser->list_or = false;
}

static void open_group(struct parser *parser, char kind)
{
	if (parser->ngrps < MAX_FRAMES)
		parser->grps[parser->ngrps] = (struct group){.base = parser->base,
							     .andor = parser->andor,
							     .list_first = parser->list_first,
							     .pipe_first = parser->pipe_first,
							     .kind = kind,
							     .func = parser->func_next};
	parser->nfunc += parser->func_next && parser->ngrps < MAX_FRAMES;
	parser->func_next = false;
	parser->ngrps++; /* counted past the cap, so the close pairs up */
	parser->base = parser->andor;
	new_list(parser);
}

/* Closes the innermost group of `kind`; what follows is one pipeline of the list around it. */
static void close_group(struct parser *parser, char kind)
{
	if (!parser->ngrps)
		return;
	if (parser->ngrps > MAX_FRAMES) {
		parser->ngrps--;
		return;
	}
	const struct group *g = &parser->grps[parser->ngrps - 1];
	if (g->kind != kind)
		return; /* unbalanced: read leniently */
	parser->base = g->base;
	parser->andor = g->andor;
	parser->list_first = g->list_first;
	parser->pipe_first = g->pipe_first;
	parser->bang = false;
	parser->nfunc -= g->func;
	parser->ngrps--;
}

static struct group *top_group(struct parser *parser, char kind)
{
	if (!parser->ngrps || parser->ngrps > MAX_FRAMES)
		return NULL;
	struct group *g = &parser->grps[parser->ngrps - 1];
	return g->kind == kind ? g : NULL;
}

/* `&&` or `||` after a pipeline: what the next one runs under. */
static void on_and_or(struct parser *parser, bool and)
{
	const struct sh_cmd *left = single_cmd(parser, parser->pipe_first);
	signed char root = parser->bang ? 0 : root_of(left);
	if (!and)
		parser->list_or = true;
	if ((and&&root > 0) || (!and&&root < 0)) {
		parser->andor.root = true;
	} else if (and) {
		if (is_test(left) || parser->bang)
			parser->andor.cond = new_cond(parser, parser->andor.cond,
						      parser->pipe_first, parser->bang, '&');
	} else if (root == 0) {
		/* the right side runs when the left of the list failed, whatever it was */
		size_t from = parser->list_first;
		parser->andor.cond =
		    new_cond(parser, parser->base.cond, from,
			     parser->pipe_first == from ? !parser->bang : true, '|');
		parser->andor.root = parser->base.root;
	}
	parser->pipe_first = parser->out->n;
	parser->bang = false;
	parser->after_op = true;
}

/* `;`, `&` or a newline: the and-or list ends (a newline right after && or || does not). */
static void end_of_list(struct parser *parser)
{
	if (parser->after_op)
		return;
	/* an if's condition is its last list */
	if (parser->out->n > parser->list_first && parser->nifs && parser->nifs <= MAX_FRAMES &&
	    parser->ifs[parser->nifs - 1].part == 'c' && top_group(parser, 'i')) {
		parser->ifs[parser->nifs - 1].cond_list = parser->list_first;
		parser->ifs[parser->nifs - 1].all_and = !parser->list_or;
		parser->ifs[parser->nifs - 1].bang = parser->bang;
	}
	new_list(parser);
}

#define MAX_ARM 9 /* a case's word and the first 8 patterns of an arm */

/* `case WORD in`: the word, kept for the arms' conditions. */
static void case_word(struct parser *parser, const struct tok *tk)
{
	struct group *g = top_group(parser, 'c');
	if (!g || tk->type != T_WORD)
		return;
	g->arm = arena_alloc(parser->a, (MAX_ARM + 1) * sizeof(*g->arm));
	if (!g->arm) {
		oom(parser);
		return;
	}
	g->arm[0] = tk->w;
	g->narm = 1;
}

static void case_pattern(struct parser *parser, const struct tok *tk)
{
	struct group *g = top_group(parser, 'c');
	if (g && g->narm && g->narm < MAX_ARM)
		g->arm[g->narm++] = tk->w;
	else if (g)
		g->narm = 0; /* too many patterns to tell: the arm stays undecided */
}

/* The `)` after an arm's patterns: the arm runs when the word matches one of them. */
static void case_arm(struct parser *parser)
{
	struct group *g = top_group(parser, 'c');
	if (!g)
		return;
	struct sh_cond *c = arena_alloc(parser->a, sizeof(*c));
	char buf[84];
	int n = 0;
	if (!c) {
		oom(parser);
		return;
	}
	/* an arm runs when no arm before it matched (;& and ;;& are read as ;;) */
	*c = (struct sh_cond){.outer = g->others ? g->others : g->andor.cond,
			      .kind = 'c',
			      .in_function = parser->nfunc > 0};
	if (g->narm > 1) {
		c->argv = arena_alloc(parser->a, g->narm * sizeof(*c->argv));
		if (!c->argv) {
			oom(parser);
			return;
		}
		memcpy((struct sh_word *)c->argv, g->arm, g->narm * sizeof(*c->argv));
		c->argc = g->narm;
		n = snprintf(buf, sizeof(buf), "case %.30s in %.30s", g->arm[0].value,
			     g->arm[1].value);
		for (size_t i = 2; i < g->narm && n > 0 && (size_t)n < sizeof(buf) - 1; i++)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, "|%.20s", g->arm[i].value);
		if (n > 0 && (size_t)n < sizeof(buf) - 1)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, ")");
	}
	c->text =
	    n > 0 ? arena_strndup(parser->a, buf, strnlen(buf, sizeof(buf) - 1)) : "a case pattern";
	if (g->narm)
		g->narm = 1;
	g->others = negation(parser, c);
	parser->base.cond = c;
	new_list(parser);
}

/* if, then, elif, else, fi, while, until, do, done, {, }, ! where a command would start. */
static void on_if_keyword(struct parser *parser, const struct tok *tk)
{
	struct if_frame *top = parser->nifs ? &parser->ifs[parser->nifs - 1] : NULL;
	struct group *g = top_group(parser, 'i');
	if (word_is(tk, "!")) {
		parser->bang = !parser->bang;
		return;
	}
	if (word_is(tk, "{")) {
		open_group(parser, 'b');
		return;
	}
	if (word_is(tk, "}")) {
		close_group(parser, 'b');
		return;
	}
	if (word_is(tk, "while") || word_is(tk, "until")) {
		open_group(parser, 'w');
		return;
	}
	if (word_is(tk, "do")) {
		new_list(parser); /* the loop's body: taken as it is read (not a branch) */
		return;
	}
	if (word_is(tk, "done")) {
		close_group(parser, 'w');
		return;
	}
	if (word_is(tk, "if")) {
		if (parser->nifs < MAX_FRAMES)
			parser->ifs[parser->nifs] = (struct if_frame){.cond_first = parser->out->n,
								      .cond_list = parser->out->n,
								      .part = 'c',
								      .all_and = true};
		parser->nifs++; /* counted past the cap, so fi pairs up */
		open_group(parser, 'i');
	} else if (!top || parser->nifs > MAX_FRAMES) {
		if (word_is(tk, "fi") && parser->nifs) {
			parser->nifs--;
			close_group(parser, 'i');
		}
	} else if (word_is(tk, "then") && top->part == 'c') {
		top->root = root_test(parser, top->cond_list, top->all_and);
		top->part = 't';
		if (g) {
			g->test = top->root ? NULL
					    : new_cond(parser, parser->base.cond, top->cond_list,
						       top->bang, 'i');
			if (g->test)
				parser->base.cond = g->test;
			else
				parser->base = g->andor;
			new_list(parser);
		}
	} else if (word_is(tk, "elif") || word_is(tk, "else")) {
		/* the branches before did not run */
		if (g) {
			if (g->test)
				parser->base.cond = negation(parser, g->test);
			else if (top->root)
				parser->base = g->andor;
			g->test = NULL;
			new_list(parser);
		}
		if (word_is(tk, "elif")) {
			/* what held before no longer tells this branch */
			top->cond_first = top->cond_list = parser->out->n;
			top->root = 0;
			top->part = 'c';
			top->all_and = true;
		} else {
			top->part = top->part == 't' ? 'e' : 'x';
		}
	} else if (word_is(tk, "fi")) {
		parser->nifs--;
		close_group(parser, 'i');
	}
}

static int finish(struct parser *parser, struct cmd_build *cur)
{
	if (cur->argc == 0 && cur->nredirs == 0) {
		cur->argc = cur->nredirs = cur->nassign = 0;
		cur->any = false;
		return 0;
	}
	struct sh_cmd c = {.argc = cur->argc,
			   .nredirs = cur->nredirs,
			   .start = cur->start,
			   .end = cur->end,
			   .depth = parser->depth,
			   .root_only = root_only(parser),
			   .cond = parser->andor.cond,
			   .tested = tested(parser)};
	parser->after_op = false;
	c.argv = arena_alloc_raw(parser->a, (cur->argc + 1) * sizeof(*c.argv));
	if (!c.argv)
		return oom(parser);
	for (size_t i = 0; i < cur->argc; i++)
		c.argv[i] = cur->words[i].w;
	memset(&c.argv[cur->argc], 0, sizeof(*c.argv));
	if (cur->nredirs) {
		c.redirs = arena_alloc_raw(parser->a, cur->nredirs * sizeof(*c.redirs));
		if (!c.redirs)
			return oom(parser);
		memcpy(c.redirs, cur->redirs, cur->nredirs * sizeof(*c.redirs));
	}
	struct sh_cmd *slot =
	    ARR_PUSH(parser->a, parser->out->cmds, parser->out->n, parser->out->cap);
	if (!slot)
		return oom(parser);
	*slot = c;
	/* A command string follows an option with a c in it (sh -c, bash -ec, su --command):
	 * without one, there is nothing to look up. */
	bool dash_c = false;
	for (size_t i = 1; i < cur->argc && !dash_c; i++) {
		const char *v = cur->words[i].w.value;
		dash_c = v[0] == '-' && strchr(v + 1, 'c');
	}
	size_t k = dash_c ? sh_command_string(slot) : 0;
	if (k && k < cur->argc && parse_string(parser, &cur->words[k]) < 0)
		return -1;
	cur->argc = cur->nredirs = cur->nassign = 0;
	cur->any = false;
	return 0;
}

static void extend(struct cmd_build *cur, size_t start, size_t end)
{
	if (!cur->any) {
		cur->start = start;
		cur->any = true;
	}
	cur->end = end;
}

/* What the list reader steps over after a keyword: for NAME in WORDS, case WORD in, function NAME.
 */
enum skip { SK_NONE, SK_FOR_NAME, SK_FOR_AFTER, SK_FOR_IN, SK_CASE_WORD, SK_CASE_IN, SK_FUNC };

struct frame {
	char kind; /* 'p' subshell, 'c' case */
	bool pattern;
};

/* A list being read: the command so far, the open subshells and cases, what to step over. */
struct list {
	struct cmd_build cur;
	struct frame frames[MAX_FRAMES];
	int nf;
	enum skip skip;
	unsigned base_depth;
	bool stop_rparen; /* a ')' with no open subshell ends the list: $(...) */
};

static bool ignored_keyword(const struct tok *tk)
{
	static const char *const kw[] = {"if",	 "then",  "else",  "elif", "fi", "do",
					 "done", "while", "until", "{",	   "}",	 "!"};
	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (word_is(tk, kw[i]))
			return true;
	return false;
}

static int open_frame(struct parser *parser, struct list *ls, char kind, bool pattern,
		      const struct tok *tk)
{
	if (ls->nf >= MAX_FRAMES)
		return fail_limit(parser, tk->start, tk->end, TOO_MANY_OPEN);
	ls->frames[ls->nf].kind = kind;
	ls->frames[ls->nf].pattern = pattern;
	ls->nf++;
	return 0;
}

/*
 * After for, case or function: whether the token is stepped over (1), read
 * as usual (0), or an error (-1).
 */
static int skipped(struct parser *parser, struct list *ls, const struct tok *tk)
{
	switch (ls->skip) {
	case SK_NONE:
		return 0;
	case SK_FOR_NAME:
		ls->skip = SK_FOR_AFTER;
		return tk->type == T_WORD;
	case SK_FOR_AFTER:
		if (word_is(tk, "in")) {
			ls->skip = SK_FOR_IN;
			return 1;
		}
		ls->skip = SK_NONE;
		return word_is(tk, "do");
	case SK_FOR_IN:
		if (tk->type == T_WORD)
			return 1;
		ls->skip = SK_NONE;
		return 0;
	case SK_CASE_WORD:
		ls->skip = SK_CASE_IN;
		case_word(parser, tk);
		return tk->type == T_WORD;
	case SK_CASE_IN:
		if (tk->type == T_NL)
			return 1;
		ls->skip = SK_NONE;
		if (!word_is(tk, "in"))
			return 0;
		return open_frame(parser, ls, 'c', true, tk) < 0 ? -1 : 1;
	case SK_FUNC:
		ls->skip = SK_NONE;
		parser->func_next = true;
		return tk->type == T_WORD;
	}
	return 0;
}

/* An operator: ( ) ; & | && || ;; ... Returns 1 when it closes the list, -1 on an error. */
static int on_operator(struct parser *parser, struct list *ls, const struct tok *tk, bool *closed)
{
	struct cmd_build *cur = &ls->cur;
	const char *op = tk->op;
	if (strcmp(op, "(") == 0) {
		if (cur->argc == 0 && cur->nassign == 0 && cur->nredirs == 0) {
			if (open_frame(parser, ls, 'p', false, tk) < 0)
				return -1;
			open_group(parser, 'p');
			parser->depth++;
		} else if (cur->argc == 1 && cur->nredirs == 0) {
			/* NAME () body: a function definition, not a command */
			struct tok t2;
			if (next_token(parser, &t2) < 0)
				return -1;
			if (t2.type == T_OP && strcmp(t2.op, ")") == 0) {
				cur->argc = cur->nassign = 0;
				cur->any = false;
				parser->func_next = true;
			} else {
				parser->back = t2;
				parser->has_back = true;
			}
		}
		return 0;
	}
	size_t before = parser->out->n;
	if (finish(parser, cur) < 0)
		return -1;
	if (parser->out->n > before)
		parser->out->cmds[before].next_op = strcmp(op, "|") == 0    ? '|'
						    : strcmp(op, "&&") == 0 ? '&'
						    : strcmp(op, "||") == 0 ? 'o'
									    : 0;
	if (strcmp(op, ")") == 0) {
		if (ls->nf && ls->frames[ls->nf - 1].kind == 'p') {
			ls->nf--;
			parser->depth--;
			close_group(parser, 'p');
		} else if (ls->nf == 0 && ls->stop_rparen) {
			*closed = true;
			parser->depth = ls->base_depth;
			return 1;
		}
		return 0;
	}
	if (strcmp(op, "&&") == 0 || strcmp(op, "||") == 0) {
		on_and_or(parser, op[0] == '&');
		return 0;
	}
	if (strcmp(op, "|") == 0 || strcmp(op, "|&") == 0) {
		parser->list_or = true;
		return 0; /* the pipeline goes on */
	}
	if ((op[0] == ';' && op[1] == ';') || strcmp(op, ";&") == 0) {
		if (ls->nf && ls->frames[ls->nf - 1].kind == 'c') {
			ls->frames[ls->nf - 1].pattern = true;
			struct group *g = top_group(parser, 'c');
			if (g) {
				parser->base = g->andor; /* the next pattern's arm */
				g->narm = g->narm ? 1 : 0;
			}
		}
	}
	end_of_list(parser);
	return 0;
}

/* A redirection and its target word; a here-document's body is read at the next newline. */
static int on_redirect(struct parser *parser, struct list *ls, const struct tok *tk)
{
	struct cmd_build *cur = &ls->cur;
	struct tok t2;
	bool cs = parser->cmd_start;
	parser->cmd_start = false;
	if (next_token(parser, &t2) < 0)
		return -1;
	parser->cmd_start = cs;
	if (t2.type != T_WORD) {
		parser->back = t2;
		parser->has_back = true;
		return 0;
	}
	struct sh_redir *r = ARR_PUSH(parser->a, cur->redirs, cur->nredirs, cur->capr);
	if (!r)
		return oom(parser);
	r->op = tk->op;
	r->target = t2.w;
	const char *h = strstr(tk->op, "<<");
	if (h && h[2] != '<') {
		struct sh_heredoc *hd = arena_alloc(parser->a, sizeof(*hd));
		struct pending *pd =
		    ARR_PUSH(parser->a, parser->pend, parser->npend, parser->cappend);
		if (!hd || !pd)
			return oom(parser);
		hd->body = "";
		hd->start = hd->end = parser->end;
		hd->quoted = t2.quoted;
		pd->h = hd;
		pd->delim = t2.w.value;
		pd->chomp = h[2] == '-';
		r->heredoc = hd;
	}
	extend(cur, tk->start, t2.end);
	return 0;
}

/* A word: a keyword where a command would start, an assignment before it, or an argument. */
static int on_word(struct parser *parser, struct list *ls, const struct tok *tk)
{
	struct cmd_build *cur = &ls->cur;
	if (cur->argc == 0 && cur->nassign == 0) {
		if (ignored_keyword(tk)) {
			on_if_keyword(parser, tk);
			return 0;
		}
		if (word_is(tk, "esac")) {
			if (ls->nf && ls->frames[ls->nf - 1].kind == 'c') {
				ls->nf--;
				close_group(parser, 'c');
			}
			return 0;
		}
		if (word_is(tk, "for") || word_is(tk, "select")) {
			ls->skip = SK_FOR_NAME;
			open_group(parser, 'w');
			return 0;
		}
		if (word_is(tk, "case")) {
			ls->skip = SK_CASE_WORD;
			open_group(parser, 'c');
			return 0;
		}
		if (word_is(tk, "function")) {
			ls->skip = SK_FUNC;
			return 0;
		}
	}
	if (cur->argc == 0 && tk->assign) {
		cur->nassign++;
		extend(cur, tk->start, tk->end);
		return 0;
	}
	/* every field is set below: no need for ARR_PUSH's cleared slot while there is room */
	struct cmd_word *w = cur->argc < cur->capw
				 ? &cur->words[cur->argc++]
				 : ARR_PUSH(parser->a, cur->words, cur->argc, cur->capw);
	if (!w)
		return oom(parser);
	w->w = tk->w;
	w->map = tk->map;
	w->mapn = tk->mapn;
	extend(cur, tk->start, tk->end);
	if (cur->argc == 1 && word_is(tk, "[["))
		parser->cond = true;
	else if (parser->cond && word_is(tk, "]]"))
		parser->cond = false;
	return 0;
}

/*
 * Reads commands up to the end of the text or, with stop_rparen, up to the
 * ')' that closes a $( (then *closed is set).
 */
static int parse_list(struct parser *parser, bool stop_rparen, bool *closed)
{
	struct list ls = {.base_depth = parser->depth, .stop_rparen = stop_rparen};
	struct cmd_build *cur = &ls.cur;
	struct tok tk;

	*closed = false;
	for (;;) {
		struct frame *top = ls.nf ? &ls.frames[ls.nf - 1] : NULL;
		bool in_pattern = top && top->kind == 'c' && top->pattern;
		parser->cmd_start = cur->argc == 0 && cur->nassign == 0 && cur->nredirs == 0 &&
				    ls.skip == SK_NONE && !in_pattern;
		if (next_token(parser, &tk) < 0)
			return -1;
		if (tk.type == T_EOF)
			break;
		if (in_pattern) {
			/* a case pattern, up to its ')' */
			if (word_is(&tk, "esac")) {
				ls.nf--;
				close_group(parser, 'c');
			} else if (tk.type == T_OP && strcmp(tk.op, ")") == 0) {
				top->pattern = false;
				case_arm(parser);
			} else if (tk.type == T_WORD) {
				case_pattern(parser, &tk);
			}
			continue;
		}
		int rc = skipped(parser, &ls, &tk);
		if (rc < 0)
			return -1;
		if (rc > 0)
			continue;
		switch (tk.type) {
		case T_ARITH:
			rc = 0;
			break;
		case T_NL:
			rc = finish(parser, cur);
			if (rc == 0)
				end_of_list(parser);
			break;
		case T_OP:
			rc = on_operator(parser, &ls, &tk, closed);
			if (rc > 0)
				return 0;
			break;
		case T_REDIR:
			rc = on_redirect(parser, &ls, &tk);
			break;
		default:
			rc = on_word(parser, &ls, &tk);
			break;
		}
		if (rc < 0)
			return -1;
	}
	if (finish(parser, cur) < 0)
		return -1;
	parser->depth = ls.base_depth;
	return 0;
}

int sh_parse(struct arena *a, const char *text, size_t len, struct sh_script *out,
	     struct sh_error *err)
{
	struct out o = {0};
	struct parser parser = {.a = a, .t = text, .len = len, .out = &o, .err = err};
	bool closed = false;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	if (!text)
		return fail(&parser, 0, 0, "no shell text");
	if (len > UINT32_MAX)
		return fail(&parser, 0, len, "shell text too large");
	parser.copy = arena_strndup(a, text, len);
	if (!parser.copy)
		return oom(&parser);
	parser.end = len;
	if (parse_list(&parser, false, &closed) < 0)
		return -1;
	out->cmds = o.cmds;
	out->ncmds = o.n;
	return 0;
}
