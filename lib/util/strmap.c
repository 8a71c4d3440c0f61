/* strmap.c - an open-addressing table from strings to numbers, with a seeded hash. */
#include "util/strmap.h"
#include "unroot/arena.h"

#include <stdatomic.h>
#include <string.h>

static uint64_t hash(uint64_t seed, const char *s)
{
	uint64_t h = seed ^ 1469598103934665603ull;
	for (; *s; s++) {
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
		h ^= h >> 29;
	}
	return h ^ (h >> 32);
}

void strmap_init(struct strmap *m, struct arena *a)
{
	/* a seed a table at a time: the address and a counter, mixed */
	static atomic_uint_fast64_t count;
	memset(m, 0, sizeof(*m));
	m->a = a;
	m->seed = ((uint64_t)(uintptr_t)m * 0x9e3779b97f4a7c15ull) ^
		  (atomic_fetch_add(&count, 1) * 0xbf58476d1ce4e5b9ull);
}

static size_t find(const struct strmap *m, const char *key, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);
	while (m->slots[i].key && strcmp(m->slots[i].key, key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

bool strmap_put(struct strmap *m, const char *key, size_t value)
{
	if ((m->n + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct strmap_slot *old = m->slots;
		size_t ocap = m->cap;
		m->slots = arena_alloc(m->a, cap * sizeof(*m->slots));
		if (!m->slots) {
			m->slots = old;
			return false;
		}
		m->cap = cap;
		for (size_t k = 0; k < ocap; k++)
			if (old[k].key)
				m->slots[find(m, old[k].key, hash(m->seed, old[k].key))] = old[k];
	}
	size_t i = find(m, key, hash(m->seed, key));
	if (!m->slots[i].key) {
		m->slots[i].key = key;
		m->n++;
	}
	m->slots[i].value = value;
	return true;
}

bool strmap_get(const struct strmap *m, const char *key, size_t *value)
{
	if (!m->cap)
		return false;
	size_t i = find(m, key, hash(m->seed, key));
	if (!m->slots[i].key)
		return false;
	*value = m->slots[i].value;
	return true;
}
