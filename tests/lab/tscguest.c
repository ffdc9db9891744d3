// SPDX-License-Identifier: GPL-2.0
/*
 * tscguest: a KVM test guest that knows the truth about its TSC.
 *
 * It creates N VMs x M vCPUs in this process through the KVM API (one
 * thread per vCPU, the vCPU created in its own thread as QEMU does). Each
 * guest runs a 16-bit loop: rdtsc, then report EAX and EDX through port
 * I/O. The host reads its own TSC just before and just after the KVM_RUN
 * in which the guest read its TSC, so for every sample h0 <= g - offset <= h1
 * holds with the offset KVM really applied. Offsets can be changed mid-run
 * by KVM_VCPU_TSC_OFFSET or by writing IA32_TSC through KVM_SET_MSRS, and
 * vCPUs can be added mid-run; every change is read back through
 * KVM_GET_DEVICE_ATTR and printed, so a test can compare it with what the
 * kernel exporter recorded.
 *
 * --idle: each vCPU enters once and halts (KVM learns its thread), then
 * stays out of the guest until stopped. --pace-us U: sleep U us between two
 * rounds of the loop. Both keep long tests off the lab's nested TCG, which
 * now and then runs a busy nested guest off its code (doc/lab.md).
 * --save-tsc F / --restore-tsc F: a migration, as a VMM does it: at the
 * end, vCPU 0 of VM 0 reads its guest TSC (IA32_TSC) into F; at the start,
 * before it first runs, it writes the TSC read from F, so that the guest TSC
 * goes on from where another process's stopped.
 * --recover-glitches: when that happens, print a glitch line and restart
 * the loop instead of failing (for tests of the host side only). A guest
 * that ran off its code may also loop without ever exiting: with this
 * option a per-thread timer interrupts a KVM_RUN that lasts over
 * STUCK_SECONDS, and that counts as a glitch too.
 *
 * Output (one record a line, on stdout):
 *   vm VM pid PID fd FD                       debugfs name is PID-FD
 *   vcpu VM VCPU tid TID offset OFF           after creation
 *   set VM VCPU ITER how HOW value V offset OFF
 *   restore VM VCPU tsc V offset OFF          --restore-tsc
 *   save VM VCPU tsc V                        --save-tsc
 *   sample VM VCPU H0 G H1
 *   idle VM VCPU                              --idle: halted once
 *   glitch VM VCPU WHAT                       --recover-glitches
 *   runs VM VCPU N                            KVM_RUN calls (= VM exits)
 *   done
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_VMS 256
#define MAX_VCPUS 64
#define MAX_ACTIONS 256
#define MSR_IA32_TSC 0x10
#define PORT_LO 0x10
#define PORT_HI 0x11
#define STUCK_SECONDS 2
/* Without --recover-glitches: a vCPU stuck this long ends the run. */
#define STUCK_FATAL_SECONDS 30
/* --recover-glitches: a vCPU that glitches this often in a row gives up. */
#define GLITCHES_IN_A_ROW 1000

/*
 * At 0: rdtsc; mov ebx,edx; out 0x10,eax; mov eax,ebx; out 0x11,eax; jmp 0
 * At IDLE_ENTRY: hlt; jmp IDLE_ENTRY (--idle: without an in-kernel irqchip,
 * hlt exits to us, and the vCPU then stays out of the guest).
 */
#define IDLE_ENTRY 0x20
static const uint8_t guest_code[] = {
	0x0f, 0x31, 0x66, 0x89, 0xd3, 0x66, 0xe7, PORT_LO,
	0x66, 0x89, 0xd8, 0x66, 0xe7, PORT_HI, 0xeb, 0xf0,
	[IDLE_ENTRY] = 0xf4, 0xeb, 0xfd,
};

enum action_kind { ACT_OFFSET, ACT_TSC, ACT_ADD_VCPU };

struct action {
	enum action_kind kind;
	int vm, vcpu;
	long long iter;
	int64_t value;
};

