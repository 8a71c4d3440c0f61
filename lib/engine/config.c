/* config.c - reading .unroot.yaml into lint_options, strictly. */
#include "unroot/config.h"
#include "unroot/arena.h"
#include "unroot/ids.h"
#include "unroot/lint.h"
#include "unroot/rule.h"
#include "unroot/source.h"
#include "unroot/suggest.h"
#include "yaml/ytree.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct cfg {
	struct arena *a;
	struct source *src;
	const char *dir; /* the config file's folder, for relative paths */
	struct config_error *err;
};

static int bad(struct cfg *c, const struct ynode *n, const char *fmt, const char *arg)
{
	unsigned line = 1, col = 1;
	if (n)
		source_position(c->src, n->start, &line, &col);
	c->err->path = c->src->path;
	c->err->line = line;
	c->err->col = col;
	c->err->message = arena_printf(c->a, fmt, arg);
	return -1;
}

static const char *path_in(struct cfg *c, const char *p)
{
	if (p[0] == '/' || !c->dir)
		return p;
	return arena_printf(c->a, "%s/%s", c->dir, p);
}

static int scalar(struct cfg *c, const struct ynode *n, const char *key, const char **out)
{
	if (!n || n->kind != Y_SCALAR)
		return bad(c, n, "'%s' must be a single value", key);
	*out = n->value;
	return 0;
}

/* A list, or one comma-separated scalar. */
static int list(struct cfg *c, const struct ynode *n, const char *key, const char ***out,
		size_t *count)
{
	size_t cap = 0;
	*out = NULL;
	*count = 0;
	if (n && n->kind == Y_SCALAR) {
		const char *p = n->value;
		while (*p) {
			size_t len = strcspn(p, ",");
			const char **slot = ARR_PUSH(c->a, *out, *count, cap);
			if (!slot)
				return bad(c, n, "out of memory reading '%s'", key);
			*slot = arena_strndup(c->a, p, len);
			p += len + (p[len] == ',');
		}
		return 0;
	}
	if (!n || n->kind != Y_SEQ)
		return bad(c, n, "'%s' must be a list", key);
	for (size_t i = 0; i < n->nitems; i++) {
		if (n->items[i]->kind != Y_SCALAR)
			return bad(c, n->items[i], "'%s' items must be single values", key);
		const char **slot = ARR_PUSH(c->a, *out, *count, cap);
		if (!slot)
			return bad(c, n, "out of memory reading '%s'", key);
		*slot = n->items[i]->value;
	}
	return 0;
}

static int map(struct cfg *c, const struct ynode *n, const char *key, struct kv **out,
	       size_t *count, bool paths)
{
	size_t cap = 0;
	if (!n || n->kind != Y_MAP)
		return bad(c, n, "'%s' must be a mapping", key);
	for (size_t i = 0; i + 1 < n->nitems; i += 2) {
		const struct ynode *k = n->items[i], *v = n->items[i + 1];
		if (k->kind != Y_SCALAR || v->kind != Y_SCALAR)
			return bad(c, k, "'%s' entries must be single values", key);
		struct kv *slot = ARR_PUSH(c->a, *out, *count, cap);
		if (!slot)
			return bad(c, n, "out of memory reading '%s'", key);
		slot->key = k->value;
		slot->value = paths ? path_in(c, v->value) : v->value;
	}
	return 0;
}

static int uid(struct cfg *c, const struct ynode *n, const char *key, long *out)
{
	const char *s = NULL;
	unsigned long v;
	if (scalar(c, n, key, &s))
		return -1;
	if (!id_parse_str(s, &v))
		return bad(c, n, "'%s' must be a uid, a number from 0 to 4294967295", key);
	*out = (long)v;
	return 0;
}

