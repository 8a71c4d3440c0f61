/* run.c - a lint run: dispatch inputs to readers, then suppress, weigh and sort. */
#include "unroot/run.h"
#include "unroot/arena.h"
#include "unroot/model.h"
#include "unroot/ref.h"
#include "unroot/source.h"
#include "workers.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

void lint_options_init(struct lint_options *o)
{
	memset(o, 0, sizeof(*o));
	o->platforms = PLAT_ALL;
	o->min_uid = LINT_DEFAULT_MIN_UID;
	o->uid_range = (struct id_range){1000680000, 10000};
	o->supp_groups = (struct id_range){1000680000, 10000};
	o->fail_on = SEV_WARNING;
	o->limits = (struct lint_limits){
	    .file_size = 8u << 20,
	    .arena = 1u << 30,
	    .yaml_depth = 200,
	    .yaml_aliases = 10000,
	    .yaml_nodes = 2000000,
	    .tar_entries = 1000000,
	    .path_len = 4096,
	    .uncompressed = (size_t)16 << 30,
	    .dir_depth = 64,
	    .findings_input = 1000,
	    .findings_run = 100000,
	};
	o->fetch = (struct fetch_options){
	    .tls_verify = true, .timeout = 30, .retries = 4, .retry_time = 60};
}

/*
 * --pull: a FROM base image that neither the config nor the built-in list
 * knows is read from its registry, and its config's user, resolved through
 * its /etc/passwd, is what the Dockerfile starts as.
 */
static bool pulled_base_user(void *data, const char *image, long *uid, long *gid,
			     const char **source)
{
	struct lint_run *run = data;
	struct image_name n;
	const char *why;
	if (image_name_parse(run->arena, image, &n, &why) != 0)
		return false;
	const struct image_view *v =
	    run_image_side(run, arena_concat(run->arena, "docker://", n.canonical, ""));
	if (!v || v->uid < 0)
		return false;
	*uid = v->uid;
	*gid = v->gid;
	*source = arena_printf(run->arena, "the image %s, read with --pull", n.canonical);
	return *source != NULL;
}

struct lint_run *lint_run_new(const struct lint_options *opts)
{
	struct arena *a = arena_new(opts->limits.arena);
	if (!a)
		return NULL;
	struct lint_run *run = arena_alloc(a, sizeof(*run));
	if (!run) {
		arena_free(a);
		return NULL;
	}
	if (opts->fetch.pull) {
		/* The run's own copy of the options, whose base-image question it answers. */
		struct lint_options *own = arena_alloc(a, sizeof(*own));
		if (!own) {
			arena_free(a);
			return NULL;
		}
		*own = *opts;
		own->fetch.base_user = pulled_base_user;
		own->fetch.base_user_data = run;
		opts = own;
	}
	run->opts = opts;
	run->arena = a;
	run->diags.arena = a;
	run->diags.run_cap = opts->limits.findings_run;
	run->diags.kept = &run->kept;
	return run;
}

struct lint_run *run_new_child(struct lint_run *parent)
{
	struct arena *a = arena_new_shared(parent->arena);
	struct lint_run *run = a ? arena_alloc(a, sizeof(*run)) : NULL;
	if (!run) {
		arena_free(a);
		return NULL;
	}
	run->opts = parent->opts;
	run->arena = a;
	run->parent = parent;
	run->diags.arena = a;
	run->diags.run_cap = parent->diags.run_cap;
	run->diags.kept = parent->diags.kept;
	return run;
}

void lint_run_free(struct lint_run *run)
{
	if (!run)
		return;
	for (size_t i = 0; i < run->nchildren; i++)
		lint_run_free(run->children[i]);
	arena_free(run->scratch);
	arena_free(run->arena);
}

struct arena *run_scratch(struct lint_run *run)
{
	if (!run->scratch)
		run->scratch = arena_new_shared(run->arena);
	return run->scratch;
}

struct arena *lint_run_arena(struct lint_run *run)
{
	return run->arena;
}

