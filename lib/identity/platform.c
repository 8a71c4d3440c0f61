/*
 * platform.c - the identity a platform gives a container's process, and
 * whether the platform starts it (DESIGN.md "Platform facts"; the sources
 * are listed in docs/simulate.md).
 */
#include "sim-internal.h"
#include "unroot/arena.h"
#include "unroot/ids.h"
#include "unroot/source.h"
#include "yaml/ytree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *sim_env(const struct image_view *v, const char *name)
{
	size_t n = strlen(name);
	const char *found = NULL;
	for (size_t i = 0; v && i < v->nenv; i++)
		if (v->env[i] && strncmp(v->env[i], name, n) == 0 && v->env[i][n] == '=')
			found = v->env[i] + n + 1; /* the last one wins */
	return found;
}

void sim_note(struct arena *a, const char ***list, size_t *n, const char *s)
{
	const char **grown = arena_alloc(a, (*n + 1) * sizeof(*grown));
	if (!grown || !s)
		return;
	if (*n)
		memcpy(grown, *list, *n * sizeof(*grown));
	grown[(*n)++] = s;
	*list = grown;
}

/* The rest of `p` after folder `top` ("" when equal), or NULL when p is not inside it. */
static const char *inside(const char *p, const char *top)
{
	for (;;) {
		while (*top == '/')
			top++;
		while (*p == '/')
			p++;
		if (!*top)
			return p;
		size_t n = strcspn(top, "/");
		if (strncmp(p, top, n) != 0 || (p[n] && p[n] != '/'))
			return NULL;
		p += n;
		top += n;
	}
}

bool sim_changed(const struct sim_state *st, const char *path)
{
	const struct image_view *v = st->v;
	for (size_t i = 0; !st->img && v && path && i < v->nchanged; i++) {
		const char *rest = inside(path, v->changed[i].path);
		if (rest && (*rest || !v->changed[i].below))
			return true;
	}
	return false;
}

static long parse_id(const char *s, size_t n)
{
	unsigned long v;
	return id_parse(s, n, &v) ? (long)v : -1;
}

static const char *origin_words(const struct k8s_field *f)
{
	return f->origin == K8S_FROM_CONTAINER ? "the container's securityContext"
					       : "the pod's securityContext";
}

/* "Dockerfile:9" for the USER line of a view made from a Dockerfile. */
static const char *user_line(struct arena *a, const struct image_view *v)
{
	if (!v->src || v->user_end <= v->user_start)
		return v->origin;
	size_t line = 1;
	for (size_t i = 0; i < v->user_start && i < v->src->len; i++)
		line += v->src->data[i] == '\n';
	return arena_printf(a, "%s:%zu", v->origin, line);
}

static void add_group(struct arena *a, struct sim_result *r, long gid, enum sim_source src,
		      const char *detail)
{
	if (gid < 0)
		return;
	for (size_t i = 0; i < r->ngroups; i++)
		if (r->groups[i].id == gid)
			return;
	struct sim_id *g =
	    arena_realloc(a, r->groups, r->ngroups * sizeof(*g), (r->ngroups + 1) * sizeof(*g));
	if (!g)
		return;
	g[r->ngroups++] = (struct sim_id){gid, src, detail};
	r->groups = g;
}

static struct sim_refusal *refuse(struct arena *a, struct sim_result *r, const char *by,
				  const char *message, const char *fix, size_t start, size_t end)
{
	struct sim_refusal *x = arena_realloc(a, r->refusals, r->nrefusals * sizeof(*x),
					      (r->nrefusals + 1) * sizeof(*x));
	if (!x)
		return NULL;
	r->refusals = x;
	x += r->nrefusals++;
	*x = (struct sim_refusal){by, message, fix, start, end, false};
	r->start = SIM_REFUSED;
	return x;
}

static bool is_k8s(enum sim_platform p)
{
	return p == SIM_KUBERNETES || p == SIM_OPENSHIFT;
}

