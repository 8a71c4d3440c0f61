/* move.c - a literal securityContext block of a template into values.yaml (move.h). */
#include "move.h"
#include "helm/helm.h"
#include "rules/check.h"
#include "unroot/arena.h"
#include "unroot/buf.h"
#include "unroot/diag.h"
#include "unroot/source.h"

#include <string.h>

/*
 * The lines of a literal securityContext block: `securityContext:` alone on
 * its line, then lines indented deeper that hold no action. False when it
 * is another shape (flow style, actions, CRLF), which stays manual.
 */
static bool literal_block(struct check_ctx *ctx, const struct helm_sc *sc, struct helm_move *m)
{
	const struct source *src = sc->file->src;
	const char *d = src->data;
	size_t ls = sc->start;
	while (ls > 0 && d[ls - 1] != '\n')
		ls--;
	if (sc->start - ls != sc->indent)
		return false;
	size_t p = sc->end;
	while (p < src->len && d[p] == ' ')
		p++;
	if (p >= src->len || d[p] != '\n' || memchr(d, '\r', src->len))
		return false;
	size_t at = p + 1, end = at, step = 0;
	struct buf content;
	buf_init(&content);
	while (at < src->len) {
		size_t le = at;
		while (le < src->len && d[le] != '\n')
			le++;
		size_t ind = 0;
		while (at + ind < le && d[at + ind] == ' ')
			ind++;
		if (at + ind == le) { /* a blank line: part of the block only if more follows */
			at = le + 1;
			continue;
		}
		if (ind <= sc->indent)
			break;
		if (memmem(d + at, le - at, "{{", 2) || (step && ind < sc->indent + step))
			break;
		if (!step)
			step = ind - sc->indent;
		buf_add(&content, d + at + sc->indent, le - at - sc->indent);
		buf_putc(&content, '\n');
		end = le < src->len ? le + 1 : le;
		at = end;
	}
	if (!step || content.failed || (end < src->len && d[end - 1] != '\n')) {
		buf_release(&content);
		return false;
	}
	m->start = ls;
	m->step = step;
	m->end = end;
	m->content = arena_strndup(ctx->arena, content.data, content.len);
	buf_release(&content);
	m->tmpl =
	    arena_printf(ctx->arena,
			 "%*s{{- with .Values.%s }}\n%*ssecurityContext:\n%*s{{- toYaml . | "
			 "nindent %zu }}\n%*s{{- end }}\n",
			 (int)sc->indent, "", m->key, (int)sc->indent, "", (int)(sc->indent + step),
			 "", sc->indent + step, (int)sc->indent, "");
	return m->content && m->tmpl;
}

void helm_moves_of(struct check_ctx *ctx, const struct helm_chart *c, struct helm_moves *out)
{
	memset(out, 0, sizeof(*out));
	if (!c->values_file || !c->values_file->src)
		return;
	struct helm_move *m = arena_alloc(ctx->arena, (c->nscs + 1) * sizeof(*m));
	if (!m)
		return;
	struct buf vals;
	buf_init(&vals);
	for (size_t i = 0; i < c->nscs; i++) {
		const struct helm_sc *sc = &c->scs[i];
		struct helm_move *mv = &m[i];
		mv->sc = sc;
		if (!sc->literal || sc->values_path || sc->helper || sc->other || sc->conditional ||
		    sc->off || sc->define >= 0 || sc->file->partial ||
		    (sc->level != HELM_LEVEL_POD && sc->level != HELM_LEVEL_CONTAINER))
			continue;
		mv->key = sc->level == HELM_LEVEL_POD ? "podSecurityContext" : "securityContext";
		if (helm_values_get(c, mv->key) || !literal_block(ctx, sc, mv))
			continue;
		bool first = true, same = true;
		for (size_t j = 0; j < i; j++)
			if (m[j].ok && strcmp(m[j].key, mv->key) == 0) {
				first = false;
				same = strcmp(m[j].content, mv->content) == 0;
			}
		if (!same)
			continue;
		mv->ok = true;
		if (first)
			buf_printf(&vals, "%s:\n%s", mv->key, mv->content);
	}
	out->m = m;
	out->n = c->nscs;
	const struct source *vs = c->values_file->src;
	bool nl = vs->len == 0 || vs->data[vs->len - 1] == '\n';
	if (vals.len && !vals.failed)
		out->values_text = arena_printf(ctx->arena, "%s%s", nl ? "" : "\n", vals.data);
	buf_release(&vals);
}

const struct helm_move *helm_move_at(const struct helm_moves *mv, int sc)
{
	if (!mv->m || sc < 0 || (size_t)sc >= mv->n || !mv->m[sc].ok || !mv->values_text)
		return NULL;
	return &mv->m[sc];
}

const char *helm_move_fix(struct check_ctx *ctx, const struct helm_move *m)
{
	return arena_printf(ctx->arena,
			    "{{- with .Values.%s }} securityContext: {{- toYaml . | nindent %zu }} "
			    "{{- end }}, and %s: in values.yaml",
			    m->key, m->sc->indent + m->step, m->key);
}

void helm_move_edit(struct check_ctx *ctx, struct diag *d, const struct helm_moves *mv,
		    const struct helm_move *m, bool values)
{
	diag_edit_add(ctx->diags, d, m->sc->file->path, m->start, m->end, m->tmpl);
	const struct helm_chart *c = ctx->helm;
	if (!values)
		return;
	size_t vlen = c->values_file->src->len;
	diag_edit_add(ctx->diags, d, c->values_file->path, vlen, vlen, mv->values_text);
}
