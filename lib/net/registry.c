/*
 * registry.c - the OCI distribution protocol and the Docker Engine API over
 * libcurl: the /v2/ probe, challenges, bearer tokens and Basic auth,
 * retries with backoff, and transfers that stream into pipes.
 *
 * Every transfer runs in one curl multi handle, so blobs come in at once
 * (at most max_streams). A transfer writes into its pipe without blocking;
 * when the reader is slower, the transfer is paused until the pipe drains,
 * so memory stays bounded whatever the blob size. Authentication steps (the
 * probe, a token) are short and run to completion when a transfer starts.
 */
#include "net.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_ERROR_BODY 65536
#define MAX_TOKEN_BODY ((size_t)1 << 20)
#define MAX_BACKOFF    8.0
#define TOKEN_MARGIN   10 /* seconds before expiry a token is renewed */
#define MAX_REGISTRIES 64
#define MANIFEST_ACCEPT                                                                            \
	"Accept: application/vnd.oci.image.index.v1+json, "                                        \
	"application/vnd.oci.image.manifest.v1+json, "                                             \
	"application/vnd.docker.distribution.manifest.list.v2+json, "                              \
	"application/vnd.docker.distribution.manifest.v2+json, "                                   \
	"application/vnd.docker.distribution.manifest.v1+prettyjws;q=0.1"

enum auth_kind {
	AUTH_NONE,
	AUTH_BASIC,
	AUTH_BEARER,
};

struct token {
	char *repo;
	char *value;
	double expires;
};

struct reg {
	char *host; /* as the reference names it: "127.0.0.1:5000", "docker.io" */
	char *base; /* "https://host" or "http://host" once probed */
	char *err;  /* the probe's failure, kept: every request gets it */
	enum auth_kind auth;
	char *realm, *service;
	int have_creds; /* -1: not looked up yet */
	struct creds creds;
	struct token *tokens;
	size_t ntokens;
};

enum xstate {
	X_QUEUED,
	X_ACTIVE,
	X_WAIT,	 /* waiting to retry */
	X_FLUSH, /* a buffered body going into the pipe */
	X_DONE,
};

struct xfer {
	uint64_t id;
	int fd;
	bool buffer; /* collect the body, then write it: manifests and small blobs */
	bool manifest;
	struct reg *reg;
	char *repo, *ref; /* ref: tag or digest */
	char *daemon_host, *daemon_path;
	size_t max;
	enum xstate state;
	CURL *h;
	struct curl_slist *hdrs;
	char errbuf[CURL_ERROR_SIZE];
	bool decided, to_pipe; /* this attempt's status is known; its body goes out */
	uint64_t written;      /* body bytes delivered (pipe or buffer) over all attempts */
	uint64_t skip;	       /* bytes to drop: a server that ignored our Range */
	char *buf;	       /* a buffered body, or what the pipe has not taken yet */
	size_t blen, bcap;
	size_t poff;	 /* bytes of buf already in the pipe */
	char ebuf[4096]; /* an error answer's body, for the message */
	size_t elen;
	bool paused;
	bool broken; /* the reader went away */
	char *ctype, *dcd, *www, *retry_after;
	unsigned attempt;
	double start, next_at;
	bool refreshed;
	bool ok;
	char *err;
	struct xfer *next;
};

struct net {
	struct net_opts o;
	CURLM *multi;
	CURLSH *share;
	struct reg regs[MAX_REGISTRIES];
	size_t nregs;
	struct xfer *xfers; /* every transfer not yet handed out by net_next_done */
	char *ca_blob;
	size_t ca_len;
	char *client_cert, *client_key;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* --- certificates ------------------------------------------------------------ */

static bool ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * A certificates folder as Podman and Docker read one (certs.d): every
 * *.crt is a CA, added to the system's; NAME.cert with NAME.key is a
 * client certificate.
 */
static void load_cert_dir(struct net *n, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		char *p = fmt("%s/%s", dir, e->d_name);
		if (!p)
			continue;
		if (ends(e->d_name, ".crt")) {
			FILE *f = fopen(p, "rb");
			char chunk[65536];
			size_t got;
			while (f && (got = fread(chunk, 1, sizeof(chunk), f)) > 0 &&
			       n->ca_len + got < ((size_t)4 << 20)) {
				char *grown = realloc(n->ca_blob, n->ca_len + got + 2);
				if (!grown)
					break;
				n->ca_blob = grown;
				memcpy(n->ca_blob + n->ca_len, chunk, got);
				n->ca_len += got;
				n->ca_blob[n->ca_len++] = '\n';
			}
			if (f)
				fclose(f);
		} else if (ends(e->d_name, ".cert") && !n->client_cert) {
			char *key = fmt("%.*s.key", (int)(strlen(p) - 5), p);
			if (key && access(key, R_OK) == 0) {
				n->client_cert = p;
				n->client_key = key;
				continue;
			}
			free(key);
		}
		free(p);
	}
	closedir(d);
}

/* --- curl handles -------------------------------------------------------------- */

/* The environment's no_proxy, with the loopback names added. */
static const char *no_proxy_env(void)
{
	static char buf[4096];
	if (!buf[0]) {
		const char *e = getenv("no_proxy");
		if (!e || !*e)
			e = getenv("NO_PROXY");
		snprintf(buf, sizeof(buf), "%s%slocalhost,127.0.0.1,::1", e && *e ? e : "",
			 e && *e ? "," : "");
	}
	return buf;
}

static void common_opts(struct net *n, CURL *h, char *errbuf)
{
	curl_easy_setopt(h, CURLOPT_SHARE, n->share);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, n->o.user_agent ? n->o.user_agent : "unroot");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)n->o.timeout);
	/* A stalled server: less than a byte a second for `timeout` seconds. Paused
	 * transfers (a slow reader) are not counted by curl. */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)n->o.timeout);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/* Proxies come from the environment (https_proxy, no_proxy), as for curl; loopback
	 * is never proxied, as Go's clients (docker, podman, skopeo) do. */
	curl_easy_setopt(h, CURLOPT_NOPROXY, no_proxy_env());
	if (!n->o.tls_verify) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (n->ca_blob) {
		struct curl_blob blob = {n->ca_blob, n->ca_len, CURL_BLOB_NOCOPY};
		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
	}
	if (n->client_cert) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, n->client_cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, n->client_key);
	}
}

