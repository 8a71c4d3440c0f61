/*
 * ref.c - image references: transports as skopeo names them, and registry
 * references normalised as the distribution project's reference grammar
 * and Docker's Docker Hub rules have them.
 */
#include "ref.h"
#include "unroot/arena.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define NAME_MAX_LEN 255 /* the grammar's limit on domain + repository */
#define TAG_MAX_LEN  128

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/*
 * One path component: alpha-numeric runs joined by one separator, where a
 * separator is ".", "_", "__" or one or more "-".
 */
static bool path_component(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || !lower_alnum(s[0]))
		return false;
	while (i < n) {
		while (i < n && lower_alnum(s[i]))
			i++;
		if (i == n)
			return true;
		size_t sep = i;
		if (s[i] == '.')
			i++;
		else if (s[i] == '_')
			i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
		else if (s[i] == '-')
			while (i < n && s[i] == '-')
				i++;
		else
			return false;
		if (i == sep || i == n || !lower_alnum(s[i]))
			return false;
	}
	return true;
}

/* A domain: host components of letters, digits and inner "-", joined by "."; or [IPv6]; then :port.
 */
static bool domain_ok(const char *s, size_t n)
{
	size_t i = 0;
	if (n && s[0] == '[') {
		while (i < n && s[i] != ']')
			i++;
		if (i == n || i < 3)
			return false;
		for (size_t k = 1; k < i; k++)
			if (!isxdigit((unsigned char)s[k]) && s[k] != ':')
				return false;
		i++;
	} else {
		for (;;) {
			size_t start = i;
			while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '-'))
				i++;
			if (i == start || s[start] == '-' || s[i - 1] == '-')
				return false;
			if (i < n && s[i] == '.') {
				i++;
				continue;
			}
			break;
		}
	}
	if (i < n && s[i] == ':') {
		size_t start = ++i;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
		if (i == start || i - start > 5)
			return false;
	}
	return i == n;
}

static bool tag_ok(const char *s, size_t n)
{
	if (n == 0 || n > TAG_MAX_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool word = isalnum((unsigned char)c) || c == '_';
		if (!word && (i == 0 || (c != '.' && c != '-')))
			return false;
	}
	return true;
}

static bool digest_ok(const char *s)
{
	size_t want = 0;
	if (strncmp(s, "sha256:", 7) == 0)
		want = 64;
	else if (strncmp(s, "sha512:", 7) == 0)
		want = 128;
	else
		return false;
	size_t i = 7;
	for (; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i - 7 == want;
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int image_name_parse(struct arena *a, const char *s, struct image_name *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	const char *at = strchr(s, '@');
	size_t len = at ? (size_t)(at - s) : strlen(s);
	if (at && !digest_ok(at + 1)) {
		*why = "the digest after '@' is not sha256:<64 hex digits>";
		return -1;
	}
	/* The tag is after the last ':' that comes after the last '/'. */
	const char *slash = memrchr(s, '/', len);
	const char *colon =
	    memrchr(slash ? slash : s, ':', len - (size_t)((slash ? slash : s) - s));
	size_t name_len = colon ? (size_t)(colon - s) : len;
	if (colon && !tag_ok(colon + 1, len - name_len - 1)) {
		*why = "the tag must be letters, digits, '_', '.' and '-' (at most 128, not "
		       "starting with '.' or '-')";
		return -1;
	}
	if (name_len == 0) {
		*why = "the name is empty";
		return -1;
	}
	/* Docker's rule: the first component is a registry when it has a '.' or a ':', is
	 * "localhost", or has capitals; otherwise the name is on Docker Hub. */
	const char *first = memchr(s, '/', name_len);
	const char *domain = "docker.io";
	size_t dlen = 9;
	const char *rest = s;
	if (first) {
		size_t n = (size_t)(first - s);
		bool upper = false;
		for (size_t i = 0; i < n; i++)
			upper |= isupper((unsigned char)s[i]) != 0;
		if (memchr(s, '.', n) || memchr(s, ':', n) ||
		    (n == 9 && !memcmp(s, "localhost", 9)) || upper) {
			domain = s;
			dlen = n;
			rest = first + 1;
			if (!domain_ok(domain, dlen)) {
				*why =
				    "the registry name is not a host name with an optional :port";
				return -1;
			}
		}
	}
	size_t rlen = name_len - (size_t)(rest - s);
	if (rlen == 0) {
		*why = "the repository name is empty";
		return -1;
	}
	for (const char *p = rest; p < rest + rlen;) {
		const char *e = memchr(p, '/', (size_t)(rest + rlen - p));
		size_t n = e ? (size_t)(e - p) : (size_t)(rest + rlen - p);
		if (!path_component(p, n)) {
			for (size_t i = 0; i < n; i++)
				if (isupper((unsigned char)p[i])) {
					*why = "the repository name must be lowercase";
					return -1;
				}
			*why = "a repository name is lowercase letters and digits, joined by '.', "
			       "'_', '__' or '-', with '/' between parts";
			return -1;
		}
		p += n + 1;
	}
	if (!first && rlen == 64 && all_hex(rest, rlen)) {
		*why = "a 64-digit hexadecimal name is an image ID, not a repository";
		return -1;
	}
	if (dlen == 15 && strncmp(domain, "index.docker.io", 15) == 0) {
		domain = "docker.io";
		dlen = 9;
	}
	bool hub = dlen == 9 && strncmp(domain, "docker.io", 9) == 0;
	bool library = hub && !memchr(rest, '/', rlen);
	out->domain = arena_strndup(a, domain, dlen);
	out->repository = arena_printf(a, "%s%.*s", library ? "library/" : "", (int)rlen, rest);
	if (colon)
		out->tag = arena_strndup(a, colon + 1, len - name_len - 1);
	else if (!at)
		out->tag = "latest";
	if (at)
		out->digest = arena_strdup(a, at + 1);
	if (!out->domain || !out->repository || (colon && !out->tag) || (at && !out->digest)) {
		*why = "out of memory";
		return -1;
	}
	if (strlen(out->domain) + 1 + strlen(out->repository) > NAME_MAX_LEN) {
		*why = "the name is longer than 255 characters";
		return -1;
	}
	out->canonical = arena_printf(a, "%s/%s%s%s%s%s", out->domain, out->repository,
				      out->tag ? ":" : "", out->tag ? out->tag : "",
				      out->digest ? "@" : "", out->digest ? out->digest : "");
	if (!out->canonical) {
		*why = "out of memory";
		return -1;
	}
	return 0;
}

const char *image_registry_host(const char *domain)
{
	return strcmp(domain, "docker.io") == 0 ? "registry-1.docker.io" : domain;
}

static const struct {
	const char *prefix;
	enum image_transport t;
} prefixes[] = {
    {"docker://", TRANSPORT_DOCKER},
    {"docker-daemon:", TRANSPORT_DAEMON},
    {"containers-storage:", TRANSPORT_STORAGE},
    {"oci:", TRANSPORT_OCI},
    {"oci-archive:", TRANSPORT_OCI_ARCHIVE},
    {"docker-archive:", TRANSPORT_DOCKER_ARCHIVE},
};

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);
	return n >= m && strncasecmp(s + n - m, suffix, m) == 0;
}

