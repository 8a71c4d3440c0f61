/*
 * eval.c - BuildKit's ARG/ENV scoping and the USER in effect, per instruction.
 *
 * The facts it follows (frontend/dockerfile/dockerfile2llb/convert.go):
 * - ARGs before the first FROM ("meta args") are expanded with the meta args
 *   before them, and are seen only by FROM lines; a stage sees one only after
 *   `ARG NAME` re-declares it, which then takes the global value.
 * - BUILDPLATFORM, TARGETARCH, ... are predefined meta args.
 * - An ARG with a value, and every ENV, are added to the stage's environment
 *   (state.AddEnv), and later instructions expand against it. An ARG with no
 *   value and no global value is not added.
 * - A stage built FROM another stage starts from that stage's state (its
 *   environment, ARGs included) and image config (its USER).
 * - All words of one instruction are expanded before it takes effect:
 *   `ENV A=1 B=$A` gives B the old A.
 */
#include "unroot/arena.h"
#include "dockerfile/dockerfile.h"
#include "unroot/ids.h"
#include "words.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Name -> newest variable with a value: one table per stage, so lookups stay O(1). */
struct vhash {
	const struct df_var **slots;
	size_t cap, n;
};

/*
 * Every byte of the name counts, so that no Dockerfile can make its names
 * collide by their ends; eight bytes a step (FNV-1a's constants, a word at a
 * time), since every stage puts BuildKit's dozen platform ARGs in its table.
 */
static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull ^ len;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 1099511628211ull;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h ^ (h >> 32);
}

static const struct df_var *vh_get(const struct vhash *h, const char *name, size_t len)
{
	if (!h->cap)
		return NULL;
	size_t i = hash(name, len) & (h->cap - 1);
	for (const struct df_var *v; (v = h->slots[i]); i = (i + 1) & (h->cap - 1))
		if (strlen(v->name) == len && memcmp(v->name, name, len) == 0)
			return v;
	return NULL;
}

static void vh_put(struct arena *a, struct vhash *h, const struct df_var *v)
{
	if ((h->n + 1) * 2 > h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 32; /* the platform ARGs and a few more */
		const struct df_var **slots = arena_alloc(a, cap * sizeof(*slots));
		if (!slots)
			return;
		for (size_t k = 0; k < h->cap; k++) {
			const struct df_var *o = h->slots[k];
			if (!o)
				continue;
			size_t i = hash(o->name, strlen(o->name)) & (cap - 1);
			while (slots[i])
				i = (i + 1) & (cap - 1);
			slots[i] = o;
		}
		h->slots = slots;
		h->cap = cap;
	}
	size_t len = strlen(v->name);
	size_t i = hash(v->name, len) & (h->cap - 1);
	for (; h->slots[i]; i = (i + 1) & (h->cap - 1)) {
		if (strcmp(h->slots[i]->name, v->name) == 0) {
			h->slots[i] = v;
			return;
		}
	}
	h->slots[i] = v;
	h->n++;
}

struct scope {
	struct vhash h; /* this stage's own variables */
	int parent;	/* stage whose final scope it extends, or -1 */
	const struct df_var *head;
	struct df_user user;
};

struct ev {
	struct arena *a;
	struct dockerfile *df;
	struct scope *scopes;	   /* one a stage */
	struct vhash globals;	   /* the meta args with a value */
	struct vhash declared;	   /* every meta arg, with a value or not */
	int stage;		   /* -1: the global scope */
	const struct df_instr *in; /* the instruction being expanded */
};

static bool lookup(void *data, const char *name, size_t len, const char **value,
		   const char **unresolved)
{
	struct ev *e = data;
	const struct df_var *v = NULL;
	if (e->stage < 0) {
		v = vh_get(&e->globals, name, len);
	} else {
		for (int s = e->stage; s >= 0 && !v; s = e->scopes[s].parent)
			v = vh_get(&e->scopes[s].h, name, len);
	}
	if (!v)
		return false;
	*value = v->value;
	*unresolved = v->unresolved;
	return true;
}

/*
 * A value expanded within the bounds: past one, no value (unknown, as a
 * syntax error leaves it), and the place is kept for the reader's NR000.
 */
