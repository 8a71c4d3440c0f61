/* internal.h - what shell.c and find.c share inside lib/shell. */
#ifndef UNROOT_SHELL_INTERNAL_H
#define UNROOT_SHELL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "shell/shell.h"

/* The last path component of a command word: "/usr/sbin/useradd" gives "useradd". */
const char *sh_base(const char *word);

/* What a command name is to unroot's readers of commands. */
enum sh_prog {
	PROG_OTHER,
	PROG_WRAPPER, /* exec, env, nice, ...: run the command after their options */
	PROG_DROP,    /* gosu, su-exec, setpriv, su, ...: may run it as another user */
	PROG_SHELL,
	PROG_ACCOUNT, /* useradd, adduser, groupadd, ... */
	PROG_CHOWN,
	PROG_CHMOD,
	PROG_INSTALL,
	PROG_WRITER, /* tee, sed, cp, mv: may write /etc/passwd */
	PROG_FIND,
	PROG_SET,
	PROG_SETCAP,
};
enum sh_prog sh_prog_kind(const char *base);
/* The i-th name of the table and its kind; NULL past the end (for tests). */
const char *sh_prog_name(size_t i, enum sh_prog *kind);

/*
 * Index of the command that `c` really runs, starting at argv[i]: wrappers
 * (exec, env, nice, nohup, command, time, ...) and, when `drops` is true,
 * privilege-drop tools with their user (gosu USER, su-exec USER, ...) are
 * stepped over. Returns c->argc when nothing is left.
 */
size_t sh_skip_wrappers(const struct sh_cmd *c, size_t i, bool drops);

/*
 * For a shell started with a command string (sh -c STRING, bash -ec STRING,
 * su USER -c STRING), the index of STRING in argv; 0 when there is none.
 */
size_t sh_command_string(const struct sh_cmd *c);

#endif
