/*
 * scan.c - the static template scanner: Go template actions and YAML
 * indentation, read as text.
 *
 * A template is not YAML until Helm renders it, so libyaml cannot read it.
 * The scanner walks it once, line by line. Actions ({{ ... }}, with their
 * trim markers, strings and comments) are found first; control actions
 * (if/with/range/define/block/else/end) keep a bounded block stack. The
 * first plain text on a line is a YAML key when it looks like one
 * (`key:`, `- key:`), and a key stack by indentation gives its parents, so
 * a securityContext under `containers:` is a container's. What follows a
 * securityContext key, inline or on deeper lines, tells where it comes from.
 */
#include "helm-eval.h"
#include "unroot/arena.h"
#include "helm/helm.h"
#include "unroot/source.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_BLOCKS 64
#define MAX_KEYS   64

struct action {
	size_t start, end;     /* delimiters included */
	size_t body, body_end; /* trimmed inside */
	bool comment;
};

enum block_kind { B_IF, B_WITH, B_RANGE, B_DEFINE, B_BLOCK };

struct block {
	enum block_kind kind;
	const char *with_path; /* `with .Values.x`: "x"; `range .Values.x`: "x[]" */
	bool openshift;	       /* its condition is about OpenShift */
	bool sc_values;	       /* a condition of its chain reads a security context from values */
	enum tri truth;	       /* whether the branch being read is taken with the defaults */
	enum tri taken;	       /* whether an earlier branch of this if was taken */
	struct hval dot;       /* `with`: the value of its pipeline */
	int define;	       /* B_DEFINE: index in chart->defines */
	size_t key_base;       /* key stack depth when a define opened */
	size_t off_from;       /* where the skipped branch being read began; SIZE_MAX if none */
};

struct key {
	size_t indent;
	const char *name;
};

struct scanner {
	struct arena *a;
	struct helm_chart *c;
	struct helm_file *f;
	const char *s;
	size_t len;

	struct block blocks[MAX_BLOCKS];
	size_t nblocks;	 /* stored */
	size_t overflow; /* opened past MAX_BLOCKS, not stored */
	struct key keys[MAX_KEYS];
	size_t nkeys;

	int doc;    /* open document at the top level, or -1 */
	int define; /* innermost open define, or -1 */
	int sc;	    /* open securityContext region, or -1 */
	size_t sc_indent;
	struct helm_vars vars; /* $x := ... seen so far */
	bool scalar;	       /* inside a block scalar */
	size_t scalar_indent;
	bool failed;
};

/* --- lexing ------------------------------------------------------------- */

/* The end of the action starting at s[i] == '{' '{'. */
static void lex_action(const char *s, size_t len, size_t i, struct action *out)
{
	size_t p = i + 2;
	out->start = i;
	out->comment = false;
	if (p < len && s[p] == '-' && p + 1 < len && isspace((unsigned char)s[p + 1]))
		p++;
	while (p < len && isspace((unsigned char)s[p]))
		p++;
	out->body = p;
	if (p + 1 < len && s[p] == '/' && s[p + 1] == '*') {
		out->comment = true;
		const char *e = NULL;
		for (size_t q = p + 2; q + 1 < len; q++)
			if (s[q] == '*' && s[q + 1] == '/') {
				e = s + q;
				break;
			}
		size_t q = e ? (size_t)(e - s) + 2 : len;
		out->body_end = q;
		while (q < len && (isspace((unsigned char)s[q]) || s[q] == '-'))
			q++;
		if (q + 1 < len && s[q] == '}' && s[q + 1] == '}')
			q += 2;
		out->end = q;
		return;
	}
	while (p < len) {
		char ch = s[p];
		if (ch == '"' || ch == '\'') {
			/* Interpreted strings and rune literals end at the line. */
			p++;
			while (p < len && s[p] != ch && s[p] != '\n') {
				if (s[p] == '\\' && p + 1 < len && s[p + 1] != '\n')
					p++;
				p++;
			}
			if (p < len && s[p] == ch)
				p++;
			continue;
		}
		if (ch == '`') {
			p++;
			while (p < len && s[p] != '`')
				p++;
			if (p < len)
				p++;
			continue;
		}
		if (ch == '}' && p + 1 < len && s[p + 1] == '}') {
			size_t be = p;
			if (be > out->body && s[be - 1] == '-' &&
			    (be - 1 == out->body || isspace((unsigned char)s[be - 2])))
				be--;
			while (be > out->body && isspace((unsigned char)s[be - 1]))
				be--;
			out->body_end = be;
			out->end = p + 2;
			return;
		}
		p++;
	}
	/* Unterminated: Helm would refuse it; the rest of the file is the action. */
	out->body_end = len;
	out->end = len;
}

