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
struct lint_options;
struct image_view;
struct reading;
struct sh_finding;
struct sh_cmd;
struct sh_cond;
struct passwd_db;

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
	const char *unresolved; /* the value used a variable that had none: its name */
	const struct df_var *next;
};

/* The user in effect at an instruction. */
struct df_user {
	const struct df_instr *instr; /* the USER line that set it; NULL: the base image's */
	const char *value;	      /* expanded, quotes removed; NULL when unresolved */
	const char *unresolved;	      /* first variable without a value, or NULL */
	bool unresolved_global;	      /* ... and it is an ARG before the first FROM */
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
	size_t nargs; /* JSON elements, or the whitespace-separated words; none for a
			 shell-form RUN, whose text is the shell's to split */
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
	bool windows; /* it or a stage it is built FROM is a Windows image (df_stage_is_windows) */
};

struct df_comment {
	const char *text; /* without the '#', trimmed */
	size_t start, end;
};

/*
 * Bounds on variable expansion. `ARG a1=${a0}${a0}` doubles a value, so
 * sixty such lines in a 2 KB file would ask for 2^60 bytes: one expanded
 * value may hold at most DF_EXPAND_MAX bytes, and all the values expanded
 * for one Dockerfile (ARG, ENV, USER, FROM, and the words the rules look
 * at) DF_EXPAND_TOTAL. A value past either is not made; the first such
 * place is kept here, for the reader's NR000.
 */
/*
 * A Dockerfile longer than this is not read: real ones are a few kilobytes (the
 * longest of the corpora, 15 KB), and a model costs a few hundred bytes an
 * instruction, so a megabyte of one-word RUN lines already needs about 120 MB.
 */
#define DF_MAX_SIZE	((size_t)1 << 20)
#define DF_EXPAND_MAX	((size_t)1 << 20)
#define DF_EXPAND_TOTAL ((size_t)16 << 20)

struct df_expansion {
	size_t total_left; /* of DF_EXPAND_TOTAL */
	bool over;	   /* some value passed a bound */
	bool total;	   /* ... and it was the total */
	size_t start, end; /* the instruction where it first happened */
};

/*
 * A text the shell reader read: a RUN line, a heredoc body, an exec form
 * read as argv, or a script of the build context.
 */
struct df_text {
	const char *text;
	struct source *src;	   /* the Dockerfile, or the script */
	const char *path;	   /* src's path as reported */
	const struct df_instr *in; /* the instruction; for a script, the one that runs it */
	bool logical;		   /* text is in->text: offsets map through df_text_to_src() */
	size_t base;		   /* otherwise the offset of text[0] in src */
	bool in_script;		   /* a script of the build context */
	/* An entrypoint script's arguments ($1, $2, ...) as the image gives them (the words
	 * after it and, after an exec-form ENTRYPOINT, the exec-form CMD), or NULL; they hold
	 * up to the first `shift` or `set --` of the script, at offset args_until. */
	const char *const *args;
	size_t nargs, args_until;
};

/*
 * A command of the final image that creates or changes accounts, changes
 * owners, groups or modes, writes /etc/passwd or drops privileges: what it
 * does (shell.h's finding: tool, user, group, mode, paths) and the text it
 * stands in.
 */
struct df_command {
	const struct sh_finding *f;
	const struct df_text *t;
	/* The innermost condition around it that the file does not decide (an if on the base
	 * image's files, a case on the machine's architecture, a test of an entrypoint's
	 * arguments), or NULL: it runs for sure. Commands in a branch the ARG and ENV values
	 * rule out are not listed at all (df_branch). */
	const struct sh_cond *unknown;
};

/*
 * A write the final ENTRYPOINT or CMD, or the entrypoint script they run,
 * makes at start (shell.h's sh_write), with the text it stands in.
 */
struct df_write {
	const struct sh_write *w;
	const struct df_text *t;
	bool errexit; /* a `set -e` before it: its failure stops the script */
};

/* An account a useradd or adduser of the final image creates, with the uid it gives. */
struct df_account {
	const char *name; /* expanded */
	long uid;
	size_t at;    /* the command that creates it: df->run[at] */
	bool literal; /* name and uid are written out, no variable in them */
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
	struct df_expansion *expansion;	  /* what expansion has used of its bounds */

