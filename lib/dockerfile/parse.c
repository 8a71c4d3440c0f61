/*
 * parse.c - reads a Dockerfile the way BuildKit's parser does
 * (frontend/dockerfile/parser/parser.go): parser directives, continuation
 * lines, comments, heredocs, builder flags, the JSON form, and the stages.
 * One pass over the bytes; every node keeps byte spans.
 */
#include "dockerfile/dockerfile.h"
#include "unroot/arena.h"
#include "unroot/source.h"
#include "words.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct pctx {
	struct arena *a;
	struct source *src;
	const char *d;
	size_t n;
	struct dockerfile *df;
	struct df_error *err;
	size_t cap_stages, cap_comments;
	/* The logical line being built, and where each piece came from. These and the
	 * instructions grow in the arena (the run's scratch arena, used again for each
	 * input): malloc'd, they cost every thread fresh heap pages and a copy at the end. */
	char *buf;
	size_t blen, bcap;
	struct df_segment *segs;
	size_t nsegs, capsegs;
	/* Scratch for word splitting (malloc'd, grown once per input), and the instructions. */
	struct df_span *words;
	size_t capwords;
	struct df_instr *ins;
	size_t nins, capins;
	bool oom;
};

static const struct {
	const char *name;
	size_t len;
	enum df_cmd cmd;
} commands[] = {
    {"add", 3, DF_ADD},
    {"arg", 3, DF_ARG},
    {"cmd", 3, DF_CMD},
    {"copy", 4, DF_COPY},
    {"entrypoint", 10, DF_ENTRYPOINT},
    {"env", 3, DF_ENV},
    {"expose", 6, DF_EXPOSE},
    {"from", 4, DF_FROM},
    {"healthcheck", 11, DF_HEALTHCHECK},
    {"label", 5, DF_LABEL},
    {"maintainer", 10, DF_MAINTAINER},
    {"onbuild", 7, DF_ONBUILD},
    {"run", 3, DF_RUN},
    {"shell", 5, DF_SHELL},
    {"stopsignal", 10, DF_STOPSIGNAL},
    {"user", 4, DF_USER},
    {"volume", 6, DF_VOLUME},
    {"workdir", 7, DF_WORKDIR},
};

static int fail(struct pctx *p, size_t start, size_t end, const char *msg)
{
	p->err->start = start;
	p->err->end = end;
	p->err->message = msg;
	return -1;
}

/* [p, end) of the physical line at p, without its line ending; *next is the next line. */
static size_t line_end(const struct pctx *p, size_t pos, size_t *next)
{
	const char *nl = memchr(p->d + pos, '\n', p->n - pos);
	size_t e = nl ? (size_t)(nl - p->d) : p->n;
	*next = nl ? e + 1 : p->n;
	/* trimNewline: every trailing \r goes (CRLF files). */
	while (e > pos && p->d[e - 1] == '\r')
		e--;
	return e;
}

static size_t skip_ws(const char *d, size_t i, size_t e)
{
	while (i < e && df_is_space((unsigned char)d[i]))
		i++;
	return i;
}

/* trimContinuationCharacter: the escape, then only blanks, ends the line. */
static bool continues(const struct pctx *p, size_t s, size_t e, size_t *content_end)
{
	size_t k = e;
	while (k > s && (p->d[k - 1] == ' ' || p->d[k - 1] == '\t'))
		k--;
	if (k > s && p->d[k - 1] == p->df->escape) {
		*content_end = k - 1;
		return true;
	}
	*content_end = e;
	return false;
}

