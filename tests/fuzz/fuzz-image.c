/*
 * fuzz-image.c - the image loader on a whole image: index, manifest, config
 * JSON and layer tars together, written as an OCI layout folder, an OCI
 * archive or a gzip-compressed one in a private temporary folder, then
 * linted as an image (detection, digests, layers, captures, facts, rules).
 *
 * The input is parts split at "\n==\n": byte 0 of the first part is flags,
 * the rest of it the config JSON; then up to 8 layer blobs (raw bytes: tar,
 * gzip or zstd). Flags:
 *   0x01  the last part is index.json, verbatim but for placeholders
 *   0x02  the part before it (or the last) is the manifest, the same way
 *   0x04  write an OCI archive (tar) rather than a folder
 *   0x08  ... compressed with gzip (read in one pass)
 *   0x10  also write a docker save manifest.json (the docker layout wins)
 *   0x20  layers' media type says +zstd rather than +gzip
 * Placeholders, so that digests can match: "@C" the config's digest,
 * "@0".."@7" a layer's, "@M" the manifest's (in the index only).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <nettle/sha2.h>

#include "unroot/lint.h"

#define MAX_PARTS  11
#define MAX_LAYERS 8

static char dir[64];   /* the private folder, made once */
static char where[96]; /* what is linted in it */

static void remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char p[512];
			snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
			remove_tree(p);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static void cleanup(void)
{
	if (dir[0])
		remove_tree(dir);
}

static void hex_digest(const void *data, size_t n, char out[65])
{
	unsigned char d[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	sha256_init(&ctx);
	sha256_update(&ctx, n, data);
	sha256_digest(&ctx, sizeof(d), d);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

struct part {
	const uint8_t *p;
	size_t n;
};

/* text with @C, @0..@7 and @M replaced by "sha256:<hex>"; malloc'd, *len set. */
static char *fill(const struct part *t, char digests[][65], size_t nlayers, const char *cfg,
		  const char *man, size_t *len)
{
	char *out = malloc(t->n * 36 + 1);
	size_t w = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < t->n; i++) {
		const char *d = NULL;
		if (t->p[i] == '@' && i + 1 < t->n) {
			char c = (char)t->p[i + 1];
			if (c == 'C')
				d = cfg;
			else if (c == 'M')
				d = man;
			else if (c >= '0' && c < '0' + MAX_LAYERS && (size_t)(c - '0') < nlayers)
				d = digests[c - '0'];
		}
		if (d) {
			w += (size_t)sprintf(out + w, "sha256:%s", d);
			i++;
		} else {
			out[w++] = (char)t->p[i];
		}
	}
	out[w] = 0;
	*len = w;
	return out;
}

struct file {
	char name[96];
	const void *data;
	size_t n;
};

static int write_folder(const struct file *f, size_t nf)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/img", dir);
	remove_tree(p);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/img/blobs", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/img/blobs/sha256", dir);
	mkdir(p, 0755);
	for (size_t i = 0; i < nf; i++) {
		snprintf(p, sizeof(p), "%s/img/%s", dir, f[i].name);
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			return -1;
		ssize_t w = f[i].n ? write(fd, f[i].data, f[i].n) : 0;
		close(fd);
		if (w != (ssize_t)f[i].n)
			return -1;
	}
	snprintf(where, sizeof(where), "%s/img", dir);
	return 0;
}

