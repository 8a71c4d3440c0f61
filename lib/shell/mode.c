/* mode.c - NEEDSWORK: chmod modes are being written. */
#include "unroot/shell.h"

int mode_apply(const char *spec, unsigned old, bool is_dir, unsigned *out)
{
	(void)spec;
	(void)is_dir;
	*out = old;
	return -1;
}
