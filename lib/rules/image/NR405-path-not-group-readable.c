/* NR405 path-not-group-readable: app files their owner can read that group 0 cannot. */
#include "image-check.h"
#include "unroot/arena.h"

#include <string.h>

#define MAX_REPORTS 50

struct hit {
	struct fs_node *node;
	unsigned want;
	size_t below; /* failing paths under it */
};

struct scan {
	struct check_ctx *ctx;
	struct identity arb;
	long uid;	      /* the image user, or -1 */
	const char *roots[4]; /* WORKDIR, the user's HOME, the entrypoints' folders */
	size_t nroots;
	struct hit *hits;
	size_t nhits, cap;
	const struct fs_node *skip[2]; /* the programs: NR404 reports them */
};

static bool under(const char *path, const char *root)
{
	size_t n = strlen(root);
	if (n == 1 && root[0] == '/')
		return false; /* "/" as WORKDIR says nothing about the app */
	return strncmp(path, root, n) == 0 && (path[n] == 0 || path[n] == '/');
}

static bool is_app_path(struct scan *s, const struct fs_node *n, const char *path)
{
	for (size_t i = 0; i < s->nroots; i++)
		if (under(path, s->roots[i]))
			return true;
	if (under(path, "/proc") || under(path, "/sys") || under(path, "/dev"))
		return false;
	if (s->uid > 0 && n->uid == (uint32_t)s->uid)
		return true;
	return n->gid != 0 && !img_system_path(path);
}

static bool is_below(const struct fs_node *n, const struct fs_node *top)
{
	for (const struct fs_node *p = n->parent; p; p = p->parent)
		if (p == top)
			return true;
	return false;
}

static bool visit(struct fs_node *n, void *data)
{
	struct scan *s = data;
	enum fs_type t = fs_type_of(n);
	if (t != FS_REG && t != FS_DIR)
		return true;
	if (n == s->skip[0] || n == s->skip[1])
		return true;
	char path[8192];
	if (!fs_path_buf(n, path, sizeof(path)) || !is_app_path(s, n, path))
		return true;
	/* What the owner may do, write aside: read, and search or execute where it can. */
	unsigned owner = (n->mode >> 6) & 7, want = owner & (FS_R_OK | FS_X_OK);
	if (!want || fs_node_permits(n, &s->arb, want))
		return true;
	unsigned missing = 0;
	for (unsigned b = 1; b <= 4; b <<= 1)
		if ((want & b) && !fs_node_permits(n, &s->arb, b))
			missing |= b;
	if (s->nhits && is_below(n, s->hits[s->nhits - 1].node)) {
		s->hits[s->nhits - 1].below++;
		return true;
	}
	struct hit *h = ARR_PUSH(s->ctx->arena, s->hits, s->nhits, s->cap);
	if (h) {
		h->node = n;
		h->want = missing;
	}
	return true;
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	const struct image *img = ctx->image;
	if (!img || !img->fs)
		return;
	struct scan s = {.ctx = ctx, .uid = img->view.uid};
	img_arbitrary(ctx, &s.arb);
	if (img->view.workdir)
		s.roots[s.nroots++] = img->view.workdir;
	/* The HOME of a non-root image user is the app's too (root's /root is not). */
	if (img->view.uid > 0 && img->view.home && strcmp(img->view.home, "/") != 0 &&
	    !img_system_path(img->view.home))
		s.roots[s.nroots++] = img->view.home;
	const char *progs[2];
	size_t np = image_programs(ctx->arena, &img->view, progs);
	for (size_t i = 0; i < np; i++) {
		const char *found;
		s.skip[i] = image_find_program(ctx->arena, img, progs[i], &found);
		if (!s.skip[i] || !found)
			continue;
		const char *slash = strrchr(found, '/');
		const char *dir = slash && slash != found
				      ? arena_strndup(ctx->arena, found, (size_t)(slash - found))
				      : NULL;
		if (dir && !img_system_path(dir))
			s.roots[s.nroots++] = dir;
	}
	fs_walk(ctx->arena, img->fs->root, visit, &s);
	for (size_t i = 0; i < s.nhits && i < MAX_REPORTS; i++) {
		const struct hit *h = &s.hits[i];
		const char *p = fs_path(ctx->arena, h->node);
		bool dir = fs_type_of(h->node) == FS_DIR;
		const char *fix = img_fix(ctx, p, h->node, h->want, dir && h->below > 0);
		img_report(
		    ctx, self, p, fix,
		    "'%s' (%s) lets its owner %s it but denies %s to uid %ld in group 0%s: "
		    "under OpenShift's arbitrary uid (or any other uid) the app cannot use "
		    "it; fix with '%s'%s",
		    p, img_describe(ctx, h->node), fs_want_words(((h->node->mode >> 6) & 5)),
		    fs_want_words(h->want), s.arb.uid,
		    h->below ? arena_printf(ctx->arena, ", and so do %zu paths under it", h->below)
			     : "",
		    fix,
		    i + 1 == MAX_REPORTS && s.nhits > MAX_REPORTS
			? arena_printf(ctx->arena, " (%zu more findings not shown)",
				       s.nhits - MAX_REPORTS)
			: "");
	}
}

const struct rule NR405_path_not_group_readable = {
    .code = "NR405",
    .name = "path-not-group-readable",
    .severity = SEV_WARNING,
    .platforms = PLAT_OPENSHIFT | PLAT_KUBERNETES,
    .kind = KIND_IMAGE,
    .summary = "an app file or folder is readable by its owner but not through group 0",
    .description =
	"Under OpenShift the process runs with an arbitrary uid and group 0, so the files the "
	"app needs are reached through the group bits when their group is 0, and through the "
	"other bits otherwise. unroot looks at the app's paths: WORKDIR, the entrypoint's "
	"folder, everything the image's user owns, and files with a group other than 0 "
	"outside the system folders, and the HOME of a non-root image user. A path whose owner may "
	"read (or search, or execute) it "
	"while the arbitrary uid may not breaks the app on OpenShift, and on Kubernetes when "
	"runAsUser differs from the owner. Write permission is left to NR406: code should be "
	"read-only.",
    .remediation = "Give the files to group 0 with the owner's rights: chgrp -R 0 /app && "
		   "chmod -R g=u /app (or COPY --chown=1001:0 and --chmod=g=u).",
    .bad = "An image built from this Dockerfile (a description: image rules read built "
	   "images):\nFROM busybox\nCOPY --chown=1001:1001 app /app\nRUN chmod -R 700 /app\n"
	   "USER 1001\nWORKDIR /app\n",
    .good = "An image built from:\nFROM busybox\nCOPY --chown=1001:0 app /app\n"
	    "RUN chmod -R g=u /app\nUSER 1001:0\nWORKDIR /app\n",
    .check = check,
};
