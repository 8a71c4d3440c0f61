/*
 * accounts.c - taking the account commands of the final image out, and the
 * numeric form of every other word that names those accounts.
 */
#include "accounts.h"
#include "edit.h"
#include "final-user.h"
#include "memo.h"
#include "unroot/arena.h"
#include "rules/check.h"
#include "unroot/source.h"
#include "shell/shell.h"
#include "util/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool account_command(const struct sh_finding *f)
{
	return f->kind == SH_USER_ADD || f->kind == SH_GROUP_ADD || f->kind == SH_USER_MOD ||
	       f->kind == SH_GROUP_MOD;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A word that closes a compound command: nothing may be left between it and an operator. */
static bool closing_word(const char *t, size_t at, size_t len)
{
	static const char *const words[] = {"fi",   "done", "esac", "then", "else",
					    "elif", "do",   "}",    ")"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i]);
		if (at + n <= len && strncmp(t + at, words[i], n) == 0 &&
		    (at + n == len || blank(t[at + n]) || t[at + n] == ';'))
			return true;
	}
	return at < len && (t[at] == ')' || t[at] == '}' || t[at] == '&' || t[at] == '|');
}

/*
 * Where an account command stands in its RUN line, for taking it out and
 * leaving valid shell: alone (the instruction goes), or joined by `&&` or
 * `;` to the command after it (it goes with that operator) or, the last
 * one, to the command before it (it goes with the operator before it).
 */
struct place {
	const struct df_instr *in;
	bool alone, first; /* alone in the RUN; nothing before it */
	size_t to_next;	   /* text offset of the next command, after the operator; 0: none */
	size_t from_prev;  /* text offset of the end of the command before; 0: none */
	size_t a, b;	   /* the command's own text span */
};

/* False when its place is anything else (a pipe, `||`, an if, a subshell, a heredoc, an exec
 * form, a script). */
static bool place_of(const struct df_command *h, struct place *pl)
{
	const struct df_instr *in = h->t->in;
	const struct sh_cmd *c = h->f->cmd;
	if (h->t->in_script || !h->t->logical || in->json || in->nheredocs || c->depth ||
	    in->cmd != DF_RUN)
		return false;
	const char *t = h->t->text;
	size_t len = strlen(t), a = c->start, b = c->end;
	if (a > b || b > len)
		return false;
	*pl = (struct place){.in = in, .a = a, .b = b};
	size_t q = a, p = b;
	while (q > 0 && blank(t[q - 1]))
		q--;
	while (p < len && blank(t[p]))
		p++;
	pl->first = q == 0;
	if (q == 0 && p == len) {
		pl->alone = true;
		return true;
	}
	size_t after_op = 0;
	if (p + 1 < len && t[p] == '&' && t[p + 1] == '&')
		after_op = 2;
	else if (p < len && t[p] == ';' && (p + 1 >= len || t[p + 1] != ';'))
		after_op = 1;
	size_t before_op = (q >= 2 && t[q - 1] == '&' && t[q - 2] == '&')	       ? 2
			   : (q >= 1 && t[q - 1] == ';' && (q < 2 || t[q - 2] != ';')) ? 1
										       : 0;
	if (after_op) {
		size_t next = p + after_op;
		while (next < len && blank(t[next]))
			next++;
		if (next < len && !closing_word(t, next, len))
			pl->to_next = next;
	}
	if (before_op) {
		size_t r = q - before_op;
		while (r > 0 && blank(t[r - 1]))
			r--;
		if (r > 0 && !closing_word(t, r - 1, len))
			pl->from_prev = r;
	}
	/* a command between others needs the way to the next; the last, the way from the one
	 * before */
	return pl->first ? pl->to_next > 0 : pl->to_next > 0 || (p == len && pl->from_prev > 0);
}

/* The whole instruction, its line and newline with it. */
static bool whole_instr(struct check_ctx *ctx, const struct df_instr *in, size_t *rs, size_t *re)
{
	const char *data = ctx->src->data;
	size_t ls = in->start, le = in->end;
	while (ls > 0 && blank(data[ls - 1]))
		ls--;
	if (ls > 0 && data[ls - 1] != '\n')
		return false;
	while (le < ctx->src->len && data[le] != '\n')
		le++;
	*rs = ls;
	*re = le < ctx->src->len ? le + 1 : le;
	return true;
}

/*
 * The spans that take the n account commands of one instruction out, in
 * order: each goes up to the next command when a command is left after the
 * last of them; else each goes from the end of the
 * command before it, so that the last operator goes too; and when no
 * command is left at all, the instruction goes (the same edit for each).
 */