static const char *expand(struct ev *e, const char *s, size_t len, const char **unresolved)
{
	const char *err = NULL;
	struct df_expansion *x = e->df->expansion;
	size_t room = x && x->total_left < DF_EXPAND_MAX ? x->total_left : DF_EXPAND_MAX;
	const char *r =
	    df_expand_with(e->a, s, len, e->df->escape, lookup, e, room, unresolved, &err);
	if (r && x)
		x->total_left -= strlen(r) < x->total_left ? strlen(r) : x->total_left;
	if (!r && err == df_expand_too_long && x && e->in)
		df_expansion_over(x, e->in, room < DF_EXPAND_MAX);
	if (!r && unresolved && !*unresolved)
		*unresolved = "";
	return r;
}

static const struct df_var *push(struct ev *e, const struct df_var *head, struct vhash *h,
				 const char *name, const char *value, bool is_env,
				 const char *unresolved)
{
	struct df_var *v = arena_alloc(e->a, sizeof(*v));
	if (!v)
		return head;
	v->name = name;
	v->value = value;
	v->is_env = is_env;
	v->unresolved = unresolved;
	v->next = head;
	/* `ARG NAME` with no value does not hide a value set before. */
	if (value)
		vh_put(e->a, h, v);
	return v;
}

/* BuildKit's predefined platform ARGs, with the values of a linux/amd64 build. */
static const char *const builtin_args[][2] = {
    {"BUILDPLATFORM", "linux/amd64"},
    {"BUILDOS", "linux"},
    {"BUILDARCH", "amd64"},
    {"BUILDVARIANT", ""},
    {"TARGETPLATFORM", "linux/amd64"},
    {"TARGETOS", "linux"},
    {"TARGETARCH", "amd64"},
    {"TARGETVARIANT", ""},
};

/* An ARG word `name` or `name=value`: value expanded in the current scope. */
static void arg_word(struct ev *e, const char *w, const char **name, const char **value,
		     const char **unresolved, bool *has_value)
{
	const char *eq = strchr(w, '=');
	*unresolved = NULL;
	*has_value = eq != NULL;
	if (!eq) {
		*name = w;
		*value = NULL;
		return;
	}
	*name = arena_strndup(e->a, w, (size_t)(eq - w));
	*value = expand(e, eq + 1, strlen(eq + 1), unresolved);
}

static void eval_globals(struct ev *e)
{
	struct dockerfile *df = e->df;
	const struct df_var *head = NULL;
	for (size_t i = 0; i < sizeof(builtin_args) / sizeof(builtin_args[0]); i++)
		head =
		    push(e, head, &e->globals, builtin_args[i][0], builtin_args[i][1], false, NULL);
	e->stage = -1;
	for (size_t i = 0; i < df->ninstrs; i++) {
		struct df_instr *in = &df->instrs[i];
		if (in->stage >= 0)
			break;
		e->in = in;
		if (in->cmd == DF_ARG) {
			for (size_t k = 0; k < in->nargs; k++) {
				const char *name, *value, *un;
				bool hv;
				arg_word(e, in->args[k].text, &name, &value, &un, &hv);
				if (!name)
					break;
				head = push(e, head, &e->globals, name, value, false, un);
			}
		}
		in->vars = head;
	}
	df->global_args = head;
}

/* slots hold stage index + 1; 0 is empty. */
static int stage_lookup(const struct dockerfile *df, const int *slots, size_t cap, const char *name)
{
	size_t i = hash(name, strlen(name)) & (cap - 1);
	for (; slots[i]; i = (i + 1) & (cap - 1))
		if (strcmp(df->stages[slots[i] - 1].name, name) == 0)
			return slots[i] - 1;
	return -1;
}

static void stage_insert(const struct dockerfile *df, int *slots, size_t cap, int s)
{
	const char *name = df->stages[s].name;
	size_t i = hash(name, strlen(name)) & (cap - 1);
	for (; slots[i]; i = (i + 1) & (cap - 1))
		if (strcmp(df->stages[slots[i] - 1].name, name) == 0)
			break;
	slots[i] = s + 1;
}

/* Whether s holds `word` (lower case ASCII) in any case; strcasestr took 500 instructions a call.
 */
static bool has_nocase(const char *s, const char *word)
{
	size_t n = strlen(word);
	for (; *s; s++)
		if ((*s | 0x20) == word[0] && strncasecmp(s, word, n) == 0)
			return true;
	return false;
}

