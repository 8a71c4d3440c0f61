/*
 * lint.h - the library's entry point: options, a run, and its results.
 *
 * A caller fills a struct lint_options (lint_options_init() gives the
 * defaults, config_load() in config.h applies a .unroot.yaml), creates a run,
 * hands it paths, calls lint_run_finish(), and reads the sorted diagnostics.
 * The run owns an arena; everything it returns is valid until
 * lint_run_free(). Nothing here prints or exits.
 */
#ifndef UNROOT_LINT_H
#define UNROOT_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "unroot/diag.h"
#include "unroot/rule.h"

struct arena;
struct image_view;

struct kv {
	const char *key, *value;
};

struct id_range {
	unsigned long start, len;
};

/*
 * Hard limits; each one hit becomes an NR000 diagnostic, except the
 * findings caps, whose note is NR002.
 */
struct lint_limits {
	size_t file_size;      /* bytes of one text input */
	size_t arena;	       /* bytes a run may allocate, its --jobs threads together */
	size_t yaml_depth;     /* nesting of YAML/JSON collections */
	size_t yaml_aliases;   /* alias references per document */
	size_t yaml_nodes;     /* nodes per document, aliases expanded */
	size_t tar_entries;    /* entries per image */
	size_t path_len;       /* bytes of one path */
	size_t uncompressed;   /* bytes of an image's layers, decompressed */
	size_t dir_depth;      /* folders deep when walking a tree */
	size_t findings_input; /* findings reported for one input */
	size_t findings_run;   /* findings reported for a run */
};

/* Images named by reference: registries, the Docker daemon, the local store (docs/image.md). */
struct fetch_options {
	const char *helper;	  /* the unroot-fetch program; NULL: references cannot be fetched */
	const char *creds;	  /* --creds USER:PASSWORD */
	const char *cert_dir;	  /* --cert-dir DIR */
	bool tls_verify;	  /* --tls-verify (default true) */
	unsigned timeout;	  /* --timeout: seconds to connect or without data (default 30) */
	unsigned retries;	  /* attempts after the first on 429, 5xx, cut connections (4) */
	unsigned retry_time;	  /* seconds the retries of one request may take (60) */
	const char *os, *variant; /* --os, --variant: with --arch, the platform of an index */
	const char *cache_dir;	  /* per-layer scan results; NULL: none (--no-cache) */
	bool pull;		  /* --pull: read the images manifests and FROM lines name */
	/*
	 * Images the caller has read already and keeps between runs (a server's
	 * cache): asked for a reference that no `images` pattern pairs, before
	 * --pull. Returns the image's view, which must stay valid and unchanged
	 * until the run is freed, or NULL to leave the reference unpaired. Called
	 * on the thread that lints, possibly more than once for one reference.
	 */
	const struct image_view *(*lookup)(void *data, const char *ref);
	void *lookup_data;
};

/* The lowest uid --min-uid accepts unless told otherwise: below it, most distributions'
 * system accounts. */
#define LINT_DEFAULT_MIN_UID 1000

struct lint_options {
	unsigned platforms;	     /* PLAT_* bits; default PLAT_ALL */
	long min_uid;		     /* default LINT_DEFAULT_MIN_UID */
	struct id_range uid_range;   /* OpenShift namespace uid range */
	struct id_range supp_groups; /* OpenShift supplemental-groups range */
	enum severity fail_on;	     /* default SEV_WARNING */
	enum input_kind type;	     /* forced input kind, KIND_NONE to detect */

	const char **ignore; /* rule codes or names */
	size_t nignore;
	struct kv *severity; /* rule -> "error"|"warning"|"info"|"off" */
	size_t nseverity;
	struct kv *base_images; /* image pattern -> "uid[:gid]" */
	size_t nbase_images;
	struct kv *images; /* image reference pattern -> Dockerfile or image path */
	size_t nimages;

