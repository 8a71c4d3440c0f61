/*
 * test-simulate.c - the identity model of `unroot simulate`, rule by rule and
 * both ways: what each platform gives the process, when it refuses to start
 * it, and the access checks, on hand-made images and manifests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unroot/arena.h"
#include "identity/identity.h"
#include "image/image.h"
#include "k8s/k8s.h"
#include "unroot/lint.h"
#include "unroot/simulate.h"
#include "unroot/source.h"
#include "yaml/ytree.h"

static struct arena *A;
static struct lint_options O;

static int setup(void **state)
{
	(void)state;
	A = arena_new(256 << 20);
	lint_options_init(&O);
	return A ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(A);
	return 0;
}

/* --- building images and pods ---------------------------------------------------- */

#define MAXE 32
struct img_spec {
	const char *user;
	const char *passwd, *group; /* /etc/passwd and /etc/group contents */
	uint32_t passwd_mode;	    /* default 0644 */
	const char *entry[2];	    /* the entrypoint */
	const char *workdir;
	const char *env[4];
	const char *volumes[2];
	struct layer_entry extra[MAXE]; /* more files */
};

static struct layer_entry E(const char *path, uint32_t mode, uint32_t uid, uint32_t gid) {
	return (struct layer_entry){.path = path, .mode = mode, .uid = uid, .gid = gid};
}

static struct layer_entry
C(const char *path, uint32_t mode, uint32_t uid, uint32_t gid, const char *content) {
	struct layer_entry e = E(path, mode, uid, gid);
	e.content = content;
	e.content_len = strlen(content);
	e.size = e.content_len;
	return e;
}

static size_t
count(const char *const *v, size_t max)
{
	size_t n = 0;
	while (n < max && v[n])
		n++;
	return n;
}

/* An image the way image_load leaves it: filesystem, config, user resolved. */
static struct image_view *image(const struct img_spec *s)
{
	struct layer_entry es[MAXE + 8];
	size_t n = 0;
	es[n++] = E("/etc", FS_DIR | 0755, 0, 0);
	es[n++] = C("/etc/passwd", FS_REG | (s->passwd_mode ? s->passwd_mode : 0644), 0, 0,
		    s->passwd ? s->passwd : "root:x:0:0:root:/root:/bin/sh\n");
	es[n++] = C("/etc/group", FS_REG | 0644, 0, 0, s->group ? s->group : "root:x:0:\n");
	es[n++] = E("/bin", FS_DIR | 0755, 0, 0);
	es[n++] = E("/bin/sh", FS_REG | 0755, 0, 0);
	for (size_t i = 0; i < MAXE && s->extra[i].path; i++)
		es[n++] = s->extra[i];
	struct fsmodel *fs = fs_new(A, 1000);
	struct layer l = {.entries = es, .n = n};
	const char *why = NULL;
	assert_int_equal(fs_apply_layer(fs, &l, 0, &why), 0);

	struct image *img = arena_alloc(A, sizeof(*img));
	img->path = "img.tar";
	img->fs = fs;
	struct image_view *v = &img->view;
	v->origin = "img.tar";
	v->from_image = true;
	v->fs = fs;
	v->user = s->user ? s->user : "";
	v->user_known = true;
	v->entrypoint = (const char **)s->entry;
	v->nentrypoint = count(s->entry, 2);
	v->workdir = s->workdir;
	v->env = (const char **)s->env;
	v->nenv = count(s->env, 4);
	v->volumes = (const char **)s->volumes;
	v->nvolumes = count(s->volumes, 2);
	image_path_env(A, img);
	const char *pw = s->passwd ? s->passwd : "root:x:0:0:root:/root:/bin/sh\n";
	const char *gr = s->group ? s->group : "root:x:0:\n";
	passwd_parse(A, pw, strlen(pw), gr, strlen(gr), &img->db);
	/* The user, as image_facts resolves it. */
	const char *colon = strchr(v->user, ':');
	char name[64] = {0};
	snprintf(name, sizeof(name), "%.*s", colon ? (int)(colon - v->user) : (int)strlen(v->user),
		 v->user);
	v->uid = v->gid = -1;
	const struct passwd_entry *pe = NULL;
	if (!*name) {
		v->uid = 0;
	} else if (name[0] >= '0' && name[0] <= '9') {
		v->uid = atol(name);
		pe = passwd_by_uid(&img->db, v->uid);
	} else {
		v->user_is_name = true;
		pe = passwd_by_name(&img->db, name);
		v->uid = pe ? pe->uid : -1;
	}
	v->gid = colon ? atol(colon + 1) : pe ? pe->gid : 0;
	return v;
}

