/*
 * expand.c - variable expansion and quote removal, as BuildKit's
 * frontend/dockerfile/shell/lex.go ProcessWord does it for the instructions
 * it expands. Nothing is run: a variable is only looked up.
 */
#include "unroot/arena.h"
#include "dockerfile/dockerfile.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH   64
#define MAX_PATTERN 1024 /* values longer than this are not pattern-matched */

/*
 * A growing string; most are short and stay in `small`, with no malloc
 * (sb_free() ends one). The strings of one expansion together hold at most
 * *room bytes: `ARG a1=${a0}${a0}` sixty times over would otherwise double
 * to 2^60 bytes, and nested ${x:-...} words each hold a copy.
 */
struct sb {
	char *d;
	size_t len, cap;
	bool oom, too_long;
	size_t *room; /* bytes the expansion's strings may still take; NULL: no bound */
	char small[128];
};

static void sb_add(struct sb *b, const char *s, size_t n)
{
	if (b->oom || b->too_long || n == 0)
		return;
	if (b->room) {
		if (n > *b->room) {
			b->too_long = true;
			return;
		}
		*b->room -= n;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : sizeof(b->small);
		while (cap < b->len + n + 1)
			cap *= 2;
		char *nd = cap == sizeof(b->small) ? b->small
			   : b->d == b->small	   ? malloc(cap)
						   : realloc(b->d, cap);
		if (!nd) {
			b->oom = true;
			return;
		}
		if (b->d == b->small && nd != b->small)
			memcpy(nd, b->small, b->len + 1);
		b->d = nd;
		b->cap = cap;
	}
	memcpy(b->d + b->len, s, n);
	b->len += n;
	b->d[b->len] = 0;
}

static void sb_free(struct sb *b)
{
	if (b->room)
		*b->room += b->len;
	if (b->d != b->small)
		free(b->d);
}

static void sb_putc(struct sb *b, char c)
{
	sb_add(b, &c, 1);
}

static const char *sb_str(const struct sb *b)
{
	return b->d ? b->d : "";
}

struct xs {
	const char *s;
	size_t i, n;
	char esc;
	df_lookup_fn lookup;
	void *data;
	const char *unresolved; /* borrowed: in s, or an arena string */
	size_t unresolved_len;
	const char *error;
	int depth;
	size_t room; /* what the expansion's strings may still hold */
	bool too_long;
};

static int peek(const struct xs *x)
{
	return x->i < x->n ? (unsigned char)x->s[x->i] : -1;
}

static void note_unresolved(struct xs *x, const char *name, size_t len)
{
	if (!x->unresolved) {
		x->unresolved = name;
		x->unresolved_len = len;
	}
}

static bool get(struct xs *x, const char *name, size_t len, const char **value)
{
	const char *taint = NULL;
	*value = NULL;
	bool found = x->lookup(x->data, name, len, value, &taint);
	if (found && taint)
		note_unresolved(x, taint, strlen(taint));
	if (found && !*value)
		found = false; /* declared with no value: BuildKit leaves it unset */
	if (!*value)
		*value = "";
	return found;
}

static int stop_on(struct xs *x, int stop, bool raw, struct sb *o);

static int single_quote(struct xs *x, struct sb *o)
{
	x->i++;
	while (x->i < x->n) {
		char c = x->s[x->i++];
		if (c == '\'')
			return 0;
		sb_putc(o, c);
	}
	x->error = "unexpected end of statement while looking for matching single-quote";
	return -1;
}

static int dollar(struct xs *x, struct sb *o);

static int double_quote(struct xs *x, struct sb *o)
{
	x->i++;
	for (;;) {
		int c = peek(x);
		if (c < 0) {
			x->error = "unexpected end of statement while looking for matching "
				   "double-quote";
			return -1;
		}
		if (c == '"') {
			x->i++;
			return 0;
		}
		if (c == '$') {
			if (dollar(x, o) != 0)
				return -1;
			continue;
		}
		char ch = x->s[x->i++];
		if (ch == x->esc) {
			int nx = peek(x);
			if (nx < 0)
				continue;
			if (nx == '"' || nx == '$' || nx == x->esc)
				ch = x->s[x->i++];
		}
		sb_putc(o, ch);
	}
}

static bool special_param(int c)
{
	return c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' || c == '!' ||
	       c == '0';
}

/* processName: digits, one special parameter, or letters, digits and '_'. */
static size_t name_len(const struct xs *x)
{
	size_t i = x->i;
	if (i >= x->n)
		return 0;
	unsigned char c = (unsigned char)x->s[i];
	if (isdigit(c)) {
		while (i < x->n && isdigit((unsigned char)x->s[i]))
			i++;
		return i - x->i;
	}
	if (special_param(c))
		return 1;
	while (i < x->n) {
		c = (unsigned char)x->s[i];
		if (!isalnum(c) && c != '_' && c < 0x80)
			break;
		i++;
	}
	return i - x->i;
}

