/*
 * shell-hits.c - classified shell commands of a Dockerfile, with positions,
 * for the rules that look at commands (NR108-NR112, NR114).
 *
 * Scripts from the build context are read only when a COPY/ADD of the final
 * chain brought them in, only from inside the context folder (no "..", no
 * symlink leading out), and with the run's file size limit.
 */
#include "shell-hits.h"
#include "memo.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "unroot/arena.h"
#include "unroot/lint.h"
#include "rules/check.h"
#include "unroot/source.h"
#include "util/strmap.h"
#include "util/listing.h"

/* Context scripts read for one Dockerfile at most. */
#define MAX_SCRIPTS 64
/* Files looked for in copied folders for bare program names, for one Dockerfile at most. */
#define MAX_FOLDER_LOOKUPS 4096

struct copy_src;

/* A copy in one list of an index: `copy` is its place in copies[], `next` the next link. */
struct copy_link {
	size_t copy, next; /* next: SIZE_MAX ends the list */
};

struct hits {
	struct check_ctx *ctx;
	struct shell_hit *items;
	size_t n, cap;
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
	size_t folder_lookups;
	const char **read; /* scripts read so far */
	size_t nread, capread;
	bool cmds_needed; /* the caller reads the commands too, not only the findings */
};

size_t shell_src(const struct shell_text *t, size_t off)
{
	if (t->logical)
		return df_text_to_src(t->in, off);
	size_t s = t->base + off;
	return s > t->src->len ? t->src->len : s;
}

void shell_cmd_span(const struct shell_hit *h, size_t *start, size_t *end)
{
	const struct sh_cmd *c = h->f->cmd;
	size_t from = c->start;
	if (h->f->tool_index < c->argc)
		from = c->argv[h->f->tool_index].start;
	/* a wrapper before the tool is part of the command as people read it */
	if (c->argc && c->argv[0].start < from)
		from = c->argv[0].start;
	*start = shell_src(h->t, from);
	*end = shell_src(h->t, c->end);
	if (*end < *start)
		*end = *start;
}

const char *shell_cmd_text(struct check_ctx *ctx, const struct shell_hit *h)
{
	const struct sh_cmd *c = h->f->cmd;
	size_t s = c->argc ? c->argv[0].start : c->start;
	size_t e = c->end;
	size_t len = strlen(h->t->text);
	if (e > len)
		e = len;
	if (s > e)
		s = e;
	return arena_strndup(ctx->scratch, h->t->text + s, e - s);
}

const char *shell_option_replace(struct check_ctx *ctx, const struct shell_hit *h, const char *opt,
				 const char *lopt, const char *old, const char *value)
{
	const struct sh_cmd *c = h->f->cmd;
	const char *t = h->t->text;
	size_t ol = strlen(opt), ll = strlen(lopt);
	for (size_t k = h->f->tool_index + 1; c->argc && k < c->argc; k++) {
		const char *v = c->argv[k].value;
		const char *rep = NULL;
		if (strcmp(v, old) == 0 && (strcmp(c->argv[k - 1].value, opt) == 0 ||
					    strcmp(c->argv[k - 1].value, lopt) == 0))
			rep = value;
		else if (strncmp(v, lopt, ll) == 0 && v[ll] == '=' && strcmp(v + ll + 1, old) == 0)
			rep = arena_printf(ctx->arena, "%s=%s", lopt, value);
		else if (strncmp(v, opt, ol) == 0 && strcmp(v + ol, old) == 0)
			rep = arena_printf(ctx->arena, "%s%s", opt, value);
		if (!rep)
			continue;
		size_t s0 = c->argv[0].start, ws = c->argv[k].start, we = c->argv[k].end;
		return arena_printf(ctx->arena, "%.*s%s%.*s", (int)(ws - s0), t + s0, rep,
				    (int)(c->end - we), t + we);
	}
	return arena_printf(ctx->arena, "%s %s", opt, value);
}

const char *shell_show(struct check_ctx *ctx, const struct df_instr *in, const char *s)
{
	const char *e = shell_expand(ctx, in, s);
	return e ? e : s;
}