struct net *net_new(const struct net_opts *o)
{
	struct net *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->o = *o;
	if (!n->o.timeout)
		n->o.timeout = 30;
	if (!n->o.max_streams)
		n->o.max_streams = 4;
	n->multi = curl_multi_init();
	n->share = curl_share_init();
	if (!n->multi || !n->share) {
		net_free(n);
		return NULL;
	}
	curl_share_setopt(n->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(n->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(n->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_multi_setopt(n->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)n->o.max_streams);
	if (o->cert_dir)
		load_cert_dir(n, o->cert_dir);
	return n;
}

static void xfer_free(struct xfer *x)
{
	if (x->h)
		curl_easy_cleanup(x->h);
	curl_slist_free_all(x->hdrs);
	if (x->fd >= 0)
		close(x->fd);
	free(x->repo);
	free(x->ref);
	free(x->daemon_host);
	free(x->daemon_path);
	free(x->buf);
	free(x->ctype);
	free(x->dcd);
	free(x->www);
	free(x->retry_after);
	free(x->err);
	free(x);
}

void net_free(struct net *n)
{
	if (!n)
		return;
	while (n->xfers) {
		struct xfer *x = n->xfers;
		n->xfers = x->next;
		if (x->h && x->state == X_ACTIVE)
			curl_multi_remove_handle(n->multi, x->h);
		xfer_free(x);
	}
	for (size_t i = 0; i < n->nregs; i++) {
		struct reg *r = &n->regs[i];
		free(r->host);
		free(r->base);
		free(r->err);
		free(r->realm);
		free(r->service);
		creds_release(&r->creds);
		for (size_t k = 0; k < r->ntokens; k++) {
			free(r->tokens[k].repo);
			free(r->tokens[k].value);
		}
		free(r->tokens);
	}
	if (n->multi)
		curl_multi_cleanup(n->multi);
	if (n->share)
		curl_share_cleanup(n->share);
	free(n->ca_blob);
	free(n->client_cert);
	free(n->client_key);
	free(n);
}

/* --- one blocking request, for the probe and tokens --------------------------- */

struct resp {
	long status;
	CURLcode code;
	char errbuf[CURL_ERROR_SIZE];
	char *body;
	size_t len, max;
	bool too_big;
	char *www, *ctype;
};

static void resp_release(struct resp *r)
{
	free(r->body);
	free(r->www);
	free(r->ctype);
	memset(r, 0, sizeof(*r));
}

static size_t resp_write(char *p, size_t size, size_t nmemb, void *data)
{
	struct resp *r = data;
	size_t n = size * nmemb;
	if (r->len + n > r->max) {
		r->too_big = true;
		return 0;
	}
	char *grown = realloc(r->body, r->len + n + 1);
	if (!grown)
		return 0;
	r->body = grown;
	memcpy(r->body + r->len, p, n);
	r->len += n;
	r->body[r->len] = 0;
	return n;
}

/* Keeps one header's value (the last one wins), trimmed. */
static void keep_header(const char *line, size_t n, const char *name, char **slot)
{
	size_t k = strlen(name);
	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return;
	const char *v = line + k + 1;
	const char *end = line + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	if (end - v > 16384)
		return;
	free(*slot);
	*slot = strndup(v, (size_t)(end - v));
}

static size_t resp_header(char *p, size_t size, size_t nmemb, void *data)
{
	struct resp *r = data;
	size_t n = size * nmemb;
	keep_header(p, n, "www-authenticate", &r->www);
	keep_header(p, n, "content-type", &r->ctype);
	return n;
}

static int blocking_get(struct net *n, const char *url, const char *authz, size_t max,
			struct resp *r)
{
	CURL *h = curl_easy_init();
	memset(r, 0, sizeof(*r));
	r->max = max;
	if (!h)
		return -1;
	common_opts(n, h, r->errbuf);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, resp_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, resp_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)n->o.timeout * 2);
	struct curl_slist *hdrs = NULL;
	char *line = authz ? fmt("Authorization: %s", authz) : NULL;
	if (line)
		hdrs = curl_slist_append(hdrs, line);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	r->code = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hdrs);
	if (line)
		explicit_bzero(line, strlen(line));
	free(line);
	curl_easy_cleanup(h);
	return 0;
}

/* --- messages ------------------------------------------------------------------- */

static bool loopback(const char *host)
{
	return strncmp(host, "localhost", 9) == 0 || strncmp(host, "127.", 4) == 0 ||
	       strncmp(host, "[::1]", 5) == 0;
}

static char *host_only(const char *hostport)
{
	if (hostport[0] == '[') {
		const char *e = strchr(hostport, ']');
		return strndup(hostport, e ? (size_t)(e - hostport + 1) : strlen(hostport));
	}
	return strndup(hostport, strcspn(hostport, ":"));
}

/* What a failed connection means, with what to do about it. */
static char *transport_error(struct net *n, const char *what, const char *host, CURLcode code,
			     const char *errbuf)
{
	const char *detail = errbuf && *errbuf ? errbuf : curl_easy_strerror(code);
	switch (code) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY: {
		char *h = host_only(host);
		char *m =
		    fmt("cannot find the host '%s' of %s: check the name and the network (%s)",
			h ? h : host, what, detail);
		free(h);
		return m;
	}
	case CURLE_COULDNT_CONNECT:
		return fmt("cannot connect to %s: is it running, and is the address right? (%s)",
			   what, detail);
	case CURLE_OPERATION_TIMEDOUT:
		return fmt("%s sent nothing for %u seconds (--timeout): %s", what, n->o.timeout,
			   detail);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
		return fmt("the TLS certificate of %s is not trusted (%s): give its CA with "
			   "--cert-dir DIR (a folder of *.crt files), or skip the check with "
			   "--tls-verify=false",
			   what, detail);
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
		return fmt("the TLS handshake with %s failed (%s); with a registry that speaks "
			   "plain HTTP, pass --tls-verify=false",
			   what, detail);
	default:
		return fmt("cannot read from %s: %s", what, detail);
	}
}

