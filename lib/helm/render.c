/*
 * render.c - the rendered side of a chart: helm template runs on it (with
 * and without --api-versions security.openshift.io/v1), and its output is
 * split into documents, each with the template its `# Source:` line names.
 * The engine checks each document as a Kubernetes input of its own and
 * points its findings at the template (spanmap.c).
 *
 * helm runs through spawn_run() (lib/util/spawn.c: an argument vector, never
 * a shell; stdin from /dev/null; a wall-clock limit and an output cap) with
 * the environment of a private copy of the chart (sandbox.c).
 */
#include "helm-internal.h"
#include "unroot/arena.h"
#include "unroot/lint.h"
#include "unroot/source.h"
#include "util/spawn.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char helm_openshift_api[] = "security.openshift.io/v1";

/* --- finding and running helm ----------------------------------------------- */

static bool executable(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

/* The helm to run, or NULL; *explicit tells a named binary from a PATH search. */
static const char *find_helm(struct reading *rd, bool *explicit, bool *off)
{
	const char *want = rd->opts->helm_bin;
	*explicit = want != NULL;
	*off = want && (!*want || strcmp(want, "none") == 0);
	if (*off)
		return NULL;
	if (want && strchr(want, '/'))
		return executable(want) ? want : NULL;
	const char *name = want ? want : "helm";
	const char *path = getenv("PATH");
	if (!path)
		return NULL;
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		const char *cand = n ? arena_printf(rd->arena, "%.*s/%s", (int)n, p, name) : NULL;
		if (cand && executable(cand))
			return cand;
		p += n;
		if (*p)
			p++;
	}
	return NULL;
}

/* The file a `# Source: NAME/charts/SUB/templates/x.yaml` line names in a tree. */
const struct helm_file *helm_source_file(const struct helm_chart *c, const char *src)
{
	const char *p = strchr(src, '/');
	if (!p || !c)
		return NULL;
	p++;
	while (strncmp(p, "charts/", 7) == 0) {
		const char *name = p + 7;
		const char *sl = strchr(name, '/');
		if (!sl)
			return NULL;
		const struct helm_chart *sub = NULL;
		for (size_t i = 0; i < c->nsub; i++)
			if (strlen(c->subcharts[i]->name) == (size_t)(sl - name) &&
			    strncmp(c->subcharts[i]->name, name, (size_t)(sl - name)) == 0)
				sub = c->subcharts[i];
		if (!sub)
			return NULL;
		c = sub;
		p = sl + 1;
	}
	for (size_t i = 0; i < c->nfiles; i++)
		if (strcmp(c->files[i].name, p) == 0)
			return &c->files[i];
	return NULL;
}

/* --- the documents of the output ----------------------------------------------- */

/*
 * The template of a document whose `# Source:` line names `name`: in the
 * chart, or (output read back from a file or stdin) on disk where the line
 * says, when a regular file is there.
 */
static const struct helm_file *template_of(struct reading *rd, const struct helm_chart *chart,
					   const char *name)
{
	const struct helm_file *tf = helm_source_file(chart, name);
	if (tf || chart)
		return tf;
	const char *why;
	struct stat st;
	/* Only a regular file: a Source line could name a FIFO or a device. */
	bool regular = stat(name, &st) == 0 && S_ISREG(st.st_mode) &&
		       (size_t)st.st_size <= rd->opts->limits.file_size;
	struct source *s =
	    regular ? source_read(rd->arena, name, rd->opts->limits.file_size, &why) : NULL;
	struct helm_file *disk = s ? arena_alloc(rd->arena, sizeof(*disk)) : NULL;
	if (!disk)
		return NULL;
	disk->name = disk->path = name;
	disk->src = s;
	return disk;
}

/* One document: its `# Source:` line, its template, its own source. */
static void add_doc(struct reading *rd, const struct helm_chart *chart, struct helm_render *r,
		    size_t *cap, const char *doc, size_t len)
{
	const char *name = NULL;
	for (size_t ls = 0; ls < len;) {
		size_t le = ls;
		while (le < len && doc[le] != '\n')
			le++;
		if (le - ls > 10 && strncmp(doc + ls, "# Source: ", 10) == 0) {
			name = arena_strndup(rd->arena, doc + ls + 10, le - ls - 10);
			break;
		}
		if (le > ls && doc[ls] != '#')
			break;
		ls = le + 1;
	}
	const struct helm_file *tf = name ? template_of(rd, chart, name) : NULL;
	struct helm_rendered *d = ARR_PUSH(rd->arena, r->docs, r->ndocs, *cap);
	if (!d)
		return;
	d->source = name;
	d->template = tf;
	d->src = source_new(rd->arena, tf ? tf->path : chart ? chart->path : rd->path, doc, len);
	if (!d->src)
		r->ndocs--;
}

