/*
 * run-cases.c - runs a rule case file (format: tests/rules/README.md).
 *
 * usage: run-cases UNROOT FILE.cases
 *
 * Each case is written into a fresh folder, linted with the real binary
 * (-f json --no-config), and the findings of the file's rule are compared
 * with the case's expectations. Prints one line a case and a closing
 * "N passed, N failed" line; exits 1 when a case failed.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <libgen.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct file {
	char *name;
	char *text;
	bool image; /* `--- image NAME`: text describes an image, built into NAME */
};

struct expect {
	char *file; /* NULL: the first file linted */
	unsigned line, col;
	bool in_image; /* an image finding: `object` is checked instead of a position */
	char *object;  /* the path in the image it names; NULL for the image as a whole */
	char *contains;
	char *severity; /* ` ! info`: the finding's severity, or NULL */
};

struct tcase {
	char *title;
	bool fires;
	struct file files[32];
	size_t nfiles;
	char *args[32];
	size_t nargs;
	struct expect expects[64];
	size_t nexpects;
	bool has_expect;
	bool allow_parse_errors; /* "--- allow" lists NR000 */
};

static char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (!p) {
		perror("strndup");
		exit(2);
	}
	return p;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += got;
		if (cap - len < 2) {
			char *bigger = realloc(buf, cap *= 2);
			if (!bigger) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = bigger;
		}
	}
	fclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

static int mkdirs(const char *path)
{
	char *copy = xstrndup(path, strlen(path));
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
			free(copy);
			return -1;
		}
		*p = '/';
	}
	free(copy);
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* Output of `argv` into a malloc'd string; *status gets the exit code. */
static char *run(char *const argv[], const char *dir, int *status)
{
	int fd[2];
	if (pipe(fd) != 0)
		return NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	posix_spawn_file_actions_addclose(&fa, fd[0]);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	char *cwd = getcwd(NULL, 0);
	if (chdir(dir) != 0) {
		free(cwd);
		return NULL;
	}
	pid_t pid;
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	if (chdir(cwd) != 0)
		rc = -1;
	free(cwd);
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	if (rc != 0) {
		close(fd[0]);
		return NULL;
	}
	size_t cap = 4096, len = 0;
	char *out = malloc(cap);
	ssize_t got;
	while (out && (got = read(fd[0], out + len, cap - len - 1)) > 0) {
		len += (size_t)got;
		if (cap - len < 2) {
			char *bigger = realloc(out, cap *= 2);
			if (!bigger)
				break;
			out = bigger;
		}
	}
	close(fd[0]);
	if (out)
		out[len] = '\0';
	waitpid(pid, status, 0);
	*status = WIFEXITED(*status) ? WEXITSTATUS(*status) : 128;
	return out;
}

static bool passed_on_cmdline(const char *name)
{
	size_t n = strlen(name);
	if (n > 3 && strcmp(name + n - 3, ".sh") == 0)
		return false;
	if (strncmp(name, "context/", 8) == 0 || strstr(name, "/context/"))
		return false;
	/* Files inside a chart folder are linted through the folder. */
	return true;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->name, ((const struct file *)b)->name);
}

/* The top folder of a case file name ("chart/values.yaml" -> "chart"), or NULL. */
static char *top_dir(const char *name)
{
	const char *slash = strchr(name, '/');
	return slash ? xstrndup(name, (size_t)(slash - name)) : NULL;
}

/* --- images from a description ---------------------------------------------- */

