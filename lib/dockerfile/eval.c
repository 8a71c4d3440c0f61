/* eval.c - NEEDSWORK: ARG/ENV scoping and USER tracking are being written. */
#include "unroot/dockerfile.h"

int df_eval(struct arena *a, struct dockerfile *df)
{
	(void)a;
	(void)df;
	return 0;
}
