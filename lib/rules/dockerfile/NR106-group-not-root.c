/* NR106 group-not-root: the final USER gives a group other than 0. */
#include "final-user.h"
#include "edit.h"
#include "unroot/arena.h"
#include "rules/check.h"

#include <string.h>

static void check(struct check_ctx *ctx, const struct rule *self)
{
	struct final_user fu;
	if (!final_user_get(ctx, &fu) || !fu.known || fu.uid == 0)
		return;
	const char *group;
	const char *fix;
	if (fu.from_base) {
		if (fu.gid <= 0)
			return;
		group = arena_printf(ctx->arena, "%ld", fu.gid);
		fix = final_user_fix(ctx);
	} else {
		if (!fu.group || fu.gid == 0)
			return;
		group = fu.group;
		fix = final_user_fix_keep(ctx, &fu);
	}
	struct diag *d =
	    report(ctx, self, fu.start, fu.end,
		   "the final user runs in group '%s', not 0%s: OpenShift runs the image under "
		   "an arbitrary uid whose only group is 0, so files prepared for group '%s' "
		   "are out of its reach, and Kubernetes' runAsUser drops the image's group; "
		   "write '%s' and give the app's files to group 0",
		   group, final_user_origin(ctx, &fu), group, fix);
	if (d)
		d->fix = fix;
	edit_user(ctx, d, &fu, fix);
}

const struct rule NR106_group_not_root = {
    .code = "NR106",
    .name = "group-not-root",
    .severity = SEV_WARNING,
    .platforms = PLAT_ALL,
    .kind = KIND_DOCKERFILE,
    .summary = "the final USER's group is not 0",
    .description =
	"OpenShift runs every pod under an arbitrary uid with gid 0; Kubernetes drops the "
	"image's group as soon as a pod sets runAsUser. Files and folders the app needs "
	"must therefore be reachable through group 0, and the USER line should say so. A "
	"group of its own (`USER 1001:1001`) suggests the files were prepared for that "
	"group, which the process will not have on OpenShift. Group 0 is not privileged: it "
	"grants only what the group-0 permission bits allow. This matters most on OpenShift.",
    .remediation = "Write `USER 1001:0` and give the files the group 0 bits the owner has "
		   "(`chgrp -R 0 /app && chmod -R g=u /app`).",
    .bad = "FROM alpine:3.20\nUSER 1001:1001\n",
    .good = "FROM alpine:3.20\nUSER 1001:0\n",
    .check = check,
};
