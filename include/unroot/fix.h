/*
 * fix.h - applying the exact edits that findings carry (`unroot fix`).
 *
 * A finished run's findings carry their fixes as exact edits (diag.h,
 * struct diag_edit). fix_plan_make() gathers them per file, applies each
 * finding's edits whole or not at all, and lists what a person must still
 * do: findings without edits, and findings whose edits collide with those
 * of an earlier finding. fix_diff() writes a unified diff of one file;
 * fix_write() replaces it on disk atomically. Nothing here prints or exits.
 *
 * The plan borrows the run's findings and lives in the run's arena. A
 * file's new text is made only when it is wanted (fix_text(), fix_write()):
 * a diff needs only the edits.
 */
#ifndef UNROOT_FIX_H
#define UNROOT_FIX_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct diag;
struct lint_run;
struct rule;

/* One file the edits change. */
struct fix_file {
	const char *path; /* as the edits name it */
	const char *old;  /* the bytes the edits were made against */
	size_t old_len;
	/* the edits applied, in offset order, equal edits of several findings once */
	const struct diag_edit *const *edits;
	size_t nedits;
};

/* A finding that a person must deal with. */
struct fix_manual {
	const struct diag *d;
	/*
	 * Why no edit was made, in a few words: the finding's own (diag.h,
	 * no_edit), why its edits were refused, or what its rule lacks. Never NULL.
	 */
	const char *reason;
};

struct fix_plan {
	struct fix_file *files; /* only files whose text changes, in path order */
	size_t nfiles;
	struct fix_manual *manual; /* in the findings' order */
	size_t nmanual;
	size_t nfixed; /* findings whose edits are all applied */
	/* a file the edits name could not be read: its path and why, else NULL */
	const char *error_path, *error;
};

/*
 * Plans the fix of a finished run. `only` (n rules, NULL for all) keeps the
 * findings of those rules; the others are neither applied nor listed
 * (NR000, an input that could not be read, is always listed). A finding's
 * edits are applied all together or not at all: edits equal to ones already
 * taken are taken once; one that overlaps a different edit already taken
 * (two replacements sharing bytes, or two different insertions at one
 * offset) leaves the whole finding to a person, with the reason. Returns 0,
 * or -1 when out of memory or a file cannot be read (error and error_path
 * say which).
 */
int fix_plan_make(struct lint_run *run, const struct rule *const *only, size_t n,
		  struct fix_plan *out);
void fix_plan_release(struct fix_plan *p);

/* Appends the file's new text, its old text with the edits applied, to `out`. */
void fix_text(const struct fix_file *f, struct buf *out);

/*
 * Appends a unified diff of one file (3 lines of context) to `out`, with
 * the paths `a/NAME` and `b/NAME`, which `git apply` and `patch -p1` take:
 * NAME is the file's path without a leading "./", relative to the current
 * folder when it is an absolute path inside it, else to the root folder.
 */
void fix_diff(const struct fix_file *f, struct buf *out);

/*
 * Writes the new text over the file, atomically: a temporary file in the
 * same folder, its data synced, renamed onto the file. A symbolic link is
 * followed and its target written; the mode, the owner and group, and a
 * POSIX ACL are kept. Nothing is written when the file's bytes are no
 * longer those the edits were made against, when it is read-only, or when
 * anything fails (a full disk, a file size limit): the original stays as it
 * was. Returns 0, or -1 with the reason written into why[size].
 */
int fix_write(const struct fix_file *f, char *why, size_t size);

/*
 * A Dockerfile that derives from an image the user does not own and makes
 * it run under OpenShift's arbitrary uid in group 0, from simulate's
 * result for it on OpenShift (`r`, which must have the image's view):
 * `FROM image` (a registry reference pinned to the digest of what was read,
 * `REF@sha256:...`; any other reference as given), `USER 0`, one `RUN` that
 * gives group 0 the owner's
 * permissions on exactly the paths whose checks failed (creating those
 * that are missing, and opening the folders on the way that stopped the
 * search), and `USER uid:0` with the image's own uid, or `default_uid` when
 * the image runs as root or by a name it cannot resolve. Appends to `out`.
 */
struct sim_result;
void fix_from_image(const struct sim_result *r, const char *image, long default_uid,
		    struct buf *out);

#endif
