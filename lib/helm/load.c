/*
 * load.c - a chart's files from a folder or a packaged .tgz, into memory.
 *
 * Both ways give a list of entries (name inside the chart tree, bytes);
 * the chart and its charts/ subcharts are built from that list. A .tgz is
 * read with libarchive from the file or, for a subchart packaged inside
 * another, from memory; nothing is written to disk. Every read is bounded:
 * bytes per file, bytes and entries per chart tree, subchart depth.
 */
#include "helm-internal.h"
#include "unroot/arena.h"
#include "util/input.h"
#include "unroot/source.h"
#include "yaml/ytree.h"
#include "util/text.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct entry {
	const char *name;
	char *data;
	size_t len;
};

struct entries {
	struct entry *items;
	size_t n, cap;
	size_t bytes;
};

struct loader {
	struct reading *rd;
	const char *path; /* the input as named, for NR000 */
	bool failed;	  /* a limit or error was reported; stop */
};

bool helm_archive_name(const char *path)
{
	return text_ends_with(path, ".tgz", true) || text_ends_with(path, ".tar.gz", true);
}

static int add_entry(struct loader *loader, struct entries *E, const char *name, char *data,
		     size_t len)
{
	if (E->n >= HELM_MAX_FILES || E->bytes + len > HELM_MAX_BYTES) {
		reading_error(loader->rd, loader->path, NULL, 0, 0,
			      "chart '%s' holds more than %u files or %u MiB; not read further",
			      loader->path, (unsigned)HELM_MAX_FILES,
			      (unsigned)(HELM_MAX_BYTES >> 20));
		loader->failed = true;
		return -1;
	}
	struct entry *e = ARR_PUSH(loader->rd->arena, E->items, E->n, E->cap);
	if (!e) {
		loader->failed = true;
		return -1;
	}
	e->name = name;
	e->data = data;
	e->len = len;
	E->bytes += len;
	return 0;
}

/* --- archives ------------------------------------------------------------- */

/* "a/b/../c", "/etc/x", "a//b": names a chart archive must not hold. */
static bool bad_name(const char *n)
{
	if (!*n || n[0] == '/' || strstr(n, "//"))
		return true;
	for (const char *p = n; *p;) {
		size_t k = strcspn(p, "/");
		if ((k == 2 && p[0] == '.' && p[1] == '.') || (k == 1 && p[0] == '.'))
			return true;
		p += k;
		if (*p)
			p++;
	}
	return false;
}

/*
 * A chart archive, from memory or from the file (*fd, closed by
 * close_archive(); only a regular file, opened without waiting).
 */
static struct archive *open_archive(const char *path, const void *mem, size_t len, int *fd)
{
	const char *why;
	*fd = mem ? -1 : input_open(AT_FDCWD, path, 0, NULL, &why);
	if (!mem && *fd < 0)
		return NULL;
	struct archive *ar = archive_read_new();
	if (!ar) {
		if (*fd >= 0)
			close(*fd);
		return NULL;
	}
	archive_read_support_filter_gzip(ar);
	archive_read_support_format_tar(ar);
	int r =
	    mem ? archive_read_open_memory(ar, mem, len) : archive_read_open_fd(ar, *fd, 64 * 1024);
	if (r != ARCHIVE_OK) {
		archive_read_free(ar);
		if (*fd >= 0)
			close(*fd);
		return NULL;
	}
	return ar;
}

static void close_archive(struct archive *ar, int fd)
{
	archive_read_free(ar);
	if (fd >= 0)
		close(fd);
}

