/* remote.c - images named by reference: a registry, a container engine, a local store. */
#include "image-internal.h"
#include "unroot/ref.h"
#include "unroot/run.h"

int image_load_ref(struct lint_run *run, const struct image_ref *ref, struct image *img)
{
	(void)img;
	run_parse_error(run, ref->text, NULL, 0, 0,
			"cannot read '%s': images are read from files and folders only so far",
			ref->text);
	return -1;
}
