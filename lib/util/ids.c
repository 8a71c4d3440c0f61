/* ids.c - uids, gids and their ranges, read with their bounds checked. */
#include "unroot/ids.h"
#include "unroot/lint.h"

#include <string.h>

bool id_parse(const char *s, size_t n, unsigned long *out)
{
	unsigned long long v = 0;
	if (!s || n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long long)(s[i] - '0');
		if (v > ID_MAX)
			return false; /* also stops before the sum could wrap */
	}
	*out = (unsigned long)v;
	return true;
}

bool id_parse_str(const char *s, unsigned long *out)
{
	return s && id_parse(s, strlen(s), out);
}

bool id_range_parse(const char *s, struct id_range *out)
{
	if (!s)
		return false;
	size_t n = strcspn(s, "/-");
	unsigned long start, second;
	if (!s[n] || !id_parse(s, n, &start) || !id_parse_str(s + n + 1, &second))
		return false;
	if (s[n] == '/') {
		/* the last id, start + second - 1, must be an id too */
		if (second == 0 || second - 1 > ID_MAX - start)
			return false;
		*out = (struct id_range){start, second};
	} else {
		if (second < start)
			return false;
		*out = (struct id_range){start, second - start + 1};
	}
	return true;
}

bool id_pair_parse(const char *s, long *uid, long *gid)
{
	if (!s)
		return false;
	size_t n = strcspn(s, ":");
	unsigned long u, g = 0;
	if (!id_parse(s, n, &u) || (s[n] == ':' && !id_parse_str(s + n + 1, &g)))
		return false;
	*uid = (long)u;
	*gid = s[n] == ':' ? (long)g : -1;
	return true;
}