const char *shell_show_paths(struct check_ctx *ctx, const struct shell_hit *h)
{
	size_t n = h->f->npaths;
	const char **shown = n ? arena_alloc(ctx->scratch, n * sizeof(*shown)) : NULL;
	if (n && !shown)
		return "";
	for (size_t i = 0; i < n; i++)
		shown[i] = shell_show(ctx, h->t->in, h->f->paths[i]);
	const char *s = arena_join(ctx->scratch, shown, n, " ");
	return s ? s : "";
}

bool shell_paths_known(struct check_ctx *ctx, const struct shell_hit *h)
{
	if (!h->f->npaths)
		return true;
	for (size_t i = 0; i < h->f->npaths; i++)
		if (shell_expand(ctx, h->t->in, h->f->paths[i]))
			return true;
	return false;
}

long shell_id(const char *s)
{
	if (!s || !*s)
		return -1;
	if (strcmp(s, "root") == 0)
		return 0;
	long v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || v > 100000000000L)
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v;
}

const char *shell_expand(struct check_ctx *ctx, const struct df_instr *in, const char *s)
{
	if (!s)
		return NULL;
	if (!strchr(s, '$'))
		return s;
	const char *unresolved = NULL;
	const char *r = df_expand_in(ctx->arena, ctx->df, in, s, &unresolved);
	if (!r || unresolved || strchr(r, '$'))
		return NULL;
	return r;
}

int *shell_final_chain(struct check_ctx *ctx, size_t *n)
{
	const struct dockerfile *df = ctx->df;
	int final = df ? df_final_stage(df) : -1;
	*n = 0;
	if (final < 0)
		return NULL;
	size_t k = 0;
	for (int s = final; s >= 0 && k <= df->nstages; s = df->stages[s].parent)
		k++;
	int *chain = arena_alloc(ctx->scratch, k * sizeof(*chain));
	if (!chain)
		return NULL;
	size_t i = k;
	for (int s = final; s >= 0 && i > 0; s = df->stages[s].parent)
		chain[--i] = s;
	*n = k;
	return chain;
}

const struct df_instr **shell_final_copies(struct check_ctx *ctx, size_t *n)
{
	size_t nchain, cap = 0;
	const struct df_instr **out = NULL;
	int *chain = shell_final_chain(ctx, &nchain);
	*n = 0;
	if (!chain || df_stage_is_windows(ctx->df, chain[nchain - 1]))
		return NULL;
	for (size_t c = 0; c < nchain; c++) {
		const struct df_stage *st = &ctx->df->stages[chain[c]];
		for (size_t i = st->first; i < st->last; i++) {
			const struct df_instr *in = &ctx->df->instrs[i];
			if (in->cmd != DF_COPY && in->cmd != DF_ADD)
				continue;
			const struct df_instr **slot = ARR_PUSH(ctx->scratch, out, *n, cap);
			if (!slot)
				return out;
			*slot = in;
		}
	}
	return out;
}

static bool is_shell_name(const char *p)
{
	const char *b = strrchr(p, '/');
	b = b ? b + 1 : p;
	if (!strchr("sbdakz", b[0]) || !b[0] || strlen(b) > 4)
		return false; /* most programs, at a glance */
	return strcmp(b, "sh") == 0 || strcmp(b, "bash") == 0 || strcmp(b, "dash") == 0 ||
	       strcmp(b, "ash") == 0 || strcmp(b, "ksh") == 0 || strcmp(b, "zsh") == 0;
}

static void add_findings(struct hits *H, const struct shell_text *t, const struct sh_script *sc)
{
	struct sh_finding *f = NULL;
	size_t n = 0;
	if (sh_find(H->ctx->scratch, sc, &f, &n) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		struct shell_hit *h = ARR_PUSH(H->ctx->scratch, H->items, H->n, H->cap);
		if (!h)
			return;
		h->f = &f[i];
		h->t = t;
	}
}

static struct shell_text *new_text(struct check_ctx *ctx, const struct shell_text *tmpl)
{
	struct shell_text *t = arena_alloc(ctx->scratch, sizeof(*t));
	if (t)
		*t = *tmpl;
	return t;
}