/* The passwd and group database of a built image, or of a Dockerfile's pulled base; or NULL. */
static const struct passwd_db *db_of(const struct sim_state *st)
{
	return st->img ? &st->img->db : st->v ? st->v->db : NULL;
}

/*
 * The kubelet's runAsNonRoot check (verifyRunAsNonRoot), before the
 * container is created: runAsUser when set, else the image's user.
 */
static void kubelet_non_root(struct sim_state *st, struct sim_result *r)
{
	const struct k8s_container *c = st->pod->c;
	const struct k8s_field *nr = &c->sc.run_as_non_root, *u = &c->sc.run_as_user;
	struct arena *a = st->ctx->a;
	if (!k8s_set(nr) || !nr->b)
		return;
	if (k8s_set(u)) {
		if (u->i == 0)
			refuse(a, r, "kubelet", "container's runAsUser breaks non-root policy",
			       "runAsUser: 1001", u->start, u->end);
		return;
	}
	if (st->p == SIM_OPENSHIFT && st->have_adm && st->adm.uid_assigned)
		return; /* restricted-v2 wrote runAsUser into the pod */
	const struct image_view *v = st->v;
	if (!v || !v->user_known) {
		/* The kubelet checks the image's user, which is not known here: nor is the start.
		 */
		if (r->start == SIM_STARTS)
			r->start = SIM_START_UNKNOWN;
		sim_note(a, &r->unchecked, &r->nunchecked,
			 !v ? "start: runAsNonRoot with no runAsUser, and the image is not paired: "
			      "the kubelet refuses it when the image's user is root"
			    : "start: runAsNonRoot with no runAsUser, and the image's user is not "
			      "known: the kubelet refuses it when that user is root");
		return;
	}
	if (v->user_is_name) {
		const char *fix =
		    v->uid > 0 ? arena_printf(a, "runAsUser: %ld", v->uid) : "USER 1001:0";
		const char *name = v->user;
		const char *colon = strchr(name, ':');
		if (colon)
			name = arena_strndup(a, name, (size_t)(colon - name));
		refuse(a, r, "kubelet",
		       arena_printf(a,
				    "container has runAsNonRoot and image has non-numeric user "
				    "(%s), cannot verify user is non-root",
				    name),
		       fix, nr->start, nr->end);
		return;
	}
	if (v->uid == 0 || (v->user && !*v->user))
		refuse(a, r, "kubelet", "container has runAsNonRoot and image will run as root",
		       "USER 1001:0", nr->start, nr->end);
}

/*
 * The uid and the user string the runtime resolves: runAsUser (the
 * image's :group dropped), OpenShift's assigned UID, or the image's USER.
 */
