/* pair.c - the simulation of each paired container, for the rules that need the image side. */
#include "pair.h"

void pair_each(struct check_ctx *ctx, const struct rule *self, pair_fn fn)
{
	const struct k8s_input *in = ctx->k8s;
	if (!in || !ctx->npairs)
		return;
	struct sim_ctx *sc = NULL;
	for (size_t i = 0; i < in->nobjects; i++) {
		const struct k8s_object *o = &in->objects[i];
		if (!o->workload)
			continue;
		for (size_t k = 0; k < o->pod.ncontainers; k++) {
			const struct k8s_container *c = &o->pod.containers[k];
			const struct image_view *v = check_pair(ctx, c->image);
			if (!v)
				continue;
			if (!sc && !(sc = sim_ctx_new(ctx->arena, ctx->opts)))
				return;
			struct sim_pod pod = {in, o, c};
			struct sim_result r;
			if (sim_run(sc, SIM_KUBERNETES, v, &pod, &r) != 0)
				return;
			fn(ctx, self, o, c, v, &r);
		}
	}
}
