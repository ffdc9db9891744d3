// SPDX-License-Identifier: GPL-2.0
/*
 * vmsync-guests - list this host's running KVM guests: VMM pid, KVM's
 * debugfs name, system UUID, name, and per vCPU its host thread, TSC offset
 * and scaling ratio. A table for people, JSON (--json) for scripts.
 *
 * Sources: KVM's debugfs (/sys/kernel/debug/kvm/<pid>-<fd>/vcpuN/) and the
 * VMM's command line in /proc. It needs no vmsync module, so the tests use
 * it as an independent cross-check of the kernel's statedump.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "vmm_args.h"

#define DEBUGFS_MAGIC 0x64626720
#define MAX_VCPUS 1024
#define ARGS_MAX (64 * 1024)

struct vcpu {
	unsigned int id;
	long tid;
	int64_t offset;
	uint64_t ratio;
	unsigned int frac_bits;
};

struct guest {
	char vm[NAME_MAX + 1];
	long pid;		/* VMM process (tgid) */
	char uuid[VMM_UUID_LEN];
	char name[VMM_NAME_LEN];
	int nr_vcpus;
	struct vcpu *vcpus;
};

static const char *prog = "vmsync-guests";

static void usage(FILE *f, int status)
{
	fprintf(f, "usage: %s [--json] [--debugfs DIR]\n"
		"List the running KVM guests of this host: VMM pid, KVM debugfs name,\n"
		"system UUID, name, and per vCPU its thread, TSC offset and ratio.\n"
		"  --json         one JSON document, for scripts\n"
		"  --debugfs DIR  where debugfs is mounted (default /sys/kernel/debug)\n",
		prog);
	exit(status);
}

/* Read DIR/VCPU/FILE, one integer; false if absent or malformed. */
static bool read_num(int dirfd, const char *vcpu, const char *file,
		     bool is_signed, void *out)
{
	char rel[NAME_MAX + 64];
	FILE *f;
	bool ok;
	int fd;

	snprintf(rel, sizeof(rel), "%.*s/%s", NAME_MAX, vcpu, file);
	fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC);
	f = fd < 0 ? NULL : fdopen(fd, "r");
	if (!f) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	if (is_signed)
		ok = fscanf(f, "%" SCNd64, (int64_t *)out) == 1;
	else
		ok = fscanf(f, "%" SCNu64, (uint64_t *)out) == 1;
	fclose(f);
	return ok;
}

