/*
 * serve-http.c - the HTTPS side of unroot serve, on libmicrohttpd.
 *
 * libmicrohttpd runs a pool of threads (one per usable CPU), each with its
 * own epoll set, and calls handle() for each request; TLS is GnuTLS's, with
 * the certificate from serve-tls.c. A review is judged on the thread that
 * read it, unless images it names are still being read: then the
 * connection is suspended (it costs no thread), the review is parked with
 * the image cache, and answered when its images are in or its deadline
 * passes.
 *
 * Bounds, each with a test in tests/serve/: a body larger than max_body is
 * answered 413 from its Content-Length before a byte of it is read (a
 * chunked one is cut off there); all bodies held at once stay under
 * body_budget (503 past it); a compressed body is refused (415), never
 * inflated; at most max_connections are open (more are closed as they are
 * accepted); a request must arrive whole within request_timeout and a
 * connection with no request open is closed after idle_timeout, however
 * slowly its bytes come (the reaper, run from the main thread).
 */
#include "serve-http.h"
#include "serve-tls.h"
#include "unroot/buf.h"
#include "util/threads.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <arpa/inet.h>

enum route {
	ROUTE_VALIDATE,
	ROUTE_MUTATE,
	ROUTE_HEALTHZ,
	ROUTE_READYZ,
	ROUTE_METRICS,
	ROUTE_NONE,
};

/* One connection: what the reaper looks at. */
struct conn {
	int fd;
	uint64_t since; /* opened, or the last request finished */
	uint64_t request_start;
	bool in_request;
	uint64_t tls_epoch;
	struct conn *prev, *next;
};

/* One request. */
struct request {
	struct server *s;
	struct MHD_Connection *con;
	struct conn *conn;
	enum route route;
	bool routed;
	uint64_t start;
	char *body;
	size_t len, cap, reserved;
	/* A review */
	struct review review;
	bool have_review;
	struct image_lookup *lookup;
	bool parked;
	/* The answer, when it was made off this connection's thread */
	unsigned status;
	char *answer;
	size_t answer_len;
};

static const char *const route_paths[] = {"/validate", "/mutate", "/healthz", "/readyz",
					  "/metrics"};

/* --- responses ---------------------------------------------------------------- */

static enum MHD_Result respond(struct server *s, struct MHD_Connection *con, unsigned code,
			       const char *type, char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    len, body ? body : (char *)"", body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (atomic_load(&s->draining))
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result rc = MHD_queue_response(con, code, r);
	MHD_destroy_response(r);
	if (code >= 400)
		metrics_http_error(s->m, code);
	return rc;
}

static enum MHD_Result respond_text(struct server *s, struct MHD_Connection *con, unsigned code,
				    const char *text)
{
	char *body = NULL;
	if (asprintf(&body, "%s\n", text) < 0)
		body = NULL;
	return respond(s, con, code, "text/plain; charset=utf-8", body, body ? strlen(body) : 0);
}

/* --- connections and the reaper ---------------------------------------------------- */

static void notify_connection(void *cls, struct MHD_Connection *con, void **socket_context,
			      enum MHD_ConnectionNotificationCode code)
{
	struct server *s = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		struct conn *c = calloc(1, sizeof(*c));
		if (!c)
			return;
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
		c->fd = ci ? ci->connect_fd : -1;
		/*
		 * Each answer goes out at once: with Nagle's algorithm, a small answer
		 * whose TLS records left in two writes waited for the client's delayed
		 * ACK (40 ms a /healthz here).
		 */
		if (c->fd >= 0)
			setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
		c->since = now_ns();
		c->tls_epoch = tls_conn_open();
		pthread_mutex_lock(&s->conns_lock);
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		pthread_mutex_unlock(&s->conns_lock);
		*socket_context = c;
		metrics_connections(s->m, 1);
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		struct conn *c = *socket_context;
		if (!c)
			return;
		/* Before the socket is closed: the reaper never touches a reused descriptor. */
		pthread_mutex_lock(&s->conns_lock);
		if (c->prev)
			c->prev->next = c->next;
		else
			s->conns = c->next;
		if (c->next)
			c->next->prev = c->prev;
		pthread_mutex_unlock(&s->conns_lock);
		tls_conn_close(c->tls_epoch);
		free(c);
		*socket_context = NULL;
		metrics_connections(s->m, -1);
	}
}