static int apply(struct cfg *c, const struct ynode *k, const struct ynode *v,
		 struct lint_options *o, struct config_extra *x)
{
	const char *key = k->value;
	const char *s = NULL;
	if (strcmp(key, "platform") == 0 || strcmp(key, "platforms") == 0) {
		const char **names;
		size_t n;
		if (list(c, v, key, &names, &n))
			return -1;
		o->platforms = 0;
		for (size_t i = 0; i < n; i++) {
			const char *badname;
			unsigned bits = platform_parse(names[i], &badname);
			if (!bits)
				return bad(c, v, "unknown platform '%s'", names[i]);
			o->platforms |= bits;
		}
		return 0;
	}
	if (strcmp(key, "min-uid") == 0)
		return uid(c, v, key, &o->min_uid);
	if (strcmp(key, "uid-range") == 0 || strcmp(key, "supplemental-groups") == 0) {
		if (scalar(c, v, key, &s))
			return -1;
		struct id_range *r = key[0] == 'u' ? &o->uid_range : &o->supp_groups;
		if (!id_range_parse(s, r))
			return bad(c, v,
				   "'%s' must be START/LENGTH or START-END of uids from 0 to "
				   "4294967295",
				   key);
		return 0;
	}
	if (strcmp(key, "fail-on") == 0) {
		if (scalar(c, v, key, &s))
			return -1;
		int sev = severity_parse(s);
		if (sev < 0)
			return bad(c, v, "'fail-on' must be error, warning, info or none, not '%s'",
				   s);
		o->fail_on = (enum severity)sev;
		return 0;
	}
	if (strcmp(key, "ignore") == 0) {
		if (list(c, v, key, &o->ignore, &o->nignore))
			return -1;
		/* A mistyped rule would be ignored in silence, so it is an error. */
		for (size_t i = 0; i < o->nignore; i++)
			if (!rule_find(o->ignore[i]))
				return bad(c, v->kind == Y_SEQ ? v->items[i] : v, "%s",
					   rule_unknown(c->a, o->ignore[i]));
		return 0;
	}
	if (strcmp(key, "severity") == 0) {
		if (map(c, v, key, &o->severity, &o->nseverity, false))
			return -1;
		for (size_t i = 0; i < o->nseverity; i++) {
			if (!rule_find(o->severity[i].key))
				return bad(c, v->items[2 * i], "%s",
					   rule_unknown(c->a, o->severity[i].key));
			if (severity_parse(o->severity[i].value) < 0)
				return bad(c, v->items[2 * i + 1],
					   "unknown severity '%s': error, warning, info or off",
					   o->severity[i].value);
		}
		return 0;
	}
	if (strcmp(key, "base-images") == 0) {
		if (map(c, v, key, &o->base_images, &o->nbase_images, false))
			return -1;
		for (size_t i = 0; i + 1 < v->nitems; i += 2) {
			long u, g;
			if (!id_pair_parse(v->items[i + 1]->value, &u, &g))
				return bad(c, v->items[i + 1],
					   "'base-images' values must be \"uid\" or \"uid:gid\" "
					   "with ids from 0 to 4294967295, not '%s'",
					   v->items[i + 1]->value);
		}
		return 0;
	}
	if (strcmp(key, "images") == 0)
		return map(c, v, key, &o->images, &o->nimages, true);
	if (strcmp(key, "exclude") == 0) {
		const char **globs;
		size_t n;
		if (list(c, v, key, &globs, &n))
			return -1;
		/* Relative to the config's folder, as .gitignore patterns are to theirs. */
		for (size_t i = 0; i < n; i++) {
			size_t cap = o->nexcludes;
			struct kv *slot = ARR_PUSH(c->a, o->excludes, o->nexcludes, cap);
			if (!slot)
				return bad(c, v, "out of memory reading '%s'", key);
			*slot = (struct kv){globs[i], c->dir ? c->dir : "."};
		}
		return 0;
	}
	if (strcmp(key, "gitignore") == 0) {
		if (scalar(c, v, key, &s))
			return -1;
		if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0)
			return bad(c, v, "'gitignore' must be true or false, not '%s'", s);
		o->no_gitignore = strcmp(s, "false") == 0;
		return 0;
	}
	if (strcmp(key, "baseline") == 0) {
		if (scalar(c, v, key, &s))
			return -1;
		o->baseline = path_in(c, s);
		return 0;
	}
	if (strcmp(key, "base-dir") == 0) {
		if (scalar(c, v, key, &s))
			return -1;
		o->base_dir = path_in(c, s);
		return 0;
	}
	if (strcmp(key, "context") == 0) {
		if (scalar(c, v, key, &s))
			return -1;
		o->context_dir = path_in(c, s);
		return 0;
	}
	if (strcmp(key, "format") == 0)
		return scalar(c, v, key, &x->format);
	if (strcmp(key, "color") == 0)
		return scalar(c, v, key, &x->color);
	if (strcmp(key, "arch") == 0)
		return scalar(c, v, key, &o->arch);
	if (strcmp(key, "helm") == 0) {
		if (scalar(c, v, key, &s))
			return -1;
		o->helm_bin = path_in(c, s);
		return 0;
	}
	if (strcmp(key, "values") == 0) {
		if (list(c, v, key, &o->values, &o->nvalues))
			return -1;
		for (size_t i = 0; i < o->nvalues; i++)
			o->values[i] = path_in(c, o->values[i]);
		return 0;
	}
	if (strcmp(key, "set") == 0)
		return list(c, v, key, &o->sets, &o->nsets);
	/* The keys above, for a mistyped one. */
	static const char *const keys[] = {
	    "platform", "platforms", "min-uid",	 "uid-range",	"supplemental-groups",
	    "fail-on",	"ignore",    "severity", "base-images", "images",
	    "base-dir", "context",   "format",	 "color",	"arch",
	    "helm",	"values",    "set",	 "exclude",	"gitignore",
	    "baseline"};
	const char *near = suggest(key, keys, sizeof(keys) / sizeof(keys[0]));
	if (near)
		return bad(c, k, "%s",
			   arena_printf(c->a, "unknown key '%s'; did you mean '%s'?", key, near));
	return bad(c, k, "unknown key '%s'", key);
}