struct vm {
	int fd;
	int idx;
	void *mem;
	int nr_vcpus;		/* created so far */
	pthread_t threads[MAX_VCPUS];
	pthread_mutex_t lock;
};

struct vcpu_arg {
	struct vm *vm;
	int id;
};

static int kvm_fd;
static int opt_vms = 1, opt_vcpus = 1;
static long long opt_iters = 1000;
static long long opt_sample_every = 1;
static bool opt_idle, opt_recover;
static unsigned int opt_pace_us;
static double opt_seconds;
static const char *opt_ready_file, *opt_wait_file, *opt_stop_file;
static const char *opt_save_tsc, *opt_restore_tsc;
static struct action actions[MAX_ACTIONS];
static int nr_actions;
static struct vm vms[MAX_VMS];
static volatile sig_atomic_t stop_requested;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static long vcpu_mmap_size;
static struct timespec start_time;
static __thread volatile sig_atomic_t run_timed_out;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "tscguest: ");
	vfprintf(stderr, fmt, ap);
	if (errno)
		fprintf(stderr, ": %s", strerror(errno));
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void out(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static double elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start_time.tv_sec) +
	       (now.tv_nsec - start_time.tv_nsec) / 1e9;
}

static bool should_stop(long long iter)
{
	if (stop_requested)
		return true;
	if (opt_seconds > 0)
		return elapsed() >= opt_seconds;
	if (opt_stop_file)
		return access(opt_stop_file, F_OK) == 0;
	return opt_iters > 0 && iter >= opt_iters;
}

static int64_t get_offset(int vcpu_fd)
{
	int64_t off;
	struct kvm_device_attr attr = {
		.group = KVM_VCPU_TSC_CTRL,
		.attr = KVM_VCPU_TSC_OFFSET,
		.addr = (uint64_t)(uintptr_t)&off,
	};

	if (ioctl(vcpu_fd, KVM_GET_DEVICE_ATTR, &attr))
		die("KVM_GET_DEVICE_ATTR(KVM_VCPU_TSC_OFFSET)");
	return off;
}

static void set_offset(int vcpu_fd, int64_t off)
{
	struct kvm_device_attr attr = {
		.group = KVM_VCPU_TSC_CTRL,
		.attr = KVM_VCPU_TSC_OFFSET,
		.addr = (uint64_t)(uintptr_t)&off,
	};

	if (ioctl(vcpu_fd, KVM_SET_DEVICE_ATTR, &attr))
		die("KVM_SET_DEVICE_ATTR(KVM_VCPU_TSC_OFFSET)");
}

static void write_tsc_msr(int vcpu_fd, uint64_t value)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry entry;
	} msrs = {
		.hdr.nmsrs = 1,
		.entry = { .index = MSR_IA32_TSC, .data = value },
	};

	if (ioctl(vcpu_fd, KVM_SET_MSRS, &msrs) != 1)
		die("KVM_SET_MSRS(IA32_TSC)");
}

static uint64_t read_tsc_msr(int vcpu_fd)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry entry;
	} msrs = {
		.hdr.nmsrs = 1,
		.entry = { .index = MSR_IA32_TSC },
	};

	if (ioctl(vcpu_fd, KVM_GET_MSRS, &msrs) != 1)
		die("KVM_GET_MSRS(IA32_TSC)");
	return msrs.entry.data;
}

/* --restore-tsc: the guest TSC another process saved, before the first run. */
static void restore_tsc(struct vm *vm, int id, int vcpu_fd)
{
	unsigned long long v;
	FILE *f = fopen(opt_restore_tsc, "r");

	if (!f || fscanf(f, "%llu", &v) != 1)
		die("--restore-tsc %s: no TSC value in it", opt_restore_tsc);
	fclose(f);
	write_tsc_msr(vcpu_fd, v);
	out("restore %d %d tsc %llu offset %" PRId64 "\n", vm->idx, id, v,
	    get_offset(vcpu_fd));
}

