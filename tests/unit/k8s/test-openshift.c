/*
 * test-openshift.c - namespace ranges and admission under SCC restricted-v2:
 * in range, out of range, unset (the first UID is assigned), fsGroup, and the
 * other reasons it refuses a pod.
 */
#include "helpers.h"
#include "k8s/openshift.h"

static void ranges_parse(void **state)
{
	(void)state;
	struct id_range r;
	assert_true(openshift_range_parse("1000680000/10000", &r));
	assert_int_equal(r.start, 1000680000);
	assert_int_equal(r.len, 10000);
	assert_int_equal(openshift_range_last(&r), 1000689999);
	assert_true(openshift_range_parse("1000680000-1000689999", &r));
	assert_int_equal(r.len, 10000);
	/* The supplemental-groups annotation may list blocks: the first is assigned from. */
	assert_true(openshift_range_parse("1000700000/10000,1000800000/10000", &r));
	assert_int_equal(r.start, 1000700000);
	assert_false(openshift_range_parse("", &r));
	assert_false(openshift_range_parse("1000680000", &r));
	assert_false(openshift_range_parse("1000680000/0", &r));
	assert_false(openshift_range_parse("10-5", &r));
	assert_false(openshift_range_parse("a/b", &r));
	assert_true(openshift_range_contains(&r, 1000700000));
	assert_true(openshift_range_contains(&r, 1000709999));
	assert_false(openshift_range_contains(&r, 1000710000));
	assert_false(openshift_range_contains(&r, -1));
}

#define NS                                                                                         \
	"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  annotations:\n"               \
	"    openshift.io/sa.scc.uid-range: 1000680000/10000\n"                                    \
	"    openshift.io/sa.scc.supplemental-groups: 1000680000-1000689999\n---\n"

static void admit(const char *text, struct openshift_admission *adm, struct openshift_ranges *rg)
{
	struct k8s_input *in = model_of(text);
	const struct k8s_object *o = NULL;
	for (size_t i = 0; i < in->nobjects; i++)
		if (in->objects[i].workload)
			o = &in->objects[i];
	assert_non_null(o);
	openshift_ranges_for(in, o, &test_opts, rg);
	assert_int_equal(openshift_admit(test_arena, o, &o->pod.containers[0], rg, adm), 0);
}

#define POD(ns, psc, csc)                                                                          \
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n" ns "spec:\n  securityContext:\n"       \
	"    seLinuxOptions: {}\n" psc "  containers:\n  - name: app\n    image: x\n"              \
	"    securityContext:\n      readOnlyRootFilesystem: true\n" csc

static void uid_in_range_is_admitted(void **state)
{
	(void)state;
	struct openshift_admission adm;
	struct openshift_ranges rg;
	admit(NS POD("  namespace: shop\n", "    runAsUser: 1000680005\n", ""), &adm, &rg);
	assert_true(adm.admitted);
	assert_int_equal(adm.uid, 1000680005);
	assert_false(adm.uid_assigned);
	assert_string_equal(rg.uid_from, "Namespace/shop");
}

static void uid_out_of_range_is_rejected(void **state)
{
	(void)state;
	struct openshift_admission adm;
	struct openshift_ranges rg;
	admit(NS POD("  namespace: shop\n", "", "      runAsUser: 2000\n"), &adm, &rg);
	assert_false(adm.admitted);
	assert_int_equal(adm.nreasons, 1);
	assert_string_equal(
	    adm.reasons[0].message,
	    "spec.containers[0].securityContext.runAsUser: Invalid value: 2000: must "
	    "be in the ranges: [1000680000, 1000689999]");
}

static void unset_uid_gets_the_first_of_the_range(void **state)
{
	(void)state;
	struct openshift_admission adm;
	struct openshift_ranges rg;
	admit(NS POD("  namespace: shop\n", "    runAsNonRoot: true\n", ""), &adm, &rg);
	assert_true(adm.admitted);
	assert_true(adm.uid_assigned);
	assert_int_equal(adm.uid, 1000680000);
	assert_true(adm.fs_group_assigned);
	assert_int_equal(adm.fs_group, 1000680000);
}

