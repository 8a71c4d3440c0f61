/*
 * serve-tls.c - the server's certificate and key, read again when their
 * files change.
 *
 * cert-manager renews a certificate by rewriting its Secret, and the kubelet
 * swaps the mounted files for the new ones (a symlink, ..data, is replaced).
 * The files are looked at every cert_poll_ms; when either has another
 * inode, size or modification time, both are read, and a pair that parses
 * and whose key matches the certificate's public key replaces the one in
 * use. A pair that does not (the key written a moment after the
 * certificate) is tried again at the next look; the old one serves on.
 *
 * GnuTLS asks for the certificate at each handshake, through the callback
 * libmicrohttpd installs (MHD_OPTION_HTTPS_CERT_CALLBACK). A retired pair
 * is freed once every connection opened while it was current has closed,
 * since a handshake of such a connection may have been handed it.
 */
#include "serve-tls.h"
#include "serve.h"

#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_CHAIN 16
#define MAX_PEM	  (1u << 20)

struct pair {
	gnutls_pcert_st certs[MAX_CHAIN];
	unsigned ncerts;
	gnutls_privkey_t key;
	uint64_t epoch;	   /* connections opened from this epoch on may use it */
	struct pair *next; /* retired pairs */
};

struct file_sig {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	bool seen;
};

/* Open connections by the epoch they were opened in: a short list, oldest first. */
struct epoch_count {
	uint64_t epoch;
	size_t open;
};

static struct {
	pthread_mutex_t lock;
	const char *cert_path, *key_path;
	struct pair *cur;
	struct pair *retired;
	uint64_t epoch;
	struct epoch_count *counts;
	size_t ncounts, capcounts;
	struct file_sig cert_sig, key_sig;
	char *not_after; /* of the certificate in use */
} tls = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void pair_free(struct pair *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->ncerts; i++)
		gnutls_pcert_deinit(&p->certs[i]);
	if (p->key)
		gnutls_privkey_deinit(p->key);
	free(p);
}

static int read_file(const char *path, gnutls_datum_t *out, struct file_sig *sig)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)MAX_PEM)
		return -1;
	sig->dev = st.st_dev;
	sig->ino = st.st_ino;
	sig->size = st.st_size;
	sig->mtime = st.st_mtim;
	sig->seen = true;
	return gnutls_load_file(path, out) == 0 ? 0 : -1;
}

static bool same_public_key(gnutls_pubkey_t a, gnutls_privkey_t key)
{
	gnutls_pubkey_t b;
	if (gnutls_pubkey_init(&b) < 0)
		return false;
	bool same = false;
	gnutls_datum_t da = {0}, db = {0};
	if (gnutls_pubkey_import_privkey(b, key, 0, 0) == 0 &&
	    gnutls_pubkey_export2(a, GNUTLS_X509_FMT_DER, &da) == 0 &&
	    gnutls_pubkey_export2(b, GNUTLS_X509_FMT_DER, &db) == 0)
		same = da.size == db.size && memcmp(da.data, db.data, da.size) == 0;
	gnutls_free(da.data);
	gnutls_free(db.data);
	gnutls_pubkey_deinit(b);
	return same;
}

static char *expiry(const gnutls_datum_t *pem)
{
	gnutls_x509_crt_t crt;
	char *out = NULL;
	if (gnutls_x509_crt_init(&crt) < 0)
		return NULL;
	if (gnutls_x509_crt_import(crt, pem, GNUTLS_X509_FMT_PEM) == 0) {
		time_t t = gnutls_x509_crt_get_expiration_time(crt);
		struct tm tm;
		char buf[32];
		if (t != (time_t)-1 && gmtime_r(&t, &tm) &&
		    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
			out = strdup(buf);
	}
	gnutls_x509_crt_deinit(crt);
	return out;
}

/* Reads both files into a new pair; NULL with *why when they do not make one. */
static struct pair *load(struct file_sig *cs, struct file_sig *ks, char **not_after,
			 const char **why)
{
	gnutls_datum_t cert = {0}, key = {0};
	struct pair *p = calloc(1, sizeof(*p));
	if (!p) {
		*why = "out of memory";
		return NULL;
	}
	if (read_file(tls.cert_path, &cert, cs) != 0) {
		*why = "cannot read the certificate file";
		goto fail;
	}
	if (read_file(tls.key_path, &key, ks) != 0) {
		*why = "cannot read the key file";
		goto fail;
	}
	p->ncerts = MAX_CHAIN;
	if (gnutls_pcert_list_import_x509_raw(p->certs, &p->ncerts, &cert, GNUTLS_X509_FMT_PEM, 0) <
		0 ||
	    p->ncerts == 0) {
		p->ncerts = 0;
		*why = "the certificate file holds no PEM certificate (or more than 16)";
		goto fail;
	}
	if (gnutls_privkey_init(&p->key) < 0 ||
	    gnutls_privkey_import_x509_raw(p->key, &key, GNUTLS_X509_FMT_PEM, NULL, 0) < 0) {
		*why = "the key file holds no unencrypted PEM private key";
		goto fail;
	}
	if (!same_public_key(p->certs[0].pubkey, p->key)) {
		*why = "the key does not belong to the certificate";
		goto fail;
	}
	*not_after = expiry(&cert);
	gnutls_free(cert.data);
	gnutls_free(key.data);
	return p;
fail:
	gnutls_free(cert.data);
	gnutls_free(key.data);
	pair_free(p);
	return NULL;
}

static bool changed(const char *path, const struct file_sig *sig)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return sig->seen;
	return !sig->seen || st.st_dev != sig->dev || st.st_ino != sig->ino ||
	       st.st_size != sig->size || st.st_mtim.tv_sec != sig->mtime.tv_sec ||
	       st.st_mtim.tv_nsec != sig->mtime.tv_nsec;
}

