/*
 * cmd-simulate.c - unroot simulate INPUTS...: the identity each platform
 * gives each container, whether it starts, and what it can then do; a
 * table on a terminal, or JSON (-f json, schema in docs/simulate.md).
 */
#include "cli.h"
#include "unroot/arena.h"
#include "unroot/buf.h"
#include "unroot/output.h"
#include "unroot/simulate.h"
#include "unroot/source.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIM_SCHEMA 1

static const char *short_src(enum sim_source s)
{
	switch (s) {
	case SIM_SRC_IMAGE_USER:
		return "USER";
	case SIM_SRC_OPENSHIFT_UID:
		return "ns range";
	case SIM_SRC_OPENSHIFT_FS_GROUP:
		return "ns fsGroup";
	case SIM_SRC_ETC_GROUP:
		return "/etc/group";
	case SIM_SRC_PASSWD:
		return "/etc/passwd";
	default:
		return sim_source_name(s);
	}
}

static const char *want_str(unsigned want)
{
	static char s[4];
	s[0] = want & FS_R_OK ? 'r' : '-';
	s[1] = want & FS_W_OK ? 'w' : '-';
	s[2] = want & FS_X_OK ? 'x' : '-';
	s[3] = 0;
	return s;
}

static const char *where(struct arena *a, const struct sim_row *row)
{
	if (!row->object)
		return arena_printf(a, "%s (plain run)", row->input);
	return arena_printf(a, "%s:%s", row->object, row->container ? row->container : "");
}

static const char *id_cell(struct arena *a, const struct sim_id *id)
{
	if (id->id < 0)
		return arena_printf(a, "? (%s)", short_src(id->src));
	return arena_printf(a, "%ld (%s)", id->id, short_src(id->src));
}

static const char *groups_cell(struct arena *a, const struct sim_result *r)
{
	if (!r->ngroups)
		return "-";
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < r->ngroups; i++)
		buf_printf(&b, "%s%ld (%s)", i ? ", " : "", r->groups[i].id,
			   short_src(r->groups[i].src));
	const char *s = b.data ? arena_strdup(a, b.data) : "-";
	buf_release(&b);
	return s;
}

static const char *verdict(struct arena *a, const struct sim_result *r)
{
	if (r->start == SIM_REFUSED)
		return arena_printf(a, "refused (%s)", r->refusals[0].by);
	size_t fatal = 0, unknown = 0;
	for (size_t i = 0; i < r->nchecks; i++) {
		fatal += sim_check_failed(&r->checks[i]) && r->checks[i].fatal;
		unknown += r->checks[i].unknown && r->checks[i].fatal;
	}
	if (fatal)
		return arena_printf(a, "breaks: %zu check%s fail%s", fatal, fatal == 1 ? "" : "s",
				    fatal == 1 ? "s" : "");
	if (r->start == SIM_START_UNKNOWN)
		return "unknown: USER is a name";
	if (unknown)
		return arena_printf(a, "unknown: %zu check%s depend%s on modes the build decides",
				    unknown, unknown == 1 ? "" : "s", unknown == 1 ? "s" : "");
	if (r->nfailed)
		return "starts (warnings)";
	return "starts";
}

static void line_col(struct source *src, size_t off, unsigned *line, unsigned *col)
{
	*line = *col = 0;
	if (src)
		source_position(src, off, line, col);
}

