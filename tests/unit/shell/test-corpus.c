/*
 * test-corpus.c - sh_parse() reads every entrypoint script and every RUN line
 * of the real-world corpus without an error, and finds what a reader by hand
 * finds in the entrypoint scripts.
 *
 * RUN lines are cut out with a small reader of its own (continuation lines
 * joined, comment lines inside them dropped, Dockerfile heredocs appended),
 * so this test does not depend on the Dockerfile reader. Windows Dockerfiles
 * (escape=` or a SHELL instruction) run their RUN lines with cmd or
 * PowerShell and are left out.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "unroot/arena.h"
#include "shell/shell.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(1 << 22);
	*len = buf ? fread(buf, 1, (1 << 22) - 1, f) : 0;
	fclose(f);
	if (buf)
		buf[*len] = '\0';
	return buf;
}

static const char *corpus(void)
{
	const char *c = getenv("UNROOT_CORPUS");
	return c ? c : "../shared/corpus";
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int parse_ok(struct arena *a, const char *name, const char *text, size_t len,
		    struct sh_script *s)
{
	struct sh_error e;
	if (sh_parse(a, text, len, s, &e) != 0) {
		print_error("%s: %s at %zu: '%.40s'\n", name, e.message, e.start, text + e.start);
		return 1;
	}
	struct sh_finding *f = NULL;
	size_t n = 0;
	assert_int_equal(sh_find(a, s, &f, &n), 0);
	return 0;
}

/* Parses each RUN of a Dockerfile; returns the number that failed. */
static int runs_of(struct arena *a, const char *name, char *text, size_t *nruns)
{
	if (strstr(text, "escape=`") || strstr(text, "\nSHELL "))
		return 0;
	int bad = 0;
	char *p = text;
	while (*p) {
		char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		char *next = eol ? eol + 1 : p + n;
		const char *q = p;
		while (*q == ' ' || *q == '\t')
			q++;
		if (strncasecmp(q, "RUN", 3) != 0 || (q[3] != ' ' && q[3] != '\t')) {
			p = next;
			continue;
		}
		/* the logical line */
		char *buf = malloc(strlen(p) + 3);
		size_t bl = 0;
		char *line = (char *)q + 3;
		for (;;) {
			char *le = strchr(line, '\n');
			size_t ll = le ? (size_t)(le - line) : strlen(line);
			size_t t = ll;
			while (t &&
			       (line[t - 1] == ' ' || line[t - 1] == '\t' || line[t - 1] == '\r'))
				t--;
			bool cont = t && line[t - 1] == '\\';
			memcpy(buf + bl, line, cont ? t - 1 : ll);
			bl += cont ? t - 1 : ll;
			line = le ? le + 1 : line + ll;
			if (!cont || !*line)
				break;
			/* comment and empty lines inside a continuation are dropped */
			for (;;) {
				const char *r = line;
				while (*r == ' ' || *r == '\t')
					r++;
				if (*r != '#' && *r != '\n')
					break;
				char *e2 = strchr(line, '\n');
				if (!e2)
					break;
				line = e2 + 1;
			}
		}
		buf[bl++] = '\n';
		buf[bl] = '\0';
		/* a Dockerfile heredoc: its body follows, up to the delimiter */
		char *h = strstr(buf, "<<");
		if (h) {
			char *d = h + 2;
			if (*d == '-')
				d++;
			while (*d == '"' || *d == '\'')
				d++;
			size_t dl = strspn(
			    d, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789");
			char delim[64] = {0};
			if (dl && dl < sizeof(delim)) {
				memcpy(delim, d, dl);
				while (*line) {
					char *le = strchr(line, '\n');
					size_t ll = le ? (size_t)(le - line) : strlen(line);
					buf = realloc(buf, bl + ll + 2);
					memcpy(buf + bl, line, ll);
					bl += ll;
					buf[bl++] = '\n';
					line = le ? le + 1 : line + ll;
					if (ll == dl && memcmp(buf + bl - 1 - ll, delim, dl) == 0)
						break;
				}
			}
		}
		struct sh_script s;
		bad += parse_ok(a, name, buf, bl, &s);
		(*nruns)++;
		free(buf);
		p = line;
	}
	return bad;
}

static void every_script_and_run_line_parses(void **state)
{
	(void)state;
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/dockerfiles", corpus());
	DIR *d = opendir(dir);
	if (!d) {
		print_error("corpus not found at %s\n", dir);
		fail();
	}
	struct arena *a = arena_new(256u << 20);
	struct dirent *de;
	int bad = 0;
	size_t nscripts = 0, nruns = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char path[8192];
		size_t len = 0;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		char *text = slurp(path, &len);
		assert_non_null(text);
		if (ends_with(de->d_name, ".sh")) {
			struct sh_script s;
			bad += parse_ok(a, de->d_name, text, len, &s);
			nscripts++;
		} else {
			bad += runs_of(a, de->d_name, text, &nruns);
		}
		free(text);
	}
	closedir(d);
	arena_free(a);
	assert_int_equal(bad, 0);
	assert_true(nscripts >= 13);
	assert_true(nruns >= 100);
}

/* What the hand reading says each entrypoint script does when it starts as root. */
static void entrypoints_drop_privileges(void **state)
{
	(void)state;
	struct {
		const char *file, *tool;
		bool drops;
	} cases[] = {
	    {"docker-library__postgres__18__trixie__docker-entrypoint.sh", "gosu", true},
	    {"docker-library__redis__7.2__alpine__docker-entrypoint.sh", "gosu", true},
	    {"docker-library__mongo__8.0__docker-entrypoint.sh", "gosu", true},
	    {"docker-library__mysql__8.4__docker-entrypoint.sh", "gosu", true},
	    {"docker-library__rabbitmq__4.1__alpine__docker-entrypoint.sh", "su-exec", true},
	    {"docker-library__rabbitmq__4.1__ubuntu__docker-entrypoint.sh", "gosu", true},
	    {"docker-library__cassandra__5.0__docker-entrypoint.sh", "gosu", true},
	    {"MariaDB__mariadb-docker__11.8__docker-entrypoint.sh", "gosu", true},
	    {"hashicorp__docker-vault__0.X__docker-entrypoint.sh", "su-exec", true},
	    {"hashicorp__docker-consul__0.X__docker-entrypoint.sh", "su-exec", true},
	    {"kubernetes__examples__databases__cassandra__image__files__run.sh", "su", true},
	    {"hashicorp__docker-consul__ubi__docker-entrypoint.sh", NULL, false},
	};
	struct arena *a = arena_new(256u << 20);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[8192];
		size_t len = 0;
		snprintf(path, sizeof(path), "%s/dockerfiles/%s", corpus(), cases[i].file);
		char *text = slurp(path, &len);
		assert_non_null(text);
		struct sh_script s;
		struct sh_finding *f = NULL;
		size_t n = 0;
		assert_int_equal(parse_ok(a, cases[i].file, text, len, &s), 0);
		assert_int_equal(sh_find(a, &s, &f, &n), 0);
		bool seen = false;
		for (size_t k = 0; k < n; k++)
			if (f[k].kind == SH_PRIV_DROP &&
			    (!cases[i].tool || strcmp(f[k].tool, cases[i].tool) == 0))
				seen = true;
		if (seen != cases[i].drops)
			print_error("%s: drop %s\n", cases[i].file, seen ? "found" : "not found");
		assert_true(seen == cases[i].drops);
		free(text);
	}
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_script_and_run_line_parses),
	    cmocka_unit_test(entrypoints_drop_privileges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