/*
 * Frees the retired pairs no open connection can hold. A connection opened
 * in epoch x shakes hands with the pair current then or a later one, so pair
 * p can be held only by connections opened in an epoch up to p's. Under the
 * lock.
 */
static void collect(void)
{
	uint64_t oldest = UINT64_MAX;
	for (size_t i = 0; i < tls.ncounts; i++)
		if (tls.counts[i].open && tls.counts[i].epoch < oldest)
			oldest = tls.counts[i].epoch;
	struct pair **pp = &tls.retired;
	while (*pp) {
		struct pair *p = *pp;
		if (p->epoch < oldest) {
			*pp = p->next;
			pair_free(p);
		} else {
			pp = &p->next;
		}
	}
	size_t w = 0;
	for (size_t i = 0; i < tls.ncounts; i++)
		if (tls.counts[i].open || tls.counts[i].epoch == tls.epoch)
			tls.counts[w++] = tls.counts[i];
	tls.ncounts = w;
}

int tls_poll(bool force)
{
	pthread_mutex_lock(&tls.lock);
	bool look = force || !tls.cur || changed(tls.cert_path, &tls.cert_sig) ||
		    changed(tls.key_path, &tls.key_sig);
	pthread_mutex_unlock(&tls.lock);
	if (!look)
		return 0;
	struct file_sig cs = {0}, ks = {0};
	char *not_after = NULL;
	const char *why = NULL;
	struct pair *p = load(&cs, &ks, &not_after, &why);
	pthread_mutex_lock(&tls.lock);
	if (!p) {
		bool first = !tls.cur;
		/* Look again at the next poll, even if the files stay as they are. */
		tls.cert_sig.seen = tls.key_sig.seen = false;
		pthread_mutex_unlock(&tls.lock);
		json_t *f = json_pack("{s:s,s:s,s:s}", "cert", tls.cert_path, "key", tls.key_path,
				      "error", why);
		slog(first ? "error" : "warn",
		     first ? "no certificate yet: not ready" : "certificate not reloaded", f);
		return -1;
	}
	tls.cert_sig = cs;
	tls.key_sig = ks;
	struct pair *old = tls.cur;
	p->epoch = ++tls.epoch;
	tls.cur = p;
	if (old) {
		old->next = tls.retired;
		tls.retired = old;
	}
	free(tls.not_after);
	tls.not_after = not_after;
	collect();
	pthread_mutex_unlock(&tls.lock);
	slog("info", old ? "certificate reloaded" : "certificate loaded",
	     json_pack("{s:s,s:s?,s:i}", "cert", tls.cert_path, "not_after", not_after, "chain",
		       (int)p->ncerts));
	return 1;
}

void tls_setup(const char *cert, const char *key)
{
	tls.cert_path = cert;
	tls.key_path = key;
}

bool tls_ready(void)
{
	pthread_mutex_lock(&tls.lock);
	bool r = tls.cur != NULL;
	pthread_mutex_unlock(&tls.lock);
	return r;
}

uint64_t tls_conn_open(void)
{
	pthread_mutex_lock(&tls.lock);
	uint64_t e = tls.epoch;
	struct epoch_count *c = tls.ncounts ? &tls.counts[tls.ncounts - 1] : NULL;
	if (!c || c->epoch != e) {
		if (tls.ncounts == tls.capcounts) {
			size_t cap = tls.capcounts ? 2 * tls.capcounts : 8;
			struct epoch_count *n = realloc(tls.counts, cap * sizeof(*n));
			if (!n) {
				pthread_mutex_unlock(&tls.lock);
				return UINT64_MAX;
			}
			tls.counts = n;
			tls.capcounts = cap;
		}
		c = &tls.counts[tls.ncounts++];
		*c = (struct epoch_count){e, 0};
	}
	c->open++;
	pthread_mutex_unlock(&tls.lock);
	return e;
}

void tls_conn_close(uint64_t epoch)
{
	if (epoch == UINT64_MAX)
		return;
	pthread_mutex_lock(&tls.lock);
	for (size_t i = 0; i < tls.ncounts; i++)
		if (tls.counts[i].epoch == epoch && tls.counts[i].open) {
			tls.counts[i].open--;
			break;
		}
	if (tls.retired)
		collect();
	pthread_mutex_unlock(&tls.lock);
}

void tls_shutdown(void)
{
	pthread_mutex_lock(&tls.lock);
	pair_free(tls.cur);
	tls.cur = NULL;
	while (tls.retired) {
		struct pair *p = tls.retired;
		tls.retired = p->next;
		pair_free(p);
	}
	free(tls.counts);
	tls.counts = NULL;
	tls.ncounts = tls.capcounts = 0;
	free(tls.not_after);
	tls.not_after = NULL;
	pthread_mutex_unlock(&tls.lock);
}

int tls_cert_callback(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
		      const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
		      gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *pkey)
{
	(void)session;
	(void)req_ca_dn;
	(void)nreqs;
	(void)pk_algos;
	(void)pk_algos_length;
	pthread_mutex_lock(&tls.lock);
	struct pair *p = tls.cur;
	if (p) {
		*pcert = p->certs;
		*pcert_length = p->ncerts;
		*pkey = p->key;
	}
	pthread_mutex_unlock(&tls.lock);
	return p ? 0 : -1;
}
