/*
 * eval.c - a small evaluator for template conditions against the chart's
 * default values, so the scanner knows which branches a plain install takes.
 *
 * It knows .Values paths ($.Values too), the dot of a `with`, variables
 * assigned in the same file ($x := ...), literals, parentheses, and the
 * functions and, or, not, empty, eq, ne, default. Anything else (include,
 * .Capabilities, .Release, pipes) is unknown, and an unknown condition
 * never hides anything: only a branch known to be skipped is.
 */
#include "helm-eval.h"
#include "yaml/ytree.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

struct lexer {
	const char *s;
	size_t n, p;
	const struct helm_chart *c;
	const struct helm_vars *vars;
	struct hval dot;
	unsigned depth;
};

enum tri hval_truth(struct hval v)
{
	switch (v.kind) {
	case H_UNKNOWN:
		return TRI_UNKNOWN;
	case H_NIL:
		return TRI_FALSE;
	case H_BOOL:
		return v.b;
	case H_STR:
		return v.len ? TRI_TRUE : TRI_FALSE;
	case H_NODE:
		break;
	}
	const struct ynode *n = v.node;
	if (n->kind != Y_SCALAR)
		return n->nitems ? TRI_TRUE : TRI_FALSE;
	if (n->style != Y_PLAIN)
		return n->len ? TRI_TRUE : TRI_FALSE;
	static const char *const falsy[] = {"false", "no", "off", "null", "~", "0", "0.0", ""};
	for (size_t i = 0; i < sizeof(falsy) / sizeof(falsy[0]); i++)
		if (strcasecmp(n->value, falsy[i]) == 0)
			return TRI_FALSE;
	return TRI_TRUE;
}

static struct hval unknown(void)
{
	return (struct hval){.kind = H_UNKNOWN};
}

static struct hval boolean(enum tri t)
{
	if (t == TRI_UNKNOWN)
		return unknown();
	return (struct hval){.kind = H_BOOL, .b = t};
}

static void skip_space(struct lexer *L)
{
	while (L->p < L->n && isspace((unsigned char)L->s[L->p]))
		L->p++;
}

static bool ident_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-';
}

/* Follows `.a.b` from node n; *p at the first '.'. */
static struct hval descend(struct lexer *L, struct hval v)
{
	while (L->p < L->n && L->s[L->p] == '.') {
		size_t a = ++L->p;
		while (L->p < L->n && ident_char(L->s[L->p]) && L->s[L->p] != '-')
			L->p++;
		size_t len = L->p - a;
		if (v.kind == H_NIL)
			continue; /* a field of nil is nil for the checks Helm charts write */
		if (v.kind != H_NODE || v.node->kind != Y_MAP) {
			v = v.kind == H_NODE ? (struct hval){.kind = H_NIL} : unknown();
			continue;
		}
		const struct ynode *next = NULL;
		for (size_t i = 0; i + 1 < v.node->nitems; i += 2) {
			const struct ynode *k = v.node->items[i];
			if (k->kind == Y_SCALAR && k->len == len &&
			    memcmp(k->value, L->s + a, len) == 0)
				next = v.node->items[i + 1];
		}
		v = next ? (struct hval){.kind = H_NODE, .node = next}
			 : (struct hval){.kind = H_NIL};
	}
	return v;
}

static struct hval values_root(struct lexer *L)
{
	if (!L->c->values)
		return (struct hval){.kind = H_NIL};
	return (struct hval){.kind = H_NODE, .node = L->c->values};
}

static struct hval pipeline(struct lexer *L);

