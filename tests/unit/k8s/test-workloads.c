/*
 * test-workloads.c - every workload kind, Lists, Templates, JSON, and
 * documents that are not Kubernetes objects.
 */
#include "helpers.h"

#define TEMPLATE_SPEC                                                                              \
	"  template:\n    metadata:\n      labels: {app: w}\n    spec:\n      containers:\n"       \
	"      - name: app\n        image: x\n"

struct kind_case {
	const char *text;
	const char *label;
};

static const struct kind_case kinds[] = {
    {"apiVersion: v1\nkind: Pod\nmetadata:\n  name: w\nspec:\n  containers:\n  - name: app\n"
     "    image: x\n",
     "Pod/w"},
    {"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\nspec:\n" TEMPLATE_SPEC,
     "Deployment/w"},
    {"apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: w\nspec:\n" TEMPLATE_SPEC,
     "ReplicaSet/w"},
    {"apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: w\nspec:\n" TEMPLATE_SPEC,
     "ReplicationController/w"},
    {"apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: w\nspec:\n" TEMPLATE_SPEC,
     "StatefulSet/w"},
    {"apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: w\nspec:\n" TEMPLATE_SPEC,
     "DaemonSet/w"},
    {"apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: w\nspec:\n" TEMPLATE_SPEC, "Job/w"},
    {"apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: w\nspec:\n  schedule: '* * * * *'\n"
     "  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n"
     "          - name: app\n            image: x\n",
     "CronJob/w"},
    {"apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: w\ntemplate:\n  spec:\n"
     "    containers:\n    - name: app\n      image: x\n",
     "PodTemplate/w"},
    {"apiVersion: apps.openshift.io/v1\nkind: DeploymentConfig\nmetadata:\n  name: "
     "w\nspec:\n" TEMPLATE_SPEC,
     "DeploymentConfig/w"},
    {"apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: w\nspec:\n" TEMPLATE_SPEC,
     "Rollout/w"},
    {"apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: w\nspec:\n"
     "  template:\n    spec:\n      containers:\n      - image: x\n",
     "Service/w"},
};

static void every_kind_has_its_container(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct k8s_input *in = model_of(kinds[i].text);
		assert_int_equal(in->nobjects, 1);
		if (!in->objects[0].workload)
			fail_msg("%s is not read as a workload", kinds[i].label);
		assert_string_equal(in->objects[0].label, kinds[i].label);
		assert_int_equal(in->objects[0].pod.ncontainers, 1);
		assert_string_equal(container_of(in, 0)->image, "x");
	}
}

static void other_objects_are_not_workloads(void **state)
{
	(void)state;
	struct k8s_input *in =
	    model_of("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n"
		     "  - port: 80\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n"
		     "  name: w\nspec:\n  template:\n    spec:\n      replicas: 3\n");
	assert_int_equal(in->nobjects, 2);
	assert_false(in->objects[0].workload);
	assert_false(in->objects[1].workload);
}

static void all_three_container_lists(void **state)
{
	(void)state;
	struct k8s_input *in = model_of(
	    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  ephemeralContainers:\n"
	    "  - name: e\n    image: x\n  containers:\n  - name: a\n    image: x\n  - name: b\n"
	    "    image: y\n  initContainers:\n  - name: i\n    image: x\n");
	assert_int_equal(in->objects[0].pod.ncontainers, 4);
	assert_int_equal(container_of(in, 0)->kind, K8S_INIT_CONTAINER);
	assert_int_equal(container_of(in, 1)->kind, K8S_CONTAINER);
	assert_int_equal(container_of(in, 2)->kind, K8S_CONTAINER);
	assert_int_equal(container_of(in, 2)->index, 1);
	assert_string_equal(container_of(in, 2)->name, "b");
	assert_int_equal(container_of(in, 3)->kind, K8S_EPHEMERAL_CONTAINER);
}

static void lists_and_templates(void **state)
{
	(void)state;
	struct k8s_input *in = model_of(
	    "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n"
	    "    name: a\n  spec:\n    containers:\n    - name: c\n      image: x\n"
	    "- apiVersion: apps/v1\n  kind: DeploymentList\n  items:\n  - apiVersion: apps/v1\n"
	    "    kind: Deployment\n    metadata:\n      name: b\n    spec:\n      template:\n"
	    "        spec:\n          containers:\n          - name: c\n            image: x\n"
	    "---\napiVersion: template.openshift.io/v1\nkind: Template\nmetadata:\n  name: t\n"
	    "parameters:\n- name: NAME\nobjects:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n"
	    "    name: ${NAME}\n  spec:\n    containers:\n    - name: c\n      image: ${IMAGE}\n");
	/* List, Pod/a, DeploymentList, Deployment/b, Template, Pod/${NAME} */
	assert_int_equal(in->nobjects, 6);
	assert_string_equal(in->objects[1].label, "Pod/a");
	assert_int_equal(in->objects[1].parent, 0);
	assert_string_equal(in->objects[3].label, "Deployment/b");
	assert_int_equal(in->objects[3].parent, 2);
	assert_true(in->objects[3].workload);
	assert_string_equal(in->objects[5].label, "Pod/${NAME}");
	assert_string_equal(in->objects[5].pod.containers[0].image, "${IMAGE}");
	assert_int_equal(in->objects[5].doc, 1);
}

