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

/* The lexer's character classes, shared with cut.c. */
static inline bool sh_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static inline bool sh_is_meta(char c)
{
	return c == ';' || c == '&' || c == '|' || c == '<' || c == '>' || c == '(' || c == ')';
}

static inline bool sh_is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static inline bool sh_is_name_char(char c)
{
	return sh_is_name_start(c) || (c >= '0' && c <= '9');
}

/* Offset just past the NAME= or NAME+= that t[start..end) starts with, or 0. */
static inline size_t sh_assign_end(const char *t, size_t start, size_t end)
{
	if (start >= end || !sh_is_name_start(t[start]))
		return 0;
	size_t i = start + 1;
	while (i < end && sh_is_name_char(t[i]))
		i++;
	if (i < end && t[i] == '+')
		i++;
	return i < end && t[i] == '=' ? i + 1 : 0;
}

/* Bytes that mean something inside double quotes. */
extern const bool sh_dq_special[256];

/*
 * Where the command starting at t[i] ends at the top level of t[0..end): the
 * offset of the separator after it (*n its length), `end` when the text
 * ends first (*n = 0), or SIZE_MAX when the reading cannot be sure (parse
 * the rest whole). *must: the stretch has a part only parsing checks.
 */
size_t sh_next_cut(const char *t, size_t i, size_t end, size_t *n, bool *must);

#endif