/* A body starting with #! that names no POSIX shell is some other language. */
static bool shell_body(const char *body)
{
	if (strncmp(body, "#!", 2) != 0)
		return true;
	size_t n = strcspn(body, "\n");
	char line[256];
	if (n >= sizeof(line))
		return false;
	memcpy(line, body, n);
	line[n] = '\0';
	return strstr(line, "/sh") || strstr(line, "bash") || strstr(line, "dash") ||
	       strstr(line, "ash") || strstr(line, " sh");
}

/*
 * A text the shell reader gave up on (nesting past its limits): an NR000
 * where it stopped, once, so that what the text's commands do is not lost
 * without a word. A text the shell refuses too (an unterminated quote) runs
 * nothing, and has nothing to find: it stays quiet, as BuildKit is when it
 * takes a broken exec form for shell form. A full arena is the reader's own
 * NR000.
 */
static void gave_up(struct hits *H, const struct shell_text *t, size_t start, size_t end,
		    const struct sh_error *err)
{
	struct check_ctx *ctx = H->ctx;
	if (!err->limit || arena_failed(ctx->scratch) || arena_failed(ctx->arena))
		return;
	struct df_memo *m = df_memo(ctx);
	for (size_t i = 0; m && i < m->ngave_up; i++)
		if (m->gave_up[i].src == t->src && m->gave_up[i].at == start)
			return;
	struct df_gave_up *g =
	    m ? ARR_PUSH(ctx->scratch, m->gave_up, m->ngave_up, m->capgave_up) : NULL;
	if (g)
		*g = (struct df_gave_up){t->src, start};
	const char *what = t->in_script ? "this script"
			   : t->in	? arena_printf(ctx->arena, "this %s line", t->in->keyword)
					: "this text";
	const char *runner = "";
	if (t->in_script && t->in) {
		unsigned line = 1, col = 1;
		source_position(ctx->df->src, t->in->start, &line, &col);
		runner = arena_printf(ctx->arena, " (run by line %u of %s)", line, ctx->path);
	}
	diag_add(ctx->diags, &NR000_parse_error, t->path, t->src, start, end,
		 "%s: unroot's shell reader gives up on %s%s, so its commands were not checked",
		 err->message, what ? what : "this text", runner ? runner : "");
}

/* Parses t into sc and adds its findings; `cmds`: the caller reads the commands too. */
static bool parse_text(struct hits *H, struct shell_text *t, struct sh_script *sc, bool cmds)
{
	struct sh_error err;
	if (!t)
		return false;
	size_t len = strlen(t->text);
	if (cmds) {
		if (sh_parse(H->ctx->scratch, t->text, len, sc, &err) != 0) {
			gave_up(H, t, shell_src(t, err.start), shell_src(t, err.end), &err);
			return false;
		}
	} else {
		/* Only findings are wanted: most commands of a RUN line install and fetch,
		 * and only those that name a command unroot reports on are kept. */
		size_t *names, n;
		int r = sh_find_names(H->ctx->scratch, t->text, len, &names, &n);
		if (r < 0)
			return false;
		if (r == 0 && n == 0) {
			sc->cmds = NULL;
			sc->ncmds = 0;
			return true;
		}
		if ((r == 0 ? sh_parse_near(H->ctx->scratch, t->text, len, names, n, sc, &err)
			    : sh_parse(H->ctx->scratch, t->text, len, sc, &err)) != 0) {
			gave_up(H, t, shell_src(t, err.start), shell_src(t, err.end), &err);
			return false;
		}
	}
	add_findings(H, t, sc);
	return true;
}

/* The context folder: --context, or the Dockerfile's folder, as dir[0..*len). */
static const char *context_dir(struct check_ctx *ctx, size_t *len)
{
	if (ctx->opts && ctx->opts->context_dir) {
		*len = strlen(ctx->opts->context_dir);
		return ctx->opts->context_dir;
	}
	if (!ctx->path || strcmp(ctx->path, "-") == 0)
		return NULL;
	const char *slash = strrchr(ctx->path, '/');
	*len = !slash ? 1 : slash == ctx->path ? 1 : (size_t)(slash - ctx->path);
	return !slash ? "." : ctx->path;
}

