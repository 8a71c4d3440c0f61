/*
 * threads.h - running one piece of work on several threads, and how many to run.
 *
 * The engine lints the inputs of a batch this way, and the image reader
 * reads the layers of an image. The work takes its items from a counter it
 * shares: a thread that cannot be started costs time, never items, since
 * the others do its share. Internal to the library.
 */
#ifndef UNROOT_UTIL_THREADS_H
#define UNROOT_UTIL_THREADS_H

/* The most threads a job runs on, the calling one included. */
#define THREADS_MAX 16

/*
 * The CPUs in this process's affinity mask (a container or `taskset` that
 * allows 2 CPUs of 64 gets 2); the online CPUs if it cannot be read; at
 * least 1.
 */
unsigned cpus_usable(void);

/*
 * Runs work(arg, index, others) on n threads, the calling one among them
 * (index 0; n is at most THREADS_MAX), and returns when every one has
 * returned. On the calling thread, `others` is how many other threads
 * could be started and run beside it (0 on the others): a job whose
 * calling thread does a part of its own (merging what the others read)
 * does the rest too when there are none.
 */
void threads_run(unsigned n, void (*work)(void *arg, unsigned index, unsigned others), void *arg);

#endif
