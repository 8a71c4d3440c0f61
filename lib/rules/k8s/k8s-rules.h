/*
 * k8s-rules.h - what the Kubernetes rules share: a walk over every container
 * of every workload, and a report() that fills object, container and fix.
 * Internal to lib/rules/k8s.
 */
#ifndef UNROOT_K8S_RULES_H
#define UNROOT_K8S_RULES_H

#include "k8s/k8s.h"
#include "rules/check.h"

typedef void (*k8s_container_fn)(struct check_ctx *ctx, const struct rule *self,
				 const struct k8s_object *o, const struct k8s_container *c);

/* Calls fn for every container of every workload of ctx->k8s, in order. */
void k8s_each_container(struct check_ctx *ctx, const struct rule *self, k8s_container_fn fn);

/*
 * report() at [start, end) with object, container and fix set, for the
 * platforms the rule and the object share; nothing (NULL) when they share
 * none: a finding about Kubernetes says nothing of an OpenShift Template.
 */
struct diag *k8s_report(struct check_ctx *ctx, const struct rule *self, const struct k8s_object *o,
			const struct k8s_container *c, size_t start, size_t end, const char *fix,
			const char *fmt, ...) __attribute__((format(printf, 8, 9)));

/* k8s_report() for a fact that holds only on `platforms` (PLAT_* of diag.h). */
struct diag *k8s_report_on(struct check_ctx *ctx, const struct rule *self, unsigned platforms,
			   const struct k8s_object *o, const struct k8s_container *c, size_t start,
			   size_t end, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 9, 10)));

/*
 * OpenShift is among the platforms the run targets (--platform) and the
 * object runs on: a pinned UID is then removed rather than changed.
 */
bool k8s_targets_openshift(const struct check_ctx *ctx, const struct k8s_object *o);

/* "container 'app'", "init container 'init'": the object goes in the finding's `object`. */
const char *k8s_where(struct check_ctx *ctx, const struct k8s_object *o,
		      const struct k8s_container *c);

/* "the container's securityContext" or "the pod's securityContext". */
const char *k8s_origin(const struct k8s_field *f);

/*
 * The deprecated annotation that names the container's seccomp profile
 * (container.seccomp.security.alpha.kubernetes.io/NAME, else
 * seccomp.security.alpha.kubernetes.io/pod), or NULL.
 */
const struct k8s_annotation *k8s_seccomp_annotation(struct check_ctx *ctx,
						    const struct k8s_object *o,
						    const struct k8s_container *c);

/* An annotation value that means RuntimeDefault (runtime/default, docker/default). */
bool k8s_seccomp_default(const char *v);

#endif
