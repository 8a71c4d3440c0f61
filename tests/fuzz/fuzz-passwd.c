/* fuzz-passwd.c - /etc/passwd and /etc/group parsing, and lookups in the result. */
#include "unroot/arena.h"
#include "image/image.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The first NUL splits passwd from group. */
	const char *text = (const char *)data;
	const char *nul = memchr(text, 0, size);
	size_t plen = nul ? (size_t)(nul - text) : size;
	const char *group = nul ? nul + 1 : NULL;
	size_t glen = nul ? size - plen - 1 : 0;
	struct arena *a = arena_new(64 << 20);
	struct passwd_db db;
	passwd_parse(a, text, plen, group, glen, &db);
	passwd_by_name(&db, "root");
	passwd_by_uid(&db, 1001);
	group_by_name(&db, "root");
	for (size_t i = 0; i < db.ngroups; i++)
		for (size_t k = 0; k < db.groups[i].nmembers; k++)
			(void)strlen(db.groups[i].members[k]);
	arena_free(a);
	return 0;
}
