/* diag.c - adding, sorting and naming diagnostics. */
#include "unroot/diag.h"
#include "unroot/arena.h"
#include "unroot/rule.h"
#include "unroot/source.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* True, and counted, when a cap leaves the next finding out. */
static bool capped(struct diag_list *l)
{
	if (l->input_cap && l->n >= l->input_first && l->n - l->input_first >= l->input_cap) {
		l->input_dropped++;
		return true;
	}
	if (l->run_cap && l->kept) {
		if (atomic_fetch_add(l->kept, 1) >= l->run_cap) {
			l->run_dropped++;
			return true;
		}
	}
	return false;
}

/* The next slot: DIAG_SPARE stay free for adds in reserve mode, which may take them. */
static struct diag *next_slot(struct diag_list *l, bool reserved)
{
	size_t keep = reserved ? 0 : DIAG_SPARE;
	if (l->n + keep >= l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		if (ncap < l->n + keep + 1)
			ncap = l->n + keep + 1;
		struct diag *p = ncap <= SIZE_MAX / sizeof(*p)
				     ? arena_realloc_raw(l->arena, l->items, l->cap * sizeof(*p),
							 ncap * sizeof(*p))
				     : NULL;
		if (!p)
			return NULL;
		l->items = p;
		l->cap = ncap;
	}
	struct diag *d = &l->items[l->n++];
	memset(d, 0, sizeof(*d));
	return d;
}

struct diag *diag_vadd(struct diag_list *l, const struct rule *rule, const char *path,
		       struct source *src, size_t start, size_t end, const char *fmt, va_list ap)
{
	bool reserved = arena_in_reserve(l->arena);
	if (!reserved && capped(l))
		return NULL;
	struct diag *d = next_slot(l, reserved);
	if (!d)
		return NULL;
	d->rule = rule;
	d->severity = rule->severity;
	d->platforms = rule->platforms;
	d->path = path ? path : (src ? src->path : "");
	d->src = src;
	if (src) {
		if (start > src->len)
			start = src->len;
		if (end < start)
			end = start;
		if (end > src->len)
			end = src->len;
	}
	d->start = start;
	d->end = end;
	d->message = arena_vprintf(l->arena, fmt, ap);
	if (!d->message) {
		/* no finding without its message: the caller sees the arena's failure */
		l->n--;
		return NULL;
	}
	return d;
}

struct diag *diag_add(struct diag_list *l, const struct rule *rule, const char *path,
		      struct source *src, size_t start, size_t end, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct diag *d = diag_vadd(l, rule, path, src, start, end, fmt, ap);
	va_end(ap);
	return d;
}

int diag_edit_add(struct diag_list *l, struct diag *d, const char *path, size_t start, size_t end,
		  const char *text)
{
	if (!d || !text)
		return -1;
	struct diag_edit *e = arena_alloc(l->arena, (d->nedits + 1) * sizeof(*e));
	if (!e)
		return -1;
	if (d->nedits)
		memcpy(e, d->edits, d->nedits * sizeof(*e));
	if (end < start)
		end = start;
	e[d->nedits] = (struct diag_edit){path ? path : d->path, start, end - start, text};
	d->edits = e;
	d->nedits++;
	return 0;
}

static int cmp_diag(const void *pa, const void *pb)
{
	const struct diag *a = pa, *b = pb;
	/* the findings of one input share its path string */
	int c = a->path == b->path ? 0 : strcmp(a->path, b->path);
	if (c)
		return c;
	/* Byte offsets order the same way lines and columns do within one source. */
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	c = strcmp(a->rule->code, b->rule->code);
	if (c)
		return c;
	c = strcmp(a->object ? a->object : "", b->object ? b->object : "");
	if (c)
		return c;
	c = strcmp(a->container ? a->container : "", b->container ? b->container : "");
	if (c)
		return c;
	return strcmp(a->message, b->message);
}

void diag_locate(struct diag *d)
{
	if (d->line || !d->src)
		return;
	source_position(d->src, d->start, &d->line, &d->col);
	source_position(d->src, d->end, &d->end_line, &d->end_col);
}

void diag_list_sort(struct diag_list *l)
{
	if (l->n > 1)
		qsort(l->items, l->n, sizeof(l->items[0]), cmp_diag);
}

const char *severity_name(enum severity s)
{
	switch (s) {
	case SEV_ERROR:
		return "error";
	case SEV_WARNING:
		return "warning";
	case SEV_INFO:
		return "info";
	case SEV_NONE:
		break;
	}
	return "none";
}

int severity_parse(const char *s)
{
	if (strcasecmp(s, "error") == 0)
		return SEV_ERROR;
	if (strcasecmp(s, "warning") == 0)
		return SEV_WARNING;
	if (strcasecmp(s, "info") == 0)
		return SEV_INFO;
	if (strcasecmp(s, "none") == 0 || strcasecmp(s, "off") == 0)
		return SEV_NONE;
	return -1;
}

static const char *const platform_names[] = {"docker", "podman", "kubernetes", "openshift"};

const char *platform_name(unsigned bit)
{
	for (unsigned i = 0; i < 4; i++)
		if (bit == 1u << i)
			return platform_names[i];
	return "";
}

unsigned platform_parse(const char *list, const char **bad)
{
	unsigned bits = 0;
	const char *p = list;
	*bad = NULL;
	while (*p) {
		size_t n = strcspn(p, ",");
		bool known = false;
		for (unsigned i = 0; i < 4; i++) {
			if (strlen(platform_names[i]) == n &&
			    strncasecmp(p, platform_names[i], n) == 0) {
				bits |= 1u << i;
				known = true;
			}
		}
		if (n == 3 && strncasecmp(p, "all", 3) == 0) {
			bits |= PLAT_ALL;
			known = true;
		} else if (n == 3 && strncasecmp(p, "k8s", 3) == 0) {
			bits |= PLAT_KUBERNETES;
			known = true;
		}
		if (!known && n) {
			*bad = p;
			return 0;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return bits;
}
