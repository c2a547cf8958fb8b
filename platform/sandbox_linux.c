/*
 * Linux sandbox (sandbox.h): a seccomp-bpf allow-list of the system calls
 * the steady state makes, written with the kernel's <linux/seccomp.h> and
 * <linux/filter.h> only (libseccomp is not on small routers).  Any other
 * call kills the whole process (SECCOMP_RET_KILL_PROCESS; kernels before
 * 4.14 kill the thread, the same for a single thread) and the kernel logs
 * it: "audit: type=1326 ... sig=31 ... syscall=N".
 *
 * The program checks the architecture first, since another ABI on the same
 * kernel numbers its calls differently (i386 or x32 on x86_64, n32 and n64
 * on MIPS), then compares the call number with the list.  A call allowed
 * whatever its arguments costs nothing after its first use (Linux 5.11
 * caches the verdict); the few with checked arguments run the filter.
 *
 * Numbers come from the target's <sys/syscall.h>.  Calls an architecture
 * lacks (poll on aarch64) are listed only where defined; where it has two
 * (clock_gettime64 beside clock_gettime on 32-bit ARM and MIPS, which
 * newer C libraries try first; mmap2 beside mmap) both are.  glibc and
 * musl differ in what they call for the same function (send(2) is sendto
 * on x86_64, writev for musl's stdio), so the list holds either.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <linux/sockios.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sandbox.h"
#include "sandbox_linux.h"
#include "util.h"

#if defined(__x86_64__) && !defined(__ILP32__)
#define ARCH_SELF	AUDIT_ARCH_X86_64
#elif defined(__i386__)
#define ARCH_SELF	AUDIT_ARCH_I386
#elif defined(__aarch64__) && !defined(__AARCH64EB__)
#define ARCH_SELF	AUDIT_ARCH_AARCH64
#elif defined(__arm__) && !defined(__ARMEB__)
#define ARCH_SELF	AUDIT_ARCH_ARM
#elif defined(__mips__) && _MIPS_SIM == _ABIO32 && defined(__MIPSEB__)
#define ARCH_SELF	AUDIT_ARCH_MIPS
#elif defined(__mips__) && _MIPS_SIM == _ABIO32
#define ARCH_SELF	AUDIT_ARCH_MIPSEL
#else
#define ARCH_SELF	0	/* not one we list calls for: no filter */
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED	1	/* gcc */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED	1	/* clang */
#endif
#endif
#ifndef SANITIZED
#define SANITIZED	0
#endif

#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#define X32_SYSCALL_BIT	0x40000000U
#define ALWAYS		0U
#define PROG_MAX	255U	/* a jump offset is 8 bits: blocks stay short */

/*
 * Arguments are 64 bits in struct seccomp_data whatever the word size; the
 * checks here read the low 32 (every checked argument is an int to the
 * kernel, or a flag word whose high half it ignores).
 */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define ARG_LO(i)	(offsetof(struct seccomp_data, args[i]) + 4)
#else
#define ARG_LO(i)	offsetof(struct seccomp_data, args[i])
#endif

/*
 * A call allowed whatever its arguments, when the flags need it.  Every
 * Linux system call number fits 16 bits (MIPS o32's are 4000 up, n64's
 * 5000 up), and so do the SANDBOX_* bits: the tables are half the size of
 * long-wide ones; a value that did not fit would fail the build
 * (-Woverflow, -Werror).
 */
struct call {
	uint16_t	nr;
	uint16_t	need;		/* SANDBOX_* bits, any of; 0: always */
};

