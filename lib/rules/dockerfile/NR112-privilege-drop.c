/*
 * NR112 privilege-drop: ENTRYPOINT/CMD, or the entrypoint script they run
 * from the build context, switches user (gosu, su-exec, setpriv, su, ...).
 */
#include "drop.h"
#include "final-user.h"
#include "edit.h"
#include "show.h"
#include "unroot/arena.h"
#include "unroot/buf.h"
#include "unroot/diag.h"
#include "rules/check.h"
#include "unroot/source.h"

#include <string.h>

static bool is_root(const char *u)
{
	if (!u)
		return true;
	size_t n = strcspn(u, ":");
	return (n == 4 && strncmp(u, "root", 4) == 0) || (n == 1 && u[0] == '0');
}

/* A JSON string literal. */
static const char *json_str(struct check_ctx *ctx, const char *s)
{
	size_t n = strlen(s);
	char *o = arena_alloc(ctx->arena, 2 * n + 3);
	size_t k = 0;
	if (!o)
		return "\"\"";
	o[k++] = '"';
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			o[k++] = '\\';
		o[k++] = *s;
	}
	o[k++] = '"';
	o[k] = '\0';
	return o;
}

/* The command without the drop tool and its user, as it would be written instead. */
static const char *without_drop(struct check_ctx *ctx, const struct df_command *h)
{
	const struct sh_finding *f = h->f;
	const struct sh_cmd *c = f->cmd;
	const struct df_instr *in = h->t->in;
	if (f->inner_index >= c->argc || f->tool_index >= c->argc)
		return NULL;
	if (!h->t->in_script && in->json && c->depth == 0) {
		const char **items = arena_alloc(ctx->scratch, (c->argc + 1) * sizeof(*items));
		size_t n = 0;
		if (!items)
			return NULL;
		for (size_t k = 0; k < c->argc; k++)
			if (k < f->tool_index || k >= f->inner_index)
				items[n++] = json_str(ctx, c->argv[k].value);
		const char *list = arena_join(ctx->arena, items, n, ", ");
		return list ? arena_printf(ctx->arena, "%s [%s]", in->keyword, list) : NULL;
	}
	if (!h->t->in_script && in->json)
		return NULL;
	const char *t = h->t->text;
	size_t s0 = c->argv[0].start, ts = c->argv[f->tool_index].start;
	size_t is = c->argv[f->inner_index].start;
	const char *cmd = arena_printf(ctx->arena, "%.*s%.*s", (int)(ts - s0), t + s0,
				       (int)(c->end - is), t + is);
	if (s0 == ts && drop_set_before(t, s0))
		cmd = arena_printf(ctx->arena, "set -- %s", cmd);
	if (h->t->in_script)
		return cmd;
	return arena_printf(ctx->arena, "%s %s", in->keyword, cmd);
}

