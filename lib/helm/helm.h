/*
 * helm.h - a Helm chart as the rules see it, and the static template scanner.
 *
 * A chart is read from a folder holding Chart.yaml or from a packaged .tgz
 * (read with libarchive into memory, never unpacked to disk), with its
 * charts/ subcharts. values.yaml is loaded with positions (yaml.h).
 * Templates are Go templates and are often not valid YAML before rendering,
 * so they are scanned as text: line by line, with the indentation of YAML
 * keys, the `{{ ... }}` actions and the if/with/range/define blocks they
 * open. The scanner records where each `securityContext:` comes from, every
 * runAsUser/runAsGroup/fsGroup/runAsNonRoot field, the named templates
 * (`define`) and which templates `include` them, and the YAML documents that
 * are workloads.
 *
 * Everything lives in the run's arena; strings and files are borrowed.
 * Offsets are byte offsets into the file's source.
 */
#ifndef UNROOT_HELM_H
#define UNROOT_HELM_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct lint_limits;
struct source;
struct ynode;

/* A span of bytes of a file. */
struct helm_range {
	size_t start, end;
	bool dead; /* text no values render: a template comment, an action over lines */
};

/* One file of a chart. */
struct helm_file {
	const char *name; /* inside the chart: "templates/deployment.yaml" */
	const char
	    *path; /* as reported: "web/templates/x.yaml", "web-1.0.tgz!/web/templates/x.yaml" */
	struct source *src;
	bool partial; /* base name starts with '_': defines only, never rendered */
	/*
	 * Byte ranges of the branches the chart's default values skip, and of
	 * text never rendered as written (set by helm_scan()), so a rendered
	 * line is not placed on text that did not render; and the named templates included outside
	 * any document (a template that is `{{ include "x.deployment" . }}` alone).
	 */
	struct helm_range *off;
	size_t noff, capoff;
	const char **includes;
	size_t nincludes, capincludes;
};

/* Whether `at` is in one of n ranges sorted by start and disjoint. */
bool helm_range_find(const struct helm_range *r, size_t n, size_t at);

enum helm_level {
	HELM_LEVEL_UNKNOWN = 0, /* inside a named template with no telling keys around it */
	HELM_LEVEL_POD,
	HELM_LEVEL_CONTAINER,
};

/* A `securityContext:` key in a template, and where its content comes from. */
struct helm_sc {
	const struct helm_file *file;
	size_t start, end; /* the key */
	size_t indent;	   /* its column, 0-based */
	enum helm_level level;
	const char *values_path; /* rendered from .Values.<values_path> ("podSecurityContext") */
	const char *helper;	 /* rendered by include "<helper>" */
	bool literal;		 /* holds fields written as literals */
	bool other;		 /* rendered from something else: a variable, a range item */
	bool conditional;	 /* inside if/with/range in its template or named template */
	bool openshift;		 /* inside a block whose condition is about OpenShift */
	bool omits_uid; /* its expression omits runAsUser/fsGroup (`omit ... "runAsUser"`) */
	bool off;	/* in a branch the chart's default values do not take */
	int define;	/* index in chart->defines, or -1 outside named templates */
	int doc;	/* index in chart->docs, or -1 inside a named template */
};

/* A runAsUser, runAsGroup, fsGroup or runAsNonRoot key in a template. */
struct helm_field {
	const struct helm_file *file;
	size_t start, end; /* key through value */
	const char *key;
	const char *value;	 /* the literal as written, or NULL when templated */
	const char *values_path; /* templated from .Values.<values_path>, or NULL */
	bool conditional, openshift;
	bool values_guarded; /* in a branch chosen by a security context from values */
	bool off;	     /* in a branch the chart's default values do not take */
	int sc;		     /* index in chart->scs of the securityContext it sits in, or -1 */
	int define, doc;
};