/* --- the probe and authentication ----------------------------------------------- */

static struct reg *reg_get(struct net *n, const char *host)
{
	for (size_t i = 0; i < n->nregs; i++)
		if (strcmp(n->regs[i].host, host) == 0)
			return &n->regs[i];
	if (n->nregs == MAX_REGISTRIES)
		return NULL;
	struct reg *r = &n->regs[n->nregs];
	memset(r, 0, sizeof(*r));
	r->host = strdup(host);
	if (!r->host)
		return NULL;
	r->have_creds = -1;
	n->nregs++;
	return r;
}

/* The server speaks plain HTTP on the TLS port it was asked for. */
static bool plain_http_answer(CURLcode code, const char *errbuf)
{
	return code == CURLE_SSL_CONNECT_ERROR || code == CURLE_RECV_ERROR ||
	       code == CURLE_GOT_NOTHING ||
	       (errbuf && (strstr(errbuf, "wrong version number") ||
			   strstr(errbuf, "packet length too long")));
}

static void learn_challenge(struct reg *r, const char *www)
{
	struct auth_challenge ch[AUTH_MAX_CHALLENGES];
	int nch = www ? auth_parse(www, strlen(www), ch, AUTH_MAX_CHALLENGES) : -1;
	for (int i = 0; i < nch; i++) {
		if (strcmp(ch[i].scheme, "bearer") == 0 && auth_param(&ch[i], "realm")) {
			r->auth = AUTH_BEARER;
			free(r->realm);
			free(r->service);
			r->realm = strdup(auth_param(&ch[i], "realm"));
			r->service = auth_param(&ch[i], "service")
					 ? strdup(auth_param(&ch[i], "service"))
					 : NULL;
			break;
		}
		if (strcmp(ch[i].scheme, "basic") == 0)
			r->auth = AUTH_BASIC;
	}
	if (nch > 0)
		auth_challenges_free(ch, (size_t)nch);
}

/*
 * GET /v2/ tells whether the host is a registry, whether it speaks TLS,
 * and how it wants clients to authenticate. Plain HTTP is tried only for
 * loopback hosts (as Docker does) and with --tls-verify=false.
 */
static int probe(struct net *n, struct reg *r, char **err)
{
	if (r->base)
		return 0;
	if (r->err) {
		*err = strdup(r->err);
		return -1;
	}
	const char *host = strcmp(r->host, "docker.io") == 0 ? "registry-1.docker.io" : r->host;
	/* A loopback registry is asked in plain HTTP first: most speak it, and a TLS
	 * handshake that fails costs more than the whole probe. One that speaks TLS
	 * says so (Go's servers answer 400 "HTTP request to an HTTPS server"). */
	bool plain_first = loopback(host);
	const char *schemes[2] = {plain_first ? "http" : "https", plain_first ? "https" : "http"};
	bool may_plain = !n->o.tls_verify || loopback(host);
	for (int s = 0; s < 2; s++) {
		char *url = fmt("%s://%s/v2/", schemes[s], host);
		struct resp rs;
		if (!url || blocking_get(n, url, NULL, MAX_ERROR_BODY, &rs) != 0) {
			free(url);
			*err = strdup("out of memory");
			return -1;
		}
		free(url);
		bool tls_port =
		    plain_first && s == 0 &&
		    ((rs.code == CURLE_OK && rs.status == 400 && rs.body &&
		      strstr(rs.body, "HTTPS")) ||
		     rs.code == CURLE_GOT_NOTHING || rs.code == CURLE_RECV_ERROR ||
		     rs.code == CURLE_WEIRD_SERVER_REPLY || rs.code == CURLE_UNSUPPORTED_PROTOCOL);
		if (tls_port) {
			resp_release(&rs);
			continue;
		}
		if (rs.code != CURLE_OK) {
			bool retry_plain = !plain_first && s == 0 && may_plain &&
					   plain_http_answer(rs.code, rs.errbuf);
			if (!retry_plain) {
				char *what = fmt("the registry %s", r->host);
				r->err = transport_error(n, what ? what : "the registry", host,
							 rs.code, rs.errbuf);
				free(what);
				resp_release(&rs);
				break;
			}
			resp_release(&rs);
			continue;
		}
		if (rs.status == 200 || rs.status == 401) {
			r->base = fmt("%s://%s", schemes[s], host);
			if (rs.status == 401)
				learn_challenge(r, rs.www);
			resp_release(&rs);
			return r->base ? 0 : -1;
		}
		r->err =
		    fmt("%s://%s/v2/ answered HTTP %ld: %s is not a container registry (or not "
			"one that speaks the OCI distribution API)",
			schemes[s], host, rs.status, r->host);
		resp_release(&rs);
		break;
	}
	*err = r->err ? strdup(r->err) : strdup("out of memory");
	return -1;
}

static int ensure_creds(struct net *n, struct reg *r, const char *repo, char **err)
{
	if (r->have_creds >= 0)
		return 0;
	char *why = NULL;
	r->have_creds = creds_lookup(r->host, repo, n->o.creds, &r->creds, &why);
	if (r->have_creds < 0) {
		*err = why ? why : strdup("cannot read the registry credentials");
		r->have_creds = -1;
		return -1;
	}
	return 0;
}

