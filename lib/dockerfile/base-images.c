/*
 * base-images.c - what well-known base images run as, so a Dockerfile built
 * FROM one of them without a USER line is judged by the user it inherits.
 *
 * Patterns are fnmatch(3) patterns ('*' also matches '/') over the image
 * reference with "docker.io/" and "library/" taken off. The first match
 * wins, so exceptions come before the wildcard they narrow. Each entry names
 * where the fact comes from. The config key `base-images` is checked first
 * and overrides this list.
 */
#include "dockerfile/dockerfile.h"
#include "image/view.h"
#include "unroot/ids.h"
#include "unroot/lint.h"

#include <ctype.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define UNKNOWN (-2) /* listed only to stop a wider pattern below from matching */

static const struct base_image {
	const char *pattern;
	long uid, gid;
	const char *source;
} builtin[] = {
    /* An empty image: no config user, so the process runs as uid 0 (Docker's "scratch"). */
    {"scratch", 0, 0, "scratch is empty: no USER, so root"},
    /*
     * Docker Official Images of operating systems and languages set no USER:
     * their containers run as root (docker-library Dockerfiles; the official
     * images' documentation). The bare name is the :latest tag. Service
     * images (postgres, redis, memcached...) are not listed: some set a user.
     */
    {"alpine", 0, 0, "the official alpine image sets no USER: root"},
    {"alpine:*", 0, 0, "the official alpine image sets no USER: root"},
    {"debian", 0, 0, "the official debian image sets no USER: root"},
    {"debian:*", 0, 0, "the official debian image sets no USER: root"},
    {"ubuntu", 0, 0, "the official ubuntu image sets no USER: root"},
    {"ubuntu:*", 0, 0, "the official ubuntu image sets no USER: root"},
    {"busybox", 0, 0, "the official busybox image sets no USER: root"},
    {"busybox:*", 0, 0, "the official busybox image sets no USER: root"},
    {"fedora", 0, 0, "the official fedora image sets no USER: root"},
    {"fedora:*", 0, 0, "the official fedora image sets no USER: root"},
    {"centos", 0, 0, "the official centos image sets no USER: root"},
    {"centos:*", 0, 0, "the official centos image sets no USER: root"},
    {"rockylinux", 0, 0, "the official rockylinux image sets no USER: root"},
    {"rockylinux:*", 0, 0, "the official rockylinux image sets no USER: root"},
    {"almalinux", 0, 0, "the official almalinux image sets no USER: root"},
    {"almalinux:*", 0, 0, "the official almalinux image sets no USER: root"},
    {"amazonlinux", 0, 0, "the official amazonlinux image sets no USER: root"},
    {"amazonlinux:*", 0, 0, "the official amazonlinux image sets no USER: root"},
    {"oraclelinux", 0, 0, "the official oraclelinux image sets no USER: root"},
    {"oraclelinux:*", 0, 0, "the official oraclelinux image sets no USER: root"},
    {"archlinux", 0, 0, "the official archlinux image sets no USER: root"},
    {"archlinux:*", 0, 0, "the official archlinux image sets no USER: root"},
    {"python", 0, 0, "the official python image sets no USER: root"},
    {"python:*", 0, 0, "the official python image sets no USER: root"},
    {"node", 0, 0, "the official node image sets no USER: root"},
    {"node:*", 0, 0, "the official node image sets no USER: root"},
    {"golang", 0, 0, "the official golang image sets no USER: root"},
    {"golang:*", 0, 0, "the official golang image sets no USER: root"},
    {"ruby", 0, 0, "the official ruby image sets no USER: root"},
    {"ruby:*", 0, 0, "the official ruby image sets no USER: root"},
    {"php", 0, 0, "the official php image sets no USER: root"},
    {"php:*", 0, 0, "the official php image sets no USER: root"},
    {"perl", 0, 0, "the official perl image sets no USER: root"},
    {"perl:*", 0, 0, "the official perl image sets no USER: root"},
    {"rust", 0, 0, "the official rust image sets no USER: root"},
    {"rust:*", 0, 0, "the official rust image sets no USER: root"},
    {"gcc", 0, 0, "the official gcc image sets no USER: root"},
    {"gcc:*", 0, 0, "the official gcc image sets no USER: root"},
    {"openjdk", 0, 0, "the official openjdk image sets no USER: root"},
    {"openjdk:*", 0, 0, "the official openjdk image sets no USER: root"},
    {"eclipse-temurin", 0, 0, "the official eclipse-temurin image sets no USER: root"},
    {"eclipse-temurin:*", 0, 0, "the official eclipse-temurin image sets no USER: root"},
    {"amazoncorretto", 0, 0, "the official amazoncorretto image sets no USER: root"},
    {"amazoncorretto:*", 0, 0, "the official amazoncorretto image sets no USER: root"},
    {"maven", 0, 0, "the official maven image sets no USER: root"},
    {"maven:*", 0, 0, "the official maven image sets no USER: root"},
    {"gradle", 0, 0, "the official gradle image sets no USER: root"},
    {"gradle:*", 0, 0, "the official gradle image sets no USER: root"},
    {"buildpack-deps", 0, 0, "the official buildpack-deps image sets no USER: root"},
    {"buildpack-deps:*", 0, 0, "the official buildpack-deps image sets no USER: root"},
    {"erlang", 0, 0, "the official erlang image sets no USER: root"},
    {"erlang:*", 0, 0, "the official erlang image sets no USER: root"},
    {"elixir", 0, 0, "the official elixir image sets no USER: root"},
    {"elixir:*", 0, 0, "the official elixir image sets no USER: root"},
    /*
     * Red Hat's Universal Base Images (ubi, ubi-minimal, ubi-micro, ubi-init) set
     * no USER: root. Their application images are listed below.
     */
    {"*/ubi[0-9]", 0, 0, "Red Hat UBI base images set no USER: root"},
    {"*/ubi[0-9]:*", 0, 0, "Red Hat UBI base images set no USER: root"},
    {"*/ubi[0-9]-minimal*", 0, 0, "Red Hat UBI base images set no USER: root"},
    {"*/ubi[0-9]-micro*", 0, 0, "Red Hat UBI base images set no USER: root"},
    {"*/ubi[0-9]-init*", 0, 0, "Red Hat UBI base images set no USER: root"},
    {"*/ubi[0-9]/ubi", 0, 0, "Red Hat UBI base images set no USER: root"},
    {"*/ubi[0-9]/ubi:*", 0, 0, "Red Hat UBI base images set no USER: root"},
    {"*/ubi[0-9]/ubi-minimal*", 0, 0, "Red Hat UBI base images set no USER: root"},
    {"*/ubi[0-9]/ubi-micro*", 0, 0, "Red Hat UBI base images set no USER: root"},
    {"*/ubi[0-9]/ubi-init*", 0, 0, "Red Hat UBI base images set no USER: root"},
    /*
     * Distroless: the :nonroot tags set USER 65532 ("nonroot", group 65532);
     * the other tags run as root. GoogleContainerTools/distroless README
     * ("nonroot" tags) and its base/ build files (NONROOT = 65532).
     */
    {"gcr.io/distroless/*:nonroot", 65532, 65532, "distroless :nonroot tags run as 65532"},
    {"gcr.io/distroless/*:nonroot-*", 65532, 65532, "distroless :nonroot tags run as 65532"},
    {"gcr.io/distroless/*:*-nonroot", 65532, 65532, "distroless :nonroot tags run as 65532"},
    {"gcr.io/distroless/*:*-nonroot-*", 65532, 65532, "distroless :nonroot tags run as 65532"},
    {"gcr.io/distroless/*", 0, 0, "distroless tags other than :nonroot run as root"},
    /*
     * Chainguard: most images run as "nonroot" 65532:65532; wolfi-base,
     * chainguard-base and busybox run as root; -dev variants add a shell
     * and apk and are not listed (Chainguard Academy, "How to port a sample
     * application to Chainguard Containers").
     */
    {"cgr.dev/chainguard/wolfi-base*", 0, 0, "Chainguard wolfi-base runs as root"},
    {"cgr.dev/chainguard/chainguard-base*", 0, 0, "Chainguard chainguard-base runs as root"},
    {"cgr.dev/chainguard/busybox*", 0, 0, "Chainguard busybox runs as root"},
    {"cgr.dev/chainguard/*:*-dev", UNKNOWN, UNKNOWN, NULL},
    {"cgr.dev/chainguard/*", 65532, 65532, "Chainguard images run as nonroot (65532)"},
    /*
     * Bitnami application images end with `USER 1001` and have no passwd
     * entry for it, so the group is 0 (bitnami/containers Dockerfiles, e.g.
     * bitnami/nginx/1.29/debian-12). minideb is their plain OS base and
     * runs as root.
     */
    {"bitnami/minideb*", 0, 0, "bitnami/minideb is an OS base image and runs as root"},
    {"bitnami/*", 1001, 0, "Bitnami images run as 1001 in group 0"},
    {"*/bitnami/*", 1001, 0, "Bitnami images run as 1001 in group 0"},
    /*
     * nginxinc/docker-nginx-unprivileged: `ARG UID=101`, `USER $UID`, and
     * the nginx group is gid 101 (mainline/debian/Dockerfile).
     */
    {"nginxinc/nginx-unprivileged*", 101, 101, "nginx-unprivileged runs as 101 (nginx)"},
    {"*/nginxinc/nginx-unprivileged*", 101, 101, "nginx-unprivileged runs as 101 (nginx)"},
    /*
     * Red Hat s2i application images (sclorg): `useradd -u 1001 -r -g 0`
     * in s2i-core, and `USER 1001` in each language image (sclorg
     * s2i-base-container core/Dockerfile.rhel9, nginx-container
     * 1.26/Dockerfile.rhel9). s2i-core and s2i-base set no USER: root.
     */
    {"*/s2i-core*", 0, 0, "s2i-core sets no USER: root"},
    {"*/s2i-base*", 0, 0, "s2i-base sets no USER: root"},
    {"*ubi[0-9]*/nginx-*", 1001, 0, "Red Hat s2i images run as 1001 in group 0"},
    {"*ubi[0-9]*/httpd-*", 1001, 0, "Red Hat s2i images run as 1001 in group 0"},
    {"*ubi[0-9]*/nodejs-*", 1001, 0, "Red Hat s2i images run as 1001 in group 0"},
    {"*ubi[0-9]*/python-*", 1001, 0, "Red Hat s2i images run as 1001 in group 0"},
    {"*ubi[0-9]*/ruby-*", 1001, 0, "Red Hat s2i images run as 1001 in group 0"},
    {"*ubi[0-9]*/php-*", 1001, 0, "Red Hat s2i images run as 1001 in group 0"},
    {"*ubi[0-9]*/perl-*", 1001, 0, "Red Hat s2i images run as 1001 in group 0"},
    {"*ubi[0-9]*/go-toolset*", 1001, 0, "Red Hat s2i images run as 1001 in group 0"},
    {"*/sclorg/nginx-*", 1001, 0, "Red Hat s2i images run as 1001 in group 0"},
    {"*/sclorg/httpd-*", 1001, 0, "Red Hat s2i images run as 1001 in group 0"},
    {"*/sclorg/nodejs-*", 1001, 0, "Red Hat s2i images run as 1001 in group 0"},
    {"*/sclorg/python-*", 1001, 0, "Red Hat s2i images run as 1001 in group 0"},
    {"*/sclorg/ruby-*", 1001, 0, "Red Hat s2i images run as 1001 in group 0"},
    {"*/sclorg/php-*", 1001, 0, "Red Hat s2i images run as 1001 in group 0"},
    {"*/sclorg/perl-*", 1001, 0, "Red Hat s2i images run as 1001 in group 0"},
    /* Red Hat OpenJDK images run as 185 ("jboss") in group 0 (ubi*-openjdk Containerfiles). */
    {"*ubi[0-9]*/openjdk-*", 185, 0, "Red Hat OpenJDK images run as 185 in group 0"},
    /*
     * .NET chiseled images set `USER app`, uid 1654, group 1654
     * (dotnet/dotnet-docker documentation, "non-root" and chiseled images).
     */
    {"mcr.microsoft.com/dotnet/*:*-chiseled*", 1654, 1654,
     ".NET chiseled images run as app (1654)"},
};