/* Text with \n and \t written as escapes, unescaped in place. */
static size_t unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && (r[1] == 'n' || r[1] == 't' || r[1] == '\\')) {
			r++;
			*w++ = *r == 'n' ? '\n' : *r == 't' ? '\t' : '\\';
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

/* The next space-separated word of *p (NUL-terminated in place), or NULL. */
static char *word(char **p)
{
	while (**p == ' ')
		(*p)++;
	if (!**p)
		return NULL;
	char *w = *p;
	while (**p && **p != ' ')
		(*p)++;
	if (**p)
		*(*p)++ = '\0';
	return w;
}

/* struct vfs_cap_data, revision 2: the permitted capabilities by number, effective. */
static size_t cap_data(char *p, unsigned char out[20])
{
	memset(out, 0, 20);
	uint64_t bits = 0;
	for (char *w; (w = word(&p));)
		bits |= (uint64_t)1 << (atoi(w) & 63);
	uint32_t v[5] = {0x02000001u, (uint32_t)bits, 0, (uint32_t)(bits >> 32), 0};
	for (int i = 0; i < 5; i++)
		for (int b = 0; b < 4; b++)
			out[4 * i + b] = (unsigned char)(v[i] >> (8 * b));
	return 20;
}

/*
 * One layer from the description's dir, file, link and caps lines, into a
 * malloc'd tar; the config's fields into cfg. Returns NULL with *why set.
 */
static char *build_layer(char *desc, json_t *cfg, size_t *len, const char **why)
{
	size_t cap = 1 << 20;
	char *buf = malloc(cap);
	struct archive *a = archive_write_new();
	if (!buf || !a || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_memory(a, buf, cap, len) != ARCHIVE_OK) {
		*why = "cannot start a layer";
		free(buf);
		archive_write_free(a);
		return NULL;
	}
	json_t *conf = json_object();
	json_object_set_new(cfg, "config", conf);
	struct archive_entry *pending = NULL; /* a file, until its caps line or the next entry */
	char *data = NULL;
	size_t dlen = 0;
	*why = NULL;
	for (char *line = desc, *next; line && *line && !*why; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *p = line;
		char *key = word(&p);
		if (!key)
			continue;
		if (pending && strcmp(key, "caps") == 0) {
			unsigned char v[20];
			archive_entry_xattr_add_entry(pending, "security.capability", v,
						      cap_data(p, v));
			continue;
		}
		if (pending) {
			archive_write_header(a, pending);
			archive_write_data(a, data, dlen);
			archive_entry_free(pending);
			pending = NULL;
		}
		if (strcmp(key, "user") == 0 || strcmp(key, "workdir") == 0) {
			json_object_set_new(conf, key[0] == 'u' ? "User" : "WorkingDir",
					    json_string(p));
		} else if (strcmp(key, "entrypoint") == 0 || strcmp(key, "cmd") == 0 ||
			   strcmp(key, "env") == 0 || strcmp(key, "volume") == 0) {
			json_t *list = json_array();
			for (char *w; (w = word(&p));)
				json_array_append_new(list, json_string(w));
			if (strcmp(key, "volume") == 0) {
				json_t *vols = json_object();
				size_t i;
				json_t *v;
				json_array_foreach(list, i, v)
				    json_object_set_new(vols, json_string_value(v), json_object());
				json_decref(list);
				json_object_set_new(conf, "Volumes", vols);
			} else {
				json_object_set_new(conf,
						    key[0] == 'e' && key[1] == 'n' && key[2] == 't'
							? "Entrypoint"
						    : key[0] == 'c' ? "Cmd"
								    : "Env",
						    list);
			}
		} else if (strcmp(key, "dir") == 0 || strcmp(key, "file") == 0 ||
			   strcmp(key, "link") == 0) {
			char *path = word(&p);
			struct archive_entry *e = archive_entry_new();
			if (!path || path[0] != '/') {
				*why = "an entry's path must start with '/'";
				archive_entry_free(e);
				break;
			}
			archive_entry_set_pathname(e, path + 1);
			archive_entry_set_mtime(e, 0, 0);
			if (key[0] == 'l') {
				char *target = word(&p);
				archive_entry_set_filetype(e, AE_IFLNK);
				archive_entry_set_perm(e, 0777);
				archive_entry_set_symlink(e, target ? target : "");
				data = NULL;
				dlen = 0;
			} else {
				char *owner = word(&p), *mode = word(&p);
				if (!owner || !mode || !strchr(owner, ':')) {
					*why = "dir and file need UID:GID and MODE";
					archive_entry_free(e);
					break;
				}
				archive_entry_set_uid(e, atoi(owner));
				archive_entry_set_gid(e, atoi(strchr(owner, ':') + 1));
				archive_entry_set_perm(e, (mode_t)strtoul(mode, NULL, 8));
				archive_entry_set_filetype(e, key[0] == 'd' ? AE_IFDIR : AE_IFREG);
				while (*p == ' ')
					p++;
				data = key[0] == 'f' ? p : NULL;
				dlen = data ? unescape(data) : 0;
				archive_entry_set_size(e, (la_int64_t)dlen);
			}
			pending = e;
		} else {
			*why =
			    "unknown line in an image description (user, workdir, entrypoint, cmd, "
			    "env, volume, dir, file, link, caps)";
		}
	}
	if (pending) {
		archive_write_header(a, pending);
		archive_write_data(a, data, dlen);
		archive_entry_free(pending);
	}
	if (archive_write_close(a) != ARCHIVE_OK && !*why)
		*why = "the layer does not fit in 1 MiB";
	archive_write_free(a);
	if (*why) {
		free(buf);
		return NULL;
	}
	return buf;
}

static bool add_member(struct archive *a, const char *name, const void *data, size_t len)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_mtime(e, 0, 0);
	bool ok = archive_write_header(a, e) == ARCHIVE_OK &&
		  archive_write_data(a, data, len) == (la_ssize_t)len;
	archive_entry_free(e);
	return ok;
}

