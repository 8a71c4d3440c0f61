/* edit.c - exact edits of the Dockerfile rules' fixes. */
#include "edit.h"
#include "final-user.h"
#include "unroot/arena.h"
#include "unroot/diag.h"
#include "unroot/source.h"
#include "rules/check.h"
#include "shell/shell.h"
#include "show.h"

#include <string.h>

void edit_dockerfile(struct check_ctx *ctx, struct diag *d, size_t start, size_t end,
		     const char *text)
{
	if (d && text)
		diag_edit_add(ctx->diags, d, ctx->path, start, end, text);
}

void edit_user_insert(struct check_ctx *ctx, struct diag *d, const char *fix)
{
	int s = df_final_stage(ctx->df);
	if (!d || s < 0 || !fix)
		return;
	const struct df_instr *last = &ctx->df->instrs[ctx->df->stages[s].last - 1];
	const char *data = ctx->src->data;
	size_t len = ctx->src->len, at = last->end;
	while (at < len && data[at] != '\n')
		at++;
	if (at < len) {
		edit_dockerfile(ctx, d, at + 1, at + 1, arena_printf(ctx->arena, "%s\n", fix));
		return;
	}
	/* A file that ends in a line continuation would join the new line to the last one. */
	size_t e = len;
	while (e > 0 && (data[e - 1] == ' ' || data[e - 1] == '\t' || data[e - 1] == '\r'))
		e--;
	if (e > 0 && data[e - 1] == ctx->df->escape)
		return;
	edit_dockerfile(ctx, d, len, len, arena_printf(ctx->arena, "\n%s\n", fix));
}

void edit_user(struct check_ctx *ctx, struct diag *d, const struct final_user *fu, const char *fix)
{
	if (fu->from_base)
		edit_user_insert(ctx, d, fix);
	else if (fix && strncmp(fix, "USER ", 5) == 0)
		/* the keyword as the author wrote it ("user" stays "user") */
		edit_dockerfile(ctx, d, fu->line->start, fu->line->end,
				arena_printf(ctx->arena, "%s %s", fu->line->keyword, fix + 5));
}

bool edit_word_span(const struct df_command *h, size_t k, size_t *start, size_t *end)
{
	const struct sh_cmd *c = h->f->cmd;
	if (k >= c->argc || (!h->t->in_script && h->t->in->json))
		return false;
	*start = df_text_src(h->t, c->argv[k].start);
	*end = df_text_src(h->t, c->argv[k].end);
	/* a word split over a continuation line has no single span to replace */
	return *end >= *start && *end - *start == c->argv[k].end - c->argv[k].start;
}

static void edit_src(struct check_ctx *ctx, struct diag *d, const struct df_command *h,
		     size_t start, size_t end, const char *text)
{
	if (d && text)
		diag_edit_add(ctx->diags, d, h->t->path, start, end, text);
}

void edit_word(struct check_ctx *ctx, struct diag *d, const struct df_command *h, size_t k,
	       const char *text)
{
	size_t s, e;
	if (edit_word_span(h, k, &s, &e))
		edit_src(ctx, d, h, s, e, text);
}

void edit_after(struct check_ctx *ctx, struct diag *d, const struct df_command *h, const char *text)
{
	const struct sh_cmd *c = h->f->cmd;
	size_t s, e;
	if (!c->argc || !edit_word_span(h, c->argc - 1, &s, &e))
		return;
	edit_src(ctx, d, h, e, e, text);
}

const char *edit_words_text(struct check_ctx *ctx, const struct df_command *h, size_t from,
			    size_t to)
{
	const struct sh_cmd *c = h->f->cmd;
	if (from >= to || to > c->argc)
		return NULL;
	size_t s, e, s2, e2;
	if (!edit_word_span(h, from, &s, &e) || !edit_word_span(h, to - 1, &s2, &e2) || e2 < s)
		return NULL;
	const char *data = h->t->src->data;
	/* words across continuation lines: not one piece of text */
	if (memchr(data + s, '\n', e2 - s))
		return NULL;
	return arena_strndup(ctx->arena, data + s, e2 - s);
}

size_t edit_find_word(const struct df_command *h, const char *value)
{
	const struct sh_cmd *c = h->f->cmd;
	for (size_t k = h->f->tool_index + 1; value && k < c->argc; k++)
		if (strcmp(c->argv[k].value, value) == 0)
			return k;
	return c->argc;
}

bool edit_group_span(const char *raw, size_t len, size_t *gs, size_t *ge)
{
	int depth = 0;
	size_t colon = len;
	for (size_t i = 0; i < len; i++) {
		if (raw[i] == '{')
			depth++;
		else if (raw[i] == '}' && depth > 0)
			depth--;
		else if (raw[i] == ':' && depth == 0 && colon == len)
			colon = i;
	}
	if (colon == len)
		return false;
	size_t end = len;
	if (end > colon + 1 && (raw[end - 1] == '"' || raw[end - 1] == '\'') &&
	    (raw[0] == raw[end - 1]))
		end--;
	*gs = colon + 1;
	*ge = end;
	return true;
}

