/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The prefix of every message of vmsync's modules: the module's name.
 * Included first by every .c file of kmod/, before any kernel header.
 */
#ifndef VMSYNC_PR_FMT_H
#define VMSYNC_PR_FMT_H

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#endif /* VMSYNC_PR_FMT_H */