static int write_archive(const struct file *f, size_t nf, bool gz)
{
	snprintf(where, sizeof(where), "%s/img.tar%s", dir, gz ? ".gz" : "");
	struct archive *ar = archive_write_new();
	if (!ar)
		return -1;
	archive_write_set_format_pax_restricted(ar);
	if (gz)
		archive_write_add_filter_gzip(ar);
	int rc = archive_write_open_filename(ar, where) == ARCHIVE_OK ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < nf; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, f[i].name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)f[i].n);
		if (archive_write_header(ar, e) != ARCHIVE_OK ||
		    (f[i].n && archive_write_data(ar, f[i].data, f[i].n) != (la_ssize_t)f[i].n))
			rc = -1;
		archive_entry_free(e);
	}
	archive_write_close(ar);
	archive_write_free(ar);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0]) {
		/* In memory when there is a tmpfs: a disk's journal made a run 20 times slower. */
		strcpy(dir, "/dev/shm/unroot-fuzz-image-XXXXXX");
		if (!mkdtemp(dir)) {
			strcpy(dir, "/tmp/unroot-fuzz-image-XXXXXX");
			if (!mkdtemp(dir)) {
				dir[0] = 0;
				return 0;
			}
		}
		atexit(cleanup);
	}
	if (size < 1)
		return 0;
	unsigned flags = data[0];
	struct part parts[MAX_PARTS];
	size_t np = 0;
	const uint8_t *p = data + 1, *end = data + size;
	while (np < MAX_PARTS) {
		const uint8_t *sep = memmem(p, (size_t)(end - p), "\n==\n", 4);
		parts[np].p = p;
		parts[np].n = (size_t)((sep ? sep : end) - p);
		np++;
		if (!sep)
			break;
		p = sep + 4;
	}
	size_t first_tmpl = np;
	const struct part *index_t = NULL, *man_t = NULL;
	if ((flags & 1) && first_tmpl > 1)
		index_t = &parts[--first_tmpl];
	if ((flags & 2) && first_tmpl > 1)
		man_t = &parts[--first_tmpl];
	size_t nlayers = first_tmpl - 1;
	if (nlayers > MAX_LAYERS)
		nlayers = MAX_LAYERS;

	char cfg[65], digests[MAX_LAYERS][65], mdig[65];
	hex_digest(parts[0].p, parts[0].n, cfg);
	for (size_t i = 0; i < nlayers; i++)
		hex_digest(parts[1 + i].p, parts[1 + i].n, digests[i]);

	/* The manifest: the fuzzer's, or one that lists every layer. */
	char *man = NULL;
	size_t mlen = 0;
	if (man_t) {
		man = fill(man_t, digests, nlayers, cfg, "", &mlen);
	} else {
		man = malloc(512 + nlayers * 200);
		if (man) {
			const char *mt = flags & 0x20 ? "+zstd" : "+gzip";
			mlen =
			    (size_t)sprintf(man,
					    "{\"schemaVersion\":2,\"config\":{\"mediaType\":"
					    "\"application/vnd.oci.image.config.v1+json\","
					    "\"digest\":\"sha256:%s\",\"size\":%zu},\"layers\":[",
					    cfg, parts[0].n);
			for (size_t i = 0; i < nlayers; i++)
				mlen += (size_t)sprintf(
				    man + mlen,
				    "%s{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar%s\","
				    "\"digest\":\"sha256:%s\",\"size\":%zu}",
				    i ? "," : "", mt, digests[i], parts[1 + i].n);
			mlen += (size_t)sprintf(man + mlen, "]}");
		}
	}
	if (!man)
		return 0;
	hex_digest(man, mlen, mdig);
	char *index = NULL;
	size_t ilen = 0;
	if (index_t) {
		index = fill(index_t, digests, nlayers, cfg, mdig, &ilen);
	} else {
		index = malloc(256);
		if (index)
			ilen = (size_t)sprintf(index,
					       "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
					       "\"application/vnd.oci.image.manifest.v1+json\","
					       "\"digest\":\"sha256:%s\",\"size\":%zu}]}",
					       mdig, mlen);
	}
	char *docker = NULL;
	size_t dlen = 0;
	if (index && (flags & 0x10)) {
		docker = malloc(256 + nlayers * 90);
		if (docker) {
			dlen = (size_t)sprintf(
			    docker, "[{\"Config\":\"blobs/sha256/%s\",\"Layers\":[", cfg);
			for (size_t i = 0; i < nlayers; i++)
				dlen += (size_t)sprintf(docker + dlen, "%s\"blobs/sha256/%s\"",
							i ? "," : "", digests[i]);
			dlen += (size_t)sprintf(docker + dlen, "]}]");
		}
	}

	struct file files[MAX_LAYERS + 5];
	size_t nf = 0;
	if (index) {
		files[nf++] = (struct file){"oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30};
		files[nf++] = (struct file){"index.json", index, ilen};
		if (docker)
			files[nf++] = (struct file){"manifest.json", docker, dlen};
		snprintf(files[nf].name, sizeof(files[nf].name), "blobs/sha256/%s", mdig);
		files[nf].data = man;
		files[nf++].n = mlen;
		snprintf(files[nf].name, sizeof(files[nf].name), "blobs/sha256/%s", cfg);
		files[nf].data = parts[0].p;
		files[nf++].n = parts[0].n;
		for (size_t i = 0; i < nlayers; i++) {
			size_t k;
			for (k = 0; k < nf; k++)
				if (strncmp(files[k].name, "blobs/sha256/", 13) == 0 &&
				    strcmp(files[k].name + 13, digests[i]) == 0)
					break; /* the same blob twice: one file */
			if (k < nf)
				continue;
			snprintf(files[nf].name, sizeof(files[nf].name), "blobs/sha256/%s",
				 digests[i]);
			files[nf].data = parts[1 + i].p;
			files[nf++].n = parts[1 + i].n;
		}
		int rc =
		    flags & 0x0c ? write_archive(files, nf, flags & 0x08) : write_folder(files, nf);
		if (rc == 0) {
			struct lint_options o;
			lint_options_init(&o);
			o.type = KIND_IMAGE;
			o.limits.arena = 128u << 20;
			o.limits.tar_entries = 5000;
			o.limits.uncompressed = 64u << 20;
			struct lint_run *run = lint_run_new(&o);
			if (run) {
				lint_run_path(run, where);
				lint_run_finish(run);
				lint_run_free(run);
			}
		}
		remove_tree(where);
	}
	free(docker);
	free(index);
	free(man);
	return 0;
}
