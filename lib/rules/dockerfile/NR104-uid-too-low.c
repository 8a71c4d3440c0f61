/* NR104 uid-too-low: the final uid is below --min-uid. */
#include "final-user.h"
#include "edit.h"
#include "unroot/lint.h"
#include "rules/check.h"

static void check(struct check_ctx *ctx, const struct rule *self)
{
	struct final_user fu;
	long min = ctx->opts->min_uid;
	if (!final_user_get(ctx, &fu) || !fu.known || fu.uid <= 0 || fu.uid >= min)
		return;
	const char *what = "low uids belong to system accounts (daemon, www-data, nginx) and may "
			   "match a host user's files when Docker, Podman or Kubernetes run the "
			   "container";
	if (image_user(ctx)->uid == fu.uid) {
		/* The image's files and accounts use this uid too: a USER line alone
		 * with another uid would leave the process out of them. */
		report(ctx, self, fu.start, fu.end,
		       "the final uid %ld is below %ld%s: %s; the image's own files and accounts "
		       "use uid %ld too, so renumber them together with the USER line (useradd "
		       "-u, --chown, chown) to a uid of %ld or more",
		       fu.uid, min, final_user_origin(ctx, &fu), what, fu.uid, min);
		return;
	}
	const char *fix = final_user_fix(ctx);
	struct diag *d =
	    report(ctx, self, fu.start, fu.end, "the final uid %ld is below %ld%s: %s; write '%s'",
		   fu.uid, min, final_user_origin(ctx, &fu), what, fix);
	if (d)
		d->fix = fix;
	edit_user(ctx, d, &fu, fix);
}

const struct rule NR104_uid_too_low = {
    .code = "NR104",
    .name = "uid-too-low",
    .severity = SEV_WARNING,
    .platforms = PLAT_DOCKER | PLAT_PODMAN | PLAT_KUBERNETES,
    .kind = KIND_DOCKERFILE,
    .summary = "the final uid is below the minimum (default 1000)",
    .description =
	"Uids below 1000 are system accounts in every common distribution (daemon 1, nginx "
	"101, postgres 999). Docker, Podman and Kubernetes run the image's uid as is, so a "
	"low uid can collide with a system account on the host or in a shared volume. Use "
	"1000 or more (--min-uid sets the limit). On OpenShift the restricted-v2 SCC "
	"replaces the uid with one from the namespace range, so it is not listed. A user "
	"inherited from a listed base image counts too.",
    .remediation = "Pick a uid of 1000 or more: `USER 1001:0`.",
    .bad = "FROM alpine:3.20\nUSER 100:0\n",
    .good = "FROM alpine:3.20\nUSER 1001:0\n",
    .check = check,
};
