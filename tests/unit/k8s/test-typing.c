/*
 * test-typing.c - scalars typed as the API server's decoder types them
 * (sigs.k8s.io/yaml over go-yaml v2: YAML 1.1 resolution), and wrongly typed
 * fields reported where they are.
 */
#include "helpers.h"

struct want {
	const char *yaml; /* the value as written after "v: " */
	enum k8s_type type;
	long long i; /* integers and integral floats; booleans as 0/1 */
	bool fits;
};

static const struct want table[] = {
    /* YAML 1.1 booleans: go-yaml v2's resolve table, these spellings only. */
    {"y", K8S_T_BOOL, 1, false},
    {"Y", K8S_T_BOOL, 1, false},
    {"yes", K8S_T_BOOL, 1, false},
    {"Yes", K8S_T_BOOL, 1, false},
    {"YES", K8S_T_BOOL, 1, false},
    {"on", K8S_T_BOOL, 1, false},
    {"On", K8S_T_BOOL, 1, false},
    {"ON", K8S_T_BOOL, 1, false},
    {"true", K8S_T_BOOL, 1, false},
    {"True", K8S_T_BOOL, 1, false},
    {"TRUE", K8S_T_BOOL, 1, false},
    {"n", K8S_T_BOOL, 0, false},
    {"N", K8S_T_BOOL, 0, false},
    {"no", K8S_T_BOOL, 0, false},
    {"No", K8S_T_BOOL, 0, false},
    {"NO", K8S_T_BOOL, 0, false},
    {"off", K8S_T_BOOL, 0, false},
    {"Off", K8S_T_BOOL, 0, false},
    {"OFF", K8S_T_BOOL, 0, false},
    {"false", K8S_T_BOOL, 0, false},
    {"False", K8S_T_BOOL, 0, false},
    {"FALSE", K8S_T_BOOL, 0, false},
    /* Mixed case is not in the table: a string. */
    {"yEs", K8S_T_STRING, 0, false},
    {"tRUE", K8S_T_STRING, 0, false},
    {"oN", K8S_T_STRING, 0, false},
    {"nope", K8S_T_STRING, 0, false},
    /* Quoting makes a string, whatever the text. */
    {"\"1001\"", K8S_T_STRING, 0, false},
    {"'true'", K8S_T_STRING, 0, false},
    {"\"yes\"", K8S_T_STRING, 0, false},
    {"|\n  1001", K8S_T_STRING, 0, false},
    /* Nulls. */
    {"~", K8S_T_NULL, 0, false},
    {"null", K8S_T_NULL, 0, false},
    {"Null", K8S_T_NULL, 0, false},
    {"NULL", K8S_T_NULL, 0, false},
    {"", K8S_T_NULL, 0, false},
    /* Integers through Go's ParseInt(s, 0, 64) after removing '_'. */
    {"1001", K8S_T_INT, 1001, true},
    {"+1001", K8S_T_INT, 1001, true},
    {"-1", K8S_T_INT, -1, true},
    {"0", K8S_T_INT, 0, true},
    {"0x3E8", K8S_T_INT, 1000, true},
    {"01750", K8S_T_INT, 1000, true},
    {"0o1750", K8S_T_INT, 1000, true},
    {"0b1111101000", K8S_T_INT, 1000, true},
    {"1_000", K8S_T_INT, 1000, true},
    {"9223372036854775807", K8S_T_INT, 9223372036854775807ll, true},
    {"9223372036854775808", K8S_T_INT, 0, false},
    /* Floats: integral ones reach an int64 field as JSON 1000. */
    {"1e3", K8S_T_FLOAT, 1000, true},
    {"1000.0", K8S_T_FLOAT, 1000, true},
    {"1.5", K8S_T_FLOAT, 0, false},
    {".5", K8S_T_FLOAT, 0, false},
    {"08", K8S_T_FLOAT, 8, true},
    {".inf", K8S_T_FLOAT, 0, false},
    {"-.Inf", K8S_T_FLOAT, 0, false},
    {".nan", K8S_T_FLOAT, 0, false},
    /* Not numbers. */
    {"1001a", K8S_T_STRING, 0, false},
    {"2001-12-14", K8S_T_STRING, 0, false},
    {"0x", K8S_T_STRING, 0, false},
    {"-x", K8S_T_STRING, 0, false},
    {"1.2.3", K8S_T_STRING, 0, false},
    /* Explicit tags decide. */
    {"!!str 1001", K8S_T_STRING, 0, false},
    {"!!int \"1001\"", K8S_T_INT, 1001, true},
    {"!!bool yes", K8S_T_BOOL, 1, false},
    {"!!null ''", K8S_T_NULL, 0, false},
    /* Collections. */
    {"[1, 2]", K8S_T_SEQ, 0, false},
    {"{a: 1}", K8S_T_MAP, 0, false},
};

