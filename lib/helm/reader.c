/*
 * reader.c - the Helm input kind: a chart folder, a packaged .tgz, or the
 * output of helm template (with --type helm). The model is the chart tree,
 * for the static checks of every chart, and the documents helm template
 * renders from the top chart when helm is there, for the Kubernetes rules.
 */
#include "helm-internal.h"
#include "unroot/arena.h"
#include "unroot/source.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static bool has_chart_yaml(const char *dir)
{
	char buf[4096];
	struct stat st;
	int n = snprintf(buf, sizeof(buf), "%s/Chart.yaml", dir);
	return n > 0 && (size_t)n < sizeof(buf) && stat(buf, &st) == 0 && S_ISREG(st.st_mode);
}

static bool match(const char *path, bool is_dir)
{
	if (is_dir)
		return has_chart_yaml(path);
	const char *base = strrchr(path, '/');
	if (strcmp(base ? base + 1 : path, "Chart.yaml") == 0)
		return true; /* a chart named by its Chart.yaml */
	return helm_archive_name(path) && helm_archive_has_chart(path);
}

/*
 * `# unroot ignore=...` (a YAML comment) or the same in a template comment
 * on its own line covers the next line that holds something, and the
 * lines indented under it.
 */
void helm_add_suppressions(struct reading *rd, const struct helm_file *f)
{
	const char *s = f->src->data;
	size_t len = f->src->len;
	for (size_t ls = 0; ls < len;) {
		size_t le = ls;
		while (le < len && s[le] != '\n')
			le++;
		size_t p = ls;
		while (p < le && (s[p] == ' ' || s[p] == '\t'))
			p++;
		const char *c = NULL;
		if (p < le && s[p] == '#')
			c = s + p + 1;
		else if (le - p > 4 && strncmp(s + p, "{{", 2) == 0) {
			const char *q = s + p + 2;
			if (*q == '-')
				q++;
			while (q < s + le && *q == ' ')
				q++;
			if (q + 1 < s + le && q[0] == '/' && q[1] == '*')
				c = q + 2;
		}
		struct suppression sp = {.path = f->path, .src = f->src, .start = p, .end = le};
		if (c && reading_ignore_comment(c, (size_t)(s + le - c), &sp.global, &sp.list,
						&sp.list_len)) {
			if (!sp.global) {
				/* The next line with content, and what is indented under it. */
				size_t n = le < len ? le + 1 : len, ind = 0;
				while (n < len) {
					size_t e = n, q = n;
					while (e < len && s[e] != '\n')
						e++;
					while (q < e && (s[q] == ' ' || s[q] == '\t'))
						q++;
					if (q < e && s[q] != '#') {
						ind = q - n;
						break;
					}
					n = e < len ? e + 1 : len;
				}
				sp.from = n;
				size_t to = n;
				while (to < len && s[to] != '\n')
					to++;
				for (size_t m = to < len ? to + 1 : len; m < len;) {
					size_t e = m, q = m;
					while (e < len && s[e] != '\n')
						e++;
					while (q < e && (s[q] == ' ' || s[q] == '\t'))
						q++;
					if (q < e && q - m <= ind && s[q] != '{')
						break;
					if (q < e)
						to = e;
					m = e < len ? e + 1 : len;
				}
				sp.to = to + 1;
			}
			reading_suppress(rd, &sp);
		}
		ls = le < len ? le + 1 : len;
	}
}

/* The suppressions of every file of the chart tree. */
static void chart_suppressions(struct reading *rd, const struct helm_chart *c)
{
	if (c->values_file)
		helm_add_suppressions(rd, c->values_file);
	for (size_t i = 0; i < c->nfiles; i++)
		helm_add_suppressions(rd, &c->files[i]);
	for (size_t i = 0; i < c->nsub; i++)
		chart_suppressions(rd, c->subcharts[i]);
}

/* A chart of the input; with `render`, the one helm template runs on. */
static void chart_read(struct reading *rd, struct helm_input *in, struct helm_chart *c, bool render)
{
	if (!c)
		return;
	in->chart = c;
	in->render = render;
	chart_suppressions(rd, c);
	if (render)
		helm_render(rd, in);
	rd->model = in;
}

/* helm template output read back: the documents, each with its template when it is found. */
static void rendered_read(struct reading *rd, struct helm_input *in, const struct source *src)
{
	in->nrenders = 1;
	helm_split(rd, NULL, src->data, src->len, &in->renders[0]);
	rd->model = in;
}

static void read_helm(struct reading *rd)
{
	const char *path = rd->path;
	struct source *src = rd->src;
	struct helm_input *in = arena_alloc(rd->arena, sizeof(*in));
	struct stat st;
	if (!in)
		return;
	if (src || strcmp(path, "-") == 0) {
		/* --type helm on stdin or in memory: a chart as one text, or helm template output.
		 */
		if (!src) {
			const char *why = NULL;
			src = source_read(rd->arena, path, rd->opts->limits.file_size, &why);
			if (!src) {
				reading_error(rd, NULL, NULL, 0, 0, "cannot read '%s': %s", path,
					      why);
				return;
			}
		}
		if (helm_text_is_chart(src->data, src->len))
			chart_read(rd, in, helm_load_text(rd, path, src->data, src->len), false);
		else
			rendered_read(rd, in, src);
		return;
	}
	bool is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	if (!is_dir && !helm_archive_name(path)) {
		const char *base = strrchr(path, '/');
		base = base ? base + 1 : path;
		if (strcmp(base, "Chart.yaml") == 0) {
			/* A chart named by its Chart.yaml: read the folder. */
			const char *dir = base == path ? "."
						       : arena_strndup(rd->arena, path,
								       (size_t)(base - path - 1));
			chart_read(rd, in, dir ? helm_load(rd, dir, true) : NULL, true);
			return;
		}
		const char *why = NULL;
		src = source_read(rd->arena, path, rd->opts->limits.file_size, &why);
		if (!src) {
			reading_error(rd, NULL, NULL, 0, 0, "cannot read '%s': %s", path, why);
			return;
		}
		rendered_read(rd, in, src);
		return;
	}
	chart_read(rd, in, helm_load(rd, path, is_dir), true);
}

const struct reader helm_reader = {
    .kind = KIND_HELM,
    .name = "helm",
    .text = false,
    .match = match,
    .read = read_helm,
};
