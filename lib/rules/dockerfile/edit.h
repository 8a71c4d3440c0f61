/*
 * edit.h - the exact edits of the Dockerfile rules' fixes: byte spans of the
 * Dockerfile or of a script it runs, and what they become. An edit keeps
 * what the author wrote around it: a word's variables, quotes and options
 * stay as they are, only the part that is wrong changes. Internal to the
 * Dockerfile rules.
 */
#ifndef UNROOT_RULES_EDIT_H
#define UNROOT_RULES_EDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "dockerfile/dockerfile.h"

struct check_ctx;
struct diag;
struct final_user;

/* The final USER line, or a new one after the final stage's last line, becomes `fix`. */
void edit_user(struct check_ctx *ctx, struct diag *d, const struct final_user *fu, const char *fix);

/* A new `USER uid:0` line after the last line of the final stage. */
void edit_user_insert(struct check_ctx *ctx, struct diag *d, const char *fix);

/* An instruction's span in the Dockerfile becomes `text`. */
void edit_dockerfile(struct check_ctx *ctx, struct diag *d, size_t start, size_t end,
		     const char *text);

/*
 * Where word k of a command is in its source (the Dockerfile or a script):
 * false for a JSON-form instruction, whose words are not written as the
 * shell reads them.
 */
bool edit_word_span(const struct df_command *h, size_t k, size_t *start, size_t *end);

/* Word k of a command becomes `text`. */
void edit_word(struct check_ctx *ctx, struct diag *d, const struct df_command *h, size_t k,
	       const char *text);

/* `text` inserted after the command's last word (e.g. " && chmod -R g=u /app"). */
void edit_after(struct check_ctx *ctx, struct diag *d, const struct df_command *h,
		const char *text);

/* The source text of words [from, to) of a command, as written; NULL when unknown. */
const char *edit_words_text(struct check_ctx *ctx, const struct df_command *h, size_t from,
			    size_t to);

/* The index of the first word after the tool whose value is `value`, or argc. */
size_t edit_find_word(const struct df_command *h, const char *value);

/* The index of chown's OWNER[:GROUP] word, chgrp's GROUP word; argc when none. */
size_t edit_spec_word(const struct df_command *h);

/*
 * In an owner word as written ("app:app", "\"$U:$G\"", "app:"), the span of
 * its group part relative to the word (after the last ':' outside ${...},
 * before a closing quote). False when it has no ':'.
 */
bool edit_group_span(const char *raw, size_t len, size_t *gs, size_t *ge);

/*
 * The command of `h` as it reads with the edits of `d` inside it applied:
 * the fix, written as the author wrote the rest.
 */
const char *edit_applied(struct check_ctx *ctx, const struct df_command *h, const struct diag *d);

/* The value `old` of option `opt` ("-g") or `lopt` ("--group"), in any spelling, becomes `value`.
 */
void edit_option(struct check_ctx *ctx, struct diag *d, const struct df_command *h, const char *opt,
		 const char *lopt, const char *old, const char *value);

/*
 * chown's OWNER:GROUP word gets group 0 as written (with `owner`: becomes
 * "owner:0"), chgrp's group becomes 0, and a chmod g=u of the same operands
 * follows, so group 0 gets the owner's bits.
 */
void edit_chown(struct check_ctx *ctx, struct diag *d, const struct df_command *h,
		const char *owner, bool chgrp);

/*
 * Whether an instruction runs as root: USER 0/root, or no USER over a base
 * that is not known to run as another user.
 */
bool edit_runs_as_root(struct check_ctx *ctx, const struct df_instr *in);

/*
 * A new `RUN chgrp -R 0 OPS && chmod -R g=u OPS` line after the last
 * instruction from `from` on that fills `dir` (an absolute path): a COPY
 * into it, a RUN that names it or runs in a WORKDIR inside it; `from`
 * itself when none does later. OPS is `dir`, or the folders of several
 * findings that get their line at the same place. The same line a chown's
 * fix adds when files come into the folder after it; with `make`,
 * `mkdir -p OPS && ` first. False when that instruction does not run as root, or is the last
 * line with no newline after it.
 */
bool edit_group_folder(struct check_ctx *ctx, struct diag *d, const struct df_instr *from,
		       const char *dir, const char *ops, bool make);

/*
 * The fix of a command whose edits were gathered in `edits`: the command
 * with them applied when it is on one line, else `otherwise`.
 */
const char *edit_fix(struct check_ctx *ctx, const struct df_command *h, const struct diag *edits,
		     const char *otherwise);

/* Gives d (when not NULL) the fix and the edits gathered in `edits`. */
void edit_keep(struct diag *d, const struct diag *edits, const char *fix);

#endif
