/*
 * workers.c - lints the inputs of a batch on several threads.
 *
 * Each worker is a run of its own (its own arena, findings and suppressions)
 * over the same options and the same prescan results, which no lint writes.
 * Workers take inputs from a shared counter, so a few large files do not
 * hold one thread back while the others wait. When all are done, their
 * findings and suppressions are moved into the parent run; their arenas
 * live as long as it does, since findings point into them. The order of
 * findings does not depend on which worker made them: the run sorts them.
 */
#include "workers.h"
#include "run.h"
#include "unroot/arena.h"
#include "unroot/diag.h"
#include "unroot/source.h"
#include "util/threads.h"

#include <stdatomic.h>
#include <string.h>

#define MAX_WORKERS THREADS_MAX
#define PER_WORKER  16 /* fewer inputs than this per thread are not worth a thread */
#define CHUNK	    8  /* inputs taken from the counter at a time */

struct shared {
	struct work *items;
	size_t n;
	atomic_size_t next;
};

struct worker {
	struct lint_run *run;
};

struct workers {
	struct shared sh;
	struct worker ws[MAX_WORKERS];
};

static void work(void *arg, unsigned index, unsigned others)
{
	(void)others;
	struct workers *all = arg;
	struct worker *w = &all->ws[index];
	struct shared *sh = &all->sh;
	for (;;) {
		size_t i = atomic_fetch_add(&sh->next, CHUNK);
		if (i >= sh->n)
			break;
		size_t end = i + CHUNK < sh->n ? i + CHUNK : sh->n;
		for (; i < end; i++) {
			struct work *it = &sh->items[i];
			size_t before = w->run->diags.n;
			run_lint_input(w->run, it->rd, it->path, it->src, it->regular, false);
			/* The report needs the findings' lines and columns: count them here,
			 * on this thread, while the input is in its cache. */
			for (size_t k = before; k < w->run->diags.n; k++)
				diag_locate(&w->run->diags.items[k]);
		}
	}
}

unsigned workers_count(const struct lint_options *opts, size_t n)
{
	if (n < 2 * PER_WORKER)
		return 0; /* and no need to ask how many CPUs there are */
	/* One more thread than CPUs: a thread waiting on a read or a page fault leaves its
	 * CPU idle. */
	unsigned want = opts->jobs ? opts->jobs : cpus_usable() + 1;
	if (want > MAX_WORKERS)
		want = MAX_WORKERS;
	if (want > n / PER_WORKER)
		want = (unsigned)(n / PER_WORKER);
	return want;
}

/*
 * Moves a worker's findings into the run, which adopts the worker's arena.
 * The run's list grows once, to hold them all and its spare slots, from
 * the memory reserve: what the threads found is not lost at the last step
 * because the threads used the run's memory. False when it cannot grow.
 */
static bool merge(struct lint_run *run, struct lint_run *w)
{
	struct diag_list *l = &run->diags;
	size_t want = l->n + w->diags.n + DIAG_SPARE + 1;
	if (want > l->cap) {
		bool was = arena_reserve(run->arena, true);
		struct diag *p =
		    arena_realloc_raw(run->arena, l->items, l->cap * sizeof(*p), want * sizeof(*p));
		arena_reserve(run->arena, was);
		if (!p)
			return false;
		l->items = p;
		l->cap = want;
	}
	memcpy(l->items + l->n, w->diags.items, w->diags.n * sizeof(*l->items));
	l->n += w->diags.n;
	l->run_dropped += w->diags.run_dropped;
	for (size_t i = 0; i < w->nsupp; i++) {
		struct suppression *slot =
		    ARR_PUSH(run->arena, run->supp, run->nsupp, run->capsupp);
		if (slot)
			*slot = w->supp[i];
	}
	if (w->input_error)
		run->input_error = true;
	if (w->oom_noted)
		run->oom_noted = true; /* its note is among its findings: one a thread at most */
	if (w->oom_more && !run->oom_more_path)
		run->oom_more_path = w->oom_more_path;
	run->oom_more += w->oom_more;
	if (!run->run_capped_path)
		run->run_capped_path = w->run_capped_path;
	return true;
}

bool workers_lint(struct lint_run *run, struct work *items, size_t n, unsigned nworkers)
{
	struct workers all;
	if (nworkers < 2 || nworkers > MAX_WORKERS)
		return false;
	memset(&all, 0, sizeof(all));
	all.sh.items = items;
	all.sh.n = n;
	atomic_init(&all.sh.next, 0);
	struct worker *ws = all.ws;
	for (unsigned k = 0; k < nworkers; k++) {
		ws[k].run = run_new_child(run);
		if (!ws[k].run)
			goto fail;
		/* what prescan kept, and the folders listed: the parent's, read only */
		memcpy(ws[k].run->kept, run->kept, sizeof(run->kept));
		memcpy(ws[k].run->nkept, run->nkept, sizeof(run->nkept));
		ws[k].run->listing = run->listing;
	}
	threads_run(nworkers, work, &all);
	/* A thread that could not start left its share to the others: the counter ran out. */
	for (unsigned k = 0; k < nworkers; k++) {
		struct lint_run **slot =
		    ARR_PUSH(run->arena, run->children, run->nchildren, run->capchildren);
		if (!slot) {
			/* no findings of it can be kept, so its arena can go */
			lint_run_free(ws[k].run);
			run_memory_error(run, items[0].path);
			continue;
		}
		*slot = ws[k].run;
		if (!merge(run, ws[k].run)) {
			/* its findings stay out of the report: say so */
			ws[k].run->diags.n = 0;
			run_memory_error(run, items[0].path);
		}
	}
	return true;
fail:
	for (unsigned k = 0; k < nworkers; k++)
		lint_run_free(ws[k].run);
	return false;
}
