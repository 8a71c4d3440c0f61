/*
 * commands.h - what the files that read the final image's commands share
 * (commands.c, context.c). Internal to lib/dockerfile.
 */
#ifndef UNROOT_DOCKERFILE_COMMANDS_H
#define UNROOT_DOCKERFILE_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

struct dockerfile;
struct df_instr;
struct reading;
struct source;

/* The build context of one Dockerfile, its COPY/ADD sources looked up once (context.c). */
struct df_context;
struct df_context *df_context_new(struct reading *rd, const struct dockerfile *df);

/*
 * The context file a COPY/ADD of the final chain put at `program` (a path,
 * or a bare name found through PATH) before instruction `before` (NULL:
 * all), as a path to read; NULL when none did, or it is not a regular file
 * inside the context. *rel: the file as the COPY names it, or NULL.
 * *lookups counts the files looked for in copied folders for bare names;
 * past the bound, an NR000 at `runner` and no more of them.
 */
const char *df_context_script(struct df_context *c, const char *program,
			      const struct df_instr *runner, const struct df_instr *before,
			      size_t *lookups, const char **rel);

/* Where the shell reader gave up on a text: said once for each (commands.c). */
struct df_gave_up_at {
	const struct source *src;
	size_t at;
};
struct df_gave_up {
	struct df_gave_up_at *items;
	size_t n, cap;
};

#endif