void run_parse_error(struct lint_run *run, const char *path, struct source *src, size_t start,
		     size_t end, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct diag *d = diag_vadd(&run->diags, &NR000_parse_error, path, src, start, end, fmt, ap);
	va_end(ap);
	run->input_error = true;
	if (!d && arena_failed(run->arena))
		run_memory_error(run, path); /* a message the run had no memory left for */
}

/* A note from the reserve: it must be stored even when the run's memory is spent. */
static void reserved_add(struct lint_run *run, const struct rule *rule, const char *path,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void reserved_add(struct lint_run *run, const struct rule *rule, const char *path,
			 const char *fmt, ...)
{
	bool was = arena_reserve(run->arena, true);
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(&run->diags, rule, path, NULL, 0, 0, fmt, ap);
	va_end(ap);
	arena_reserve(run->arena, was);
}

void run_memory_error(struct lint_run *run, const char *path)
{
	run->input_error = true;
	if (!run->oom_noted) {
		run->oom_noted = true;
		reserved_add(run, &NR000_parse_error, path,
			     "'%s' needs more memory than a run may use (%zu MiB, its threads and "
			     "inputs together); it was not fully checked",
			     path, arena_limit(run->arena) >> 20);
	} else if (run->oom_more++ == 0) {
		run->oom_more_path = path;
	}
	arena_clear_failed(run->arena);
	arena_clear_failed(run->scratch);
}

void run_begin_input(struct lint_run *run)
{
	if (run->depth++)
		return;
	run->diags.input_first = run->diags.n;
	run->diags.input_cap = run->opts->limits.findings_input;
	run->diags.input_dropped = 0;
	run->input_supp = run->nsupp;
}

void run_end_input(struct lint_run *run, const char *path)
{
	if (--run->depth)
		return;
	struct diag_list *l = &run->diags;
	l->input_cap = 0;
	if (arena_failed(run->arena) || (run->scratch && arena_failed(run->scratch)))
		run_memory_error(run, path);
	if (l->run_dropped && !run->run_capped_path)
		run->run_capped_path = path;
	if (!l->input_dropped)
		return;
	/* Whether a suppression of this input matched a finding left out is not known. */
	for (size_t i = run->input_supp; i < run->nsupp; i++)
		run->supp[i].capped = true;
	/* once the run's cap is reached, its own note says it for every input */
	bool run_full = l->run_cap && l->kept && atomic_load(l->kept) >= l->run_cap;
	if (!run_full &&
	    !diag_add(l, &NR002_findings_capped, path, NULL, 0, 0,
		      "%zu more finding%s in this input %s left out: unroot reports "
		      "at most %zu an input; fix those above and run it again",
		      l->input_dropped, l->input_dropped == 1 ? "" : "s",
		      l->input_dropped == 1 ? "was" : "were", run->opts->limits.findings_input))
		run_memory_error(run, path);
	l->input_dropped = 0;
}

void run_add_suppression(struct lint_run *run, const struct suppression *s)
{
	struct suppression *slot = ARR_PUSH(run->arena, run->supp, run->nsupp, run->capsupp);
	if (slot)
		*slot = *s;
}

static void report_va(struct check_ctx *ctx, const struct rule *rule, size_t start, size_t end,
		      const char *fmt, va_list ap, struct diag **out)
{
	*out = diag_vadd(ctx->diags, rule, ctx->path, ctx->src, start, end, fmt, ap);
}

struct diag *report(struct check_ctx *ctx, const struct rule *rule, size_t start, size_t end,
		    const char *fmt, ...)
{
	struct diag *d;
	va_list ap;
	va_start(ap, fmt);
	report_va(ctx, rule, start, end, fmt, ap, &d);
	va_end(ap);
	return d;
}

static const struct image_view *ctx_pair(struct check_ctx *ctx, const char *ref)
{
	return run_pair(ctx->data, ref);
}

/* Orders folders by path and names within a folder alike: bytes, then length. */
static int cmp_span(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	return c ? c : (alen > blen) - (alen < blen);
}

/* The listing of folder dir[0..dlen) the walk kept, or NULL. */
static const struct listed_folder *listed_folder(const struct lint_run *run, const char *dir,
						 size_t dlen)
{
	size_t lo = 0, hi = run->nfolders;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_span(run->folders[mid].path, run->folders[mid].len, dir, dlen);
		if (c == 0)
			return &run->folders[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool ctx_may_exist(struct check_ctx *ctx, const char *dir, size_t dlen, const char *name,
			  size_t nlen)
{
	const struct listed_folder *f = listed_folder(ctx->data, dir, dlen);
	if (!f)
		return true; /* not listed: only a stat can tell */
	size_t lo = 0, hi = f->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_span(f->names[mid], strlen(f->names[mid]), name, nlen);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

void run_ctx_init(struct lint_run *run, struct check_ctx *ctx, const char *path, struct source *src)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->opts = run->opts;
	ctx->arena = run->arena;
	ctx->scratch = run->arena;
	ctx->diags = &run->diags;
	ctx->path = path;
	ctx->src = src;
	ctx->pair = ctx_pair;
	ctx->may_exist = ctx_may_exist;
	ctx->data = run;
}

static bool listed(const char *const *list, size_t n, const struct rule *r)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(list[i], r->code) == 0 || strcasecmp(list[i], r->name) == 0)
			return true;
	return false;
}

/* The configured severity of a rule, or -1 when the config says nothing. */
static int configured_severity(const struct lint_options *o, const struct rule *r)
{
	for (size_t i = 0; i < o->nseverity; i++) {
		const struct kv *kv = &o->severity[i];
		if (strcasecmp(kv->key, r->code) == 0 || strcasecmp(kv->key, r->name) == 0)
			return severity_parse(kv->value);
	}
	return -1;
}

bool run_rule_disabled(const struct lint_run *run, const struct rule *r)
{
	if (r == &NR000_parse_error)
		return false;
	if (listed(run->opts->ignore, run->opts->nignore, r))
		return true;
	return configured_severity(run->opts, r) == SEV_NONE;
}

void run_rules(struct lint_run *run, struct check_ctx *ctx, enum input_kind kind)
{
	for (size_t i = 0; i < rule_count; i++) {
		const struct rule *r = rule_table[i];
		if (r->kind != kind || !r->check || run_rule_disabled(run, r))
			continue;
		if (!(r->platforms & run->opts->platforms))
			continue;
		r->check(ctx, r);
	}
}

/* --- pairing ------------------------------------------------------------- */

struct pair_entry {
	const char *path;
	const struct image_view *view;
};

/* `nginx` matches `nginx:1.27` and `docker.io/library/nginx:1.27`; patterns use fnmatch. */
static bool ref_matches(const char *pattern, const char *ref)
{
	if (fnmatch(pattern, ref, 0) == 0)
		return true;
	size_t n = strlen(pattern);
	if (!strpbrk(pattern, "*?[") && strncmp(ref, pattern, n) == 0 &&
	    (ref[n] == ':' || ref[n] == '@'))
		return true;
	const char *last = strrchr(ref, '/');
	if (last && !strchr(pattern, '/'))
		return ref_matches(pattern, last + 1);
	return false;
}

const struct image_view *run_pair(struct lint_run *run, const char *ref)
{
	const struct lint_options *o = run->opts;
	if (!ref)
		return NULL;
	for (size_t i = 0; i < o->nimages; i++) {
		if (!ref_matches(o->images[i].key, ref))
			continue;
		return run_image_side(run, o->images[i].value);
	}
	/* --pull: a reference with no pair is read from its registry. */
	struct image_name n;
	const char *why;
	if (o->fetch.pull && image_name_parse(run->arena, ref, &n, &why) == 0)
		return run_image_side(run, arena_concat(run->arena, "docker://", n.canonical, ""));
	return NULL;
}

const struct image_view *run_image_side(struct lint_run *run, const char *path)
{
	for (size_t k = 0; k < run->npairs; k++)
		if (strcmp(run->pairs[k].path, path) == 0)
			return run->pairs[k].view;
	struct stat st;
	bool found = stat(path, &st) == 0, is_dir = found && S_ISDIR(st.st_mode);
	const struct reader *rd = reader_for_kind(
	    !found && image_ref_is_reference(path) ? KIND_IMAGE : run_detect(path, is_dir));
	if (!rd || !rd->image_side)
		rd = reader_for_kind(KIND_DOCKERFILE);
	const struct image_view *v = rd && rd->image_side ? rd->image_side(run, path) : NULL;
	struct pair_entry *e = ARR_PUSH(run->arena, run->pairs, run->npairs, run->cappairs);
	if (e) {
		e->path = arena_strdup(run->arena, path);
		e->view = v;
	}
	return v;
}

/* --- inputs -------------------------------------------------------------- */

const struct reader *reader_for_kind(enum input_kind k)
{
	for (size_t i = 0; i < reader_count; i++)
		if (reader_table[i]->kind == k)
			return reader_table[i];
	return NULL;
}

enum input_kind run_detect(const char *path, bool is_dir)
{
	for (size_t i = 0; i < reader_count; i++)
		if (reader_table[i]->match && reader_table[i]->match(path, is_dir))
			return reader_table[i]->kind;
	return KIND_NONE;
}

void run_note_input(struct lint_run *run, const char *path)
{
	const char **slot = ARR_PUSH(run->arena, run->inputs, run->ninputs, run->capinputs);
	if (slot)
		*slot = arena_strdup(run->arena, path);
}

/* An input found by a batch, read before any input is linted. */
struct pending {
	const char *path;
	struct source *src;
	const struct reader *rd;
	bool regular; /* the folder listing said it is a regular file */
	bool unreadable;
};

bool run_read_text(struct lint_run *run, const struct reader *rd, const char *path, bool regular,
		   struct source **src)
{
	if (!rd->text || *src)
		return true;
	const char *why = NULL;
	size_t limit = run->opts->limits.file_size;
	*src = regular ? source_read_regular(run->arena, path, limit, &why)
		       : source_read(run->arena, path, limit, &why);
	if (!*src) {
		run_parse_error(run, path, NULL, 0, 0, "cannot read '%s': %s", path, why);
		return false;
	}
	return true;
}

static void lint_one(struct lint_run *run, const char *path, struct source *src,
		     enum input_kind kind, bool regular)
{
	const struct reader *rd = reader_for_kind(kind);
	if (!rd) {
		run_parse_error(run, path, src, 0, 0, "no reader for %s input",
				input_kind_name(kind));
		return;
	}
	if (run->batch) {
		struct pending *p =
		    ARR_PUSH(run->arena, run->pending, run->npending, run->cappending);
		if (p) {
			p->path = arena_strdup(run->arena, path);
			p->src = src;
			p->rd = rd;
			p->regular = regular;
		}
		return;
	}
	run_note_input(run, path);
	run_begin_input(run);
	if (run_read_text(run, rd, path, regular, &src))
		rd->lint(run, path, src);
	run_end_input(run, path);
}

void lint_run_buffer(struct lint_run *run, const char *path, const char *data, size_t len,
		     enum input_kind kind)
{
	if (kind == KIND_NONE)
		kind = run_detect(path, false);
	if (kind == KIND_NONE) {
		run_parse_error(run, path, NULL, 0, 0,
				"cannot tell what '%s' is; say it with --type", path);
		return;
	}
	struct source *src = source_new(run->arena, path, data, len);
	if (!src) {
		run_parse_error(run, path, NULL, 0, 0, "out of memory reading '%s'", path);
		return;
	}
	lint_one(run, path, src, kind, false);
}

/* Folders we never look into when walking a tree. */
static bool skip_dir(const char *name)
{
	static const char *const skip[] = {".git", "node_modules", ".hg", ".svn", "vendor"};
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strcmp(name, skip[i]) == 0)
			return true;
	return false;
}