struct pod_model {
	struct k8s_input in;
	struct sim_pod pod;
};

static struct sim_pod *pod_of(const char *text)
{
	struct source *src = source_new(A, "pod.yaml", text, strlen(text));
	struct ydoc *docs;
	size_t n;
	struct yerror err;
	assert_int_equal(yaml_load(A, src, &O.limits, &docs, &n, &err), 0);
	struct pod_model *m = arena_alloc(A, sizeof(*m));
	assert_int_equal(k8s_build(A, src, docs, n, &m->in), 0);
	for (size_t i = 0; i < m->in.nobjects; i++)
		if (m->in.objects[i].workload) {
			m->pod = (struct sim_pod){&m->in, &m->in.objects[i],
						  &m->in.objects[i].pod.containers[0]};
			return &m->pod;
		}
	fail_msg("no workload");
	return NULL;
}

#define POD(sc)                                                                                    \
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext:\n" sc          \
	"  containers:\n  - name: app\n    image: web:1\n"

#define POD_VOL(sc, vol)                                                                           \
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext:\n" sc          \
	"  containers:\n  - name: app\n    image: web:1\n    volumeMounts:\n    - name: data\n"    \
	"      mountPath: /data\n  volumes:\n  - name: data\n" vol

static struct sim_result sim(enum sim_platform p, const struct image_view *v,
			     const struct sim_pod *pod)
{
	struct sim_ctx *ctx = sim_ctx_new(A, &O);
	struct sim_result r;
	assert_int_equal(sim_run(ctx, p, v, pod, &r), 0);
	return r;
}

static bool has_group(const struct sim_result *r, long g, enum sim_source src)
{
	for (size_t i = 0; i < r->ngroups; i++)
		if (r->groups[i].id == g && r->groups[i].src == src)
			return true;
	return false;
}

static const struct sim_check *failed(const struct sim_result *r, enum sim_check_kind k)
{
	for (size_t i = 0; i < r->nchecks; i++)
		if (r->checks[i].kind == k && sim_check_failed(&r->checks[i]))
			return &r->checks[i];
	return NULL;
}

static const struct sim_check *unknown(const struct sim_result *r, enum sim_check_kind k)
{
	for (size_t i = 0; i < r->nchecks; i++)
		if (r->checks[i].kind == k && r->checks[i].unknown)
			return &r->checks[i];
	return NULL;
}

/* --- Docker and Podman ------------------------------------------------------------ */

static void docker_no_user_is_root(void **state)
{
	(void)state;
	struct img_spec s = {0};
	struct sim_result r = sim(SIM_DOCKER, image(&s), NULL);
	assert_int_equal(r.uid.id, 0);
	assert_int_equal(r.uid.src, SIM_SRC_DEFAULT);
	assert_int_equal(r.start, SIM_STARTS);
	s.user = "1001";
	r = sim(SIM_DOCKER, image(&s), NULL);
	assert_int_equal(r.uid.id, 1001);
	assert_int_equal(r.uid.src, SIM_SRC_IMAGE_USER);
}

static void docker_gid_from_passwd_else_0(void **state)
{
	(void)state;
	struct img_spec s = {.user = "3000"};
	struct sim_result r = sim(SIM_DOCKER, image(&s), NULL);
	assert_int_equal(r.gid.id, 0);
	assert_int_equal(r.gid.src, SIM_SRC_DEFAULT);
	s.passwd = "root:x:0:0::/root:/bin/sh\njohn:x:3000:3000::/home/john:/bin/sh\n";
	r = sim(SIM_DOCKER, image(&s), NULL);
	assert_int_equal(r.gid.id, 3000);
	assert_int_equal(r.gid.src, SIM_SRC_PASSWD);
	assert_string_equal(r.home, "/home/john");
	/* USER uid:gid is used as given. */
	s.user = "3000:5";
	r = sim(SIM_DOCKER, image(&s), NULL);
	assert_int_equal(r.gid.id, 5);
	assert_int_equal(r.gid.src, SIM_SRC_IMAGE_USER);
}

