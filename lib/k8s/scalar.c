/*
 * scalar.c - YAML scalars typed the way the Kubernetes API server sees them.
 *
 * kubectl and the API server turn YAML into JSON with sigs.k8s.io/yaml, which
 * unmarshals with go-yaml v2 into interface{} and marshals the result as
 * JSON. go-yaml v2 resolves plain scalars with YAML 1.1 rules (its
 * resolve.go): the first character picks what to try, a fixed table holds
 * the booleans, nulls and special floats, and numbers go through Go's
 * strconv.ParseInt(s, 0, 64) after removing '_', then ParseUint, then a
 * float pattern, then "0b" binary. Quoted, literal and folded scalars are
 * strings. An explicit tag (!!str, !!int, ...) decides by itself.
 */
#include "k8s/k8s.h"
#include "yaml/ytree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* go-yaml v2's resolve table: these spellings and no others. */
static const char *const yaml11_true[] = {"y",	  "Y",	  "yes", "Yes", "YES", "true",
					  "True", "TRUE", "on",	 "On",	"ON"};
static const char *const yaml11_false[] = {"n",	    "N",     "no",  "No",  "NO", "false",
					   "False", "FALSE", "off", "Off", "OFF"};
static const char *const yaml11_null[] = {"", "~", "null", "Null", "NULL"};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

#define IN(s, list) in_list((s), (list), sizeof(list) / sizeof((list)[0]))

/* Go's strconv.ParseInt(s, 0, 64): sign, then 0x / 0o / 0b / 0 (octal) / decimal. */
static bool parse_go_int(const char *s, long long *out)
{
	bool neg = false;
	const char *p = s;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	int base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
		base = 8;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
		base = 2;
		p += 2;
	} else if (p[0] == '0' && p[1]) {
		base = 8;
		p += 1;
	}
	if (!*p)
		return false;
	unsigned long long v = 0;
	for (; *p; p++) {
		int d;
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return false;
		if (d >= base)
			return false;
		if (v > (~0ull - (unsigned)d) / (unsigned)base)
			return false;
		v = v * (unsigned)base + (unsigned)d;
	}
	if (!neg && v > (unsigned long long)9223372036854775807ll)
		return false;
	if (neg && v > 9223372036854775808ull)
		return false;
	*out = neg ? (long long)(0 - v) : (long long)v;
	return true;
}

/* go-yaml's float pattern: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool float_pattern(const char *s)
{
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	} else {
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == '.') {
			p++;
			while (*p >= '0' && *p <= '9')
				p++;
		}
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == 0;
}

static void set_float(struct k8s_scalar *o, double f)
{
	o->type = K8S_T_FLOAT;
	o->f = f;
	/* JSON carries 1e3 as 1000, which an int64 field accepts. */
	if (f > -9.2e18 && f < 9.2e18 && f == (double)(long long)f) {
		o->i = (long long)f;
		o->fits_int = true;
	}
}

static enum k8s_type tagged(const char *tag)
{
	const char *t = tag;
	if (strncmp(t, "tag:yaml.org,2002:", 18) == 0)
		t += 18;
	else if (strncmp(t, "!!", 2) == 0)
		t += 2;
	else
		return K8S_T_STRING; /* a local tag: go-yaml keeps the text */
	if (strcmp(t, "str") == 0 || strcmp(t, "binary") == 0 || strcmp(t, "timestamp") == 0)
		return K8S_T_STRING;
	if (strcmp(t, "int") == 0)
		return K8S_T_INT;
	if (strcmp(t, "bool") == 0)
		return K8S_T_BOOL;
	if (strcmp(t, "float") == 0)
		return K8S_T_FLOAT;
	if (strcmp(t, "null") == 0)
		return K8S_T_NULL;
	return K8S_T_STRING;
}

