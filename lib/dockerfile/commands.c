/*
 * commands.c - what the final image's commands do, read once into the
 * Dockerfile model: every command of its RUN lines (heredoc bodies, exec
 * forms, and the build-context scripts those lines run included) and of its
 * final ENTRYPOINT and CMD (and the entrypoint script they run) that creates
 * or changes accounts, changes owners, groups or modes, writes /etc/passwd
 * or drops privileges, in build order, with the text each stands in. The
 * image view and every Dockerfile rule read these; none reads shell text.
 *
 * Scripts from the build context are read only when a COPY/ADD of the final
 * chain brought them in, only from inside the context folder (no "..", no
 * symlink leading out), and with the run's file size limit (context.c).
 */
#include "commands.h"
#include "dockerfile.h"
#include "image/image.h"
#include "shell/shell.h"
#include "unroot/arena.h"
#include "unroot/source.h"
#include "util/reading.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

/* Context scripts read for one Dockerfile at most. */
#define MAX_SCRIPTS 64

size_t df_text_src(const struct df_text *t, size_t off)
{
	if (t->logical)
		return df_text_to_src(t->in, off);
	size_t s = t->base + off;
	return s > t->src->len ? t->src->len : s;
}

void df_command_span(const struct df_command *cmd, size_t *start, size_t *end)
{
	const struct sh_cmd *c = cmd->f->cmd;
	size_t from = c->start;
	if (cmd->f->tool_index < c->argc)
		from = c->argv[cmd->f->tool_index].start;
	/* a wrapper before the tool is part of the command as people read it */
	if (c->argc && c->argv[0].start < from)
		from = c->argv[0].start;
	*start = df_text_src(cmd->t, from);
	*end = df_text_src(cmd->t, c->end);
	if (*end < *start)
		*end = *start;
}

long df_id(const char *s)
{
	if (!s || !*s)
		return -1;
	if (strcmp(s, "root") == 0)
		return 0;
	long v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || v > 100000000000L)
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v;
}

long df_account_uid(const struct dockerfile *df, const char *name, size_t before, bool literal)
{
	bool made = false;
	for (size_t i = df->naccounts; name && i-- > 0;) {
		const struct df_account *a = &df->accounts[i];
		if (a->at >= before || strcmp(a->name, name) != 0)
			continue;
		made = true;
		if (!literal || a->literal)
			return a->uid;
	}
	/* An account of the base image (--pull read its /etc/passwd), unless the Dockerfile makes
	 * it. */
	const struct passwd_entry *pe =
	    name && !made && df->base_db ? passwd_by_name(df->base_db, name) : NULL;
	return pe ? pe->uid : -1;
}

/* The commands of one list (the RUN lines, or the entrypoint) as they are read. */
struct reader_list {
	struct reading *rd;
	struct dockerfile *df;
	struct df_command *items;
	size_t n, cap;
	struct df_context *context; /* the build context's files (context.c) */
	const char **read;	    /* scripts read so far */
	size_t nread, capread;
	/* texts the shell reader gave up on, already reported (by source and offset) */
	struct df_gave_up *gave_up;
	bool *scripts_capped;  /* the context scripts past MAX_SCRIPTS were reported */
	size_t folder_lookups; /* files looked for in copied folders (context.c) */
	bool writes;	       /* the entrypoint: what its commands write goes to df->writes */
	size_t capwrites;
};

/* The final stage chain, root first, into df->chain. */
static int final_chain(struct arena *a, struct dockerfile *df)
{
	int final = df_final_stage(df);
	if (final < 0)
		return 0;
	size_t k = 0;
	for (int s = final; s >= 0 && k <= df->nstages; s = df->stages[s].parent)
		k++;
	df->chain = arena_alloc(a, k * sizeof(*df->chain));
	if (!df->chain)
		return -1;
	size_t i = k;
	for (int s = final; s >= 0 && i > 0; s = df->stages[s].parent)
		df->chain[--i] = s;
	df->nchain = k;
	return 0;
}

