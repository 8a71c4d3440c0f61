/* passwd.c - /etc/passwd and /etc/group of an image, read as the C library reads them. */
#include "unroot/arena.h"
#include "image/image.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Splits a line at ':' into at most `max` fields; returns the count. */
static size_t split(char *line, char **f, size_t max)
{
	size_t n = 0;
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == ':') {
			*p = 0;
			f[n++] = p + 1;
		}
	return n;
}

/* A decimal id in [0, 2^32 - 1], or -1. */
static long parse_id(const char *s)
{
	if (!*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > 0xffffffffUL)
		return -1;
	return (long)v;
}

/* Calls fn on each line of text[0..len), NUL-terminated copies in the arena. */
static void each_line(struct arena *a, const char *text, size_t len,
		      void (*fn)(struct arena *, char *, struct passwd_db *), struct passwd_db *db)
{
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && text[j] != '\n')
			j++;
		if (j > i && text[i] != '#' && text[i] != '+' && text[i] != '-') {
			char *line = arena_strndup(a, text + i, j - i);
			if (!line)
				return;
			size_t k = strlen(line);
			if (k && line[k - 1] == '\r')
				line[k - 1] = 0;
			fn(a, line, db);
		}
		i = j + 1;
	}
}

static void user_line(struct arena *a, char *line, struct passwd_db *db)
{
	char *f[7];
	if (split(line, f, 7) != 7 || !*f[0])
		return;
	long uid = parse_id(f[2]), gid = parse_id(f[3]);
	if (uid < 0 || gid < 0)
		return;
	struct passwd_entry *e = ARR_PUSH(a, db->users, db->nusers, db->capusers);
	if (!e)
		return;
	e->name = f[0];
	e->uid = uid;
	e->gid = gid;
	e->home = f[5];
	e->shell = f[6];
}

static void group_line(struct arena *a, char *line, struct passwd_db *db)
{
	char *f[4];
	if (split(line, f, 4) != 4 || !*f[0])
		return;
	long gid = parse_id(f[2]);
	if (gid < 0)
		return;
	struct group_entry *g = ARR_PUSH(a, db->groups, db->ngroups, db->capgroups);
	if (!g)
		return;
	g->name = f[0];
	g->gid = gid;
	size_t cap = 0;
	for (char *p = f[3]; *p;) {
		size_t n = strcspn(p, ",");
		if (n) {
			const char **slot = ARR_PUSH(a, g->members, g->nmembers, cap);
			if (!slot)
				return;
			*slot = arena_strndup(a, p, n);
		}
		p += n + (p[n] == ',');
	}
}

/* Lookups are linear: the count is capped so a hostile file cannot make them slow; a
 * file with more lines than that is marked cut, and its verdicts are not trusted. */
static void user_line_capped(struct arena *a, char *line, struct passwd_db *db)
{
	if (db->nusers < PASSWD_MAX_ENTRIES)
		user_line(a, line, db);
	else
		db->passwd_cut = true;
}

static void group_line_capped(struct arena *a, char *line, struct passwd_db *db)
{
	if (db->ngroups < PASSWD_MAX_ENTRIES)
		group_line(a, line, db);
	else
		db->group_cut = true;
}

void passwd_parse(struct arena *a, const char *passwd, size_t plen, const char *group, size_t glen,
		  struct passwd_db *db)
{
	memset(db, 0, sizeof(*db));
	if (passwd) {
		db->have_passwd = true;
		each_line(a, passwd, plen, user_line_capped, db);
	}
	if (group) {
		db->have_group = true;
		each_line(a, group, glen, group_line_capped, db);
	}
}

const struct passwd_entry *passwd_by_name(const struct passwd_db *db, const char *name)
{
	for (size_t i = 0; i < db->nusers; i++)
		if (strcmp(db->users[i].name, name) == 0)
			return &db->users[i];
	return NULL;
}

const struct passwd_entry *passwd_by_uid(const struct passwd_db *db, long uid)
{
	for (size_t i = 0; i < db->nusers; i++)
		if (db->users[i].uid == uid)
			return &db->users[i];
	return NULL;
}

const struct group_entry *group_by_name(const struct passwd_db *db, const char *name)
{
	for (size_t i = 0; i < db->ngroups; i++)
		if (strcmp(db->groups[i].name, name) == 0)
			return &db->groups[i];
	return NULL;
}

const struct group_entry *group_by_gid(const struct passwd_db *db, long gid)
{
	for (size_t i = 0; i < db->ngroups; i++)
		if (db->groups[i].gid == gid)
			return &db->groups[i];
	return NULL;
}
