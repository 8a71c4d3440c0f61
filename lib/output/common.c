/* common.c - the format table and what every format needs of a diagnostic. */
#include "unroot/output.h"
#include "unroot/buf.h"
#include "unroot/diag.h"
#include "unroot/source.h"

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

void diag_position(const struct diag *d, unsigned *line, unsigned *col, unsigned *end_line,
		   unsigned *end_col)
{
	if (!d->src) {
		*line = *col = *end_line = *end_col = 1;
		return;
	}
	source_position(d->src, d->start, line, col);
	source_position(d->src, d->end, end_line, end_col);
}

void diag_platforms(const struct diag *d, struct buf *out, const char *sep)
{
	bool first = true;
	for (unsigned bit = 1; bit <= PLAT_OPENSHIFT; bit <<= 1) {
		if (!(d->platforms & bit))
			continue;
		if (!first)
			buf_puts(out, sep);
		buf_puts(out, platform_name(bit));
		first = false;
	}
}
