/*
 * fuzz-dockerfile.c - df_parse, df_eval, what the commands do and the image view on arbitrary
 * bytes, in a small arena.
 */
#include <stddef.h>
#include <stdint.h>

#include "unroot/arena.h"
#include "dockerfile/dockerfile.h"
#include "unroot/lint.h"
#include "image/view.h"
#include "unroot/source.h"
#include "util/reading.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new(8u << 20);
	struct lint_options o;
	lint_options_init(&o);
	struct source *src = source_new(a, "Dockerfile", (const char *)data, size);
	if (src) {
		struct dockerfile df;
		struct df_error err;
		/* "-" has no build context: nothing is read from the file system */
		struct reading rd = {.opts = &o, .arena = a, .scratch = a, .path = "-", .src = src};
		if (df_parse(a, src, &df, &err) == 0 && df_eval(a, &df) == 0 &&
		    df_read_commands(&rd, &df) == 0) {
			df_image_view(a, &df, "Dockerfile", &o);
			struct df_final f;
			df_final_user(&df, &o, &f);
			for (size_t i = 0; i < df.ninstrs; i++)
				df_text_to_src(&df.instrs[i], df.instrs[i].text ? 3 : 0);
		}
	}
	arena_free(a);

	/* The whole reader: parse, suppressions, the Dockerfile rules, the engine. */
	o.limits.arena = 16u << 20;
	struct lint_run *run = lint_run_new(&o);
	if (run) {
		lint_run_buffer(run, "Dockerfile", (const char *)data, size, KIND_DOCKERFILE);
		lint_run_finish(run);
		lint_run_free(run);
	}
	return 0;
}