static char *basic_value(const struct creds *c)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *plain = fmt("%s:%s", c->user, c->secret);
	if (!plain)
		return NULL;
	size_t n = strlen(plain);
	char *o = malloc(6 + (n + 2) / 3 * 4 + 1);
	if (!o) {
		free(plain);
		return NULL;
	}
	memcpy(o, "Basic ", 6);
	size_t w = 6;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)plain[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)plain[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)plain[i + 2];
		o[w++] = tbl[(v >> 18) & 63];
		o[w++] = tbl[(v >> 12) & 63];
		o[w++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		o[w++] = i + 2 < n ? tbl[v & 63] : '=';
	}
	o[w] = 0;
	explicit_bzero(plain, n);
	free(plain);
	return o;
}

static char *login_hint(const struct reg *r)
{
	return fmt("log in with `podman login %s` or `docker login %s`, or pass --creds "
		   "USER:PASSWORD",
		   r->host, r->host);
}

/* A bearer token for pulling `repo`, from the realm the registry named. */
static char *fetch_token(struct net *n, struct reg *r, const char *repo, long *expires_in,
			 char **err)
{
	CURL *esc = curl_easy_init();
	char *scope = esc ? curl_easy_escape(esc, repo, 0) : NULL;
	char *service = esc && r->service ? curl_easy_escape(esc, r->service, 0) : NULL;
	char *url = scope ? fmt("%s%sscope=repository:%s:pull%s%s", r->realm,
				strchr(r->realm, '?') ? "&" : "?", scope,
				service ? "&service=" : "", service ? service : "")
			  : NULL;
	curl_free(scope);
	curl_free(service);
	if (esc)
		curl_easy_cleanup(esc);
	if (!url) {
		*err = strdup("out of memory");
		return NULL;
	}
	char *basic = r->have_creds > 0 ? basic_value(&r->creds) : NULL;
	struct resp rs;
	blocking_get(n, url, basic, MAX_TOKEN_BODY, &rs);
	if (basic)
		explicit_bzero(basic, strlen(basic));
	free(basic);
	char *token = NULL;
	if (rs.code != CURLE_OK) {
		*err = transport_error(n, "the token server", r->realm, rs.code, rs.errbuf);
	} else if (rs.status == 401 || rs.status == 403) {
		char *hint = login_hint(r);
		if (r->have_creds > 0)
			*err = fmt("the token server %s refused the credentials from %s for %s "
				   "(HTTP %ld): check them, or %s",
				   r->realm, r->creds.source ? r->creds.source : "?", r->host,
				   rs.status, hint ? hint : "");
		else
			*err = fmt("the token server %s of %s wants credentials (HTTP %ld): %s",
				   r->realm, r->host, rs.status, hint ? hint : "");
		free(hint);
	} else if (rs.status != 200) {
		*err = fmt("the token server %s of %s answered HTTP %ld", r->realm, r->host,
			   rs.status);
	} else {
		const char *why = NULL;
		token = auth_token_parse(rs.body ? rs.body : "", rs.len, expires_in, &why);
		if (!token)
			*err = fmt("the token server %s of %s: %s", r->realm, r->host, why);
	}
	free(url);
	resp_release(&rs);
	return token;
}

static void drop_token(struct reg *r, const char *repo)
{
	for (size_t i = 0; i < r->ntokens; i++)
		if (strcmp(r->tokens[i].repo, repo) == 0)
			r->tokens[i].expires = 0;
}

/* The Authorization header value for a request on `repo`; *authz NULL when none is needed. */
static int authorization(struct net *n, struct reg *r, const char *repo, char **authz, char **err)
{
	*authz = NULL;
	if (r->auth == AUTH_NONE)
		return 0;
	if (ensure_creds(n, r, repo, err) != 0)
		return -1;
	if (r->auth == AUTH_BASIC) {
		if (r->have_creds <= 0) {
			char *hint = login_hint(r);
			*err = fmt("the registry %s wants a user name and password (Basic "
				   "authentication) and none were found: %s",
				   r->host, hint ? hint : "");
			free(hint);
			return -1;
		}
		*authz = basic_value(&r->creds);
		return *authz ? 0 : -1;
	}
	double t = now();
	for (size_t i = 0; i < r->ntokens; i++)
		if (strcmp(r->tokens[i].repo, repo) == 0 && r->tokens[i].expires > t) {
			*authz = fmt("Bearer %s", r->tokens[i].value);
			return *authz ? 0 : -1;
		}
	long life = 60;
	char *tok = fetch_token(n, r, repo, &life, err);
	if (!tok)
		return -1;
	struct token *slot = NULL;
	for (size_t i = 0; i < r->ntokens; i++)
		if (strcmp(r->tokens[i].repo, repo) == 0)
			slot = &r->tokens[i];
	if (!slot) {
		struct token *grown = realloc(r->tokens, (r->ntokens + 1) * sizeof(*grown));
		if (!grown) {
			free(tok);
			return -1;
		}
		r->tokens = grown;
		slot = &r->tokens[r->ntokens++];
		slot->repo = strdup(repo);
		slot->value = NULL;
	}
	free(slot->value);
	slot->value = tok;
	slot->expires = t + (double)(life > TOKEN_MARGIN * 2 ? life - TOKEN_MARGIN : life / 2);
	*authz = fmt("Bearer %s", tok);
	return *authz ? 0 : -1;
}

/* --- transfers ---------------------------------------------------------------------- */

/* Writes what it can of x->buf[poff..blen) into the pipe; -1 when the reader went away. */
static int flush(struct xfer *x)
{
	while (x->poff < x->blen) {
		ssize_t w = write(x->fd, x->buf + x->poff, x->blen - x->poff);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (w <= 0) {
			x->broken = true;
			return -1;
		}
		x->poff += (size_t)w;
	}
	x->poff = x->blen = 0;
	return 0;
}

