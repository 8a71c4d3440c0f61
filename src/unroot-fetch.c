/*
 * unroot-fetch - the registry and Docker daemon client that unroot starts
 * when an image is named by reference (lib/image/fetch.h has why it is a
 * program of its own, and the protocol). It reads requests from the socket
 * on its stdin, runs the transfers with libcurl (lib/net), and writes each
 * body into the pipe that came with its request. It stops when the socket
 * closes. It prints nothing.
 */
#include "../lib/image/fetch.h"
#include "../lib/net/net.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CTL 0

/* One packet and the descriptor that came with it (-1 if none); 0 at the end, -1 when none yet. */
static ssize_t take(char *buf, size_t size, int *fd, int flags)
{
	union {
		char b[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {buf, size - 1};
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)};
	*fd = -1;
	ssize_t got;
	do
		got = recvmsg(CTL, &m, flags | MSG_CMSG_CLOEXEC);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? -1 : 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int fds[4];
		memcpy(fds, CMSG_DATA(c), n * sizeof(int));
		for (size_t i = 0; i < n; i++) {
			if (*fd < 0)
				*fd = fds[i];
			else
				close(fds[i]);
		}
	}
	buf[got] = 0;
	return got;
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static unsigned num(json_t *o, const char *k, unsigned dflt)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) && json_integer_value(v) >= 0 ? (unsigned)json_integer_value(v)
								: dflt;
}

static void reply(uint64_t id, bool ok, const char *err)
{
	json_t *r = json_object();
	json_object_set_new(r, "id", json_integer((json_int_t)id));
	json_object_set_new(r, "ok", json_boolean(ok));
	if (err)
		json_object_set_new(r, "error", json_string(err));
	char *text = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	if (text)
		send(CTL, text, strlen(text), MSG_NOSIGNAL);
	free(text);
}

static void send_result(struct net_result *res)
{
	json_t *r = json_object();
	json_object_set_new(r, "id", json_integer((json_int_t)res->id));
	json_object_set_new(r, "ok", json_boolean(res->ok));
	json_object_set_new(r, "bytes", json_integer((json_int_t)res->bytes));
	if (res->err)
		json_object_set_new(r, "error", json_stringn(res->err, strnlen(res->err, 8192)));
	if (res->media_type)
		json_object_set_new(r, "media_type",
				    json_stringn(res->media_type, strnlen(res->media_type, 1024)));
	if (res->digest)
		json_object_set_new(r, "digest",
				    json_stringn(res->digest, strnlen(res->digest, 1024)));
	char *text = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	if (text)
		send(CTL, text, strlen(text), MSG_NOSIGNAL);
	free(text);
	free(res->err);
	free(res->media_type);
	free(res->digest);
}

static void dispatch(struct net *n, const char *text, size_t len, int fd)
{
	json_error_t je;
	json_t *q = json_loadb(text, len, 0, &je);
	const char *op = str(q, "op");
	uint64_t id = (uint64_t)json_integer_value(json_object_get(q, "id"));
	json_t *maxv = json_object_get(q, "max");
	uint64_t max = json_is_integer(maxv) && json_integer_value(maxv) > 0
			   ? (uint64_t)json_integer_value(maxv)
			   : 0;
	bool buffer = json_is_true(json_object_get(q, "buffer"));
	if (!op || fd < 0) {
		if (fd >= 0)
			close(fd);
		reply(id, false, "a request without an operation or a pipe");
	} else if (strcmp(op, "manifest") == 0 && str(q, "registry") && str(q, "repo") &&
		   str(q, "ref")) {
		net_get_manifest(n, str(q, "registry"), str(q, "repo"), str(q, "ref"),
				 max ? (size_t)max : ((size_t)4 << 20), fd, id);
	} else if (strcmp(op, "blob") == 0 && str(q, "registry") && str(q, "repo") &&
		   str(q, "ref")) {
		net_get_blob(n, str(q, "registry"), str(q, "repo"), str(q, "ref"), max, buffer, fd,
			     id);
	} else if (strcmp(op, "daemon") == 0 && str(q, "path")) {
		net_daemon_get(n, str(q, "host"), str(q, "path"), max, buffer, fd, id);
	} else {
		close(fd);
		reply(id, false, "an unknown request");
	}
	json_decref(q);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	char *buf = malloc(FETCH_MAX_PACKET + 1);
	int fd;
	ssize_t got = buf ? take(buf, FETCH_MAX_PACKET + 1, &fd, 0) : 0;
	if (got <= 0)
		return 1;
	if (fd >= 0)
		close(fd);
	json_error_t je;
	json_t *h = json_loadb(buf, (size_t)got, 0, &je);
	if (!h || !str(h, "op") || strcmp(str(h, "op"), "hello") != 0)
		return 1;
	struct net_opts o = {
	    .tls_verify = !json_is_false(json_object_get(h, "tls_verify")),
	    .cert_dir = str(h, "cert_dir"),
	    .creds = str(h, "creds"),
	    .timeout = num(h, "timeout", 30),
	    .retries = num(h, "retries", 4),
	    .retry_time = num(h, "retry_time", 60),
	    .max_streams = num(h, "max_streams", 4),
	    .user_agent = str(h, "user_agent"),
	};
	struct net *n = net_new(&o);
	if (!n)
		return 1;
	for (;;) {
		bool woken = false;
		net_poll(n, CTL, 1000, &woken);
		for (;;) {
			got = take(buf, FETCH_MAX_PACKET + 1, &fd, MSG_DONTWAIT);
			if (got == 0)
				goto out; /* unroot closed the socket: stop */
			if (got < 0)
				break;
			dispatch(n, buf, (size_t)got, fd);
		}
		struct net_result r;
		while (net_next_done(n, &r))
			send_result(&r);
	}
out:
	net_free(n);
	json_decref(h);
	free(buf);
	curl_global_cleanup();
	return 0;
}
