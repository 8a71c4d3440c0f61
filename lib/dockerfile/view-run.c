/*
 * view-run.c - what RUN chown, chgrp, chmod and install do to the paths of
 * the image a Dockerfile describes, added to its image view's `owned` list.
 *
 * df_image_view() calls it for each RUN as it walks the final chain, so the
 * entries interleave with COPY/ADD ones in build order; for a path, the last
 * entry is the one in effect. A value the
 * Dockerfile does not tell (the group a `chown app /x` keeps, the mode before
 * a symbolic chmod, a name no useradd of the chain numbers) is -1.
 */
#include "unroot/arena.h"
#include "dockerfile/dockerfile.h"
#include "image/view.h"
#include "shell/shell.h"
#include "util/strmap.h"

#include <string.h>

/* RUN steps get runc's default umask unless the OCI config sets one. */
#define RUN_UMASK 022u

/*
 * What df_view_add_run() keeps across the RUN lines of a chain: the
 * accounts its useradd/adduser lines number (name -> uid, the newest wins),
 * and where the last entry for each path is in v->owned (COPY entries that
 * df_image_view() appends between RUN lines are taken in as they come).
 * Both were lists searched end to end: a RUN chmod of 30,000 paths took
 * seconds.
 */
struct df_accounts {
	struct strmap uids;
	struct strmap last; /* path -> index in v->owned */
	size_t seen;	    /* v->owned[0..seen) are in `last` */
};

/* A uid or gid: a number, root, or (users only, nm set) an account of the chain. */
static long id_of(const char *s, const struct df_accounts *nm)
{
	if (!s || !*s)
		return -1;
	if (strcmp(s, "root") == 0)
		return 0;
	long v = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9' && v < 100000000000L; p++)
		v = v * 10 + (*p - '0');
	if (!*p && p != s)
		return v;
	size_t uid;
	if (nm && strmap_get(&nm->uids, s, &uid))
		return (long)uid;
	return -1;
}

static const char *expand(struct arena *a, const struct dockerfile *df, const struct df_instr *in,
			  const char *s)
{
	if (!s || !strchr(s, '$'))
		return s;
	const char *unresolved = NULL;
	const char *r = df_expand_in(a, df, in, s, &unresolved);
	return r && !unresolved && !strchr(r, '$') ? r : NULL;
}

/* The last entry for `path`, or NULL. */
static const struct owned_path *last_for(const struct image_view *v, struct df_accounts *nm,
					 const char *path)
{
	for (; nm->seen < v->nowned; nm->seen++)
		if (!strmap_put(&nm->last, v->owned[nm->seen].path, nm->seen))
			return NULL;
	size_t i;
	return strmap_get(&nm->last, path, &i) ? &v->owned[i] : NULL;
}

static void apply(struct arena *a, const struct dockerfile *df, const struct df_instr *in,
		  const struct sh_finding *f, struct image_view *v, size_t *cap,
		  struct df_accounts *nm)
{
	long uid = -2, gid = -2; /* -2: keep what the path had */
	const char *mode = NULL;
	if (f->kind == SH_CHOWN) {
		const char *o = expand(a, df, in, f->owner);
		const char *g = expand(a, df, in, f->group);
		if ((f->owner && !o) || (f->group && !g))
			return;
		if (o)
			uid = id_of(o, nm);
		if (g)
			gid = id_of(g, NULL); /* a group's number is not the user's */
		else if (f->owner_colon)
			gid = -1; /* the user's login group: not known here */
	} else {
		mode = expand(a, df, in, f->mode);
		if (!mode)
			return;
	}
	for (size_t i = 0; i < f->npaths; i++) {
		const char *p = expand(a, df, in, f->paths[i]);
		if (!p || p[0] != '/')
			continue;
		const struct owned_path *prev = last_for(v, nm, p);
		struct owned_path o = {
		    .path = p, .uid = -1, .gid = -1, .mode = -1, .recursive = f->recursive};
		if (prev) {
			o.uid = prev->uid;
			o.gid = prev->gid;
			o.mode = prev->mode;
			o.recursive = o.recursive || prev->recursive;
		}
		if (uid != -2)
			o.uid = uid;
		if (gid != -2)
			o.gid = gid;
		if (mode) {
			unsigned m;
			if (mode[0] >= '0' && mode[0] <= '7' && mode_apply(mode, 0, false, &m) == 0)
				o.mode = (int)m;
			else if (o.mode >= 0 && mode_apply_umask(mode, (unsigned)o.mode, false,
								 RUN_UMASK, &m) == 0)
				o.mode = (int)m;
			else
				o.mode = -1;
		}
		o.start = in->start;
		o.end = in->end;
		struct owned_path *slot = ARR_PUSH(a, v->owned, v->nowned, *cap);
		if (!slot)
			return;
		*slot = o;
	}
}

static void run_text(struct arena *a, const struct dockerfile *df, const struct df_instr *in,
		     const char *text, struct image_view *v, size_t *cap, struct df_accounts *nm)
{
	struct sh_script sc;
	struct sh_error err;
	struct sh_finding *f = NULL;
	size_t n = 0, len = strlen(text), *names, nnames;
	/* Read as the rules read it (shell-hits.c), so both see the same commands, and a
	 * text they report the shell reader gave up on is the same text here. */
	int r = sh_find_names(a, text, len, &names, &nnames);
	if (r < 0 || (r == 0 && nnames == 0))
		return;
	if ((r == 0 ? sh_parse_near(a, text, len, names, nnames, &sc, &err)
		    : sh_parse(a, text, len, &sc, &err)) != 0 ||
	    sh_find(a, &sc, &f, &n) != 0)
		return;
	for (size_t k = 0; k < n; k++) {
		if (f[k].kind == SH_USER_ADD && f[k].name) {
			/* useradd -u ${uid} ${user}: numbered with the ARG/ENV values */
			const char *name = expand(a, df, in, f[k].name);
			long uid = f[k].uid >= 0 ? f[k].uid
						 : id_of(expand(a, df, in, f[k].uid_text), NULL);
			if (uid >= 0 && name)
				strmap_put(&nm->uids, name, (size_t)uid);
		} else if (f[k].kind == SH_CHOWN || f[k].kind == SH_CHMOD) {
			apply(a, df, in, &f[k], v, cap, nm);
		}
	}
}

int df_view_add_run(struct arena *a, const struct dockerfile *df, const struct df_instr *in,
		    struct image_view *v, size_t *cap, struct df_accounts **accounts)
{
	if (in->cmd != DF_RUN || in->json || df_stage_is_windows(df, in->stage))
		return 0;
	if (!*accounts) {
		*accounts = arena_alloc(a, sizeof(**accounts));
		if (!*accounts)
			return -1;
		strmap_init(&(*accounts)->uids, a);
		strmap_init(&(*accounts)->last, a);
	}
	const char *t = in->text;
	while (*t == ' ' || *t == '\t')
		t++;
	if (in->nheredocs && strncmp(t, "<<", 2) == 0 && !strpbrk(t, " \t"))
		t = in->heredocs[0].body;
	run_text(a, df, in, t, v, cap, *accounts);
	return arena_failed(a) ? -1 : 0;
}
