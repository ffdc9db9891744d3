// SPDX-License-Identifier: GPL-2.0
/*
 * vmsync-gentrace - write a host trace and a guest trace (CTF 1.8, both on
 * vmsync's TSC clock, LTTng's layout) whose guest times are known: every
 * guest event carries in its payload ("host") the host TSC at which it was
 * made, so a test can check that filter.vmsync.tsc puts it exactly there,
 * and a benchmark has traces of any length.
 *
 * The host announces one VM (kvm_tsc_guest, UUID below) and every offset of
 * its vCPUs (kvm_tsc_offset); half-way between changes, a guest's TSC jumps
 * forward, or stops during a downtime and goes on from where it stopped
 * (the offset moves back: a migration, a restore). The guest TSC is KVM's:
 * ((host * ratio) >> frac) + offset.
 *
 * Usage: vmsync-gentrace DIR [EVENTS [VCPUS [CHANGES [RATIO_PERMILLE [RATE [LOST [MIGRATE [MODES [GUESTS]]]]]]]]]
 * writes DIR/host and DIR/guest; EVENTS (default 100000) are shared half
 * and half between host and guest, RATE (default 1000000) events per second;
 * LOST (default 0): the host's CPU 0 says it lost that many events half-way.
 * MIGRATE 1: the guest migrates at the change after half of them: from it
 * on, its vCPUs run in a second VM with the same UUID (VM_B), which the
 * host announced before the first, as it does qemu -incoming's when that
 * process starts first. MIGRATE 2: VM_B runs on a second host, DIR/host-b
 * ("gen-host-b"), whose TSC is 2^48 cycles ahead of the first's, and whose
 * clock says every instant HOST_B_SKEW cycles (1 us) later than the first
 * host's does (two hosts' clocks never agree exactly). A guest event it
 * ran carries as "host" the first host's TSC plus that skew: where the
 * second host's clock puts it on the first one's. RATIO_PERMILLE applies to
 * both hosts (2^48 * ratio >> 48 is exact, so each offset moves by ratio).
 * MODES 1: the hosts also record their vCPU threads (kvm_tsc_vcpu) and
 * each guest event's guest mode, a kvm_vcpu_entry and a kvm_vcpu_exit of
 * its vCPU's thread 10 cycles around it (one stream per vCPU), for the
 * accuracy check (sink.vmsync.check).
 * GUESTS 2: a second guest runs beside the first, in VM 6161-14 with UUID
 * GUEST2_UUID and offsets of its own, traced in DIR/guest-2 ("gen-guest-2",
 * a clock of its own); it shares the guest events' half.
 * One guest event in 16 is a "tagged" one instead of a "filler": its tag
 * (an enumeration, 0 or 1 in turn) selects a variant option, "small"
 * (uint32_t seq * 7) or "big" (uint64_t seq * 0x100000001), so that a test
 * can check that variants come through.
 *
 * Default-clock mode: vmsync-gentrace OPTIONS DIR [EVENTS ...], with any of
 * --default-clock, --beacon-us=N, --slew-ppm=N, --dup[=CYCLES], --drop=N,
 * --jitter-ns=N before DIR (the other arguments as above; not with MIGRATE 2
 * or MODES). Every trace is then on a clock named "monotonic" (1 GHz), the
 * TSC runs at 2.5 GHz, and each machine's clock is its own function of the
 * host TSC: its own origin, a drift (host +31 ppm, guest -47 ppm, second
 * guest +23 ppm) and, every DC_SLEW_SEG cycles (2.3 ms), a new rate within
 * --slew-ppm (default 20) of it, as NTP slews a clock (a guest's clock
 * follows host time, as kvm-clock does, through its TSC's jumps). Each host
 * CPU stream and each vCPU stream carries kvm_tsc_sync beacons { tsc,
 * reason } every --beacon-us (default 1000) us of host TSC, from before the
 * first event to after the last (a vCPU's none in a downtime): the TSC then,
 * and the clock read at the same instant. kvm_tsc_offset events pair their
 * host_tsc with the clock exactly. Guest events carry, after "host", the
 * truth on the host clock: "host_clk", the host clock (ns) at host TSC
 * "host". Damage to the beacons (the kvm_tsc_offset pairs keep theirs):
 * --dup[=CYCLES]: beacon k (of its stream) with k % 4 == 1 comes twice, and
 *   with k % 4 == 3 a second beacon at the same clock but a TSC CYCLES
 *   (default 150000) smaller comes before it (k % 8 == 3) or after it;
 * --drop=N: runs of N beacons are missing, one run in three (gaps of N + 1
 *   periods);
 * --jitter-ns=N: each beacon's clock is read up to N ns (uniform, seeded)
 *   after its TSC; events of its stream that this would put before it are
 *   not written (the probe runs with interrupts off).
 *
 * vmsync-gentrace --from-samples UUID FREQ OFFSET DIR < SAMPLES writes instead the
 * guest trace of tests/lab/tscguest's samples of VM 0 ("sample VM VCPU H0 G
 * H1": the guest read G between host TSC reads H0 and H1): one event
 * "sample" { h0, h1 } at G per sample, per vCPU stream, on a TSC clock of
 * FREQ Hz whose offset from the epoch is OFFSET cycles, with
 * env.product_uuid UUID.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FREQ 2000000000ULL
#define FRAC 48
#define GUEST_UUID "9e5e7a7e-0000-4000-8000-00000000abcd"
#define VM_NAME "4242-12"
#define VM_B_PID 5151
#define VM_B_NAME "5151-13"
#define GUEST2_UUID "9e5e7a7e-0000-4000-8000-00000000ef02"
#define VM_2_PID 6161
#define VM_2_NAME "6161-14"
#define HOST0 10000000000ULL		/* host TSC when the traces begin */
#define HOST_B_DELTA (1ULL << FRAC)	/* MIGRATE 2: host B's TSC less host A's */
#define HOST_B_SKEW 2000ULL		/* ... and its clock's error, in cycles */
#define PKT_EVENTS 1024
#define MAX_VCPUS 64
#define MAX_CHANGES 256
/* Default-clock mode: TSC and trace-clock frequencies, clock rate changes. */
#define DC_TSC_FREQ 2500000000ULL
#define DC_CLOCK_FREQ 1000000000ULL
#define DC_SLEW_SEG 5750003ULL
#define DC_T0 (HOST0 - 10 * DC_SLEW_SEG)	/* where the clock models begin */
/* A "tagged" guest event's variant holds seq * TAG_SMALL or seq * TAG_BIG. */
#define TAG_SMALL 7U
#define TAG_BIG 0x100000001ULL

