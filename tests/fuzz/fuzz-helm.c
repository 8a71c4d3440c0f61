/*
 * fuzz-helm.c - the Helm template scanner on arbitrary bytes, then the
 * questions the rules ask of what it found, and the chart-as-text loader.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "unroot/arena.h"
#include "helm/helm.h"
#include "unroot/lint.h"
#include "unroot/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new(64u << 20);
	if (!a)
		return 0;
	struct helm_chart *c = arena_alloc(a, sizeof(*c));
	struct helm_file *f = arena_alloc(a, sizeof(*f));
	if (c && f) {
		c->root = c;
		c->name = "fuzz";
		f->name = f->path = "templates/fuzz.yaml";
		f->src = source_new(a, f->path, (const char *)data, size);
		if (f->src && helm_scan(a, c, f) == 0) {
			helm_chart_finish(c);
			bool known;
			for (size_t i = 0; i < c->nscs; i++) {
				helm_sc_adapts_openshift(c, &c->scs[i], &known);
				helm_sc_from_values(c, &c->scs[i], &known);
			}
			for (size_t i = 0; i < c->ndocs; i++)
				helm_doc_values_fed(c, i, &known);
		}
	}
	arena_free(a);

	/* The whole reader, as a chart written as one text or as helm template output. */
	struct lint_options o;
	lint_options_init(&o);
	o.helm_bin = "none";
	o.limits.arena = 64u << 20;
	struct lint_run *run = lint_run_new(&o);
	if (!run)
		return 0;
	static const char head[] = "--- c/Chart.yaml\nname: c\n--- c/templates/t.yaml\n";
	char *buf = arena_alloc(lint_run_arena(run), sizeof(head) + size);
	if (buf) {
		memcpy(buf, head, sizeof(head) - 1);
		memcpy(buf + sizeof(head) - 1, data, size);
		lint_run_buffer(run, "chart", buf, sizeof(head) - 1 + size, KIND_HELM);
	}
	lint_run_buffer(run, "rendered", (const char *)data, size, KIND_HELM);
	lint_run_finish(run);
	lint_run_free(run);
	return 0;
}