/*
 * What stdin holds, when --type does not say: a Kubernetes document has
 * apiVersion and kind keys at the start of a line (YAML) or as JSON keys; a
 * Dockerfile's first instruction is FROM, ARG or a parser directive; `helm
 * template` output has "# Source: CHART/templates/x.yaml" lines, which the
 * Helm reader uses to point findings at templates. This is what makes
 * `helm template ... | unroot lint -` work without flags.
 */
static enum input_kind sniff(const struct source *src)
{
	const char *p = src->data, *end = src->data + src->len;
	bool api = false, kind = false;
	if ((src->len >= 10 && strncmp(p, "# Source: ", 10) == 0) ||
	    memmem(p, src->len, "\n# Source: ", 11))
		return KIND_HELM;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *q = p;
		while (q < p + n && (*q == ' ' || *q == '\t' || *q == '{' || *q == '"'))
			q++;
		size_t rest = (size_t)(p + n - q);
		if (rest >= 11 && strncmp(q, "apiVersion", 10) == 0 &&
		    (q[10] == ':' || q[10] == '"'))
			api = true;
		if (rest >= 5 && strncmp(q, "kind", 4) == 0 && (q[4] == ':' || q[4] == '"'))
			kind = true;
		if (api && kind)
			return KIND_K8S;
		if (q == p && rest >= 4 &&
		    (strncasecmp(q, "FROM ", 5) == 0 || strncasecmp(q, "ARG ", 4) == 0 ||
		     strncasecmp(q, "# syntax=", 9) == 0 || strncasecmp(q, "# escape=", 9) == 0))
			return KIND_DOCKERFILE;
		p += n + 1;
	}
	return KIND_NONE;
}

