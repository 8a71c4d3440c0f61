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
 * is another shape (flow style, an action among its lines, CRLF), which
 * stays manual.
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
		/* an action or a line out of step inside the block: not plain lines */
		if (memmem(d + at, le - at, "{{", 2) || (step && ind < sc->indent + step)) {
			buf_release(&content);
			return false;
		}
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
	return m->content;
}

/* What the block's lines become, once its key is known. */
static const char *template_of(struct check_ctx *ctx, const struct helm_move *m)
{
	size_t ind = m->indent;
	return arena_printf(ctx->arena,
			    "%*s{{- with %s.Values.%s }}\n%*ssecurityContext:\n%*s{{- toYaml . | "
			    "nindent %zu }}\n%*s{{- end }}\n",
			    (int)ind, "", m->root, m->key, (int)ind, "", (int)(ind + m->step), "",
			    ind + m->step, (int)ind, "");
}

/*
 * A values key made of a literal name and a suffix, in the camelCase of
 * values files: "init-sysctl" and "SecurityContext" give
 * "initSysctlSecurityContext". NULL when the name is not a plain word.
 */
static const char *key_of(struct check_ctx *ctx, const char *name, size_t n, const char *suffix)
{
	struct buf b;
	buf_init(&b);
	bool up = false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		if (ch == '-' || ch == '_' || ch == '.') {
			up = b.len > 0;
			continue;
		}
		bool alpha = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
		if (!alpha && !(ch >= '0' && ch <= '9' && b.len)) {
			buf_release(&b);
			return NULL;
		}
		if (up && ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		else if (!b.len && ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		buf_putc(&b, ch);
		up = false;
	}
	const char *key =
	    b.len && !b.failed ? arena_printf(ctx->arena, "%s%s", b.data, suffix) : NULL;
	buf_release(&b);
	return key;
}

/* The value of a `name:` key on the line at `at` (after its indentation and any "- "). */
static bool name_value(const char *d, size_t at, size_t le, const char **v, size_t *n)
{
	if (le - at < 5 || memcmp(d + at, "name:", 5) != 0)
		return false;
	at += 5;
	while (at < le && d[at] == ' ')
		at++;
	while (le > at && (d[le - 1] == ' ' || d[le - 1] == '\r'))
		le--;
	if (le - at >= 2 && (d[at] == '"' || d[at] == '\'') && d[le - 1] == d[at]) {
		at++;
		le--;
	}
	*v = d + at;
	*n = le - at;
	return *n > 0 && !memmem(d + at, le - at, "{{", 2);
}

/*
 * A line of a template as the container search reads it: its bounds, its
 * indentation, and whether it holds a key (not blank, a comment or an
 * action alone).
 */
struct tline {
	size_t ks, ke, ind;
	bool key;
};

static struct tline tline_at(const char *d, size_t at, size_t le)
{
	struct tline t = {.ke = le};
	while (at + t.ind < le && d[at + t.ind] == ' ')
		t.ind++;
	t.ks = at + t.ind;
	t.key = t.ks < le && d[t.ks] != '#' && !(le - t.ks >= 2 && memcmp(d + t.ks, "{{", 2) == 0);
	return t;
}

/*
 * The literal name of the container whose `securityContext:` key starts the
 * line at ls with `indent` spaces, and whose block ends at `end`: the
 * `name:` of the same sequence item, before the key or after the block.
 * False when the item has none, or a templated one.
 */
static bool container_name(const struct source *src, size_t ls, size_t end, size_t indent,
			   const char **v, size_t *n)
{
	const char *d = src->data;
	for (size_t le = ls; le > 0;) { /* back to the item's "- " */
		size_t at = le - 1;
		while (at > 0 && d[at - 1] != '\n')
			at--;
		struct tline t = tline_at(d, at, le - 1);
		le = at;
		if (!t.key || t.ind > indent)
			continue;
		if (t.ind == indent) {
			if (name_value(d, t.ks, t.ke, v, n))
				return true;
			continue;
		}
		if (t.ind + 2 != indent || d[t.ks] != '-' || t.ks + 1 >= t.ke || d[t.ks + 1] != ' ')
			return false;
		if (name_value(d, t.ks + 2, t.ke, v, n))
			return true;
		break;
	}
	for (size_t at = end; at < src->len;) { /* the item's keys after the block */
		const char *nl = memchr(d + at, '\n', src->len - at);
		size_t le = nl ? (size_t)(nl - d) : src->len;
		struct tline t = tline_at(d, at, le);
		at = le + 1;
		if (!t.key || t.ind > indent)
			continue;
		if (t.ind < indent)
			return false;
		if (name_value(d, t.ks, t.ke, v, n))
			return true;
	}
	return false;
}

/*
 * Whether key can take the block's content: values.yaml does not have it,
 * and no block moved before it (m[0..i)) gave it other content.
 */
static bool key_free(const struct helm_chart *c, const struct helm_move *m, size_t i,
		     const char *key, const char *content)
{
	if (!key || helm_values_get(c, key))
		return false;
	for (size_t j = 0; j < i; j++)
		if (m[j].ok && strcmp(m[j].key, key) == 0 && strcmp(m[j].content, content) != 0)
			return false;
	return true;
}

/*
 * The values key of a block: podSecurityContext or securityContext, as
 * `helm create` names them, when they are free; else one named after the
 * container (`- name: init-sysctl`: initSysctlSecurityContext) or, for a
 * pod, after the template (preupgrade-job.yaml: preupgradeJobPodSecurityContext).
 */
static const char *key_for(struct check_ctx *ctx, const struct helm_chart *c,
			   const struct helm_move *m, size_t i, bool pod)
{
	const char *key = pod ? "podSecurityContext" : "securityContext";
	if (key_free(c, m, i, key, m[i].content))
		return key;
	const char *name = NULL;
	size_t n = 0;
	if (pod) {
		const char *f = m[i].file->name;
		name = strrchr(f, '/') ? strrchr(f, '/') + 1 : f;
		const char *dot = strchr(name, '.');
		n = dot ? (size_t)(dot - name) : strlen(name);
	} else if (!container_name(m[i].file->src, m[i].start, m[i].end, m[i].indent, &name, &n)) {
		return NULL;
	}
	key = key_of(ctx, name, n, pod ? "PodSecurityContext" : "SecurityContext");
	return key_free(c, m, i, key, m[i].content) ? key : NULL;
}

/* Where doc opens its pod's containers: the `containers:` line at the pod spec's column. */
static bool containers_line(const struct helm_doc *doc, size_t *at)
{
	const struct source *src = doc->file->src;
	const char *d = src->data;
	size_t ind = doc->spec_indent;
	for (size_t ls = doc->start; ls < doc->end && ls < src->len;) {
		const char *nl = memchr(d + ls, '\n', src->len - ls);
		size_t le = nl ? (size_t)(nl - d) : src->len;
		size_t k = 0;
		while (ls + k < le && d[ls + k] == ' ')
			k++;
		if (k == ind && le - ls - k >= 11 && memcmp(d + ls + k, "containers:", 11) == 0) {
			size_t p = ls + k + 11;
			while (p < le && d[p] == ' ')
				p++;
			if (p == le) {
				*at = ls;
				return true;
			}
		}
		ls = le + 1;
	}
	return false;
}

/*
 * The context added to workload document k when it has none at all (no
 * securityContext key of its own, none from values or helpers): its place
 * before the pod's `containers:` in the document's own text. False when
 * that line is not there (written by a helper, or CRLF text).
 */
static bool addable(const struct helm_chart *c, size_t k, struct helm_move *mv)
{
	const struct helm_doc *doc = &c->docs[k];
	if (!doc->workload || !doc->containers || !doc->spec_indent || doc->file->partial ||
	    memchr(doc->file->src->data, '\r', doc->file->src->len))
		return false;
	for (size_t j = 0; j < c->nscs; j++)
		if (c->scs[j].doc == (int)k && c->scs[j].file == doc->file)
			return false;
	bool known = true;
	if (helm_doc_values_fed(c, k, &known) || !known || !containers_line(doc, &mv->start))
		return false;
	*mv = (struct helm_move){.file = doc->file,
				 .start = mv->start,
				 .end = mv->start,
				 .indent = doc->spec_indent,
				 .step = 2,
				 .add = true,
				 .content = "{}",
				 /* the line may sit in a with or range */
				 .root = "$"};
	return true;
}

/* Whether a move before m[i] already writes m[i]'s key into values.yaml. */
static bool key_taken(const struct helm_move *m, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (m[j].ok && strcmp(m[j].key, m[i].key) == 0)
			return true;
	return false;
}

void helm_moves_of(struct check_ctx *ctx, const struct helm_chart *c, struct helm_moves *out)
{
	memset(out, 0, sizeof(*out));
	if (!c->values_file || !c->values_file->src)
		return;
	struct helm_move *m = arena_alloc(ctx->arena, (c->nscs + c->ndocs + 1) * sizeof(*m));
	if (!m)
		return;
	memset(m, 0, (c->nscs + c->ndocs + 1) * sizeof(*m));
	struct buf vals;
	buf_init(&vals);
	for (size_t i = 0; i < c->nscs; i++) {
		const struct helm_sc *sc = &c->scs[i];
		struct helm_move *mv = &m[i];
		mv->sc = sc;
		mv->file = sc->file;
		mv->indent = sc->indent;
		mv->why = sc->values_path || sc->other ? "the block comes from values or a variable"
			  : sc->helper		       ? "a helper writes the block"
			  : sc->define >= 0 || sc->file->partial
			      ? "a block in a named template: its `.` is whatever the caller passes"
			  : sc->level != HELM_LEVEL_POD && sc->level != HELM_LEVEL_CONTAINER
			      ? "the block is not a pod's or a container's securityContext"
			      : NULL;
		if (mv->why)
			continue;
		if (!literal_block(ctx, sc, mv)) {
			mv->why = "the block is not plain lines: template actions, flow style or "
				  "CRLF line ends";
			continue;
		}
		if (!(mv->key = key_for(ctx, c, m, i, sc->level == HELM_LEVEL_POD))) {
			mv->why = "no free values key to name it: the container has no literal "
				  "name and the usual keys are taken";
			continue;
		}
		/* inside with or range `.` is another value; `$` is the template's root */
		mv->root = sc->conditional ? "$" : "";
		if (!(mv->tmpl = template_of(ctx, mv))) {
			mv->why = "no exact edit of the template's lines";
			continue;
		}
		bool first = !key_taken(m, i);
		mv->ok = true;
		if (first)
			buf_printf(&vals, "%s:\n%s", mv->key, mv->content);
	}
	for (size_t k = 0; k < c->ndocs; k++) {
		size_t i = c->nscs + k;
		struct helm_move *mv = &m[i];
		if (!addable(c, k, mv) || !(mv->key = key_for(ctx, c, m, i, true)) ||
		    !(mv->tmpl = template_of(ctx, mv))) {
			mv->why = "no `containers:` line of the template to put a securityContext "
				  "before, or no free values key";
			continue;
		}
		bool first = !key_taken(m, i);
		mv->ok = true;
		if (first)
			buf_printf(&vals, "%s: {}\n", mv->key);
	}
	out->m = m;
	out->n = c->nscs + c->ndocs;
	const struct source *vs = c->values_file->src;
	bool nl = vs->len == 0 || vs->data[vs->len - 1] == '\n';
	if (vals.len && !vals.failed)
		out->values_text = arena_printf(ctx->arena, "%s%s", nl ? "" : "\n", vals.data);
	buf_release(&vals);
}

const struct helm_move *helm_move_for_doc(const struct helm_moves *mv, const struct helm_chart *c,
					  size_t doc)
{
	return helm_move_at(mv, (int)(c->nscs + doc));
}

const struct helm_move *helm_move_at(const struct helm_moves *mv, int sc)
{
	if (!mv->m || sc < 0 || (size_t)sc >= mv->n || !mv->m[sc].ok || !mv->values_text)
		return NULL;
	return &mv->m[sc];
}

const char *helm_move_why(const struct helm_moves *mv, int sc)
{
	if (helm_move_at(mv, sc))
		return NULL;
	if (!mv->m)
		return "the chart has no values.yaml to feed the securityContext from";
	if (sc < 0 || (size_t)sc >= mv->n || !mv->m[sc].why)
		return "no exact edit of the template's lines";
	return mv->m[sc].why;
}

const char *helm_move_why_doc(const struct helm_moves *mv, const struct helm_chart *c, size_t doc)
{
	return helm_move_why(mv, (int)(c->nscs + doc));
}

const char *helm_move_fix(struct check_ctx *ctx, const struct helm_move *m)
{
	return arena_printf(
	    ctx->arena,
	    "{{- with %s.Values.%s }} securityContext: {{- toYaml . | nindent %zu }} "
	    "{{- end }}, and %s:%s in values.yaml",
	    m->root, m->key, m->indent + m->step, m->key, m->add ? " {}" : "");
}

void helm_move_edit(struct check_ctx *ctx, struct diag *d, const struct helm_moves *mv,
		    const struct helm_move *m, bool values)
{
	diag_edit_add(ctx->diags, d, m->file->path, m->start, m->end, m->tmpl);
	const struct helm_chart *c = ctx->helm;
	if (!values)
		return;
	size_t vlen = c->values_file->src->len;
	diag_edit_add(ctx->diags, d, c->values_file->path, vlen, vlen, mv->values_text);
}
