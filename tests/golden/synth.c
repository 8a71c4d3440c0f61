/*
 * synth.c - writes a fixed, hand-made report in one format to stdout, for
 * the golden files under tests/golden/synth/. It does not depend on which
 * rules exist: it brings its own rule set, and its findings exercise what
 * the formats must get right: tabs and multi-byte characters before a span
 * (byte, UTF-16 and display columns differ), spans over several lines, an
 * empty span, a finding with no text source (an image), paths with spaces,
 * commas, colons and '%', absolute paths inside and outside the working
 * folder, standard input, messages with XML metacharacters, '%', line breaks, control
 * characters and invalid UTF-8, and an input without findings.
 *
 *	golden-synth FORMAT      FORMAT is a format name, or text-tty for text
 *	                         with colour and the offending line
 */
#include "unroot/arena.h"
#include "unroot/buf.h"
#include "unroot/diag.h"
#include "unroot/output.h"
#include "unroot/rule.h"
#include "unroot/source.h"

#include <stdio.h>
#include <string.h>

static const struct rule rule_df = {
    .code = "NR900",
    .name = "test-dockerfile",
    .severity = SEV_ERROR,
    .platforms = PLAT_ALL,
    .kind = KIND_DOCKERFILE,
    .summary = "a dockerfile finding for format tests",
    .description = "Stands for a Dockerfile rule. It matters on every platform.\n"
		   "A second paragraph, with <markup> & \"quotes\".",
    .remediation = "Write USER 1001:0.",
    .bad = "FROM alpine:3.20\nUSER root\n",
    .good = "FROM alpine:3.20\nUSER 1001:0\n",
};

static const struct rule rule_k8s = {
    .code = "NR901",
    .name = "test-manifest",
    .severity = SEV_WARNING,
    .platforms = PLAT_KUBERNETES | PLAT_OPENSHIFT,
    .kind = KIND_K8S,
    .summary = "a manifest finding for format tests | with a pipe",
    .description = "Stands for a Kubernetes rule.",
    .remediation = "Set runAsNonRoot: true.",
    .bad = "apiVersion: v1\nkind: Pod\n",
    .good = "apiVersion: v1\nkind: Pod\nspec:\n  securityContext:\n    runAsNonRoot: true\n",
};

static const struct rule rule_img = {
    .code = "NR902",
    .name = "test-image",
    .severity = SEV_INFO,
    .platforms = PLAT_DOCKER | PLAT_PODMAN,
    .kind = KIND_IMAGE,
    .summary = "an image finding for format tests",
    .description = "Stands for an image rule.",
    .remediation = "chgrp -R 0 /app && chmod -R g=u /app",
    .bad = "/app/run.sh 0:0 0700\n",
    .good = "/app/run.sh 0:0 0770\n",
};

static const struct rule *const rules[] = {
    &NR000_parse_error, &NR001_unused_suppression, &rule_df, &rule_k8s, &rule_img,
};