/* The COPY and ADD lines of the final image, none for a Windows image. */
static int final_copies(struct arena *a, struct dockerfile *df)
{
	size_t cap = 0;
	if (!df->nchain || df_stage_is_windows(df, df->chain[df->nchain - 1]))
		return 0;
	for (size_t c = 0; c < df->nchain; c++) {
		const struct df_stage *st = &df->stages[df->chain[c]];
		for (size_t i = st->first; i < st->last; i++) {
			const struct df_instr *in = &df->instrs[i];
			if (in->cmd != DF_COPY && in->cmd != DF_ADD)
				continue;
			const struct df_instr **slot = ARR_PUSH(a, df->copies, df->ncopies, cap);
			if (!slot)
				return -1;
			*slot = in;
		}
	}
	return 0;
}

static bool is_shell_name(const char *p)
{
	const char *b = strrchr(p, '/');
	b = b ? b + 1 : p;
	if (!strchr("sbdakz", b[0]) || !b[0] || strlen(b) > 4)
		return false; /* most programs, at a glance */
	return strcmp(b, "sh") == 0 || strcmp(b, "bash") == 0 || strcmp(b, "dash") == 0 ||
	       strcmp(b, "ash") == 0 || strcmp(b, "ksh") == 0 || strcmp(b, "zsh") == 0;
}

static void add_findings(struct reader_list *H, const struct df_text *t, const struct sh_script *sc)
{
	struct sh_finding *f = NULL;
	size_t n = 0;
	if (sh_find(H->rd->scratch, sc, &f, &n) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		/* a branch the build's ARG and ENV values rule out does nothing in this image */
		const struct sh_cond *unknown = NULL;
		if (f[i].cmd->cond && df_branch(H->rd->scratch, H->df, t, f[i].cmd, &unknown) < 0)
			continue;
		struct df_command *h = ARR_PUSH(H->rd->scratch, H->items, H->n, H->cap);
		if (!h)
			return;
		h->f = &f[i];
		h->t = t;
		h->unknown = unknown;
	}
	struct sh_write *w = NULL;
	size_t nw = 0;
	if (!H->writes || sh_writes(H->rd->scratch, sc, &w, &nw) != 0)
		return;
	for (size_t i = 0; i < nw; i++) {
		struct df_write *x =
		    ARR_PUSH(H->rd->scratch, H->df->writes, H->df->nwrites, H->capwrites);
		if (!x)
			return;
		x->w = &w[i];
		x->t = t;
		x->errexit = sh_errexit_before(sc, w[i].cmd->start);
	}
}

static struct df_text *new_text(struct reader_list *H, const struct df_text *tmpl)
{
	struct df_text *t = arena_alloc(H->rd->scratch, sizeof(*t));
	if (t)
		*t = *tmpl;
	return t;
}

/* A body starting with #! that names no POSIX shell is some other language. */
static bool shell_body(const char *body)
{
	if (strncmp(body, "#!", 2) != 0)
		return true;
	size_t n = strcspn(body, "\n");
	char line[256];
	if (n >= sizeof(line))
		return false;
	memcpy(line, body, n);
	line[n] = '\0';
	return strstr(line, "/sh") || strstr(line, "bash") || strstr(line, "dash") ||
	       strstr(line, "ash") || strstr(line, " sh");
}

/*
 * A text the shell reader gave up on (nesting past its limits): an NR000
 * where it stopped, once, so that what the text's commands do is not lost
 * without a word. A text the shell refuses too (an unterminated quote) runs
 * nothing, and has nothing to find: it stays quiet, as BuildKit is when it
 * takes a broken exec form for shell form. A full arena is the reader's own
 * NR000.
 */
