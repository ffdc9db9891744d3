// SPDX-License-Identifier: GPL-2.0
/* host_model.c - see host_model.h. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bt_util.h"
#include "host_model.h"
#include "ring.h"
#include "tsc_math.h"

/* KVM's vCPU ids are below KVM_MAX_VCPU_IDS (4096 x 4 on x86 today). */
#define MAX_VCPU_ID 65535

/* LTTng writes "none given" so (doc/statedump.md). */
#define NIL_UUID "00000000-0000-0000-0000-000000000000"

bool host_model_is_host_class(const bt_stream_class *sc)
{
	uint64_t i, n = bt_stream_class_get_event_class_count(sc);

	for (i = 0; i < n; i++) {
		const char *name = bt_event_class_get_name(
			bt_stream_class_borrow_event_class_by_index_const(sc, i));

		if (name && (!strcmp(name, EV_OFFSET) ||
			     !strcmp(name, EV_GUEST)))
			return true;
	}
	return false;
}

int host_model_host(struct host_model *m, const bt_trace *t, const bt_stream *s)
{
	const char *v;
	struct host_trace *h, **arr;
	size_t i;

	for (i = 0; i < m->nr_hosts; i++)
		if (m->hosts[i]->trace == t)
			return (int)i;
	arr = realloc(m->hosts, (m->nr_hosts + 1) * sizeof(*arr));
	if (!arr)
		return -1;
	m->hosts = arr;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -1;
	m->hosts[m->nr_hosts] = h;
	h->trace = t;
	h->end_ns = INT64_MAX;
	h->clock = bt_stream_class_borrow_default_clock_class_const(
		bt_stream_borrow_class_const(s));
	h->tsc_clock = h->clock && bt_clock_class_get_name(h->clock) &&
		       !strcmp(bt_clock_class_get_name(h->clock), TSC_CLOCK_NAME);
	beacons_init(&h->beacons, h->clock ? bt_clock_class_get_frequency(h->clock) : 0,
		     m->beacon_limit_ns);
	/* Its CPUs' pairs may come in any order: the reader says how far. */
	beacons_settle(&h->beacons, 0);
	snprintf(h->name, sizeof(h->name), "%s", trace_name(t));
	v = env_str(t, ENV_HOSTNAME);
	if (v)
		snprintf(h->hostname, sizeof(h->hostname), "%s", v);
	return (int)m->nr_hosts++;
}

static int host_index(struct host_model *m, const bt_event *ev)
{
	const bt_stream *s = bt_event_borrow_stream_const(ev);

	return host_model_host(m, bt_stream_borrow_trace_const(s), s);
}

const struct host_vm *host_model_find_vm(const struct host_model *m,
					 const char *vm)
{
	for (size_t i = 0; i < m->nr_vms; i++)
		if (!strcmp(m->vms[i]->vm, vm))
			return m->vms[i];
	return NULL;
}

static struct host_vm *vm_get(struct host_model *m, int host, const char *vm)
{
	struct host_vm *v, **arr;

	for (size_t i = 0; i < m->nr_vms; i++)
		if (m->vms[i]->host == host && !strcmp(m->vms[i]->vm, vm))
			return m->vms[i];
	/* Guest traces keep pointers to VMs: each has its own allocation. */
	arr = realloc(m->vms, (m->nr_vms + 1) * sizeof(*arr));
	if (!arr)
		return NULL;
	m->vms = arr;
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	m->vms[m->nr_vms++] = v;
	m->vms_gen++;
	v->host = host;
	snprintf(v->vm, sizeof(v->vm), "%s", vm);
	return v;
}

static struct vcpu_history *vcpu_get(struct host_vm *vm, uint32_t vcpu)
{
	struct vcpu_history *h;

	for (size_t i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].vcpu == vcpu)
			return &vm->vcpus[i];
	h = realloc(vm->vcpus, (vm->nr_vcpus + 1) * sizeof(*h));
	if (!h)
		return NULL;
	vm->vcpus = h;
	h = &vm->vcpus[vm->nr_vcpus++];
	memset(h, 0, sizeof(*h));
	h->vcpu = vcpu;
	return h;
}