const char *edit_applied(struct check_ctx *ctx, const struct df_command *h, const struct diag *d)
{
	size_t s, e;
	df_command_span(h, &s, &e);
	const char *data = h->t->src->data;
	const char *acc = "";
	size_t at = s;
	bool *done = d->nedits ? arena_alloc(ctx->scratch, d->nedits * sizeof(*done)) : NULL;
	if (d->nedits && !done)
		return NULL;
	for (size_t i = 0; i < d->nedits; i++)
		done[i] = false;
	for (;;) {
		/* the next edit inside the command (one after its last word included), in order */
		size_t next = d->nedits;
		for (size_t i = 0; i < d->nedits; i++) {
			const struct diag_edit *x = &d->edits[i];
			if (done[i] || strcmp(x->path, h->t->path) != 0 || x->offset < at ||
			    x->offset + x->length > e)
				continue;
			if (next == d->nedits || x->offset < d->edits[next].offset)
				next = i;
		}
		if (next == d->nedits)
			break;
		const struct diag_edit *x = &d->edits[next];
		done[next] = true;
		acc = arena_printf(ctx->arena, "%s%.*s%s", acc, (int)(x->offset - at), data + at,
				   x->text);
		at = x->offset + x->length;
	}
	return arena_printf(ctx->arena, "%s%.*s", acc, (int)(e - at), data + at);
}

const char *edit_fix(struct check_ctx *ctx, const struct df_command *h, const struct diag *edits,
		     const char *otherwise)
{
	if (!edits->nedits)
		return otherwise;
	const char *t = edit_applied(ctx, h, edits);
	return t && !strchr(t, '\n') ? t : otherwise;
}

void edit_keep(struct diag *d, const struct diag *edits, const char *fix)
{
	if (!d)
		return;
	d->fix = fix;
	d->edits = edits->edits;
	d->nedits = edits->nedits;
}

void edit_option(struct check_ctx *ctx, struct diag *d, const struct df_command *h, const char *opt,
		 const char *lopt, const char *old, const char *value)
{
	const struct sh_cmd *c = h->f->cmd;
	size_t ol = strlen(opt), ll = strlen(lopt);
	for (size_t k = h->f->tool_index + 1; old && k < c->argc; k++) {
		const char *v = c->argv[k].value;
		if (strcmp(v, old) == 0 && (strcmp(c->argv[k - 1].value, opt) == 0 ||
					    strcmp(c->argv[k - 1].value, lopt) == 0))
			return edit_word(ctx, d, h, k, value);
		if (strncmp(v, lopt, ll) == 0 && v[ll] == '=' && strcmp(v + ll + 1, old) == 0)
			return edit_word(ctx, d, h, k,
					 arena_printf(ctx->arena, "%s=%s", lopt, value));
		if (strncmp(v, opt, ol) == 0 && strcmp(v + ol, old) == 0)
			return edit_word(ctx, d, h, k,
					 arena_printf(ctx->arena, "%s%s", opt, value));
	}
}

/* The first word after the tool that is not an option: chown's OWNER[:GROUP], chgrp's GROUP. */
size_t edit_spec_word(const struct df_command *h)
{
	const struct sh_cmd *c = h->f->cmd;
	for (size_t k = h->f->tool_index + 1; k < c->argc; k++) {
		const char *v = c->argv[k].value;
		if (v[0] == '-' && v[1]) {
			if (strncmp(v, "--reference", 11) == 0 || strncmp(v, "--from", 6) == 0)
				return c->argc;
			continue;
		}
		return k;
	}
	return c->argc;
}

/* `path` (expanded, absolute) is `dir` or lies under it. */
static bool inside(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return path && path[0] == '/' && strncmp(path, dir, n) == 0 &&
	       (path[n] == '\0' || path[n] == '/');
}

/* A word of text is `dir` or a path under it. */
static bool text_names(const char *text, const char *dir)
{
	size_t n = strlen(dir);
	for (const char *p = text; (p = strstr(p, dir)) != NULL; p += n) {
		bool starts = p == text || strchr(" \t\n;&|=\"'(", p[-1]);
		bool ends = strchr(" \t\n;&|/\"')", p[n]) != NULL; /* '\0' matches too */
		if (starts && ends)
			return true;
	}
	return false;
}

bool edit_runs_as_root(struct check_ctx *ctx, const struct df_instr *in)
{
	const struct df_user *u = &in->user;
	if (u->instr)
		return u->value && u->user && df_id(u->user) == 0;
	struct final_user fu;
	return final_user_get(ctx, &fu) && (!fu.f.base_known || fu.f.base_uid == 0);
}

/*
 * The last instruction of the final image after `from` that writes into
 * `dir`: a COPY or ADD to it (or to a relative path in a WORKDIR inside it),
 * a RUN that names it or runs in a WORKDIR inside it. NULL when none does.
 */