int config_load(struct arena *a, const char *path, struct lint_options *o,
		struct config_extra *extra, struct config_error *err)
{
	const char *why = NULL;
	struct source *src = source_read(a, path, 1u << 20, &why);
	err->path = path;
	err->line = err->col = 0;
	if (!src) {
		err->message = arena_printf(a, "cannot read config: %s", why);
		return -1;
	}
	struct ydoc *docs;
	size_t ndocs;
	struct yerror yerr;
	struct cfg c = {.a = a, .src = src, .err = err};
	const char *slash = strrchr(path, '/');
	c.dir = slash ? arena_strndup(a, path, (size_t)(slash - path)) : NULL;
	if (yaml_load(a, src, &o->limits, &docs, &ndocs, &yerr) != 0) {
		source_position(src, yerr.start, &err->line, &err->col);
		err->message = yerr.message;
		return -1;
	}
	if (ndocs == 0 || !docs[0].root)
		return 0;
	const struct ynode *root = docs[0].root;
	if (root->kind != Y_MAP)
		return bad(&c, root, "%s", "the config must be a mapping of keys to values");
	for (size_t i = 0; i + 1 < root->nitems; i += 2) {
		const struct ynode *k = root->items[i];
		if (k->kind != Y_SCALAR)
			return bad(&c, k, "%s", "keys must be plain words");
		if (apply(&c, k, root->items[i + 1], o, extra))
			return -1;
	}
	return 0;
}

const char *config_find(struct arena *a, const char *dir)
{
	char *d = realpath(dir, NULL);
	const char *found = NULL;
	if (!d)
		return NULL;
	for (;;) {
		char *cand = arena_printf(a, "%s/.unroot.yaml", strcmp(d, "/") ? d : "");
		struct stat st;
		if (cand && stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
			found = cand;
			break;
		}
		char *git = arena_printf(a, "%s/.git", strcmp(d, "/") ? d : "");
		if ((git && stat(git, &st) == 0) || strcmp(d, "/") == 0)
			break;
		char *slash = strrchr(d, '/');
		if (slash == d)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	free(d);
	return found;
}