/* One operand; sets *ok false at the end of the command. */
static struct hval operand(struct lexer *L, bool *ok)
{
	skip_space(L);
	*ok = true;
	if (L->p >= L->n || L->s[L->p] == ')' || L->s[L->p] == '|') {
		*ok = false;
		return unknown();
	}
	char ch = L->s[L->p];
	if (ch == '(') {
		L->p++;
		if (++L->depth > 32) {
			L->p = L->n;
			return unknown();
		}
		struct hval v = pipeline(L);
		L->depth--;
		skip_space(L);
		if (L->p < L->n && L->s[L->p] == ')')
			L->p++;
		if (L->p < L->n && L->s[L->p] == '.')
			return descend(L, v);
		return v;
	}
	if (ch == '"' || ch == '`') {
		size_t a = ++L->p;
		while (L->p < L->n && L->s[L->p] != ch) {
			if (ch == '"' && L->s[L->p] == '\\' && L->p + 1 < L->n)
				L->p++;
			L->p++;
		}
		struct hval v = {.kind = H_STR, .str = L->s + a, .len = L->p - a};
		if (L->p < L->n)
			L->p++;
		return v;
	}
	if (ch == '$') {
		size_t a = ++L->p;
		while (L->p < L->n && ident_char(L->s[L->p]))
			L->p++;
		size_t len = L->p - a;
		if (len == 0) {
			/* $ is the root context: $.Values.x */
			if (L->n - L->p >= 7 && strncmp(L->s + L->p, ".Values", 7) == 0 &&
			    !(L->p + 7 < L->n && ident_char(L->s[L->p + 7]))) {
				L->p += 7;
				return descend(L, values_root(L));
			}
			descend(L, unknown());
			return unknown();
		}
		struct hval v = unknown();
		for (size_t i = L->vars ? L->vars->n : 0; i-- > 0;)
			if (strlen(L->vars->name[i]) == len &&
			    memcmp(L->vars->name[i], L->s + a, len) == 0) {
				v = L->vars->val[i];
				break;
			}
		return descend(L, v);
	}
	if (ch == '.') {
		if (L->n - L->p >= 7 && strncmp(L->s + L->p, ".Values", 7) == 0 &&
		    !(L->p + 7 < L->n && ident_char(L->s[L->p + 7]))) {
			L->p += 7;
			return descend(L, values_root(L));
		}
		if (L->p + 1 >= L->n || !ident_char(L->s[L->p + 1])) {
			L->p++;
			return L->dot;
		}
		if (L->dot.kind == H_NODE)
			return descend(L, L->dot);
		descend(L, unknown());
		return unknown();
	}
	if (isdigit((unsigned char)ch) || ch == '-') {
		size_t a = L->p++;
		while (L->p < L->n && (isalnum((unsigned char)L->s[L->p]) || L->s[L->p] == '.'))
			L->p++;
		return (struct hval){.kind = H_STR, .str = L->s + a, .len = L->p - a};
	}
	size_t a = L->p;
	while (L->p < L->n && ident_char(L->s[L->p]))
		L->p++;
	if (L->p == a) {
		L->p++; /* a character no operand starts with */
		return unknown();
	}
	size_t len = L->p - a;
	if (len == 4 && strncmp(L->s + a, "true", 4) == 0)
		return boolean(TRI_TRUE);
	if (len == 5 && strncmp(L->s + a, "false", 5) == 0)
		return boolean(TRI_FALSE);
	if (len == 3 && strncmp(L->s + a, "nil", 3) == 0)
		return (struct hval){.kind = H_NIL};
	/* A function used as an operand without parentheses: only at a command's head. */
	L->p = a;
	*ok = false;
	return unknown();
}

/* The text form of a scalar value, for eq; false when it has none. */
static bool text_of(struct hval v, const char **s, size_t *n)
{
	switch (v.kind) {
	case H_STR:
		*s = v.str;
		*n = v.len;
		return true;
	case H_BOOL:
		*s = v.b == TRI_TRUE ? "true" : "false";
		*n = strlen(*s);
		return true;
	case H_NODE:
		if (v.node->kind != Y_SCALAR)
			return false;
		*s = v.node->value;
		*n = v.node->len;
		return true;
	default:
		return false;
	}
}

