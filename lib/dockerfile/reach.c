/*
 * reach.c - whether the build later gives a path to group 0 or to everyone,
 * in build order: a `chmod 1777 DIR` in the same RUN as `chown app:app DIR`,
 * or a later `chgrp -R 0 DIR && chmod -R g+rwX DIR`, undoes what the chown
 * took from OpenShift's arbitrary uid. Read from the commands of the model.
 */
#include "dockerfile/dockerfile.h"
#include "shell/shell.h"
#include "unroot/arena.h"

#include <string.h>

/* `p` is `path` or, with `recursive`, a folder above it. */
static bool covers(const char *p, bool recursive, const char *path)
{
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		n--;
	size_t m = strlen(path);
	while (m > 1 && path[m - 1] == '/')
		m--;
	if (n == m && strncmp(p, path, n) == 0)
		return true;
	return recursive && n < m && strncmp(p, path, n) == 0 && (path[n] == '/' || n == 1);
}

/* One of the command's operands, expanded, covers `path`. */
static bool names(struct arena *a, const struct dockerfile *df, const struct df_command *c,
		  const char *path)
{
	for (size_t i = 0; i < c->f->npaths; i++) {
		const char *p = df_expand_known(a, df, c->t->in, c->f->paths[i]);
		if (p && covers(p, c->f->recursive, path))
			return true;
	}
	return false;
}

/* Runs at or after `from`: the same RUN line, or a later one. */
static bool at_or_after(const struct df_command *c, const struct df_instr *from)
{
	return c->t->in == from || c->t->in->start > from->start;
}

bool df_reached_later(struct arena *a, const struct dockerfile *df, const struct df_instr *from,
		      const char *path)
{
	bool group0 = false, group_bits = false;
	if (!path)
		return false;
	for (size_t i = 0; i < df->nrun; i++) {
		const struct df_command *c = &df->run[i];
		const struct sh_finding *f = c->f;
		if (c->t->in_script || !at_or_after(c, from) || !names(a, df, c, path))
			continue;
		if (f->kind == SH_CHMOD && f->mode) {
			const char *mode = df_expand_known(a, df, c->t->in, f->mode);
			unsigned m;
			if (!mode || mode_apply(mode, 0755, true, &m) != 0)
				continue;
			if ((m & 07) == 07)
				return true; /* everyone, so OpenShift's uid too, reaches it */
			/* Everyone reads it, and group 0 would get no more than "other"
			 * does (705, 755): which group it has no longer matters. */
			if ((m & 05) == 05 && (((m >> 3) & 07) & ~(m & 07)) == 0)
				return true;
			if ((m & 070) == 070)
				group_bits = true;
		} else if (f->kind == SH_CHOWN && f->group) {
			const char *g = df_expand_known(a, df, c->t->in, f->group);
			if (g && df_id(g) == 0)
				group0 = true;
		}
	}
	return group0 && group_bits;
}

/* `--chown=USER:GROUP`'s group, or NULL. */
static const char *chown_group(struct arena *a, const struct dockerfile *df,
			       const struct df_instr *in)
{
	const struct df_flag *fl = df_flag_get(in, "chown");
	const char *v = fl && fl->value ? df_expand_known(a, df, in, fl->value) : NULL;
	const char *colon = v ? strchr(v, ':') : NULL;
	return colon && colon[1] ? colon + 1 : NULL;
}

/* A group that is certainly not 0: a number other than 0, or a name other than root. */
static bool other_group(const char *g)
{
	if (!g || !*g)
		return false;
	long id = df_id(g);
	return id > 0 || (id < 0 && strcmp(g, "root") != 0 && !strchr(g, '$'));
}

bool df_group_not_root(struct arena *a, const struct dockerfile *df, const struct df_command *until,
		       const char *path)
{
	bool not_root = false;
	size_t at = 0; /* where the last line that set the group starts */
	if (!path)
		return false;
	for (size_t i = 0; i < df->ncopies; i++) {
		const struct df_instr *in = df->copies[i];
		if (in->start >= until->t->in->start || in->nargs < 2)
			continue;
		const char *dest = df_expand_known(a, df, in, in->args[in->nargs - 1].text);
		if (dest && covers(dest, true, path) && in->start >= at) {
			not_root = other_group(chown_group(a, df, in));
			at = in->start;
		}
	}
	for (const struct df_command *c = df->run; c < until && c < df->run + df->nrun; c++) {
		const struct sh_finding *f = c->f;
		if (f->kind != SH_CHOWN || c->t->in_script || c->t->in->start < at ||
		    !names(a, df, c, path))
			continue;
		/* `chown u` and `chown u:` leave a group unknown here */
		not_root = f->group && other_group(df_expand_known(a, df, c->t->in, f->group));
		at = c->t->in->start;
	}
	return not_root;
}
