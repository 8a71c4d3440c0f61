/* options.c - the options every command takes, then .unroot.yaml under them. */
#include "cli.h"
#include "unroot/arena.h"
#include "unroot/buf.h"
#include "unroot/config.h"
#include "unroot/ids.h"
#include "unroot/output.h"
#include "unroot/rule.h"
#include "unroot/suggest.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_PLATFORM = 256,
	OPT_MIN_UID,
	OPT_UID_RANGE,
	OPT_SUPP_GROUPS,
	OPT_IMAGE,
	OPT_FAIL_ON,
	OPT_IGNORE,
	OPT_CONFIG,
	OPT_NO_CONFIG,
	OPT_COLOR,
	OPT_OUTPUT,
	OPT_TYPE,
	OPT_CONTEXT,
	OPT_JOBS,
	OPT_ARCH,
	OPT_ROOTFS,
	OPT_IMAGE_CONFIG,
	OPT_TREE,
	OPT_HELM,
	OPT_VALUES,
	OPT_SET,
	OPT_CREDS,
	OPT_CERT_DIR,
	OPT_TLS_VERIFY,
	OPT_TIMEOUT,
	OPT_OS,
	OPT_VARIANT,
	OPT_RETRY_TIMES,
	OPT_NO_CACHE,
	OPT_PULL,
	OPT_BASE_DIR,
	OPT_EXCLUDE,
	OPT_NO_GITIGNORE,
	OPT_BASELINE,
	OPT_WRITE_BASELINE,
};

static const struct option long_opts[] = {
    {"format", required_argument, NULL, 'f'},
    {"platform", required_argument, NULL, OPT_PLATFORM},
    {"min-uid", required_argument, NULL, OPT_MIN_UID},
    {"uid-range", required_argument, NULL, OPT_UID_RANGE},
    {"supplemental-groups", required_argument, NULL, OPT_SUPP_GROUPS},
    {"image", required_argument, NULL, OPT_IMAGE},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"ignore", required_argument, NULL, OPT_IGNORE},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"no-config", no_argument, NULL, OPT_NO_CONFIG},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    {"quiet", no_argument, NULL, 'q'},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"type", required_argument, NULL, OPT_TYPE},
    {"context", required_argument, NULL, OPT_CONTEXT},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"arch", required_argument, NULL, OPT_ARCH},
    {"rootfs", required_argument, NULL, OPT_ROOTFS},
    {"image-config", required_argument, NULL, OPT_IMAGE_CONFIG},
    {"tree", required_argument, NULL, OPT_TREE},
    {"helm", required_argument, NULL, OPT_HELM},
    {"values", required_argument, NULL, OPT_VALUES},
    {"set", required_argument, NULL, OPT_SET},
    {"creds", required_argument, NULL, OPT_CREDS},
    {"cert-dir", required_argument, NULL, OPT_CERT_DIR},
    {"tls-verify", optional_argument, NULL, OPT_TLS_VERIFY},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"os", required_argument, NULL, OPT_OS},
    {"variant", required_argument, NULL, OPT_VARIANT},
    {"retry-times", required_argument, NULL, OPT_RETRY_TIMES},
    {"no-cache", no_argument, NULL, OPT_NO_CACHE},
    {"pull", no_argument, NULL, OPT_PULL},
    {"base-dir", required_argument, NULL, OPT_BASE_DIR},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"no-gitignore", no_argument, NULL, OPT_NO_GITIGNORE},
    {"baseline", required_argument, NULL, OPT_BASELINE},
    {"write-baseline", required_argument, NULL, OPT_WRITE_BASELINE},
    {"help", no_argument, NULL, 'h'},
    {0},
};

