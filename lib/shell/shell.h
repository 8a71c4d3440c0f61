/*
 * shell.h - a POSIX shell reader for RUN lines and entrypoint scripts.
 *
 * sh_parse() splits a script into simple commands with their words, handling
 * quoting, escapes, &&, ||, ;, |, newlines, $(...) and `...`, and one level
 * of `sh -c '...'` / `bash -c "..."`. Words keep spans (offsets into the
 * parsed text) so findings can point at them. It does not run anything and
 * does not expand variables: a word holding $X keeps it as written.
 *
 * sh_find() classifies the commands unroot cares about.
 */
#ifndef UNROOT_SHELL_H
#define UNROOT_SHELL_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

struct sh_word {
	const char *value; /* quotes removed, escapes applied; $VAR left as written */
	size_t start, end; /* span in the parsed text */
	bool expands;	   /* holds an unquoted or double-quoted $ or ` */
};

/* The body of a here-document, read from the lines after the command. */
struct sh_heredoc {
	const char *body;  /* as written (leading tabs removed for <<-) */
	size_t start, end; /* span of the body in the parsed text */
	bool quoted;	   /* <<'EOF': no expansion inside */
};

struct sh_redir {
	const char *op;			  /* ">", ">>", "<", "2>", "<<", "<<-", ... */
	struct sh_word target;		  /* for << and <<-: the delimiter */
	const struct sh_heredoc *heredoc; /* for << and <<-; NULL when there is no body */
};

/*
 * A condition a command runs under: the test of the if or elif around it,
 * the command before a `&&` (when it is a test: `[`, `getent`, `grep -q`...;
 * after any other command, `&&` only chains steps that all run), what
 * comes before a `||`, or a case pattern. Tests of the uid are not
 * conditions here: their branches are sh_cmd.root_only. The reader of a
 * Dockerfile decides what it can with the ARG and ENV values; a condition
 * nobody can decide from the file makes the command's effect unknown.
 */
struct sh_cond {
	const struct sh_cond *outer; /* the condition around this one, or NULL */
	const struct sh_word *argv;  /* the test when it is one simple command, else NULL */
	size_t argc;
	const char *text; /* the condition as written, blanks squeezed, at most 80 bytes */
	bool negated;	  /* the command runs when the test fails: else, elif, ||, `!` */
	char kind;	  /* 'i' if or elif, '&' &&, '|' ||, 'c' case pattern */
	bool in_function; /* in a function's body or an sh -c string: $1 is its own argument */
};

struct sh_cmd {
	struct sh_word *argv; /* assignments (A=b cmd) removed; wrappers such as `exec` kept */
	size_t argc;
	struct sh_redir *redirs;
	size_t nredirs;
	size_t start, end; /* span in the parsed text */
	unsigned depth;	   /* 0 at the top; one more inside each sh -c, $(...), `...`, ( ) */
	/* In an if branch taken only when the shell runs as root: the then of
	 * `if [ "$(id -u)" = 0 ]` (-eq, $EUID, $UID, whoami = root), the else of != or -ne. */
	bool root_only;
	/* The innermost condition it runs under, or NULL (it runs whenever its text does).
	 * The then of `[ "$1" = x ] && [ "$(id -u)" = 0 ]` and of `[ "$1" = x -a "$(id -u)" = 0 ]`
	 * are root_only too: a test that must hold with the root test. */
	const struct sh_cond *cond;
	/* What follows it: '|' a pipe (its output is the next command's input), '&' for &&,
	 * 'o' for ||, 0 otherwise (;, &, a newline, the end). */
	char next_op;
	bool tested; /* in the condition of an if: its failure does not stop a `set -e` script */
};

struct sh_script {
	struct sh_cmd *cmds;
	size_t ncmds;
};

struct sh_error {
	size_t start, end;
	const char *message;
	bool limit; /* a limit of this reader (nesting, memory), not a text the shell refuses */
};

/*
 * Parses text[0..len). Returns 0, or -1 with *err for text that cannot be
 * read (an unterminated quote). Recursion and sizes are bounded.
 */
int sh_parse(struct arena *a, const char *text, size_t len, struct sh_script *out,
	     struct sh_error *err);

enum sh_kind {
	SH_OTHER = 0,
	SH_USER_ADD,	 /* useradd, adduser */
	SH_GROUP_ADD,	 /* groupadd, addgroup */
	SH_USER_MOD,	 /* usermod */
	SH_GROUP_MOD,	 /* groupmod */
	SH_CHOWN,	 /* chown, chgrp, install -o/-g */
	SH_CHMOD,	 /* chmod, install -m */
	SH_PASSWD_WRITE, /* writes to /etc/passwd (redirect, tee, sed -i, chmod on it) */
	SH_PRIV_DROP, /* gosu, su-exec, setpriv, su, runuser, sudo, chroot --userspec, s6-setuidgid,
			 chpst */
	SH_SETCAP,    /* setcap CAPS FILE: gives a file capabilities (mode: the capability text) */
};