static bool add_segment(struct vcpu_history *h, const struct tsc_segment *s)
{
	if (h->nr) {
		const struct tsc_segment *last = &h->segs[h->nr - 1];

		/* A statedump repeats the value in effect: not a change. */
		if (last->offset == s->offset && last->ratio == s->ratio &&
		    last->frac_bits == s->frac_bits)
			return true;
	}
	if (!array_reserve(&h->segs, h->nr, &h->cap, sizeof(*h->segs), 8))
		return false;
	h->segs[h->nr++] = *s;
	return true;
}

/* "12.345678901 s" of @ns for messages ("?" when unknown). */
bool host_model_announces(const char *name)
{
	return !strcmp(name, EV_OFFSET) || !strcmp(name, EV_GUEST) ||
	       !strcmp(name, EV_STATEDUMP_START) || !strcmp(name, EV_STATEDUMP_END) ||
	       !strcmp(name, EV_VCPU);
}

/* Open or add a doubt on @h; false: out of memory. */
static bool add_doubt(struct host_model *m, const struct host_vm *vm,
		      struct vcpu_history *h, const struct doubt *d)
{
	if (d->to_ns == INT64_MAX && h->nr_doubts &&
	    h->doubts[h->nr_doubts - 1].to_ns == INT64_MAX)
		return true;	/* one open at a time: the earliest cause stands */
	if (!array_reserve(&h->doubts, h->nr_doubts, &h->cap_doubts, sizeof(*h->doubts), 4))
		return false;
	h->doubts[h->nr_doubts] = *d;
	h->doubts[h->nr_doubts].marked_from = INT64_MAX;
	h->doubts[h->nr_doubts].marked_to = INT64_MIN;
	h->nr_doubts++;
	m->nr_doubts++;
	m->doubt_vm = vm;
	m->doubt_vcpu = h->vcpu;
	return true;
}

/* A usable change at @at_ns: it ends the open doubt it answers. */
static void close_doubt(struct host_model *m, const struct host_vm *vm,
			struct vcpu_history *h, int64_t at_ns, bool agrees)
{
	struct doubt *d = h->nr_doubts ? &h->doubts[h->nr_doubts - 1] : NULL;

	if (!d || d->to_ns != INT64_MAX || at_ns == INT64_MIN)
		return;
	if (agrees && d->cause == DOUBT_LOSS && at_ns <= d->close_after_ns)
		return;		/* may have been read before the loss ended */
	d->to_ns = at_ns;
	m->doubt_vm = vm;
	m->doubt_vcpu = h->vcpu;
}

/*
 * Why kvm_tsc_offset values cannot be right, or NULL: KVM's scaling has 1
 * to 63 fraction bits and a ratio within 2^8 of 1.0 either way (guest TSC
 * rates a VMM sets are within a few times the host's); a change
 * is read at a host TSC after the previous one's, within a second of its
 * own event's time on a TSC clock; a guest TSC from 2^63 on would take a century to reach.
 */
