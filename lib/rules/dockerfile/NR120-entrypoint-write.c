/*
 * NR120 entrypoint-write: the entrypoint makes at start a write that only
 * root, or the owner of the image's files, can make (lib/dockerfile/start.c).
 */
#include "final-user.h"
#include "unroot/arena.h"
#include "unroot/diag.h"
#include "rules/check.h"
#include "shell/shell.h"
#include "unroot/source.h"

#include <string.h>

/* The command as written, on one line, at most 120 bytes. */
static const char *shown(struct check_ctx *ctx, const struct df_start *s)
{
	const char *t = s->dw->t->src->data + s->start;
	size_t n = s->end - s->start;
	char *o = arena_alloc(ctx->arena, (n > 120 ? 120 : n) + 4);
	size_t k = 0;
	if (!o)
		return "";
	for (size_t i = 0; i < n && k < 120; i++) {
		char c = t[i];
		if (c == '\\' && i + 1 < n && t[i + 1] == '\n') {
			i++;
			c = ' ';
		} else if (c == '\n' || c == '\t') {
			c = ' ';
		}
		if (c == ' ' && k && o[k - 1] == ' ')
			continue;
		o[k++] = c;
	}
	if (k < n && k == 120)
		memcpy(o + k, "...", 3), k += 3;
	o[k] = 0;
	return o;
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	struct df_start *st;
	size_t n;
	if (df_start_writes(ctx->scratch, ctx->df, &st, &n) != 0)
		return;
	const char *user_fix = final_user_fix(ctx);
	for (size_t i = 0; i < n; i++) {
		const struct df_start *s = &st[i];
		const struct sh_write *w = s->dw->w;
		if (i && st[i - 1].dw->w->cmd == w->cmd)
			continue; /* one finding a command: `chown -R app /a /b` */
		const char *cmd = shown(ctx, s);
		const char *where = "";
		if (s->dw->t->in_script) {
			unsigned line, col;
			source_position(ctx->src, s->dw->t->in->start, &line, &col);
			where = arena_printf(ctx->arena,
					     " in the entrypoint script that %s on line %u of %s "
					     "runs",
					     s->dw->t->in->keyword, line, ctx->path);
		}
		const char *p = s->path ? s->path : w->path ? w->path : "the working folder";
		const char *what, *fix;
		switch (s->need) {
		case DF_NEEDS_ROOT:
			what = arena_printf(ctx->arena,
					    "gives files to '%s' at start, which only root may do "
					    "(CAP_CHOWN)",
					    s->owner);
			fix =
			    arena_printf(ctx->arena, "RUN chgrp -R 0 %s && chmod -R g=u %s", p, p);
			break;
		case DF_NEEDS_OWNER:
			if (w->kind == SH_W_EXTRACT) {
				what = arena_printf(
				    ctx->arena,
				    "unpacks an archive of '.' over %s at start, and tar then sets "
				    "the "
				    "folder's mode and times, which only its owner may do",
				    p);
				fix = "tar --extract --no-overwrite-dir ...";
			} else {
				what = arena_printf(ctx->arena,
						    "changes the %s of %s at start, which only its "
						    "owner (or root) may do",
						    w->kind == SH_W_MODE ? "mode" : "group", p);
				fix = arena_printf(ctx->arena, "%s || true", cmd);
				/* a mode the build can set is set there */
			}
			break;
		default:
			what =
			    arena_printf(ctx->arena,
					 "writes %s at start, in %s, which the base image leaves "
					 "to root (root:root, not writable by group 0)",
					 p, s->folder);
			fix = strcmp(w->tool, ">") == 0 || strcmp(w->tool, ">>") == 0 ||
				      strcmp(w->tool, "touch") == 0
				  ? arena_printf(ctx->arena,
						 "RUN touch %s && chgrp 0 %s && chmod g=u %s", p, p,
						 p)
				  : arena_printf(ctx->arena,
						 "RUN mkdir -p %s/app && chgrp 0 %s/app && chmod "
						 "g=u %s/app",
						 s->folder, s->folder, s->folder);
			break;
		}
		struct diag *d = diag_add(
		    ctx->diags, self, s->dw->t->path, s->dw->t->src, s->start, s->end,
		    "'%s'%s %s: %s it fails and the script stops there "
		    "(OpenShift's arbitrary uid owns none of the image's files; Kubernetes with "
		    "runAsUser, and '%s', run it that way too); write '%s' instead, or run it "
		    "only as root (inside `if [ \"$(id -u)\" = 0 ]`)",
		    cmd, where, what,
		    s->need == DF_NEEDS_OWNER ? "under a uid that does not own it"
					      : "under any non-root uid",
		    user_fix, fix);
		/* The advice is in the message: no `fix`, which must be an exact edit of the span.
		 */
		(void)d;
	}
}

const struct rule NR120_entrypoint_write = {
    .code = "NR120",
    .name = "entrypoint-write",
    .severity = SEV_WARNING,
    .platforms = PLAT_ALL,
    .kind = KIND_DOCKERFILE,
    .summary = "the entrypoint writes at start what only root or the files' owner may",
    .description =
	"An entrypoint that prepares the container at start (`chown -R app /data`, `chmod`, "
	"`tar -c . | tar -x` into the working folder, a file written into /etc or /opt) works "
	"while the container runs as root. Under a non-root uid those writes fail: only root "
	"gives files away, only the owner changes a mode or a folder's times, and folders the "
	"base image leaves to root:root 0755 take no new files. OpenShift's arbitrary uid owns "
	"none of the image's files, so it fails there first. unroot reads the final ENTRYPOINT "
	"and CMD and the entrypoint script they run from the build context, and reports a "
	"write only when its failure stops the script (after `set -e`, or chained with `&&`), "
	"not in an if's condition, not followed by `||`, and not in a branch the script takes "
	"only as root (`if [ \"$(id -u)\" = 0 ]`). chmod and chgrp count on paths the script "
	"did not make itself, outside /tmp and /run; a new file or folder counts in /, /etc, "
	"/usr, /opt, /var, /var/lib, /var/log, /srv, /home or /root when no line of the "
	"Dockerfile opens that folder (or the file) to group 0 or to everyone, and not under a "
	"VOLUME.",
    .remediation = "Do the chown or chmod at build time with group 0 (`RUN chgrp -R 0 /data && "
		   "chmod -R g=u /data`), unpack with `tar --no-overwrite-dir`, write into a "
		   "folder group 0 can write, and keep root-only steps inside "
		   "`if [ \"$(id -u)\" = 0 ]`.",
    .bad = "FROM alpine:3.20\nENTRYPOINT [\"sh\", \"-c\", \"chown -R app /data && exec "
	   "/app/run\"]\n",
    .good = "FROM alpine:3.20\nRUN mkdir /data && chgrp -R 0 /data && chmod -R g=u /data\nUSER "
	    "1001:0\nENTRYPOINT [\"/app/run\"]\n",
    .check = check,
};