/* A shell pattern as fnmatch(3) reads it: only * and ? are special here. */
static char *fn_pattern(const char *p)
{
	size_t n = strlen(p);
	char *out = malloc(2 * n + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == '\\' && i + 1 < n) {
			char nx = p[++i];
			if (nx != '}' && nx != '/')
				*o++ = '\\';
			*o++ = nx;
			continue;
		}
		if (c == '[' || c == ']')
			*o++ = '\\';
		*o++ = c;
	}
	*o = 0;
	return out;
}

static bool fn_match(const char *pat, const char *s, size_t len)
{
	char *t = strndup(s, len);
	bool r = t && fnmatch(pat, t, 0) == 0;
	free(t);
	return r;
}

/* ${v#p}, ${v##p}, ${v%p}, ${v%%p}. */
static void trim(struct sb *o, const char *value, const char *pattern, bool prefix, bool greedy)
{
	size_t n = strlen(value);
	char *pat = n <= MAX_PATTERN ? fn_pattern(pattern) : NULL;
	if (!pat) {
		sb_add(o, value, n);
		return;
	}
	for (size_t step = 0; step <= n; step++) {
		size_t k = greedy ? n - step : step;
		bool m = prefix ? fn_match(pat, value, k) : fn_match(pat, value + n - k, k);
		if (m) {
			if (prefix)
				sb_add(o, value + k, n - k);
			else
				sb_add(o, value, n - k);
			free(pat);
			return;
		}
	}
	free(pat);
	sb_add(o, value, n);
}

/* ${v/p/r} and ${v//p/r}: leftmost, longest match. */
static void replace(struct sb *o, const char *value, const char *pattern, const char *rep, bool all)
{
	size_t n = strlen(value);
	char *pat = n <= MAX_PATTERN / 4 ? fn_pattern(pattern) : NULL;
	if (!pat) {
		sb_add(o, value, n);
		return;
	}
	size_t i = 0;
	bool done = false;
	while (i <= n) {
		size_t j = n + 1;
		if (!done) {
			for (size_t e = n + 1; e-- > i;)
				if (fn_match(pat, value + i, e - i)) {
					j = e;
					break;
				}
		}
		if (j <= n) {
			sb_add(o, rep, strlen(rep));
			done = !all;
			if (j > i) {
				i = j;
				continue;
			}
		}
		if (i < n)
			sb_putc(o, value[i]);
		i++;
	}
	free(pat);
}

static int dollar(struct xs *x, struct sb *o)
{
	x->i++;
	if (peek(x) != '{') {
		size_t len = name_len(x);
		if (len == 0) {
			sb_putc(o, '$');
			return 0;
		}
		const char *name = x->s + x->i;
		x->i += len;
		const char *v;
		if (!get(x, name, len, &v))
			note_unresolved(x, name, len);
		sb_add(o, v, strlen(v));
		return 0;
	}
	x->i++;
	int c = peek(x);
	if (c < 0) {
		x->error = "syntax error: missing '}'";
		return -1;
	}
	if (c == '{' || c == '}' || c == ':') {
		x->error = "syntax error: bad substitution";
		return -1;
	}
	size_t len = name_len(x);
	const char *name = x->s + x->i;
	x->i += len;
	int ch = peek(x);
	if (ch >= 0)
		x->i++;
	const char *v;
	bool set;
	if (ch == '}') {
		set = get(x, name, len, &v);
		if (!set)
			note_unresolved(x, name, len);
		sb_add(o, v, strlen(v));
		return 0;
	}
	bool null_is_unset = false;
	if (ch == ':') {
		null_is_unset = true;
		ch = peek(x);
		if (ch >= 0)
			x->i++;
	}
	if (ch == '+' || ch == '-' || ch == '?' || ch == '#' || ch == '%') {
		struct sb w = {.room = &x->room};
		if (stop_on(x, '}', ch == '#' || ch == '%', &w) != 0) {
			sb_free(&w);
			return -1;
		}
		if (w.too_long) {
			x->too_long = true;
			sb_free(&w);
			return -1;
		}
		const char *word = sb_str(&w);
		set = get(x, name, len, &v);
		bool empty = !set || (null_is_unset && !*v);
		switch (ch) {
		case '-':
			sb_add(o, empty ? word : v, strlen(empty ? word : v));
			break;
		case '+':
			if (!empty)
				sb_add(o, word, strlen(word));
			break;
		case '?':
			if (empty) {
				note_unresolved(x, name, len);
				x->error = "a required variable is not set";
				sb_free(&w);
				return -1;
			}
			sb_add(o, v, strlen(v));
			break;
		default: {
			bool greedy = *word == ch;
			if (!set)
				note_unresolved(x, name, len);
			trim(o, v, greedy ? word + 1 : word, ch == '#', greedy);
		}
		}
		sb_free(&w);
		return 0;
	}
	if (ch == '/' && !null_is_unset) {
		bool all = peek(x) == '/';
		if (all)
			x->i++;
		struct sb pat = {.room = &x->room}, rep = {.room = &x->room};
		int r = stop_on(x, '/', true, &pat);
		if (r == 0)
			r = stop_on(x, '}', true, &rep);
		if (pat.too_long || rep.too_long) {
			x->too_long = true;
			r = -1;
		}
		if (r == 0) {
			if (!get(x, name, len, &v))
				note_unresolved(x, name, len);
			replace(o, v, sb_str(&pat), sb_str(&rep), all);
		}
		sb_free(&pat);
		sb_free(&rep);
		return r;
	}
	x->error = "unsupported modifier in substitution";
	return -1;
}

