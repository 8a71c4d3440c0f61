/*
 * serve-config.c - the server's configuration file (docs/serve.md, "Configure").
 *
 * YAML read with the library's reader, so a mistake is an error with its
 * line and column, as in .unroot.yaml; unknown keys are errors too. What
 * the lint itself takes (severity, ignore, base-images, ranges) is not
 * repeated here: `lint-config` names a .unroot.yaml, the same file `unroot
 * lint --config` reads, so the CLI and the server judge alike.
 */
#include "serve.h"
#include "unroot/arena.h"
#include "unroot/config.h"
#include "unroot/source.h"
#include "yaml/ytree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int serve_config_init(struct serve_config *c)
{
	memset(c, 0, sizeof(*c));
	c->arena = arena_new((size_t)16 << 20);
	if (!c->arena)
		return -1;
	c->listen = "0.0.0.0:8443";
	c->platform = PLAT_KUBERNETES;
	c->deny = 1u << SEV_ERROR;
	c->images = false;
	c->deadline_ms = 10000;
	c->image_ttl_s = 300;
	c->image_retry_s = 60;
	c->image_cache_count = 256;
	c->image_cache_bytes = (size_t)512 << 20;
	c->scanners = 2;
	c->max_body = (size_t)4 << 20;
	c->body_budget = (size_t)256 << 20;
	c->max_connections = 1000;
	c->request_timeout_s = 30;
	c->idle_timeout_s = 90;
	c->drain_delay_s = 5;
	c->drain_timeout_s = 20;
	c->cert_poll_ms = 2000;
	c->log_reviews = LOG_REVIEWS_DENIED;
	lint_options_init(&c->lint);
	c->lint.jobs = 1;
	/* The layer cache: $XDG_CACHE_HOME/unroot, else ~/.cache/unroot, as for the CLI. */
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	if (xdg && *xdg == '/')
		c->lint.fetch.cache_dir = arena_concat(c->arena, xdg, "/unroot", "");
	else if (home && *home == '/')
		c->lint.fetch.cache_dir = arena_concat(c->arena, home, "/.cache/unroot", "");
	return 0;
}

void serve_config_release(struct serve_config *c)
{
	arena_free(c->arena);
	c->arena = NULL;
}

bool serve_parse_duration(const char *s, unsigned long long *ms)
{
	errno = 0;
	char *end;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0 || v > 1e9)
		return false;
	double mult = 1000;
	if (strcmp(end, "ms") == 0)
		mult = 1;
	else if (strcmp(end, "m") == 0)
		mult = 60000;
	else if (strcmp(end, "h") == 0)
		mult = 3600000;
	else if (*end && strcmp(end, "s") != 0)
		return false;
	*ms = (unsigned long long)(v * mult + 0.5);
	return true;
}

bool serve_parse_size(const char *s, unsigned long long *bytes)
{
	static const struct {
		const char *suffix;
		unsigned long long mult;
	} units[] = {{"", 1},		{"k", 1000},	    {"K", 1000},	{"M", 1000000},
		     {"G", 1000000000}, {"Ki", 1ull << 10}, {"Mi", 1ull << 20}, {"Gi", 1ull << 30}};
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].suffix) == 0) {
			if (v > (1ull << 50) / units[i].mult)
				return false;
			*bytes = v * units[i].mult;
			return true;
		}
	return false;
}

/* --- reading ------------------------------------------------------------------ */

struct reader {
	struct serve_config *c;
	struct source *src;
	const char *err;
};

static int fail(struct reader *r, const struct ynode *n, const char *fmt, const char *arg)
{
	unsigned line = 0, col = 0;
	if (n)
		source_position(r->src, n->start, &line, &col);
	const char *what = arena_printf(r->c->arena, fmt, arg);
	r->err = arena_printf(r->c->arena, "%s:%u:%u: %s", r->src->path, line, col, what);
	return -1;
}

static int scalar(struct reader *r, const struct ynode *n, const char *key, const char **out)
{
	if (n->kind != Y_SCALAR)
		return fail(r, n, "'%s' takes a single value", key);
	*out = n->value;
	return 0;
}

static int boolean(struct reader *r, const struct ynode *n, const char *key, bool *out)
{
	const char *s = NULL;
	if (scalar(r, n, key, &s))
		return -1;
	if (strcmp(s, "true") == 0)
		*out = true;
	else if (strcmp(s, "false") == 0)
		*out = false;
	else
		return fail(r, n, "'%s' takes true or false", key);
	return 0;
}

