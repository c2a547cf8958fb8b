/*
 * The seccomp program of sandbox_linux.c, run on made-up calls by a small
 * classic-BPF interpreter (the instructions the builder uses: word loads
 * from struct seccomp_data, AND, JEQ, JGE, RET).  Built for every target,
 * so under qemu-user it checks each architecture's program: its audit
 * arch, its call numbers, and its argument offsets (the low word of an
 * argument is at +4 on big-endian MIPS).  What the live kernel does with
 * it is tests/integration/sandbox*.sh's job.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <linux/sockios.h>

#include <fcntl.h>
#include <stddef.h>

#include "sandbox.h"
#include "sandbox_linux.h"
#include "tap.h"

#define KILL	0x80000000U	/* SECCOMP_RET_KILL_PROCESS */
#define ALLOW	SECCOMP_RET_ALLOW
#define MAX	512

static struct sock_filter prog[MAX];
static size_t nprog;

/* The verdict of prog for one call; KILL also for a bad program. */
static uint32_t
run(const struct seccomp_data *d)
{
	const uint8_t *base = (const uint8_t *)d;
	uint32_t a = 0;
	size_t pc = 0;

	while (pc < nprog) {
		const struct sock_filter *f = &prog[pc];

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (f->k + 4 > sizeof(*d) || f->k % 4 != 0)
				return KILL;
			memcpy(&a, base + f->k, 4);
			pc++;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= f->k;
			pc++;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += 1 + (a == f->k ? f->jt : f->jf);
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += 1 + (a >= f->k ? f->jt : f->jf);
			break;
		case BPF_RET | BPF_K:
			return f->k;
		default:
			return KILL;
		}
	}
	return KILL;	/* fell off the end: the kernel refuses such a program */
}

static uint32_t
call(long nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct seccomp_data d;

	memset(&d, 0, sizeof(d));
	d.nr = (int)nr;
	d.arch = sandbox_linux_arch();
	d.args[0] = a0;
	d.args[1] = a1;
	d.args[2] = a2;
	return run(&d);
}

static void
load(unsigned needs)
{
	nprog = sandbox_linux_program(needs, prog, MAX);
}

#define ALL	(SANDBOX_FILE | SANDBOX_CAPTURE | SANDBOX_REBIND | \
		 SANDBOX_NETLINK | SANDBOX_IFLIST | SANDBOX_EXPORT | \
		 SANDBOX_SYSLOG | SANDBOX_SLEEP)

/* musl names the 32-bit-time calls of its time64 targets ..._time32 */
#ifdef __NR_clock_gettime
#define NR_CLOCK_GETTIME	__NR_clock_gettime
#else
#define NR_CLOCK_GETTIME	__NR_clock_gettime32
#endif
#ifdef __NR_clock_nanosleep
#define NR_CLOCK_NANOSLEEP	__NR_clock_nanosleep
#else
#define NR_CLOCK_NANOSLEEP	__NR_clock_nanosleep_time32
#endif

static void
test_always(void)
{
	struct seccomp_data d;

	load(SANDBOX_FILE);
	ok(nprog > 4, "a program for -r (%zu instructions)", nprog);
	is_int(call(__NR_write, 2, 0, 0), ALLOW, "write");
	is_int(call(__NR_exit_group, 0, 0, 0), ALLOW, "exit_group");
	is_int(call(NR_CLOCK_GETTIME, 1, 0, 0), ALLOW, "clock_gettime");
	is_int(call(__NR_read, 3, 0, 0), ALLOW, "read, with -r");
	is_int(call(__NR_close, 3, 0, 0), ALLOW, "close");
	is_int(call(__NR_execve, 0, 0, 0), KILL, "execve");
	is_int(call(__NR_openat, (uint64_t)AT_FDCWD, 0, 0), KILL, "openat");
	is_int(call(__NR_ptrace, 0, 0, 0), KILL, "ptrace");
	is_int(call(__NR_sendmmsg, 3, 0, 0), KILL, "sendmmsg: no collector");
	is_int(call(__NR_socket, AF_UNIX, SOCK_DGRAM, 0), KILL,
	    "socket: not without syslog or re-binding");
	memset(&d, 0, sizeof(d));
	d.nr = __NR_write;
	d.arch = sandbox_linux_arch() ^ 1;
	is_int(run(&d), KILL, "write from another architecture");
#if defined(__x86_64__)
	is_int(call(__NR_write | 0x40000000, 2, 0, 0), KILL, "x32 write");
#endif
}

