/*
 * view.c - the image a Dockerfile describes, as far as the file tells it:
 * the final user, entrypoint and cmd, env, workdir, volumes, and what
 * COPY/ADD --chown/--chmod give to the paths they write.
 *
 * It follows the final stage back through the stages it is built FROM,
 * because those carry their image config (USER, ENV, WORKDIR, ENTRYPOINT)
 * and filesystem into it.
 *
 * When the engine read the base image (--pull), the view also has the
 * base's accounts, with the Dockerfile's own useradd lines, and a copy of
 * its files with the owners and modes the RUN chown and chmod lines give;
 * what COPY and ADD write, and what a chown or chmod unroot cannot follow
 * touches, is listed as changed: only a build shows it.
 */
#include "unroot/arena.h"
#include "dockerfile/dockerfile.h"
#include "image/image.h"
#include "unroot/ids.h"
#include "shell/shell.h"
#include "util/strmap.h"
#include "unroot/source.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool df_final_user(const struct dockerfile *df, const struct lint_options *opts,
		   struct df_final *out)
{
	memset(out, 0, sizeof(*out));
	out->stage = df_final_stage(df);
	out->base_uid = out->base_gid = -1;
	if (out->stage < 0)
		return false;
	const struct df_stage *st = &df->stages[out->stage];
	out->from = &df->instrs[st->from];
	out->user = &df->instrs[st->last - 1].user;
	out->base = df_root_image(df, out->stage);
	if (!out->user->instr)
		out->base_known = df_base_user(opts, out->base, df->base, &out->base_uid,
					       &out->base_gid, &out->base_source);
	out->base_pulled = out->base_known && df->base && out->base_source == df_pulled_source;
	return true;
}

/* RUN steps get runc's default umask unless the OCI config sets one. */
#define RUN_UMASK 022u

/*
 * Where the last entry for each path is in v->owned (COPY entries that
 * df_image_view() appends between RUN lines are taken in as they come).
 * A list searched end to end made a RUN chmod of 30,000 paths take seconds.
 */
struct owned_index {
	struct strmap last; /* path -> index in v->owned */
	size_t seen;	    /* v->owned[0..seen) are in `last` */
};

/* A uid: a number, root, or an account a useradd before the command df->run[k] numbers. */
static long user_id(const struct dockerfile *df, const char *s, size_t k)
{
	long id = df_id(s);
	return id >= 0 || !s ? id : df_account_uid(df, s, k, false);
}

/* The last entry for `path`, or NULL. */
static const struct owned_path *last_for(const struct image_view *v, struct owned_index *nm,
					 const char *path)
{
	for (; nm->seen < v->nowned; nm->seen++)
		if (!strmap_put(&nm->last, v->owned[nm->seen].path, nm->seen))
			return NULL;
	size_t i;
	return strmap_get(&nm->last, path, &i) ? &v->owned[i] : NULL;
}

/* A group as chown writes it: a number, or a name of the base image's /etc/group (--pull). */
static long group_id(const struct dockerfile *df, const char *g)
{
	long id = df_id(g);
	const struct group_entry *ge =
	    id < 0 && g && df->base_db ? group_by_name(df->base_db, g) : NULL;
	return ge ? ge->gid : id;
}

/* The login group of `name` (uid `uid`) as the base image's /etc/passwd gives it; -1 unknown. */
static long login_gid(const struct dockerfile *df, const char *name, long uid)
{
	const struct passwd_entry *pe =
	    name && df->base_db ? passwd_by_name(df->base_db, name) : NULL;
	if (!pe && uid >= 0 && df->base_db)
		pe = passwd_by_uid(df->base_db, uid);
	return pe && (uid < 0 || pe->uid == uid) ? pe->gid : -1;
}

static void add_changed(struct arena *a, struct image_view *v, const char *path, bool below,
			const struct df_instr *in)
{
	struct changed_path *c =
	    arena_realloc(a, v->changed, v->nchanged * sizeof(*c), (v->nchanged + 1) * sizeof(*c));
	if (!c)
		return;
	v->changed = c;
	c[v->nchanged++] = (struct changed_path){path, below, in->start, in->end};
}

