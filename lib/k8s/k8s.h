/*
 * k8s.h - Kubernetes manifests as the rules see them.
 *
 * k8s_build() walks the YAML documents of one input (yaml.h) and finds every
 * Kubernetes object (a map with string `apiVersion` and `kind`), looking
 * inside `kind: List`, any `*List`, and OpenShift `Template` objects. For each
 * workload it finds the pod spec, every container of `containers`,
 * `initContainers` and `ephemeralContainers`, and computes the effective
 * security context per container, field by field, container over pod. Each
 * field keeps the node that decided it, so a finding points at the line that
 * caused it; a missing field points at the container.
 *
 * Scalars are typed the way the API server's decoder types them:
 * sigs.k8s.io/yaml converts YAML to JSON with go-yaml v2, which resolves
 * plain scalars with YAML 1.1 rules (yes/no/on/off/y/n are booleans, 0x1F and
 * 017 are integers). A quoted "1001" is a string, and the API server rejects
 * a string for an integer field. Such a field is recorded in `type_errors`
 * and its value counts as unknown (K8S_INVALID), never as unset.
 *
 * Everything lives in the arena; nodes are borrowed from the YAML tree.
 */
#ifndef UNROOT_K8S_H
#define UNROOT_K8S_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct source;
struct ydoc;
struct ynode;
struct lint_limits;

/* --- scalar typing -------------------------------------------------------- */

enum k8s_type {
	K8S_T_NULL,
	K8S_T_BOOL,
	K8S_T_INT,
	K8S_T_FLOAT,
	K8S_T_STRING,
	K8S_T_MAP,
	K8S_T_SEQ,
};

struct k8s_scalar {
	enum k8s_type type;
	bool b;
	long long i; /* K8S_T_INT; also an integral K8S_T_FLOAT that fits */
	double f;
	bool fits_int; /* i holds the value exactly */
};

/* The JSON type the API server would see for a node (NULL node: K8S_T_NULL). */
enum k8s_type k8s_type_of(const struct ynode *n, struct k8s_scalar *out);
/* "integer", "string", "boolean", ... for messages. */
const char *k8s_type_name(enum k8s_type t);

/* --- the model ------------------------------------------------------------ */

/* Where an effective value came from. */
enum k8s_origin {
	K8S_UNSET = 0,	    /* nowhere: the platform default applies */
	K8S_FROM_POD,	    /* the pod's securityContext (or pod spec) */
	K8S_FROM_CONTAINER, /* the container's securityContext */
};

/* One field of the effective security context. */
struct k8s_field {
	enum k8s_origin origin;
	bool invalid;		  /* set with a type the API server rejects: value unknown */
	const struct ynode *node; /* the value node that decided it; NULL when unset */
	const struct ynode *key;  /* its key node; NULL when unset */
	size_t start, end;	  /* node span, or the container's span when unset */
	bool b;			  /* booleans */
	long long i;		  /* integers */
	const char *s;		  /* strings */
};

/* True when the field holds a value of the right type. */
static inline bool k8s_set(const struct k8s_field *f)
{
	return f->origin != K8S_UNSET && !f->invalid;
}

/*
 * The effective security context of one container. Fields both levels know
 * are container over pod; fsGroup, supplementalGroups and the host
 * namespaces exist only on the pod, privilege and capabilities only on the
 * container.
 */
struct k8s_secctx {
	struct k8s_field run_as_user, run_as_group, run_as_non_root;
	struct k8s_field seccomp_type;	      /* seccompProfile.type */
	struct k8s_field fs_group;	      /* pod only */
	struct k8s_field supplemental_groups; /* pod only; node is the sequence */
	struct k8s_field privileged, allow_privilege_escalation, read_only_root_fs;
	struct k8s_field cap_add, cap_drop; /* node is the sequence of names */
	const struct ynode *capabilities;   /* the container's capabilities map, or NULL */
};

enum k8s_container_kind {
	K8S_CONTAINER,
	K8S_INIT_CONTAINER,
	K8S_EPHEMERAL_CONTAINER,
};

struct k8s_container {
	enum k8s_container_kind kind;
	size_t index;	   /* position in its list, for OpenShift's field paths */
	const char *name;  /* "" when missing */
	const char *image; /* NULL when missing (a template may fill it) */
	const struct ynode *node, *image_node;
	const struct ynode *sc_node; /* the container's securityContext map, or NULL */
	size_t start, end;	     /* the container's map */
	struct k8s_secctx sc;	     /* effective */
};

