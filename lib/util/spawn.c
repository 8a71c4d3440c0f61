/* spawn.c - run a helper, keep its output, within a size and a time (spawn.h). */
#include "util/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct sink {
	char *data;
	size_t len, cap, limit;
	bool over;
};

static void keep(struct sink *s, const char *buf, size_t n)
{
	if (s->len + n > s->limit) {
		s->over = true;
		n = s->limit > s->len ? s->limit - s->len : 0;
	}
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 16 * 1024;
		while (cap < s->len + n + 1)
			cap *= 2;
		char *p = realloc(s->data, cap);
		if (!p) {
			s->over = true;
			return;
		}
		s->data = p;
		s->cap = cap;
	}
	memcpy(s->data + s->len, buf, n);
	s->len += n;
	s->data[s->len] = 0;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

enum spawn_result spawn_run(char *const argv[], const struct spawn_how *how, struct spawn_out *out)
{
	memset(out, 0, sizeof(*out));
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
	int rc = how->envp ? posix_spawn(&pid, argv[0], &fa, NULL, argv, how->envp)
			   : posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	if (rc != 0) {
		close(po[0]);
		close(pe[0]);
		errno = rc;
		return SPAWN_FAILED;
	}
	struct sink so = {.limit = how->limit}, se = {.limit = how->err_limit};
	struct pollfd fds[2] = {{.fd = po[0], .events = POLLIN}, {.fd = pe[0], .events = POLLIN}};
	long deadline = now_ms() + how->timeout_ms;
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
				keep(i == 0 ? &so : &se, buf, (size_t)k);
			} else if (k == 0 || errno != EINTR) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			}
		}
		if (so.over) {
			res = SPAWN_TOO_BIG;
			break;
		}
		se.over = false; /* standard error is cut, never an error */
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	if (res != SPAWN_OK)
		kill(pid, SIGKILL);
	int ws = 0;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	out->data = so.data;
	out->len = so.len;
	out->err = se.data;
	if (res != SPAWN_OK)
		return res;
	out->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
	return out->status == 0 ? SPAWN_OK : SPAWN_EXIT;
}