/* The next node of the subtree under `top`, depth first; NULL at its end. */
static struct fs_node *next_below(struct fs_node *n, const struct fs_node *top)
{
	if (n->child)
		return n->child;
	for (; n != top; n = n->parent)
		if (n->next)
			return n->next;
	return NULL;
}

/* One node as chown/chmod leave it; false when the mode does not apply. */
static bool change_one(struct fs_node *n, long uid, long gid, const char *mode)
{
	if (uid >= 0)
		n->uid = (uint32_t)uid;
	if (gid >= 0)
		n->gid = (uint32_t)gid;
	if (!mode)
		return true;
	bool dir = fs_type_of(n) == FS_DIR;
	unsigned old = n->mode & 07777, m;
	if (mode[0] >= '0' && mode[0] <= '7' ? mode_apply(mode, old, dir, &m) != 0
					     : mode_apply_umask(mode, old, dir, RUN_UMASK, &m) != 0)
		return false;
	n->mode = (n->mode & 0170000) | (m & 07777);
	return true;
}

/*
 * A RUN chown or chmod on the copy of the base image's files: uid and gid
 * -2 keep the node's, -1 are not known (the path becomes changed).
 */
static void change_base(struct arena *a, struct image_view *v, const char *path, long uid, long gid,
			const char *mode, bool recursive, const struct df_instr *in)
{
	const char *why;
	struct fs_node *n = fs_resolve(v->fs, path, recursive, &why, NULL);
	if (!n || uid == -1 || gid == -1) {
		add_changed(a, v, path, false, in);
		return;
	}
	bool ok = change_one(n, uid, gid, mode);
	for (struct fs_node *x = recursive ? next_below(n, n) : NULL; x && ok; x = next_below(x, n))
		if (fs_type_of(x) != FS_LNK) /* -R changes links themselves, not their targets */
			ok = change_one(x, uid, gid, mode);
	if (!ok)
		add_changed(a, v, path, false, in);
}

/* The paths a chown or chmod with a value unroot cannot expand changes: only a build knows. */
static void unknown_paths(struct arena *a, const struct dockerfile *df, const struct df_instr *in,
			  const struct sh_finding *f, struct image_view *v)
{
	for (size_t i = 0; v->fs && i < f->npaths; i++) {
		const char *p = df_expand_known(a, df, in, f->paths[i]);
		if (p && p[0] == '/')
			add_changed(a, v, p, false, in);
	}
}

/*
 * The folders the text of df->run[k] makes with a plain mkdir before its
 * command: new folders, 0777 less the umask. With -p an existing folder
 * keeps its mode, -m gives one, and a mkdir in a branch may not run: those
 * are left out. Returns how many, or 0.
 */
static size_t made_dirs(struct arena *a, const struct dockerfile *df, size_t k, const char ***out)
{
	const struct df_text *t = df->run[k].t;
	const struct sh_cmd *at = df->run[k].f->cmd;
	*out = NULL;
	if (!t || !t->text || !at || !strstr(t->text, "mkdir"))
		return 0;
	struct sh_script sc;
	struct sh_error err;
	struct sh_write *w = NULL;
	size_t nw = 0, n = 0, cap = 0;
	if (sh_parse(a, t->text, strlen(t->text), &sc, &err) != 0 ||
	    sh_writes(a, &sc, &w, &nw) != 0)
		return 0;
	for (size_t i = 0; i < nw; i++) {
		const struct sh_cmd *c = w[i].cmd;
		if (w[i].kind != SH_W_DIR || w[i].parents || c->cond || c->start >= at->start)
			continue;
		bool mode = false;
		for (size_t j = sh_program(c) + 1; j < c->argc; j++) {
			const char *x = c->argv[j].value;
			mode |= strcmp(x, "--") != 0 && x[0] == '-' &&
				(strncmp(x, "--mode", 6) == 0 || (x[1] != '-' && strchr(x, 'm')));
		}
		const char *p = mode ? NULL : df_expand_known(a, df, t->in, w[i].path);
		const char **slot = p && p[0] == '/' ? ARR_PUSH(a, *out, n, cap) : NULL;
		if (slot)
			*slot = p;
	}
	return n;
}

