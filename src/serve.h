/*
 * serve.h - unroot serve, the admission webhook: what its files share.
 *
 * The server is a thin caller of the library, as the CLI is. An
 * AdmissionReview is parsed (serve-review.c), its object is linted and
 * simulated with the same calls `unroot lint` and `unroot simulate` make,
 * and the findings become a verdict under the configured policy
 * (serve-verdict.c), or a JSONPatch on /mutate (serve-patch.c). Images are
 * read in the background and kept in memory (serve-images.c). HTTP and TLS
 * are libmicrohttpd's and GnuTLS's (serve-http.c, serve-tls.c); counters
 * for /metrics in serve-metrics.c, JSON log lines in serve-log.c.
 *
 * The review, verdict and patch code does not depend on the HTTP library,
 * so the fuzz target and the unit tests link it alone.
 */
#ifndef UNROOT_SERVE_H
#define UNROOT_SERVE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unroot/lint.h"

struct arena;
struct buf;

/* --- configuration (serve-config.c) ---------------------------------------- */

/* A namespace rule: the first whose pattern matches the request's namespace applies. */
struct ns_rule {
	const char *match; /* fnmatch pattern */
	bool skip;	   /* allowed without a check */
	int deny;	   /* -1: the global one; else bits 1 << SEV_* */
	int dry_run;	   /* -1: the global one; else 0 or 1 */
};

enum log_reviews {
	LOG_REVIEWS_NONE,
	LOG_REVIEWS_DENIED, /* denials and warnings */
	LOG_REVIEWS_ALL,
};

struct serve_config {
	const char *path; /* the file, or NULL */
	const char *listen;
	const char *tls_cert, *tls_key;
	unsigned platform; /* PLAT_KUBERNETES or PLAT_OPENSHIFT */
	unsigned deny;	   /* bits 1 << SEV_*: the levels that deny */
	bool dry_run;
	struct ns_rule *namespaces;
	size_t nnamespaces;

	/* Images */
	bool images;		  /* pull each container's image and check it */
	unsigned deadline_ms;	  /* a review waits at most this long for its images */
	bool image_failure_deny;  /* an image not read in time, or not at all: deny */
	unsigned image_ttl_s;	  /* a tag's scan is trusted this long */
	unsigned image_retry_s;	  /* a failed read is tried again after this long */
	size_t image_cache_count; /* images kept in memory */
	size_t image_cache_bytes; /* and the memory they may take */
	unsigned scanners;	  /* images read at once */

	/* HTTP */
	size_t max_body;	    /* bytes of one request body */
	size_t body_budget;	    /* bytes of all request bodies held at once */
	unsigned max_connections;   /* open at once; more are closed when accepted */
	unsigned request_timeout_s; /* a request must arrive whole within this */
	unsigned idle_timeout_s;    /* a connection with no request open is closed after */
	unsigned threads;	    /* 0: the usable CPUs */
	unsigned drain_delay_s;	    /* after SIGTERM, serve on (not ready) this long */
	unsigned drain_timeout_s;   /* then wait this long for open requests */
	unsigned cert_poll_ms;	    /* how often the certificate files are looked at */
	enum log_reviews log_reviews;

	const char *lint_config; /* a .unroot.yaml, as `unroot lint --config` takes it */
	struct lint_options lint;
	struct arena *arena; /* what the configuration owns */
};

/* Defaults into *c, with an arena of its own; -1 when out of memory. */
int serve_config_init(struct serve_config *c);
void serve_config_release(struct serve_config *c);

/*
 * Reads the server's YAML configuration (docs/serve.md) into *c, then the
 * .unroot.yaml it names. Returns 0, or -1 with *err ("FILE:LINE:COL: what").
 */
int serve_config_load(struct serve_config *c, const char *path, const char **err);

/* "10s", "500ms", "2m", or a number of seconds, into milliseconds; false when it is none. */
bool serve_parse_duration(const char *s, unsigned long long *ms);
/* "4Mi", "512Ki", "1G", or a number of bytes; false when it is none. */
bool serve_parse_size(const char *s, unsigned long long *bytes);

/* --- AdmissionReview (serve-review.c) -------------------------------------- */

struct review {
	json_t *root; /* the parsed body: owns everything below */
	const char *uid;
	const char *group, *version, *kind; /* request.kind */
	const char *resource, *sub_resource;
	const char *namespace, *name, *operation;
	bool dry_run;
	json_t *object;	    /* request.object, or NULL (DELETE) */
	json_t *old_object; /* request.oldObject, or NULL (CREATE) */
};

/*
 * True when `name` is an ephemeral container of the review's object that
 * its old object lacks: what an update of the ephemeralcontainers
 * subresource adds, and all it may change.
 */
bool review_new_ephemeral(const struct review *r, const char *name);

/*
 * Parses a request body. Returns 0, or -1 with *why (static text or text in
 * `why_buf`) when it is not an admission.k8s.io/v1 AdmissionReview with a
 * request and a uid: the server answers HTTP 400.
 */
int review_parse(const char *data, size_t len, struct review *r, char *why_buf, size_t why_size,
		 const char **why);
void review_release(struct review *r);

/* --- the verdict (serve-verdict.c) ------------------------------------------ */

enum verdict_label {
	VERDICT_ALLOWED, /* checked, nothing to say */
	VERDICT_WARNED,	 /* allowed with warnings */
	VERDICT_DENIED,
	VERDICT_PATCHED, /* mutate: allowed with a patch */
	VERDICT_SKIPPED, /* not a kind, operation or namespace that is checked */
	VERDICT_NLABELS,
};
const char *verdict_label_name(enum verdict_label l);