struct k8s_pod {
	const struct ynode *spec;    /* the pod spec map */
	const struct ynode *sc_node; /* the pod's securityContext map, or NULL */
	struct k8s_field host_users, host_network, host_pid, host_ipc;
	struct k8s_container *containers; /* every kind, in document order */
	size_t ncontainers;
};

struct k8s_annotation {
	const char *key, *value;
	const struct ynode *key_node, *value_node;
};

struct k8s_object {
	const char *api_version, *kind, *name, *namespace; /* name/namespace "" when missing */
	const char *label;				   /* "Deployment/web" */
	const struct ynode *node;			   /* the object's map */
	size_t start, end;
	size_t doc;  /* index of its YAML document */
	long parent; /* index in objects of the List or Template holding it, or -1 */
	/*
	 * The platforms it can run on (PLAT_* of diag.h): OpenShift only for
	 * the objects of a Template and the kinds of an *.openshift.io API
	 * (DeploymentConfig), everywhere else.
	 */
	unsigned platforms;
	struct k8s_annotation *annotations;
	size_t nannotations;
	/*
	 * A workload's pod template (spec.template, a CronJob's
	 * spec.jobTemplate.spec.template), and the annotations in its metadata:
	 * where a suppression for the pods can also be written. NULL and 0 for a Pod.
	 */
	const struct ynode *pod_template;
	struct k8s_annotation *template_annotations;
	size_t ntemplate_annotations;
	bool workload;	    /* has a pod spec */
	struct k8s_pod pod; /* when workload */
};

/* A field the API server would refuse because of its type. */
struct k8s_type_error {
	const struct ynode *node;
	const char *field;   /* "runAsUser" */
	const char *message; /* lower case, no full stop, says what to write */
	const char *fix;     /* "runAsUser: 1001", or NULL */
};

/* A map with the same key twice: kubectl's strict decoding refuses it. */
struct k8s_dup_key {
	const struct ynode *first, *second; /* the two key nodes */
};

/*
 * A map entry: where its key starts, and how far a `# unroot ignore=`
 * comment just before it reaches: the end of its value, or the end of the
 * whole map when the key is the map's first (a comment before `- name: app`
 * covers that list item).
 */
struct k8s_entry {
	size_t start, end;
};

struct k8s_input {
	const char *path;
	struct source *src;
	struct ydoc *docs;
	size_t ndocs;
	struct k8s_object *objects; /* every object, Lists and Templates too, in order */
	size_t nobjects;
	struct k8s_type_error *type_errors;
	size_t ntype_errors;
	struct k8s_dup_key *dup_keys;
	size_t ndup_keys;
	struct k8s_entry *entries; /* every map entry of the objects' documents, by start */
	size_t nentries;
	struct k8s_entry *blocks; /* literal and folded scalars, by start: a '#' there is text */
	size_t nblocks;
	bool truncated; /* the object or container limit was hit */
	/*
	 * Other inputs of the same run that hold a Namespace or Project with
	 * OpenShift range annotations, for openshift_ranges_for().
	 */
	struct k8s_input *const *peers;
	size_t npeers;
};

/*
 * Limits of the model, on top of the YAML limits. An 8 MiB file of one-line
 * containers could otherwise make hundreds of thousands of containers and a
 * million findings; `kubectl get pods -A -o yaml` of a large cluster holds a
 * few thousand.
 */
#define K8S_MAX_OBJECTS	   10000
#define K8S_MAX_CONTAINERS 10000

/*
 * Builds the model of the documents of one input into *out. Returns 0, or
 * -1 when the arena is full. Non-objects are skipped.
 */
int k8s_build(struct arena *a, struct source *src, struct ydoc *docs, size_t ndocs,
	      struct k8s_input *out);

/* The annotation `key` of an object, or NULL. */
const struct k8s_annotation *k8s_annotation(const struct k8s_object *o, const char *key);

/* "containers", "initContainers" or "ephemeralContainers". */
const char *k8s_container_list_name(enum k8s_container_kind k);

/* True when a capability sequence lists `name` (exactly, with or without CAP_). */
bool k8s_caps_has(const struct k8s_field *caps, const char *name);

#endif
