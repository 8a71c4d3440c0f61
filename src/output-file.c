/*
 * output-file.c - where a report goes: stdout, or --output FILE written whole
 * or not at all.
 *
 * `unroot --output Dockerfile Dockerfile` once replaced the input with the
 * report, and a run that failed half-way left half a report where the old
 * one was. So --output may not name a file the run reads (same device and
 * inode, which also catches a hard link or a symlink to it), and a regular
 * file is written as a temporary file in its own folder, renamed over it
 * once the report is complete: a reader sees the old report or the new
 * one, never a mix. A device or pipe (/dev/stdout, a FIFO) is written in
 * place, as is a file whose folder does not let us create the temporary one.
 * --write-baseline is held to the same, but may name the --baseline it
 * replaces.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What a written file would replace, for the message: "the report", "the baseline". */
struct target {
	const char *option; /* "--output", "--write-baseline" */
	const char *path;
	const char *what;
	struct stat st;
};

/* True, after saying so, when `path` is the file the target names. */
static bool clash(const char *cmd, const struct target *t, const char *path)
{
	struct stat st;
	if (!path || strcmp(path, "-") == 0 || stat(path, &st) != 0)
		return false;
	if (st.st_dev != t->st.st_dev || st.st_ino != t->st.st_ino)
		return false;
	fprintf(stderr,
		"unroot%s%s: %s '%s' is the input '%s'; %s would replace it, so "
		"nothing was written: name another file\n",
		cmd ? " " : "", cmd ? cmd : "", t->option, t->path, path, t->what);
	return true;
}

/* True, after saying so, when t names a file the run reads; `baseline` too unless allowed. */
static bool names_input(const struct cli *cli, const char *cmd, const struct target *t,
			const char *const *inputs, size_t ninputs, bool baseline)
{
	const struct lint_options *o = &cli->opts;
	for (size_t i = 0; i < cli->npaths; i++)
		if (clash(cmd, t, cli->paths[i]))
			return true;
	for (size_t i = 0; i < ninputs; i++)
		if (clash(cmd, t, inputs[i]))
			return true;
	for (size_t i = 0; i < o->nvalues; i++)
		if (clash(cmd, t, o->values[i]))
			return true;
	for (size_t i = 0; i < o->nimages; i++)
		if (clash(cmd, t, o->images[i].value))
			return true;
	return clash(cmd, t, o->image_config) || clash(cmd, t, cli->config) ||
	       (baseline && clash(cmd, t, o->baseline));
}

bool cli_output_is_input(const struct cli *cli, const char *cmd, const char *const *inputs,
			 size_t ninputs)
{
	struct target t = {"--output", cli->output, "the report", {0}};
	if (!cli->output || stat(cli->output, &t.st) != 0 || !S_ISREG(t.st.st_mode))
		return false; /* a new file, a device or a pipe is no input */
	/* the report over the baseline it was filtered by would lose the baseline */
	return names_input(cli, cmd, &t, inputs, ninputs, true);
}

bool cli_baseline_is_input(const struct cli *cli, const char *const *inputs, size_t ninputs)
{
	struct target t = {"--write-baseline", cli->write_baseline, "the baseline", {0}};
	if (!cli->write_baseline)
		return false;
	bool exists = stat(cli->write_baseline, &t.st) == 0;
	if (cli->output && strcmp(cli->output, "-") != 0) {
		/* two new files are the same when they are named alike */
		struct stat ost;
		bool same = stat(cli->output, &ost) == 0
				? exists && ost.st_dev == t.st.st_dev && ost.st_ino == t.st.st_ino
				: !exists && strcmp(cli->output, cli->write_baseline) == 0;
		if (same) {
			fprintf(stderr,
				"unroot: --write-baseline '%s' is the file --output names, so "
				"nothing was written: name two files\n",
				cli->write_baseline);
			return true;
		}
	}
	if (!exists || !S_ISREG(t.st.st_mode))
		return false; /* a new file, a device or a pipe is no input */
	/* The baseline read with --baseline may be written again: it is read whole first. */
	return names_input(cli, NULL, &t, inputs, ninputs, false);
}

bool out_open(struct out_file *o, const char *cmd, const char *path)
{
	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->path = path;
	o->fp = stdout;
	if (!path)
		return true;
	/* A symlink is written through: the file it names is what gets replaced. */
	struct stat st;
	bool exists = stat(path, &st) == 0;
	if (exists && !S_ISREG(st.st_mode)) {
		o->fp = fopen(path, "w");
		goto opened;
	}
	char *target = exists ? realpath(path, NULL) : strdup(path);
	if (!target)
		goto direct;
	size_t n = strlen(target);
	const char *slash = strrchr(target, '/');
	size_t dlen = slash ? (size_t)(slash - target) + 1 : 0;
	o->tmp = malloc(n + 16);
	if (!o->tmp) {
		free(target);
		goto direct;
	}
	/* ".NAME.XXXXXX" beside it: the same file system, so rename(2) replaces it at once */
	memcpy(o->tmp, target, dlen);
	snprintf(o->tmp + dlen, n + 16 - dlen, ".%s.XXXXXX", target + dlen);
	int fd = mkstemp(o->tmp);
	if (fd < 0) {
		int e = errno;
		free(o->tmp);
		o->tmp = NULL;
		free(target);
		if (e == EACCES || e == EPERM)
			goto direct; /* a writable file in a folder we may not add to */
		o->fp = NULL;
		errno = e;
		goto opened;
	}
	/* the mode fopen(3) would have given: the old file's, or 0666 less the umask */
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, exists ? st.st_mode & 07777 : 0666 & ~mask);
	o->target = target;
	o->fp = fdopen(fd, "w");
	if (!o->fp) {
		close(fd);
		unlink(o->tmp);
	}
	goto opened;
direct:
	o->fp = fopen(path, "w");
opened:
	if (!o->fp) {
		fprintf(stderr, "unroot%s%s: cannot write '%s': %s\n", cmd ? " " : "",
			cmd ? cmd : "", path, strerror(errno));
		free(o->tmp);
		free(o->target);
		o->tmp = o->target = NULL;
		return false;
	}
	return true;
}

bool out_close(struct out_file *o, bool ok)
{
	if (!o->path)
		return true;
	bool wrote = fclose(o->fp) == 0;
	o->fp = NULL;
	if (o->tmp) {
		if (ok && wrote && rename(o->tmp, o->target) != 0)
			wrote = false;
		if (!ok || !wrote)
			unlink(o->tmp);
		free(o->tmp);
		free(o->target);
		o->tmp = o->target = NULL;
	}
	if (ok && !wrote)
		fprintf(stderr, "unroot%s%s: cannot write '%s': %s\n", o->cmd ? " " : "",
			o->cmd ? o->cmd : "", o->path, strerror(errno));
	return wrote;
}
