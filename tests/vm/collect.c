/*
 * collect: a UDP collector for the VMs of "make vm-check" (tests/vm/):
 * binds 127.0.0.1:PORT and appends every datagram to OUT as a pcap record,
 * raw IPv4 link type, behind an IPv4 and a UDP header made up here (the
 * same form as the sink of tests/integration/lib.sh), so that the host can
 * give the file to tshark and replay its payloads into nfcapd.
 *
 *   collect PORT OUT
 *
 * Prints "listening PORT" once bound.  On SIGTERM it reads what is still
 * queued, prints "datagrams N" and exits 0.  The probe sends over loopback,
 * where delivery is synchronous: once the probe has exited, everything it
 * sent is queued here or already written.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DGRAM_MAX	65535
#define HDRS		28		/* IPv4 20 + UDP 8 */

static volatile sig_atomic_t quit;

static void
on_term(int sig)
{
	(void)sig;
	quit = 1;
}

static void
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

/* The pcap record: header in host order (the file header says which). */
static int
keep(FILE *out, const unsigned char *d, size_t len,
    const struct sockaddr_in *from, unsigned port, unsigned long n)
{
	unsigned char h[HDRS];
	uint32_t rec[4], sum = 0;
	struct timespec ts;
	size_t i;

	memset(h, 0, sizeof(h));
	h[0] = 0x45;
	put16(h + 2, (unsigned)(len + HDRS) & 0xffff);
	put16(h + 4, (unsigned)n & 0xffff);
	h[8] = 64;
	h[9] = 17;
	memcpy(h + 12, &from->sin_addr, 4);
	h[16] = 127;
	h[19] = 1;
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	put16(h + 10, ~sum & 0xffff);
	put16(h + 20, ntohs(from->sin_port));
	put16(h + 22, port);
	put16(h + 24, (unsigned)(len + 8) & 0xffff);
	clock_gettime(CLOCK_REALTIME, &ts);
	rec[0] = (uint32_t)ts.tv_sec;
	rec[1] = (uint32_t)(ts.tv_nsec / 1000);
	rec[2] = rec[3] = (uint32_t)(len + HDRS);
	if (fwrite(rec, sizeof(rec), 1, out) != 1 ||
	    fwrite(h, sizeof(h), 1, out) != 1 ||
	    (len > 0 && fwrite(d, len, 1, out) != 1))
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	static unsigned char d[DGRAM_MAX];
	/* pcap file header: magic, version 2.4, zone, sigfigs, snaplen,
	 * link type 101 (raw IP) */
	const uint32_t magic = 0xa1b2c3d4, fh[4] = { 0, 0, 65535, 101 };
	const uint16_t ver[2] = { 2, 4 };
	struct sockaddr_in sin, from;
	struct sigaction sa;
	struct pollfd pfd;
	socklen_t fl;
	unsigned long n = 0;
	int fd, rcvbuf = 8 << 20;
	unsigned port;
	ssize_t r;
	FILE *out;

	if (argc != 3 || (port = (unsigned)strtoul(argv[1], NULL, 10)) == 0 ||
	    port > 65535) {
		fprintf(stderr, "usage: collect PORT OUT\n");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	if ((out = fopen(argv[2], "wb")) == NULL) {
		fprintf(stderr, "collect: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (fwrite(&magic, sizeof(magic), 1, out) != 1 ||
	    fwrite(ver, sizeof(ver), 1, out) != 1 ||
	    fwrite(fh, sizeof(fh), 1, out) != 1) {
		fprintf(stderr, "collect: %s: %s\n", argv[2], strerror(errno));
		fclose(out);
		return 1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("collect: socket");
		fclose(out);
		return 1;
	}
	printf("listening %u\n", port);
	fflush(stdout);
	pfd.fd = fd;
	pfd.events = POLLIN;
	/* Until SIGTERM: a poll timeout bounds the wait for the flag. */
	for (;;) {
		if (!quit && poll(&pfd, 1, 100) <= 0)
			continue;
		fl = sizeof(from);
		r = recvfrom(fd, d, sizeof(d), quit ? MSG_DONTWAIT : 0,
		    (struct sockaddr *)&from, &fl);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && quit)
			break;
		if (r == -1 || keep(out, d, (size_t)r, &from, port, ++n) == -1) {
			perror("collect");
			fclose(out);
			return 1;
		}
	}
	if (fclose(out) != 0) {
		perror("collect: close");
		return 1;
	}
	printf("datagrams %lu\n", n);
	return 0;
}
