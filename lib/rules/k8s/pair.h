/* pair.h - a container's identity against a paired image view (internal). */
#ifndef UNROOT_K8S_PAIR_H
#define UNROOT_K8S_PAIR_H

#include "unroot/k8s.h"
#include "unroot/model.h"

struct pair_identity {
	long long uid, gid; /* -1 when unknown */
};

/* The uid and primary gid the container's process gets with image view v. */
void pair_identity(const struct k8s_container *c, const struct image_view *v,
		   struct pair_identity *out);

/*
 * True when the process reaches path p: as its owner, through a group it is
 * in (primary, fsGroup, supplementalGroups) with group bits, or through the
 * other bits. Unknown modes count as reachable through owner or group.
 */
bool pair_reaches(const struct k8s_container *c, const struct pair_identity *id,
		  const struct owned_path *p);

#endif
