/*
 * batch.c - finding the inputs: the paths named, the folders walked (and
 * listed, for build-context lookups), stdin, bytes in memory, --rootfs; then
 * every input of a batch is read and linted, on several threads where its
 * reader allows.
 */
#include "run.h"
#include "unroot/arena.h"
#include "image/ref.h"
#include "dockerfile/dockerfile.h"
#include "unroot/source.h"
#include "workers.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* An input found by a batch, read before any input is linted. */
struct pending {
	const char *path;
	struct source *src;
	const struct reader *rd;
	bool regular; /* the folder listing said it is a regular file */
	bool rootfs;  /* --rootfs: an unpacked root filesystem */
	bool unreadable;
};

static void lint_one(struct lint_run *run, const char *path, struct source *src,
		     enum input_kind kind, bool regular, bool rootfs)
{
	if (run->visit && !src) {
		run->visit(run, path, kind, run->visit_data);
		return;
	}
	const struct reader *rd = reader_for_kind(kind);
	if (!rd) {
		run_error(run, path, src, 0, 0, "no reader for %s input", input_kind_name(kind));
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
			p->rootfs = rootfs;
		}
		return;
	}
	run_note_input(run, path);
	run_lint_input(run, rd, path, src, regular, rootfs);
}

void lint_run_buffer(struct lint_run *run, const char *path, const char *data, size_t len,
		     enum input_kind kind)
{
	if (kind == KIND_NONE)
		kind = run_detect(path, false);
	if (kind == KIND_NONE) {
		run_error(run, path, NULL, 0, 0, "cannot tell what '%s' is; say it with --type",
			  path);
		return;
	}
	struct source *src = source_new(run->arena, path, data, len);
	if (!src) {
		run_error(run, path, NULL, 0, 0, "out of memory reading '%s'", path);
		return;
	}
	lint_one(run, path, src, kind, false, false);
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

/* Starts like a tarball, gzip or zstd: the image reader is the one to say what is wrong. */
static bool archive_bytes(const char *path)
{
	unsigned char b[512];
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	size_t n = fread(b, 1, sizeof(b), f);
	fclose(f);
	return (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) ||
	       (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) ||
	       (n >= 262 && memcmp(b + 257, "ustar", 5) == 0);
}

/*
 * A path named to be read as an image (`unroot image`, --type image) that is
 * a Dockerfile, a manifest or a chart would fail on its bytes as a
 * tarball's: an NR000 that says what it is and which command reads it. A
 * folder that is no chart stays a root filesystem, and anything that starts
 * like an archive goes to the image reader. True when it said so.
 */
static bool not_an_image(struct lint_run *run, const char *path, bool is_dir, bool regular)
{
	enum input_kind k = run_detect(path, is_dir);
	if (k == KIND_IMAGE || (is_dir && k != KIND_HELM) || (!is_dir && !regular))
		return false;
	if (!is_dir && archive_bytes(path))
		return false;
	if (k == KIND_NONE) {
		const char *why = NULL;
		struct source *src =
		    source_read(run->arena, path, run->opts->limits.file_size, &why);
		k = src ? sniff(src) : KIND_NONE;
	}
	const char *what = k == KIND_DOCKERFILE ? "a Dockerfile"
			   : k == KIND_K8S	? "Kubernetes YAML or JSON"
			   : k == KIND_HELM	? "a Helm chart"
						: NULL;
	if (what)
		run_error(run, path, NULL, 0, 0,
			  "'%s' is %s, not an image: lint it with 'unroot lint %s'; unroot image "
			  "reads docker save tarballs, OCI layouts and archives, and root "
			  "filesystems (--rootfs)",
			  path, what, path);
	else
		run_error(run, path, NULL, 0, 0,
			  "'%s' is not an image: unroot image reads docker save tarballs (.tar, "
			  ".tar.gz), OCI layouts and archives, and root filesystems (--rootfs)",
			  path);
	return true;
}

static void lint_stdin(struct lint_run *run)
{
	const char *why = NULL;
	struct source *src = source_read(run->arena, "-", run->opts->limits.file_size, &why);
	if (!src) {
		run_error(run, "-", NULL, 0, 0, "cannot read stdin: %s", why);
		return;
	}
	enum input_kind k = run->opts->type != KIND_NONE ? run->opts->type : sniff(src);
	if (k == KIND_NONE) {
		run_error(run, "-", src, 0, 0,
			  "cannot tell what stdin holds; say it with --type dockerfile|k8s|helm");
		return;
	}
	if (k == KIND_IMAGE) {
		run_error(run, "-", NULL, 0, 0,
			  "images cannot be read from stdin; name the file or folder");
		return;
	}
	lint_one(run, "-", src, k, false, false);
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
 * path), so that the lookups of build context files in it need no stat for
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
	listing_add(run->arena, &run->listing, path, names, n);
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
			lint_one(run, path, NULL, KIND_IMAGE, false, false);
			return;
		}
		run_error(run, path, NULL, 0, 0, "cannot open '%s': no such file or folder", path);
		return;
	}
	if (run_excluded(run, path, S_ISDIR(st.st_mode)))
		return;
	/* a folder holds many inputs, most likely: what the walk keeps goes to the pool */
	if (S_ISDIR(st.st_mode))
		arena_use_pool(run->arena);
	/* A link the user named is followed (stat did): read it the checked way, which follows
	 * it, not the way a listing's regular files are read, which does not. */
	struct stat lst;
	bool link = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
	walk_node(run, path, S_ISDIR(st.st_mode), S_ISREG(st.st_mode) && !link, depth, named);
}

