/*
 * fuzz-review.c - what an HTTPS client controls in unroot serve: the body of
 * a POST to /validate or /mutate. The bytes are parsed as an AdmissionReview;
 * one that parses is judged (its object linted and simulated) and patched,
 * and both answers are written, as the server does. Image checks are off: no
 * registry is reached.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/serve.h"

static struct serve_config config;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (serve_config_init(&config) != 0)
		abort();
	/* A namespace rule, so the policy's branches are reached too. */
	static struct ns_rule rules[] = {
	    {.match = "kube-*", .skip = true, .deny = -1, .dry_run = -1},
	    {.match = "dev*", .deny = 1 << SEV_WARNING, .dry_run = 1},
	};
	config.namespaces = rules;
	config.nnamespaces = 2;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	struct review r;
	char why_buf[256];
	const char *why;
	if (review_parse((const char *)data, size, &r, why_buf, sizeof(why_buf), &why) != 0)
		return 0;
	for (int mutate = 0; mutate < 2; mutate++) {
		struct verdict v;
		if (serve_decide(&config, &r, mutate, NULL, true, &v) == 0) {
			size_t len;
			char *text = review_response(&r, &v, &len);
			free(text);
		}
		verdict_release(&v);
	}
	review_release(&r);
	return 0;
}