static void pick_uid(struct sim_state *st, struct sim_result *r, const char **uname,
		     const char **gname)
{
	struct arena *a = st->ctx->a;
	const struct image_view *v = st->v;
	const struct k8s_container *c = st->pod ? st->pod->c : NULL;
	*uname = *gname = NULL;
	if (is_k8s(st->p) && c && k8s_set(&c->sc.run_as_user)) {
		const struct k8s_field *f = &c->sc.run_as_user;
		r->uid = (struct sim_id){(long)f->i, SIM_SRC_RUN_AS_USER, origin_words(f)};
		r->user = arena_printf(a, "%lld", f->i);
		st->run_as_user = true;
		return;
	}
	if (st->p == SIM_OPENSHIFT) {
		long uid = st->have_adm ? (long)st->adm.uid : (long)st->ctx->o->uid_range.start;
		const char *from = st->have_adm && st->pod && st->pod->in ? NULL : "--uid-range";
		if (st->pod && st->pod->in) {
			struct openshift_ranges rg;
			openshift_ranges_for(st->pod->in, st->pod->obj, st->ctx->o, &rg);
			from = rg.uid_from;
		}
		r->uid = (struct sim_id){uid, SIM_SRC_OPENSHIFT_UID,
					 arena_printf(a, "first UID of the namespace range (%s)",
						      from ? from : "--uid-range")};
		r->user = arena_printf(a, "%ld", uid);
		st->run_as_user = true;
		return;
	}
	if (!v) {
		r->uid = (struct sim_id){-1, SIM_SRC_UNKNOWN, "the image is not paired"};
		return;
	}
	const char *user = v->user ? v->user : "";
	r->user = user;
	if (!v->user_known) {
		r->uid =
		    (struct sim_id){v->uid, v->uid >= 0 ? SIM_SRC_IMAGE_USER : SIM_SRC_UNKNOWN,
				    *user ? arena_printf(a, "USER %s, not resolved", user)
					  : "set in the base image, which unroot does not know"};
		return;
	}
	if (!*user) {
		r->uid = (struct sim_id){0, SIM_SRC_DEFAULT, "no USER: root"};
		return;
	}
	const char *colon = strchr(user, ':');
	*uname = colon ? arena_strndup(a, user, (size_t)(colon - user)) : user;
	*gname = colon ? colon + 1 : NULL;
	st->explicit_group = colon && colon[1];
	long uid = parse_id(*uname, strlen(*uname));
	if (uid < 0 && strcmp(*uname, "root") == 0 && !db_of(st))
		uid = 0;
	if (uid >= 0) {
		r->uid = (struct sim_id){uid, SIM_SRC_IMAGE_USER,
					 arena_printf(a, "USER %s (%s)", user, user_line(a, v))};
		return;
	}
	const struct passwd_db *db = db_of(st);
	const struct passwd_entry *pe = db ? passwd_by_name(db, *uname) : NULL;
	if (pe && pe->uid < 0) {
		r->uid = (struct sim_id){-1, SIM_SRC_UNKNOWN,
					 arena_printf(a,
						      "USER %s: an account the Dockerfile creates, "
						      "whose uid the build picks",
						      user)};
		if (r->start == SIM_STARTS)
			r->start = SIM_START_UNKNOWN;
		return;
	}
	if (pe) {
		r->uid = (struct sim_id){pe->uid, SIM_SRC_PASSWD,
					 arena_printf(a, "USER %s, the image's /etc/passwd", user)};
		r->user_name = pe->name;
		return;
	}
	if (db && !st->img) {
		/* A Dockerfile on a pulled base: a RUN line unroot cannot follow may make it. */
		r->uid =
		    (struct sim_id){-1, SIM_SRC_UNKNOWN,
				    arena_printf(a,
						 "USER %s: not in the base image's /etc/passwd, "
						 "so made by the Dockerfile's RUN lines, if at all",
						 user)};
		if (r->start == SIM_STARTS)
			r->start = SIM_START_UNKNOWN;
		return;
	}
	if (db) {
		r->uid = (struct sim_id){-1, SIM_SRC_UNKNOWN,
					 arena_printf(a, "USER %s, not in /etc/passwd", user)};
		struct sim_refusal *x = refuse(
		    a, r, "runtime",
		    arena_printf(a, "unable to find user %s: no matching entries in passwd file",
				 *uname),
		    "USER 1001:0", v->user_start, v->user_end);
		if (x)
			x->in_image = true;
		return;
	}
	r->uid = (struct sim_id){v->uid, v->uid >= 0 ? SIM_SRC_IMAGE_USER : SIM_SRC_UNKNOWN,
				 arena_printf(a,
					      "USER %s: a name, looked up in the image's "
					      "/etc/passwd at start",
					      user)};
	if (r->start == SIM_STARTS)
		r->start = SIM_START_UNKNOWN;
}

