/* NR105 uid-nobody: the final user is nobody (65534) or 65535. */
#include "final-user.h"
#include "edit.h"
#include "rules/check.h"

#include <string.h>

static void check(struct check_ctx *ctx, const struct rule *self)
{
	struct final_user fu;
	if (!final_user_get(ctx, &fu) || !fu.known)
		return;
	bool nobody_name = !fu.from_base && fu.user && strcmp(fu.user, "nobody") == 0;
	if (!nobody_name && fu.uid != 65534 && fu.uid != 65535)
		return;
	const char *fix = final_user_fix(ctx);
	const char *what = nobody_name	     ? "the final user is 'nobody' (uid 65534 in Debian, "
					       "Alpine and busybox images)"
			   : fu.uid == 65534 ? "the final uid is 65534 (nobody)"
					     : "the final uid is 65535";
	struct diag *d = report(ctx, self, fu.start, fu.end,
				"%s%s: that uid is reserved for NFS's unmapped users and is "
				"shared by every service that runs as nobody, so their files "
				"mix on Docker, Podman and Kubernetes; write '%s'",
				what, final_user_origin(ctx, &fu), fix);
	if (d)
		d->fix = fix;
	edit_user(ctx, d, &fu, fix);
}

const struct rule NR105_uid_nobody = {
    .code = "NR105",
    .name = "uid-nobody",
    .severity = SEV_WARNING,
    .platforms = PLAT_DOCKER | PLAT_PODMAN | PLAT_KUBERNETES,
    .kind = KIND_DOCKERFILE,
    .summary = "the final user is nobody (65534) or 65535",
    .description =
	"65534 is `nobody`, the uid NFS maps unknown users to, and 65535 is the 16-bit "
	"\"no uid\" value. Every process that runs as nobody shares them, so files it "
	"writes to a volume belong to everybody else that runs as nobody too. `USER nobody` "
	"counts: it is 65534 in Debian, Alpine and busybox. On OpenShift the restricted-v2 "
	"SCC replaces the uid, so it is not listed.",
    .remediation = "Use a uid of your own, 1000 or more, in group 0: `USER 1001:0`.",
    .bad = "FROM alpine:3.20\nUSER nobody\n",
    .good = "FROM alpine:3.20\nUSER 1001:0\n",
    .check = check,
};
