/*
 * facts.c - what the runtimes derive from an image before starting it: the
 * user and groups (through the image's /etc/passwd and /etc/group), HOME,
 * and the program the entrypoint names (through PATH and WorkingDir).
 */
#include "image-internal.h"
#include "unroot/arena.h"
#include "util/reading.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The runtimes' PATH when the config sets none (runc, containerd, Docker). */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static bool is_shell(const char *prog)
{
	const char *b = strrchr(prog, '/');
	b = b ? b + 1 : prog;
	static const char *const shells[] = {"sh", "bash", "ash", "dash", "zsh", "ksh"};
	for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
		if (strcmp(b, shells[i]) == 0)
			return true;
	return false;
}

/* The first command word of a shell script, when it is a plain word. */
static const char *first_command(struct arena *a, const char *script)
{
	const char *p = script;
	for (int guard = 0; guard < 16; guard++) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		size_t n = strcspn(p, " \t\n;&|");
		if (n == 0)
			return NULL;
		const char *w = arena_strndup(a, p, n);
		if (!w)
			return NULL;
		if (strcmp(w, "exec") == 0 || strchr(w, '=')) {
			p += n;
			continue; /* exec X, or A=b X */
		}
		if (strpbrk(w, "$`'\"\\(){}<>*?[~"))
			return NULL;
		return w;
	}
	return NULL;
}

size_t image_programs(struct arena *a, const struct image_view *v, const char *out[2])
{
	const char *argv[3] = {0};
	size_t argc = 0;
	for (size_t i = 0; i < v->nentrypoint && argc < 3; i++)
		argv[argc++] = v->entrypoint[i];
	/* With an entrypoint, cmd gives its arguments; without one, cmd is the command. */
	for (size_t i = 0; i < v->ncmd && argc < 3; i++)
		argv[argc++] = v->cmd[i];
	if (argc == 0 || !argv[0] || !*argv[0])
		return 0;
	size_t n = 0;
	out[n++] = argv[0];
	if (argc >= 3 && is_shell(argv[0]) && strcmp(argv[1], "-c") == 0) {
		const char *w = first_command(a, argv[2]);
		if (w)
			out[n++] = w;
	}
	return n;
}

static const char *env_get(const struct image_view *v, const char *name)
{
	size_t n = strlen(name);
	const char *found = NULL;
	for (size_t i = 0; i < v->nenv; i++)
		if (strncmp(v->env[i], name, n) == 0 && v->env[i][n] == '=')
			found = v->env[i] + n + 1; /* the last one wins */
	return found;
}

void image_path_env(struct arena *a, struct image *img)
{
	const char *path = env_get(&img->view, "PATH");
	if (!path)
		path = DEFAULT_PATH;
	size_t cap = 0;
	img->path_env = NULL;
	img->npath_env = 0;
	img->path_env_cut = false;
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		if (n && p[0] == '/') {
			const char **slot = ARR_PUSH(a, img->path_env, img->npath_env, cap);
			if (slot)
				*slot = arena_strndup(a, p, n);
		}
		p += n + (p[n] == ':');
		if (img->npath_env >= IMAGE_MAX_PATH_DIRS && *p) {
			img->path_env_cut = true;
			break;
		}
	}
}

struct fs_node *image_find_program(struct arena *a, const struct image *img, const char *prog,
				   const char **path)
{
	const char *why;
	*path = NULL;
	if (!prog || !*prog)
		return NULL;
	if (strchr(prog, '/')) {
		const char *p =
		    prog[0] == '/' ? prog
				   : arena_printf(a, "%s/%s",
						  img->view.workdir ? img->view.workdir : "", prog);
		*path = p;
		return p ? fs_resolve(img->fs, p, false, &why, NULL) : NULL;
	}
	/* As exec.LookPath in runc: the first regular file with an x bit, else the first file. */
	struct fs_node *first = NULL;
	const char *first_path = NULL;
	for (size_t i = 0; i < img->npath_env; i++) {
		const char *p = arena_printf(a, "%s/%s", img->path_env[i], prog);
		struct fs_node *n = p ? fs_resolve(img->fs, p, false, &why, NULL) : NULL;
		if (!n || fs_type_of(n) == FS_DIR)
			continue;
		if (n->mode & 0111) {
			*path = p;
			return n;
		}
		if (!first) {
			first = n;
			first_path = p;
		}
	}
	*path = first_path;
	return first;
}

