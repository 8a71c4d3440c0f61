/*
 * render.c - rendered checks: run helm template, lint its output with the
 * Kubernetes rules, and point findings at the templates.
 *
 * helm runs through posix_spawn with an argument vector (never a shell),
 * stdin from /dev/null, stdout and stderr captured through pipes, a
 * wall-clock limit and an output cap. Its output is split at `---` and each
 * document goes through the Kubernetes reader under the path of the
 * template its `# Source:` line names. A finding's position in the
 * rendered text is then mapped to a line of that template: the line with
 * the same key and value when the template writes it, else the template
 * line of the nearest enclosing key (securityContext, containers, ...),
 * else the template's kind line. The rendered line is quoted in the
 * message.
 */
#include "helm-internal.h"
#include "unroot/arena.h"
#include "unroot/source.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char openshift_api[] = "security.openshift.io/v1";

/* --- finding and running helm ----------------------------------------------- */

static bool executable(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

/* The helm to run, or NULL; *explicit tells a named binary from a PATH search. */
static const char *find_helm(struct lint_run *run, bool *explicit, bool *off)
{
	const char *want = run->opts->helm_bin;
	*explicit = want != NULL;
	*off = want && (!*want || strcmp(want, "none") == 0);
	if (*off)
		return NULL;
	if (want && strchr(want, '/'))
		return executable(want) ? want : NULL;
	const char *name = want ? want : "helm";
	const char *path = getenv("PATH");
	if (!path)
		return NULL;
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		const char *cand = n ? arena_printf(run->arena, "%.*s/%s", (int)n, p, name) : NULL;
		if (cand && executable(cand))
			return cand;
		p += n;
		if (*p)
			p++;
	}
	return NULL;
}

struct capture {
	char *data;
	size_t len, cap, limit;
	bool over;
};

static void keep(struct capture *c, const char *buf, size_t n)
{
	if (c->len + n > c->limit) {
		c->over = true;
		n = c->limit > c->len ? c->limit - c->len : 0;
	}
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 64 * 1024;
		while (cap < c->len + n + 1)
			cap *= 2;
		char *p = realloc(c->data, cap);
		if (!p) {
			c->over = true;
			return;
		}
		c->data = p;
		c->cap = cap;
	}
	memcpy(c->data + c->len, buf, n);
	c->len += n;
	c->data[c->len] = 0;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

enum spawn_result { SPAWN_OK, SPAWN_FAILED, SPAWN_EXIT, SPAWN_TIMEOUT, SPAWN_TOO_BIG };

