/* edit.c - the Kubernetes rules' fixes as wishes for yedit, turned into edits at the end. */
#include "edit.h"
#include "k8s-rules.h"
#include "unroot/arena.h"
#include "unroot/diag.h"
#include "yaml/ytree.h"

const struct yval k8s_true = {.kind = YV_SCALAR, .s = "true"};
const struct yval k8s_false = {.kind = YV_SCALAR, .s = "false"};
const struct yval k8s_zero = {.kind = YV_SCALAR, .s = "0"};
const struct yval k8s_all = {.kind = YV_SCALAR, .s = "ALL", .str = true};
static const struct yval *const all_items[] = {&k8s_all};
const struct yval k8s_drop_all_seq = {.kind = YV_SEQ, .v = all_items, .n = 1};
static const char *const drop_keys[] = {"drop"};
static const struct yval *const drop_vals[] = {&k8s_drop_all_seq};
const struct yval k8s_drop_all = {.kind = YV_MAP, .keys = drop_keys, .v = drop_vals, .n = 1};
static const struct yval runtime_default = {.kind = YV_SCALAR, .s = "RuntimeDefault", .str = true};
static const char *const type_keys[] = {"type"};
static const struct yval *const type_vals[] = {&runtime_default};
static const struct yval seccomp_default = {
    .kind = YV_MAP, .keys = type_keys, .v = type_vals, .n = 1};

/* The plan of the input being checked, kept in the context's memo. */
struct k8s_memo {
	const struct k8s_input *in;
	struct yedit *plan;
};

static struct yedit *plan(struct check_ctx *ctx)
{
	struct k8s_memo *m = ctx->memo;
	if (m && m->in == ctx->k8s)
		return m->plan;
	if (!ctx->k8s || !ctx->src)
		return NULL;
	m = arena_alloc(ctx->scratch, sizeof(*m));
	if (!m)
		return NULL;
	m->in = ctx->k8s;
	m->plan = yedit_new(ctx->arena, ctx->src, ctx->k8s->docs, ctx->k8s->ndocs);
	ctx->memo = m;
	return m->plan;
}

/*
 * Why a wish ends with no edit when yedit gives up on it on its own (read only
 * when the finding has no edits).
 */
#define YEDIT_GAVE_UP                                                                              \
	"the securityContext is written where no exact edit keeps the file as it is (an "          \
	"alias, a `<<` merge, or a value that shares its line with another key)"

/*
 * A finding is known to yedit by its index in the list, which stays while the
 * rules run. A finding that asks for an edit has a reason ready in case none
 * comes of it.
 */
static bool index_of(const struct check_ctx *ctx, const struct diag *d, size_t *tag)
{
	if (!d || d < ctx->diags->items || d >= ctx->diags->items + ctx->diags->n)
		return false;
	*tag = (size_t)(d - ctx->diags->items);
	return true;
}

static bool tag_of(struct check_ctx *ctx, struct diag *d, size_t *tag)
{
	if (!index_of(ctx, d, tag))
		return false;
	if (!d->no_edit)
		d->no_edit = YEDIT_GAVE_UP;
	return true;
}

/* The finding gets no edit, for this reason. */
static void fail(struct check_ctx *ctx, struct diag *d, size_t tag, const char *why)
{
	d->no_edit = why;
	yedit_fail(plan(ctx), tag);
}

static const struct ynode *level_map(const struct k8s_object *o, const struct k8s_container *c,
				     const struct k8s_field *f)
{
	return f->origin == K8S_FROM_POD ? o->pod.sc_node : c->sc_node;
}

void k8s_edit_set(struct check_ctx *ctx, struct diag *d, const struct k8s_object *o,
		  const struct k8s_container *c, bool pod, const char *key, const struct yval *v)
{
	size_t tag;
	if (!tag_of(ctx, d, &tag))
		return;
	if (pod)
		yedit_set_in(plan(ctx), tag, o->pod.spec, "securityContext", o->pod.sc_node, key,
			     v);
	else
		yedit_set_in(plan(ctx), tag, c->node, "securityContext", c->sc_node, key, v);
}

void k8s_edit_value(struct check_ctx *ctx, struct diag *d, const struct k8s_object *o,
		    const struct k8s_container *c, const struct k8s_field *f, const struct yval *v)
{
	size_t tag;
	if (!tag_of(ctx, d, &tag))
		return;
	const struct ynode *m = level_map(o, c, f);
	if (!f->key || !m) {
		fail(ctx, d, tag, "the value is not written in a securityContext of this file");
		return;
	}
	yedit_set(plan(ctx), tag, m, f->key->value, v);
}

