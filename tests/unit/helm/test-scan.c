/* test-scan.c - the template scanner: actions anywhere, blocks, levels, sources. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "unroot/arena.h"
#include "helm/helm.h"
#include "unroot/lint.h"
#include "unroot/source.h"
#include "yaml/ytree.h"

static struct arena *A;

static struct helm_chart *scan_with(const char *values, const char *text)
{
	struct helm_chart *c = arena_alloc(A, sizeof(*c));
	if (values) {
		struct lint_options o;
		lint_options_init(&o);
		struct source *vs = source_new(A, "values.yaml", values, strlen(values));
		struct ydoc *docs;
		size_t n;
		struct yerror err;
		assert_int_equal(yaml_load(A, vs, &o.limits, &docs, &n, &err), 0);
		c->values = docs[0].root;
	}
	struct helm_file *f = arena_alloc(A, sizeof(*f));
	assert_non_null(c);
	assert_non_null(f);
	c->root = c;
	c->name = "t";
	f->name = f->path = "templates/t.yaml";
	f->src = source_new(A, f->path, text, strlen(text));
	assert_int_equal(helm_scan(A, c, f), 0);
	helm_chart_finish(c);
	return c;
}

static struct helm_chart *scan(const char *text)
{
	return scan_with(NULL, text);
}

static void scaffold(void **state)
{
	(void)state;
	struct helm_chart *c = scan("apiVersion: apps/v1\n"
				    "kind: Deployment\n"
				    "spec:\n"
				    "  template:\n"
				    "    spec:\n"
				    "      {{- with .Values.podSecurityContext }}\n"
				    "      securityContext:\n"
				    "        {{- toYaml . | nindent 8 }}\n"
				    "      {{- end }}\n"
				    "      containers:\n"
				    "        - name: {{ .Chart.Name }}\n"
				    "          {{- with .Values.securityContext }}\n"
				    "          securityContext:\n"
				    "            {{- toYaml . | nindent 12 }}\n"
				    "          {{- end }}\n");
	assert_int_equal(c->ndocs, 1);
	assert_true(c->docs[0].workload);
	assert_string_equal(c->docs[0].kind, "Deployment");
	assert_int_equal(c->docs[0].spec_indent, 6);
	assert_int_equal(c->nscs, 2);
	assert_int_equal(c->scs[0].level, HELM_LEVEL_POD);
	assert_string_equal(c->scs[0].values_path, "podSecurityContext");
	assert_int_equal(c->scs[1].level, HELM_LEVEL_CONTAINER);
	assert_string_equal(c->scs[1].values_path, "securityContext");
	assert_true(c->scs[1].conditional);
	bool known;
	assert_true(helm_doc_values_fed(c, 0, &known));
}

static void literals_and_helpers(void **state)
{
	(void)state;
	struct helm_chart *c = scan(
	    "{{- define \"x.ctx\" -}}\n"
	    "{{- if .Capabilities.APIVersions.Has \"security.openshift.io/v1\" }}{{ omit .Values.a "
	    "\"runAsUser\" | toYaml }}{{ end }}\n"
	    "{{- end }}\n"
	    "---\n"
	    "kind: {{ .Values.kind }}\n"
	    "spec:\n"
	    "  template:\n"
	    "    spec:\n"
	    "      securityContext: {{- include \"x.ctx\" (dict \"s\" .Values.pod) | nindent 8 }}\n"
	    "      initContainers:\n"
	    "        - name: init\n"
	    "          command: |\n"
	    "            runAsUser: 5\n"
	    "          securityContext:\n"
	    "            runAsUser: 0\n"
	    "            fsGroup: {{ .Values.fs }}\n"
	    "      containers: []\n");
	assert_int_equal(c->ndefines, 1);
	assert_string_equal(c->defines[0].name, "x.ctx");
	assert_true(c->defines[0].openshift);
	assert_true(c->defines[0].values);
	assert_true(c->docs[c->ndocs - 1].workload);
	assert_int_equal(c->nscs, 2);
	assert_string_equal(c->scs[0].helper, "x.ctx");
	assert_string_equal(c->scs[0].values_path, "pod");
	bool known;
	assert_true(helm_sc_adapts_openshift(c, &c->scs[0], &known));
	assert_int_equal(c->scs[1].level, HELM_LEVEL_CONTAINER);
	/* The block scalar's text is not a field. */
	assert_int_equal(c->nfields, 2);
	assert_string_equal(c->fields[0].value, "0");
	assert_null(c->fields[1].value);
	assert_string_equal(c->fields[1].values_path, "fs");
	assert_false(c->fields[1].conditional);
}