static void read_vmm(struct guest *g, long creator)
{
	char path[64], *buf = malloc(ARGS_MAX);
	size_t len = 0;
	FILE *f;

	g->pid = creator;
	g->uuid[0] = g->name[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%ld/status", creator);
	f = fopen(path, "re");
	if (f) {
		char line[256];

		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Tgid: %ld", &g->pid) == 1)
				break;
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", g->pid);
	f = buf ? fopen(path, "re") : NULL;
	if (f) {
		len = fread(buf, 1, ARGS_MAX, f);
		fclose(f);
		vmm_args_parse(buf, len, g->uuid, g->name);
	}
	free(buf);
}

static int cmp_vcpu(const void *a, const void *b)
{
	const struct vcpu *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* 0, or -1 with errno set when the VM directory could not be read. */
static int read_guest(int kvmfd, const char *vm, struct guest *g)
{
	struct dirent *d;
	long creator;
	int fd, vmfd;
	DIR *dir;

	if (sscanf(vm, "%ld-%d", &creator, &fd) != 2)
		return 1;
	snprintf(g->vm, sizeof(g->vm), "%.*s", (int)sizeof(g->vm) - 1, vm);
	read_vmm(g, creator);
	vmfd = openat(kvmfd, vm, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = vmfd < 0 ? NULL : fdopendir(vmfd);
	if (!dir) {
		if (vmfd >= 0)
			close(vmfd);
		return -1;
	}
	g->vcpus = calloc(MAX_VCPUS, sizeof(*g->vcpus));
	while (g->vcpus && (d = readdir(dir)) && g->nr_vcpus < MAX_VCPUS) {
		struct vcpu *v = &g->vcpus[g->nr_vcpus];
		uint64_t tid = 0, frac = 0;

		if (sscanf(d->d_name, "vcpu%u", &v->id) != 1)
			continue;
		if (!read_num(vmfd, d->d_name, "tsc-offset", true, &v->offset))
			continue;	/* going away, or not x86 */
		read_num(vmfd, d->d_name, "tsc-scaling-ratio", false, &v->ratio);
		read_num(vmfd, d->d_name, "tsc-scaling-ratio-frac-bits", false,
			 &frac);
		v->frac_bits = (unsigned int)frac;
		read_num(vmfd, d->d_name, "pid", false, &tid);
		v->tid = (long)tid;
		g->nr_vcpus++;
	}
	closedir(dir);
	qsort(g->vcpus, (size_t)g->nr_vcpus, sizeof(*g->vcpus), cmp_vcpu);
	return 0;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_json(const struct guest *g, int n)
{
	printf("{\"guests\": [");
	for (int i = 0; i < n; i++) {
		printf("%s\n  {\"qemu_pid\": %ld, \"vm\": ", i ? "," : "", g[i].pid);
		json_string(g[i].vm);
		printf(", \"uuid\": ");
		json_string(g[i].uuid);
		printf(", \"name\": ");
		json_string(g[i].name);
		printf(", \"nr_vcpus\": %d, \"vcpus\": [", g[i].nr_vcpus);
		for (int j = 0; j < g[i].nr_vcpus; j++) {
			const struct vcpu *v = &g[i].vcpus[j];

			printf("%s\n    {\"vcpu\": %u, \"tid\": %ld, \"offset\": %" PRId64
			       ", \"ratio\": %" PRIu64 ", \"frac_bits\": %u}",
			       j ? "," : "", v->id, v->tid, v->offset, v->ratio,
			       v->frac_bits);
		}
		printf("]}");
	}
	printf("\n]}\n");
}

static void print_table(const struct guest *g, int n)
{
	if (!n) {
		printf("no running KVM guests\n");
		return;
	}
	printf("%-8s %-12s %-36s %-16s %5s %8s %21s %s\n", "PID", "VM", "UUID",
	       "NAME", "VCPU", "TID", "TSC OFFSET", "RATIO");
	for (int i = 0; i < n; i++) {
		printf("%-8ld %-12s %-36s %-16s %5d vCPUs\n", g[i].pid, g[i].vm,
		       g[i].uuid[0] ? g[i].uuid : "-",
		       g[i].name[0] ? g[i].name : "-", g[i].nr_vcpus);
		for (int j = 0; j < g[i].nr_vcpus; j++) {
			const struct vcpu *v = &g[i].vcpus[j];

			printf("%-8s %-12s %-36s %-16s %5u %8ld %21" PRId64
			       " %" PRIu64 "/2^%u\n", "", "", "", "", v->id,
			       v->tid, v->offset, v->ratio, v->frac_bits);
		}
	}
}

static int cmp_guest(const void *a, const void *b)
{
	const struct guest *x = a, *y = b;

	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return strcmp(x->vm, y->vm);
}

/* Why KVM's debugfs directory cannot be read, and what to do. */
static int explain(const char *debugfs, const char *kvmdir, int err)
{
	struct statfs sfs;

	if (err == EACCES || err == EPERM) {
		fprintf(stderr, "%s: cannot read %s: permission denied; run as root\n",
			prog, kvmdir);
	} else if (statfs(debugfs, &sfs) || sfs.f_type != DEBUGFS_MAGIC) {
		fprintf(stderr, "%s: debugfs is not mounted at %s; mount it with "
			"'mount -t debugfs none %s' (or pass --debugfs DIR)\n",
			prog, debugfs, debugfs);
	} else if (err == ENOENT) {
		fprintf(stderr, "%s: %s does not exist: KVM is not loaded "
			"(modprobe kvm_intel or kvm_amd)\n", prog, kvmdir);
	} else {
		fprintf(stderr, "%s: cannot read %s: %s\n", prog, kvmdir,
			strerror(err));
	}
	return 1;
}

int main(int argc, char **argv)
{
	const char *debugfs = "/sys/kernel/debug";
	struct guest *guests = NULL;
	char kvmdir[PATH_MAX];
	bool json = false;
	struct dirent *d;
	int n = 0, cap = 0, kvmfd;
	DIR *dir;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--debugfs") && i + 1 < argc)
			debugfs = argv[++i];
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			usage(stdout, 0);
		else
			usage(stderr, 2);
	}
	snprintf(kvmdir, sizeof(kvmdir), "%s/kvm", debugfs);
	dir = opendir(kvmdir);
	if (!dir)
		return explain(debugfs, kvmdir, errno);
	kvmfd = dirfd(dir);
	while ((d = readdir(dir))) {
		struct guest g = { 0 };

		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		if (read_guest(kvmfd, d->d_name, &g)) {
			free(g.vcpus);
			if (errno == EACCES) {
				closedir(dir);
				return explain(debugfs, kvmdir, errno);
			}
			continue;	/* the VM went away meanwhile */
		}
		if (n == cap) {
			struct guest *more;

			cap = cap ? 2 * cap : 16;
			more = realloc(guests, (size_t)cap * sizeof(*guests));
			if (!more) {
				fprintf(stderr, "%s: out of memory\n", prog);
				return 1;
			}
			guests = more;
		}
		guests[n++] = g;
	}
	closedir(dir);
	qsort(guests, (size_t)n, sizeof(*guests), cmp_guest);
	if (json)
		print_json(guests, n);
	else
		print_table(guests, n);
	for (int i = 0; i < n; i++)
		free(guests[i].vcpus);
	free(guests);
	return 0;
}