	/*
	 * The final image, in build order: filled by df_read_commands()
	 * (commands.c). Windows stages run no POSIX shell: their RUN lines and
	 * entrypoints give no commands, and a Windows image no COPY/ADD list.
	 */
	int *chain; /* the final stage and the stages it is built FROM, root first */
	size_t nchain;
	const struct df_instr **copies; /* its COPY and ADD lines */
	size_t ncopies;
	/* What its RUN lines do: heredoc bodies and the build-context scripts they run included. */
	struct df_command *run;
	size_t nrun;
	/* What its final ENTRYPOINT and CMD do, and the entrypoint script they run. */
	struct df_command *entry;
	size_t nentry;
	/* A program the final ENTRYPOINT, CMD or their script start that only runs as root
	 * in a privileged container (dockerd: a container engine), or NULL. */
	const char *needs_root;
	/* What its ENTRYPOINT and CMD, and the entrypoint script, write at start. */
	struct df_write *writes;
	size_t nwrites;
	/* The accounts its RUN lines create, in build order. */
	struct df_account *accounts;
	size_t naccounts;

	/*
	 * The image the final stage is built FROM, as the engine read it with
	 * --pull (df_base_ref(), then the reader's take_base), or NULL: its
	 * user, its /etc/passwd and /etc/group, and its files. base_db is the
	 * passwd and group of a built base image, or NULL.
	 */
	const struct image_view *base;
	const struct passwd_db *base_db;
};

struct df_error {
	size_t start, end;
	const char *message; /* lower case, no full stop */
};

/*
 * Parses src. Returns 0, or -1 with *err set for input that cannot be read
 * (an unterminated heredoc, a binary file, a bad escape directive, a
 * directive given twice, an unknown instruction, an instruction other than
 * ARG before the first FROM, a JSON array holding non-strings, a full
 * arena). Invalid JSON form is not an error: BuildKit then treats the line
 * as shell form. Also resolves the stage graph (base_expanded, parent) and
 * global_args.
 */
/*
 * Whether text t[0..len) starts as a Dockerfile does: a `# syntax=` directive,
 * or FROM or ARG as its first instruction. For a file named on the command
 * line whose name says nothing.
 */
bool df_text_looks(const char *t, size_t len);

int df_parse(struct arena *a, struct source *src, struct dockerfile *out, struct df_error *err);

/* Fills vars and user of every instruction. Never fails except for a full arena (-1). */
int df_eval(struct arena *a, struct dockerfile *df);

/* Source offset of a logical text offset of `in`. */
size_t df_text_to_src(const struct df_instr *in, size_t text_off);

/*
 * Expands $VAR, ${VAR}, ${VAR:-default}, ${VAR:+alt} (and the forms without
 * ':', and ${VAR#pat}, ${VAR%pat}, ${VAR/pat/rep}) in `s` with `vars`, and
 * removes quotes and escapes, as BuildKit's ProcessWord does for the
 * instructions it expands (FROM, USER, ENV, ARG, COPY, WORKDIR, ...). A
 * variable with no value expands to "" and its name goes to *unresolved
 * (first one only) when unresolved is not NULL. NULL on a syntax error.
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

/*
 * The stage a `FROM name` or `COPY --from=name` before stage `before` refers
 * to: a stage name (any case) or, when `allow_index`, a stage number. -1 when
 * it names no stage (then it is an image).
 */
int df_stage_by_name(const struct dockerfile *df, const char *name, int before, bool allow_index);

/*
 * Like df_expand(), and also reports a syntax error BuildKit would refuse
 * (a missing '}', an unsupported modifier): then it returns NULL and sets
 * *error to a lower-case reason. `lookup` gives a variable's value; it
 * returns false when the name is not in scope, and sets *unresolved when the
 * value itself was built from a variable that had none. The strings of the
 * expansion hold at most `limit` bytes (0: DF_EXPAND_MAX); past it, NULL
 * with *error == df_expand_too_long.
 */
typedef bool (*df_lookup_fn)(void *data, const char *name, size_t len, const char **value,
			     const char **unresolved);
const char *df_expand_with(struct arena *a, const char *s, size_t len, char escape,
			   df_lookup_fn lookup, void *data, size_t limit, const char **unresolved,
			   const char **error);