size_t server_reap(struct server *s)
{
	uint64_t now = now_ns();
	uint64_t req_max = (uint64_t)s->c->request_timeout_s * 1000000000u;
	uint64_t idle_max = (uint64_t)s->c->idle_timeout_s * 1000000000u;
	size_t n = 0;
	pthread_mutex_lock(&s->conns_lock);
	for (struct conn *c = s->conns; c; c = c->next) {
		bool over =
		    c->in_request ? now - c->request_start > req_max : now - c->since > idle_max;
		if (over && c->fd >= 0) {
			/* libmicrohttpd sees the connection end and closes it on its thread. */
			shutdown(c->fd, SHUT_RDWR);
			c->fd = -1;
			n++;
		}
	}
	pthread_mutex_unlock(&s->conns_lock);
	return n;
}

/* The request line is in: a request begins. Its state becomes *con_cls. */
static void *uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
	(void)uri;
	struct server *s = cls;
	struct request *rq = calloc(1, sizeof(*rq));
	if (!rq)
		return NULL;
	rq->s = s;
	rq->con = con;
	rq->start = now_ns();
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	rq->conn = ci ? ci->socket_context : NULL;
	if (rq->conn) {
		pthread_mutex_lock(&s->conns_lock);
		rq->conn->in_request = true;
		rq->conn->request_start = rq->start;
		pthread_mutex_unlock(&s->conns_lock);
	}
	atomic_fetch_add(&s->inflight, 1);
	return rq;
}

static void request_free(struct request *rq)
{
	if (rq->lookup)
		image_lookup_free(rq->lookup);
	if (rq->have_review)
		review_release(&rq->review);
	if (rq->reserved)
		atomic_fetch_sub(&rq->s->body_bytes, rq->reserved);
	free(rq->body);
	free(rq->answer);
	free(rq);
}

static void completed(void *cls, struct MHD_Connection *con, void **con_cls,
		      enum MHD_RequestTerminationCode code)
{
	(void)con;
	(void)code;
	struct server *s = cls;
	struct request *rq = *con_cls;
	if (!rq)
		return;
	if (rq->conn) {
		pthread_mutex_lock(&s->conns_lock);
		rq->conn->in_request = false;
		rq->conn->since = now_ns();
		pthread_mutex_unlock(&s->conns_lock);
	}
	request_free(rq);
	*con_cls = NULL;
	atomic_fetch_sub(&s->inflight, 1);
}

/* --- reviews ------------------------------------------------------------------------- */

static void log_review(struct server *s, const struct request *rq, const struct verdict *v,
		       uint64_t ns)
{
	enum log_reviews how = s->c->log_reviews;
	if (how == LOG_REVIEWS_NONE ||
	    (how == LOG_REVIEWS_DENIED && v->label != VERDICT_DENIED && v->label != VERDICT_WARNED))
		return;
	const struct review *r = &rq->review;
	json_t *f = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:i,s:f}", "uid", r->uid,
			      "endpoint", rq->route == ROUTE_MUTATE ? "mutate" : "validate", "kind",
			      r->kind, "namespace", r->namespace, "name", r->name, "operation",
			      r->operation, "verdict", verdict_label_name(v->label), "allowed",
			      v->allowed, "findings", (int)v->nfindings, "ms", (double)ns / 1e6);
	if (f && v->message)
		json_object_set_new(f, "message", json_string(v->message));
	if (f && v->why_skipped)
		json_object_set_new(f, "skipped", json_string(v->why_skipped));
	if (f && v->images_failed)
		json_object_set_new(f, "images_not_checked", json_integer(v->images_failed));
	slog("info", "review", f);
}

/*
 * Judges the parsed review into rq->status and rq->answer. Returns 1 when
 * it must wait for images (only when !final), else 0.
 */
static int judge(struct request *rq, bool final)
{
	struct server *s = rq->s;
	bool mutate = rq->route == ROUTE_MUTATE;
	if (!mutate && s->ic && !rq->lookup) {
		rq->lookup = image_lookup_new(s->ic);
		if (!rq->lookup)
			goto oom;
	}
	if (rq->lookup)
		image_lookup_reset(rq->lookup);
	struct verdict v;
	if (serve_decide(s->c, &rq->review, mutate, mutate ? NULL : rq->lookup, final, &v) != 0) {
		verdict_release(&v);
		goto oom;
	}
	if (!final && v.images_pending) {
		verdict_release(&v);
		return 1;
	}
	if (final && v.images_pending)
		metrics_image_timeout(s->m);
	rq->answer = review_response(&rq->review, &v, &rq->answer_len);
	uint64_t took = now_ns() - rq->start;
	enum review_kind k = review_kind_of(&rq->review);
	metrics_review(s->m, mutate ? EP_MUTATE : EP_VALIDATE, k, v.label, took);
	log_review(s, rq, &v, took);
	verdict_release(&v);
	if (!rq->answer)
		goto oom;
	rq->status = MHD_HTTP_OK;
	return 0;
oom:
	rq->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	free(rq->answer);
	rq->answer = strdup("out of memory\n");
	rq->answer_len = rq->answer ? strlen(rq->answer) : 0;
	return 0;
}

