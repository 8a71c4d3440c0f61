/*
 * dockerfile.h - a Dockerfile read the way BuildKit reads it.
 *
 * df_parse() gives instructions with byte spans, flags, exec-form arguments,
 * heredocs and the stage graph. df_eval() then walks the stages with
 * BuildKit's ARG/ENV scoping and records, per instruction, the variables in
 * scope and the effective USER. Everything lives in the arena passed in.
 */
#ifndef UNROOT_DOCKERFILE_H
#define UNROOT_DOCKERFILE_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct source;

enum df_cmd {
	DF_UNKNOWN = 0,
	DF_ADD,
	DF_ARG,
	DF_CMD,
	DF_COPY,
	DF_ENTRYPOINT,
	DF_ENV,
	DF_EXPOSE,
	DF_FROM,
	DF_HEALTHCHECK,
	DF_LABEL,
	DF_MAINTAINER,
	DF_ONBUILD,
	DF_RUN,
	DF_SHELL,
	DF_STOPSIGNAL,
	DF_USER,
	DF_VOLUME,
	DF_WORKDIR,
};

/* A word of an instruction: a flag value, a JSON element, or a plain argument. */
struct df_word {
	const char *text;  /* JSON elements decoded; plain words as written */
	size_t start, end; /* span in the source */
};

/* `--name=value`; value is NULL for a bare flag such as --link. */
struct df_flag {
	const char *name; /* without the dashes */
	const char *value;
	size_t start, end;
};

struct df_heredoc {
	const char *name;  /* the delimiter word */
	const char *body;  /* lines between the opener and the delimiter, tabs stripped for <<- */
	size_t start, end; /* span of the body in the source */
	bool quoted;	   /* <<'EOF' or <<"EOF": no expansion */
	bool chomp;	   /* <<-EOF */
};

/*
 * Maps an offset in an instruction's logical text (continuations joined,
 * comment lines inside them dropped) back to the source: each segment says
 * that text[text_off .. text_off+len) came from source[src_off ..].
 */
struct df_segment {
	size_t text_off, src_off, len;
};

/* A variable in scope: a persistent list, newest first, shared between instructions. */
struct df_var {
	const char *name;
	const char *value; /* NULL for `ARG NAME` with no value and no default */
	bool is_env;
	const struct df_var *next;
};

/* The user in effect at an instruction. */
struct df_user {
	const struct df_instr *instr; /* the USER line that set it; NULL: the base image's */
	const char *value;	      /* expanded, quotes removed; NULL when unresolved */
	const char *unresolved;	      /* first variable without a value, or NULL */
	const char *user, *group;     /* value split at ':'; group NULL when absent */
	long uid, gid;		      /* -1 when not numeric */
};

struct df_instr {
	enum df_cmd cmd;
	const char *keyword; /* as written: "run", "COPY" */
	size_t start, end;   /* whole instruction: continuation lines and heredoc bodies included */
	struct df_flag *flags;
	size_t nflags;
	const char *text; /* arguments after the flags, as logical text */
	struct df_segment *segs;
	size_t nsegs;
	bool json; /* exec form ["a", "b"] */
	struct df_word *args;
	size_t nargs; /* JSON elements, or the whitespace-separated words */
	struct df_heredoc *heredocs;
	size_t nheredocs;
	struct df_instr *sub; /* ONBUILD's instruction */
	int stage;	      /* index into stages; -1 before the first FROM */

	/* Filled by df_eval(). */
	const struct df_var *vars; /* ARG and ENV in scope at this instruction */
	struct df_user user;	   /* USER in effect when it runs */
};

struct df_stage {
	size_t from;		   /* index of its FROM instruction */
	size_t first, last;	   /* its instructions are instrs[first .. last) */
	const char *base;	   /* the FROM image as written */
	const char *base_expanded; /* after expansion with the global ARGs; NULL when unresolved */
	const char *name;	   /* `AS name`, lower-cased; NULL without */
	int parent;		   /* stage it is built FROM, or -1 for an image */
	const char *platform;
};

struct df_comment {
	const char *text; /* without the '#', trimmed */
	size_t start, end;
};

struct dockerfile {
	struct source *src;
	char escape;		    /* '\\' or '`' */
	const char *syntax, *check; /* parser directives, or NULL */
	struct df_instr *instrs;
	size_t ninstrs;
	struct df_stage *stages;
	size_t nstages;
	struct df_comment *comments; /* every comment line, in order, for suppressions */
	size_t ncomments;
	const struct df_var *global_args; /* ARGs before the first FROM */
};

struct df_error {
	size_t start, end;
	const char *message; /* lower case, no full stop */
};

/*
 * Parses src. Returns 0, or -1 with *err set for input that cannot be read
 * (an unterminated heredoc, a binary file, a bad escape directive). Invalid
 * JSON form is not an error: BuildKit then treats the line as shell form.
 */
int df_parse(struct arena *a, struct source *src, struct dockerfile *out, struct df_error *err);

/* Fills vars and user of every instruction. Never fails except for a full arena (-1). */
int df_eval(struct arena *a, struct dockerfile *df);

/* Source offset of a logical text offset of `in`. */
size_t df_text_to_src(const struct df_instr *in, size_t text_off);

/*
 * Expands $VAR, ${VAR}, ${VAR:-default}, ${VAR:+alt} (and the forms without
 * ':') in `s` with `vars`. A variable with no value expands to "" and its name
 * goes to *unresolved (first one only) when unresolved is not NULL.
 */
const char *df_expand(struct arena *a, const char *s, const struct df_var *vars, char escape,
		      const char **unresolved);

/* The value of NAME in vars, or NULL; *found tells a NULL value from a missing name. */
const char *df_var_get(const struct df_var *vars, const char *name, bool *found);

/* The flag named `name` of an instruction, or NULL. */
const struct df_flag *df_flag_get(const struct df_instr *in, const char *name);

/* The final stage; -1 when there is none. */
int df_final_stage(const struct dockerfile *df);
/* The external image at the root of a stage's FROM chain (expanded), or NULL. */
const char *df_root_image(const struct dockerfile *df, int stage);

#endif