static bool spans(struct check_ctx *ctx, const struct place *pl, size_t n, size_t *rs, size_t *re)
{
	const struct df_instr *in = pl[0].in;
	bool last_has_next = pl[n - 1].to_next > 0;
	if (last_has_next) {
		for (size_t k = 0; k < n; k++) {
			rs[k] = df_text_to_src(in, pl[k].a);
			re[k] = df_text_to_src(in, pl[k].to_next);
		}
		return true;
	}
	/* the removed run at the end starts at command m */
	size_t m = n - 1;
	while (m > 0 && pl[m - 1].to_next == pl[m].a)
		m--;
	for (size_t k = 0; k < m; k++) {
		if (!pl[k].to_next)
			return false;
		rs[k] = df_text_to_src(in, pl[k].a);
		re[k] = df_text_to_src(in, pl[k].to_next);
	}
	if (pl[m].first || pl[m].alone) {
		/* nothing is left before the run: the instruction goes */
		for (size_t k = m; k < n; k++)
			if (!whole_instr(ctx, in, &rs[k], &re[k]))
				return false;
		return true;
	}
	if (!pl[m].from_prev)
		return false;
	for (size_t k = m; k < n; k++) {
		rs[k] = df_text_to_src(in, k == m ? pl[m].from_prev : pl[k - 1].b);
		re[k] = df_text_to_src(in, pl[k].b);
	}
	return true;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == '$' || c == '/';
}

struct span {
	size_t start, end;
};

static int by_start(const void *x, const void *y)
{
	size_t a = ((const struct span *)x)->start, b = ((const struct span *)y)->start;
	return (a > b) - (a < b);
}

static bool known(const struct strmap *m, const char *p, size_t n)
{
	char word[256];
	size_t v;
	if (!n || n >= sizeof(word))
		return false;
	memcpy(word, p, n);
	word[n] = '\0';
	return strmap_get(m, word, &v);
}

/*
 * Whether a word of data[from, to) is one of the accounts' names (a path
 * that ends in one, /app, is no use of the account), or is the home folder
 * an account command may have made, /home/NAME. One pass over the text.
 */
static bool named(const char *data, size_t from, size_t to, const struct strmap *names)
{
	for (size_t i = from; i < to;) {
		if (!name_char(data[i])) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < to && name_char(data[j]))
			j++;
		if (known(names, data + i, j - i))
			return true;
		for (size_t k = i; k + 6 <= j; k++)
			if (memcmp(data + k, "/home/", 6) == 0) {
				size_t e = k + 6;
				while (e < j && data[e] != '/')
					e++;
				if (known(names, data + k + 6, e - k - 6))
					return true;
			}
		i = j;
	}
	return false;
}

/* What the uses are looked up against. */
struct names {
	struct strmap all;  /* every name the account commands create or use */
	const char **homes; /* the home folders they name (useradd -d, adduser -h) */
	size_t nhomes, homecap;
	struct strmap users; /* the users useradd/adduser create, mapped to 1 when the uid is the
				image's one, else 0 */
};

/* An owner as written (OWNER, OWNER:GROUP, :GROUP), its quotes aside. */
struct owner {
	const char *u, *g;
	size_t ul, gl;
	bool colon;
};

/* False when the word is more than plain characters: a variable, an escape, inner quotes. */
static bool owner_of(const char *raw, size_t len, struct owner *o)
{
	if (len >= 2 && (raw[0] == '"' || raw[0] == '\'') && raw[len - 1] == raw[0]) {
		raw++;
		len -= 2;
	}
	for (size_t i = 0; i < len; i++)
		if (!name_char(raw[i]) && raw[i] != ':')
			return false;
	if (memchr(raw, '$', len))
		return false;
	const char *c = memchr(raw, ':', len);
	*o = (struct owner){.u = raw, .ul = c ? (size_t)(c - raw) : len, .colon = c != NULL};
	if (c) {
		o->g = c + 1;
		o->gl = len - o->ul - 1;
	}
	return true;
}

/* 1: a user of the accounts whose uid is the image's; 0: not an account; -1: one that is not. */
static int user_kind(const struct names *nm, const char *p, size_t n)
{
	char word[256];
	size_t v;
	if (!n || n >= sizeof(word))
		return 0;
	memcpy(word, p, n);
	word[n] = '\0';
	if (strmap_get(&nm->users, word, &v))
		return v ? 1 : -1;
	return strmap_get(&nm->all, word, &v) ? -1 : 0;
}