/* --- small text helpers --------------------------------------------------- */

static bool word_at(const char *s, size_t n, const char *w)
{
	size_t m = strlen(w);
	return n >= m && memcmp(s, w, m) == 0 &&
	       (n == m || !(isalnum((unsigned char)s[m]) || s[m] == '_'));
}

static bool contains(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	for (size_t i = 0; i + m <= n; i++)
		if (strncasecmp(s + i, needle, m) == 0)
			return true;
	return false;
}

/*
 * The first `.Values.a.b` (or `$.Values.a.b`) in s[0..n), as "a.b"; NULL
 * when there is none. `.Values` alone gives "".
 */
static const char *values_ref(struct arena *a, const char *s, size_t n)
{
	for (size_t i = 0; i + 7 <= n; i++) {
		if (memcmp(s + i, ".Values", 7) != 0)
			continue;
		if (i > 0 &&
		    (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_' || s[i - 1] == ')'))
			continue;
		size_t p = i + 7;
		if (p < n && (isalnum((unsigned char)s[p]) || s[p] == '_'))
			continue;
		if (p >= n || s[p] != '.')
			return arena_strdup(a, "");
		p++;
		size_t q = p;
		while (q < n && (isalnum((unsigned char)s[q]) || s[q] == '_' || s[q] == '-' ||
				 (s[q] == '.' && q + 1 < n &&
				  (isalnum((unsigned char)s[q + 1]) || s[q + 1] == '_'))))
			q++;
		return arena_strndup(a, s + p, q - p);
	}
	return NULL;
}

/* The quoted name after `include`/`template` in s[0..n), or NULL. */
static const char *include_name(struct arena *a, const char *s, size_t n, size_t *from)
{
	for (size_t i = *from; i < n; i++) {
		size_t skip = 0;
		if (word_at(s + i, n - i, "include") &&
		    (i == 0 || !isalnum((unsigned char)s[i - 1])))
			skip = 7;
		else if (word_at(s + i, n - i, "template") &&
			 (i == 0 || !isalnum((unsigned char)s[i - 1])))
			skip = 8;
		if (!skip)
			continue;
		size_t p = i + skip;
		while (p < n && (s[p] == ' ' || s[p] == '\t' || s[p] == '('))
			p++;
		if (p < n && (s[p] == '"' || s[p] == '`')) {
			char q = s[p++];
			size_t e = p;
			while (e < n && s[e] != q && s[e] != '\n')
				e++;
			*from = e;
			return arena_strndup(a, s + p, e - p);
		}
		*from = p;
	}
	*from = n;
	return NULL;
}

/* `toYaml .`, `. | toYaml`, or a lone `.`: the body renders the dot. */
static bool renders_dot(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '.')
			continue;
		bool before = i == 0 || s[i - 1] == ' ' || s[i - 1] == '(' || s[i - 1] == '\t';
		bool after = i + 1 == n || s[i + 1] == ' ' || s[i + 1] == ')' || s[i + 1] == '|';
		if (before && after)
			return true;
	}
	return false;
}

static bool omits_ids(const char *s, size_t n)
{
	return contains(s, n, "omit") &&
	       (contains(s, n, "\"runAsUser\"") || contains(s, n, "\"fsGroup\""));
}

static bool about_openshift(const char *s, size_t n)
{
	return contains(s, n, "openshift") || contains(s, n, "adaptSecurityContext");
}

/*
 * A condition that reads a security context, or one of its id fields, from
 * values (`if .Values.securityContext`, `if not (eq (int .Values.runAsUser)
 * 0)`): what is written in its branches, or in the else of the chain, is
 * what values choose. A switch (`.Values.securityContext.enabled`) only
 * turns literals on or off; values do not choose them.
 */
static bool about_sc_values(const char *s, size_t n)
{
	for (size_t i = 0; i + 8 <= n; i++) {
		if (memcmp(s + i, ".Values.", 8) != 0)
			continue;
		size_t e = i + 8;
		while (e < n && (isalnum((unsigned char)s[e]) || s[e] == '_' || s[e] == '.'))
			e++;
		const char *p = s + i + 8;
		size_t m = e - (i + 8);
		if (m >= 8 && strncasecmp(s + e - 8, ".enabled", 8) == 0)
			continue;
		if (contains(p, m, "securityContext") || contains(p, m, "runAsUser") ||
		    contains(p, m, "runAsGroup") || contains(p, m, "fsGroup") ||
		    contains(p, m, "runAsNonRoot"))
			return true;
	}
	return false;
}

/* --- state ---------------------------------------------------------------- */