static void apply(struct arena *a, const struct dockerfile *df, size_t k, struct image_view *v,
		  size_t *cap, struct owned_index *nm)
{
	const struct sh_finding *f = df->run[k].f;
	const struct df_instr *in = df->run[k].t->in;
	long uid = -2, gid = -2; /* -2: keep what the path had */
	const char *mode = NULL;
	if (f->kind == SH_CHOWN) {
		const char *o = df_expand_known(a, df, in, f->owner);
		const char *g = df_expand_known(a, df, in, f->group);
		if ((f->owner && !o) || (f->group && !g)) {
			unknown_paths(a, df, in, f, v);
			return;
		}
		if (o)
			uid = user_id(df, o, k);
		if (g)
			gid = group_id(df, g); /* a group's number is not the user's */
		else if (f->owner_colon)
			gid = login_gid(df, o, uid); /* the user's login group: known in the base */
	} else {
		mode = df_expand_known(a, df, in, f->mode);
		if (!mode) {
			unknown_paths(a, df, in, f, v);
			return;
		}
	}
	const char **made = NULL;
	size_t nmade = 0;
	bool looked = false;
	for (size_t i = 0; i < f->npaths; i++) {
		const char *p = df_expand_known(a, df, in, f->paths[i]);
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
		} else {
			/* A folder this RUN made with mkdir: root's, 0777 less the umask. */
			if (!looked)
				nmade = made_dirs(a, df, k, &made);
			looked = true;
			for (size_t m = 0; m < nmade && o.mode < 0; m++)
				if (strcmp(made[m], p) == 0)
					o.uid = o.gid = 0, o.mode = (int)(0777u & ~RUN_UMASK);
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
		if (v->fs)
			change_base(a, v, p, uid, gid, mode, f->recursive, in);
	}
}

/* What the commands of RUN line `in` (from df->run[*k] on) do to the paths of the image. */
static void add_run(struct arena *a, const struct dockerfile *df, const struct df_instr *in,
		    struct image_view *v, size_t *cap, struct owned_index *nm, size_t *k)
{
	for (; *k < df->nrun && df->run[*k].t->in == in; (*k)++) {
		enum sh_kind kind = df->run[*k].f->kind;
		if (kind == SH_CHOWN || kind == SH_CHMOD)
			apply(a, df, *k, v, cap, nm);
	}
}

/* The stages from the root of the final stage's FROM chain to the final stage. */
static int *stage_chain(struct arena *a, const struct dockerfile *df, int final, size_t *n)
{
	size_t k = 0;
	for (int s = final; s >= 0; s = df->stages[s].parent)
		k++;
	int *chain = arena_alloc(a, (k ? k : 1) * sizeof(*chain));
	if (!chain)
		return NULL;
	size_t i = k;
	for (int s = final; s >= 0; s = df->stages[s].parent)
		chain[--i] = s;
	*n = k;
	return chain;
}

static const char *expand_in(struct arena *a, const struct dockerfile *df,
			     const struct df_instr *in, const char *s)
{
	const char *r = df_expand_in(a, df, in, s, NULL);
	return r ? r : s;
}

/* The argument list of CMD/ENTRYPOINT: the JSON form, or `shell... text`. */
static const char **command_of(struct arena *a, const struct df_instr *in, const char **shell,
			       size_t nshell, size_t *n)
{
	if (in->json) {
		const char **v = arena_alloc(a, (in->nargs + 1) * sizeof(*v));
		if (!v)
			return NULL;
		for (size_t i = 0; i < in->nargs; i++)
			v[i] = in->args[i].text;
		*n = in->nargs;
		return v;
	}
	const char **v = arena_alloc(a, (nshell + 2) * sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < nshell; i++)
		v[i] = shell[i];
	v[nshell] = in->text;
	*n = nshell + 1;
	return v;
}

