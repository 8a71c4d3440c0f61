/*
 * auth.c - WWW-Authenticate challenges (RFC 7235) and token endpoint
 * answers, as registries send them: `Bearer realm="...",service="...",
 * scope="..."` or `Basic realm="..."`, possibly several in one header.
 */
#include "net.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUE 8192 /* a realm URL or a scope; longer is hostile */

struct cur {
	const char *p, *end;
};

static bool tchar(char c)
{
	/* RFC 7230 token characters. */
	return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static void skip_ws(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

static size_t token_len(const struct cur *c)
{
	const char *q = c->p;
	while (q < c->end && tchar(*q))
		q++;
	return (size_t)(q - c->p);
}

static char *lower_dup(const char *s, size_t n)
{
	char *o = malloc(n + 1);
	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++)
		o[i] = (char)tolower((unsigned char)s[i]);
	o[n] = 0;
	return o;
}

/* A quoted-string at c->p (the opening quote), unescaped; NULL when unterminated or too long. */
static char *quoted(struct cur *c)
{
	c->p++;
	char *o = malloc(MAX_VALUE + 1);
	size_t n = 0;
	if (!o)
		return NULL;
	while (c->p < c->end && *c->p != '"') {
		char ch = *c->p++;
		if (ch == '\\') {
			if (c->p == c->end)
				break;
			ch = *c->p++;
		}
		if (n == MAX_VALUE || ch == 0 || ch == '\r' || ch == '\n') {
			free(o);
			return NULL;
		}
		o[n++] = ch;
	}
	if (c->p == c->end) {
		free(o);
		return NULL;
	}
	c->p++;
	o[n] = 0;
	return o;
}

/*
 * True when the cursor is at `token BWS "=" BWS` followed by a value: an
 * auth-param rather than the next challenge's scheme or a token68's "=".
 */
static bool at_param(const struct cur *c)
{
	struct cur t = *c;
	size_t n = token_len(&t);
	if (n == 0)
		return false;
	t.p += n;
	skip_ws(&t);
	if (t.p == t.end || *t.p != '=')
		return false;
	t.p++;
	skip_ws(&t);
	return t.p < t.end && (*t.p == '"' || tchar(*t.p)) && *t.p != '=';
}

void auth_challenges_free(struct auth_challenge *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < c[i].nparams; k++) {
			free(c[i].params[k].name);
			free(c[i].params[k].value);
		}
		free(c[i].params);
		free(c[i].scheme);
		memset(&c[i], 0, sizeof(c[i]));
	}
}

static int parse_params(struct cur *c, struct auth_challenge *ch)
{
	for (;;) {
		skip_ws(c);
		if (!at_param(c))
			return 0;
		if (ch->nparams == AUTH_MAX_PARAMS)
			return -1;
		size_t n = token_len(c);
		struct auth_param *p = &ch->params[ch->nparams];
		p->name = lower_dup(c->p, n);
		c->p += n;
		skip_ws(c);
		c->p++; /* '=' */
		skip_ws(c);
		if (*c->p == '"') {
			p->value = quoted(c);
		} else {
			size_t v = token_len(c);
			p->value = v <= MAX_VALUE ? strndup(c->p, v) : NULL;
			c->p += v;
		}
		if (!p->name || !p->value) {
			free(p->name);
			free(p->value);
			p->name = p->value = NULL;
			return -1;
		}
		ch->nparams++;
		skip_ws(c);
		if (c->p == c->end)
			return 0;
		if (*c->p != ',')
			return -1;
		/* A comma ends this param; what follows is a param or the next challenge. */
		struct cur save = *c;
		c->p++;
		while (c->p < c->end && (*c->p == ',' || *c->p == ' ' || *c->p == '\t'))
			c->p++;
		if (!at_param(c)) {
			*c = save;
			return 0;
		}
	}
}

int auth_parse(const char *header, size_t len, struct auth_challenge *out, size_t max)
{
	struct cur c = {header, header + len};
	size_t n = 0;
	memset(out, 0, max * sizeof(*out));
	for (;;) {
		while (c.p < c.end && (*c.p == ',' || *c.p == ' ' || *c.p == '\t'))
			c.p++;
		if (c.p == c.end)
			return (int)n;
		size_t t = token_len(&c);
		if (t == 0 || n == max)
			goto bad;
		struct auth_challenge *ch = &out[n++];
		ch->scheme = lower_dup(c.p, t);
		ch->params = calloc(AUTH_MAX_PARAMS, sizeof(*ch->params));
		if (!ch->scheme || !ch->params)
			goto bad;
		c.p += t;
		if (c.p < c.end && *c.p != ' ' && *c.p != '\t' && *c.p != ',')
			goto bad;
		skip_ws(&c);
		if (at_param(&c)) {
			if (parse_params(&c, ch) != 0)
				goto bad;
		} else if (c.p < c.end && *c.p != ',') {
			/* token68: letters, digits, -._~+/ then '='s */
			while (c.p < c.end &&
			       (isalnum((unsigned char)*c.p) || strchr("-._~+/", *c.p)))
				c.p++;
			while (c.p < c.end && *c.p == '=')
				c.p++;
			skip_ws(&c);
			if (c.p < c.end && *c.p != ',')
				goto bad;
		}
	}
bad:
	auth_challenges_free(out, n);
	return -1;
}

const char *auth_param(const struct auth_challenge *c, const char *name)
{
	for (size_t i = 0; i < c->nparams; i++)
		if (strcmp(c->params[i].name, name) == 0)
			return c->params[i].value;
	return NULL;
}

char *auth_token_parse(const char *body, size_t len, long *expires_in, const char **why)
{
	json_error_t je;
	json_t *j = json_loadb(body, len, 0, &je);
	*expires_in = 60; /* the distribution spec's default */
	if (!json_is_object(j)) {
		json_decref(j);
		*why = "the token endpoint's answer is not a JSON object";
		return NULL;
	}
	const char *t = json_string_value(json_object_get(j, "token"));
	if (!t || !*t)
		t = json_string_value(json_object_get(j, "access_token"));
	json_t *e = json_object_get(j, "expires_in");
	if (json_is_integer(e) && json_integer_value(e) > 0)
		*expires_in = (long)json_integer_value(e);
	char *out = t && *t && strlen(t) < 65536 ? strdup(t) : NULL;
	if (!out)
		*why = "the token endpoint's answer holds no token";
	json_decref(j);
	return out;
}