static bool keep(struct xfer *x, const char *p, size_t n)
{
	if (x->blen + n > x->bcap) {
		size_t cap = x->bcap ? x->bcap * 2 : 65536;
		while (cap < x->blen + n)
			cap *= 2;
		char *grown = realloc(x->buf, cap + 1);
		if (!grown)
			return false;
		x->buf = grown;
		x->bcap = cap;
	}
	memcpy(x->buf + x->blen, p, n);
	x->blen += n;
	x->buf[x->blen] = 0;
	return true;
}

static size_t x_write(char *p, size_t size, size_t nmemb, void *data)
{
	struct xfer *x = data;
	size_t n = size * nmemb;
	if (!x->decided) {
		long st = 0;
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &st);
		x->decided = true;
		x->to_pipe = st == 200 || st == 206;
		if (st == 200 && x->written > 0)
			x->skip = x->written; /* the server ignored our Range: drop what we have */
		else
			x->skip = 0;
		x->elen = 0;
	}
	if (!x->to_pipe) {
		size_t room = sizeof(x->ebuf) - 1 - x->elen;
		size_t k = n < room ? n : room;
		memcpy(x->ebuf + x->elen, p, k);
		x->elen += k;
		x->ebuf[x->elen] = 0;
		return n;
	}
	const char *q = p;
	size_t m = n;
	if (x->skip) {
		size_t d = m < x->skip ? m : (size_t)x->skip;
		q += d;
		m -= d;
		x->skip -= d;
	}
	if (x->written + m > x->max) {
		x->err = x->manifest
			     ? fmt("the manifest is larger than the limit of %zu bytes", x->max)
			     : fmt("the blob is larger than the limit of %zu bytes", x->max);
		return 0;
	}
	if (!m)
		return n;
	x->written += m;
	if (x->buffer)
		return keep(x, q, m) ? n : 0;
	/* Straight into the pipe; what it does not take waits, and the transfer pauses.
	 * Bytes still waiting from before (a retry) go first. */
	while (m && x->blen == x->poff) {
		ssize_t w = write(x->fd, q, m);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w <= 0) {
			x->broken = true;
			return 0;
		}
		q += w;
		m -= (size_t)w;
	}
	if (m) {
		if (!keep(x, q, m))
			return 0;
		x->paused = true;
		curl_easy_pause(x->h, CURLPAUSE_RECV);
	}
	return n;
}

static size_t x_header(char *p, size_t size, size_t nmemb, void *data)
{
	struct xfer *x = data;
	size_t n = size * nmemb;
	/* A new response (after a redirect) starts with its status line. */
	if (n > 5 && strncmp(p, "HTTP/", 5) == 0) {
		free(x->ctype);
		free(x->www);
		free(x->retry_after);
		x->ctype = x->www = x->retry_after = NULL;
	}
	keep_header(p, n, "content-type", &x->ctype);
	keep_header(p, n, "docker-content-digest", &x->dcd);
	keep_header(p, n, "www-authenticate", &x->www);
	keep_header(p, n, "retry-after", &x->retry_after);
	return n;
}

static void x_finish(struct xfer *x, bool ok, char *err)
{
	x->state = ok && x->buffer ? X_FLUSH : X_DONE;
	x->ok = ok;
	if (!ok) {
		free(x->err);
		x->err = err ? err : strdup("the transfer failed");
	} else {
		free(err);
	}
	if (x->state == X_FLUSH) {
		x->poff = 0;
		if (flush(x) != 0 || x->blen == 0)
			x->state = X_DONE;
	}
	if (x->state == X_DONE && x->fd >= 0) {
		close(x->fd);
		x->fd = -1;
	}
}

static const char *what_of(const struct xfer *x, char *buf, size_t size)
{
	if (x->daemon_path)
		snprintf(buf, size, "%s", x->daemon_path);
	else if (x->manifest)
		snprintf(buf, size, "%s%s%s", x->repo, strncmp(x->ref, "sha256:", 7) ? ":" : "@",
			 x->ref);
	else
		snprintf(buf, size, "blob %s of %s", x->ref, x->repo);
	return buf;
}