void helm_split(struct reading *rd, const struct helm_chart *chart, const char *data, size_t len,
		struct helm_render *r)
{
	size_t doc = 0, cap = 0;
	for (size_t ls = 0; ls <= len;) {
		size_t le = ls;
		while (le < len && data[le] != '\n')
			le++;
		bool sep = le - ls >= 3 && strncmp(data + ls, "---", 3) == 0 &&
			   (le - ls == 3 || data[ls + 3] == ' ' || data[ls + 3] == '\r');
		if (sep || le >= len) {
			size_t end = sep ? ls : len;
			bool content = false;
			for (size_t i = doc; i < end && !content; i++)
				content = data[i] != ' ' && data[i] != '\n' && data[i] != '\r';
			if (content)
				add_doc(rd, chart, r, &cap, data + doc, end - doc);
			doc = le < len ? le + 1 : len;
		}
		if (le >= len)
			break;
		ls = le + 1;
	}
}

/* --- the rendered checks of a chart -------------------------------------------- */

/* Points a helm error at `NAME/templates/x.yaml:LINE:COL` when it names one. */
static bool error_position(const struct helm_chart *c, const char *msg, const struct helm_file **f,
			   size_t *off)
{
	for (const char *p = strstr(msg, "/templates/"); p; p = strstr(p + 1, "/templates/")) {
		const char *a = p;
		while (a > msg && a[-1] != ' ' && a[-1] != '(' && a[-1] != '"')
			a--;
		const char *colon = strchr(p, ':');
		if (!colon)
			return false;
		char name[1024];
		size_t n = (size_t)(colon - a);
		if (n >= sizeof(name))
			continue;
		memcpy(name, a, n);
		name[n] = 0;
		const struct helm_file *t = helm_source_file(c, name);
		if (!t)
			continue;
		unsigned long line = strtoul(colon + 1, NULL, 10), col = 1;
		const char *c2 = strchr(colon + 1, ':');
		if (c2 && c2[1] >= '0' && c2[1] <= '9')
			col = strtoul(c2 + 1, NULL, 10);
		size_t o = 0;
		for (unsigned long l = 1; l < line && o < t->src->len; o++)
			if (t->src->data[o] == '\n')
				l++;
		for (unsigned long k = 1; k < col && o < t->src->len && t->src->data[o] != '\n';
		     k++)
			o++;
		*f = t;
		*off = o;
		return true;
	}
	return false;
}

/*
 * The lowest Kubernetes version a chart's kubeVersion constraint names
 * (">=1.34.0-0" gives "1.34.0"), or NULL. helm renders for its own default
 * version unless told: a chart that asks for a newer one fails there, though
 * it installs on a cluster that has it.
 */
static const char *kube_version(struct arena *a, const char *err)
{
	const char *p = strstr(err, "chart requires kubeVersion: ");
	if (!p)
		return NULL;
	p += strlen("chart requires kubeVersion: ");
	while (*p && *p != '\n' && !isdigit((unsigned char)*p)) {
		if (*p == '<' || *p == '!')
			return NULL; /* an upper bound or an exclusion: no version to pick */
		p++;
	}
	size_t n = 0;
	while (isdigit((unsigned char)p[n]) || p[n] == '.')
		n++;
	while (n && p[n - 1] == '.')
		n--;
	return n ? arena_strndup(a, p, n) : NULL;
}

/*
 * One helm template run; its documents go to the next of in->renders.
 * *failed is helm's first line when the plain render failed, so the
 * OpenShift render failing the same way is said once.
 */