static void docker_unknown_user_refused(void **state)
{
	(void)state;
	struct img_spec s = {.user = "app"};
	struct sim_result r = sim(SIM_DOCKER, image(&s), NULL);
	assert_int_equal(r.start, SIM_REFUSED);
	assert_string_equal(r.refusals[0].message,
			    "unable to find user app: no matching entries in passwd file");
	assert_true(r.breaks);
	s.passwd = "root:x:0:0::/root:/bin/sh\napp:x:1001:0::/app:/bin/sh\n";
	r = sim(SIM_DOCKER, image(&s), NULL);
	assert_int_equal(r.start, SIM_STARTS);
	assert_int_equal(r.uid.id, 1001);
	assert_int_equal(r.uid.src, SIM_SRC_PASSWD);
	/* An unknown group is refused the same way. */
	s.user = "app:nogroup";
	r = sim(SIM_DOCKER, image(&s), NULL);
	assert_int_equal(r.start, SIM_REFUSED);
	assert_non_null(strstr(r.refusals[0].message, "unable to find group nogroup"));
}

static void etc_group_unless_group_named(void **state)
{
	(void)state;
	struct img_spec s = {.user = "app",
			     .passwd = "app:x:1001:1001::/:/bin/sh\n",
			     .group = "app:x:1001:\nextra:x:5000:app\nother:x:6000:bob\n"};
	struct sim_result r = sim(SIM_DOCKER, image(&s), NULL);
	assert_true(has_group(&r, 5000, SIM_SRC_ETC_GROUP));
	assert_false(has_group(&r, 6000, SIM_SRC_ETC_GROUP));
	/* USER app:app names the group: runc adds no groups from /etc/group. */
	s.user = "app:1001";
	r = sim(SIM_DOCKER, image(&s), NULL);
	assert_int_equal(r.ngroups, 0);
	/* A numeric runAsUser takes the groups of the uid's passwd name (Merge)... */
	s.user = "app";
	r = sim(SIM_KUBERNETES, image(&s), pod_of(POD("    runAsUser: 1001\n")));
	assert_true(has_group(&r, 5000, SIM_SRC_ETC_GROUP));
	/* ...and none with supplementalGroupsPolicy: Strict. */
	r = sim(SIM_KUBERNETES, image(&s),
		pod_of(POD("    runAsUser: 1001\n    supplementalGroupsPolicy: Strict\n")));
	assert_false(has_group(&r, 5000, SIM_SRC_ETC_GROUP));
}

/* --- Kubernetes --------------------------------------------------------------------- */

static void run_as_user_drops_image_gid(void **state)
{
	(void)state;
	struct img_spec s = {.user = "1001:1001"};
	struct sim_result r = sim(SIM_KUBERNETES, image(&s), pod_of(POD("    runAsUser: 2000\n")));
	assert_int_equal(r.uid.id, 2000);
	assert_int_equal(r.uid.src, SIM_SRC_RUN_AS_USER);
	assert_int_equal(r.gid.id, 0);
	assert_int_equal(r.gid.src, SIM_SRC_DEFAULT);
	/* The passwd entry of the new uid gives its gid. */
	s.passwd = "root:x:0:0::/root:/bin/sh\nu:x:2000:44::/:/bin/sh\n";
	r = sim(SIM_KUBERNETES, image(&s), pod_of(POD("    runAsUser: 2000\n")));
	assert_int_equal(r.gid.id, 44);
	assert_int_equal(r.gid.src, SIM_SRC_PASSWD);
	/* Without runAsUser the image's user and group stay. */
	r = sim(SIM_KUBERNETES, image(&s), pod_of(POD("    runAsNonRoot: true\n")));
	assert_int_equal(r.uid.id, 1001);
	assert_int_equal(r.gid.id, 1001);
}

