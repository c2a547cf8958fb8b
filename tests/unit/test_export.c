/* UDP export: collectors parsed and resolved, datagrams arrive, errors
 * (nobody listening) are counted, not fatal; with a queue, datagrams wait
 * for a flush or a full queue, leave in order to every collector, and
 * are paced and counted each on its own. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "export.h"
#include "mem.h"
#include "tap.h"
#include "udp_recv.h"

static int
listener(int family, unsigned *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd = socket(family, SOCK_DGRAM, 0);

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_addr.s_addr =
		    htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	if (fd == -1 || bind(fd, (struct sockaddr *)&ss, family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	*port = ntohs(family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

/* Datagram i of a test: its own length and bytes. */
static size_t
dgram(unsigned i, unsigned char *buf)
{
	size_t len = 20 + i % 7 * 30;

	memset(buf, (int)i, len);
	return len;
}

/* The next n datagrams on fd are from..from+n-1, whole and in order;
 * nothing else is waiting (or more may come if more is set). */
static int
got_run(int fd, unsigned from, unsigned n, int more)
{
	unsigned char want[256], buf[256];
	struct pollfd p = { fd, POLLIN, 0 };
	unsigned i;

	for (i = from; i < from + n; i++) {
		size_t len = dgram(i, want);

		if (receive(fd, (char *)buf, sizeof(buf)) != (ssize_t)len ||
		    memcmp(buf, want, len) != 0)
			return 0;
	}
	return more || poll(&p, 1, 0) == 0;
}

static uint64_t
bytes_of(unsigned from, unsigned n)
{
	unsigned char buf[256];
	uint64_t sum = 0;
	unsigned i;

	for (i = from; i < from + n; i++)
		sum += dgram(i, buf);
	return sum;
}

static void
send_n(struct export *e, unsigned from, unsigned n)
{
	unsigned char buf[256];
	unsigned i;

	for (i = from; i < from + n; i++)
		export_send(e, buf, dgram(i, buf));
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
batches(void)
{
	struct export e;
	char spec[64], err[256];
	unsigned pa, pb, dead;
	int fa, fb, fd;
	uint64_t t0;

	is_int(export_batch_bytes(1400), 16 * 1400, "1400-byte MTU: 16 "
	    "datagrams queued");
	is_int(export_batch_bytes(9000), 2 * 9000, "9000: 2");
	is_int(export_batch_bytes(EXPORT_BATCH_BYTES / 2 + 1), 0,
	    "no queue when two would not fit");

	/* Memory comes from the budget and goes back at close. */
	mem_init(1000);
	export_init(&e, 0);
	is_int(export_batch(&e, 1400), -1, "queue refused over -M");
	is_int(mem_used(), 0, "nothing taken");
	mem_init(MEM_UNLIMITED);
	is_int(export_batch(&e, 256), 0, "queue of 256-byte datagrams");
	is_int(mem_used(), export_batch_bytes(256), "counted: %zu bytes",
	    mem_used());
	export_close(&e);
	is_int(mem_used(), 0, "given back at close");

	/* Two collectors: each gets every datagram, in order. */
	export_init(&e, 0);
	fa = listener(AF_INET, &pa);
	fb = listener(AF_INET, &pb);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pa);
	export_add(&e, spec, err, sizeof(err));
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pb);
	export_add(&e, spec, err, sizeof(err));
	is_int(export_batch(&e, 256), 0, "queue");
	send_n(&e, 0, 5);
	is_int(export_queued(&e), 5, "5 queued");
	ok(got_run(fa, 0, 0, 0) && got_run(fb, 0, 0, 0),
	    "none sent before the flush");
	is_int(export_flush(&e), 0, "flush");
	is_int(export_queued(&e), 0, "queue empty");
	ok(got_run(fa, 0, 5, 0), "collector A got 0-4");
	ok(got_run(fb, 0, 5, 0), "collector B got 0-4");
	is_int(e.st.datagrams, 10, "counted per datagram and collector");
	send_n(&e, 5, 40);
	is_int(export_queued(&e), 40 % EXPORT_BATCH_MAX, "a full queue "
	    "goes by itself; %u left", 40 % EXPORT_BATCH_MAX);
	ok(got_run(fa, 5, 40 / EXPORT_BATCH_MAX * EXPORT_BATCH_MAX, 0),
	    "A got the full batches");
	export_close(&e);
	ok(got_run(fa, 5 + 32, 8, 0) && got_run(fb, 5, 40, 0),
	    "close sends the rest; B got all 40 in order");
	is_int(e.st.datagrams, 90, "90 datagrams counted");
	is_int(e.st.bytes, 2 * bytes_of(0, 45), "and their bytes");
	close(fa);
	close(fb);

	/* A dead collector beside a live one: the live one misses nothing;
	 * each refusal is counted once, as without a queue. */
	export_init(&e, 0);
	fa = listener(AF_INET, &pa);
	fd = listener(AF_INET, &dead);
	close(fd);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", dead);
	export_add(&e, spec, err, sizeof(err));
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pa);
	export_add(&e, spec, err, sizeof(err));
	export_batch(&e, 256);
	send_n(&e, 0, 48);
	export_flush(&e);
	ok(got_run(fa, 0, 48, 0), "live collector got all 48 in order");
	ok(e.st.refused >= 40, "dead one: refusals counted (%llu of 47)",
	    (unsigned long long)e.st.refused);
	is_int(e.st.errors, e.st.refused, "each is one error");
	is_int(e.st.datagrams, 96, "every datagram went (the refusals "
	    "were for earlier ones)");
	export_close(&e);
	close(fa);

	/* Pacing holds per datagram: 1000/s after a burst of 32. */
	export_init(&e, 1000);
	fa = listener(AF_INET, &pa);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", pa);
	export_add(&e, spec, err, sizeof(err));
	export_batch(&e, 256);
	t0 = now_us();
	send_n(&e, 0, 43);
	export_flush(&e);
	t0 = now_us() - t0;
	ok(t0 >= 9000 && t0 < 500000, "43 datagrams paced: %llu us "
	    "(10 after the burst, 1 ms apart)", (unsigned long long)t0);
	ok(got_run(fa, 0, 43, 0), "all 43 arrived in order");
	export_close(&e);
	close(fa);
}