/* The primary gid: runAsGroup, the USER's :group, the passwd entry, else 0. */
static void pick_gid(struct sim_state *st, struct sim_result *r, const char *gname)
{
	struct arena *a = st->ctx->a;
	const struct image_view *v = st->v;
	const struct k8s_container *c = st->pod ? st->pod->c : NULL;
	const struct passwd_db *db = db_of(st);
	if (is_k8s(st->p) && c && k8s_set(&c->sc.run_as_group)) {
		const struct k8s_field *f = &c->sc.run_as_group;
		r->gid = (struct sim_id){(long)f->i, SIM_SRC_RUN_AS_GROUP, origin_words(f)};
		return;
	}
	if (gname && *gname && !st->run_as_user) {
		long g = parse_id(gname, strlen(gname));
		if (g < 0 && strcmp(gname, "root") == 0 && !db)
			g = 0;
		if (g >= 0) {
			r->gid = (struct sim_id){
			    g, SIM_SRC_IMAGE_USER,
			    arena_printf(a, "USER %s (%s)", v->user, user_line(a, v))};
			return;
		}
		const struct group_entry *ge = db ? group_by_name(db, gname) : NULL;
		if (ge) {
			r->gid = (struct sim_id){
			    ge->gid, SIM_SRC_ETC_GROUP,
			    arena_printf(a, "USER %s, the image's /etc/group", v->user)};
			return;
		}
		r->gid = (struct sim_id){-1, SIM_SRC_UNKNOWN,
					 arena_printf(a, "group %s, not resolved", gname)};
		struct sim_refusal *x =
		    db ? refuse(a, r, "runtime",
				arena_printf(a,
					     "unable to find group %s: no matching entries in "
					     "group file",
					     gname),
				"USER 1001:0", v->user_start, v->user_end)
		       : NULL;
		if (x)
			x->in_image = true;
		return;
	}
	if (r->uid.id < 0) {
		r->gid = (struct sim_id){-1, SIM_SRC_UNKNOWN, "the uid is not known"};
		return;
	}
	const struct passwd_entry *pe = db ? passwd_by_uid(db, r->uid.id) : NULL;
	if (pe) {
		r->gid =
		    (struct sim_id){pe->gid, SIM_SRC_PASSWD,
				    arena_printf(a, "the image's /etc/passwd entry of uid %ld (%s)",
						 r->uid.id, pe->name)};
		return;
	}
	if (!db && v && !st->run_as_user && v->gid >= 0 && r->uid.id == v->uid) {
		/* A well-known base image's user with its group. */
		r->gid = (struct sim_id){v->gid, SIM_SRC_IMAGE_USER, "the base image's user"};
		return;
	}
	if (!db && v && r->uid.id != 0)
		r->gid = (struct sim_id){0, SIM_SRC_DEFAULT,
					 arena_printf(a,
						      "0: the runtime's default when the image's "
						      "/etc/passwd has no entry for uid %ld (not "
						      "known without the image)",
						      r->uid.id)};
	else
		r->gid = (struct sim_id){
		    0, SIM_SRC_DEFAULT,
		    arena_printf(a, "0: no /etc/passwd entry for uid %ld", r->uid.id)};
}

static bool strict_groups(const struct sim_state *st)
{
	const struct k8s_pod *pod = st->pod ? &st->pod->obj->pod : NULL;
	const struct ynode *p =
	    pod && pod->sc_node ? ymap_get(pod->sc_node, "supplementalGroupsPolicy") : NULL;
	return p && yscalar_is(p, "Strict");
}

