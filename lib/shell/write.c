/*
 * write.c - what the commands of a script write: the files and folders they
 * create or change, the archives they unpack, the owners and modes they
 * change. The Dockerfile model reads an entrypoint's writes with it, to
 * tell which of them the process cannot make once it runs as a non-root
 * uid (OpenShift's arbitrary uid owns none of the image's files).
 */
#include "internal.h"
#include "unroot/arena.h"

#include <string.h>

struct writes {
	struct arena *a;
	struct sh_write *items;
	size_t n, cap;
	bool failed;
};

static bool eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static struct sh_write *add(struct writes *w, enum sh_write_kind kind, const struct sh_cmd *c,
			    const char *tool, const char *path)
{
	struct sh_write *x = ARR_PUSH(w->a, w->items, w->n, w->cap);
	if (!x) {
		w->failed = true;
		return NULL;
	}
	memset(x, 0, sizeof(*x));
	x->kind = kind;
	x->cmd = c;
	x->tool = tool;
	x->path = path;
	return x;
}

/* `>`, `>>`, `>|`, `&>` onto a file; not `>&2` (a descriptor) nor /dev/null. */
static void redirect_writes(struct writes *w, const struct sh_cmd *c)
{
	for (size_t i = 0; i < c->nredirs; i++) {
		const char *op = c->redirs[i].op;
		const char *gt = strchr(op, '>');
		const char *t = c->redirs[i].target.value;
		if (!gt || (gt[1] == '&') || !t || !*t || strncmp(t, "/dev/", 5) == 0)
			continue;
		if (strchr(op, '<'))
			continue; /* <> opens for reading too: rare, left out */
		add(w, SH_W_FILE, c, gt[1] == '>' ? ">>" : ">", t);
	}
}

/* The operands of argv[from..] that are not options (after `--`, all). */
static size_t operands(const struct sh_cmd *c, size_t from, const char **out, size_t max)
{
	size_t n = 0;
	bool no_more = false;
	for (size_t i = from; i < c->argc; i++) {
		const char *a = c->argv[i].value;
		if (!no_more && eq(a, "--")) {
			no_more = true;
			continue;
		}
		if (!no_more && a[0] == '-' && a[1])
			continue;
		if (n < max)
			out[n++] = a;
	}
	return n;
}

static bool has_option(const struct sh_cmd *c, size_t from, char shortopt, const char *longopt)
{
	for (size_t i = from; i < c->argc; i++) {
		const char *a = c->argv[i].value;
		if (eq(a, "--"))
			return false;
		if (a[0] == '-' && a[1] == '-' && longopt && eq(a + 2, longopt))
			return true;
		if (a[0] == '-' && a[1] != '-' && shortopt && strchr(a + 1, shortopt))
			return true;
	}
	return false;
}

/* The words after a short or long option that takes one (`-C DIR`, `--directory=DIR`). */
static const char *option_value(const struct sh_cmd *c, size_t from, const char *shortopt,
				const char *longopt)
{
	size_t ln = longopt ? strlen(longopt) : 0;
	const char *v = NULL;
	for (size_t i = from; i < c->argc; i++) {
		const char *a = c->argv[i].value;
		if (eq(a, "--"))
			break;
		if (shortopt && eq(a, shortopt) && i + 1 < c->argc)
			v = c->argv[++i].value;
		else if (longopt && strncmp(a, "--", 2) == 0 && strncmp(a + 2, longopt, ln) == 0) {
			if (a[2 + ln] == '=')
				v = a + 3 + ln;
			else if (!a[2 + ln] && i + 1 < c->argc)
				v = c->argv[++i].value;
		}
	}
	return v;
}

/* tar -c/--create of `.`: an archive that holds its folder itself. */
static bool tar_of_dot(const struct sh_cmd *c, size_t ti)
{
	if (!has_option(c, ti + 1, 'c', "create") &&
	    !(ti + 1 < c->argc && c->argv[ti + 1].value[0] != '-' &&
	      strchr(c->argv[ti + 1].value, 'c')))
		return false;
	for (size_t i = ti + 1; i < c->argc; i++)
		if (eq(c->argv[i].value, ".") || eq(c->argv[i].value, "./"))
			return true;
	return false;
}

static void tar_cmd(struct writes *w, const struct sh_cmd *c, size_t ti, const struct sh_cmd *prev)
{
	const char *first = ti + 1 < c->argc ? c->argv[ti + 1].value : "";
	/* tar xf FILE: the old form, a first word of letters without a dash */
	bool old = first[0] && first[0] != '-' && strspn(first, "xvfzjJpo") == strlen(first);
	bool extract = has_option(c, ti + 1, 'x', "extract") || has_option(c, ti + 1, 0, "get") ||
		       (old && strchr(first, 'x'));
	if (!extract)
		return;
	const char *dir = option_value(c, ti + 1, "-C", "directory");
	struct sh_write *x = add(w, SH_W_EXTRACT, c, "tar", dir);
	if (!x)
		return;
	x->whole_dir =
	    prev && prev->next_op == '|' && prev->argc &&
	    eq(sh_base(prev->argv[sh_program(prev) < prev->argc ? sh_program(prev) : 0].value),
	       "tar") &&
	    tar_of_dot(prev, sh_program(prev)) && !has_option(c, ti + 1, 0, "no-overwrite-dir");
}

