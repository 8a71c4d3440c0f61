/*
 * NR116 workdir-not-writable: the final WORKDIR is a folder the process
 * cannot use: /root (0700), or a folder a known tool writes in that the
 * Dockerfile makes root-owned 0755 and never gives to group 0.
 *
 * A WORKDIR that holds code is read-only to the process and fine; only
 * what the file itself shows counts: the tool's own variable (GOPATH, and
 * Tomcat's CATALINA_BASE, which is CATALINA_HOME unless set) naming the
 * folder. Anything that changes the folder's owner or mode later, or an
 * unknown base image, keeps the rule quiet.
 */
#include "edit.h"
#include "folder.h"
#include "show.h"
#include "unroot/arena.h"
#include "unroot/diag.h"
#include "rules/check.h"
#include "unroot/source.h"

#include <stdbool.h>
#include <string.h>

/* Base images whose /root is 0700 (Debian, Ubuntu, Alpine and the official images on them). */
static bool root_home_private(const char *base)
{
	static const char *const names[] = {"alpine", "debian", "ubuntu",	   "busybox",
					    "node",   "python", "golang",	   "ruby",
					    "php",    "nginx",	"eclipse-temurin", "httpd"};
	return folder_base_is(base, names, sizeof(names) / sizeof(names[0]));
}

/* The last RUN of the final image, when it runs as root and is a plain shell-form line. */
static const struct df_instr *last_run(struct check_ctx *ctx)
{
	const struct dockerfile *df = ctx->df;
	const struct df_instr *last = NULL;
	for (size_t c = 0; c < df->nchain; c++) {
		const struct df_stage *st = &df->stages[df->chain[c]];
		for (size_t k = st->first; k < st->last; k++)
			if (df->instrs[k].cmd == DF_RUN)
				last = &df->instrs[k];
	}
	if (!last || last->json || last->nheredocs)
		return NULL;
	const struct df_user *u = &last->user;
	if (u->instr && !(u->value && (!*u->value || strcmp(u->user, "root") == 0 ||
				       strcmp(u->user, "0") == 0)))
		return NULL;
	return last;
}

static void report_tool(struct check_ctx *ctx, const struct rule *self, const struct folder_walk *w,
			const char *tool, const char *var, const char *dirs, const char *what)
{
	const char *cmd = arena_printf(ctx->arena, "chgrp -R 0 %s && chmod -R g=u %s", dirs, dirs);
	const struct df_instr *run = last_run(ctx);
	unsigned line = 0, col;
	if (run)
		source_position(ctx->src, run->start, &line, &col);
	const struct df_instr *wi = w->last_workdir;
	struct diag *d = report(
	    ctx, self, wi->start, wi->end,
	    "WORKDIR '%s' is %s, made by this Dockerfile as root and never given to group 0: "
	    "%s writes %s, which a non-root USER or OpenShift's arbitrary uid (in group 0) then "
	    "cannot; give them to group 0: %s",
	    w->wd, var, tool, what,
	    run ? arena_printf(ctx->arena, "append ' && %s' to the RUN on line %u", cmd, line)
		: arena_printf(ctx->arena, "write 'RUN %s' after the steps that fill it", cmd));
	if (d)
		d->fix = run ? arena_printf(ctx->arena, "&& %s", cmd)
			     : arena_printf(ctx->arena, "RUN %s", cmd);
	if (!run)
		return;
	/* the RUN's text ends where its last line does: the edit goes in before the newline */
	size_t end = run->end;
	while (end > run->start &&
	       (ctx->src->data[end - 1] == '\n' || ctx->src->data[end - 1] == '\r'))
		end--;
	edit_dockerfile(ctx, d, end, end, arena_printf(ctx->arena, " && %s", cmd));
}

