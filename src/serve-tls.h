/* serve-tls.h - the certificate and key the server presents (serve-tls.c). */
#ifndef UNROOT_SERVE_TLS_H
#define UNROOT_SERVE_TLS_H

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stdint.h>

/* The files to read; borrowed for the life of the server. */
void tls_setup(const char *cert, const char *key);
/*
 * Reads the files again when they changed (always when `force`, or while
 * none is loaded). 1 when a new pair is in use, 0 when nothing changed,
 * -1 when the files do not make a pair (logged; the old one stays).
 */
int tls_poll(bool force);
/* A certificate is loaded: the server can be ready. */
bool tls_ready(void);
/* Connection bookkeeping, so a retired pair is freed only when unused. */
uint64_t tls_conn_open(void);
void tls_conn_close(uint64_t epoch);
void tls_shutdown(void);
/* For MHD_OPTION_HTTPS_CERT_CALLBACK (gnutls_certificate_retrieve_function2). */
int tls_cert_callback(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
		      const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
		      gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *pkey);

#endif
