/*
 * run.h - what readers see of a run. Internal to the library.
 *
 * A reader turns one input into a model, reports NR000 for what it cannot
 * read, records suppression comments, and calls run_rules() for its kind.
 * Everything is allocated from run->arena.
 */
#ifndef UNROOT_RUN_H
#define UNROOT_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "unroot/lint.h"
#include "unroot/rule.h"

struct source;
struct image_view;

/*
 * An ignore comment or annotation. Diagnostics in the same input whose
 * start offset lies in [from, to) and whose code is listed are suppressed;
 * `global` covers the whole input. [start, end) is the comment itself, where
 * NR001 points when it matched nothing.
 */
struct suppression {
	const char *path;
	struct source *src;
	size_t start, end;
	size_t from, to;
	bool global;
	const char **codes;
	size_t ncodes;
	bool used;
	bool capped; /* its input had findings left out: whether it matched is not known */
};

struct pair_entry;
struct pending;

/* A folder the walk listed: every entry's name, sorted, for lookups without a stat. */
struct listed_folder {
	const char *path; /* no trailing slash */
	size_t len;
	const char **names;
	size_t n;
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
	/* Sorted by path once the walk is done; the threads share the parent's. */
	struct listed_folder *folders;
	size_t nfolders, capfolders;
	bool input_error;
	bool finished;
	bool batch; /* lint_run_paths() is finding inputs: queue them */
	struct pending *pending;
	size_t npending, cappending;
	/* What a reader keeps across the inputs of a run, by input kind. */
	void *kind_state[KIND_ANY + 1];
	/* Memory for one input's models, reset after it (run_scratch); NULL until asked for. */
	struct arena *scratch;
	/* Runs of the threads that linted a batch; findings point into their arenas. */
	struct lint_run **children;
	size_t nchildren, capchildren;
	/* Findings kept by the run and its threads, against limits.findings_run. */
	_Atomic size_t kept;
	struct lint_run *parent; /* a thread's run: the run it lints for */
	unsigned depth;		 /* inputs being linted inside one another (a chart's documents) */
	size_t input_supp;	 /* where the current input's suppressions start */
	/* Memory: the first input that ran out is reported; the later ones are counted. */
	bool oom_noted;
	size_t oom_more;
	const char *oom_more_path;
	const char *run_capped_path; /* the first input whose findings the run's cap left out */
};

/*
 * A reader is one input kind. `match` says whether a path looks like it
 * (is_dir tells a folder); `lint` reads and checks it. For text kinds the
 * engine reads the file and passes `src`; for folders and binary inputs
 * src is NULL and the reader opens `path` itself.
 */
struct reader {
	enum input_kind kind;
	const char *name;
	bool text; /* the engine reads the file into a source first */
	bool (*match)(const char *path, bool is_dir);
	void (*lint)(struct lint_run *run, const char *path, struct source *src);
	/*
	 * Optional: called for every input of a batch before any is linted, so
	 * a reader can gather what spans inputs (OpenShift namespace ranges).
	 */
	void (*prescan)(struct lint_run *run, const char *path, struct source *src);
	/*
	 * The image side of this input, for pairing (--image REF=PATH) and
	 * simulate; NULL when the kind has none or it could not be read.
	 */
	const struct image_view *(*image_side)(struct lint_run *run, const char *path);
	/*
	 * `lint` may run on any thread, in a run of its own: it uses only that
	 * run's arena, findings and suppressions, and reads what prescan kept.
	 */
	bool parallel;
};

/* The input kind a path looks like to the readers (is_dir: it is a folder); KIND_NONE when none. */
enum input_kind run_detect(const char *path, bool is_dir);

/* Records an input of the run, as the report lists them. */
void run_note_input(struct lint_run *run, const char *path);

/*
 * The run's scratch arena, for a reader's models of one input: the reader
 * resets it when the input is done. NULL when out of memory.
 */
struct arena *run_scratch(struct lint_run *run);

/*
 * Reads a text input into *src unless it is there already (or the reader
 * takes no text); false, with NR000 reported, when it cannot be read.
 * `regular`: a folder listing said the path is a regular file.
 */
bool run_read_text(struct lint_run *run, const struct reader *rd, const char *path, bool regular,
		   struct source **src);

extern const struct reader *const reader_table[];
extern const size_t reader_count;
const struct reader *reader_for_kind(enum input_kind k);

/*
 * A run for a thread of `parent`: the same options and limits, its memory
 * counted in the parent's budget and its findings in the parent's cap.
 */
struct lint_run *run_new_child(struct lint_run *parent);

/*
 * Around the linting of one input: the findings cap starts over, and what
 * it left out, or a memory failure, is reported for `path` at the end.
 */
void run_begin_input(struct lint_run *run);
void run_end_input(struct lint_run *run, const char *path);

/*
 * The input `path` needed more memory than the run may use: an NR000 from
 * the reserve for the first input of the run that does, a count for the
 * others (said once at the end). The arenas' failure is then forgotten so
 * the next input gets its chance.
 */
void run_memory_error(struct lint_run *run, const char *path);

/*
 * Marks the findings the run's suppressions cover, and reports those that
 * covered none as NR001 (suppress.c). Part of lint_run_finish().
 */
void run_apply_suppressions(struct lint_run *run);

/* An NR000 for input `path`; marks the run as having an input error. */
void run_parse_error(struct lint_run *run, const char *path, struct source *src, size_t start,
		     size_t end, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Records a suppression; the struct is copied. */
void run_add_suppression(struct lint_run *run, const struct suppression *s);

/* A context for one input, with the run's arena, options and list. */
void run_ctx_init(struct lint_run *run, struct check_ctx *ctx, const char *path,
		  struct source *src);

/* Calls every enabled rule of `kind` on ctx. */
void run_rules(struct lint_run *run, struct check_ctx *ctx, enum input_kind kind);

/* True when a rule is turned off by --ignore or severity "off". */
bool run_rule_disabled(const struct lint_run *run, const struct rule *r);

/*
 * The image side paired with an image reference, through opts->images
 * (patterns match with fnmatch, a bare reference also matches with any tag),
 * loaded once per path. NULL when there is no pair.
 */
const struct image_view *run_pair(struct lint_run *run, const char *ref);

/*
 * The image side of the Dockerfile or image at `path` (an image when the
 * image reader recognises it, else a Dockerfile), loaded once per path and
 * shared with run_pair(). NULL after an NR000 when it cannot be read.
 */
const struct image_view *run_image_side(struct lint_run *run, const char *path);

#endif