/* --save-tsc: where the guest TSC is now, for another process to go on. */
static void save_tsc(struct vm *vm, int id, int vcpu_fd)
{
	uint64_t v = read_tsc_msr(vcpu_fd);
	FILE *f = fopen(opt_save_tsc, "w");

	if (!f || fprintf(f, "%" PRIu64 "\n", v) < 0 || fclose(f))
		die("--save-tsc %s", opt_save_tsc);
	out("save %d %d tsc %" PRIu64 "\n", vm->idx, id, v);
}

/*
 * Real mode at 0:RIP, from the vCPU's state at creation (@reset): after a
 * glitch its current state may be anything, even one KVM refuses back.
 */
static void setup_real_mode(int vcpu_fd, const struct kvm_sregs *reset,
			    uint64_t rip)
{
	struct kvm_sregs sregs = *reset;
	struct kvm_regs regs;

	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs))
		die("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rflags = 2;
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs))
		die("KVM_SET_REGS");
}

static void *vcpu_thread(void *p);

static void start_vcpu(struct vm *vm)
{
	struct vcpu_arg *arg = malloc(sizeof(*arg));

	if (!arg)
		die("out of memory");
	pthread_mutex_lock(&vm->lock);
	if (vm->nr_vcpus >= MAX_VCPUS) {
		errno = 0;
		die("too many vCPUs in VM %d", vm->idx);
	}
	arg->vm = vm;
	arg->id = vm->nr_vcpus++;
	if (pthread_create(&vm->threads[arg->id], NULL, vcpu_thread, arg))
		die("pthread_create");
	pthread_mutex_unlock(&vm->lock);
}

/* Apply the actions planned for this vCPU at this iteration. */
static void run_actions(struct vm *vm, int id, int vcpu_fd, long long iter)
{
	for (int i = 0; i < nr_actions; i++) {
		struct action *a = &actions[i];

		if (a->vm != vm->idx || a->vcpu != id || a->iter != iter)
			continue;
		switch (a->kind) {
		case ACT_OFFSET:
			set_offset(vcpu_fd, a->value);
			break;
		case ACT_TSC:
			write_tsc_msr(vcpu_fd, (uint64_t)a->value);
			break;
		case ACT_ADD_VCPU:
			start_vcpu(vm);
			out("add %d %d %lld\n", vm->idx, id, iter);
			continue;
		}
		out("set %d %d %lld how %s value %" PRId64 " offset %" PRId64 "\n",
		    vm->idx, id, iter, a->kind == ACT_OFFSET ? "offset" : "tsc",
		    a->value, get_offset(vcpu_fd));
	}
}

/* An exit the guest's code cannot cause: print it, then die or recover. */
static void off_code(int vcpu_fd, struct kvm_run *run, const char *who,
		     const struct kvm_sregs *reset)
{
	char what[160];

	if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
		snprintf(what, sizeof(what),
			 "KVM internal error, suberror %u, %u data words: %#llx %#llx %#llx %#llx",
			 run->internal.suberror, run->internal.ndata,
			 (unsigned long long)run->internal.data[0],
			 (unsigned long long)run->internal.data[1],
			 (unsigned long long)run->internal.data[2],
			 (unsigned long long)run->internal.data[3]);
	else
		snprintf(what, sizeof(what), "unexpected exit %u (port %#x)",
			 run->exit_reason,
			 run->exit_reason == KVM_EXIT_IO ? run->io.port : 0);
	if (!opt_recover) {
		errno = 0;
		die("%s", what);
	}
	/* Counted and shown: a test decides whether it may tolerate them. */
	out("glitch %s %s\n", who, what);
	setup_real_mode(vcpu_fd, reset, 0);
}

static void on_stuck_timer(int sig)
{
	(void)sig;
	run_timed_out = 1;
}

