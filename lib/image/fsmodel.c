/* fsmodel.c - the merged filesystem of an image: a tree of metadata, found by (parent, name). */
#include "unroot/arena.h"
#include "image/image.h"

#include <stdlib.h>
#include <string.h>

#define MAX_LINKS 40 /* the kernel's MAXSYMLINKS */

static uint32_t hash_of(const struct fs_node *parent, const char *name, size_t len)
{
	uint32_t h = 2166136261u ^ (uint32_t)((uintptr_t)parent >> 4);
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
}

struct fsmodel *fs_new(struct arena *a, size_t max_entries)
{
	struct fsmodel *fs = arena_alloc(a, sizeof(*fs));
	if (!fs)
		return NULL;
	fs->arena = a;
	fs->max_entries = max_entries;
	fs->nbuckets = 1024;
	fs->buckets = arena_alloc(a, fs->nbuckets * sizeof(*fs->buckets));
	fs->root = arena_alloc(a, sizeof(*fs->root));
	if (!fs->buckets || !fs->root)
		return NULL;
	fs->root->name = "";
	fs->root->mode = FS_DIR | 0755;
	return fs;
}

struct fs_node *fs_child(const struct fsmodel *fs, const struct fs_node *parent, const char *name,
			 size_t len)
{
	uint32_t h = hash_of(parent, name, len);
	for (struct fs_node *n = fs->buckets[h & (fs->nbuckets - 1)]; n; n = n->hnext)
		if (n->hash == h && n->parent == parent && strncmp(n->name, name, len) == 0 &&
		    n->name[len] == 0)
			return n;
	return NULL;
}

static int grow(struct fsmodel *fs)
{
	size_t nb = fs->nbuckets * 2;
	struct fs_node **b = arena_alloc(fs->arena, nb * sizeof(*b));
	if (!b)
		return -1;
	for (size_t i = 0; i < fs->nbuckets; i++) {
		for (struct fs_node *n = fs->buckets[i], *next; n; n = next) {
			next = n->hnext;
			n->hnext = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
		}
	}
	fs->buckets = b;
	fs->nbuckets = nb;
	return 0;
}

/* Puts n, whose hash is set, in its bucket and first among parent's children. */
static struct fs_node *link_in(struct fsmodel *fs, struct fs_node *parent, struct fs_node *n)
{
	size_t b = n->hash & (fs->nbuckets - 1);
	n->hnext = fs->buckets[b];
	fs->buckets[b] = n;
	n->next = parent->child;
	if (parent->child)
		parent->child->prev = n;
	parent->child = n;
	fs->nnodes++;
	return n;
}

static struct fs_node *add_child(struct fsmodel *fs, struct fs_node *parent, const char *name,
				 size_t len)
{
	if (fs->nnodes >= fs->nbuckets && grow(fs) != 0)
		return NULL;
	struct fs_node *n = arena_alloc(fs->arena, sizeof(*n));
	if (!n)
		return NULL;
	n->name = arena_strndup(fs->arena, name, len);
	if (!n->name)
		return NULL;
	n->parent = parent;
	n->hash = hash_of(parent, name, len);
	return link_in(fs, parent, n);
}

/* A copy of node `from` as a child of `parent`: names, links and contents are shared. */
static struct fs_node *adopt(struct fsmodel *fs, struct fs_node *parent, const struct fs_node *from)
{
	if (fs->nnodes >= fs->nbuckets && grow(fs) != 0)
		return NULL;
	struct fs_node *n = arena_alloc(fs->arena, sizeof(*n));
	if (!n)
		return NULL;
	*n = *from;
	n->parent = parent;
	n->child = n->prev = NULL;
	n->hash = hash_of(parent, n->name, strlen(n->name));
	return link_in(fs, parent, n);
}

