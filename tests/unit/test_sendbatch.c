/*
 * sendbatch(): datagrams leave in order and whole, a call takes at most
 * SENDBATCH_MAX, and a failure stops the call with the count of those
 * that went.  Runs the implementation this platform builds (sendmmsg on
 * Linux) and, compiled in here under another name, the send() one that
 * other systems build, both over real UDP sockets on 127.0.0.1.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sendbatch.h"
#include "tap.h"
#include "udp_recv.h"

/* The portable implementation, renamed so that both can be tested. */
size_t		 sendbatch_each(int, struct iovec *, size_t, int *);
const char	*sendbatch_each_name(void);
#define sendbatch	sendbatch_each
#define sendbatch_name	sendbatch_each_name
#include "sendbatch_send.c"
#undef sendbatch
#undef sendbatch_name

typedef size_t (*send_fn)(int, struct iovec *, size_t, int *);

#define NDG	40

static int
bound(struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || bind(fd, (struct sockaddr *)a, sizeof(*a)) == -1 ||
	    getsockname(fd, (struct sockaddr *)a, &len) == -1)
		return -1;
	return fd;
}

static int
connected_to(const struct sockaddr_in *a)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd == -1 || fcntl(fd, F_SETFL, O_NONBLOCK) == -1 ||
	    connect(fd, (const struct sockaddr *)a, sizeof(*a)) == -1)
		return -1;
	return fd;
}

static void
run(const char *name, send_fn fn)
{
	static uint8_t data[NDG][300];
	struct iovec dg[NDG];
	struct sockaddr_in a;
	uint8_t got[400];
	size_t i, sent = 0, calls = 0, k;
	int rx, tx, err, inorder = 1, refused = 0;

	rx = bound(&a);
	tx = connected_to(&a);
	ok(rx != -1 && tx != -1, "%s: socket pair on 127.0.0.1", name);
	for (i = 0; i < NDG; i++) {
		memset(data[i], (int)i, sizeof(data[i]));
		dg[i].iov_base = data[i];
		dg[i].iov_len = 100 + i * 5;	/* every length differs */
	}
	while (sent < NDG && calls < NDG) {
		err = -1;
		k = fn(tx, dg + sent, NDG - sent, &err);
		ok(k <= SENDBATCH_MAX, "%s: call %zu sent %zu, at most %d",
		    name, calls, k, SENDBATCH_MAX);
		if (k < NDG - sent && k < SENDBATCH_MAX)
			diag("%s: short count %zu, err %d", name, k, err);
		sent += k;
		calls++;
	}
	is_int(sent, NDG, "%s: all %d sent", name, NDG);
	is_int(calls, (NDG + SENDBATCH_MAX - 1) / SENDBATCH_MAX,
	    "%s: in %zu calls of at most %d", name, calls, SENDBATCH_MAX);
	for (i = 0; i < NDG; i++) {
		ssize_t n = receive(rx, got, sizeof(got));

		if (n != (ssize_t)dg[i].iov_len || memcmp(got, data[i],
		    (size_t)n) != 0)
			inorder = 0;
	}
	ok(inorder, "%s: received whole and in order", name);
	is_int(fn(tx, dg, 0, &err), 0, "%s: nothing to send, none sent",
	    name);
	close(tx);

	/*
	 * Nobody listening: on loopback the refusal of one datagram is
	 * pending when the next is sent, so that one fails and the call
	 * stops short.  send() names the error; sendmmsg() names it only
	 * when nothing went (sendbatch.h).
	 */
	close(rx);
	tx = connected_to(&a);
	for (i = 0; i < 8; i++) {
		err = -1;
		k = fn(tx, dg, 8, &err);
		ok(k < 8, "%s: dead port, try %zu: stopped after %zu", name,
		    i, k);
		ok(err == ECONNREFUSED || (err == 0 && k > 0),
		    "%s: ... err %d (%s)", name, err, err > 0 ?
		    strerror(err) : "not named");
		refused += err == ECONNREFUSED;
	}
	if (fn == sendbatch_each)
		ok(refused >= 7, "%s: refusals named (%d of 8)", name,
		    refused);
	close(tx);
}

int
main(void)
{
	diag("this platform sends with %s", sendbatch_name());
	run(sendbatch_name(), sendbatch);
	run("send", sendbatch_each);
	is_int(strcmp(sendbatch_each_name(), "send"), 0, "names itself");
	return done();
}
