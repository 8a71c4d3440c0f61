/*
 * walkfilter.c - what a walk leaves out besides .git and node_modules: the
 * paths --exclude and `exclude:` name, and what git ignores.
 *
 * Excludes are fnmatch(3) globs. One without a slash matches a file or folder
 * of that name at any depth (`*.json`, `legacy`); one with a slash matches the
 * path from its folder (the working folder for --exclude, the config's for
 * `exclude:`), and there `*` crosses slashes (`deploy/old/` then `*`); a
 * leading `**` and a slash match at any depth. A trailing slash matches folders only. A
 * folder that matches is not walked. They apply to named paths too, so
 * `exclude:` holds when pre-commit names the files.
 *
 * .gitignore: git's own answer, from `git ls-files --others --ignored
 * --exclude-standard --directory` run once in each folder a walk starts from.
 * Its rules are more than a pattern language (nested .gitignore files, `!`
 * negations, .git/info/exclude, core.excludesFile, tracked files that match
 * still count), and one git process gives them all exactly; a parser of our
 * own would have to agree with git on each. Only walks use it: a path named
 * on the command line is linted even when git ignores it.
 */
#include "unroot/arena.h"
#include "util/path.h"
#include "run.h"
#include "util/spawn.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GIT_LIMIT      ((size_t)64 << 20)
#define GIT_TIMEOUT_MS 30000

/* --- excludes ------------------------------------------------------------------ */

static bool glob_matches(const char *pat, const char *rel)
{
	if (fnmatch(pat, rel, 0) == 0)
		return true;
	return strncmp(pat, "**/", 3) == 0 && fnmatch(pat + 3, rel, 0) == 0;
}

/* `rel` ("a/b/c"), a path under the pattern's folder; is_dir says what its last part is. */
static bool pattern_matches(const char *pattern, const char *rel, bool is_dir)
{
	char pat[4096];
	size_t n = strlen(pattern);
	if (n == 0 || n >= sizeof(pat))
		return false;
	memcpy(pat, pattern, n + 1);
	bool dir_only = pat[n - 1] == '/';
	if (dir_only)
		pat[--n] = 0;
	const char *p = pat[0] == '/' ? pat + 1 : pat;
	bool anchored = strchr(pat, '/') != NULL;
	/* Each leading part of rel is a folder; the whole of it is what is_dir says. */
	char prefix[4096];
	size_t len = strlen(rel);
	if (len >= sizeof(prefix))
		return false;
	for (size_t end = 0; end <= len; end++) {
		if (end < len && rel[end] != '/')
			continue;
		bool folder = end < len || is_dir;
		if (dir_only && !folder)
			continue;
		memcpy(prefix, rel, end);
		prefix[end] = 0;
		const char *last = strrchr(prefix, '/');
		last = last ? last + 1 : prefix;
		if (anchored ? glob_matches(p, prefix) : fnmatch(p, last, 0) == 0)
			return true;
	}
	return false;
}

bool run_excluded(struct lint_run *run, const char *path, bool is_dir)
{
	const struct lint_options *o = run->opts;
	if (!o->nexcludes || strcmp(path, "-") == 0)
		return false;
	if (!run->cwd) {
		char buf[4096];
		run->cwd = getcwd(buf, sizeof(buf)) ? arena_strdup(run->arena, buf) : "";
	}
	for (size_t i = 0; i < o->nexcludes; i++) {
		bool absolute;
		char *rel = path_relative(*run->cwd ? run->cwd : NULL, o->excludes[i].value, path,
					  &absolute);
		bool hit = rel && !absolute && strcmp(rel, ".") != 0 &&
			   pattern_matches(o->excludes[i].key, rel, is_dir);
		free(rel);
		if (hit)
			return true;
	}
	return false;
}

/* --- .gitignore ------------------------------------------------------------------ */

struct git_ignored {
	size_t prefix; /* bytes of the walk's entries before their path in the folder */
	char **paths;  /* sorted; folders end with '/' */
	size_t n;
	char *data; /* what git wrote, the paths point into it */
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void run_gitignore_begin(struct lint_run *run, const char *dir, size_t prefix)
{
	run->gitignore = NULL;
	if (run->opts->no_gitignore)
		return;
	char *top = path_repo_root(dir);
	if (!top)
		return; /* not in a git work tree: nothing is ignored */
	free(top);
	char *argv[] = {"git",	    "-C",	 (char *)dir,	       "ls-files",    "-z",
			"--others", "--ignored", "--exclude-standard", "--directory", NULL};
	struct spawn_out out;
	const struct spawn_how how = {
	    .limit = GIT_LIMIT, .err_limit = 4096, .timeout_ms = GIT_TIMEOUT_MS};
	enum spawn_result r = spawn_run(argv, &how, &out);
	if (r != SPAWN_OK) {
		/*
		 * No answer from git (not installed, a repository it refuses): the walk
		 * leaves nothing out as ignored, as docs/unroot.1 says.
		 */
		free(out.data);
		free(out.err);
		return;
	}
	free(out.err);
	struct git_ignored *g = arena_alloc(run->arena, sizeof(*g));
	if (!g) {
		free(out.data);
		return;
	}
	*g = (struct git_ignored){.prefix = prefix, .data = out.data};
	size_t cap = 0;
	for (size_t off = 0; out.data && off < out.len;) {
		char *p = out.data + off;
		size_t n = strnlen(p, out.len - off);
		off += n + 1;
		if (!n)
			continue;
		if (strcmp(p, "./") == 0) {
			/* the folder itself is ignored: it was named, so it is read whole */
			free(out.data);
			run->gitignore = NULL;
			return;
		}
		char **slot = ARR_PUSH(run->arena, g->paths, g->n, cap);
		if (!slot)
			break;
		*slot = p;
	}
	if (g->n > 1)
		qsort(g->paths, g->n, sizeof(*g->paths), cmp_str);
	run->gitignore = g;
}

void run_gitignore_end(struct lint_run *run)
{
	if (run->gitignore)
		free(run->gitignore->data);
	run->gitignore = NULL;
}

bool run_git_ignored(const struct lint_run *run, const char *path, bool is_dir)
{
	const struct git_ignored *g = run->gitignore;
	if (!g || !g->n || strlen(path) <= g->prefix)
		return false; /* bsearch() may not be given the NULL of an empty list */
	const char *rel = path + g->prefix;
	char key[4096];
	int n = snprintf(key, sizeof(key), "%s%s", rel, is_dir ? "/" : "");
	if (n < 0 || (size_t)n >= sizeof(key))
		return false;
	const char *k = key;
	return bsearch(&k, g->paths, g->n, sizeof(*g->paths), cmp_str) != NULL;
}