static void gave_up(struct reader_list *H, const struct df_text *t, size_t start, size_t end,
		    const struct sh_error *err)
{
	struct reading *rd = H->rd;
	if (!err->limit || arena_failed(rd->scratch) || arena_failed(rd->arena))
		return;
	struct df_gave_up *g = H->gave_up;
	for (size_t i = 0; i < g->n; i++)
		if (g->items[i].src == t->src && g->items[i].at == start)
			return;
	struct df_gave_up_at *at = ARR_PUSH(rd->scratch, g->items, g->n, g->cap);
	if (at)
		*at = (struct df_gave_up_at){t->src, start};
	const char *what = t->in_script ? "this script"
			   : t->in	? arena_printf(rd->arena, "this %s line", t->in->keyword)
					: "this text";
	const char *runner = "";
	if (t->in_script && t->in) {
		unsigned line = 1, col = 1;
		source_position(H->df->src, t->in->start, &line, &col);
		runner = arena_printf(rd->arena, " (run by line %u of %s)", line, rd->path);
	}
	reading_error(rd, t->path, t->src, start, end,
		      "%s: unroot's shell reader gives up on %s%s, so its commands were not "
		      "checked",
		      err->message, what ? what : "this text", runner ? runner : "");
}

/* Parses t into sc and adds its findings. */
static bool parse_text(struct reader_list *H, struct df_text *t, struct sh_script *sc)
{
	struct sh_error err;
	if (!t)
		return false;
	if (sh_parse(H->rd->scratch, t->text, strlen(t->text), sc, &err) != 0) {
		gave_up(H, t, df_text_src(t, err.start), df_text_src(t, err.end), &err);
		return false;
	}
	add_findings(H, t, sc);
	return true;
}

/* Reads and parses a script from the build context; NULL when there is none. */
/*
 * Programs that only run as root in a privileged container: container
 * engines and the node agent, which mount, manage cgroups and network
 * namespaces, and set up iptables (their rootless modes are other programs:
 * dockerd-rootless.sh, rootlesskit).
 */
static const char *root_program(const struct sh_script *sc)
{
	static const char *const names[] = {"dockerd", "containerd", "kubelet"};
	for (size_t i = 0; i < sc->ncmds; i++) {
		const struct sh_cmd *c = &sc->cmds[i];
		size_t k = sh_program(c);
		/* set -- dockerd ...; exec "$@" */
		if (k + 2 < c->argc && strcmp(c->argv[k].value, "set") == 0 &&
		    strcmp(c->argv[k + 1].value, "--") == 0)
			k += 2;
		if (k >= c->argc)
			continue;
		const char *p = strrchr(c->argv[k].value, '/');
		p = p ? p + 1 : c->argv[k].value;
		for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++)
			if (strcmp(p, names[j]) == 0)
				return names[j];
	}
	return NULL;
}

/* Where a script first changes its arguments (`shift`, `set --`): $1 is what the image passed
 * only before that. */
static size_t moves_args(const char *text)
{
	size_t at = SIZE_MAX;
	for (const char *p = text; (p = strstr(p, "shift")) != NULL; p += 5)
		if ((p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) &&
		    !(isalnum((unsigned char)p[5]) || p[5] == '_')) {
			at = (size_t)(p - text);
			break;
		}
	const char *set = strstr(text, "set --");
	if (set && (size_t)(set - text) < at)
		at = (size_t)(set - text);
	return at;
}

static struct df_text *read_script(struct reader_list *H, const char *program,
				   const struct df_instr *runner, const struct df_instr *before,
				   const char *const *args, size_t nargs)
{
	struct reading *rd = H->rd;
	/* past the limit, and said so: no more look-ups, which stat and resolve paths */
	if (H->nread >= MAX_SCRIPTS && *H->scripts_capped)
		return NULL;
	const char *rel;
	const char *full =
	    df_context_script(H->context, program, runner, before, &H->folder_lookups, &rel);
	if (!full)
		return NULL;
	/* each script is read once, for the first instruction that runs it */
	for (size_t i = 0; i < H->nread; i++)
		if (strcmp(H->read[i], full) == 0)
			return NULL;
	if (H->nread >= MAX_SCRIPTS) {
		/* said once an input: the scripts past the limit are not read */
		if (!*H->scripts_capped) {
			*H->scripts_capped = true;
			reading_error(rd, NULL, H->df->src, runner->start, runner->end,
				      "this runs '%s', a script from the build context past the "
				      "first %d that unroot reads for one Dockerfile; it and the "
				      "later ones were not checked",
				      rel, MAX_SCRIPTS);
		}
		return NULL;
	}
	const char **slot = ARR_PUSH(rd->scratch, H->read, H->nread, H->capread);
	if (!slot)
		return NULL;
	*slot = full;
	const char *why;
	size_t limit = rd->opts->limits.file_size;
	/* a file of the build context: a pipe or device in its place is passed over */
	struct source *src = source_read_file(rd->arena, full, limit, &why);
	if (!src || memchr(src->data, '\0', src->len) || !shell_body(src->data))
		return NULL;
	struct df_text t = {
	    .text = src->data, .src = src, .path = full, .in = runner, .in_script = true};
	if (args) {
		t.args = args;
		t.nargs = nargs;
		t.args_until = moves_args(src->data);
	}
	struct df_text *nt = new_text(H, &t);
	struct sh_script sc;
	/* a script's commands are not followed further; it is read whole, as every text is, so
	 * each command knows the if around it (a drop taken only when started as root) */
	if (!nt || !parse_text(H, nt, &sc))
		return NULL;
	if (runner->cmd != DF_RUN && !H->df->needs_root)
		H->df->needs_root = root_program(&sc);
	return nt;
}