static const struct call calls[] = {
	/* exit, signals (the handlers only set flags), memory */
	{ __NR_exit_group, ALWAYS },
	{ __NR_exit, ALWAYS },
	{ __NR_rt_sigreturn, ALWAYS },
#ifdef __NR_sigreturn
	{ __NR_sigreturn, ALWAYS },	/* 32-bit ARM and MIPS handlers */
#endif
	{ __NR_restart_syscall, ALWAYS },
	{ __NR_brk, ALWAYS },
	{ __NR_munmap, ALWAYS },	/* large blocks freed; a capture closed */
	{ __NR_mremap, ALWAYS },
	{ __NR_madvise, ALWAYS },	/* musl's free() gives pages back */
	/* logs and -P to stderr and stdout; closing what stops */
	{ __NR_write, ALWAYS },
	{ __NR_writev, ALWAYS },	/* musl's stdio */
	{ __NR_close, ALWAYS },
#ifdef __NR_clock_gettime
	{ __NR_clock_gettime, ALWAYS },	/* when there is no vDSO */
#endif
#ifdef __NR_clock_gettime32	/* musl's name for it on time64 targets */
	{ __NR_clock_gettime32, ALWAYS },
#endif
#ifdef __NR_clock_gettime64
	{ __NR_clock_gettime64, ALWAYS },
#endif
	/* the poll loop; waiting for a send buffer or a link dump */
#ifdef __NR_poll
	{ __NR_poll, SANDBOX_CAPTURE | SANDBOX_EXPORT | SANDBOX_NETLINK },
#endif
	{ __NR_ppoll, SANDBOX_CAPTURE | SANDBOX_EXPORT | SANDBOX_NETLINK },
#ifdef __NR_ppoll_time64
	{ __NR_ppoll_time64, SANDBOX_CAPTURE | SANDBOX_EXPORT |
	    SANDBOX_NETLINK },
#endif
	{ __NR_read, SANDBOX_FILE | SANDBOX_PROC },
	{ __NR_readv, SANDBOX_FILE },		/* musl's stdio (libpcap) */
	{ __NR_lseek, SANDBOX_FILE | SANDBOX_PROC },	/* ftell; rewinddir */
#ifdef __NR__llseek
	{ __NR__llseek, SANDBOX_FILE | SANDBOX_PROC },
#endif
	/* --process: /proc/PID/fd listed, its links read, ns/net compared */
	{ __NR_getdents64, SANDBOX_PROC },
	{ __NR_readlinkat, SANDBOX_PROC },
#ifdef __NR_readlink
	{ __NR_readlink, SANDBOX_PROC },	/* musl, where it exists */
#endif
#ifdef __NR_newfstatat
	{ __NR_newfstatat, SANDBOX_PROC },
#endif
#ifdef __NR_fstatat64
	{ __NR_fstatat64, SANDBOX_PROC },
#endif
#ifdef __NR_statx
	{ __NR_statx, SANDBOX_PROC },
#endif
#ifdef __NR_stat
	{ __NR_stat, SANDBOX_PROC },
#endif
#ifdef __NR_stat64
	{ __NR_stat64, SANDBOX_PROC },
#endif
#ifdef __NR_fstat
	{ __NR_fstat, SANDBOX_PROC },
#endif
#ifdef __NR_fstat64
	{ __NR_fstat64, SANDBOX_PROC },
#endif
	{ __NR_fcntl, SANDBOX_PROC },		/* opendir's FD_CLOEXEC */
#ifdef __NR_fcntl64
	{ __NR_fcntl64, SANDBOX_PROC },
#endif
	/* a capture's errors, statistics, and whether it is still bound */
	{ __NR_getsockopt, SANDBOX_CAPTURE },
	{ __NR_getsockname, SANDBOX_CAPTURE | SANDBOX_IFLIST },
	{ __NR_bind, SANDBOX_REBIND | SANDBOX_IFLIST },
	{ __NR_setsockopt, SANDBOX_REBIND },	/* promiscuous again */
	/* netlink questions and answers; datagrams; syslog */
	{ __NR_sendto, SANDBOX_NETLINK | SANDBOX_IFLIST | SANDBOX_EXPORT |
	    SANDBOX_SYSLOG },
#ifdef __NR_send
	{ __NR_send, SANDBOX_IFLIST | SANDBOX_EXPORT | SANDBOX_SYSLOG },
#endif
	{ __NR_recvmsg, SANDBOX_NETLINK | SANDBOX_IFLIST },
	{ __NR_recvfrom, SANDBOX_NETLINK | SANDBOX_IFLIST },
#ifdef __NR_recv
	{ __NR_recv, SANDBOX_NETLINK | SANDBOX_IFLIST },
#endif
	{ __NR_sendmmsg, SANDBOX_EXPORT },
	{ __NR_sendmsg, SANDBOX_EXPORT },	/* 64-bit musl's sendmmsg */
	/* a collector without a route at start; syslog restarted */
	{ __NR_connect, SANDBOX_EXPORT | SANDBOX_SYSLOG },
	{ __NR_getpid, SANDBOX_SYSLOG },	/* LOG_PID */
#ifdef __NR_nanosleep
	{ __NR_nanosleep, SANDBOX_SLEEP },
#endif
#ifdef __NR_clock_nanosleep
	{ __NR_clock_nanosleep, SANDBOX_SLEEP },
#endif
#ifdef __NR_clock_nanosleep_time32
	{ __NR_clock_nanosleep_time32, SANDBOX_SLEEP },
#endif
#ifdef __NR_clock_nanosleep_time64
	{ __NR_clock_nanosleep_time64, SANDBOX_SLEEP },
#endif
};

/*
 * One argument test: (low word of argument arg & mask) == value.  Values
 * are small constants (flags, address families, ioctl numbers): 16 bits
 * hold them; masks need 32 (musl's O_ACCMODE has O_PATH in it).  ARG()
 * writes them in the order they read, whatever the layout.
 */
