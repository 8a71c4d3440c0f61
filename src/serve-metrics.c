/*
 * serve-metrics.c - counters for /metrics, in the Prometheus text format
 * (version 0.0.4). Every counter is a relaxed atomic: threads add to them
 * without a lock, and a scrape reads each one once.
 */
#include "serve.h"
#include "unroot/buf.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Seconds; the last bucket is +Inf. */
static const double bucket_le[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				   0.1,	   0.25,  0.5,	  1,	 2.5,  5,     10};
#define NBUCKETS (sizeof(bucket_le) / sizeof(bucket_le[0]))

static const unsigned error_codes[] = {400, 404, 405, 413, 415, 500, 503};
#define NCODES (sizeof(error_codes) / sizeof(error_codes[0]))

static const char *const endpoint_names[EP_NENDPOINTS] = {"validate", "mutate"};

struct metrics {
	atomic_ullong reviews[EP_NENDPOINTS][RK_NKINDS][VERDICT_NLABELS];
	atomic_ullong buckets[EP_NENDPOINTS][NBUCKETS + 1];
	atomic_ullong sum_ns[EP_NENDPOINTS];
	atomic_ullong http_errors[NCODES];
	atomic_ullong cache_hits, cache_misses, pull_errors, scans, scan_ns, image_timeouts;
	atomic_llong connections;
};

struct metrics *metrics_new(void)
{
	return calloc(1, sizeof(struct metrics));
}

void metrics_free(struct metrics *m)
{
	free(m);
}

static void inc(atomic_ullong *c, unsigned long long by)
{
	atomic_fetch_add_explicit(c, by, memory_order_relaxed);
}

static unsigned long long get(atomic_ullong *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void metrics_review(struct metrics *m, enum endpoint ep, enum review_kind k, enum verdict_label v,
		    uint64_t ns)
{
	inc(&m->reviews[ep][k][v], 1);
	size_t b = 0;
	double s = (double)ns / 1e9;
	while (b < NBUCKETS && s > bucket_le[b])
		b++;
	inc(&m->buckets[ep][b], 1);
	inc(&m->sum_ns[ep], ns);
}

void metrics_http_error(struct metrics *m, unsigned code)
{
	for (size_t i = 0; i < NCODES; i++)
		if (error_codes[i] == code)
			inc(&m->http_errors[i], 1);
}

void metrics_cache(struct metrics *m, bool hit)
{
	inc(hit ? &m->cache_hits : &m->cache_misses, 1);
}

void metrics_pull_error(struct metrics *m)
{
	inc(&m->pull_errors, 1);
}

void metrics_scan(struct metrics *m, uint64_t ns)
{
	inc(&m->scans, 1);
	inc(&m->scan_ns, ns);
}

void metrics_image_timeout(struct metrics *m)
{
	inc(&m->image_timeouts, 1);
}

void metrics_connections(struct metrics *m, int delta)
{
	atomic_fetch_add_explicit(&m->connections, delta, memory_order_relaxed);
}

static void counter(struct buf *b, const char *name, const char *help, unsigned long long v)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name, v);
}

static void gauge(struct buf *b, const char *name, const char *help, double v)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %.17g\n", name, help, name, name, v);
}

static long rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, rss = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &size, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * sysconf(_SC_PAGESIZE);
}

void metrics_write(struct metrics *m, struct image_cache *ic, struct buf *b)
{
	buf_puts(b, "# HELP unroot_admission_reviews_total AdmissionReviews answered, by "
		    "endpoint, kind and verdict.\n"
		    "# TYPE unroot_admission_reviews_total counter\n");
	for (int ep = 0; ep < EP_NENDPOINTS; ep++)
		for (int k = 0; k < RK_NKINDS; k++)
			for (int v = 0; v < VERDICT_NLABELS; v++) {
				unsigned long long n = get(&m->reviews[ep][k][v]);
				if (n || (k == RK_POD && v == VERDICT_ALLOWED))
					buf_printf(b,
						   "unroot_admission_reviews_total{endpoint=\"%s\","
						   "kind=\"%s\",verdict=\"%s\"} %llu\n",
						   endpoint_names[ep],
						   review_kind_name((enum review_kind)k),
						   verdict_label_name((enum verdict_label)v), n);
			}
	buf_puts(b, "# HELP unroot_admission_review_duration_seconds Time from a review's "
		    "arrival to its answer.\n"
		    "# TYPE unroot_admission_review_duration_seconds histogram\n");
	for (int ep = 0; ep < EP_NENDPOINTS; ep++) {
		unsigned long long cum = 0;
		for (size_t i = 0; i <= NBUCKETS; i++) {
			cum += get(&m->buckets[ep][i]);
			if (i < NBUCKETS)
				buf_printf(b,
					   "unroot_admission_review_duration_seconds_bucket{"
					   "endpoint=\"%s\",le=\"%g\"} %llu\n",
					   endpoint_names[ep], bucket_le[i], cum);
			else
				buf_printf(b,
					   "unroot_admission_review_duration_seconds_bucket{"
					   "endpoint=\"%s\",le=\"+Inf\"} %llu\n",
					   endpoint_names[ep], cum);
		}
		buf_printf(b,
			   "unroot_admission_review_duration_seconds_sum{endpoint=\"%s\"} %.9f\n"
			   "unroot_admission_review_duration_seconds_count{endpoint=\"%s\"} %llu\n",
			   endpoint_names[ep], (double)get(&m->sum_ns[ep]) / 1e9,
			   endpoint_names[ep], cum);
	}
	buf_puts(b, "# HELP unroot_http_errors_total Requests answered with an HTTP error, by "
		    "status code.\n# TYPE unroot_http_errors_total counter\n");
	for (size_t i = 0; i < NCODES; i++)
		buf_printf(b, "unroot_http_errors_total{code=\"%u\"} %llu\n", error_codes[i],
			   get(&m->http_errors[i]));
	counter(b, "unroot_image_cache_hits_total", "Images a review found read already in memory.",
		get(&m->cache_hits));
	counter(b, "unroot_image_cache_misses_total",
		"Images a review had to wait for, or go without.", get(&m->cache_misses));
	counter(b, "unroot_image_pull_errors_total", "Images that could not be read.",
		get(&m->pull_errors));
	counter(b, "unroot_image_scans_total", "Images read from their registries.",
		get(&m->scans));
	buf_printf(b,
		   "# HELP unroot_image_scan_seconds_total Time spent reading images.\n"
		   "# TYPE unroot_image_scan_seconds_total counter\n"
		   "unroot_image_scan_seconds_total %.6f\n",
		   (double)get(&m->scan_ns) / 1e9);
	counter(b, "unroot_image_deadline_passed_total",
		"Reviews answered at the deadline without all their images.",
		get(&m->image_timeouts));
	if (ic) {
		size_t count, bytes, scanning;
		image_cache_stats(ic, &count, &bytes, &scanning);
		gauge(b, "unroot_images_cached", "Images held in memory.", (double)count);
		gauge(b, "unroot_images_cached_bytes", "Memory the images held take.",
		      (double)bytes);
		gauge(b, "unroot_images_scanning", "Images being read now.", (double)scanning);
	}
	gauge(b, "unroot_connections", "Open client connections.",
	      (double)atomic_load_explicit(&m->connections, memory_order_relaxed));
	gauge(b, "process_resident_memory_bytes", "Resident memory size in bytes.",
	      (double)rss_bytes());
}
