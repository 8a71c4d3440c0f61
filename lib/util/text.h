/* text.h - small tests on C strings that several readers ask. Internal to the library. */
#ifndef UNROOT_UTIL_TEXT_H
#define UNROOT_UTIL_TEXT_H

#include <stdbool.h>

/* True when s ends with suffix; `fold_case` compares ASCII letters without case. */
bool text_ends_with(const char *s, const char *suffix, bool fold_case);

#endif