static void run_as_group_fs_group_supplemental(void **state)
{
	(void)state;
	struct img_spec s = {.user = "1001:0"};
	struct sim_result r =
	    sim(SIM_KUBERNETES, image(&s),
		pod_of(POD("    runAsUser: 2000\n    runAsGroup: 3000\n"
			   "    fsGroup: 4000\n    supplementalGroups: [5000, 6000]\n")));
	assert_int_equal(r.gid.id, 3000);
	assert_int_equal(r.gid.src, SIM_SRC_RUN_AS_GROUP);
	assert_true(has_group(&r, 4000, SIM_SRC_FS_GROUP));
	assert_true(has_group(&r, 5000, SIM_SRC_SUPPLEMENTAL));
	assert_true(has_group(&r, 6000, SIM_SRC_SUPPLEMENTAL));
	/* Docker ignores the pod. */
	r = sim(SIM_DOCKER, image(&s), NULL);
	assert_int_equal(r.ngroups, 0);
	assert_int_equal(r.gid.id, 0);
}

static void kubelet_run_as_non_root(void **state)
{
	(void)state;
	struct img_spec s = {.user = "app", .passwd = "app:x:1001:0::/:/bin/sh\n"};
	struct sim_result r =
	    sim(SIM_KUBERNETES, image(&s), pod_of(POD("    runAsNonRoot: true\n")));
	assert_int_equal(r.start, SIM_REFUSED);
	assert_string_equal(r.refusals[0].by, "kubelet");
	assert_string_equal(r.refusals[0].message,
			    "container has runAsNonRoot and image has non-numeric user (app), "
			    "cannot verify user is non-root");
	/* runAsUser says the uid: the kubelet checks that instead. */
	r = sim(SIM_KUBERNETES, image(&s),
		pod_of(POD("    runAsNonRoot: true\n    runAsUser: 1001\n")));
	assert_int_equal(r.start, SIM_STARTS);
	/* Without runAsNonRoot the name is fine. */
	r = sim(SIM_KUBERNETES, image(&s), pod_of(POD("    runAsUser: 1001\n")));
	assert_int_equal(r.start, SIM_STARTS);
	/* An image that runs as root. */
	struct img_spec root = {0};
	r = sim(SIM_KUBERNETES, image(&root), pod_of(POD("    runAsNonRoot: true\n")));
	assert_int_equal(r.start, SIM_REFUSED);
	assert_string_equal(r.refusals[0].message,
			    "container has runAsNonRoot and image will run as root");
	/* runAsUser 0. */
	r = sim(SIM_KUBERNETES, image(&s),
		pod_of(POD("    runAsNonRoot: true\n    runAsUser: 0\n")));
	assert_string_equal(r.refusals[0].message, "container's runAsUser breaks non-root policy");
	/* A numeric image user passes. */
	struct img_spec num = {.user = "1001:0"};
	r = sim(SIM_KUBERNETES, image(&num), pod_of(POD("    runAsNonRoot: true\n")));
	assert_int_equal(r.start, SIM_STARTS);
	assert_int_equal(r.nrefusals, 0);
}

/* --- OpenShift ----------------------------------------------------------------------- */

static void openshift_range_and_fs_group(void **state)
{
	(void)state;
	struct img_spec s = {.user = "3000:3000"};
	struct sim_result r = sim(SIM_OPENSHIFT, image(&s), NULL);
	assert_int_equal(r.uid.id, 1000680000);
	assert_int_equal(r.uid.src, SIM_SRC_OPENSHIFT_UID);
	assert_int_equal(r.gid.id, 0);
	assert_true(has_group(&r, 1000680000, SIM_SRC_OPENSHIFT_FS_GROUP));
	/* The namespace's annotation decides the range. */
	const char *ns =
	    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n"
	    "  annotations:\n    openshift.io/sa.scc.uid-range: 1000900000/10000\n"
	    "    openshift.io/sa.scc.supplemental-groups: 1000900000/10000\n---\n"
	    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: team\nspec:\n"
	    "  containers:\n  - name: app\n    image: web:1\n";
	r = sim(SIM_OPENSHIFT, image(&s), pod_of(ns));
	assert_int_equal(r.uid.id, 1000900000);
	assert_true(has_group(&r, 1000900000, SIM_SRC_OPENSHIFT_FS_GROUP));
	/* A runAsUser out of the range is rejected with OpenShift's words. */
	r = sim(SIM_OPENSHIFT, image(&s), pod_of(POD("    runAsUser: 2000\n")));
	assert_int_equal(r.start, SIM_REFUSED);
	assert_string_equal(r.refusals[0].by, "restricted-v2");
	assert_non_null(
	    strstr(r.refusals[0].message, "Invalid value: 2000: must be in the ranges"));
	/* One inside the range is kept. */
	r = sim(SIM_OPENSHIFT, image(&s), pod_of(POD("    runAsUser: 1000680005\n")));
	assert_int_equal(r.start, SIM_STARTS);
	assert_int_equal(r.uid.id, 1000680005);
	assert_int_equal(r.uid.src, SIM_SRC_RUN_AS_USER);
}

