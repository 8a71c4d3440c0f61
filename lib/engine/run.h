/*
 * run.h - a lint run, as the files of the engine share it. Internal to lib/engine.
 *
 * The engine drives: it finds the inputs, hands each to its reader (which
 * gives back a model, NR000 errors and suppressions, and never sees the
 * run), checks the model with the rules of its kind, and at the end applies
 * suppressions, severities and the platform filter, and sorts. Everything a
 * run keeps is allocated from run->arena.
 */
#ifndef UNROOT_ENGINE_RUN_H
#define UNROOT_ENGINE_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "rules/check.h"
#include "unroot/lint.h"
#include "unroot/rule.h"
#include "util/listing.h"
#include "util/reading.h"

struct source;
struct image_view;
struct pair_entry;
struct pending;
struct git_ignored;

/* A finding as --write-baseline records it, with its fingerprint. */
struct recorded {
	struct diag d;
	char fp[33];
};

struct lint_run {
	const struct lint_options *opts;
	struct arena *arena;
	struct diag_list diags;
	struct suppression *supp;
	size_t nsupp, capsupp;
	const char **inputs;
	size_t ninputs, capinputs;
	struct pair_entry *pairs; /* image sides loaded for --image, by path */
	size_t npairs, cappairs;
	/* The folders the walk listed; sorted once it is done; the threads share the parent's. */
	struct listing listing;
	bool input_error;
	bool finished;
	bool batch; /* lint_run_paths() is finding inputs: queue them */
	struct pending *pending;
	size_t npending, cappending;
	/* What each kind's prescan kept of the batch's inputs (reader.prescan). */
	void **kept[KIND_ANY + 1];
	size_t nkept[KIND_ANY + 1], capkept[KIND_ANY + 1];
	/* Memory for one input's model, reset after it (run_scratch); NULL until asked for. */
	struct arena *scratch;
	/* Runs of the threads that linted a batch; findings point into their arenas. */
	struct lint_run **children;
	size_t nchildren, capchildren;
	/* Findings kept by the run and its threads, against limits.findings_run. */
	_Atomic size_t kept_findings;
	struct lint_run *parent; /* a thread's run: the run it lints for */
	unsigned depth;		 /* inputs being linted inside one another (a chart's documents) */
	size_t input_supp;	 /* where the current input's suppressions start */
	/* Memory: the first input that ran out is reported; the later ones are counted. */
	bool oom_noted;
	size_t oom_more;
	const char *oom_more_path;
	const char *run_capped_path; /* the first input whose findings the run's cap left out */
	/* The walk's filters (walkfilter.c): the working folder for excludes, and what
	 * git ignores under the folder being walked (NULL: nothing). */
	const char *cwd;
	struct git_ignored *gitignore;
	/* The findings before the baseline took any, for --write-baseline. */
	struct recorded *recorded;
	size_t nrecorded;
	const char *base_dir; /* lint_run_base_dir(): the git top when opts->base_dir is NULL */
	bool base_dir_known;
	bool helm_skip_noted; /* "rendered checks skipped" was said (helm.c) */
	bool resolving_base;  /* reading a FROM base image (pairs.c) */
	/* run_walk(): each input the walk finds goes here instead of to lint */
	void (*visit)(struct lint_run *run, const char *path, enum input_kind kind, void *data);
	void *visit_data;
};

/*
 * Walks `path` as lint does (the same names, excludes, git-ignored files,
 * depth limit) and hands each input it finds, with its kind, to `visit`
 * instead of linting it (batch.c). For simulate on a folder.
 */
void run_walk(struct lint_run *run, const char *path,
	      void (*visit)(struct lint_run *run, const char *path, enum input_kind kind,
			    void *data),
	      void *data);

/* --- the run (run.c) ----------------------------------------------------- */

/*
 * A run for a thread of `parent`: the same options and limits, its memory
 * counted in the parent's budget and its findings in the parent's cap.
 */
struct lint_run *run_new_child(struct lint_run *parent);

/* The run's scratch arena, for one input's model; NULL when out of memory. */
struct arena *run_scratch(struct lint_run *run);

