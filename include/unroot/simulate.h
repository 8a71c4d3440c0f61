/*
 * simulate.h - the identity each platform gives a container's process, whether
 * the platform starts it at all, and what the process can then do with the
 * image's files.
 *
 * Given an image view (a built image, or a Dockerfile: partly known), an
 * optional Kubernetes container with its effective security context, and a
 * platform, sim_run() computes:
 *
 *  - the uid, the primary gid and the supplementary groups, each with where
 *    it came from (the image's USER, its /etc/passwd or /etc/group,
 *    runAsUser, runAsGroup, fsGroup, supplementalGroups, OpenShift's
 *    namespace ranges, or the platform default);
 *  - HOME, and whether the runtime adds a /etc/passwd entry for the uid
 *    (CRI-O, OpenShift's runtime, does unless /etc/passwd is group- or
 *    world-writable, or the uid owns it and may write it);
 *  - whether it starts: the kubelet's runAsNonRoot refusals, restricted-v2
 *    admission, a USER name the image's /etc/passwd lacks;
 *  - access checks, in the order the process meets them: WORKDIR searchable,
 *    the entrypoint and its interpreter executable, HOME writable, VOLUMEs
 *    and the pod's emptyDir/PVC mounts writable (with the group ownership
 *    Kubernetes gives volumes when fsGroup is set), the app's files
 *    readable. Each failure names the path, its owner, group and mode, and
 *    the line that fixes it. Without an image, the checks that need one are
 *    listed in `unchecked`.
 *
 * The platform facts are those of DESIGN.md ("Platform facts"); docs/
 * simulate.md gives each one with its source. NR206, NR207 and NR209 are
 * computed from this same model. Everything lives in the arena passed in;
 * nothing here prints.
 */
#ifndef UNROOT_SIMULATE_H
#define UNROOT_SIMULATE_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct image_view;
struct source;

/* What a check wants of a path: access(2)'s R_OK, W_OK and X_OK bits. */
enum {
	FS_X_OK = 1,
	FS_W_OK = 2,
	FS_R_OK = 4,
};

enum sim_platform {
	SIM_DOCKER,
	SIM_PODMAN,
	SIM_KUBERNETES,
	SIM_OPENSHIFT,
	SIM_NPLATFORMS,
};

/* "docker", "podman", "kubernetes", "openshift". */
const char *sim_platform_name(enum sim_platform p);
/* The PLAT_* bit of a platform (diag.h). */
unsigned sim_platform_bit(enum sim_platform p);

/* Where an id came from. The names are part of the JSON schema. */
enum sim_source {
	SIM_SRC_UNKNOWN,	    /* "unknown": not known without the image */
	SIM_SRC_DEFAULT,	    /* "default": root without USER, gid 0 without a passwd entry */
	SIM_SRC_IMAGE_USER,	    /* "image-user": the image's USER (uid, or its :group) */
	SIM_SRC_PASSWD,		    /* "passwd": the image's /etc/passwd entry for the user */
	SIM_SRC_ETC_GROUP,	    /* "etc-group": the image's /etc/group lists the user */
	SIM_SRC_RUN_AS_USER,	    /* "runAsUser" */
	SIM_SRC_RUN_AS_GROUP,	    /* "runAsGroup" */
	SIM_SRC_FS_GROUP,	    /* "fsGroup" */
	SIM_SRC_SUPPLEMENTAL,	    /* "supplementalGroups" */
	SIM_SRC_OPENSHIFT_UID,	    /* "openshift-uid-range": first UID of the namespace range */
	SIM_SRC_OPENSHIFT_FS_GROUP, /* "openshift-fsgroup": first group of the namespace range */
};
const char *sim_source_name(enum sim_source s);

struct sim_id {
	long id; /* -1 when unknown */
	enum sim_source src;
	const char *detail; /* "USER 3000 (Dockerfile:9)", "the pod's securityContext", ... */
};

enum sim_start {
	SIM_STARTS,
	SIM_REFUSED,
	SIM_START_UNKNOWN, /* a USER name, and no image to look it up in */
};

/* Why a platform does not start the container. */
struct sim_refusal {
	const char *by;	     /* "kubelet", "restricted-v2", "runtime" */
	const char *message; /* the platform's own words */
	const char *fix;     /* the line to write instead, or NULL */
	size_t start, end;   /* in the manifest (by kubelet/restricted-v2) or the Dockerfile */
	bool in_image;	     /* the span is in the image's source, not the manifest */
};

enum sim_check_kind {
	SIM_CHECK_ENTRYPOINT,  /* the program the container starts: execute (and read, for a script)
				*/
	SIM_CHECK_INTERPRETER, /* the #! interpreter of that script: execute */
	SIM_CHECK_WORKDIR,     /* WORKDIR: search (advisory: the runtime enters it as root) */
	SIM_CHECK_HOME,	  /* HOME: write and search (advisory: not every program writes HOME) */
	SIM_CHECK_VOLUME, /* an image VOLUME: write and search */
	SIM_CHECK_MOUNT,  /* a pod emptyDir/PVC mount point: write and search */
	SIM_CHECK_APP,	  /* a file or folder of the app: read (and search, for folders) */
	SIM_CHECK_PASSWD, /* /etc/passwd writable, when the runtime adds no entry (advisory) */
	SIM_CHECK_START,  /* what the entrypoint writes at start: root, the owner, or the folder */
};
const char *sim_check_name(enum sim_check_kind k);