static void options_give_the_range_without_a_namespace(void **state)
{
	(void)state;
	struct openshift_admission adm;
	struct openshift_ranges rg;
	struct id_range saved = test_opts.uid_range;
	test_opts.uid_range = (struct id_range){5000, 100};
	admit(POD("", "", ""), &adm, &rg);
	test_opts.uid_range = saved;
	assert_string_equal(rg.uid_from, "--uid-range");
	assert_int_equal(adm.uid, 5000);
	assert_true(adm.uid_assigned);
}

static void other_namespace_is_not_used(void **state)
{
	(void)state;
	struct openshift_admission adm;
	struct openshift_ranges rg;
	admit(NS POD("  namespace: other\n", "    runAsUser: 1000680005\n", ""), &adm, &rg);
	assert_string_equal(rg.uid_from, "--uid-range");
	/* The default range is also 1000680000/10000. */
	assert_true(adm.admitted);
}

static void fs_group(void **state)
{
	(void)state;
	struct openshift_admission adm;
	struct openshift_ranges rg;
	admit(NS POD("", "    fsGroup: 1000680001\n", ""), &adm, &rg);
	assert_true(adm.admitted);
	assert_int_equal(adm.fs_group, 1000680001);
	assert_false(adm.fs_group_assigned);
	admit(NS POD("", "    fsGroup: 2000\n", ""), &adm, &rg);
	assert_false(adm.admitted);
	assert_int_equal(adm.nreasons, 1);
	assert_string_equal(adm.reasons[0].message, "spec.securityContext.fsGroup: Invalid value: "
						    "[]int64{2000}: 2000 is not an allowed group");
}

static void privileges_are_rejected(void **state)
{
	(void)state;
	struct openshift_admission adm;
	struct openshift_ranges rg;
	admit(POD("", "",
		  "      privileged: true\n      allowPrivilegeEscalation: true\n"
		  "      capabilities:\n        add: [NET_BIND_SERVICE, SYS_ADMIN]\n"),
	      &adm, &rg);
	assert_false(adm.admitted);
	assert_int_equal(adm.nreasons, 3);
	assert_string_equal(adm.reasons[0].what, "Privileged containers are not allowed");
	assert_string_equal(adm.reasons[1].what,
			    "Allowing privilege escalation for containers is not allowed");
	assert_string_equal(adm.reasons[2].message,
			    "spec.containers[0].securityContext.capabilities"
			    ".add: Invalid value: \"SYS_ADMIN\": capability "
			    "may not be added");
	/* Dropping nothing is not a rejection: restricted-v2 drops ALL itself. */
	admit(POD("", "", ""), &adm, &rg);
	assert_true(adm.admitted);
}

static void host_namespaces_are_rejected(void **state)
{
	(void)state;
	struct openshift_admission adm;
	struct openshift_ranges rg;
	admit("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostNetwork: true\n"
	      "  hostPID: yes\n  hostIPC: false\n  containers:\n  - name: a\n    image: x\n",
	      &adm, &rg);
	assert_int_equal(adm.nreasons, 2);
	assert_string_equal(adm.reasons[0].what, "Host network is not allowed to be used");
	assert_string_equal(adm.reasons[1].what, "Host PID is not allowed to be used");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ranges_parse),
	    cmocka_unit_test(uid_in_range_is_admitted),
	    cmocka_unit_test(uid_out_of_range_is_rejected),
	    cmocka_unit_test(unset_uid_gets_the_first_of_the_range),
	    cmocka_unit_test(options_give_the_range_without_a_namespace),
	    cmocka_unit_test(other_namespace_is_not_used),
	    cmocka_unit_test(fs_group),
	    cmocka_unit_test(privileges_are_rejected),
	    cmocka_unit_test(host_namespaces_are_rejected),
	};
	return cmocka_run_group_tests(tests, k8s_setup, k8s_teardown);
}