struct fsmodel *fs_clone(struct arena *a, const struct fsmodel *src)
{
	struct fsmodel *fs = fs_new(a, src->max_entries);
	if (!fs)
		return NULL;
	*fs->root = *src->root;
	fs->root->parent = fs->root->child = fs->root->prev = fs->root->next = NULL;
	fs->root->hnext = NULL;
	fs->nentries = src->nentries;
	/* Depth first with a stack of (source folder, its copy): no recursion on deep trees. */
	struct pair {
		const struct fs_node *from;
		struct fs_node *to;
	} *stack = NULL;
	size_t n = 0, cap = 0;
	bool ok = true;
	const struct fs_node *from = src->root;
	struct fs_node *to = fs->root;
	for (;;) {
		for (const struct fs_node *c = from->child; c && ok; c = c->next) {
			struct fs_node *copy = adopt(fs, to, c);
			if (!copy) {
				ok = false;
				break;
			}
			if (!c->child)
				continue;
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 64;
				struct pair *grown = realloc(stack, nc * sizeof(*grown));
				if (!grown) {
					ok = false;
					break;
				}
				stack = grown;
				cap = nc;
			}
			stack[n++] = (struct pair){c, copy};
		}
		if (!ok || !n)
			break;
		n--;
		from = stack[n].from;
		to = stack[n].to;
	}
	free(stack);
	return ok ? fs : NULL;
}

/* Unlinks a node; its subtree becomes unreachable (it stays in the arena). */
static void remove_node(struct fsmodel *fs, struct fs_node *n)
{
	if (!n->parent)
		return;
	struct fs_node **pp = &fs->buckets[n->hash & (fs->nbuckets - 1)];
	while (*pp && *pp != n)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = n->hnext;
	if (n->prev)
		n->prev->next = n->next;
	else
		n->parent->child = n->next;
	if (n->next)
		n->next->prev = n->prev;
	n->prev = n->next = NULL;
	fs->nnodes--;
}

/* Next component of *p: its start and length; skips slashes. */
static bool next_component(const char **p, const char **name, size_t *len)
{
	while (**p == '/')
		(*p)++;
	if (!**p)
		return false;
	*name = *p;
	*len = strcspn(*p, "/");
	*p += *len;
	return true;
}

struct fs_node *fs_lookup(const struct fsmodel *fs, const char *path)
{
	struct fs_node *n = fs->root;
	const char *p = path, *name;
	size_t len;
	while (n && next_component(&p, &name, &len))
		n = fs_child(fs, n, name, len);
	return n;
}

/*
 * Resolution state: the component list to walk is kept as a string that
 * grows at the front when a symlink is expanded, bounded by MAX_LINKS
 * expansions and the path length cap.
 */
struct fs_node *fs_resolve(const struct fsmodel *fs, const char *path, bool nofollow,
			   const char **why, bool *escaped)
{
	return fs_resolve_through(fs, path, nofollow, why, escaped, NULL, NULL);
}

struct fs_node *fs_resolve_through(const struct fsmodel *fs, const char *path, bool nofollow,
				   const char **why, bool *escaped,
				   bool (*enter)(void *arg, const struct fs_node *dir), void *arg)
{
	char buf[8192];
	size_t plen = strlen(path);
	if (plen >= sizeof(buf)) {
		*why = "path too long";
		return NULL;
	}
	memcpy(buf, path, plen + 1);
	const char *p = buf;
	struct fs_node *n = fs->root;
	int links = 0;
	const char *name;
	size_t len;
	while (next_component(&p, &name, &len)) {
		if (fs_type_of(n) != FS_DIR) {
			*why = "not a folder";
			return NULL;
		}
		if (enter && !enter(arg, n))
			return NULL;
		if (len == 1 && name[0] == '.')
			continue;
		if (len == 2 && name[0] == '.' && name[1] == '.') {
			if (n->parent)
				n = n->parent;
			else if (escaped)
				*escaped = true;
			continue;
		}
		struct fs_node *c = fs_child(fs, n, name, len);
		if (!c) {
			*why = "no such file or folder";
			return NULL;
		}
		bool last = true;
		for (const char *q = p; *q; q++)
			if (*q != '/') {
				last = false;
				break;
			}
		if (fs_type_of(c) == FS_LNK && !(last && nofollow)) {
			if (++links > MAX_LINKS) {
				*why = "too many levels of symbolic links";
				return NULL;
			}
			const char *t = c->link ? c->link : "";
			size_t tlen = strlen(t), rest = strlen(p);
			if (tlen + 1 + rest + 1 > sizeof(buf)) {
				*why = "path too long";
				return NULL;
			}
			/* The rest goes after the target: "target/rest". */
			memmove(buf + tlen + 1, p, rest + 1);
			memcpy(buf, t, tlen);
			buf[tlen] = '/';
			p = buf;
			if (t[0] == '/')
				n = fs->root;
			continue;
		}
		n = c;
	}
	return n;
}