static long id_or(const char *s, size_t n, long fallback)
{
	unsigned long v;
	if (n == 4 && strncmp(s, "root", 4) == 0)
		return 0;
	return id_parse(s, n, &v) ? (long)v : fallback;
}

/*
 * --chown=u[:g]: a uid with no group also gives the files that number as
 * their gid, and a name with no group its own group (unknown here).
 */
static void chown_ids(struct arena *a, const struct dockerfile *df, const char *v, long *uid,
		      long *gid)
{
	const char *colon = strchr(v, ':');
	size_t un = colon ? (size_t)(colon - v) : strlen(v);
	*uid = id_or(v, un, -1);
	/* Names, through the base image's /etc/passwd and /etc/group when --pull read them. */
	const char *name = *uid < 0 && df->base_db ? arena_strndup(a, v, un) : NULL;
	if (name)
		*uid = df_account_uid(df, name, SIZE_MAX, false);
	if (colon) {
		*gid = id_or(colon + 1, strlen(colon + 1), -1);
		if (*gid < 0 && df->base_db)
			*gid = group_id(df, colon + 1);
	} else {
		*gid = name ? login_gid(df, name, *uid) : *uid;
	}
}

/*
 * What COPY or ADD writes over the copy of the base image: the files come
 * from the build context or another stage, so only a build shows their
 * owners and modes. A folder that is there already keeps its own.
 */
static void copy_changes(struct arena *a, const struct dockerfile *df, const struct df_instr *in,
			 struct image_view *v, const char *workdir)
{
	if (in->nargs < 2)
		return;
	const struct df_word *last = &in->args[in->nargs - 1];
	const char *dest = in->json ? last->text : expand_in(a, df, in, last->text);
	if (!dest || !*dest)
		return;
	if (dest[0] != '/') {
		const char *w = workdir ? workdir : "/";
		dest = arena_printf(a, "%s%s%s", w, w[strlen(w) - 1] == '/' ? "" : "/", dest);
		if (!dest)
			return;
	}
	const char *why;
	const struct fs_node *n = fs_resolve(v->fs, dest, false, &why, NULL);
	bool below = dest[strlen(dest) - 1] == '/' || (n && fs_type_of(n) == FS_DIR);
	add_changed(a, v, dest, below, in);
}

static int octal_mode(const char *v)
{
	if (!*v || strlen(v) > 4)
		return -1;
	for (const char *c = v; *c; c++)
		if (*c < '0' || *c > '7')
			return -1;
	return (int)strtol(v, NULL, 8);
}

static void add_owned(struct arena *a, const struct dockerfile *df, const struct df_instr *in,
		      struct image_view *v, size_t *cap)
{
	const struct df_flag *fo = df_flag_get(in, "chown");
	const struct df_flag *fm = df_flag_get(in, "chmod");
	if ((!fo || !fo->value) && (!fm || !fm->value))
		return;
	if (in->nargs < 2)
		return;
	const struct df_word *last = &in->args[in->nargs - 1];
	struct owned_path *o = ARR_PUSH(a, v->owned, v->nowned, *cap);
	if (!o)
		return;
	o->path = in->json ? last->text : expand_in(a, df, in, last->text);
	o->uid = o->gid = 0; /* without --chown, copied files belong to 0:0 */
	if (fo && fo->value)
		chown_ids(a, df, expand_in(a, df, in, fo->value), &o->uid, &o->gid);
	o->mode = fm && fm->value ? octal_mode(expand_in(a, df, in, fm->value)) : -1;
	o->recursive = true;
	o->start = in->start;
	o->end = in->end;
}

struct env_item {
	const char *name, *value;
	size_t order; /* 0 = newest */
};

