/* readers.c - the reader table, built from readers.def. */
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