static void lint_stdin(struct lint_run *run)
{
	const char *why = NULL;
	struct source *src = source_read(run->arena, "-", run->opts->limits.file_size, &why);
	if (!src) {
		run_parse_error(run, "-", NULL, 0, 0, "cannot read stdin: %s", why);
		return;
	}
	enum input_kind k = run->opts->type != KIND_NONE ? run->opts->type : sniff(src);
	if (k == KIND_NONE) {
		run_parse_error(
		    run, "-", src, 0, 0,
		    "cannot tell what stdin holds; say it with --type dockerfile|k8s|helm");
		return;
	}
	if (k == KIND_IMAGE) {
		run_parse_error(run, "-", NULL, 0, 0,
				"images cannot be read from stdin; name the file or folder");
		return;
	}
	lint_one(run, "-", src, k, false);
}

/* A folder entry; `type` is from readdir (DT_UNKNOWN when the file system does not say). */
struct entry {
	const char *path;
	unsigned char type;
	bool skip; /* listed, not walked */
};

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

/*
 * Keeps a listed folder's names (they start `prefix` bytes into each entry's
 * path), so that rules looking for build context files in it need no stat for
 * a name it lacks. A listing cut short is not kept: a missing name would lie.
 */
static void note_folder(struct lint_run *run, const char *path, size_t prefix,
			const struct entry *entries, size_t n)
{
	const char **names = n ? arena_alloc(run->arena, n * sizeof(*names)) : NULL;
	if (n && !names)
		return;
	for (size_t i = 0; i < n; i++)
		names[i] = entries[i].path + prefix;
	struct listed_folder *f =
	    ARR_PUSH(run->arena, run->folders, run->nfolders, run->capfolders);
	if (!f)
		return;
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	*f = (struct listed_folder){
	    .path = arena_strndup(run->arena, path, len), .len = len, .names = names, .n = n};
	if (!f->path)
		run->nfolders--;
}