static bool in_define_scope(const struct scanner *S)
{
	return S->define >= 0;
}

/* Blocks inside the innermost define (or the whole stack at the top). */
static size_t scope_start(const struct scanner *S)
{
	for (size_t i = S->nblocks; i-- > 0;)
		if (S->blocks[i].kind == B_DEFINE || S->blocks[i].kind == B_BLOCK)
			return i + 1;
	return 0;
}

static bool conditional(const struct scanner *S)
{
	if (S->overflow)
		return true;
	for (size_t i = scope_start(S); i < S->nblocks; i++)
		if (S->blocks[i].kind != B_DEFINE && S->blocks[i].kind != B_BLOCK)
			return true;
	return false;
}

static bool guarded_sc_values(const struct scanner *S)
{
	for (size_t i = scope_start(S); i < S->nblocks; i++)
		if (S->blocks[i].sc_values)
			return true;
	return false;
}

static bool guarded_openshift(const struct scanner *S)
{
	for (size_t i = 0; i < S->nblocks; i++)
		if (S->blocks[i].openshift)
			return true;
	return false;
}

static const char *dot_path(const struct scanner *S)
{
	for (size_t i = S->nblocks; i-- > 0;) {
		if (S->blocks[i].kind == B_WITH)
			return S->blocks[i].with_path;
		if (S->blocks[i].kind == B_RANGE || S->blocks[i].kind == B_DEFINE)
			return NULL;
	}
	return NULL;
}

/* Inside `range .Values.x`, with no with or define between: "x[]". */
static const char *range_path(const struct scanner *S)
{
	for (size_t i = S->nblocks; i-- > 0;) {
		if (S->blocks[i].kind == B_RANGE)
			return S->blocks[i].with_path;
		if (S->blocks[i].kind != B_IF)
			return NULL;
	}
	return NULL;
}

/* A field of the dot: `.name`, `(.securityContext)`, not `.Values`. */
static bool dot_field(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] != '.' || !(isalpha((unsigned char)s[i + 1])))
			continue;
		if (i > 0 && s[i - 1] != ' ' && s[i - 1] != '(' && s[i - 1] != '\t')
			continue;
		if (n - i >= 7 && memcmp(s + i, ".Values", 7) == 0)
			continue;
		return true;
	}
	return false;
}

/* The value of `.` here: a with's value, unknown inside range/define or at the top. */
static struct hval dot_value(const struct scanner *S)
{
	for (size_t i = S->nblocks; i-- > 0;) {
		if (S->blocks[i].kind == B_WITH)
			return S->blocks[i].dot;
		if (S->blocks[i].kind != B_IF)
			break;
	}
	return (struct hval){.kind = H_UNKNOWN};
}

/* Inside a branch that a plain install with the chart's defaults skips. */
static bool off_by_default(const struct scanner *S)
{
	for (size_t i = scope_start(S); i < S->nblocks; i++)
		if (S->blocks[i].truth == TRI_FALSE)
			return true;
	return false;
}

static void add_include(struct scanner *S, const char *name)
{
	if (S->define >= 0) {
		struct helm_define *d = &S->c->defines[S->define];
		if (d->nincludes >= 256)
			return;
		const char **slot = ARR_PUSH(S->a, d->includes, d->nincludes, d->capincludes);
		if (slot)
			*slot = name;
		else
			S->failed = true;
	} else if (S->doc >= 0) {
		struct helm_doc *d = &S->c->docs[S->doc];
		if (d->nincludes >= 256)
			return;
		const char **slot = ARR_PUSH(S->a, d->includes, d->nincludes, d->capincludes);
		if (slot)
			*slot = name;
		else
			S->failed = true;
	} else {
		/* Before any key: the named template writes the document itself. */
		struct helm_file *f = S->f;
		if (f->nincludes >= 256)
			return;
		const char **slot = ARR_PUSH(S->a, f->includes, f->nincludes, f->capincludes);
		if (slot)
			*slot = name;
		else
			S->failed = true;
	}
}

static void open_doc(struct scanner *S, size_t at)
{
	struct helm_doc *d = ARR_PUSH(S->a, S->c->docs, S->c->ndocs, S->c->capdocs);
	if (!d) {
		S->failed = true;
		return;
	}
	d->file = S->f;
	d->start = d->end = at;
	S->doc = (int)(S->c->ndocs - 1);
}

static void close_doc(struct scanner *S, size_t at)
{
	if (S->doc >= 0)
		S->c->docs[S->doc].end = at;
	S->doc = -1;
}

static void close_sc(struct scanner *S)
{
	S->sc = -1;
}

/* --- actions -------------------------------------------------------------- */