static int stop_on(struct xs *x, int stop, bool raw, struct sb *o)
{
	if (++x->depth > MAX_DEPTH) {
		x->error = "variable substitutions nested too deep";
		return -1;
	}
	while (x->i < x->n) {
		char c = x->s[x->i];
		if (stop >= 0 && (unsigned char)c == stop) {
			x->i++;
			x->depth--;
			return 0;
		}
		int r = 0;
		if (c == '\'')
			r = single_quote(x, o);
		else if (c == '"')
			r = double_quote(x, o);
		else if (c == '$')
			r = dollar(x, o);
		else {
			x->i++;
			if (c == x->esc) {
				if (raw)
					sb_putc(o, c);
				if (x->i >= x->n)
					break;
				c = x->s[x->i++];
			}
			sb_putc(o, c);
		}
		if (r != 0)
			return -1;
	}
	x->depth--;
	if (stop >= 0) {
		x->error = "syntax error: missing '}'";
		return -1;
	}
	return 0;
}

const char df_expand_too_long[] = "the value expands to more than the limit";

const char *df_expand_with(struct arena *a, const char *s, size_t len, char escape,
			   df_lookup_fn lookup, void *data, size_t limit, const char **unresolved,
			   const char **error)
{
	/* Most words hold no quote, escape or $: they are what they say, without a copy per byte.
	 */
	size_t k = 0;
	while (k < len && s[k] != '$' && s[k] != '\'' && s[k] != '"' && s[k] != escape)
		k++;
	if (k == len) {
		const char *out = arena_strndup(a, s, strnlen(s, len));
		if (unresolved)
			*unresolved = NULL;
		if (error)
			*error = out ? NULL : "out of memory";
		return out;
	}
	struct xs x = {.s = s,
		       .n = len,
		       .esc = escape,
		       .lookup = lookup,
		       .data = data,
		       .room = limit ? limit : DF_EXPAND_MAX};
	struct sb o = {.room = &x.room};
	int r = stop_on(&x, -1, false, &o);
	const char *out = NULL;
	if (o.too_long || x.too_long)
		x.error = df_expand_too_long;
	else if (r == 0 && !o.oom)
		out = arena_strdup(a, sb_str(&o));
	else if (!x.error)
		x.error = "out of memory";
	sb_free(&o);
	if (unresolved)
		*unresolved =
		    x.unresolved ? arena_strndup(a, x.unresolved, x.unresolved_len) : NULL;
	if (error)
		*error = out ? NULL : x.error;
	return out;
}

const char *df_var_get(const struct df_var *vars, const char *name, bool *found)
{
	bool f = false;
	for (const struct df_var *v = vars; v; v = v->next) {
		if (strcmp(v->name, name) != 0)
			continue;
		f = true;
		/* `ARG NAME` with no value does not hide an older value. */
		if (v->value) {
			if (found)
				*found = true;
			return v->value;
		}
	}
	if (found)
		*found = f;
	return NULL;
}

static bool list_lookup(void *data, const char *name, size_t len, const char **value,
			const char **unresolved)
{
	for (const struct df_var *v = data; v; v = v->next) {
		if (strlen(v->name) != len || strncmp(v->name, name, len) != 0 || !v->value)
			continue;
		*value = v->value;
		*unresolved = v->unresolved;
		return true;
	}
	return false;
}

const char *df_expand(struct arena *a, const char *s, const struct df_var *vars, char escape,
		      const char **unresolved)
{
	return df_expand_with(a, s, strlen(s), escape, list_lookup, (void *)vars, 0, unresolved,
			      NULL);
}

const char *df_expand_in(struct arena *a, const struct dockerfile *df, const struct df_instr *in,
			 const char *s, const char **unresolved)
{
	struct df_expansion *x = df->expansion;
	size_t room = DF_EXPAND_MAX;
	if (x && x->total_left < room)
		room = x->total_left;
	const char *err = NULL;
	const char *r = df_expand_with(a, s, strlen(s), df->escape, list_lookup, (void *)in->vars,
				       room, unresolved, &err);
	if (r && x)
		x->total_left -= strlen(r) < x->total_left ? strlen(r) : x->total_left;
	if (!r && err == df_expand_too_long && x)
		df_expansion_over(x, in, room < DF_EXPAND_MAX);
	return r;
}

const char *df_expand_known(struct arena *a, const struct dockerfile *df, const struct df_instr *in,
			    const char *s)
{
	if (!s)
		return NULL;
	if (!strchr(s, '$'))
		return s;
	const char *unresolved = NULL;
	const char *r = df_expand_in(a, df, in, s, &unresolved);
	if (!r || unresolved || strchr(r, '$'))
		return NULL;
	return r;
}

void df_expansion_over(struct df_expansion *x, const struct df_instr *in, bool total)
{
	if (x->over)
		return;
	x->over = true;
	x->total = total;
	x->start = in->start;
	x->end = in->end;
}