static int x_start(struct net *n, struct xfer *x)
{
	char *err = NULL, *authz = NULL, *url = NULL;
	if (x->daemon_path) {
		const char *h = x->daemon_host;
		if (!h || strncmp(h, "unix://", 7) == 0)
			url = fmt("http://d%s", x->daemon_path);
		else if (strncmp(h, "tcp://", 6) == 0)
			url = fmt("%s://%s%s", getenv("DOCKER_TLS_VERIFY") ? "https" : "http",
				  h + 6, x->daemon_path);
		else {
			x_finish(
			    x, false,
			    fmt("DOCKER_HOST '%s' is not unix:// or tcp://: unroot reaches the "
				"Docker daemon on a unix socket or over TCP only",
				h));
			return -1;
		}
	} else {
		if (probe(n, x->reg, &err) != 0 ||
		    authorization(n, x->reg, x->repo, &authz, &err) != 0) {
			x_finish(x, false, err);
			return -1;
		}
		url = fmt("%s/v2/%s/%s/%s", x->reg->base, x->repo,
			  x->manifest ? "manifests" : "blobs", x->ref);
	}
	if (!url) {
		free(authz);
		x_finish(x, false, strdup("out of memory"));
		return -1;
	}
	if (!x->h)
		x->h = curl_easy_init();
	else
		curl_easy_reset(x->h);
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
	x->errbuf[0] = 0;
	x->decided = false;
	x->paused = false;
	if (x->buffer) {
		x->written = 0; /* a buffered body starts again from nothing */
		x->blen = x->poff = 0;
	}
	common_opts(n, x->h, x->errbuf);
	curl_easy_setopt(x->h, CURLOPT_URL, url);
	curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, x_write);
	curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->h, CURLOPT_HEADERFUNCTION, x_header);
	curl_easy_setopt(x->h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->h, CURLOPT_PRIVATE, x);
	if (x->daemon_path) {
		const char *h = x->daemon_host;
		const char *sock = !h ? "/var/run/docker.sock" : h + 7;
		/* The daemon is local: never through an HTTP proxy from the environment. */
		curl_easy_setopt(x->h, CURLOPT_NOPROXY, "*");
		if (!h || strncmp(h, "unix://", 7) == 0)
			curl_easy_setopt(x->h, CURLOPT_UNIX_SOCKET_PATH, sock);
		const char *certs = getenv("DOCKER_CERT_PATH");
		if (h && strncmp(h, "tcp://", 6) == 0 && getenv("DOCKER_TLS_VERIFY") && certs) {
			char *ca = fmt("%s/ca.pem", certs), *cert = fmt("%s/cert.pem", certs),
			     *key = fmt("%s/key.pem", certs);
			curl_easy_setopt(x->h, CURLOPT_CAINFO, ca);
			curl_easy_setopt(x->h, CURLOPT_SSLCERT, cert);
			curl_easy_setopt(x->h, CURLOPT_SSLKEY, key);
			free(ca);
			free(cert);
			free(key);
		}
	}
	if (x->manifest)
		x->hdrs = curl_slist_append(x->hdrs, MANIFEST_ACCEPT);
	if (authz) {
		char *line = fmt("Authorization: %s", authz);
		if (line) {
			x->hdrs = curl_slist_append(x->hdrs, line);
			explicit_bzero(line, strlen(line));
			free(line);
		}
		explicit_bzero(authz, strlen(authz));
		free(authz);
	}
	if (!x->buffer && x->written > 0) {
		char *range = fmt("Range: bytes=%llu-", (unsigned long long)x->written);
		if (range)
			x->hdrs = curl_slist_append(x->hdrs, range);
		free(range);
	}
	curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, x->hdrs);
	free(url);
	x->attempt++;
	if (!x->start)
		x->start = now();
	x->state = X_ACTIVE;
	if (curl_multi_add_handle(n->multi, x->h) != CURLM_OK) {
		x_finish(x, false, strdup("cannot start the transfer"));
		return -1;
	}
	return 0;
}

static struct xfer *x_new(struct net *n, int fd, uint64_t id)
{
	struct xfer *x = calloc(1, sizeof(*x));
	if (!x) {
		close(fd);
		return NULL;
	}
	x->fd = fd;
	x->id = id;
	x->max = n->o.max_blob ? (size_t)n->o.max_blob : SIZE_MAX;
	x->state = X_QUEUED;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	/* Kept in the order asked, so that streams start in the order they are read. */
	struct xfer **tail = &n->xfers;
	while (*tail)
		tail = &(*tail)->next;
	*tail = x;
	return x;
}

static struct xfer *x_registry(struct net *n, const char *registry, const char *repository,
			       const char *ref, int fd, uint64_t id)
{
	struct xfer *x = x_new(n, fd, id);
	if (!x)
		return NULL;
	x->reg = reg_get(n, registry);
	x->repo = strdup(repository);
	x->ref = strdup(ref);
	if (!x->reg || !x->repo || !x->ref)
		x_finish(x, false, strdup(x->reg ? "out of memory" : "too many registries"));
	return x;
}

/* The distribution API's error code ("MANIFEST_UNKNOWN"), or NULL. */
static const char *error_code(const char *body, size_t len, char *out, size_t size)
{
	if (!body || !len)
		return NULL;
	json_error_t je;
	json_t *j = json_loadb(body, len, 0, &je);
	json_t *e = json_array_get(json_object_get(j, "errors"), 0);
	const char *c = json_string_value(json_object_get(e, "code"));
	const char *msg = json_string_value(json_object_get(j, "message")); /* Docker API */
	if (c)
		snprintf(out, size, "%s", c);
	else if (msg)
		snprintf(out, size, "message:%s", msg);
	json_decref(j);
	return c || msg ? out : NULL;
}

static bool retryable(CURLcode code, long status)
{
	if (code == CURLE_OK)
		return status == 429 || status == 500 || status == 502 || status == 503 ||
		       status == 504;
	return code == CURLE_PARTIAL_FILE || code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR ||
	       code == CURLE_GOT_NOTHING || code == CURLE_OPERATION_TIMEDOUT ||
	       code == CURLE_HTTP2 || code == CURLE_HTTP2_STREAM || code == CURLE_COULDNT_CONNECT;
}

/* Seconds a Retry-After asks for (delta-seconds or an HTTP date); -1 when absent. */
static double retry_after(const char *v)
{
	if (!v)
		return -1;
	char *end;
	long s = strtol(v, &end, 10);
	if (end != v && !*end)
		return s < 0 ? 0 : (double)s;
	time_t when = curl_getdate(v, NULL);
	if (when < 0)
		return -1;
	double d = difftime(when, time(NULL));
	return d < 0 ? 0 : d;
}

/*
 * A manifest that is not there: the registry says MANIFEST_UNKNOWN whether
 * the tag or the whole repository is missing, so the tag list tells them
 * apart, and shows what tags there are.
 */