/* Text that does not render: a skipped branch, or dead whatever the values. */
static void add_off(struct scanner *S, size_t start, size_t end, bool dead)
{
	struct helm_range *r = ARR_PUSH(S->a, S->f->off, S->f->noff, S->f->capoff);
	if (r)
		*r = (struct helm_range){start, end, dead};
	else
		S->failed = true;
}

/*
 * The branch being read of the innermost block ends at `at`: when the
 * defaults skip it, its text is recorded as off (helm_file.off), so a
 * rendered line is never placed there. A block past MAX_BLOCKS is not
 * stored and records nothing.
 */
static void end_branch(struct scanner *S, size_t at)
{
	if (S->overflow || !S->nblocks)
		return;
	struct block *b = &S->blocks[S->nblocks - 1];
	if (b->off_from == SIZE_MAX)
		return;
	if (at > b->off_from)
		add_off(S, b->off_from, at, false);
	b->off_from = SIZE_MAX;
}

/* The innermost block's branch starts at `at`: remembered when the defaults skip it. */
static void begin_branch(struct scanner *S, size_t at)
{
	if (S->overflow || !S->nblocks)
		return;
	struct block *b = &S->blocks[S->nblocks - 1];
	if (b->truth == TRI_FALSE && b->kind != B_DEFINE && b->kind != B_BLOCK)
		b->off_from = at;
}

static void push_block(struct scanner *S, enum block_kind k, const char *cond, size_t n)
{
	if (S->nblocks >= MAX_BLOCKS) {
		S->overflow++;
		return;
	}
	struct block *b = &S->blocks[S->nblocks++];
	memset(b, 0, sizeof(*b));
	b->kind = k;
	b->define = -1;
	b->off_from = SIZE_MAX;
	b->openshift = about_openshift(cond, n);
	b->sc_values = k == B_IF && about_sc_values(cond, n);
	b->truth = TRI_TRUE;
	if (k == B_IF || k == B_WITH || k == B_RANGE) {
		struct hval v = helm_eval(S->c, &S->vars, dot_value(S), cond, n);
		b->truth = hval_truth(v);
		if (k == B_WITH)
			b->dot = v;
	}
	b->taken = b->truth;
	if (S->define >= 0) {
		/* A named template that branches on OpenShift or reads values in a condition. */
		struct helm_define *d = &S->c->defines[S->define];
		d->openshift |= b->openshift;
		d->values |= contains(cond, n, ".Values");
	}
	if (k == B_WITH) {
		const char *p = values_ref(S->a, cond, n);
		/* `with .Values.x` only: a pipeline that transforms it is something else. */
		if (p && !memchr(cond, '|', n) && !contains(cond, n, "default"))
			b->with_path = p;
	} else if (k == B_RANGE) {
		/* `range .Values.sidecars`: each item, and its fields, come from values. */
		const char *p = values_ref(S->a, cond, n);
		if (p && *p)
			b->with_path = arena_printf(S->a, "%s[]", p);
	}
}

static void pop_block(struct scanner *S, size_t at)
{
	if (S->overflow) {
		S->overflow--;
		return;
	}
	if (!S->nblocks)
		return; /* an unbalanced end: Helm would refuse it, the scan goes on */
	struct block *b = &S->blocks[--S->nblocks];
	if (b->kind == B_DEFINE) {
		if (b->define >= 0)
			S->c->defines[b->define].end = at;
		S->nkeys = b->key_base < S->nkeys ? b->key_base : S->nkeys;
		S->define = -1;
		for (size_t i = S->nblocks; i-- > 0;)
			if (S->blocks[i].kind == B_DEFINE) {
				S->define = S->blocks[i].define;
				break;
			}
		close_sc(S);
	}
}

static void open_define(struct scanner *S, const char *body, size_t n, size_t at)
{
	const char *p = body, *e = body + n;
	while (p < e && *p != '"' && *p != '`')
		p++;
	const char *name = NULL;
	if (p < e) {
		char q = *p++;
		const char *q2 = memchr(p, q, (size_t)(e - p));
		name = arena_strndup(S->a, p, q2 ? (size_t)(q2 - p) : (size_t)(e - p));
	}
	push_block(S, B_DEFINE, "", 0);
	if (S->overflow || !S->nblocks)
		return;
	struct block *b = &S->blocks[S->nblocks - 1];
	b->key_base = S->nkeys;
	struct helm_define *d = ARR_PUSH(S->a, S->c->defines, S->c->ndefines, S->c->capdefines);
	if (!d) {
		S->failed = true;
		return;
	}
	d->name = name ? name : "";
	d->file = S->f;
	d->start = at;
	d->end = 0;
	b->define = (int)(S->c->ndefines - 1);
	S->define = b->define;
	close_sc(S);
}