static const struct df_instr *last_writer(struct check_ctx *ctx, const struct df_instr *from,
					  const char *dir)
{
	const struct dockerfile *df = ctx->df;
	const struct df_instr *last = NULL;
	const char *wd = NULL;
	size_t at = (size_t)(from - df->instrs);
	for (size_t c = 0; c < df->nchain; c++) {
		const struct df_stage *st = &df->stages[df->chain[c]];
		for (size_t i = st->first; i < st->last; i++) {
			const struct df_instr *in = &df->instrs[i];
			if (in->cmd == DF_WORKDIR && in->nargs) {
				const char *w = show_expand(ctx, in, in->args[0].text);
				wd = w && w[0] == '/' ? w : NULL;
			}
			if (i <= at)
				continue;
			bool in_wd = wd && inside(wd, dir);
			if ((in->cmd == DF_COPY || in->cmd == DF_ADD) && in->nargs >= 2) {
				const char *to =
				    in->json ? in->args[in->nargs - 1].text
					     : show_expand(ctx, in, in->args[in->nargs - 1].text);
				if (to && (inside(to, dir) || (to[0] != '/' && in_wd)))
					last = in;
			} else if (in->cmd == DF_RUN &&
				   (in_wd || (in->text && text_names(in->text, dir)))) {
				last = in;
			}
		}
	}
	return last;
}

/*
 * A new `RUN chgrp -R 0 OPS && chmod -R g=u OPS` line after instruction w,
 * `run` in the case of `kw`. False when w does not run as root (the new
 * line could not chgrp root's files), or is the last line with no newline.
 */
static bool insert_group_line(struct check_ctx *ctx, struct diag *d, const struct df_instr *w,
			      const char *ops, const char *kw, bool make)
{
	if (!edit_runs_as_root(ctx, w))
		return false;
	const char *data = ctx->src->data;
	size_t len = ctx->src->len, at = w->end;
	while (at < len && data[at] != '\n')
		at++;
	if (at >= len)
		return false; /* the last line, with no newline after it: rare, left as it was */
	const char *nl = at > 0 && data[at - 1] == '\r' ? "\r\n" : "\n";
	bool lower = kw && kw[0] >= 'a' && kw[0] <= 'z';
	edit_dockerfile(ctx, d, at + 1, at + 1,
			arena_printf(ctx->arena, "%s %s%s%schgrp -R 0 %s && chmod -R g=u %s%s",
				     lower ? "run" : "RUN", make ? "mkdir -p " : "",
				     make ? ops : "", make ? " && " : "", ops, ops, nl));
	return true;
}

/*
 * A new `RUN chgrp -R 0 DIR && chmod -R g=u DIR` line after the last
 * instruction that fills DIR, the folder a chown gives the app (one
 * operand, an absolute path): files copied or made there later come from
 * root with the owner's bits only. False when nothing writes there later,
 * or when that instruction does not run as root.
 */
static bool edit_group_later(struct check_ctx *ctx, struct diag *d, const struct df_command *h,
			     const char *ops)
{
	const struct sh_finding *f = h->f;
	if (h->t->in_script || f->npaths != 1 || !ops)
		return false;
	const char *dir = show_expand(ctx, h->t->in, f->paths[0]);
	if (!dir || dir[0] != '/' || strcmp(dir, "/") == 0 || strchr(dir, '*'))
		return false;
	const struct df_instr *w = last_writer(ctx, h->t->in, dir);
	return w && insert_group_line(ctx, d, w, ops, h->t->in->keyword, false);
}

bool edit_group_folder(struct check_ctx *ctx, struct diag *d, const struct df_instr *from,
		       const char *dir, const char *ops, bool make)
{
	const struct df_instr *w = last_writer(ctx, from, dir);
	return insert_group_line(ctx, d, w ? w : from, ops, from->keyword, make);
}

/*
 * chown's group part (or chgrp's group) becomes 0 as written (with
 * `owner`, the whole OWNER:GROUP word becomes OWNER:0), and a chmod
 * g=u of the same operands follows, so group 0 gets the owner's bits.
 */
void edit_chown(struct check_ctx *ctx, struct diag *d, const struct df_command *h,
		const char *owner, bool chgrp)
{
	const struct sh_cmd *c = h->f->cmd;
	size_t k = edit_spec_word(h), s, e;
	if (k >= c->argc || !edit_word_span(h, k, &s, &e))
		return;
	const char *raw = h->t->src->data + s;
	size_t gs, ge;
	if (owner)
		edit_word(ctx, d, h, k, arena_printf(ctx->arena, "%s:0", owner));
	else if (chgrp)
		edit_word(ctx, d, h, k, "0");
	else if (edit_group_span(raw, e - s, &gs, &ge))
		diag_edit_add(ctx->diags, d, h->t->path, s + gs, s + ge, "0");
	else
		return;
	const char *ops = edit_words_text(ctx, h, k + 1, c->argc);
	const char *last = c->argv[c->argc - 1].value;
	/* find -exec chown ... {} +: the operands are find's, not a list to chmod */
	if (!ops || strstr(ops, "{}") || strcmp(last, "+") == 0 || strcmp(last, ";") == 0 ||
	    h->f->tool_index != 0)
		return;
	if (edit_group_later(ctx, d, h, ops))
		return;
	edit_after(
	    ctx, d, h,
	    arena_printf(ctx->arena, " && chmod %sg=u %s", h->f->recursive ? "-R " : "", ops));
}