static void render(struct reading *rd, struct helm_input *in, const struct helm_sandbox *sb,
		   const char *helm, bool openshift, const char *kube, const char **failed)
{
	struct helm_chart *c = in->chart;
	const struct lint_options *o = rd->opts;
	size_t max = 10 + 2 * (o->nvalues + o->nsets);
	char **argv = arena_alloc(rd->arena, max * sizeof(*argv));
	if (!argv)
		return;
	size_t n = 0;
	argv[n++] = (char *)helm;
	argv[n++] = "template";
	argv[n++] = "unroot";
	argv[n++] = (char *)sb->chart;
	for (size_t i = 0; i < o->nvalues; i++) {
		argv[n++] = "--values";
		argv[n++] = (char *)o->values[i];
	}
	for (size_t i = 0; i < o->nsets; i++) {
		argv[n++] = "--set";
		argv[n++] = (char *)o->sets[i];
	}
	if (openshift) {
		argv[n++] = "--api-versions";
		argv[n++] = (char *)helm_openshift_api;
	}
	if (kube) {
		argv[n++] = "--kube-version";
		argv[n++] = (char *)kube;
	}
	argv[n] = NULL;

	const struct spawn_how how = {.limit = HELM_MAX_OUTPUT,
				      .err_limit = HELM_MAX_STDERR,
				      .timeout_ms = HELM_TIMEOUT_MS,
				      .envp = sb->envp};
	struct spawn_out out;
	enum spawn_result r = spawn_run(argv, &how, &out);
	const char *api = openshift ? " --api-versions security.openshift.io/v1" : "";
	bool ok = false;
	switch (r) {
	case SPAWN_OK:
		ok = true;
		break;
	case SPAWN_FAILED:
		reading_error(rd, c->path, NULL, 0, 0, "cannot run helm '%s': %s", helm,
			      strerror(errno));
		break;
	case SPAWN_TIMEOUT:
		reading_error(rd, c->path, NULL, 0, 0,
			      "helm template%s did not finish in %d s; stopped", api,
			      HELM_TIMEOUT_MS / 1000);
		break;
	case SPAWN_TOO_BIG:
		reading_error(rd, c->path, NULL, 0, 0,
			      "helm template%s wrote more than %zu MiB; stopped", api,
			      HELM_MAX_OUTPUT >> 20);
		break;
	case SPAWN_EXIT: {
		/* helm's own words, first lines, and where they point. */
		const char *msg = out.err ? out.err : "";
		while (*msg == '\n' || *msg == ' ')
			msg++;
		size_t k = strcspn(msg, "\n");
		const char *first = arena_strndup(rd->arena, msg, k > 400 ? 400 : k);
		const char *want = kube ? NULL : kube_version(rd->arena, msg);
		if (want) {
			free(out.data);
			free(out.err);
			render(rd, in, sb, helm, openshift, want, failed);
			return;
		}
		if (openshift && first && *failed && strcmp(first, *failed) == 0)
			break; /* failed as the plain render did: said once */
		if (!openshift)
			*failed = first;
		const struct helm_file *f = NULL;
		size_t off = 0;
		const char *deps = first ? strstr(first, "missing in charts/ directory: ") : NULL;
		if (first && strstr(first, "helm dependency build"))
			reading_error(
			    rd, c->path, NULL, 0, 0,
			    "helm template failed: the chart's dependencies%s%s%s are not in its "
			    "charts/ folder; run `helm dependency build %s` and lint again",
			    deps ? " (" : "",
			    deps ? deps + strlen("missing in charts/ directory: ") : "",
			    deps ? ")" : "", c->path);
		else if (first && error_position(c, first, &f, &off))
			reading_error(rd, f->path, f->src, off, off, "helm template%s failed: %s",
				      api, first);
		else
			reading_error(rd, c->path, NULL, 0, 0,
				      "helm template%s failed (exit %d): %s", api, out.status,
				      first && *first ? first : "no message");
		break;
	}
	}
	if (ok) {
		struct helm_render *r = &in->renders[in->nrenders++];
		r->openshift = openshift;
		helm_split(rd, c, out.data ? out.data : "", out.len, r);
	}
	free(out.data);
	free(out.err);
}

void helm_render(struct reading *rd, struct helm_input *in)
{
	bool explicit = false, off = false;
	const char *helm = find_helm(rd, &explicit, &off);
	if (off || in->chart->library)
		return; /* a library chart renders nothing of its own */
	if (!helm) {
		if (explicit)
			reading_error(rd, in->chart->path, NULL, 0, 0,
				      "cannot run helm '%s': not an executable file",
				      rd->opts->helm_bin);
		else
			in->skipped = "no helm binary on PATH";
		return;
	}
	unsigned plats = rd->opts->platforms;
	struct helm_sandbox sb;
	if (!helm_sandbox_open(rd, in->chart, &sb))
		return;
	const char *failed = NULL;
	if (plats & ~(unsigned)PLAT_OPENSHIFT)
		render(rd, in, &sb, helm, false, NULL, &failed);
	if (plats & PLAT_OPENSHIFT)
		render(rd, in, &sb, helm, true, NULL, &failed);
	helm_sandbox_close(&sb);
}