static int cmp_env_name(const void *x, const void *y)
{
	const struct env_item *a = x, *b = y;
	int c = strcmp(a->name, b->name);
	return c ? c : (a->order < b->order ? -1 : a->order > b->order);
}

static int cmp_env_order(const void *x, const void *y)
{
	const struct env_item *a = x, *b = y;
	return a->order > b->order ? -1 : a->order < b->order;
}

/* The ENV variables in `vars` (newest first), one per name, oldest first, as "K=V". */
static void collect_env(struct arena *a, const struct df_var *vars, struct image_view *v)
{
	size_t n = 0;
	for (const struct df_var *x = vars; x; x = x->next)
		n += x->is_env;
	if (!n)
		return;
	struct env_item *items = malloc(n * sizeof(*items));
	if (!items)
		return;
	size_t k = 0;
	for (const struct df_var *x = vars; x; x = x->next)
		if (x->is_env)
			items[k] = (struct env_item){x->name, x->value ? x->value : "", k}, k++;
	qsort(items, n, sizeof(*items), cmp_env_name);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(items[i].name, items[m - 1].name) != 0)
			items[m++] = items[i];
	qsort(items, m, sizeof(*items), cmp_env_order);
	v->env = arena_alloc(a, m * sizeof(*v->env));
	if (v->env) {
		for (size_t i = 0; i < m; i++)
			v->env[i] = arena_printf(a, "%s=%s", items[i].name, items[i].value);
		v->nenv = m;
	}
	free(items);
}

/* The base image's ENV under the Dockerfile's: a name the Dockerfile sets is its own. */
static void base_env(struct arena *a, const struct image_view *base, struct image_view *v)
{
	const char **env = arena_alloc(a, (base->nenv + v->nenv + 1) * sizeof(*env));
	if (!env)
		return;
	size_t n = 0;
	for (size_t i = 0; i < base->nenv; i++) {
		const char *e = base->env[i];
		size_t len = strcspn(e, "=");
		bool own = false;
		for (size_t k = 0; k < v->nenv && !own; k++)
			own = strncmp(v->env[k], e, len) == 0 && v->env[k][len] == '=';
		if (!own)
			env[n++] = e;
	}
	for (size_t k = 0; k < v->nenv; k++)
		env[n++] = v->env[k];
	v->env = env;
	v->nenv = n;
}

static void set_user(struct arena *a, const struct dockerfile *df, const struct df_final *f,
		     struct image_view *v)
{
	const struct df_user *u = f->user;
	v->uid = v->gid = -1;
	v->user = "";
	if (u->instr) {
		v->user_start = u->instr->start;
		v->user_end = u->instr->end;
		if (!u->value) {
			v->user = u->instr->text;
			return;
		}
		v->user = u->value;
		v->user_known = true;
		if (!*u->value) { /* an empty USER is the default: root */
			v->uid = v->gid = 0;
			return;
		}
		v->uid = strcmp(u->user, "root") == 0 ? 0 : u->uid;
		v->user_is_name = u->uid < 0; /* "root" too: the kubelet checks only numbers */
		if (u->group)
			v->gid = strcmp(u->group, "root") == 0 ? 0 : u->gid;
		if (!df->base_db)
			return;
		/* Names, through the accounts of the Dockerfile and of its base (--pull). */
		if (v->uid < 0) {
			v->uid = df_account_uid(df, u->user, SIZE_MAX, false);
			if (!u->group && v->uid >= 0)
				v->gid = login_gid(df, u->user, v->uid);
		}
		if (u->group && v->gid < 0)
			v->gid = group_id(df, u->group);
		return;
	}
	if (f->base_pulled) {
		/* The base's own config user, as it wrote it: a name stays a name. */
		v->user_known = true;
		v->uid = df->base->uid;
		v->gid = df->base->gid;
		v->user = df->base->user ? df->base->user : "";
		v->user_is_name = df->base->user_is_name;
		return;
	}
	if (f->base_known) {
		v->user_known = true;
		v->uid = f->base_uid;
		v->gid = f->base_gid;
		v->user = f->base_uid == 0 && f->base_gid <= 0 ? ""
			  : f->base_gid >= 0 ? arena_printf(a, "%ld:%ld", f->base_uid, f->base_gid)
					     : arena_printf(a, "%ld", f->base_uid);
		return;
	}
	/* FROM $BASE with no default leaves f->base NULL: the user is unknown, not root */
	v->unlisted_base = f->base;
}

