/*
 * ids.h - reading uids, gids and ranges of them, the one way every option,
 * config key and annotation does.
 *
 * Linux ids are 32-bit: 0 to 4294967295. A value is decimal digits only (no
 * sign, blank or base prefix); anything else, or a value past that, does not
 * parse, so "-1", "4294967296" and "1e3" are refused where they are read
 * instead of turning into a wrong number later ("uid -1").
 */
#ifndef UNROOT_IDS_H
#define UNROOT_IDS_H

#include <stdbool.h>
#include <stddef.h>

#define ID_MAX 4294967295ul

struct id_range;

/* s[0..n) as an id into *out; false when it is not one. */
bool id_parse(const char *s, size_t n, unsigned long *out);

/* A whole string as an id. */
bool id_parse_str(const char *s, unsigned long *out);

/*
 * "START/LENGTH" or "START-END" into *out: every id of the range must be
 * one (START + LENGTH - 1 at most ID_MAX), LENGTH at least 1, END not below
 * START. False when it does not parse.
 */
bool id_range_parse(const char *s, struct id_range *out);

/* "UID" or "UID:GID" into *uid and *gid (-1 without a group); false when it does not parse. */
bool id_pair_parse(const char *s, long *uid, long *gid);

#endif