static int cmp_folder(const void *a, const void *b)
{
	const struct listed_folder *x = a, *y = b;
	return cmp_span(x->path, x->len, y->path, y->len);
}

static void walk_node(struct lint_run *run, const char *path, bool is_dir, bool regular,
		      size_t depth, bool named);

static void walk(struct lint_run *run, const char *path, size_t depth, bool named)
{
	struct stat st;
	if (strcmp(path, "-") == 0) {
		lint_stdin(run);
		return;
	}
	if (stat(path, &st) != 0) {
		/* An image named by reference (docker://..., oci:DIR, a bare name) is no path. */
		if (image_ref_is_reference(path)) {
			lint_one(run, path, NULL, KIND_IMAGE, false);
			return;
		}
		run_parse_error(run, path, NULL, 0, 0, "cannot open '%s': no such file or folder",
				path);
		return;
	}
	/* a folder holds many inputs, most likely: what the walk keeps goes to the pool */
	if (S_ISDIR(st.st_mode))
		arena_use_pool(run->arena);
	walk_node(run, path, S_ISDIR(st.st_mode), S_ISREG(st.st_mode), depth, named);
}

static void walk_node(struct lint_run *run, const char *path, bool is_dir, bool regular,
		      size_t depth, bool named)
{
	enum input_kind k =
	    named && run->opts->type != KIND_NONE ? run->opts->type : run_detect(path, is_dir);
	if (k != KIND_NONE && (!is_dir || k == KIND_HELM || k == KIND_IMAGE)) {
		lint_one(run, path, NULL, k, regular);
		return;
	}
	if (!is_dir) {
		if (named)
			run_parse_error(run, path, NULL, 0, 0,
					"cannot tell what '%s' is; say it with --type", path);
		return;
	}
	if (depth >= run->opts->limits.dir_depth) {
		run_parse_error(run, path, NULL, 0, 0, "'%s' is nested deeper than the limit",
				path);
		return;
	}
	DIR *d = opendir(path);
	if (!d) {
		run_parse_error(run, path, NULL, 0, 0, "cannot open folder '%s'", path);
		return;
	}
	struct entry *names = NULL;
	size_t n = 0, cap = 0, plen = strlen(path);
	const char *sep = plen && path[plen - 1] == '/' ? "" : "/";
	bool whole = true;
	struct dirent *e;
	errno = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' && (e->d_name[1] == 0 || strcmp(e->d_name, "..") == 0))
			continue;
		struct entry *slot = ARR_PUSH(run->arena, names, n, cap);
		if (!slot)
			break;
		slot->path = arena_concat(run->arena, path, sep, e->d_name);
		slot->type = e->d_type;
		slot->skip = skip_dir(e->d_name);
		whole = whole && slot->path;
	}
	whole = whole && !e && errno == 0;
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_entry);
	if (whole)
		note_folder(run, path, plen + strlen(sep), names, n);
	for (size_t i = 0; i < n; i++) {
		unsigned char type = names[i].type;
		if (!names[i].path || names[i].skip)
			continue;
		if (type != DT_REG && type != DT_DIR && type != DT_LNK) {
			/* the file system did not say (or it is a device, fifo, socket) */
			struct stat cst;
			if (lstat(names[i].path, &cst) != 0)
				continue;
			type = S_ISDIR(cst.st_mode)   ? DT_DIR
			       : S_ISLNK(cst.st_mode) ? DT_LNK
			       : S_ISREG(cst.st_mode) ? DT_REG
						      : DT_UNKNOWN;
		}
		/* Never follow symlinks while walking: a link may point anywhere. And a pipe,
		 * socket or device is no input: reading a pipe would wait for a writer. */
		if (type != DT_REG && type != DT_DIR)
			continue;
		walk_node(run, names[i].path, type == DT_DIR, type == DT_REG, depth + 1, false);
	}
}

