/* image-check.c - helpers the image rules share. */
#include "image-check.h"
#include "unroot/arena.h"
#include "unroot/lint.h"

#include <stdarg.h>
#include <string.h>

void img_arbitrary(const struct check_ctx *ctx, struct identity *id)
{
	identity_arbitrary(ctx->opts, id);
}

bool img_user(const struct check_ctx *ctx, struct identity *id)
{
	const struct image *img = ctx->image;
	memset(id, 0, sizeof(*id));
	if (!img || img->view.uid < 0)
		return false;
	id->uid = img->view.uid;
	id->gid = img->view.gid < 0 ? 0 : img->view.gid;
	id->groups = img->groups;
	id->ngroups = img->ngroups;
	return true;
}

const char *img_describe(const struct check_ctx *ctx, const struct fs_node *n)
{
	char m[11];
	fs_mode_string(n->mode, m);
	return arena_printf(ctx->arena, "owner %u, group %u, mode %04o (%s)", n->uid, n->gid,
			    n->mode & 07777, m);
}

static const char *bits(unsigned want)
{
	static const char *const b[8] = {"", "x", "w", "wx", "r", "rx", "rw", "rwx"};
	return b[want & 7];
}

const char *img_fix(const struct check_ctx *ctx, const char *path, const struct fs_node *n,
		    unsigned want, bool recursive)
{
	if (recursive)
		return arena_printf(ctx->arena, "chgrp -R 0 %s && chmod -R g=u %s", path, path);
	if (n && n->gid != 0)
		return arena_printf(ctx->arena, "chgrp 0 %s && chmod g+%s %s", path, bits(want),
				    path);
	return arena_printf(ctx->arena, "chmod g+%s %s", bits(want), path);
}

const char *img_user_fix(const struct check_ctx *ctx, long uid)
{
	long min = ctx->opts->min_uid;
	if (!(uid >= min && uid > 0 && uid != 65534 && uid != 65535))
		uid = min > 1001 ? min : 1001;
	return arena_printf(ctx->arena, "USER %ld:0", uid);
}

struct diag *img_report(struct check_ctx *ctx, const struct rule *r, const char *object,
			const char *fix, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct diag *d = diag_vadd(ctx->diags, r, ctx->path, NULL, 0, 0, fmt, ap);
	va_end(ap);
	if (d) {
		d->object = object;
		d->fix = fix;
	}
	return d;
}

void img_more(struct check_ctx *ctx, struct diag *last, size_t more)
{
	if (last && more)
		last->message = arena_printf(ctx->arena, "%s (%zu more findings not shown)",
					     last->message, more);
}

bool img_system_path(const char *path)
{
	static const char *const sys[] = {"/bin",   "/boot",  "/dev",	 "/etc",  "/lib",
					  "/lib32", "/lib64", "/libx32", "/proc", "/run",
					  "/sbin",  "/sys",   "/usr",	 "/var"};
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++) {
		size_t n = strlen(sys[i]);
		if (strncmp(path, sys[i], n) == 0 && (path[n] == 0 || path[n] == '/'))
			return true;
	}
	return false;
}