static size_t at(struct source *s, const char *needle)
{
	const char *p = strstr(s->data, needle);
	return p ? (size_t)(p - s->data) : 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: golden-synth FORMAT|text-tty\n");
		return 2;
	}
	bool tty = strcmp(argv[1], "text-tty") == 0;
	const struct formatter *f = formatter_find(tty ? "text" : argv[1]);
	if (!f) {
		fprintf(stderr, "golden-synth: no format '%s'\n", argv[1]);
		return 2;
	}
	struct arena *a = arena_new((size_t)16 << 20);
	struct diag_list l = {.arena = a};

	/* A tab before the span on line 2; an emoji (4 bytes, 2 UTF-16 units) on line 3. */
	const char *df_text = "FROM alpine:3.20\n\tUSER  root # caf\xc3\xa9\n"
			      "RUN echo \xf0\x9f\x98\x80 && adduser x\n";
	struct source *df = source_new(a, "Dockerfile", df_text, strlen(df_text));
	size_t root = at(df, "root");
	struct diag *d = diag_add(&l, &rule_df, "Dockerfile", df, root, root + 4,
				  "USER root runs the container as uid 0 on docker, podman; write "
				  "USER 1001:0");
	d->fix = "USER 1001:0";
	size_t add = at(df, "adduser");
	d = diag_add(&l, &rule_df, "Dockerfile", df, add, add + 9,
		     "RUN uses 'adduser x' (100%% of \"images\" <fail> & break): the arbitrary "
		     "UID has no entry");
	d->platforms = PLAT_OPENSHIFT;

	/* A path with a comma, a colon and a space; a span over two lines; CR LF in the message. */
	const char *k8s_text = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n"
			       "    spec:\n      securityContext:\n        runAsUser: 0\n";
	const char *k8s_path = "k8s/deploy,prod:1 a%.yaml";
	struct source *k8s = source_new(a, k8s_path, k8s_text, strlen(k8s_text));
	size_t sc = at(k8s, "securityContext");
	d = diag_add(&l, &rule_k8s, k8s_path, k8s, sc, at(k8s, "runAsUser") + 12,
		     "runAsUser: 0 runs as root,\r\nand the kubelet refuses runAsNonRoot");
	d->object = "Deployment/web";
	d->container = "app";
	d->fix = "runAsNonRoot: true";

	/* An image: no text, a file inside it, invalid UTF-8 and a control character. */
	const char *img = "images/app image.tar";
	d = diag_add(&l, &rule_img, img, NULL, 0, 0,
		     "/app/run.sh is mode 0700 \xff\x01: group 0 cannot execute it");
	d->object = "/app/run.sh";
	d->fix = "chgrp -R 0 /app && chmod -R g=u /app";

	/* A parse error with an empty span, on a path written with "./". */
	const char *broken_text = "a: [\n";
	struct source *broken = source_new(a, "./broken.yaml", broken_text, strlen(broken_text));
	diag_add(&l, &NR000_parse_error, "./broken.yaml", broken, 5, 5,
		 "did not find expected node content");

	/* Absolute paths: one inside the working folder, one outside. */
	const char *in_text = "FROM alpine:3.20\n# unroot ignore=NR102\nUSER 1001:0\n";
	struct source *in = source_new(a, "/src/project/sub/Dockerfile", in_text, strlen(in_text));
	size_t sup = at(in, "# unroot");
	diag_add(&l, &NR001_unused_suppression, "/src/project/sub/Dockerfile", in, sup, sup + 21,
		 "suppression of NR102 matched no finding here; remove it");
	struct source *out = source_new(a, "/elsewhere/Dockerfile", in_text, strlen(in_text));
	diag_add(&l, &rule_df, "/elsewhere/Dockerfile", out, 0, 4, "outside the working folder");

	/* Standard input. */
	const char *stdin_text = "FROM scratch\n";
	struct source *in0 = source_new(a, "-", stdin_text, strlen(stdin_text));
	diag_add(&l, &rule_df, "-", in0, 5, 12, "read from standard input");

	diag_list_sort(&l);
	const char *inputs[] = {
	    "Dockerfile",	    k8s_path,		img,
	    "./broken.yaml",	    "clean/Dockerfile", "/src/project/sub/Dockerfile",
	    "/elsewhere/Dockerfile"};
	struct report r = {
	    .diags = &l,
	    .inputs = inputs,
	    .ninputs = sizeof(inputs) / sizeof(inputs[0]),
	    .color = tty,
	    .source_line = tty,
	    .version = "0.0.0-test",
	    .rules = rules,
	    .nrules = sizeof(rules) / sizeof(rules[0]),
	    .docs_url = "https://example.org/unroot/docs/rules.md",
	    .base_dir = "/src/project",
	    .cwd = "/src/project",
	};
	struct buf b;
	buf_init(&b);
	f->write(&b, &r);
	int rc = b.failed || arena_failed(a) ? 2 : 0;
	if (!rc)
		fwrite(b.data ? b.data : "", 1, b.len, stdout);
	buf_release(&b);
	arena_free(a);
	return rc;
}