/* The image cache's waiter thread: the images are in, or the deadline passed. */
static void unparked(void *arg)
{
	struct request *rq = arg;
	judge(rq, true);
	MHD_resume_connection(rq->con);
}

static enum MHD_Result answer(struct request *rq)
{
	struct server *s = rq->s;
	const char *type = rq->status == MHD_HTTP_OK ? "application/json" : "text/plain";
	char *body = rq->answer;
	rq->answer = NULL;
	return respond(s, rq->con, rq->status, type, body, rq->answer_len);
}

static enum MHD_Result review(struct request *rq)
{
	struct server *s = rq->s;
	char why_buf[256];
	const char *why;
	if (review_parse(rq->body ? rq->body : "", rq->len, &rq->review, why_buf, sizeof(why_buf),
			 &why) != 0)
		return respond_text(s, rq->con, MHD_HTTP_BAD_REQUEST, why);
	rq->have_review = true;
	/* The body is parsed: its memory goes back to the budget now. */
	free(rq->body);
	rq->body = NULL;
	rq->cap = 0;
	uint64_t deadline = rq->start + (uint64_t)s->c->deadline_ms * 1000000u;
	if (judge(rq, now_ns() >= deadline) == 1) {
		rq->parked = true;
		MHD_suspend_connection(rq->con);
		image_lookup_park(rq->lookup, deadline, unparked, rq);
		return MHD_YES;
	}
	return answer(rq);
}

/* --- requests -------------------------------------------------------------------------- */

static enum route route_of(const char *url)
{
	for (size_t i = 0; i < sizeof(route_paths) / sizeof(route_paths[0]); i++)
		if (strcmp(url, route_paths[i]) == 0)
			return (enum route)i;
	return ROUTE_NONE;
}

static enum MHD_Result get(struct server *s, struct request *rq)
{
	struct MHD_Connection *con = rq->con;
	switch (rq->route) {
	case ROUTE_HEALTHZ:
		return respond_text(s, con, MHD_HTTP_OK, "ok");
	case ROUTE_READYZ:
		if (atomic_load(&s->draining))
			return respond_text(s, con, MHD_HTTP_SERVICE_UNAVAILABLE, "draining");
		if (!tls_ready())
			return respond_text(s, con, MHD_HTTP_SERVICE_UNAVAILABLE,
					    "no certificate loaded");
		return respond_text(s, con, MHD_HTTP_OK, "ready");
	case ROUTE_METRICS: {
		struct buf b;
		buf_init(&b);
		metrics_write(s->m, s->ic, &b);
		if (b.failed) {
			buf_release(&b);
			return respond_text(s, con, MHD_HTTP_INTERNAL_SERVER_ERROR,
					    "out of memory");
		}
		char *body = b.data;
		size_t len = b.len;
		return respond(s, con, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
			       body, len);
	}
	default:
		return respond_text(s, con, MHD_HTTP_NOT_FOUND, "not found");
	}
}

static bool reserve(struct server *s, struct request *rq, size_t total)
{
	if (total <= rq->reserved)
		return true;
	size_t more = total - rq->reserved;
	size_t before = atomic_fetch_add(&s->body_bytes, more);
	if (before + more > s->c->body_budget) {
		atomic_fetch_sub(&s->body_bytes, more);
		return false;
	}
	rq->reserved = total;
	return true;
}

/* The first call for a request: its headers are in, none of its body yet. */
static enum MHD_Result start(struct server *s, struct request *rq, const char *url,
			     const char *method)
{
	struct MHD_Connection *con = rq->con;
	rq->routed = true;
	rq->route = route_of(url);
	bool post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
	bool get_like =
	    strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	if (rq->route == ROUTE_NONE)
		return respond_text(s, con, MHD_HTTP_NOT_FOUND,
				    "not found: AdmissionReviews go to /validate or /mutate");
	if (rq->route <= ROUTE_MUTATE) {
		if (!post)
			return respond_text(s, con, MHD_HTTP_METHOD_NOT_ALLOWED,
					    "AdmissionReviews are POSTed");
	} else if (!get_like) {
		return respond_text(s, con, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
	} else {
		/*
		 * Answered at the next call, once the request is whole: an answer queued
		 * now, with the body (if any) unread, closes the connection.
		 */
		return MHD_YES;
	}
	const char *enc =
	    MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_ENCODING);
	if (enc && strcasecmp(enc, "identity") != 0)
		return respond_text(s, con, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
				    "a compressed body is not taken: send the AdmissionReview "
				    "as plain JSON");
	const char *cl =
	    MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(cl, &end, 10);
		if (errno || *end || n > s->c->max_body) {
			char msg[128];
			snprintf(msg, sizeof(msg), "the body is larger than %zu bytes",
				 s->c->max_body);
			return respond_text(s, con, MHD_HTTP_CONTENT_TOO_LARGE, msg);
		}
		if (!reserve(s, rq, (size_t)n))
			return respond_text(s, con, MHD_HTTP_SERVICE_UNAVAILABLE,
					    "too many request bodies in memory: try again");
	}
	return MHD_YES;
}

