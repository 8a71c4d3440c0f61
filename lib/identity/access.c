/* access.c - the kernel's permission check (fs/namei.c) on the image's filesystem model. */
#include "identity/identity.h"
#include "image/image.h"
#include "unroot/lint.h"

#include <string.h>

static bool in_groups(const struct identity *id, uint32_t gid)
{
	if (id->gid >= 0 && (uint32_t)id->gid == gid)
		return true;
	for (size_t i = 0; i < id->ngroups; i++)
		if (id->groups[i] >= 0 && (uint32_t)id->groups[i] == gid)
			return true;
	return false;
}

char fs_class(const struct fs_node *n, const struct identity *id)
{
	if (id->uid >= 0 && (uint32_t)id->uid == n->uid)
		return 'u';
	if (in_groups(id, n->gid))
		return 'g';
	return 'o';
}

bool fs_node_permits(const struct fs_node *n, const struct identity *id, unsigned want)
{
	want &= 7;
	if (id->uid == 0) {
		/*
		 * CAP_DAC_OVERRIDE: read and write anything, search any folder;
		 * execute a file only when one of its x bits is set.
		 */
		if ((want & FS_X_OK) && fs_type_of(n) != FS_DIR && !(n->mode & 0111))
			return false;
		return true;
	}
	unsigned bits;
	switch (fs_class(n, id)) {
	case 'u':
		bits = (n->mode >> 6) & 7;
		break;
	case 'g':
		bits = (n->mode >> 3) & 7;
		break;
	default:
		bits = n->mode & 7;
		break;
	}
	return (bits & want) == want;
}

struct search {
	const struct identity *id;
	struct fs_denial *d;
};

/* Each folder a path passes through needs search permission, as in path_lookupat(). */
static bool may_search(void *arg, const struct fs_node *dir)
{
	struct search *s = arg;
	if (fs_node_permits(dir, s->id, FS_X_OK))
		return true;
	s->d->node = dir;
	s->d->want = FS_X_OK;
	s->d->search = true;
	return false;
}

/*
 * Walks the path as path_lookupat() does: symlinks are followed (relative to
 * the folder that holds them, absolute ones from the image root), ".." stops
 * at the root, and each folder passed through needs search permission.
 */
static const struct fs_node *walk(const struct fsmodel *fs, const struct identity *id,
				  const char *path, struct fs_denial *d)
{
	struct search s = {id, d};
	return fs_resolve_through(fs, path, false, &d->why, NULL, may_search, &s);
}

bool fs_access(const struct fsmodel *fs, const struct identity *id, const char *path, unsigned want,
	       struct fs_denial *d)
{
	struct fs_denial tmp;
	if (!d)
		d = &tmp;
	memset(d, 0, sizeof(*d));
	const struct fs_node *n = walk(fs, id, path, d);
	if (!n)
		return false;
	if (!fs_node_permits(n, id, want)) {
		d->node = n;
		d->want = 0;
		for (unsigned b = 1; b <= 4; b <<= 1)
			if ((want & b) && !fs_node_permits(n, id, b))
				d->want |= b;
		return false;
	}
	return true;
}

void fs_access_string(const struct fsmodel *fs, const struct identity *id, const char *path,
		      char out[4])
{
	out[0] = fs_access(fs, id, path, FS_R_OK, NULL) ? 'r' : '-';
	out[1] = fs_access(fs, id, path, FS_W_OK, NULL) ? 'w' : '-';
	out[2] = fs_access(fs, id, path, FS_X_OK, NULL) ? 'x' : '-';
	out[3] = 0;
}

const char *fs_want_words(unsigned want)
{
	static const char *const words[8] = {
	    "nothing", "execute",	   "write",	     "write and execute",
	    "read",    "read and execute", "read and write", "read, write and execute"};
	return words[want & 7];
}

void identity_arbitrary(const struct lint_options *o, struct identity *id)
{
	memset(id, 0, sizeof(*id));
	id->uid = (long)o->uid_range.start;
	id->gid = 0;
}