/* Resolves a plain scalar as go-yaml v2 does. */
static enum k8s_type resolve_plain(const char *s, struct k8s_scalar *o)
{
	char c = s[0];
	bool map_hint = c == 0 || strchr("yYnNtTfFoO~", c);
	bool num_hint = (c >= '0' && c <= '9') || c == '+' || c == '-';
	if (map_hint || num_hint || c == '.') {
		if (IN(s, yaml11_true)) {
			o->b = true;
			return o->type = K8S_T_BOOL;
		}
		if (IN(s, yaml11_false))
			return o->type = K8S_T_BOOL;
		if (IN(s, yaml11_null))
			return o->type = K8S_T_NULL;
		if (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN")) {
			set_float(o, NAN);
			return o->type;
		}
		const char *inf = s + (s[0] == '+' || s[0] == '-');
		if (!strcmp(inf, ".inf") || !strcmp(inf, ".Inf") || !strcmp(inf, ".INF")) {
			set_float(o, s[0] == '-' ? -INFINITY : INFINITY);
			return o->type;
		}
	}
	if (c == '.') {
		if (float_pattern(s)) {
			set_float(o, strtod(s, NULL));
			return o->type;
		}
		return o->type = K8S_T_STRING;
	}
	if (!num_hint)
		return o->type = K8S_T_STRING;
	/* Digits, underscores removed, as go-yaml does before ParseInt. */
	char buf[128];
	size_t n = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '_')
			continue;
		if (n + 1 >= sizeof(buf))
			return o->type = K8S_T_STRING;
		buf[n++] = *p;
	}
	buf[n] = 0;
	if (parse_go_int(buf, &o->i)) {
		o->fits_int = true;
		return o->type = K8S_T_INT;
	}
	/* ParseUint for values above int64: an integer, but no int64 field takes it. */
	const char *b = buf[0] == '+' ? buf + 1 : buf;
	if (b[0] && strspn(b, "0123456789") == strlen(b) && (b[0] != '0' || !b[1]))
		return o->type = K8S_T_INT;
	if (float_pattern(buf)) {
		set_float(o, strtod(buf, NULL));
		return o->type;
	}
	if ((buf[0] == '0' && buf[1] == 'b') || (buf[0] == '-' && buf[1] == '0' && buf[2] == 'b')) {
		const char *d = buf + (buf[0] == '-' ? 3 : 2);
		if (*d && strspn(d, "01") == strlen(d) && strlen(d) < 63) {
			long long v = strtoll(d, NULL, 2);
			o->i = buf[0] == '-' ? -v : v;
			o->fits_int = true;
			return o->type = K8S_T_INT;
		}
	}
	return o->type = K8S_T_STRING;
}

enum k8s_type k8s_type_of(const struct ynode *n, struct k8s_scalar *out)
{
	struct k8s_scalar tmp;
	struct k8s_scalar *o = out ? out : &tmp;
	memset(o, 0, sizeof(*o));
	if (!n)
		return o->type = K8S_T_NULL;
	if (n->kind == Y_MAP)
		return o->type = K8S_T_MAP;
	if (n->kind == Y_SEQ)
		return o->type = K8S_T_SEQ;
	/* A NUL inside the text is a string whatever it looks like. */
	if (strlen(n->value) != n->len)
		return o->type = K8S_T_STRING;
	if (n->tag && strcmp(n->tag, "!") != 0) {
		enum k8s_type t = tagged(n->tag);
		if (t == K8S_T_STRING || t == K8S_T_NULL)
			return o->type = t;
		/* !!int "12" and friends: resolve the text, keep the tag's type when it agrees. */
		struct k8s_scalar r;
		memset(&r, 0, sizeof(r));
		enum k8s_type rt = resolve_plain(n->value, &r);
		if (rt == t || (t == K8S_T_FLOAT && rt == K8S_T_INT)) {
			*o = r;
			if (t == K8S_T_FLOAT && rt == K8S_T_INT)
				set_float(o, (double)r.i);
			return o->type;
		}
		/* go-yaml refuses a tag its text does not fit; the object is rejected. */
		return o->type = K8S_T_STRING;
	}
	if (n->style != Y_PLAIN)
		return o->type = K8S_T_STRING;
	return resolve_plain(n->value, o);
}

const char *k8s_type_name(enum k8s_type t)
{
	switch (t) {
	case K8S_T_NULL:
		return "null";
	case K8S_T_BOOL:
		return "boolean";
	case K8S_T_INT:
		return "integer";
	case K8S_T_FLOAT:
		return "number";
	case K8S_T_STRING:
		return "string";
	case K8S_T_MAP:
		return "object";
	case K8S_T_SEQ:
		return "array";
	}
	return "value";
}