static const char *bad_values(const struct host_trace *ht, const struct vcpu_history *h,
			      int64_t offset, int64_t ratio, int64_t frac, int64_t host_tsc,
			      bool initial, const bt_clock_snapshot *cs, char *buf, size_t len)
{
	uint64_t r = (uint64_t)ratio, hz = ht->clock ? bt_clock_class_get_frequency(ht->clock) : 0;

	if (frac < 1 || frac > 63)
		snprintf(buf, len, "frac_bits %" PRId64 " (KVM's are 1 to 63)", frac);
	else if (!r || r >> frac >= (1 << 8) || ((unsigned __int128)r << 8) >> frac == 0)
		snprintf(buf, len, "ratio %" PRIu64 " with %" PRId64 " fraction bits (not within 2^8 of 1.0)",
			 r, frac);
	else if (!host_tsc && !initial)
		snprintf(buf, len, "host_tsc 0");
	else if (h->nr && (uint64_t)host_tsc < h->segs[h->nr - 1].since)
		snprintf(buf, len, "host_tsc %" PRIu64 ", before the previous change's %" PRIu64,
			 (uint64_t)host_tsc, h->segs[h->nr - 1].since);
	else if (ht->tsc_clock && cs && hz &&
		 ((unsigned __int128)(uint64_t)host_tsc > (unsigned __int128)bt_clock_snapshot_get_value(cs) + hz ||
		  (unsigned __int128)(uint64_t)host_tsc + hz <
		  bt_clock_snapshot_get_value(cs)))
		snprintf(buf, len, "host_tsc %" PRIu64 ", far from its own event's time (TSC %" PRIu64 ")",
			 (uint64_t)host_tsc, bt_clock_snapshot_get_value(cs));
	else if (tsc_guest_from_host((uint64_t)host_tsc, offset, r, (unsigned int)frac) >> 63)
		snprintf(buf, len, "offset %" PRId64 ", which puts the guest TSC at %" PRIu64 " (2^63 or more)",
			 offset, tsc_guest_from_host((uint64_t)host_tsc, offset, r, (unsigned int)frac));
	else
		return NULL;
	return buf;
}

/*
 * A kvm_tsc_offset of VM @v names vCPU @vcpu, which KVM cannot have: the
 * event is damaged, and which vCPU changed is unknown. All of them are in
 * doubt, back to their last change.
 */
static bool vcpu_unknown(struct host_model *m, struct host_vm *v, int64_t vcpu,
			 const bt_clock_snapshot *cs)
{
	char t1[40];
	int64_t at_ns;

	if (!cs || !ns_of(cs, &at_ns))
		at_ns = INT64_MIN;
	m->hosts[v->host]->bad_values++;
	for (size_t c = 0; c < v->nr_vcpus; c++) {
		struct vcpu_history *h = &v->vcpus[c];
		struct doubt d = { h->nr ? h->segs[h->nr - 1].at_ns : INT64_MIN, INT64_MAX,
				   DOUBT_VALUES, 0, "", 0, 0, 0, "", false };

		snprintf(d.what, sizeof(d.what), "host trace '%s': a kvm_tsc_offset of VM %s at %s names vCPU %" PRId64 ", which KVM cannot have (a damaged event): which vCPU changed is unknown",
			 m->hosts[v->host]->name, v->vm, fmt_secs(at_ns, t1, sizeof(t1)), vcpu);
		if (!add_doubt(m, v, h, &d))
			return false;
	}
	return true;
}

