/* tree.c - `unroot image --tree`: an image read as the image reader reads it, then its view. */
#include "run.h"
#include "unroot/buf.h"
#include "identity/identity.h"
#include "image/image.h"

int lint_run_tree(struct lint_run *run, const char *path, const char *subtree, struct buf *out)
{
	const struct reader *rdr = reader_for_kind(KIND_IMAGE);
	struct reading rd;
	run_reading_init(run, &rd, path, NULL);
	rdr->read(&rd);
	run_take(run, &rd);
	const struct image *img = rd.model;
	if (!img)
		return -1;
	struct identity id;
	identity_arbitrary(run->opts, &id);
	const char *why = NULL;
	if (image_tree(run->arena, img, subtree, &id, out, &why) != 0) {
		run_error(run, path, NULL, 0, 0, "'%s' is not in the image: %s",
			  subtree && *subtree ? subtree : "/", why);
		return -1;
	}
	return 0;
}
