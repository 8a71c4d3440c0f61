/*
 * path.h - paths as reports for CI write them: relative to a base folder (the
 * repository's top folder, usually), and where that top folder is. Strings
 * returned are malloc'd; the caller frees them.
 */
#ifndef UNROOT_UTIL_PATH_H
#define UNROOT_UTIL_PATH_H

#include <stdbool.h>

/*
 * `path` relative to the folder `base` when it lies inside it, "./" and "//"
 * removed, ".." resolved; absolute when it lies outside. A relative `path`
 * or `base` is taken from the folder `cwd` (NULL: the working folder); a
 * NULL base is cwd itself. "-" stays "-". Nothing is looked up on disk: a
 * symlinked folder is taken as written. Sets *absolute accordingly; NULL
 * when out of memory.
 */
char *path_relative(const char *cwd, const char *base, const char *path, bool *absolute);

/*
 * The top folder of the git work tree holding `dir` (the nearest folder,
 * from dir upward, with a .git entry, as `git rev-parse --show-toplevel`
 * finds it), as an absolute path; NULL when there is none.
 */
char *path_repo_root(const char *dir);

#endif