const char *fs_path(struct arena *a, const struct fs_node *n)
{
	if (!n->parent)
		return "/";
	size_t len = 0;
	for (const struct fs_node *m = n; m->parent; m = m->parent)
		len += strlen(m->name) + 1;
	char *s = arena_alloc(a, len + 1);
	if (!s)
		return "?";
	size_t at = len;
	for (const struct fs_node *m = n; m->parent; m = m->parent) {
		size_t k = strlen(m->name);
		at -= k;
		memcpy(s + at, m->name, k);
		s[--at] = '/';
	}
	return s;
}

bool fs_path_buf(const struct fs_node *n, char *buf, size_t size)
{
	if (!n->parent) {
		if (size < 2)
			return false;
		strcpy(buf, "/");
		return true;
	}
	size_t len = 0;
	for (const struct fs_node *m = n; m->parent; m = m->parent)
		len += strlen(m->name) + 1;
	if (len + 1 > size)
		return false;
	size_t at = len;
	buf[len] = 0;
	for (const struct fs_node *m = n; m->parent; m = m->parent) {
		size_t k = strlen(m->name);
		at -= k;
		memcpy(buf + at, m->name, k);
		buf[--at] = '/';
	}
	return true;
}

const struct fs_xattr *fs_xattr_get(const struct fs_node *n, const char *name)
{
	for (const struct fs_xattr *x = n->xattrs; x; x = x->next)
		if (strcmp(x->name, name) == 0)
			return x;
	return NULL;
}