static const char help_text[] =
    "usage: unroot %s [OPTIONS] PATH...\n"
    "\n"
    "  -f, --format FMT          text (default), json%s\n"
    "      --output FILE         write the report to FILE\n"
    "      --base-dir DIR        SARIF, github and codeclimate paths are relative to DIR\n"
    "                            (default: the git repository's top folder)\n"
    "      --platform LIST       docker,podman,kubernetes,openshift (default: all)\n"
    "      --min-uid N           lowest acceptable uid (default %d)\n"
    "      --uid-range S/L       OpenShift namespace uid range (default 1000680000/10000)\n"
    "      --supplemental-groups S/L  OpenShift fsGroup range (default 1000680000/10000)\n"
    "      --image REF=PATH      pair a manifest's image reference with a Dockerfile or image\n"
    "      --fail-on LEVEL       error|warning|info|none (default warning)\n"
    "      --ignore RULES        rule codes or names, comma-separated\n"
    "      --exclude GLOB        leave out the paths GLOB matches (repeatable)\n"
    "      --no-gitignore        walk into what git ignores too\n"
    "      --baseline FILE       report only findings FILE does not hold\n"
    "      --write-baseline FILE record every finding in FILE (exit 0 for them)\n"
    "      --config FILE         use FILE instead of the nearest .unroot.yaml\n"
    "      --no-config           read no .unroot.yaml\n"
    "      --color WHEN          auto|always|never (NO_COLOR turns it off)\n"
    "  -q, --quiet               print findings only\n"
    "      --type KIND           dockerfile|k8s|helm|image: force the input kind\n"
    "      --context DIR         Dockerfile build context (default: its folder)\n"
    "  -j, --jobs N              threads for many Dockerfiles (default: usable CPUs + 1)\n"
    "      --arch ARCH           image platform to pick from an index (default: the host's)\n"
    "      --os OS, --variant V  the rest of the platform (linux; v7, v8)\n"
    "      --creds USER:PASS     registry credentials (default: Podman's and Docker's)\n"
    "      --cert-dir DIR        CA certificates (*.crt) and client certificate for TLS\n"
    "      --tls-verify=false    do not check TLS certificates; allow plain HTTP\n"
    "      --timeout SECONDS     give up on a server silent this long (default 30)\n"
    "      --retry-times N       tries again after a failed request (default 4)\n"
    "      --no-cache            neither use nor fill the cache ($XDG_CACHE_HOME/unroot)\n"
    "      --pull                read the images manifests and FROM lines name from registries\n"
    "      --rootfs DIR          lint an unpacked root filesystem\n"
    "      --image-config FILE   image config JSON for --rootfs\n"
    "      --tree PATH           print the permission view of PATH in the image\n"
    "      --helm BIN            helm binary for rendered checks\n"
    "      --values FILE         values file passed to helm template\n"
    "      --set K=V             passed to helm template\n"
    "\n"
    "Exit status: 0 nothing at or above --fail-on, 1 findings, 2 usage or input error.\n";

static void print_help(const char *cmd)
{
	struct buf names;
	buf_init(&names);
	for (size_t i = 2; i < formatter_count; i++)
		buf_printf(&names, ", %s", formatter_table[i]->name);
	printf(help_text, *cmd ? cmd : "[lint]", names.data ? names.data : "",
	       LINT_DEFAULT_MIN_UID);
	buf_release(&names);
}

/*
 * `cmd` is the command the user typed, or "" when there was none (`unroot
 * PATH...`): the messages then say `unroot`, never the program's path.
 */
static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "unroot%s%s: ", *cmd ? " " : "", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'unroot%s%s --help'.\n", *cmd ? " " : "", cmd);
	return 2;
}

/* "; did you mean 'json'?" when a known word is near `word`, else "". */
static const char *did_you_mean(struct cli *cli, const char *word, const char *const *known,
				size_t n)
{
	const char *near = suggest(word, known, n);
	if (!near)
		return "";
	const char *s = arena_printf(cli->arena, "; did you mean '%s'?", near);
	return s ? s : "";
}

/* A usage error about a value, "MSG 'VALUE'[; did you mean 'X'?] WANT". */
static int bad_value(const char *cmd, struct cli *cli, const char *msg, const char *value,
		     const char *const *known, size_t n, const char *want)
{
	const char *text = arena_printf(cli->arena, "%s '%s'%s%s%s", msg, value,
					did_you_mean(cli, value, known, n), *want ? " " : "", want);
	return usage_error(cmd, "%s", text ? text : msg);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool push(struct arena *a, const char ***list, size_t *n, const char *value)
{
	size_t cap = *n; /* lists here are built by push alone: grow every time */
	const char **grown = arena_alloc(a, (cap + 1) * sizeof(*grown));
	if (!grown)
		return false;
	if (*n)
		memcpy(grown, *list, *n * sizeof(*grown));
	grown[(*n)++] = value;
	*list = grown;
	return true;
}

static bool push_kv(struct arena *a, struct kv **list, size_t *n, const char *k, const char *v)
{
	struct kv *grown = arena_alloc(a, (*n + 1) * sizeof(*grown));
	if (!grown)
		return false;
	if (*n)
		memcpy(grown, *list, *n * sizeof(*grown));
	grown[*n] = (struct kv){k, v};
	(*n)++;
	*list = grown;
	return true;
}

static int parse_kind(const char *s, enum input_kind *out)
{
	static const struct {
		const char *name;
		enum input_kind kind;
	} kinds[] = {{"dockerfile", KIND_DOCKERFILE},
		     {"containerfile", KIND_DOCKERFILE},
		     {"k8s", KIND_K8S},
		     {"kubernetes", KIND_K8S},
		     {"yaml", KIND_K8S},
		     {"helm", KIND_HELM},
		     {"image", KIND_IMAGE}};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(s, kinds[i].name) == 0) {
			*out = kinds[i].kind;
			return 0;
		}
	return -1;
}

