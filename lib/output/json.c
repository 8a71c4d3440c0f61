/* json.c - one JSON object per run, keys in a stable order (jansson keeps insertion order). */
#include "fmt.h"
#include "unroot/buf.h"
#include "unroot/diag.h"
#include "unroot/output.h"
#include "unroot/rule.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A JSON string from bytes that may not be UTF-8 (messages quote input bytes). */
static json_t *jstr(const char *s)
{
	char *clean = fmt_utf8(s);
	json_t *j = clean ? json_string(clean) : NULL;
	free(clean);
	return j ? j : json_string("");
}

static json_t *one(const struct diag *d)
{
	unsigned line, col, el, ec;
	diag_position(d, &line, &col, &el, &ec);
	json_t *o = json_object();
	json_object_set_new(o, "rule", json_string(d->rule->code));
	json_object_set_new(o, "name", json_string(d->rule->name));
	json_object_set_new(o, "severity", json_string(severity_name(d->severity)));
	json_object_set_new(o, "path", jstr(d->path));
	json_object_set_new(o, "line", json_integer(line));
	json_object_set_new(o, "column", json_integer(col));
	json_object_set_new(o, "end_line", json_integer(el));
	json_object_set_new(o, "end_column", json_integer(ec));
	json_object_set_new(o, "message", jstr(d->message));
	json_t *plats = json_array();
	for (unsigned bit = 1; bit <= PLAT_OPENSHIFT; bit <<= 1)
		if (d->platforms & bit)
			json_array_append_new(plats, json_string(platform_name(bit)));
	json_object_set_new(o, "platforms", plats);
	if (d->object)
		json_object_set_new(o, "object", jstr(d->object));
	if (d->container)
		json_object_set_new(o, "container", jstr(d->container));
	if (d->fix)
		json_object_set_new(o, "fix", jstr(d->fix));
	return o;
}

static void write_json(struct buf *out, const struct report *r)
{
	json_t *root = json_object();
	json_t *tool = json_object();
	json_object_set_new(tool, "name", json_string("unroot"));
	json_object_set_new(tool, "version", json_string(r->version));
	json_object_set_new(root, "tool", tool);
	json_t *list = json_array();
	size_t counts[4] = {0};
	for (size_t i = 0; i < r->diags->n; i++) {
		json_array_append_new(list, one(&r->diags->items[i]));
		counts[r->diags->items[i].severity]++;
	}
	json_object_set_new(root, "diagnostics", list);
	json_t *sum = json_object();
	json_object_set_new(sum, "error", json_integer((json_int_t)counts[SEV_ERROR]));
	json_object_set_new(sum, "warning", json_integer((json_int_t)counts[SEV_WARNING]));
	json_object_set_new(sum, "info", json_integer((json_int_t)counts[SEV_INFO]));
	json_object_set_new(root, "summary", sum);
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s) {
		buf_puts(out, s);
		buf_putc(out, '\n');
		free(s);
	} else {
		out->failed = true;
	}
	json_decref(root);
}

const struct formatter format_json = {
    .name = "json",
    .description = "one JSON object with every diagnostic and a summary",
    .write = write_json,
};
