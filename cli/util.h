/* SPDX-License-Identifier: GPL-2.0 */
/*
 * util.h - what the vmsync command's parts share: messages, string lists,
 * running a program, kernel modules.
 */
#ifndef VMSYNC_CLI_UTIL_H
#define VMSYNC_CLI_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* "vmsync SUBCOMMAND: ..." on stderr; set once by main(). */
extern const char *vs_prog;
void vs_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vs_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Whether vs_info() prints (-q turns it off). */
extern bool vs_verbose;

struct strlist {
	char **v;
	size_t n;
};

/* Append a copy of @s; false when out of memory. */
bool strlist_add(struct strlist *l, const char *s);
/* Append each comma-separated item of @s. */
bool strlist_add_split(struct strlist *l, const char *s);
/* The items joined by @sep, in @buf; false when it does not fit. */
bool strlist_join(const struct strlist *l, char sep, char *buf, size_t len);
void strlist_free(struct strlist *l);

/*
 * Run @argv (argv[0] looked up in PATH) and wait: its exit status, or -1
 * when it could not run or was killed. Its output goes to @out_fd when
 * that is not -1, else to ours.
 */
int run_wait(char *const argv[], int out_fd);

/* Whether kernel module @name (dashes or underscores) is loaded. */
bool module_loaded(const char *name);
/*
 * Load @name with modprobe and @args (NULL-terminated, may be empty) unless
 * it is loaded: 1 loaded now, 0 was loaded, -1 failed (modprobe said why).
 */
int module_load(const char *name, const char *const *args);
/* Unload @name with modprobe -r; false if it stays. */
bool module_unload(const char *name);

/* Parse a decimal unsigned in [lo, hi]; false if @s is not one. */
bool parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out);

/*
 * vmsync's LTTng-UST TSC clock (liblttng-ust-clock-tsc.so): $LTTNG_UST_CLOCK_PLUGIN
 * if set, else beside this program as installed (../lib/vmsync/) or built
 * (../lib/); NULL when not found.
 */
const char *ust_clock_plugin(void);

/* Seconds since an arbitrary start (CLOCK_MONOTONIC). */
double now_s(void);

/*
 * Where vmsync's tool @name is: beside this program (installed), or where
 * the build tree keeps it; else @name itself, for the PATH. In @buf.
 */
const char *tool_path(const char *name, char *buf, size_t len);

#endif /* VMSYNC_CLI_UTIL_H */
