/* SPDX-License-Identifier: GPL-2.0 */
/*
 * timeline.h - the report's picture: host CPUs, each vCPU's host-side state
 * and what each guest vCPU runs, with the guest latencies, written as they
 * come in the trace-event JSON format (Perfetto UI, chrome://tracing) and/or
 * as one self-contained HTML page that draws the same events. Spans past a
 * budget are left out and counted; latencies are always kept.
 */
#ifndef VMSYNC_TIMELINE_H
#define VMSYNC_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "report.h"

/* NULL with @err set (what went wrong, naming the file) on failure. */
struct timeline *timeline_open(const char *chrome_path, const char *html_path,
			       uint64_t max_spans, char *err, size_t len);
void timeline_vcpu_lane(struct timeline *tl, const struct lane *l);
void timeline_guest_lane(struct timeline *tl, const struct guest_vcpu *g);
void timeline_segment(struct timeline *tl, const struct lane *l, const struct vcpu_segment *s);
void timeline_host_cpu(struct timeline *tl, const struct host_cpu *c, int64_t end);
/* What guest vCPU @g ran (g->task_*) from @begin to @end. */
void timeline_guest_task(struct timeline *tl, const struct guest_vcpu *g, int64_t begin,
			 int64_t end);
void timeline_latency(struct timeline *tl, const struct latency *l);
/* Ends the files (the page's summary: @summary). False: a write failed (@err). */
bool timeline_close(struct timeline *tl, const char *summary, char *err, size_t len);

#endif /* VMSYNC_TIMELINE_H */