/* Drops "docker.io/", "index.docker.io/" and "library/" so patterns match either spelling. */
static const char *normalise(const char *ref, char *buf, size_t cap)
{
	static const char *const prefixes[] = {"docker.io/", "index.docker.io/",
					       "registry-1.docker.io/"};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);
		if (strncmp(ref, prefixes[i], n) == 0) {
			ref += n;
			break;
		}
	}
	if (strncmp(ref, "library/", 8) == 0)
		ref += 8;
	/* A digest pins content, not the user: the tag (or its default, latest) decides. */
	const char *at = strchr(ref, '@');
	size_t n = at ? (size_t)(at - ref) : strlen(ref);
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, ref, n);
	buf[n] = 0;
	for (char *c = buf; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return buf;
}

/*
 * fnmatch(pattern, ref, 0) == 0, with cheaper tests first: this is asked for
 * every FROM against every entry of the list. Without flags, '*' matches
 * any bytes and '?' and [...] one each, so a match holds each run of plain
 * bytes of the pattern somewhere, and starts with the first one when the
 * pattern does. A pattern with \ or an unusual bracket goes to fnmatch as
 * it is.
 */
/* The ] closing the [ at p, or NULL for a bracket fnmatch reads otherwise ([], [!] or none). */
static const char *bracket_end(const char *p)
{
	const char *e = p[1] == '!' ? p + 2 : p + 1;
	return *e == ']' ? NULL : strchr(e, ']');
}