void image_facts_targets(struct arena *a, struct image *img, void *data,
			 void (*fetch)(void *data, struct fs_node *n, size_t cap))
{
	const char *why;
	fetch(data, fs_resolve(img->fs, "/etc/passwd", false, &why, NULL), IMAGE_TEXT_CAP);
	fetch(data, fs_resolve(img->fs, "/etc/group", false, &why, NULL), IMAGE_TEXT_CAP);
	const char *progs[2];
	size_t np = image_programs(a, &img->view, progs);
	for (size_t i = 0; i < np; i++) {
		const char *p;
		fetch(data, image_find_program(a, img, progs[i], &p), IMAGE_SCRIPT_CAP);
	}
}

static long parse_num(const char *s)
{
	if (!*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > 0xffffffffUL)
		return -1;
	return (long)v;
}

static const char *content_of(const struct image *img, const char *path, size_t *len,
			      const struct fs_node **node)
{
	const char *why;
	struct fs_node *n = fs_resolve(img->fs, path, false, &why, NULL);
	*len = 0;
	*node = n && fs_type_of(n) == FS_REG ? n : NULL;
	if (!*node || !n->content)
		return NULL;
	*len = n->content_len;
	return n->content;
}

/*
 * passwd and group decide the user, its groups and its home: a file read in
 * part (over the cap, or more entries than the parser keeps) or not at all
 * would give a wrong verdict without a word, so it is an error instead.
 */
static int check_whole(struct reading *rd, const struct image *img, const char *path,
		       const struct fs_node *n, bool cut)
{
	if (!n)
		return 0;
	if (!n->content) {
		reading_error(rd, img->path, NULL, 0, 0,
			      "'%s' in the image cannot be read, so the user and its groups "
			      "cannot be resolved",
			      path);
		return -1;
	}
	if (n->content_truncated) {
		reading_error(rd, img->path, NULL, 0, 0,
			      "'%s' in the image is %llu bytes, more than the %zu unroot reads of "
			      "it: the user and its groups cannot be resolved for sure",
			      path, (unsigned long long)n->size, IMAGE_TEXT_CAP);
		return -1;
	}
	if (cut) {
		reading_error(rd, img->path, NULL, 0, 0,
			      "'%s' in the image has more than %d entries, the most unroot keeps: "
			      "the user and its groups cannot be resolved for sure",
			      path, PASSWD_MAX_ENTRIES);
		return -1;
	}
	return 0;
}

/*
 * A link unroot must follow (passwd, group, the entrypoint) that loops or
 * climbs above the image root is an error: the kernel would clamp ".." at
 * the root, but no build tool makes such a link, and it is how hostile
 * images try to reach the host's files.
 */
static int check_link(struct reading *rd, struct image *img, const char *path)
{
	const char *why = NULL;
	bool escaped = false;
	struct fs_node *n = fs_resolve(img->fs, path, false, &why, &escaped);
	if (escaped) {
		reading_error(rd, img->path, NULL, 0, 0,
			      "'%s' in the image is a symbolic link that climbs out of the image "
			      "root with '..'; unroot resolves links inside the image only",
			      path);
		return -1;
	}
	if (!n && why && strstr(why, "symbolic links")) {
		reading_error(rd, img->path, NULL, 0, 0,
			      "'%s' in the image cannot be resolved: %s (a loop, or more than the "
			      "40 links the kernel follows)",
			      path, why);
		return -1;
	}
	return 0;
}

static int check_links(struct reading *rd, struct image *img)
{
	if (check_link(rd, img, "/etc/passwd") || check_link(rd, img, "/etc/group"))
		return -1;
	const char *progs[2];
	size_t np = image_programs(rd->arena, &img->view, progs);
	for (size_t i = 0; i < np; i++) {
		if (strchr(progs[i], '/')) {
			const char *p =
			    progs[i][0] == '/'
				? progs[i]
				: arena_printf(rd->arena, "%s/%s",
					       img->view.workdir ? img->view.workdir : "",
					       progs[i]);
			if (p && check_link(rd, img, p))
				return -1;
			continue;
		}
		for (size_t k = 0; k < img->npath_env; k++) {
			const char *p =
			    arena_printf(rd->arena, "%s/%s", img->path_env[k], progs[i]);
			if (p && check_link(rd, img, p))
				return -1;
		}
	}
	return 0;
}

static bool system_dir(const char *p)
{
	static const char *const sys[] = {"/bin",   "/boot",  "/dev",	 "/etc",  "/lib",
					  "/lib32", "/lib64", "/libx32", "/proc", "/run",
					  "/sbin",  "/sys",   "/usr",	 "/var"};
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++) {
		size_t n = strlen(sys[i]);
		if (strncmp(p, sys[i], n) == 0 && (p[n] == 0 || p[n] == '/'))
			return true;
	}
	return false;
}

struct owned_scan {
	struct arena *a;
	struct image_view *v;
	size_t cap;
};