enum { EV_DUMP_START, EV_DUMP_END, EV_GUEST, EV_OFFSET, EV_FILLER, EV_TAGGED, EV_VCPU,
       EV_ENTRY, EV_EXIT, EV_SYNC };

/* Default-clock mode: a machine's clock, piecewise linear in host TSC. */
struct clockm {
	long double *at;	/* its ns at DC_T0 + j * DC_SLEW_SEG */
	double *rate;		/* ns per host TSC cycle from there */
	size_t n;
};

static struct {
	bool on;
	uint64_t period;	/* between beacons, TSC cycles */
	double slew;		/* ppm */
	bool dup;
	uint64_t dup_less;
	uint64_t drop;
	uint64_t jitter;	/* ns */
	struct clockm host, guest[2];
} dc = { .period = 1000ULL * DC_TSC_FREQ / 1000000, .slew = 20, .dup_less = 150000 };

struct stream {
	FILE *f;
	uint64_t discarded;	/* its packets' events_discarded counter */
	const unsigned char *uuid;
	uint32_t cpu;
	unsigned char *buf;	/* events of the packet being built */
	size_t len, cap, nr;
	uint64_t first, last;
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "vmsync-gentrace: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static void put(struct stream *s, const void *p, size_t n)
{
	if (s->len + n > s->cap) {
		s->cap = (s->len + n) * 2;
		s->buf = realloc(s->buf, s->cap);
		if (!s->buf)
			die("out of memory");
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

static void put_u64(struct stream *s, uint64_t v) { put(s, &v, 8); }
static void put_u32(struct stream *s, uint32_t v) { put(s, &v, 4); }
static void put_str(struct stream *s, const char *v) { put(s, v, strlen(v) + 1); }

static void flush_packet(struct stream *s)
{
	uint32_t magic = 0xC1FC1FC1, stream_id = 0;
	uint64_t hdr_len = 4 + 16 + 4 + 8 + 8 * 5 + 4;
	uint64_t bits = (hdr_len + s->len) * 8, instance = s->cpu;

	if (!s->nr)
		return;
	if (fwrite(&magic, 4, 1, s->f) != 1 || fwrite(s->uuid, 16, 1, s->f) != 1 ||
	    fwrite(&stream_id, 4, 1, s->f) != 1 || fwrite(&instance, 8, 1, s->f) != 1 ||
	    fwrite(&s->first, 8, 1, s->f) != 1 || fwrite(&s->last, 8, 1, s->f) != 1 ||
	    fwrite(&bits, 8, 1, s->f) != 1 || fwrite(&bits, 8, 1, s->f) != 1 ||
	    fwrite(&s->discarded, 8, 1, s->f) != 1 || fwrite(&s->cpu, 4, 1, s->f) != 1 ||
	    fwrite(s->buf, s->len, 1, s->f) != 1)
		die("write: %s", strerror(errno));
	s->len = 0;
	s->nr = 0;
}

/* Start an event: its header; the caller adds the payload. */
static void event(struct stream *s, uint32_t id, uint64_t ts)
{
	if (s->nr == PKT_EVENTS)
		flush_packet(s);
	if (!s->nr)
		s->first = ts;
	s->last = ts;
	s->nr++;
	put_u32(s, id);
	put_u64(s, ts);
}

static void uuid_bytes(const char *str, unsigned char *out)
{
	for (int i = 0; i < 16; i++) {
		while (*str == '-')
			str++;
		if (sscanf(str, "%2hhx", &out[i]) != 1)
			die("bad uuid");
		str += 2;
	}
}

static void write_metadata(const char *dir, const char *uuid, const char *clock_uuid,
			   const char *hostname, bool host, const char *product_uuid,
			   uint64_t freq, uint64_t offset, bool samples)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/metadata", dir);
	f = fopen(path, "w");
	if (!f)
		die("%s: %s", path, strerror(errno));
	fprintf(f, "/* CTF 1.8 */\n"
		"typealias integer { size = 8; align = 8; signed = false; } := uint8_t;\n"
		"typealias integer { size = 32; align = 8; signed = false; } := uint32_t;\n"
		"typealias integer { size = 32; align = 8; signed = true; } := int32_t;\n"
		"typealias integer { size = 64; align = 8; signed = false; } := uint64_t;\n"
		"typealias integer { size = 64; align = 8; signed = true; } := int64_t;\n"
		"trace {\n\tmajor = 1;\n\tminor = 8;\n\tuuid = \"%s\";\n\tbyte_order = le;\n"
		"\tpacket.header := struct { uint32_t magic; uint8_t uuid[16]; uint32_t stream_id; uint64_t stream_instance_id; };\n};\n"
		"env {\n\thostname = \"%s\";\n\tdomain = \"kernel\";\n\ttracer_name = \"lttng-modules\";\n"
		"\ttracer_major = 2;\n\ttracer_minor = 13;\n",
		uuid, hostname);
	if (product_uuid)
		fprintf(f, "\tproduct_uuid = \"%s\";\n", product_uuid);
	fprintf(f, "};\n"
		"clock {\n\tname = \"%s\";\n\tuuid = \"%s\";\n\tdescription = \"%s (vmsync-gentrace)\";\n"
		"\tfreq = %llu;\n\toffset = %llu;\n};\n"
		"typealias integer { size = 64; align = 8; signed = false; map = clock.%s.value; } := uint64_clock_t;\n"
		"stream {\n\tid = 0;\n\tevent.header := struct { uint32_t id; uint64_clock_t timestamp; };\n"
		"\tpacket.context := struct { uint64_clock_t timestamp_begin; uint64_clock_t timestamp_end; uint64_t content_size; uint64_t packet_size; uint64_t events_discarded; uint32_t cpu_id; };\n};\n",
		dc.on ? "monotonic" : "vmsync_tsc", clock_uuid,
		dc.on ? "Monotonic clock, slewed" : "Raw TSC in cycles",
		(unsigned long long)freq, (unsigned long long)offset,
		dc.on ? "monotonic" : "vmsync_tsc");
	if (dc.on)
		fprintf(f, "event { name = \"kvm_tsc_sync\"; id = %d; stream_id = 0; fields := struct { uint64_t tsc; enum : uint8_t { periodic = 0, statedump = 1 } reason; }; };\n",
			EV_SYNC);
	if (host) {
		fprintf(f, "event { name = \"kvm_tsc_statedump_start\"; id = %d; stream_id = 0; fields := struct { uint32_t nr_guests; }; };\n", EV_DUMP_START);
		fprintf(f, "event { name = \"kvm_tsc_statedump_end\"; id = %d; stream_id = 0; fields := struct { uint32_t nr_guests; }; };\n", EV_DUMP_END);
		fprintf(f, "event { name = \"kvm_tsc_guest\"; id = %d; stream_id = 0; fields := struct { int32_t qemu_pid; string vm; string uuid; string name; uint32_t nr_vcpus; }; };\n", EV_GUEST);
		fprintf(f, "event { name = \"kvm_tsc_offset\"; id = %d; stream_id = 0; fields := struct { int32_t qemu_pid; string vm; uint32_t vcpu; int32_t vcpu_tid; int64_t offset; int64_t prev_offset; uint64_t ratio; uint64_t prev_ratio; uint8_t frac_bits; uint64_t host_tsc; }; };\n", EV_OFFSET);
		fprintf(f, "event { name = \"kvm_tsc_vcpu\"; id = %d; stream_id = 0; fields := struct { int32_t qemu_pid; string vm; uint32_t vcpu; int32_t vcpu_tid; }; };\n", EV_VCPU);
		fprintf(f, "event { name = \"kvm_vcpu_entry\"; id = %d; stream_id = 0; fields := struct { uint32_t vcpu; int32_t vcpu_tid; }; };\n", EV_ENTRY);
		fprintf(f, "event { name = \"kvm_vcpu_exit\"; id = %d; stream_id = 0; fields := struct { uint32_t vcpu; int32_t vcpu_tid; }; };\n", EV_EXIT);
	}
	if (samples)
		fprintf(f, "event { name = \"sample\"; id = %d; stream_id = 0; fields := struct { uint64_t h0; uint64_t h1; }; };\n",
			EV_FILLER);
	else
		fprintf(f, "event { name = \"filler\"; id = %d; stream_id = 0; fields := struct { uint64_t seq; uint64_t host;%s }; };\n",
			EV_FILLER, dc.on ? " uint64_t host_clk;" : "");
	if (!host && !samples)
		fprintf(f, "event { name = \"tagged\"; id = %d; stream_id = 0; fields := struct { enum : uint8_t { small = 0, big = 1 } tag; variant <tag> { uint32_t small; uint64_t big; } value; uint64_t seq; uint64_t host;%s }; };\n",
			EV_TAGGED, dc.on ? " uint64_t host_clk;" : "");
	if (fclose(f))
		die("%s: %s", path, strerror(errno));
}

static struct stream *open_stream(const char *dir, uint32_t cpu, const unsigned char *uuid)
{
	struct stream *s = calloc(1, sizeof(*s));
	char path[4096];

	if (!s)
		die("out of memory");
	snprintf(path, sizeof(path), "%s/channel0_%u", dir, cpu);
	s->f = fopen(path, "w");
	if (!s->f)
		die("%s: %s", path, strerror(errno));
	s->cpu = cpu;
	s->uuid = uuid;
	return s;
}

/*
 * Close @s, its last packet ending at @end at the earliest: LTTng's stop
 * flushes every CPU's buffer, so a host trace's streams all end together.
 */
static void close_stream(struct stream *s, uint64_t end)
{
	if (s->nr && s->last < end)
		s->last = end;
	flush_packet(s);
	if (fclose(s->f))
		die("close: %s", strerror(errno));
	free(s->buf);
	free(s);
}

struct change {			/* of one vCPU */
	uint64_t at;		/* host TSC */
	int64_t offset;
	uint64_t down;		/* the guest did not run in [at - down, at) */
};

static uint64_t guest_tsc(uint64_t h, uint64_t ratio, int64_t offset)
{
	return (uint64_t)(((unsigned __int128)h * ratio) >> FRAC) + (uint64_t)offset;
}

static uint64_t lcg(uint64_t *state)
{
	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	return *state >> 33;
}

/*
 * Clock model @m from DC_T0 to host TSC @end: @base ns at DC_T0, then in
 * each segment of DC_SLEW_SEG cycles a rate off the TSC's (in ns) by
 * @drift ppm plus a random slew within +/-dc.slew ppm.
 */
static void clockm_init(struct clockm *m, uint64_t end, long double base, double drift,
			uint64_t seed)
{
	m->n = (end - DC_T0) / DC_SLEW_SEG + 2;
	m->at = malloc((m->n + 1) * sizeof(*m->at));
	m->rate = malloc(m->n * sizeof(*m->rate));
	if (!m->at || !m->rate)
		die("out of memory");
	m->at[0] = base;
	for (size_t j = 0; j < m->n; j++) {
		double u = (double)(lcg(&seed) % 2000001) / 1000000.0 - 1.0;	/* [-1, 1] */

		m->rate[j] = 1e9 / (double)DC_TSC_FREQ * (1.0 + (drift + u * dc.slew) * 1e-6);
		m->at[j + 1] = m->at[j] + (long double)m->rate[j] * DC_SLEW_SEG;
	}
}

/* The clock of model @m at host TSC @h, in ns (rounded). */
static uint64_t clockm_at(const struct clockm *m, uint64_t h)
{
	size_t j = (h - DC_T0) / DC_SLEW_SEG;

	if (j >= m->n)
		j = m->n - 1;
	return (uint64_t)(m->at[j] + (long double)m->rate[j] *
			  (long double)(h - DC_T0 - j * DC_SLEW_SEG) + 0.5L);
}

static void sync_event(struct stream *s, uint64_t clk, uint64_t tsc)
{
	event(s, EV_SYNC, clk);
	put_u64(s, tsc);
	put(s, &(uint8_t){ 0 }, 1);	/* periodic */
}

/*
 * Beacon number @k of stream @s: TSC @tsc read at host TSC @h, its clock
 * (model @m) read then, or late by the jitter; damaged as the options say.
 */
static void beacon(struct stream *s, const struct clockm *m, uint64_t h, uint64_t tsc,
		   uint64_t k, uint64_t *rng)
{
	uint64_t clk = clockm_at(m, h);

	if (dc.drop && k / dc.drop % 3 == 1)
		return;
	if (dc.jitter)
		clk += lcg(rng) % (dc.jitter + 1);
	if (clk < s->last)
		clk = s->last;		/* read after the stream's last event */
	if (dc.dup && k % 8 == 3)
		sync_event(s, clk, tsc - dc.dup_less);
	sync_event(s, clk, tsc);
	if (dc.dup && k % 4 == 1)
		sync_event(s, clk, tsc);
	if (dc.dup && k % 8 == 7)
		sync_event(s, clk, tsc - dc.dup_less);
}

/* --from-samples: tscguest's samples of VM 0 as a guest trace. */
static int from_samples(const char *uuid, uint64_t freq, uint64_t offset, const char *dir)
{
	static struct stream *gs[64];
	unsigned char trace_uuid[16];
	const char *trace_uuid_s = "5e7e0000-0000-4000-8000-000000000003";
	unsigned long long h0, g, h1;
	int vm, vcpu, n = 0;
	char line[512];

	if (mkdir(dir, 0755))
		die("%s: %s (give a new directory)", dir, strerror(errno));
	uuid_bytes(trace_uuid_s, trace_uuid);
	write_metadata(dir, trace_uuid_s, "5e7e0000-0000-4000-8000-0000000000c3",
		       "tscguest", false, uuid, freq, offset, true);
	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "sample %d %d %llu %llu %llu", &vm, &vcpu, &h0, &g, &h1) != 5 ||
		    vm || vcpu < 0 || vcpu >= 64)
			continue;
		if (!gs[vcpu])
			gs[vcpu] = open_stream(dir, (uint32_t)vcpu, trace_uuid);
		event(gs[vcpu], EV_FILLER, g);
		put_u64(gs[vcpu], h0);
		put_u64(gs[vcpu], h1);
		n++;
	}
	for (int i = 0; i < 64; i++)
		if (gs[i])
			close_stream(gs[i], 0);
	if (!n)
		die("no 'sample 0 VCPU H0 G H1' line on standard input");
	return 0;
}

