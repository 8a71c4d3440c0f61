/* NR107 group-implicit: the final USER says no group. */
#include "final-user.h"
#include "edit.h"
#include "unroot/arena.h"
#include "rules/check.h"

static void check(struct check_ctx *ctx, const struct rule *self)
{
	struct final_user fu;
	if (!final_user_get(ctx, &fu) || fu.from_base || !fu.known || fu.uid == 0 || fu.group)
		return;
	const char *fix = final_user_fix_keep(ctx, &fu);
	struct diag *d =
	    report(ctx, self, fu.start, fu.end,
		   "'USER %s' gives no group: Docker and Podman take it from /etc/passwd when "
		   "the user has an entry there, else 0, so the group depends on the image's "
		   "files; write '%s' to say group 0, the group OpenShift's arbitrary uid has",
		   fu.line->text, fix);
	if (d)
		d->fix = fix;
	edit_user(ctx, d, &fu, fix);
}

const struct rule NR107_group_implicit = {
    .code = "NR107",
    .name = "group-implicit",
    .severity = SEV_INFO,
    .platforms = PLAT_ALL,
    .kind = KIND_DOCKERFILE,
    .summary = "the final USER gives a uid without a group",
    .description =
	"`USER 1001` takes its group from /etc/passwd when uid 1001 has an entry there, and "
	"0 otherwise; the same line gives different groups in different images. Writing "
	"the group, `USER 1001:0`, makes the image's group the one OpenShift's arbitrary "
	"uid runs with on every platform.",
    .remediation = "Add `:0`: `USER 1001:0`.",
    .bad = "FROM alpine:3.20\nUSER 1001\n",
    .good = "FROM alpine:3.20\nUSER 1001:0\n",
    .check = check,
};