/*
 * The owner raw[0..len) with the accounts made numeric: the image's uid for
 * the user, 0 for the group (and for the group of a user made numeric, whose
 * own group is gone). Sets *gs and *ge to the span to replace relative to raw: the
 * group part alone when only it changes, as NR109 writes it. NULL when the
 * owner names no account; "" when it names one that cannot be made numeric.
 */
static const char *numeric_owner(struct check_ctx *ctx, const struct names *nm, const char *raw,
				 size_t len, bool group_only, size_t *gs, size_t *ge)
{
	struct owner o;
	if (!owner_of(raw, len, &o))
		return NULL;
	if (group_only) {
		o.g = o.u;
		o.gl = o.ul;
		o.ul = 0;
	}
	int uk = user_kind(nm, o.u, o.ul);
	bool gk = o.gl && known(&nm->all, o.g, o.gl);
	if (uk < 0)
		return "";
	*gs = 0;
	*ge = len;
	if (uk > 0)
		return arena_printf(ctx->arena, "%ld%s", image_user(ctx)->uid, o.colon ? ":0" : "");
	if (!gk)
		return NULL;
	if (group_only)
		return "0";
	if (!edit_group_span(raw, len, gs, ge))
		return NULL;
	return "0";
}

struct uses {
	struct account_use *v;
	size_t n, cap;
	struct span *skip; /* the whole words the uses stand in, for the scan of the rest */
	size_t nskip, skipcap;
};

static bool add_use(struct check_ctx *ctx, struct uses *u, size_t ws, size_t we, size_t es,
		    size_t ee, const char *text)
{
	struct account_use *a = arr_push(ctx->scratch, (void **)&u->v, &u->n, &u->cap, sizeof(*a));
	struct span *s =
	    arr_push(ctx->scratch, (void **)&u->skip, &u->nskip, &u->skipcap, sizeof(*s));
	if (!a || !s)
		return false;
	*a = (struct account_use){es, ee, text};
	*s = (struct span){ws, we};
	return true;
}

/* COPY/ADD --chown=OWNER of the final image: the flag as NR109 writes it. */
static bool copy_uses(struct check_ctx *ctx, const struct names *nm, struct uses *u)
{
	const struct dockerfile *df = ctx->df;
	for (size_t i = 0; i < df->ncopies; i++) {
		const struct df_flag *fl = df_flag_get(df->copies[i], "chown");
		if (!fl || !fl->value || fl->end <= fl->start || fl->end > ctx->src->len)
			continue;
		const char *raw = ctx->src->data + fl->start;
		const char *eq = memchr(raw, '=', fl->end - fl->start);
		if (!eq)
			continue;
		size_t vs = (size_t)(eq + 1 - raw), gs, ge;
		const char *t =
		    numeric_owner(ctx, nm, raw + vs, fl->end - fl->start - vs, false, &gs, &ge);
		if (!t)
			continue;
		/* the whole flag, the owner kept as written when only the group changes */
		const char *text =
		    gs > 0
			? arena_printf(ctx->arena, "--chown=%.*s:0", (int)(gs - 1), raw + vs)
			: arena_printf(ctx->arena, "--chown=%s%s", t, strchr(t, ':') ? "" : ":0");
		if (!add_use(ctx, u, fl->start, fl->end, fl->start, fl->end, text))
			return false;
	}
	return true;
}

/* chown's OWNER and chgrp's GROUP in a RUN of the final image (not a script's). */
static bool run_uses(struct check_ctx *ctx, const struct names *nm, struct uses *u)
{
	const struct dockerfile *df = ctx->df;
	for (size_t i = 0; i < df->nrun; i++) {
		const struct df_command *h = &df->run[i];
		const struct sh_finding *f = h->f;
		if (f->kind != SH_CHOWN || h->t->in_script ||
		    (strcmp(f->tool, "chown") != 0 && strcmp(f->tool, "chgrp") != 0))
			continue;
		size_t k = edit_spec_word(h), s, e, gs, ge;
		if (k >= f->cmd->argc || !edit_word_span(h, k, &s, &e))
			continue;
		const char *raw = ctx->src->data + s;
		const char *t =
		    numeric_owner(ctx, nm, raw, e - s, strcmp(f->tool, "chgrp") == 0, &gs, &ge);
		if (!t)
			continue;
		if (!*t || !add_use(ctx, u, s, e, s + gs, s + ge, arena_strdup(ctx->arena, t)))
			return false;
	}
	return true;
}

