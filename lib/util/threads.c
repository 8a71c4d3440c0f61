/* threads.c - one piece of work on several threads, and the CPUs there are for them. */
#include "threads.h"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

unsigned cpus_usable(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		int n = CPU_COUNT(&set);
		if (n > 0)
			return (unsigned)n;
	}
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

struct thread {
	void (*work)(void *arg, unsigned index, unsigned others);
	void *arg;
	unsigned index;
	pthread_t tid;
};

static void *start(void *p)
{
	struct thread *t = p;
	t->work(t->arg, t->index, 0);
	return NULL;
}

void threads_run(unsigned n, void (*work)(void *arg, unsigned index, unsigned others), void *arg)
{
	struct thread th[THREADS_MAX];
	unsigned started = 0;
	if (n > THREADS_MAX)
		n = THREADS_MAX;
	for (unsigned k = 1; k < n; k++) {
		struct thread *t = &th[started];
		*t = (struct thread){.work = work, .arg = arg, .index = k};
		if (pthread_create(&t->tid, NULL, start, t) == 0)
			started++;
	}
	work(arg, 0, started);
	for (unsigned k = 0; k < started; k++)
		pthread_join(th[k].tid, NULL);
}
