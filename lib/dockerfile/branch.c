/*
 * branch.c - whether a command of the final image runs: the conditions
 * around it (shell.h's sh_cond) decided with what the Dockerfile says.
 *
 * A RUN step runs with the ARG and ENV values in scope, so a test of them
 * (`if [ "$FLAVOR" = slim ]`, `case "$GF_GID" in 0)`) is decided with
 * their defaults, as the build runs it without --build-arg. `getent group
 * 0` holds in every image: group and user 0 are root. What depends on the
 * base image's files (`grep -q alpine /etc/issue`), on what the network
 * gives, on another command's output, or for an entrypoint script on the
 * environment and arguments the container gets, is not known from the
 * file: the command is then in an unknown branch, and the rules say so
 * instead of reporting it as certain.
 */
#include "dockerfile/dockerfile.h"
#include "shell/shell.h"
#include "unroot/arena.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A test operand: its value, or only that it is not empty, or unknown. */
struct operand {
	const char *value; /* NULL: unknown */
	bool nonempty;	   /* value unknown, but not empty */
};

struct decide {
	struct arena *a;
	const struct dockerfile *df;
	const struct df_instr *in; /* the RUN whose ARG/ENV values apply, or NULL */
	const struct df_text *t;
	bool in_function; /* the condition is in a function's body */
};

/* $1 .. $9, ${1} .. ${9}, $@, $*, $# of an entrypoint script whose arguments are known. */
static const char *positional(struct decide *d, const struct sh_word *w)
{
	const struct df_text *t = d->t;
	const char *v = w->value;
	if (!t->args || v[0] != '$' || d->in_function || w->start >= t->args_until)
		return NULL;
	char c = 0;
	if (v[1] && !v[2])
		c = v[1];
	else if (v[1] == '{' && v[2] && v[3] == '}' && !v[4])
		c = v[2];
	if (c >= '1' && c <= '9')
		return (size_t)(c - '0') <= t->nargs ? t->args[c - '1'] : "";
	if (c == '#')
		return arena_printf(d->a, "%zu", t->nargs);
	if (c != '@' && c != '*')
		return NULL;
	size_t len = 1;
	for (size_t i = 0; i < t->nargs; i++)
		len += strlen(t->args[i]) + 1;
	char *all = arena_alloc(d->a, len), *p = all;
	if (!all)
		return NULL;
	for (size_t i = 0; i < t->nargs; i++)
		p += sprintf(p, "%s%s", i ? " " : "", t->args[i]);
	*p = '\0';
	return all;
}

/* `getent group X` or `getent passwd X` for root (0 or root): it finds it. */
static bool getent_root(struct decide *d, const char *db, const char *key)
{
	if (strcmp(db, "group") != 0 && strcmp(db, "passwd") != 0)
		return false;
	const char *k = strchr(key, '$') && d->in ? df_expand_known(d->a, d->df, d->in, key) : key;
	return k && strchr(k, '$') == NULL && (strcmp(k, "0") == 0 || strcmp(k, "root") == 0);
}

/* `$(getent group "$GID")` as written in a word: its output is not empty for root. */
static bool subst_getent_root(struct decide *d, const char *v)
{
	size_t n = strlen(v);
	const char *body;
	size_t len;
	if (n > 3 && v[0] == '$' && v[1] == '(' && v[n - 1] == ')') {
		body = v + 2;
		len = n - 3;
	} else if (n > 2 && v[0] == '`' && v[n - 1] == '`') {
		body = v + 1;
		len = n - 2;
	} else {
		return false;
	}
	char buf[128];
	if (len >= sizeof(buf))
		return false;
	memcpy(buf, body, len);
	buf[len] = '\0';
	/* getent DB KEY, the key quoted or not, nothing after it */
	char *w[4] = {0};
	size_t k = 0;
	for (char *p = strtok(buf, " \t"); p; p = strtok(NULL, " \t")) {
		if (k == 3)
			return false;
		w[k++] = p;
	}
	if (k != 3 || strcmp(w[0], "getent") != 0)
		return false;
	char *key = w[2];
	size_t kl = strlen(key);
	if (kl >= 2 && (key[0] == '"' || key[0] == '\'') && key[kl - 1] == key[0]) {
		key[kl - 1] = '\0';
		key++;
	}
	return getent_root(d, w[1], key);
}

