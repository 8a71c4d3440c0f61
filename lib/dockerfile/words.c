/*
 * words.c - the small lexers of BuildKit's Dockerfile parser: builder flags,
 * whitespace words with quotes kept, and the JSON (exec) form.
 *
 * Each follows BuildKit's frontend/dockerfile/parser (extractBuilderFlags,
 * parseWords, parseJSON); offsets are into the logical line.
 */
#include "words.h"
#include "unroot/arena.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/*
 * extractBuilderFlags: words starting with "--" at the front, quotes and
 * backslashes processed in them; a lone "--" ends the flags. Returns the
 * offset where the remaining arguments start.
 */
size_t df_lex_flags(struct arena *a, const char *s, size_t lo, size_t hi, struct df_rawflag **out,
		    size_t *n)
{
	size_t cap = 0;
	size_t pos = lo;
	*out = NULL;
	*n = 0;
	/* Most instructions have no flags, and most flags are short: no malloc for them. */
	char small[256], *word = NULL;
	for (;;) {
		while (pos < hi && df_is_space((unsigned char)s[pos]))
			pos++;
		if (pos >= hi)
			break;
		if (s[pos] != '-' || pos + 1 >= hi || s[pos + 1] != '-')
			break;
		if (!word && !(word = hi - lo < sizeof(small) ? small : malloc(hi - lo + 1)))
			return hi;
		size_t start = pos, wl = 0;
		bool quoted = false;
		char quote = 0;
		while (pos < hi) {
			char c = s[pos];
			if (!quote && df_is_space((unsigned char)c))
				break;
			if (!quote && (c == '\'' || c == '"')) {
				quote = c;
				quoted = true;
				pos++;
				continue;
			}
			if (quote && c == quote) {
				quote = 0;
				pos++;
				continue;
			}
			if (c == '\\') {
				if (pos + 1 >= hi) {
					pos++;
					continue;
				}
				pos++;
				c = s[pos];
			}
			word[wl++] = c;
			pos++;
		}
		if (wl == 2 && word[0] == '-' && word[1] == '-' && !quoted)
			break; /* "--" ends the flags; the rest are arguments */
		struct df_rawflag *f = ARR_PUSH(a, *out, *n, cap);
		if (!f)
			break;
		f->text = arena_strndup(a, word, wl);
		f->start = start;
		f->end = pos;
	}
	if (word != small)
		free(word);
	return pos;
}

/*
 * parseWords: split at whitespace outside quotes; quotes and escapes are
 * kept, so each word is the source text as written (a trailing lone escape
 * is dropped).
 */
/* df_is_space as a table, for the loops that look at every byte of a line. */
static const bool space[256] = {
    [' '] = true, ['\t'] = true, ['\n'] = true, ['\v'] = true, ['\f'] = true, ['\r'] = true};
/* Where a run of plain bytes in a word ends: a space, a quote, either escape. */
static const bool stop[256] = {
    [' '] = true,  ['\t'] = true, ['\n'] = true, ['\v'] = true, ['\f'] = true,
    ['\r'] = true, ['\''] = true, ['"'] = true,	 ['\\'] = true, ['`'] = true};

size_t df_lex_words(const char *s, size_t lo, size_t hi, char esc, struct df_span **buf,
		    size_t *cap)
{
	size_t n = 0;
	size_t pos = lo;
	while (pos < hi) {
		while (pos < hi && space[(unsigned char)s[pos]])
			pos++;
		if (pos >= hi)
			break;
		size_t start = pos;
		char quote = 0;
		while (pos < hi) {
			char c = s[pos];
			if (!quote) {
				/* a run of bytes that are nothing special */
				while (pos < hi && !stop[(unsigned char)s[pos]])
					pos++;
				if (pos < hi && (s[pos] == '\\' || s[pos] == '`') &&
				    s[pos] != esc) {
					pos++; /* the escape character this file does not use */
					continue;
				}
				if (pos >= hi)
					break;
				c = s[pos];
				if (space[(unsigned char)c])
					break;
				if (c == '\'' || c == '"')
					quote = c;
				else if (c == esc) {
					if (pos + 1 >= hi)
						break;
					pos++;
				}
			} else if (c == quote) {
				quote = 0;
			} else if (c == esc && quote != '\'') {
				if (pos + 1 >= hi)
					break;
				pos++;
			}
			pos++;
		}
		size_t end = pos;
		if (pos < hi && !space[(unsigned char)s[pos]])
			pos++; /* the dropped trailing escape */
		if (n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 16;
			struct df_span *nb = realloc(*buf, ncap * sizeof(*nb));
			if (!nb)
				return n;
			*buf = nb;
			*cap = ncap;
		}
		(*buf)[n].start = start;
		(*buf)[n].end = end;
		n++;
	}
	return n;
}