/* One thing found, as the response lists it. */
struct finding {
	int severity;	    /* enum severity */
	const char *code;   /* "NR202", or "simulate" */
	const char *text;   /* what, where, why */
	const char *fix;    /* the line to write, or NULL */
	const char *object; /* "Deployment/web", or NULL */
	const char *container;
};

struct verdict {
	enum verdict_label label;
	bool allowed;
	const char *why_skipped;
	struct finding *findings;
	size_t nfindings, cap;
	const char **warnings; /* the response's warnings */
	size_t nwarnings, capwarnings;
	const char *message; /* status.message when denied */
	const char *patch;   /* JSONPatch text (mutate), or NULL */
	unsigned denying;    /* findings at a level that denies */
	/* Images */
	unsigned images_pending; /* still being read */
	unsigned images_failed;	 /* could not be read, or not in time */
	bool deadline_passed;
	struct arena *arena; /* everything above */
};

struct image_lookup;

/* Kinds the server checks: the counters' labels, and which reviews are looked at. */
enum review_kind {
	RK_POD,
	RK_DEPLOYMENT,
	RK_STATEFULSET,
	RK_DAEMONSET,
	RK_REPLICASET,
	RK_JOB,
	RK_CRONJOB,
	RK_DEPLOYMENTCONFIG,
	RK_OTHER,
	RK_NKINDS,
};
enum review_kind review_kind_of(const struct review *r);
const char *review_kind_name(enum review_kind k);

/*
 * Judges a review: lints and simulates its object under the policy for its
 * namespace (validate), or builds the JSONPatch (mutate). `images` may be
 * NULL (no image checks); otherwise images it has not read are counted in
 * v->images_pending, and `final` says whether the caller will wait no
 * longer: then each image not read is an image failure. Returns 0, or -1
 * when out of memory. Release with verdict_release().
 */
int serve_decide(const struct serve_config *c, const struct review *r, bool mutate,
		 struct image_lookup *images, bool final, struct verdict *v);
void verdict_release(struct verdict *v);

/* The AdmissionReview response body, malloc'd; NULL when out of memory. */
char *review_response(const struct review *r, const struct verdict *v, size_t *len);

/* --- the mutating patch (serve-patch.c) -------------------------------------- */

/*
 * Appends to `ops` the JSONPatch operations that add what `unroot fix` adds
 * for the rules NR202, NR210 and NR211 and restricted-v2's seccomp profile:
 * runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities drop
 * ALL, seccompProfile RuntimeDefault, where the object sets none of them.
 * Nothing is removed or changed. For the ephemeralcontainers subresource,
 * only the ephemeral containers it adds are patched.
 */
void patch_build(const struct review *r, enum review_kind kind, json_t *ops);

/* --- images (serve-images.c) -------------------------------------------------- */

struct image_cache;
struct metrics;

struct image_cache *image_cache_new(const struct serve_config *c, struct metrics *m);
void image_cache_free(struct image_cache *ic);
/* Answers every parked review now, as if its deadline had passed (shutting down). */
void image_cache_unpark(struct image_cache *ic);
/* True while an image is being read. */
bool image_cache_busy(struct image_cache *ic);
/* Images in memory and the bytes they take, for /metrics. */
void image_cache_stats(struct image_cache *ic, size_t *count, size_t *bytes, size_t *scanning);

/* What one review asked the cache, holding each image it got until released. */
struct image_lookup *image_lookup_new(struct image_cache *ic);
void image_lookup_free(struct image_lookup *l);
/* For lint_options.fetch.lookup. */
const struct image_view *image_lookup_view(void *data, const char *ref);
/* Images this review asked for that are still being read. */
unsigned image_lookup_pending(const struct image_lookup *l);
/* Each reference asked for that is not ready: its text and what happened, for messages. */
size_t image_lookup_problems(const struct image_lookup *l, const char ***refs, const char ***whys);
/*
 * Parks the review until every image it waits for is read, or until
 * `deadline` (now_ns() time), then calls done(arg) on the cache's waiter
 * thread, once. The lookup must live until then.
 */
void image_lookup_park(struct image_lookup *l, uint64_t deadline, void (*done)(void *arg),
		       void *arg);
/* Forgets what was asked (releasing the images), to ask again. */
void image_lookup_reset(struct image_lookup *l);

/* --- metrics (serve-metrics.c) ----------------------------------------------- */

enum endpoint {
	EP_VALIDATE,
	EP_MUTATE,
	EP_NENDPOINTS,
};

struct metrics;
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);
void metrics_review(struct metrics *m, enum endpoint ep, enum review_kind k, enum verdict_label v,
		    uint64_t ns);
void metrics_http_error(struct metrics *m, unsigned code);
void metrics_cache(struct metrics *m, bool hit);
void metrics_pull_error(struct metrics *m);
void metrics_scan(struct metrics *m, uint64_t ns);
void metrics_image_timeout(struct metrics *m);
void metrics_connections(struct metrics *m, int delta);
/* The Prometheus text exposition of everything, with the image cache's gauges. */
void metrics_write(struct metrics *m, struct image_cache *ic, struct buf *out);

/* --- logging (serve-log.c) ------------------------------------------------------- */

/*
 * One JSON line on stderr: {"time":..,"level":..,"msg":..} and the fields,
 * whose reference is taken (NULL for none). Written with one write(2), so
 * lines from threads never interleave.
 */
void slog(const char *level, const char *msg, json_t *fields);

/* --- time ----------------------------------------------------------------------- */

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);

/* --- the server (cmd-serve.c, serve-http.c, serve-tls.c) ------------------------- */

int serve_main(int argc, char **argv);

#endif