/* The edit: the tool and its user go (`exec gosu app "$@"` becomes `exec "$@"`). */
static void drop_edit(struct check_ctx *ctx, struct diag *d, const struct df_command *h)
{
	const struct sh_finding *f = h->f;
	const struct sh_cmd *c = f->cmd;
	if (!d || f->inner_index >= c->argc || f->tool_index >= f->inner_index)
		return;
	const struct df_instr *in = h->t->in;
	if (!h->t->in_script && in->json) {
		/* JSON elements go with the comma after them */
		size_t ts, is;
		if (c->depth || f->inner_index >= in->nargs)
			return;
		ts = in->args[f->tool_index].start;
		is = in->args[f->inner_index].start;
		edit_dockerfile(ctx, d, ts, is, "");
		return;
	}
	size_t ts, te, is, ie;
	if (!edit_word_span(h, f->tool_index, &ts, &te) ||
	    !edit_word_span(h, f->inner_index, &is, &ie) || is < ts)
		return;
	if (memchr(h->t->src->data + ts, '\n', is - ts))
		return; /* the words run over a continuation line */
	diag_edit_add(ctx->diags, d, h->t->path, ts, is, "");
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	const struct df_command *h = ctx->df->entry;
	size_t n = ctx->df->nentry;
	struct final_user fu;
	bool non_root = final_user_get(ctx, &fu) && fu.known && fu.uid != 0 &&
			!(fu.user_is_name && fu.user && strcmp(fu.user, "root") == 0);
	const char *user_fix = final_user_fix(ctx);
	for (size_t i = 0; i < n; i++) {
		const struct sh_finding *f = h[i].f;
		if (f->kind != SH_PRIV_DROP || is_root(f->owner))
			continue;
		/* With a non-root USER a drop in the script is a branch for root that never runs.
		 */
		if (h[i].t->in_script && non_root)
			continue;
		/*
		 * A drop in a branch taken only when started as root (`if [ "$(id -u)" = 0 ]`)
		 * is how an image that also runs as any non-root uid is written: under
		 * runAsNonRoot or OpenShift's uid the script goes the other way.
		 */
		if (f->cmd->root_only)
			continue;
		size_t s, e;
		df_command_span(&h[i], &s, &e);
		const char *cmd = show_command(ctx, &h[i]);
		const char *unsafe = h[i].t->in_script ? drop_script_unsafe(ctx, &h[i]) : NULL;
		const char *instead = unsafe ? NULL : without_drop(ctx, &h[i]);
		const char *fix = instead ? instead : user_fix;
		const char *where = "";
		if (h[i].t->in_script) {
			unsigned line, col;
			source_position(ctx->src, h[i].t->in->start, &line, &col);
			where = arena_printf(
			    ctx->arena, " in the entrypoint script that %s on line %u of %s runs",
			    h[i].t->in->keyword, line, ctx->path);
		}
		struct diag *d = diag_add(
		    ctx->diags, self, h[i].t->path, h[i].t->src, s, e,
		    "'%s'%s switches to user '%s' with %s: the container must start as root to do "
		    "that, which Kubernetes refuses under runAsNonRoot and OpenShift's restricted "
		    "SCC "
		    "never allows (the arbitrary uid cannot switch users); set the user in the "
		    "image "
		    "with '%s' and write '%s'",
		    cmd ? cmd : f->tool, where, f->owner, f->tool, user_fix, fix);
		if (d && unsafe)
			d->message = arena_printf(
			    ctx->arena,
			    "%s; it is not unwrapped: %s (do at build time what the script does as "
			    "root, then write 'exec \"$@\"')",
			    d->message, unsafe);
		/* left to a person: the message says what to do, no edit says it */
		if (d)
			d->fix = unsafe ? NULL : fix;
		if (d && unsafe)
			d->no_edit = "the entrypoint script needs root before the drop";
		show_branch(ctx, d, &h[i]);
		if (!unsafe)
			drop_edit(ctx, d, &h[i]);
	}
}

const struct rule NR112_privilege_drop = {
    .code = "NR112",
    .name = "privilege-drop",
    .severity = SEV_WARNING,
    .variant_severity = SEV_INFO, /* in a branch the file does not decide */
    .platforms = PLAT_ALL,
    .kind = KIND_DOCKERFILE,
    .summary = "ENTRYPOINT/CMD or its entrypoint script switches user: it must start as root",
    .description =
	"gosu, su-exec, setpriv --reuid, su, runuser, sudo -u, chroot --userspec, s6-setuidgid "
	"and chpst -u switch to another user, which only root can do. An image built this way "
	"has to start as root: Kubernetes refuses it when runAsNonRoot is true, OpenShift runs "
	"it under an arbitrary non-root uid where the switch fails, and the root part of the "
	"entrypoint (often a chown of the data folder) runs with full privileges. unroot reads "
	"the final ENTRYPOINT and CMD, exec or shell form, and the entrypoint script they run "
	"when a COPY or ADD of the final image brought it from the build context (the "
	"Dockerfile's folder, or --context). A drop in the script is not reported when the "
	"final USER is already non-root: that branch only runs as root; nor is a drop in a "
	"branch the script takes only when started as root (`if [ \"$(id -u)\" = 0 ]`, "
	"`-eq 0`, `$EUID`, `whoami` = root, or the else of `!=`; also joined to another test by && "
	"or -a): the script then also runs "
	"as any other uid."
	" A command in a branch whose condition the file does not decide (an if on the base "
	"image's files, a case on the architecture) gives an info finding that names the "
	"condition; a branch the ARG and ENV defaults rule out gives none.",
    .remediation = "Set the user in the image (`USER 1001:0`), make the data folders group-0 "
		   "writable at build time, and exec the program directly (`exec \"$@\"`).",
    .bad = "FROM alpine:3.20\nENTRYPOINT [\"su-exec\", \"app\", \"/app/run\"]\n",
    .good = "FROM alpine:3.20\nUSER 1001:0\nENTRYPOINT [\"/app/run\"]\n",
    .check = check,
};
