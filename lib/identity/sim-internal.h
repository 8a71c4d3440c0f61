/* sim-internal.h - what the files of the simulation share (lib/identity). */
#ifndef UNROOT_SIM_INTERNAL_H
#define UNROOT_SIM_INTERNAL_H

#include "identity/identity.h"
#include "image/image.h"
#include "k8s/k8s.h"
#include "unroot/lint.h"
#include "k8s/openshift.h"
#include "unroot/simulate.h"

/* Which app paths one identity cannot use, found once per identity. */
struct sim_verdicts {
	long uid, gid;
	long *groups; /* sorted */
	size_t ngroups;
	size_t *failed; /* indices into the app's paths */
	size_t nfailed;
	struct sim_verdicts *next;
};

/* The app paths of one image view, found once. */
struct sim_app {
	const struct image_view *view;
	const char **paths;
	bool *dirs;
	size_t n;
	size_t skipped;
	struct sim_verdicts *verdicts;
	struct sim_app *next;
};

struct sim_ctx {
	struct arena *a;
	const struct lint_options *o;
	struct sim_app *apps;
};

/* A pod volume mounted into the container. */
struct sim_mount {
	const char *path; /* mountPath */
	const char *name; /* the volume's name */
	const char *type; /* "emptyDir", "persistentVolumeClaim", ... */
	bool modelled;	  /* emptyDir or persistentVolumeClaim */
	bool read_only;
	struct fs_node node; /* the mount point as the process sees it */
	size_t start, end;   /* the volumeMount entry */
};

/* What sim_identity() leaves for the checks. */
struct sim_state {
	struct sim_ctx *ctx;
	enum sim_platform p;
	const struct image_view *v;
	const struct image *img; /* NULL for a Dockerfile */
	/*
	 * The files the checks look at: the image's, or for a Dockerfile whose
	 * base --pull read, the base's with the Dockerfile's chown and chmod
	 * (v->fs; the paths v->changed lists are not known). NULL without.
	 */
	const struct fsmodel *fs;
	const struct sim_pod *pod;
	struct openshift_admission adm;
	bool have_adm;
	bool explicit_group; /* the user string names a group */
	bool run_as_user;    /* runAsUser (or OpenShift's UID) replaced the image user */
	struct identity id;
	struct sim_mount *mounts;
	size_t nmounts;
	long fs_group; /* -1 without */
};

/* Fills uid, gid, groups, HOME, the passwd entry and the refusals. */
int sim_identity(struct sim_state *st, struct sim_result *r);

/* Fills the access checks and the list of what could not be checked. */
int sim_checks(struct sim_state *st, struct sim_result *r);

/*
 * True when a Dockerfile changes `path` in a way only a build shows (a COPY
 * destination, a folder above it that a chmod unroot could not follow
 * changed): its owner and mode in st->fs are not the image's.
 */
bool sim_changed(const struct sim_state *st, const char *path);

/* The value of NAME in the view's env, or NULL. */
const char *sim_env(const struct image_view *v, const char *name);

/* Appends to a string list in the arena. */
void sim_note(struct arena *a, const char ***list, size_t *n, const char *s);

#endif