/* Host TSC @h on the host's trace clock. */
static uint64_t hts(uint64_t h)
{
	return dc.on ? clockm_at(&dc.host, h) : h;
}

/* Host beacon counters, per host CPU stream, and their jitter's seeds. */
static uint64_t host_k[2], host_rng[2] = { 11, 12 };

/* The host's beacons up to host TSC @upto, on both CPU streams. */
static void host_beacons(struct stream **hs, uint64_t upto)
{
	for (int cpu = 0; dc.on && cpu < 2; cpu++)
		for (uint64_t h; (h = HOST0 + 500 + host_k[cpu] * dc.period + 37 * cpu) <= upto;
		     host_k[cpu]++)
			beacon(hs[cpu], &dc.host, h, h, host_k[cpu], &host_rng[cpu]);
}

/*
 * vCPU @v's beacons up to host TSC @upto (@k the next one's number, @c its
 * offset's index in @chv): none in a downtime.
 */
static void guest_beacons(struct stream *s, const struct clockm *m, unsigned int v,
			  const struct change *chv, unsigned int changes, uint64_t ratio,
			  uint64_t upto, uint64_t *k, size_t *c, uint64_t *rng)
{
	for (uint64_t h; dc.on && (h = HOST0 + 500 + *k * dc.period + 53 * v + 11) <= upto;
	     (*k)++) {
		while (*c < changes && chv[*c + 1].at <= h)
			(*c)++;
		if (*c < changes && h >= chv[*c + 1].at - chv[*c + 1].down)
			continue;	/* the vCPU does not run */
		beacon(s, m, h, guest_tsc(h, ratio, chv[*c].offset), *k, rng);
	}
}

