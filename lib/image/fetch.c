/* fetch.c - starting unroot-fetch and speaking its protocol (fetch.h). */
#include "fetch.h"
#include "unroot/lint.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct stash {
	uint64_t id;
	struct fetch_result r;
	struct stash *next;
};

struct fetcher {
	pid_t pid;
	int sock;
	pthread_mutex_t send_lock, recv_lock;
	uint64_t next_id;
	struct stash *stash; /* results read by a thread that waited for another */
	bool dead;
};

void fetch_result_release(struct fetch_result *r)
{
	free(r->error);
	free(r->media_type);
	free(r->digest);
	memset(r, 0, sizeof(*r));
}

static char *dupf(const char *fmt, const char *arg)
{
	char *s;
	return asprintf(&s, fmt, arg) < 0 ? NULL : s;
}

static int send_packet(struct fetcher *f, const char *text, int fd)
{
	struct iovec iov = {(void *)text, strlen(text)};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	ssize_t w;
	do
		w = sendmsg(f->sock, &m, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	return w == (ssize_t)iov.iov_len ? 0 : -1;
}

/* The hello packet: the options that shape every transfer. */
static char *hello(const struct lint_options *o)
{
	json_t *h = json_object();
	json_object_set_new(h, "op", json_string("hello"));
	json_object_set_new(h, "tls_verify", json_boolean(o->fetch.tls_verify));
	if (o->fetch.cert_dir)
		json_object_set_new(h, "cert_dir", json_string(o->fetch.cert_dir));
	if (o->fetch.creds)
		json_object_set_new(h, "creds", json_string(o->fetch.creds));
	json_object_set_new(h, "timeout", json_integer(o->fetch.timeout ? o->fetch.timeout : 30));
	json_object_set_new(h, "retries", json_integer(o->fetch.retries));
	json_object_set_new(h, "retry_time",
			    json_integer(o->fetch.retry_time ? o->fetch.retry_time : 60));
	json_object_set_new(h, "max_streams", json_integer(4));
	json_object_set_new(h, "user_agent", json_string("unroot"));
	char *text = json_dumps(h, JSON_COMPACT);
	json_decref(h);
	return text;
}

/*
 * Where unroot-fetch is: $UNROOT_FETCH, else beside the running program (a
 * build folder, or a prefix that keeps both in one place), else where it
 * was installed (opts). Looked up only when a reference is read.
 */
static const char *helper_path(const struct lint_options *o, char *buf, size_t size)
{
	const char *env = getenv("UNROOT_FETCH");
	if (env && *env)
		return env;
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	if (n > 0) {
		buf[n] = 0;
		char *slash = strrchr(buf, '/');
		if (slash && (size_t)(slash - buf) + sizeof("/unroot-fetch") <= size) {
			strcpy(slash, "/unroot-fetch");
			if (access(buf, X_OK) == 0)
				return buf;
		}
	}
	return o->fetch.helper;
}

struct fetcher *fetcher_start(const struct lint_options *o, char **why)
{
	char pathbuf[4096];
	const char *prog = helper_path(o, pathbuf, sizeof(pathbuf));
	*why = NULL;
	if (!prog || access(prog, X_OK) != 0) {
		*why = strdup("this unroot has no unroot-fetch, the registry client that reads "
			      "images by reference (it needs libcurl at build time); export the "
			      "image with skopeo copy and name the file");
		return NULL;
	}
	struct fetcher *f = calloc(1, sizeof(*f));
	int sv[2];
	if (!f || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		free(f);
		*why = strdup("cannot make a socket for unroot-fetch");
		return NULL;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	/* The helper must not die with unroot's terminal signals before it is told to stop. */
	char *argv[] = {(char *)prog, NULL};
	int rc = posix_spawn(&f->pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	if (rc != 0) {
		close(sv[0]);
		free(f);
		*why = dupf("cannot run the registry client '%s'", prog);
		return NULL;
	}
	f->sock = sv[0];
	pthread_mutex_init(&f->send_lock, NULL);
	pthread_mutex_init(&f->recv_lock, NULL);
	char *h = hello(o);
	if (!h || send_packet(f, h, -1) != 0) {
		free(h);
		fetcher_stop(f);
		*why = dupf("the registry client '%s' did not start", prog);
		return NULL;
	}
	free(h);
	return f;
}

void fetcher_stop(struct fetcher *f)
{
	if (!f)
		return;
	/* Every answer is in: the helper has nothing left to do, and its own clean-up
	 * (curl's, OpenSSL's) would only keep unroot waiting. */
	close(f->sock);
	kill(f->pid, SIGKILL);
	int st;
	while (waitpid(f->pid, &st, 0) < 0 && errno == EINTR)
		;
	while (f->stash) {
		struct stash *s = f->stash;
		f->stash = s->next;
		fetch_result_release(&s->r);
		free(s);
	}
	pthread_mutex_destroy(&f->send_lock);
	pthread_mutex_destroy(&f->recv_lock);
	free(f);
}

int fetcher_request(struct fetcher *f, const char *fields, uint64_t *id, char **why)
{
	int p[2];
	*why = NULL;
	if (pipe2(p, O_CLOEXEC) != 0) {
		*why = strdup("cannot make a pipe (too many open files?)");
		return -1;
	}
	pthread_mutex_lock(&f->send_lock);
	*id = ++f->next_id;
	char *text = NULL;
	size_t n = strlen(fields);
	/* fields is an object's text: "{...}"; the id goes in front. */
	if (n >= 2 && fields[0] == '{' &&
	    asprintf(&text, "{\"id\":%llu,%s", (unsigned long long)*id, fields + 1) < 0)
		text = NULL;
	int rc = text && strlen(text) < FETCH_MAX_PACKET ? send_packet(f, text, p[1]) : -1;
	pthread_mutex_unlock(&f->send_lock);
	free(text);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		*why = strdup("the registry client stopped");
		return -1;
	}
	return p[0];
}

static int parse_result(const char *buf, size_t len, uint64_t *id, struct fetch_result *r)
{
	json_error_t je;
	json_t *j = json_loadb(buf, len, 0, &je);
	if (!json_is_object(j)) {
		json_decref(j);
		return -1;
	}
	memset(r, 0, sizeof(*r));
	*id = (uint64_t)json_integer_value(json_object_get(j, "id"));
	r->ok = json_is_true(json_object_get(j, "ok"));
	r->bytes = (uint64_t)json_integer_value(json_object_get(j, "bytes"));
	const char *s;
	if ((s = json_string_value(json_object_get(j, "error"))))
		r->error = strdup(s);
	if ((s = json_string_value(json_object_get(j, "media_type"))))
		r->media_type = strdup(s);
	if ((s = json_string_value(json_object_get(j, "digest"))))
		r->digest = strdup(s);
	if (!r->ok && !r->error)
		r->error = strdup("the transfer failed");
	json_decref(j);
	return 0;
}

int fetcher_result(struct fetcher *f, uint64_t id, struct fetch_result *out)
{
	pthread_mutex_lock(&f->recv_lock);
	int rc = -1;
	char *buf = malloc(FETCH_MAX_PACKET);
	for (;;) {
		for (struct stash **p = &f->stash; *p; p = &(*p)->next) {
			if ((*p)->id != id)
				continue;
			struct stash *s = *p;
			*p = s->next;
			*out = s->r;
			free(s);
			rc = 0;
			goto out;
		}
		if (f->dead || !buf)
			break;
		ssize_t got;
		do
			got = recv(f->sock, buf, FETCH_MAX_PACKET, 0);
		while (got < 0 && errno == EINTR);
		if (got <= 0) {
			f->dead = true;
			break;
		}
		struct stash *s = calloc(1, sizeof(*s));
		if (!s || parse_result(buf, (size_t)got, &s->id, &s->r) != 0) {
			free(s);
			continue;
		}
		s->next = f->stash;
		f->stash = s;
	}
	memset(out, 0, sizeof(*out));
	out->error = strdup("the registry client stopped before it answered");
out:
	free(buf);
	pthread_mutex_unlock(&f->recv_lock);
	return rc;
}

char *fetch_read_bounded(int fd, size_t max, size_t *len, bool *big)
{
	size_t cap = 65536 < max ? 65536 : max, n = 0;
	char *buf = malloc(cap + 1);
	*big = false;
	while (buf) {
		if (n == cap) {
			if (cap >= max) {
				char c;
				*big = read(fd, &c, 1) > 0;
				break;
			}
			cap = cap * 2 > max ? max : cap * 2;
			char *grown = realloc(buf, cap + 1);
			if (!grown) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
		}
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	*len = n;
	return buf;
}

int fetcher_get(struct fetcher *f, const char *fields, size_t max, char **data, size_t *len,
		struct fetch_result *out)
{
	uint64_t id;
	char *why = NULL;
	memset(out, 0, sizeof(*out));
	*data = NULL;
	*len = 0;
	int fd = fetcher_request(f, fields, &id, &why);
	if (fd < 0) {
		out->error = why;
		return -1;
	}
	size_t n;
	bool big;
	char *buf = fetch_read_bounded(fd, max, &n, &big);
	close(fd); /* a body past the limit: the helper sees the pipe close */
	if (fetcher_result(f, id, out) != 0 || !out->ok || !buf || big) {
		if (big || !buf || out->ok || !out->error) {
			free(out->error);
			if (!big || asprintf(&out->error,
					     "it is larger than the limit of %zu bytes", max) < 0)
				out->error = strdup("out of memory");
			out->ok = false;
		}
		free(buf);
		return -1;
	}
	buf[n] = 0;
	*data = buf;
	*len = n;
	return 0;
}
