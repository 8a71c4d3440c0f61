/*
 * fuzz-manifest.c - what a hostile registry controls: the WWW-Authenticate
 * challenge, the token endpoint's answer and an auth file (lib/net), then a
 * manifest or index, its children, the config and the layers, read through
 * a blob source the way a registry's are (lib/image: index selection,
 * nesting, digests, config, layers, facts).
 *
 * The input is parts split at "\n--\n": the challenge; the tag's manifest;
 * then blobs, each served under its own sha256.
 */
#include "image/blob.h"
#include "image/image-internal.h"
#include "net/net.h"
#include "unroot/arena.h"
#include "unroot/lint.h"
#include "util/reading.h"

#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARTS 16

struct fake {
	const uint8_t *part[MAX_PARTS];
	size_t len[MAX_PARTS];
	char hex[MAX_PARTS][65];
	size_t n;
	char index[512];
};

static void sha256_hex(const uint8_t *d, size_t n, char out[65])
{
	unsigned char md[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	sha256_init(&ctx);
	sha256_update(&ctx, n, d);
	sha256_digest(&ctx, sizeof(md), md);
	for (unsigned i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static bool has(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "index.json") == 0;
}

static int open_blob(void *ctx, struct arena *a, const char *name, const char *const *capture,
		     size_t ncapture, struct blob *b, const char **why)
{
	struct fake *f = ctx;
	(void)a;
	(void)capture;
	(void)ncapture;
	if (strcmp(name, "index.json") == 0) {
		b->kind = BLOB_MEMORY;
		b->data = (const unsigned char *)f->index;
		b->size = strlen(f->index);
		return 0;
	}
	for (size_t i = 1; i < f->n; i++)
		if (strncmp(name, "blobs/sha256/", 13) == 0 && strcmp(name + 13, f->hex[i]) == 0) {
			b->kind = BLOB_MEMORY;
			b->data = f->part[i];
			b->size = f->len[i];
			return 0;
		}
	*why = "is not on the registry";
	return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake f = {0};
	const uint8_t *p = data, *end = data + size;
	while (f.n < MAX_PARTS) {
		const uint8_t *sep = memmem(p, (size_t)(end - p), "\n--\n", 4);
		f.part[f.n] = p;
		f.len[f.n] = sep ? (size_t)(sep - p) : (size_t)(end - p);
		sha256_hex(f.part[f.n], f.len[f.n], f.hex[f.n]);
		f.n++;
		if (!sep)
			break;
		p = sep + 4;
	}

	/* The network side: a challenge, a token answer, an auth file. */
	struct auth_challenge ch[AUTH_MAX_CHALLENGES];
	int nch = auth_parse((const char *)f.part[0], f.len[0], ch, AUTH_MAX_CHALLENGES);
	for (int i = 0; i < nch; i++)
		(void)auth_param(&ch[i], "realm");
	if (nch > 0)
		auth_challenges_free(ch, (size_t)nch);
	long life;
	const char *why;
	free(auth_token_parse((const char *)f.part[0], f.len[0], &life, &why));
	struct creds c = {0};
	char *helper = NULL, *cwhy = NULL;
	creds_from_config((const char *)f.part[0], f.len[0], "127.0.0.1:5000", "team/app", &c,
			  &helper, &cwhy);
	creds_release(&c);
	free(helper);
	free(cwhy);
	if (f.n < 2)
		return 0;

	/* The image side: the tag's manifest as a one-entry index, as remote.c makes it. */
	snprintf(f.index, sizeof(f.index),
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
		 "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:%s\","
		 "\"size\":%zu}]}",
		 f.hex[1], f.len[1]);
	struct lint_options o;
	lint_options_init(&o);
	o.limits.tar_entries = 5000;
	o.limits.uncompressed = 64 << 20;
	o.limits.arena = 256 << 20;
	o.arch = "amd64";
	struct arena *a = arena_new(o.limits.arena);
	if (!a)
		return 0;
	struct reading rd = {.opts = &o, .arena = a, .scratch = a, .path = "fuzz"};
	struct image img;
	struct blob_source bs = {.has = has, .open = open_blob, .ctx = &f, .layout = "registry"};
	image_load_source(&rd, "fuzz", &bs, &img);
	arena_free(a);
	return 0;
}
