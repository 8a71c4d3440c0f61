/*
 * image-user.c - the one user every finding on a Dockerfile suggests.
 *
 * An image that already has a user of its own (the account it creates, the
 * owner its --chown and chown give its files to, the user its entrypoint
 * drops to, its base image's user) keeps that uid: a USER line with any
 * other uid leaves the process out of its own files. Worked out once per
 * Dockerfile, so that NR101's insertion, NR103's replacement and NR107's
 * ':0' all name the same `USER uid:0`.
 */
#include "dockerfile/dockerfile.h"
#include "shell/shell.h"
#include "unroot/arena.h"
#include "unroot/lint.h"

#include <stdint.h>
#include <string.h>

/*
 * Accounts that well-known base images already have, which their
 * Dockerfiles use by name without creating them: www-data is 33 in Debian
 * and Ubuntu (base-passwd) and 82 in Alpine (alpine-baselayout's group,
 * which the official php Alpine images give the user); node is 1000 in the
 * official node images.
 */
static long base_account(const char *image, const char *name)
{
	if (!image || !name)
		return -1;
	if (strcmp(name, "www-data") == 0)
		return strstr(image, "alpine") ? 82 : 33;
	const char *repo = image;
	if (strncmp(repo, "docker.io/", 10) == 0)
		repo += 10;
	if (strncmp(repo, "library/", 8) == 0)
		repo += 8;
	size_t n = strcspn(repo, ":@");
	if (strcmp(name, "node") == 0 && n == 4 && strncmp(repo, "node", 4) == 0)
		return 1000;
	return -1;
}

static bool usable(long uid)
{
	return uid > 0 && uid != 65534 && uid != 65535;
}

struct picker {
	struct arena *a;
	const struct dockerfile *df;
	const char *base;
};

/* The uid of a user as written (number, account of the Dockerfile, base image account). */
static long resolve(const struct picker *p, const char *who)
{
	long id = df_id(who);
	if (id >= 0 || !who)
		return id;
	id = df_account_uid(p->df, who, SIZE_MAX, false);
	return id >= 0 ? id : base_account(p->base, who);
}

/* A candidate owner: `who` as the image names it, counted once per place. */
struct vote {
	long uid;
	const char *name;
	unsigned n;
};

static void add_vote(struct vote *v, size_t *nv, size_t cap, long uid, const char *name)
{
	if (!usable(uid))
		return;
	for (size_t i = 0; i < *nv; i++)
		if (v[i].uid == uid) {
			v[i].n++;
			if (!v[i].name && name && df_id(name) < 0)
				v[i].name = name;
			return;
		}
	if (*nv < cap)
		v[(*nv)++] = (struct vote){uid, name && df_id(name) < 0 ? name : NULL, 1};
}

/* The user part of a chown owner or --chown value ("app:app" -> "app"). */
static const char *user_part(struct arena *a, const char *v)
{
	if (!v)
		return NULL;
	const char *colon = strchr(v, ':');
	return colon ? arena_strndup(a, v, (size_t)(colon - v)) : v;
}

/* The last instruction of the final stage: its variables are the image's ENV. */
static const struct df_instr *last_instr(const struct dockerfile *df)
{
	int s = df_final_stage(df);
	return s < 0 ? NULL : &df->instrs[df->stages[s].last - 1];
}

/* The owners the image gives its files to, and the accounts it creates, by votes. */
static size_t owners(const struct picker *p, struct vote *v, size_t cap)
{
	const struct dockerfile *df = p->df;
	size_t nv = 0;
	for (size_t i = 0; i < df->ncopies; i++) {
		const struct df_instr *in = df->copies[i];
		const struct df_flag *fl = df_flag_get(in, "chown");
		if (!fl || !fl->value)
			continue;
		const char *who = user_part(p->a, df_expand_known(p->a, df, in, fl->value));
		add_vote(v, &nv, cap, resolve(p, who), who);
	}
	for (size_t i = 0; i < df->nrun; i++) {
		const struct sh_finding *f = df->run[i].f;
		if (f->kind != SH_CHOWN || !f->owner)
			continue;
		const char *who = df_expand_known(p->a, df, df->run[i].t->in, f->owner);
		add_vote(v, &nv, cap, resolve(p, who), who);
	}
	for (size_t i = 0; i < df->naccounts; i++)
		add_vote(v, &nv, cap, df->accounts[i].uid, df->accounts[i].name);
	return nv;
}