static void append(struct pctx *p, size_t s, size_t e)
{
	if (e <= s || p->oom)
		return;
	size_t len = e - s;
	if (p->blen + len + 1 > p->bcap) {
		size_t cap = p->bcap ? p->bcap : 256;
		while (cap < p->blen + len + 1)
			cap *= 2;
		char *nb = arena_realloc_raw(p->a, p->buf, p->bcap, cap);
		if (!nb) {
			p->oom = true;
			return;
		}
		p->buf = nb;
		p->bcap = cap;
	}
	if (p->nsegs == p->capsegs) {
		size_t cap = p->capsegs ? p->capsegs * 2 : 16;
		struct df_segment *ns =
		    arena_realloc_raw(p->a, p->segs, p->capsegs * sizeof(*ns), cap * sizeof(*ns));
		if (!ns) {
			p->oom = true;
			return;
		}
		p->segs = ns;
		p->capsegs = cap;
	}
	p->segs[p->nsegs++] = (struct df_segment){.text_off = p->blen, .src_off = s, .len = len};
	memcpy(p->buf + p->blen, p->d + s, len);
	p->blen += len;
	p->buf[p->blen] = 0;
}

/* Source offset of logical `off` within (or clamped to) segment g. */
static size_t seg_offset(const struct df_segment *g, size_t off)
{
	if (off < g->text_off)
		return g->src_off;
	if (off - g->text_off > g->len)
		return g->src_off + g->len;
	return g->src_off + (off - g->text_off);
}

/* Source offset of a logical offset, through segments. */
static size_t seg_map(const struct df_segment *segs, size_t n, size_t off)
{
	if (n == 0)
		return 0;
	size_t lo = 0, hi = n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (segs[mid].text_off <= off)
			lo = mid;
		else
			hi = mid;
	}
	return seg_offset(&segs[lo], off);
}

size_t df_text_to_src(const struct df_instr *in, size_t text_off)
{
	return seg_map(in->segs, in->nsegs, text_off);
}

/* Source span of logical [s, e). */
static void span(const struct pctx *p, size_t s, size_t e, size_t *ss, size_t *se)
{
	*ss = seg_map(p->segs, p->nsegs, s);
	*se = e > s ? seg_map(p->segs, p->nsegs, e - 1) + 1 : *ss;
}

/*
 * seg_map for offsets that only grow (the words of one line, in order):
 * *at is the segment of the previous offset, so the search steps forward
 * instead of starting over for each word of a long RUN line.
 */
static size_t seg_map_next(const struct df_segment *segs, size_t n, size_t off, size_t *at)
{
	if (n == 0)
		return 0;
	size_t lo = *at < n ? *at : 0;
	if (segs[lo].text_off > off)
		lo = 0;
	while (lo + 1 < n && segs[lo + 1].text_off <= off)
		lo++;
	*at = lo;
	return seg_offset(&segs[lo], off);
}

static void span_next(const struct pctx *p, size_t s, size_t e, size_t *ss, size_t *se, size_t *at)
{
	*ss = seg_map_next(p->segs, p->nsegs, s, at);
	*se = e > s ? seg_map_next(p->segs, p->nsegs, e - 1, at) + 1 : *ss;
}

/* Segments of logical [from, to), shifted so that `from` is offset 0. */
static struct df_segment *slice_segs(struct pctx *p, size_t from, size_t to, size_t *n)
{
	size_t first = 0, count = 0;
	*n = 0;
	for (size_t i = 0; i < p->nsegs; i++) {
		const struct df_segment *g = &p->segs[i];
		if (g->text_off + g->len <= from && !(g->len == 0))
			continue;
		if (g->text_off >= to)
			break;
		if (!count)
			first = i;
		count++;
	}
	if (!count)
		return NULL;
	struct df_segment *out = arena_alloc(p->a, count * sizeof(*out));
	if (!out)
		return NULL;
	for (size_t k = 0; k < count; k++) {
		struct df_segment g = p->segs[first + k];
		size_t s = g.text_off < from ? from : g.text_off;
		size_t e = g.text_off + g.len > to ? to : g.text_off + g.len;
		out[k].text_off = s - from;
		out[k].src_off = g.src_off + (s - g.text_off);
		out[k].len = e - s;
	}
	*n = count;
	return out;
}

/*
 * Flags that take a value: BuildKit's BFlags refuses them without '='
 * ("missing a value on flag"), so `COPY --chown 1001:0 a b` does not build.
 */
