/* serve-http.h - the HTTPS server of unroot serve (serve-http.c). */
#ifndef UNROOT_SERVE_HTTP_H
#define UNROOT_SERVE_HTTP_H

#include "serve.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

struct conn;

struct server {
	const struct serve_config *c;
	struct metrics *m;
	struct image_cache *ic; /* NULL without image checks */
	struct MHD_Daemon *d;
	atomic_bool draining;	  /* SIGTERM: /readyz says no, answers say Connection: close */
	atomic_size_t body_bytes; /* request bodies held now */
	atomic_long inflight;	  /* requests begun and not finished */
	pthread_mutex_t conns_lock;
	struct conn *conns;
};

/* Starts listening; -1 with *why. */
int server_start(struct server *s, const char **why);
/* The port listened on (for --listen ...:0). */
uint16_t server_port(struct server *s);
/* Closes connections over their time (http.request-timeout, idle-timeout); how many. */
size_t server_reap(struct server *s);
/* Stops accepting connections; what is open is served on. */
void server_quiesce(struct server *s);
/* Closes everything. */
void server_stop(struct server *s);

#endif