/* The program a command runs and, for `sh script`, the script. */
static const char *program_of(const struct sh_cmd *c)
{
	size_t i = sh_program(c);
	if (i >= c->argc)
		return NULL;
	const char *p = c->argv[i].value;
	if (is_shell_name(p)) {
		for (size_t j = i + 1; j < c->argc; j++) {
			const char *a = c->argv[j].value;
			if (a[0] == '-' || a[0] == '+') {
				if (strchr(a, 'c') && a[1] != '-')
					return NULL; /* sh -c: the string was parsed already */
				continue;
			}
			return a;
		}
		return NULL;
	}
	return p;
}

static void scripts_of(struct reader_list *H, const struct sh_script *sc, const struct df_instr *in,
		       const struct df_instr *before)
{
	for (size_t i = 0; i < sc->ncmds; i++) {
		const char *p = program_of(&sc->cmds[i]);
		if (p && (strchr(p, '/') || strstr(p, ".sh")))
			read_script(H, p, in, before, NULL, 0);
	}
}

/* The heredoc of `in` whose delimiter is `name`. */
static const struct df_heredoc *heredoc_named(const struct df_instr *in, const char *name)
{
	for (size_t i = 0; i < in->nheredocs; i++)
		if (strcmp(in->heredocs[i].name, name) == 0)
			return &in->heredocs[i];
	return NULL;
}

static void heredoc_script(struct reader_list *H, const struct df_instr *in,
			   const struct df_heredoc *h, const struct df_instr *next)
{
	if (!shell_body(h->body))
		return;
	struct df_text t = {
	    .text = h->body, .src = H->df->src, .path = H->rd->path, .in = in, .base = h->start};
	struct sh_script sc;
	struct df_text *nt = new_text(H, &t);
	if (nt && parse_text(H, nt, &sc))
		scripts_of(H, &sc, in, next);
}

