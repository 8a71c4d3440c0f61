/*
 * ruledoc.h - the rule table as documentation: one source for `unroot
 * rules`, `unroot explain` and docs/rules.md.
 */
#ifndef UNROOT_RULEDOC_H
#define UNROOT_RULEDOC_H

struct buf;
struct rule;

/* One line a rule: code, name, severity, summary. */
void ruledoc_list(struct buf *out);
/* Every field of every rule as a JSON array. */
void ruledoc_json(struct buf *out);
/* docs/rules.md: a table per input kind, then a section a rule. */
void ruledoc_markdown(struct buf *out);
/* One rule's section body in Markdown, without its heading (also SARIF's help.markdown). */
void ruledoc_markdown_rule(struct buf *out, const struct rule *r);
/* One rule for a terminal: summary, why, platforms, fix, bad and good examples. */
void ruledoc_explain(struct buf *out, const struct rule *r);

#endif