static void text_row_details(struct buf *b, struct arena *a, const struct sim_row *row, bool color)
{
	const struct sim_result *r = &row->r;
	const char *red = color ? "\033[31m" : "", *yel = color ? "\033[33m" : "",
		   *off = color ? "\033[0m" : "";
	buf_printf(b, "%s on %s: %s", where(a, row), sim_platform_name(r->platform),
		   sim_id_string(a, r));
	if (r->user_name)
		buf_printf(b, " (%s)", r->user_name);
	if (r->home)
		buf_printf(b, ", HOME %s", r->home);
	buf_putc(b, '\n');
	buf_printf(b, "  uid: %s\n", r->uid.detail ? r->uid.detail : "?");
	buf_printf(b, "  gid: %s\n", r->gid.detail ? r->gid.detail : "?");
	for (size_t i = 0; i < r->ngroups; i++)
		buf_printf(b, "  group %ld: %s\n", r->groups[i].id,
			   r->groups[i].detail ? r->groups[i].detail : "");
	if (r->passwd_injected)
		buf_printf(b, "  passwd: the runtime adds %s\n", r->passwd_entry);
	else if (r->passwd_note)
		buf_printf(b, "  passwd: %s\n", r->passwd_note);
	for (size_t i = 0; i < r->nrefusals; i++) {
		const struct sim_refusal *x = &r->refusals[i];
		struct source *src = x->in_image && r->view ? r->image_src : row->src;
		unsigned line, col;
		line_col(src, x->start, &line, &col);
		buf_printf(b, "  %srefused by %s%s: %s", red, x->by, off, x->message);
		if (line)
			buf_printf(b, " (%s:%u:%u)", src->path ? src->path : row->input, line, col);
		buf_putc(b, '\n');
		if (x->fix)
			buf_printf(b, "    fix: %s\n", x->fix);
	}
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct sim_check *c = &r->checks[i];
		if (c->ok)
			continue;
		buf_printf(b, "  %s%s%s %s %s (%s): %s\n",
			   c->unknown ? yel
			   : c->fatal ? red
				      : yel,
			   c->unknown ? "UNKNOWN"
			   : c->fatal ? "FAIL"
				      : "warn",
			   off, sim_check_name(c->kind), c->path, want_str(c->want),
			   c->why ? c->why : "");
		if (c->fix)
			buf_printf(b, "    %s: %s\n", c->unknown ? "to be sure" : "fix", c->fix);
	}
	size_t passed = 0;
	for (size_t i = 0; i < r->nchecks; i++)
		passed += r->checks[i].ok;
	if (r->nchecks || r->view)
		buf_printf(b, "  %zu check%s passed%s\n", passed, passed == 1 ? "" : "s",
			   r->from_image ? " (and every app path not listed)" : "");
	if (r->app_skipped)
		buf_printf(b, "  %zu app paths beyond the first %d were not checked\n",
			   r->app_skipped, SIM_MAX_APP_PATHS);
	for (size_t i = 0; i < r->nunchecked; i++)
		buf_printf(b, "  not checked: %s\n", r->unchecked[i]);
}

static void write_text(struct buf *b, struct arena *a, const struct sim_report *rep, bool color)
{
	size_t w[5] = {8, 9, 3, 3, 6};
	const char *cells[5];
	for (size_t i = 0; i < rep->nrows; i++) {
		const struct sim_row *row = &rep->rows[i];
		cells[0] = sim_platform_name(row->r.platform);
		cells[1] = where(a, row);
		cells[2] = id_cell(a, &row->r.uid);
		cells[3] = id_cell(a, &row->r.gid);
		cells[4] = groups_cell(a, &row->r);
		for (size_t k = 0; k < 5; k++)
			if (cells[k] && strlen(cells[k]) > w[k])
				w[k] = strlen(cells[k]);
	}
	buf_printf(b, "%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", (int)w[0], "PLATFORM", (int)w[1],
		   "CONTAINER", (int)w[2], "UID", (int)w[3], "GID", (int)w[4], "GROUPS", "RESULT");
	for (size_t i = 0; i < rep->nrows; i++) {
		const struct sim_row *row = &rep->rows[i];
		buf_printf(b, "%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", (int)w[0],
			   sim_platform_name(row->r.platform), (int)w[1], where(a, row), (int)w[2],
			   id_cell(a, &row->r.uid), (int)w[3], id_cell(a, &row->r.gid), (int)w[4],
			   groups_cell(a, &row->r), verdict(a, &row->r));
	}
	for (size_t i = 0; i < rep->nrows; i++) {
		buf_putc(b, '\n');
		text_row_details(b, a, &rep->rows[i], color);
	}
}

/* --- JSON ------------------------------------------------------------------------ */

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *jid(const struct sim_id *id)
{
	return json_pack("{s:o,s:s,s:o}", "id", id->id >= 0 ? json_integer(id->id) : json_null(),
			 "source", sim_source_name(id->src), "detail", jstr(id->detail));
}

static json_t *jpos(struct source *src, size_t off)
{
	unsigned line, col;
	line_col(src, off, &line, &col);
	if (!line)
		return json_null();
	return json_pack("{s:s,s:i,s:i}", "path", src->path ? src->path : "", "line", (int)line,
			 "column", (int)col);
}