static int gen(int argc, char **argv)
{
	/* Per vCPU slot: the first guest's vCPUs, then the second's. */
	static struct change ch[2 * MAX_VCPUS][MAX_CHANGES + 1];
	unsigned char host_uuid[16], guest_uuid[16], guest2_uuid[16];
	const char *host_uuid_s = "5e7e0000-0000-4000-8000-000000000001";
	const char *guest_uuid_s = "5e7e0000-0000-4000-8000-000000000002";
	const char *host_b_uuid_s = "5e7e0000-0000-4000-8000-000000000004";
	unsigned char host_b_uuid[16];
	uint64_t events = argc > 2 ? strtoull(argv[2], NULL, 0) : 100000;
	unsigned int vcpus = argc > 3 ? (unsigned int)strtoul(argv[3], NULL, 0) : 2;
	unsigned int changes = argc > 4 ? (unsigned int)strtoul(argv[4], NULL, 0) : 8;
	uint64_t permille = argc > 5 ? strtoull(argv[5], NULL, 0) : 1000;
	uint64_t ratio = (uint64_t)(((unsigned __int128)permille << FRAC) / 1000);
	uint64_t rate = argc > 6 ? strtoull(argv[6], NULL, 0) : 1000000;
	uint64_t lost = argc > 7 ? strtoull(argv[7], NULL, 0) : 0;
	unsigned long migrate = argc > 8 ? strtoul(argv[8], NULL, 0) : 0;
	bool two_hosts = migrate == 2;	/* VM_B on host B */
	bool modes = argc > 9 && strtoul(argv[9], NULL, 0);
	unsigned int guests = argc > 10 ? (unsigned int)strtoul(argv[10], NULL, 0) : 1;
	unsigned int slots;
	unsigned int on_b = changes / 2 + 1;	/* with MIGRATE: B's first change */
	uint64_t host_n = events / 2, guest_n = events - host_n;
	uint64_t tsc_freq = dc.on ? DC_TSC_FREQ : FREQ, clk_freq = dc.on ? DC_CLOCK_FREQ : FREQ;
	uint64_t dt_h = rate >= 2 ? tsc_freq / (rate / 2) : tsc_freq, span = host_n * dt_h, dt_g, seq = 0;
	uint64_t end_h;
	char hdir[4096], gdir[4096], bdir[4096], g2dir[4096];
	struct stream *hs[2], *hb[2] = { NULL, NULL }, *gs[2 * MAX_VCPUS];
	struct stream *ma[MAX_VCPUS] = { NULL }, *mb[MAX_VCPUS] = { NULL };	/* MODES */
	size_t k[2 * MAX_VCPUS] = { 0 };
	uint64_t next_h, hi = 0, host_end = 0, host_b_end = 0;

	if (argc == 6 && !strcmp(argv[1], "--from-samples"))
		return from_samples(argv[2], strtoull(argv[3], NULL, 0),
				    strtoull(argv[4], NULL, 0), argv[5]);
	if (argc < 2 || !vcpus || vcpus > MAX_VCPUS || changes > MAX_CHANGES || !permille ||
	    (migrate && !changes) || migrate > 2 || !guests || guests > 2 || (modes && guests > 1))
		die("usage: vmsync-gentrace [--default-clock --beacon-us=N --slew-ppm=N --dup[=CYCLES] --drop=N --jitter-ns=N] DIR [EVENTS [VCPUS(1-%d) [CHANGES(0-%d) [RATIO_PERMILLE [RATE [LOST [MIGRATE(0-2) [MODES [GUESTS(1-2)]]]]]]]]] (MIGRATE needs a change; MODES one guest)",
		    MAX_VCPUS, MAX_CHANGES);
	if (dc.on && (two_hosts || modes))
		die("default-clock mode: not with MIGRATE 2 or MODES");
	slots = vcpus * guests;
	dt_g = span / (guest_n / slots + 1);
	end_h = HOST0 + 1000 + span + 3 * dc.period;
	if (dc.on) {	/* each machine's clock, near the host's */
		clockm_init(&dc.host, end_h, 1e9L, 31, 1);
		clockm_init(&dc.guest[0], end_h, 1e9L + 250000, -47, 2);
		clockm_init(&dc.guest[1], end_h, 1e9L - 170000, 23, 3);
	}
	snprintf(hdir, sizeof(hdir), "%s/host", argv[1]);
	snprintf(gdir, sizeof(gdir), "%s/guest", argv[1]);
	if ((mkdir(argv[1], 0755) && errno != EEXIST) || mkdir(hdir, 0755) || mkdir(gdir, 0755))
		die("%s: %s (give a new directory)", argv[1], strerror(errno));
	uuid_bytes(host_uuid_s, host_uuid);
	uuid_bytes(guest_uuid_s, guest_uuid);
	uuid_bytes("5e7e0000-0000-4000-8000-000000000005", guest2_uuid);
	write_metadata(hdir, host_uuid_s, "5e7e0000-0000-4000-8000-0000000000c1", "gen-host",
		       true, NULL, clk_freq, 1700000000ULL * clk_freq, false);
	write_metadata(gdir, guest_uuid_s, "5e7e0000-0000-4000-8000-0000000000c2", "gen-guest",
		       false, GUEST_UUID, clk_freq, 1700000000ULL * clk_freq, false);
	if (guests > 1) {
		snprintf(g2dir, sizeof(g2dir), "%s/guest-2", argv[1]);
		if (mkdir(g2dir, 0755))
			die("%s: %s", g2dir, strerror(errno));
		write_metadata(g2dir, "5e7e0000-0000-4000-8000-000000000005",
			       "5e7e0000-0000-4000-8000-0000000000c5", "gen-guest-2",
			       false, GUEST2_UUID, clk_freq, 1700000000ULL * clk_freq, false);
	}
	if (two_hosts) {
		snprintf(bdir, sizeof(bdir), "%s/host-b", argv[1]);
		if (mkdir(bdir, 0755))
			die("%s: %s", bdir, strerror(errno));
		uuid_bytes(host_b_uuid_s, host_b_uuid);
		write_metadata(bdir, host_b_uuid_s, "5e7e0000-0000-4000-8000-0000000000c4",
			       "gen-host-b", true, NULL, FREQ,
			       1700000000ULL * FREQ - HOST_B_DELTA + HOST_B_SKEW, false);
	}

	/* Each vCPU's offsets: created at HOST0 + 100 + v, then CHANGES more. */
	srandom(20261122);
	for (unsigned int v = 0; v < slots; v++) {
		ch[v][0] = (struct change){ HOST0 + 100 + v,
					    -(int64_t)guest_tsc(HOST0, ratio, 0) + 1000 * v, 0 };
		for (unsigned int c = 1; c <= changes; c++) {
			uint64_t at = HOST0 + 1000 + span * c / (changes + 1) + 13 * v;
			int64_t prev = ch[v][c - 1].offset;

			if (c % 2) {	/* forward: up to half a second */
				ch[v][c] = (struct change){ at, prev + (int64_t)(random() % 1000000000) + 1, 0 };
			} else {	/* a downtime: the guest TSC goes on where it stopped */
				uint64_t down = 1000000 + (uint64_t)random() % 100000000;

				/* Within this segment: the guest ran before it. */
				if (down > (at - ch[v][c - 1].at) / 2)
					down = (at - ch[v][c - 1].at) / 2;

				ch[v][c] = (struct change){ at, prev - (int64_t)(guest_tsc(at, ratio, 0) -
								  guest_tsc(at - down, ratio, 0)), down };
			}
		}
	}

	hs[0] = open_stream(hdir, 0, host_uuid);
	hs[1] = open_stream(hdir, 1, host_uuid);
	if (two_hosts) {
		hb[0] = open_stream(bdir, 0, host_b_uuid);
		hb[1] = open_stream(bdir, 1, host_b_uuid);
		event(hb[0], EV_DUMP_START, HOST0 + HOST_B_DELTA);
		put_u32(hb[0], 0);
		event(hb[0], EV_DUMP_END, HOST0 + HOST_B_DELTA + 10);
		put_u32(hb[0], 0);
	}
	for (unsigned int v = 0; v < vcpus; v++) {
		gs[v] = open_stream(gdir, v, guest_uuid);
		if (modes)
			ma[v] = open_stream(hdir, 2 + v, host_uuid);
		if (modes && two_hosts)
			mb[v] = open_stream(bdir, 2 + v, host_b_uuid);
		if (guests > 1)
			gs[vcpus + v] = open_stream(g2dir, v, guest2_uuid);
	}

	/* Host: the dump, the VM, then fillers and offset events in time order. */
	event(hs[0], EV_DUMP_START, hts(HOST0));
	put_u32(hs[0], 0);
	event(hs[0], EV_DUMP_END, hts(HOST0 + 10));
	put_u32(hs[0], 0);
	if (migrate) {		/* the destination, announced first */
		struct stream *s = two_hosts ? hb[0] : hs[0];

		event(s, EV_GUEST, hts(HOST0 + 40 + (two_hosts ? HOST_B_DELTA : 0)));
		put_u32(s, VM_B_PID);
		put_str(s, VM_B_NAME);
		put_str(s, GUEST_UUID);
		put_str(s, "gen-guest");
		put_u32(s, vcpus);
		for (unsigned int v = 0; modes && v < vcpus; v++) {
			event(s, EV_VCPU, HOST0 + 40 + (two_hosts ? HOST_B_DELTA : 0));
			put_u32(s, VM_B_PID);
			put_str(s, VM_B_NAME);
			put_u32(s, v);
			put_u32(s, 5200 + v);
		}
	}
	event(hs[0], EV_GUEST, hts(HOST0 + 50));
	put_u32(hs[0], 4242);
	put_str(hs[0], VM_NAME);
	put_str(hs[0], GUEST_UUID);
	put_str(hs[0], "gen-guest");
	put_u32(hs[0], vcpus);
	for (unsigned int v = 0; modes && v < vcpus; v++) {
		event(hs[0], EV_VCPU, HOST0 + 50);
		put_u32(hs[0], 4242);
		put_str(hs[0], VM_NAME);
		put_u32(hs[0], v);
		put_u32(hs[0], 4300 + v);
	}
	if (guests > 1) {
		event(hs[0], EV_GUEST, hts(HOST0 + 60));
		put_u32(hs[0], VM_2_PID);
		put_str(hs[0], VM_2_NAME);
		put_str(hs[0], GUEST2_UUID);
		put_str(hs[0], "gen-guest-2");
		put_u32(hs[0], vcpus);
	}
	next_h = HOST0 + 1000;
	for (;;) {
		/* The earliest pending offset event, if before the next filler. */
		unsigned int best = slots;

		for (unsigned int v = 0; v < slots; v++)
			if (k[v] <= changes && (best == slots || ch[v][k[v]].at < ch[best][k[best]].at))
				best = v;
		if (best < slots && (hi >= host_n || ch[best][k[best]].at <= next_h)) {
			const struct change *c = &ch[best][k[best]];
			bool second = best >= vcpus;	/* the second guest's vCPU */
			bool b = migrate && !second && k[best] >= on_b;
			bool on_host_b = b && two_hosts;
			struct stream *s = on_host_b ? hb[best % 2] : hs[best % 2];
			/* Host B's TSC is HOST_B_DELTA ahead: each offset, ratio less. */
			uint64_t at = c->at + (on_host_b ? HOST_B_DELTA : 0);
			int64_t less = on_host_b ? (int64_t)ratio : 0;
			/* Its VM's vCPU had an offset before (not B's at its first). */
			bool prev = k[best] && !(b && k[best] == on_b);

			host_beacons(hs, at);
			/* Its pair (clock, host_tsc) exact, unless a beacon came late. */
			event(s, EV_OFFSET, hts(at) < s->last ? s->last : hts(at));
			put_u32(s, second ? VM_2_PID : b ? VM_B_PID : 4242);
			put_str(s, second ? VM_2_NAME : b ? VM_B_NAME : VM_NAME);
			put_u32(s, best % vcpus);
			put_u32(s, (second ? 6300 : b ? 5200 : 4300) + best % vcpus);
			put_u64(s, (uint64_t)(c->offset - less));
			put_u64(s, prev ? (uint64_t)(ch[best][k[best] - 1].offset - less) : 0);
			put_u64(s, ratio);
			put_u64(s, prev ? ratio : 0);
			put(s, &(uint8_t){ FRAC }, 1);
			put_u64(s, at);
			k[best]++;
			continue;
		}
		if (hi >= host_n)
			break;
		if (hi == host_n / 2)
			hs[0]->discarded = lost;	/* from the next packet on */
		host_beacons(hs, next_h);
		if (hts(next_h) >= hs[hi % 2]->last) {	/* not before a late beacon */
			event(hs[hi % 2], EV_FILLER, hts(next_h));
			put_u64(hs[hi % 2], seq++);
			put_u64(hs[hi % 2], next_h);
			if (dc.on)
				put_u64(hs[hi % 2], hts(next_h));
		}
		if (two_hosts && hi % 4 == 1) {	/* host B's own events */
			event(hb[hi / 4 % 2], EV_FILLER, next_h + HOST_B_DELTA);
			put_u64(hb[hi / 4 % 2], seq++);
			put_u64(hb[hi / 4 % 2], next_h);
		}
		hi++;
		next_h += dt_h;
	}

	host_beacons(hs, end_h);

	/* Guest: each vCPU's events at known host times, not in downtimes. */
	for (unsigned int v = 0; v < slots; v++) {
		size_t c = 0, cb = 0;
		uint64_t skew, kb = 0, rng = 100 + v, ts;
		bool second = v >= vcpus;
		const struct clockm *gm = &dc.guest[second];

		for (uint64_t h = HOST0 + 1000 + 17 * v + dt_g; h < HOST0 + 1000 + span; h += dt_g) {
			guest_beacons(gs[v], gm, v, ch[v], changes, ratio, h, &kb, &cb, &rng);
			while (c < changes && ch[v][c + 1].at <= h)
				c++;
			if (c < changes && h >= ch[v][c + 1].at - ch[v][c + 1].down)
				continue;	/* in the coming downtime */
			ts = dc.on ? clockm_at(gm, h) : guest_tsc(h, ratio, ch[v][c].offset);
			if (ts < gs[v]->last)
				continue;	/* before a late beacon */
			skew = two_hosts && !second && c >= on_b ? HOST_B_SKEW : 0;
			if (modes) {	/* its vCPU thread in guest mode around it */
				bool in_b = migrate && c >= on_b;
				struct stream *m = two_hosts && in_b ? mb[v] : ma[v];
				uint64_t at = h + (two_hosts && in_b ? HOST_B_DELTA : 0);

				event(m, EV_ENTRY, at - 10);
				put_u32(m, v);
				put_u32(m, (in_b ? 5200 : 4300) + v);
				event(m, EV_EXIT, at + 10);
				put_u32(m, v);
				put_u32(m, (in_b ? 5200 : 4300) + v);
			}
			if (seq % 16 == 5) {	/* a variant, whose value says its seq */
				event(gs[v], EV_TAGGED, ts);
				put(gs[v], &(uint8_t){ (seq / 16) & 1 }, 1);
				if ((seq / 16) & 1)
					put_u64(gs[v], seq * TAG_BIG);
				else
					put_u32(gs[v], (uint32_t)(seq * TAG_SMALL));
			} else {
				event(gs[v], EV_FILLER, ts);
			}
			put_u64(gs[v], seq++);
			put_u64(gs[v], h + skew);
			if (dc.on)
				put_u64(gs[v], hts(h));
		}
		guest_beacons(gs[v], gm, v, ch[v], changes, ratio, end_h, &kb, &cb, &rng);
	}
	/*
	 * Each host's streams end when its latest one does, and its session
	 * after its guests' (their events end at HOST0 + 1000 + span).
	 */
	host_end = host_b_end = dc.on ? hts(HOST0 + 1000 + span) : HOST0 + 1000 + span;
	if (two_hosts)
		host_b_end += HOST_B_DELTA;
	for (int i = 0; i < 2; i++)
		host_end = hs[i]->last > host_end ? hs[i]->last : host_end;
	for (unsigned int v = 0; v < vcpus; v++)
		if (ma[v] && ma[v]->last > host_end)
			host_end = ma[v]->last;
	for (int i = 0; i < 2; i++)
		if (hb[i] && hb[i]->last > host_b_end)
			host_b_end = hb[i]->last;
	for (unsigned int v = 0; v < vcpus; v++)
		if (mb[v] && mb[v]->last > host_b_end)
			host_b_end = mb[v]->last;
	close_stream(hs[0], host_end);
	close_stream(hs[1], host_end);
	for (int i = 0; i < 2; i++)
		if (hb[i])
			close_stream(hb[i], host_b_end);
	for (unsigned int v = 0; v < slots; v++)
		close_stream(gs[v], 0);
	for (unsigned int v = 0; v < vcpus; v++) {
		if (ma[v])
			close_stream(ma[v], host_end);
		if (mb[v])
			close_stream(mb[v], host_b_end);
	}
	return 0;
}