struct cond {
	uint32_t	mask;		/* 0: no such condition */
	uint16_t	value;
	uint8_t		arg;
};

#define ARG(arg, mask, value)	{ (mask), (value), (arg) }

/* A call allowed when one of its rules holds (all its conditions). */
struct rule {
	uint16_t	nr;
	uint16_t	need;
	struct cond	c[2];
};

#define ANY		0xffffffffU
#define SOCK_TYPE	0xfU		/* SOCK_CLOEXEC and SOCK_NONBLOCK off */

static const struct rule rules[] = {
	/* if_nametoindex(3) and the link type for a re-bind; syslog */
	{ __NR_socket, SANDBOX_REBIND | SANDBOX_SYSLOG,
	    { ARG(0, ANY, AF_UNIX), ARG(1, SOCK_TYPE, SOCK_DGRAM) } },
	{ __NR_socket, SANDBOX_REBIND,
	    { ARG(0, ANY, AF_INET), ARG(1, SOCK_TYPE, SOCK_DGRAM) } },
	{ __NR_socket, SANDBOX_IFLIST,
	    { ARG(0, ANY, AF_NETLINK), ARG(2, ANY, NETLINK_ROUTE) } },
	{ __NR_ioctl, SANDBOX_REBIND, { ARG(1, ANY, SIOCGIFINDEX) } },
	{ __NR_ioctl, SANDBOX_REBIND, { ARG(1, ANY, SIOCGIFHWADDR) } },
	/* --process: /proc opened to read, never to write */
	{ __NR_openat, SANDBOX_PROC, { ARG(2, O_ACCMODE, O_RDONLY) } },
#ifdef __NR_open
	{ __NR_open, SANDBOX_PROC, { ARG(1, O_ACCMODE, O_RDONLY) } },
#endif
	/* memory from the C library, never executable */
#ifdef __NR_mmap
	{ __NR_mmap, ALWAYS, { ARG(2, PROT_EXEC, 0) } },
#endif
#ifdef __NR_mmap2
	{ __NR_mmap2, ALWAYS, { ARG(2, PROT_EXEC, 0) } },
#endif
#ifdef __NR_socketcall
	/* C libraries that multiplex sockets (i386): by operation */
	{ __NR_socketcall, SANDBOX_REBIND | SANDBOX_SYSLOG | SANDBOX_IFLIST,
	    { ARG(0, ANY, SYS_SOCKET) } },
	{ __NR_socketcall, SANDBOX_CAPTURE | SANDBOX_IFLIST,
	    { ARG(0, ANY, SYS_GETSOCKNAME) } },
	{ __NR_socketcall, SANDBOX_CAPTURE, { ARG(0, ANY, SYS_GETSOCKOPT) } },
	{ __NR_socketcall, SANDBOX_REBIND | SANDBOX_IFLIST,
	    { ARG(0, ANY, SYS_BIND) } },
	{ __NR_socketcall, SANDBOX_REBIND, { ARG(0, ANY, SYS_SETSOCKOPT) } },
	{ __NR_socketcall, SANDBOX_NETLINK | SANDBOX_IFLIST | SANDBOX_EXPORT |
	    SANDBOX_SYSLOG, { ARG(0, ANY, SYS_SENDTO) } },
	{ __NR_socketcall, SANDBOX_IFLIST | SANDBOX_EXPORT | SANDBOX_SYSLOG,
	    { ARG(0, ANY, SYS_SEND) } },
	{ __NR_socketcall, SANDBOX_NETLINK | SANDBOX_IFLIST,
	    { ARG(0, ANY, SYS_RECVMSG) } },
	{ __NR_socketcall, SANDBOX_NETLINK | SANDBOX_IFLIST,
	    { ARG(0, ANY, SYS_RECVFROM) } },
	{ __NR_socketcall, SANDBOX_EXPORT, { ARG(0, ANY, SYS_SENDMMSG) } },
	{ __NR_socketcall, SANDBOX_EXPORT, { ARG(0, ANY, SYS_SENDMSG) } },
	{ __NR_socketcall, SANDBOX_EXPORT | SANDBOX_SYSLOG,
	    { ARG(0, ANY, SYS_CONNECT) } },
#endif
};

struct prog {
	struct sock_filter	f[PROG_MAX];
	unsigned		n;
	int			full;
};

static void
ins(struct prog *p, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (p->n == PROG_MAX) {
		p->full = 1;
		return;
	}
	p->f[p->n].code = code;
	p->f[p->n].jt = jt;
	p->f[p->n].jf = jf;
	p->f[p->n].k = k;
	p->n++;
}

static int
wanted(unsigned need, unsigned needs)
{
	return need == ALWAYS || (need & needs) != 0;
}

