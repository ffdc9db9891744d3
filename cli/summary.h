/* SPDX-License-Identifier: GPL-2.0 */
/*
 * summary.h - what vmsync record says at its end: per machine, the trace
 * it left, events recorded, discarded and packets lost, and what went
 * wrong; so that nothing recorded is lost silently.
 */
#ifndef VMSYNC_CLI_SUMMARY_H
#define VMSYNC_CLI_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

#include "guest.h"
#include "session.h"

/*
 * Print the summary of the recording into @dir (host session @host_session
 * with counts @host, and @guests); @dir NULL: the traces are on a relay
 * daemon elsewhere (only the counts are known here). False when a machine
 * has no trace or a guest never recorded.
 */
bool summary_print(const char *dir, const char *host_session, const struct session_counts *host,
		   const struct guest *guests, size_t nr_guests);

#endif /* VMSYNC_CLI_SUMMARY_H */