static void
test_memory(void)
{
	long nr;

#ifdef __NR_mmap2
	nr = __NR_mmap2;
#else
	nr = __NR_mmap;
#endif
	load(SANDBOX_FILE);
	is_int(call(nr, 0, 4096, PROT_READ | PROT_WRITE), ALLOW,
	    "mmap read-write");
	is_int(call(nr, 0, 4096, PROT_READ | PROT_EXEC), KILL,
	    "mmap executable");
	is_int(call(nr, 0, 4096, (uint64_t)0xffffffff00000000ULL |
	    PROT_READ), ALLOW, "mmap: the high word is not looked at");
	is_int(call(__NR_mprotect, 0, 4096, PROT_READ | PROT_EXEC), KILL,
	    "mprotect");
	is_int(call(__NR_madvise, 0, 4096, MADV_DONTNEED), ALLOW,
	    "madvise (musl's free)");
}

static void
test_live(void)
{
	load(SANDBOX_CAPTURE | SANDBOX_REBIND | SANDBOX_EXPORT);
	is_int(call(__NR_getsockopt, 3, SOL_SOCKET, SO_ERROR), ALLOW,
	    "getsockopt");
	is_int(call(__NR_sendmmsg, 4, 0, 2), ALLOW, "sendmmsg");
	is_int(call(__NR_connect, 4, 0, 16), ALLOW, "connect");
	is_int(call(__NR_read, 3, 0, 0), KILL, "read: no -r");
	is_int(call(__NR_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0),
	    ALLOW, "socket AF_INET datagram (link type)");
	is_int(call(__NR_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0),
	    ALLOW, "socket AF_UNIX datagram (if_nametoindex)");
	is_int(call(__NR_socket, AF_INET, SOCK_STREAM, 0), KILL,
	    "socket AF_INET stream");
	is_int(call(__NR_socket, AF_INET, SOCK_RAW, 1), KILL,
	    "socket AF_INET raw");
	is_int(call(__NR_socket, AF_PACKET, SOCK_RAW, 0), KILL,
	    "socket AF_PACKET");
	is_int(call(__NR_socket, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), KILL,
	    "socket netlink: no interface list");
	is_int(call(__NR_ioctl, 3, SIOCGIFINDEX, 0), ALLOW, "SIOCGIFINDEX");
	is_int(call(__NR_ioctl, 3, SIOCGIFHWADDR, 0), ALLOW, "SIOCGIFHWADDR");
	is_int(call(__NR_ioctl, 0, TIOCSTI, 0), KILL, "TIOCSTI");
	is_int(call(__NR_ioctl, 3, SIOCSIFFLAGS, 0), KILL, "SIOCSIFFLAGS");
	is_int(call(__NR_recvmsg, 5, 0, 0), KILL, "recvmsg: no netlink");
	is_int(call(NR_CLOCK_NANOSLEEP, 1, 0, 0), KILL,
	    "clock_nanosleep: no --pace");
}

static void
test_netlink(void)
{
	load(SANDBOX_CAPTURE | SANDBOX_NETLINK | SANDBOX_IFLIST |
	    SANDBOX_SYSLOG | SANDBOX_SLEEP);
	is_int(call(__NR_recvmsg, 5, 0, 0), ALLOW, "recvmsg");
	is_int(call(__NR_sendto, 5, 0, 0), ALLOW, "sendto");
	is_int(call(__NR_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE), ALLOW, "socket netlink route");
	is_int(call(__NR_socket, AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER),
	    KILL, "socket netlink netfilter");
	is_int(call(__NR_socket, AF_UNIX, SOCK_DGRAM, 0), ALLOW,
	    "socket AF_UNIX (syslog)");
	is_int(call(__NR_getpid, 0, 0, 0), ALLOW, "getpid (syslog)");
	is_int(call(NR_CLOCK_NANOSLEEP, 1, 0, 0), ALLOW, "clock_nanosleep");
	is_int(call(__NR_ioctl, 3, SIOCGIFINDEX, 0), KILL,
	    "ioctl: no re-binding");
}

static void
test_all(void)
{
	load(ALL);
	ok(nprog > 0 && nprog < 255, "every need: %zu instructions", nprog);
	is_int(call(__NR_execve, 0, 0, 0), KILL, "execve, every need");
	is_int(call(__NR_clone, 0, 0, 0), KILL, "clone, every need");
}

int
main(void)
{
	if (sandbox_linux_arch() == 0) {
		printf("1..0 # SKIP no filter for this architecture\n");
		return 0;
	}
	diag("audit arch 0x%08x", (unsigned)sandbox_linux_arch());
	test_always();
	test_memory();
	test_live();
	test_netlink();
	test_all();
	return done();
}
