/*
 * fetch.h - the library's side of unroot-fetch, the helper program that
 * talks to registries and the Docker daemon.
 *
 * Why a helper: libcurl and what it links (TLS, HTTP/2, Kerberos, LDAP, ...)
 * cost a dynamic unroot about 15 ms at every start, several times the
 * whole lint of a Dockerfile, and cannot be linked into the static unroot
 * binary. So unroot starts unroot-fetch only when an image is named by
 * reference, as git starts git-remote-https. The network also stays out of
 * the process that parses: a helper that crashes on a hostile server is an
 * error message, not a crash.
 *
 * The protocol, over a SOCK_SEQPACKET socket pair on the helper's stdin,
 * one JSON object a packet:
 *
 *   unroot -> helper, first:  {"op":"hello", "tls_verify":true, "cert_dir":..,
 *                              "creds":.., "timeout":30, "retries":4,
 *                              "retry_time":60, "max_streams":4, "user_agent":..}
 *   unroot -> helper:         {"op":"manifest"|"blob"|"daemon", "id":N,
 *                              "registry":.., "repo":.., "ref":.., "max":N,
 *                              "buffer":bool, "host":.., "path":..}
 *                             with the write end of a pipe attached (SCM_RIGHTS)
 *   helper -> unroot:         {"id":N, "ok":bool, "bytes":N, "error":..,
 *                              "media_type":.., "digest":..} once the
 *                             transfer is over and its pipe closed
 *
 * The body comes through the pipe: unroot reads it to its end, then takes
 * the result. Digests are checked by unroot, never by the helper.
 */
#ifndef UNROOT_IMAGE_FETCH_H
#define UNROOT_IMAGE_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lint_options;
struct fetcher;

#define FETCH_MAX_PACKET 65536

struct fetch_result {
	bool ok;
	uint64_t bytes;
	char *error;	  /* malloc'd, when !ok */
	char *media_type; /* malloc'd or NULL */
	char *digest;	  /* malloc'd or NULL */
};

void fetch_result_release(struct fetch_result *r);

/* Starts the helper; NULL with *why (malloc'd) when it cannot be run. */
struct fetcher *fetcher_start(const struct lint_options *o, char **why);

/* Stops the helper and closes every pipe still open. NULL is fine. */
void fetcher_stop(struct fetcher *f);

/*
 * Sends a request (its "op" and fields, as a JSON object text without the
 * id) and returns the read end of its pipe, or -1 with *why. *id names it
 * for fetcher_result. Safe from several threads.
 */
int fetcher_request(struct fetcher *f, const char *fields, uint64_t *id, char **why);

/* Waits for the result of request `id`. 0, or -1 when the helper is gone. */
int fetcher_result(struct fetcher *f, uint64_t id, struct fetch_result *out);

/*
 * Reads fd to its end into a malloc'd buffer with room for a final NUL, at
 * most `max` bytes: *big says more was there (the caller closes fd, and the
 * helper sees the pipe close). NULL when out of memory.
 */
char *fetch_read_bounded(int fd, size_t max, size_t *len, bool *big);

/*
 * A request whose body is read whole: at most `max` bytes into *data
 * (malloc'd, NUL-terminated). 0, or -1 with out->error set.
 */
int fetcher_get(struct fetcher *f, const char *fields, size_t max, char **data, size_t *len,
		struct fetch_result *out);

#endif