static bool offset_event(struct host_model *m, int host, const bt_event *ev,
			 const bt_clock_snapshot *cs)
{
	struct host_trace *ht = m->hosts[host];
	char vm[32], reason[16] = "", why[96], t1[40], t2[40];
	int64_t vcpu, offset, ratio, frac, host_tsc, prev_off = 0, prev_ratio = 0, at_ns;
	const bt_field *r = payload_member(ev, "reason");
	struct tsc_segment s;
	struct host_vm *v;
	struct vcpu_history *h;
	struct doubt d = { 0 };
	bool initial;
	size_t n;

	payload_str(ev, "vm", vm, sizeof(vm));
	if (!payload_int(ev, "vcpu", &vcpu) || !payload_int(ev, "offset", &offset) ||
	    !payload_int(ev, "ratio", &ratio) || !payload_int(ev, "frac_bits", &frac) ||
	    !payload_int(ev, "host_tsc", &host_tsc))
		return true;	/* not the event this plugin knows: ignore */
	payload_int(ev, "prev_offset", &prev_off);
	payload_int(ev, "prev_ratio", &prev_ratio);
	if (r && bt_field_class_type_is(bt_field_get_class_type(r),
					BT_FIELD_CLASS_TYPE_ENUMERATION)) {
		bt_field_class_enumeration_mapping_label_array labels;
		uint64_t n = 0;

		bool sgn = bt_field_class_type_is(bt_field_get_class_type(r),
					BT_FIELD_CLASS_TYPE_SIGNED_ENUMERATION);

		if ((sgn ? bt_field_enumeration_signed_get_mapping_labels(r, &labels, &n) :
		     bt_field_enumeration_unsigned_get_mapping_labels(r, &labels, &n)) ==
		    BT_FIELD_ENUMERATION_GET_MAPPING_LABELS_STATUS_OK && n)
			snprintf(reason, sizeof(reason), "%s", labels[0]);
		else
			bt_current_thread_clear_error();
	}
	v = vm_get(m, host, vm);
	if (!v)
		return false;
	if (vcpu < 0 || vcpu > MAX_VCPU_ID)
		return vcpu_unknown(m, v, vcpu, cs);
	h = v ? vcpu_get(v, (uint32_t)vcpu) : NULL;
	if (!h)
		return false;
	if (!cs || !ns_of(cs, &at_ns))
		at_ns = INT64_MIN;
	initial = !h->nr && (!strcmp(reason, "statedump") || !strcmp(reason, "attach"));
	if (bad_values(ht, h, offset, ratio, frac, host_tsc, initial, cs, why, sizeof(why))) {
		ht->bad_values++;
		/*
		 * What it changed to is unknown: had it set the guest TSC back
		 * (a restore), the events after it would land among those
		 * before it, back to the last change known.
		 */
		d = (struct doubt){ h->nr ? h->segs[h->nr - 1].at_ns : INT64_MIN, INT64_MAX,
				    DOUBT_VALUES, 0, "", 0, 0, 0, "", false };
		snprintf(d.what, sizeof(d.what), "host trace '%s': kvm_tsc_offset of VM %s vCPU %" PRId64 " at %s has unusable values (%s)",
			 ht->name, vm, vcpu, fmt_secs(at_ns, t1, sizeof(t1)), why);
		return add_doubt(m, v, h, &d);
	}
	s.offset = offset;
	s.ratio = (uint64_t)ratio;
	s.frac_bits = (unsigned int)frac;
	s.at_ns = at_ns;
	/*
	 * A dump or an attach reports the value in effect since before the
	 * trace knew the vCPU: the first one holds from the beginning.
	 */
	s.since = initial ? 0 : (uint64_t)host_tsc;
	s.read_at = (uint64_t)host_tsc;
	if (h->nr) {
		const struct tsc_segment *last = &h->segs[h->nr - 1];
		/* What it says it changed from (0: unknown), or a dump's value. */
		bool dump = !strcmp(reason, "statedump") || !strcmp(reason, "attach");
		bool agrees = dump ? last->offset == offset && last->ratio == (uint64_t)ratio :
			      (!prev_off || prev_off == last->offset) &&
			      (!prev_ratio || (uint64_t)prev_ratio == last->ratio);

		close_doubt(m, v, h, at_ns, agrees);
		if (!agrees) {
			/*
			 * Missing: a change after @last, or @last's own values.
			 * Had it set the guest TSC back, events after it land
			 * early, back to the change before @last.
			 */
			d = (struct doubt){ h->nr > 1 ? h->segs[h->nr - 2].at_ns : INT64_MIN, at_ns,
					    DOUBT_CHAIN, 0, "", 0, 0, 0, "", false };
			snprintf(d.what, sizeof(d.what), "host trace '%s': a TSC offset change of VM %s vCPU %" PRId64 " between %s and %s is missing (the change at %s had offset %" PRId64 " before it; the last one recorded set %" PRId64 ")",
				 ht->name, vm, vcpu, fmt_secs(last->at_ns, t1, sizeof(t1)),
				 fmt_secs(at_ns, t2, sizeof(t2)), t2, dump ? offset : prev_off,
				 last->offset);
			if (!add_doubt(m, v, h, &d))
				return false;
		}
	}
	n = h->nr;
	if (!add_segment(h, &s))
		return false;
	if (h->nr > n) {
		m->changed_vm = v;
		m->changed_vcpu = (uint32_t)vcpu;
		m->changed = s;
	}
	return true;
}

