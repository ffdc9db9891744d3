#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""gensched.py DIR [SEED [STEPS [DROP [logger]]]]: a host trace and a guest trace (CTF 1.8,
LTTng's layout, both on vmsync's TSC clock at 1 GHz, so a cycle is a ns)
with scheduler events and vCPU states whose truth is known, for
sink.vmsync.report; writes DIR/host, DIR/guest and DIR/truth.json.

The host runs one VM (4242-12, UUID GUEST_UUID) with two vCPUs, thread
4300 + v pinned on host CPU v, and a CPU hog (tid 777) that preempts them.
Each vCPU goes round: guest mode, a VM exit (LTTng's kvm_x86_exit, SVM
reasons, before or after vmsync's kvm_vcpu_exit at the same instant), then
back in, or preempted by the hog (switched out R+ and back), or halted
(asleep, the hog or the idle task on its CPU, a sched_wakeup, waiting,
switched in). The guest's TSC is the host's plus a per-vCPU offset
(kvm_tsc_offset, ratio 1). Inside guest-mode intervals the guest wakes
threads (sched_wakeup, sometimes for the other vCPU) and switches them in
later (sched_switch), and marks intervals (app_begin/app_end, per vCPU). The
first thread woken on its own vCPU after the host woke that halted vCPU
(before it halts again, within 1 ms of guest-mode time) waited from the
host's wakeup on (the interrupt that woke it was delayed): its latency
begins there.
truth.json has each latency's breakdown and each vCPU's totals, summed
here from the states as they were generated: an implementation apart from
the plugin's. DROP: a comma-separated list of host:EVENT or guest:EVENT,
events left out of that trace (their class stays declared), or
host:EVENT=V, those of vCPU V only, for the report's refusals and warnings.
logger: the marks are lttng_logger events ("mark begin N", "mark end N"),
as lttng-logger writes give, instead of app_begin/app_end.
"""
import bisect
import json
import os
import random
import struct
import sys

FREQ = 1000000000
ORIGIN = 1700000000 * FREQ	# the clocks' offset from the epoch, in cycles (= ns)
HOST0 = 10000000000
GUEST_UUID = '9e5e7a7e-0000-4000-8000-00000000abcd'
VM = '4242-12'
PID = 4242
HOG = (777, 'cpu-hog')
SVM = {'NPF': 0x400, 'INTR': 0x60, 'HLT': 0x78}
FRAC = 48
# sink.vmsync.report's wake-guest-us (default 1000), in ns: $GENSCHED_WAKE_GUEST_US
WAKE_GUEST = int(os.environ.get('GENSCHED_WAKE_GUEST_US', '1000')) * 1000

U8, U32, I32, U64, I64 = '<B', '<I', '<i', '<Q', '<q'

HOST_EVENTS = [
    ('kvm_tsc_statedump_start', [('uint32_t', 'nr_guests')]),
    ('kvm_tsc_statedump_end', [('uint32_t', 'nr_guests')]),
    ('kvm_tsc_guest', [('int32_t', 'qemu_pid'), ('string', 'vm'), ('string', 'uuid'),
                       ('string', 'name'), ('uint32_t', 'nr_vcpus')]),
    ('kvm_tsc_offset', [('int32_t', 'qemu_pid'), ('string', 'vm'), ('uint32_t', 'vcpu'),
                        ('int32_t', 'vcpu_tid'), ('int64_t', 'offset'),
                        ('int64_t', 'prev_offset'), ('uint64_t', 'ratio'),
                        ('uint64_t', 'prev_ratio'), ('uint8_t', 'frac_bits'),
                        ('uint64_t', 'host_tsc')]),
    ('kvm_tsc_vcpu', [('int32_t', 'qemu_pid'), ('string', 'vm'), ('uint32_t', 'vcpu'),
                      ('int32_t', 'vcpu_tid')]),
    ('kvm_vcpu_entry', [('int32_t', 'qemu_pid'), ('int32_t', 'vcpu_tid'), ('uint32_t', 'vcpu')]),
    ('kvm_vcpu_exit', [('int32_t', 'qemu_pid'), ('int32_t', 'vcpu_tid'), ('uint32_t', 'vcpu')]),
    ('kvm_x86_exit', [('uint32_t', 'exit_reason'), ('uint64_t', 'guest_rip'),
                      ('uint32_t', 'isa'), ('uint64_t', 'info1'), ('uint64_t', 'info2')]),
    ('sched_switch', [('string', 'prev_comm'), ('int32_t', 'prev_tid'), ('int32_t', 'prev_prio'),
                      ('int64_t', 'prev_state'), ('string', 'next_comm'),
                      ('int32_t', 'next_tid'), ('int32_t', 'next_prio')]),
    ('sched_wakeup', [('string', 'comm'), ('int32_t', 'tid'), ('int32_t', 'prio'),
                      ('int32_t', 'target_cpu')]),
]
GUEST_EVENTS = [e for e in HOST_EVENTS if e[0] in ('sched_switch', 'sched_wakeup')] + [
    ('app_begin', [('uint32_t', 'seq')]),
    ('app_end', [('uint32_t', 'seq')]),
    ('lttng_logger', [('uint32_t', '_msg_length'), ('string', 'msg')]),
]
FMT = {'uint8_t': U8, 'uint32_t': U32, 'int32_t': I32, 'uint64_t': U64, 'int64_t': I64}


def metadata(path, trace_uuid, clock_uuid, hostname, product_uuid, events):
    with open(os.path.join(path, 'metadata'), 'w') as f:
        f.write('/* CTF 1.8 */\n')
        for name, size, signed in (('uint8_t', 8, 'false'), ('uint32_t', 32, 'false'),
                                   ('int32_t', 32, 'true'), ('uint64_t', 64, 'false'),
                                   ('int64_t', 64, 'true')):
            f.write('typealias integer { size = %d; align = 8; signed = %s; } := %s;\n'
                    % (size, signed, name))
        f.write('trace {\n\tmajor = 1;\n\tminor = 8;\n\tuuid = "%s";\n\tbyte_order = le;\n'
                '\tpacket.header := struct { uint32_t magic; uint8_t uuid[16]; '
                'uint32_t stream_id; uint64_t stream_instance_id; };\n};\n' % trace_uuid)
        f.write('env {\n\thostname = "%s";\n\tdomain = "kernel";\n'
                '\ttracer_name = "lttng-modules";\n\ttracer_major = 2;\n\ttracer_minor = 13;\n'
                % hostname)
        if product_uuid:
            f.write('\tproduct_uuid = "%s";\n' % product_uuid)
        f.write('};\nclock {\n\tname = "vmsync_tsc";\n\tuuid = "%s";\n'
                '\tdescription = "Raw TSC in cycles (gensched)";\n\tfreq = %d;\n'
                '\toffset = %d;\n};\n' % (clock_uuid, FREQ, ORIGIN))
        f.write('typealias integer { size = 64; align = 8; signed = false; '
                'map = clock.vmsync_tsc.value; } := uint64_clock_t;\n'
                'stream {\n\tid = 0;\n\tevent.header := struct { uint32_t id; '
                'uint64_clock_t timestamp; };\n\tpacket.context := struct { '
                'uint64_clock_t timestamp_begin; uint64_clock_t timestamp_end; '
                'uint64_t content_size; uint64_t packet_size; uint64_t events_discarded; '
                'uint32_t cpu_id; };\n};\n')
        for i, (name, fields) in enumerate(events):
            f.write('event { name = "%s"; id = %d; stream_id = 0; fields := struct { %s }; };\n'
                    % (name, i, ' '.join('%s %s;' % t for t in fields)))


def write_stream(path, cpu, trace_uuid, events, classes, evs):
    """evs: [(ts, name, {field: value})] in time order."""
    ids = {n: i for i, (n, _) in enumerate(classes)}
    fields = dict(classes)
    body = bytearray()
    packets, first = [], None
    for i, (ts, name, vals) in enumerate(evs):
        if first is None:
            first = ts
        body += struct.pack('<IQ', ids[name], ts)
        for typ, fname in fields[name]:
            v = vals[fname]
            body += (v.encode() + b'\0') if typ == 'string' else struct.pack(FMT[typ], v)
        if len(body) >= 65536 or i == len(evs) - 1:	# packets, as LTTng's
            packets.append((first, ts, bytes(body)))
            body = bytearray()
            first = None
    hdr_len = 4 + 16 + 4 + 8 + 8 * 5 + 4
    uuid = bytes.fromhex(trace_uuid.replace('-', ''))
    with open(os.path.join(path, 'channel0_%d' % cpu), 'wb') as f:
        for first, last, data in packets:
            bits = (hdr_len + len(data)) * 8
            f.write(struct.pack('<I', 0xC1FC1FC1) + uuid + struct.pack('<IQ', 0, cpu))
            f.write(struct.pack('<QQQQQI', first, last, bits, bits, 0, cpu))
            f.write(data)


def main():
    out = sys.argv[1]
    rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    drop = set(sys.argv[4].split(',')) if len(sys.argv) > 4 and sys.argv[4] else set()
    logger = len(sys.argv) > 5 and sys.argv[5] == 'logger'
    hdir, gdir = os.path.join(out, 'host'), os.path.join(out, 'guest')
    os.makedirs(hdir)
    os.makedirs(gdir)
    host = {0: [], 1: []}		# per host CPU: [(ts, name, fields)]
    guest = {0: [], 1: []}		# per vCPU, in host time (converted at the end)
    offs = [-5000000000 + 1000 * v for v in (0, 1)]
    tids = [4300, 4301]

    def sw(cpu, ts, prev, prev_state, nxt):
        host[cpu].append((ts, 'sched_switch', {
            'prev_comm': prev[1], 'prev_tid': prev[0], 'prev_prio': 20,
            'prev_state': prev_state, 'next_comm': nxt[1], 'next_tid': nxt[0],
            'next_prio': 20}))

    # Each vCPU first seen running, named before the statedump announces its
    # VM (as in the lab), then the statedump: the VM, each vCPU's offset and thread.
    for v in (0, 1):
        host[v].append((HOST0 - 500 + v, 'kvm_tsc_vcpu', {
            'qemu_pid': PID, 'vm': VM, 'vcpu': v, 'vcpu_tid': tids[v]}))
    host[0].append((HOST0, 'kvm_tsc_statedump_start', {'nr_guests': 1}))
    host[0].append((HOST0 + 50, 'kvm_tsc_guest', {'qemu_pid': PID, 'vm': VM, 'uuid': GUEST_UUID,
                                                  'name': 'gen-guest', 'nr_vcpus': 2}))
    for v in (0, 1):
        host[0].append((HOST0 + 100 + v, 'kvm_tsc_offset', {
            'qemu_pid': PID, 'vm': VM, 'vcpu': v, 'vcpu_tid': tids[v], 'offset': offs[v],
            'prev_offset': 0, 'ratio': 1 << FRAC, 'prev_ratio': 0, 'frac_bits': FRAC,
            'host_tsc': HOST0 + 100 + v}))
        host[0].append((HOST0 + 100 + v, 'kvm_tsc_vcpu', {
            'qemu_pid': PID, 'vm': VM, 'vcpu': v, 'vcpu_tid': tids[v]}))
    host[0].append((HOST0 + 200, 'kvm_tsc_statedump_end', {'nr_guests': 1}))

    # Each vCPU's states: [(state, begin, end, detail)], exits [(begin, reason)].
    states = {0: [], 1: []}
    exits = {0: [], 1: []}
    woke = {0: {}, 1: {}}	# a guest-mode interval's begin -> the host wakeup before it
    ends = []
    for v in (0, 1):
        me = (tids[v], 'CPU %d/KVM' % v)
        idle = (0, 'swapper/%d' % v)
        t = HOST0 + 1000 + 7 * v
        sw(v, t, idle, 0, me)
        reason = None
        st = ('exit', t)	# (state, since); detail kept apart

        def go(state, ts, detail=None):
            nonlocal st
            states[v].append((st[0], st[1], ts, st[2] if len(st) > 2 else None))
            st = (state, ts, detail)

        st = ('exit', t, 'not recorded')
        t += rnd.randint(100, 2000)
        wake = None
        for k in range(steps):
            host[v].append((t, 'kvm_vcpu_entry', {'qemu_pid': PID, 'vcpu_tid': tids[v], 'vcpu': v}))
            go('guest', t)
            if wake is not None:	# guest mode since the host woke it (until it halts)
                woke[v][t] = wake
            t += rnd.randint(20000, 200000)
            reason = rnd.choices(['NPF', 'INTR', 'HLT'], [5, 3, 2])[0]
            x86 = (t, 'kvm_x86_exit', {'exit_reason': SVM[reason], 'guest_rip': 0xffff0000 + k,
                                       'isa': 2, 'info1': 0, 'info2': 0})
            vx = (t, 'kvm_vcpu_exit', {'qemu_pid': PID, 'vcpu_tid': tids[v], 'vcpu': v})
            host[v].extend([x86, vx] if k % 2 else [vx, x86])
            go('exit', t, reason)
            exits[v].append((t, reason))
            t += rnd.randint(1000, 20000)
            if reason == 'INTR' and rnd.random() < 0.5:
                sw(v, t, me, 0x100 if k % 3 else 0, HOG)	# R+ (preempted) or R
                go('preempted', t, HOG)
                t += rnd.randint(100000, 3000000)
                sw(v, t, HOG, 0, me)
                go('exit', t, reason)
                t += rnd.randint(1000, 5000)
            elif reason == 'HLT':
                sw(v, t, me, 1, idle)	# asleep: S
                go('idle', t)
                wake = None
                t += rnd.randint(50000, 1000000)
                holder = idle
                if rnd.random() < 0.6:
                    sw(v, t, idle, 0, HOG)
                    holder = HOG
                    t += rnd.randint(1000, 50000)
                host[v].append((t, 'sched_wakeup', {'comm': me[1], 'tid': tids[v], 'prio': 20,
                                                    'target_cpu': v}))
                go('preempted', t, holder)
                wake = t
                t += rnd.randint(1000, 2000000) if holder == HOG else rnd.randint(500, 3000)
                sw(v, t, holder, 0, me)
                go('exit', t, reason)
                t += rnd.randint(1000, 5000)
        # The end: one last exit, then asleep until the traces end.
        host[v].append((t, 'kvm_vcpu_entry', {'qemu_pid': PID, 'vcpu_tid': tids[v], 'vcpu': v}))
        go('guest', t)
        t += 50000
        host[v].append((t, 'kvm_vcpu_exit', {'qemu_pid': PID, 'vcpu_tid': tids[v], 'vcpu': v}))
        go('exit', t, 'not recorded')
        exits[v].append((t, 'not recorded'))
        t += 3000
        sw(v, t, me, 1, idle)
        states[v].append((st[0], st[1], t, st[2]))
        ends.append(t)		# asleep from t to the end
    end = max(ends) + 10000
    for v in (0, 1):		# every CPU's stream goes on to the end
        host[v].append((end, 'kvm_tsc_statedump_start', {'nr_guests': 1}))
        states[v].append(('idle', ends[v], end, None))

    # Guest: wakeups and marks inside guest-mode intervals.
    truth = {'latencies': [], 'vcpus': []}
    guest_ivs = {v: [s for s in states[v] if s[0] == 'guest' and s[2] - s[1] > 10] for v in (0, 1)}

    def inside(iv):
        return rnd.randint(iv[1] + 1, iv[2] - 1)

    ends = {v: [st[2] for st in states[v]] for v in (0, 1)}	# sorted: states follow each other
    exit_at = {v: [x[0] for x in exits[v]] for v in (0, 1)}

    def breakdown(v, a, b):
        r = {'guest_ns': 0, 'exit_ns': 0, 'preempted_ns': 0, 'idle_ns': 0, 'unknown_ns': 0,
             'exits': {}, 'preempted_by': {}}
        for state, s, e, detail in states[v][bisect.bisect_left(ends[v], a):]:
            if s >= b:
                break
            lo, hi = max(s, a), min(e, b)
            if hi <= lo:
                continue
            r[state + '_ns'] += hi - lo
            if state == 'exit':		# exits: reason -> [count, ns]
                r['exits'].setdefault(detail, [0, 0])[1] += hi - lo
            if state == 'preempted':
                key = '%s (%d)' % (detail[1], detail[0])
                r['preempted_by'][key] = r['preempted_by'].get(key, 0) + hi - lo
        for s, reason in exits[v][bisect.bisect_left(exit_at[v], a):]:
            if s > b:
                break
            if a <= s <= b:
                r['exits'].setdefault(reason, [0, 0])[0] += 1
        return r

    starts = {v: [iv[1] for iv in guest_ivs[v]] for v in (0, 1)}
    seq = 0
    for v in (0, 1):
        ivs = guest_ivs[v]
        claimed = set()		# host wakeups that began a latency
        for i in range(0, len(ivs) - 6, 3):
            seq += 1
            target = v if seq % 4 else 1 - v
            tivs = guest_ivs[target]
            w = inside(ivs[i])
            k = bisect.bisect_right(starts[target], w)
            later = tivs[k:k + 5]
            if not later:
                continue
            j = later[rnd.randrange(len(later))]
            s = inside(j)
            tid = 1000 + seq
            comm = 'worker-%d' % seq
            guest[v].append((w, 'sched_wakeup', {'comm': comm, 'tid': tid, 'prio': 120,
                                                 'target_cpu': target}))
            guest[target].append((s, 'sched_switch', {
                'prev_comm': 'swapper/%d' % target, 'prev_tid': 0, 'prev_prio': 120,
                'prev_state': 0, 'next_comm': comm, 'next_tid': tid, 'next_prio': 120}))
            # The first thread woken on itself since the host woke this
            # halted vCPU: the latency begins at the host's wakeup.
            # (Within WAKE_GUEST of guest-mode time since: else the guest's
            # own work woke it.)
            begin = w
            hw = woke[v].get(ivs[i][1])
            if target == v and hw is not None and hw not in claimed and \
                    breakdown(v, hw, w)['guest_ns'] <= WAKE_GUEST:
                claimed.add(hw)
                begin = hw
            lat = {'kind': 'wakeup', 'vcpu': target, 'tid': tid, 'begin_ns': ORIGIN + begin,
                   'end_ns': ORIGIN + s, 'before_guest_ns': w - begin}
            lat.update(breakdown(target, begin, s))
            truth['latencies'].append(lat)
        # Marks: on this vCPU, one at a time.
        for i in range(1, len(ivs) - 4, 7):
            b = inside(ivs[i])
            e = inside(ivs[i + rnd.randint(0, 3)])
            if e <= b:
                continue
            seq += 1
            if logger:	# as lttng-logger writes: one event name, told apart by text
                for at, what in ((b, 'begin'), (e, 'end')):
                    msg = 'mark %s %d' % (what, seq)
                    guest[v].append((at, 'lttng_logger', {'_msg_length': len(msg), 'msg': msg}))
            else:
                guest[v].append((b, 'app_begin', {'seq': seq}))
                guest[v].append((e, 'app_end', {'seq': seq}))
            lat = {'kind': 'mark', 'vcpu': v, 'tid': -1, 'begin_ns': ORIGIN + b,
                   'end_ns': ORIGIN + e}
            lat.update(breakdown(v, b, e))
            truth['latencies'].append(lat)
    for v in (0, 1):
        first = states[v][0][1]
        tot = breakdown(v, first, end)
        tot.update({'vcpu': v, 'tid': tids[v], 'span_ns': end - first})
        truth['vcpus'].append(tot)

    host_uuid = '5e7e0000-0000-4000-8000-0000000000a1'
    guest_uuid = '5e7e0000-0000-4000-8000-0000000000a2'
    metadata(hdir, host_uuid, '5e7e0000-0000-4000-8000-0000000000c1', 'gen-host', None,
             HOST_EVENTS)
    metadata(gdir, guest_uuid, '5e7e0000-0000-4000-8000-0000000000c2', 'gen-guest',
             GUEST_UUID, GUEST_EVENTS)
    for cpu, evs in host.items():
        evs.sort(key=lambda e: e[0])	# stable: same-instant events keep their order
        evs = [e for e in evs if 'host:' + e[1] not in drop and
               'host:%s=%s' % (e[1], e[2].get('vcpu')) not in drop]
        write_stream(hdir, cpu, host_uuid, None, HOST_EVENTS, evs)
    for v, evs in guest.items():
        evs.sort(key=lambda e: e[0])
        evs = [e for e in evs if 'guest:' + e[1] not in drop]
        write_stream(gdir, v, guest_uuid, None, GUEST_EVENTS,
                     [(ts + offs[v], n, f) for ts, n, f in evs])
    with open(os.path.join(out, 'truth.json'), 'w') as f:
        json.dump(truth, f, indent=1)


if __name__ == '__main__':
    main()
