/*
 * creds.c - registry credentials where Podman and Docker keep them: the
 * auth files' "auths" entries, credHelpers and credsStore (asked through
 * the docker-credential-NAME protocol), or --creds.
 */
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILE   ((size_t)4 << 20)
#define MAX_HELPER 65536 /* bytes a credential helper may answer */
#define HELPER_MS  20000

extern char **environ;

void creds_release(struct creds *c)
{
	if (c->secret)
		explicit_bzero(c->secret, strlen(c->secret));
	free(c->user);
	free(c->secret);
	free(c->source);
	memset(c, 0, sizeof(*c));
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Standard base64, padding optional; NULL when malformed. */
static char *b64decode(const char *s, size_t *outlen)
{
	size_t n = strlen(s);
	char *o = malloc(n / 4 * 3 + 4);
	size_t w = 0;
	unsigned acc = 0;
	int bits = 0;
	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=')
			break;
		int v = b64val((unsigned char)s[i]);
		if (v < 0) {
			free(o);
			return NULL;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[w++] = (char)((acc >> bits) & 0xff);
		}
	}
	o[w] = 0;
	*outlen = w;
	return o;
}

/* "https://index.docker.io/v1/" -> "docker.io"; "host/ns/repo" stays a namespaced key. */
static char *normalise_key(const char *key)
{
	const char *s = key;
	bool scheme = false;
	if (strncmp(s, "https://", 8) == 0) {
		s += 8;
		scheme = true;
	} else if (strncmp(s, "http://", 7) == 0) {
		s += 7;
		scheme = true;
	}
	size_t n = scheme ? strcspn(s, "/") : strlen(s);
	while (n && s[n - 1] == '/')
		n--;
	size_t host = strcspn(s, "/");
	if (host > n)
		host = n;
	const char *rest = s + host;
	size_t rlen = n - host;
	const char *h = s;
	size_t hlen = host;
	if ((hlen == 15 && strncmp(h, "index.docker.io", 15) == 0) ||
	    (hlen == 20 && strncmp(h, "registry-1.docker.io", 20) == 0)) {
		h = "docker.io";
		hlen = 9;
	}
	char *o = malloc(hlen + rlen + 1);
	if (!o)
		return NULL;
	memcpy(o, h, hlen);
	memcpy(o + hlen, rest, rlen);
	o[hlen + rlen] = 0;
	return o;
}

static int from_entry(json_t *e, const char *key, struct creds *out, char **why)
{
	const char *auth = json_string_value(json_object_get(e, "auth"));
	const char *user = json_string_value(json_object_get(e, "username"));
	const char *pass = json_string_value(json_object_get(e, "password"));
	if (auth && *auth) {
		size_t n;
		char *plain = b64decode(auth, &n);
		char *colon = plain ? memchr(plain, ':', n) : NULL;
		if (!colon || strlen(plain) != n) {
			free(plain);
			if (asprintf(why, "the \"auth\" of '%s' is not base64 of USER:PASSWORD",
				     key) < 0)
				*why = NULL;
			return -1;
		}
		*colon = 0;
		out->user = strdup(plain);
		out->secret = strdup(colon + 1);
		explicit_bzero(plain, n);
		free(plain);
	} else if (user && pass) {
		out->user = strdup(user);
		out->secret = strdup(pass);
	} else {
		return 0; /* an identity token or an empty entry: nothing we can use */
	}
	return out->user && out->secret ? 1 : -1;
}

/* The keys to try for a repository, most specific first: host/a/b, host/a, host. */
static size_t candidate_keys(const char *registry, const char *repository, char **keys, size_t max)
{
	size_t n = 0;
	char *full = NULL;
	if (repository && asprintf(&full, "%s/%s", registry, repository) < 0)
		full = NULL;
	if (full) {
		for (;;) {
			if (n + 1 < max)
				keys[n++] = strdup(full);
			char *slash = strrchr(full, '/');
			if (!slash || (size_t)(slash - full) < strlen(registry))
				break;
			*slash = 0;
			if (strcmp(full, registry) == 0)
				break;
		}
		free(full);
	}
	keys[n++] = strdup(registry);
	return n;
}