void fs_mode_string(uint32_t mode, char *out)
{
	char t = '-';
	switch (mode & 0170000) {
	case FS_DIR:
		t = 'd';
		break;
	case FS_LNK:
		t = 'l';
		break;
	case FS_CHR:
		t = 'c';
		break;
	case FS_BLK:
		t = 'b';
		break;
	case FS_FIFO:
		t = 'p';
		break;
	case FS_SOCK:
		t = 's';
		break;
	}
	out[0] = t;
	static const char rwx[] = "rwxrwxrwx";
	for (int i = 0; i < 9; i++)
		out[1 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
	if (mode & 04000)
		out[3] = (mode & 0100) ? 's' : 'S';
	if (mode & 02000)
		out[6] = (mode & 0010) ? 's' : 'S';
	if (mode & 01000)
		out[9] = (mode & 0001) ? 't' : 'T';
	out[10] = 0;
}

static int cmp_node(const void *a, const void *b)
{
	return strcmp((*(struct fs_node *const *)a)->name, (*(struct fs_node *const *)b)->name);
}

/* Iterative, with an explicit stack, so a deep tree cannot overflow the C stack. */
void fs_walk(struct arena *a, struct fs_node *top, bool (*fn)(struct fs_node *n, void *data),
	     void *data)
{
	struct fs_node **stack = NULL;
	size_t n = 0, cap = 0;
	struct fs_node **slot = ARR_PUSH(a, stack, n, cap);
	if (!slot)
		return;
	*slot = top;
	struct fs_node **kids = NULL;
	size_t kcap = 0;
	while (n) {
		struct fs_node *cur = stack[--n];
		if (!fn(cur, data) || fs_type_of(cur) != FS_DIR)
			continue;
		size_t k = 0;
		for (struct fs_node *c = cur->child; c; c = c->next) {
			if (k == kcap) {
				size_t nc = kcap ? kcap * 2 : 64;
				struct fs_node **g = malloc(nc * sizeof(*g));
				if (!g)
					break;
				if (k)
					memcpy(g, kids, k * sizeof(*g));
				free(kids);
				kids = g;
				kcap = nc;
			}
			kids[k++] = c;
		}
		if (k > 1) /* qsort(NULL, 0) is undefined */
			qsort(kids, k, sizeof(*kids), cmp_node);
		/* Pushed in reverse so they come off the stack in name order. */
		for (size_t i = k; i-- > 0;) {
			slot = ARR_PUSH(a, stack, n, cap);
			if (!slot)
				break;
			*slot = kids[i];
		}
	}
	free(kids);
}

/* --- applying layers --------------------------------------------------------- */

/*
 * The folder that holds `path`, created as needed. A missing parent is made
 * as a root-owned 0755 folder, as the runtimes do. A parent that is a
 * symlink is an error: a layer that writes through a link could reach
 * anywhere, and no build tool makes one.
 */
static struct fs_node *parent_dir(struct fsmodel *fs, const char *path, const char **last,
				  size_t *lastlen, uint16_t layer, const char **why)
{
	struct fs_node *n = fs->root;
	const char *p = path, *name;
	size_t len;
	if (!next_component(&p, &name, &len)) {
		*last = NULL;
		return n;
	}
	for (;;) {
		const char *nname;
		size_t nlen;
		const char *save = p;
		if (!next_component(&p, &nname, &nlen)) {
			*last = name;
			*lastlen = len;
			return n;
		}
		(void)save;
		struct fs_node *c = fs_child(fs, n, name, len);
		if (c && fs_type_of(c) == FS_LNK) {
			*why = "goes through a symbolic link";
			return NULL;
		}
		if (c && fs_type_of(c) != FS_DIR) {
			/* A file in the way: the runtimes replace it with a folder. */
			remove_node(fs, c);
			c = NULL;
		}
		if (!c) {
			c = add_child(fs, n, name, len);
			if (!c) {
				*why = "out of memory";
				return NULL;
			}
			c->mode = FS_DIR | 0755;
			c->layer = layer;
		}
		n = c;
		name = nname;
		len = nlen;
	}
}

static void copy_meta(struct fs_node *n, const struct layer_entry *e, uint16_t layer)
{
	n->mode = e->mode;
	n->uid = e->uid;
	n->gid = e->gid;
	n->size = e->size;
	n->link = fs_type_of(n) == FS_LNK ? e->link : NULL;
	n->xattrs = e->xattrs;
	n->content = e->content;
	n->content_len = e->content_len;
	n->content_truncated = e->content_truncated;
	n->data_path = NULL;
	n->layer = n->data_layer = layer;
}

/* Layer entries are copied into the model's arena: the layer's arena goes away. */
static const char *keep(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

static struct fs_xattr *keep_xattrs(struct arena *a, const struct fs_xattr *x)
{
	struct fs_xattr *head = NULL, **tail = &head;
	for (; x; x = x->next) {
		struct fs_xattr *c = arena_alloc(a, sizeof(*c));
		unsigned char *v = arena_alloc(a, x->len + 1);
		if (!c || !v)
			return head;
		memcpy(v, x->value, x->len);
		c->name = arena_strdup(a, x->name);
		c->value = v;
		c->len = x->len;
		*tail = c;
		tail = &c->next;
	}
	return head;
}

static int apply_entry(struct fsmodel *fs, const struct layer_entry *e, uint16_t layer,
		       const char **why)
{
	const char *last;
	size_t lastlen = 0;
	struct fs_node *dir = parent_dir(fs, e->path, &last, &lastlen, layer, why);
	if (!dir)
		return -1;
	if (!last) {
		/* The root itself: only its metadata changes. */
		if ((e->mode & 0170000) == FS_DIR) {
			struct layer_entry m = *e;
			copy_meta(fs->root, &m, layer);
		}
		return 0;
	}
	struct layer_entry copy = *e;
	if (e->hardlink) {
		/* A hard link shares the inode of its target, in this layer or below. */
		struct fs_node *t = fs_lookup(fs, e->link);
		if (!t || fs_type_of(t) == FS_DIR) {
			*why =
			    t ? "is a hard link to a folder" : "is a hard link to a missing file";
			return -1;
		}
		copy.mode = t->mode;
		copy.uid = t->uid;
		copy.gid = t->gid;
		copy.size = t->size;
		copy.xattrs = t->xattrs;
		copy.content = t->content;
		copy.content_len = t->content_len;
		copy.content_truncated = t->content_truncated;
		copy.link = t->link;
		struct fs_node *n = fs_child(fs, dir, last, lastlen);
		if (n == t)
			return 0;
		if (n)
			remove_node(fs, n);
		n = add_child(fs, dir, last, lastlen);
		if (!n) {
			*why = "out of memory";
			return -1;
		}
		copy_meta(n, &copy, layer);
		/* The bytes are the target's: where it was written, in its layer. */
		n->data_layer = t->data_layer;
		n->data_path = t->data_path ? t->data_path : keep(fs->arena, e->link);
		return 0;
	}
	copy.link = keep(fs->arena, e->link);
	copy.xattrs = keep_xattrs(fs->arena, e->xattrs);
	if (e->content) {
		copy.content = arena_strndup(fs->arena, e->content, e->content_len);
		if (!copy.content)
			copy.content_len = 0;
	}
	struct fs_node *n = fs_child(fs, dir, last, lastlen);
	if (n && !((e->mode & 0170000) == FS_DIR && fs_type_of(n) == FS_DIR)) {
		/* Anything but a folder over a folder replaces what was there. */
		remove_node(fs, n);
		n = NULL;
	}
	if (!n) {
		n = add_child(fs, dir, last, lastlen);
		if (!n) {
			*why = "out of memory";
			return -1;
		}
	}
	copy_meta(n, &copy, layer);
	return 0;
}

int fs_apply_layer(struct fsmodel *fs, const struct layer *l, uint16_t index, const char **why)
{
	fs->nentries += l->n;
	if (fs->nentries > fs->max_entries) {
		*why = "has more entries than the limit";
		return -1;
	}
	/* Whiteouts hide only what lower layers made: apply them before the entries. */
	for (size_t i = 0; i < l->n; i++) {
		const struct layer_entry *e = &l->entries[i];
		if (!e->whiteout && !e->opaque)
			continue;
		struct fs_node *n = fs_lookup(fs, e->path);
		if (!n)
			continue;
		if (e->whiteout) {
			remove_node(fs, n);
		} else if (fs_type_of(n) == FS_DIR) {
			while (n->child)
				remove_node(fs, n->child);
		}
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct layer_entry *e = &l->entries[i];
		if (e->whiteout || e->opaque)
			continue;
		struct layer_entry bare;
		if (l->contents_apart && e->content) {
			/* The reader keeps the newest copy itself: none grows the model's arena. */
			bare = *e;
			bare.content = NULL;
			bare.content_len = 0;
			bare.content_truncated = false;
			e = &bare;
		}
		if (apply_entry(fs, e, index, why) != 0) {
			const char *w = arena_printf(
			    fs->arena, "entry '%.300s'%s%s%s%.300s", e->path,
			    e->hardlink ? " (a hard link to '" : "", e->hardlink ? e->link : "",
			    e->hardlink ? "') " : " ", *why);
			if (w)
				*why = w;
			return -1;
		}
		if (arena_failed(fs->arena)) {
			*why = "out of memory";
			return -1;
		}
	}
	return 0;
}