static void odd_input(void **state)
{
	(void)state;
	/* Unterminated actions, stray ends, keys inside actions, comments with }} in them. */
	scan("{{ end }}{{ end }}\n{{- if x }}\n  {{ \"}}\" }}: 1\n{{/* }} */}}\nkind: Pod\n{{");
	scan("{{- range .Values.x }}\n- {{ . }}: {{ .y }}\n{{ end");
	scan("a: `{{`\n{{ `\n}}` }}\nkind: Job\n");
	struct helm_chart *c = scan("securityContext:\n  runAsUser: {{ .Values.u | default 1 }}\n");
	assert_int_equal(c->nfields, 1);
}

/* Branches the default values skip: if/else, with, variables, and/or/not/empty/eq. */
static void default_branches(void **state)
{
	(void)state;
	struct helm_chart *c =
	    scan_with("fix:\n  a: false\n  b: false\nextra: []\nmode: auto\non: {x: 1}\n",
		      "{{- $f := .Values.fix -}}\n"
		      "{{- $on := or $f.a $f.b (not (empty .Values.extra)) -}}\n"
		      "{{- if $on }}\n"
		      "securityContext:\n"
		      "  runAsUser: 0\n"
		      "{{- else if eq .Values.mode \"auto\" }}\n"
		      "securityContext:\n"
		      "  runAsUser: 1\n"
		      "{{- else }}\n"
		      "securityContext:\n"
		      "  runAsUser: 2\n"
		      "{{- end }}\n"
		      "{{- with .Values.on }}\n"
		      "securityContext:\n"
		      "  runAsUser: {{ .x }}\n"
		      "{{- end }}\n"
		      "{{- if .Capabilities.APIVersions.Has \"security.openshift.io/v1\" }}\n"
		      "securityContext:\n"
		      "  runAsUser: 3\n"
		      "{{- end }}\n");
	assert_int_equal(c->nfields, 5);
	assert_true(c->fields[0].off);	/* $on is false */
	assert_false(c->fields[1].off); /* mode is auto */
	assert_true(c->fields[2].off);	/* an earlier branch was taken */
	assert_false(c->fields[3].off); /* with a non-empty map */
	assert_false(c->fields[4].off); /* unknown: never hidden */
	assert_true(c->fields[4].openshift);
}

/* Whether the text `what` of f is recorded as not rendered (live: by the defaults only). */
static bool unrendered(const struct helm_file *f, const char *what, bool *dead)
{
	const char *at = strstr(f->src->data, what);
	assert_non_null(at);
	size_t off = (size_t)(at - f->src->data), live = 0;
	while (live < f->noff && !f->off[live].dead)
		live++;
	*dead = helm_range_find(f->off + live, f->noff - live, off);
	return *dead || helm_range_find(f->off, live, off);
}

/* What did not render: skipped branches, comments, actions over lines. */
static void unrendered_text(void **state)
{
	(void)state;
	struct helm_chart *c = scan_with("sidecar:\n  enabled: false\nmode: auto\n",
					 "containers:\n"
					 "{{- if .Values.sidecar.enabled }}\n"
					 "  - name: sidecar\n"
					 "    {{- if eq .Values.mode \"auto\" }}\n"
					 "    args: [nested]\n"
					 "    {{- end }}\n"
					 "{{- else }}\n"
					 "  - name: alone\n"
					 "{{- end }}\n"
					 "  - name: web\n"
					 "    {{/* the old way:\n"
					 "    runAsUser: 1000\n"
					 "    */}}\n"
					 "    {{- if .Capabilities.APIVersions.Has \"x/v1\" }}\n"
					 "    hostPID: true\n"
					 "    {{- end }}\n");
	const struct helm_file *f = c->docs[0].file;
	bool dead;
	assert_true(unrendered(f, "- name: sidecar", &dead));
	assert_false(dead);
	assert_true(unrendered(f, "args: [nested]", &dead)); /* inside the skipped branch */
	assert_false(unrendered(f, "- name: alone", &dead)); /* the else that is taken */
	assert_false(unrendered(f, "- name: web", &dead));
	assert_true(unrendered(f, "runAsUser: 1000", &dead));
	assert_true(dead);				     /* a comment, whatever the values */
	assert_false(unrendered(f, "hostPID: true", &dead)); /* unknown: never hidden */
}

int main(void)
{
	A = arena_new(1 << 26);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(scaffold),	       cmocka_unit_test(literals_and_helpers),
	    cmocka_unit_test(odd_input),       cmocka_unit_test(default_branches),
	    cmocka_unit_test(unrendered_text),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	arena_free(A);
	return rc;
}
