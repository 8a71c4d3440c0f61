/* NR101 user-missing: nothing sets a non-root user for the final image. */
#include "drop.h"
#include "final-user.h"
#include "edit.h"
#include "rules/check.h"
#include "unroot/arena.h"

#include <string.h>

static void check(struct check_ctx *ctx, const struct rule *self)
{
	struct final_user fu;
	if (!final_user_get(ctx, &fu) || !fu.from_base)
		return;
	if (fu.known && fu.uid > 0)
		return; /* a listed base image that runs as non-root */
	const char *fix = final_user_fix(ctx);
	const char *base = fu.f.base ? fu.f.base : ctx->df->stages[fu.f.stage].base;
	struct diag *d;
	if (ctx->df->needs_root) {
		/* Docker-in-Docker: a USER line would only break it; say where it can run */
		const char *p = ctx->df->needs_root;
		report(
		    ctx, self, fu.start, fu.end,
		    "no USER in the final stage or the stages it is built from, so the container "
		    "runs as root, and it has to: it starts '%s', which runs only as root in a "
		    "privileged container (it mounts file systems and sets up cgroups, network "
		    "namespaces and iptables), so a USER line would break it; Kubernetes refuses "
		    "it under runAsNonRoot and the restricted and baseline Pod Security "
		    "Standards, and OpenShift's restricted-v2 SCC refuses it: run it only where "
		    "privileged containers are allowed (docker run --privileged, the privileged "
		    "SCC on OpenShift)%s",
		    p,
		    strcmp(p, "dockerd") == 0
			? ", or use a rootless variant, which runs dockerd-rootless.sh as a user "
			  "(docker:dind-rootless)"
			: "");
		return;
	}
	if (fu.known)
		d = report(ctx, self, fu.start, fu.end,
			   "no USER in the final stage or the stages it is built from, and the "
			   "base image '%s' runs as root (%s): Docker and Podman run the "
			   "container as root, and Kubernetes refuses it under runAsNonRoot; add "
			   "'%s'%s",
			   base, fu.f.base_source, fix, image_user_why(ctx));
	else if (!fu.f.base && strchr(base, '$'))
		/* FROM $BASE_IMAGE with no default: the image comes with the build command */
		d = report(ctx, self, fu.start, fu.end,
			   "no USER in the final stage or the stages it is built from, and the "
			   "base image '%s' is given only when the image is built (a variable with "
			   "no default), so the user it runs as is unknown from this file: when it "
			   "is root, Docker and Podman run the container as root and Kubernetes "
			   "refuses it under runAsNonRoot; add '%s'%s, or give the ARG a default "
			   "that base-images lists",
			   base, fix, image_user_why(ctx));
	else
		d = report(ctx, self, fu.start, fu.end,
			   "no USER in the final stage or the stages it is built from, and the "
			   "base image '%s' is not known to run as non-root: Docker and Podman "
			   "then run the container as root, and Kubernetes refuses it under "
			   "runAsNonRoot; add '%s'%s (or list the image under base-images if "
			   "it sets a user)",
			   base, fix, image_user_why(ctx));
	if (d)
		d->fix = fix;
	if (drop_withhold_user(ctx, d))
		return;
	edit_user_insert(ctx, d, fix);
}

const struct rule NR101_user_missing = {
    .code = "NR101",
    .name = "user-missing",
    .severity = SEV_ERROR,
    .platforms = PLAT_ALL,
    .kind = KIND_DOCKERFILE,
    .summary = "the final image sets no user and its base image is not known to be non-root",
    .description =
	"Without a USER instruction an image runs as whatever its base image says, and for "
	"almost every base image that is root. Docker and Podman then start the process as "
	"uid 0; Kubernetes refuses the pod when runAsNonRoot is true (\"container has "
	"runAsNonRoot and image will run as root\"), which the restricted Pod Security "
	"Standard requires. The final stage counts, together with the stages it is built "
	"FROM, which carry their USER into it. Base images known to run as non-root "
	"(distroless :nonroot, Chainguard, Bitnami, nginx-unprivileged, Red Hat s2i images) "
	"are accepted; the config key base-images adds others.",
    .remediation = "Add `USER 1001:0` (a numeric uid of 1000 or more, in group 0) at the end "
		   "of the final stage, after the steps that need root.",
    .bad = "FROM alpine:3.20\nCOPY app /app\nCMD [\"/app\"]\n",
    .good = "FROM alpine:3.20\nCOPY app /app\nUSER 1001:0\nCMD [\"/app\"]\n",
    .check = check,
};