extern const char df_expand_too_long[];

/*
 * df_expand() of a word of instruction `in` with its variables, within the
 * Dockerfile's expansion bounds: NULL when the value would pass one (the
 * place is kept in df->expansion), as when it does not expand.
 */
const char *df_expand_in(struct arena *a, const struct dockerfile *df, const struct df_instr *in,
			 const char *s, const char **unresolved);
/*
 * A word of `in` expanded with its variables, as a path or an id is used:
 * `s` itself when it has no `$`; NULL when a variable has no value or a `$`
 * is left (a variable the shell sets, not the Dockerfile).
 */
const char *df_expand_known(struct arena *a, const struct dockerfile *df, const struct df_instr *in,
			    const char *s);

/* Records that an expansion at `in` passed a bound (`total`: the Dockerfile's). */
void df_expansion_over(struct df_expansion *x, const struct df_instr *in, bool total);

/* Splits and classifies a USER value ("1001:0", "app", "root:root") into *u. */
void df_user_split(struct arena *a, const char *value, struct df_user *u);

/*
 * A well-known base image's user, from the built-in list (distroless
 * :nonroot, Chainguard, Bitnami, nginx-unprivileged, Red Hat UBI/s2i) and,
 * first, from opts->base_images ("uid[:gid]" by fnmatch pattern). Returns
 * true and sets *uid and *gid (-1 when the entry gives no group) when the
 * image is known; *source names where the fact comes from. `scratch` is
 * known: it has no user, so it runs as root.
 */
bool df_base_image_user(const struct lint_options *opts, const char *image, long *uid, long *gid,
			const char **source);
/*
 * The same, with the base image as --pull read it (NULL: not read): after
 * the base-images setting, before the built-in list, its own config's user
 * resolved through its /etc/passwd.
 */
bool df_base_user(const struct lint_options *opts, const char *image,
		  const struct image_view *pulled, long *uid, long *gid, const char **source);
/* The *source df_base_user() gives for the pulled image. */
extern const char df_pulled_source[];

/*
 * The image reference the final stage is built FROM, for the engine to read
 * with --pull; NULL when there is none to read (scratch, a stage, a
 * variable without a value, a Windows image).
 */
const char *df_base_ref(const struct dockerfile *df);

/*
 * "NAME=value" entries (NULL-terminated) that a well-known base image sets in
 * its ENV, or NULL. A stage built FROM the image starts with them in scope.
 */
const char *const *df_base_image_env(const char *image);

/*
 * True when a stage builds a Windows image: its root image names Windows
 * (mcr.microsoft.com/windows/..., nanoserver, windowsservercore tags) or its
 * --platform is windows. Windows users are account names, not uids.
 */
bool df_stage_is_windows(const struct dockerfile *df, int stage);

/*
 * The final user of a Dockerfile: the USER line in effect at the end of the
 * final stage (through its stage parents), or the base image's user.
 */
struct df_final {
	int stage;		     /* the final stage, -1 when there is none */
	const struct df_instr *from; /* its FROM line */
	const struct df_user *user;  /* the USER in effect at its end */
	const char *base;	     /* the image at the root of its FROM chain, or NULL */
	bool base_known;	     /* user->instr == NULL and the base image is listed */
	long base_uid, base_gid;     /* when base_known; gid -1 when not given */
	const char *base_source;     /* where the listed fact comes from */
	bool base_pulled;	     /* ... which is the base image --pull read (df->base) */
};
/* Fills *out; false when the Dockerfile has no stage. */
bool df_final_user(const struct dockerfile *df, const struct lint_options *opts,
		   struct df_final *out);

/*
 * The image side of a Dockerfile: the final user, entrypoint, cmd, env,
 * workdir, volumes, and the ownership COPY/ADD --chown/--chmod give in the
 * final stage and the stages it is built from. NULL when the arena is full.
 */
struct image_view *df_image_view(struct arena *a, const struct dockerfile *df, const char *origin,
				 const struct lint_options *opts);

/*
 * Reads what the final image's commands do into df->chain, copies, run,
 * entry and accounts: its RUN lines, heredoc bodies, ENTRYPOINT and CMD
 * through the shell reader, and the scripts of the build context (the
 * Dockerfile's folder, or opts->context_dir) that COPY/ADD brought in and
 * those lines run: only from inside the context, only regular files, at
 * most the file size limit. A text the shell reader gives up on is an error
 * in rd. Returns -1 when the arena is full.
 */