/* A shell-form instruction, or the JSON form read as argv (with sh -c strings parsed). */
static bool instr_script(struct reader_list *H, const struct df_instr *in, struct sh_script *sc,
			 const struct df_instr *next)
{
	struct reading *rd = H->rd;
	if (in->json) {
		/* Quote each element so the shell reader sees the same argv. */
		size_t len = 1;
		for (size_t k = 0; k < in->nargs; k++)
			len += 4 * strlen(in->args[k].text) + 3;
		char *buf = arena_alloc(rd->scratch, len);
		if (!buf)
			return false;
		size_t n = 0;
		for (size_t k = 0; k < in->nargs; k++) {
			buf[n++] = '\'';
			for (const char *p = in->args[k].text; *p; p++) {
				if (*p == '\'') {
					memcpy(buf + n, "'\\''", 4);
					n += 4;
				} else {
					buf[n++] = *p;
				}
			}
			buf[n++] = '\'';
			buf[n++] = ' ';
		}
		buf[n] = '\0';
		/*
		 * The re-quoted text is only for the shell reader: the commands get the
		 * spans of the JSON elements, relative to the instruction, and the text
		 * shown is the instruction's own.
		 */
		struct df_text t = {.text = H->df->src->data + in->start,
				    .src = H->df->src,
				    .path = rd->path,
				    .in = in,
				    .base = in->start};
		struct df_text *nt = new_text(H, &t);
		if (!nt)
			return false;
		nt->base = in->start;
		struct sh_error err;
		if (sh_parse(rd->scratch, buf, n, sc, &err) != 0) {
			/* the re-quoted text has no place in the file: point at the instruction */
			gave_up(H, nt, in->start, in->end, &err);
			return false;
		}
		for (size_t i = 0; i < sc->ncmds; i++) {
			struct sh_cmd *c = &sc->cmds[i];
			c->start = c->end = 0;
			for (size_t k = 0; k < c->argc; k++) {
				size_t el = k < in->nargs ? k : in->nargs - 1;
				c->argv[k].start = c->argv[k].end = 0;
				if (c->depth == 0 && in->nargs) {
					c->argv[k].start = in->args[el].start - in->start;
					c->argv[k].end = in->args[el].end - in->start;
				}
			}
			if (c->argc) {
				c->start = c->argv[0].start;
				c->end = c->argv[c->argc - 1].end;
			}
			if (c->depth > 0 || !c->argc)
				c->end = in->end - in->start;
		}
		add_findings(H, nt, sc);
		return true;
	}
	struct df_text t = {
	    .text = in->text, .src = H->df->src, .path = rd->path, .in = in, .logical = true};
	struct df_text *nt = new_text(H, &t);
	if (!nt || !parse_text(H, nt, sc))
		return false;
	if (in->nheredocs) {
		const char *p = in->text;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "<<", 2) == 0 && !strpbrk(p, " \t")) {
			heredoc_script(H, in, &in->heredocs[0], next);
		} else {
			for (size_t i = 0; i < sc->ncmds; i++) {
				const struct sh_cmd *c = &sc->cmds[i];
				size_t pi = sh_program(c);
				bool sh = pi >= c->argc
					      ? c->argc == 0
					      : is_shell_name(c->argv[pi].value) && !program_of(c);
				for (size_t k = 0; sh && k < c->nredirs; k++) {
					const char *op = c->redirs[k].op;
					const struct df_heredoc *h;
					if (strstr(op, "<<") && !strstr(op, "<<<") &&
					    (h = heredoc_named(in, c->redirs[k].target.value)))
						heredoc_script(H, in, h, next);
				}
			}
		}
	}
	return true;
}

/* What the RUN lines of the final chain do, scripts they run from the context included. */
static void run_commands(struct reader_list *H)
{
	struct dockerfile *df = H->df;
	for (size_t c = 0; c < df->nchain; c++) {
		const struct df_stage *st = &df->stages[df->chain[c]];
		if (df_stage_is_windows(df, df->chain[c]))
			continue;
		for (size_t i = st->first; i < st->last; i++) {
			const struct df_instr *run = &df->instrs[i];
			if (run->cmd != DF_RUN)
				continue;
			struct sh_script sc;
			if (instr_script(H, run, &sc, run) && !run->json)
				scripts_of(H, &sc, run, run);
		}
	}
}

/*
 * The arguments the script `p` of command `c` gets: the words after it and,
 * when `in` is an exec-form ENTRYPOINT, the exec-form CMD `cmd`; NULL when a
 * word is a variable or the command is not the instruction's own.
 */
static const char *const *script_args(struct reader_list *H, const struct sh_cmd *c, const char *p,
				      const struct df_instr *in, const struct df_instr *cmd,
				      size_t *n)
{
	if (c->depth || !in->json)
		return NULL;
	size_t j = 0;
	while (j < c->argc && c->argv[j].value != p)
		j++;
	if (j >= c->argc)
		return NULL;
	size_t extra = cmd && cmd->json ? cmd->nargs : 0;
	if (cmd && !cmd->json)
		return NULL; /* a shell-form CMD gives `/bin/sh -c ...` */
	const char **args = arena_alloc(H->rd->scratch, (c->argc - j + extra + 1) * sizeof(*args));
	if (!args)
		return NULL;
	*n = 0;
	for (size_t k = j + 1; k < c->argc; k++) {
		if (c->argv[k].expands)
			return NULL;
		args[(*n)++] = c->argv[k].value;
	}
	for (size_t k = 0; k < extra; k++)
		args[(*n)++] = cmd->args[k].text;
	return args;
}

