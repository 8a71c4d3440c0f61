/*
 * cmd-serve.c - unroot serve: the admission webhook's command line, start
 * and stop.
 *
 * The main thread only waits for signals: SIGTERM or SIGINT drain and stop
 * the server, SIGHUP reads the certificate again; between them it looks at
 * the certificate files and closes connections over their time. The work is
 * done on libmicrohttpd's threads and the image cache's.
 */
#include "serve-http.h"
#include "serve-tls.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: unroot serve --tls-cert FILE --tls-key FILE [--listen ADDR:PORT] [--config FILE]\n"
    "\n"
    "An admission webhook: AdmissionReviews (admission.k8s.io/v1) posted to /validate are\n"
    "answered with what `unroot lint` and `unroot simulate` find in the object; /mutate adds\n"
    "runAsNonRoot, allowPrivilegeEscalation: false, drop ALL and seccomp RuntimeDefault.\n"
    "\n"
    "  --tls-cert FILE     PEM certificate (chain); read again when the file changes\n"
    "  --tls-key FILE      PEM private key\n"
    "  --listen ADDR:PORT  where to listen (default 0.0.0.0:8443)\n"
    "  --config FILE       policy, images, limits (docs/serve.md)\n"
    "\n"
    "GET /healthz, /readyz (ready once a certificate is loaded) and /metrics (Prometheus).\n"
    "SIGTERM drains: not ready, then no new connections, then open requests finish.\n";

enum { OPT_CERT = 256, OPT_KEY, OPT_LISTEN, OPT_CONFIG };

static const struct option long_opts[] = {
    {"tls-cert", required_argument, NULL, OPT_CERT},
    {"tls-key", required_argument, NULL, OPT_KEY},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"help", no_argument, NULL, 'h'},
    {0},
};

static int usage_error(const char *what)
{
	fprintf(stderr, "unroot serve: %s\nTry 'unroot serve --help'.\n", what);
	return 2;
}

static void fatal(const char *msg, const char *why)
{
	slog("error", msg, json_pack("{s:s}", "error", why ? why : "?"));
}

/*
 * Each connection is a descriptor: the soft limit goes up to the hard one
 * (1024 soft is common), and max-connections comes down to what fits, with
 * room for the listener, the image readers and the certificate files.
 */
static void fit_descriptors(struct serve_config *c)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	rlim_t room = 64 + 8 * (rlim_t)c->scanners;
	if (rl.rlim_cur != RLIM_INFINITY && c->max_connections + room > rl.rlim_cur) {
		unsigned fit = rl.rlim_cur > room ? (unsigned)(rl.rlim_cur - room) : 1;
		slog("warn", "fewer connections than configured: the descriptor limit is lower",
		     json_pack("{s:i,s:i,s:I}", "max_connections", (int)c->max_connections, "now",
			       (int)fit, "nofile", (json_int_t)rl.rlim_cur));
		c->max_connections = fit;
	}
}

/* Waits for a signal of `set` for at most ms; 0 on timeout. */
static int wait_signal(const sigset_t *set, unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	int sig = sigtimedwait(set, NULL, &ts);
	return sig < 0 ? 0 : sig;
}

static void housekeeping(struct server *s, uint64_t *last_poll)
{
	uint64_t now = now_ns();
	if (now - *last_poll >= (uint64_t)s->c->cert_poll_ms * 1000000u) {
		tls_poll(false);
		*last_poll = now;
	}
	size_t n = server_reap(s);
	if (n)
		slog("warn", "closed connections over their time",
		     json_pack("{s:i}", "connections", (int)n));
}

/* SIGTERM: not ready at once, serve on for drain_delay, then stop taking connections. */
static void drain(struct server *s, const sigset_t *set, uint64_t *last_poll)
{
	const struct serve_config *c = s->c;
	atomic_store(&s->draining, true);
	slog("info", "draining",
	     json_pack("{s:i,s:i}", "delay_s", (int)c->drain_delay_s, "timeout_s",
		       (int)c->drain_timeout_s));
	uint64_t until = now_ns() + (uint64_t)c->drain_delay_s * 1000000000u;
	while (now_ns() < until) {
		int sig = wait_signal(set, 200);
		if (sig == SIGTERM || sig == SIGINT)
			break; /* asked twice: no more delay */
		housekeeping(s, last_poll);
	}
	server_quiesce(s);
	until = now_ns() + (uint64_t)c->drain_timeout_s * 1000000000u;
	while (atomic_load(&s->inflight) > 0 && now_ns() < until) {
		wait_signal(set, 50);
		housekeeping(s, last_poll);
	}
	if (s->ic && atomic_load(&s->inflight) > 0) {
		/* Reviews still waiting for images are answered now, as at their deadline. */
		image_cache_unpark(s->ic);
		until = now_ns() + 2000000000u;
		while (atomic_load(&s->inflight) > 0 && now_ns() < until)
			wait_signal(set, 20);
	}
	if (atomic_load(&s->inflight) > 0)
		slog("warn", "requests cut off by the drain timeout",
		     json_pack("{s:i}", "requests", (int)atomic_load(&s->inflight)));
}

