/* NR204 uid-too-low: runAsUser below --min-uid. */
#include "edit.h"
#include "k8s-rules.h"
#include "unroot/arena.h"
#include "unroot/lint.h"

static void check_container(struct check_ctx *ctx, const struct rule *self,
			    const struct k8s_object *o, const struct k8s_container *c)
{
	const struct k8s_field *u = &c->sc.run_as_user;
	long min = ctx->opts->min_uid;
	if (!k8s_set(u) || u->i <= 0 || u->i >= min)
		return;
	long want = min > 1001 ? min : 1001;
	/* Where OpenShift is a target too, a UID of one's own would only move the problem. */
	bool unpin = k8s_targets_openshift(ctx, o);
	struct diag *d = k8s_report(
	    ctx, self, o, c, u->start, u->end,
	    unpin ? "runAsNonRoot: true" : arena_printf(ctx->arena, "runAsUser: %ld", want),
	    "runAsUser: %lld in %s gives %s a UID below %ld, where system accounts live "
	    "(a host account with the same UID shares its files if the container escapes); "
	    "write runAsUser: %ld, or leave it out and set runAsNonRoot: true so OpenShift "
	    "can assign one",
	    u->i, k8s_origin(u), k8s_where(ctx, o, c), min, want);
	if (unpin)
		k8s_edit_unpin_uid(ctx, d, o, c, u);
	else if (d) {
		/* the edits are worked out after the rules ran: the value lives in the arena */
		struct yval *v = arena_alloc(ctx->arena, sizeof(*v));
		if (v) {
			*v = (struct yval){.kind = YV_SCALAR,
					   .s = arena_printf(ctx->arena, "%ld", want)};
			if (v->s)
				k8s_edit_value(ctx, d, o, c, u, v);
		}
	}
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	k8s_each_container(ctx, self, check_container);
}

const struct rule NR204_uid_too_low = {
    .code = "NR204",
    .name = "uid-too-low",
    .severity = SEV_WARNING,
    .platforms = PLAT_KUBERNETES,
    .kind = KIND_K8S,
    .summary = "runAsUser is below --min-uid",
    .description =
	"UIDs below 1000 (the default of --min-uid) belong to system accounts on most "
	"distributions. A process that escapes its container with such a UID gets that "
	"account's files on the node. Pick a UID of 1000 or more, or better, leave runAsUser "
	"out and set runAsNonRoot: true so the image's numeric USER applies and OpenShift can "
	"assign its own.",
    .remediation = "Write runAsUser: 1001 (or at least --min-uid), or remove runAsUser and set "
		   "runAsNonRoot: true.",
    .bad = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  securityContext:\n"
	   "    runAsUser: 101\n  containers:\n  - name: app\n    image: nginx:1.27\n",
    .good = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  securityContext:\n"
	    "    runAsUser: 1001\n  containers:\n  - name: app\n    image: nginx:1.27\n",
    .check = check,
};