/* Reads every regular entry of an archive into E, names prefixed with `under`. */
static void read_archive(struct loader *loader, struct entries *E, const char *path,
			 const void *mem, size_t len, const char *under)
{
	const struct lint_limits *lim = &loader->rd->opts->limits;
	int fd;
	struct archive *ar = open_archive(path, mem, len, &fd);
	if (!ar) {
		reading_error(loader->rd, loader->path, NULL, 0, 0,
			      "cannot read chart archive '%s'", path);
		loader->failed = true;
		return;
	}
	struct archive_entry *ae;
	int r;
	size_t count = 0;
	uint64_t seen = 0;
	while (!loader->failed && (r = archive_read_next_header(ar, &ae)) == ARCHIVE_OK) {
		if (++count > lim->tar_entries || count > HELM_MAX_FILES * 4) {
			reading_error(loader->rd, loader->path, NULL, 0, 0,
				      "chart archive '%s' has too many entries", path);
			loader->failed = true;
			break;
		}
		if (archive_entry_filetype(ae) != AE_IFREG)
			continue;
		const char *name = archive_entry_pathname(ae);
		if (!name)
			continue;
		if (strlen(name) > lim->path_len || bad_name(name)) {
			reading_error(
			    loader->rd, loader->path, NULL, 0, 0,
			    "chart archive '%s' holds an entry outside the chart: '%.200s'", path,
			    name);
			loader->failed = true;
			break;
		}
		la_int64_t size = archive_entry_size(ae);
		/* Skipping an entry still inflates it: bound what the archive makes us read. */
		seen += size > 0 ? (uint64_t)size : 0;
		if (seen > (uint64_t)HELM_MAX_BYTES * 4) {
			reading_error(loader->rd, loader->path, NULL, 0, 0,
				      "chart archive '%s' unpacks to more than %zu MiB; not read "
				      "further",
				      path, (HELM_MAX_BYTES * 4) >> 20);
			loader->failed = true;
			break;
		}
		if (size < 0 || (uint64_t)size > lim->file_size) {
			/* Big files are not templates a chart renders; skip, do not read. */
			continue;
		}
		char *buf = arena_alloc(loader->rd->arena, (size_t)size + 1);
		if (!buf) {
			loader->failed = true;
			break;
		}
		size_t got = 0;
		while (got < (size_t)size) {
			la_ssize_t k = archive_read_data(ar, buf + got, (size_t)size - got);
			if (k <= 0)
				break;
			got += (size_t)k;
		}
		if (got != (size_t)size) {
			reading_error(loader->rd, loader->path, NULL, 0, 0,
				      "chart archive '%s' is truncated at '%.200s'", path, name);
			loader->failed = true;
			break;
		}
		const char *full = arena_printf(loader->rd->arena, "%s%s", under, name);
		if (!full || add_entry(loader, E, full, buf, got) != 0)
			break;
	}
	if (!loader->failed && r != ARCHIVE_EOF && r != ARCHIVE_OK) {
		reading_error(loader->rd, loader->path, NULL, 0, 0,
			      "chart archive '%s' is damaged: %s", path,
			      archive_error_string(ar) ? archive_error_string(ar) : "?");
		loader->failed = true;
	}
	close_archive(ar, fd);
}

bool helm_archive_has_chart(const char *path)
{
	int fd;
	struct archive *ar = open_archive(path, NULL, 0, &fd);
	if (!ar)
		return false;
	struct archive_entry *ae;
	bool found = false;
	/*
	 * helm package writes Chart.yaml first; look a little further for
	 * archives made with tar, but never inflate much: an image's first
	 * entries can be layers of hundreds of megabytes.
	 */
	uint64_t skipped = 0;
	for (int i = 0; i < 64 && skipped < ((uint64_t)4 << 20) &&
			archive_read_next_header(ar, &ae) == ARCHIVE_OK;
	     i++) {
		la_int64_t size = archive_entry_size(ae);
		skipped += size > 0 ? (uint64_t)size : 0;
		const char *name = archive_entry_pathname(ae);
		const char *slash = name ? strchr(name, '/') : NULL;
		if (slash && strcmp(slash + 1, "Chart.yaml") == 0 && slash != name) {
			found = true;
			break;
		}
	}
	close_archive(ar, fd);
	return found;
}