static int duration(struct reader *r, const struct ynode *n, const char *key, unsigned *out,
		    bool in_ms)
{
	const char *s = NULL;
	unsigned long long ms;
	if (scalar(r, n, key, &s))
		return -1;
	if (!serve_parse_duration(s, &ms) || ms > 86400000ull)
		return fail(r, n, "'%s' takes a duration such as 10s, 500ms or 5m", key);
	*out = (unsigned)(in_ms ? ms : (ms + 999) / 1000);
	return 0;
}

static int size(struct reader *r, const struct ynode *n, const char *key, size_t *out)
{
	const char *s = NULL;
	unsigned long long b;
	if (scalar(r, n, key, &s))
		return -1;
	if (!serve_parse_size(s, &b) || b == 0)
		return fail(r, n, "'%s' takes a size such as 4Mi or 512Ki", key);
	*out = (size_t)b;
	return 0;
}

static int count(struct reader *r, const struct ynode *n, const char *key, unsigned *out,
		 unsigned lo, unsigned hi)
{
	const char *s = NULL;
	if (scalar(r, n, key, &s))
		return -1;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < lo || v > hi)
		return fail(r, n,
			    arena_printf(r->c->arena, "'%%s' takes a number from %u to %u", lo, hi),
			    key);
	*out = (unsigned)v;
	return 0;
}

/* deny: [error, warning], "error,warning", error, or [] */
static int levels(struct reader *r, const struct ynode *n, const char *key, unsigned *out)
{
	*out = 0;
	const struct ynode *one = n;
	size_t items = 1;
	if (n->kind == Y_SEQ)
		items = n->nitems;
	for (size_t i = 0; i < items; i++) {
		if (n->kind == Y_SEQ)
			one = n->items[i];
		if (one->kind != Y_SCALAR)
			return fail(r, one, "'%s' takes levels: error, warning, info", key);
		for (const char *p = one->value; *p;) {
			size_t len = strcspn(p, ", ");
			char word[16];
			if (len && len < sizeof(word)) {
				memcpy(word, p, len);
				word[len] = 0;
				int sev = severity_parse(word);
				if (sev <= 0)
					return fail(r, one,
						    "'%s' takes levels: error, warning, info", key);
				*out |= 1u << sev;
			} else if (len) {
				return fail(r, one, "'%s' takes levels: error, warning, info", key);
			}
			p += len;
			while (*p == ',' || *p == ' ')
				p++;
		}
	}
	return 0;
}

static int map_check(struct reader *r, const struct ynode *n, const char *what)
{
	if (!n || n->kind != Y_MAP)
		return fail(r, n, "%s must be a map", what);
	return 0;
}

static int namespaces(struct reader *r, const struct ynode *n)
{
	struct serve_config *c = r->c;
	if (n->kind != Y_SEQ)
		return fail(r, n, "'%s' takes a list of {match: PATTERN, ...}", "namespaces");
	c->namespaces = arena_alloc(c->arena, (n->nitems + 1) * sizeof(*c->namespaces));
	if (!c->namespaces)
		return fail(r, n, "%s", "out of memory");
	for (size_t i = 0; i < n->nitems; i++) {
		const struct ynode *m = n->items[i];
		if (map_check(r, m, "a namespaces entry"))
			return -1;
		struct ns_rule *rule = &c->namespaces[c->nnamespaces++];
		*rule = (struct ns_rule){.deny = -1, .dry_run = -1};
		for (size_t k = 0; k + 1 < m->nitems; k += 2) {
			const struct ynode *key = m->items[k], *v = m->items[k + 1];
			const char *name = key->kind == Y_SCALAR ? key->value : "";
			int rc;
			if (strcmp(name, "match") == 0) {
				rc = scalar(r, v, name, &rule->match);
			} else if (strcmp(name, "skip") == 0) {
				rc = boolean(r, v, name, &rule->skip);
			} else if (strcmp(name, "deny") == 0) {
				unsigned mask;
				rc = levels(r, v, name, &mask);
				rule->deny = (int)mask;
			} else if (strcmp(name, "dry-run") == 0) {
				bool b;
				rc = boolean(r, v, name, &b);
				rule->dry_run = b;
			} else {
				rc = fail(r, key,
					  "unknown key '%s' in a namespaces entry (match, skip, "
					  "deny, dry-run)",
					  name);
			}
			if (rc)
				return -1;
		}
		if (!rule->match)
			return fail(r, m, "%s", "a namespaces entry needs match: PATTERN");
	}
	return 0;
}

