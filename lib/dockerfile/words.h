/*
 * words.h - lexers shared by the Dockerfile reader's files. Internal.
 * Offsets are into the text passed in; results live in the arena.
 */
#ifndef UNROOT_DF_WORDS_H
#define UNROOT_DF_WORDS_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

struct df_span {
	size_t start, end;
};

struct df_rawflag {
	const char *text; /* "--name=value", quotes and escapes processed */
	size_t start, end;
};

struct df_jsonword {
	const char *text; /* decoded */
	size_t start, end;
};

static inline bool df_is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r'); /* \t \n \v \f \r */
}

/* Leading --flags of s[lo..hi); returns where the other arguments start. */
size_t df_lex_flags(struct arena *a, const char *s, size_t lo, size_t hi, struct df_rawflag **out,
		    size_t *n);

/*
 * Whitespace-separated words of s[lo..hi), quotes and escapes kept, into the
 * caller's malloc'd *buf (grown with realloc; the caller frees it). Returns
 * the count.
 */
size_t df_lex_words(const char *s, size_t lo, size_t hi, char esc, struct df_span **buf,
		    size_t *cap);

/*
 * The JSON form: 1 for an array of strings (in *out), 0 for text that is not
 * one (the shell form), -1 for a valid JSON array holding non-strings.
 */
int df_lex_json(struct arena *a, const char *s, size_t lo, size_t hi, struct df_jsonword **out,
		size_t *n);

struct dockerfile;
/* Meta args, FROM expansion and stage parents; the end of df_parse(). */
int df_resolve_stages(struct arena *a, struct dockerfile *df);

#endif
