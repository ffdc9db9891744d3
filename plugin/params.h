/* SPDX-License-Identifier: GPL-2.0 */
/*
 * params.h - a component's initialization parameters checked against a
 * table of what each one accepts, as babeltrace2's own plugins do: an
 * unknown name, a value of the wrong type, out of its range or of the wrong
 * syntax is an error that names that parameter and says what it accepts.
 */
#ifndef VMSYNC_PARAMS_H
#define VMSYNC_PARAMS_H

#include <babeltrace2/babeltrace.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The largest duration a parameter in microseconds or milliseconds takes:
 * one day, whose nanoseconds fit int64_t with room for sums. No suffix:
 * plugin.c's help text quotes them.
 */
#define PARAM_DAY_US 86400000000
#define PARAM_DAY_MS 86400000

enum param_type {
	PARAM_UINT,	/* an integer, signed or not, from min to max */
	PARAM_STRING,
	PARAM_BOOL,
};

struct param_spec {
	const char *name;
	enum param_type type;
	uint64_t min, max;	/* PARAM_UINT: the range it accepts */
	uint64_t dflt;		/* PARAM_UINT, PARAM_BOOL: when not given */
	/* PARAM_UINT: its unit ("microseconds"); PARAM_STRING: its syntax. */
	const char *what;
	/*
	 * PARAM_STRING, optional: NULL when @s is well formed, else what is
	 * wrong with it (in @buf of @len, or a constant).
	 */
	const char *(*check)(const char *s, char *buf, size_t len);
};

struct param_value {
	bool given;
	uint64_t u;		/* PARAM_UINT, PARAM_BOOL (0/1): else the default */
	const char *s;		/* PARAM_STRING: borrowed from the map, or NULL */
};

/*
 * Reads map @params (NULL: none) against the @n @specs into @out (one per
 * spec). @who names the component class ("filter.vmsync.tsc") in errors.
 * Returns false, with an error cause on @self for each parameter at fault,
 * when any is unknown or bad.
 */
bool params_read(bt_self_component *self, const char *who, const bt_value *params,
		 const struct param_spec *specs, size_t n, struct param_value *out);

#endif /* VMSYNC_PARAMS_H */