/*
 * Each review's run frees its arena when it is answered, and glibc then gives the
 * top of the thread's heap back to the kernel (madvise, with a TLB flush on every
 * CPU) only for the next review to fault the same pages in again: a quarter of
 * the server's CPU under load went there. Freed memory up to TRIM_KEEP stays with
 * the process instead; blocks under it come from the heaps, not from mappings of
 * their own. The RSS this keeps is the high-water mark of the reviews in flight,
 * which max-body and body-budget bound.
 */
#define TRIM_KEEP (32 << 20)

static void malloc_for_serving(void)
{
#ifdef M_TRIM_THRESHOLD
	mallopt(M_TRIM_THRESHOLD, TRIM_KEEP);
	mallopt(M_MMAP_THRESHOLD, TRIM_KEEP);
#endif
}

int serve_main(int argc, char **argv)
{
	malloc_for_serving();
	const char *cert = NULL, *key = NULL, *listen = NULL, *config = NULL;
	int ch;
	opterr = 1;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_CERT:
			cert = optarg;
			break;
		case OPT_KEY:
			key = optarg;
			break;
		case OPT_LISTEN:
			listen = optarg;
			break;
		case OPT_CONFIG:
			config = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return usage_error("bad option");
		}
	}
	if (optind < argc)
		return usage_error("takes no paths: the objects come in AdmissionReviews");

	struct serve_config c;
	if (serve_config_init(&c) != 0)
		return usage_error("out of memory");
#ifdef UNROOT_FETCH_PATH
	c.lint.fetch.helper = UNROOT_FETCH_PATH;
#endif
	const char *err = NULL;
	if (config && serve_config_load(&c, config, &err) != 0) {
		fprintf(stderr, "unroot serve: %s\n", err);
		serve_config_release(&c);
		return 2;
	}
	if (cert)
		c.tls_cert = cert;
	if (key)
		c.tls_key = key;
	if (listen)
		c.listen = listen;
	if (!c.tls_cert || !c.tls_key) {
		serve_config_release(&c);
		return usage_error(
		    "needs --tls-cert FILE and --tls-key FILE: it serves HTTPS only");
	}

	/* Signals are taken by this thread alone: every thread started later inherits the mask. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	fit_descriptors(&c);
	struct server s = {.c = &c};
	s.m = metrics_new();
	if (!s.m) {
		serve_config_release(&c);
		return usage_error("out of memory");
	}
	if (c.images && !(s.ic = image_cache_new(&c, s.m))) {
		fatal("cannot start the image readers", strerror(errno));
		metrics_free(s.m);
		serve_config_release(&c);
		return 2;
	}
	tls_setup(c.tls_cert, c.tls_key);
	tls_poll(true);
	const char *why = NULL;
	if (server_start(&s, &why) != 0) {
		fatal("cannot listen", why);
		image_cache_free(s.ic);
		tls_shutdown();
		metrics_free(s.m);
		serve_config_release(&c);
		return 2;
	}
	slog("info", "listening",
	     json_pack("{s:s,s:i,s:s,s:b,s:s?}", "listen", c.listen, "port", (int)server_port(&s),
		       "platform", c.platform == PLAT_OPENSHIFT ? "openshift" : "kubernetes",
		       "images", c.images, "config", c.path));

	uint64_t last_poll = now_ns();
	for (;;) {
		unsigned tick = c.cert_poll_ms < 1000 ? c.cert_poll_ms : 1000;
		int sig = wait_signal(&set, tick ? tick : 1000);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == SIGHUP) {
			tls_poll(true);
			last_poll = now_ns();
		}
		housekeeping(&s, &last_poll);
	}
	drain(&s, &set, &last_poll);
	server_stop(&s);
	image_cache_free(s.ic);
	tls_shutdown();
	metrics_free(s.m);
	serve_config_release(&c);
	slog("info", "stopped", NULL);
	return 0;
}

int main(int argc, char **argv)
{
	return serve_main(argc, argv);
}