/* One option into cli; `pass` 0 only looks for --config/--no-config/--help. */
static int apply(const char *cmd, struct cli *cli, int c, const char *arg)
{
	struct lint_options *o = &cli->opts;
	const char *bad;
	char *end;
	switch (c) {
	case 'f':
		if (strcmp(cmd, "rules") == 0) {
			/* the rule table's own formats; "md" is short for markdown */
			static const char *const rule_formats[] = {"text", "markdown", "json",
								   "md"};
			for (size_t i = 0; i < COUNT(rule_formats); i++)
				if (strcmp(arg, rule_formats[i]) == 0) {
					cli->format = arg;
					return 0;
				}
			return bad_value(cmd, cli, "unknown format", arg, rule_formats, 3,
					 "(text, markdown or json)");
		}
		if (!formatter_find(arg)) {
			const char *names[16];
			size_t n = 0;
			for (size_t i = 0; i < formatter_count && n < COUNT(names); i++)
				names[n++] = formatter_table[i]->name;
			return bad_value(cmd, cli, "unknown format", arg, names, n, "");
		}
		cli->format = arg;
		return 0;
	case OPT_OUTPUT:
		cli->output = arg;
		return 0;
	case OPT_BASE_DIR:
		o->base_dir = arg;
		return 0;
	case OPT_EXCLUDE:
		if (!*arg)
			return usage_error(cmd, "%s", "--exclude needs a glob");
		push_kv(cli->arena, &o->excludes, &o->nexcludes, arg, NULL);
		return 0;
	case OPT_NO_GITIGNORE:
		o->no_gitignore = true;
		return 0;
	case OPT_BASELINE:
		o->baseline = arg;
		return 0;
	case OPT_WRITE_BASELINE:
		cli->write_baseline = arg;
		o->record_baseline = true;
		return 0;
	case OPT_PLATFORM:
		o->platforms = platform_parse(arg, &bad);
		if (!o->platforms) {
			static const char *const names[] = {"docker", "podman", "kubernetes",
							    "openshift"};
			const char *word =
			    bad ? arena_strndup(cli->arena, bad, strcspn(bad, ",")) : arg;
			return bad_value(cmd, cli, "unknown platform", word ? word : arg, names,
					 COUNT(names), "(docker, podman, kubernetes, openshift)");
		}
		return 0;
	case OPT_JOBS:
	case 'j':
		errno = 0;
		long jobs = strtol(arg, &end, 10);
		if (errno || *end || end == arg || jobs < 1 || jobs > 256)
			return usage_error(cmd, "--jobs needs a number from 1 to 256, not '%s'",
					   arg);
		o->jobs = (unsigned)jobs;
		return 0;
	case OPT_MIN_UID: {
		unsigned long v;
		if (!id_parse_str(arg, &v))
			return usage_error(
			    cmd, "--min-uid needs a uid from 0 to 4294967295, not '%s'", arg);
		o->min_uid = (long)v;
		return 0;
	}
	case OPT_UID_RANGE:
		if (!id_range_parse(arg, &o->uid_range))
			return usage_error(cmd,
					   "--uid-range needs START/LENGTH or START-END of uids "
					   "from 0 to 4294967295, not '%s'",
					   arg);
		return 0;
	case OPT_SUPP_GROUPS:
		if (!id_range_parse(arg, &o->supp_groups))
			return usage_error(cmd,
					   "--supplemental-groups needs START/LENGTH or START-END "
					   "of gids from 0 to "
					   "4294967295, not '%s'",
					   arg);
		return 0;
	case OPT_IMAGE: {
		const char *eq = strchr(arg, '=');
		if (!eq || eq == arg || !eq[1])
			return usage_error(cmd, "--image needs REF=PATH, not '%s'", arg);
		push_kv(cli->arena, &o->images, &o->nimages,
			arena_strndup(cli->arena, arg, (size_t)(eq - arg)), eq + 1);
		return 0;
	}
	case OPT_FAIL_ON: {
		int sev = severity_parse(arg);
		static const char *const levels[] = {"error", "warning", "info", "none"};
		if (sev < 0)
			return bad_value(cmd, cli, "--fail-on needs error|warning|info|none, not",
					 arg, levels, COUNT(levels), "");
		o->fail_on = (enum severity)sev;
		return 0;
	}
	case OPT_IGNORE:
		for (const char *p = arg; *p;) {
			size_t n = strcspn(p, ",");
			const char *code = arena_strndup(cli->arena, p, n);
			/* A mistyped rule would be ignored in silence, so it is an error. */
			if (n && code && !rule_find(code))
				return usage_error(cmd, "%s", rule_unknown(cli->arena, code));
			if (n)
				push(cli->arena, &o->ignore, &o->nignore, code);
			p += n + (p[n] == ',');
		}
		return 0;
	case OPT_COLOR:
		if (strcmp(arg, "auto") == 0)
			cli->color = -1;
		else if (strcmp(arg, "always") == 0)
			cli->color = 1;
		else if (strcmp(arg, "never") == 0)
			cli->color = 0;
		else {
			static const char *const whens[] = {"auto", "always", "never"};
			return bad_value(cmd, cli, "--color needs auto|always|never, not", arg,
					 whens, COUNT(whens), "");
		}
		return 0;
	case 'q':
		cli->quiet = true;
		return 0;
	case OPT_TYPE:
		if (parse_kind(arg, &o->type)) {
			static const char *const kinds[] = {"dockerfile", "containerfile", "k8s",
							    "kubernetes", "helm",	   "image"};
			return bad_value(cmd, cli, "--type needs dockerfile|k8s|helm|image, not",
					 arg, kinds, COUNT(kinds), "");
		}
		return 0;
	case OPT_CONTEXT:
		o->context_dir = arg;
		return 0;
	case OPT_ARCH:
		o->arch = arg;
		return 0;
	case OPT_ROOTFS:
		o->rootfs = arg;
		return 0;
	case OPT_IMAGE_CONFIG:
		o->image_config = arg;
		return 0;
	case OPT_TREE:
		o->tree = arg;
		return 0;
	case OPT_HELM:
		o->helm_bin = arg;
		return 0;
	case OPT_VALUES:
		push(cli->arena, &o->values, &o->nvalues, arg);
		return 0;
	case OPT_SET:
		push(cli->arena, &o->sets, &o->nsets, arg);
		return 0;
	case OPT_CREDS:
		if (!*arg || *arg == ':')
			return usage_error(cmd, "--creds needs USER:PASSWORD, not '%s'", arg);
		o->fetch.creds = arg;
		return 0;
	case OPT_CERT_DIR:
		o->fetch.cert_dir = arg;
		return 0;
	case OPT_TLS_VERIFY:
		if (!arg || strcmp(arg, "true") == 0)
			o->fetch.tls_verify = true;
		else if (strcmp(arg, "false") == 0)
			o->fetch.tls_verify = false;
		else
			return usage_error(cmd, "--tls-verify takes true or false, not '%s'", arg);
		return 0;
	case OPT_TIMEOUT: {
		errno = 0;
		long t = strtol(arg, &end, 10);
		if (errno || end == arg || (*end && strcmp(end, "s") != 0) || t < 1 || t > 3600)
			return usage_error(cmd, "--timeout needs seconds from 1 to 3600, not '%s'",
					   arg);
		o->fetch.timeout = (unsigned)t;
		return 0;
	}
	case OPT_RETRY_TIMES: {
		errno = 0;
		long t = strtol(arg, &end, 10);
		if (errno || end == arg || *end || t < 0 || t > 20)
			return usage_error(
			    cmd, "--retry-times needs a number from 0 to 20, not '%s'", arg);
		o->fetch.retries = (unsigned)t;
		return 0;
	}
	case OPT_NO_CACHE:
		o->fetch.cache_dir = NULL;
		return 0;
	case OPT_PULL:
		o->fetch.pull = true;
		return 0;
	case OPT_OS:
		o->fetch.os = arg;
		return 0;
	case OPT_VARIANT:
		o->fetch.variant = arg;
		return 0;
	case OPT_CONFIG:
	case OPT_NO_CONFIG:
		return 0;
	}
	return 2;
}

