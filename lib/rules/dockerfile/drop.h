/*
 * drop.h - a privilege drop (gosu, su-exec, setpriv, su, ...) in the
 * entrypoint script, and whether the fix can take it out: the script then
 * runs as the image's user from its start. Internal to the Dockerfile rules.
 */
#ifndef UNROOT_RULES_DROP_H
#define UNROOT_RULES_DROP_H

#include "dockerfile/dockerfile.h"

struct check_ctx;
struct diag;

/* `set -- gosu app "$@"`: the words before the command at `at` of t are `set --`. */
bool drop_set_before(const char *t, size_t at);

/*
 * Why the drop h (in an entrypoint script) cannot simply go, or NULL when
 * it can: nothing else in the script may need root, the drop must be the
 * `exec` that ends it, and it must drop to the image's one user.
 */
const char *drop_script_unsafe(struct check_ctx *ctx, const struct df_command *h);

/*
 * Why the final user must not become non-root by a fix: the entrypoint
 * script drops privileges where that cannot be unwrapped, so it needs to
 * start as root; NULL when nothing stops it.
 */
const char *drop_blocks_user(struct check_ctx *ctx);

/*
 * When drop_blocks_user() says why, d (a finding that would add or change
 * the USER line) says it too and loses its fix: a USER line alone would stop
 * the entrypoint, an outage. True then.
 */
bool drop_withhold_user(struct check_ctx *ctx, struct diag *d);

#endif