struct sim_check {
	enum sim_check_kind kind;
	const char *path; /* what was checked */
	unsigned want;	  /* FS_R_OK | FS_W_OK | FS_X_OK (identity.h) */
	bool ok;
	/*
	 * Neither passed nor failed (ok is false): the bits that decide it are
	 * not known, as a Dockerfile's path of unknown mode that the process
	 * reaches only through its other bits, which the build context decides.
	 * The failure fields below say where and why; the fix makes it certain.
	 */
	bool unknown;
	bool fatal; /* a failure breaks the workload; WORKDIR, HOME, /etc/passwd are advisory */
	/* On failure, or when unknown: */
	const char *at;	    /* where it failed: the path, or a folder on the way */
	long owner, group;  /* of `at`; -1 unknown (missing, or from a Dockerfile) */
	int mode;	    /* permission bits of `at`; -1 unknown */
	bool missing;	    /* `at` does not exist */
	const char *why;    /* "group class r-- lacks w", "no such file", ... */
	const char *fix;    /* the line that fixes it */
	unsigned refused;   /* the FS_*_OK bits refused at `at` */
	char klass;	    /* 'u', 'g', 'o' that applied at `at`, 0 when missing */
	const char *source; /* "COPY line 4", where a Dockerfile set the path up; NULL */
	size_t start, end;  /* that line, when source */
};

struct sim_result {
	enum sim_platform platform;
	const struct image_view *view; /* NULL when the manifest's image is not paired */
	struct source *image_src;      /* the Dockerfile of the view, where refusals in it point */
	bool from_image;	       /* the view is a built image: every path is known */
	const char *user;	       /* the user string the runtime resolves ("3000", "app:0") */
	const char *user_name;	       /* the passwd name of the uid, when known */
	struct sim_id uid, gid;
	struct sim_id *groups; /* supplementary groups, in the order the runtime adds them */
	size_t ngroups;
	const char *home;
	const char *home_from;	  /* "ENV HOME", "/etc/passwd", "runtime passwd entry", "default" */
	bool passwd_injected;	  /* the runtime adds a /etc/passwd entry for the uid */
	const char *passwd_entry; /* that entry, as written */
	const char *passwd_note;  /* why there is none, when the uid has no entry */
	enum sim_start start;
	struct sim_refusal *refusals;
	size_t nrefusals;
	struct sim_check *checks;
	size_t nchecks;
	size_t nfailed;		/* checks that failed, fatal or not */
	size_t nunknown;	/* checks whose outcome is unknown, fatal or not */
	size_t app_skipped;	/* app paths beyond SIM_MAX_APP_PATHS, not checked */
	const char **unchecked; /* what could not be checked, and why */
	size_t nunchecked;
	bool breaks; /* refused, or a fatal check failed */
};

/* At most this many app paths are checked per container. */
#define SIM_MAX_APP_PATHS 4096

/* The first failed check, fatal ones first; NULL when none failed. */
const struct sim_check *sim_first_failure(const struct sim_result *r);

/* True when a check failed: not passed, and not unknown. */
bool sim_check_failed(const struct sim_check *c);

/* "uid=1000680000 gid=0 groups=0,1000680000" as `id` shows it (groups include gid). */
const char *sim_id_string(struct arena *a, const struct sim_result *r);

/* --- simulating inputs ------------------------------------------------------ */

struct lint_run;
struct sim_ctx;

/* One row of a report: one platform for one container (or a plain run). */
struct sim_row {
	const char *input;     /* the path it came from ("-" for stdin) */
	const char *object;    /* "Deployment/web"; NULL for a plain run of an image */
	const char *container; /* the container's name; NULL for a plain run */
	const char *image;     /* the container's image reference, or the input path */
	const char *paired;    /* what the reference is paired with, or NULL */
	struct source *src;    /* the manifest, for positions of refusals; NULL for a plain run */
	struct sim_result r;
};

struct sim_report {
	struct sim_ctx *ctx;
	struct sim_row *rows;
	size_t nrows, cap;
};

/* An empty report for a run; -1 when the arena is full. */
int sim_report_init(struct lint_run *run, struct sim_report *rep);

/*
 * Adds the rows of one input: an image or a Dockerfile (a plain run on
 * every platform of opts->platforms), or manifests (Kubernetes and
 * OpenShift for every container, with the image paired through
 * opts->images). Inputs that cannot be read become NR000 in the run.
 */
void sim_add_path(struct lint_run *run, struct sim_report *rep, const char *path);
/* The same for bytes already read (stdin), as kind (KIND_NONE: detect by name). */
void sim_add_buffer(struct lint_run *run, struct sim_report *rep, const char *path,
		    const char *data, size_t len, int kind);

/* True when a row of a platform in `platforms` (PLAT_* bits) is refused or breaks. */
bool sim_report_breaks(const struct sim_report *rep, unsigned platforms);

#endif