/*
 * An option getopt could not take: unknown (with the nearest one), ambiguous
 * (a prefix of several), or missing its value (c is ':'). `word` is the
 * argument it stopped at.
 */
static int option_error(const char *cmd, struct cli *cli, int c, const char *word)
{
	size_t len = strcspn(word, "=");
	const char *name = arena_strndup(cli->arena, word, len);
	if (!name)
		name = word;
	if (c == ':') {
		if (strncmp(word, "--", 2) != 0 && optopt)
			name = arena_printf(cli->arena, "-%c", optopt);
		return usage_error(cmd, "option '%s' needs a value", name ? name : word);
	}
	if (strncmp(word, "--", 2) != 0) {
		const char *s = arena_printf(cli->arena, "-%c", optopt ? optopt : '?');
		return usage_error(cmd, "unknown option '%s'", s ? s : word);
	}
	const char *known[COUNT(long_opts)];
	size_t n = 0, prefixed = 0;
	for (const struct option *o = long_opts; o->name; o++) {
		known[n] = arena_printf(cli->arena, "--%s", o->name);
		if (!known[n])
			continue;
		prefixed += strncmp(known[n], name, strlen(name)) == 0;
		n++;
	}
	if (prefixed > 1)
		return usage_error(
		    cmd, "option '%s' is short for more than one option; write it whole", name);
	const char *text = arena_printf(cli->arena, "unknown option '%s'%s", name,
					did_you_mean(cli, name, known, n));
	return usage_error(cmd, "%s", text ? text : "unknown option");
}