/* What an expression (not a control action) tells the open site or define. */
static void expression(struct scanner *S, const char *body, size_t n)
{
	if (n > 1 && body[0] == '$' && memchr(body, '=', n))
		helm_eval_assign(S->c, &S->vars, dot_value(S), body, n);
	size_t from = 0;
	const char *inc;
	const char *first_inc = NULL;
	while ((inc = include_name(S->a, body, n, &from)) != NULL) {
		if (!first_inc)
			first_inc = inc;
		add_include(S, inc);
	}
	if (S->define >= 0) {
		struct helm_define *d = &S->c->defines[S->define];
		if (contains(body, n, ".Values"))
			d->values = true;
		if (about_openshift(body, n) || contains(body, n, "security.openshift.io"))
			d->openshift = true;
		if (omits_ids(body, n))
			d->omits_ids = true;
	}
	if (S->sc < 0)
		return;
	struct helm_sc *sc = &S->c->scs[S->sc];
	const char *vp = values_ref(S->a, body, n);
	if (!vp && (renders_dot(body, n) || dot_field(body, n)) && range_path(S))
		vp = range_path(S);
	if (!vp && renders_dot(body, n)) {
		vp = dot_path(S);
		if (!vp && !first_inc)
			sc->other = true;
	}
	if (first_inc && !sc->helper)
		sc->helper = first_inc;
	if (vp && *vp && !sc->values_path)
		sc->values_path = vp;
	else if (!vp && !first_inc && memchr(body, '$', n))
		sc->other = true;
	if (omits_ids(body, n))
		sc->omits_uid = true;
}

/* `.` here is not the template's own context: inside a with or range of its scope. */
static bool dot_rebound(const struct scanner *S)
{
	if (S->overflow)
		return true;
	for (size_t i = scope_start(S); i < S->nblocks; i++)
		if (S->blocks[i].kind == B_WITH || S->blocks[i].kind == B_RANGE)
			return true;
	return false;
}

/* A lone `.` or `$` at s[0..n): what ends it is the end, a space, `)` or `|`. */
static bool lone(const char *s, size_t n, char c)
{
	return n >= 1 && s[0] == c &&
	       (n == 1 || s[1] == ' ' || s[1] == '\t' || s[1] == ')' || s[1] == '|');
}

/* Every include and template call of the action, with what it passes (helm_call). */
static void record_calls(struct scanner *S, const struct action *ac, const char *b, size_t n)
{
	size_t from = 0;
	const char *name;
	while ((name = include_name(S->a, b, n, &from)) != NULL) {
		size_t p = from < n ? from + 1 : n; /* past the closing quote */
		while (p < n && (b[p] == ' ' || b[p] == '\t'))
			p++;
		struct helm_call *c = ARR_PUSH(S->a, S->c->calls, S->c->ncalls, S->c->capcalls);
		if (!c) {
			S->failed = true;
			return;
		}
		c->name = name;
		c->file = S->f;
		c->start = ac->start;
		c->end = ac->end;
		c->define = S->define;
		c->root = lone(b + p, n - p, '$') || (lone(b + p, n - p, '.') && !dot_rebound(S));
	}
}

static void control(struct scanner *S, const struct action *ac)
{
	const char *b = S->s + ac->body;
	size_t n = ac->body_end > ac->body ? ac->body_end - ac->body : 0;
	if (ac->comment || n == 0)
		return;
	record_calls(S, ac, b, n);
	if (word_at(b, n, "if")) {
		push_block(S, B_IF, b + 2, n - 2);
		begin_branch(S, ac->end);
	} else if (word_at(b, n, "with")) {
		push_block(S, B_WITH, b + 4, n - 4);
		begin_branch(S, ac->end);
	} else if (word_at(b, n, "range")) {
		push_block(S, B_RANGE, b + 5, n - 5);
		begin_branch(S, ac->end);
	} else if (word_at(b, n, "define"))
		open_define(S, b + 6, n - 6, ac->end);
	else if (word_at(b, n, "block")) {
		/* A block is a define that is also rendered in place. */
		open_define(S, b + 5, n - 5, ac->end);
	} else if (word_at(b, n, "end")) {
		end_branch(S, ac->start);
		pop_block(S, ac->start);
	} else if (word_at(b, n, "else")) {
		if (!S->nblocks || S->overflow)
			return;
		end_branch(S, ac->start);
		struct block *bl = &S->blocks[S->nblocks - 1];
		/* `else if X`: the branch's own condition can be about OpenShift too. */
		if (about_openshift(b, n))
			bl->openshift = true;
		if (about_sc_values(b, n))
			bl->sc_values = true;
		const char *rest = b + 4;
		size_t rn = n - 4;
		while (rn && (*rest == ' ' || *rest == '\t'))
			rest++, rn--;
		enum tri t;
		if (bl->taken == TRI_TRUE)
			t = TRI_FALSE;
		else if (word_at(rest, rn, "if") || word_at(rest, rn, "with")) {
			size_t kw = rest[0] == 'i' ? 2 : 4;
			struct hval v = helm_eval(S->c, &S->vars, dot_value(S), rest + kw, rn - kw);
			t = hval_truth(v);
			if (bl->taken == TRI_UNKNOWN && t != TRI_FALSE)
				t = TRI_UNKNOWN;
		} else {
			t = bl->taken == TRI_FALSE ? TRI_TRUE : TRI_UNKNOWN;
		}
		bl->truth = t;
		if (t == TRI_TRUE)
			bl->taken = TRI_TRUE;
		else if (t == TRI_UNKNOWN)
			bl->taken = TRI_UNKNOWN;
		bl->dot = (struct hval){.kind = H_UNKNOWN};
		begin_branch(S, ac->end);
	} else
		expression(S, b, n);
}

