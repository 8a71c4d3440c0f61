/*
 * test-examples.c - every Kubernetes rule's bad example fires it and its
 * good example does not. The rules that need the image side get one view
 * made by hand: USER app (uid 1001), /app given to 1001:0 with mode 750 and
 * /data to 1001:1001 with mode 700.
 */
#include "helpers.h"
#include "image/view.h"
#include "rules/check.h"

static struct owned_path owned[] = {
    {.path = "/app", .uid = 1001, .gid = 0, .mode = 0750},
    {.path = "/data", .uid = 1001, .gid = 1001, .mode = 0700},
};
static const struct image_view view = {
    .origin = "Dockerfile",
    .user = "app",
    .user_known = true,
    .uid = 1001,
    .gid = 0,
    .user_is_name = true,
    .owned = owned,
    .nowned = 2,
};

/* Every container image of the model paired with the view, as the engine pairs them. */
static void pair_all(struct check_ctx *ctx)
{
	const struct k8s_input *in = ctx->k8s;
	static struct paired_image pairs[64];
	size_t n = 0;
	for (size_t i = 0; i < in->nobjects; i++)
		for (size_t k = 0; k < in->objects[i].pod.ncontainers && n < 64; k++)
			if (in->objects[i].pod.containers[k].image)
				pairs[n++] = (struct paired_image){
				    in->objects[i].pod.containers[k].image, &view};
	ctx->pairs = pairs;
	ctx->npairs = n;
}

static size_t fire(const struct rule *r, const char *text)
{
	struct k8s_input *in = model_of(text);
	assert_int_equal(in->ntype_errors, 0);
	assert_int_equal(in->ndup_keys, 0);
	struct diag_list *l = arena_alloc(test_arena, sizeof(*l));
	l->arena = test_arena;
	struct check_ctx ctx = {.opts = &test_opts,
				.arena = test_arena,
				.diags = l,
				.path = "example.yaml",
				.src = in->src,
				.k8s = in};
	pair_all(&ctx);
	r->check(&ctx, r);
	for (size_t i = 0; i < l->n; i++) {
		const struct diag *d = &l->items[i];
		/* Every finding names its object and container, and says what to write or remove.
		 */
		assert_non_null(d->object);
		assert_non_null(d->container);
		assert_true(strstr(d->message, "write") || strstr(d->message, "remove"));
		assert_true(d->end <= in->src->len);
	}
	return l->n;
}

static void bad_fires_good_does_not(void **state)
{
	(void)state;
	size_t n = 0;
	for (size_t i = 0; i < rule_count; i++) {
		const struct rule *r = rule_table[i];
		if (r->kind != KIND_K8S)
			continue;
		n++;
		if (fire(r, r->bad) == 0)
			fail_msg("%s: the bad example does not fire", r->code);
		if (fire(r, r->good) != 0)
			fail_msg("%s: the good example fires", r->code);
		assert_non_null(r->summary);
		assert_non_null(r->description);
		assert_non_null(r->remediation);
	}
	assert_int_equal(n, 12);
}

/* Without a pair the image rules stay quiet, even on their bad examples. */
static void image_rules_quiet_without_pair(void **state)
{
	(void)state;
	const char *codes[] = {"NR206", "NR207", "NR209"};
	for (size_t i = 0; i < 3; i++) {
		const struct rule *r = rule_find(codes[i]);
		assert_non_null(r);
		struct lint_run *run =
		    lint_text(&test_opts, "example.yaml", r->bad, strlen(r->bad));
		assert_int_equal(count_rule(run, codes[i]), 0);
		lint_run_free(run);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(bad_fires_good_does_not),
	    cmocka_unit_test(image_rules_quiet_without_pair),
	};
	return cmocka_run_group_tests(tests, k8s_setup, k8s_teardown);
}