static struct operand operand(struct decide *d, const struct sh_word *w)
{
	struct operand o = {0};
	if (!w->expands && !strchr(w->value, '$') && !strchr(w->value, '`')) {
		o.value = w->value;
		return o;
	}
	if ((o.value = positional(d, w)) != NULL)
		return o;
	if (subst_getent_root(d, w->value)) {
		o.nonempty = true;
		return o;
	}
	if (!d->in || strchr(w->value, '`') || strstr(w->value, "$("))
		return o;
	o.value = df_expand_known(d->a, d->df, d->in, w->value);
	return o;
}

static bool known_empty(struct operand o, bool *empty)
{
	if (o.value) {
		*empty = !*o.value;
		return true;
	}
	if (o.nonempty) {
		*empty = false;
		return true;
	}
	return false;
}

static bool integer(const char *s, long *out)
{
	char *end;
	if (!s || !*s)
		return false;
	*out = strtol(s, &end, 10);
	return *end == '\0';
}

/* L OP R at argv[*i]: 1 holds, 0 fails, -1 unknown. */
static int compare(struct decide *d, const struct sh_word *argv, size_t *i, bool dbl)
{
	const char *op = argv[*i + 1].value;
	struct operand l = operand(d, &argv[*i]), r = operand(d, &argv[*i + 2]);
	*i += 3;
	bool eq = strcmp(op, "=") == 0 || strcmp(op, "==") == 0;
	if (eq || strcmp(op, "!=") == 0) {
		bool le, re;
		if (!l.value || !r.value) {
			/* only emptiness known: `[ "$(getent group 0)" = "" ]` */
			if (known_empty(l, &le) && known_empty(r, &re) && (le || re) && le != re)
				return eq ? 0 : 1;
			return -1;
		}
		/* [[ == ]] matches a pattern */
		bool same = dbl && strcmp(op, "=") != 0 ? fnmatch(r.value, l.value, 0) == 0
							: strcmp(l.value, r.value) == 0;
		return eq ? same : !same;
	}
	long x, y;
	if (op[0] != '-' || !integer(l.value, &x) || !integer(r.value, &y))
		return -1;
	if (strcmp(op, "-eq") == 0)
		return x == y;
	if (strcmp(op, "-ne") == 0)
		return x != y;
	if (strcmp(op, "-lt") == 0)
		return x < y;
	if (strcmp(op, "-le") == 0)
		return x <= y;
	if (strcmp(op, "-gt") == 0)
		return x > y;
	if (strcmp(op, "-ge") == 0)
		return x >= y;
	return -1; /* -nt, -ot, -ef: files */
}

/* The test expression argv[*i..n): 1 holds, 0 fails, -1 unknown. */
static int test_or(struct decide *d, const struct sh_word *argv, size_t *i, size_t n, bool dbl);

static int test_primary(struct decide *d, const struct sh_word *argv, size_t *i, size_t n, bool dbl)
{
	if (*i >= n)
		return -1;
	const char *a = argv[*i].value;
	if (strcmp(a, "!") == 0) {
		(*i)++;
		int r = test_primary(d, argv, i, n, dbl);
		return r < 0 ? -1 : !r;
	}
	if (strcmp(a, "(") == 0) {
		(*i)++;
		int r = test_or(d, argv, i, n, dbl);
		if (*i >= n || strcmp(argv[*i].value, ")") != 0)
			return -1;
		(*i)++;
		return r;
	}
	/* a binary operator after this word */
	static const char *const ops[] = {"=",	 "==", "!=", "-eq", "-ne", "-lt", "-le", "-gt",
					  "-ge", "=~", "<",  ">",   "-nt", "-ot", "-ef"};
	bool binary = false;
	for (size_t k = 0; *i + 2 < n && k < sizeof(ops) / sizeof(ops[0]); k++)
		binary = binary || strcmp(argv[*i + 1].value, ops[k]) == 0;
	if (binary)
		return compare(d, argv, i, dbl);
	if (a[0] == '-' && a[1] && !a[2] && *i + 1 < n) {
		/* a unary operator: only the string ones are known from the file */
		struct operand o = operand(d, &argv[*i + 1]);
		*i += 2;
		bool empty;
		if ((a[1] == 'z' || a[1] == 'n') && known_empty(o, &empty))
			return a[1] == 'z' ? empty : !empty;
		return -1;
	}
	/* one word: it holds when it is not empty */
	struct operand o = operand(d, &argv[*i]);
	(*i)++;
	bool empty;
	return known_empty(o, &empty) ? !empty : -1;
}

