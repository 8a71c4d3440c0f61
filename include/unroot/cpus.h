/*
 * cpus.h - how many CPUs this process may run on.
 *
 * The threads that lint many Dockerfiles and read image layers size
 * themselves by it. It is the process's affinity mask, not the machine's CPU
 * count: a container or a `taskset` that allows 2 CPUs of 64 gets 2 threads'
 * worth, not 64.
 */
#ifndef UNROOT_CPUS_H
#define UNROOT_CPUS_H

/* The CPUs in this process's affinity mask; the online CPUs if it cannot be read; at least 1. */
unsigned cpus_usable(void);

#endif