int cli_parse(const char *cmd, int argc, char **argv, struct cli *cli)
{
	memset(cli, 0, sizeof(*cli));
	lint_options_init(&cli->opts);
#ifdef UNROOT_FETCH_PATH
	cli->opts.fetch.helper = UNROOT_FETCH_PATH;
#endif
	cli->format = NULL;
	cli->color = -1;
	cli->arena = arena_new((size_t)64 << 20);
	if (!cli->arena)
		return usage_error(cmd, "%s", "out of memory");
	/* The layer cache: $XDG_CACHE_HOME/unroot, else ~/.cache/unroot. */
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	if (xdg && *xdg == '/')
		cli->opts.fetch.cache_dir = arena_concat(cli->arena, xdg, "/unroot", "");
	else if (home && *home == '/')
		cli->opts.fetch.cache_dir = arena_concat(cli->arena, home, "/.cache/unroot", "");

	/* Pass 1: where the config comes from, and --help. */
	int c;
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+f:j:qh", long_opts, NULL)) != -1) {
		if (c == 'h') {
			print_help(cmd);
			return -1;
		}
		if (c == OPT_CONFIG)
			cli->config = optarg;
		else if (c == OPT_NO_CONFIG)
			cli->no_config = true;
	}

	struct config_extra extra = {0};
	const char *cfg = cli->no_config ? NULL : cli->config;
	if (!cli->no_config && !cfg)
		cfg = config_find(cli->arena, ".");
	if (cfg) {
		struct config_error err;
		if (config_load(cli->arena, cfg, &cli->opts, &extra, &err) != 0) {
			if (err.line)
				fprintf(stderr, "%s:%u:%u: error: %s\n", err.path, err.line,
					err.col, err.message);
			else
				fprintf(stderr, "%s: error: %s\n", err.path, err.message);
			return 2;
		}
		if (extra.format && !formatter_find(extra.format))
			return usage_error(cmd,
					   "unknown format '%s' in the config (unroot lint "
					   "--help lists them)",
					   extra.format);
		cli->format = extra.format;
		if (extra.color && apply(cmd, cli, OPT_COLOR, extra.color))
			return 2;
	}

	/* Pass 2: the command line wins over the config. getopt says nothing itself:
	 * its messages name the program's path, and cannot suggest the option meant. */
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":f:j:qh", long_opts, NULL)) != -1) {
		if (c == '?' || c == ':')
			return option_error(cmd, cli, c, argv[optind - 1]);
		if (apply(cmd, cli, c, optarg))
			return 2;
	}
	for (int i = optind; i < argc; i++)
		push(cli->arena, &cli->paths, &cli->npaths, argv[i]);
	if (!cli->format)
		cli->format = "text";
	return 0;
}

void cli_release(struct cli *cli)
{
	arena_free(cli->arena);
	cli->arena = NULL;
}

bool cli_use_color(const struct cli *cli, FILE *stream)
{
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		return false;
	if (cli->color >= 0)
		return cli->color == 1;
	return isatty(fileno(stream));
}