static int images(struct reader *r, const struct ynode *n)
{
	struct serve_config *c = r->c;
	if (map_check(r, n, "'images'"))
		return -1;
	for (size_t k = 0; k + 1 < n->nitems; k += 2) {
		const struct ynode *key = n->items[k], *v = n->items[k + 1];
		const char *name = key->kind == Y_SCALAR ? key->value : "";
		const char *s = NULL;
		unsigned u;
		int rc;
		if (strcmp(name, "check") == 0) {
			rc = boolean(r, v, name, &c->images);
		} else if (strcmp(name, "deadline") == 0) {
			rc = duration(r, v, name, &c->deadline_ms, true);
		} else if (strcmp(name, "failure") == 0) {
			rc = scalar(r, v, name, &s);
			if (!rc && strcmp(s, "allow") != 0 && strcmp(s, "deny") != 0)
				rc = fail(r, v, "'%s' takes allow or deny", name);
			c->image_failure_deny = s && strcmp(s, "deny") == 0;
		} else if (strcmp(name, "ttl") == 0) {
			rc = duration(r, v, name, &c->image_ttl_s, false);
		} else if (strcmp(name, "retry") == 0) {
			rc = duration(r, v, name, &c->image_retry_s, false);
		} else if (strcmp(name, "cache-size") == 0) {
			rc = count(r, v, name, &u, 1, 100000);
			c->image_cache_count = u;
		} else if (strcmp(name, "cache-memory") == 0) {
			rc = size(r, v, name, &c->image_cache_bytes);
		} else if (strcmp(name, "scanners") == 0) {
			rc = count(r, v, name, &c->scanners, 1, 64);
		} else if (strcmp(name, "auth-file") == 0) {
			/* Read by unroot-fetch, first among the credential files (docs/image.md).
			 */
			rc = scalar(r, v, name, &s) || setenv("REGISTRY_AUTH_FILE", s, 1);
		} else if (strcmp(name, "creds") == 0) {
			rc = scalar(r, v, name, &c->lint.fetch.creds);
		} else if (strcmp(name, "cert-dir") == 0) {
			rc = scalar(r, v, name, &c->lint.fetch.cert_dir);
		} else if (strcmp(name, "tls-verify") == 0) {
			rc = boolean(r, v, name, &c->lint.fetch.tls_verify);
		} else if (strcmp(name, "timeout") == 0) {
			rc = duration(r, v, name, &c->lint.fetch.timeout, false);
		} else if (strcmp(name, "retries") == 0) {
			rc = count(r, v, name, &c->lint.fetch.retries, 0, 20);
		} else if (strcmp(name, "cache-dir") == 0) {
			rc = scalar(r, v, name, &s);
			c->lint.fetch.cache_dir = s && *s ? s : NULL;
		} else if (strcmp(name, "arch") == 0) {
			rc = scalar(r, v, name, &c->lint.arch);
		} else {
			rc = fail(r, key, "unknown key '%s' under images", name);
		}
		if (rc)
			return -1;
	}
	return 0;
}

static int http(struct reader *r, const struct ynode *n)
{
	struct serve_config *c = r->c;
	if (map_check(r, n, "'http'"))
		return -1;
	for (size_t k = 0; k + 1 < n->nitems; k += 2) {
		const struct ynode *key = n->items[k], *v = n->items[k + 1];
		const char *name = key->kind == Y_SCALAR ? key->value : "";
		int rc;
		if (strcmp(name, "max-body") == 0)
			rc = size(r, v, name, &c->max_body);
		else if (strcmp(name, "body-budget") == 0)
			rc = size(r, v, name, &c->body_budget);
		else if (strcmp(name, "max-connections") == 0)
			rc = count(r, v, name, &c->max_connections, 1, 1000000);
		else if (strcmp(name, "request-timeout") == 0)
			rc = duration(r, v, name, &c->request_timeout_s, false);
		else if (strcmp(name, "idle-timeout") == 0)
			rc = duration(r, v, name, &c->idle_timeout_s, false);
		else if (strcmp(name, "threads") == 0)
			rc = count(r, v, name, &c->threads, 0, 256);
		else
			rc = fail(r, key, "unknown key '%s' under http", name);
		if (rc)
			return -1;
	}
	return 0;
}