void lint_run_path(struct lint_run *run, const char *path)
{
	lint_run_paths(run, &path, 1);
}

/*
 * Finds every input first, lets each reader look at all of them (the
 * Kubernetes reader takes OpenShift's namespace ranges from a Namespace in
 * any input), then lints them in order.
 */
void lint_run_paths(struct lint_run *run, const char *const *paths, size_t n)
{
	run->batch = true;
	run->npending = 0;
	for (size_t i = 0; i < n; i++)
		walk(run, paths[i], 0, true);
	run->batch = false;
	if (run->nfolders > 1)
		qsort(run->folders, run->nfolders, sizeof(*run->folders), cmp_folder);
	/* Readers that look at every input first get them read now; the others
	 * read each input when they lint it, on whichever thread does. */
	for (size_t i = 0; i < run->npending; i++) {
		struct pending *p = &run->pending[i];
		if (!p->rd->prescan)
			continue;
		if (!run_read_text(run, p->rd, p->path, p->regular, &p->src)) {
			p->unreadable = true;
			continue;
		}
		p->rd->prescan(run, p->path, p->src);
	}
	/* Inputs whose reader can run on any thread go to the workers, when there are enough. */
	size_t npar = 0;
	for (size_t i = 0; i < run->npending; i++)
		npar += !run->pending[i].unreadable && run->pending[i].rd->parallel;
	unsigned nworkers = workers_count(run->opts, npar);
	struct work *par = nworkers > 1 ? arena_alloc(run->arena, npar * sizeof(*par)) : NULL;
	size_t k = 0;
	for (size_t i = 0; i < run->npending; i++) {
		struct pending *p = &run->pending[i];
		run_note_input(run, p->path);
		if (p->unreadable)
			continue;
		if (par && p->rd->parallel) {
			par[k++] = (struct work){
			    .path = p->path, .src = p->src, .rd = p->rd, .regular = p->regular};
			continue;
		}
		run_begin_input(run);
		if (run_read_text(run, p->rd, p->path, p->regular, &p->src))
			p->rd->lint(run, p->path, p->src);
		run_end_input(run, p->path);
	}
	if (par && !workers_lint(run, par, k, nworkers)) {
		for (size_t i = 0; i < k; i++) {
			run_begin_input(run);
			if (run_read_text(run, par[i].rd, par[i].path, par[i].regular, &par[i].src))
				par[i].rd->lint(run, par[i].path, par[i].src);
			run_end_input(run, par[i].path);
		}
	}
	run->npending = 0;
	run->nfolders = 0; /* the next batch lists again: the folders may have changed */
}