/* Default-clock mode's options, before DIR: how many there were. */
static int options(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && !strncmp(argv[i], "--", 2) && strcmp(argv[i], "--from-samples");
	     i++) {
		const char *a = argv[i], *v = strchr(a, '=');
		uint64_t n = v ? strtoull(v + 1, NULL, 0) : 0;

		dc.on = true;
		if (!strcmp(a, "--default-clock"))
			continue;
		if (!strncmp(a, "--beacon-us=", 12) && n)
			dc.period = n * DC_TSC_FREQ / 1000000;
		else if (!strncmp(a, "--slew-ppm=", 11))
			dc.slew = (double)n;
		else if (!strcmp(a, "--dup") || (!strncmp(a, "--dup=", 6) && n))
			dc.dup = true, dc.dup_less = v ? n : dc.dup_less;
		else if (!strncmp(a, "--drop=", 7) && n)
			dc.drop = n;
		else if (!strncmp(a, "--jitter-ns=", 12))
			dc.jitter = n;
		else
			die("unknown option %s (--default-clock, --beacon-us=N, --slew-ppm=N, --dup[=CYCLES], --drop=N, --jitter-ns=N)",
			    a);
	}
	return i - 1;
}

int main(int argc, char **argv)
{
	int n = options(argc, argv);

	argv[n] = argv[0];
	return gen(argc - n, argv + n);
}