static int test_and(struct decide *d, const struct sh_word *argv, size_t *i, size_t n, bool dbl)
{
	int r = test_primary(d, argv, i, n, dbl);
	while (*i < n && strcmp(argv[*i].value, dbl ? "&&" : "-a") == 0) {
		(*i)++;
		int s = test_primary(d, argv, i, n, dbl);
		r = r == 0 || s == 0 ? 0 : r < 0 || s < 0 ? -1 : 1;
	}
	return r;
}

static int test_or(struct decide *d, const struct sh_word *argv, size_t *i, size_t n, bool dbl)
{
	int r = test_and(d, argv, i, n, dbl);
	while (*i < n && strcmp(argv[*i].value, dbl ? "||" : "-o") == 0) {
		(*i)++;
		int s = test_and(d, argv, i, n, dbl);
		r = r == 1 || s == 1 ? 1 : r < 0 || s < 0 ? -1 : 0;
	}
	return r;
}

/* A condition's test command, as written: 1 holds, 0 fails, -1 unknown. */
static int decide_test(struct decide *d, const struct sh_cond *c)
{
	const struct sh_word *argv = c->argv;
	size_t n = c->argc;
	if (!argv || !n)
		return -1;
	if (c->kind == 'c') {
		/* case WORD in PATTERN|...: the arm runs when the word matches one */
		for (size_t k = 1; k < n; k++)
			if (strcmp(argv[k].value, "*") == 0)
				return 1;
		struct operand w = operand(d, &argv[0]);
		if (!w.value)
			return -1;
		for (size_t k = 1; k < n; k++) {
			if (argv[k].expands)
				return -1;
			if (fnmatch(argv[k].value, w.value, 0) == 0)
				return 1;
		}
		return 0;
	}
	const char *a0 = argv[0].value;
	if (n == 1 && (strcmp(a0, "true") == 0 || strcmp(a0, ":") == 0))
		return 1;
	if (n == 1 && strcmp(a0, "false") == 0)
		return 0;
	if (n == 3 && strcmp(a0, "getent") == 0) {
		struct operand db = operand(d, &argv[1]), key = operand(d, &argv[2]);
		return db.value && key.value && getent_root(d, db.value, key.value) ? 1 : -1;
	}
	bool dbl = strcmp(a0, "[[") == 0;
	if (strcmp(a0, "[") == 0 || dbl) {
		if (n < 2 || strcmp(argv[n - 1].value, dbl ? "]]" : "]") != 0)
			return -1;
		n--;
	} else if (strcmp(a0, "test") != 0) {
		return -1;
	}
	size_t i = 1;
	if (i == n)
		return 0; /* `[ ]` fails */
	int r = test_or(d, argv, &i, n, dbl);
	return i == n ? r : -1;
}

int df_branch(struct arena *a, const struct dockerfile *df, const struct df_text *t,
	      const struct sh_cmd *cmd, const struct sh_cond **unknown)
{
	/* a RUN step (and a script it runs) has the ARG and ENV values; an entrypoint
	 * script, the container's environment, which `docker run -e` may change */
	struct decide d = {.a = a, .df = df, .in = t->in->cmd == DF_RUN ? t->in : NULL, .t = t};
	*unknown = NULL;
	int result = 1;
	/* the innermost 64: a chain of thousands of `[ x ] &&` is no one's build, and each
	 * command would walk it */
	unsigned depth = 0;
	for (const struct sh_cond *c = cmd->cond; c; c = c->outer) {
		if (++depth > 64) {
			if (!*unknown)
				*unknown = c;
			return 0;
		}
		d.in_function = c->in_function;
		int r = decide_test(&d, c);
		if (r < 0) {
			if (!*unknown)
				*unknown = c;
			result = 0;
			continue;
		}
		if (c->negated)
			r = !r;
		if (!r && !d.in) {
			/* an entrypoint's arguments are the image's defaults, which `docker run
			 * IMAGE ARGS` and a pod's args replace: a branch they rule out may run */
			if (!*unknown)
				*unknown = c;
			result = 0;
			continue;
		}
		if (!r)
			return -1;
	}
	return result;
}
