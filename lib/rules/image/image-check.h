/* image-check.h - what the image rules share: identities, paths, fix lines. */
#ifndef UNROOT_RULES_IMAGE_CHECK_H
#define UNROOT_RULES_IMAGE_CHECK_H

#include <stdbool.h>

#include "identity/identity.h"
#include "image/image.h"
#include "rules/check.h"

/* The arbitrary UID in group 0 (OpenShift), from the options. */
void img_arbitrary(const struct check_ctx *ctx, struct identity *id);

/* The image's own user (config User through /etc/passwd), when known. */
bool img_user(const struct check_ctx *ctx, struct identity *id);

/* "owner 1001, group 1001, mode 0750 (drwxr-x---)" */
const char *img_describe(const struct check_ctx *ctx, const struct fs_node *n);

/*
 * The exact shell line that gives group 0 `want` on the node at `path`:
 * "chmod g+rx /app" or "chgrp 0 /app && chmod g+rx /app"; with recursive,
 * "chgrp -R 0 /app && chmod -R g=u /app".
 */
const char *img_fix(const struct check_ctx *ctx, const char *path, const struct fs_node *n,
		    unsigned want, bool recursive);

/* The USER line to suggest: the uid when it is a good one, else 1001, in group 0. */
const char *img_user_fix(const struct check_ctx *ctx, long uid);

/* Reports a finding on a path inside the image (object = that path). */
struct diag *img_report(struct check_ctx *ctx, const struct rule *r, const char *object,
			const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/*
 * A rule that reports a bounded number of paths says on the last one it
 * shows how many more it found (`more`); nothing when there are none.
 */
void img_more(struct check_ctx *ctx, struct diag *last, size_t more);

/* True for paths under the system folders (/usr, /etc, /bin, /lib*, /var, ...). */
bool img_system_path(const char *path);

#endif