/*
 * The accounts of the image a Dockerfile builds on a base --pull read: the
 * base's /etc/passwd and /etc/group with the users the Dockerfile's useradd
 * lines create first (their uid -1 when the build picks it).
 */
static const struct passwd_db *accounts(struct arena *a, const struct dockerfile *df)
{
	/* useradd lines whose uid the build picks: df->accounts has only the numbered ones. */
	size_t unnumbered = 0;
	for (size_t i = 0; i < df->nrun; i++)
		unnumbered += df->run[i].f->kind == SH_USER_ADD && df->run[i].f->name;
	if (!df->naccounts && !unnumbered)
		return df->base_db;
	struct passwd_db *db = arena_alloc(a, sizeof(*db));
	if (!db)
		return NULL;
	*db = *df->base_db;
	size_t n = df->naccounts + unnumbered + df->base_db->nusers, k = 0;
	db->users = arena_alloc(a, (n + 1) * sizeof(*db->users));
	if (!db->users)
		return NULL;
	for (size_t i = 0; i < df->naccounts; i++)
		db->users[k++] =
		    (struct passwd_entry){.name = df->accounts[df->naccounts - 1 - i].name,
					  .uid = df->accounts[df->naccounts - 1 - i].uid,
					  .gid = -1};
	for (size_t i = 0; i < df->nrun; i++) {
		const struct sh_finding *f = df->run[i].f;
		const char *name = f->kind == SH_USER_ADD && f->name
				       ? df_expand_known(a, df, df->run[i].t->in, f->name)
				       : NULL;
		if (name)
			db->users[k++] = (struct passwd_entry){.name = name, .uid = -1, .gid = -1};
	}
	if (df->base_db->nusers)
		memcpy(db->users + k, df->base_db->users, df->base_db->nusers * sizeof(*db->users));
	n = k + df->base_db->nusers;
	db->nusers = db->capusers = n;
	db->have_passwd = true;
	return db;
}

/* What the entrypoint writes at start that only root or an owner may: simulate checks it. */
static void start_writes(struct arena *a, const struct dockerfile *df, struct image_view *v)
{
	struct df_start *st;
	size_t n;
	if (df_start_writes(a, df, &st, &n) != 0 || !n)
		return;
	v->starts = arena_alloc(a, n * sizeof(*v->starts));
	if (!v->starts)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct df_start *s = &st[i];
		unsigned line, col;
		source_position(s->dw->t->src, s->start, &line, &col);
		v->starts[v->nstarts++] = (struct start_write){
		    .command = arena_strndup(a, s->dw->t->src->data + s->start,
					     strcspn(s->dw->t->src->data + s->start, "\n")),
		    .path = s->path,
		    .need = (int)s->need,
		    .owner = s->owner,
		    .folder = s->folder,
		    .at = arena_printf(a, "%s:%u", s->dw->t->path, line)};
	}
}

