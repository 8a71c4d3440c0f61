/* NR115 setcap-in-run: a RUN of the final image gives a file capabilities with setcap. */
#include "show.h"
#include "unroot/arena.h"
#include "unroot/diag.h"
#include "rules/check.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

/*
 * Whether the capability text names cap_net_bind_service and nothing else
 * ("cap_net_bind_service=+ep", "CAP_NET_BIND_SERVICE+eip"): the one
 * capability restricted-v2 lets a pod add back.
 */
static bool bind_only(const char *caps)
{
	static const char name[] = "cap_net_bind_service";
	size_t n = sizeof(name) - 1;
	if (strncasecmp(caps, name, n) != 0)
		return false;
	for (const char *p = caps + n; *p; p++)
		if (*p == ',' || *p == ' ' ||
		    (*p >= 'a' && *p <= 'z' && *p != 'e' && *p != 'i' && *p != 'p'))
			return false;
	return true;
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	const struct df_command *h = ctx->df->run;
	size_t n = ctx->df->nrun;
	for (size_t i = 0; i < n; i++) {
		const struct sh_finding *f = h[i].f;
		if (f->kind != SH_SETCAP || !f->npaths)
			continue;
		const char *caps = show_word(ctx, h[i].t->in, f->mode);
		const char *paths = show_paths(ctx, &h[i]);
		size_t s, e;
		df_command_span(&h[i], &s, &e);
		const char *instead =
		    caps && bind_only(caps)
			? "drop the setcap and have the app listen on a port above 1023, or keep "
			  "it and give the container the capability back: "
			  "'capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}' (the one "
			  "capability restricted-v2 allows)"
			: "drop the setcap and have the app do without it (a port above 1023 "
			  "needs no capability); restricted-v2 allows no capability but "
			  "NET_BIND_SERVICE to be added back";
		diag_add(ctx->diags, self, h[i].t->path, h[i].t->src, s, e,
			 "'%s' gives %s the file capabilities '%s' in a RUN step of the final "
			 "image: when the container drops all capabilities, as Kubernetes' "
			 "restricted profile and OpenShift's restricted-v2 require, the kernel "
			 "cannot grant them and exec of the file fails with 'operation not "
			 "permitted'; %s",
			 show_command(ctx, &h[i]), paths ? paths : "the file", caps ? caps : "?",
			 instead);
	}
}

const struct rule NR115_setcap_in_run = {
    .code = "NR115",
    .name = "setcap-in-run",
    .severity = SEV_WARNING,
    .platforms = PLAT_ALL,
    .kind = KIND_DOCKERFILE,
    .summary = "setcap in a RUN of the final image gives a file capabilities",
    .description =
	"`setcap cap_net_bind_service=+ep /usr/sbin/nginx` stores capabilities in the file's "
	"security.capability xattr, which the kernel grants at execve. With the effective bit "
	"set and the capabilities outside the container's bounding set, because the pod drops "
	"ALL as the Pod Security restricted profile and OpenShift's restricted-v2 require, "
	"execve fails with EPERM and the container does not start. Checked in RUN steps of the "
	"final image, heredoc bodies and build-context scripts they run included; `setcap -r` "
	"(remove) and `setcap -v` (verify) are fine. A built image's file capabilities are "
	"NR408.",
    .remediation = "Drop the setcap and listen on a port above 1023; when the capability is "
		   "cap_net_bind_service, the container may instead add NET_BIND_SERVICE, the "
		   "one capability restricted-v2 allows.",
    .bad = "FROM debian:12\nRUN apt-get install -y libcap2-bin && setcap "
	   "cap_net_bind_service=+ep /usr/sbin/nginx\nUSER 1001:0\n",
    .good = "FROM debian:12\nRUN apt-get install -y nginx\nUSER 1001:0\n",
    .check = check,
};