/* An NR000 for input `path`; marks the run as having an input error. */
void run_error(struct lint_run *run, const char *path, struct source *src, size_t start, size_t end,
	       const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/*
 * The input `path` needed more memory than the run may use: an NR000 from
 * the reserve for the first input of the run that does, a count for the
 * others (said once at the end). The arenas' failure is then forgotten so
 * the next input gets its chance.
 */
void run_memory_error(struct lint_run *run, const char *path);

/* A note from the reserve: it is stored even when the run's memory is spent. */
void run_reserved_add(struct lint_run *run, const struct rule *rule, const char *path,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Records an input of the run, as the report lists them. */
void run_note_input(struct lint_run *run, const char *path);

/*
 * Around the linting of one input: the findings cap starts over, and what
 * it left out, or a memory failure, is reported for `path` at the end.
 */
void run_begin_input(struct lint_run *run);
void run_end_input(struct lint_run *run, const char *path);

/* --- which rules, how heavy (weigh.c) ---------------------------------------- */

/* True when a rule is turned off by --ignore or severity "off". */
bool run_rule_disabled(const struct lint_run *run, const struct rule *r);
/* True when --ignore (or the config's ignore) names the rule. */
bool run_ignored_rule(const struct lint_options *o, const struct rule *r);
/* The severity the config gives a rule, or -1 when it says nothing. */
int run_configured_severity(const struct lint_options *o, const struct rule *r);

/* A context for checking one input: the run's options and memory, its findings list. */
void run_ctx_init(struct lint_run *run, struct check_ctx *ctx, const char *path,
		  struct source *src);

/* --- checking a model (check.c) ---------------------------------------------- */

/* Calls every enabled rule of `kind` on ctx. */
void run_rules(struct lint_run *run, struct check_ctx *ctx, enum input_kind kind);

/*
 * Takes what the reader rdr read into rd (errors, suppressions) and checks
 * its model, if any, with the rules of rdr's kind; `src` is the input's text.
 * report_unknown: whether an unknown rule in a suppression is an NR000
 * (run_take_suppressions()).
 */
void run_check(struct lint_run *run, const struct reader *rdr, struct reading *rd,
	       struct source *src, bool report_unknown);

/*
 * Reads the rule list of each of the reader's suppressions (suppress-read.c)
 * and takes those that name a rule into the run. With `report`, an unknown
 * rule is an NR000 with the nearest rule (not for a chart's rendered output,
 * whose comments the chart's own files gave already).
 */
void run_take_suppressions(struct lint_run *run, const struct reading *rd, bool report);
/* Fills s->codes from s->list; false when it names no known rule. */
bool run_read_suppression(struct lint_run *run, struct suppression *s, bool report);

/*
 * At the end of a run, on the sorted findings: keeps what --write-baseline
 * records, then leaves out the findings opts->baseline holds and reports its
 * entries that matched nothing as NR001 (baseline.c).
 */
void run_baseline_apply(struct lint_run *run);

/* --- the walk's filters (walkfilter.c) ------------------------------------------- */

/* True when --exclude or `exclude:` leaves `path` out (walkfilter.c has the globs' rules). */
bool run_excluded(struct lint_run *run, const char *path, bool is_dir);

/*
 * The walk of folder `dir` starts: asks git what it ignores there (nothing
 * outside a git work tree, or with no_gitignore). The walk's entries are
 * `dir` and a slash, `prefix` bytes, then their path in the folder.
 */
void run_gitignore_begin(struct lint_run *run, const char *dir, size_t prefix);
void run_gitignore_end(struct lint_run *run);
/* True when git ignores a path the walk found (not a named one). */
bool run_git_ignored(const struct lint_run *run, const char *path, bool is_dir);

/*
 * Marks the findings the run's suppressions cover, and reports those that
 * covered none as NR001 (suppress.c). Part of lint_run_finish().
 */
void run_apply_suppressions(struct lint_run *run);

/* --- readers (readers.c), inputs (run.c, input.c), pairs (pairs.c) ------------- */

extern const struct reader *const reader_table[];
extern const size_t reader_count;
const struct reader *reader_for_kind(enum input_kind k);

/* The input kind a path looks like to the readers (is_dir: it is a folder); KIND_NONE when none. */
enum input_kind run_detect(const char *path, bool is_dir);

/*
 * Reads a text input into *src unless it is there already (or the reader
 * takes no text); false, with NR000 reported, when it cannot be read.
 * `regular`: a folder listing said the path is a regular file.
 */
bool run_read_text(struct lint_run *run, const struct reader *rd, const char *path, bool regular,
		   struct source **src);

/* What the engine hands a reader for input `path` (src: its text, or NULL). */
void run_reading_init(struct lint_run *run, struct reading *rd, const char *path,
		      struct source *src);

/* Takes a reader's NR000 errors into the run. */
void run_take(struct lint_run *run, const struct reading *rd);
/* Takes the reader's errors from rd->errors[first] on. */
void run_take_errors(struct lint_run *run, const struct reading *rd, size_t first);

/*
 * Reads and checks one input, already noted, whose text is read if it is
 * not yet (`regular`: a folder listing said it is a regular file);
 * `rootfs`: an unpacked root filesystem.
 */
void run_lint_input(struct lint_run *run, const struct reader *rd, const char *path,
		    struct source *src, bool regular, bool rootfs);

/*
 * The image side paired with an image reference, through opts->images
 * (patterns match with fnmatch, a bare reference also matches with any tag),
 * loaded once per path. NULL when there is no pair.
 */
const struct image_view *run_pair(struct lint_run *run, const char *ref);

/*
 * Pairs the image reference of every container of ctx->k8s (run_pair) into
 * ctx->pairs, for the rules that read them; an empty list when none pairs.
 */
void run_pair_containers(struct lint_run *run, struct check_ctx *ctx);

/*
 * The image side of the Dockerfile or image at `path` (an image when the
 * image reader recognises it, else a Dockerfile), loaded once per path and
 * shared with run_pair(). NULL after an NR000 when it cannot be read.
 */
const struct image_view *run_image_side(struct lint_run *run, const char *path);

/*
 * --pull: reads the image the model rd read is built FROM (a Dockerfile's
 * base) through run_pair() and hands it to the reader (take_base). Nothing
 * without --pull, or for a reader that names no base.
 */
void run_resolve_base(struct lint_run *run, const struct reader *rdr, struct reading *rd);

/* --- Helm (helm.c) --------------------------------------------------------- */

/* Checks what the Helm reader read into rd: the charts, then what helm template rendered. */
void run_check_helm(struct lint_run *run, struct reading *rd);

#endif
