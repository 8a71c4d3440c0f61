/*
 * test-pair.c - the rules that need the image side (NR206, NR207, NR209),
 * with an image view made by hand, so they are tested apart from the
 * readers that make views from Dockerfiles and images.
 */
#include "helpers.h"
#include "image/view.h"
#include "rules/check.h"

extern const struct rule NR206_group_mismatch, NR207_image_user_mismatch,
    NR209_non_numeric_image_user;

static struct image_view view;
static struct owned_path owned[1];

/* Findings of `rule` on the pod text, with the view above paired to web:1.0. */
static size_t run_rule(const struct rule *rule, const char *text, const struct diag **first)
{
	struct k8s_input *in = model_of(text);
	struct diag_list *l = arena_alloc(test_arena, sizeof(*l));
	l->arena = test_arena;
	struct check_ctx ctx = {.opts = &test_opts,
				.arena = test_arena,
				.diags = l,
				.path = "pod.yaml",
				.src = in->src,
				.k8s = in,
				/* the engine pairs each container's image before the rule runs */
				.pairs = &(struct paired_image){"web:1.0", &view},
				.npairs = 1};
	rule->check(&ctx, rule);
	if (first)
		*first = l->n ? &l->items[0] : NULL;
	return l->n;
}

static void image(const char *user, long uid, long gid, long fuid, long fgid, int mode)
{
	memset(&view, 0, sizeof(view));
	view.origin = "Dockerfile";
	view.user = user;
	view.user_known = true;
	view.uid = uid;
	view.gid = gid;
	view.user_is_name = user[0] && (user[0] < '0' || user[0] > '9');
	owned[0] = (struct owned_path){.path = "/app", .uid = fuid, .gid = fgid, .mode = mode};
	view.owned = owned;
	view.nowned = 1;
}

#define POD(sc, img)                                                                               \
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext:\n" sc          \
	"  containers:\n  - name: app\n    image: " img "\n"

static void group_mismatch(void **state)
{
	(void)state;
	const struct diag *d;
	image("1001:0", 1001, 0, 1001, 0, 0750);
	const char *bad = POD("    runAsUser: 2000\n    runAsGroup: 3000\n", "web:1.0");
	assert_int_equal(run_rule(&NR206_group_mismatch, bad, &d), 1);
	assert_string_equal(d->fix, "runAsGroup: 0");
	assert_int_equal(d->start, (size_t)(strstr(bad, "3000") - bad));
	/* No pair: quiet. */
	assert_int_equal(run_rule(&NR206_group_mismatch,
				  POD("    runAsUser: 2000\n    runAsGroup: 3000\n", "other:1"),
				  NULL),
			 0);
	/* Group 0 among the supplementary groups. */
	assert_int_equal(run_rule(&NR206_group_mismatch,
				  POD("    runAsUser: 2000\n    runAsGroup: 3000\n"
				      "    supplementalGroups: [0]\n",
				      "web:1.0"),
				  NULL),
			 0);
	/* The owner itself keeps its bits. */
	assert_int_equal(run_rule(&NR206_group_mismatch,
				  POD("    runAsUser: 1001\n    runAsGroup: 3000\n", "web:1.0"),
				  NULL),
			 0);
	/* Files open to others are reachable anyway. */
	image("1001:0", 1001, 0, 1001, 0, 0755);
	assert_int_equal(run_rule(&NR206_group_mismatch, bad, NULL), 0);
}

static void image_user_mismatch(void **state)
{
	(void)state;
	const struct diag *d;
	image("1001:1001", 1001, 1001, 1001, 1001, -1);
	const char *bad = POD("    runAsUser: 2000\n", "web:1.0");
	assert_int_equal(run_rule(&NR207_image_user_mismatch, bad, &d), 1);
	assert_non_null(strstr(d->message, "/app"));
	assert_int_equal(d->start, (size_t)(strstr(bad, "2000") - bad));
	/* runAsGroup 1001 brings the group back. */
	assert_int_equal(run_rule(&NR207_image_user_mismatch,
				  POD("    runAsUser: 2000\n    runAsGroup: 1001\n", "web:1.0"),
				  NULL),
			 0);
	/* Files given to group 0: a uid in group 0 reaches them. */
	image("1001:0", 1001, 0, 1001, 0, -1);
	assert_int_equal(run_rule(&NR207_image_user_mismatch, bad, NULL), 0);
	/* The same uid as the image. */
	image("1001:1001", 1001, 1001, 1001, 1001, -1);
	assert_int_equal(
	    run_rule(&NR207_image_user_mismatch, POD("    runAsUser: 1001\n", "web:1.0"), NULL), 0);
}

static void non_numeric_image_user(void **state)
{
	(void)state;
	const struct diag *d;
	image("app", -1, -1, -1, -1, -1);
	const char *bad = POD("    runAsNonRoot: true\n", "web:1.0");
	assert_int_equal(run_rule(&NR209_non_numeric_image_user, bad, &d), 1);
	assert_non_null(strstr(d->message, "image has non-numeric user (app), cannot verify user "
					   "is non-root"));
	assert_string_equal(d->fix, "USER 1001:0");
	/* With the uid known from the image's passwd, the fix is runAsUser. */
	image("app", 1001, 0, -1, -1, -1);
	run_rule(&NR209_non_numeric_image_user, bad, &d);
	assert_string_equal(d->fix, "runAsUser: 1001");
	/* runAsUser set: the kubelet checks that instead. */
	assert_int_equal(run_rule(&NR209_non_numeric_image_user,
				  POD("    runAsNonRoot: true\n    runAsUser: 1001\n", "web:1.0"),
				  NULL),
			 0);
	/* A numeric user. */
	image("1001", 1001, 0, -1, -1, -1);
	assert_int_equal(run_rule(&NR209_non_numeric_image_user, bad, NULL), 0);
	/* An image that runs as root. */
	image("", 0, 0, -1, -1, -1);
	assert_int_equal(run_rule(&NR209_non_numeric_image_user, bad, &d), 1);
	assert_non_null(strstr(d->message, "image will run as root"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(group_mismatch),
	    cmocka_unit_test(image_user_mismatch),
	    cmocka_unit_test(non_numeric_image_user),
	};
	return cmocka_run_group_tests(tests, k8s_setup, k8s_teardown);
}
