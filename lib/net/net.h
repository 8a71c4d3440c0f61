/*
 * net.h - the network side of images by reference: the registry client
 * (OCI distribution protocol over libcurl), its authentication, and the
 * Docker Engine API client. Internal to unroot-fetch, the helper program
 * that unroot starts for references; the linting library never links
 * libcurl (see fetch.h for why and for the protocol between the two).
 *
 * Strings handed out are malloc'd and owned by the caller unless said
 * otherwise. Nothing here prints or exits.
 */
#ifndef UNROOT_NET_H
#define UNROOT_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- WWW-Authenticate challenges (auth.c) ----------------------------------- */

struct auth_param {
	char *name; /* lower case */
	char *value;
};

struct auth_challenge {
	char *scheme; /* lower case: "bearer", "basic" */
	struct auth_param *params;
	size_t nparams;
};

#define AUTH_MAX_CHALLENGES 8
#define AUTH_MAX_PARAMS	    16

/*
 * Parses a WWW-Authenticate header value (RFC 7235: challenges of a scheme
 * and auth-params or a token68, separated by commas) into out[], at most
 * `max`. Returns how many, or -1 when the text is malformed. Values are
 * unquoted. Free with auth_challenges_free().
 */
int auth_parse(const char *header, size_t len, struct auth_challenge *out, size_t max);
void auth_challenges_free(struct auth_challenge *c, size_t n);
/* The value of a parameter, or NULL. */
const char *auth_param(const struct auth_challenge *c, const char *name);

/*
 * A token endpoint's answer: {"token": ..., "access_token": ..., "expires_in": N}.
 * Returns the token (malloc'd) and its lifetime in seconds (60 when not said),
 * or NULL with *why.
 */
char *auth_token_parse(const char *body, size_t len, long *expires_in, const char **why);

/* --- credentials (creds.c) --------------------------------------------------- */

struct creds {
	char *user, *secret;
	char *source; /* where they came from, for messages: "~/.docker/config.json" */
};

/*
 * Credentials for a registry host[:port] and repository, looked up as Podman
 * and Docker do: `explicit` (--creds USER[:PASSWORD]) first, then
 * $REGISTRY_AUTH_FILE, ${XDG_RUNTIME_DIR}/containers/auth.json,
 * ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json,
 * ${DOCKER_CONFIG:-~/.docker}/config.json: their "auths" (the most specific
 * "host/repository" key first), and credHelpers / credsStore through the
 * `docker-credential-NAME get` protocol. Returns 1 with *out filled, 0 when
 * there are none (anonymous), -1 with *why when a file or helper is broken.
 */
int creds_lookup(const char *registry, const char *repository, const char *explicit,
		 struct creds *out, char **why);
void creds_release(struct creds *c);

/*
 * The parsing half of creds_lookup, for one config file's text: 1 with *out
 * from "auths" (or *helper set to the credential helper's name to ask),
 * 0 when the file says nothing for this registry, -1 with *why.
 */
int creds_from_config(const char *text, size_t len, const char *registry, const char *repository,
		      struct creds *out, char **helper, char **why);

/* --- the HTTP client (registry.c) -------------------------------------------- */

struct net_opts {
	bool tls_verify;      /* false: --tls-verify=false (and plain HTTP allowed) */
	const char *cert_dir; /* --cert-dir: CAs (.crt), a client certificate (.cert, .key) */
	const char *creds;    /* --creds */
	unsigned timeout;     /* seconds to connect, and without a byte before giving up */
	unsigned retries;     /* attempts after the first, on 429, 5xx and cut connections */
	unsigned retry_time;  /* seconds all retries of one request may take */
	size_t max_manifest;  /* bytes of a manifest or index */
	uint64_t max_blob;    /* bytes of one blob */
	unsigned max_streams; /* blobs transferred at once */
	const char *user_agent;
};

struct net;

struct net *net_new(const struct net_opts *o);
void net_free(struct net *n);

/*
 * Requests. Each names the write end of a pipe, which the client owns from
 * then on and closes when the transfer is over, and an id that names it in
 * net_next_done(). Transfers run inside net_poll(), at most max_streams at
 * once, started in the order asked.
 *
 * A manifest or index by tag or digest, at most `max` bytes, written to the
 * pipe once it is whole (a retry never mixes two answers).
 */
void net_get_manifest(struct net *n, const char *registry, const char *repository, const char *ref,
		      size_t max, int fd, uint64_t id);
/*
 * A blob; `buffer` as for manifests (small JSON blobs), else streamed as it
 * comes, a cut connection resuming where it stopped. max 0: no limit.
 */
void net_get_blob(struct net *n, const char *registry, const char *repository, const char *digest,
		  uint64_t max, bool buffer, int fd, uint64_t id);
/*
 * Docker Engine API: GET `path` ("/v1.41/images/NAME/get") on `host`
 * ($DOCKER_HOST: unix:///path or tcp://host:port; NULL for
 * /var/run/docker.sock).
 */
void net_daemon_get(struct net *n, const char *host, const char *path, uint64_t max, bool buffer,
		    int fd, uint64_t id);

/*
 * Runs the transfers for up to timeout_ms, or until `wake_fd` is readable
 * (then *woken is true). Returns how many transfers are not done.
 */
int net_poll(struct net *n, int wake_fd, int timeout_ms, bool *woken);

struct net_result {
	uint64_t id;
	bool ok;
	uint64_t bytes;
	char *err;	  /* when !ok: what went wrong, in words a person can act on */
	char *media_type; /* Content-Type, or NULL */
	char *digest;	  /* Docker-Content-Digest, or NULL */
};

/* A finished transfer, its strings now the caller's; false when none is. */
bool net_next_done(struct net *n, struct net_result *out);

#endif
