/* text.c - small tests on C strings. */
#include "text.h"

#include <string.h>
#include <strings.h>

bool text_ends_with(const char *s, const char *suffix, bool fold_case)
{
	size_t n = strlen(s), m = strlen(suffix);
	if (n < m)
		return false;
	return (fold_case ? strcasecmp(s + n - m, suffix) : strcmp(s + n - m, suffix)) == 0;
}
