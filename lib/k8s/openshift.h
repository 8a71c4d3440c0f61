/*
 * openshift.h - OpenShift's identity rules: namespace ranges, the UID it
 * assigns, and admission under SCC restricted-v2.
 *
 * restricted-v2 (the SCC every authenticated user gets) runs pods with
 * runAsUser MustRunAsRange over the namespace annotation
 * openshift.io/sa.scc.uid-range and fsGroup MustRunAs over
 * openshift.io/sa.scc.supplemental-groups; both are written "START/LENGTH"
 * (1000680000/10000) or "START-END". A pod that sets no UID gets the first
 * UID of the range, and no fsGroup the first group. It also forbids
 * privilege escalation, privileged containers, added capabilities other
 * than NET_BIND_SERVICE, the host's network, PID and IPC namespaces, host
 * ports and hostPath volumes.
 * Rejections are worded the way OpenShift words them.
 *
 * Pure functions over the k8s model; results live in the arena passed in.
 */
#ifndef UNROOT_OPENSHIFT_H
#define UNROOT_OPENSHIFT_H

#include <stdbool.h>
#include <stddef.h>

#include "unroot/lint.h"

struct arena;
struct ynode;
struct k8s_input;
struct k8s_object;
struct k8s_container;

#define OPENSHIFT_UID_RANGE_ANNOTATION	 "openshift.io/sa.scc.uid-range"
#define OPENSHIFT_SUPP_GROUPS_ANNOTATION "openshift.io/sa.scc.supplemental-groups"

/*
 * "START/LENGTH" or "START-END" into *out. The supplemental-groups
 * annotation may list several blocks separated by commas; the first one is
 * taken (it is the one OpenShift assigns from). False when it does not parse.
 */
bool openshift_range_parse(const char *s, struct id_range *out);

/* The last id of a range (start + len - 1). */
unsigned long openshift_range_last(const struct id_range *r);
bool openshift_range_contains(const struct id_range *r, long long id);

/* The ranges a workload runs under, and where they came from. */
struct openshift_ranges {
	struct id_range uid, groups;
	const char *uid_from;	 /* "Namespace/NAME" or "--uid-range" */
	const char *groups_from; /* "Namespace/NAME" or "--supplemental-groups" */
};

/*
 * The ranges for object `o`: from a Namespace object in the same input
 * named like o's namespace (or the only Namespace of the input when o names
 * none) carrying the annotations, else from the options.
 */
void openshift_ranges_for(const struct k8s_input *in, const struct k8s_object *o,
			  const struct lint_options *opts, struct openshift_ranges *out);

/* One reason restricted-v2 would refuse the pod. */
struct openshift_reason {
	const char *field;   /* "spec.containers[0].securityContext.runAsUser" */
	const char *message; /* OpenShift's: "spec.containers[0]...: Invalid value: 2000: must be in
				the ranges: [1000680000, 1000689999]" */
	const char *what;    /* the short reason: "must be in the ranges: [...]" */
	size_t start, end;   /* the node that caused it */
	const char *fix;     /* the line to write instead, or NULL */
	/*
	 * For what the pod asks of the node (its network, PID or IPC namespace,
	 * a host port, a hostPath volume), which a node agent needs on purpose:
	 * the SCC of every OpenShift cluster that allows it ("hostnetwork-v2"),
	 * granted to the pod's service account. NULL for the others.
	 */
	const char *scc;
};

/* What restricted-v2 does with one container. */
struct openshift_admission {
	bool admitted;
	long long uid; /* the UID the process gets: the manifest's, or the assigned one */
	bool uid_assigned;
	long long fs_group; /* the fsGroup: the manifest's, or the assigned one */
	bool fs_group_assigned;
	struct openshift_reason *reasons;
	size_t nreasons;
};

/*
 * Checks container `c` of workload `o` against restricted-v2 with ranges
 * `r`. Pod-level reasons (fsGroup, host namespaces) are given for every
 * container. Returns 0, or -1 when the arena is full.
 */
int openshift_admit(struct arena *a, const struct k8s_object *o, const struct k8s_container *c,
		    const struct openshift_ranges *r, struct openshift_admission *out);

#endif
