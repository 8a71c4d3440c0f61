/* formats.c - the format table, built from formats.def, and lookups in it. */
#include "unroot/output.h"

#include <string.h>

#define FORMAT(sym) extern const struct formatter sym;
#include "formats.def"
#undef FORMAT

const struct formatter *const formatter_table[] = {
#define FORMAT(sym) &sym,
#include "formats.def"
#undef FORMAT
};

const size_t formatter_count = sizeof(formatter_table) / sizeof(formatter_table[0]);

const struct formatter *formatter_find(const char *name)
{
	for (size_t i = 0; i < formatter_count; i++)
		if (strcmp(formatter_table[i]->name, name) == 0)
			return formatter_table[i];
	return NULL;
}