static void openshift_passwd_entry(void **state)
{
	(void)state;
	struct img_spec s = {
	    .user = "1001:0", .workdir = "/app", .extra = {E("/app", FS_DIR | 0775, 1001, 0)}};
	struct sim_result r = sim(SIM_OPENSHIFT, image(&s), NULL);
	assert_true(r.passwd_injected);
	assert_string_equal(r.passwd_entry,
			    "1000680000:x:1000680000:0:1000680000 user:/app:/sbin/nologin");
	assert_string_equal(r.home, "/app");
	/* A group-writable /etc/passwd turns the entry off; the process must write its own. */
	s.passwd_mode = 0664;
	r = sim(SIM_OPENSHIFT, image(&s), NULL);
	assert_false(r.passwd_injected);
	assert_non_null(strstr(r.passwd_note, "group- or world-writable"));
	assert_string_equal(r.home, "/");
	assert_null(failed(&r, SIM_CHECK_PASSWD)); /* group 0 may write it */
	/* World-writable too. */
	s.passwd_mode = 0646;
	r = sim(SIM_OPENSHIFT, image(&s), NULL);
	assert_false(r.passwd_injected);
	/* Docker and Kubernetes (containerd) add no entry at all. */
	s.passwd_mode = 0644;
	r = sim(SIM_DOCKER, image(&s), NULL);
	assert_false(r.passwd_injected);
	/* A uid with an entry needs none. */
	s.passwd = "root:x:0:0::/root:/bin/sh\nx:x:1000680000:0::/home/x:/bin/sh\n";
	r = sim(SIM_OPENSHIFT, image(&s), NULL);
	assert_false(r.passwd_injected);
	assert_string_equal(r.user_name, "x");
}

/* --- access checks ------------------------------------------------------------------ */

static void entrypoint_and_interpreter(void **state)
{
	(void)state;
	struct img_spec s = {.user = "3000",
			     .entry = {"/app/run.sh"},
			     .extra = {E("/app", FS_DIR | 0755, 3000, 3000),
				       C("/app/run.sh", FS_REG | 0750, 3000, 3000, "#!/bin/sh\n")}};
	struct sim_result r = sim(SIM_DOCKER, image(&s), NULL);
	assert_null(failed(&r, SIM_CHECK_ENTRYPOINT));
	assert_false(r.breaks);
	r = sim(SIM_OPENSHIFT, image(&s), NULL);
	const struct sim_check *c = failed(&r, SIM_CHECK_ENTRYPOINT);
	assert_non_null(c);
	assert_string_equal(c->at, "/app/run.sh");
	assert_int_equal(c->owner, 3000);
	assert_int_equal(c->group, 3000);
	assert_int_equal(c->mode, 0750);
	assert_string_equal(c->fix, "RUN chgrp 0 /app/run.sh && chmod g=u /app/run.sh");
	assert_true(r.breaks);
	/* An interpreter only root may execute. */
	struct img_spec t = {.user = "1001:0",
			     .entry = {"/app/run.sh"},
			     .extra = {E("/app", FS_DIR | 0755, 0, 0),
				       C("/app/run.sh", FS_REG | 0755, 0, 0, "#!/opt/sh -e\n"),
				       E("/opt", FS_DIR | 0755, 0, 0),
				       E("/opt/sh", FS_REG | 0700, 0, 0)}};
	r = sim(SIM_DOCKER, image(&t), NULL);
	c = failed(&r, SIM_CHECK_INTERPRETER);
	assert_non_null(c);
	assert_string_equal(c->path, "/opt/sh");
	assert_null(failed(&r, SIM_CHECK_ENTRYPOINT));
	/* A program that is not there. */
	t.entry[0] = "/nope";
	r = sim(SIM_DOCKER, image(&t), NULL);
	c = failed(&r, SIM_CHECK_ENTRYPOINT);
	assert_non_null(c);
	assert_true(c->missing);
}

