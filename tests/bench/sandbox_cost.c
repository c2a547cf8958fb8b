/*
 * What the seccomp filter adds to a system call (BENCHMARKS.md): the
 * calls the live steady state makes most (poll, getsockopt on a socket,
 * a UDP send) and one whose arguments the filter checks (ioctl
 * SIOCGIFINDEX, made only to re-bind a capture), each timed over N calls
 * before and after sandbox_enter() with the needs of a live run with
 * every feature.  Built and run by tests/bench/sandbox_cost.sh; prints
 * nanoseconds a call (the least of many batch averages).
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"

#define N	1000000
#define BATCHES	200

static uint64_t
ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int fd;
static struct ifreq ifr;

static void
call(int which)
{
	struct pollfd p = { fd, POLLIN, 0 };
	socklen_t len = sizeof(int);
	int e;

	switch (which) {
	case 0:
		(void)poll(&p, 1, 0);
		break;
	case 1:
		(void)getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len);
		break;
	case 2:
		(void)send(fd, "x", 1, MSG_DONTWAIT);
		break;
	case 3:
		(void)ioctl(fd, SIOCGIFINDEX, &ifr);
		break;
	}
}

/*
 * The machine is shared and a call costs microseconds on this VM, so each
 * figure is the least of BATCHES averages of N / BATCHES calls: the noise
 * only ever adds.
 */
static void
measure(double *out)
{
	int which, b, i;

	for (which = 0; which < 4; which++) {
		out[which] = 1e18;
		for (b = 0; b < BATCHES; b++) {
			uint64_t t0 = ns();
			double per;

			for (i = 0; i < N / BATCHES; i++)
				call(which);
			per = (double)(ns() - t0) / (N / BATCHES);
			if (per < out[which])
				out[which] = per;
		}
	}
}

int
main(void)
{
	static const char *const names[4] = { "poll (0 timeout)",
	    "getsockopt SO_ERROR", "send 1 byte (UDP)",
	    "ioctl SIOCGIFINDEX (checked)" };
	struct sockaddr_in sin;
	double off[4], on[4];
	char err[256];
	int i;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(9);	/* discard: nothing listens, no reply */
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		return 1;
	strcpy(ifr.ifr_name, "lo");
	measure(off);
	/* stdio sets up stdout's buffer on first use (fstat): before */
	printf("%-30s %10s %10s %8s\n", "call", "ns before", "ns after",
	    "added");
	if (sandbox_enter(SANDBOX_CAPTURE | SANDBOX_REBIND | SANDBOX_NETLINK |
	    SANDBOX_EXPORT | SANDBOX_SYSLOG | SANDBOX_SLEEP, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "sandbox_enter: %s\n", err);
		return 1;
	}
	measure(on);
	for (i = 0; i < 4; i++)
		printf("%-30s %10.1f %10.1f %8.1f\n", names[i], off[i], on[i],
		    on[i] - off[i]);
	return 0;
}