/* --- finishing ----------------------------------------------------------- */

void lint_run_finish(struct lint_run *run)
{
	if (run->finished)
		return;
	run->finished = true;
	struct diag_list *l = &run->diags;
	run_apply_suppressions(run);
	/* The notes of what the limits left out, from the reserve: said whatever else happened. */
	if (run->oom_more)
		reserved_add(run, &NR000_parse_error, run->oom_more_path,
			     "%zu more input%s, from '%s' on, also needed more memory than the run "
			     "may use; %s not fully checked",
			     run->oom_more, run->oom_more == 1 ? "" : "s", run->oom_more_path,
			     run->oom_more == 1 ? "it was" : "they were");
	if (l->run_dropped)
		reserved_add(run, &NR002_findings_capped,
			     run->run_capped_path ? run->run_capped_path : "-",
			     "%zu more finding%s of this run %s left out, from '%s' on: unroot "
			     "reports at most %zu a run; fix those reported and run it again",
			     l->run_dropped, l->run_dropped == 1 ? "" : "s",
			     l->run_dropped == 1 ? "was" : "were",
			     run->run_capped_path ? run->run_capped_path : "-",
			     run->opts->limits.findings_run);
	/* Severity overrides, the ignore list and the platform filter, then drop what is gone. */
	size_t w = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct diag d = l->items[i];
		int sev = configured_severity(run->opts, d.rule);
		if (sev > 0)
			d.severity = (enum severity)sev;
		if (d.suppressed || (sev == SEV_NONE && d.rule != &NR000_parse_error))
			continue;
		if (listed(run->opts->ignore, run->opts->nignore, d.rule) &&
		    d.rule != &NR000_parse_error)
			continue;
		if (d.rule != &NR000_parse_error && !(d.platforms & run->opts->platforms))
			continue;
		if (d.rule != &NR000_parse_error)
			d.platforms &= run->opts->platforms;
		else
			run->input_error = true; /* also one a rule raised (a shell text) */
		l->items[w++] = d;
	}
	l->n = w;
	diag_list_sort(l);
	/* Lines and columns for the callers, in order: each source's cursor moves forward. */
	for (size_t i = 0; i < l->n; i++)
		diag_locate(&l->items[i]);
}

const struct diag_list *lint_run_diags(const struct lint_run *run)
{
	return &run->diags;
}

const char *const *lint_run_inputs(const struct lint_run *run, size_t *n)
{
	*n = run->ninputs;
	return run->inputs;
}

bool lint_run_had_input_error(const struct lint_run *run)
{
	return run->input_error;
}

void lint_run_counts(const struct lint_run *run, size_t counts[4])
{
	memset(counts, 0, 4 * sizeof(size_t));
	for (size_t i = 0; i < run->diags.n; i++)
		counts[run->diags.items[i].severity]++;
}

int lint_run_exit_status(const struct lint_run *run)
{
	if (run->input_error)
		return 2;
	if (run->opts->fail_on == SEV_NONE)
		return 0;
	for (size_t i = 0; i < run->diags.n; i++)
		if (run->diags.items[i].severity >= run->opts->fail_on)
			return 1;
	return 0;
}
