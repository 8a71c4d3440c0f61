/*
 * output.h - report formats. A formatter writes a finished run's diagnostics
 * into a buffer; the caller decides where the bytes go. Formats are listed
 * in one table in lib/output/formats.def.
 */
#ifndef UNROOT_OUTPUT_H
#define UNROOT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct diag;
struct diag_list;
struct rule;

/*
 * The version of the JSON report's layout (its "schema" key; docs/schema/lint.json).
 * Raised when a key changes meaning or goes away; keys may be added without it.
 */
#define UNROOT_JSON_SCHEMA 1

/* Where helpUri and `explain` point when the caller says nothing (see docs/output.md). */
#define UNROOT_DEFAULT_DOCS_URL "https://github.com/unroot/unroot/blob/main/docs/rules.md"

struct report {
	const struct diag_list *diags; /* sorted, suppressions applied */
	const char *const *inputs;     /* every input linted, in order */
	size_t ninputs;
	bool color;	  /* ANSI colour (text) */
	bool source_line; /* show the offending line with a caret (text) */
	const char *version;
	/*
	 * The rules a format describes (SARIF tool.driver.rules); NULL means
	 * the whole rule table. Tests pass a fixed set.
	 */
	const struct rule *const *rules;
	size_t nrules;
	/* URL of docs/rules.md; a rule's doc is URL#anchor. NULL: UNROOT_DEFAULT_DOCS_URL. */
	const char *docs_url;
	/*
	 * The folder that the formats for code scanning (SARIF, github,
	 * codeclimate) write paths relative to, and fingerprints hash them from:
	 * the repository's top folder, so reports agree wherever unroot ran in
	 * it. NULL means the current working directory.
	 */
	const char *base_dir;
	/* Where relative input paths are taken from; NULL: the working folder (tests set it). */
	const char *cwd;
};

struct formatter {
	const char *name;
	const char *description;
	void (*write)(struct buf *out, const struct report *r);
};

extern const struct formatter *const formatter_table[];
extern const size_t formatter_count;
const struct formatter *formatter_find(const char *name);

/* 1-based line and column of a diagnostic's start and end (1,1 without source). */
void diag_position(const struct diag *d, unsigned *line, unsigned *col, unsigned *end_line,
		   unsigned *end_col);

/* Platform names of a diagnostic, "docker,podman,..." order, written with `sep`. */
void diag_platforms(const struct diag *d, struct buf *out, const char *sep);

/* The anchor of a rule in docs/rules.md: "nr102-user-root" (GitHub's heading slug). */
void rule_anchor(const struct rule *r, struct buf *out);

#endif