/* A timer that signals this thread (see kvm_run_timed). */
static timer_t make_stuck_timer(void)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = SIGUSR1,
	};
	timer_t t;

	sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &sev, &t))
		die("timer_create");
	return t;
}

/*
 * KVM_RUN for at most STUCK_SECONDS (--recover-glitches) or
 * STUCK_FATAL_SECONDS: the timer's signal makes KVM return to us (EINTR)
 * from a guest that stopped exiting, instead of hanging the test.
 */
static int kvm_run_timed(int vcpu_fd, timer_t timer, bool *stuck)
{
	struct itimerspec arm = {
		.it_value.tv_sec = opt_recover ? STUCK_SECONDS : STUCK_FATAL_SECONDS,
	};
	struct itimerspec disarm = { 0 };
	int ret;

	run_timed_out = 0;
	timer_settime(timer, 0, &arm, NULL);
	ret = ioctl(vcpu_fd, KVM_RUN, 0);
	timer_settime(timer, 0, &disarm, NULL);
	*stuck = ret && errno == EINTR && run_timed_out;
	return ret;
}

/*
 * Run until the guest writes @port, and set *@val to what it wrote. False:
 * a run asked to stop while this vCPU kept glitching (the vCPU ends there).
 * A vCPU that a reset does not bring back (the same glitch over and over)
 * ends the run as the lab's flake, after GLITCHES_IN_A_ROW.
 */
