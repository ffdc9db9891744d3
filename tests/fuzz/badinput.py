#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Damaged-input harness for filter.vmsync.tsc (tests/unit/bad-input runs it).

From a few small traces of build/bin/vmsync-gentrace (whose guest events carry
the host TSC they were made at), build damaged variants deterministically
(seeded): stream truncations, bit flips, packet swaps/duplicates/drops,
metadata edits, out-of-range values in the host's kvm_tsc_offset events, bad
parameters, the libFuzzer corpus (tests/fuzz/corpus/) and its findings kept
as reproducers (tests/fuzz/repro/). Run each through
babeltrace2's convert mode and through vmsync-merge, both with the plugin
built under ASan/UBSan, and judge each run:

  crash      a sanitizer report, a signal or a timeout: FAILED
  error      babeltrace2 failed, and its stderr names an input trace (its
             name, its path, or its UUID as babeltrace2's ports show it) or,
             for a bad parameter, the parameter
  flagged    it succeeded; every guest event of the output that does not
             carry a vmsync_unverified member sits at its host TSC, the
             output is in time order, some carry vmsync_unverified, and a
             line of stderr with WARNING names a trace
  clean      it succeeded, and every guest event sits at its host TSC, in
             time order (a damaged host trace must also not lose guest
             events without a WARNING)
  anything else: FAILED (wrong time, out of order, an error naming no
             trace, flagged events without a WARNING, ...)

A guest event's known host time is the "host" of its payload, for the
events whose (seq, host) pair is one of the pristine trace's and whose own
bytes (header, payload, or its packet's cpu_id) the damage did not touch:
the others are counted as "unknown" and exempt from the time check (the
input itself no longer says when they happened).

Usage: badinput.py [--variants N] [--jobs N] [--only ID[,ID...]] [--keep DIR]
                   [--list] [--corpus-only]
"""
import argparse
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
GEN = os.path.join(REPO, 'build', 'bin', 'vmsync-gentrace')
BT2_ASAN = os.path.join(REPO, 'tests', 'lib', 'bt2-asan')
MERGE = os.path.join(REPO, 'plugin', 'vmsync-merge')
ASAN_PLUGIN = os.path.join(REPO, 'build', 'asan', 'plugin')
CORPUS = os.path.join(REPO, 'tests', 'fuzz', 'corpus')
# Findings of 'make fuzz' kept as reproducers (same format as the corpus).
REPRO = os.path.join(REPO, 'tests', 'fuzz', 'repro')
SEED = 20261201
TIMEOUT = 30
DOWNTIME = ['--params', 'downtime-ms=100']

# The generated sets: name -> vmsync-gentrace arguments after DIR. 9000
# events: two or three packets of 1024 events per stream file.
SETS = {
    'r1000': ['9000', '2', '4', '1000'],
    'r1500': ['9000', '2', '4', '1500'],
    'migr': ['9000', '2', '4', '1000', '1000000', '0', '1'],
}
# The libFuzzer target's fixed trace (tests/fuzz/vmsync_fuzz.c, make fuzz).
FUZZ_SET = ('fuzzbase', ['200', '2', '4', '1500'])
# A corpus input's first byte picks the file its rest replaces.
FUZZ_FILES = ['host/channel0_0', 'host/channel0_1', 'guest/channel0_0',
              'guest/channel0_1', 'host/metadata', 'guest/metadata']

HDR = 76  # packet header (32 bytes) and context (44) of gentrace's streams
# Event payloads: (name, kind) per event id, for the host and the guest.
HOST_EV = {0: [('nr', 'u32')], 1: [('nr', 'u32')],
           2: [('pid', 'i32'), ('vm', 's'), ('uuid', 's'), ('name', 's'), ('nr', 'u32')],
           3: [('pid', 'i32'), ('vm', 's'), ('vcpu', 'u32'), ('tid', 'i32'),
               ('offset', 'i64'), ('prev_offset', 'i64'), ('ratio', 'u64'),
               ('prev_ratio', 'u64'), ('frac_bits', 'u8'), ('host_tsc', 'u64')],
           4: [('seq', 'u64'), ('host', 'u64')],
           6: [('pid', 'i32'), ('vm', 's'), ('vcpu', 'u32'), ('tid', 'i32')],
           7: [('vcpu', 'u32'), ('tid', 'i32')], 8: [('vcpu', 'u32'), ('tid', 'i32')]}
GUEST_EV = {4: [('seq', 'u64'), ('host', 'u64')],
            5: [('tag', 'u8'), ('value', 'variant'), ('seq', 'u64'), ('host', 'u64')]}
SIZES = {'u8': 1, 'u32': 4, 'i32': 4, 'u64': 8, 'i64': 8}


class Packet:
    def __init__(self, start, size, content):
        self.start, self.size, self.content = start, size, content
        self.events = []  # dicts: at, end, id, ts, fields {name: (off, kind, value)}


def parse_stream(data, host):
    """gentrace's stream file: its packets and their events."""
    evs = HOST_EV if host else GUEST_EV
    pkts = []
    pos = 0
    while pos + HDR <= len(data):
        content, size = struct.unpack_from('<QQ', data, pos + 48)
        if size % 8 or size < HDR * 8 or pos + size // 8 > len(data):
            raise ValueError('bad packet at %d' % pos)
        p = Packet(pos, size // 8, content // 8)
        q = pos + HDR
        while q < pos + p.content:
            ev = {'at': q, 'fields': {}}
            ev['id'], ev['ts'] = struct.unpack_from('<IQ', data, q)
            q += 12
            tag = 0
            for name, kind in evs[ev['id']]:
                if kind == 's':
                    end = data.index(b'\0', q)
                    ev['fields'][name] = (q, kind, data[q:end])
                    q = end + 1
                    continue
                if kind == 'variant':
                    kind = 'u64' if tag else 'u32'
                fmt = {'u8': '<B', 'u32': '<I', 'i32': '<i', 'u64': '<Q', 'i64': '<q'}[kind]
                v = struct.unpack_from(fmt, data, q)[0]
                ev['fields'][name] = (q, kind, v)
                if name == 'tag':
                    tag = v
                q += SIZES[kind]
            ev['end'] = q
            p.events.append(ev)
        pkts.append(p)
        pos += p.size
    return pkts


def gen_set(base, name, args):
    d = os.path.join(base, name)
    if not os.path.isdir(d):
        subprocess.run([GEN, d] + args, check=True, stdout=subprocess.DEVNULL)
    return d


def truth(setdir):
    """seq -> (host, is_guest) of the pristine set."""
    t = {}
    for sub in sorted(os.listdir(setdir)):
        tdir = os.path.join(setdir, sub)
        host = sub.startswith('host')
        for f in sorted(os.listdir(tdir)):
            if not f.startswith('channel'):
                continue
            with open(os.path.join(tdir, f), 'rb') as fh:
                for p in parse_stream(fh.read(), host):
                    for ev in p.events:
                        if 'seq' in ev['fields']:
                            t[ev['fields']['seq'][2]] = (ev['fields']['host'][2], not host)
    return t


# ---------------------------------------------------------------- variants
#
# A variant: id, set, kind, a description, and what it does to a copy of
# the set: {'files': {relpath: bytes}, 'params': [...], 'damaged': relpath
# of the damaged trace, 'exempt': seqs whose bytes it touched}.

def streams_of(setdir, which):
    return sorted(os.path.join(which, f) for f in os.listdir(os.path.join(setdir, which))
                  if f.startswith('channel'))


_CACHE = {}


def read(setdir, rel):
    key = (setdir, rel)
    if key not in _CACHE:
        with open(os.path.join(setdir, rel), 'rb') as f:
            _CACHE[key] = f.read()
    return _CACHE[key]


def parsed(setdir, rel):
    key = (setdir, rel, 'parsed')
    if key not in _CACHE:
        _CACHE[key] = parse_stream(read(setdir, rel), rel.startswith('host'))
    return _CACHE[key]


def touched_seqs(pkts, lo, hi):
    """Seqs of the events whose bytes (or whose packet's cpu_id) lie in [lo, hi)."""
    s = set()
    for p in pkts:
        cpu_lo = p.start + 72
        touches_cpu = lo < cpu_lo + 4 and hi > cpu_lo
        for ev in p.events:
            if touches_cpu or (lo < ev['end'] and hi > ev['at']):
                if 'seq' in ev['fields']:
                    s.add(ev['fields']['seq'][2])
    return s


def v_trunc(rng, setdir):
    which = rng.choice(['host', 'guest'])
    rel = rng.choice(streams_of(setdir, which))
    data = read(setdir, rel)
    pkts = parsed(setdir, rel)
    p = rng.choice(pkts)
    where = rng.choice(['header', 'context', 'event', 'boundary', 'byte'])
    if where == 'header':
        off = p.start + rng.randrange(0, 32)
    elif where == 'context':
        off = p.start + rng.randrange(32, HDR)
    elif where == 'event':
        ev = rng.choice(p.events)
        off = rng.randrange(ev['at'] + 1, ev['end'])
    elif where == 'boundary':
        off = p.start
    else:
        off = rng.randrange(0, len(data))
    return dict(desc='truncate %s to %d bytes (%s, packet at %d)' % (rel, off, where, p.start),
                files={rel: data[:off]}, damaged=which, exempt=set())


def v_flip(rng, setdir):
    which = rng.choice(['host', 'guest'])
    rel = rng.choice(streams_of(setdir, which))
    data = bytearray(read(setdir, rel))
    pkts = parsed(setdir, rel)
    n = rng.choice([1, 1, 1, 2, 3])
    bits = []
    for _ in range(n):
        if rng.random() < 0.3:  # headers and contexts: fewer bytes, more effect
            p = rng.choice(pkts)
            byte = p.start + rng.randrange(0, HDR)
        else:
            byte = rng.randrange(0, len(data))
        bit = rng.randrange(8)
        data[byte] ^= 1 << bit
        bits.append((byte, bit))
    exempt = set()
    if which == 'guest':
        for byte, _ in bits:
            exempt |= touched_seqs(pkts, byte, byte + 1)
    return dict(desc='flip bit(s) %s of %s' % (', '.join('%d.%d' % b for b in bits), rel),
                files={rel: bytes(data)}, damaged=which, exempt=exempt)


def v_packets(rng, setdir):
    which = rng.choice(['host', 'guest'])
    rels = [r for r in streams_of(setdir, which)
            if len(parsed(setdir, r)) > 1]
    rel = rng.choice(rels)
    data = read(setdir, rel)
    pkts = parsed(setdir, rel)
    chunks = [data[p.start:p.start + p.size] for p in pkts]
    op = rng.choice(['swap', 'dup', 'drop', 'drop-first', 'dup-last'])
    if op == 'swap':
        i = rng.randrange(len(chunks) - 1)
        chunks[i], chunks[i + 1] = chunks[i + 1], chunks[i]
        what = 'swap packets %d and %d' % (i, i + 1)
    elif op == 'dup':
        i = rng.randrange(len(chunks))
        chunks.insert(i + 1, chunks[i])
        what = 'duplicate packet %d' % i
    elif op == 'dup-last':
        chunks.append(chunks[0])
        what = 'append a copy of packet 0'
    elif op == 'drop-first':
        del chunks[0]
        what = 'drop packet 0'
    else:
        i = rng.randrange(1, len(chunks))
        del chunks[i]
        what = 'drop packet %d' % i
    return dict(desc='%s of %s (%d packets)' % (what, rel, len(pkts)),
                files={rel: b''.join(chunks)}, damaged=which, exempt=set())


OFFSET_FIELDS = ['offset', 'prev_offset', 'ratio', 'prev_ratio', 'frac_bits', 'host_tsc']
META_EDITS = [
    # (trace, regexp, replacement, description)
    ('host', r'int64_t offset;', 'int32_t offset;', 'offset as int32_t'),
    ('host', r'int64_t offset;', 'uint64_t offset;', 'offset unsigned'),
    ('host', r'int64_t offset;', 'uint8_t offset;', 'offset as uint8_t'),
    ('host', r'int64_t offset;', 'string offset;', 'offset as a string'),
    ('host', r'int64_t prev_offset;', 'int32_t prev_offset;', 'prev_offset as int32_t'),
    ('host', r'uint8_t frac_bits;', 'uint32_t frac_bits;', 'frac_bits as uint32_t'),
    ('host', r'uint8_t frac_bits;', 'int64_t frac_bits;', 'frac_bits signed 64-bit'),
    ('host', r'uint8_t frac_bits;', 'string frac_bits;', 'frac_bits as a string'),
    ('host', r'uint8_t frac_bits; ', '', 'frac_bits removed'),
    ('host', r'uint64_t host_tsc;', 'int64_t host_tsc;', 'host_tsc signed'),
    ('host', r'uint64_t host_tsc;', 'uint32_t host_tsc;', 'host_tsc as uint32_t'),
    ('host', r'uint64_t host_tsc;', 'uint64_t host_tsc_x;', 'host_tsc renamed'),
    ('host', r'uint64_t ratio;', 'int64_t ratio;', 'ratio signed'),
    ('host', r'uint64_t ratio;', 'uint32_t ratio;', 'ratio as uint32_t'),
    ('host', r'uint64_t ratio;', 'string ratio;', 'ratio as a string'),
    ('host', r'uint32_t vcpu; int32_t vcpu_tid; int64_t offset',
     'uint8_t vcpu; int32_t vcpu_tid; int64_t offset', 'offset vcpu as uint8_t'),
    ('host', r'uint32_t vcpu; int32_t vcpu_tid; int64_t offset',
     'string vcpu; int32_t vcpu_tid; int64_t offset', 'offset vcpu as a string'),
    ('host', r'string uuid;', 'uint64_t uuid;', 'kvm_tsc_guest uuid as an integer'),
    ('host', r'int32_t qemu_pid; string vm; string uuid',
     'string qemu_pid; string vm; string uuid', 'kvm_tsc_guest qemu_pid as a string'),
    ('host', r'string vm; string uuid; string name; uint32_t nr_vcpus;',
     'string vm; string uuid; string name; uint8_t nr_vcpus;', 'nr_vcpus as uint8_t'),
    ('host', r'"kvm_tsc_offset"', '"kvm_tsc_offsetx"', 'kvm_tsc_offset renamed'),
    ('host', r'"kvm_tsc_guest"', '"kvm_tsc_gues"', 'kvm_tsc_guest renamed'),
    ('host', r'"kvm_tsc_guest"', '"kvm_tsc_offset"', 'kvm_tsc_guest named kvm_tsc_offset'),
    ('host', r'"kvm_tsc_offset"', '"kvm_tsc_guest"', 'kvm_tsc_offset named kvm_tsc_guest'),
    ('host', r'"kvm_tsc_statedump_start"', '"kvm_tsc_statedump_end"', 'two statedump_end'),
    ('host', r'freq = 2000000000;', 'freq = 1000000000;', 'host clock freq halved'),
    ('host', r'freq = 2000000000;', 'freq = 1;', 'host clock freq 1'),
    ('host', r'freq = 2000000000;', 'freq = 18446744073709551615;', 'host clock freq 2^64-1'),
    ('host', r'offset = (\d+);\n\};', 'offset = 18446744073709551615;\n};', 'host clock offset 2^64-1'),
    ('host', r'offset = (\d+);\n\};', 'offset = 0;\n};', 'host clock offset 0'),
    ('host', r'offset = (\d+);\n\};', 'offset = \\1;\n\toffset_s = 9223372036;\n};', 'host clock offset_s huge'),
    ('host', r'name = "vmsync_tsc";', 'name = "monotonic";', 'host clock renamed'),
    ('host', r'vmsync_tsc', 'other_clock', 'host clock renamed everywhere'),
    ('host', r'\thostname = "gen-host";\n', '', 'host env hostname removed'),
    ('host', r'hostname = "gen-host"', 'hostname = "gen-guest"', 'host named as its guest'),
    ('host', r'hostname = "gen-host"', 'hostname = ""', 'host hostname empty'),
    ('host', r'domain = "kernel"', 'domain = "ust"', 'host domain ust'),
    ('guest', r'\tproduct_uuid = "[^"]*";\n', '', 'guest product_uuid removed'),
    ('guest', r'product_uuid = "[^"]*"', 'product_uuid = ""', 'guest product_uuid empty'),
    ('guest', r'product_uuid = "[^"]*"', 'product_uuid = 42', 'guest product_uuid an integer'),
    ('guest', r'product_uuid = "([^"]*)abcd"', 'product_uuid = "\\1ABCD"', 'guest product_uuid upper case'),
    ('guest', r'product_uuid = "[^"]*"', 'product_uuid = "9e5e7a7e"', 'guest product_uuid short'),
    ('guest', r'\thostname = "gen-guest";\n', '', 'guest env hostname removed'),
    ('guest', r'hostname = "gen-guest"', 'hostname = "gen-host"', 'guest named as its host'),
    ('guest', r'freq = 2000000000;', 'freq = 1000000000;', 'guest clock freq halved'),
    ('guest', r'freq = 2000000000;', 'freq = 1;', 'guest clock freq 1'),
    ('guest', r'offset = (\d+);\n\};', 'offset = 18446744073709551615;\n};', 'guest clock offset 2^64-1'),
    ('guest', r'offset = (\d+);\n\};', 'offset = 0;\n};', 'guest clock offset 0'),
    ('guest', r'name = "vmsync_tsc";', 'name = "vmsync_tsc_x";', 'guest clock renamed'),
    ('guest', r'vmsync_tsc', 'monotonic', 'guest clock monotonic'),
    ('guest', r'uint32_t cpu_id;', 'uint8_t cpu_id;', 'guest cpu_id as uint8_t'),
    ('guest', r'uint32_t cpu_id;', 'int32_t cpu_id;', 'guest cpu_id signed'),
    ('guest', r'uint32_t cpu_id; ', '', 'guest cpu_id removed'),
    ('guest', r'uint64_t seq; uint64_t host; }; };\nevent { name = "tagged"',
     'uint64_t seq; uint64_t host; }; };\nevent { name = "tagged"', 'no-op control'),
]


def v_meta(rng, setdir, i=None):
    e = META_EDITS[i if i is not None else rng.randrange(len(META_EDITS))]
    rel = os.path.join(e[0], 'metadata')
    text = read(setdir, rel).decode()
    new, n = re.subn(e[1], e[2], text)
    if not n:
        raise RuntimeError('metadata edit %r matches nothing' % e[3])
    return dict(desc='metadata: %s' % e[3], files={rel: new.encode()}, damaged=e[0],
                exempt=set())


def v_value(rng, setdir):
    rels = streams_of(setdir, 'host')
    cands = []
    for rel in rels:
        for p in parsed(setdir, rel):
            for ev in p.events:
                if ev['id'] == 3:
                    cands.append((rel, ev))
    rel, ev = rng.choice(cands)
    field = rng.choice(OFFSET_FIELDS + ['timestamp', 'vcpu'])
    values = {
        'frac_bits': [0, 64, 200, 255, 47, 49, 1],
        'ratio': [0, 1, 2**63, 2**64 - 1, 1 << 49],
        'prev_ratio': [0, 2**64 - 1, 1 << 47],
        'offset': [2**63 - 1, -2**63, -2**63 + 1, 2**62, -1, 0],
        'prev_offset': [2**63 - 1, -2**63, 0, 12345],
        'host_tsc': [0, 2**64 - 1, 2**64 - 1000, 2**63, 1],
        'timestamp': [0, 2**64 - 1, 2**64 - 2**32, 2**63, 1],
        'vcpu': [2, 63, 64, 2**31, 2**32 - 1],
    }[field]
    v = rng.choice(values)
    data = bytearray(read(setdir, rel))
    if field == 'timestamp':
        struct.pack_into('<Q', data, ev['at'] + 4, v)
    else:
        off, kind, _ = ev['fields'][field]
        fmt = {'u8': '<B', 'u32': '<I', 'i32': '<i', 'u64': '<Q', 'i64': '<q'}[kind]
        struct.pack_into(fmt, data, off, v)
    return dict(desc='kvm_tsc_offset at %d of %s (vCPU %d): %s = %d' %
                (ev['ts'], rel, ev['fields']['vcpu'][2], field, v),
                files={rel: bytes(data)}, damaged='host', exempt=set())


def v_negframe(rng, setdir):
    """frac_bits signed, and negative in one offset event."""
    var = v_value(random.Random(rng.random()), setdir)
    text = read(setdir, 'host/metadata').decode().replace('uint8_t frac_bits;', 'int8_t frac_bits;')
    head, rest = text.split('\n', 1)  # after "/* CTF 1.8 */", which must come first
    text = head + '\ntypealias integer { size = 8; align = 8; signed = true; } := int8_t;\n' + rest
    rels = streams_of(setdir, 'host')
    rel = rng.choice(rels)
    data = bytearray(read(setdir, rel))
    evs = [ev for p in parsed(setdir, rel) for ev in p.events if ev['id'] == 3]
    if not evs:
        return var
    ev = rng.choice(evs)
    v = rng.choice([-1, -48, -128])
    struct.pack_into('<b', data, ev['fields']['frac_bits'][0], v)
    return dict(desc='frac_bits signed (int8_t), %d in the kvm_tsc_offset at %d of %s' %
                (v, ev['ts'], rel),
                files={'host/metadata': text.encode(), rel: bytes(data)}, damaged='host',
                exempt=set())


BAD_PARAMS = [
    'slack-us=-1', 'slack-us="one"', 'downtime-ms=18446744073709551',
    'downtime-ms=9223372036854775807', 'slack-us=9223372036854775807',
    'window-limit-ms=0', 'window-limit-ms=9223372036854775807', 'max-held=0',
    'max-held=1', 'beacon-jitter-us=-5', 'map=5', 'map=""', 'map="gen-guest"',
    'map="gen-guest="', 'map="=4242-12"', 'map="gen-guest=nope"', 'map=",,,"',
    'map="gen-guest=4242-12,gen-guest=5151-13"', 'downtime-ms=1.5', 'slack-us=[1]',
]


def v_param(rng, setdir, i=None):
    p = BAD_PARAMS[i if i is not None else rng.randrange(len(BAD_PARAMS))]
    return dict(desc='parameter %s' % p, files={}, damaged=None, exempt=set(), param=p)


def v_corpus(path, setdir):
    with open(path, 'rb') as f:
        raw = f.read()
    if not raw:
        return dict(desc='corpus %s (empty: no change)' % os.path.basename(path), files={},
                    damaged=None, exempt=set())
    rel = FUZZ_FILES[raw[0] % len(FUZZ_FILES)]
    new, old = raw[1:], read(setdir, rel)
    exempt = set()
    if rel.startswith('guest/channel'):
        # The guest events whose bytes changed (all from the first change
        # on, when the length did).
        diff = [i for i in range(min(len(new), len(old))) if new[i] != old[i]]
        pkts = parsed(setdir, rel)
        if len(new) != len(old):
            start = diff[0] if diff else min(len(new), len(old))
            exempt = touched_seqs(pkts, start, len(old) + 1)
            diff = [i for i in diff if i < start]
        for i in diff:
            exempt |= touched_seqs(pkts, i, i + 1)
    return dict(desc='corpus %s: %s replaced (%d bytes)' % (os.path.basename(path), rel,
                                                             len(new)),
                files={rel: new}, damaged=rel.split('/')[0], exempt=exempt)


KINDS = [('trunc', v_trunc, 5), ('flip', v_flip, 6), ('packets', v_packets, 3),
         ('value', v_value, 4), ('negfrac', v_negframe, 1)]


def plan(count):
    """The variant list: (id, set, kind, builder) in a fixed order."""
    out = []
    sets = list(SETS)
    # Every metadata edit and bad parameter once, on the sets in turn.
    for i in range(len(META_EDITS)):
        out.append(('meta%02d' % i, sets[i % len(sets)], 'meta',
                    lambda r, d, i=i: v_meta(r, d, i)))
    for i in range(len(BAD_PARAMS)):
        out.append(('param%02d' % i, sets[i % len(sets)], 'param',
                    lambda r, d, i=i: v_param(r, d, i)))
    weights = [k for k, _, w in KINDS for _ in range(w)]
    funcs = {k: f for k, f, _ in KINDS}
    n = 0
    while len(out) < count:
        kind = weights[n % len(weights)]
        out.append(('%s%04d' % (kind, n), sets[n % len(sets)], kind, funcs[kind]))
        n += 1
    return out


def corpus_plan():
    out = []
    for kind, top in (('corpus', CORPUS), ('repro', REPRO)):
        if os.path.isdir(top):
            out += [('%s-%s' % (kind, f), FUZZ_SET[0], kind,
                     lambda r, d, p=os.path.join(top, f): v_corpus(p, d))
                    for f in sorted(os.listdir(top)) if not f.startswith('.')]
    return out


# ---------------------------------------------------------------- oracle

LINE = re.compile(r'^\[(\d+)\] \([^)]*\) (\S+) (\S+): (.*)$')
PAIR = re.compile(r'\bseq = (\d+), host = (\d+) \}$')


def unfold(text):
    return re.sub(r'\s+', ' ', text)


def names_trace(text, names):
    flat = unfold(text)
    squeezed = re.sub(r'\s+', '', text)
    for n in names:
        if not n:
            continue
        if n.startswith('uuid:'):
            if n[5:] in flat:
                return True
        elif n.startswith('/'):
            if n in squeezed:
                return True
        elif "'%s'" % n in flat or '"%s"' % n in flat:
            return True
    return False


def judge(rc, out, err, var, tr, vdir, orig_guests):
    """(class, reason)"""
    if rc in (99, 124) or rc < 0 or rc >= 128 or 'Sanitizer' in err or 'runtime error' in err:
        m = re.search(r'(ERROR: \w+Sanitizer.*|.*runtime error.*|SUMMARY.*)', err)
        why = 'timeout' if rc == 124 else (m.group(1) if m else 'status %d' % rc)
        return 'FAILED', 'crash: ' + why
    names = [os.path.join(vdir, 'host'), os.path.join(vdir, 'guest'),
             'gen-host', 'gen-guest', 'host', 'guest']
    for sub in ('host', 'guest'):
        try:
            with open(os.path.join(vdir, sub, 'metadata'), errors='replace') as f:
                text = f.read()
            m = re.search(r'hostname = "([^"]+)"', text)
            if m:
                names.append(m.group(1))
            # babeltrace2's own errors name a stream by its trace's UUID
            # (its port: "UUID | STREAM CLASS | STREAM").
            m = re.search(r'trace \{[^}]*uuid = "([0-9a-f-]{36})"', text)
            if m:
                names.append('uuid:' + m.group(1))
        except OSError:
            pass
    if rc != 0:
        if var.get('param'):
            key = var['param'].split('=')[0]
            if 'bad parameter' in unfold(err) or key in unfold(err):
                return 'error', ''
            return 'FAILED', 'error naming no parameter: ' + last_lines(err)
        if names_trace(err, names):
            return 'error', ''
        where = 'its last cause from babeltrace2 upstream of the filter'
        causes = re.findall(r'^CAUSED BY \[([^\]]*)\]', err, re.M)
        if any('vmsync' in c for c in causes):
            where = 'the plugin among its causes'
        return 'FAILED', 'error naming no trace (%s): %s' % (where, last_lines(err))
    exempt = var['exempt']
    prev = -1
    order = wrong = unknown = flagged = guests = 0
    first_wrong = first_order = None
    for line in out.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        ts = int(m.group(1))
        unverified = 'vmsync_unverified = ' in line
        pm = PAIR.search(line)
        if pm:
            seq, host = int(pm.group(1)), int(pm.group(2))
            t = tr.get(seq)
            if t and t[1]:
                guests += 1
                if unverified:
                    flagged += 1
                elif t[0] != host or seq in exempt:
                    unknown += 1
                elif ts != host:
                    wrong += 1
                    first_wrong = first_wrong or line
            elif t is None and m.group(3) in ('filler', 'tagged'):
                unknown += 1
        if not unverified:
            if ts < prev:
                order += 1
                first_order = first_order or line
            prev = ts
    warned = any('WARNING' in ln and names_trace(ln, names)
                 for ln in unfold(err).split('filter.vmsync.tsc:')) or \
        any('WARNING' in ln and names_trace(ln, names) for ln in err.splitlines())
    if wrong or order:
        return 'FAILED', ('%d unmarked guest events off their host TSC, %d events out of '
                          'order%s (first: %s)' % (wrong, order,
                                                   '; stderr warned' if warned else '; no warning',
                                                   first_wrong or first_order))
    if flagged and not warned:
        return 'FAILED', '%d events marked vmsync_unverified but no WARNING naming a trace' % flagged
    if flagged:
        return 'flagged', ''
    if var['damaged'] == 'host' and guests < orig_guests and not warned:
        return 'FAILED', ('only %d of the %d guest events came out, without a WARNING'
                          % (guests, orig_guests))
    return 'clean', ''


def last_lines(err):
    lines = [ln for ln in err.splitlines() if ln.strip()]
    return ' | '.join(lines[-3:])[:400]


def commands(vdir, var):
    host, guest = os.path.join(vdir, 'host'), os.path.join(vdir, 'guest')
    params = 'downtime-ms=100' + (',' + var['param'] if var.get('param') else '')
    conv = [BT2_ASAN, '--clock-force-correlate', '--clock-cycles', host, guest,
            '--component', 'filter.vmsync.tsc', '--params', params]
    merge = [MERGE, '--cycles', '--downtime-ms', '100', host, guest]
    if var.get('param'):
        # vmsync-merge checks its own options: give the bad parameter to the
        # graph it builds, through babeltrace2 run, as vmsync-merge does.
        merge = [BT2_ASAN, 'run',
                 '--component', 'src0:source.ctf.fs', '--params', 'inputs=["%s"]' % host,
                 '--connect', 'src0:vmsync',
                 '--component', 'src1:source.ctf.fs', '--params', 'inputs=["%s"]' % guest,
                 '--connect', 'src1:vmsync',
                 '--component', 'vmsync:filter.vmsync.tsc', '--params', params,
                 '--component', 'out:sink.text.pretty', '--params', 'clock-cycles=yes',
                 '--connect', 'vmsync:out']
    return {'convert': conv, 'merge': merge}


def asan_env():
    env = dict(os.environ)
    cc = env.get('CC', 'cc')
    libs = [subprocess.run([cc, '-print-file-name=' + lib], capture_output=True,
                           text=True).stdout.strip() for lib in ('libasan.so', 'libubsan.so')]
    env.update(LD_PRELOAD=':'.join(libs), VMSYNC_PLUGIN_PATH=ASAN_PLUGIN,
               ASAN_OPTIONS='detect_leaks=0:abort_on_error=0:exitcode=99',
               UBSAN_OPTIONS='halt_on_error=1:exitcode=99:print_stacktrace=1')
    return env


def run_one(cmd, env, outdir, tag):
    try:
        p = subprocess.run(['timeout', '-k', '5', str(TIMEOUT)] + cmd, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except OSError as e:
        rc, out, err = 127, b'', str(e).encode()
    out = out.decode(errors='replace')
    err = err.decode(errors='replace')
    if outdir:
        with open(os.path.join(outdir, tag + '.out'), 'w') as f:
            f.write(out)
        with open(os.path.join(outdir, tag + '.err'), 'w') as f:
            f.write(err)
    return rc, out, err


def materialize(setdir, vdir, var):
    shutil.copytree(setdir, vdir)
    for rel, data in var['files'].items():
        with open(os.path.join(vdir, rel), 'wb') as f:
            f.write(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--variants', type=int,
                    default=int(os.environ.get('VMSYNC_FUZZ_VARIANTS', '400')))
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 2)
    ap.add_argument('--only', default='')
    ap.add_argument('--keep', default='')
    ap.add_argument('--list', action='store_true')
    ap.add_argument('--corpus-only', action='store_true')
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix='vmsync-badinput.')
    base = os.path.join(work, 'sets')
    os.makedirs(base)
    todo = ([] if args.corpus_only else plan(args.variants)) + corpus_plan()
    if args.only:
        want = set(args.only.split(','))
        todo = [t for t in todo if t[0] in want]
        if not todo:
            print('no variant %s (see --list)' % args.only)
            return 2
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    sets = {}
    for vid, sname, kind, build in todo:
        if sname not in sets:
            sargs = SETS.get(sname) or FUZZ_SET[1]
            d = gen_set(base, sname, sargs)
            tr = truth(d)
            sets[sname] = (d, tr, sum(1 for h, g in tr.values() if g))
    env = asan_env()
    vars_ = []
    for vid, sname, kind, build in todo:
        rng = random.Random('%d:%s' % (SEED, vid))
        var = build(rng, sets[sname][0])
        vars_.append((vid, sname, kind, var))
        if args.list:
            print('%s [%s] %s' % (vid, sname, var['desc']))
    if args.list:
        shutil.rmtree(work)
        return 0

    def go(item):
        vid, sname, kind, var = item
        setdir, tr, nguests = sets[sname]
        root = args.keep or work
        vdir = os.path.join(root, vid)
        shutil.rmtree(vdir, ignore_errors=True)
        materialize(setdir, vdir, var)
        res = []
        for how, cmd in commands(vdir, var).items():
            rc, out, err = run_one(cmd, env, vdir if args.keep else None, how)
            cls, why = judge(rc, out, err, var, tr, vdir, nguests)
            res.append((how, cls, why, rc))
        if not args.keep:
            shutil.rmtree(vdir, ignore_errors=True)
        return item, res

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        results = list(ex.map(go, vars_))

    known = known_failures()
    counts = {}
    failed = []
    xfailed = []
    xpassed = []
    for (vid, sname, kind, var), res in results:
        for how, cls, why, rc in res:
            c = counts.setdefault(kind, {'clean': 0, 'flagged': 0, 'error': 0, 'FAILED': 0})
            c[cls] += 1
            if cls == 'FAILED' and vid in known and not why.startswith('crash'):
                xfailed.append((vid, sname, var, how, known[vid]))
            elif cls == 'FAILED':
                failed.append((vid, sname, var, how, why))
            elif vid in known:
                xpassed.append((vid, how))
    print('bad-input: %d variants (%d runs: convert mode and vmsync-merge each)' %
          (len(results), 2 * len(results)))
    print('%-8s %7s %7s %7s %7s' % ('kind', 'clean', 'flagged', 'error', 'FAILED'))
    tot = {'clean': 0, 'flagged': 0, 'error': 0, 'FAILED': 0}
    for kind in sorted(counts):
        c = counts[kind]
        print('%-8s %7d %7d %7d %7d' % (kind, c['clean'], c['flagged'], c['error'], c['FAILED']))
        for k in tot:
            tot[k] += c[k]
    print('%-8s %7d %7d %7d %7d' % ('total', tot['clean'], tot['flagged'], tot['error'],
                                     tot['FAILED']))
    if failed:
        print('\nFAILED runs (reproduce: tests/fuzz/badinput.py --only ID --keep DIR; '
              'DIR/ID holds the traces and each command\'s .out/.err):')
        for vid, sname, var, how, why in failed:
            print('FAILED %s [%s, %s] %s: %s' % (vid, sname, how, var['desc'], why))
    for vid, sname, var, how, reason in xfailed:
        print('XFAIL %s [%s, %s] %s: known (tests/fuzz/known-failures): %s'
              % (vid, sname, how, var['desc'], reason))
    for vid, how in xpassed:
        print('XPASS %s [%s]: now as required; take it out of tests/fuzz/known-failures'
              % (vid, how))
    shutil.rmtree(work, ignore_errors=True)
    print('bad-input: %d runs as required, %d known failures, %d FAILED'
          % (2 * len(results) - len(failed) - len(xfailed), len(xfailed), len(failed)))
    return 1 if failed else 0


def known_failures():
    """{variant id: why}: failures understood and not fixed yet (a crash never is)."""
    known = {}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'known-failures')
    try:
        with open(path) as f:
            for line in f:
                line = line.split('#', 1)[0].strip()
                if line:
                    vid, _, why = line.partition(' ')
                    known[vid] = why.strip()
    except OSError:
        pass
    return known


if __name__ == '__main__':
    sys.exit(main())
