/*
 * fuzz-tar.c - the layer reader (libarchive over our blob stream, entry
 * names, whiteouts, hard links, xattrs), layer application into the model,
 * path resolution and the access check; then the outer tar indexer.
 */
#include "../../lib/image/blob.h"
#include "unroot/arena.h"
#include "identity/identity.h"
#include "image/image.h"
#include "unroot/lint.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lint_options o;
	lint_options_init(&o);
	o.limits.tar_entries = 5000;
	o.limits.uncompressed = 64 << 20;
	static const char *const capture[] = {"/etc/group", "/etc/passwd"};
	struct layer_opts lo = {.limits = &o.limits,
				.capture = capture,
				.ncapture = 2,
				.capture_cap = 4096,
				.entries = true};
	struct blob b = {.kind = BLOB_MEMORY, .data = data, .size = size, .name = "fuzz"};
	struct layer l = {.arena = arena_new(256 << 20)};
	struct layer_stats st;
	struct arena *a = arena_new(256 << 20);
	if (layer_read(&b, &l, &lo, &st) == 0) {
		struct fsmodel *fs = fs_new(a, 10000);
		const char *why;
		if (fs && fs_apply_layer(fs, &l, 0, &why) == 0) {
			struct identity id = {.uid = 1000680000, .gid = 0};
			for (size_t i = 0; i < l.n && i < 50; i++) {
				bool esc = false;
				fs_resolve(fs, l.entries[i].path, false, &why, &esc);
				fs_access(fs, &id, l.entries[i].path, FS_R_OK | FS_X_OK, NULL);
			}
		}
	}
	arena_free(l.arena);
	/* The same bytes as an outer docker save / OCI archive. */
	int fd = memfd_create("fuzz", 0);
	if (fd >= 0) {
		if (write(fd, data, size) == (ssize_t)size) {
			struct tar_member *m;
			size_t n;
			const char *why;
			tar_index(a, fd, size, 1000, &m, &n, &why);
		}
		close(fd);
	}
	arena_free(a);
	return 0;
}
