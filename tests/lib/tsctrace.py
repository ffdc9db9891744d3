# SPDX-License-Identifier: GPL-2.0
"""The kvm_tsc_* events of a host LTTng trace, from babeltrace2's text."""
import re

from tscevents import parse_fields

_EVENT = re.compile(r'\s(kvm_tsc_[a-z_]+): (.*)$')
# LTTng traces write "none given" this way (doc/statedump.md).
_NONE = {'uuid': '00000000-0000-0000-0000-000000000000', 'name': '(none)',
         'vm': '(none)'}


def parse_events(text):
    """[(name, fields)] for every kvm_tsc_* event, in trace order."""
    out = []
    for line in text.splitlines():
        m = _EVENT.search(line)
        if m:
            fields = parse_fields(m.group(2))
            for key, none in _NONE.items():
                if fields.get(key) == none:
                    fields[key] = ''
            out.append((m.group(1), fields))
    return out


def statedumps(events, errors):
    """Split the statedumps out of the stream. Each is
    {'nr_guests', 'guests': {vm: {'guest', 'vcpus': {n: (vcpu, offset)}}}}.
    A dump runs on one CPU with IRQs off: its events are those of the
    marker's CPU between start and end (other CPUs' live events interleave
    in time). It must be bracketed: start, its events, end, nothing nested."""
    dumps, cur, cpu = [], None, None
    for name, f in events:
        if cur is not None and f.get('cpu_id') != cpu:
            continue
        if name == 'kvm_tsc_statedump_start':
            if cur is not None:
                errors.append('statedump %d starts inside another'
                              % len(dumps))
            cur, cpu = {'nr_guests': f['nr_guests'], 'guests': {}}, \
                f.get('cpu_id')
        elif name == 'kvm_tsc_statedump_end':
            if cur is None:
                errors.append('statedump end without a start')
                continue
            if f['nr_guests'] != cur['nr_guests']:
                errors.append('statedump %d: start says %d guests, end %d'
                              % (len(dumps), cur['nr_guests'],
                                 f['nr_guests']))
            dumps.append(cur)
            cur, cpu = None, None
        elif cur is None:
            continue
        elif name == 'kvm_tsc_guest':
            if f['vm'] in cur['guests']:
                errors.append('statedump %d lists %s twice'
                              % (len(dumps), f['vm']))
            cur['guests'][f['vm']] = {'guest': f, 'vcpus': {}}
        elif name == 'kvm_tsc_vcpu':
            g = cur['guests'].get(f['vm'])
            if g is None:
                errors.append('statedump %d: vCPU of unannounced %s'
                              % (len(dumps), f['vm']))
            else:
                g['vcpus'][f['vcpu']] = (f, None)
        elif name == 'kvm_tsc_offset':
            g = cur['guests'].get(f['vm'])
            if f['reason'] != 'statedump':
                errors.append('statedump %d: a %s offset event inside it'
                              % (len(dumps), f['reason']))
            elif g is None or f['vcpu'] not in g['vcpus']:
                errors.append('statedump %d: offset of unannounced %s/%s'
                              % (len(dumps), f['vm'], f['vcpu']))
            else:
                g['vcpus'][f['vcpu']] = (g['vcpus'][f['vcpu']][0], f)
        else:
            errors.append('statedump %d: a %s event inside it'
                          % (len(dumps), name))
    if cur is not None:
        errors.append('the last statedump has no end marker')
    return dumps


def live_events(events):
    """(index, name, fields) of the events that are not part of a dump."""
    cpu = None
    for i, (name, f) in enumerate(events):
        if name == 'kvm_tsc_statedump_start':
            cpu = f.get('cpu_id')
        elif name == 'kvm_tsc_statedump_end' and f.get('cpu_id') == cpu:
            cpu = None
        elif cpu is None or f.get('cpu_id') != cpu:
            yield i, name, f


def first_statedump(events, errors):
    dumps = statedumps(events, errors)
    if not dumps:
        errors.append('no complete statedump in the trace')
        return None
    return dumps[0]