int creds_from_config(const char *text, size_t len, const char *registry, const char *repository,
		      struct creds *out, char **helper, char **why)
{
	json_error_t je;
	json_t *j = json_loadb(text, len, 0, &je);
	*helper = NULL;
	if (!json_is_object(j)) {
		json_decref(j);
		if (asprintf(why, "not a JSON object (line %d: %s)", je.line, je.text) < 0)
			*why = NULL;
		return -1;
	}
	int rc = 0;
	json_t *helpers = json_object_get(j, "credHelpers");
	const char *k;
	json_t *v;
	json_object_foreach(helpers, k, v)
	{
		char *nk = normalise_key(k);
		if (nk && strcmp(nk, registry) == 0 && json_string_value(v))
			*helper = strdup(json_string_value(v));
		free(nk);
		if (*helper)
			goto out;
	}
	json_t *auths = json_object_get(j, "auths");
	char *keys[16];
	size_t nkeys = candidate_keys(registry, repository, keys, 16);
	for (size_t i = 0; i < nkeys && rc == 0; i++) {
		json_object_foreach(auths, k, v)
		{
			char *nk = normalise_key(k);
			bool same = nk && keys[i] && strcmp(nk, keys[i]) == 0;
			free(nk);
			if (!same || !json_is_object(v))
				continue;
			rc = from_entry(v, k, out, why);
			if (rc != 0)
				break;
		}
	}
	for (size_t i = 0; i < nkeys; i++)
		free(keys[i]);
	if (rc == 0 && json_string_value(json_object_get(j, "credsStore")) &&
	    *json_string_value(json_object_get(j, "credsStore")))
		*helper = strdup(json_string_value(json_object_get(j, "credsStore")));
out:
	json_decref(j);
	return rc;
}

