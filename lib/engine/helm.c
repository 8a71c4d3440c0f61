/*
 * helm.c - checking what the Helm reader read: the static rules on every
 * chart of the tree, then the Kubernetes rules on each document helm
 * template rendered, with their findings pointed at the templates.
 *
 * A rendered document is an input of its own (the k8s reader reads it). Its
 * findings move to the template its `# Source:` line names, through the
 * span map (helm_map_span()), and quote the rendered line. With both
 * renders, each speaks for its own platforms (the plain one for all but
 * OpenShift, the --api-versions one for OpenShift), and a finding both give
 * alike is one finding for all of them. Suppression comments in the output
 * cover the template they came from.
 */
#include "run.h"
#include "unroot/arena.h"
#include "helm/helm.h"
#include "unroot/source.h"

#include <string.h>

#define MAX_AREAS  64	/* a template, the named templates it includes, values.yaml */
#define MAX_MERGED 4096 /* plain-render findings kept for merging with the OpenShift render */

struct pass {
	const struct helm_input *in;
	bool openshift;	  /* the --api-versions render */
	bool narrow;	  /* another pass covers the other platforms */
	size_t first;	  /* findings of the plain pass start here */
	size_t plain_end; /* ...and end here */
	size_t supp_first;
	const char **raw; /* messages of the plain pass before the suffix */
};