/* Whether nr is already in calls[0..i) with a need in needs. */
static int
listed_before(size_t i, unsigned needs)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (calls[j].nr == calls[i].nr && wanted(calls[j].need, needs))
			return 1;
	return 0;
}

/*
 * One rule: load and test each condition, falling to the next rule when
 * one fails; allow when all hold.  Each condition is three instructions
 * (load, mask, compare), so the first must skip 3 * (nc - 1) + 1 on
 * failure and the last 1 (over the return).
 */
static void
put_rule(struct prog *p, const struct rule *r)
{
	unsigned i, nc = r->c[1].mask != 0 ? 2 : 1;

	for (i = 0; i < nc; i++) {
		ins(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LO(r->c[i].arg));
		ins(p, BPF_ALU | BPF_AND | BPF_K, 0, 0, r->c[i].mask);
		ins(p, BPF_JMP | BPF_JEQ | BPF_K, 0,
		    (uint8_t)(3 * (nc - 1 - i) + 1), r->c[i].value);
	}
	ins(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
}

/*
 * Every rule for call rules[i].nr, as one block after the number compare,
 * ending in kill (the accumulator no longer holds the number).  Returns
 * the index of the next call's first rule.
 */
static size_t
put_rules(struct prog *p, size_t i, unsigned needs)
{
	unsigned nr = rules[i].nr;
	unsigned at = p->n, put = 0;

	ins(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, (uint32_t)nr);
	for (; i < ARRAY_SIZE(rules) && rules[i].nr == nr; i++)
		if (wanted(rules[i].need, needs)) {
			put_rule(p, &rules[i]);
			put++;
		}
	ins(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	if (put == 0)
		p->n = at;	/* nothing of it wanted: no block */
	else if (!p->full)
		p->f[at].jf = (uint8_t)(p->n - at - 1);
	return i;
}

static void
build(struct prog *p, unsigned needs)
{
	size_t i;

	p->n = 0;
	p->full = 0;
	ins(p, BPF_LD | BPF_W | BPF_ABS, 0, 0,
	    offsetof(struct seccomp_data, arch));
	ins(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, ARCH_SELF);
	ins(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	ins(p, BPF_LD | BPF_W | BPF_ABS, 0, 0,
	    offsetof(struct seccomp_data, nr));
	if (ARCH_SELF == AUDIT_ARCH_X86_64) {
		/* x32 calls carry the same audit arch */
		ins(p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, X32_SYSCALL_BIT);
		ins(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	}
	for (i = 0; i < ARRAY_SIZE(calls); i++) {
		if (!wanted(calls[i].need, needs) || listed_before(i, needs))
			continue;
		ins(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (uint32_t)calls[i].nr);
		ins(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	}
	for (i = 0; i < ARRAY_SIZE(rules); )
		i = put_rules(p, i, needs);
	ins(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
}

size_t
sandbox_linux_program(unsigned needs, struct sock_filter *out, size_t max)
{
	static struct prog p;

	if (ARCH_SELF == 0)
		return 0;
	build(&p, needs);
	if (p.full || p.n > max)
		return 0;
	memcpy(out, p.f, p.n * sizeof(p.f[0]));
	return p.n;
}

uint32_t
sandbox_linux_arch(void)
{
	return ARCH_SELF;
}

/*
 * What the C library reads once and keeps: the time zone, for syslog's
 * time stamps (glibc and musl open /etc/localtime on first use).
 */
static void
warm_up(void)
{
	struct tm tm;
	time_t now = time(NULL);

	tzset();
	localtime_r(&now, &tm);
}

int
sandbox_enter(unsigned needs, char *err, size_t errlen)
{
	static struct sock_filter prog[PROG_MAX];
	struct sock_fprog fprog;

	if (ARCH_SELF == 0) {
		snprintf(err, errlen, "no seccomp filter for this "
		    "architecture");
		return 1;
	}
	if (SANITIZED) {
		snprintf(err, errlen, "a sanitizer build: its run-time needs "
		    "calls the filter refuses");
		return 1;
	}
	fprog.len = (unsigned short)sandbox_linux_program(needs, prog,
	    PROG_MAX);
	if (fprog.len == 0) {
		snprintf(err, errlen, "seccomp: the filter outgrew %u "
		    "instructions", PROG_MAX);
		return -1;
	}
	fprog.filter = prog;
	warm_up();
	/* no_new_privs: what lets an unprivileged process install it */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) == -1) {
		int e = errno;

		util_errmsg(err, errlen, "seccomp");
		return e == EINVAL || e == ENOSYS ? 1 : -1;
	}
	return 0;
}

const char *
sandbox_kind(void)
{
	return "seccomp-bpf";
}
