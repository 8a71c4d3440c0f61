/*
 * context.c - the build context's files a Dockerfile brings in: where COPY
 * and ADD put them in the image, and which of them a command runs. Only
 * paths inside the context folder (the Dockerfile's, or --context) count:
 * no "..", no symbolic link leading out; and only regular files.
 */
#include "commands.h"
#include "dockerfile.h"
#include "unroot/arena.h"
#include "util/listing.h"
#include "util/reading.h"
#include "util/strmap.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Files looked for in copied folders for bare program names, for one Dockerfile at most. */
#define MAX_FOLDER_LOOKUPS 4096

/* A source of a COPY/ADD from the build context, looked up once. */
struct copy_src {
	const struct df_instr *in;
	const char *src, *dest;
	bool dest_dir, is_dir;
};

/* A copy in one list of an index: `copy` is its place in copies[], `next` the next link. */
struct copy_link {
	size_t copy, next; /* next: SIZE_MAX ends the list */
};

struct df_context {
	struct reading *rd;
	const struct dockerfile *df;
	struct copy_src *copies; /* context sources of COPY/ADD, loaded on first use */
	size_t ncopies, capcopies;
	bool copies_loaded;
	/*
	 * Where a program may come from, without a look at every COPY for every
	 * command (30,000 of each took minutes): the file copies by the base name
	 * of their source and of their destination, the folder copies by their
	 * destination, and the folder copies in order for bare names.
	 */
	struct strmap by_base, by_dest;
	struct copy_link *links;
	size_t nlinks, caplinks;
	size_t *folders, nfolders, capfolders;
};

/* The context folder: --context, or the Dockerfile's folder, as dir[0..*len). */
static const char *context_dir(const struct reading *rd, size_t *len)
{
	if (rd->opts->context_dir) {
		*len = strlen(rd->opts->context_dir);
		return rd->opts->context_dir;
	}
	if (!rd->path || strcmp(rd->path, "-") == 0)
		return NULL;
	const char *slash = strrchr(rd->path, '/');
	*len = !slash ? 1 : slash == rd->path ? 1 : (size_t)(slash - rd->path);
	return !slash ? "." : rd->path;
}

