/*
 * ruledoc.c - rule documentation generated from the rule table: the one
 * source for `unroot rules`, `unroot explain`, docs/rules.md and the help
 * that SARIF carries for every rule.
 */
#include "unroot/ruledoc.h"
#include "unroot/buf.h"
#include "unroot/output.h"
#include "fmt.h"
#include "unroot/rule.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static void platforms(struct buf *out, unsigned bits, const char *sep)
{
	bool first = true;
	for (unsigned bit = 1; bit <= PLAT_OPENSHIFT; bit <<= 1) {
		if (!(bits & bit))
			continue;
		buf_printf(out, "%s%s", first ? "" : sep, platform_name(bit));
		first = false;
	}
}

static const char *kind_label(enum input_kind k)
{
	switch (k) {
	case KIND_DOCKERFILE:
		return "Dockerfile";
	case KIND_K8S:
		return "Kubernetes manifest";
	case KIND_HELM:
		return "Helm chart";
	case KIND_IMAGE:
		return "image";
	default:
		return "any input";
	}
}

/* The summary as a sentence: capitalised, with a full stop. */
static void sentence(struct buf *out, const char *s)
{
	if (!s || !*s)
		return;
	buf_putc(out, (char)toupper((unsigned char)s[0]));
	buf_puts(out, s + 1);
	size_t n = strlen(s);
	if (s[n - 1] != '.')
		buf_putc(out, '.');
}

void ruledoc_list(struct buf *out)
{
	for (size_t i = 0; i < rule_count; i++) {
		const struct rule *r = rule_table[i];
		buf_printf(out, "%-6s %-34s %-8s %s\n", r->code, r->name,
			   severity_name(r->severity), r->summary);
	}
}

void ruledoc_json(struct buf *out)
{
	json_t *list = json_array();
	for (size_t i = 0; i < rule_count; i++) {
		const struct rule *r = rule_table[i];
		json_t *o = json_object();
		json_object_set_new(o, "code", json_string(r->code));
		json_object_set_new(o, "name", json_string(r->name));
		json_object_set_new(o, "severity", json_string(severity_name(r->severity)));
		json_object_set_new(o, "kind", json_string(input_kind_name(r->kind)));
		json_t *plats = json_array();
		for (unsigned bit = 1; bit <= PLAT_OPENSHIFT; bit <<= 1)
			if (r->platforms & bit)
				json_array_append_new(plats, json_string(platform_name(bit)));
		json_object_set_new(o, "platforms", plats);
		json_object_set_new(o, "summary", json_string(r->summary));
		json_object_set_new(o, "description", json_string(r->description));
		json_object_set_new(o, "remediation", json_string(r->remediation));
		json_object_set_new(o, "bad", json_string(r->bad ? r->bad : ""));
		json_object_set_new(o, "good", json_string(r->good ? r->good : ""));
		struct buf anchor;
		buf_init(&anchor);
		rule_anchor(r, &anchor);
		json_object_set_new(o, "anchor", json_string(anchor.data ? anchor.data : ""));
		buf_release(&anchor);
		json_array_append_new(list, o);
	}
	fmt_put_json(out, list);
}

static void indented(struct buf *out, const char *text)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		buf_puts(out, "    ");
		buf_add(out, p, n);
		buf_putc(out, '\n');
		p += n + (nl != NULL);
	}
}

/* Each line of `text` as a paragraph wrapped at 78 columns with a two-space indent. */
static void wrapped(struct buf *out, const char *text)
{
	const char *p = text;
	while (*p) {
		size_t col = 0;
		while (*p && *p != '\n') {
			while (*p == ' ')
				p++;
			size_t n = strcspn(p, " \n");
			if (!n)
				break;
			if (col && col + 1 + n > 76) {
				buf_putc(out, '\n');
				col = 0;
			}
			buf_puts(out, col ? " " : "  ");
			buf_add(out, p, n);
			col += n + 1;
			p += n;
		}
		buf_putc(out, '\n');
		if (*p == '\n')
			p++;
	}
}

void ruledoc_explain(struct buf *out, const struct rule *r)
{
	buf_printf(out, "%s %s\n  severity: %s, input: %s, platforms: ", r->code, r->name,
		   severity_name(r->severity), kind_label(r->kind));
	platforms(out, r->platforms, ", ");
	buf_puts(out, "\n\n");
	struct buf s;
	buf_init(&s);
	sentence(&s, r->summary);
	wrapped(out, s.data ? s.data : "");
	buf_release(&s);
	buf_puts(out, "\nWhy:\n");
	wrapped(out, r->description);
	buf_puts(out, "\nFix:\n");
	wrapped(out, r->remediation);
	if (r->bad && *r->bad) {
		buf_printf(out, "\nBad (fires %s):\n", r->code);
		indented(out, r->bad);
	}
	if (r->good && *r->good) {
		buf_puts(out, "\nGood:\n");
		indented(out, r->good);
	}
}