static void workdir_home_volume(void **state)
{
	(void)state;
	struct img_spec s = {
	    .user = "1001",
	    .workdir = "/srv",
	    .env = {"HOME=/home/app"},
	    .volumes = {"/data"},
	    .extra = {E("/srv", FS_DIR | 0700, 1001, 1001), E("/home", FS_DIR | 0755, 0, 0),
		      E("/home/app", FS_DIR | 0755, 1001, 0), E("/data", FS_DIR | 0775, 1001, 0)}};
	struct sim_result r = sim(SIM_DOCKER, image(&s), NULL);
	assert_int_equal(r.nfailed, 0);
	r = sim(SIM_OPENSHIFT, image(&s), NULL);
	const struct sim_check *w = failed(&r, SIM_CHECK_WORKDIR);
	assert_non_null(w);
	assert_string_equal(w->at, "/srv");
	assert_string_equal(w->fix, "RUN chgrp -R 0 /srv && chmod -R g=u /srv");
	/* The runtime enters WORKDIR as root: the process starts, relative paths fail. */
	assert_false(w->fatal);
	assert_false(r.breaks);
	const struct sim_check *h = failed(&r, SIM_CHECK_HOME);
	assert_non_null(h);
	assert_false(h->fatal);			   /* advisory */
	assert_null(failed(&r, SIM_CHECK_VOLUME)); /* 0775 group 0 */
	assert_ptr_equal(sim_first_failure(&r), w);
}

static void pod_volumes_and_fs_group(void **state)
{
	(void)state;
	struct img_spec s = {.user = "1001:0"};
	const struct image_view *v = image(&s);
	/* A PVC keeps its root:root 0755 without fsGroup: not writable. */
	struct sim_result r =
	    sim(SIM_KUBERNETES, v,
		pod_of(POD_VOL("    runAsNonRoot: true\n",
			       "    persistentVolumeClaim:\n      claimName: d\n")));
	const struct sim_check *c = failed(&r, SIM_CHECK_MOUNT);
	assert_non_null(c);
	assert_int_equal(c->mode, 0755);
	assert_int_equal(c->group, 0);
	assert_string_equal(c->fix, "fsGroup: 0");
	/* With fsGroup the kubelet gives it to that group, setgid, g+rwx. */
	r = sim(SIM_KUBERNETES, v,
		pod_of(POD_VOL("    fsGroup: 2000\n",
			       "    persistentVolumeClaim:\n      claimName: d\n")));
	assert_null(failed(&r, SIM_CHECK_MOUNT));
	/* An emptyDir is 0777. */
	r = sim(SIM_KUBERNETES, v, pod_of(POD_VOL("    runAsUser: 5\n", "    emptyDir: {}\n")));
	assert_null(failed(&r, SIM_CHECK_MOUNT));
	assert_int_equal(r.nchecks, 1);
	/* OpenShift always assigns an fsGroup. */
	r = sim(SIM_OPENSHIFT, v,
		pod_of(POD_VOL("    runAsNonRoot: true\n",
			       "    persistentVolumeClaim:\n      claimName: d\n")));
	assert_null(failed(&r, SIM_CHECK_MOUNT));
	/* Other volume types are listed as not checked. */
	r = sim(SIM_KUBERNETES, v,
		pod_of(POD_VOL("    runAsUser: 5\n", "    hostPath:\n"
						     "      path: /x\n")));
	assert_int_equal(r.nchecks, 0);
	assert_true(r.nunchecked > 0);
}