static json_t *jrow(struct arena *a, const struct sim_row *row)
{
	const struct sim_result *r = &row->r;
	json_t *groups = json_array();
	for (size_t i = 0; i < r->ngroups; i++)
		json_array_append_new(groups, jid(&r->groups[i]));
	json_t *refusals = json_array();
	for (size_t i = 0; i < r->nrefusals; i++) {
		const struct sim_refusal *x = &r->refusals[i];
		struct source *src = x->in_image && r->view ? r->image_src : row->src;
		json_array_append_new(refusals, json_pack("{s:s,s:s,s:o,s:o}", "by", x->by,
							  "message", x->message, "fix",
							  jstr(x->fix), "at", jpos(src, x->start)));
	}
	json_t *checks = json_array();
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct sim_check *c = &r->checks[i];
		/* "ok" is null when the outcome is unknown: neither a pass nor a failure. */
		json_t *o =
		    json_pack("{s:s,s:s,s:s,s:o,s:b}", "check", sim_check_name(c->kind), "path",
			      c->path ? c->path : "", "want", want_str(c->want), "ok",
			      c->unknown ? json_null() : json_boolean(c->ok), "fatal", c->fatal);
		if (!c->ok) {
			json_object_set_new(o, "at", jstr(c->at));
			json_object_set_new(o, "owner",
					    c->owner >= 0 ? json_integer(c->owner) : json_null());
			json_object_set_new(o, "group",
					    c->group >= 0 ? json_integer(c->group) : json_null());
			json_object_set_new(o, "mode",
					    c->mode >= 0
						? json_string(arena_printf(a, "%04o", c->mode))
						: json_null());
			json_object_set_new(o, "missing", json_boolean(c->missing));
			json_object_set_new(o, "why", jstr(c->why));
			json_object_set_new(o, "fix", jstr(c->fix));
		}
		json_array_append_new(checks, o);
	}
	json_t *unchecked = json_array();
	for (size_t i = 0; i < r->nunchecked; i++)
		json_array_append_new(unchecked, json_string(r->unchecked[i]));
	const struct sim_check *first = sim_first_failure(r);
	const char *start = r->start == SIM_STARTS    ? "yes"
			    : r->start == SIM_REFUSED ? "no"
						      : "unknown";
	json_t *o = json_object();
	json_object_set_new(o, "platform", json_string(sim_platform_name(r->platform)));
	json_object_set_new(o, "input", jstr(row->input));
	json_object_set_new(o, "object", jstr(row->object));
	json_object_set_new(o, "container", jstr(row->container));
	json_object_set_new(o, "image", jstr(row->image));
	json_object_set_new(o, "paired", jstr(row->paired));
	json_object_set_new(o, "user", jstr(r->user));
	json_object_set_new(o, "user_name", jstr(r->user_name));
	json_object_set_new(o, "uid", jid(&r->uid));
	json_object_set_new(o, "gid", jid(&r->gid));
	json_object_set_new(o, "groups", groups);
	json_object_set_new(o, "id", jstr(sim_id_string(a, r)));
	json_object_set_new(o, "home", jstr(r->home));
	json_object_set_new(o, "home_from", jstr(r->home_from));
	json_object_set_new(o, "passwd",
			    json_pack("{s:b,s:o,s:o}", "injected", r->passwd_injected, "entry",
				      jstr(r->passwd_entry), "note", jstr(r->passwd_note)));
	json_object_set_new(o, "starts", json_string(start));
	json_object_set_new(o, "refusals", refusals);
	json_object_set_new(o, "checks", checks);
	json_object_set_new(o, "app_paths_not_checked", json_integer((json_int_t)r->app_skipped));
	json_object_set_new(o, "unchecked", unchecked);
	json_object_set_new(o, "first_failure",
			    first ? json_string(first->at ? first->at : first->path) : json_null());
	json_object_set_new(o, "breaks", json_boolean(r->breaks));
	return o;
}