int
main(void)
{
	struct export e;
	char spec[64], err[256], buf[64];
	unsigned port4, port6, dead;
	int fd4, fd6, fdd;

	export_init(&e, 0);
	fd4 = listener(AF_INET, &port4);
	fd6 = listener(AF_INET6, &port6);
	ok(fd4 != -1, "IPv4 listener");
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", port4);
	is_int(export_add(&e, spec, err, sizeof(err)), 0, "add %s", spec);
	if (fd6 != -1) {
		snprintf(spec, sizeof(spec), "[::1]:%u", port6);
		is_int(export_add(&e, spec, err, sizeof(err)), 0, "add %s",
		    spec);
	} else
		diag("no IPv6 loopback here; skipping the IPv6 collector");
	is_int(export_add(&e, "nohost", err, sizeof(err)), -1,
	    "no port rejected");
	ok(strstr(err, "nohost") != NULL, "message names the value: %s", err);
	is_int(export_add(&e, "[::1:2055", err, sizeof(err)), -1,
	    "broken IPv6 form rejected");
	is_int(export_send(&e, "hello", 5), 0, "send to all collectors");
	is_int(receive(fd4, buf, sizeof(buf)), 5, "IPv4 collector got it");
	ok(memcmp(buf, "hello", 5) == 0, "same bytes");
	if (fd6 != -1)
		is_int(receive(fd6, buf, sizeof(buf)), 5, "IPv6 got it too");
	is_int(e.st.datagrams, fd6 != -1 ? 2 : 1, "counted per collector");
	export_close(&e);

	/* A collector nobody listens on: ICMP port unreachable comes back as
	 * ECONNREFUSED on a later send; counted, never fatal. */
	export_init(&e, 1000);
	fdd = listener(AF_INET, &dead);
	close(fdd);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", dead);
	is_int(export_add(&e, spec, err, sizeof(err)), 0, "add dead %s", spec);
	export_send(&e, "x", 1);
	usleep(10000);
	export_send(&e, "y", 1);
	ok(e.st.refused >= 1, "refusals counted (%llu)",
	    (unsigned long long)e.st.refused);
	export_close(&e);
	close(fd4);
	if (fd6 != -1)
		close(fd6);
	batches();
	return done();
}
