/* common.c - the walk and the report helper the Kubernetes rules share. */
#include "k8s-rules.h"
#include "unroot/arena.h"
#include "unroot/lint.h"

#include <stdarg.h>
#include <string.h>

void k8s_each_container(struct check_ctx *ctx, const struct rule *self, k8s_container_fn fn)
{
	const struct k8s_input *in = ctx->k8s;
	if (!in)
		return;
	for (size_t i = 0; i < in->nobjects; i++) {
		const struct k8s_object *o = &in->objects[i];
		if (!o->workload)
			continue;
		for (size_t k = 0; k < o->pod.ncontainers; k++)
			fn(ctx, self, o, &o->pod.containers[k]);
	}
}

static struct diag *vreport(struct check_ctx *ctx, const struct rule *self, unsigned platforms,
			    const struct k8s_object *o, const struct k8s_container *c, size_t start,
			    size_t end, const char *fix, const char *fmt, va_list ap)
{
	platforms &= self->platforms & (o ? o->platforms : PLAT_ALL);
	if (!platforms)
		return NULL;
	struct diag *d = diag_vadd(ctx->diags, self, ctx->path, ctx->src, start, end, fmt, ap);
	if (!d)
		return NULL;
	d->platforms = platforms;
	d->object = o ? o->label : NULL;
	d->container = c && *c->name ? c->name : NULL;
	d->fix = fix;
	return d;
}

struct diag *k8s_report(struct check_ctx *ctx, const struct rule *self, const struct k8s_object *o,
			const struct k8s_container *c, size_t start, size_t end, const char *fix,
			const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct diag *d = vreport(ctx, self, PLAT_ALL, o, c, start, end, fix, fmt, ap);
	va_end(ap);
	return d;
}

struct diag *k8s_report_on(struct check_ctx *ctx, const struct rule *self, unsigned platforms,
			   const struct k8s_object *o, const struct k8s_container *c, size_t start,
			   size_t end, const char *fix, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct diag *d = vreport(ctx, self, platforms, o, c, start, end, fix, fmt, ap);
	va_end(ap);
	return d;
}

const char *k8s_where(struct check_ctx *ctx, const struct k8s_object *o,
		      const struct k8s_container *c)
{
	/* The object is in the finding's `object`, and every format shows it. */
	(void)o;
	const char *what = c->kind == K8S_INIT_CONTAINER	? "init container"
			   : c->kind == K8S_EPHEMERAL_CONTAINER ? "ephemeral container"
								: "container";
	const char *w = *c->name ? arena_printf(ctx->arena, "%s '%s'", what, c->name)
				 : arena_printf(ctx->arena, "%s %zu", what, c->index);
	return w ? w : what;
}

bool k8s_targets_openshift(const struct check_ctx *ctx, const struct k8s_object *o)
{
	return ctx->opts->platforms & o->platforms & PLAT_OPENSHIFT;
}

const char *k8s_origin(const struct k8s_field *f)
{
	switch (f->origin) {
	case K8S_FROM_CONTAINER:
		return "the container's securityContext";
	case K8S_FROM_POD:
		return "the pod's securityContext";
	case K8S_UNSET:
		break;
	}
	return "nowhere";
}

#define POD_ANNOTATION	     "seccomp.security.alpha.kubernetes.io/pod"
#define CONTAINER_ANNOTATION "container.seccomp.security.alpha.kubernetes.io/"

/* The annotations are on the pod, so in a workload's pod template. */
const struct k8s_annotation *k8s_seccomp_annotation(struct check_ctx *ctx,
						    const struct k8s_object *o,
						    const struct k8s_container *c)
{
	const struct k8s_annotation *list =
	    o->pod_template ? o->template_annotations : o->annotations;
	size_t n = o->pod_template ? o->ntemplate_annotations : o->nannotations;
	const char *own =
	    *c->name ? arena_printf(ctx->arena, CONTAINER_ANNOTATION "%s", c->name) : NULL;
	const struct k8s_annotation *pod = NULL;
	for (size_t i = n; i-- > 0;) {
		if (own && strcmp(list[i].key, own) == 0)
			return &list[i];
		if (!pod && strcmp(list[i].key, POD_ANNOTATION) == 0)
			pod = &list[i];
	}
	return pod;
}

bool k8s_seccomp_default(const char *v)
{
	return v && (strcmp(v, "runtime/default") == 0 || strcmp(v, "docker/default") == 0);
}