struct sh_finding {
	enum sh_kind kind;
	const struct sh_cmd *cmd;
	const char *tool;  /* argv[0] base name as found: "adduser", "chgrp", "install", "gosu" */
	const char *owner; /* SH_CHOWN: the user part, or NULL; SH_PRIV_DROP: the target user */
	const char *group; /* SH_CHOWN: the group part, or NULL (chown u: gives the user's group) */
	bool owner_colon;  /* chown `u:` with an empty group: the user's login group */
	const char *mode;  /* SH_CHMOD: the mode spec as written; SH_SETCAP: the capabilities */
	bool recursive;	   /* -R */
	const char **paths; /* the operands */
	size_t npaths;
	const char *name;     /* SH_USER_ADD/GROUP_ADD: the account created */
	long uid, gid;	      /* -u / -g numbers when given, else -1 */
	const char *uid_text; /* -u as written ("${uid}" stays so): rules may expand it */
	const char *gid_name; /* -g/-G group given as a name */
	const char *groups;   /* useradd/usermod -G: supplementary groups as written */
	bool system;	      /* -r, -S, --system */
	size_t tool_index;    /* index in cmd->argv of the tool (after wrappers) */
	size_t inner_index;   /* SH_PRIV_DROP: index of the command run as the user; argc: none */
};

/*
 * Index in c->argv of the program a command really runs, past wrappers (exec,
 * env, nice, nohup, command, time, tini, ...) and privilege-drop tools with
 * their user (gosu USER, su-exec USER, ...); c->argc when there is none.
 */
size_t sh_program(const struct sh_cmd *c);

/* Appends the findings in `s` to *out (arena-allocated), in order. */
int sh_find(struct arena *a, const struct sh_script *s, struct sh_finding **out, size_t *n);

/*
 * Applies a chmod mode (octal, or symbolic like "g=u,o-w" or "+X") to
 * `old` for a file (is_dir false) or folder. Returns 0, or -1 for a mode
 * that does not parse.
 */
int mode_apply(const char *spec, unsigned old, bool is_dir, unsigned *out);

/*
 * mode_apply() with a umask: symbolic clauses without u/g/o/a (`+w`, `=rw`)
 * leave out the bits the umask holds, as chmod(1) does. A RUN step runs with
 * the runtime's umask (022 under runc unless the OCI config sets one).
 */
int mode_apply_umask(const char *spec, unsigned old, bool is_dir, unsigned umask_value,
		     unsigned *out);

/*
 * What a command of a script writes, for the writes an entrypoint makes at
 * start: a file it creates or changes (`>`, `>>`, touch, sed -i, cp, ln,
 * install), a folder it makes (mkdir), an archive it unpacks over a folder
 * (tar -x), and the owners and modes it changes (chown, chgrp, chmod).
 */
enum sh_write_kind {
	SH_W_FILE,    /* writes the file `path`: its folder must be writable (or the file) */
	SH_W_DIR,     /* mkdir `path`: its parent must be writable */
	SH_W_EXTRACT, /* tar -x into the folder `path` (NULL: the working folder) */
	SH_W_OWNER,   /* chown/chgrp: `owner` (as written, or NULL) and group of `path` */
	SH_W_MODE,    /* chmod `path` */
};

struct sh_write {
	enum sh_write_kind kind;
	const struct sh_cmd *cmd;
	const char *tool;	   /* "mkdir", ">", ">>", "sed", "tar", "chown", ... */
	const char *path;	   /* as written ($VAR kept); relative: from the working folder */
	const char *owner, *group; /* SH_W_OWNER */
	bool parents;		   /* mkdir -p: an existing folder is fine */
	/*
	 * SH_W_EXTRACT: the archive holds the folder itself (`tar -c ... .` piped
	 * into it) and tar restores its mode and times (no --no-overwrite-dir),
	 * which only the folder's owner may do.
	 */
	bool whole_dir;
};

/* Appends what the commands of `s` write to *out (arena-allocated), in order. */
int sh_writes(struct arena *a, const struct sh_script *s, struct sh_write **out, size_t *n);

/* True when a `set` command of `s` before offset `at` turns on errexit (set -e, -o errexit). */
bool sh_errexit_before(const struct sh_script *s, size_t at);

#endif
