/*
 * fingerprint.h - what identifies a finding from one run to the next, on
 * whatever line it moved to: SARIF's partialFingerprints, GitLab's
 * fingerprint, and the entries of a baseline (--baseline).
 */
#ifndef UNROOT_UTIL_FINGERPRINT_H
#define UNROOT_UTIL_FINGERPRINT_H

struct diag;
struct diag_list;

#define FINGERPRINT_HEX 32

struct fingerprint {
	char hex[FINGERPRINT_HEX + 1];
};

/*
 * The fingerprints of a sorted list's findings, in its order. Each is the
 * first 128 bits of a SHA-256, in hex, of the rule's code, the path relative
 * to `base` (path_relative() in path.h, with `cwd`), the object and container, and the
 * flagged text with every run of blanks made one space (its line when the
 * span is empty; the message when the finding has no text, as in an image).
 * The line number is not in it, so moving code keeps it; editing the flagged
 * text changes it. The n-th of several findings alike in all of these also
 * hashes n, so every fingerprint of a report is different. A malloc'd array
 * of l->n entries, NULL when out of memory (or l->n is 0).
 */
struct fingerprint *fingerprints(const struct diag_list *l, const char *cwd, const char *base);

#endif