/* --- JSON form ----------------------------------------------------------- */

static bool json_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool hex4(const char *s, size_t i, size_t hi, unsigned *out)
{
	if (hi - i < 4)
		return false;
	unsigned v = 0;
	for (size_t k = 0; k < 4; k++) {
		int h = hexval(s[i + k]);
		if (h < 0)
			return false;
		v = v * 16 + (unsigned)h;
	}
	*out = v;
	return true;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* One JSON string at s[*i] (the opening quote); decoded into o. */
static bool jstring(const char *s, size_t *i, size_t hi, char *o, size_t *olen)
{
	size_t p = *i + 1, k = 0;
	while (p < hi) {
		unsigned char c = (unsigned char)s[p];
		if (c == '"') {
			*i = p + 1;
			*olen = k;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c != '\\') {
			o[k++] = (char)c;
			p++;
			continue;
		}
		if (++p >= hi)
			return false;
		char e = s[p++];
		switch (e) {
		case '"':
		case '\\':
		case '/':
			o[k++] = e;
			break;
		case 'b':
			o[k++] = '\b';
			break;
		case 'f':
			o[k++] = '\f';
			break;
		case 'n':
			o[k++] = '\n';
			break;
		case 'r':
			o[k++] = '\r';
			break;
		case 't':
			o[k++] = '\t';
			break;
		case 'u': {
			unsigned cp, lo;
			if (!hex4(s, p, hi, &cp))
				return false;
			p += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && p + 1 < hi && s[p] == '\\' &&
			    s[p + 1] == 'u' && hex4(s, p + 2, hi, &lo) && lo >= 0xdc00 &&
			    lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				cp = 0xfffd; /* a lone surrogate, as Go decodes it */
			}
			k += put_utf8(o + k, cp);
			break;
		}
		default:
			return false;
		}
	}
	return false;
}

int df_lex_json(struct arena *a, const char *s, size_t lo, size_t hi, struct df_jsonword **out,
		size_t *n)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	size_t p = lo;
	while (p < hi && json_ws(s[p]))
		p++;
	if (p >= hi || s[p] != '[')
		return 0;
	char small[512];
	char *tmp = hi - lo + 4 <= sizeof(small) ? small : malloc(hi - lo + 4);
	if (!tmp)
		return 0;
	int ok = 0;
	p++;
	while (p < hi && json_ws(s[p]))
		p++;
	if (p < hi && s[p] == ']') {
		p++;
		goto tail;
	}
	for (;;) {
		while (p < hi && json_ws(s[p]))
			p++;
		if (p >= hi || s[p] != '"')
			goto done;
		size_t start = p, len;
		if (!jstring(s, &p, hi, tmp, &len))
			goto done;
		struct df_jsonword *w = ARR_PUSH(a, *out, *n, cap);
		if (!w)
			goto done;
		w->text = arena_strndup(a, tmp, len);
		w->start = start;
		w->end = p;
		while (p < hi && json_ws(s[p]))
			p++;
		if (p < hi && s[p] == ',') {
			p++;
			continue;
		}
		if (p < hi && s[p] == ']') {
			p++;
			break;
		}
		goto done;
	}
tail:
	while (p < hi && json_ws(s[p]))
		p++;
	ok = p == hi;
done:
	if (tmp != small)
		free(tmp);
	if (ok)
		return 1;
	/*
	 * Not an array of strings. BuildKit falls back to the shell form when
	 * the text is not JSON, but refuses a valid JSON array holding
	 * something other than strings.
	 */
	json_error_t jerr;
	json_t *j = json_loadb(s + lo, hi - lo, 0, &jerr);
	int r = j && json_is_array(j) ? -1 : 0;
	json_decref(j);
	*n = 0;
	return r;
}