static bool has_dotdot(const char *p)
{
	for (const char *s = p; (s = strstr(s, "..")) != NULL; s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
			return true;
	return false;
}

/* CONTEXT/rel, when it exists and stays inside the context; *is_dir tells a folder. */
static const char *context_path(const struct reading *rd, const char *rel, bool *is_dir)
{
	size_t dlen;
	const char *d = context_dir(rd, &dlen);
	if (!d || !rel || has_dotdot(rel) || strpbrk(rel, "*?[$"))
		return NULL;
	while (*rel == '/')
		rel++;
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	if (!*rel || strcmp(rel, ".") == 0)
		return NULL;
	/* Most sources are not in the context (a Dockerfile linted on its own): a
	 * folder the run listed answers without a system call, else one failed stat
	 * does, where realpath would read every link first; the path is put
	 * together on the stack until it is known to be there. */
	if (!listing_may_exist(rd->listing, d, dlen, rel, strcspn(rel, "/")))
		return NULL;
	char buf[PATH_MAX];
	bool here = dlen == 1 && d[0] == '.';
	size_t rlen = strlen(rel), flen = here ? rlen : dlen + 1 + rlen;
	if (flen >= sizeof(buf))
		return NULL;
	if (here) {
		memcpy(buf, rel, rlen + 1);
	} else {
		memcpy(buf, d, dlen);
		buf[dlen] = '/';
		memcpy(buf + dlen + 1, rel, rlen + 1);
	}
	struct stat st;
	if (stat(buf, &st) != 0)
		return NULL;
	char dir[PATH_MAX], rdir[PATH_MAX], rfull[PATH_MAX]; /* dlen < flen: dir fits */
	memcpy(dir, d, dlen);
	dir[dlen] = '\0';
	const char *full = arena_strndup(rd->arena, buf, flen);
	if (!full)
		return NULL;
	if (!realpath(dir, rdir) || !realpath(full, rfull))
		return NULL;
	size_t n = strlen(rdir);
	if (strcmp(rdir, "/") != 0 && (strncmp(rfull, rdir, n) != 0 || rfull[n] != '/'))
		return NULL;
	if (stat(rfull, &st) != 0)
		return NULL;
	*is_dir = S_ISDIR(st.st_mode);
	if (!*is_dir && !S_ISREG(st.st_mode))
		return NULL;
	return full;
}

static const char *base_of(const char *p)
{
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		n--;
	const char *s = p + n;
	while (s > p && s[-1] != '/')
		s--;
	return s;
}

static void index_copies(struct df_context *H);

/* The context sources of the final chain's COPY/ADD lines, in build order, and their indexes. */
static void load_copies(struct df_context *H)
{
	const struct reading *rd = H->rd;
	const struct dockerfile *df = H->df;
	H->copies_loaded = true;
	strmap_init(&H->by_base, rd->scratch);
	strmap_init(&H->by_dest, rd->scratch);
	size_t dlen;
	if (!df->nchain || !context_dir(rd, &dlen))
		return;
	for (size_t c = 0; c < df->nchain; c++) {
		const struct df_stage *st = &df->stages[df->chain[c]];
		for (size_t i = st->first; i < st->last; i++) {
			const struct df_instr *in = &df->instrs[i];
			if ((in->cmd != DF_COPY && in->cmd != DF_ADD) || in->nargs < 2 ||
			    df_flag_get(in, "from"))
				continue;
			const char *dest = in->json ? in->args[in->nargs - 1].text
						    : df_expand_known(rd->arena, df, in,
								      in->args[in->nargs - 1].text);
			if (!dest || !*dest)
				continue;
			size_t nsrc = in->nargs - 1;
			for (size_t k = 0; k < nsrc; k++) {
				const char *src =
				    in->json ? in->args[k].text
					     : df_expand_known(rd->arena, df, in, in->args[k].text);
				bool is_dir = false;
				if (!src || strstr(src, "://") || !context_path(rd, src, &is_dir))
					continue;
				struct copy_src *cs =
				    ARR_PUSH(rd->scratch, H->copies, H->ncopies, H->capcopies);
				if (!cs)
					return;
				cs->in = in;
				cs->src = src;
				cs->dest = dest;
				cs->dest_dir = dest[strlen(dest) - 1] == '/' || nsrc > 1;
				cs->is_dir = is_dir;
			}
		}
	}
	index_copies(H);
}

/* Adds copy k to the list of `key` in map m. */
static void link_copy(struct df_context *H, struct strmap *m, const char *key, size_t k)
{
	struct arena *a = H->rd->scratch;
	size_t head = SIZE_MAX, at;
	if (strmap_get(m, key, &at))
		head = at;
	struct copy_link *l = ARR_PUSH(a, H->links, H->nlinks, H->caplinks);
	if (!l)
		return;
	l->copy = k;
	l->next = head;
	strmap_put(m, key, H->nlinks - 1);
}

/* The indexes of the copies (after load_copies). */
static void index_copies(struct df_context *H)
{
	struct arena *a = H->rd->scratch;
	for (size_t k = 0; k < H->ncopies; k++) {
		const struct copy_src *cs = &H->copies[k];
		if (cs->is_dir) {
			/* the destination as find_copied compares it: no trailing '/', "" for / */
			const char *dest = cs->dest;
			size_t dl = strlen(dest);
			while (dl > 1 && dest[dl - 1] == '/')
				dl--;
			if (dl == 1 && dest[0] == '/')
				dl = 0;
			const char *key = arena_strndup(a, dest, dl);
			if (key)
				link_copy(H, &H->by_dest, key, k);
			size_t *slot = ARR_PUSH(a, H->folders, H->nfolders, H->capfolders);
			if (slot)
				*slot = k;
			continue;
		}
		const char *sb = base_of(cs->src), *db = base_of(cs->dest);
		link_copy(H, &H->by_base, sb, k);
		if (strcmp(sb, db) != 0)
			link_copy(H, &H->by_base, db, k);
	}
}

/* The file copy k gives `program`: the source, or NULL. */
static const char *from_file_copy(struct df_context *H, size_t k, const char *program, bool bare,
				  const char *pbase)
{
	const struct copy_src *cs = &H->copies[k];
	const char *src = cs->src, *dest = cs->dest;
	if (cs->dest_dir) {
		if (bare || program[0] != '/')
			return strcmp(base_of(src), pbase) == 0 ? src : NULL;
		const char *target =
		    arena_printf(H->rd->scratch, "%s%s%s", dest,
				 dest[strlen(dest) - 1] == '/' ? "" : "/", base_of(src));
		return target && strcmp(target, program) == 0 ? src : NULL;
	}
	if (bare || program[0] != '/')
		return strcmp(base_of(dest), pbase) == 0 ? src : NULL;
	return strcmp(dest, program) == 0 ? src : NULL;
}

/* The file folder copy k gives `program` (rest: what follows its destination), or NULL. */
static const char *from_folder_copy(struct df_context *H, size_t k, const char *rest)
{
	const struct copy_src *cs = &H->copies[k];
	size_t sl = strlen(cs->src);
	while (sl > 1 && cs->src[sl - 1] == '/')
		sl--;
	const char *file = arena_printf(H->rd->scratch, "%.*s/%s", (int)sl, cs->src, rest);
	bool fdir;
	return file && context_path(H->rd, file, &fdir) && !fdir ? file : NULL;
}

/*
 * The context file a COPY/ADD of the final chain put at `program` (a path,
 * or a bare name found through PATH), before instruction `before` (NULL: all):
 * the last COPY that gives it wins.
 */
static const char *find_copied(struct df_context *H, const char *program,
			       const struct df_instr *runner, const struct df_instr *before,
			       size_t *lookups)
{
	const char *found = NULL;
	size_t best = 0; /* copies[best - 1] gave `found` */
	if (!program || !*program || strchr(program, '$'))
		return NULL;
	if (!H->copies_loaded)
		load_copies(H);
	bool bare = !strchr(program, '/');
	const char *pbase = base_of(program);
	size_t at;
	/* file copies whose source or destination has the program's base name */
	for (size_t l = strmap_get(&H->by_base, pbase, &at) ? at : SIZE_MAX; l != SIZE_MAX;
	     l = H->links[l].next) {
		size_t k = H->links[l].copy;
		if (k + 1 <= best || (before && H->copies[k].in >= before))
			continue;
		const char *file = from_file_copy(H, k, program, bare, pbase);
		if (file) {
			found = file;
			best = k + 1;
		}
	}
	if (!bare) {
		/* folder copies whose destination holds the program: each folder on its path */
		for (size_t p = 0; program[p]; p++) {
			if (program[p] != '/')
				continue;
			char key[PATH_MAX];
			if (p >= sizeof(key))
				break;
			memcpy(key, program, p);
			key[p] = '\0';
			for (size_t l = strmap_get(&H->by_dest, key, &at) ? at : SIZE_MAX;
			     l != SIZE_MAX; l = H->links[l].next) {
				size_t k = H->links[l].copy;
				if (k + 1 <= best || (before && H->copies[k].in >= before))
					continue;
				const char *file = from_folder_copy(H, k, program + p + 1);
				if (file) {
					found = file;
					best = k + 1;
				}
			}
		}
		return found;
	}
	/* a bare name may be in any copied folder: the newest first, within a bound */
	for (size_t i = H->nfolders; i-- > 0;) {
		size_t k = H->folders[i];
		if (k + 1 <= best)
			break;
		if (before && H->copies[k].in >= before)
			continue;
		if ((*lookups)++ == MAX_FOLDER_LOOKUPS)
			reading_error(
			    H->rd, NULL, H->df->src, runner->start, runner->end,
			    "unroot looked for %d programs in the folders this Dockerfile "
			    "copies from the build context; '%s' and the programs after it "
			    "were not looked for, so scripts they may run were not checked",
			    MAX_FOLDER_LOOKUPS, program);
		if (*lookups > MAX_FOLDER_LOOKUPS)
			break;
		const char *file = from_folder_copy(H, k, program);
		if (file) {
			found = file;
			best = k + 1;
			break;
		}
	}
	return found;
}

struct df_context *df_context_new(struct reading *rd, const struct dockerfile *df)
{
	struct df_context *c = arena_alloc(rd->scratch, sizeof(*c));
	if (c) {
		c->rd = rd;
		c->df = df;
	}
	return c;
}

const char *df_context_script(struct df_context *c, const char *program,
			      const struct df_instr *runner, const struct df_instr *before,
			      size_t *lookups, const char **rel)
{
	*rel = find_copied(c, program, runner, before, lookups);
	bool is_dir;
	const char *full = *rel ? context_path(c->rd, *rel, &is_dir) : NULL;
	return full && !is_dir ? full : NULL;
}
