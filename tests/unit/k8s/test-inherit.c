/*
 * test-inherit.c - the effective security context: container over pod, field
 * by field, for containers, initContainers and ephemeralContainers, with the
 * span of the node that decided each value (or the container's when unset).
 */
#include "helpers.h"

struct field {
	const char *pod_line, *ctr_line; /* how the pod and the container write it; NULL: cannot */
	const char *pod_value, *ctr_value; /* the text each value's span covers */
	size_t off;			   /* offsetof(struct k8s_secctx, ...) */
};

#define F(m) offsetof(struct k8s_secctx, m)

static const struct field fields[] = {
    {"runAsUser: 2000", "runAsUser: 3000", "2000", "3000", F(run_as_user)},
    {"runAsGroup: 2001", "runAsGroup: 0", "2001", "0", F(run_as_group)},
    {"runAsNonRoot: true", "runAsNonRoot: false", "true", "false", F(run_as_non_root)},
    {"seccompProfile: {type: RuntimeDefault}", "seccompProfile: {type: Unconfined}",
     "RuntimeDefault", "Unconfined", F(seccomp_type)},
    /* Pod only: a container cannot set them. */
    {"fsGroup: 2002", NULL, "2002", NULL, F(fs_group)},
    {"supplementalGroups: [5, 6]", NULL, "[5, 6]", NULL, F(supplemental_groups)},
    /* Container only: the pod's securityContext has no such field. */
    {NULL, "privileged: true", NULL, "true", F(privileged)},
    {NULL, "allowPrivilegeEscalation: false", NULL, "false", F(allow_privilege_escalation)},
    {NULL, "readOnlyRootFilesystem: true", NULL, "true", F(read_only_root_fs)},
    {NULL, "capabilities: {drop: [ALL]}", NULL, "[ALL]", F(cap_drop)},
    {NULL, "capabilities: {add: [NET_BIND_SERVICE]}", NULL, "[NET_BIND_SERVICE]", F(cap_add)},
};

/* A pod with an init container, a container and an ephemeral container. */
static struct k8s_input *pod_with(const char *pod_line, const char *ctr_line)
{
	char pod[256] = "", ctr[256] = "";
	if (pod_line)
		snprintf(pod, sizeof(pod), "  securityContext:\n    %s\n", pod_line);
	if (ctr_line)
		snprintf(ctr, sizeof(ctr), "    securityContext:\n      %s\n", ctr_line);
	char *text = arena_printf(test_arena,
				  "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n%s"
				  "  initContainers:\n  - name: init\n    image: x\n%s"
				  "  containers:\n  - name: app\n    image: x\n%s"
				  "  ephemeralContainers:\n  - name: debug\n    image: x\n%s",
				  pod, ctr, ctr, ctr);
	struct k8s_input *in = model_of(text);
	assert_int_equal(in->ntype_errors, 0);
	assert_int_equal(in->objects[0].pod.ncontainers, 3);
	return in;
}

static const struct k8s_field *field_of(const struct k8s_container *c, const struct field *f)
{
	return (const struct k8s_field *)((const char *)&c->sc + f->off);
}

static void check_all(struct k8s_input *in, const struct field *f, enum k8s_origin origin,
		      const char *value)
{
	for (size_t i = 0; i < 3; i++) {
		const struct k8s_container *c = container_of(in, i);
		const struct k8s_field *v = field_of(c, f);
		if (v->origin != origin)
			fail_msg("%s / %s, container %s: origin %d, want %d",
				 f->pod_line ? f->pod_line : "-", f->ctr_line ? f->ctr_line : "-",
				 c->name, v->origin, origin);
		if (origin == K8S_UNSET) {
			assert_int_equal(v->start, c->start);
			assert_int_equal(v->end, c->end);
		} else {
			assert_string_equal(span_text(in, v), value);
		}
	}
}

static void pod_to_container(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct field *f = &fields[i];
		if (!f->pod_line)
			continue;
		check_all(pod_with(f->pod_line, NULL), f, K8S_FROM_POD, f->pod_value);
	}
}

static void container_over_pod(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct field *f = &fields[i];
		if (!f->ctr_line)
			continue;
		/* The container's value wins over the pod's when the pod can set it too. */
		check_all(pod_with(f->pod_line, f->ctr_line), f, K8S_FROM_CONTAINER, f->ctr_value);
	}
}

static void container_only_sets_it(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct field *f = &fields[i];
		if (!f->ctr_line)
			continue;
		check_all(pod_with(NULL, f->ctr_line), f, K8S_FROM_CONTAINER, f->ctr_value);
	}
}

static void unset_points_at_the_container(void **state)
{
	(void)state;
	struct k8s_input *in = pod_with(NULL, NULL);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		check_all(in, &fields[i], K8S_UNSET, NULL);
}

/* A field written at the wrong level is not used: fsGroup on a container, privileged on a pod. */
static void wrong_level_is_ignored(void **state)
{
	(void)state;
	struct k8s_input *in = pod_with("privileged: true", "fsGroup: 7");
	const struct k8s_container *c = container_of(in, 1);
	assert_int_equal(c->sc.privileged.origin, K8S_UNSET);
	assert_int_equal(c->sc.fs_group.origin, K8S_UNSET);
}

/* Each container decides for itself: one overrides, its sibling inherits. */
static void siblings_are_independent(void **state)
{
	(void)state;
	struct k8s_input *in = model_of("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n"
					"  securityContext:\n    runAsUser: 2000\n  containers:\n"
					"  - name: a\n    image: x\n    securityContext:\n"
					"      runAsUser: 0\n  - name: b\n    image: x\n");
	assert_int_equal(container_of(in, 0)->sc.run_as_user.i, 0);
	assert_int_equal(container_of(in, 0)->sc.run_as_user.origin, K8S_FROM_CONTAINER);
	assert_int_equal(container_of(in, 1)->sc.run_as_user.i, 2000);
	assert_int_equal(container_of(in, 1)->sc.run_as_user.origin, K8S_FROM_POD);
}

/* A null container value (runAsUser: ~) is no value: the pod's applies. */
static void null_inherits(void **state)
{
	(void)state;
	struct k8s_input *in = pod_with("runAsUser: 2000", "runAsUser: ~");
	assert_int_equal(container_of(in, 1)->sc.run_as_user.origin, K8S_FROM_POD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(pod_to_container),
	    cmocka_unit_test(container_over_pod),
	    cmocka_unit_test(container_only_sets_it),
	    cmocka_unit_test(unset_points_at_the_container),
	    cmocka_unit_test(wrong_level_is_ignored),
	    cmocka_unit_test(siblings_are_independent),
	    cmocka_unit_test(null_inherits),
	};
	return cmocka_run_group_tests(tests, k8s_setup, k8s_teardown);
}
