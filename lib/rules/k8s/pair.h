/*
 * pair.h - a container against its paired image view, through the same
 * model `unroot simulate` uses (simulate.h), so lint and simulate never
 * disagree. Used by NR206, NR207 and NR209 (internal).
 */
#ifndef UNROOT_K8S_PAIR_H
#define UNROOT_K8S_PAIR_H

#include "k8s-rules.h"
#include "image/view.h"
#include "identity/identity.h"

/*
 * Calls fn for every container of every workload whose image is paired,
 * with the simulation of that container on Kubernetes. One simulation
 * context serves the whole input, so an image's files are walked once.
 */
typedef void (*pair_fn)(struct check_ctx *ctx, const struct rule *self, const struct k8s_object *o,
			const struct k8s_container *c, const struct image_view *v,
			const struct sim_result *r);
void pair_each(struct check_ctx *ctx, const struct rule *self, pair_fn fn);

#endif