/* --- folders -------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void read_one_file(struct loader *loader, struct entries *E, const char *full,
			  const char *name)
{
	const char *why = NULL;
	struct source *s =
	    source_read_file(loader->rd->arena, full, loader->rd->opts->limits.file_size, &why);
	if (!s) {
		reading_error(loader->rd, full, NULL, 0, 0, "cannot read '%s': %s", full, why);
		return;
	}
	add_entry(loader, E, name, (char *)s->data, s->len);
}

/* Reads dir/rel recursively (rel "" is the chart folder) into E. */
static void read_folder(struct loader *loader, struct entries *E, const char *dir, const char *rel,
			size_t depth)
{
	if (loader->failed)
		return;
	if (depth > loader->rd->opts->limits.dir_depth) {
		reading_error(loader->rd, loader->path, NULL, 0, 0,
			      "chart '%s' is nested deeper than the limit", loader->path);
		loader->failed = true;
		return;
	}
	const char *full = *rel ? arena_printf(loader->rd->arena, "%s/%s", dir, rel) : dir;
	DIR *d = full ? opendir(full) : NULL;
	if (!d) {
		reading_error(loader->rd, loader->path, NULL, 0, 0, "cannot open folder '%s'",
			      full ? full : dir);
		loader->failed = true;
		return;
	}
	const char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue; /* ., .., .helmignore, .git */
		if (n >= HELM_MAX_FILES)
			break;
		const char **slot = ARR_PUSH(loader->rd->arena, names, n, cap);
		if (!slot)
			break;
		*slot = arena_strdup(loader->rd->arena, e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && !loader->failed; i++) {
		if (!names[i])
			continue;
		const char *r =
		    *rel ? arena_printf(loader->rd->arena, "%s/%s", rel, names[i]) : names[i];
		const char *f = r ? arena_printf(loader->rd->arena, "%s/%s", dir, r) : NULL;
		struct stat st;
		if (!r || !f || strlen(f) > loader->rd->opts->limits.path_len)
			continue;
		/* Never follow symlinks: a link may point anywhere. */
		if (lstat(f, &st) != 0 || S_ISLNK(st.st_mode))
			continue;
		if (S_ISDIR(st.st_mode)) {
			/* Only what Helm reads: templates/ and charts/, at any depth below. */
			if (depth == 0 && strcmp(names[i], "templates") != 0 &&
			    strcmp(names[i], "charts") != 0)
				continue;
			read_folder(loader, E, dir, r, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			bool top = depth == 0;
			if (top && strcmp(names[i], "Chart.yaml") != 0 &&
			    strcmp(names[i], "values.yaml") != 0)
				continue;
			if ((size_t)st.st_size > loader->rd->opts->limits.file_size)
				continue;
			read_one_file(loader, E, f, r);
		}
	}
}

/* --- building the chart ----------------------------------------------------- */

static const struct entry *find_entry(const struct entries *E, const char *root, const char *name)
{
	size_t rl = strlen(root);
	for (size_t i = 0; i < E->n; i++)
		if (strncmp(E->items[i].name, root, rl) == 0 &&
		    strcmp(E->items[i].name + rl, name) == 0)
			return &E->items[i];
	return NULL;
}

static struct helm_file *make_file(struct loader *loader, const char *name, const char *prefix,
				   const struct entry *e)
{
	struct arena *a = loader->rd->arena;
	struct helm_file *f = arena_alloc(a, sizeof(*f));
	struct source *s = arena_alloc(a, sizeof(*s));
	if (!f || !s)
		return NULL;
	f->name = arena_strdup(a, name);
	f->path = arena_printf(a, "%s%s", prefix, name);
	s->path = f->path;
	s->data = e->data;
	s->len = e->len;
	f->src = s;
	const char *base = strrchr(name, '/');
	f->partial = (base ? base[1] : name[0]) == '_';
	return f->name && f->path ? f : NULL;
}

static struct ynode *load_yaml(struct loader *loader, struct helm_file *f)
{
	struct ydoc *docs = NULL;
	size_t n = 0;
	struct yerror err = {0};
	if (yaml_load(loader->rd->arena, f->src, &loader->rd->opts->limits, &docs, &n, &err) != 0) {
		reading_error(loader->rd, f->path, f->src, err.start, err.end, "%s", err.message);
		return NULL;
	}
	return n ? docs[0].root : NULL;
}

static struct helm_chart *build(struct loader *loader, struct entries *E, const char *root,
				const char *prefix, const char *input, struct helm_chart *parent,
				unsigned depth);

/* Subcharts under root/charts/: folders with Chart.yaml and packaged .tgz files. */
static void build_subcharts(struct loader *loader, struct entries *E, struct helm_chart *c,
			    const char *root, const char *prefix, unsigned depth)
{
	struct arena *a = loader->rd->arena;
	const char *charts = arena_printf(a, "%scharts/", root);
	if (!charts)
		return;
	size_t cl = strlen(charts);
	size_t n0 = E->n;
	for (size_t i = 0; i < n0 && !loader->failed; i++) {
		const char *name = E->items[i].name;
		if (strncmp(name, charts, cl) != 0)
			continue;
		const char *rest = name + cl;
		const char *slash = strchr(rest, '/');
		if (slash && strcmp(slash + 1, "Chart.yaml") == 0) {
			const char *sub = arena_strndup(a, rest, (size_t)(slash - rest) + 1);
			const char *subroot = arena_printf(a, "%s%s", charts, sub);
			const char *subprefix = arena_printf(a, "%scharts/%s", prefix, sub);
			if (!sub || !subroot || !subprefix)
				return;
			struct helm_chart *s =
			    build(loader, E, subroot, subprefix, c->path, c, depth + 1);
			if (s) {
				struct helm_chart **slot =
				    ARR_PUSH(a, c->subcharts, c->nsub, c->capsub);
				if (slot)
					*slot = s;
			}
		} else if (!slash && helm_archive_name(rest)) {
			/* A packaged subchart: its entries join the list under a new root. */
			const char *under = arena_printf(a, "%s\x01/", name);
			if (!under)
				return;
			size_t before = E->n;
			read_archive(loader, E, name, E->items[i].data, E->items[i].len, under);
			if (loader->failed)
				return;
			for (size_t k = before; k < E->n; k++) {
				const char *en = E->items[k].name + strlen(under);
				const char *sl = strchr(en, '/');
				if (!sl || strcmp(sl + 1, "Chart.yaml") != 0)
					continue;
				const char *sub = arena_strndup(a, en, (size_t)(sl - en) + 1);
				const char *subroot = arena_printf(a, "%s%s", under, sub);
				const char *subprefix =
				    arena_printf(a, "%scharts/%s!/%s", prefix, rest, sub);
				if (!sub || !subroot || !subprefix)
					return;
				struct helm_chart *s =
				    build(loader, E, subroot, subprefix, c->path, c, depth + 1);
				if (s) {
					s->packaged = true;
					struct helm_chart **slot =
					    ARR_PUSH(a, c->subcharts, c->nsub, c->capsub);
					if (slot)
						*slot = s;
				}
				break;
			}
		}
	}
}

static struct helm_chart *build(struct loader *loader, struct entries *E, const char *root,
				const char *prefix, const char *input, struct helm_chart *parent,
				unsigned depth)
{
	struct arena *a = loader->rd->arena;
	if (depth > HELM_MAX_DEPTH) {
		reading_error(loader->rd, loader->path, NULL, 0, 0,
			      "chart '%s' nests subcharts deeper than %u levels", loader->path,
			      (unsigned)HELM_MAX_DEPTH);
		loader->failed = true;
		return NULL;
	}
	const struct entry *ce = find_entry(E, root, "Chart.yaml");
	if (!ce)
		return NULL;
	struct helm_chart *c = arena_alloc(a, sizeof(*c));
	if (!c)
		return NULL;
	c->path = input;
	c->prefix = prefix;
	c->parent = parent;
	c->root = parent ? parent->root : c;
	c->chart_file = make_file(loader, "Chart.yaml", prefix, ce);
	if (!c->chart_file)
		return NULL;
	struct ynode *meta = load_yaml(loader, c->chart_file);
	const struct ynode *nm = meta ? ymap_get(meta, "name") : NULL;
	c->name = nm && nm->kind == Y_SCALAR ? nm->value : NULL;
	c->library = meta && yscalar_is(ymap_get(meta, "type"), "library");
	if (!c->name) {
		/* No name: the folder's, as Helm would refuse it anyway. */
		size_t pl = strlen(prefix);
		const char *end = prefix + (pl ? pl - 1 : 0);
		const char *b = end;
		while (b > prefix && b[-1] != '/')
			b--;
		c->name = arena_strndup(a, b, (size_t)(end - b));
	}
	const struct entry *ve = find_entry(E, root, "values.yaml");
	if (ve) {
		c->values_file = make_file(loader, "values.yaml", prefix, ve);
		if (c->values_file)
			c->values = load_yaml(loader, c->values_file);
		if (c->values && c->values->kind != Y_MAP)
			c->values = NULL;
	}
	const char *tdir = arena_printf(a, "%stemplates/", root);
	size_t tl = tdir ? strlen(tdir) : 0;
	for (size_t i = 0; tdir && i < E->n; i++) {
		const struct entry *e = &E->items[i];
		if (strncmp(e->name, tdir, tl) != 0)
			continue;
		const char *rel = e->name + strlen(root);
		const char *base = strrchr(rel, '/') + 1;
		if (strcasecmp(base, "NOTES.txt") == 0)
			continue;
		if (memchr(e->data, 0, e->len))
			continue; /* binary: not a template */
		struct helm_file *f = ARR_PUSH(a, c->files, c->nfiles, c->capfiles);
		if (!f)
			break;
		struct helm_file *made = make_file(loader, rel, prefix, e);
		if (!made) {
			c->nfiles--;
			break;
		}
		*f = *made;
	}
	for (size_t i = 0; i < c->nfiles; i++)
		if (helm_scan(a, c, &c->files[i]) != 0)
			break;
	build_subcharts(loader, E, c, root, prefix, depth);
	return c;
}

static const char *dir_prefix(struct arena *a, const char *path)
{
	size_t n = strlen(path);
	return arena_printf(a, "%s%s", path, n && path[n - 1] == '/' ? "" : "/");
}

struct helm_chart *helm_load(struct reading *rd, const char *path, bool is_dir)
{
	struct loader loader = {.rd = rd, .path = path};
	struct entries E = {0};
	struct helm_chart *c = NULL;
	if (is_dir) {
		read_folder(&loader, &E, path, "", 0);
		if (loader.failed)
			return NULL;
		const char *prefix = dir_prefix(rd->arena, path);
		if (!prefix)
			return NULL;
		c = build(&loader, &E, "", prefix, path, NULL, 0);
		if (!c && !loader.failed)
			reading_error(rd, path, NULL, 0, 0, "'%s' holds no Chart.yaml", path);
	} else {
		read_archive(&loader, &E, path, NULL, 0, "");
		if (loader.failed)
			return NULL;
		/* The chart is the top folder whose Chart.yaml is in the archive. */
		for (size_t i = 0; i < E.n && !c && !loader.failed; i++) {
			const char *sl = strchr(E.items[i].name, '/');
			if (!sl || strcmp(sl + 1, "Chart.yaml") != 0)
				continue;
			const char *root = arena_strndup(rd->arena, E.items[i].name,
							 (size_t)(sl - E.items[i].name) + 1);
			const char *prefix = arena_printf(rd->arena, "%s!/%s", path, root);
			if (!root || !prefix)
				return NULL;
			c = build(&loader, &E, root, prefix, path, NULL, 0);
		}
		if (c)
			c->packaged = true;
		else if (!loader.failed)
			reading_error(rd, path, NULL, 0, 0,
				      "'%s' is not a packaged chart: no NAME/Chart.yaml in it",
				      path);
	}
	if (c)
		helm_chart_finish(c);
	return c;
}

/*
 * A chart written as one text, the form rule examples use:
 *
 *	--- Chart.yaml
 *	apiVersion: v2
 *	--- templates/deployment.yaml
 *	...
 *
 * Each `--- NAME` line starts a file, which runs to the next one.
 */
bool helm_text_is_chart(const char *data, size_t len)
{
	size_t le = 0;
	while (le < len && data[le] != '\n')
		le++;
	return le > 14 && strncmp(data, "--- ", 4) == 0 &&
	       strncmp(data + le - 10, "Chart.yaml", 10) == 0 && !memchr(data + 4, ' ', le - 4);
}

struct helm_chart *helm_load_text(struct reading *rd, const char *path, const char *data,
				  size_t len)
{
	struct loader loader = {.rd = rd, .path = path};
	struct entries E = {0};
	struct arena *a = rd->arena;
	const char *name = NULL, *root = NULL;
	size_t body = 0;
	for (size_t ls = 0; ls <= len && !loader.failed;) {
		size_t le = ls;
		while (le < len && data[le] != '\n')
			le++;
		bool head = le - ls > 4 && strncmp(data + ls, "--- ", 4) == 0 &&
			    !memchr(data + ls + 4, ' ', le - ls - 4);
		if (head || le >= len) {
			size_t end = head ? ls : len;
			if (name) {
				char *copy = arena_strndup(a, data + body, end - body);
				if (!copy || add_entry(&loader, &E, name, copy, end - body) != 0)
					return NULL;
			}
			if (head) {
				name = arena_strndup(a, data + ls + 4, le - ls - 4);
				if (!name || bad_name(name))
					name = NULL;
				else if (!root && strlen(name) >= 10 &&
					 strcmp(name + strlen(name) - 10, "Chart.yaml") == 0)
					root = arena_strndup(a, name, strlen(name) - 10);
				body = le < len ? le + 1 : len;
			}
		}
		if (le >= len)
			break;
		ls = le + 1;
	}
	if (!root || loader.failed) {
		reading_error(rd, path, NULL, 0, 0, "'%s' holds no Chart.yaml section", path);
		return NULL;
	}
	const char *prefix = arena_printf(a, "%s!/%s", path, root);
	struct helm_chart *c = prefix ? build(&loader, &E, root, prefix, path, NULL, 0) : NULL;
	if (c)
		helm_chart_finish(c);
	return c;
}