struct image_view *df_image_view(struct arena *a, const struct dockerfile *df, const char *origin,
				 const struct lint_options *opts)
{
	struct image_view *v = arena_alloc(a, sizeof(*v));
	if (!v)
		return NULL;
	v->origin = origin;
	v->src = df->src;
	v->uid = v->gid = -1;
	v->user = "";
	struct df_final f;
	if (!df_final_user(df, opts, &f))
		return v;
	set_user(a, df, &f, v);
	const struct image *base = image_of_view(df->base);
	if (base && base->fs) {
		v->base = df->base->origin;
		v->db = accounts(a, df);
		v->fs = fs_clone(a, base->fs);
		if (!v->fs || !v->db)
			return NULL;
	}

	size_t nchain = 0, cap_owned = 0, cap_vol = 0;
	struct owned_index index = {.seen = 0};
	size_t next_run = 0; /* the RUN commands df->run[next_run..] come next */
	strmap_init(&index.last, a);
	int *chain = stage_chain(a, df, f.stage, &nchain);
	if (!chain)
		return NULL;
	static const char *const sh[] = {"/bin/sh", "-c"};
	const char **shell = (const char **)sh;
	size_t nshell = 2;
	const char *workdir = NULL;
	bool entry_set = false, cmd_any = false; /* by the Dockerfile, over its base's */
	if (v->fs) {
		/* The base's config is where the Dockerfile starts. */
		workdir = df->base->workdir;
		v->entrypoint = df->base->entrypoint;
		v->nentrypoint = df->base->nentrypoint;
		v->cmd = df->base->cmd;
		v->ncmd = df->base->ncmd;
		for (size_t k = 0; k < df->base->nvolumes; k++) {
			const char **slot = ARR_PUSH(a, v->volumes, v->nvolumes, cap_vol);
			if (slot)
				*slot = df->base->volumes[k];
		}
	}
	for (size_t c = 0; c < nchain; c++) {
		const struct df_stage *st = &df->stages[chain[c]];
		bool cmd_set = false;
		for (size_t i = st->first; i < st->last; i++) {
			const struct df_instr *in = &df->instrs[i];
			switch (in->cmd) {
			case DF_SHELL:
				if (in->json && in->nargs) {
					shell = arena_alloc(a, in->nargs * sizeof(*shell));
					if (!shell)
						return NULL;
					for (size_t k = 0; k < in->nargs; k++)
						shell[k] = in->args[k].text;
					nshell = in->nargs;
				}
				break;
			case DF_CMD:
				v->cmd = command_of(a, in, shell, nshell, &v->ncmd);
				cmd_set = cmd_any = true;
				break;
			case DF_ENTRYPOINT:
				entry_set = true;
				v->entrypoint = command_of(a, in, shell, nshell, &v->nentrypoint);
				/* ENTRYPOINT resets a CMD this stage did not set itself. */
				if (!cmd_set) {
					v->cmd = NULL;
					v->ncmd = 0;
				}
				break;
			case DF_WORKDIR: {
				const char *w = expand_in(a, df, in, in->text);
				if (w[0] != '/' && workdir)
					w = arena_printf(
					    a, "%s%s%s", workdir,
					    workdir[strlen(workdir) - 1] == '/' ? "" : "/", w);
				else if (w[0] != '/')
					w = arena_printf(a, "/%s", w);
				workdir = w;
				break;
			}
			case DF_VOLUME:
				for (size_t k = 0; k < in->nargs; k++) {
					const char **slot =
					    ARR_PUSH(a, v->volumes, v->nvolumes, cap_vol);
					if (slot)
						*slot = in->json ? in->args[k].text
								 : expand_in(a, df, in,
									     in->args[k].text);
				}
				break;
			case DF_COPY:
			case DF_ADD:
				add_owned(a, df, in, v, &cap_owned);
				if (v->fs)
					copy_changes(a, df, in, v, workdir);
				break;
			case DF_RUN:
				add_run(a, df, in, v, &cap_owned, &index, &next_run);
				if (arena_failed(a))
					return NULL;
				break;
			default:
				break;
			}
		}
	}
	v->workdir = workdir;
	start_writes(a, df, v);
	const struct df_stage *fst = &df->stages[f.stage];
	collect_env(a, df->instrs[fst->last - 1].vars, v);
	if (v->fs) {
		/* An ENTRYPOINT of the Dockerfile drops the base's CMD unless it sets its own. */
		if (entry_set && !cmd_any) {
			v->cmd = NULL;
			v->ncmd = 0;
		}
		base_env(a, df->base, v);
	}
	return v;
}