static void pick_groups(struct sim_state *st, struct sim_result *r, const char *uname)
{
	struct arena *a = st->ctx->a;
	const struct passwd_db *db = db_of(st);
	const struct k8s_container *c = st->pod ? st->pod->c : NULL;
	/* The groups /etc/group lists the user in, unless the user string names a group. */
	const char *member = r->user_name;
	if (!member && uname && parse_id(uname, strlen(uname)) < 0)
		member = uname;
	if (!member && db && r->uid.id >= 0) {
		/* A numeric user: the runtimes take the name of its passwd entry. */
		const struct passwd_entry *pe = passwd_by_uid(db, r->uid.id);
		member = pe ? pe->name : NULL;
	}
	if (db && member && !st->explicit_group && !(is_k8s(st->p) && strict_groups(st))) {
		for (size_t i = 0; i < db->ngroups; i++) {
			const struct group_entry *g = &db->groups[i];
			for (size_t k = 0; k < g->nmembers; k++)
				if (strcmp(g->members[k], member) == 0) {
					add_group(a, r, g->gid, SIM_SRC_ETC_GROUP,
						  arena_printf(a, "the image's /etc/group (%s)",
							       g->name));
					break;
				}
		}
	}
	if (!is_k8s(st->p))
		return;
	if (c) {
		const struct k8s_field *sg = &c->sc.supplemental_groups;
		if (k8s_set(sg) && sg->node && sg->node->kind == Y_SEQ)
			for (size_t i = 0; i < sg->node->nitems; i++) {
				struct k8s_scalar s;
				if (k8s_type_of(sg->node->items[i], &s) == K8S_T_INT && s.fits_int)
					add_group(a, r, (long)s.i, SIM_SRC_SUPPLEMENTAL,
						  origin_words(sg));
			}
	}
	st->fs_group = -1;
	if (st->p == SIM_OPENSHIFT && st->have_adm) {
		if (st->adm.fs_group_assigned || (c && k8s_set(&c->sc.fs_group))) {
			st->fs_group = (long)st->adm.fs_group;
			add_group(a, r, st->fs_group,
				  st->adm.fs_group_assigned ? SIM_SRC_OPENSHIFT_FS_GROUP
							    : SIM_SRC_FS_GROUP,
				  st->adm.fs_group_assigned
				      ? "first group of the namespace's supplemental-groups range"
				      : origin_words(&c->sc.fs_group));
		}
	} else if (c && k8s_set(&c->sc.fs_group)) {
		st->fs_group = (long)c->sc.fs_group.i;
		add_group(a, r, st->fs_group, SIM_SRC_FS_GROUP, origin_words(&c->sc.fs_group));
	}
}

/*
 * CRI-O (OpenShift's runtime) adds "NAME:x:UID:GID:NAME user:HOME:/sbin/nologin"
 * to a copy of /etc/passwd when the uid has no entry, unless the file is
 * missing or empty, group- or world-writable, or owned and writable by
 * the uid. HOME is $HOME, else the working folder.
 */
static void passwd_entry(struct sim_state *st, struct sim_result *r)
{
	struct arena *a = st->ctx->a;
	const struct passwd_db *db = db_of(st);
	if (r->uid.id < 0 || r->user_name)
		return;
	const struct passwd_entry *pe = db ? passwd_by_uid(db, r->uid.id) : NULL;
	if (pe) {
		r->user_name = pe->name;
		return;
	}
	if (!st->fs || sim_changed(st, "/etc/passwd")) {
		if (st->p == SIM_OPENSHIFT)
			r->passwd_note = "not known without the image: the runtime adds an entry "
					 "for the uid unless /etc/passwd is group- or "
					 "world-writable";
		return;
	}
	const char *why = NULL;
	struct fs_node *n = fs_resolve(st->fs, "/etc/passwd", false, &why, NULL);
	if (st->p != SIM_OPENSHIFT) {
		r->passwd_note = arena_printf(
		    a, "uid %ld has no /etc/passwd entry and this runtime adds none%s", r->uid.id,
		    n && (n->mode & 022) ? " (/etc/passwd is group- or world-writable: the image "
					   "expects the process to add its own)"
					 : ": the process has no user name");
		return;
	}
	if (!n || fs_type_of(n) != FS_REG || n->size == 0) {
		r->passwd_note = "the image has no /etc/passwd (or it is empty): the runtime adds "
				 "no entry";
		return;
	}
	char mode[11];
	fs_mode_string(n->mode, mode);
	if (n->mode & 022) {
		r->passwd_note = arena_printf(
		    a,
		    "/etc/passwd is group- or world-writable (%s %u:%u): the runtime adds no "
		    "entry, the image must add one itself",
		    mode, n->uid, n->gid);
		return;
	}
	if ((uint32_t)r->uid.id == n->uid && (n->mode & 0200)) {
		r->passwd_note = arena_printf(a,
					      "uid %ld owns /etc/passwd and may write it: the "
					      "runtime adds no entry",
					      r->uid.id);
		return;
	}
	const char *home = sim_env(st->v, "HOME");
	if (!home || !*home)
		home = st->v->workdir && *st->v->workdir ? st->v->workdir : "/";
	r->passwd_injected = true;
	long gid = r->gid.src == SIM_SRC_RUN_AS_GROUP ? 0 : r->gid.id;
	if (r->gid.src == SIM_SRC_RUN_AS_GROUP) {
		/* CRI-O resolves the user before it applies runAsGroup. */
		gid = 0;
	}
	r->passwd_entry = arena_printf(a, "%s:x:%ld:%ld:%s user:%s:/sbin/nologin", r->user,
				       r->uid.id, gid, r->user, home);
	r->user_name = r->user;
}