static void classify(struct writes *w, const struct sh_cmd *c, const struct sh_cmd *prev)
{
	redirect_writes(w, c);
	size_t ti = sh_program(c);
	if (ti >= c->argc)
		return;
	const char *b = sh_base(c->argv[ti].value);
	const char *ops[64];
	size_t n;
	if (eq(b, "mkdir")) {
		n = operands(c, ti + 1, ops, 64);
		bool p = has_option(c, ti + 1, 'p', "parents");
		for (size_t i = 0; i < n; i++) {
			struct sh_write *x = add(w, SH_W_DIR, c, "mkdir", ops[i]);
			if (x)
				x->parents = p;
		}
	} else if (eq(b, "touch")) {
		n = operands(c, ti + 1, ops, 64);
		for (size_t i = 0; i < n; i++)
			add(w, SH_W_FILE, c, "touch", ops[i]);
	} else if (eq(b, "sed")) {
		bool in_place = false;
		for (size_t i = ti + 1; i < c->argc && !in_place; i++) {
			const char *a = c->argv[i].value;
			in_place = strncmp(a, "-i", 2) == 0 || strncmp(a, "--in-place", 10) == 0 ||
				   (a[0] == '-' && a[1] != '-' && strchr(a, 'i') &&
				    strspn(a + 1, "nrEsuzi") == strlen(a + 1));
		}
		/* sed -i writes a new file into the folder and renames it over the old one. */
		n = operands(c, ti + 1, ops, 64);
		bool script_opt = has_option(c, ti + 1, 'e', "expression");
		for (size_t i = script_opt ? 0 : 1; in_place && i < n; i++)
			add(w, SH_W_FILE, c, "sed", ops[i]);
	} else if (eq(b, "cp") || eq(b, "ln") || eq(b, "mv") || eq(b, "install")) {
		if (eq(b, "install") && has_option(c, ti + 1, 'd', "directory"))
			return;
		const char *t = option_value(c, ti + 1, "-t", "target-directory");
		n = operands(c, ti + 1, ops, 64);
		if (!t && n >= 2)
			add(w, SH_W_FILE, c, b, ops[n - 1]);
	} else if (eq(b, "tar")) {
		tar_cmd(w, c, ti, prev);
	} else if (eq(b, "chown") || eq(b, "chgrp")) {
		n = operands(c, ti + 1, ops, 64);
		for (size_t i = 1; i < n; i++) {
			struct sh_write *x = add(w, SH_W_OWNER, c, b, ops[i]);
			if (!x)
				return;
			if (eq(b, "chgrp")) {
				x->group = ops[0];
			} else {
				const char *colon = strpbrk(ops[0], ":.");
				x->owner =
				    colon ? arena_strndup(w->a, ops[0], (size_t)(colon - ops[0]))
					  : ops[0];
				x->group = colon && colon[1] ? colon + 1 : NULL;
				if (x->owner && !*x->owner)
					x->owner = NULL;
			}
		}
	} else if (eq(b, "chmod")) {
		n = operands(c, ti + 1, ops, 64);
		for (size_t i = 1; i < n; i++)
			add(w, SH_W_MODE, c, "chmod", ops[i]);
	}
}

int sh_writes(struct arena *a, const struct sh_script *s, struct sh_write **out, size_t *n)
{
	struct writes w = {.a = a, .items = *out, .n = *n, .cap = *n};
	for (size_t i = 0; i < s->ncmds && !w.failed; i++)
		classify(&w, &s->cmds[i], i ? &s->cmds[i - 1] : NULL);
	if (w.failed)
		return -1;
	*out = w.items;
	*n = w.n;
	return 0;
}

bool sh_errexit_before(const struct sh_script *s, size_t at)
{
	for (size_t i = 0; i < s->ncmds && s->cmds[i].start < at; i++) {
		const struct sh_cmd *c = &s->cmds[i];
		if (c->argc < 2 || !eq(c->argv[0].value, "set"))
			continue;
		for (size_t k = 1; k < c->argc; k++) {
			const char *v = c->argv[k].value;
			if (v[0] == '-' && v[1] != '-' && v[1] != 'o' && strchr(v, 'e'))
				return true;
			if ((eq(v, "-o") || (v[0] == '-' && v[1] != '-' && strchr(v, 'o'))) &&
			    k + 1 < c->argc && eq(c->argv[k + 1].value, "errexit"))
				return true;
		}
	}
	return false;
}
