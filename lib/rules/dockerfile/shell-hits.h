/*
 * shell-hits.h - the shell commands a Dockerfile runs, classified, with
 * source positions: RUN lines (and their heredocs) of the final image chain,
 * the final ENTRYPOINT/CMD, and the scripts from the build context they run.
 * Internal to the Dockerfile rules NR108-NR112 and NR114.
 */
#ifndef UNROOT_RULES_SHELL_HITS_H
#define UNROOT_RULES_SHELL_HITS_H

#include <stdbool.h>
#include <stddef.h>

#include "dockerfile/dockerfile.h"
#include "shell/shell.h"

struct check_ctx;
struct source;

/* Where a parsed text sits in its source. */
struct shell_text {
	const char *text;
	struct source *src;	   /* the Dockerfile, or a script from the context */
	const char *path;	   /* src's path as reported */
	const struct df_instr *in; /* the instruction; for a script, the one that runs it */
	bool logical;		   /* text is in->text: map offsets with df_text_to_src */
	size_t base;		   /* otherwise offset of text[0] in src */
	bool in_script;		   /* the text is a script file from the build context */
};

struct shell_hit {
	const struct sh_finding *f;
	const struct shell_text *t;
};

/* Source offset of a text offset. */
size_t shell_src(const struct shell_text *t, size_t off);

/* Source span of a command. */
void shell_cmd_span(const struct shell_hit *h, size_t *start, size_t *end);

/* The command as written in its text, for a message (a copy in ctx->scratch). */
const char *shell_cmd_text(struct check_ctx *ctx, const struct shell_hit *h);

/*
 * The command's text with the value `old` of option `opt` (e.g. "-g") or
 * `lopt` ("--group"), in any of its spellings, replaced by `value`.
 */
const char *shell_option_replace(struct check_ctx *ctx, const struct shell_hit *h, const char *opt,
				 const char *lopt, const char *old, const char *value);

/*
 * The findings of every RUN in the final stage and the stages it is built
 * FROM, heredoc bodies included, and of the context scripts those RUN lines
 * execute. The stages' instructions are walked root first.
 */
size_t shell_run_hits(struct check_ctx *ctx, struct shell_hit **out);

/*
 * The findings of the final ENTRYPOINT and CMD (exec or shell form) and of
 * the entrypoint script they run when a COPY/ADD of the final chain brought
 * it from the build context.
 */
size_t shell_entry_hits(struct check_ctx *ctx, struct shell_hit **out);

/* The final stage chain, root first; *n stages. NULL when there is no stage. */
int *shell_final_chain(struct check_ctx *ctx, size_t *n);

/*
 * The COPY and ADD instructions of the final image (its stage chain, root
 * first), in order; none for a Windows image. Arena-allocated.
 */
const struct df_instr **shell_final_copies(struct check_ctx *ctx, size_t *n);

/* A word of an instruction expanded with its variables; NULL when a variable has no value. */
const char *shell_expand(struct check_ctx *ctx, const struct df_instr *in, const char *s);

/* `s` expanded for a message; as written when a variable has no value. */
const char *shell_show(struct check_ctx *ctx, const struct df_instr *in, const char *s);

/* The paths of a finding, expanded for a message, separated by spaces (in ctx->scratch). */
const char *shell_show_paths(struct check_ctx *ctx, const struct shell_hit *h);

/*
 * False when every path of a finding is a variable the RUN sets itself
 * (tempDir="$(mktemp -d)"): a scratch folder, not a path of the image.
 */
bool shell_paths_known(struct check_ctx *ctx, const struct shell_hit *h);

/* 0 for "0" and "root"; a number for digits; -1 otherwise. */
long shell_id(const char *s);

#endif