static void app_files_readable(void **state)
{
	(void)state;
	struct img_spec s = {.user = "3000:3000",
			     .entry = {"/app/run.sh"},
			     .extra = {E("/app", FS_DIR | 0755, 0, 0),
				       C("/app/run.sh", FS_REG | 0755, 0, 0, "#!/bin/sh\n"),
				       E("/app/conf", FS_REG | 0640, 3000, 3000),
				       E("/app/open", FS_REG | 0644, 3000, 3000),
				       E("/app/root-only", FS_REG | 0600, 0, 0)}};
	struct sim_result r = sim(SIM_DOCKER, image(&s), NULL);
	assert_null(failed(&r, SIM_CHECK_APP));
	r = sim(SIM_OPENSHIFT, image(&s), NULL);
	const struct sim_check *c = failed(&r, SIM_CHECK_APP);
	assert_non_null(c);
	assert_string_equal(c->path, "/app/conf");
	assert_int_equal(c->owner, 3000);
	assert_int_equal(c->mode, 0640);
	assert_string_equal(c->fix, "RUN chgrp 0 /app/conf && chmod g=u /app/conf");
	/* Only the files the image's own user can use are the app's: root-only is not. */
	for (size_t i = 0; i < r.nchecks; i++)
		assert_string_not_equal(r.checks[i].path, "/app/root-only");
	/* runAsGroup 3000 keeps group access... */
	r = sim(SIM_KUBERNETES, image(&s),
		pod_of(POD("    runAsUser: 2000\n    runAsGroup: 3000\n")));
	assert_null(failed(&r, SIM_CHECK_APP));
	/* ...a runAsUser alone does not. */
	r = sim(SIM_KUBERNETES, image(&s), pod_of(POD("    runAsUser: 2000\n")));
	assert_non_null(failed(&r, SIM_CHECK_APP));
}

static void runas_group_0_fix(void **state)
{
	(void)state;
	struct img_spec s = {.user = "1001:0",
			     .entry = {"/app/run.sh"},
			     .extra = {E("/app", FS_DIR | 0770, 1001, 0),
				       C("/app/run.sh", FS_REG | 0770, 1001, 0, "#!/bin/sh\n")}};
	struct sim_result r = sim(SIM_KUBERNETES, image(&s),
				  pod_of(POD("    runAsUser: 2000\n    runAsGroup: 3000\n")));
	const struct sim_check *c = failed(&r, SIM_CHECK_ENTRYPOINT);
	assert_non_null(c);
	assert_true(c->refused & FS_X_OK);
	assert_string_equal(c->fix, "runAsGroup: 0");
	r = sim(SIM_KUBERNETES, image(&s), pod_of(POD("    runAsUser: 2000\n    runAsGroup: 0\n")));
	assert_int_equal(r.nfailed, 0);
}

/* --- without an image ------------------------------------------------------------------ */

