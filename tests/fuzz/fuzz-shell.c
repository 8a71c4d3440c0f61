/* fuzz-shell.c - sh_parse() and sh_find() on arbitrary bytes, in a small arena. */
#include <stddef.h>
#include <stdint.h>

#include "unroot/arena.h"
#include "shell/shell.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
