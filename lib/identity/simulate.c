/* simulate.c - one simulation: identity, start, checks; and the names the output uses. */
#include "sim-internal.h"
#include "unroot/arena.h"
#include "unroot/buf.h"
#include "unroot/diag.h"

#include <string.h>

const char *sim_platform_name(enum sim_platform p)
{
	static const char *const names[] = {"docker", "podman", "kubernetes", "openshift"};
	return p < SIM_NPLATFORMS ? names[p] : "?";
}

unsigned sim_platform_bit(enum sim_platform p)
{
	static const unsigned bits[] = {PLAT_DOCKER, PLAT_PODMAN, PLAT_KUBERNETES, PLAT_OPENSHIFT};
	return p < SIM_NPLATFORMS ? bits[p] : 0;
}

const char *sim_source_name(enum sim_source s)
{
	static const char *const names[] = {"unknown",
					    "default",
					    "image-user",
					    "passwd",
					    "etc-group",
					    "runAsUser",
					    "runAsGroup",
					    "fsGroup",
					    "supplementalGroups",
					    "openshift-uid-range",
					    "openshift-fsgroup"};
	return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

struct sim_ctx *sim_ctx_new(struct arena *a, const struct lint_options *o)
{
	struct sim_ctx *ctx = arena_alloc(a, sizeof(*ctx));
	if (ctx) {
		ctx->a = a;
		ctx->o = o;
	}
	return ctx;
}

int sim_run(struct sim_ctx *ctx, enum sim_platform p, const struct image_view *v,
	    const struct sim_pod *pod, struct sim_result *out)
{
	memset(out, 0, sizeof(*out));
	out->platform = p;
	out->view = v;
	out->image_src = v ? v->src : NULL;
	out->from_image = v && v->from_image;
	struct sim_state st = {.ctx = ctx, .p = p, .v = v, .img = image_of_view(v), .pod = pod};
	if (st.img && !st.img->fs)
		st.img = NULL;
	st.fs = st.img ? st.img->fs : v ? v->fs : NULL;
	if (pod && (!pod->c || !pod->obj))
		st.pod = NULL;
	if (sim_identity(&st, out) != 0)
		return -1;
	if (sim_checks(&st, out) != 0)
		return -1;
	for (size_t i = 0; i < out->nchecks; i++)
		if (out->checks[i].unknown) {
			out->nunknown++;
		} else if (!out->checks[i].ok) {
			out->nfailed++;
			if (out->checks[i].fatal)
				out->breaks = true;
		}
	if (out->start == SIM_REFUSED)
		out->breaks = true;
	return arena_failed(ctx->a) ? -1 : 0;
}

bool sim_check_failed(const struct sim_check *c)
{
	return !c->ok && !c->unknown;
}

const struct sim_check *sim_first_failure(const struct sim_result *r)
{
	for (size_t i = 0; i < r->nchecks; i++)
		if (sim_check_failed(&r->checks[i]) && r->checks[i].fatal)
			return &r->checks[i];
	for (size_t i = 0; i < r->nchecks; i++)
		if (sim_check_failed(&r->checks[i]))
			return &r->checks[i];
	return NULL;
}

const char *sim_id_string(struct arena *a, const struct sim_result *r)
{
	struct buf b;
	buf_init(&b);
	if (r->uid.id < 0)
		buf_puts(&b, "uid=?");
	else
		buf_printf(&b, "uid=%ld", r->uid.id);
	if (r->gid.id < 0)
		buf_puts(&b, " gid=?");
	else
		buf_printf(&b, " gid=%ld", r->gid.id);
	buf_puts(&b, " groups=");
	bool first = true;
	if (r->gid.id >= 0) {
		buf_printf(&b, "%ld", r->gid.id);
		first = false;
	}
	for (size_t i = 0; i < r->ngroups; i++) {
		if (r->groups[i].id == r->gid.id)
			continue;
		buf_printf(&b, "%s%ld", first ? "" : ",", r->groups[i].id);
		first = false;
	}
	const char *s = b.failed || !b.data ? NULL : arena_strdup(a, b.data);
	buf_release(&b);
	return s;
}