/* The language of a rule's examples, for fenced code blocks. */
static const char *fence_lang(const struct rule *r, const char *example)
{
	switch (r->kind) {
	case KIND_DOCKERFILE:
		return "dockerfile";
	case KIND_K8S:
	case KIND_HELM:
		return "yaml";
	case KIND_IMAGE:
		return "text";
	default:
		break;
	}
	/* Engine rules have examples of any kind: look at the first word. */
	const char *p = example;
	while (*p == '#' || *p == ' ' || *p == '\n') {
		if (*p == '#')
			p += strcspn(p, "\n");
		else
			p++;
	}
	static const char *const df_words[] = {"FROM ", "ARG ", "from ", "arg "};
	for (size_t i = 0; i < sizeof(df_words) / sizeof(df_words[0]); i++)
		if (strncmp(p, df_words[i], strlen(df_words[i])) == 0)
			return "dockerfile";
	return "yaml";
}

static void fenced(struct buf *out, const struct rule *r, const char *example)
{
	size_t n = strlen(example);
	/* A fence longer than any backtick run inside the example. */
	const char *fence = strstr(example, "```") ? "~~~~" : "```";
	buf_printf(out, "%s%s\n%s%s%s\n", fence, fence_lang(r, example), example,
		   n && example[n - 1] == '\n' ? "" : "\n", fence);
}

/* Table cells cannot hold a bare '|'. */
static void cell(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			buf_puts(out, "\\|");
		else if (*s == '\n')
			buf_putc(out, ' ');
		else
			buf_putc(out, *s);
	}
}

void ruledoc_markdown_rule(struct buf *out, const struct rule *r)
{
	buf_printf(out, "**Default severity:** %s. **Input:** %s. **Platforms:** ",
		   severity_name(r->severity), kind_label(r->kind));
	platforms(out, r->platforms, ", ");
	buf_puts(out, ".\n\n");
	sentence(out, r->summary);
	buf_puts(out, "\n\n**Why:** ");
	buf_puts(out, r->description);
	buf_puts(out, "\n\n**Fix:** ");
	buf_puts(out, r->remediation);
	buf_putc(out, '\n');
	if (r->bad && *r->bad) {
		buf_printf(out, "\nBad (fires %s):\n\n", r->code);
		fenced(out, r, r->bad);
	}
	if (r->good && *r->good) {
		buf_puts(out, "\nGood:\n\n");
		fenced(out, r, r->good);
	}
}

static const struct {
	enum input_kind kind;
	const char *title;
} groups[] = {
    {KIND_ANY, "Every input"},
    {KIND_DOCKERFILE, "Dockerfiles"},
    {KIND_K8S, "Kubernetes manifests"},
    {KIND_HELM, "Helm charts"},
    {KIND_IMAGE, "Images"},
};

void ruledoc_markdown_table(struct buf *out, enum input_kind kind, const char *page)
{
	bool any = false;
	for (size_t i = 0; i < rule_count; i++) {
		const struct rule *r = rule_table[i];
		if (r->kind != kind)
			continue;
		if (!any)
			buf_puts(out, "| code | name | severity | platforms | summary |\n"
				      "|---|---|---|---|---|\n");
		any = true;
		buf_printf(out, "| [%s](%s#", r->code, page);
		rule_anchor(r, out);
		buf_printf(out, ") | %s | %s | ", r->name, severity_name(r->severity));
		platforms(out, r->platforms, ", ");
		buf_puts(out, " | ");
		cell(out, r->summary);
		buf_puts(out, " |\n");
	}
}

void ruledoc_markdown(struct buf *out)
{
	buf_puts(out,
		 "# unroot rules\n\n"
		 "<!-- Generated by `unroot rules --format markdown` from the rule table. Do not "
		 "edit: change the rule's file under lib/rules/ and run `make docs`. -->\n\n"
		 "Every rule has a stable code, a default severity (change it with `severity:` in "
		 "`.unroot.yaml`), and the platforms it matters on (narrow them with "
		 "`--platform`). `unroot explain CODE` shows the same text on a terminal. "
		 "Suppress a finding with `# unroot ignore=CODE reason` on the line before a "
		 "Dockerfile instruction, or the annotation `unroot/ignore: \"CODE\"` on a "
		 "Kubernetes object.\n");
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		buf_printf(out, "\n**%s**\n\n", groups[g].title);
		ruledoc_markdown_table(out, groups[g].kind, "");
	}
	for (size_t i = 0; i < rule_count; i++) {
		const struct rule *r = rule_table[i];
		buf_printf(out, "\n## %s %s\n\n", r->code, r->name);
		ruledoc_markdown_rule(out, r);
	}
}
