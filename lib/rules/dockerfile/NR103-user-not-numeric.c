/* NR103 user-not-numeric: the final USER names a user instead of a uid. */
#include "final-user.h"
#include "edit.h"
#include "unroot/arena.h"
#include "rules/check.h"

#include <string.h>

static void check(struct check_ctx *ctx, const struct rule *self)
{
	struct final_user fu;
	if (!final_user_get(ctx, &fu) || fu.from_base || !fu.known || !fu.user_is_name ||
	    fu.uid == 0)
		return;
	const struct df_image_user *iu = image_user(ctx);
	bool same = iu->name && strcmp(iu->name, fu.user) == 0;
	const char *fix = final_user_fix(ctx);
	struct diag *d = report(
	    ctx, self, fu.start, fu.end,
	    "the final USER '%s' is a name: with runAsNonRoot and no runAsUser the "
	    "kubelet cannot verify a name and refuses to start the container "
	    "(\"image has non-numeric user (%s), cannot verify user is non-root\"); "
	    "write %s'%s'",
	    fu.line->text, fu.user,
	    same ? "" : arena_printf(ctx->arena, "the numeric uid of '%s', e.g. ", fu.user), fix);
	if (d)
		d->fix = fix;
	edit_user(ctx, d, &fu, fix);
}

const struct rule NR103_user_not_numeric = {
    .code = "NR103",
    .name = "user-not-numeric",
    .severity = SEV_WARNING,
    .platforms = PLAT_KUBERNETES | PLAT_OPENSHIFT,
    .kind = KIND_DOCKERFILE,
    .summary = "the final USER is a name, which runAsNonRoot cannot verify",
    .description =
	"When a pod sets runAsNonRoot: true and no runAsUser, the kubelet checks the image's "
	"user before it starts the container. It can only check a number: for a name it "
	"refuses with \"container has runAsNonRoot and image has non-numeric user (NAME), "
	"cannot verify user is non-root\". This matters on Kubernetes, and on OpenShift under "
	"the nonroot and nonroot-v2 SCCs (MustRunAsNonRoot), which leave runAsUser unset; "
	"under restricted-v2 OpenShift sets a numeric runAsUser itself. Docker and Podman "
	"accept a name as long as /etc/passwd has it, so they are not listed.",
    .remediation = "Write the numeric uid, with group 0: `USER 1001:0` instead of `USER app`.",
    .bad = "FROM alpine:3.20\nRUN adduser -D -u 1001 -G root app\nUSER app\n",
    .good = "FROM alpine:3.20\nRUN adduser -D -u 1001 -G root app\nUSER 1001:0\n",
    .check = check,
};