/* What the final ENTRYPOINT and CMD do, and the entrypoint script they run. */
static void entry_commands(struct reader_list *H)
{
	struct dockerfile *df = H->df;
	const struct df_instr *ep = NULL, *cmd = NULL;
	if (!df->nchain || df_stage_is_windows(df, df->chain[df->nchain - 1]))
		return;
	for (size_t c = 0; c < df->nchain; c++) {
		const struct df_stage *st = &df->stages[df->chain[c]];
		bool cmd_here = false;
		for (size_t i = st->first; i < st->last; i++) {
			const struct df_instr *in = &df->instrs[i];
			if (in->cmd == DF_CMD) {
				cmd = in;
				cmd_here = true;
			} else if (in->cmd == DF_ENTRYPOINT) {
				ep = in;
				if (!cmd_here)
					cmd = NULL; /* ENTRYPOINT resets an inherited CMD */
			}
		}
	}
	const struct df_instr *both[2] = {ep, cmd};
	bool program_seen = false;
	for (int k = 0; k < 2; k++) {
		const struct df_instr *in = both[k];
		struct sh_script sc;
		if (!in || !instr_script(H, in, &sc, NULL))
			continue;
		if (!df->needs_root)
			df->needs_root = root_program(&sc);
		if (program_seen)
			continue; /* CMD only gives arguments to a real ENTRYPOINT program */
		for (size_t i = 0; i < sc.ncmds; i++) {
			const char *p = program_of(&sc.cmds[i]);
			if (p) {
				program_seen = true;
				size_t nargs = 0;
				const char *const *args =
				    script_args(H, &sc.cmds[i], p, in, k == 0 ? cmd : NULL, &nargs);
				read_script(H, p, in, NULL, args, nargs);
			}
		}
	}
}

/* useradd -u ${uid} ${user}: the accounts the RUN lines create, numbered with the ARG/ENV values.
 */
static int accounts(struct reading *rd, struct dockerfile *df)
{
	size_t cap = 0;
	for (size_t i = 0; i < df->nrun; i++) {
		const struct sh_finding *f = df->run[i].f;
		const struct df_instr *in = df->run[i].t->in;
		if (f->kind != SH_USER_ADD || !f->name)
			continue;
		const char *name = df_expand_known(rd->arena, df, in, f->name);
		long uid =
		    f->uid >= 0 ? f->uid : df_id(df_expand_known(rd->arena, df, in, f->uid_text));
		if (!name || uid < 0)
			continue;
		struct df_account *a = ARR_PUSH(rd->scratch, df->accounts, df->naccounts, cap);
		if (!a)
			return -1;
		*a = (struct df_account){
		    .name = name, .uid = uid, .at = i, .literal = name == f->name && f->uid >= 0};
	}
	return 0;
}

int df_read_commands(struct reading *rd, struct dockerfile *df)
{
	struct df_gave_up gave_up = {0};
	bool scripts_capped = false;
	if (final_chain(rd->scratch, df) != 0 || final_copies(rd->scratch, df) != 0)
		return -1;
	if (!df->nchain)
		return 0;
	struct df_context *context = df_context_new(rd, df);
	if (!context)
		return -1;
	struct reader_list run = {.rd = rd,
				  .df = df,
				  .context = context,
				  .gave_up = &gave_up,
				  .scripts_capped = &scripts_capped};
	run_commands(&run);
	df->run = run.items;
	df->nrun = run.n;
	struct reader_list entry = {.rd = rd,
				    .df = df,
				    .context = context,
				    .gave_up = &gave_up,
				    .scripts_capped = &scripts_capped,
				    .writes = true};
	entry_commands(&entry);
	df->entry = entry.items;
	df->nentry = entry.n;
	if (accounts(rd, df) != 0)
		return -1;
	return arena_failed(rd->scratch) || arena_failed(rd->arena) ? -1 : 0;
}