/* USER lines of the final image's stages: the final one as NR103 writes it. */
static bool user_uses(struct check_ctx *ctx, const struct names *nm, struct uses *u)
{
	const struct dockerfile *df = ctx->df;
	for (size_t c = 0; c < df->nchain; c++) {
		const struct df_stage *st = &df->stages[df->chain[c]];
		for (size_t i = st->first; i < st->last; i++) {
			const struct df_instr *in = &df->instrs[i];
			if (in->cmd != DF_USER || !in->text)
				continue;
			size_t len = strlen(in->text), gs, ge;
			while (len && (in->text[len - 1] == ' ' || in->text[len - 1] == '\t'))
				len--;
			const char *t = numeric_owner(ctx, nm, in->text, len, false, &gs, &ge);
			if (!t)
				continue;
			if (!*t)
				return false;
			const char *text = gs > 0
					       ? arena_printf(ctx->arena, "%s %.*s:0", in->keyword,
							      (int)(gs - 1), in->text)
					       : arena_printf(ctx->arena, "%s %ld:0", in->keyword,
							      image_user(ctx)->uid);
			if (!add_use(ctx, u, in->start, in->end, in->start, in->end, text))
				return false;
		}
	}
	return true;
}

/* The home folder an account command names (-d, --home, --home-dir, adduser's -h), or NULL. */
static const char *home_of(const struct sh_finding *f)
{
	const struct sh_cmd *c = f->cmd;
	bool adduser = strcmp(f->tool, "adduser") == 0;
	for (size_t k = f->tool_index + 1; k < c->argc; k++) {
		const char *v = c->argv[k].value;
		if ((strcmp(v, "-d") == 0 || strcmp(v, "--home") == 0 ||
		     strcmp(v, "--home-dir") == 0 || (adduser && strcmp(v, "-h") == 0)) &&
		    k + 1 < c->argc)
			return c->argv[k + 1].value;
		if (strncmp(v, "--home=", 7) == 0)
			return v + 7;
		if (strncmp(v, "--home-dir=", 11) == 0)
			return v + 11;
		if (strncmp(v, "-d/", 3) == 0)
			return v + 2;
	}
	return NULL;
}

/*
 * Whether a word of data[from, to) is one of the homes or a path under one:
 * an account command may have made that folder, which would be missing once
 * the command is gone.
 */
static bool mentions_home(const char *data, size_t from, size_t to, const struct names *nm)
{
	for (size_t i = from; nm->nhomes && i < to;) {
		if (!name_char(data[i])) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < to && name_char(data[j]))
			j++;
		for (size_t h = 0; h < nm->nhomes; h++) {
			size_t n = strlen(nm->homes[h]);
			if (j - i >= n && memcmp(data + i, nm->homes[h], n) == 0 &&
			    (j - i == n || data[i + n] == '/'))
				return true;
		}
		i = j;
	}
	return false;
}

/* A word of data[from, to) names an account or the home folder of one. */
static bool mentioned(const char *data, size_t from, size_t to, const struct names *nm)
{
	return named(data, from, to, &nm->all) || mentions_home(data, from, to, nm);
}

/* The names the account commands create or use, and which users are the image's uid. */
static bool collect_names(struct check_ctx *ctx, struct names *nm)
{
	const struct dockerfile *df = ctx->df;
	strmap_init(&nm->all, ctx->scratch);
	strmap_init(&nm->users, ctx->scratch);
	const struct df_image_user *iu = image_user(ctx);
	for (size_t i = 0; i < df->nrun; i++) {
		const struct sh_finding *f = df->run[i].f;
		if (!account_command(f))
			continue;
		const char *list[3] = {f->name, f->gid_name, f->groups};
		for (size_t k = 0; k < 3; k++)
			for (const char *p = list[k]; p && *p;) {
				size_t len = strcspn(p, ",");
				const char *name = arena_strndup(ctx->scratch, p, len);
				if (!name || (len && !strmap_put(&nm->all, name, 1)))
					return false;
				p += len + (p[len] == ',');
			}
		const char *home = home_of(f);
		if (home && home[0] == '/' && home[1] && !strchr(home, '$') &&
		    strcmp(home, "/nonexistent") != 0) {
			const char **slot = arr_push(ctx->scratch, (void **)&nm->homes, &nm->nhomes,
						     &nm->homecap, sizeof(*slot));
			if (!slot)
				return false;
			*slot = home;
		}
		if (f->kind == SH_USER_ADD && f->name) {
			bool own = (iu->name && strcmp(iu->name, f->name) == 0) ||
				   df_account_uid(df, f->name, SIZE_MAX, false) == iu->uid;
			size_t v;
			/* a name two commands create with different uids is not one user */
			if (strmap_get(&nm->users, f->name, &v) && v != (size_t)own)
				own = false;
			if (!strmap_put(&nm->users, f->name, own))
				return false;
		}
	}
	return true;
}