static bool same_codes(const struct suppression *a, const struct suppression *b)
{
	if (a->ncodes != b->ncodes)
		return false;
	for (size_t i = 0; i < a->ncodes; i++)
		if (strcmp(a->codes[i], b->codes[i]) != 0)
			return false;
	return true;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/*
 * Whether the branches of file f that its chart's defaults skip did not
 * render: helm ran with the defaults alone (no --values, no --set), and f
 * is in the top chart, whose values.yaml no parent overrides.
 */
static bool defaults_alone(const struct lint_options *o, const struct helm_input *in,
			   const struct helm_file *f)
{
	const struct helm_chart *c = in->chart ? helm_chart_of(in->chart, f) : NULL;
	return c && !c->parent && !o->nvalues && !o->nsets;
}

/*
 * Where a rendered document's lines can come from: its template, the named
 * templates it includes (what `include` pastes in), and values.yaml (what
 * toYaml pastes in).
 */
static size_t map_areas(const struct lint_options *o, const struct helm_input *in,
			const struct helm_file *tf, struct helm_area *areas)
{
	size_t n = 0;
	areas[n++] = (struct helm_area){.src = tf->src,
					.path = tf->path,
					.to = tf->src->len,
					.file = tf,
					.skip_off = defaults_alone(o, in, tf)};
	const struct helm_chart *c = in->chart ? helm_chart_of(in->chart, tf) : NULL;
	if (!c)
		return n;
	const struct helm_define *defs[MAX_AREAS - 2];
	size_t nd = helm_file_includes(c, tf, defs, MAX_AREAS - 2);
	for (size_t i = 0; i < nd; i++)
		areas[n++] = (struct helm_area){.src = defs[i]->file->src,
						.path = defs[i]->file->path,
						.from = defs[i]->start,
						.to = defs[i]->end,
						.file = defs[i]->file,
						.skip_off = defaults_alone(o, in, defs[i]->file)};
	if (c->values_file)
		areas[n++] = (struct helm_area){.src = c->values_file->src,
						.path = c->values_file->path,
						.to = c->values_file->src->len,
						.values = true,
						.chart = c};
	return n;
}

/* The findings of one rendered document, from run->diags.items[n0] on. */
static void move_findings(struct lint_run *run, struct pass *ps, const struct helm_rendered *doc,
			  size_t n0)
{
	const struct helm_file *tf = doc->template;
	const char *api = ps->openshift ? " --api-versions security.openshift.io/v1" : "";
	size_t w = n0;
	struct helm_area areas[MAX_AREAS];
	size_t nareas = tf ? map_areas(run->opts, ps->in, tf, areas) : 0;
	for (size_t i = n0; i < run->diags.n; i++) {
		struct diag d = run->diags.items[i];
		const char *raw = d.message;
		char *rendered = NULL;
		if (d.src) {
			size_t ls, le;
			helm_line_at(d.src->data, d.src->len, d.start, &ls, &le);
			size_t a = ls;
			while (a < le && d.src->data[a] == ' ')
				a++;
			rendered =
			    arena_strndup(run->arena, d.src->data + a, le - a > 100 ? 100 : le - a);
			/*
			 * The edits are spans of the rendered text, which is no file:
			 * a template's lines are not edited from them.
			 */
			d.edits = NULL;
			d.nedits = 0;
			d.no_edit = "found in what helm template renders, which is no file: the "
				    "template's lines are not edited from it";
			if (tf) {
				size_t st = d.start, en = d.end;
				size_t k = helm_map_span_areas(d.src->data, d.src->len, areas,
							       nareas, &st, &en);
				if (k) /* a named template or values.yaml */
					d.path = areas[k].path;
				d.src = (struct source *)areas[k].src;
				d.start = st;
				d.end = en;
			}
		}
		if (ps->narrow && d.rule != &NR000_parse_error) {
			d.platforms &= ps->openshift ? PLAT_OPENSHIFT : ~(unsigned)PLAT_OPENSHIFT;
			if (!d.platforms)
				continue;
		}
		bool merged = false;
		if (ps->openshift && ps->narrow) {
			for (size_t j = ps->first; j < ps->plain_end; j++) {
				struct diag *p = &run->diags.items[j];
				if (p->rule == d.rule && p->start == d.start &&
				    same_str(p->path, d.path) &&
				    same_str(ps->raw[j - ps->first], raw) &&
				    same_str(p->object, d.object) &&
				    same_str(p->container, d.container)) {
					p->platforms |= PLAT_OPENSHIFT;
					merged = true;
					break;
				}
			}
		}
		if (merged)
			continue;
		if (!ps->openshift && ps->raw && w - ps->first < MAX_MERGED)
			ps->raw[w - ps->first] = raw;
		if (rendered) {
			d.message =
			    arena_printf(run->arena, "%s (helm template%s renders `%s`%s%s)",
					 d.message, api, rendered, tf ? "" : " from ",
					 tf ? "" : (doc->source ? doc->source : "stdin"));
			if (!d.message)
				d.message = raw;
		}
		run->diags.items[w++] = d;
	}
	run->diags.n = w;
}

/* Suppressions read from the output, from run->supp[s0] on: they cover their template. */
static void move_suppressions(struct lint_run *run, const struct pass *ps,
			      const struct helm_rendered *doc, size_t s0)
{
	const struct helm_file *tf = doc->template;
	size_t ws = s0;
	for (size_t i = s0; i < run->nsupp; i++) {
		struct suppression s = run->supp[i];
		if (tf && s.src && s.src != tf->src) {
			size_t st = s.start, en = s.end;
			helm_map_span(s.src->data, s.src->len, tf->src, &st, &en);
			s.src = tf->src;
			s.start = st;
			s.end = en;
			s.from = 0;
			s.to = tf->src->len + 1;
		}
		bool dup = false;
		for (size_t j = ps->supp_first; j < s0 && !dup; j++) {
			const struct suppression *o = &run->supp[j];
			dup = same_str(o->path, s.path) && o->start == s.start && same_codes(o, &s);
		}
		if (!dup)
			run->supp[ws++] = s;
	}
	run->nsupp = ws;
}

/* A rendered document is an input of its own, of the Kubernetes kind. */
static void check_doc(struct lint_run *run, const struct reader *k8s, struct source *src)
{
	run_note_input(run, src->path);
	run_begin_input(run);
	struct reading rd;
	run_reading_init(run, &rd, src->path, src);
	rd.kept = (void *const *)run->kept[KIND_K8S];
	rd.nkept = run->nkept[KIND_K8S];
	k8s->read(&rd);
	run_check(run, k8s, &rd, src, false);
	run_end_input(run, src->path);
}

static void check_render(struct lint_run *run, struct pass *ps, const struct helm_render *r)
{
	const struct reader *k8s = reader_for_kind(KIND_K8S);
	ps->openshift = r->openshift;
	for (size_t i = 0; i < r->ndocs; i++) {
		const struct helm_rendered *doc = &r->docs[i];
		size_t n0 = run->diags.n, s0 = run->nsupp;
		check_doc(run, k8s, doc->src);
		move_findings(run, ps, doc, n0);
		move_suppressions(run, ps, doc, s0);
	}
}

/* The helm rules on a chart and on its subcharts. */
static void check_charts(struct lint_run *run, const struct helm_chart *c)
{
	struct check_ctx ctx;
	run_ctx_init(run, &ctx, c->chart_file->path, c->chart_file->src);
	ctx.helm = c;
	run_rules(run, &ctx, KIND_HELM);
	for (size_t i = 0; i < c->nsub; i++)
		check_charts(run, c->subcharts[i]);
}

/*
 * Said once a run, and only for a chart the static checks found something
 * in: that is what a render would confirm or refute.
 */
static void note_skipped(struct lint_run *run, const struct helm_input *in, size_t first_static)
{
	/* A note about the run (NR003), not a finding of a rule about the chart. */
	const struct rule *r = &NR003_rendered_checks_skipped;
	bool found = false;
	if (run->helm_skip_noted)
		return;
	for (size_t i = first_static; i < run->diags.n; i++)
		found |= run->diags.items[i].rule->kind == KIND_HELM;
	if (!found)
		return;
	run->helm_skip_noted = true;
	const struct helm_chart *c = in->chart;
	diag_add(&run->diags, r, c->chart_file->path, c->chart_file->src, 0, 0,
		 "%s: %s, so the Kubernetes rules did not run on the chart as helm template "
		 "renders it, with and without --api-versions %s; install helm or pass --helm BIN",
		 helm_skip_prefix, in->skipped, helm_openshift_api);
}

void run_check_helm(struct lint_run *run, struct reading *rd)
{
	const struct helm_input *in = rd->model;
	size_t first_static = run->diags.n;
	if (in->chart)
		check_charts(run, in->chart);
	if (in->skipped)
		note_skipped(run, in, first_static);
	unsigned plats = run->opts->platforms;
	struct pass ps = {.in = in, .first = run->diags.n, .supp_first = run->nsupp};
	/* Both renders: each speaks for its platforms, and findings alike merge. */
	ps.narrow = in->render && (plats & ~(unsigned)PLAT_OPENSHIFT) && (plats & PLAT_OPENSHIFT);
	if (ps.narrow) {
		ps.raw = arena_alloc(run->arena, MAX_MERGED * sizeof(*ps.raw));
		if (!ps.raw)
			ps.narrow = false;
	}
	for (size_t i = 0; i < in->nrenders; i++) {
		const struct helm_render *r = &in->renders[i];
		if (r->openshift) {
			/* the plain render's findings, for merging */
			ps.plain_end = run->diags.n;
			if (ps.plain_end - ps.first > MAX_MERGED)
				ps.plain_end = ps.first + MAX_MERGED;
		}
		check_render(run, &ps, r);
	}
}