static char *read_small(const char *path, size_t *len, int *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	*err = 0;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > MAX_FILE) {
		*err = fd < 0 ? errno : EINVAL;
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (buf && got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (!buf)
		return NULL;
	buf[got] = 0;
	*len = got;
	return buf;
}

/* Runs `docker-credential-NAME get` with the server on stdin; 1, 0 (none) or -1. */
static int ask_helper(const char *name, const char *registry, struct creds *out, char **why)
{
	char prog[256];
	if (snprintf(prog, sizeof(prog), "docker-credential-%s", name) >= (int)sizeof(prog) ||
	    strchr(name, '/')) {
		if (asprintf(why, "the credential helper name '%.100s' is not valid", name) < 0)
			*why = NULL;
		return -1;
	}
	int in[2], outp[2];
	if (pipe2(in, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(outp, O_CLOEXEC) != 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	char *argv[] = {prog, "get", NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(outp[1]);
	if (rc != 0) {
		close(in[1]);
		close(outp[0]);
		if (asprintf(why, "the credential helper %s named in the config cannot be run: %s",
			     prog, strerror(rc)) < 0)
			*why = NULL;
		return -1;
	}
	/* Docker Hub's entry is kept under its old URL by the helpers. */
	const char *server =
	    strcmp(registry, "docker.io") == 0 ? "https://index.docker.io/v1/" : registry;
	signal(SIGPIPE, SIG_IGN);
	if (write(in[1], server, strlen(server)) < 0) {
		/* the helper reads nothing: its answer says why */
	}
	close(in[1]);
	char *buf = malloc(MAX_HELPER + 1);
	size_t got = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (buf && got < MAX_HELPER) {
		struct pollfd p = {outp[0], POLLIN, 0};
		clock_gettime(CLOCK_MONOTONIC, &t1);
		long left = HELPER_MS - (long)((t1.tv_sec - t0.tv_sec) * 1000 +
					       (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		ssize_t r = read(outp[0], buf + got, MAX_HELPER - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(outp[0]);
	int status = 0;
	if (waitpid(pid, &status, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	if (!buf)
		return -1;
	buf[got] = 0;
	int result = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		json_error_t je;
		json_t *j = json_loadb(buf, got, 0, &je);
		const char *u = json_string_value(json_object_get(j, "Username"));
		const char *s = json_string_value(json_object_get(j, "Secret"));
		if (u && s && strcmp(u, "<token>") != 0) {
			out->user = strdup(u);
			out->secret = strdup(s);
			result = out->user && out->secret ? 1 : -1;
		} else if (!j) {
			result = -1;
			if (asprintf(why, "%s answered something that is not JSON", prog) < 0)
				*why = NULL;
		}
		json_decref(j);
	} else if (!strstr(buf, "not found")) {
		/* "credentials not found in native keychain" is no error: there are none. */
		buf[strcspn(buf, "\n")] = 0;
		result = -1;
		if (asprintf(why, "%s failed: %.200s", prog, *buf ? buf : "no message") < 0)
			*why = NULL;
	}
	explicit_bzero(buf, got);
	free(buf);
	return result;
}

static char *path_join(const char *dir, const char *rest)
{
	char *p;
	return dir && *dir && asprintf(&p, "%s/%s", dir, rest) >= 0 ? p : NULL;
}

int creds_lookup(const char *registry, const char *repository, const char *explicit,
		 struct creds *out, char **why)
{
	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (explicit) {
		const char *colon = strchr(explicit, ':');
		out->user =
		    colon ? strndup(explicit, (size_t)(colon - explicit)) : strdup(explicit);
		out->secret = strdup(colon ? colon + 1 : "");
		out->source = strdup("--creds");
		return out->user && out->secret ? 1 : -1;
	}
	const char *home = getenv("HOME");
	const char *xdg_config = getenv("XDG_CONFIG_HOME");
	const char *docker_config = getenv("DOCKER_CONFIG");
	char *paths[5] = {0};
	size_t n = 0;
	const char *raf = getenv("REGISTRY_AUTH_FILE");
	if (raf && *raf)
		paths[n++] = strdup(raf);
	paths[n++] = path_join(getenv("XDG_RUNTIME_DIR"), "containers/auth.json");
	paths[n++] = xdg_config && *xdg_config ? path_join(xdg_config, "containers/auth.json")
					       : path_join(home, ".config/containers/auth.json");
	paths[n++] = docker_config && *docker_config ? path_join(docker_config, "config.json")
						     : path_join(home, ".docker/config.json");
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (!paths[i])
			continue;
		size_t len;
		int err;
		char *text = read_small(paths[i], &len, &err);
		if (!text) {
			if (err == ENOENT || err == ENOTDIR)
				continue;
			rc = -1;
			if (asprintf(why, "cannot read the credentials file '%s': %s", paths[i],
				     strerror(err)) < 0)
				*why = NULL;
			break;
		}
		char *helper = NULL, *fwhy = NULL;
		rc = creds_from_config(text, len, registry, repository, out, &helper, &fwhy);
		explicit_bzero(text, len);
		free(text);
		if (rc < 0) {
			if (asprintf(why, "the credentials file '%s' is broken: %s", paths[i],
				     fwhy ? fwhy : "?") < 0)
				*why = NULL;
			free(fwhy);
			break;
		}
		if (rc == 0 && helper) {
			rc = ask_helper(helper, registry, out, why);
			if (rc > 0 && asprintf(&out->source, "docker-credential-%s (from %s)",
					       helper, paths[i]) < 0)
				out->source = NULL;
		} else if (rc > 0) {
			out->source = strdup(paths[i]);
		}
		free(helper);
	}
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	if (rc <= 0) {
		free(out->user);
		free(out->secret);
		out->user = out->secret = NULL;
	}
	return rc;
}
