/*
 * fuzz-helm-chart.c - the static Helm reader on a chart folder made from the
 * input: the bytes are cut at each "\n#====\n" into Chart.yaml, values.yaml,
 * three templates, _helpers.tpl, and a subchart's Chart.yaml and template,
 * written into a private folder that is then linted as a chart. helm itself
 * is never run (--helm none): the loader, the scanner, the values model and
 * the Helm rules see what a repository could hold.
 */
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unroot/lint.h"

static const char *const parts[] = {
    "Chart.yaml",
    "values.yaml",
    "templates/a.yaml",
    "templates/b.yaml",
    "templates/c.yaml",
    "templates/_helpers.tpl",
    "charts/sub/Chart.yaml",
    "charts/sub/templates/s.yaml",
};
#define NPARTS (sizeof(parts) / sizeof(parts[0]))
static const char cut[] = "\n#====\n";

static char root[64];

static void write_part(const char *name, const uint8_t *data, size_t len)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", root, name);
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	if (len)
		fwrite(data, 1, len, f);
	fclose(f);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_root(void)
{
	nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(root, sizeof(root), "/tmp/unroot-fuzz-chart-XXXXXX");
	if (!mkdtemp(root))
		abort();
	char path[256];
	static const char *const dirs[] = {"templates", "charts", "charts/sub",
					   "charts/sub/templates"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		mkdir(path, 0700);
	}
	atexit(remove_root);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	for (size_t i = 0; i < NPARTS; i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s/%s", root, parts[i]);
		if (p > end) {
			unlink(path); /* fewer parts: the chart lacks the others */
			continue;
		}
		const uint8_t *next = memmem(p, (size_t)(end - p), cut, sizeof(cut) - 1);
		size_t len = next ? (size_t)(next - p) : (size_t)(end - p);
		write_part(parts[i], p, len);
		p = next ? next + sizeof(cut) - 1 : end + 1;
	}
	struct lint_options o;
	lint_options_init(&o);
	o.helm_bin = "none";
	o.limits.arena = 64u << 20;
	struct lint_run *run = lint_run_new(&o);
	if (!run)
		return 0;
	lint_run_path(run, root);
	lint_run_finish(run);
	lint_run_free(run);
	return 0;
}