/* A docker-archive (docker save) of one layer, at path; NULL, or why it could not be built. */
static const char *build_image(const char *path, const char *description)
{
	char *desc = xstrndup(description, strlen(description));
	json_t *cfg = json_pack("{s:s, s:s}", "architecture", "amd64", "os", "linux");
	size_t llen = 0;
	const char *why = NULL;
	char *layer = build_layer(desc, cfg, &llen, &why);
	free(desc);
	if (!layer) {
		json_decref(cfg);
		return why;
	}
	char *config = json_dumps(cfg, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(cfg);
	const char *manifest = "[{\"Config\":\"config.json\",\"RepoTags\":[\"case:1\"],\"Layers\":["
			       "\"layer/layer.tar\"]}]";
	struct archive *a = archive_write_new();
	bool ok = a && config && archive_write_set_format_pax_restricted(a) == ARCHIVE_OK &&
		  archive_write_open_filename(a, path) == ARCHIVE_OK &&
		  add_member(a, "manifest.json", manifest, strlen(manifest)) &&
		  add_member(a, "config.json", config, strlen(config)) &&
		  add_member(a, "layer/layer.tar", layer, llen) &&
		  archive_write_close(a) == ARCHIVE_OK;
	archive_write_free(a);
	free(config);
	free(layer);
	return ok ? NULL : "cannot write the image archive";
}

static bool check_case(const char *unroot, const char *code, struct tcase *c, char *why,
		       size_t whylen)
{
	char tmpl[] = "/tmp/unroot-case-XXXXXX";
	char *dir = mkdtemp(tmpl);
	if (!dir) {
		snprintf(why, whylen, "cannot make a temporary folder");
		return false;
	}
	qsort(c->files, c->nfiles, sizeof(c->files[0]), cmp_names);
	char *argv[128];
	size_t argc = 0;
	argv[argc++] = (char *)unroot;
	argv[argc++] = "-f";
	argv[argc++] = "json";
	argv[argc++] = "--no-config";
	for (size_t i = 0; i < c->nargs && argc < 100; i++)
		argv[argc++] = c->args[i];
	const char *first = NULL;
	char *tops[32];
	size_t ntops = 0;
	for (size_t i = 0; i < c->nfiles; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, c->files[i].name);
		if (mkdirs(path) != 0) {
			snprintf(why, whylen, "cannot make folders for %s", c->files[i].name);
			return false;
		}
		if (c->files[i].image) {
			const char *err = build_image(path, c->files[i].text);
			if (err) {
				snprintf(why, whylen, "image %s: %s", c->files[i].name, err);
				return false;
			}
		} else {
			FILE *f = fopen(path, "wb");
			if (!f) {
				snprintf(why, whylen, "cannot write %s", c->files[i].name);
				return false;
			}
			fputs(c->files[i].text, f);
			fclose(f);
		}
		if (strstr(c->files[i].name, ".sh"))
			chmod(path, 0755);
		if (!passed_on_cmdline(c->files[i].name))
			continue;
		/* A folder with Chart.yaml is passed as the folder, once. */
		char *top = top_dir(c->files[i].name);
		if (top) {
			char chart[4096];
			snprintf(chart, sizeof(chart), "%s/%s/Chart.yaml", dir, top);
			bool is_chart = false;
			for (size_t k = 0; k < c->nfiles; k++) {
				char want[4096];
				snprintf(want, sizeof(want), "%s/Chart.yaml", top);
				if (strcmp(c->files[k].name, want) == 0)
					is_chart = true;
			}
			if (is_chart) {
				bool seen = false;
				for (size_t k = 0; k < ntops; k++)
					seen |= strcmp(tops[k], top) == 0;
				if (seen) {
					free(top);
					continue;
				}
				tops[ntops++] = top;
				if (!first)
					first = top;
				argv[argc++] = top;
				continue;
			}
			free(top);
		}
		if (!first)
			first = c->files[i].name;
		if (argc < 120)
			argv[argc++] = c->files[i].name;
	}
	argv[argc] = NULL;
	int status;
	char *out = run(argv, dir, &status);
	for (size_t k = 0; k < ntops; k++)
		free(tops[k]);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (!out) {
		snprintf(why, whylen, "cannot run %s", unroot);
		return false;
	}
	json_error_t jerr;
	json_t *root = json_loads(out, 0, &jerr);
	if (!root) {
		snprintf(why, whylen, "output is not JSON (exit %d): %.200s", status, out);
		free(out);
		return false;
	}
	free(out);
	json_t *diags = json_object_get(root, "diagnostics");
	bool ok = true;
	bool used[64] = {false};
	size_t seen = 0;
	size_t i;
	json_t *d;
	json_array_foreach(diags, i, d)
	{
		const char *rule = json_string_value(json_object_get(d, "rule"));
		if (!rule || strcmp(rule, code) != 0)
			continue;
		seen++;
		const char *path = json_string_value(json_object_get(d, "path"));
		unsigned line = (unsigned)json_integer_value(json_object_get(d, "line"));
		unsigned col = (unsigned)json_integer_value(json_object_get(d, "column"));
		const char *msg = json_string_value(json_object_get(d, "message"));
		const char *object = json_string_value(json_object_get(d, "object"));
		bool matched = false;
		for (size_t k = 0; k < c->nexpects && !matched; k++) {
			struct expect *e = &c->expects[k];
			const char *want = e->file ? e->file : first;
			if (used[k] || !want || !path)
				continue;
			if (e->in_image ? (e->object ? !object || strcmp(object, e->object) != 0
						     : object != NULL)
					: e->line != line || e->col != col)
				continue;
			size_t wl = strlen(want), pl = strlen(path);
			/* The path may be reported as given or below the chart folder. */
			if (strcmp(path, want) != 0 &&
			    !(pl > wl && strcmp(path + pl - wl, want) == 0 &&
			      path[pl - wl - 1] == '/') &&
			    strncmp(path, want, wl) != 0)
				continue;
			if (e->contains && (!msg || !strstr(msg, e->contains)))
				continue;
			const char *sev = json_string_value(json_object_get(d, "severity"));
			if (e->severity && (!sev || strcmp(sev, e->severity) != 0))
				continue;
			used[k] = matched = true;
		}
		if (!matched && ok) {
			snprintf(why, whylen, "unexpected %s at %s:%u:%u%s%s: %s", code, path, line,
				 col, object ? " on " : "", object ? object : "", msg ? msg : "");
			ok = false;
		}
	}
	for (size_t k = 0; k < c->nexpects && ok; k++) {
		if (!used[k]) {
			struct expect *e = &c->expects[k];
			if (e->in_image)
				snprintf(why, whylen,
					 "expected %s on %s%s%s, got %zu finding(s) of it", code,
					 e->object ? e->object : "the image",
					 e->contains ? " containing " : "",
					 e->contains ? e->contains : "", seen);
			else
				snprintf(why, whylen,
					 "expected %s at %s%s%u:%u%s%s, got %zu finding(s) of it",
					 code, e->file ? e->file : "", e->file ? ":" : "", e->line,
					 e->col, e->contains ? " containing " : "",
					 e->contains ? e->contains : "", seen);
			ok = false;
		}
	}
	if (ok && status == 2 && !c->allow_parse_errors) {
		json_t *d0;
		json_array_foreach(diags, i, d0)
		{
			const char *rule = json_string_value(json_object_get(d0, "rule"));
			if (rule && strcmp(rule, "NR000") == 0 && strcmp(code, "NR000") != 0) {
				snprintf(why, whylen, "the input did not parse: %s",
					 json_string_value(json_object_get(d0, "message")));
				ok = false;
				break;
			}
		}
	}
	json_decref(root);
	return ok;
}