/* --- lines ---------------------------------------------------------------- */

static bool key_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == '/';
}

static bool is_id_field(const char *k)
{
	return strcmp(k, "runAsUser") == 0 || strcmp(k, "runAsGroup") == 0 ||
	       strcmp(k, "fsGroup") == 0 || strcmp(k, "runAsNonRoot") == 0;
}

static bool is_containers(const char *k)
{
	return strcmp(k, "containers") == 0 || strcmp(k, "initContainers") == 0 ||
	       strcmp(k, "ephemeralContainers") == 0;
}

static bool has_parent(const struct scanner *S, const char *name)
{
	for (size_t i = S->nkeys; i-- > 0;)
		if (strcmp(S->keys[i].name, name) == 0)
			return true;
	return false;
}

static size_t key_floor(const struct scanner *S)
{
	if (S->define < 0)
		return 0;
	for (size_t i = S->nblocks; i-- > 0;)
		if (S->blocks[i].kind == B_DEFINE)
			return S->blocks[i].key_base;
	return 0;
}

static bool parent_in_scope(const struct scanner *S, bool (*pred)(const char *))
{
	for (size_t i = S->nkeys; i-- > key_floor(S);)
		if (pred(S->keys[i].name))
			return true;
	return false;
}

static bool is_spec(const char *k)
{
	return strcmp(k, "spec") == 0 || strcmp(k, "template") == 0;
}

static void push_key(struct scanner *S, size_t indent, const char *name)
{
	size_t floor = key_floor(S);
	while (S->nkeys > floor && S->keys[S->nkeys - 1].indent >= indent)
		S->nkeys--;
	if (S->nkeys < MAX_KEYS) {
		S->keys[S->nkeys].indent = indent;
		S->keys[S->nkeys].name = name;
		S->nkeys++;
	}
}

/*
 * A key line at s[p..le): `key:` or `- key:` (quoted keys too). The value
 * part runs to the end of the line. Returns false for other text.
 */
static bool parse_key(const char *s, size_t p, size_t le, size_t *kstart, size_t *kend,
		      size_t *vstart)
{
	while (p + 1 < le && s[p] == '-' && (s[p + 1] == ' ' || s[p + 1] == '\t')) {
		p += 2;
		while (p < le && (s[p] == ' ' || s[p] == '\t'))
			p++;
	}
	size_t k = p;
	if (p < le && (s[p] == '"' || s[p] == '\'')) {
		char q = s[p++];
		while (p < le && s[p] != q)
			p++;
		if (p >= le)
			return false;
		*kstart = k + 1;
		*kend = p;
		p++;
	} else {
		while (p < le && key_char(s[p]))
			p++;
		*kstart = k;
		*kend = p;
	}
	if (*kend == *kstart || p >= le || s[p] != ':')
		return false;
	if (p + 1 < le && s[p + 1] != ' ' && s[p + 1] != '\t' && s[p + 1] != '{' &&
	    s[p + 1] != '\r')
		return false;
	*vstart = p + 1;
	return true;
}

