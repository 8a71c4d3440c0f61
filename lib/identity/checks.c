/*
 * checks.c - what the process can do once it runs: the access checks of a
 * simulation, with the kernel's rules (fs_access), the ownership
 * Kubernetes gives pod volumes, and the line that fixes each failure.
 */
#include "sim-internal.h"
#include "unroot/arena.h"
#include "unroot/source.h"
#include "yaml/ytree.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *sim_check_name(enum sim_check_kind k)
{
	static const char *const names[] = {"entrypoint", "interpreter", "workdir",
					    "home",	  "volume",	 "mount",
					    "app",	  "passwd",	 "start"};
	return (size_t)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static bool is_k8s(enum sim_platform p)
{
	return p == SIM_KUBERNETES || p == SIM_OPENSHIFT;
}

static struct sim_check *new_check(struct arena *a, struct sim_result *r, enum sim_check_kind k,
				   const char *path, unsigned want, bool fatal)
{
	struct sim_check *c =
	    arena_realloc(a, r->checks, r->nchecks * sizeof(*c), (r->nchecks + 1) * sizeof(*c));
	if (!c)
		return NULL;
	r->checks = c;
	c += r->nchecks++;
	*c = (struct sim_check){.kind = k,
				.path = path,
				.want = want,
				.ok = true,
				.fatal = fatal,
				.owner = -1,
				.group = -1,
				.mode = -1};
	return c;
}

static const char *bits_str(struct arena *a, unsigned bits)
{
	return arena_printf(a, "%s%s%s", bits & FS_R_OK ? "r" : "", bits & FS_W_OK ? "w" : "",
			    bits & FS_X_OK ? "x" : "");
}

/* A path joined under the working folder, when relative. */
static const char *absolute(struct arena *a, const struct image_view *v, const char *p)
{
	if (!p || p[0] == '/')
		return p;
	const char *w = v->workdir && *v->workdir ? v->workdir : "/";
	return arena_printf(a, "%s%s%s", w, w[strlen(w) - 1] == '/' ? "" : "/", p);
}

/* The mount whose mountPath is `path` or holds it; NULL when none. */
static const struct sim_mount *mount_of(const struct sim_state *st, const char *path, bool *exact)
{
	const struct sim_mount *best = NULL;
	size_t blen = 0;
	for (size_t i = 0; i < st->nmounts; i++) {
		const char *m = st->mounts[i].path;
		size_t n = strlen(m);
		while (n > 1 && m[n - 1] == '/')
			n--;
		if (strncmp(path, m, n) == 0 && (path[n] == 0 || path[n] == '/' || n == 1) &&
		    n >= blen) {
			best = &st->mounts[i];
			blen = n;
			*exact = path[n] == 0 || (path[n] == '/' && path[n + 1] == 0);
		}
	}
	return best;
}

/*
 * The line that fixes a refused access at node n (uid/gid/mode), for the
 * process identity of st. Prefers the smallest change to the side that
 * caused it: a pod-level group that shuts group 0 out, an image whose
 * files belong to a group the process is not in, or missing group bits.
 */
static const char *fix_for(struct sim_state *st, const struct sim_result *r, long uid, long gid,
			   int mode, const char *path, unsigned refused, bool dir)
{
	struct arena *a = st->ctx->a;
	const struct k8s_container *c = st->pod ? st->pod->c : NULL;
	unsigned g = mode >= 0 ? ((unsigned)mode >> 3) & 7 : 7;
	unsigned o = mode >= 0 ? ((unsigned)mode >> 6) & 7 : 7;
	bool in0 = r->gid.id == 0;
	for (size_t i = 0; i < r->ngroups; i++)
		in0 |= r->groups[i].id == 0;
	/* Group 0 would do, but the process is not in it. */
	if (gid == 0 && !in0 && (g & refused) == refused) {
		if (is_k8s(st->p) && c && k8s_set(&c->sc.run_as_group))
			return "runAsGroup: 0";
		if (r->uid.id >= 0)
			return arena_printf(a, "USER %ld:0", r->uid.id);
	}
	const char *rec = dir ? "-R " : "";
	const char *bits = bits_str(a, refused | (dir ? FS_X_OK : 0));
	if (gid != 0)
		return (o & refused) == refused
			   ? arena_printf(a, "RUN chgrp %s0 %s && chmod %sg=u %s", rec, path, rec,
					  path)
			   : arena_printf(a, "RUN chgrp %s0 %s && chmod %sg+%s %s", rec, path, rec,
					  dir ? "rwX" : bits, path);
	(void)uid;
	return (o & refused) == refused
		   ? arena_printf(a, "RUN chmod %sg=u %s", rec, path)
		   : arena_printf(a, "RUN chmod %sg+%s %s", rec, dir ? "rwX" : bits, path);
}

/* Fills a failed check from a node of the image or a mount point. */
static void fail_node(struct sim_state *st, struct sim_result *r, struct sim_check *c,
		      const struct fs_node *n, const char *at, unsigned refused, bool search)
{
	struct arena *a = st->ctx->a;
	char mode[11];
	c->ok = false;
	c->at = at;
	c->owner = n->uid;
	c->group = n->gid;
	c->mode = (int)(n->mode & 07777);
	c->refused = refused;
	c->klass = fs_class(n, &st->id);
	fs_mode_string(n->mode, mode);
	const char *cls = c->klass == 'u' ? "owner" : c->klass == 'g' ? "group" : "other";
	unsigned shift = c->klass == 'u' ? 6 : c->klass == 'g' ? 3 : 0;
	unsigned have = (n->mode >> shift) & 7;
	c->why = arena_printf(a, "%s%s %s %u:%u: the %s class (%c%c%c) lacks %s",
			      search ? "cannot search " : "", at, mode, n->uid, n->gid, cls,
			      have & 4 ? 'r' : '-', have & 2 ? 'w' : '-', have & 1 ? 'x' : '-',
			      bits_str(a, refused));
	c->fix =
	    fix_for(st, r, n->uid, n->gid, c->mode, at, refused, search || fs_type_of(n) == FS_DIR);
}

static void fail_missing(struct sim_state *st, struct sim_check *c, const char *why, bool dir)
{
	struct arena *a = st->ctx->a;
	c->ok = false;
	c->missing = true;
	c->at = c->path;
	c->why = arena_printf(a, "%s: %s", c->path, why ? why : "no such file or folder");
	c->fix = dir ? arena_printf(a, "RUN mkdir -p %s && chgrp -R 0 %s && chmod -R g=u %s",
				    c->path, c->path, c->path)
		     : NULL;
}

/* One check against the image's filesystem, or the mount that covers the path. */
static void check_path(struct sim_state *st, struct sim_result *r, enum sim_check_kind kind,
		       const char *path, unsigned want, bool fatal)
{
	struct arena *a = st->ctx->a;
	struct sim_check *c = new_check(a, r, kind, path, want, fatal);
	if (!c)
		return;
	bool exact = false;
	const struct sim_mount *m = mount_of(st, path, &exact);
	if (st->id.uid < 0) {
		/* Unknown is unknown: only what every uid may do (an emptyDir's 0777) passes. */
		struct identity anyone = {.uid = 0x7ffffffe, .gid = 0x7ffffffe};
		if (m && m->modelled && exact && !(m->read_only && (want & FS_W_OK)) &&
		    fs_node_permits(&m->node, &anyone, want))
			return;
		r->nchecks--;
		sim_note(
		    a, &r->unchecked, &r->nunchecked,
		    arena_printf(a, "%s %s: the uid is not known", sim_check_name(kind), path));
		return;
	}
	if (m && m->modelled && exact) {
		if (m->read_only && (want & FS_W_OK)) {
			fail_node(st, r, c, &m->node, path, FS_W_OK, false);
			c->why =
			    arena_printf(a, "%s is mounted readOnly (volume %s)", path, m->name);
			c->fix = "readOnly: false";
			return;
		}
		if (!fs_node_permits(&m->node, &st->id, want)) {
			unsigned refused = 0;
			for (unsigned b = 1; b <= 4; b <<= 1)
				if ((want & b) && !fs_node_permits(&m->node, &st->id, b))
					refused |= b;
			fail_node(st, r, c, &m->node, path, refused, false);
			c->why = arena_printf(a, "%s (volume %s, %s): %s", path, m->name, m->type,
					      c->why);
			c->fix =
			    arena_printf(a, "fsGroup: %ld", r->gid.id > 0 ? r->gid.id : (long)0);
		}
		return;
	}
	if (!st->fs) {
		/* Inside a volume whose content unroot cannot know, without an image. */
		r->nchecks--;
		sim_note(a, &r->unchecked, &r->nunchecked,
			 arena_printf(a, "%s %s: its mode is known only in a built image",
				      sim_check_name(kind), path));
		return;
	}
	if (sim_changed(st, path)) {
		r->nchecks--;
		sim_note(a, &r->unchecked, &r->nunchecked,
			 arena_printf(a,
				      "%s %s: the Dockerfile writes it (COPY, ADD or a RUN line "
				      "unroot cannot follow): its mode is known only in a built "
				      "image",
				      sim_check_name(kind), path));
		return;
	}
	struct fs_denial d;
	if (fs_access(st->fs, &st->id, path, want, &d))
		return;
	if (!d.node && !st->img) {
		/* A Dockerfile on a pulled base: what the base lacks, its RUN lines may make. */
		r->nchecks--;
		sim_note(a, &r->unchecked, &r->nunchecked,
			 arena_printf(a,
				      "%s %s: not in the base image %s, so made by the "
				      "Dockerfile: its mode is known only in a built image",
				      sim_check_name(kind), path, st->v->base ? st->v->base : ""));
		return;
	}
	if (!d.node) {
		fail_missing(st, c, d.why,
			     kind == SIM_CHECK_WORKDIR || kind == SIM_CHECK_HOME ||
				 kind == SIM_CHECK_VOLUME);
		return;
	}
	fail_node(st, r, c, d.node, fs_path(a, d.node), d.want, d.search);
}

/* --- the entrypoint --------------------------------------------------------- */

/* The #! interpreter of a script's captured contents, or NULL. */
static const char *interpreter(struct arena *a, const struct fs_node *n)
{
	if (!n || !n->content || n->content_len < 3 || n->content[0] != '#' || n->content[1] != '!')
		return NULL;
	const char *p = n->content + 2;
	const char *end = n->content + n->content_len;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	const char *s = p;
	while (p < end && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
		p++;
	return p > s ? arena_strndup(a, s, (size_t)(p - s)) : NULL;
}

static void check_programs(struct sim_state *st, struct sim_result *r)
{
	struct arena *a = st->ctx->a;
	const char *progs[2];
	size_t np = image_programs(a, st->v, progs);
	if (np == 0) {
		sim_note(a, &r->unchecked, &r->nunchecked,
			 "entrypoint: the image sets no ENTRYPOINT or CMD");
		return;
	}
	for (size_t i = 0; i < np; i++) {
		const char *found = NULL;
		struct fs_node *n = image_find_program(a, st->img, progs[i], &found);
		if (!n) {
			struct sim_check *c =
			    new_check(a, r, SIM_CHECK_ENTRYPOINT, progs[i], FS_X_OK, true);
			if (c)
				fail_missing(st, c,
					     strchr(progs[i], '/')
						 ? "no such file"
						 : "not found in any folder of PATH",
					     false);
			return;
		}
		const char *interp = interpreter(a, n);
		check_path(st, r, SIM_CHECK_ENTRYPOINT, found, interp ? FS_X_OK | FS_R_OK : FS_X_OK,
			   true);
		if (interp)
			check_path(st, r, SIM_CHECK_INTERPRETER, interp, FS_X_OK, true);
	}
}

/* --- the pod's volumes -------------------------------------------------------- */

static const char *scalar(const struct ynode *n)
{
	return n && n->kind == Y_SCALAR ? n->value : NULL;
}

/*
 * The kubelet creates an emptyDir 0777; with fsGroup it (and a PVC whose
 * driver lets the kubelet manage ownership) gets group fsGroup, the setgid
 * bit and group rwx (SetVolumeOwnership). A PVC without fsGroup keeps the
 * ownership of the new filesystem's root: root:root 0755.
 */
static void pod_mounts(struct sim_state *st, struct sim_result *r)
{
	struct arena *a = st->ctx->a;
	const struct k8s_container *c = st->pod->c;
	const struct ynode *vm = ymap_get(c->node, "volumeMounts");
	const struct ynode *vols = ymap_get(st->pod->obj->pod.spec, "volumes");
	if (!vm || vm->kind != Y_SEQ)
		return;
	st->mounts = arena_alloc(a, (vm->nitems + 1) * sizeof(*st->mounts));
	if (!st->mounts)
		return;
	for (size_t i = 0; i < vm->nitems; i++) {
		const struct ynode *e = vm->items[i];
		const char *name = scalar(ymap_get(e, "name"));
		const char *path = scalar(ymap_get(e, "mountPath"));
		if (!name || !path || path[0] != '/')
			continue;
		struct sim_mount *m = &st->mounts[st->nmounts++];
		memset(m, 0, sizeof(*m));
		m->name = name;
		m->path = path;
		m->start = e->start;
		m->end = e->end;
		const struct ynode *ro = ymap_get(e, "readOnly");
		m->read_only = ro && (yscalar_is(ro, "true") || yscalar_is(ro, "True"));
		m->type = "unknown";
		const struct ynode *vol = NULL;
		for (size_t k = 0; vols && vols->kind == Y_SEQ && k < vols->nitems; k++)
			if (yscalar_is(ymap_get(vols->items[k], "name"), name))
				vol = vols->items[k];
		for (size_t k = 0; vol && vol->kind == Y_MAP && k + 1 < vol->nitems; k += 2)
			if (!yscalar_is(vol->items[k], "name") && scalar(vol->items[k]))
				m->type = scalar(vol->items[k]);
		m->node.mode = FS_DIR;
		if (strcmp(m->type, "emptyDir") == 0) {
			m->modelled = true;
			m->node.mode |= 0777;
		} else if (strcmp(m->type, "persistentVolumeClaim") == 0 ||
			   strcmp(m->type, "ephemeral") == 0) {
			m->modelled = true;
			m->node.mode |= 0755;
		}
		if (m->modelled && st->fs_group >= 0) {
			m->node.gid = (uint32_t)st->fs_group;
			m->node.mode |= 02070;
		}
		if (m->modelled)
			check_path(st, r, SIM_CHECK_MOUNT, path, FS_W_OK | FS_X_OK, true);
		else
			sim_note(a, &r->unchecked, &r->nunchecked,
				 arena_printf(a,
					      "mount %s: volume %s is a %s, whose ownership "
					      "unroot does not model",
					      path, name, m->type));
	}
}

/* --- the app's files ------------------------------------------------------------ */

struct app_walk {
	struct arena *a;
	struct sim_app *app;
	size_t cap;
	long uid;
	const char *top;		     /* only the nodes under it, when set */
	const struct fs_node *cur, *tops[2]; /* the walk's own top; every top */
	const char *workdir;
	const struct identity *owner; /* the image's own identity */
	const struct fsmodel *fs;
};

static void app_add(struct app_walk *w, const char *p, bool dir)
{
	struct sim_app *app = w->app;
	if (app->n >= SIM_MAX_APP_PATHS) {
		app->skipped++;
		return;
	}
	if (app->n == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 64;
		const char **np =
		    arena_realloc(w->a, app->paths, w->cap * sizeof(*np), nc * sizeof(*np));
		bool *nd = arena_realloc(w->a, app->dirs, w->cap * sizeof(*nd), nc * sizeof(*nd));
		if (!np || !nd)
			return;
		app->paths = np;
		app->dirs = nd;
		w->cap = nc;
	}
	app->paths[app->n] = p;
	app->dirs[app->n++] = dir;
}

static bool app_node(struct fs_node *n, void *data)
{
	struct app_walk *w = data;
	/* Each top is walked once, as itself: no path is added twice. */
	for (size_t i = 0; i < 2; i++)
		if (w->tops[i] && n == w->tops[i] && n != w->cur)
			return false;
	/* The system's own trees, right under the root. */
	if (n->parent && !n->parent->parent && fs_type_of(n) == FS_DIR) {
		static const char *const sys[] = {"proc", "sys", "dev", "tmp", "run"};
		for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
			if (strcmp(n->name, sys[i]) == 0)
				return false;
	}
	enum fs_type t = fs_type_of(n);
	bool mine = w->top || (w->uid > 0 && n->uid == (uint32_t)w->uid);
	if (!mine || (t != FS_REG && t != FS_DIR))
		return true;
	/* Paths only for the app's own nodes: a large image has tens of thousands. */
	const char *p = fs_path(w->a, n);
	if (!p)
		return false;
	/* WORKDIR itself is the workdir check's: the runtime enters it as root. */
	if (w->workdir && strcmp(p, w->workdir) == 0)
		return true;
	unsigned want = t == FS_DIR ? FS_R_OK | FS_X_OK : FS_R_OK;
	/* Only what the image's own user can use: the app meant it to be used. */
	if (fs_access(w->fs, w->owner, p, want, NULL))
		app_add(w, p, t == FS_DIR);
	return true;
}

static bool system_dir(const char *d)
{
	static const char *const sys[] = {
	    "/",	 "/bin",	   "/sbin",	      "/usr/bin",
	    "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/usr/lib",
	    "/lib"};
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		if (strcmp(d, sys[i]) == 0)
			return true;
	return false;
}

/*
 * The app's paths: WORKDIR and the entrypoint's folder (unless they are
 * system folders), and what the image's user owns; only those the image's
 * own user (as Docker runs it) may use.
 */
static struct sim_app *app_paths(struct sim_state *st, const struct identity *owner)
{
	struct sim_ctx *ctx = st->ctx;
	for (struct sim_app *x = ctx->apps; x; x = x->next)
		if (x->view == st->v)
			return x;
	struct sim_app *app = arena_alloc(ctx->a, sizeof(*app));
	if (!app)
		return NULL;
	app->view = st->v;
	app->next = ctx->apps;
	ctx->apps = app;
	struct app_walk w = {.a = ctx->a,
			     .app = app,
			     .uid = owner->uid,
			     .owner = owner,
			     .fs = st->img->fs,
			     .workdir = st->v->workdir};
	const char *tops[3] = {0};
	size_t nt = 0;
	if (st->v->workdir && !system_dir(st->v->workdir))
		tops[nt++] = st->v->workdir;
	const char *progs[2], *found = NULL;
	if (image_programs(ctx->a, st->v, progs) &&
	    image_find_program(ctx->a, st->img, progs[0], &found) && found) {
		const char *slash = strrchr(found, '/');
		const char *dir = slash && slash != found
				      ? arena_strndup(ctx->a, found, (size_t)(slash - found))
				      : "/";
		if (dir && !system_dir(dir) && (!nt || strcmp(dir, tops[0]) != 0))
			tops[nt++] = dir;
	}
	for (size_t i = 0; i < nt; i++) {
		const char *why;
		w.tops[i] = fs_resolve(st->img->fs, tops[i], false, &why, NULL);
		if (i == 1 && w.tops[1] == w.tops[0])
			w.tops[1] = NULL;
	}
	for (size_t i = 0; i < nt; i++) {
		if (!w.tops[i])
			continue;
		w.top = tops[i];
		w.cur = w.tops[i];
		fs_walk(ctx->a, (struct fs_node *)w.tops[i], app_node, &w);
	}
	w.top = NULL;
	w.cur = NULL;
	if (owner->uid > 0)
		fs_walk(ctx->a, st->img->fs->root, app_node, &w);
	return app;
}

/* The image's own identity, as Docker runs it: for the app's paths. */
static void image_identity(const struct sim_state *st, struct identity *id)
{
	memset(id, 0, sizeof(*id));
	id->uid = st->v->uid >= 0 ? st->v->uid : 0;
	id->gid = st->v->gid >= 0 ? st->v->gid : 0;
	id->groups = st->img->groups;
	id->ngroups = st->img->ngroups;
}

static int cmp_long(const void *x, const void *y)
{
	long a = *(const long *)x, b = *(const long *)y;
	return a < b ? -1 : a > b;
}

/*
 * The app paths identity st->id cannot use. Many containers of one image
 * share a few identities, so the answer is kept per identity: simulating
 * a hundred containers costs a handful of passes over the app's paths.
 */
static const struct sim_verdicts *verdicts(struct sim_state *st, struct sim_app *app)
{
	struct arena *a = st->ctx->a;
	long *groups = arena_alloc(a, (st->id.ngroups + 1) * sizeof(*groups));
	if (!groups)
		return NULL;
	size_t ng = 0;
	for (size_t i = 0; i < st->id.ngroups; i++)
		groups[ng++] = st->id.groups[i];
	qsort(groups, ng, sizeof(*groups), cmp_long);
	for (struct sim_verdicts *v = app->verdicts; v; v = v->next)
		if (v->uid == st->id.uid && v->gid == st->id.gid && v->ngroups == ng &&
		    (ng == 0 || memcmp(v->groups, groups, ng * sizeof(*groups)) == 0))
			return v;
	struct sim_verdicts *v = arena_alloc(a, sizeof(*v));
	if (!v)
		return NULL;
	*v = (struct sim_verdicts){.uid = st->id.uid,
				   .gid = st->id.gid,
				   .groups = groups,
				   .ngroups = ng,
				   .next = app->verdicts};
	size_t cap = 0;
	for (size_t i = 0; i < app->n; i++) {
		unsigned want = app->dirs[i] ? FS_R_OK | FS_X_OK : FS_R_OK;
		if (fs_access(st->img->fs, &st->id, app->paths[i], want, NULL))
			continue;
		size_t *slot = ARR_PUSH(a, v->failed, v->nfailed, cap);
		if (!slot)
			return NULL;
		*slot = i;
	}
	app->verdicts = v;
	return v;
}

static void check_app(struct sim_state *st, struct sim_result *r)
{
	struct identity owner;
	image_identity(st, &owner);
	struct sim_app *app = app_paths(st, &owner);
	if (!app)
		return;
	r->app_skipped = app->skipped;
	const struct sim_verdicts *v = verdicts(st, app);
	/* Only failures get a row: a result stays small for a large app. */
	for (size_t k = 0; v && k < v->nfailed; k++) {
		size_t i = v->failed[k];
		bool exact = false;
		if (mount_of(st, app->paths[i], &exact))
			continue; /* a pod volume hides it */
		check_path(st, r, SIM_CHECK_APP, app->paths[i],
			   app->dirs[i] ? FS_R_OK | FS_X_OK : FS_R_OK, true);
	}
}

/* True when a later entry of the view sets up the same path: it holds the path's last state. */
static bool superseded(const struct image_view *v, size_t i)
{
	for (size_t k = i + 1; k < v->nowned; k++)
		if (strcmp(v->owned[k].path, v->owned[i].path) == 0)
			return true;
	return false;
}

/* "COPY" or "ADD" when the instruction at `start` of the view's source is one; else NULL. */
static const char *copy_keyword(const struct image_view *v, size_t start)
{
	const struct source *src = v->src;
	if (!src || start >= src->len)
		return NULL;
	const char *t = src->data + start;
	size_t n = src->len - start;
	if (n >= 5 && strncasecmp(t, "COPY", 4) == 0 && (t[4] == ' ' || t[4] == '\t'))
		return "COPY";
	if (n >= 4 && strncasecmp(t, "ADD", 3) == 0 && (t[3] == ' ' || t[3] == '\t'))
		return "ADD";
	return NULL;
}

/*
 * Without a built image, the Dockerfile's COPY/ADD --chown/--chmod and RUN
 * chown/chmod lines tell who owns the app's paths (the last line that sets
 * up a path holds its state). The kernel looks at one class: the owner's
 * bits for the owner, the group's for a member of the group, else the
 * other bits. With the mode known, that decides. With the mode unknown
 * (COPY without --chmod keeps the build context's modes, a RUN chown keeps
 * what the path had; a folder the same RUN made with a plain mkdir is
 * 0755, and a path of a base image --pull read is known), the owner and
 * the group are taken to read it, as
 * every checkout's umask but 077 leaves them; the other bits are not
 * known, so a process that is neither owner nor in the group gets an
 * unknown: neither a failure nor a pass. NR206 and NR207 read the same
 * checks, and fire on both: such a path is out of reach through its owner
 * and its group, which is what they say.
 */
static void check_owned(struct sim_state *st, struct sim_result *r)
{
	struct arena *a = st->ctx->a;
	const struct image_view *v = st->v;
	for (size_t i = 0; i < v->nowned; i++) {
		const struct owned_path *p = &v->owned[i];
		if (st->id.uid < 0)
			break;
		bool exact = false;
		const char *path = absolute(a, v, p->path);
		if (!path || mount_of(st, path, &exact) || superseded(v, i))
			continue;
		long uid = p->uid, gid = p->gid;
		int mode = p->mode;
		const char *why = NULL;
		const struct fs_node *b = st->fs && !sim_changed(st, path)
					      ? fs_resolve(st->fs, path, false, &why, NULL)
					      : NULL;
		if (b) {
			/* A path of the base (--pull) that the RUN lines changed in ways unroot
			 * follows: its owner, group and mode are all known. */
			uid = b->uid;
			gid = b->gid;
			mode = (int)(b->mode & 07777);
		}
		if (uid < 0 || gid < 0)
			continue; /* who owns it is known only in a built image */
		struct fs_node n = {.uid = (uint32_t)uid,
				    .gid = (uint32_t)gid,
				    .mode = FS_REG | (mode >= 0 ? (uint32_t)mode : 0770)};
		char klass = fs_class(&n, &st->id);
		bool unknown = mode < 0 && klass == 'o' && st->id.uid != 0;
		if (!unknown && fs_node_permits(&n, &st->id, FS_R_OK))
			continue;
		struct sim_check *c = new_check(a, r, SIM_CHECK_APP, path, FS_R_OK, true);
		if (!c)
			return;
		fail_node(st, r, c, &n, path, FS_R_OK, false);
		c->unknown = unknown;
		c->mode = mode;
		c->klass = klass;
		c->fix = fix_for(st, r, uid, gid, mode, path, FS_R_OK, true);
		c->source = v->origin;
		c->start = p->start;
		c->end = p->end;
		const char *who = arena_printf(
		    a,
		    "%s belongs to %ld:%ld (mode %s), and uid %ld with gid "
		    "%ld is neither its owner nor in its group",
		    path, uid, gid, mode >= 0 ? arena_printf(a, "%04o", mode) : "unknown",
		    st->id.uid, st->id.gid);
		if (!unknown) {
			c->why = who;
			continue;
		}
		const char *kw = copy_keyword(v, p->start);
		unsigned line = 0, col = 0;
		if (v->src)
			source_position(v->src, p->start, &line, &col);
		c->why = arena_printf(
		    a, "%s: only its other bits, which %s, could open it; %s to make it certain",
		    who, kw ? "the build context decides" : "the lines before decide",
		    kw ? arena_printf(a, "add --chmod=MODE to the %s on line %u", kw, line)
		       : arena_printf(a, "write its mode (RUN chmod MODE %s) after line %u", path,
				      line));
	}
}

/*
 * What the entrypoint writes at start (a Dockerfile's, start.c): root may
 * do all of it; chown to a user needs root; chmod, chgrp and tar over a
 * folder need its owner, which OpenShift's arbitrary uid never is; a new
 * file in a folder the base leaves to root:root 0755 needs root.
 */
static void check_starts(struct sim_state *st, struct sim_result *r)
{
	struct arena *a = st->ctx->a;
	const struct image_view *v = st->v;
	for (size_t i = 0; i < v->nstarts; i++) {
		const struct start_write *w = &v->starts[i];
		const char *path = w->path	  ? w->path
				   : w->need == 0 ? "(a path the script sets)"
						  : "(the working folder)";
		unsigned want = w->need == 2 ? FS_W_OK | FS_X_OK : FS_W_OK;
		if (st->id.uid == 0) {
			new_check(a, r, SIM_CHECK_START, path, want, true);
			continue;
		}
		bool arbitrary = r->uid.src == SIM_SRC_OPENSHIFT_UID;
		long owner = -1;
		for (size_t k = 0; w->path && k < v->nowned; k++)
			if (strcmp(v->owned[k].path, w->path) == 0)
				owner = v->owned[k].uid;
		if (w->need == 1 && !arbitrary && (owner < 0 || owner == st->id.uid)) {
			if (owner < 0)
				sim_note(
				    a, &r->unchecked, &r->nunchecked,
				    arena_printf(a,
						 "start %s (%s): needs its owner, known only in "
						 "a built image",
						 path, w->at));
			else
				new_check(a, r, SIM_CHECK_START, path, want, true);
			continue;
		}
		struct sim_check *c = new_check(a, r, SIM_CHECK_START, path, want, true);
		if (!c)
			return;
		c->ok = false;
		c->at = path;
		c->refused = want;
		c->source = w->at;
		if (w->need == 0) {
			c->why = arena_printf(a,
					      "'%s' (%s) gives files to %s: only root may (uid %ld "
					      "is not)",
					      w->command, w->at, w->owner, st->id.uid);
			c->fix = w->path ? arena_printf(a, "RUN chgrp -R 0 %s && chmod -R g=u %s",
							w->path, w->path)
					 : "do the chown at build time, with group 0";
		} else if (w->need == 1) {
			c->why = arena_printf(
			    a, "'%s' (%s) changes %s, which only its owner may (uid %ld is not%s)",
			    w->command, w->at, path, st->id.uid,
			    arbitrary ? ": OpenShift's uid owns none of the image's files" : "");
			c->fix = strstr(w->command, "tar")
				     ? "tar --extract --no-overwrite-dir"
				     : arena_printf(a, "%s || true", w->command);
		} else {
			c->owner = c->group = 0;
			c->mode = 0755;
			c->klass = 'o';
			c->why =
			    arena_printf(a,
					 "'%s' (%s) writes in %s, which the base image leaves to "
					 "root (root:root 0755): uid %ld cannot",
					 w->command, w->at, w->folder, st->id.uid);
			c->fix = arena_printf(a, "RUN touch %s && chgrp 0 %s && chmod g=u %s", path,
					      path, path);
		}
	}
}

int sim_checks(struct sim_state *st, struct sim_result *r)
{
	struct arena *a = st->ctx->a;
	const struct image_view *v = st->v;
	if (st->pod && is_k8s(st->p))
		pod_mounts(st, r);
	if (!v) {
		sim_note(a, &r->unchecked, &r->nunchecked,
			 "every access check: the container's image is not paired with a "
			 "Dockerfile or an image (--image REF=PATH, or the config key images)");
		return 0;
	}
	if (st->id.uid < 0) {
		sim_note(a, &r->unchecked, &r->nunchecked,
			 "every access check: the uid is not known");
		return 0;
	}
	if (v->workdir && *v->workdir && strcmp(v->workdir, "/") != 0) {
		if (st->fs || mount_of(st, v->workdir, &(bool){0}))
			/*
			 * Advisory: runc and crun enter the folder before they switch
			 * to the user, so the process starts there, and only paths
			 * relative to it fail.
			 */
			check_path(st, r, SIM_CHECK_WORKDIR, v->workdir, FS_X_OK, false);
		else
			sim_note(a, &r->unchecked, &r->nunchecked,
				 arena_printf(a,
					      "WORKDIR %s: its mode is known only in a built "
					      "image",
					      v->workdir));
	}
	/* runc enters the working folder, then executes the program. */
	if (st->img)
		check_programs(st, r);
	else
		sim_note(a, &r->unchecked, &r->nunchecked,
			 "entrypoint and interpreter: their modes are known only in a built "
			 "image");
	if (r->home && strcmp(r->home, "/") != 0) {
		if (st->fs || mount_of(st, r->home, &(bool){0}))
			check_path(st, r, SIM_CHECK_HOME, r->home, FS_W_OK | FS_X_OK, false);
		else
			sim_note(a, &r->unchecked, &r->nunchecked,
				 arena_printf(a, "HOME %s: its mode is known only in a built image",
					      r->home));
	} else if (st->img) {
		sim_note(a, &r->unchecked, &r->nunchecked,
			 "HOME is /: not checked (no image makes / writable; set ENV HOME to a "
			 "writable folder for programs that write there)");
	}
	for (size_t i = 0; i < v->nvolumes; i++) {
		bool exact = false;
		const char *p = absolute(a, v, v->volumes[i]);
		const struct sim_mount *m = p ? mount_of(st, p, &exact) : NULL;
		if (m && exact)
			continue; /* the pod mounts a volume there: checked as a mount */
		if (st->fs)
			check_path(st, r, SIM_CHECK_VOLUME, p, FS_W_OK | FS_X_OK, true);
		else
			sim_note(a, &r->unchecked, &r->nunchecked,
				 arena_printf(a,
					      "VOLUME %s: its mode is known only in a built "
					      "image",
					      p));
	}
	if (v->nstarts)
		check_starts(st, r);
	if (st->img) {
		check_app(st, r);
	} else {
		check_owned(st, r);
		sim_note(a, &r->unchecked, &r->nunchecked,
			 "app files: only the paths COPY/ADD --chown/--chmod set up are known "
			 "without a built image");
	}
	/*
	 * An image that makes /etc/passwd group- or world-writable expects the
	 * process to add its own entry (no runtime adds one then): it must be
	 * able to write it.
	 */
	const char *why = NULL;
	const struct fs_node *pw =
	    st->fs && !r->passwd_injected && !r->user_name && !sim_changed(st, "/etc/passwd")
		? fs_resolve(st->fs, "/etc/passwd", false, &why, NULL)
		: NULL;
	if (pw && fs_type_of(pw) == FS_REG && (pw->mode & 022))
		check_path(st, r, SIM_CHECK_PASSWD, "/etc/passwd", FS_W_OK, false);
	(void)is_k8s;
	return arena_failed(a) ? -1 : 0;
}