static bool run_until_io(int vcpu_fd, struct kvm_run *run, uint16_t port,
			 const char *who, timer_t timer,
			 const struct kvm_sregs *reset, uint32_t *val)
{
	bool was_reset = false;
	int glitches = 0;

	for (;;) {
		bool stuck = false;

		if (was_reset && should_stop(0))
			return false;
		if (glitches >= GLITCHES_IN_A_ROW) {
			errno = 0;
			die("unexpected exit: vCPU %s glitched %d times in a row",
			    who, glitches);
		}

		if (kvm_run_timed(vcpu_fd, timer, &stuck)) {
			if (stuck && !opt_recover) {
				/* The lab's flake (doc/lab.md): fail, not hang. */
				errno = 0;
				die("unexpected exit: vCPU %s made no VM exit for %d s",
				    who, STUCK_FATAL_SECONDS);
			}
			if (stuck) {
				out("glitch %s no VM exit for %d s\n", who,
				    STUCK_SECONDS);
				setup_real_mode(vcpu_fd, reset, 0);
				was_reset = true;
				glitches++;
				continue;
			}
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		if (run->exit_reason == KVM_EXIT_IO &&
		    run->io.direction == KVM_EXIT_IO_OUT && run->io.port == port) {
			*val = *(uint32_t *)((char *)run + run->io.data_offset);
			return true;
		}
		/* A reset loop starts with PORT_LO: on to the PORT_HI we await. */
		if (was_reset && run->exit_reason == KVM_EXIT_IO &&
		    run->io.direction == KVM_EXIT_IO_OUT &&
		    run->io.port == PORT_LO)
			continue;
		if (run->exit_reason != KVM_EXIT_INTR) {
			off_code(vcpu_fd, run, who, reset);
			was_reset = true;
			glitches++;
		}
	}
}

/* --idle: enter once (KVM learns the vCPU's thread), until the first hlt. */
static void idle(int vcpu_fd, struct kvm_run *run)
{
	while (ioctl(vcpu_fd, KVM_RUN, 0) && errno == EINTR)
		;
	if (run->exit_reason != KVM_EXIT_HLT) {
		errno = 0;
		die("--idle: exit %u instead of hlt", run->exit_reason);
	}
}

static void *vcpu_thread(void *p)
{
	struct vcpu_arg *arg = p;
	struct vm *vm = arg->vm;
	int id = arg->id;
	long long iter, runs = 0;
	struct kvm_run *run;
	char comm[16], who[32];
	struct kvm_sregs reset;
	timer_t timer = NULL;
	int vcpu_fd;

	free(arg);
	vcpu_fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (vcpu_fd < 0)
		die("KVM_CREATE_VCPU %d", id);
	run = mmap(NULL, vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   vcpu_fd, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	if (ioctl(vcpu_fd, KVM_GET_SREGS, &reset))
		die("KVM_GET_SREGS");
	setup_real_mode(vcpu_fd, &reset, opt_idle ? IDLE_ENTRY : 0);
	timer = make_stuck_timer();
	snprintf(who, sizeof(who), "%d %d", vm->idx, id);
	/* As qemu names its vCPU threads. */
	snprintf(comm, sizeof(comm), "CPU %d/KVM", id);
	pthread_setname_np(pthread_self(), comm);
	out("vcpu %d %d tid %ld offset %" PRId64 "\n", vm->idx, id,
	    (long)syscall(SYS_gettid), get_offset(vcpu_fd));
	if (opt_restore_tsc && !vm->idx && !id)
		restore_tsc(vm, id, vcpu_fd);

	if (opt_idle) {
		idle(vcpu_fd, run);
		out("idle %d %d\n", vm->idx, id);
		while (!should_stop(0))
			usleep(20000);
	}
	for (iter = 0; !opt_idle && !should_stop(iter); iter++) {
		uint64_t h0, h1;
		uint32_t lo, hi;

		run_actions(vm, id, vcpu_fd, iter);
		h0 = rdtsc_ordered();
		if (!run_until_io(vcpu_fd, run, PORT_LO, who, timer, &reset, &lo))
			break;
		h1 = rdtsc_ordered();
		if (!run_until_io(vcpu_fd, run, PORT_HI, who, timer, &reset, &hi))
			break;
		runs += 2;
		if (opt_pace_us)
			usleep(opt_pace_us);
		if (opt_sample_every > 0 && iter % opt_sample_every == 0)
			out("sample %d %d %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
			    vm->idx, id, h0, ((uint64_t)hi << 32) | lo, h1);
	}
	if (opt_save_tsc && !vm->idx && !id)
		save_tsc(vm, id, vcpu_fd);
	out("runs %d %d %lld\n", vm->idx, id, runs);
	timer_delete(timer);
	munmap(run, vcpu_mmap_size);
	close(vcpu_fd);
	return NULL;
}

static void create_vm(struct vm *vm, int idx)
{
	struct kvm_userspace_memory_region region;

	vm->idx = idx;
	pthread_mutex_init(&vm->lock, NULL);
	vm->fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		die("KVM_CREATE_VM");
	vm->mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED)
		die("mmap guest memory");
	memcpy(vm->mem, guest_code, sizeof(guest_code));
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = 0x1000,
		.userspace_addr = (uint64_t)(uintptr_t)vm->mem,
	};
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region))
		die("KVM_SET_USER_MEMORY_REGION");
	out("vm %d pid %d fd %d\n", idx, (int)getpid(), vm->fd);
}