void k8s_edit_remove(struct check_ctx *ctx, struct diag *d, const struct k8s_object *o,
		     const struct k8s_container *c, const struct k8s_field *f)
{
	size_t tag;
	if (!tag_of(ctx, d, &tag))
		return;
	const struct ynode *m = level_map(o, c, f);
	if (!f->key || !m || ymap_key(m, f->key->value) != f->key) {
		/* written through a `<<` merge: not here to remove */
		fail(ctx, d, tag,
		     "the key comes through a `<<` merge, not from this securityContext");
		return;
	}
	yedit_del(plan(ctx), tag, m, f->key->value);
}

void k8s_edit_unpin_uid(struct check_ctx *ctx, struct diag *d, const struct k8s_object *o,
			const struct k8s_container *c, const struct k8s_field *f)
{
	k8s_edit_remove(ctx, d, o, c, f);
	const struct k8s_field *nr = &c->sc.run_as_non_root;
	/* runAsNonRoot: true already holds, at this level or at the pod's for the container */
	if (k8s_set(nr) && nr->b && (nr->origin == f->origin || nr->origin == K8S_FROM_POD))
		return;
	size_t tag;
	const struct ynode *m = level_map(o, c, f);
	if (tag_of(ctx, d, &tag) && m)
		yedit_set(plan(ctx), tag, m, "runAsNonRoot", &k8s_true);
}

void k8s_edit_drop_all(struct check_ctx *ctx, struct diag *d, const struct k8s_object *o,
		       const struct k8s_container *c)
{
	size_t tag;
	if (!tag_of(ctx, d, &tag))
		return;
	const struct k8s_secctx *sc = &c->sc;
	if (sc->cap_drop.invalid) {
		fail(ctx, d, tag, "capabilities.drop is not a list of names");
		return;
	}
	if (k8s_set(&sc->cap_drop) && sc->cap_drop.node && sc->cap_drop.node->kind == Y_SEQ)
		yedit_seq_add(plan(ctx), tag, sc->cap_drop.node, &k8s_all);
	else if (sc->capabilities)
		yedit_set(plan(ctx), tag, sc->capabilities, "drop", &k8s_drop_all_seq);
	else if (ymap_get(c->sc_node, "capabilities"))
		fail(ctx, d, tag, "`capabilities:` holds no map to add `drop` to");
	else
		k8s_edit_set(ctx, d, o, c, false, "capabilities", &k8s_drop_all);
}

void k8s_edit_seccomp(struct check_ctx *ctx, struct diag *d, const struct k8s_object *o,
		      const struct k8s_container *c, const struct k8s_field *f)
{
	size_t tag;
	if (!tag_of(ctx, d, &tag))
		return;
	/*
	 * The type is replaced in the seccompProfile map that decided it;
	 * `seccompProfile: {}` of the pod gets one.
	 */
	const struct ynode *level = f->origin == K8S_UNSET ? o->pod.sc_node : level_map(o, c, f);
	const struct ynode *sp = ymap_get(level, "seccompProfile");
	if (f->origin != K8S_UNSET && (!f->key || !sp || ymap_key(sp, "type") != f->key)) {
		fail(ctx, d, tag,
		     "the type comes through a `<<` merge, not from this seccompProfile");
		return;
	}
	if (sp && sp->kind == Y_MAP)
		yedit_set(plan(ctx), tag, sp, "type", &runtime_default);
	else if (sp)
		fail(ctx, d, tag, "`seccompProfile:` holds no map to add `type` to");
	else
		k8s_edit_set(ctx, d, o, c, true, "seccompProfile", &seccomp_default);
}

void k8s_edit_cap_remove(struct check_ctx *ctx, struct diag *d, const struct k8s_container *c,
			 const struct ynode *item)
{
	size_t tag;
	if (!tag_of(ctx, d, &tag))
		return;
	const struct k8s_field *add = &c->sc.cap_add;
	if (!add->node || add->node->kind != Y_SEQ) {
		fail(ctx, d, tag, "capabilities.add is not a list");
		return;
	}
	yedit_seq_del(plan(ctx), tag, add->node, item);
}

static void emit(void *arg, size_t tag, size_t start, size_t end, const char *text)
{
	struct check_ctx *ctx = arg;
	if (tag < ctx->diags->n)
		diag_edit_add(ctx->diags, &ctx->diags->items[tag], ctx->path, start, end, text);
}

void k8s_edits_drop(struct check_ctx *ctx, const struct diag *d)
{
	struct k8s_memo *m = ctx->memo;
	size_t tag;
	if (m && m->in == ctx->k8s && m->plan && index_of(ctx, d, &tag))
		yedit_fail(m->plan, tag);
}

void k8s_edits_finish(struct check_ctx *ctx)
{
	struct k8s_memo *m = ctx->memo;
	if (!m || m->in != ctx->k8s || !m->plan)
		return;
	yedit_finish(m->plan, emit, ctx);
	ctx->memo = NULL;
}
