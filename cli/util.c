// SPDX-License-Identifier: GPL-2.0
/* util.c - see util.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

const char *vs_prog = "vmsync";
bool vs_verbose = true;

static void vmsg(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", vs_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void vs_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void vs_info(const char *fmt, ...)
{
	va_list ap;

	if (!vs_verbose)
		return;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

bool strlist_add(struct strlist *l, const char *s)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v)
		return false;
	l->v = v;
	v[l->n] = strdup(s);
	if (!v[l->n])
		return false;
	l->n++;
	return true;
}

bool strlist_add_split(struct strlist *l, const char *s)
{
	char *copy = strdup(s), *save = NULL, *tok;
	bool ok = copy != NULL;

	for (tok = copy ? strtok_r(copy, ",", &save) : NULL; ok && tok;
	     tok = strtok_r(NULL, ",", &save))
		ok = strlist_add(l, tok);
	free(copy);
	return ok;
}

bool strlist_join(const struct strlist *l, char sep, char *buf, size_t len)
{
	size_t used = 0;

	if (!len)
		return false;
	buf[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? (char[]){ sep, 0 } : "",
				 l->v[i]);

		if (n < 0 || (size_t)n >= len - used)
			return false;
		used += (size_t)n;
	}
	return true;
}

void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int run_wait(char *const argv[], int out_fd)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		if (out_fd >= 0) {
			dup2(out_fd, 1);
			dup2(out_fd, 2);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "%s: cannot run %s: %s\n", vs_prog, argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool module_loaded(const char *name)
{
	char want[64], line[256];
	FILE *f = fopen("/proc/modules", "r");
	bool found = false;
	size_t n;

	snprintf(want, sizeof(want), "%s", name);
	for (char *p = want; *p; p++)
		if (*p == '-')
			*p = '_';
	n = strlen(want);
	while (f && !found && fgets(line, sizeof(line), f))
		found = !strncmp(line, want, n) && line[n] == ' ';
	if (f)
		fclose(f);
	return found;
}

int module_load(const char *name, const char *const *args)
{
	char *argv[16] = { "modprobe", (char *)name };
	size_t n = 2;

	if (module_loaded(name))
		return 0;
	for (; args && *args && n < 15; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	return run_wait(argv, -1) == 0 && module_loaded(name) ? 1 : -1;
}

bool module_unload(const char *name)
{
	char *argv[] = { "modprobe", "-r", (char *)name, NULL };
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (!module_loaded(name)) {
		close(null);
		return true;
	}
	/* Quiet: it also tries the modules @name used, some still in use. */
	run_wait(argv, null);
	if (null >= 0)
		close(null);
	return !module_loaded(name);
}

bool parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

const char *ust_clock_plugin(void)
{
	static char path[PATH_MAX + 64];
	static const char *const where[] = { "%s/../lib/vmsync/%s", "%s/../lib/%s" };
	const char *env = getenv("LTTNG_UST_CLOCK_PLUGIN");
	char self[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return NULL;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		snprintf(path, sizeof(path), where[i], self, "liblttng-ust-clock-tsc.so");
		if (!access(path, R_OK))
			return path;
	}
	return NULL;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *tool_path(const char *name, char *buf, size_t len)
{
	static const char *const where[] = { "%s/%s", "%s/../../plugin/%s", "%s/../../build/bin/%s" };
	char self[PATH_MAX], *dir;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		dir = strrchr(self, '/');
		if (dir)
			*dir = '\0';
		for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
			snprintf(buf, len, where[i], self, name);
			if (!access(buf, X_OK))
				return buf;
		}
	}
	snprintf(buf, len, "%s", name);
	return buf;
}