/* The topmost paths the image's user owns, or with a group other than 0, outside system dirs. */
static bool owned_visit(struct fs_node *n, void *data)
{
	struct owned_scan *s = data;
	if (!n->parent || fs_type_of(n) == FS_LNK)
		return true;
	if (!n->parent->parent) {
		/* The system folders are all at the top: skip them whole. */
		char top[300];
		snprintf(top, sizeof(top), "/%s", n->name);
		if (system_dir(top))
			return false;
	}
	bool mine = s->v->uid > 0 && n->uid == (uint32_t)s->v->uid;
	if (!mine && n->gid == 0)
		return true;
	if (s->v->nowned >= 256)
		return false;
	struct owned_path *o = ARR_PUSH(s->a, s->v->owned, s->v->nowned, s->cap);
	if (o) {
		o->path = fs_path(s->a, n);
		o->uid = n->uid;
		o->gid = n->gid;
		o->mode = (int)(n->mode & 07777);
		o->recursive = fs_type_of(n) == FS_DIR;
	}
	return false;
}

int image_facts(struct reading *rd, struct image *img)
{
	struct arena *a = rd->arena;
	struct image_view *v = &img->view;
	image_path_env(a, img);
	if (check_links(rd, img) != 0)
		return -1;
	const char *progs[2];
	size_t np = image_programs(a, v, progs);
	for (size_t i = 0; img->path_env_cut && i < np; i++) {
		if (strchr(progs[i], '/'))
			continue;
		/* The folders past the limit could hold the program: no verdict on a guess. */
		reading_error(rd, img->path, NULL, 0, 0,
			      "the image config's PATH lists more than %d folders, the most unroot "
			      "follows, so where '%s' is found cannot be told for sure",
			      IMAGE_MAX_PATH_DIRS, progs[i]);
		return -1;
	}
	size_t plen, glen;
	const struct fs_node *pn, *gn;
	const char *pw = content_of(img, "/etc/passwd", &plen, &pn);
	const char *gr = content_of(img, "/etc/group", &glen, &gn);
	passwd_parse(a, pw, plen, gr, glen, &img->db);
	if (check_whole(rd, img, "/etc/passwd", pn, img->db.passwd_cut) != 0 ||
	    check_whole(rd, img, "/etc/group", gn, img->db.group_cut) != 0)
		return -1;

	const char *user = v->user ? v->user : "";
	const char *colon = strchr(user, ':');
	const char *uname = colon ? arena_strndup(a, user, (size_t)(colon - user)) : user;
	const char *gname = colon ? colon + 1 : NULL;
	const struct passwd_entry *pe = NULL;
	img->user_found = true;
	img->group_found = true;
	if (!*uname) {
		v->uid = 0;
		pe = passwd_by_uid(&img->db, 0);
	} else if (parse_num(uname) >= 0) {
		v->uid = parse_num(uname);
		pe = passwd_by_uid(&img->db, v->uid);
	} else {
		v->user_is_name = true;
		pe = passwd_by_name(&img->db, uname);
		if (pe) {
			v->uid = pe->uid;
		} else {
			v->uid = -1;
			img->user_found = false;
			img->missing = uname;
		}
	}
	if (gname && *gname) {
		long g = parse_num(gname);
		if (g >= 0) {
			v->gid = g;
		} else {
			const struct group_entry *ge = group_by_name(&img->db, gname);
			v->gid = ge ? ge->gid : -1;
			if (!ge) {
				img->group_found = false;
				if (!img->missing)
					img->missing = gname;
			}
		}
	} else {
		v->gid = pe ? pe->gid : (img->user_found ? 0 : -1);
	}
	/* The runtimes add the groups /etc/group lists the user in (supplementary groups). */
	const char *member = pe ? pe->name : (v->user_is_name ? uname : NULL);
	size_t cap = 0;
	for (size_t i = 0; member && i < img->db.ngroups; i++) {
		const struct group_entry *g = &img->db.groups[i];
		for (size_t k = 0; k < g->nmembers; k++) {
			if (strcmp(g->members[k], member) != 0)
				continue;
			long *slot = ARR_PUSH(a, img->groups, img->ngroups, cap);
			if (slot)
				*slot = g->gid;
			break;
		}
	}
	const char *home = env_get(v, "HOME");
	v->home = home ? home : pe && pe->home && *pe->home ? pe->home : "/";
	struct owned_scan os = {a, v, 0};
	fs_walk(a, img->fs->root, owned_visit, &os);
	if (arena_failed(a)) {
		reading_error(rd, img->path, NULL, 0, 0, "out of memory reading '%s'", img->path);
		return -1;
	}
	return 0;
}