static bool names_windows(const char *s)
{
	return s && (has_nocase(s, "windows") || has_nocase(s, "nanoserver"));
}

/* Called at the end of df_parse: expand FROM lines and link stages to parents. */
int df_resolve_stages(struct arena *a, struct dockerfile *df)
{
	struct ev e = {.a = a, .df = df, .stage = -1};
	eval_globals(&e);
	/* Stage names seen so far -> the newest stage with that name (a hash, so 100k stages stay
	 * fast). */
	size_t cap = 16;
	while (cap < df->nstages * 2)
		cap *= 2;
	int *slots = arena_alloc(a, cap * sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t s = 0; s < df->nstages; s++) {
		struct df_stage *st = &df->stages[s];
		const char *un = NULL;
		e.in = &df->instrs[st->from];
		const char *b = expand(&e, st->base, strlen(st->base), &un);
		st->base_expanded = b && !un ? b : NULL;
		st->parent = -1;
		if (st->base_expanded) {
			char *lower = arena_strdup(a, st->base_expanded);
			for (char *c = lower; c && *c; c++)
				*c = (char)tolower((unsigned char)*c);
			if (lower)
				st->parent = stage_lookup(df, slots, cap, lower);
		}
		if (st->name)
			stage_insert(df, slots, cap, (int)s);
		/* A parent always comes first, so its answer is there already. */
		st->windows =
		    (st->platform && strncasecmp(st->platform, "windows", 7) == 0) ||
		    (st->parent >= 0 ? df->stages[st->parent].windows
				     : names_windows(st->base) || names_windows(st->base_expanded));
	}
	return arena_failed(a) ? -1 : 0;
}

static long id_of(const char *s)
{
	unsigned long v;
	return id_parse_str(s, &v) ? (long)v : -1;
}

void df_user_split(struct arena *a, const char *value, struct df_user *u)
{
	u->value = value;
	const char *colon = strchr(value, ':');
	if (colon) {
		u->user = arena_strndup(a, value, (size_t)(colon - value));
		u->group = colon + 1;
	} else {
		u->user = value;
		u->group = NULL;
	}
	u->uid = id_of(u->user);
	u->gid = id_of(u->group);
}

static void eval_user(struct ev *e, struct df_instr *in, struct df_user *u)
{
	memset(u, 0, sizeof(*u));
	u->instr = in;
	e->in = in;
	u->uid = u->gid = -1;
	const char *un = NULL;
	const char *v = expand(e, in->text, strlen(in->text), &un);
	if (!v || un) {
		u->unresolved = un ? un : "";
		u->unresolved_global = vh_get(&e->declared, u->unresolved, strlen(u->unresolved));
		return;
	}
	df_user_split(e->a, v, u);
}

/* ENV: every value is expanded before any of them is set. */
static void eval_env(struct ev *e, struct df_instr *in, struct scope *sc)
{
	size_t n = in->nargs;
	if (!n)
		return;
	e->in = in;
	const char **names = arena_alloc(e->a, n * sizeof(*names));
	const char **values = arena_alloc(e->a, n * sizeof(*values));
	const char **uns = arena_alloc(e->a, n * sizeof(*uns));
	if (!names || !values || !uns)
		return;
	size_t m = 0;
	if (!strchr(in->args[0].text, '=')) {
		/* The old form `ENV NAME value with spaces`. */
		const char *t = in->text;
		size_t k = 0;
		while (t[k] && !df_is_space((unsigned char)t[k]))
			k++;
		names[0] = arena_strndup(e->a, t, k);
		while (t[k] && df_is_space((unsigned char)t[k]))
			k++;
		values[0] = expand(e, t + k, strlen(t + k), &uns[0]);
		m = 1;
	} else {
		for (size_t i = 0; i < n; i++) {
			const char *w = in->args[i].text;
			const char *eq = strchr(w, '=');
			if (!eq)
				continue;
			names[m] = arena_strndup(e->a, w, (size_t)(eq - w));
			values[m] = expand(e, eq + 1, strlen(eq + 1), &uns[m]);
			m++;
		}
	}
	for (size_t i = 0; i < m; i++)
		if (names[i] && !arena_failed(e->a))
			sc->head = push(e, sc->head, &sc->h, names[i], values[i] ? values[i] : "",
					true, uns[i]);
}