static bool glob_matches(const char *pattern, const char *ref)
{
	const char *p = pattern, *r = ref;
	for (; *p && *p != '*' && *p != '?' && *p != '[' && *p != '\\'; p++, r++)
		if (*p != *r)
			return false;
	char run[128];
	size_t n = 0;
	for (;; p++) {
		char c = *p;
		if (c && c != '*' && c != '?' && c != '[' && c != '\\') {
			if (n + 1 >= sizeof(run))
				break;
			run[n++] = c;
			continue;
		}
		if (n) {
			run[n] = '\0';
			if (!strstr(ref, run))
				return false;
			n = 0;
		}
		if (!c || c == '\\')
			break;
		if (c == '[' && !(p = bracket_end(p)))
			break;
	}
	return fnmatch(pattern, ref, 0) == 0;
}

/*
 * The bytes a string holds, one bit each. Every byte of a pattern outside
 * '*', '?' and [...] must stand in a reference it matches, so an entry with
 * a byte the reference lacks is passed over with no match tried: most FROM
 * lines are asked against the whole list, and most entries fail this way.
 */
struct byteset {
	uint64_t w[4];
};

static void byteset_add(struct byteset *b, unsigned char c)
{
	b->w[c >> 6] |= (uint64_t)1 << (c & 63);
}

