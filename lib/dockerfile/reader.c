/*
 * reader.c - the Dockerfile input kind: detection, the model, its parse
 * errors and its suppressions.
 */
#include "unroot/arena.h"
#include "dockerfile/dockerfile.h"
#include "image/image.h"
#include "unroot/source.h"
#include "util/reading.h"
#include "util/text.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

bool df_name_matches(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strcasecmp(base, "Dockerfile") == 0 || strcasecmp(base, "Containerfile") == 0)
		return true;
	/* what sits beside Dockerfiles under their names and is something else */
	static const char *const not_df[] = {".dockerignore", ".md",   ".sh",	".txt",	 ".json",
					     ".yml",	      ".yaml", ".py",	".orig", ".rej",
					     ".swp",	      ".bak",  ".tmpl", ".j2"};
	for (size_t i = 0; i < sizeof(not_df) / sizeof(not_df[0]); i++)
		if (text_ends_with(base, not_df[i], true))
			return false;
	/* Dockerfile.prod, Dockerfile-alpine, Dockerfile_prod, web.Dockerfile, and the same
	 * for Containerfile */
	static const char *const stems[] = {"Dockerfile", "Containerfile"};
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(stems[i]);
		if (strncasecmp(base, stems[i], n) == 0 &&
		    (base[n] == '.' || base[n] == '-' || base[n] == '_') && base[n + 1])
			return true;
	}
	return text_ends_with(base, ".Dockerfile", true) ||
	       text_ends_with(base, ".containerfile", true);
}

bool df_text_looks(const char *t, size_t len)
{
	size_t p = 0;
	while (p < len) {
		size_t e = p;
		while (e < len && t[e] != '\n')
			e++;
		size_t a = p;
		while (a < e && (t[a] == ' ' || t[a] == '\t' || t[a] == '\r'))
			a++;
		if (a < e && t[a] == '#') {
			/* a parser directive says it: # syntax=docker/dockerfile:1 */
			size_t d = a + 1;
			while (d < e && t[d] == ' ')
				d++;
			if (e - d >= 7 && strncasecmp(t + d, "syntax=", 7) == 0)
				return true;
		} else if (a < e) {
			/* the first instruction of a Dockerfile is FROM, or ARG before it */
			return (e - a > 5 && strncasecmp(t + a, "FROM", 4) == 0 &&
				(t[a + 4] == ' ' || t[a + 4] == '\t')) ||
			       (e - a > 4 && strncasecmp(t + a, "ARG", 3) == 0 &&
				(t[a + 3] == ' ' || t[a + 3] == '\t'));
		}
		p = e + 1;
	}
	return false;
}

static bool match(const char *path, bool is_dir)
{
	return !is_dir && df_name_matches(path);
}

/* A suppression covers the instruction that follows the comment. */
static void add_suppressions(struct reading *rd, const struct dockerfile *df)
{
	const char *path = rd->path;
	size_t next = 0;
	for (size_t i = 0; i < df->ncomments; i++) {
		const struct df_comment *c = &df->comments[i];
		struct suppression s = {
		    .path = path, .src = df->src, .start = c->start, .end = c->end};
		if (!reading_ignore_comment(c->text, strlen(c->text), &s.global, &s.list,
					    &s.list_len))
			continue;
		while (next < df->ninstrs && df->instrs[next].start < c->end)
			next++;
		if (!s.global) {
			if (next == df->ninstrs)
				s.from = s.to = df->src->len + 1;
			else {
				s.from = df->instrs[next].start;
				s.to = df->instrs[next].end;
			}
		}
		reading_suppress(rd, &s);
	}
}

/*
 * An expansion that passed a bound: NR000 where it first did. Before the
 * rules (ARG, ENV, USER, FROM) the Dockerfile is not checked at all: its
 * values would be wrong; in the rules, that word was taken as unknown.
 */
static bool expansion_over(struct reading *rd, const struct dockerfile *df, bool checked)
{
	const struct df_expansion *x = df->expansion;
	if (!x || !x->over)
		return false;
	if (x->total)
		reading_error(rd, NULL, df->src, x->start, x->end,
			      "the values this Dockerfile expands add up to more than %zu MiB "
			      "here (the limit for one Dockerfile); %s",
			      DF_EXPAND_TOTAL >> 20,
			      checked ? "unroot took the rest as unknown, so what depends on "
					"them was not checked"
				      : "unroot does not make them, so it was not checked");
	else
		reading_error(rd, NULL, df->src, x->start, x->end,
			      "a value here expands to more than %zu MiB (the limit for one "
			      "value); %s",
			      DF_EXPAND_MAX >> 20,
			      checked
				  ? "unroot took it as unknown, so what depends on it was "
				    "not checked"
				  : "unroot does not make it, so this Dockerfile was not checked");
	return true;
}

/*
 * The model of one Dockerfile goes to the scratch memory the engine resets
 * when the input is done: findings copy what they keep. Memory touched once
 * is then used again for the next input, so a run over many files touches
 * about as much memory as one of them needs.
 */
static void read_dockerfile(struct reading *rd)
{
	struct arena *m = rd->scratch;
	if (rd->src->len > DF_MAX_SIZE) {
		reading_error(rd, NULL, rd->src, DF_MAX_SIZE, DF_MAX_SIZE,
			      "this Dockerfile is %zu bytes, more than the %zu MiB unroot reads of "
			      "one (real ones are a few kilobytes): it was not checked",
			      rd->src->len, DF_MAX_SIZE >> 20);
		return;
	}
	struct dockerfile *df = arena_alloc(m, sizeof(*df));
	struct df_error err = {0};
	if (!df)
		return; /* the engine reports the full arena */
	if (df_parse(m, rd->src, df, &err) != 0) {
		if (!arena_failed(m))
			reading_error(rd, NULL, rd->src, err.start, err.end, "%s", err.message);
		return;
	}
	if (df_eval(m, df) != 0 || expansion_over(rd, df, false))
		return;
	if (df_read_commands(rd, df) != 0)
		return; /* a full arena: the engine says so */
	add_suppressions(rd, df);
	rd->model = df;
}

/* The rules expand words too: a value past its bound there leaves part of the input unchecked. */
static void after_rules(struct reading *rd)
{
	expansion_over(rd, rd->model, true);
}

/*
 * The image a Dockerfile builds, for pairing a manifest's image reference
 * with it (--image REF=PATH) and for simulate.
 */
static const struct image_view *image_view(struct reading *rd)
{
	struct image_view *v = df_image_view(rd->arena, rd->model, rd->path, rd->opts);
	if (v) {
		/* the user the Dockerfile's own findings suggest, for a manifest's to agree */
		struct df_image_user own;
		df_image_user(rd->arena, rd->model, rd->opts, &own);
		v->own_uid = own.uid;
	}
	return v;
}

/* The final image's base, for the engine to read with --pull. */
static const char *base_ref(struct reading *rd)
{
	return df_base_ref(rd->model);
}

/* What the engine read of it: the model is this reader's own, so it may take it in. */
static void take_base(struct reading *rd, const char *ref, const struct image_view *base)
{
	struct dockerfile *df = (struct dockerfile *)rd->model;
	const struct image *img = image_of_view(base);
	(void)ref;
	df->base = base;
	df->base_db = img ? &img->db : NULL;
}

const struct reader dockerfile_reader = {
    .kind = KIND_DOCKERFILE,
    .name = "dockerfile",
    .text = true,
    .parallel = true,
    .scratch = true,
    .match = match,
    .read = read_dockerfile,
    .after = after_rules,
    .view = image_view,
    .base_ref = base_ref,
    .take_base = take_base,
};
