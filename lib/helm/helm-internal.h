/* helm-internal.h - what the Helm reader's files share inside lib/helm. */
#ifndef UNROOT_HELM_INTERNAL_H
#define UNROOT_HELM_INTERNAL_H

#include "helm/helm.h"
#include "util/reading.h"

#include <stdbool.h>
#include <stddef.h>

/* Bounds of one chart tree, subcharts included. */
#define HELM_MAX_FILES 10000u
#define HELM_MAX_BYTES ((size_t)64 << 20)
#define HELM_MAX_DEPTH 8u
/* helm template: wall-clock limit and the most output kept. */
#define HELM_TIMEOUT_MS 60000
#define HELM_MAX_OUTPUT ((size_t)64 << 20)
#define HELM_MAX_STDERR ((size_t)64 << 10)

/* A chart from a folder (is_dir) or a .tgz; NULL after reporting NR000. */
struct helm_chart *helm_load(struct reading *rd, const char *path, bool is_dir);

/* A chart written as one text: `--- Chart.yaml`, `--- templates/x.yaml`, ... */
bool helm_text_is_chart(const char *data, size_t len);
struct helm_chart *helm_load_text(struct reading *rd, const char *path, const char *data,
				  size_t len);

bool helm_archive_name(const char *path);
/* The archive at path has NAME/Chart.yaml among its first entries. */
bool helm_archive_has_chart(const char *path);

/*
 * Where helm template runs (sandbox.c): a private folder holding a copy of
 * the chart with only regular files and folders (links within the chart
 * resolved, others left out with an NR000), HOME and helm's folders, and
 * the environment helm gets: PATH alone of ours.
 */
struct helm_sandbox {
	char *root;	   /* the private folder; NULL once removed */
	const char *chart; /* what helm renders: the copy, or the .tgz as named */
	char **envp;	   /* NULL-terminated */
};

/* Makes the copy; false after reporting NR000 (then helm is not run). */
bool helm_sandbox_open(struct reading *rd, const struct helm_chart *c, struct helm_sandbox *sb);
/* Removes the private folder and everything helm or the copy put in it. */
void helm_sandbox_close(struct helm_sandbox *sb);

/*
 * Runs helm template on in->chart, a top-level chart, with and without
 * --api-versions security.openshift.io/v1 as opts->platforms asks, into
 * in->renders (render.c); or says in in->skipped why it could not.
 */
void helm_render(struct reading *rd, struct helm_input *in);

/*
 * Splits helm template output into its documents (at `---` lines), each
 * with the template its `# Source:` line names: in `chart`, or on disk
 * where the line says when chart is NULL (output read back).
 */
void helm_split(struct reading *rd, const struct helm_chart *chart, const char *data, size_t len,
		struct helm_render *r);

/* The file a `# Source: NAME/charts/SUB/templates/x.yaml` line names in a chart tree. */
const struct helm_file *helm_source_file(const struct helm_chart *c, const char *source);

/* Records `# unroot ignore=...` comments of a file as suppressions. */
void helm_add_suppressions(struct reading *rd, const struct helm_file *f);

#endif