static char *missing_manifest(struct net *n, struct xfer *x)
{
	const char *reg = x->reg->host;
	bool digest = strncmp(x->ref, "sha256:", 7) == 0;
	char *authz = NULL, *err = NULL;
	char *url = fmt("%s/v2/%s/tags/list?n=50", x->reg->base, x->repo);
	struct resp rs = {0};
	if (url && authorization(n, x->reg, x->repo, &authz, &err) == 0)
		blocking_get(n, url, authz, MAX_ERROR_BODY, &rs);
	free(url);
	free(authz);
	free(err);
	char code[512];
	const char *c = rs.status == 404 ? error_code(rs.body, rs.len, code, sizeof(code)) : NULL;
	char *m = NULL;
	if (c && strcmp(c, "NAME_UNKNOWN") == 0) {
		m = fmt("the repository '%s' is not on the registry %s", x->repo, reg);
	} else if (rs.status == 200 && !digest) {
		json_error_t je;
		json_t *j = json_loadb(rs.body ? rs.body : "", rs.len, 0, &je);
		json_t *tags = json_object_get(j, "tags");
		char list[600] = "";
		size_t w = 0;
		for (size_t i = 0; i < json_array_size(tags) && w < sizeof(list) - 80; i++) {
			const char *t = json_string_value(json_array_get(tags, i));
			if (t)
				w += (size_t)snprintf(list + w, sizeof(list) - w, "%s%.60s",
						      i ? ", " : "", t);
		}
		if (json_array_size(tags) > 0 && w >= sizeof(list) - 80)
			snprintf(list + w, sizeof(list) - w, ", ...");
		m = fmt("the repository '%s' on %s has no tag '%s' (it has: %s)", x->repo, reg,
			x->ref, *list ? list : "no tags");
		json_decref(j);
	} else if (digest) {
		m = fmt("the repository '%s' on %s has no manifest %s", x->repo, reg, x->ref);
	} else {
		m = fmt("the repository '%s' on %s has no tag '%s'", x->repo, reg, x->ref);
	}
	resp_release(&rs);
	return m;
}

static char *http_error(struct net *n, struct xfer *x, long status)
{
	char what[1200], code[512];
	what_of(x, what, sizeof(what));
	const char *c = error_code(x->ebuf, x->elen, code, sizeof(code));
	if (x->daemon_path) {
		const char *m = c && strncmp(c, "message:", 8) == 0 ? c + 8 : NULL;
		return fmt("the Docker daemon (%s) answered HTTP %ld to GET %s%s%s%s",
			   x->daemon_host ? x->daemon_host : "unix:///var/run/docker.sock", status,
			   x->daemon_path, m ? ": " : "", m ? m : "",
			   status == 404 ? "; pull, build or load the image there first" : "");
	}
	const char *reg = x->reg->host;
	if (status == 401 || status == 403) {
		char *hint = login_hint(x->reg);
		char *m;
		if (x->reg->have_creds > 0)
			m = fmt("the registry %s refused access to %s with the credentials from %s "
				"(HTTP %ld): check them, and that they may pull %s",
				reg, what, x->reg->creds.source ? x->reg->creds.source : "?",
				status, x->repo);
		else
			m = fmt("the registry %s refused access to %s (HTTP %ld): the repository "
				"is private or does not exist; %s",
				reg, what, status, hint ? hint : "");
		free(hint);
		return m;
	}
	if (status == 404) {
		bool digest = strncmp(x->ref, "sha256:", 7) == 0;
		if (c && strcmp(c, "NAME_UNKNOWN") == 0)
			return fmt("the repository '%s' is not on the registry %s", x->repo, reg);
		if (x->manifest)
			return missing_manifest(n, x);
		if (!digest)
			return fmt("the registry %s does not have the %s (HTTP 404)", reg, what);
		if (c && strcmp(c, "BLOB_UNKNOWN") == 0)
			return fmt("the registry %s lists the %s in the manifest but does not have "
				   "it (BLOB_UNKNOWN)",
				   reg, what);
		return fmt("the registry %s does not have the %s (HTTP 404%s%s)", reg, what,
			   c ? ": " : "", c ? c : "");
	}
	if (status == 429)
		return fmt("the registry %s keeps answering 429 Too Many Requests for %s; try "
			   "again later",
			   reg, what);
	return fmt("the registry %s answered HTTP %ld to %s%s%s", reg, status, what, c ? ": " : "",
		   c ? c : "");
}

/* A transfer curl has finished: done, retried, or failed with a message. */
static void x_done(struct net *n, struct xfer *x, CURLcode code)
{
	long status = 0;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(n->multi, x->h);
	if (x->broken) {
		x_finish(x, false, strdup("the reader stopped reading"));
		return;
	}
	if (x->err) {
		x_finish(x, false, strdup(x->err));
		return;
	}
	if (code == CURLE_OK && (status == 200 || status == 206)) {
		if (x->manifest && x->ctype &&
		    strstr(x->ctype, "application/vnd.docker.distribution.manifest.v1")) {
			char what[1200];
			x_finish(
			    x, false,
			    fmt("%s on %s is a Docker schema 1 manifest, which unroot does not "
				"read (it is deprecated and holds no image config); push the "
				"image again with a current tool to get a schema 2 or OCI "
				"manifest",
				what_of(x, what, sizeof(what)), x->reg->host));
			return;
		}
		x_finish(x, true, NULL);
		return;
	}
	/* An expired or too narrow token: one new one per request. */
	if (code == CURLE_OK && status == 401 && !x->daemon_path && x->reg->auth == AUTH_BEARER &&
	    !x->refreshed) {
		x->refreshed = true;
		drop_token(x->reg, x->repo);
		learn_challenge(x->reg, x->www);
		x->state = X_WAIT;
		x->next_at = now();
		x->attempt--;
		return;
	}
	double elapsed = now() - x->start;
	if (retryable(code, status) && x->attempt <= n->o.retries && !x->daemon_path) {
		double wait = 0.5 * (double)(1u << (x->attempt - 1 < 4 ? x->attempt - 1 : 4));
		if (wait > MAX_BACKOFF)
			wait = MAX_BACKOFF;
		double ra = code == CURLE_OK ? retry_after(x->retry_after) : -1;
		if (ra >= 0)
			wait = ra;
		if (elapsed + wait <= (double)n->o.retry_time) {
			x->state = X_WAIT;
			x->next_at = now() + wait;
			return;
		}
		if (ra >= 0) {
			char what[1200];
			x_finish(
			    x, false,
			    fmt("the registry %s answered HTTP %ld to %s and asks to retry after "
				"%.0f seconds, past the time unroot gives a request (%u s); "
				"try again later",
				x->reg->host, status, what_of(x, what, sizeof(what)), ra,
				n->o.retry_time));
			return;
		}
	}
	char *m, *base = NULL, what[1200];
	if (code != CURLE_OK) {
		const char *at = x->daemon_path ? (x->daemon_host ? x->daemon_host
								  : "unix:///var/run/docker.sock")
						: x->reg->host;
		char *server = x->daemon_path ? fmt("the Docker daemon at %s", at)
					      : fmt("the registry %s", x->reg->host);
		base = transport_error(n, server ? server : "the server", at, code, x->errbuf);
		free(server);
	} else {
		base = http_error(n, x, status);
	}
	if (code != CURLE_OK && x->attempt > 1)
		m = fmt("%s (reading %s; %u attempts%s)", base ? base : "the transfer failed",
			what_of(x, what, sizeof(what)), x->attempt,
			x->written ? ", the connection was cut part way" : "");
	else if (code != CURLE_OK)
		m = fmt("%s (reading %s)", base ? base : "the transfer failed",
			what_of(x, what, sizeof(what)));
	else if (x->attempt > 1)
		m = fmt("%s (after %u attempts)", base ? base : "the transfer failed", x->attempt);
	else
		m = base ? strdup(base) : NULL;
	free(base);
	x_finish(x, false, m);
}

