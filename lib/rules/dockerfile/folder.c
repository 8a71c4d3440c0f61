/* folder.c - a folder of the final image in build order (folder.h). */
#include "folder.h"
#include "show.h"
#include "unroot/arena.h"
#include "rules/check.h"

#include <string.h>

/* A path without surrounding quotes and a trailing slash; NULL when not absolute. */
const char *folder_clean(struct check_ctx *ctx, const char *p)
{
	if (!p)
		return NULL;
	size_t n = strlen(p);
	if (n >= 2 && (p[0] == '"' || p[0] == '\'') && p[n - 1] == p[0]) {
		p++;
		n -= 2;
	}
	while (n > 1 && p[n - 1] == '/')
		n--;
	if (!n || p[0] != '/' || memchr(p, '$', n))
		return NULL;
	return arena_strndup(ctx->scratch, p, n);
}

/* `path` joined to the working folder `wd` when relative; NULL when that is unknown. */
const char *folder_resolve(struct check_ctx *ctx, const char *wd, const char *path)
{
	if (!path || strchr(path, '$'))
		return NULL;
	if (path[0] == '/')
		return folder_clean(ctx, path);
	if (!wd)
		return NULL;
	if (strcmp(path, ".") == 0 || strcmp(path, "./") == 0)
		return wd;
	if (strncmp(path, "./", 2) == 0)
		path += 2;
	return folder_clean(ctx,
			    arena_printf(ctx->scratch, "%s/%s", strcmp(wd, "/") ? wd : "", path));
}

/* p is w, or below it. */
bool folder_within(const char *p, const char *w)
{
	size_t n = strlen(w);
	return strncmp(p, w, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

bool folder_walk(struct check_ctx *ctx, struct folder_walk *w)
{
	const struct dockerfile *df = ctx->df;
	w->wd_at = arena_alloc(ctx->scratch, (df->ninstrs ? df->ninstrs : 1) * sizeof(*w->wd_at));
	if (!w->wd_at)
		return false;
	const char *wd = NULL;
	for (size_t c = 0; c < df->nchain; c++) {
		const struct df_stage *st = &df->stages[df->chain[c]];
		for (size_t k = st->first; k < st->last; k++) {
			const struct df_instr *in = &df->instrs[k];
			w->wd_at[k] = wd;
			if (in->cmd != DF_WORKDIR || in->nargs < 1)
				continue;
			const char *p = show_expand(ctx, in, in->args[0].text);
			const char *r = folder_resolve(
			    ctx, wd, p); /* a relative one on the base's WORKDIR: unknown */
			wd = r;		 /* NULL: not known from here on */
			w->last_workdir = in;
		}
	}
	w->wd = wd;
	return true;
}

/*
 * Whether a RUN chown, chgrp or chmod of the final image touches `dir`:
 * the folder itself, something in it, or a folder above it recursively. A
 * relative path whose working folder is not known counts too.
 */
bool folder_touched(struct check_ctx *ctx, const struct folder_walk *w, const char *dir)
{
	const struct df_command *h = ctx->df->run;
	for (size_t i = 0; i < ctx->df->nrun; i++) {
		const struct sh_finding *f = h[i].f;
		if (f->kind != SH_CHOWN && f->kind != SH_CHMOD)
			continue;
		size_t k = (size_t)(h[i].t->in - ctx->df->instrs);
		const char *wd = k < ctx->df->ninstrs ? w->wd_at[k] : NULL;
		for (size_t j = 0; j < f->npaths; j++) {
			const char *raw = show_expand(ctx, h[i].t->in, f->paths[j]);
			const char *p =
			    folder_resolve(ctx, wd ? wd : NULL, raw ? raw : f->paths[j]);
			if (!p || folder_within(p, dir) || (f->recursive && folder_within(dir, p)))
				return true;
		}
	}
	return false;
}

/*
 * Whether a COPY or ADD of the final image writes `dir` or a folder above
 * it (its owner and mode then come from the source), or, with `inside`,
 * anything in it (the tool's folders may come from there). An unknown
 * destination counts too.
 */
bool folder_copied(struct check_ctx *ctx, const struct folder_walk *w, const char *dir, bool inside)
{
	const struct dockerfile *df = ctx->df;
	for (size_t i = 0; i < df->ncopies; i++) {
		const struct df_instr *in = df->copies[i];
		if (in->nargs < 2)
			continue;
		size_t k = (size_t)(in - df->instrs);
		const char *wd = k < df->ninstrs ? w->wd_at[k] : NULL;
		const char *raw = in->args[in->nargs - 1].text;
		const char *x = in->json ? raw : show_expand(ctx, in, raw);
		const char *dest = folder_resolve(ctx, wd, x ? x : raw);
		if (!dest || folder_within(dir, dest) || (inside && folder_within(dest, dir)))
			return true;
	}
	return false;
}

/* Whether a RUN before `before` makes `dir` with mkdir (the folder or one inside it, -p). */
bool folder_made(struct check_ctx *ctx, const struct df_instr *before, const char *dir)
{
	const struct dockerfile *df = ctx->df;
	size_t n = strlen(dir);
	for (size_t c = 0; c < df->nchain; c++) {
		const struct df_stage *st = &df->stages[df->chain[c]];
		for (size_t k = st->first; k < st->last; k++) {
			const struct df_instr *in = &df->instrs[k];
			if (in->start >= before->start || in->cmd != DF_RUN)
				continue;
			const char *t = show_expand(ctx, in, in->text);
			if (!t || !strstr(t, "mkdir"))
				continue;
			for (const char *s = strstr(t, dir); s; s = strstr(s + 1, dir)) {
				char e = s[n];
				if (e == '\0' || e == '/' || e == ' ' || e == '"' || e == '\'' ||
				    e == ';' || e == '\t' || e == '\n')
					return true;
			}
		}
	}
	return false;
}

bool folder_base_is(const char *base, const char *const *names, size_t n)
{
	if (!base)
		return false;
	if (strncmp(base, "docker.io/", 10) == 0)
		base += 10;
	if (strncmp(base, "library/", 8) == 0)
		base += 8;
	size_t len = strcspn(base, ":@");
	for (size_t i = 0; i < n; i++)
		if (strlen(names[i]) == len && strncmp(base, names[i], len) == 0)
			return true;
	return false;
}

const char *folder_env(struct check_ctx *ctx, const struct df_instr *in, const char *name,
		       bool *set)
{
	bool found = false;
	const char *v = df_var_get(in->vars, name, &found);
	if (set)
		*set = found;
	return found ? folder_clean(ctx, v) : NULL;
}