/* Everything a case owns, so the leak checker sees a clean exit. */
static void free_cases(struct tcase *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct tcase *c = &cases[i];
		free(c->title);
		for (size_t k = 0; k < c->nfiles; k++) {
			free(c->files[k].name);
			free(c->files[k].text);
		}
		for (size_t k = 0; k < c->nargs; k++)
			free(c->args[k]);
		for (size_t k = 0; k < c->nexpects; k++) {
			free(c->expects[k].file);
			free(c->expects[k].object);
			free(c->expects[k].contains);
			free(c->expects[k].severity);
		}
	}
	free(cases);
}

static void parse_expect(struct tcase *c, const char *line)
{
	if (c->nexpects >= 64)
		return;
	struct expect *e = &c->expects[c->nexpects];
	memset(e, 0, sizeof(*e));
	const char *tilde = strstr(line, " ~ ");
	size_t poslen = tilde ? (size_t)(tilde - line) : strlen(line);
	if (tilde)
		e->contains = xstrndup(tilde + 3, strlen(tilde + 3));
	/* LINE:COL ! SEVERITY: the finding's severity too */
	const char *bang = strstr(line, " ! ");
	if (bang && bang < line + poslen) {
		size_t sl = poslen - (size_t)(bang + 3 - line);
		e->severity = xstrndup(bang + 3, sl);
		poslen = (size_t)(bang - line);
	}
	/* `/PATH` or `image`: a finding on a path in the image, or on the image as a whole */
	if (line[0] == '/' || (poslen == 5 && strncmp(line, "image", 5) == 0)) {
		e->in_image = true;
		e->object = line[0] == '/' ? xstrndup(line, poslen) : NULL;
		c->nexpects++;
		return;
	}
	char *pos = xstrndup(line, poslen);
	/* NAME:LINE:COL or LINE:COL */
	char *last = strrchr(pos, ':');
	if (!last) {
		free(pos);
		free(e->contains);
		free(e->severity);
		e->contains = e->severity = NULL;
		return;
	}
	*last = '\0';
	e->col = (unsigned)atoi(last + 1);
	char *mid = strrchr(pos, ':');
	if (mid) {
		*mid = '\0';
		e->line = (unsigned)atoi(mid + 1);
		e->file = xstrndup(pos, strlen(pos));
	} else {
		e->line = (unsigned)atoi(pos);
	}
	free(pos);
	c->nexpects++;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: run-cases UNROOT FILE.cases\n");
		return 2;
	}
	char *text = slurp(argv[2]);
	if (!text) {
		/* Every rule of the table needs cases: a missing file is a failed test. */
		printf("FAIL %s: no case file: write its fires and quiet cases "
		       "(tests/rules/README.md)\n",
		       argv[2]);
		return 1;
	}
	/* The binary is run from each case's folder: make its path absolute. */
	char *unroot = realpath(argv[1], NULL);
	if (!unroot) {
		fprintf(stderr, "cannot find %s\n", argv[1]);
		return 2;
	}
	argv[1] = unroot;
	char *base = xstrndup(basename(argv[2]), 64);
	char *dot = strchr(base, '.');
	if (dot)
		*dot = '\0';
	const char *code = base;

	struct tcase *cases = calloc(256, sizeof(*cases));
	size_t ncases = 0;
	struct tcase *cur = NULL;
	enum { NONE, FILEBODY, ARGS, EXPECT, ALLOW } mode = NONE;
	struct file *body = NULL;
	size_t bodylen = 0, bodycap = 0;
	char *p = text;
	while (*p) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, n);
		p += n + (nl != NULL);
		if (strncmp(line, "=== ", 4) == 0 || strncmp(line, "--- ", 4) == 0) {
			mode = NONE;
			body = NULL;
		}
		if (strncmp(line, "=== ", 4) == 0) {
			if (ncases == 256) {
				free(line);
				break;
			}
			cur = &cases[ncases++];
			cur->fires = strncmp(line + 4, "fires", 5) == 0;
			cur->title = line;
			continue;
		}
		if (!cur) {
			free(line);
			continue;
		}
		if (strncmp(line, "--- ", 4) == 0) {
			const char *name = line + 4;
			if (strcmp(name, "args") == 0)
				mode = ARGS;
			else if (strcmp(name, "allow") == 0)
				mode = ALLOW;
			else if (strcmp(name, "expect") == 0) {
				mode = EXPECT;
				cur->has_expect = true;
			} else if (cur->nfiles < 32) {
				body = &cur->files[cur->nfiles++];
				body->image = strncmp(name, "image ", 6) == 0;
				if (body->image)
					name += 6;
				body->name = xstrndup(name, strlen(name));
				body->text = xstrndup("", 0);
				bodylen = 0;
				bodycap = 0;
				mode = FILEBODY;
			}
			free(line);
			continue;
		}
		if (mode == FILEBODY && body) {
			if (bodylen + n + 2 > bodycap) {
				bodycap = (bodylen + n + 2) * 2;
				body->text = realloc(body->text, bodycap);
				if (!body->text)
					return 2;
			}
			memcpy(body->text + bodylen, line, n);
			bodylen += n;
			body->text[bodylen++] = '\n';
			body->text[bodylen] = '\0';
		} else if (mode == ARGS && n && cur->nargs < 32) {
			cur->args[cur->nargs++] = line;
			continue;
		} else if (mode == ALLOW && strcmp(line, "NR000") == 0) {
			cur->allow_parse_errors = true;
		} else if (mode == EXPECT && n) {
			parse_expect(cur, line);
		}
		free(line);
	}

	size_t passed = 0, failed = 0;
	for (size_t i = 0; i < ncases; i++) {
		struct tcase *c = &cases[i];
		char why[1024] = "";
		bool ok;
		if (c->fires && c->nexpects == 0) {
			snprintf(why, sizeof(why), "a fires case must expect a finding");
			ok = false;
		} else if (!c->fires && c->nexpects) {
			snprintf(why, sizeof(why), "a quiet case must expect none");
			ok = false;
		} else if (c->nfiles == 0) {
			snprintf(why, sizeof(why), "the case has no files");
			ok = false;
		} else {
			ok = check_case(argv[1], code, c, why, sizeof(why));
		}
		printf("%s %s %s%s%s\n", ok ? "ok  " : "FAIL", code, c->title + 4, ok ? "" : ": ",
		       why);
		ok ? passed++ : failed++;
	}
	if (ncases == 0) {
		printf("FAIL %s: no cases\n", code);
		failed++;
	}
	printf("%zu passed, %zu failed\n", passed, failed);
	free_cases(cases, ncases);
	free(text);
	free(base);
	free(unroot);
	return failed ? 1 : 0;
}