/* Runs argv[0] with argv and envp; fills out and err; *status is the exit code. */
static enum spawn_result spawn_capture(char *const argv[], char *const envp[], struct capture *out,
				       struct capture *err, int *status)
{
	int po[2], pe[2];
	if (pipe2(po, O_CLOEXEC) != 0)
		return SPAWN_FAILED;
	if (pipe2(pe, O_CLOEXEC) != 0) {
		close(po[0]);
		close(po[1]);
		return SPAWN_FAILED;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	pid_t pid;
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	if (rc != 0) {
		close(po[0]);
		close(pe[0]);
		errno = rc;
		return SPAWN_FAILED;
	}
	struct pollfd fds[2] = {{.fd = po[0], .events = POLLIN}, {.fd = pe[0], .events = POLLIN}};
	long deadline = now_ms() + HELM_TIMEOUT_MS;
	enum spawn_result res = SPAWN_OK;
	int open_fds = 2;
	char buf[65536];
	while (open_fds > 0) {
		long left = deadline - now_ms();
		if (left <= 0) {
			res = SPAWN_TIMEOUT;
			break;
		}
		int r = poll(fds, 2, (int)(left > 1000 ? 1000 : left));
		if (r < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t k = read(fds[i].fd, buf, sizeof(buf));
			if (k > 0) {
				keep(i == 0 ? out : err, buf, (size_t)k);
			} else if (k == 0 || errno != EINTR) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			}
		}
		if (out->over) {
			res = SPAWN_TOO_BIG;
			break;
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	if (res != SPAWN_OK)
		kill(pid, SIGKILL);
	int ws = 0;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (res != SPAWN_OK)
		return res;
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
	return *status == 0 ? SPAWN_OK : SPAWN_EXIT;
}

/* --- mapping the rendered text to templates ---------------------------------- */

/* The file a `# Source: NAME/charts/SUB/templates/x.yaml` line names in a tree. */
static const struct helm_file *source_file(const struct helm_chart *c, const char *src)
{
	const char *p = strchr(src, '/');
	if (!p || !c)
		return NULL;
	p++;
	while (strncmp(p, "charts/", 7) == 0) {
		const char *name = p + 7;
		const char *sl = strchr(name, '/');
		if (!sl)
			return NULL;
		const struct helm_chart *sub = NULL;
		for (size_t i = 0; i < c->nsub; i++)
			if (strlen(c->subcharts[i]->name) == (size_t)(sl - name) &&
			    strncmp(c->subcharts[i]->name, name, (size_t)(sl - name)) == 0)
				sub = c->subcharts[i];
		if (!sub)
			return NULL;
		c = sub;
		p = sl + 1;
	}
	for (size_t i = 0; i < c->nfiles; i++)
		if (strcmp(c->files[i].name, p) == 0)
			return &c->files[i];
	return NULL;
}

struct keyline {
	size_t start, end; /* key start to end of line */
	size_t indent;
	const char *key;
	size_t klen;
	const char *value; /* after ':' trimmed */
	size_t vlen;
};

/* A YAML-looking key on the line at s[ls..le): `  - key: value`. */
static bool line_key(const char *s, size_t ls, size_t le, struct keyline *k)
{
	size_t p = ls;
	while (p < le && (s[p] == ' ' || s[p] == '-' || s[p] == '\t'))
		p++;
	size_t ks = p;
	while (p < le &&
	       (s[p] == '_' || s[p] == '-' || s[p] == '.' || s[p] == '/' ||
		(s[p] >= '0' && s[p] <= '9') || ((s[p] | 32) >= 'a' && (s[p] | 32) <= 'z')))
		p++;
	if (p == ks || p >= le || s[p] != ':' || (p + 1 < le && s[p + 1] != ' '))
		return false;
	k->start = ks;
	k->end = le;
	k->indent = ks - ls;
	k->key = s + ks;
	k->klen = p - ks;
	size_t v = p + 1, e = le;
	while (v < e && s[v] == ' ')
		v++;
	while (e > v && (s[e - 1] == ' ' || s[e - 1] == '\r'))
		e--;
	k->value = s + v;
	k->vlen = e - v;
	return true;
}

static void line_at(const char *s, size_t len, size_t off, size_t *ls, size_t *le)
{
	if (off > len)
		off = len;
	size_t a = off, b = off;
	while (a > 0 && s[a - 1] != '\n')
		a--;
	while (b < len && s[b] != '\n')
		b++;
	*ls = a;
	*le = b;
}

#define MAX_CHAIN 16

/* The keys enclosing a line, nearest first, found by indentation. */
struct chain {
	const char *k[MAX_CHAIN];
	size_t l[MAX_CHAIN];
	size_t n;
};

static void ancestors(const char *s, size_t len, size_t ls, size_t indent, struct chain *c)
{
	c->n = 0;
	size_t at = ls;
	while (at > 0 && indent > 0 && c->n < MAX_CHAIN) {
		size_t a, b;
		line_at(s, len, at - 1, &a, &b);
		struct keyline k;
		if (line_key(s, a, b, &k) && k.indent < indent) {
			c->k[c->n] = k.key;
			c->l[c->n] = k.klen;
			c->n++;
			indent = k.indent;
		}
		at = a;
	}
}

/* How many enclosing keys agree, nearest first. */
static size_t score(const struct chain *a, const struct chain *b)
{
	size_t i = 0;
	while (i < a->n && i < b->n && a->l[i] == b->l[i] && memcmp(a->k[i], b->k[i], a->l[i]) == 0)
		i++;
	return i;
}

static bool same_key(const struct keyline *x, const struct keyline *want, bool value)
{
	return x->klen == want->klen && memcmp(x->key, want->key, x->klen) == 0 &&
	       (!value || (x->vlen == want->vlen && memcmp(x->value, want->value, x->vlen) == 0));
}

/*
 * How many lines before `before` in the rendered text r have the same key
 * (and value) and the same enclosing keys: which occurrence this one is.
 */
static size_t occurrence(const char *r, size_t rlen, size_t before, const struct keyline *want,
			 bool value, const struct chain *rc)
{
	size_t n = 0;
	for (size_t ls = 0; ls < before;) {
		size_t le = ls;
		while (le < before && r[le] != '\n')
			le++;
		struct keyline x;
		if (le < before && line_key(r, ls, le, &x) && same_key(&x, want, value)) {
			struct chain c;
			ancestors(r, rlen, ls, x.indent, &c);
			n += score(&c, rc) == rc->n && c.n == rc->n;
		}
		ls = le + 1;
	}
	return n;
}

/*
 * The template line with the same key (and value) whose enclosing keys agree
 * best with the rendered line's; among equals, the nth. *full tells whether
 * the enclosing keys agreed all the way.
 */
static bool best_line(const struct source *t, const struct keyline *want, bool value,
		      const struct chain *rc, size_t nth, size_t *start, size_t *end, bool *full)
{
	const char *s = t->data;
	size_t best = 0, count = 0;
	bool found = false;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t ls = 0; ls < t->len;) {
			size_t le = ls;
			while (le < t->len && s[le] != '\n')
				le++;
			struct keyline x;
			if (line_key(s, ls, le, &x) && same_key(&x, want, value)) {
				struct chain c;
				ancestors(s, t->len, ls, x.indent, &c);
				size_t sc = score(&c, rc);
				if (pass == 0) {
					if (!found || sc > best) {
						best = sc;
						*full = sc == rc->n || sc == c.n;
					}
					found = true;
				} else if (sc == best) {
					*start = x.start;
					*end = x.end;
					if (count++ == nth)
						return true;
				}
			}
			ls = le < t->len ? le + 1 : t->len;
		}
		if (!found)
			return false;
	}
	return true;
}