static struct hval command(struct lexer *L)
{
	skip_space(L);
	size_t a = L->p;
	while (L->p < L->n && ident_char(L->s[L->p]))
		L->p++;
	size_t len = L->p - a;
	bool is_func = len > 0 && !(len == 4 && strncmp(L->s + a, "true", 4) == 0) &&
		       !(len == 5 && strncmp(L->s + a, "false", 5) == 0) &&
		       !(len == 3 && strncmp(L->s + a, "nil", 3) == 0) &&
		       !isdigit((unsigned char)L->s[a]);
	if (!is_func) {
		L->p = a;
		bool ok;
		struct hval v = operand(L, &ok);
		/* A method call or more words after a value: not something we know. */
		skip_space(L);
		if (L->p < L->n && L->s[L->p] != ')' && L->s[L->p] != '|') {
			while (operand(L, &ok), ok)
				;
			return unknown();
		}
		return v;
	}
	struct hval args[16];
	size_t nargs = 0;
	bool ok;
	for (;;) {
		struct hval v = operand(L, &ok);
		if (!ok) {
			skip_space(L);
			/* A nested bare function name: give up on this command. */
			if (L->p < L->n && L->s[L->p] != ')' && L->s[L->p] != '|') {
				while (L->p < L->n && L->s[L->p] != ')' && L->s[L->p] != '|')
					L->p++;
				return unknown();
			}
			break;
		}
		if (nargs < 16)
			args[nargs++] = v;
	}
	const char *f = L->s + a;
#define IS(name) (len == strlen(name) && strncmp(f, name, len) == 0)
	if (IS("not") && nargs == 1) {
		enum tri t = hval_truth(args[0]);
		return boolean(t == TRI_UNKNOWN ? t : t == TRI_TRUE ? TRI_FALSE : TRI_TRUE);
	}
	if (IS("empty") && nargs == 1) {
		enum tri t = hval_truth(args[0]);
		return boolean(t == TRI_UNKNOWN ? t : t == TRI_TRUE ? TRI_FALSE : TRI_TRUE);
	}
	if ((IS("and") || IS("or")) && nargs >= 1) {
		bool and = IS("and");
		bool any_unknown = false;
		for (size_t i = 0; i < nargs; i++) {
			enum tri t = hval_truth(args[i]);
			if (t == TRI_UNKNOWN)
				any_unknown = true;
			else if (t == (and? TRI_FALSE : TRI_TRUE))
				return boolean(t);
		}
		return any_unknown ? unknown() : boolean(and? TRI_TRUE : TRI_FALSE);
	}
	if ((IS("eq") || IS("ne")) && nargs == 2) {
		const char *s1, *s2;
		size_t n1, n2;
		if (!text_of(args[0], &s1, &n1) || !text_of(args[1], &s2, &n2))
			return unknown();
		bool same = n1 == n2 && memcmp(s1, s2, n1) == 0;
		return boolean(same == IS("eq") ? TRI_TRUE : TRI_FALSE);
	}
	if (IS("default") && nargs == 2) {
		enum tri t = hval_truth(args[1]);
		return t == TRI_UNKNOWN ? unknown() : t == TRI_TRUE ? args[1] : args[0];
	}
#undef IS
	return unknown();
}

static struct hval pipeline(struct lexer *L)
{
	struct hval v = command(L);
	skip_space(L);
	if (L->p < L->n && L->s[L->p] == '|') {
		/* Pipes transform the value in ways this evaluator does not follow. */
		while (L->p < L->n && L->s[L->p] != ')')
			L->p++;
		return unknown();
	}
	return v;
}

struct hval helm_eval(const struct helm_chart *c, const struct helm_vars *vars, struct hval dot,
		      const char *s, size_t n)
{
	struct lexer L = {.s = s, .n = n, .c = c, .vars = vars, .dot = dot};
	struct hval v = pipeline(&L);
	skip_space(&L);
	return L.p >= L.n ? v : unknown();
}

void helm_eval_assign(const struct helm_chart *c, struct helm_vars *vars, struct hval dot,
		      const char *s, size_t n)
{
	if (n < 2 || s[0] != '$')
		return;
	size_t p = 1;
	while (p < n && ident_char(s[p]))
		p++;
	size_t len = p - 1;
	while (p < n && s[p] == ' ')
		p++;
	size_t op = p + 1 < n && s[p] == ':' && s[p + 1] == '=' ? 2 : p < n && s[p] == '=' ? 1 : 0;
	if (!len || !op || len >= sizeof(vars->buf[0]))
		return;
	struct hval v = helm_eval(c, vars, dot, s + p + op, n - p - op);
	size_t slot = vars->n;
	for (size_t i = 0; i < vars->n; i++)
		if (strlen(vars->name[i]) == len && memcmp(vars->name[i], s + 1, len) == 0)
			slot = i;
	if (slot == vars->n) {
		if (vars->n >= HELM_MAX_VARS)
			return;
		vars->n++;
	}
	memcpy(vars->buf[slot], s + 1, len);
	vars->buf[slot][len] = 0;
	vars->name[slot] = vars->buf[slot];
	vars->val[slot] = v;
}
