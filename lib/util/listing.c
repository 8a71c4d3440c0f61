/* listing.c - the folders a run listed, for lookups without a system call. */
#include "listing.h"
#include "unroot/arena.h"

#include <stdlib.h>
#include <string.h>

/* Orders folders by path and names within a folder alike: bytes, then length. */
static int cmp_span(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	return c ? c : (alen > blen) - (alen < blen);
}

bool listing_add(struct arena *a, struct listing *l, const char *path, const char **names, size_t n)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	const char *copy = arena_strndup(a, path, len);
	struct listed_folder *f = copy ? ARR_PUSH(a, l->folders, l->n, l->cap) : NULL;
	if (!f)
		return false;
	*f = (struct listed_folder){.path = copy, .len = len, .names = names, .n = n};
	return true;
}

static int cmp_folder(const void *a, const void *b)
{
	const struct listed_folder *x = a, *y = b;
	return cmp_span(x->path, x->len, y->path, y->len);
}

void listing_sort(struct listing *l)
{
	if (l->n > 1)
		qsort(l->folders, l->n, sizeof(*l->folders), cmp_folder);
}

static const struct listed_folder *find(const struct listing *l, const char *dir, size_t dlen)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_span(l->folders[mid].path, l->folders[mid].len, dir, dlen);
		if (c == 0)
			return &l->folders[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool listing_may_exist(const struct listing *l, const char *dir, size_t dlen, const char *name,
		       size_t nlen)
{
	const struct listed_folder *f = l ? find(l, dir, dlen) : NULL;
	if (!f)
		return true;
	size_t lo = 0, hi = f->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_span(f->names[mid], strlen(f->names[mid]), name, nlen);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}
