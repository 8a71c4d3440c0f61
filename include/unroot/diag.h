/*
 * diag.h - findings, as byte spans in a source.
 *
 * A rule reports a diagnostic with diag_add(); the engine later decides
 * whether it is suppressed, what its severity is, and sorts the list by
 * (path, line, column, code) so output is stable. All strings are borrowed
 * from the run's arena.
 */
#ifndef UNROOT_DIAG_H
#define UNROOT_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct arena;
struct rule;
struct source;

enum severity {
	SEV_NONE = 0, /* "off" in config; "none" for --fail-on */
	SEV_INFO,
	SEV_WARNING,
	SEV_ERROR,
};

enum platform {
	PLAT_DOCKER = 1u << 0,
	PLAT_PODMAN = 1u << 1,
	PLAT_KUBERNETES = 1u << 2,
	PLAT_OPENSHIFT = 1u << 3,
	PLAT_ALL = 0xfu,
};

/*
 * One exact change to a file: the bytes [offset, offset + length) of the
 * original file become `text` (length 0: an insertion). Offsets are the
 * file's own bytes, as read.
 */
struct diag_edit {
	const char *path; /* the file, named as the finding's path is */
	size_t offset, length;
	const char *text;
};

struct diag {
	const struct rule *rule;
	enum severity severity; /* set by the engine: the rule's, or the configured one */
	unsigned platforms;	/* where it matters; the rule's unless narrowed */
	const char *path;	/* the input as the user named it */
	struct source *src;	/* NULL when the input has no text (an image) */
	size_t start, end;	/* byte span in src; 0,0 without src */
	const char *message;	/* what, where, why; no trailing full stop */
	const char *fix;	/* the exact line to write instead, or NULL */
	/* The fix as exact edits, which `unroot fix` applies; none when it is not mechanical.
	 * Edits of different findings on one input never overlap unless they are equal. */
	const struct diag_edit *edits;
	size_t nedits;
	/*
	 * Why it has no edits, said where the edit was withheld ("a block in a
	 * named template: its `.` is unknown"); read only when nedits is 0, and
	 * NULL when the rule has no exact edit for such a finding at all.
	 */
	const char *no_edit;
	const char *object;    /* "Deployment/web", an image path, or NULL */
	const char *container; /* container name, or NULL */
	bool variant;	       /* weighs as the rule's variant_severity says (rule.h) */
	bool suppressed;
	/* 1-based line and byte column of start and end, set by lint_run_finish(); 0 without src */
	unsigned line, col, end_line, end_col;
};

/*
 * The findings of a run. A hostile input can make hundreds of thousands of
 * them, so the engine caps them (0 turns a cap off): `input_cap` findings
 * for the input being linted, which starts at `input_first`, and `run_cap`
 * for the run, counted in *kept (shared by the run's threads). What a cap
 * leaves out is counted in input_dropped and run_dropped for the engine's
 * note. The list always keeps DIAG_SPARE free slots for what the engine
 * adds from its memory reserve (arena_reserve): the note that a limit was
 * hit never needs the list to grow. Adds in reserve mode pass the caps.
 */
#define DIAG_SPARE 4

struct diag_list {
	struct arena *arena;
	struct diag *items;
	size_t n, cap;
	size_t input_cap, input_first, input_dropped;
	size_t run_cap, run_dropped;
	_Atomic size_t *kept;
};

/*
 * Appends a diagnostic for `rule` at [start, end) of `src` (src may be NULL,
 * then `path` names the input). The message is printf-formatted. Returns the
 * new entry so the caller can set fix/object/container, or NULL when the
 * arena is full or a cap leaves it out.
 */
struct diag *diag_add(struct diag_list *l, const struct rule *rule, const char *path,
		      struct source *src, size_t start, size_t end, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

struct diag *diag_vadd(struct diag_list *l, const struct rule *rule, const char *path,
		       struct source *src, size_t start, size_t end, const char *fmt, va_list ap);

/*
 * Adds to d's edits the replacement of [start, end) of `src` (the file
 * `path`) by `text`. Returns 0, or -1 when the arena is full.
 */
int diag_edit_add(struct diag_list *l, struct diag *d, const char *path, size_t start, size_t end,
		  const char *text);

/* Fills in the line and column of start and end from the source; no-op without one. */
void diag_locate(struct diag *d);

/* Sorts by path, line, column, then code. */
void diag_list_sort(struct diag_list *l);

const char *severity_name(enum severity s);
/* "error", "warning", "info", "none"/"off"; returns -1 when unknown. */
int severity_parse(const char *s);

/* Names for platform bits, in a fixed order. */
const char *platform_name(unsigned bit);
/* "docker,podman,..." to bits; returns 0 and sets *bad on an unknown name. */
unsigned platform_parse(const char *list, const char **bad);

#endif