static void pick_home(struct sim_state *st, struct sim_result *r)
{
	const char *h = sim_env(st->v, "HOME");
	if (h && *h) {
		r->home = h;
		r->home_from = "ENV HOME";
		return;
	}
	const struct passwd_db *db = db_of(st);
	const struct passwd_entry *pe = db && r->uid.id >= 0 ? passwd_by_uid(db, r->uid.id) : NULL;
	if (pe && pe->home && *pe->home) {
		r->home = pe->home;
		r->home_from = "/etc/passwd";
		return;
	}
	if (r->passwd_injected) {
		const char *w = st->v->workdir && *st->v->workdir ? st->v->workdir : "/";
		r->home = w;
		r->home_from = "the runtime's passwd entry";
		return;
	}
	if (!st->img && !db && st->v && r->uid.id != 0) {
		r->home = NULL;
		r->home_from = "not known without the image";
		return;
	}
	r->home = st->v && r->uid.id == 0 && !st->img && !db ? "/root" : "/";
	r->home_from = "default";
}

int sim_identity(struct sim_state *st, struct sim_result *r)
{
	struct arena *a = st->ctx->a;
	r->start = SIM_STARTS;
	st->fs_group = -1;
	if (st->p == SIM_OPENSHIFT && st->pod) {
		struct openshift_ranges rg;
		openshift_ranges_for(st->pod->in, st->pod->obj, st->ctx->o, &rg);
		if (openshift_admit(a, st->pod->obj, st->pod->c, &rg, &st->adm) != 0)
			return -1;
		st->have_adm = true;
		for (size_t i = 0; i < st->adm.nreasons; i++) {
			const struct openshift_reason *x = &st->adm.reasons[i];
			refuse(a, r, "restricted-v2",
			       arena_printf(a,
					    "unable to validate against any security context "
					    "constraint: [provider restricted-v2: %s]",
					    x->message),
			       x->fix, x->start, x->end);
		}
	} else if (st->p == SIM_OPENSHIFT) {
		/* A pod that sets nothing: restricted-v2 assigns both. */
		st->have_adm = true;
		st->adm.admitted = true;
		st->adm.uid = (long long)st->ctx->o->uid_range.start;
		st->adm.uid_assigned = true;
		st->adm.fs_group = (long long)st->ctx->o->supp_groups.start;
		st->adm.fs_group_assigned = true;
	}
	if (is_k8s(st->p) && st->pod)
		kubelet_non_root(st, r);
	const char *uname, *gname;
	pick_uid(st, r, &uname, &gname);
	pick_gid(st, r, gname);
	pick_groups(st, r, uname);
	if (st->v)
		passwd_entry(st, r);
	if (st->v)
		pick_home(st, r);
	st->id.uid = r->uid.id;
	st->id.gid = r->gid.id;
	long *g = arena_alloc(a, (r->ngroups + 1) * sizeof(*g));
	if (!g)
		return -1;
	for (size_t i = 0; i < r->ngroups; i++)
		g[i] = r->groups[i].id;
	st->id.groups = g;
	st->id.ngroups = r->ngroups;
	return arena_failed(a) ? -1 : 0;
}