	/*
	 * The folder that reports for code scanning (SARIF, github, codeclimate) and
	 * baselines write paths relative to; NULL: the git work tree's top folder, or the
	 * working folder outside one (lint_run_base_dir()).
	 */
	const char *base_dir;
	/*
	 * Globs of paths to leave out (pattern -> the folder it is relative to, NULL
	 * for the working folder); lib/engine/walkfilter.c has their rules.
	 */
	struct kv *excludes;
	size_t nexcludes;
	bool no_gitignore; /* walks read what git ignores too */
	/*
	 * A baseline file (--baseline): its findings are not reported, its entries no
	 * finding matches are NR001. NULL for none. lib/engine/baseline.c.
	 */
	const char *baseline;
	bool record_baseline;	 /* keep what lint_run_write_baseline() writes */
	const char *context_dir; /* Dockerfile build context; NULL: the Dockerfile's folder */
	const char *arch;	 /* image index selection; NULL: the host's */
	const char *rootfs;	 /* unpacked root filesystem */
	const char *image_config;
	const char *tree;
	const char *helm_bin;
	const char **values;
	size_t nvalues;
	const char **sets;
	size_t nsets;

	struct lint_limits limits;
	struct fetch_options fetch;
	/* Threads for the inputs of a batch that can be linted apart; 0: one more than the CPUs. */
	unsigned jobs;

	/*
	 * Progress of long reads (large images), called from the thread that
	 * runs the lint, at most a few times a second; NULL for none. `done`
	 * and `total` count bytes; total is 0 when unknown.
	 */
	void (*progress)(void *data, const char *what, unsigned long long done,
			 unsigned long long total);
	void *progress_data;
};

void lint_options_init(struct lint_options *o);

struct lint_run;

/* NULL when out of memory. `opts` is borrowed and must outlive the run. */
struct lint_run *lint_run_new(const struct lint_options *opts);
void lint_run_free(struct lint_run *run);

/*
 * Lints a file, a folder (recursively, picking the inputs it recognises), or
 * "-" for stdin (which needs opts->type), and opts->rootfs, an unpacked root
 * filesystem. Problems reading become NR000 diagnostics; this never fails
 * as a whole.
 */
void lint_run_path(struct lint_run *run, const char *path);
/*
 * The same for several paths as one batch: every input is found and read
 * before any is linted, so what one input says about another (a Namespace's
 * OpenShift ranges) applies whatever the order.
 */
void lint_run_paths(struct lint_run *run, const char *const *paths, size_t n);
/*
 * The permission view of `subtree` ("/" when NULL) of the image or unpacked
 * root filesystem at `path`: one row a path, as `ls -ln` shows it, with
 * what OpenShift's arbitrary uid (opts->uid_range, group 0) may do there,
 * written into `out`. Returns 0, or -1 after an NR000 in the run.
 */
struct buf;
int lint_run_tree(struct lint_run *run, const char *path, const char *subtree, struct buf *out);

/* Lints bytes already in memory, as the kind given (KIND_NONE: detect by name). */
void lint_run_buffer(struct lint_run *run, const char *path, const char *data, size_t len,
		     enum input_kind kind);

/*
 * Matches suppressions, raises NR001, applies severities, sorts, and gives
 * every finding its line and column. Call once.
 */
void lint_run_finish(struct lint_run *run);

const struct diag_list *lint_run_diags(const struct lint_run *run);
/* Paths linted, in order, for formats that list inputs (junit). */
const char *const *lint_run_inputs(const struct lint_run *run, size_t *n);
/* True when some input could not be read or parsed (exit status 2). */
bool lint_run_had_input_error(const struct lint_run *run);
struct arena *lint_run_arena(struct lint_run *run);
/*
 * The folder that reports for code scanning (SARIF, github, codeclimate) and
 * baselines write paths relative to: opts->base_dir, or else the top folder of
 * the git work tree holding the working folder, so that reports agree wherever
 * unroot runs in a repository; NULL (the working folder) outside one.
 */
const char *lint_run_base_dir(struct lint_run *run);

/*
 * The run's findings as a baseline file (JSON, docs/schema/baseline.json): every
 * finding but NR000 and NR001, those a --baseline held included, with the rule,
 * the path relative to opts->base_dir, the fingerprint, and the line and
 * message for a person reading it. After lint_run_finish().
 */
struct buf;
void lint_run_write_baseline(const struct lint_run *run, struct buf *out, const char *version);

/* Counts of unsuppressed diagnostics by severity, index SEV_INFO..SEV_ERROR. */
void lint_run_counts(const struct lint_run *run, size_t counts[4]);

/* 0, 1 or 2 as the CLI documents it. */
int lint_run_exit_status(const struct lint_run *run);

#endif