static bool byteset_within(const struct byteset *a, const struct byteset *b)
{
	return !(a->w[0] & ~b->w[0]) && !(a->w[1] & ~b->w[1]) && !(a->w[2] & ~b->w[2]) &&
	       !(a->w[3] & ~b->w[3]);
}

/* A pattern's plain bytes; none for one with a backslash or an unclosed [ (fnmatch reads those). */
static struct byteset plain_bytes(const char *p)
{
	struct byteset b = {{0}};
	for (; *p; p++) {
		if (*p == '\\')
			return (struct byteset){{0}};
		if (*p == '[') {
			if (!(p = bracket_end(p)))
				return (struct byteset){{0}};
		} else if (*p != '*' && *p != '?') {
			byteset_add(&b, (unsigned char)*p);
		}
	}
	return b;
}

static struct byteset builtin_bytes[sizeof(builtin) / sizeof(builtin[0])];
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void builtin_bytes_init(void)
{
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		builtin_bytes[i] = plain_bytes(builtin[i].pattern);
}

/* A config pattern: fnmatch, or a bare name that matches any tag or digest of it. */
static bool pattern_matches(const char *pattern, const char *ref)
{
	if (glob_matches(pattern, ref))
		return true;
	size_t n = strlen(pattern);
	return !strpbrk(pattern, "*?[") && strncmp(ref, pattern, n) == 0 &&
	       (ref[n] == ':' || ref[n] == '@');
}