int df_read_commands(struct reading *rd, struct dockerfile *df);

/* The source offset of offset `off` of a text. */
size_t df_text_src(const struct df_text *t, size_t off);

/*
 * Whether command `cmd` of text `t` runs, by the conditions around it
 * (sh_cmd.cond): 1 it does, -1 it does not (a test the ARG and ENV values
 * of its RUN step decide), 0 unknown, with *unknown the innermost
 * condition the file does not decide (branch.c).
 */
int df_branch(struct arena *a, const struct dockerfile *df, const struct df_text *t,
	      const struct sh_cmd *cmd, const struct sh_cond **unknown);

/* The source span of a command, its wrappers (exec, env, ...) included. */
void df_command_span(const struct df_command *c, size_t *start, size_t *end);

/* 0 for "0" and "root"; the number for digits; -1 otherwise. */
long df_id(const char *s);

/*
 * The uid the last useradd or adduser of the final image before command
 * df->run[before] (SIZE_MAX: all) gives `name`, else the base image's
 * /etc/passwd entry for it (df->base_db); -1 when none does. With
 * `literal`, an account whose name or uid is not written out gives -1.
 */
long df_account_uid(const struct dockerfile *df, const char *name, size_t before, bool literal);

/*
 * True when, at instruction `from` (its own RUN line included) or later,
 * the final image's commands give `path` (expanded) to everyone (a chmod
 * leaving other rwx: 777, 1777, o+rwx) or to group 0 with the group's rwx
 * (chgrp 0 or chown :0, and chmod g+rwX / 77x), or lets everyone read it
 * with group bits no wider than "other" (705, 755: the group no longer
 * matters), on the path or, with -R, a folder above it: what an earlier
 * chown took from OpenShift's arbitrary uid is then given back.
 */
bool df_reached_later(struct arena *a, const struct dockerfile *df, const struct df_instr *from,
		      const char *path);

/*
 * Whether the build certainly gave `path` a group other than 0 before the
 * command `until` (one of df->run): the last COPY/ADD --chown or RUN chown
 * and chgrp naming it, in build order. A process in group 0 then gets the
 * path's "other" bits, not its group bits.
 */
bool df_group_not_root(struct arena *a, const struct dockerfile *df, const struct df_command *until,
		       const char *path);

/*
 * The writes of the entrypoint at start (df->writes) that fail for a
 * process that is not root and owns none of the image's files (OpenShift's
 * arbitrary uid), and whose failure stops the script (start.c).
 */
enum df_start_need {
	DF_NEEDS_ROOT,	/* chown to `owner`: only root gives files away */
	DF_NEEDS_OWNER, /* chmod, chgrp, tar restoring a folder: only `path`'s owner may */
	DF_NEEDS_WRITE, /* makes `path` in `folder`, which the base image leaves root:root 0755 */
};
struct df_start {
	const struct df_write *dw;
	enum df_start_need need;
	const char *path;   /* expanded and absolute; NULL when a variable the script sets */
	const char *folder; /* DF_NEEDS_WRITE */
	const char *owner;  /* DF_NEEDS_ROOT */
	size_t start, end;  /* the command, in dw->t->src */
};
int df_start_writes(struct arena *a, const struct dockerfile *df, struct df_start **out, size_t *n);

/*
 * The one user every finding on a Dockerfile suggests (`USER uid:0`): the
 * uid the image already uses for itself (its numeric USER line, the account
 * a named USER or the entrypoint's privilege drop names, else the owner its
 * --chown/chown lines and useradd lines name most), or the base image's
 * listed user, or 1001 (--min-uid when higher). A numeric USER below
 * --min-uid stays only when the image's files or accounts use it too.
 */
struct df_image_user {
	long uid;
	const char *name; /* the account the uid comes from, or NULL */
	const char *why;  /* where the uid comes from, for messages; NULL: the USER line or 1001 */
	bool own;	  /* the image's own user, from its own lines */
};
void df_image_user(struct arena *a, const struct dockerfile *df, const struct lint_options *opts,
		   struct df_image_user *out);

#endif