/*
 * A bare word that reads as a file name is a missing file, not a request to
 * go to Docker Hub: "deploy.yaml" parses as a reference but nobody means it.
 */
static bool looks_like_file(const char *s)
{
	static const char *const suffixes[] = {".yaml", ".yml", ".json", ".tar",
					       ".tgz",	".gz",	".zst",	 ".tar.gz"};
	if (s[0] == '.' || s[0] == '/' || s[0] == '~')
		return true;
	const char *base = strrchr(s, '/') ? strrchr(s, '/') + 1 : s;
	size_t n = strcspn(base, ":@");
	if (strncasecmp(base, "dockerfile", 10) == 0 ||
	    strncasecmp(base, "containerfile", 13) == 0 || ends_with(base, n, ".dockerfile") ||
	    ends_with(base, n, ".containerfile"))
		return true;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (ends_with(base, n, suffixes[i]))
			return true;
	return false;
}

static bool exists(const char *s)
{
	struct stat st;
	return stat(s, &st) == 0;
}

/* Splits "FILE[:TAG]" at the first ':' as skopeo does, unless the whole text is a path. */
static void split_file(struct arena *a, const char *s, struct image_ref *out)
{
	const char *colon = strchr(s, ':');
	if (!colon || exists(s)) {
		out->file = s;
		return;
	}
	out->file = arena_strndup(a, s, (size_t)(colon - s));
	out->file_tag = colon[1] ? colon + 1 : NULL;
}

int image_ref_parse(struct arena *a, const char *s, struct image_ref *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	out->text = s;
	if (exists(s)) {
		out->transport = TRANSPORT_PATH;
		out->file = s;
		return 0;
	}
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i].prefix);
		if (strncmp(s, prefixes[i].prefix, n) != 0)
			continue;
		const char *rest = s + n;
		out->transport = prefixes[i].t;
		switch (out->transport) {
		case TRANSPORT_DOCKER:
			return image_name_parse(a, rest, &out->name, why);
		case TRANSPORT_DAEMON:
		case TRANSPORT_STORAGE:
			if (!*rest) {
				*why = "no image named after the transport";
				return -1;
			}
			out->local = rest;
			/* An image ID ("sha256:<hex>" or hex) is not a name: keep it as written;
			 * so is a [driver@graphroot+runroot] store prefix, parsed by the store. */
			if (digest_ok(rest) || (strlen(rest) >= 3 && all_hex(rest, strlen(rest))) ||
			    (out->transport == TRANSPORT_STORAGE && rest[0] == '['))
				return 0;
			if (image_name_parse(a, rest, &out->name, why) != 0)
				return -1;
			return 0;
		case TRANSPORT_OCI:
		case TRANSPORT_OCI_ARCHIVE:
		case TRANSPORT_DOCKER_ARCHIVE:
			if (!*rest) {
				*why = "no file or folder named after the transport";
				return -1;
			}
			split_file(a, rest, out);
			if (!out->file) {
				*why = "out of memory";
				return -1;
			}
			return 0;
		case TRANSPORT_PATH:
			break;
		}
	}
	if (looks_like_file(s)) {
		*why = "no such file or folder";
		return -1;
	}
	out->transport = TRANSPORT_DOCKER;
	if (image_name_parse(a, s, &out->name, why) != 0)
		return -1;
	return 0;
}

bool image_ref_is_reference(const char *s)
{
	if (!s || !*s || strcmp(s, "-") == 0 || exists(s))
		return false;
	/* A transport prefix says what it is, even when the rest is wrong: the reader says why. */
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(s, prefixes[i].prefix, strlen(prefixes[i].prefix)) == 0)
			return true;
	struct arena *a = arena_new(64 << 10);
	if (!a)
		return false;
	struct image_ref r;
	const char *why;
	bool ok = image_ref_parse(a, s, &r, &why) == 0 && r.transport != TRANSPORT_PATH;
	arena_free(a);
	return ok;
}
