/*
 * ruledoc.h - the rule table as documentation: one source for `unroot
 * rules`, `unroot explain` and docs/rules.md.
 */
#ifndef UNROOT_RULEDOC_H
#define UNROOT_RULEDOC_H

#include "unroot/rule.h"

struct buf;

/* One line a rule: code, name, severity, summary. */
void ruledoc_list(struct buf *out);
/* Every field of every rule as a JSON array. */
void ruledoc_json(struct buf *out);
/* docs/rules.md: a table per input kind, then a section a rule. */
void ruledoc_markdown(struct buf *out);
/*
 * The table of the rules of one input kind (KIND_ANY: NR000 and NR001), as
 * docs/rules.md has it; each code links to `page` (the file docs/rules.md is
 * from where the table stands: "" in it, "rules.md" beside it).
 */
void ruledoc_markdown_table(struct buf *out, enum input_kind kind, const char *page);
/* One rule's section body in Markdown, without its heading (also SARIF's help.markdown). */
void ruledoc_markdown_rule(struct buf *out, const struct rule *r);
/* One rule for a terminal: summary, why, platforms, fix, bad and good examples. */
void ruledoc_explain(struct buf *out, const struct rule *r);

#endif