const char df_pulled_source[] = "its config and /etc/passwd, read with --pull";

bool df_base_image_user(const struct lint_options *opts, const char *image, long *uid, long *gid,
			const char **source)
{
	return df_base_user(opts, image, NULL, uid, gid, source);
}

bool df_base_user(const struct lint_options *opts, const char *image,
		  const struct image_view *pulled, long *uid, long *gid, const char **source)
{
	char buf[512];
	if (!image || !*image)
		return false;
	const char *ref = normalise(image, buf, sizeof(buf));
	if (opts) {
		for (size_t i = 0; i < opts->nbase_images; i++) {
			const struct kv *kv = &opts->base_images[i];
			char pb[512];
			if ((pattern_matches(kv->key, image) ||
			     pattern_matches(normalise(kv->key, pb, sizeof(pb)), ref)) &&
			    id_pair_parse(kv->value, uid, gid)) {
				*source = "the base-images setting";
				return true;
			}
		}
	}
	/* --pull: the image itself says, better than the built-in list. */
	if (pulled && pulled->uid >= 0 && strcmp(image, "scratch") != 0) {
		*uid = pulled->uid;
		*gid = pulled->gid;
		*source = df_pulled_source;
		return true;
	}
	pthread_once(&builtin_once, builtin_bytes_init);
	struct byteset has = {{0}};
	for (const char *c = ref; *c; c++)
		byteset_add(&has, (unsigned char)*c);
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		if (!byteset_within(&builtin_bytes[i], &has) ||
		    !glob_matches(builtin[i].pattern, ref))
			continue;
		if (builtin[i].uid == UNKNOWN)
			return false;
		*uid = builtin[i].uid;
		*gid = builtin[i].gid;
		*source = builtin[i].source;
		return true;
	}
	return false;
}

/*
 * ENV that well-known base images set and Dockerfiles use in USER lines.
 * .NET 8 and later images define APP_UID=1654 for their `app` user
 * (dotnet/dotnet-docker, "Running as non-root" / the Dockerfiles' `ENV
 * APP_UID=1654`); .NET 6 and 7 images do not.
 */
static const struct base_env {
	const char *pattern;
	const char *const *env;
} builtin_env[] = {
    {"mcr.microsoft.com/dotnet/*:[89].*", (const char *const[]){"APP_UID=1654", NULL}},
    {"mcr.microsoft.com/dotnet/*:[1-9][0-9].*", (const char *const[]){"APP_UID=1654", NULL}},
};

const char *const *df_base_image_env(const char *image)
{
	char buf[512];
	if (!image || !*image)
		return NULL;
	const char *ref = normalise(image, buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(builtin_env) / sizeof(builtin_env[0]); i++)
		if (glob_matches(builtin_env[i].pattern, ref))
			return builtin_env[i].env;
	return NULL;
}