/* Maps [*start, *end) in the rendered text r to a line of template t. */
static void map_span(const char *r, size_t rlen, const struct source *t, size_t *start, size_t *end)
{
	size_t ls, le, ts, te;
	bool full = false;
	line_at(r, rlen, *start, &ls, &le);
	struct keyline k;
	struct chain rc;
	if (line_key(r, ls, le, &k)) {
		ancestors(r, rlen, ls, k.indent, &rc);
		/* The template writes this very line. */
		if (k.vlen &&
		    best_line(t, &k, true, &rc, occurrence(r, rlen, ls, &k, true, &rc), &ts, &te,
			      &full) &&
		    full) {
			*start = ts;
			*end = te;
			return;
		}
	}
	/* The nearest key, this one or an enclosing one, that the template writes. */
	size_t at = le, indent = (size_t)-1;
	for (int hops = 0; hops < 32;) {
		size_t a, b;
		line_at(r, rlen, at, &a, &b);
		if (line_key(r, a, b, &k) && k.indent < indent) {
			indent = k.indent;
			hops++;
			ancestors(r, rlen, a, k.indent, &rc);
			if (best_line(t, &k, false, &rc, occurrence(r, rlen, a, &k, false, &rc),
				      &ts, &te, &full)) {
				*start = ts;
				*end = te;
				return;
			}
			if (indent == 0)
				break;
		}
		if (a == 0)
			break;
		at = a - 1;
	}
	struct keyline kind = {.key = "kind", .klen = 4};
	struct chain none = {.n = 0};
	if (best_line(t, &kind, false, &none, 0, &ts, &te, &full)) {
		*start = ts;
		*end = te;
	} else {
		*start = *end = 0;
	}
}

/* --- linting the output -------------------------------------------------------- */

struct pass {
	const struct helm_chart *chart; /* NULL for output read from a file or stdin */
	const char *input;		/* the path as named */
	bool openshift;			/* the --api-versions render */
	bool narrow;			/* another pass covers the other platforms */
	size_t first;			/* diags of the plain pass start here */
	size_t plain_end;		/* ...and end here */
	size_t supp_first, supp_plain_end;
	const char **raw; /* messages of the plain pass before the suffix */
};