static void check(struct check_ctx *ctx, const struct rule *self)
{
	struct folder_walk w = {0};
	if (!ctx->df->nchain || !folder_walk(ctx, &w) || !w.last_workdir || !w.wd)
		return;
	const char *wd = w.wd;
	const struct df_instr *wi = w.last_workdir;
	int stage = ctx->df->chain[0];
	const char *base = ctx->df->stages[stage].base_expanded;

	if (folder_within(wd, "/root")) {
		if (!root_home_private(base) || folder_touched(ctx, &w, "/root"))
			return;
		report(ctx, self, wi->start, wi->end,
		       "the working folder '%s' is in /root, which base image '%s' makes 0700 for "
		       "root: any other user, a non-root USER or OpenShift's arbitrary uid, cannot "
		       "enter it, and the runtime fails to start the container ('chdir to cwd "
		       "\"%s\" ... permission denied'); use a folder of the app's own, e.g. "
		       "'WORKDIR /app'",
		       wd, base, wd);
		return;
	}

	/* Go writes GOPATH (src, pkg, bin); Tomcat writes logs, temp and work under
	 * CATALINA_BASE, which is CATALINA_HOME when not set. */
	bool set;
	const char *gopath = folder_env(ctx, wi, "GOPATH", &set);
	const char *cbase = folder_env(ctx, wi, "CATALINA_BASE", &set);
	bool cbase_set = set;
	const char *chome = folder_env(ctx, wi, "CATALINA_HOME", &set);
	const char *tomcat = cbase_set ? cbase : chome;
	bool go = gopath && strcmp(gopath, wd) == 0;
	bool tc = tomcat && strcmp(tomcat, wd) == 0;
	if (!go && !tc)
		return;
	/* Made here, root 0755: not on the tool's own image, which has the folder already
	 * (golang's /go is 1777), and by a RUN mkdir, or by the WORKDIR itself on a plain
	 * distribution image that has no such folder. */
	if (!base || strstr(base, go ? "golang" : "tomcat") ||
	    (!folder_made(ctx, wi, wd) && !root_home_private(base)))
		return;
	if (folder_touched(ctx, &w, wd) || folder_copied(ctx, &w, wd, tc))
		return;
	if (go) {
		report_tool(ctx, self, &w, "Go", "GOPATH (mode 0755)", wd,
			    "its packages, sources and "
			    "binaries there (go get, go build)");
		return;
	}
	const char *dirs = arena_printf(ctx->arena, "%s/logs %s/temp %s/work", wd, wd, wd);
	report_tool(ctx, self, &w, "Tomcat",
		    cbase_set ? "CATALINA_BASE"
			      : "CATALINA_HOME, which is also Tomcat's CATALINA_BASE",
		    dirs, "its logs, temp and work folders there, unpacked as root");
}

const struct rule NR116_workdir_not_writable = {
    .code = "NR116",
    .name = "workdir-not-writable",
    .severity = SEV_WARNING,
    .platforms = PLAT_ALL,
    .kind = KIND_DOCKERFILE,
    .summary = "the final WORKDIR is /root, or a folder the app writes that stays root's",
    .description =
	"WORKDIR makes a missing folder owned by root with mode 0755, and a RUN mkdir does the "
	"same: a non-root USER, or OpenShift's arbitrary uid in group 0, can read it but not "
	"write it. That is right for code, so only a folder the app is known to write counts: "
	"the final WORKDIR when it is GOPATH (Go writes src, pkg and bin there) or Tomcat's "
	"CATALINA_BASE (CATALINA_HOME when not set; Tomcat writes logs, temp and work), made by "
	"the Dockerfile and never chowned or chmodded after. A final WORKDIR in /root is "
	"reported on base images whose /root is 0700 (Debian, Ubuntu, Alpine and the official "
	"images built on them): the runtime cannot even enter it for another user. Anything "
	"the file cannot show (a base image's own folders, a chmod on a variable) keeps the "
	"rule quiet.",
    .remediation = "Give the folders the app writes to group 0 with the owner's bits, after the "
		   "step that fills them (`chgrp -R 0 /go && chmod -R g=u /go`), and keep the "
		   "working folder out of /root (`WORKDIR /app`).",
    .bad = "FROM debian:12\nENV GOPATH /go\nRUN mkdir -p /go/src\nWORKDIR /go\nUSER 1001:0\n",
    .good = "FROM debian:12\nENV GOPATH /go\nRUN mkdir -p /go/src && chgrp -R 0 /go && chmod -R "
	    "g=u /go\nWORKDIR /go\nUSER 1001:0\n",
    .check = check,
};