/* --- the loop ------------------------------------------------------------------------ */

void net_get_manifest(struct net *n, const char *registry, const char *repository, const char *ref,
		      size_t max, int fd, uint64_t id)
{
	struct xfer *x = x_registry(n, registry, repository, ref, fd, id);
	if (!x)
		return;
	x->manifest = true;
	x->buffer = true;
	x->max = max;
}

void net_get_blob(struct net *n, const char *registry, const char *repository, const char *digest,
		  uint64_t max, bool buffer, int fd, uint64_t id)
{
	struct xfer *x = x_registry(n, registry, repository, digest, fd, id);
	if (!x)
		return;
	x->buffer = buffer;
	if (max)
		x->max = (size_t)max;
}

void net_daemon_get(struct net *n, const char *host, const char *path, uint64_t max, bool buffer,
		    int fd, uint64_t id)
{
	struct xfer *x = x_new(n, fd, id);
	if (!x)
		return;
	x->daemon_host = host ? strdup(host) : NULL;
	x->daemon_path = strdup(path);
	x->buffer = buffer;
	if (max)
		x->max = (size_t)max;
	if (!x->daemon_path || (host && !x->daemon_host))
		x_finish(x, false, strdup("out of memory"));
}

int net_poll(struct net *n, int wake_fd, int timeout_ms, bool *woken)
{
	*woken = false;
	double t = now();
	unsigned active = 0;
	for (struct xfer *x = n->xfers; x; x = x->next)
		active += x->state == X_ACTIVE;
	/* Start what waits, in order, as slots free up; retries when their time comes. */
	for (struct xfer *x = n->xfers; x; x = x->next) {
		if (x->state == X_WAIT && x->next_at <= t && active < n->o.max_streams) {
			if (x_start(n, x) == 0)
				active++;
		} else if (x->state == X_QUEUED && active < n->o.max_streams) {
			if (x_start(n, x) == 0)
				active++;
		}
	}
	struct curl_waitfd extra[65];
	struct xfer *owner[65];
	unsigned nextra = 0;
	if (wake_fd >= 0)
		extra[nextra++] = (struct curl_waitfd){wake_fd, CURL_WAIT_POLLIN, 0};
	int waiting = 0;
	double next_retry = -1;
	for (struct xfer *x = n->xfers; x; x = x->next) {
		if (x->state != X_DONE)
			waiting++;
		if (x->state == X_WAIT && (next_retry < 0 || x->next_at < next_retry))
			next_retry = x->next_at;
		bool blocked = (x->state == X_FLUSH || (x->state == X_ACTIVE && x->paused)) &&
			       x->blen > x->poff;
		if (blocked && nextra < 65) {
			owner[nextra] = x;
			extra[nextra++] = (struct curl_waitfd){x->fd, CURL_WAIT_POLLOUT, 0};
		}
	}
	int ms = timeout_ms;
	if (next_retry >= 0) {
		double d = (next_retry - t) * 1000.0;
		if (d < ms)
			ms = d < 0 ? 0 : (int)d + 1;
	}
	int numfds = 0;
	curl_multi_poll(n->multi, extra, nextra, ms, &numfds);
	for (unsigned i = 0; i < nextra; i++) {
		if (extra[i].fd == wake_fd && i == 0 && wake_fd >= 0) {
			*woken = extra[i].revents != 0;
			continue;
		}
		if (!extra[i].revents)
			continue;
		struct xfer *x = owner[i];
		if (flush(x) != 0) {
			if (x->state == X_ACTIVE) {
				curl_multi_remove_handle(n->multi, x->h);
				x_finish(x, false, strdup("the reader stopped reading"));
			} else {
				x_finish(x, false, strdup("the reader stopped reading"));
			}
			continue;
		}
		if (x->blen == 0 && x->state == X_FLUSH) {
			x->state = X_DONE;
			close(x->fd);
			x->fd = -1;
		} else if (x->blen == 0 && x->paused) {
			x->paused = false;
			curl_easy_pause(x->h, CURLPAUSE_CONT);
		}
	}
	int running = 0;
	curl_multi_perform(n->multi, &running);
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(n->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct xfer *x = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x && x->state == X_ACTIVE)
			x_done(n, x, msg->data.result);
	}
	return waiting;
}

bool net_next_done(struct net *n, struct net_result *out)
{
	for (struct xfer **p = &n->xfers; *p; p = &(*p)->next) {
		struct xfer *x = *p;
		if (x->state != X_DONE)
			continue;
		*p = x->next;
		out->id = x->id;
		out->ok = x->ok;
		out->bytes = x->written;
		out->err = x->err;
		out->media_type = x->ctype;
		out->digest = x->dcd;
		x->err = x->ctype = x->dcd = NULL;
		xfer_free(x);
		return true;
	}
	return false;
}