static enum MHD_Result upload(struct server *s, struct request *rq, const char *data, size_t n)
{
	if (rq->len + n > s->c->max_body || !reserve(s, rq, rq->len + n)) {
		/* A chunked body past the limit: no answer can be queued mid-body. */
		metrics_http_error(s->m, rq->len + n > s->c->max_body ? 413 : 503);
		return MHD_NO;
	}
	if (rq->len + n + 1 > rq->cap) {
		size_t cap = rq->cap ? rq->cap : 16384;
		while (cap < rq->len + n + 1)
			cap *= 2;
		if (cap > s->c->max_body + 1)
			cap = s->c->max_body + 1;
		char *b = realloc(rq->body, cap);
		if (!b)
			return MHD_NO;
		rq->body = b;
		rq->cap = cap;
	}
	memcpy(rq->body + rq->len, data, n);
	rq->len += n;
	rq->body[rq->len] = 0;
	return MHD_YES;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *con, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_size, void **con_cls)
{
	(void)version;
	struct server *s = cls;
	struct request *rq = *con_cls;
	if (!rq)
		return MHD_NO; /* out of memory when the request began */
	if (!rq->routed)
		return start(s, rq, url, method);
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		return upload(s, rq, upload_data, n);
	}
	(void)con;
	if (rq->parked) {
		/* Resumed: the answer is made. */
		rq->parked = false;
		return answer(rq);
	}
	if (rq->route > ROUTE_MUTATE)
		return get(s, rq);
	return review(rq);
}

/* --- the daemon --------------------------------------------------------------------- */

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[256];
	const char *colon = strrchr(listen, ':');
	if (!colon || (size_t)(colon - listen) >= sizeof(host))
		return -1;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = 0;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	char *h = host;
	if (*h == '[') {
		size_t n = strlen(h);
		if (n < 2 || h[n - 1] != ']')
			return -1;
		h[n - 1] = 0;
		h++;
	}
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (!*h) {
		in4->sin_family = AF_INET;
		in4->sin_addr.s_addr = htonl(INADDR_ANY);
		in4->sin_port = htons((uint16_t)port);
		*len = sizeof(*in4);
	} else if (inet_pton(AF_INET, h, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*len = sizeof(*in4);
	} else if (inet_pton(AF_INET6, h, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
	} else {
		return -1;
	}
	return 0;
}

int server_start(struct server *s, const char **why)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	if (parse_listen(s->c->listen, &ss, &sslen) != 0) {
		*why = "--listen takes ADDR:PORT (0.0.0.0:8443, [::]:8443, 127.0.0.1:9443)";
		return -1;
	}
	pthread_mutex_init(&s->conns_lock, NULL);
	unsigned threads = s->c->threads ? s->c->threads : cpus_usable();
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TLS |
			 MHD_ALLOW_SUSPEND_RESUME;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* TLS 1.2 and 1.3 only; GnuTLS's NORMAL set otherwise. */
	static const char priorities[] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";
	s->d = MHD_start_daemon(
	    flags, 0, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_HTTPS_CERT_CALLBACK, tls_cert_callback,
	    MHD_OPTION_HTTPS_PRIORITIES, priorities, MHD_OPTION_CONNECTION_LIMIT,
	    s->c->max_connections, MHD_OPTION_CONNECTION_TIMEOUT, s->c->idle_timeout_s,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)64 * 1024, MHD_OPTION_NOTIFY_CONNECTION, notify_connection, s,
	    MHD_OPTION_URI_LOG_CALLBACK, uri_log, s, MHD_OPTION_NOTIFY_COMPLETED, completed, s,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_END);
	if (!s->d) {
		*why = strerror(errno ? errno : EADDRINUSE);
		return -1;
	}
	return 0;
}

uint16_t server_port(struct server *s)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	return di ? di->port : 0;
}

void server_quiesce(struct server *s)
{
	atomic_store(&s->draining, true);
	MHD_socket fd = MHD_quiesce_daemon(s->d);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
}

void server_stop(struct server *s)
{
	if (s->d)
		MHD_stop_daemon(s->d);
	s->d = NULL;
	pthread_mutex_destroy(&s->conns_lock);
}