static bool has_dotdot(const char *p)
{
	for (const char *s = p; (s = strstr(s, "..")) != NULL; s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
			return true;
	return false;
}

/* CONTEXT/rel, when it exists and stays inside the context; *is_dir tells a folder. */
static const char *context_path(struct check_ctx *ctx, const char *rel, bool *is_dir)
{
	size_t dlen;
	const char *d = context_dir(ctx, &dlen);
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
	if (!listing_may_exist(ctx->listing, d, dlen, rel, strcspn(rel, "/")))
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
	const char *full = arena_strndup(ctx->arena, buf, flen);
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

/* A source of a COPY/ADD from the build context, looked up once. */
struct copy_src {
	const struct df_instr *in;
	const char *src, *dest;
	bool dest_dir, is_dir;
};

static void index_copies(struct hits *H);

/* The context sources of the final chain's COPY/ADD lines, in build order, and their indexes. */
static void load_copies(struct hits *H)
{
	struct check_ctx *ctx = H->ctx;
	const struct dockerfile *df = ctx->df;
	size_t nchain;
	int *chain = shell_final_chain(ctx, &nchain);
	H->copies_loaded = true;
	strmap_init(&H->by_base, ctx->scratch);
	strmap_init(&H->by_dest, ctx->scratch);
	size_t dlen;
	if (!chain || !context_dir(ctx, &dlen))
		return;
	for (size_t c = 0; c < nchain; c++) {
		const struct df_stage *st = &df->stages[chain[c]];
		for (size_t i = st->first; i < st->last; i++) {
			const struct df_instr *in = &df->instrs[i];
			if ((in->cmd != DF_COPY && in->cmd != DF_ADD) || in->nargs < 2 ||
			    df_flag_get(in, "from"))
				continue;
			const char *dest =
			    in->json ? in->args[in->nargs - 1].text
				     : shell_expand(ctx, in, in->args[in->nargs - 1].text);
			if (!dest || !*dest)
				continue;
			size_t nsrc = in->nargs - 1;
			for (size_t k = 0; k < nsrc; k++) {
				const char *src = in->json
						      ? in->args[k].text
						      : shell_expand(ctx, in, in->args[k].text);
				bool is_dir = false;
				if (!src || strstr(src, "://") || !context_path(ctx, src, &is_dir))
					continue;
				struct copy_src *cs =
				    ARR_PUSH(ctx->scratch, H->copies, H->ncopies, H->capcopies);
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
static void link_copy(struct hits *H, struct strmap *m, const char *key, size_t k)
{
	struct arena *a = H->ctx->scratch;
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
static void index_copies(struct hits *H)
{
	struct arena *a = H->ctx->scratch;
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
static const char *from_file_copy(struct hits *H, size_t k, const char *program, bool bare,
				  const char *pbase)
{
	const struct copy_src *cs = &H->copies[k];
	const char *src = cs->src, *dest = cs->dest;
	if (cs->dest_dir) {
		if (bare || program[0] != '/')
			return strcmp(base_of(src), pbase) == 0 ? src : NULL;
		const char *target =
		    arena_printf(H->ctx->scratch, "%s%s%s", dest,
				 dest[strlen(dest) - 1] == '/' ? "" : "/", base_of(src));
		return target && strcmp(target, program) == 0 ? src : NULL;
	}
	if (bare || program[0] != '/')
		return strcmp(base_of(dest), pbase) == 0 ? src : NULL;
	return strcmp(dest, program) == 0 ? src : NULL;
}

/* The file folder copy k gives `program` (rest: what follows its destination), or NULL. */
static const char *from_folder_copy(struct hits *H, size_t k, const char *rest)
{
	const struct copy_src *cs = &H->copies[k];
	size_t sl = strlen(cs->src);
	while (sl > 1 && cs->src[sl - 1] == '/')
		sl--;
	const char *file = arena_printf(H->ctx->scratch, "%.*s/%s", (int)sl, cs->src, rest);
	bool fdir;
	return file && context_path(H->ctx, file, &fdir) && !fdir ? file : NULL;
}

/*
 * The context file a COPY/ADD of the final chain put at `program` (a path,
 * or a bare name found through PATH), before instruction `before` (NULL: all):
 * the last COPY that gives it wins.
 */
static const char *find_copied(struct hits *H, const char *program, const struct df_instr *runner,
			       const struct df_instr *before)
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
		if (H->folder_lookups++ == MAX_FOLDER_LOOKUPS) {
			diag_add(
			    H->ctx->diags, &NR000_parse_error, H->ctx->path, H->ctx->df->src,
			    runner->start, runner->end,
			    "unroot looked for %d programs in the folders this Dockerfile copies "
			    "from the build context; '%s' and the programs after it were not "
			    "looked "
			    "for, so scripts they may run were not checked",
			    MAX_FOLDER_LOOKUPS, program);
		}
		if (H->folder_lookups > MAX_FOLDER_LOOKUPS)
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

/* Reads and parses a script from the build context; NULL when there is none. */
static struct shell_text *read_script(struct hits *H, const char *program,
				      const struct df_instr *runner, const struct df_instr *before)
{
	struct check_ctx *ctx = H->ctx;
	/* past the limit, and said so: no more look-ups, which stat and resolve paths */
	struct df_memo *memo = H->nread >= MAX_SCRIPTS ? df_memo(ctx) : NULL;
	if (memo && memo->scripts_capped)
		return NULL;
	const char *rel = find_copied(H, program, runner, before);
	bool is_dir;
	const char *full = rel ? context_path(ctx, rel, &is_dir) : NULL;
	if (!full || is_dir)
		return NULL;
	/* each script is read once, for the first instruction that runs it */
	for (size_t i = 0; i < H->nread; i++)
		if (strcmp(H->read[i], full) == 0)
			return NULL;
	if (H->nread >= MAX_SCRIPTS) {
		/* said once an input: the scripts past the limit are not read */
		struct df_memo *m = df_memo(ctx);
		if (m && !m->scripts_capped) {
			m->scripts_capped = true;
			diag_add(
			    ctx->diags, &NR000_parse_error, ctx->path, ctx->df->src, runner->start,
			    runner->end,
			    "this runs '%s', a script from the build context past the first %d "
			    "that unroot reads for one Dockerfile; it and the later ones were "
			    "not checked",
			    rel, MAX_SCRIPTS);
		}
		return NULL;
	}
	const char **slot = ARR_PUSH(ctx->scratch, H->read, H->nread, H->capread);
	if (!slot)
		return NULL;
	*slot = full;
	const char *why;
	size_t limit = ctx->opts->limits.file_size;
	/* a file of the build context: a pipe or device in its place is passed over */
	struct source *src = source_read_file(ctx->arena, full, limit, &why);
	if (!src || memchr(src->data, '\0', src->len) || !shell_body(src->data))
		return NULL;
	struct shell_text t = {
	    .text = src->data, .src = src, .path = full, .in = runner, .in_script = true};
	struct shell_text *nt = new_text(ctx, &t);
	struct sh_script sc;
	/* a script's commands are not followed further */
	if (!nt || !parse_text(H, nt, &sc, false))
		return NULL;
	return nt;
}

/* The program a command runs and, for `sh script`, the script. */
static const char *program_of(const struct sh_cmd *c)
{
	size_t i = sh_program(c);
	if (i >= c->argc)
		return NULL;
	const char *p = c->argv[i].value;
	if (is_shell_name(p)) {
		for (size_t j = i + 1; j < c->argc; j++) {
			const char *a = c->argv[j].value;
			if (a[0] == '-' || a[0] == '+') {
				if (strchr(a, 'c') && a[1] != '-')
					return NULL; /* sh -c: the string was parsed already */
				continue;
			}
			return a;
		}
		return NULL;
	}
	return p;
}

static void scripts_of(struct hits *H, const struct sh_script *sc, const struct df_instr *in,
		       const struct df_instr *before)
{
	for (size_t i = 0; i < sc->ncmds; i++) {
		const char *p = program_of(&sc->cmds[i]);
		if (p && (strchr(p, '/') || strstr(p, ".sh")))
			read_script(H, p, in, before);
	}
}

/* The heredoc of `in` whose delimiter is `name`. */
static const struct df_heredoc *heredoc_named(const struct df_instr *in, const char *name)
{
	for (size_t i = 0; i < in->nheredocs; i++)
		if (strcmp(in->heredocs[i].name, name) == 0)
			return &in->heredocs[i];
	return NULL;
}

static void heredoc_script(struct hits *H, const struct df_instr *in, const struct df_heredoc *h,
			   const struct df_instr *next)
{
	if (!shell_body(h->body))
		return;
	struct shell_text t = {.text = h->body,
			       .src = H->ctx->df->src,
			       .path = H->ctx->path,
			       .in = in,
			       .base = h->start};
	struct sh_script sc;
	struct shell_text *nt = new_text(H->ctx, &t);
	if (nt && parse_text(H, nt, &sc, H->cmds_needed))
		scripts_of(H, &sc, in, next);
}

/* A shell-form instruction, or the JSON form read as argv (with sh -c strings parsed). */
static bool instr_script(struct hits *H, const struct df_instr *in, struct sh_script *sc,
			 const struct df_instr *next)
{
	struct check_ctx *ctx = H->ctx;
	if (in->json) {
		/* Quote each element so the shell reader sees the same argv. */
		size_t len = 1;
		for (size_t k = 0; k < in->nargs; k++)
			len += 4 * strlen(in->args[k].text) + 3;
		char *buf = arena_alloc(ctx->scratch, len);
		if (!buf)
			return false;
		size_t n = 0;
		for (size_t k = 0; k < in->nargs; k++) {
			buf[n++] = '\'';
			for (const char *p = in->args[k].text; *p; p++) {
				if (*p == '\'') {
					memcpy(buf + n, "'\\''", 4);
					n += 4;
				} else {
					buf[n++] = *p;
				}
			}
			buf[n++] = '\'';
			buf[n++] = ' ';
		}
		buf[n] = '\0';
		/*
		 * The re-quoted text is only for the shell reader: the commands get the
		 * spans of the JSON elements, relative to the instruction, and the text
		 * shown is the instruction's own.
		 */
		struct shell_text t = {.text = ctx->df->src->data + in->start,
				       .src = ctx->df->src,
				       .path = ctx->path,
				       .in = in,
				       .base = in->start};
		struct shell_text *nt = new_text(ctx, &t);
		if (!nt)
			return false;
		nt->base = in->start;
		struct sh_error err;
		if (sh_parse(ctx->scratch, buf, n, sc, &err) != 0) {
			/* the re-quoted text has no place in the file: point at the instruction */
			gave_up(H, nt, in->start, in->end, &err);
			return false;
		}
		for (size_t i = 0; i < sc->ncmds; i++) {
			struct sh_cmd *c = &sc->cmds[i];
			c->start = c->end = 0;
			for (size_t k = 0; k < c->argc; k++) {
				size_t el = k < in->nargs ? k : in->nargs - 1;
				c->argv[k].start = c->argv[k].end = 0;
				if (c->depth == 0 && in->nargs) {
					c->argv[k].start = in->args[el].start - in->start;
					c->argv[k].end = in->args[el].end - in->start;
				}
			}
			if (c->argc) {
				c->start = c->argv[0].start;
				c->end = c->argv[c->argc - 1].end;
			}
			if (c->depth > 0 || !c->argc)
				c->end = in->end - in->start;
		}
		add_findings(H, nt, sc);
		return true;
	}
	struct shell_text t = {
	    .text = in->text, .src = ctx->df->src, .path = ctx->path, .in = in, .logical = true};
	struct shell_text *nt = new_text(ctx, &t);
	/* heredocs are found through the commands that read them */
	if (!nt || !parse_text(H, nt, sc, H->cmds_needed || in->nheredocs))
		return false;
	if (in->nheredocs) {
		const char *p = in->text;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "<<", 2) == 0 && !strpbrk(p, " \t")) {
			heredoc_script(H, in, &in->heredocs[0], next);
		} else {
			for (size_t i = 0; i < sc->ncmds; i++) {
				const struct sh_cmd *c = &sc->cmds[i];
				size_t pi = sh_program(c);
				bool sh = pi >= c->argc
					      ? c->argc == 0
					      : is_shell_name(c->argv[pi].value) && !program_of(c);
				for (size_t k = 0; sh && k < c->nredirs; k++) {
					const char *op = c->redirs[k].op;
					const struct df_heredoc *h;
					if (strstr(op, "<<") && !strstr(op, "<<<") &&
					    (h = heredoc_named(in, c->redirs[k].target.value)))
						heredoc_script(H, in, h, next);
				}
			}
		}
	}
	return true;
}

static size_t compute_run_hits(struct check_ctx *ctx, struct shell_hit **out);

/* The RUN findings of one input, shared by NR108-NR111 and NR114: parsed once. */
size_t shell_run_hits(struct check_ctx *ctx, struct shell_hit **out)
{
	struct df_memo *m = df_memo(ctx);
	if (m && m->has_run) {
		*out = m->run;
		return m->nrun;
	}
	size_t n = compute_run_hits(ctx, out);
	if (m) {
		m->has_run = true;
		m->run = *out;
		m->nrun = n;
	}
	return n;
}

static size_t compute_run_hits(struct check_ctx *ctx, struct shell_hit **out)
{
	struct hits H = {.ctx = ctx};
	size_t nchain;
	int *chain = shell_final_chain(ctx, &nchain);
	*out = NULL;
	if (!chain)
		return 0;
	/* The commands of a RUN line matter beyond its findings only when they may run a
	 * script that a COPY brought from the context. */
	load_copies(&H);
	H.cmds_needed = H.ncopies > 0;
	const struct dockerfile *df = ctx->df;
	for (size_t c = 0; c < nchain; c++) {
		const struct df_stage *st = &df->stages[chain[c]];
		if (df_stage_is_windows(df, chain[c]))
			continue;
		for (size_t i = st->first; i < st->last; i++) {
			const struct df_instr *run = &df->instrs[i];
			if (run->cmd != DF_RUN)
				continue;
			struct sh_script sc;
			if (instr_script(&H, run, &sc, run) && !run->json)
				scripts_of(&H, &sc, run, run);
		}
	}
	*out = H.items;
	return H.n;
}

size_t shell_entry_hits(struct check_ctx *ctx, struct shell_hit **out)
{
	struct hits H = {.ctx = ctx, .cmds_needed = true};
	size_t nchain;
	int *chain = shell_final_chain(ctx, &nchain);
	const struct df_instr *ep = NULL, *cmd = NULL;
	*out = NULL;
	if (!chain)
		return 0;
	const struct dockerfile *df = ctx->df;
	if (df_stage_is_windows(df, chain[nchain - 1]))
		return 0;
	for (size_t c = 0; c < nchain; c++) {
		const struct df_stage *st = &df->stages[chain[c]];
		bool cmd_here = false;
		for (size_t i = st->first; i < st->last; i++) {
			const struct df_instr *in = &df->instrs[i];
			if (in->cmd == DF_CMD) {
				cmd = in;
				cmd_here = true;
			} else if (in->cmd == DF_ENTRYPOINT) {
				ep = in;
				if (!cmd_here)
					cmd = NULL; /* ENTRYPOINT resets an inherited CMD */
			}
		}
	}
	const struct df_instr *both[2] = {ep, cmd};
	bool program_seen = false;
	for (int k = 0; k < 2; k++) {
		const struct df_instr *in = both[k];
		struct sh_script sc;
		if (!in || !instr_script(&H, in, &sc, NULL))
			continue;
		if (program_seen)
			continue; /* CMD only gives arguments to a real ENTRYPOINT program */
		for (size_t i = 0; i < sc.ncmds; i++) {
			const char *p = program_of(&sc.cmds[i]);
			if (p) {
				program_seen = true;
				read_script(&H, p, in, NULL);
			}
		}
	}
	*out = H.items;
	return H.n;
}