bool host_model_loss(struct host_model *m, int host, int64_t from_ns, int64_t to_ns)
{
	const struct host_trace *ht = m->hosts[host];
	char t1[40], t2[40];

	for (size_t i = 0; i < m->nr_vms; i++) {
		struct host_vm *v = m->vms[i];

		if (v->host != host)
			continue;
		for (size_t c = 0; c < v->nr_vcpus; c++) {
			struct doubt d = { from_ns, INT64_MAX, DOUBT_LOSS, to_ns, "", 0, 0, 0, "", false };

			snprintf(d.what, sizeof(d.what), "host trace '%s' lost events between %s and %s: a TSC offset change of VM %s vCPU %" PRIu32 " may be missing from then until its next one",
				 ht->name, fmt_secs(from_ns, t1, sizeof(t1)), fmt_secs(to_ns, t2, sizeof(t2)),
				 v->vm, v->vcpus[c].vcpu);
			if (!add_doubt(m, v, &v->vcpus[c], &d))
				return false;
		}
	}
	return true;
}

void host_model_stream_end(struct host_model *m, int host, uint32_t cpu, int64_t ns)
{
	struct host_trace *ht = m->hosts[host];

	if (ns < ht->end_ns) {
		ht->end_ns = ns;
		ht->end_cpu = cpu;
	}
	m->host_ended = true;
}

struct doubt *host_model_doubt(struct host_model *m, const struct host_vm *vm,
			       uint32_t vcpu, int64_t ns)
{
	/* The model owns its VMs: @vm is one of m->vms, given out as const. */
	struct host_vm *v = (struct host_vm *)vm;

	(void)m;
	for (size_t i = 0; i < v->nr_vcpus; i++) {
		struct vcpu_history *h = &v->vcpus[i];

		if (h->vcpu != vcpu)
			continue;
		for (size_t k = h->nr_doubts; k-- > 0;)
			if (h->doubts[k].from_ns <= ns && ns < h->doubts[k].to_ns)
				return &h->doubts[k];
		return NULL;
	}
	return NULL;
}

static bool guest_event(struct host_model *m, int host, const bt_event *ev)
{
	char vm[32];
	struct host_vm *v;
	int64_t pid = 0;

	payload_str(ev, "vm", vm, sizeof(vm));
	v = vm_get(m, host, vm);
	if (!v)
		return false;
	payload_str(ev, "uuid", v->uuid, sizeof(v->uuid));
	if (!strcmp(v->uuid, NIL_UUID))
		v->uuid[0] = '\0';
	m->vms_gen++;	/* its offsets may have come first, from another CPU */
	payload_str(ev, "name", v->name, sizeof(v->name));
	if (!strcmp(v->name, "(none)"))
		v->name[0] = '\0';
	payload_int(ev, "qemu_pid", &pid);
	v->qemu_pid = pid;
	return true;
}

bool host_model_event(struct host_model *m, const bt_event *ev,
		      const bt_clock_snapshot *cs)
{
	const char *name = bt_event_class_get_name(bt_event_borrow_class_const(ev));
	int64_t tsc;
	int host;

	if (!name || strncmp(name, EV_KVM_TSC_PREFIX, strlen(EV_KVM_TSC_PREFIX)))
		return true;
	m->gen++;
	host = host_index(m, ev);
	if (host < 0)
		return false;
	/* Beacons, and offset events (read at VM entry), pair clock and TSC. */
	if (cs && !m->hosts[host]->tsc_clock &&
	    (payload_int(ev, "tsc", &tsc) || payload_int(ev, "host_tsc", &tsc)) &&
	    !beacons_add(&m->hosts[host]->beacons, bt_clock_snapshot_get_value(cs),
			 (uint64_t)tsc))
		return false;
	if (host_model_announces(name))
		m->hosts[host]->announced = true;
	if (!strcmp(name, EV_OFFSET))
		return offset_event(m, host, ev, cs);
	if (!strcmp(name, EV_GUEST))
		return guest_event(m, host, ev);
	if (!strcmp(name, EV_STATEDUMP_END))
		m->hosts[host]->dumped = true;
	return true;
}

