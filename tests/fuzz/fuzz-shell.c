/* fuzz-shell.c - sh_parse() and sh_find() on arbitrary bytes, in a small arena. */
#include <stddef.h>
#include <stdint.h>

#include "unroot/arena.h"
#include "shell/shell.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The findings of the parse that keeps only commands near a name are those of the full parse. */
static void same_findings(struct arena *a, const char *text, size_t size,
			  const struct sh_finding *f, size_t n)
{
	size_t *names, nn;
	int r = sh_find_names(a, text, size, &names, &nn);
	if (r != 0)
		return; /* a full arena, or a text that is always parsed whole */
	struct sh_script s;
	struct sh_error e;
	struct sh_finding *g = NULL;
	size_t m = 0;
	if (nn == 0) {
		if (n)
			__builtin_trap();
		return;
	}
	if (sh_parse_near(a, text, size, names, nn, &s, &e) != 0 || sh_find(a, &s, &g, &m) != 0) {
		/* the full parse read it, so only the arena can have run out */
		if (!arena_failed(a))
			__builtin_trap();
		return;
	}
	if (m != n)
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		if (g[i].kind != f[i].kind || g[i].cmd->start != f[i].cmd->start ||
		    g[i].cmd->end != f[i].cmd->end || g[i].npaths != f[i].npaths)
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new(4u << 20);
	struct sh_script s;
	struct sh_error e;
	if (!a)
		return 0;
	if (sh_parse(a, (const char *)data, size, &s, &e) == 0) {
		struct sh_finding *f = NULL;
		size_t n = 0;
		for (size_t i = 0; i < s.ncmds; i++) {
			const struct sh_cmd *c = &s.cmds[i];
			/* spans stay inside the text */
			if (c->start > c->end || c->end > size)
				__builtin_trap();
			for (size_t k = 0; k < c->argc; k++)
				if (c->argv[k].start > c->argv[k].end || c->argv[k].end > size ||
				    !c->argv[k].value)
					__builtin_trap();
		}
		if (sh_find(a, &s, &f, &n) == 0) {
			/* the shortcuts that skip parsing never skip a finding */
			if (n && !sh_may_find((const char *)data, size))
				__builtin_trap();
			same_findings(a, (const char *)data, size, f, n);
			for (size_t i = 0; i < n; i++) {
				unsigned m;
				if (f[i].mode)
					(void)mode_apply(f[i].mode, 0644, false, &m);
			}
		}
	} else if (e.start > size || e.end > size || !e.message) {
		__builtin_trap();
	}
	arena_free(a);
	return 0;
}