/* The user the final ENTRYPOINT or its script drops to, as the image's ENV expands it. */
static const char *drop_target(const struct picker *p)
{
	const struct df_instr *last = last_instr(p->df);
	for (size_t i = 0; last && i < p->df->nentry; i++) {
		const struct sh_finding *f = p->df->entry[i].f;
		if (f->kind != SH_PRIV_DROP || !f->owner)
			continue;
		const char *who = user_part(p->a, df_expand_known(p->a, p->df, last, f->owner));
		if (who && *who && df_id(who) != 0)
			return who;
	}
	return NULL;
}

static void set(struct df_image_user *out, long uid, const char *name, const char *why)
{
	out->uid = uid;
	out->name = name;
	out->why = why;
	out->own = true;
}

void df_image_user(struct arena *a, const struct dockerfile *df, const struct lint_options *opts,
		   struct df_image_user *out)
{
	long min = opts->min_uid;
	memset(out, 0, sizeof(*out));
	out->uid = min > 1001 ? min : 1001;
	struct df_final f;
	if (!df_final_user(df, opts, &f))
		return;
	struct picker p = {a, df, f.base};
	struct vote v[32];
	size_t nv = owners(&p, v, sizeof(v) / sizeof(v[0]));
	const struct df_user *u = f.user;

	/* The USER line says who runs the process: a number stays unless it is low
	 * and nothing else in the image uses it; a name is the account's uid. */
	const char *want = NULL;
	if (u->instr && u->value && *u->value && u->user) {
		long uid = resolve(&p, u->user);
		if (uid >= 0 && df_id(u->user) >= 0) {
			bool tied = false;
			for (size_t i = 0; i < nv; i++)
				tied |= v[i].uid == uid;
			if (usable(uid) && (uid >= min || tied))
				set(out, uid, NULL, NULL);
			return;
		}
		if (usable(uid)) {
			set(out, uid, u->user, "the uid of the USER line's account");
			return;
		}
		want = u->user;
	} else if (u->instr) {
		return;
	}
	if (!want)
		want = drop_target(&p);
	if (want) {
		long uid = resolve(&p, want);
		if (usable(uid)) {
			set(out, uid, want,
			    arena_printf(a, "'%s', the user the image runs its process as", want));
			return;
		}
	}
	/* A user of its own whose uid the build picks: the fix gives it one. */
	const char *unnumbered = want;
	for (size_t i = 0; !unnumbered && i < df->nrun; i++) {
		const struct sh_finding *sf = df->run[i].f;
		if (sf->kind == SH_USER_ADD && sf->name)
			unnumbered = df_expand_known(a, df, df->run[i].t->in, sf->name);
	}
	/* Or one its entrypoint creates at start (to switch to it): the image's user too,
	 * which the Dockerfile has to create instead, with a uid of its own. */
	bool at_start = false;
	for (size_t i = 0; i < df->nentry && !at_start; i++) {
		const struct sh_finding *sf = df->entry[i].f;
		if (sf->kind == SH_USER_ADD && sf->name && !strchr(sf->name, '$') &&
		    df_id(sf->name) < 0 && (!unnumbered || strcmp(unnumbered, sf->name) == 0) &&
		    df_account_uid(df, sf->name, SIZE_MAX, false) < 0) {
			unnumbered = sf->name;
			at_start = true;
		}
	}
	/* The owner most of the image's files and accounts name. */
	size_t best = nv;
	for (size_t i = 0; i < nv; i++)
		if (best == nv || v[i].n > v[best].n)
			best = i;
	if (best < nv) {
		set(out, v[best].uid, v[best].name,
		    v[best].name ? arena_printf(a, "'%s', the user the image gives its files to",
						v[best].name)
				 : "the uid the image gives its files to");
		return;
	}
	if (f.base_known && usable(f.base_uid) && f.base_uid >= min) {
		set(out, f.base_uid, NULL, "the base image's user");
		out->own = false;
	} else if (unnumbered && df_id(unnumbered) < 0 && at_start) {
		set(out, out->uid, unnumbered,
		    arena_printf(a,
				 "'%s', the user the entrypoint creates at start and switches to, "
				 "which needs root: create it in the Dockerfile with this uid and "
				 "group 0, give its files to group 0, and let the entrypoint skip "
				 "creating it, chowning and switching when it does not run as root",
				 unnumbered));
	} else if (unnumbered && df_id(unnumbered) < 0) {
		set(out, out->uid, unnumbered,
		    arena_printf(a,
				 "'%s', the image's own user, has no fixed uid in the Dockerfile: "
				 "give it this one where it is created",
				 unnumbered));
	}
}
