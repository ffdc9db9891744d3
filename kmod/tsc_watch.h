/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TSC_WATCH_H
#define TSC_WATCH_H

struct kvm_link;

int tsc_watch_start(const struct kvm_link *link);
void tsc_watch_stop(const struct kvm_link *link);

#endif /* TSC_WATCH_H */
