/*
 * show.h - how the Dockerfile rules show a command of the model, or one of
 * its words, in a message or a fix. Internal to the Dockerfile rules; what
 * a command does is the model's (dockerfile.h, df_command).
 */
#ifndef UNROOT_RULES_SHOW_H
#define UNROOT_RULES_SHOW_H

#include <stdbool.h>

#include "dockerfile/dockerfile.h"
#include "shell/shell.h"

struct check_ctx;
struct diag;

/* A word of an instruction expanded with its variables; NULL when a variable has no value. */
const char *show_expand(struct check_ctx *ctx, const struct df_instr *in, const char *s);

/* `s` expanded for a message; as written when a variable has no value. */
const char *show_word(struct check_ctx *ctx, const struct df_instr *in, const char *s);

/* The command as written in its text, for a message (a copy in ctx->scratch). */
const char *show_command(struct check_ctx *ctx, const struct df_command *c);

/*
 * The command's text with the value `old` of option `opt` (e.g. "-g") or
 * `lopt` ("--group"), in any of its spellings, replaced by `value`.
 */
const char *show_option_replaced(struct check_ctx *ctx, const struct df_command *c, const char *opt,
				 const char *lopt, const char *old, const char *value);

/* The paths of a command, expanded for a message, separated by spaces (in ctx->scratch). */
const char *show_paths(struct check_ctx *ctx, const struct df_command *c);

/*
 * False when every path of a command is a variable the RUN sets itself
 * (tempDir="$(mktemp -d)"): a scratch folder, not a path of the image.
 */
bool show_paths_known(struct check_ctx *ctx, const struct df_command *c);

/*
 * For a finding on a command in a branch the file does not decide
 * (df_command.unknown): says so at the end of its message, and marks it
 * `variant`, which the command rules weigh as info. Nothing otherwise.
 */
void show_branch(struct check_ctx *ctx, struct diag *d, const struct df_command *c);

#endif