/* A file named on the command line whose name says nothing: its first bytes tell. */
static bool starts_as_dockerfile(const char *path)
{
	char buf[4096];
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return !memchr(buf, '\0', n) && df_text_looks(buf, n);
}

static void walk_node(struct lint_run *run, const char *path, bool is_dir, bool regular,
		      size_t depth, bool named)
{
	if (named && run->opts->type == KIND_IMAGE && not_an_image(run, path, is_dir, regular))
		return;
	enum input_kind k =
	    named && run->opts->type != KIND_NONE ? run->opts->type : run_detect(path, is_dir);
	if (k == KIND_NONE && named && regular && starts_as_dockerfile(path))
		k = KIND_DOCKERFILE;
	if (k != KIND_NONE && (!is_dir || k == KIND_HELM || k == KIND_IMAGE)) {
		lint_one(run, path, NULL, k, regular, false);
		return;
	}
	if (!is_dir) {
		if (named)
			run_error(run, path, NULL, 0, 0,
				  "cannot tell what '%s' is; say it with --type", path);
		return;
	}
	if (depth >= run->opts->limits.dir_depth) {
		run_error(run, path, NULL, 0, 0, "'%s' is nested deeper than the limit", path);
		return;
	}
	DIR *d = opendir(path);
	if (!d) {
		run_error(run, path, NULL, 0, 0, "cannot open folder '%s'", path);
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
	/* A named folder is walked: ask git once what it ignores there (not for a
	 * folder read as a chart or an image, which is no walk). */
	if (named)
		run_gitignore_begin(run, path, plen + strlen(sep));
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
		if (run_excluded(run, names[i].path, type == DT_DIR) ||
		    run_git_ignored(run, names[i].path, type == DT_DIR))
			continue;
		walk_node(run, names[i].path, type == DT_DIR, type == DT_REG, depth + 1, false);
	}
	if (named)
		run_gitignore_end(run);
}

void run_walk(struct lint_run *run, const char *path,
	      void (*visit)(struct lint_run *run, const char *path, enum input_kind kind,
			    void *data),
	      void *data)
{
	run->visit = visit;
	run->visit_data = data;
	walk(run, path, 0, true);
	run->visit = NULL;
	run->visit_data = NULL;
	listing_sort(&run->listing);
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
	/* --rootfs is one more input of the image kind, the last */
	if (run->opts->rootfs)
		lint_one(run, run->opts->rootfs, NULL, KIND_IMAGE, false, true);
	run->batch = false;
	listing_sort(&run->listing);
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
		struct reading rd;
		run_reading_init(run, &rd, p->path, p->src);
		void *kept = p->rd->prescan(&rd);
		run_take(run, &rd);
		enum input_kind k = p->rd->kind;
		void **slot =
		    kept ? ARR_PUSH(run->arena, run->kept[k], run->nkept[k], run->capkept[k])
			 : NULL;
		if (slot)
			*slot = kept;
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
		run_lint_input(run, p->rd, p->path, p->src, p->regular, p->rootfs);
	}
	if (par && !workers_lint(run, par, k, nworkers))
		for (size_t i = 0; i < k; i++)
			run_lint_input(run, par[i].rd, par[i].path, par[i].src, par[i].regular,
				       false);
	run->npending = 0;
	run->listing.n = 0; /* the next batch lists again: the folders may have changed */
}