static void write_json(struct buf *b, struct arena *a, const struct sim_report *rep,
		       struct lint_run *run)
{
	json_t *root = json_object();
	json_object_set_new(root, "tool",
			    json_pack("{s:s,s:s}", "name", "unroot", "version", UNROOT_VERSION));
	json_object_set_new(root, "schema", json_integer(SIM_SCHEMA));
	json_t *rows = json_array();
	size_t refused = 0, broken = 0;
	for (size_t i = 0; i < rep->nrows; i++) {
		json_array_append_new(rows, jrow(a, &rep->rows[i]));
		refused += rep->rows[i].r.start == SIM_REFUSED;
		broken += rep->rows[i].r.breaks;
	}
	json_object_set_new(root, "results", rows);
	json_t *errors = json_array();
	const struct diag_list *dl = lint_run_diags(run);
	for (size_t i = 0; i < dl->n; i++) {
		const struct diag *d = &dl->items[i];
		unsigned line, col, el, ec;
		diag_position(d, &line, &col, &el, &ec);
		json_array_append_new(
		    errors, json_pack("{s:s,s:s,s:i,s:i,s:s}", "rule", d->rule->code, "path",
				      d->path ? d->path : "", "line", (int)line, "column", (int)col,
				      "message", d->message ? d->message : ""));
	}
	json_object_set_new(root, "errors", errors);
	json_object_set_new(root, "summary",
			    json_pack("{s:I,s:I,s:I}", "results", (json_int_t)rep->nrows, "refused",
				      (json_int_t)refused, "broken", (json_int_t)broken));
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s) {
		buf_puts(b, s);
		buf_putc(b, '\n');
		free(s);
	} else {
		b->failed = true;
	}
	json_decref(root);
}

/* --- the command ------------------------------------------------------------------- */

static int read_stdin(struct lint_run *run, struct sim_report *rep, const struct cli *cli)
{
	struct buf in;
	buf_init(&in);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		buf_add(&in, chunk, n);
		if (in.len > cli->opts.limits.file_size)
			break;
	}
	if (in.failed) {
		buf_release(&in);
		return -1;
	}
	sim_add_buffer(run, rep, "-", in.data ? in.data : "", in.len, cli->opts.type);
	buf_release(&in);
	return 0;
}

int cmd_simulate(int argc, char **argv)
{
	struct cli cli;
	int rc = cli_parse("simulate", argc, argv, &cli);
	if (rc) {
		cli_release(&cli);
		return rc < 0 ? 0 : rc;
	}
	if (strcmp(cli.format, "text") != 0 && strcmp(cli.format, "json") != 0) {
		fprintf(stderr, "unroot simulate: -f takes text or json, not '%s'\n", cli.format);
		cli_release(&cli);
		return 2;
	}
	if (cli.npaths == 0) {
		fprintf(stderr, "unroot simulate: no input given\nTry 'unroot simulate --help'.\n");
		cli_release(&cli);
		return 2;
	}
	cli_image_progress(&cli);
	struct lint_run *run = lint_run_new(&cli.opts);
	struct sim_report rep;
	if (!run || sim_report_init(run, &rep) != 0) {
		fprintf(stderr, "unroot: out of memory\n");
		lint_run_free(run);
		cli_release(&cli);
		return 2;
	}
	for (size_t i = 0; i < cli.npaths; i++) {
		if (strcmp(cli.paths[i], "-") == 0) {
			/* Manifests are what simulate reads from stdin, helm template output
			 * included. */
			if (cli.opts.type == KIND_NONE || cli.opts.type == KIND_HELM)
				cli.opts.type = KIND_K8S;
			if (read_stdin(run, &rep, &cli) != 0) {
				fprintf(stderr, "unroot: out of memory reading stdin\n");
				lint_run_free(run);
				cli_release(&cli);
				return 2;
			}
			continue;
		}
		sim_add_path(run, &rep, cli.paths[i]);
	}
	lint_run_finish(run);
	struct arena *a = lint_run_arena(run);
	struct buf b;
	buf_init(&b);
	size_t ninputs;
	const char *const *inputs = lint_run_inputs(run, &ninputs);
	struct out_file of;
	if (cli_output_is_input(&cli, "simulate", inputs, ninputs) ||
	    !out_open(&of, "simulate", cli.output)) {
		buf_release(&b);
		lint_run_free(run);
		cli_release(&cli);
		return 2;
	}
	FILE *out = of.fp;
	if (strcmp(cli.format, "json") == 0)
		write_json(&b, a, &rep, run);
	else
		write_text(&b, a, &rep, !cli.output && cli_use_color(&cli, out));
	int status = lint_run_had_input_error(run)		   ? 2
		     : sim_report_breaks(&rep, cli.opts.platforms) ? 1
								   : 0;
	if (strcmp(cli.format, "json") != 0 || !cli.quiet)
		cli_print_errors(&cli, run);
	bool written = !b.failed && (!b.len || fwrite(b.data, 1, b.len, out) == b.len);
	if (!written) {
		fprintf(stderr, "unroot: cannot write the report\n");
		status = 2;
	}
	if (!out_close(&of, written))
		status = 2;
	buf_release(&b);
	lint_run_free(run);
	cli_release(&cli);
	return status;
}
