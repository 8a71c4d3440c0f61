/*
 * start.c - the writes an entrypoint makes at start that a process without
 * root cannot make, whatever uid it has, or that OpenShift's arbitrary uid
 * cannot make because it owns none of the image's files:
 *
 *  - chown to a user (only root may give files away: CAP_CHOWN);
 *  - chmod, chgrp, or tar restoring the mode and times of a folder it
 *    unpacks over (`tar -c . | tar -x`): only the owner may;
 *  - a file or folder made in a folder the base image leaves to root
 *    (/etc, /usr, /opt, /var/lib, ... root:root 0755) that no line of the
 *    Dockerfile opens to group 0 or to everyone.
 *
 * Only writes whose failure stops the script count: after `set -e` (or
 * chained with &&), not in an if's condition, not followed by ||, not in a
 * branch taken only as root. lint (NR115) reports them and simulate checks
 * them against each platform's identity, from this one list.
 */
#include "dockerfile/dockerfile.h"
#include "shell/shell.h"
#include "unroot/arena.h"
#include "util/strmap.h"

#include <string.h>

#define DF_MAX_START_WRITES 512

/* Folders every base image leaves to root:root 0755 (/root: 0700). */
static bool root_folder(const char *d)
{
	static const char *const dirs[] = {"/",
					   "/etc",
					   "/usr",
					   "/usr/local",
					   "/usr/share",
					   "/usr/lib",
					   "/usr/bin",
					   "/usr/sbin",
					   "/bin",
					   "/sbin",
					   "/lib",
					   "/opt",
					   "/var",
					   "/var/lib",
					   "/var/cache",
					   "/var/log",
					   "/srv",
					   "/home",
					   "/root",
					   "/usr/local/bin",
					   "/usr/local/sbin",
					   "/usr/local/lib",
					   "/usr/local/share"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (strcmp(d, dirs[i]) == 0)
			return true;
	return false;
}

/* Paths the process may change whatever its uid: scratch folders, its own descriptors. */
static bool scratch_path(const char *p)
{
	static const char *const tops[] = {"/tmp/",	"/var/tmp/", "/dev/shm/", "/run/",
					   "/var/run/", "/proc/",    "/dev/"};
	for (size_t i = 0; i < sizeof(tops) / sizeof(tops[0]); i++)
		if (strncmp(p, tops[i], strlen(tops[i])) == 0 ||
		    strncmp(p, tops[i], strlen(tops[i]) - 1) == 0)
			return true;
	return false;
}

/* The process's own standard streams, which the runtime's pipes (root's) stand behind. */
static bool stream_path(const char *p)
{
	if (strcmp(p, "/dev/stdout") == 0 || strcmp(p, "/dev/stderr") == 0)
		return true;
	const char *fd = "/proc/self/fd/";
	size_t n = strlen(fd);
	return strncmp(p, fd, n) == 0 && p[n] >= '0' && p[n] <= '2' && !p[n + 1];
}

/* `path` is `top` or below it. */
static bool under(const char *path, const char *top)
{
	size_t n = strlen(top);
	while (n > 1 && top[n - 1] == '/')
		n--;
	return strncmp(path, top, n) == 0 && (path[n] == 0 || path[n] == '/' || n == 1);
}

/* The final WORKDIR and VOLUMEs, from the final stage and the stages it is built FROM. */
static void final_dirs(struct arena *a, const struct dockerfile *df, const char **workdir,
		       const char ***vols, size_t *nvols)
{
	size_t cap = 0;
	*workdir = NULL;
	for (size_t c = 0; c < df->nchain; c++) {
		const struct df_stage *st = &df->stages[df->chain[c]];
		for (size_t i = st->first; i < st->last; i++) {
			const struct df_instr *in = &df->instrs[i];
			if (in->cmd == DF_WORKDIR) {
				const char *w = df_expand_known(a, df, in, in->text);
				if (!w)
					*workdir = NULL;
				else if (w[0] == '/')
					*workdir = w;
				else if (*workdir)
					*workdir = arena_printf(a, "%s/%s", *workdir, w);
				else
					*workdir = arena_printf(a, "/%s", w);
			} else if (in->cmd == DF_VOLUME) {
				for (size_t k = 0; k < in->nargs; k++) {
					const char *v =
					    in->json ? in->args[k].text
						     : df_expand_known(a, df, in, in->args[k].text);
					const char **slot =
					    v ? ARR_PUSH(a, *vols, *nvols, cap) : NULL;
					if (slot)
						*slot = v;
				}
			}
		}
	}
}

static const char *parent_of(struct arena *a, const char *p)
{
	const char *s = strrchr(p, '/');
	while (s && s > p && !s[1]) { /* a trailing slash */
		size_t n = (size_t)(s - p);
		p = arena_strndup(a, p, n);
		if (!p)
			return NULL;
		s = strrchr(p, '/');
	}
	if (!s)
		return NULL;
	return s == p ? "/" : arena_strndup(a, p, (size_t)(s - p));
}

/* A word with no variable or command substitution left. */
static bool literal(const char *s)
{
	return s && *s && !strpbrk(s, "$`*?[");
}

/* Whether a failure of the command stops the script. */
static bool stops(const struct df_write *dw)
{
	const struct sh_cmd *c = dw->w->cmd;
	if (c->root_only || c->tested || c->next_op == 'o')
		return false;
	return dw->errexit || c->next_op == '&';
}

/* `path` or a folder above it is in `made` (the process made it earlier: it owns it). */
static bool made_before(struct arena *a, const struct strmap *made, const char *path)
{
	size_t v, n = strlen(path);
	char *p = arena_strndup(a, path, n);
	while (p && n > 1) {
		if (strmap_get(made, p, &v))
			return true;
		while (n > 1 && p[n - 1] != '/')
			n--;
		while (n > 1 && p[n - 1] == '/')
			n--;
		p[n] = 0;
	}
	return false;
}

int df_start_writes(struct arena *a, const struct dockerfile *df, struct df_start **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!df->nwrites || !df->nchain)
		return 0;
	const char *workdir;
	const char **vols = NULL;
	size_t nvols = 0, cap = 0;
	final_dirs(a, df, &workdir, &vols, &nvols);
	const struct df_instr *first = &df->instrs[df->stages[df->chain[0]].first];
	struct strmap made;
	strmap_init(&made, a);
	/* A script of many writes is judged on its first DF_MAX_START_WRITES: each costs a
	 * look at the RUN lines (df_reached_later). */
	size_t nw = df->nwrites < DF_MAX_START_WRITES ? df->nwrites : DF_MAX_START_WRITES;
	for (size_t k = 0; k < nw; k++) {
		const struct df_write *dw = &df->writes[k];
		const struct sh_write *w = dw->w;
		const char *path = w->path ? df_expand_known(a, df, dw->t->in, w->path) : workdir;
		if (path && path[0] != '/')
			path = workdir ? arena_printf(a, "%s/%s", workdir, path) : NULL;
		bool makes = w->kind == SH_W_FILE || w->kind == SH_W_DIR || w->kind == SH_W_EXTRACT;
		bool before = path && made_before(a, &made, path);
		if (makes && path && !strmap_put(&made, path, k))
			return -1;
		if (!stops(dw))
			continue;
		struct df_start s = {.dw = dw, .path = path};
		switch (w->kind) {
		case SH_W_OWNER:
			if (w->owner && literal(w->owner)) {
				/* Giving files away: root only, whatever the path. */
				s.need = DF_NEEDS_ROOT;
				s.owner = w->owner;
				break;
			}
			if (!path || (!stream_path(path) && (scratch_path(path) || before)))
				continue;
			s.need = DF_NEEDS_OWNER;
			break;
		case SH_W_MODE:
			if (!path || (!stream_path(path) && (scratch_path(path) || before)))
				continue;
			s.need = DF_NEEDS_OWNER;
			break;
		case SH_W_EXTRACT:
			/* Whatever the folder (the working folder of the base image included):
			 * OpenShift's uid owns none, nor the volumes the kubelet makes. */
			if (!w->whole_dir || (path && (scratch_path(path) || before)))
				continue;
			s.need = DF_NEEDS_OWNER;
			break;
		case SH_W_FILE:
		case SH_W_DIR: {
			if (!path || (w->kind == SH_W_DIR && w->parents) || scratch_path(path))
				continue;
			const char *folder = parent_of(a, path);
			bool in_volume = false;
			for (size_t v = 0; v < nvols && !in_volume; v++)
				in_volume = under(path, vols[v]);
			if (!folder || !root_folder(folder) || in_volume || before ||
			    df_reached_later(a, df, first, folder) ||
			    df_reached_later(a, df, first, path))
				continue;
			s.need = DF_NEEDS_WRITE;
			s.folder = folder;
			break;
		}
		}
		size_t from =
		    df_text_src(dw->t, w->cmd->argc ? w->cmd->argv[0].start : w->cmd->start);
		s.start = from;
		s.end = df_text_src(dw->t, w->cmd->end);
		if (s.end < s.start)
			s.end = s.start;
		struct df_start *slot = ARR_PUSH(a, *out, *n, cap);
		if (!slot)
			return -1;
		*slot = s;
	}
	return arena_failed(a) ? -1 : 0;
}