static void key_line(struct scanner *S, size_t ls, size_t p, size_t le, const struct action *next)
{
	/* A template comment closing the line is not part of the value. */
	size_t next_action = next->start;
	if (next->comment && next->start < le && next->end >= le)
		le = next_action;
	size_t ks, ke, vs;
	if (!parse_key(S->s, p, le, &ks, &ke, &vs))
		return;
	size_t indent = ks - ls;
	const char *name = arena_strndup(S->a, S->s + ks, ke - ks);
	if (!name) {
		S->failed = true;
		return;
	}
	if (S->sc >= 0 && indent <= S->sc_indent)
		close_sc(S);
	if (!in_define_scope(S) && S->doc < 0)
		open_doc(S, ls);
	push_key(S, indent, name);

	/* The value as written: up to a comment, or NULL when an action is in it. */
	bool templated = next_action < le;
	size_t v0 = vs, v1 = le;
	while (v0 < v1 && (S->s[v0] == ' ' || S->s[v0] == '\t'))
		v0++;
	if (!templated) {
		for (size_t i = v0; i < v1; i++)
			if (S->s[i] == '#' && (i == v0 || S->s[i - 1] == ' ')) {
				v1 = i;
				break;
			}
	}
	while (v1 > v0 && isspace((unsigned char)S->s[v1 - 1]))
		v1--;
	if (!templated && v1 > v0 && (S->s[v0] == '|' || S->s[v0] == '>')) {
		S->scalar = true;
		S->scalar_indent = indent;
	}

	bool top = S->nkeys - key_floor(S) == 1;
	if (strcmp(name, "kind") == 0 && top && !in_define_scope(S) && S->doc >= 0) {
		struct helm_doc *d = &S->c->docs[S->doc];
		if (templated) {
			d->kind_templated = true;
		} else if (v1 > v0) {
			size_t a0 = v0, a1 = v1;
			if (a1 - a0 >= 2 && (S->s[a0] == '"' || S->s[a0] == '\''))
				a0++, a1--;
			d->kind = arena_strndup(S->a, S->s + a0, a1 - a0);
		}
		d->kind_start = ks;
		d->kind_end = le;
	}
	if (is_containers(name)) {
		if (S->define >= 0)
			S->c->defines[S->define].containers = true;
		else if (S->doc >= 0)
			S->c->docs[S->doc].containers = true;
	}
	if (strcmp(name, "spec") == 0 && !in_define_scope(S) && S->doc >= 0) {
		struct helm_doc *d = &S->c->docs[S->doc];
		bool pod =
		    has_parent(S, "template") || (d->kind && strcmp(d->kind, "Pod") == 0 && top);
		if (pod && !d->spec_indent)
			d->spec_indent = indent + 2;
	}
	if (strcmp(name, "securityContext") == 0) {
		struct helm_sc *sc = ARR_PUSH(S->a, S->c->scs, S->c->nscs, S->c->capscs);
		if (!sc) {
			S->failed = true;
			return;
		}
		sc->file = S->f;
		sc->start = ks;
		sc->end = vs;
		sc->indent = indent;
		if (parent_in_scope(S, is_containers))
			sc->level = HELM_LEVEL_CONTAINER;
		else if (parent_in_scope(S, is_spec) || !in_define_scope(S))
			sc->level = HELM_LEVEL_POD;
		sc->conditional = conditional(S);
		sc->openshift = guarded_openshift(S);
		sc->off = off_by_default(S);
		sc->define = S->define;
		sc->doc = S->define >= 0 ? -1 : S->doc;
		S->sc = (int)(S->c->nscs - 1);
		S->sc_indent = indent;
		/* `with .Values.podSecurityContext` around the key feeds the dot. */
		return;
	}
	if (is_id_field(name)) {
		struct helm_field *fl =
		    ARR_PUSH(S->a, S->c->fields, S->c->nfields, S->c->capfields);
		if (!fl) {
			S->failed = true;
			return;
		}
		fl->file = S->f;
		fl->start = ks;
		fl->end = v1 > vs ? v1 : vs;
		if (templated)
			fl->end = le;
		fl->key = name;
		fl->sc = S->sc;
		fl->define = S->define;
		fl->doc = S->define >= 0 ? -1 : S->doc;
		fl->conditional = conditional(S);
		fl->openshift = guarded_openshift(S);
		fl->values_guarded = guarded_sc_values(S);
		fl->off = off_by_default(S);
		if (templated) {
			fl->values_path = values_ref(S->a, S->s + vs, le - vs);
			if (!fl->values_path && renders_dot(S->s + vs, le - vs))
				fl->values_path = dot_path(S);
		} else {
			fl->value = arena_strndup(S->a, S->s + v0, v1 - v0);
		}
		if (S->sc >= 0 && !templated)
			S->c->scs[S->sc].literal = true;
	}
}

static int range_cmp(const void *x, const void *y)
{
	const struct helm_range *a = x, *b = y;
	if (a->dead != b->dead)
		return a->dead ? 1 : -1;
	return a->start < b->start ? -1 : a->start > b->start;
}

