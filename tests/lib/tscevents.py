# SPDX-License-Identifier: GPL-2.0
"""Read kvm_tsc_* events from ftrace or babeltrace2 text, and tscguest logs.

Both recorders are parsed into plain dicts so that one checker can hold
either of them against what the test guest knows to be true.
"""
import re

_FIELD = re.compile(r'(\w+) = ("(?:[^"\\]|\\.)*"|\( "[^"]*" : container = -?\d+ \)|-?\w+)')
_FTRACE_FIELD = re.compile(r'(\w+)=(\S+)')
_ENUM = re.compile(r'\( "([^"]*)" : container = -?\d+ \)')
INT_FIELDS = ('qemu_pid', 'vcpu', 'vcpu_tid', 'offset', 'prev_offset', 'ratio',
              'prev_ratio', 'frac_bits', 'host_tsc', 'nr_vcpus', 'nr_guests')


def _typed(d):
    for k in INT_FIELDS:
        if k in d:
            d[k] = int(d[k], 0)
    return d


def parse_ftrace(text, event='kvm_tsc_offset'):
    """Lines of /sys/kernel/tracing/trace holding EVENT, in order."""
    out = []
    for line in text.splitlines():
        m = re.search(r'\s%s: (.*)$' % event, line)
        if m:
            out.append(_typed(dict(_FTRACE_FIELD.findall(m.group(1)))))
    return out


def parse_babeltrace(text, event='kvm_tsc_offset'):
    """Lines of 'babeltrace2 TRACE' output holding EVENT, in order."""
    out = []
    for line in text.splitlines():
        m = re.search(r'\s%s: (.*)$' % event, line)
        if not m:
            continue
        out.append(parse_fields(m.group(1)))
    return out


def parse_fields(body):
    """The fields of one babeltrace2 text event (after 'name: ')."""
    d = {}
    for k, v in _FIELD.findall(body):
        e = _ENUM.match(v)
        if e:
            v = e.group(1)
        elif v.startswith('"'):
            v = v[1:-1]
        d[k] = v
    return _typed(d)


class GuestLog:
    """What tscguest printed: VMs, vCPUs, offset changes and samples."""

    def __init__(self, text):
        self.vms = {}        # vm index -> (pid, debugfs name)
        self.tids = {}       # (vm, vcpu) -> tid
        self.expected = {}   # (vm, vcpu) -> [(reason, offset)]
        self.samples = {}    # (vm, vcpu) -> [(h0, g, h1, n_changes_before)]
        self.runs = {}       # (vm, vcpu) -> KVM_RUN count
        self.done = False
        for line in text.splitlines():
            f = line.split()
            if not f:
                continue
            if f[0] == 'vm':
                self.vms[int(f[1])] = (int(f[3]), '%s-%s' % (f[3], f[5]))
            elif f[0] == 'vcpu':
                k = (int(f[1]), int(f[2]))
                self.tids[k] = int(f[4])
                self.expected[k] = [('create', int(f[6]))]
                self.samples[k] = []
            elif f[0] == 'set':
                k = (int(f[1]), int(f[2]))
                off = int(f[9])
                if off != self.expected[k][-1][1]:
                    self.expected[k].append(('write', off))
            elif f[0] == 'sample':
                k = (int(f[1]), int(f[2]))
                self.samples[k].append((int(f[3]), int(f[4]), int(f[5]),
                                        len(self.expected[k])))
            elif f[0] == 'runs':
                self.runs[(int(f[1]), int(f[2]))] = int(f[3])
            elif f[0] == 'done':
                self.done = True

    def key_of(self, ev):
        """(vm, vcpu) of an event, or None when it is not this guest's."""
        for idx, (pid, name) in self.vms.items():
            if ev.get('qemu_pid') == pid and ev.get('vm') == name:
                return (idx, ev['vcpu'])
        return None


def check_against_log(log, events, errors):
    """Exactly one event per change, right identity and value; samples true."""
    if not log.done:
        errors.append('tscguest did not finish (no "done" line)')
    got = {}
    pids = {pid for pid, _ in log.vms.values()}
    for ev in events:
        k = log.key_of(ev)
        if k is None:
            if ev.get('qemu_pid') in pids:
                errors.append('event for an unknown VM/vCPU of ours: %r' % ev)
            continue
        got.setdefault(k, []).append(ev)
    for k, exp in sorted(log.expected.items()):
        evs = got.get(k, [])
        seen = [(e['reason'], e['offset']) for e in evs]
        if seen != exp:
            errors.append('vm %d vcpu %d: expected %r, recorded %r' % (k + (exp, seen)))
            continue
        for e in evs:
            if e['vcpu_tid'] != log.tids[k]:
                errors.append('vm %d vcpu %d: vcpu_tid %d, thread is %d'
                              % (k + (e['vcpu_tid'], log.tids[k])))
        for h0, g, h1, n in log.samples[k]:
            off = evs[n - 1]['offset']
            host = (g - off) % (1 << 64)
            if not h0 <= host <= h1:
                errors.append('vm %d vcpu %d: guest tsc %d - offset %d = %d not in [%d, %d]'
                              % (k + (g, off, host, h0, h1)))
                break
    for k in got:
        if k not in log.expected:
            errors.append('events for vm %d vcpu %d, which tscguest never created' % k)
    return errors
