/*
 * fmt.h - what the report formats share, internal to lib/output: the rule
 * set a report describes, text made safe for JSON and XML, paths relative to
 * the report's base folder, and columns in the units each consumer counts.
 * Strings returned are malloc'd; the caller frees them.
 */
#ifndef UNROOT_OUTPUT_FMT_H
#define UNROOT_OUTPUT_FMT_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct diag;
struct report;
struct rule;
struct source;

/*
 * The rules the report describes: r->rules, or the whole table less the
 * engine's notes that no finding of the report is. The list stays valid
 * until the next call on the same thread.
 */
void fmt_rules(const struct report *r, const struct rule *const **rules, size_t *n);
/* Index of a rule in such a list, or -1. */
long fmt_rule_index(const struct rule *const *rules, size_t n, const struct rule *rule);

/* Appends s with every invalid UTF-8 byte replaced by U+FFFD. */
void fmt_put_utf8(struct buf *out, const char *s);

/* Writes a JSON document, indented by two and in its keys' order, then a newline, and
 * releases it; a document that cannot be written marks `out` failed. */
struct json_t;
void fmt_put_json(struct buf *out, struct json_t *doc);
/* A malloc'd valid UTF-8 copy of s (see fmt_put_utf8); NULL when out of memory. */
char *fmt_utf8(const char *s);

/*
 * Appends s escaped for XML text and attribute values: & < > " ' as entities,
 * tab/newline/CR as character references (kept in attributes), other control
 * characters (which XML 1.0 cannot hold) and invalid UTF-8 as U+FFFD.
 */
void fmt_put_xml(struct buf *out, const char *s);

/*
 * The path of an input as reports for CI write it: relative to r->base_dir
 * (or the working folder) when it lies inside it, "./" and "//"
 * removed, ".." resolved; absolute when it lies outside. "-" stays "-".
 * Sets *absolute accordingly. malloc'd; NULL when out of memory.
 */
char *fmt_rel_path(const struct report *r, const char *path, bool *absolute);

/* Line and 1-based column of `off`, the column counted in UTF-16 code units (SARIF). */
void fmt_utf16_position(struct source *s, size_t off, unsigned *line, unsigned *col);
/*
 * Line and 1-based display column of `off` as the GNU Coding Standards count
 * it: tab stops every 8 columns, one column for each character.
 */
void fmt_display_position(struct source *s, size_t off, unsigned *line, unsigned *col);

/*
 * The character at s (at most `avail` bytes): returns its length in bytes
 * and sets *width to the terminal cells it takes. An invalid byte or a
 * control character is one byte, one cell.
 */
size_t fmt_char(const char *s, size_t avail, unsigned *width);
/*
 * Appends n bytes of s for a terminal: tabs kept, control characters
 * (escape sequences included) and invalid UTF-8 as U+FFFD, one cell each.
 */
void fmt_put_text(struct buf *out, const char *s, size_t n);

/*
 * fmt_put_text() for a line-oriented format: line breaks become spaces, so a
 * message cannot break a report's one-finding-a-line shape.
 */
void fmt_put_one_line(struct buf *out, const char *s);

/* "NR102 user-root"-style title used by formats that have one. */
void fmt_title(const struct diag *d, struct buf *out);

/* Appends the diagnostic's object and container as "Deployment/web container app: ". */
void fmt_object_prefix(const struct diag *d, struct buf *out);

#endif
