/*
 * suppress-read.c - reading what a suppression names, the same way for every
 * input kind: the list of a `# unroot [global] ignore=LIST reason` comment
 * and of an `unroot/ignore: "LIST reason"` annotation, which the readers
 * find and hand over as written (reading.h).
 *
 * LIST is rule codes or names, separated by commas (blanks may follow a
 * comma), or `all`. The reason starts at the first word after a blank that is
 * not shaped like a rule: a word that is, such as a mistyped "NR21O", is a
 * rule that does not exist, an error with the nearest rule, and never the
 * start of the reason.
 */
#include "run.h"
#include "unroot/arena.h"
#include "unroot/source.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* NR and three letters or digits: what a code looks like, mistyped or not. */
static bool code_shaped(const char *w, size_t n)
{
	if (n != 5 || tolower((unsigned char)w[0]) != 'n' || tolower((unsigned char)w[1]) != 'r')
		return false;
	for (size_t i = 2; i < 5; i++)
		if (!isalnum((unsigned char)w[i]))
			return false;
	return true;
}

/* A word after a blank still belongs to the list when it looks like a rule. */
static bool rule_shaped(const char *w)
{
	size_t n = strlen(w);
	return code_shaped(w, n) || strcasecmp(w, "all") == 0 || rule_find(w) ||
	       (n > 4 && strchr(w, '-') && rule_nearest(w));
}

/* Where in the source the word is, for the error: its first place in [from, to). */
static size_t word_offset(const struct source *src, size_t from, size_t to, const char *w)
{
	if (!src || from >= to || to > src->len)
		return from;
	const char *at = memmem(src->data + from, to - from, w, strlen(w));
	return at ? (size_t)(at - src->data) : from;
}

bool run_read_suppression(struct lint_run *run, struct suppression *s, bool report)
{
	const char *p = s->list, *end = s->list + s->list_len;
	size_t cap = 0;
	s->codes = NULL;
	s->ncodes = 0;
	if (!p)
		return false;
	bool after_comma = true; /* the first word is a rule whatever it looks like */
	for (;;) {
		const char *q = p;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (q < end && *q == ',') {
			after_comma = true;
			p = q + 1;
			continue;
		}
		/* A rule never holds '*': a template comment's closing "*}}" ends the list. */
		size_t n = 0;
		while (q + n < end && q[n] != ',' && q[n] != '*' && !isspace((unsigned char)q[n]))
			n++;
		if (n == 0 || n > 64)
			break;
		char word[65];
		memcpy(word, q, n);
		word[n] = 0;
		if (!after_comma && !rule_shaped(word))
			break; /* the reason */
		after_comma = false;
		p = q + n;
		if (strcasecmp(word, "all") != 0 && !rule_find(word)) {
			if (report) {
				size_t at = word_offset(s->src, s->start, s->end, word);
				run_error(run, s->path, s->src, at, at + n, "%s",
					  rule_unknown(run->arena, word));
			}
			continue;
		}
		const char **slot = ARR_PUSH(run->arena, s->codes, s->ncodes, cap);
		if (!slot)
			return false;
		*slot = arena_strdup(run->arena, strcasecmp(word, "all") == 0 ? "all" : word);
		if (!*slot)
			return false;
	}
	return s->ncodes > 0;
}

void run_take_suppressions(struct lint_run *run, const struct reading *rd, bool report)
{
	for (size_t i = 0; i < rd->nsupp; i++) {
		struct suppression s = rd->supp[i];
		if (!run_read_suppression(run, &s, report))
			continue;
		struct suppression *slot =
		    ARR_PUSH(run->arena, run->supp, run->nsupp, run->capsupp);
		if (slot)
			*slot = s;
	}
}