static void yaml11_resolution(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct want *w = &table[i];
		char *text = arena_printf(test_arena, "v: %s\n", w->yaml);
		struct source *s = source_new(test_arena, "t.yaml", text, strlen(text));
		struct ydoc *docs;
		size_t n;
		struct yerror err;
		assert_int_equal(yaml_load(test_arena, s, &test_opts.limits, &docs, &n, &err), 0);
		struct k8s_scalar sc;
		enum k8s_type t = k8s_type_of(ymap_get(docs[0].root, "v"), &sc);
		if (t != w->type)
			fail_msg("'%s': type %s, want %s", w->yaml, k8s_type_name(t),
				 k8s_type_name(w->type));
		if (t == K8S_T_BOOL && sc.b != (w->i != 0))
			fail_msg("'%s': boolean %d, want %lld", w->yaml, sc.b, w->i);
		if ((t == K8S_T_INT || t == K8S_T_FLOAT) && sc.fits_int != w->fits)
			fail_msg("'%s': fits_int %d, want %d", w->yaml, sc.fits_int, w->fits);
		if (w->fits && sc.i != w->i)
			fail_msg("'%s': %lld, want %lld", w->yaml, sc.i, w->i);
	}
}

#define POD(sc)                                                                                    \
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n"   \
	"    image: x\n    securityContext:\n" sc

static void yes_is_true_for_run_as_non_root(void **state)
{
	(void)state;
	struct k8s_input *in = model_of(POD("      runAsNonRoot: yes\n      privileged: off\n"));
	const struct k8s_container *c = container_of(in, 0);
	assert_true(k8s_set(&c->sc.run_as_non_root));
	assert_true(c->sc.run_as_non_root.b);
	assert_true(k8s_set(&c->sc.privileged));
	assert_false(c->sc.privileged.b);
	assert_int_equal(in->ntype_errors, 0);
}

static void quoted_uid_is_a_type_error(void **state)
{
	(void)state;
	const char *text = POD("      runAsUser: \"1001\"\n");
	struct k8s_input *in = model_of(text);
	const struct k8s_container *c = container_of(in, 0);
	assert_true(c->sc.run_as_user.invalid);
	assert_false(k8s_set(&c->sc.run_as_user));
	assert_int_equal(in->ntype_errors, 1);
	const struct k8s_type_error *e = &in->type_errors[0];
	assert_int_equal(e->node->start, (size_t)(strstr(text, "\"1001\"") - text));
	assert_non_null(strstr(e->message, "runAsUser"));
	assert_non_null(strstr(e->message, "integer"));
	assert_string_equal(e->fix, "runAsUser: 1001");
}

static void quoted_bool_is_a_type_error(void **state)
{
	(void)state;
	struct k8s_input *in = model_of(POD("      allowPrivilegeEscalation: \"false\"\n"));
	assert_int_equal(in->ntype_errors, 1);
	assert_non_null(strstr(in->type_errors[0].message, "boolean"));
	assert_string_equal(in->type_errors[0].fix, "allowPrivilegeEscalation: false");
}

static void wrong_types_everywhere(void **state)
{
	(void)state;
	struct k8s_input *in = model_of(
	    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    a: true\n"
	    "spec:\n  hostNetwork: \"true\"\n  securityContext:\n    fsGroup: 1.5\n"
	    "    supplementalGroups: [1, \"2\"]\n  containers:\n  - name: app\n    image: 3\n"
	    "    securityContext:\n      capabilities:\n        drop: ALL\n");
	/* annotation a, hostNetwork, fsGroup, supplementalGroups[1], image, drop */
	assert_int_equal(in->ntype_errors, 6);
	const struct k8s_container *c = container_of(in, 0);
	assert_true(c->sc.cap_drop.invalid);
	assert_true(c->sc.fs_group.invalid);
}

static void type_errors_are_nr000_with_position(void **state)
{
	(void)state;
	const char *text = POD("      runAsUser: \"1001\"\n");
	struct lint_run *run = lint_text(&test_opts, "p.yaml", text, strlen(text));
	const struct diag *d = first_rule(run, "NR000");
	assert_non_null(d);
	assert_int_equal(d->start, (size_t)(strstr(text, "\"1001\"") - text));
	assert_string_equal(d->fix, "runAsUser: 1001");
	assert_int_equal(lint_run_exit_status(run), 2);
	/* An unknown value is not an unset one: no NR202 for it. */
	assert_int_equal(count_rule(run, "NR202"), 0);
	lint_run_free(run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(yaml11_resolution),
	    cmocka_unit_test(yes_is_true_for_run_as_non_root),
	    cmocka_unit_test(quoted_uid_is_a_type_error),
	    cmocka_unit_test(quoted_bool_is_a_type_error),
	    cmocka_unit_test(wrong_types_everywhere),
	    cmocka_unit_test(type_errors_are_nr000_with_position),
	};
	return cmocka_run_group_tests(tests, k8s_setup, k8s_teardown);
}