static void eval_arg(struct ev *e, struct df_instr *in, struct scope *sc)
{
	e->in = in;
	for (size_t k = 0; k < in->nargs; k++) {
		const char *name, *value, *un;
		bool hv;
		arg_word(e, in->args[k].text, &name, &value, &un, &hv);
		if (!name)
			return;
		if (!hv) {
			/* `ARG NAME` takes the meta arg's value, if there is one. */
			const struct df_var *gv = vh_get(&e->globals, name, strlen(name));
			if (gv) {
				value = gv->value;
				un = gv->unresolved;
			}
		}
		sc->head = push(e, sc->head, &sc->h, name, value, false, un);
	}
}

/* A stage built FROM a listed image starts with that image's ENV. */
static void base_env(struct ev *e, const char *image, struct scope *sc)
{
	const char *const *env = df_base_image_env(image);
	for (; env && *env; env++) {
		const char *eq = strchr(*env, '=');
		if (eq)
			sc->head = push(e, sc->head, &sc->h,
					arena_strndup(e->a, *env, (size_t)(eq - *env)), eq + 1,
					true, NULL);
	}
}

/*
 * A stage built FROM another stage first runs that stage's ONBUILD
 * instructions (dockerfile2llb: "initialize onbuild triggers", from
 * d.base.commands). Only USER, ENV and ARG matter here.
 */
static void run_onbuild(struct ev *e, int parent, struct scope *sc)
{
	const struct df_stage *ps = &e->df->stages[parent];
	for (size_t i = ps->first; i < ps->last; i++) {
		struct df_instr *sub = e->df->instrs[i].sub;
		if (e->df->instrs[i].cmd != DF_ONBUILD || !sub)
			continue;
		if (sub->cmd == DF_USER)
			eval_user(e, sub, &sc->user);
		else if (sub->cmd == DF_ENV)
			eval_env(e, sub, sc);
		else if (sub->cmd == DF_ARG)
			eval_arg(e, sub, sc);
	}
}

int df_eval(struct arena *a, struct dockerfile *df)
{
	struct ev e = {.a = a, .df = df, .stage = -1};
	/* Rebuild the global table (df_parse computed the list). */
	for (const struct df_var *v = df->global_args; v; v = v->next) {
		if (v->value && !vh_get(&e.globals, v->name, strlen(v->name)))
			vh_put(a, &e.globals, v);
		if (!vh_get(&e.declared, v->name, strlen(v->name)))
			vh_put(a, &e.declared, v);
	}
	if (df->nstages)
		e.scopes = arena_alloc(a, df->nstages * sizeof(*e.scopes));
	if (df->nstages && !e.scopes)
		return -1;
	struct df_user none = {.uid = -1, .gid = -1};
	for (size_t i = 0; i < df->ninstrs; i++) {
		struct df_instr *in = &df->instrs[i];
		if (arena_failed(a))
			return -1;
		if (in->stage < 0) {
			in->user = none;
			continue;
		}
		struct scope *sc = &e.scopes[in->stage];
		e.stage = in->stage;
		if (in->cmd == DF_FROM) {
			int parent = df->stages[in->stage].parent;
			sc->parent = parent;
			if (parent >= 0) {
				sc->head = e.scopes[parent].head;
				sc->user = e.scopes[parent].user;
			} else {
				sc->head = NULL;
				sc->user = none;
				base_env(&e, df->stages[in->stage].base_expanded, sc);
			}
			if (parent >= 0)
				run_onbuild(&e, parent, sc);
			in->vars = df->global_args;
			in->user = sc->user;
			continue;
		}
		switch (in->cmd) {
		case DF_ARG:
			eval_arg(&e, in, sc);
			break;
		case DF_ENV:
			eval_env(&e, in, sc);
			break;
		case DF_USER:
			eval_user(&e, in, &sc->user);
			break;
		default:
			break;
		}
		in->vars = sc->head;
		in->user = sc->user;
		if (in->sub) {
			in->sub->vars = sc->head;
			in->sub->user = sc->user;
		}
	}
	return arena_failed(a) ? -1 : 0;
}
