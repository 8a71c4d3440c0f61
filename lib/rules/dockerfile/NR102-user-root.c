/* NR102 user-root: the final USER is root. */
#include "drop.h"
#include "final-user.h"
#include "edit.h"
#include "rules/check.h"
#include "unroot/arena.h"

#include <string.h>

static void check(struct check_ctx *ctx, const struct rule *self)
{
	struct final_user fu;
	if (!final_user_get(ctx, &fu) || fu.from_base || !fu.known || fu.uid != 0)
		return;
	const char *fix = final_user_fix(ctx);
	const char *text = fu.line->text;
	const char *value = fu.f.user->value;
	struct diag *d;
	if (strchr(text, '$'))
		d = report(ctx, self, fu.start, fu.end,
			   "the final user is root: 'USER %s' expands to '%s'; Docker and Podman "
			   "run the container as uid 0, and Kubernetes refuses it under "
			   "runAsNonRoot; write '%s'",
			   text, value, fix);
	else if (!*value)
		d = report(ctx, self, fu.start, fu.end,
			   "the final USER is empty, which leaves the default user root; Docker "
			   "and Podman run the container as uid 0, and Kubernetes refuses it "
			   "under runAsNonRoot; write '%s'",
			   fix);
	else
		d = report(ctx, self, fu.start, fu.end,
			   "the final user is root ('USER %s'): Docker and Podman run the "
			   "container as uid 0, and Kubernetes refuses it under runAsNonRoot; "
			   "write '%s'",
			   text, fix);
	if (d)
		d->fix = fix;
	if (drop_withhold_user(ctx, d))
		return;
	edit_user(ctx, d, &fu, fix);
}

const struct rule NR102_user_root = {
    .code = "NR102",
    .name = "user-root",
    .severity = SEV_ERROR,
    .platforms = PLAT_ALL,
    .kind = KIND_DOCKERFILE,
    .summary = "the final user is root",
    .description =
	"`USER root`, `USER 0`, `USER root:...`, `USER 0:...`, or a variable that expands to "
	"one of them, makes the container run as uid 0. Docker and Podman run it so; "
	"Kubernetes refuses it when runAsNonRoot is true (\"container has runAsNonRoot and "
	"image will run as root\"), and the restricted Pod Security Standard requires that. "
	"Switching to root for build steps is fine as long as the final stage ends with a "
	"non-root USER.",
    .remediation = "End the final stage with `USER 1001:0`: a numeric uid of 1000 or more, in "
		   "group 0, so OpenShift's arbitrary uid (also in group 0) reaches the same "
		   "files.",
    .bad = "FROM alpine:3.20\nUSER root\nCMD [\"/app\"]\n",
    .good = "FROM alpine:3.20\nUSER root\nRUN apk add --no-cache curl\nUSER 1001:0\nCMD "
	    "[\"/app\"]\n",
    .check = check,
};