/*
 * The skipped branches, then the dead text, each in order and merged where
 * they overlap, so a lookup is a binary search (helm_range_find()).
 */
static void sort_ranges(struct helm_file *f)
{
	if (f->noff < 2)
		return;
	qsort(f->off, f->noff, sizeof(*f->off), range_cmp);
	size_t w = 0;
	for (size_t i = 1; i < f->noff; i++) {
		struct helm_range *last = &f->off[w];
		if (f->off[i].dead == last->dead && f->off[i].start <= last->end) {
			if (f->off[i].end > last->end)
				last->end = f->off[i].end;
		} else {
			f->off[++w] = f->off[i];
		}
	}
	f->noff = w + 1;
}

int helm_scan(struct arena *a, struct helm_chart *c, struct helm_file *f)
{
	struct scanner *S = arena_alloc(a, sizeof(*S));
	if (!S)
		return -1;
	S->a = a;
	S->c = c;
	S->f = f;
	S->s = f->src->data;
	S->len = f->src->len;
	S->doc = S->define = S->sc = -1;

	const char *s = S->s;
	size_t len = S->len, pos = 0;
	struct action ac = {0};
	bool have_ac = false;
	size_t search = 0; /* where to look for the next action */

	while (pos < len && !S->failed) {
		size_t le = pos;
		while (le < len && s[le] != '\n')
			le++;
		size_t ls = pos;
		size_t p = pos;
		bool first_text = true;
		size_t line_indent = SIZE_MAX;
		while (p < le) {
			if (!have_ac || ac.start < p) {
				const char *hit = NULL;
				size_t from = search > p ? search : p;
				for (size_t i = from; i + 1 < len; i++)
					if (s[i] == '{' && s[i + 1] == '{') {
						hit = s + i;
						break;
					}
				if (hit) {
					lex_action(s, len, (size_t)(hit - s), &ac);
					have_ac = true;
				} else {
					ac.start = ac.end = len;
					have_ac = true;
				}
				search = ac.end;
			}
			if (ac.start == p) {
				if (line_indent == SIZE_MAX)
					line_indent = p - ls;
				/* A control action at or left of an open site closes it. */
				const char *b = s + ac.body;
				size_t n = ac.body_end > ac.body ? ac.body_end - ac.body : 0;
				bool ctl = !ac.comment &&
					   (word_at(b, n, "end") || word_at(b, n, "else") ||
					    word_at(b, n, "if") || word_at(b, n, "with") ||
					    word_at(b, n, "range") || word_at(b, n, "define"));
				if (ctl && first_text && S->sc >= 0 && p - ls <= S->sc_indent)
					close_sc(S);
				control(S, &ac);
				p = ac.end;
				/*
				 * A comment, or an action over lines, is never output
				 * as written: a `runAsUser: 1000` in it is no line a
				 * rendered finding can come from.
				 */
				if (ac.comment || p > le)
					add_off(S, ac.start, ac.end, true);
				if (p > le) {
					/* The action ran over lines; the line goes on after it. */
					le = p;
					while (le < len && s[le] != '\n')
						le++;
				}
				continue;
			}
			if (s[p] == ' ' || s[p] == '\t' || s[p] == '\r') {
				p++;
				continue;
			}
			/* Plain text: the first on the line may be a key. */
			size_t text_end = ac.start < le ? ac.start : le;
			if (first_text) {
				first_text = false;
				size_t col = p - ls;
				if (line_indent == SIZE_MAX)
					line_indent = col;
				if (S->scalar && col > S->scalar_indent) {
					/* Inside a block scalar: text, not keys. */
				} else {
					S->scalar = false;
					if (col == 0 && le - p >= 3 &&
					    memcmp(s + p, "---", 3) == 0 &&
					    (le - p == 3 || isspace((unsigned char)s[p + 3]))) {
						if (!in_define_scope(S)) {
							close_doc(S, ls);
							S->nkeys = 0;
						}
						close_sc(S);
					} else if (s[p] == '#') {
						/* a YAML comment */
					} else {
						if (S->sc >= 0 && col <= S->sc_indent)
							close_sc(S);
						key_line(S, ls, p, le, &ac);
					}
				}
			}
			p = text_end;
		}
		pos = le < len ? le + 1 : len;
	}
	close_doc(S, len);
	/* Defines left open by a missing end stop at the end of the file. */
	for (size_t i = 0; i < S->nblocks; i++)
		if (S->blocks[i].kind == B_DEFINE && S->blocks[i].define >= 0 &&
		    c->defines[S->blocks[i].define].end == 0)
			c->defines[S->blocks[i].define].end = len;
	sort_ranges(f);
	return S->failed ? -1 : 0;
}