static void parse_action(const char *s, bool add_vcpu)
{
	struct action *a = &actions[nr_actions];
	char how[16];
	int n;

	if (nr_actions >= MAX_ACTIONS) {
		errno = 0;
		die("too many actions");
	}
	errno = 0;
	if (add_vcpu) {
		a->kind = ACT_ADD_VCPU;
		a->vcpu = 0;
		if (sscanf(s, "%d:%lld%n", &a->vm, &a->iter, &n) != 2 || s[n])
			die("bad --add-vcpu '%s' (want VM:ITER)", s);
	} else {
		if (sscanf(s, "%d:%d:%lld:%15[a-z]:%" SCNi64 "%n", &a->vm,
			   &a->vcpu, &a->iter, how, &a->value, &n) != 5 || s[n])
			die("bad --set '%s' (want VM:VCPU:ITER:offset|tsc:VALUE)", s);
		if (!strcmp(how, "offset"))
			a->kind = ACT_OFFSET;
		else if (!strcmp(how, "tsc"))
			a->kind = ACT_TSC;
		else
			die("bad --set '%s': '%s' is neither offset nor tsc", s, how);
	}
	nr_actions++;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: tscguest [--vms N] [--vcpus M] [--iters K | --seconds S | --stop-file F]\n"
		"                [--sample-every S] [--set VM:VCPU:ITER:offset|tsc:VALUE]...\n"
		"                [--add-vcpu VM:ITER]... [--ready-file F] [--wait-file F]\n"
		"                [--idle] [--pace-us U] [--recover-glitches]\n"
		"                [--save-tsc F] [--restore-tsc F] [--uuid UUID] [--name NAME]\n");
	exit(2);
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "--idle")) {
			opt_idle = true;
			continue;
		}
		if (!strcmp(o, "--recover-glitches")) {
			opt_recover = true;
			continue;
		}
		if (!v)
			usage();
		if (!strcmp(o, "--vms"))
			opt_vms = atoi(v);
		else if (!strcmp(o, "--vcpus"))
			opt_vcpus = atoi(v);
		else if (!strcmp(o, "--iters"))
			opt_iters = atoll(v);
		else if (!strcmp(o, "--seconds"))
			opt_seconds = atof(v);
		else if (!strcmp(o, "--stop-file"))
			opt_stop_file = v;
		else if (!strcmp(o, "--sample-every"))
			opt_sample_every = atoll(v);
		else if (!strcmp(o, "--set"))
			parse_action(v, false);
		else if (!strcmp(o, "--add-vcpu"))
			parse_action(v, true);
		else if (!strcmp(o, "--ready-file"))
			opt_ready_file = v;
		else if (!strcmp(o, "--wait-file"))
			opt_wait_file = v;
		else if (!strcmp(o, "--save-tsc"))
			opt_save_tsc = v;
		else if (!strcmp(o, "--restore-tsc"))
			opt_restore_tsc = v;
		else if (!strcmp(o, "--pace-us"))
			opt_pace_us = (unsigned int)atoi(v);
		else if (strcmp(o, "--uuid") && strcmp(o, "--name"))
			usage();	/* those two only sit on the command line, as qemu's */
		i++;
	}
	if (opt_vms < 1 || opt_vms > MAX_VMS || opt_vcpus < 1 ||
	    opt_vcpus > MAX_VCPUS)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	{
		/* No SA_RESTART: the timer must interrupt KVM_RUN. */
		struct sigaction sa = { .sa_handler = on_stuck_timer };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, NULL);
	}

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		die("open /dev/kvm");
	vcpu_mmap_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu_mmap_size <= 0)
		die("KVM_GET_VCPU_MMAP_SIZE");

	for (int i = 0; i < opt_vms; i++)
		create_vm(&vms[i], i);
	if (opt_wait_file)
		while (access(opt_wait_file, F_OK) && !stop_requested)
			usleep(10000);
	clock_gettime(CLOCK_MONOTONIC, &start_time);
	for (int i = 0; i < opt_vms; i++)
		for (int j = 0; j < opt_vcpus; j++)
			start_vcpu(&vms[i]);
	if (opt_ready_file) {
		int fd = open(opt_ready_file, O_CREAT | O_WRONLY, 0644);

		if (fd >= 0)
			close(fd);
	}
	/* Threads may add vCPUs while we join: re-read the count each time. */
	for (int i = 0; i < opt_vms; i++) {
		for (int j = 0;; j++) {
			pthread_t t;

			pthread_mutex_lock(&vms[i].lock);
			if (j >= vms[i].nr_vcpus) {
				pthread_mutex_unlock(&vms[i].lock);
				break;
			}
			t = vms[i].threads[j];
			pthread_mutex_unlock(&vms[i].lock);
			pthread_join(t, NULL);
		}
		close(vms[i].fd);
		munmap(vms[i].mem, 0x1000);
	}
	out("done\n");
	return 0;
}