/* A script the final image runs (a RUN's or the entrypoint's) names an account. */
static bool scripts_name(const struct dockerfile *df, const struct names *nm)
{
	const char *last = NULL;
	for (size_t pass = 0; pass < 2; pass++) {
		const struct df_command *h = pass ? df->entry : df->run;
		size_t n = pass ? df->nentry : df->nrun;
		for (size_t i = 0; i < n; i++) {
			const struct df_text *t = h[i].t;
			if (!t->in_script || t->text == last)
				continue;
			last = t->text;
			if (mentioned(t->text, 0, strlen(t->text), nm))
				return true;
		}
	}
	return false;
}

/*
 * The removals of every account command, when all of them can go: each in a
 * place that leaves valid shell, with a name written out, and every other
 * word of the Dockerfile that names the accounts one that has a numeric
 * form (uses). Else none: a `/home/app`, a `su app`, a script naming the
 * account or a later use of its home folder would fail once it is gone.
 */
static bool removals(struct check_ctx *ctx, struct account_removal *out)
{
	const struct df_command *h = ctx->df->run;
	size_t n = ctx->df->nrun;
	/* past a few hundred, a Dockerfile is no one's hand-written build: no edits */
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		count += account_command(h[i].f);
	if (!count || count > 256)
		return false;
	size_t *rs = arena_alloc(ctx->scratch, 2 * n * sizeof(*rs)), *re = rs + n;
	struct place *pl = arena_alloc(ctx->scratch, n * sizeof(*pl));
	size_t *idx = arena_alloc(ctx->scratch, n * sizeof(*idx));
	if (!rs || !pl || !idx)
		return false;
	for (size_t i = 0; i < n; i++)
		rs[i] = re[i] = 0;
	for (size_t i = 0; i < n;) {
		/* the account commands of one instruction, together */
		size_t np = 0, j = i;
		for (; j < n && (j == i || h[j].t->in == h[i].t->in); j++) {
			const struct sh_finding *f = h[j].f;
			if (!account_command(f))
				continue;
			if (!f->name || !*f->name || strchr(f->name, '$') || df_id(f->name) >= 0 ||
			    !place_of(&h[j], &pl[np]))
				return false;
			idx[np++] = j;
		}
		size_t *s1 = arena_alloc(ctx->scratch, 2 * (np ? np : 1) * sizeof(*s1));
		if (!s1 || (np && !spans(ctx, pl, np, s1, s1 + np)))
			return false;
		for (size_t k = 0; k < np; k++) {
			rs[idx[k]] = s1[k];
			re[idx[k]] = s1[np + k];
		}
		i = j;
	}
	struct names nm = {0};
	struct uses u = {0};
	if (!collect_names(ctx, &nm) || scripts_name(ctx->df, &nm) || !copy_uses(ctx, &nm, &u) ||
	    !run_uses(ctx, &nm, &u) || !user_uses(ctx, &nm, &u))
		return false;
	/* every other word of the Dockerfile that names them, looked up once */
	for (size_t i = 0; i < n; i++)
		if (account_command(h[i].f)) {
			struct span *s = arr_push(ctx->scratch, (void **)&u.skip, &u.nskip,
						  &u.skipcap, sizeof(*s));
			if (!s)
				return false;
			*s = (struct span){rs[i], re[i]};
		}
	qsort(u.skip, u.nskip, sizeof(*u.skip), by_start);
	size_t at = 0;
	for (size_t i = 0; i < u.nskip; i++) {
		if (u.skip[i].start > at && mentioned(ctx->src->data, at, u.skip[i].start, &nm))
			return false;
		if (u.skip[i].end > at)
			at = u.skip[i].end;
	}
	if (mentioned(ctx->src->data, at, ctx->src->len, &nm))
		return false;
	out->ok = true;
	out->start = rs;
	out->end = re;
	out->uses = u.v;
	out->nuses = u.n;
	return true;
}

const struct account_removal *account_removal(struct check_ctx *ctx)
{
	struct df_memo *m = df_memo(ctx);
	if (!m)
		return NULL;
	if (!m->has_removal) {
		m->has_removal = true;
		memset(&m->removal, 0, sizeof(m->removal));
		if (ctx->df && !removals(ctx, &m->removal))
			memset(&m->removal, 0, sizeof(m->removal));
	}
	return &m->removal;
}

const char *account_use_at(struct check_ctx *ctx, size_t start, size_t end)
{
	const struct account_removal *r = account_removal(ctx);
	for (size_t i = 0; r && r->ok && i < r->nuses; i++)
		if (r->uses[i].start == start && r->uses[i].end == end)
			return r->uses[i].text;
	return NULL;
}
