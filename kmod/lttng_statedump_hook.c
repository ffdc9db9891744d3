// SPDX-License-Identifier: GPL-2.0
/*
 * lttng_statedump_hook.c - run a dump function whenever LTTng dumps the
 * system state (lttng start, lttng regenerate statedump), for that session:
 * kvm_tsc_offset dumps the VMs, kvm_tsc_sync a beacon. Built into both
 * (kmod/sync_statedump_hook.c includes this file).
 *
 * LTTng's statedump module fires its own tracepoint lttng_statedump_start
 * (session) at the beginning of every dump. It is a module tracepoint that
 * is not exported, so it is found by name as modules come and go, through
 * the tracepoint module notifier, as LTTng finds the tracepoints it probes.
 * This needs no symbol of LTTng: this module loads with or without it.
 */
#include "compat/pr_fmt.h"

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "lttng_statedump_hook.h"

#define LTTNG_STATEDUMP_TP "lttng_statedump_start"

static DEFINE_MUTEX(hook_mutex);
static struct tracepoint *hooked_tp;
static lttng_statedump_fn dump_fn;

/* Runs in LTTng's statedump, atomic (a tracepoint probe). */
static void probe_statedump_start(void *data, void *session)
{
	dump_fn(session);
}

static struct tracepoint *find_tp(struct module *mod)
{
	unsigned int i;

	for (i = 0; i < mod->num_tracepoints; i++) {
		struct tracepoint *tp =
			tracepoint_ptr_deref(&mod->tracepoints_ptrs[i]);

		if (!strcmp(tp->name, LTTNG_STATEDUMP_TP))
			return tp;
	}
	return NULL;
}

static int tp_module_notify(struct notifier_block *nb, unsigned long val,
			    void *data)
{
	struct tp_module *tp_mod = data;
	struct tracepoint *tp = find_tp(tp_mod->mod);

	if (!tp)
		return NOTIFY_OK;
	mutex_lock(&hook_mutex);
	if (val == MODULE_STATE_COMING && !hooked_tp) {
		if (tracepoint_probe_register(tp, probe_statedump_start, NULL))
			pr_warn("cannot hook LTTng's statedump: nothing of ours in LTTng's statedumps\n");
		else
			hooked_tp = tp;
	} else if (val == MODULE_STATE_GOING && hooked_tp == tp) {
		tracepoint_probe_unregister(tp, probe_statedump_start, NULL);
		hooked_tp = NULL;
	}
	mutex_unlock(&hook_mutex);
	return NOTIFY_OK;
}

static struct notifier_block tp_module_nb = {
	.notifier_call = tp_module_notify,
};

int lttng_statedump_hook_start(lttng_statedump_fn dump)
{
	dump_fn = dump;
	/* Also calls us for the modules already loaded. */
	return register_tracepoint_module_notifier(&tp_module_nb);
}

void lttng_statedump_hook_stop(void)
{
	unregister_tracepoint_module_notifier(&tp_module_nb);
	mutex_lock(&hook_mutex);
	if (hooked_tp)
		tracepoint_probe_unregister(hooked_tp, probe_statedump_start,
					    NULL);
	hooked_tp = NULL;
	mutex_unlock(&hook_mutex);
	tracepoint_synchronize_unregister();
}
