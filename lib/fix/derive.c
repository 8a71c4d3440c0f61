/*
 * derive.c - a derived Dockerfile for an image one does not own: what
 * simulate found failing for OpenShift's arbitrary uid, given to group 0.
 */
#include "image/image.h"
#include "image/ref.h"
#include "image/view.h"
#include "unroot/arena.h"
#include "unroot/buf.h"
#include "unroot/fix.h"
#include "unroot/simulate.h"

#include <stdlib.h>
#include <string.h>

struct paths {
	const char **v;
	size_t n;
};

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 1 && dir[0] == '/')
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static void add(struct paths *p, const char *path, size_t cap)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i], path) == 0)
			return;
	if (p->n < cap)
		p->v[p->n++] = path;
}

/* Drops the paths that lie under another one of the list (-R covers them). */
static void covered(struct paths *p)
{
	size_t w = 0;
	for (size_t i = 0; i < p->n; i++) {
		bool inside = false;
		for (size_t k = 0; k < p->n && !inside; k++)
			inside = k != i && under(p->v[i], p->v[k]) && strcmp(p->v[i], p->v[k]) != 0;
		if (!inside)
			p->v[w++] = p->v[i];
	}
	p->n = w;
}

/* A path as a shell word: quoted when it holds anything but the plain characters. */
static void put_path(struct buf *out, const char *s)
{
	bool plain = *s != '\0';
	for (const char *c = s; *c && plain; c++)
		plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			(*c >= '0' && *c <= '9') || strchr("/._-+@%=:,", *c);
	buf_putc(out, ' ');
	if (plain) {
		buf_puts(out, s);
		return;
	}
	buf_putc(out, '\'');
	for (const char *c = s; *c; c++)
		if (*c == '\'')
			buf_puts(out, "'\\''");
		else
			buf_putc(out, *c);
	buf_putc(out, '\'');
}

static void put_list(struct buf *out, const char *cmd, const struct paths *p)
{
	buf_puts(out, cmd);
	for (size_t i = 0; i < p->n; i++)
		put_path(out, p->v[i]);
}

/*
 * FROM the image: a registry reference pinned to the digest of what was
 * read (`REF@sha256:...`, its tag kept for the reader), so that the build
 * derives from the very image simulate checked; any other reference (a
 * local layout, an archive, a store) as given: a Dockerfile has no digest
 * form for it.
 */
static void put_from(struct buf *out, const char *image, const struct image *img)
{
	struct arena *a = img && img->digest ? arena_new((size_t)1 << 20) : NULL;
	struct image_ref ref;
	const char *why;
	if (a && image_ref_parse(a, image, &ref, &why) == 0 && ref.transport == TRANSPORT_DOCKER) {
		const char *name = strncmp(image, "docker://", 9) == 0 ? image + 9 : image;
		buf_printf(out, "FROM %.*s@%s\n", (int)strcspn(name, "@"), name, img->digest);
	} else {
		buf_printf(out, "FROM %s\n", image);
	}
	arena_free(a);
}

void fix_from_image(const struct sim_result *r, const char *image, long default_uid,
		    struct buf *out)
{
	size_t cap = r->nchecks ? r->nchecks : 1;
	struct paths rec = {calloc(cap, sizeof(char *)), 0};
	struct paths dirs = {calloc(cap, sizeof(char *)), 0};
	struct paths made = {calloc(cap, sizeof(char *)), 0};
	struct paths vols = {NULL, 0};
	if (!rec.v || !dirs.v || !made.v) {
		out->failed = true;
		goto done;
	}
	vols.v = calloc(cap, sizeof(char *));
	if (!vols.v) {
		out->failed = true;
		goto done;
	}
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct sim_check *c = &r->checks[i];
		if (c->ok || c->kind == SIM_CHECK_PASSWD || !c->path || c->path[0] != '/')
			continue;
		/* a RUN of the derived image cannot change a VOLUME of its base: the build
		 * discards what it writes there */
		bool in_volume = false;
		for (size_t v = 0; r->view && v < r->view->nvolumes && !in_volume; v++)
			in_volume = under(c->path, r->view->volumes[v]);
		if (in_volume) {
			add(&vols, c->path, cap);
			continue;
		}
		if (c->missing) {
			/* a folder it must write (a VOLUME, HOME) is made; a missing program is no
			 * permission problem */
			if (c->want & FS_W_OK)
				add(&made, c->path, cap);
			else
				continue;
		}
		add(&rec, c->path, cap);
		/* a folder on the way that stopped the search is opened, not all it holds */
		if (c->at && !c->missing && strcmp(c->at, c->path) != 0 && under(c->path, c->at))
			add(&dirs, c->at, cap);
	}
	covered(&rec);
	long uid = r->view && r->view->uid > 0 ? r->view->uid : default_uid;
	buf_printf(out,
		   "# %s, made to run under OpenShift's arbitrary uid in group 0: group 0\n"
		   "# gets the owner's permissions on what the process could not use there\n"
		   "# (unroot simulate).\n",
		   image);
	for (size_t i = 0; i < vols.n; i++)
		buf_printf(
		    out,
		    "# %s is in a VOLUME of the image, which a derived image cannot change:\n"
		    "# mount a volume there (Kubernetes gives it group 0 with fsGroup: 0, or\n"
		    "# OpenShift's fsGroup range).\n",
		    vols.v[i]);
	put_from(out, image, image_of_view(r->view));
	if (rec.n || dirs.n) {
		buf_puts(out, "USER 0\nRUN ");
		bool first = true;
		if (made.n) {
			put_list(out, "mkdir -p", &made);
			first = false;
		}
		if (rec.n) {
			if (!first)
				buf_puts(out, " \\\n    && ");
			put_list(out, "chgrp -R 0", &rec);
			buf_puts(out, " \\\n    && ");
			put_list(out, "chmod -R g=u", &rec);
			first = false;
		}
		if (dirs.n) {
			if (!first)
				buf_puts(out, " \\\n    && ");
			put_list(out, "chgrp 0", &dirs);
			buf_puts(out, " \\\n    && ");
			put_list(out, "chmod g=u", &dirs);
		}
		buf_putc(out, '\n');
	}
	buf_printf(out, "USER %ld:0\n", uid);
done:
	free(rec.v);
	free(dirs.v);
	free(made.v);
	free(vols.v);
}
