/*
 * edit.h - the exact edits of the Kubernetes rules' fixes.
 *
 * A rule says what its finding's fix changes in the manifest (a field of a
 * securityContext set, removed, a capability dropped); the edits are worked
 * out once all the rules have run on the input (yedit.h), so that what
 * several findings add to one securityContext goes in as one edit that each
 * of them carries, and no two findings' edits overlap. Internal to the
 * Kubernetes rules.
 */
#ifndef UNROOT_RULES_K8S_EDIT_H
#define UNROOT_RULES_K8S_EDIT_H

#include "k8s/k8s.h"
#include "yaml/yedit.h"

struct check_ctx;
struct diag;

extern const struct yval k8s_true, k8s_false, k8s_zero, k8s_all, k8s_drop_all_seq, k8s_drop_all;

/* The container's (or, with pod, the pod's) securityContext gets `key: v`, made when missing. */
void k8s_edit_set(struct check_ctx *ctx, struct diag *d, const struct k8s_object *o,
		  const struct k8s_container *c, bool pod, const char *key, const struct yval *v);

/* The securityContext entry that decided field f gets the value v. */
void k8s_edit_value(struct check_ctx *ctx, struct diag *d, const struct k8s_object *o,
		    const struct k8s_container *c, const struct k8s_field *f, const struct yval *v);

/* The securityContext entry that decided field f goes. */
void k8s_edit_remove(struct check_ctx *ctx, struct diag *d, const struct k8s_object *o,
		     const struct k8s_container *c, const struct k8s_field *f);

/*
 * runAsUser (field f) goes, and runAsNonRoot: true takes its place where it
 * does not hold already: the UID then comes from the image, or from
 * OpenShift's range.
 */
void k8s_edit_unpin_uid(struct check_ctx *ctx, struct diag *d, const struct k8s_object *o,
			const struct k8s_container *c, const struct k8s_field *f);

/* The container drops ALL capabilities: in its drop list, or a new one. */
void k8s_edit_drop_all(struct check_ctx *ctx, struct diag *d, const struct k8s_object *o,
		       const struct k8s_container *c);

/*
 * The pod gets seccompProfile: {type: RuntimeDefault}: its type replaced
 * where the field f (the effective seccompProfile.type) is set, else a
 * `type` added to a seccompProfile map that has none, else the map added to
 * the pod's securityContext.
 */
void k8s_edit_seccomp(struct check_ctx *ctx, struct diag *d, const struct k8s_object *o,
		      const struct k8s_container *c, const struct k8s_field *f);

/* Item `item` of the container's capabilities.add goes. */
void k8s_edit_cap_remove(struct check_ctx *ctx, struct diag *d, const struct k8s_container *c,
			 const struct ynode *item);

#endif
