# SPDX-License-Identifier: GPL-2.0
"""Trace-clock facts, computed independently of vmsync's code: the expected
identity of the raw-TSC clock, and trace events read through babeltrace2's
Python bindings (bt2) with their clock snapshots in cycles."""
import re

KEY = '766d73796e635f7473635f636c6f636b'  # 'vmsync_tsc_clock', doc/clocks.md


def expected_uuid(boot_id):
    """The clock UUID doc/clocks.md defines: each hex digit of the boot id
    XOR the key, version nibble 8, variant 10xx."""
    digits = boot_id.strip().replace('-', '').lower()
    assert len(digits) == 32, boot_id
    out = []
    for i, (d, k) in enumerate(zip(digits, KEY)):
        v = int(d, 16) ^ int(k, 16)
        if i == 12:
            v = 8
        elif i == 16:
            v = 8 | (v & 3)
        out.append('%x' % v)
    s = ''.join(out)
    return '-'.join((s[:8], s[8:12], s[12:16], s[16:20], s[20:]))


def expected_freq(dmesg_text):
    """The kernel's tsc_khz in Hz, from its own boot messages (the refined
    calibration when there is one)."""
    hz = None
    for m in re.finditer(r'tsc: (?:Refined TSC clocksource calibration|'
                         r'Detected): (\d+)\.(\d{3}) MHz', dmesg_text):
        hz = (int(m.group(1)) * 1000 + int(m.group(2))) * 1000
    return hz


def events(path):
    """[(name, fields dict, cycles, clock class, cpu_id)] in time order."""
    import bt2  # here: the UUID and frequency helpers need no babeltrace2
    out = []
    for msg in bt2.TraceCollectionMessageIterator(path):
        if type(msg) is not bt2._EventMessageConst:
            continue
        ev = msg.event
        fields = {}
        for k, v in ev.payload_field.items():
            fields[k] = str(v) if isinstance(v, bt2._StringFieldConst) else v
        cpu = None
        if ev.packet is not None and ev.packet.context_field is not None:
            cpu = int(ev.packet.context_field.get('cpu_id', -1))
        snap = msg.default_clock_snapshot
        out.append((ev.name, fields, snap.value, snap.clock_class, cpu))
    return out


def marks(path):
    """{('kmark'|'umark', i): (t0, t1)} from tscmark's output."""
    out = {}
    with open(path) as f:
        for line in f:
            kind, i, t0, t1 = line.split()
            out[(kind, int(i))] = (int(t0), int(t1))
    return out


def mark_number(name, fields):
    """('kmark'|'umark', i) for a tscmark event, else None."""
    if name == 'lttng_logger':
        m = re.match(r'vmsync-mark (\d+)', str(fields.get('msg', '')))
        return ('kmark', int(m.group(1))) if m else None
    if name == 'vmsync_test:mark':
        return ('umark', int(fields['seq']))
    return None
