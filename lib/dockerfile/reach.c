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