/* Template parameters in typed fields are unknown values, not type errors. */
static void template_parameters(void **state)
{
	(void)state;
	struct k8s_input *in = model_of(
	    "apiVersion: template.openshift.io/v1\nkind: Template\nmetadata:\n  name: t\nobjects:\n"
	    "- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n"
	    "    securityContext:\n      runAsUser: \"${{UID}}\"\n      runAsNonRoot: true\n"
	    "    containers:\n    - name: c\n      image: x\n");
	assert_int_equal(in->ntype_errors, 0);
	const struct k8s_container *c = &in->objects[1].pod.containers[0];
	assert_true(c->sc.run_as_user.invalid);
	assert_true(c->sc.run_as_non_root.b);
	/* Outside a Template the same text is a string the API server rejects. */
	in = model_of("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n"
		      "  securityContext:\n    runAsUser: \"${{UID}}\"\n  containers:\n"
		      "  - name: c\n    image: x\n");
	assert_int_equal(in->ntype_errors, 1);
}

/*
 * A '#' line inside a block scalar is text, not a suppression comment: were
 * it read as one, it would cover the Pod that follows.
 */
static void comments_in_block_scalars(void **state)
{
	(void)state;
	const char *text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n"
			   "  run.sh: |\n    exec app\n    # unroot ignore=NR202 not a comment\n"
			   "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n"
			   "  containers:\n  - name: a\n    image: x\n";
	struct lint_run *run = lint_text(&test_opts, "cm.yaml", text, strlen(text));
	assert_int_equal(count_rule(run, "NR202"), 1);
	assert_int_equal(count_rule(run, "NR001"), 0);
	lint_run_free(run);
}

static void json_input(void **state)
{
	(void)state;
	struct k8s_input *in = model_of(
	    "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"j\"},\n"
	    " \"spec\": {\"securityContext\": {\"runAsUser\": 1001, \"runAsNonRoot\": true},\n"
	    "  \"containers\": [{\"name\": \"a\", \"image\": \"x\",\n"
	    "   \"securityContext\": {\"runAsGroup\": \"0\"}}]}}\n");
	const struct k8s_container *c = container_of(in, 0);
	assert_int_equal(c->sc.run_as_user.i, 1001);
	assert_true(c->sc.run_as_non_root.b);
	/* "0" in JSON is a string, as for the API server. */
	assert_true(c->sc.run_as_group.invalid);
	assert_int_equal(in->ntype_errors, 1);
}

static void not_kubernetes_is_skipped(void **state)
{
	(void)state;
	/* A CI workflow, a docker-compose file, a bare scalar, a list, an object without kind. */
	struct k8s_input *in = model_of(
	    "name: ci\non:\n  push:\njobs:\n  build:\n    runs-on: ubuntu-latest\n---\n"
	    "services:\n  web:\n    image: nginx\n    user: root\n---\njust a string\n---\n"
	    "- a\n- b\n---\napiVersion: v1\nmetadata:\n  name: x\n---\napiVersion: 1\nkind: Pod\n");
	assert_int_equal(in->nobjects, 0);
	assert_int_equal(in->ntype_errors, 0);
	struct lint_run *run = lint_text(&test_opts, "ci.yaml", "name: ci\non: push\n", 18);
	assert_int_equal(lint_run_diags(run)->n, 0);
	assert_int_equal(lint_run_exit_status(run), 0);
	lint_run_free(run);
}

static void merge_keys_and_anchors(void **state)
{
	(void)state;
	struct k8s_input *in = model_of(
	    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
	    "  - &base\n    name: a\n    image: x\n    securityContext: &sc\n      runAsUser: "
	    "1001\n"
	    "  - <<: *base\n    name: b\n  - name: c\n    image: y\n    securityContext: *sc\n");
	assert_int_equal(in->objects[0].pod.ncontainers, 3);
	assert_string_equal(container_of(in, 1)->name, "b");
	assert_string_equal(container_of(in, 1)->image, "x");
	assert_int_equal(container_of(in, 2)->sc.run_as_user.i, 1001);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_kind_has_its_container),
	    cmocka_unit_test(other_objects_are_not_workloads),
	    cmocka_unit_test(all_three_container_lists),
	    cmocka_unit_test(lists_and_templates),
	    cmocka_unit_test(template_parameters),
	    cmocka_unit_test(comments_in_block_scalars),
	    cmocka_unit_test(json_input),
	    cmocka_unit_test(not_kubernetes_is_skipped),
	    cmocka_unit_test(merge_keys_and_anchors),
	};
	return cmocka_run_group_tests(tests, k8s_setup, k8s_teardown);
}