static void dockerfile_view_says_what_it_cannot_check(void **state)
{
	(void)state;
	struct owned_path owned = {.path = "/app", .uid = 3000, .gid = 3000, .mode = -1};
	struct image_view v = {.origin = "Dockerfile",
			       .user = "3000",
			       .user_known = true,
			       .uid = 3000,
			       .gid = -1,
			       .owned = &owned,
			       .nowned = 1,
			       .workdir = "/app"};
	struct sim_result r = sim(SIM_DOCKER, &v, NULL);
	assert_int_equal(r.uid.id, 3000);
	assert_int_equal(r.gid.id, 0);
	assert_true(r.nunchecked >= 2);
	assert_false(r.breaks);
	/* OpenShift's uid is neither owner nor in group 3000: only the other bits of a mode
	 * the build context decides could open /app. Unknown: no failure, no pass. */
	r = sim(SIM_OPENSHIFT, &v, NULL);
	assert_null(failed(&r, SIM_CHECK_APP));
	const struct sim_check *c = unknown(&r, SIM_CHECK_APP);
	assert_non_null(c);
	assert_string_equal(c->path, "/app");
	assert_false(c->ok);
	assert_int_equal(c->klass, 'o');
	assert_non_null(strstr(c->why, "only its other bits"));
	assert_non_null(c->fix);
	assert_int_equal(r.nfailed, 0);
	assert_int_equal(r.nunknown, 1);
	assert_false(r.breaks);
	assert_null(sim_first_failure(&r));
	/* The owner reads it whatever the mode: no check at all for the image's own uid. */
	r = sim(SIM_DOCKER, &v, NULL);
	assert_null(unknown(&r, SIM_CHECK_APP));
	/* A known 0600: the other class has nothing, it fails. */
	owned.mode = 0600;
	r = sim(SIM_OPENSHIFT, &v, NULL);
	c = failed(&r, SIM_CHECK_APP);
	assert_non_null(c);
	assert_string_equal(c->path, "/app");
	assert_int_equal(c->mode, 0600);
	assert_true(r.breaks);
	/* A known 0644: the other class reads it, it passes. */
	owned.mode = 0644;
	r = sim(SIM_OPENSHIFT, &v, NULL);
	assert_null(failed(&r, SIM_CHECK_APP));
	assert_null(unknown(&r, SIM_CHECK_APP));
	assert_false(r.breaks);
	/* Two lines set up one path: the last holds its state, and it is checked once. */
	struct owned_path two[2] = {{.path = "/data", .uid = 3000, .gid = 3000, .mode = -1},
				    {.path = "/data", .uid = 3000, .gid = 3000, .mode = 0700}};
	struct image_view t = v;
	t.owned = two;
	t.nowned = 2;
	r = sim(SIM_OPENSHIFT, &t, NULL);
	assert_int_equal(r.nfailed, 1);
	assert_int_equal(r.nunknown, 0);
	assert_int_equal(failed(&r, SIM_CHECK_APP)->mode, 0700);
	/* A base --pull read knows the path: a RUN chown kept its 0755, so no unknown, a pass;
	 * its 0700 is a failure. */
	struct img_spec bs = {.extra = {E("/opt", FS_DIR | 0755, 0, 0),
					E("/opt/app", FS_DIR | 0755, 3000, 3000),
					E("/opt/own", FS_DIR | 0700, 3000, 3000)}};
	const struct image_view *base = image(&bs);
	struct owned_path pulled[2] = {{.path = "/opt/app", .uid = 3000, .gid = 3000, .mode = -1},
				       {.path = "/opt/own", .uid = 3000, .gid = 3000, .mode = -1}};
	struct image_view d = v;
	d.owned = pulled;
	d.nowned = 2;
	d.workdir = NULL;
	d.fs = base->fs;
	r = sim(SIM_OPENSHIFT, &d, NULL);
	assert_null(unknown(&r, SIM_CHECK_APP));
	c = failed(&r, SIM_CHECK_APP);
	assert_non_null(c);
	assert_string_equal(c->path, "/opt/own");
	assert_int_equal(c->mode, 0700);
	assert_int_equal(r.nfailed, 1);
	/* A named user: whether it starts depends on the image's /etc/passwd. */
	struct image_view n = {.origin = "Dockerfile",
			       .user = "app",
			       .user_known = true,
			       .user_is_name = true,
			       .uid = -1,
			       .gid = -1};
	r = sim(SIM_DOCKER, &n, NULL);
	assert_int_equal(r.start, SIM_START_UNKNOWN);
	/* A manifest whose image is not paired. */
	r = sim(SIM_KUBERNETES, NULL, pod_of(POD("    runAsUser: 2000\n")));
	assert_int_equal(r.uid.id, 2000);
	assert_int_equal(r.nchecks, 0);
	assert_true(r.nunchecked == 1);
}

static void id_string(void **state)
{
	(void)state;
	struct img_spec s = {.user = "3000"};
	struct sim_result r = sim(SIM_OPENSHIFT, image(&s), NULL);
	assert_string_equal(sim_id_string(A, &r), "uid=1000680000 gid=0 groups=0,1000680000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(docker_no_user_is_root),
	    cmocka_unit_test(docker_gid_from_passwd_else_0),
	    cmocka_unit_test(docker_unknown_user_refused),
	    cmocka_unit_test(etc_group_unless_group_named),
	    cmocka_unit_test(run_as_user_drops_image_gid),
	    cmocka_unit_test(run_as_group_fs_group_supplemental),
	    cmocka_unit_test(kubelet_run_as_non_root),
	    cmocka_unit_test(openshift_range_and_fs_group),
	    cmocka_unit_test(openshift_passwd_entry),
	    cmocka_unit_test(entrypoint_and_interpreter),
	    cmocka_unit_test(workdir_home_volume),
	    cmocka_unit_test(pod_volumes_and_fs_group),
	    cmocka_unit_test(app_files_readable),
	    cmocka_unit_test(runas_group_0_fix),
	    cmocka_unit_test(dockerfile_view_says_what_it_cannot_check),
	    cmocka_unit_test(id_string),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
