/* suggest.c - the nearest known word to a typo (suggest.h). */
#include "unroot/suggest.h"

#include <ctype.h>
#include <string.h>

#define MAXLEN 64

size_t edit_distance(const char *a, const char *b, size_t max)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > MAXLEN || m > MAXLEN)
		return max + 1;
	if ((n > m ? n - m : m - n) > max)
		return max + 1;
	/* Three rows: two back for the swap of neighbours. */
	size_t rows[3][MAXLEN + 1];
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
	for (size_t j = 0; j <= m; j++)
		prev[j] = j;
	for (size_t i = 1; i <= n; i++) {
		cur[0] = i;
		size_t best = cur[0];
		for (size_t j = 1; j <= m; j++) {
			char x = (char)tolower((unsigned char)a[i - 1]);
			char y = (char)tolower((unsigned char)b[j - 1]);
			size_t d = prev[j - 1] + (x != y);
			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (i > 1 && j > 1 && x == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == y && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
			if (d < best)
				best = d;
		}
		if (best > max)
			return max + 1;
		size_t *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[m] > max ? max + 1 : prev[m];
}

size_t suggest_limit(size_t len)
{
	return len <= 4 ? 1 : len <= 8 ? 2 : 3;
}

const char *suggest(const char *word, const char *const *cands, size_t n)
{
	size_t limit = suggest_limit(strlen(word));
	const char *best = NULL;
	size_t best_d = limit + 1;
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, cands[i], limit);
		if (d < best_d) {
			best = cands[i];
			best_d = d;
		}
	}
	return best;
}