static int top(struct reader *r, const struct ynode *n, const char *dir)
{
	struct serve_config *c = r->c;
	if (map_check(r, n, "the configuration"))
		return -1;
	for (size_t k = 0; k + 1 < n->nitems; k += 2) {
		const struct ynode *key = n->items[k], *v = n->items[k + 1];
		const char *name = key->kind == Y_SCALAR ? key->value : "";
		const char *s = NULL;
		int rc;
		if (strcmp(name, "platform") == 0) {
			rc = scalar(r, v, name, &s);
			if (!rc && strcmp(s, "kubernetes") == 0)
				c->platform = PLAT_KUBERNETES;
			else if (!rc && strcmp(s, "openshift") == 0)
				c->platform = PLAT_OPENSHIFT;
			else if (!rc)
				rc = fail(r, v, "'%s' takes kubernetes or openshift", name);
		} else if (strcmp(name, "listen") == 0) {
			rc = scalar(r, v, name, &c->listen);
		} else if (strcmp(name, "tls-cert") == 0) {
			rc = scalar(r, v, name, &c->tls_cert);
		} else if (strcmp(name, "tls-key") == 0) {
			rc = scalar(r, v, name, &c->tls_key);
		} else if (strcmp(name, "lint-config") == 0) {
			rc = scalar(r, v, name, &s);
			if (!rc)
				c->lint_config =
				    *s == '/' ? s : arena_concat(c->arena, dir, "/", s);
		} else if (strcmp(name, "deny") == 0) {
			rc = levels(r, v, name, &c->deny);
		} else if (strcmp(name, "dry-run") == 0) {
			rc = boolean(r, v, name, &c->dry_run);
		} else if (strcmp(name, "namespaces") == 0) {
			rc = namespaces(r, v);
		} else if (strcmp(name, "images") == 0) {
			rc = images(r, v);
		} else if (strcmp(name, "http") == 0) {
			rc = http(r, v);
		} else if (strcmp(name, "drain-delay") == 0) {
			rc = duration(r, v, name, &c->drain_delay_s, false);
		} else if (strcmp(name, "drain-timeout") == 0) {
			rc = duration(r, v, name, &c->drain_timeout_s, false);
		} else if (strcmp(name, "cert-poll") == 0) {
			rc = duration(r, v, name, &c->cert_poll_ms, true);
		} else if (strcmp(name, "log-reviews") == 0) {
			rc = scalar(r, v, name, &s);
			if (!rc && strcmp(s, "none") == 0)
				c->log_reviews = LOG_REVIEWS_NONE;
			else if (!rc && strcmp(s, "denied") == 0)
				c->log_reviews = LOG_REVIEWS_DENIED;
			else if (!rc && strcmp(s, "all") == 0)
				c->log_reviews = LOG_REVIEWS_ALL;
			else if (!rc)
				rc = fail(r, v, "'%s' takes none, denied or all", name);
		} else {
			rc = fail(r, key, "unknown key '%s'", name);
		}
		if (rc)
			return -1;
	}
	return 0;
}

int serve_config_load(struct serve_config *c, const char *path, const char **err)
{
	struct reader r = {.c = c};
	const char *why = NULL;
	c->path = path;
	r.src = source_read(c->arena, path, (size_t)1 << 20, &why);
	if (!r.src) {
		*err = arena_printf(c->arena, "%s: cannot read: %s", path, why ? why : "?");
		return -1;
	}
	struct ydoc *docs = NULL;
	size_t ndocs = 0;
	struct yerror yerr = {0};
	if (yaml_load(c->arena, r.src, &c->lint.limits, &docs, &ndocs, &yerr) != 0) {
		unsigned line, col;
		source_position(r.src, yerr.start, &line, &col);
		*err = arena_printf(c->arena, "%s:%u:%u: %s", path, line, col,
				    yerr.message ? yerr.message : "invalid YAML");
		return -1;
	}
	const char *slash = strrchr(path, '/');
	const char *dir = slash ? arena_strndup(c->arena, path, (size_t)(slash - path)) : ".";
	if (ndocs > 1) {
		*err = arena_printf(c->arena, "%s: one YAML document, not %zu", path, ndocs);
		return -1;
	}
	if (ndocs == 1 && docs[0].root && top(&r, docs[0].root, dir) != 0) {
		*err = r.err;
		return -1;
	}
	if (c->lint_config) {
		struct config_extra extra = {0};
		struct config_error cerr;
		if (config_load(c->arena, c->lint_config, &c->lint, &extra, &cerr) != 0) {
			*err = cerr.line
				   ? arena_printf(c->arena, "%s:%u:%u: %s", cerr.path, cerr.line,
						  cerr.col, cerr.message)
				   : arena_printf(c->arena, "%s: %s", cerr.path, cerr.message);
			return -1;
		}
	}
	if (c->images && c->deadline_ms >= c->request_timeout_s * 1000u) {
		*err = arena_printf(c->arena,
				    "%s: images.deadline (%u ms) must be shorter than "
				    "http.request-timeout (%u s)",
				    path, c->deadline_ms, c->request_timeout_s);
		return -1;
	}
	return 0;
}