static bool flag_needs_value(const char *name)
{
	static const char *const names[] = {
	    "chown",   "chmod",	       "from",		 "platform", "mount",
	    "network", "security",     "checksum",	 "exclude",  "interval",
	    "timeout", "start-period", "start-interval", "retries"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

static bool takes_json(enum df_cmd c)
{
	switch (c) {
	case DF_ADD:
	case DF_COPY:
	case DF_CMD:
	case DF_ENTRYPOINT:
	case DF_RUN:
	case DF_SHELL:
	case DF_VOLUME:
		return true;
	default:
		return false;
	}
}

static bool takes_heredoc(enum df_cmd c)
{
	return c == DF_ADD || c == DF_COPY || c == DF_RUN;
}

/*
 * A heredoc opener, as BuildKit's heredocsFromLine matches a word:
 * ^(\d*)<<(-?)([^<]*)$ with a non-empty rest. The name is the rest with
 * quotes and backslashes removed; any quote turns expansion off.
 */
static bool heredoc_word(struct pctx *p, const char *w, size_t len, struct df_heredoc *h)
{
	size_t i = 0;
	while (i < len && isdigit((unsigned char)w[i]))
		i++;
	if (len - i < 2 || w[i] != '<' || w[i + 1] != '<')
		return false;
	i += 2;
	h->chomp = i < len && w[i] == '-';
	if (h->chomp)
		i++;
	if (i >= len || memchr(w + i, '<', len - i))
		return false;
	char *name = arena_alloc(p->a, len - i + 1);
	if (!name)
		return false;
	size_t k = 0;
	char quote = 0;
	h->quoted = false;
	for (size_t j = i; j < len; j++) {
		char c = w[j];
		if (quote) {
			if (c == quote)
				quote = 0;
			else if (c == '\\' && quote == '"' && j + 1 < len &&
				 strchr("\"$\\", w[j + 1]))
				name[k++] = w[++j];
			else
				name[k++] = c;
		} else if (c == '\'' || c == '"') {
			quote = c;
			h->quoted = true;
		} else if (c == '\\') {
			if (j + 1 < len)
				name[k++] = w[++j];
		} else {
			name[k++] = c;
		}
	}
	if (quote || k == 0)
		return false; /* BuildKit cannot lex it as one word either */
	name[k] = 0;
	h->name = name;
	return true;
}

/* Whether "<<" occurs: memchr finds the rare '<' many bytes at a time. */
static bool has_heredoc_mark(const char *s, size_t n)
{
	for (const char *e = s + n; n >= 2 && (s = memchr(s, '<', (size_t)(e - s) - 1)) != NULL;
	     s++)
		if (s[1] == '<')
			return true;
	return false;
}

/* Reads the bodies of the heredocs opened on the logical line, from *pos on. */
static int read_heredocs(struct pctx *p, struct df_instr *in, size_t *pos, size_t *end)
{
	size_t nw = df_lex_words(p->buf, 0, p->blen, '\\', &p->words, &p->capwords);
	struct df_span *w = p->words;
	size_t cap = 0;
	for (size_t i = 0; i < nw; i++) {
		const char *word = p->buf + w[i].start;
		size_t len = w[i].end - w[i].start;
		struct df_heredoc h = {0};
		if (!has_heredoc_mark(word, len) || !heredoc_word(p, word, len, &h))
			continue;
		size_t os, oe;
		span(p, w[i].start, w[i].end, &os, &oe);
		size_t nlen = strlen(h.name);
		size_t body = *pos, q = *pos, next;
		bool done = false;
		while (q < p->n) {
			size_t e = line_end(p, q, &next);
			size_t s = q;
			if (h.chomp)
				while (s < e && p->d[s] == '\t')
					s++;
			if (e - s == nlen && memcmp(p->d + s, h.name, nlen) == 0) {
				h.start = body;
				h.end = q;
				*end = e;
				*pos = next;
				done = true;
				break;
			}
			q = next;
		}
		if (!done)
			return fail(p, os, oe, "unterminated heredoc");
		/* The body as BuildKit gives it: CRs before newlines dropped, tabs for <<-. */
		char *b = arena_alloc(p->a, h.end - h.start + 1);
		if (!b)
			return fail(p, os, oe, "out of memory");
		size_t k = 0;
		bool bol = true;
		for (size_t j = h.start; j < h.end; j++) {
			char c = p->d[j];
			if (bol && h.chomp && c == '\t')
				continue;
			bol = c == '\n';
			if (c == '\r' &&
			    (j + 1 == h.end || p->d[j + 1] == '\n' || p->d[j + 1] == '\r'))
				continue;
			b[k++] = c;
		}
		h.body = b;
		struct df_heredoc *slot = ARR_PUSH(p->a, in->heredocs, in->nheredocs, cap);
		if (!slot)
			return fail(p, os, oe, "out of memory");
		*slot = h;
	}
	return 0;
}

static bool words_have_eq(const struct df_instr *in)
{
	return in->nargs && strchr(in->args[0].text, '=');
}

/* The instruction's keyword at line[ks, ke) into in->keyword and in->cmd. */
static int read_keyword(struct pctx *p, struct df_instr *in, size_t ks, size_t ke, size_t ss,
			size_t se)
{
	const char *line = p->buf;
	in->keyword = arena_strndup(p->a, line + ks, ke - ks);
	in->cmd = DF_UNKNOWN;
	char first = (char)tolower((unsigned char)line[ks]);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (commands[i].len == ke - ks && commands[i].name[0] == first &&
		    strncasecmp(commands[i].name, line + ks, ke - ks) == 0) {
			in->cmd = commands[i].cmd;
			break;
		}
	}
	if (in->cmd == DF_UNKNOWN)
		return fail(
		    p, ss, se,
		    arena_printf(p->a, "unknown instruction '%s'", in->keyword ? in->keyword : ""));
	return 0;
}

/* The --flags from line[as, hi) into in->flags; *ts is where the arguments start. */
static int read_flags(struct pctx *p, struct df_instr *in, size_t as, size_t hi, size_t *ts,
		      size_t ss, size_t se)
{
	const char *line = p->buf;
	struct df_rawflag *rf;
	size_t nrf;
	*ts = skip_ws(line, df_lex_flags(p->a, line, as, hi, &rf, &nrf), hi);
	if (nrf) {
		in->flags = arena_alloc(p->a, nrf * sizeof(*in->flags));
		if (!in->flags)
			return fail(p, ss, se, "out of memory");
		for (size_t i = 0; i < nrf; i++) {
			const char *t = rf[i].text + 2;
			const char *eq = strchr(t, '=');
			struct df_flag *f = &in->flags[i];
			f->name = eq ? arena_strndup(p->a, t, (size_t)(eq - t)) : t;
			f->value = eq ? eq + 1 : NULL;
			span(p, rf[i].start, rf[i].end, &f->start, &f->end);
		}
		in->nflags = nrf;
	}
	for (size_t i = 0; i < in->nflags; i++)
		if (!in->flags[i].value && flag_needs_value(in->flags[i].name))
			return fail(p, in->flags[i].start, in->flags[i].end,
				    arena_printf(p->a,
						 "missing a value on flag: %s (write --%s=VALUE; "
						 "'--%s VALUE' is not read as one flag)",
						 in->flags[i].name, in->flags[i].name,
						 in->flags[i].name));
	return 0;
}

static int parse_instr(struct pctx *p, struct df_instr *in, size_t lo, size_t hi, int depth);

/* ONBUILD's instruction, from line[ts, hi). */
static int read_onbuild(struct pctx *p, struct df_instr *in, size_t ts, size_t hi, int depth,
			size_t ss, size_t se)
{
	if (depth > 0)
		return fail(p, ss, se, "chaining ONBUILD via 'ONBUILD ONBUILD' isn't allowed");
	if (ts >= hi)
		return fail(p, ss, se, "ONBUILD requires at least one argument");
	struct df_instr *sub = arena_alloc(p->a, sizeof(*sub));
	if (!sub)
		return fail(p, ss, se, "out of memory");
	sub->stage = in->stage;
	if (parse_instr(p, sub, ts, hi, depth + 1) != 0)
		return -1;
	size_t s1, e1;
	span(p, ts, hi, &s1, &e1);
	sub->start = s1;
	sub->end = e1;
	in->sub = sub;
	return 0;
}

/*
 * The exec form ["a", "b"] from line[ts, hi): 1 when it is one (in->args
 * set), 0 when the text is not a JSON array (BuildKit then reads the shell
 * form), -1 on an error.
 */
static int read_json_form(struct pctx *p, struct df_instr *in, size_t ts, size_t hi, size_t ss,
			  size_t se)
{
	struct df_jsonword *jw;
	size_t nj;
	int r = df_lex_json(p->a, p->buf, ts, hi, &jw, &nj);
	if (r < 0) {
		size_t s1, e1;
		span(p, ts, hi, &s1, &e1);
		return fail(p, s1, e1,
			    "when using JSON array syntax, arrays must be comprised of "
			    "strings only");
	}
	if (r == 0)
		return 0;
	in->json = true;
	in->args = nj ? arena_alloc(p->a, nj * sizeof(*in->args)) : NULL;
	if (nj && !in->args)
		return fail(p, ss, se, "out of memory");
	for (size_t i = 0; i < nj; i++) {
		in->args[i].text = jw[i].text;
		span(p, jw[i].start, jw[i].end, &in->args[i].start, &in->args[i].end);
	}
	in->nargs = nj;
	return 1;
}

/* The whitespace-separated words of line[ts, hi) into in->args. */
static int read_words(struct pctx *p, struct df_instr *in, size_t ts, size_t hi, size_t ss,
		      size_t se)
{
	size_t nw = df_lex_words(p->buf, ts, hi, p->df->escape, &p->words, &p->capwords);
	struct df_span *w = p->words;
	if (nw == 0)
		return 0;
	in->args = arena_alloc(p->a, nw * sizeof(*in->args));
	if (!in->args)
		return fail(p, ss, se, "out of memory");
	/* One copy of the words' range, cut into strings: each word is followed
	 * by a separator (or a dropped escape), which the NUL takes the place of. */
	size_t base = w[0].start, last = w[nw - 1].end;
	char *words = arena_alloc_raw(p->a, last - base + 1);
	if (!words)
		return fail(p, ss, se, "out of memory");
	memcpy(words, p->buf + base, last - base);
	size_t at = 0;
	for (size_t i = 0; i < nw; i++) {
		words[w[i].end - base] = '\0';
		in->args[i].text = words + (w[i].start - base);
		span_next(p, w[i].start, w[i].end, &in->args[i].start, &in->args[i].end, &at);
	}
	in->nargs = nw;
	return 0;
}

/* What BuildKit refuses about an instruction's words: ENV without '=', FROM's count, ... */
static int check_words(struct pctx *p, struct df_instr *in, size_t ss, size_t se)
{
	if ((in->cmd == DF_ENV || in->cmd == DF_LABEL) && words_have_eq(in)) {
		for (size_t i = 0; i < in->nargs; i++)
			if (!strchr(in->args[i].text, '='))
				return fail(p, in->args[i].start, in->args[i].end,
					    arena_printf(p->a,
							 "syntax error - can't find = in '%s'; "
							 "must be of the form: name=value",
							 in->args[i].text));
	}
	if (in->cmd == DF_FROM &&
	    !(in->nargs == 1 || (in->nargs == 3 && strcasecmp(in->args[1].text, "as") == 0)))
		return fail(p, ss, se, "FROM requires either one or three arguments");
	if ((in->cmd == DF_USER || in->cmd == DF_WORKDIR || in->cmd == DF_ARG ||
	     in->cmd == DF_ENV) &&
	    in->nargs == 0)
		return fail(p, ss, se,
			    arena_printf(p->a, "%s requires at least one argument", in->keyword));
	return 0;
}

/*
 * One instruction from logical [lo, hi). `depth` is 1 for ONBUILD's
 * instruction. Returns 0 or -1 with the error set.
 */
static int parse_instr(struct pctx *p, struct df_instr *in, size_t lo, size_t hi, int depth)
{
	const char *line = p->buf;
	size_t ks = skip_ws(line, lo, hi);
	while (hi > ks && df_is_space((unsigned char)line[hi - 1]))
		hi--;
	size_t ke = ks;
	while (ke < hi && !df_is_space((unsigned char)line[ke]))
		ke++;
	size_t ss, se; /* the keyword in the source, where most errors point */
	span(p, ks, ke, &ss, &se);
	if (depth == 0)
		in->start = ss;
	size_t ts;
	if (read_keyword(p, in, ks, ke, ss, se) != 0 ||
	    read_flags(p, in, skip_ws(line, ke, hi), hi, &ts, ss, se) != 0)
		return -1;
	in->text = arena_strndup(p->a, line + ts, hi - ts);
	in->segs = slice_segs(p, ts, hi, &in->nsegs);
	if (!in->text)
		return fail(p, ss, se, "out of memory");
	if (in->cmd == DF_ONBUILD)
		return read_onbuild(p, in, ts, hi, depth, ss, se);
	if (takes_json(in->cmd) && ts < hi && line[ts] == '[') {
		int r = read_json_form(p, in, ts, hi, ss, se);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	/* A shell-form RUN goes to the shell as it stands, which splits it by its own rules:
	 * BuildKit's words would say nothing true about it, and RUN lines are most of a file. */
	if (in->cmd == DF_RUN)
		return arena_failed(p->a) ? fail(p, ss, se, "out of memory") : 0;
	if (read_words(p, in, ts, hi, ss, se) != 0)
		return -1;
	if (arena_failed(p->a))
		return fail(p, ss, se, "out of memory");
	return check_words(p, in, ss, se);
}

/* `# name=value` parser directives at the top (BuildKit's directives regexp). */
static int directive(struct pctx *p, size_t s, size_t e, bool *done, bool *seen_escape,
		     bool *seen_syntax, bool *seen_check)
{
	const char *d = p->d;
	size_t i = s;
	if (i >= e || d[i] != '#')
		goto not_one;
	i++;
	while (i < e && (d[i] == ' ' || d[i] == '\t' || d[i] == '\f'))
		i++;
	size_t ns = i;
	if (i >= e || !isalpha((unsigned char)d[i]))
		goto not_one;
	while (i < e && isalnum((unsigned char)d[i]))
		i++;
	size_t ne = i;
	while (i < e && (d[i] == ' ' || d[i] == '\t' || d[i] == '\f'))
		i++;
	if (i >= e || d[i] != '=')
		goto not_one;
	i++;
	while (i < e && (d[i] == ' ' || d[i] == '\t' || d[i] == '\f'))
		i++;
	size_t vs = i, ve = e;
	while (ve > vs && (d[ve - 1] == ' ' || d[ve - 1] == '\t' || d[ve - 1] == '\f'))
		ve--;
	if (ve == vs)
		goto not_one;
	size_t nl = ne - ns;
	bool *seen = NULL;
	const char *name = NULL;
	if (nl == 6 && strncasecmp(d + ns, "escape", 6) == 0)
		seen = seen_escape, name = "escape";
	else if (nl == 6 && strncasecmp(d + ns, "syntax", 6) == 0)
		seen = seen_syntax, name = "syntax";
	else if (nl == 5 && strncasecmp(d + ns, "check", 5) == 0)
		seen = seen_check, name = "check";
	if (!seen)
		goto not_one; /* an unknown directive is a comment, and ends the directives */
	if (*seen)
		return fail(p, s, e,
			    arena_printf(p->a, "only one %s parser directive can be used", name));
	*seen = true;
	const char *value = arena_strndup(p->a, d + vs, ve - vs);
	if (seen == seen_escape) {
		if (ve - vs != 1 || (d[vs] != '\\' && d[vs] != '`'))
			return fail(p, vs, ve,
				    arena_printf(p->a,
						 "invalid escape token '%s' does not match ` or \\",
						 value ? value : ""));
		p->df->escape = d[vs];
	} else if (seen == seen_syntax) {
		p->df->syntax = value;
	} else {
		p->df->check = value;
	}
	return 1;
not_one:
	*done = true;
	return 0;
}

static void add_comment(struct pctx *p, size_t s, size_t e)
{
	struct df_comment *c = ARR_PUSH(p->a, p->df->comments, p->df->ncomments, p->cap_comments);
	if (!c)
		return;
	size_t ts = s + 1, te = e;
	ts = skip_ws(p->d, ts, te);
	while (te > ts && df_is_space((unsigned char)p->d[te - 1]))
		te--;
	c->text = arena_strndup(p->a, p->d + ts, te - ts);
	c->start = s;
	c->end = e;
}

static int add_stage(struct pctx *p, size_t idx)
{
	struct df_instr *in = &p->ins[idx];
	struct df_stage *st = ARR_PUSH(p->a, p->df->stages, p->df->nstages, p->cap_stages);
	if (!st)
		return fail(p, in->start, in->end, "out of memory");
	st->from = idx;
	st->first = idx;
	st->last = idx + 1;
	st->base = in->args[0].text;
	st->name = in->nargs == 3 ? arena_strdup(p->a, in->args[2].text) : NULL;
	if (st->name)
		for (char *c = (char *)st->name; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	const struct df_flag *pf = df_flag_get(in, "platform");
	st->platform = pf ? pf->value : NULL;
	st->parent = -1;
	return 0;
}

/* The lines of d[0..n), at least one. */
static size_t lines_in(const char *d, size_t n)
{
	size_t k = 1;
	for (const char *q = d, *end = d + n; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
		k++;
	return k;
}

static int parse_lines(struct pctx *p)
{
	struct dockerfile *df = p->df;
	size_t pos = 0;
	/* A UTF-8 byte order mark on the first line is dropped, as BuildKit does. */
	if (p->n >= 3 && memcmp(p->d, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	bool dir_done = false, s_esc = false, s_syn = false, s_chk = false;
	while (pos < p->n) {
		size_t next;
		size_t e = line_end(p, pos, &next);
		size_t s = skip_ws(p->d, pos, e);
		if (!dir_done) {
			int r = directive(p, s, e, &dir_done, &s_esc, &s_syn, &s_chk);
			if (r < 0)
				return -1;
			if (r > 0) {
				add_comment(p, s, e);
				pos = next;
				continue;
			}
		}
		if (s == e) {
			pos = next;
			continue;
		}
		if (p->d[s] == '#') {
			add_comment(p, s, e);
			pos = next;
			continue;
		}
		/* An instruction: join its continuation lines. */
		p->blen = 0;
		p->nsegs = 0;
		size_t ce;
		bool cont = continues(p, s, e, &ce);
		append(p, s, ce);
		size_t last_end = e;
		pos = next;
		while (cont && pos < p->n) {
			size_t e2 = line_end(p, pos, &next);
			size_t t = skip_ws(p->d, pos, e2);
			if (t < e2 && p->d[t] == '#') { /* a comment inside: dropped */
				pos = next;
				continue;
			}
			if (t == e2) { /* an empty continuation line: dropped */
				pos = next;
				continue;
			}
			cont = continues(p, pos, e2, &ce);
			append(p, pos, ce);
			last_end = e2;
			pos = next;
		}
		if (p->oom)
			return fail(p, s, e, "out of memory");
		if (skip_ws(p->buf ? p->buf : "", 0, p->blen) == p->blen)
			continue; /* only an escape and blanks */

		if (p->nins == p->capins) {
			/* At first room for one instruction a line: an array doubled in the
			 * arena leaves its old copies behind, half its size again. */
			size_t cap = p->capins ? p->capins * 2 : lines_in(p->d, p->n);
			struct df_instr *ni = arena_realloc_raw(
			    p->a, p->ins, p->capins * sizeof(*ni), cap * sizeof(*ni));
			if (!ni)
				return fail(p, s, e, "out of memory");
			p->ins = ni;
			p->capins = cap;
		}
		struct df_instr *in = &p->ins[p->nins++];
		memset(in, 0, sizeof(*in));
		in->stage = (int)df->nstages - 1;
		in->start = s;
		if (parse_instr(p, in, 0, p->blen, 0) != 0)
			return -1;
		const struct df_instr *inner = in->sub ? in->sub : in;
		if (!inner->json && takes_heredoc(inner->cmd) &&
		    has_heredoc_mark(p->buf, p->blen)) {
			if (read_heredocs(p, in, &pos, &last_end) != 0)
				return -1;
			if (in->sub) {
				in->sub->heredocs = in->heredocs;
				in->sub->nheredocs = in->nheredocs;
			}
		}
		in->end = last_end;
		/* Only ARG may come before the first FROM (instructions.Parse: CurrentStage). */
		if (!df->nstages && in->cmd != DF_FROM && in->cmd != DF_ARG)
			return fail(p, in->start,
				    in->start + strlen(in->keyword ? in->keyword : ""),
				    "no build stage in current context: only ARG may come before "
				    "the first FROM");
		if (in->cmd == DF_FROM) {
			in->stage = (int)df->nstages;
			if (add_stage(p, p->nins - 1) != 0)
				return -1;
		} else if (df->nstages) {
			df->stages[df->nstages - 1].last = p->nins;
		}
		if (arena_failed(p->a))
			return fail(p, in->start, in->end, "out of memory");
	}
	return 0;
}

int df_parse(struct arena *a, struct source *src, struct dockerfile *out, struct df_error *err)
{
	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	out->src = src;
	out->escape = '\\';
	out->expansion = arena_alloc(a, sizeof(*out->expansion));
	if (out->expansion)
		out->expansion->total_left = DF_EXPAND_TOTAL;
	struct pctx p = {.a = a, .src = src, .d = src->data, .n = src->len, .df = out, .err = err};
	const char *nul = memchr(src->data, 0, src->len);
	if (nul) {
		size_t off = (size_t)(nul - src->data);
		return fail(&p, off, off + 1, "binary file: NUL byte");
	}
	int r = parse_lines(&p);
	if (r == 0 && p.nins) {
		out->instrs = p.ins;
		out->ninstrs = p.nins;
	}
	free(p.words);
	if (r == 0)
		r = df_resolve_stages(a, out) == 0 ? 0 : fail(&p, 0, 0, "out of memory");
	if (r == 0 && arena_failed(a))
		r = fail(&p, 0, 0, "out of memory");
	return r;
}

const struct df_flag *df_flag_get(const struct df_instr *in, const char *name)
{
	for (size_t i = 0; i < in->nflags; i++)
		if (strcmp(in->flags[i].name, name) == 0)
			return &in->flags[i];
	return NULL;
}

int df_final_stage(const struct dockerfile *df)
{
	return df->nstages ? (int)df->nstages - 1 : -1;
}

int df_stage_by_name(const struct dockerfile *df, const char *name, int before, bool allow_index)
{
	if (!name || !*name)
		return -1;
	if (before > (int)df->nstages)
		before = (int)df->nstages;
	for (int i = before - 1; i >= 0; i--)
		if (df->stages[i].name && strcasecmp(df->stages[i].name, name) == 0)
			return i;
	if (allow_index) {
		char *end;
		long v = strtol(name, &end, 10);
		if (*end == 0 && isdigit((unsigned char)name[0]) && v >= 0 && v < before)
			return (int)v;
	}
	return -1;
}

const char *df_root_image(const struct dockerfile *df, int stage)
{
	while (stage >= 0 && stage < (int)df->nstages && df->stages[stage].parent >= 0)
		stage = df->stages[stage].parent;
	if (stage < 0 || stage >= (int)df->nstages)
		return NULL;
	return df->stages[stage].base_expanded;
}

const char *df_base_ref(const struct dockerfile *df)
{
	int s = df_final_stage(df);
	const char *ref = df_root_image(df, s);
	if (!ref || !*ref || strchr(ref, '$') || df_stage_is_windows(df, s) ||
	    strcmp(ref, "scratch") == 0)
		return NULL;
	return ref;
}

bool df_stage_is_windows(const struct dockerfile *df, int stage)
{
	return stage >= 0 && stage < (int)df->nstages && df->stages[stage].windows;
}