size_t host_model_find_uuid(const struct host_model *m, const char *uuid,
			    const struct host_vm **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nr_vms && n < max; i++)
		if (uuid[0] && !strcasecmp(m->vms[i]->uuid, uuid))
			out[n++] = m->vms[i];
	return n;
}

bool host_model_to_host(const struct host_vm *vm, uint32_t vcpu, size_t *hint,
			uint64_t guest_tsc, uint64_t *host_tsc, uint64_t *since, bool *fits)
{
	const struct vcpu_history *h = NULL;

	/* Where the caller found this vCPU last time, if it is still there. */
	if (*hint < vm->nr_vcpus && vm->vcpus[*hint].vcpu == vcpu)
		h = &vm->vcpus[*hint];
	for (size_t i = 0; i < vm->nr_vcpus && !h; i++)
		if (vm->vcpus[i].vcpu == vcpu) {
			h = &vm->vcpus[i];
			*hint = i;
		}
	if (!h)
		return false;
	/* The latest segment whose value gives a time it was in effect at. */
	for (size_t i = h->nr; i-- > 0;) {
		const struct tsc_segment *s = &h->segs[i];
		uint64_t t;

		/*
		 * A guest TSC below a positive offset gives no host TSC: the
		 * subtraction wraps to 2^63 or more, which no TSC reaches (as
		 * bad_values() holds of the offsets themselves).
		 */
		if (!tsc_host_from_guest(guest_tsc, s->offset, s->ratio, s->frac_bits, &t) ||
		    t >> 63)
			continue;
		/* Under a ratio below 1.0 several host TSCs read the same. */
		if (t < s->since &&
		    tsc_guest_from_host(s->since, s->offset, s->ratio, s->frac_bits) == guest_tsc)
			t = s->since;
		if (t >= s->since) {
			*host_tsc = t;
			*since = s->since;
			/*
			 * Past the next change's start, this offset was no longer
			 * in effect: a consistent history has no such guest TSC.
			 */
			*fits = i + 1 == h->nr || t < h->segs[i + 1].since;
			return true;
		}
	}
	return false;
}

void host_model_scaling(const struct host_vm *vm, uint32_t vcpu, uint64_t *ratio,
			unsigned int *frac_bits)
{
	*ratio = 1;
	*frac_bits = 0;
	for (size_t i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].vcpu == vcpu && vm->vcpus[i].nr) {
			const struct tsc_segment *s = &vm->vcpus[i].segs[vm->vcpus[i].nr - 1];

			*ratio = s->ratio;
			*frac_bits = s->frac_bits;
		}
}

bool host_model_all_dumped(const struct host_model *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nr_hosts; i++) {
		if (!m->hosts[i]->announced)
			continue;	/* a guest's beacons, not a host */
		if (!m->hosts[i]->dumped)
			return false;
		n++;
	}
	return n > 0;
}

void host_model_known_uuids(const struct host_model *m, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < m->nr_vms && used < len; i++)
		if (m->vms[i]->uuid[0])
			used += (size_t)snprintf(buf + used, len - used, "%s%s (%s)",
						 used ? ", " : "", m->vms[i]->uuid,
						 m->vms[i]->vm);
	if (!buf[0])
		snprintf(buf, len, "none");
}

void host_model_fini(struct host_model *m)
{
	for (size_t i = 0; i < m->nr_vms; i++) {
		for (size_t j = 0; j < m->vms[i]->nr_vcpus; j++) {
			free(m->vms[i]->vcpus[j].segs);
			free(m->vms[i]->vcpus[j].doubts);
		}
		free(m->vms[i]->vcpus);
		free(m->vms[i]);
	}
	free(m->vms);
	for (size_t i = 0; i < m->nr_hosts; i++) {
		beacons_fini(&m->hosts[i]->beacons);
		free(m->hosts[i]);
	}
	free(m->hosts);
	memset(m, 0, sizeof(*m));
}