/* A named template: {{ define "NAME" }} ... {{ end }}. */
struct helm_define {
	const char *name;
	const struct helm_file *file;
	size_t start, end;
	const char **includes; /* names it includes */
	size_t nincludes, capincludes;
	bool values;	 /* reads .Values */
	bool openshift;	 /* looks at OpenShift: adaptSecurityContext, security.openshift.io */
	bool omits_ids;	 /* omits runAsUser/fsGroup from a context */
	bool containers; /* writes a containers: key */
};

/*
 * A call of a named template: `include "NAME" ARG` or `template "NAME" ARG`.
 * Inside the named template `.` and `$` are ARG, so its `.Values` is the
 * chart's values only when ARG is the caller's own root context.
 */
struct helm_call {
	const char *name;
	const struct helm_file *file;
	size_t start, end; /* the action */
	int define;	   /* the named template it sits in (index in chart->defines), or -1 */
	bool root;	   /* ARG is `$`, or `.` outside with and range: the caller's own context */
};

/* A YAML document of a rendered (non-partial) template. */
struct helm_doc {
	const struct helm_file *file;
	size_t start, end;
	const char *kind; /* a literal kind, or NULL */
	size_t kind_start, kind_end;
	bool kind_templated; /* kind: {{ ... }} */
	bool containers;     /* writes containers: itself */
	bool workload;	     /* set by helm_chart_finish() */
	size_t spec_indent;  /* column of the pod spec's keys; 0 when not seen */
	const char **includes;
	size_t nincludes, capincludes;
};

struct helm_chart {
	const char *path;   /* the folder or .tgz as named */
	const char *name;   /* Chart.yaml name, or the folder name */
	const char *prefix; /* what file paths start with: "web/" or "web-1.0.tgz!/web/" */
	struct helm_chart *parent, *root;
	bool packaged; /* read from a .tgz */
	bool library;  /* Chart.yaml type: library: templates only, nothing to render */

	struct helm_file *chart_file;  /* Chart.yaml */
	struct helm_file *values_file; /* values.yaml, or NULL */
	struct ynode *values;	       /* its root, or NULL */

	struct helm_file *files; /* templates/, in name order */
	size_t nfiles, capfiles;
	struct helm_doc *docs;
	size_t ndocs, capdocs;
	struct helm_sc *scs;
	size_t nscs, capscs;
	struct helm_field *fields;
	size_t nfields, capfields;
	struct helm_define *defines;
	size_t ndefines, capdefines;
	struct helm_call *calls;
	size_t ncalls, capcalls;

	struct helm_chart **subcharts;
	size_t nsub, capsub;
};

/*
 * Scans one template of `chart` and appends what it finds to the chart's
 * arrays. Never fails on odd input (unterminated actions, unbalanced
 * blocks, text that is not YAML); returns -1 only when the arena is full.
 */
int helm_scan(struct arena *a, struct helm_chart *chart, struct helm_file *file);

/* Marks workload documents once every template of the chart tree is scanned. */
void helm_chart_finish(struct helm_chart *chart);

/* The named template NAME anywhere in the chart's tree (Helm shares one namespace). */
const struct helm_define *helm_find_define(const struct helm_chart *chart, const char *name);

/* The node at a dotted path of values.yaml ("a.b.c"), or NULL. */
const struct ynode *helm_values_get(const struct helm_chart *chart, const char *path);

/*
 * True when a values map, or a map above it, holds `enabled: false`: the
 * chart's default switches that part off.
 */
bool helm_values_disabled(const struct helm_chart *chart, const char *path);

/*
 * True when the templates render the values at `path` (a security context
 * map) only in branches that the chart's defaults skip, as an init
 * container that runs only when a fix is enabled. False when nothing is
 * known to render it.
 */
bool helm_values_rendered_off(const struct helm_chart *chart, const char *path);

/*
 * Whether the security context a site renders can leave runAsUser and
 * fsGroup out on OpenShift: it is guarded by an OpenShift condition, omits
 * them, or goes through a helper that adapts it (Bitnami's
 * common.compatibility.renderSecurityContext with
 * global.compatibility.openshift.adaptSecurityContext). *known is false when
 * the helper is not in the chart and cannot be judged.
 */
