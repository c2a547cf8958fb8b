/*
 * pktsend: replays the frames of classic pcap files (Ethernet) out of one
 * interface through an AF_PACKET socket, as tcpreplay would; built for the
 * target and run inside the VMs of "make vm-check" (tests/vm/), where no
 * tcpreplay exists.
 *
 *   pktsend [-l LOOPS] [-p PPS] IFACE FILE...
 *
 * Each frame goes out as captured (its first caplen bytes), in file order;
 * -l replays the whole list LOOPS times, -p paces to PPS frames a second at
 * most (in bursts of 32: the VM's timer is coarse).  ENOBUFS waits 1 ms and
 * sends again, so no frame is lost on the way out.  Prints "sent N frames
 * B bytes" at the end; exit 1 on any error.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SNAP_MAX	65536
#define BURST		32

struct sender {
	int			 fd;
	struct sockaddr_ll	 to;
	long			 pps;		/* 0: as fast as it goes */
	unsigned long		 frames;
	unsigned long long	 bytes;
	struct timespec		 t0;
};

static uint32_t
rd32(const unsigned char *p, int swap)
{
	if (swap)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

static double
elapsed(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Every BURST frames, sleep until the pace allows the next burst. */
static void
pace(struct sender *s)
{
	double ahead;
	struct timespec ts;

	if (s->pps == 0 || s->frames % BURST != 0)
		return;
	ahead = (double)s->frames / (double)s->pps - elapsed(&s->t0);
	if (ahead <= 0)
		return;
	ts.tv_sec = (time_t)ahead;
	ts.tv_nsec = (long)((ahead - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

static int
send_frame(struct sender *s, const unsigned char *f, size_t len)
{
	const struct timespec ms = { 0, 1000000 };

	while (sendto(s->fd, f, len, 0, (const struct sockaddr *)&s->to,
	    sizeof(s->to)) == -1) {
		if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
			fprintf(stderr, "pktsend: frame %lu (%zu bytes): %s\n",
			    s->frames + 1, len, strerror(errno));
			return -1;
		}
		nanosleep(&ms, NULL);
	}
	s->frames++;
	s->bytes += len;
	pace(s);
	return 0;
}

/* One classic pcap file (either byte order, us or ns stamps). */
static int
replay(struct sender *s, const char *path, unsigned char *buf)
{
	unsigned char gh[24], ph[16];
	uint32_t magic;
	int swap, rc = 0;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "pktsend: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fread(gh, sizeof(gh), 1, fp) != 1) {
		fprintf(stderr, "pktsend: %s: no pcap header\n", path);
		fclose(fp);
		return -1;
	}
	magic = rd32(gh, 0);
	swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
	if (!swap && magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
		fprintf(stderr, "pktsend: %s: not a classic pcap file\n", path);
		fclose(fp);
		return -1;
	}
	if (rd32(gh + 20, swap) != 1) {
		fprintf(stderr, "pktsend: %s: link type %u, not Ethernet\n",
		    path, (unsigned)rd32(gh + 20, swap));
		fclose(fp);
		return -1;
	}
	while (rc == 0 && fread(ph, sizeof(ph), 1, fp) == 1) {
		uint32_t caplen = rd32(ph + 8, swap);

		if (caplen > SNAP_MAX || fread(buf, caplen, 1, fp) != 1) {
			fprintf(stderr, "pktsend: %s: truncated record\n", path);
			rc = -1;
		} else
			rc = send_frame(s, buf, caplen);
	}
	fclose(fp);
	return rc;
}

int
main(int argc, char **argv)
{
	static unsigned char buf[SNAP_MAX];
	struct sender s;
	long loops = 1, l;
	int c, i;

	memset(&s, 0, sizeof(s));
	while ((c = getopt(argc, argv, "l:p:")) != -1) {
		switch (c) {
		case 'l':
			loops = strtol(optarg, NULL, 10);
			break;
		case 'p':
			s.pps = strtol(optarg, NULL, 10);
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind < 2 || loops < 1 || s.pps < 0)
		goto usage;
	s.to.sll_family = AF_PACKET;
	s.to.sll_halen = 6;
	if ((s.to.sll_ifindex = (int)if_nametoindex(argv[optind])) == 0) {
		fprintf(stderr, "pktsend: %s: %s\n", argv[optind],
		    strerror(errno));
		return 1;
	}
	if ((s.fd = socket(AF_PACKET, SOCK_RAW, 0)) == -1) {
		perror("pktsend: socket");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &s.t0);
	for (l = 0; l < loops; l++)
		for (i = optind + 1; i < argc; i++)
			if (replay(&s, argv[i], buf) == -1)
				return 1;
	printf("sent %lu frames %llu bytes in %.2f s\n", s.frames, s.bytes,
	    elapsed(&s.t0));
	return 0;
usage:
	fprintf(stderr, "usage: pktsend [-l LOOPS] [-p PPS] IFACE FILE...\n");
	return 1;
}