static bool same_codes(const struct suppression *a, const struct suppression *b)
{
	if (a->ncodes != b->ncodes)
		return false;
	for (size_t i = 0; i < a->ncodes; i++)
		if (strcmp(a->codes[i], b->codes[i]) != 0)
			return false;
	return true;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Lints one document; returns nothing, appends to the run. */
static void lint_doc(struct lint_run *run, struct pass *ps, const char *doc, size_t len)
{
	/* # Source: line: the template it came from. */
	const char *src_name = NULL;
	for (size_t ls = 0; ls < len;) {
		size_t le = ls;
		while (le < len && doc[le] != '\n')
			le++;
		if (le - ls > 10 && strncmp(doc + ls, "# Source: ", 10) == 0) {
			src_name = arena_strndup(run->arena, doc + ls + 10, le - ls - 10);
			break;
		}
		if (le > ls && doc[ls] != '#')
			break;
		ls = le + 1;
	}
	const struct helm_file *tf = src_name ? source_file(ps->chart, src_name) : NULL;
	struct helm_file *disk = NULL;
	if (!tf && src_name && !ps->chart) {
		/* helm template output read back: the template is where Source says, if there. */
		const char *why;
		struct stat st;
		/* Only a regular file: a Source line could name a FIFO or a device. */
		bool regular = stat(src_name, &st) == 0 && S_ISREG(st.st_mode) &&
			       (size_t)st.st_size <= run->opts->limits.file_size;
		struct source *s =
		    regular ? source_read(run->arena, src_name, run->opts->limits.file_size, &why)
			    : NULL;
		if (s) {
			disk = arena_alloc(run->arena, sizeof(*disk));
			if (disk) {
				disk->name = disk->path = src_name;
				disk->src = s;
				tf = disk;
			}
		}
	}
	const char *path = tf ? tf->path : ps->input;
	size_t n0 = run->diags.n, s0 = run->nsupp;
	lint_run_buffer(run, path, doc, len, KIND_K8S);
	const char *api = ps->openshift ? " --api-versions security.openshift.io/v1" : "";

	size_t w = n0;
	for (size_t i = n0; i < run->diags.n; i++) {
		struct diag d = run->diags.items[i];
		const char *raw = d.message;
		char *rendered = NULL;
		if (d.src) {
			size_t ls, le;
			line_at(d.src->data, d.src->len, d.start, &ls, &le);
			size_t a = ls;
			while (a < le && d.src->data[a] == ' ')
				a++;
			rendered =
			    arena_strndup(run->arena, d.src->data + a, le - a > 100 ? 100 : le - a);
			if (tf) {
				size_t st = d.start, en = d.end;
				map_span(d.src->data, d.src->len, tf->src, &st, &en);
				d.src = tf->src;
				d.start = st;
				d.end = en;
			}
		}
		if (ps->narrow && d.rule != &NR000_parse_error) {
			d.platforms &= ps->openshift ? PLAT_OPENSHIFT : ~(unsigned)PLAT_OPENSHIFT;
			if (!d.platforms)
				continue;
		}
		bool merged = false;
		if (ps->openshift && ps->narrow) {
			for (size_t j = ps->first; j < ps->plain_end; j++) {
				struct diag *p = &run->diags.items[j];
				if (p->rule == d.rule && p->start == d.start &&
				    same_str(p->path, d.path) &&
				    same_str(ps->raw[j - ps->first], raw) &&
				    same_str(p->object, d.object) &&
				    same_str(p->container, d.container)) {
					p->platforms |= PLAT_OPENSHIFT;
					merged = true;
					break;
				}
			}
		}
		if (merged)
			continue;
		if (!ps->openshift && ps->raw && w - ps->first < 4096)
			ps->raw[w - ps->first] = raw;
		if (rendered) {
			d.message =
			    arena_printf(run->arena, "%s (helm template%s renders `%s`%s%s)",
					 d.message, api, rendered, tf ? "" : " from ",
					 tf ? "" : (src_name ? src_name : "stdin"));
			if (!d.message)
				d.message = raw;
		}
		run->diags.items[w++] = d;
	}
	run->diags.n = w;

	/* Suppressions read from the output: they cover the template they came from. */
	size_t ws = s0;
	for (size_t i = s0; i < run->nsupp; i++) {
		struct suppression s = run->supp[i];
		if (tf && s.src && s.src != tf->src) {
			size_t st = s.start, en = s.end;
			map_span(s.src->data, s.src->len, tf->src, &st, &en);
			s.src = tf->src;
			s.start = st;
			s.end = en;
			s.from = 0;
			s.to = tf->src->len + 1;
		}
		bool dup = false;
		for (size_t j = ps->supp_first; j < s0 && !dup; j++) {
			const struct suppression *o = &run->supp[j];
			dup = same_str(o->path, s.path) && o->start == s.start && same_codes(o, &s);
		}
		if (!dup)
			run->supp[ws++] = s;
	}
	run->nsupp = ws;
}

/* Splits helm template output at `---` lines and lints each document. */
static void lint_output(struct lint_run *run, struct pass *ps, const char *data, size_t len)
{
	size_t doc = 0;
	for (size_t ls = 0; ls <= len;) {
		size_t le = ls;
		while (le < len && data[le] != '\n')
			le++;
		bool sep = le - ls >= 3 && strncmp(data + ls, "---", 3) == 0 &&
			   (le - ls == 3 || data[ls + 3] == ' ' || data[ls + 3] == '\r');
		if (sep || le >= len) {
			size_t end = sep ? ls : len;
			bool content = false;
			for (size_t i = doc; i < end && !content; i++)
				content = data[i] != ' ' && data[i] != '\n' && data[i] != '\r';
			if (content)
				lint_doc(run, ps, data + doc, end - doc);
			doc = le < len ? le + 1 : len;
		}
		if (le >= len)
			break;
		ls = le + 1;
	}
}

void helm_lint_rendered(struct lint_run *run, const char *path, const char *data, size_t len)
{
	if (!reader_for_kind(KIND_K8S)) {
		run_parse_error(run, path, NULL, 0, 0,
				"cannot lint the output of helm template: no Kubernetes reader");
		return;
	}
	struct pass ps = {.input = path, .supp_first = run->nsupp, .first = run->diags.n};
	lint_output(run, &ps, data, len);
}

/* --- the rendered checks of a chart -------------------------------------------- */

/* Points a helm error at `NAME/templates/x.yaml:LINE:COL` when it names one. */
static bool error_position(const struct helm_chart *c, const char *msg, const struct helm_file **f,
			   size_t *off)
{
	for (const char *p = strstr(msg, "/templates/"); p; p = strstr(p + 1, "/templates/")) {
		const char *a = p;
		while (a > msg && a[-1] != ' ' && a[-1] != '(' && a[-1] != '"')
			a--;
		const char *colon = strchr(p, ':');
		if (!colon)
			return false;
		char name[1024];
		size_t n = (size_t)(colon - a);
		if (n >= sizeof(name))
			continue;
		memcpy(name, a, n);
		name[n] = 0;
		const struct helm_file *t = source_file(c, name);
		if (!t)
			continue;
		unsigned long line = strtoul(colon + 1, NULL, 10), col = 1;
		const char *c2 = strchr(colon + 1, ':');
		if (c2 && c2[1] >= '0' && c2[1] <= '9')
			col = strtoul(c2 + 1, NULL, 10);
		size_t o = 0;
		for (unsigned long l = 1; l < line && o < t->src->len; o++)
			if (t->src->data[o] == '\n')
				l++;
		for (unsigned long k = 1; k < col && o < t->src->len && t->src->data[o] != '\n';
		     k++)
			o++;
		*f = t;
		*off = o;
		return true;
	}
	return false;
}

/*
 * Said once a run, and only for a chart the static checks found something
 * in: that is what a render would confirm or refute.
 */
static void note_skipped(struct lint_run *run, const struct helm_chart *c, const char *why,
			 size_t first_static)
{
	const struct rule *r = rule_find("NR304");
	if (!r)
		return;
	size_t pl = strlen(helm_skip_prefix);
	bool found = false;
	for (size_t i = first_static; i < run->diags.n; i++)
		found |= run->diags.items[i].rule->kind == KIND_HELM;
	if (!found)
		return;
	for (size_t i = 0; i < run->diags.n; i++)
		if (run->diags.items[i].rule == r &&
		    strncmp(run->diags.items[i].message, helm_skip_prefix, pl) == 0)
			return; /* once per run */
	diag_add(&run->diags, r, c->chart_file->path, c->chart_file->src, 0, 0,
		 "%s: %s, so the Kubernetes rules did not run on the chart as helm template "
		 "renders it, with and without --api-versions %s; install helm or pass --helm BIN",
		 helm_skip_prefix, why, openshift_api);
}

static bool render(struct lint_run *run, struct helm_chart *c, const struct helm_sandbox *sb,
		   const char *helm, bool openshift, struct pass *ps)
{
	const struct lint_options *o = run->opts;
	size_t max = 8 + 2 * (o->nvalues + o->nsets);
	char **argv = arena_alloc(run->arena, max * sizeof(*argv));
	if (!argv)
		return false;
	size_t n = 0;
	argv[n++] = (char *)helm;
	argv[n++] = "template";
	argv[n++] = "unroot";
	argv[n++] = (char *)sb->chart;
	for (size_t i = 0; i < o->nvalues; i++) {
		argv[n++] = "--values";
		argv[n++] = (char *)o->values[i];
	}
	for (size_t i = 0; i < o->nsets; i++) {
		argv[n++] = "--set";
		argv[n++] = (char *)o->sets[i];
	}
	if (openshift) {
		argv[n++] = "--api-versions";
		argv[n++] = (char *)openshift_api;
	}
	argv[n] = NULL;

	struct capture out = {.limit = HELM_MAX_OUTPUT}, err = {.limit = HELM_MAX_STDERR};
	int status = 0;
	enum spawn_result r = spawn_capture(argv, sb->envp, &out, &err, &status);
	const char *api = openshift ? " --api-versions security.openshift.io/v1" : "";
	bool ok = false;
	switch (r) {
	case SPAWN_OK:
		ok = true;
		break;
	case SPAWN_FAILED:
		run_parse_error(run, c->path, NULL, 0, 0, "cannot run helm '%s': %s", helm,
				strerror(errno));
		break;
	case SPAWN_TIMEOUT:
		run_parse_error(run, c->path, NULL, 0, 0,
				"helm template%s did not finish in %d s; stopped", api,
				HELM_TIMEOUT_MS / 1000);
		break;
	case SPAWN_TOO_BIG:
		run_parse_error(run, c->path, NULL, 0, 0,
				"helm template%s wrote more than %zu MiB; stopped", api,
				HELM_MAX_OUTPUT >> 20);
		break;
	case SPAWN_EXIT: {
		/* helm's own words, first lines, and where they point. */
		const char *msg = err.data ? err.data : "";
		while (*msg == '\n' || *msg == ' ')
			msg++;
		size_t k = strcspn(msg, "\n");
		const char *first = arena_strndup(run->arena, msg, k > 400 ? 400 : k);
		const struct helm_file *f = NULL;
		size_t off = 0;
		if (first && error_position(c, first, &f, &off))
			run_parse_error(run, f->path, f->src, off, off,
					"helm template%s failed: %s", api, first);
		else
			run_parse_error(run, c->path, NULL, 0, 0,
					"helm template%s failed (exit %d): %s", api, status,
					first && *first ? first : "no message");
		break;
	}
	}
	if (ok) {
		ps->openshift = openshift;
		ps->chart = c;
		ps->input = c->path;
		lint_output(run, ps, out.data ? out.data : "", out.len);
	}
	free(out.data);
	free(err.data);
	return ok;
}

void helm_render_checks(struct lint_run *run, struct helm_chart *c, size_t first_static)
{
	bool explicit = false, off = false;
	const char *helm = find_helm(run, &explicit, &off);
	if (off || c->library)
		return; /* a library chart renders nothing of its own */
	if (!helm) {
		if (explicit)
			run_parse_error(run, c->path, NULL, 0, 0,
					"cannot run helm '%s': not an executable file",
					run->opts->helm_bin);
		else
			note_skipped(run, c, "no helm binary on PATH", first_static);
		return;
	}
	if (!reader_for_kind(KIND_K8S)) {
		note_skipped(run, c, "this build has no Kubernetes reader", first_static);
		return;
	}
	unsigned plats = run->opts->platforms;
	bool plain = plats & ~(unsigned)PLAT_OPENSHIFT;
	bool os = plats & PLAT_OPENSHIFT;
	struct pass ps = {.narrow = plain && os, .first = run->diags.n, .supp_first = run->nsupp};
	struct helm_sandbox sb;
	if (!helm_sandbox_open(run, c, &sb))
		return;
	if (plain) {
		/* Room for the raw messages of the plain pass, for merging with the other. */
		ps.raw = arena_alloc(run->arena, 4096 * sizeof(*ps.raw));
		if (!ps.raw)
			ps.narrow = false;
		render(run, c, &sb, helm, false, &ps);
		ps.plain_end = run->diags.n;
		ps.supp_plain_end = run->nsupp;
		if (ps.plain_end - ps.first > 4096)
			ps.plain_end = ps.first + 4096;
	}
	if (os)
		render(run, c, &sb, helm, true, &ps);
	helm_sandbox_close(&sb);
}