bool helm_sc_adapts_openshift(const struct helm_chart *chart, const struct helm_sc *sc,
			      bool *known);

/*
 * Whether a site's content is fed from values: directly, or through a
 * helper that reads .Values or gets a values path. *known is false when
 * the helper is missing from the chart.
 */
bool helm_sc_from_values(const struct helm_chart *chart, const struct helm_sc *sc, bool *known);

/*
 * Whether workload document `doc` of chart renders a security context from
 * values, in its own text or in the named templates it includes. *known is
 * false when a helper it relies on is missing from the chart.
 */
bool helm_doc_values_fed(const struct helm_chart *chart, size_t doc, bool *known);

/* The workload rules find nothing when a chart holds no workload. */
bool helm_is_workload_kind(const char *kind);

/* The rendered-check note: the message that says they were skipped, and why. */
extern const char helm_skip_prefix[];
/* What `helm template --api-versions` takes to render as for OpenShift. */
extern const char helm_openshift_api[];

/* --- what the Helm reader gives back ------------------------------------------- */

/* A document of helm template output, checked as a Kubernetes input of its own. */
struct helm_rendered {
	struct source *src;		  /* the document; its path is where its findings go */
	const char *source;		  /* the name its `# Source:` line gives, or NULL */
	const struct helm_file *template; /* the template of that name, or NULL */
};

/* One run of helm template, or its output read back from a file or stdin. */
struct helm_render {
	bool openshift; /* with --api-versions security.openshift.io/v1 */
	struct helm_rendered *docs;
	size_t ndocs;
};

/*
 * A Helm input: a chart (with its subcharts) and what helm template made of
 * it, or helm template output alone. Lives in the run's arena.
 */
struct helm_input {
	struct helm_chart *chart;      /* NULL for helm template output alone */
	bool render;		       /* the chart is one helm template is run on (not a text) */
	const char *skipped;	       /* why the rendered checks did not run, or NULL */
	struct helm_render renders[2]; /* the plain render first, then OpenShift's */
	size_t nrenders;
};

/*
 * Where a span of a rendered document comes from in its template: the
 * line with the same key and value when the template writes it, else the
 * line of the nearest enclosing key, else the kind line; 0,0 when none.
 */
void helm_map_span(const char *rendered, size_t len, const struct source *template, size_t *start,
		   size_t *end);

/*
 * A place a rendered line can come from: a template, a named template it
 * includes (its define's range), or values.yaml.
 */
struct helm_area {
	const struct source *src;
	const char *path; /* as reported */
	size_t from, to;  /* the bytes of src that count */
	bool values;	  /* values.yaml: looked for under the `.Values.` a block pastes in */
	const struct helm_chart *chart; /* whose values.yaml it is */
	/*
	 * The template file (NULL for values.yaml), and whether its branches
	 * that the chart's defaults skip are left out: they did not render
	 * when helm ran with those defaults alone.
	 */
	const struct helm_file *file;
	bool skip_off;
};

/*
 * helm_map_span() over several areas: the rendered line's key and value
 * written in a template, else the nearest key a template writes (in the
 * area whose line's enclosing keys agree best; the template first among
 * equals), where a key no template writes comes from the values line that
 * holds it. Lines that did not render (helm_file.off) are left out. Returns
 * the area mapped into; the first kind line of the areas (or 0,0) when none.
 */
size_t helm_map_span_areas(const char *rendered, size_t len, const struct helm_area *areas,
			   size_t n, size_t *start, size_t *end);

/* The chart of the tree that holds file f, or NULL. */
const struct helm_chart *helm_chart_of(const struct helm_chart *chart, const struct helm_file *f);

/*
 * The named templates the documents of template f include, directly or
 * through other named templates, nearest first: at most cap in out.
 */
size_t helm_file_includes(const struct helm_chart *chart, const struct helm_file *f,
			  const struct helm_define **out, size_t cap);

/* The line holding `off` in s[0..len): its start, and its end before the newline. */
void helm_line_at(const char *s, size_t len, size_t off, size_t *ls, size_t *le);

#endif
