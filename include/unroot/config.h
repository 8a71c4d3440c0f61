/*
 * config.h - .unroot.yaml: keys mirror the command-line options.
 *
 *	platform: [kubernetes, openshift]   # or "kubernetes,openshift"
 *	min-uid: 1000
 *	uid-range: 1000680000/10000
 *	supplemental-groups: 1000680000/10000
 *	fail-on: warning
 *	ignore: [NR107]
 *	severity: {NR103: error, NR107: off}
 *	base-images: {"registry.example.com/base/[*]": "1001:0"}
 *	images: {"ghcr.io/acme/web*": build/Dockerfile}
 *	base-dir: .         # code scanning paths are relative to it
 *	exclude: [legacy/, "*.generated.yaml"]
 *	gitignore: true     # false: walks read what git ignores too
 *	baseline: .unroot-baseline.json
 *	context: .          # Dockerfile build context
 *	format: text        # the CLI's own keys: format, color
 *	color: auto
 *	arch: amd64
 *	helm: /usr/local/bin/helm
 *	values: [ci-values.yaml]
 *	set: [image.tag=1.0]
 *
 * Unknown keys and values of the wrong type are errors with a position.
 * Relative paths in `images`, `base-dir`, `baseline`, `context` and `values` are
 * taken from the config file's folder, and so are `exclude` globs.
 */
#ifndef UNROOT_CONFIG_H
#define UNROOT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct lint_options;

struct config_extra {
	const char *format; /* NULL when not set */
	const char *color;
};

struct config_error {
	const char *path;
	unsigned line, col;
	const char *message;
};

/*
 * The .unroot.yaml that applies to `dir`: searched from dir upward, stopping
 * after a folder that holds .git. NULL when there is none.
 */
const char *config_find(struct arena *a, const char *dir);

/* Applies the file to *o. Returns 0, or -1 with *err. */
int config_load(struct arena *a, const char *path, struct lint_options *o,
		struct config_extra *extra, struct config_error *err);

#endif
