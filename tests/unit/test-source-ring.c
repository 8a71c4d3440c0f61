/*
 * Files read through the ring are the files source_read_regular() reads,
 * byte for byte; what the ring cannot read it leaves to it; and no
 * descriptor is left open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unroot/arena.h"
#include "unroot/source.h"

static char dir[64];

static void write_file(const char *name, const char *data, size_t len)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static const char *path_of(struct arena *a, const char *name)
{
	return arena_printf(a, "%s/%s", dir, name);
}

static int open_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/unroot-ring-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	for (int i = 0; i < 40; i++) {
		char name[32], body[128];
		snprintf(name, sizeof(name), "%d.Dockerfile", i);
		int n = snprintf(body, sizeof(body), "FROM alpine:3.%d\nUSER %d:0\n", i, 1000 + i);
		write_file(name, body, (size_t)n);
	}
	write_file("empty", "", 0);
	write_file("nul", "FROM a\0b\n", 9);
	char medium[20 * 1024]; /* over a batch's room for one file, under one read's */
	memset(medium, '#', sizeof(medium));
	write_file("medium", medium, sizeof(medium));
	size_t big = SOURCE_READ_ROOM + 10;
	char *data = malloc(big);
	if (!data)
		return -1;
	memset(data, '#', big);
	write_file("big", data, big);
	free(data);
	char p[128];
	snprintf(p, sizeof(p), "%s/fifo", dir);
	if (mkfifo(p, 0600) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/folder", dir);
	return mkdir(p, 0700);
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Each of names[0..n), read through the ring, against source_read_regular(). */
static void read_and_compare(struct source_ring *r, struct arena *a, const char *const *names,
			     size_t n, size_t limit, const bool *want_ring)
{
	const char *paths[SOURCE_RING_BATCH] = {0};
	struct source *out[SOURCE_RING_BATCH];
	for (size_t i = 0; i < n; i++)
		paths[i] = path_of(a, names[i]);
	source_ring_read(r, a, paths, n, limit, out);
	for (size_t i = 0; i < n; i++) {
		if (!r) {
			assert_null(out[i]);
			continue;
		}
		const char *why;
		struct source *plain = source_read_regular(a, paths[i], limit, &why);
		if (!want_ring[i]) {
			assert_null(out[i]); /* left to the usual way, which tells why */
			continue;
		}
		assert_non_null(out[i]);
		assert_non_null(plain);
		assert_string_equal(out[i]->path, paths[i]);
		assert_int_equal(out[i]->len, plain->len);
		assert_memory_equal(out[i]->data, plain->data, plain->len + 1); /* and the NUL */
	}
}

static void reads_as_the_usual_way(void **state)
{
	(void)state;
	int fds = open_fds();
	struct arena *a = arena_new(64u << 20);
	struct source_ring *r = source_ring_new();
#ifdef UNROOT_HAVE_LIBURING
	if (!r)
		print_message("io_uring cannot be used here: only the fallback is tested\n");
#else
	assert_null(r);
#endif
	/* Batches one after the other: each closes the files the last left in its slots. */
	for (int b = 0; b < 5; b++) {
		const char *names[SOURCE_RING_BATCH];
		bool want[SOURCE_RING_BATCH];
		for (int i = 0; i < SOURCE_RING_BATCH; i++) {
			names[i] = arena_printf(a, "%d.Dockerfile", b * SOURCE_RING_BATCH + i);
			want[i] = true;
		}
		read_and_compare(r, a, names, SOURCE_RING_BATCH, 8u << 20, want);
	}
	/* What the ring leaves: a missing file, ones larger than its room, a folder. A FIFO
	 * does not block (O_NONBLOCK, no writer: empty, as read(2) finds it). */
	const char *odd[] = {"empty",  "missing", "big",	  "nul",
			     "folder", "fifo",	  "3.Dockerfile", "medium"};
	const bool want_odd[] = {true, false, false, true, false, true, true, false};
	read_and_compare(r, a, odd, 8, 8u << 20, want_odd);
	/* A file over the limit is the usual way's to refuse. */
	const char *small[] = {"1.Dockerfile", "empty"};
	const bool want_small[] = {false, true};
	read_and_compare(r, a, small, 2, 10, want_small);
	/* A batch of one, and none. */
	read_and_compare(r, a, small + 1, 1, 10, want_small + 1);
	read_and_compare(r, a, small, 0, 10, want_small);
	source_ring_free(r);
	arena_free(a);
	assert_int_equal(open_fds(), fds);
}

static void a_full_arena_reads_nothing(void **state)
{
	(void)state;
	struct arena *a = arena_new(4096); /* no room for a batch's data */
	struct source_ring *r = source_ring_new();
	const char *paths[] = {path_of(a, "1.Dockerfile")};
	struct source *out[1] = {(struct source *)1};
	source_ring_read(r, a, paths, 1, 8u << 20, out);
	assert_null(out[0]);
	source_ring_free(r);
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reads_as_the_usual_way),
	    cmocka_unit_test(a_full_arena_reads_nothing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
