/* readers.c - the reader table, built from readers.def, and lookups in it. */
#include "run.h"

#define READER(sym) extern const struct reader sym;
#include "readers.def"
#undef READER

const struct reader *const reader_table[] = {
#define READER(sym) &sym,
#include "readers.def"
#undef READER
};

const size_t reader_count = sizeof(reader_table) / sizeof(reader_table[0]);

const struct reader *reader_for_kind(enum input_kind k)
{
	for (size_t i = 0; i < reader_count; i++)
		if (reader_table[i]->kind == k)
			return reader_table[i];
	return NULL;
}

enum input_kind run_detect(const char *path, bool is_dir)
{
	for (size_t i = 0; i < reader_count; i++)
		if (reader_table[i]->match && reader_table[i]->match(path, is_dir))
			return reader_table[i]->kind;
	return KIND_NONE;
}
