/* UDP export: one connected socket per collector, paced, errors counted. */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "export.h"
#include "mem.h"
#include "sendbatch.h"

/*
 * Datagrams that may leave back to back before pacing applies.  Small
 * enough that a collector with default socket buffers (about 200 KiB)
 * never sees more than it can hold at once.
 */
#define EXPORT_BURST	32
#define EXPORT_WAIT_MS	10	/* how long a full socket buffer may block */

void
export_init(struct export *e, uint32_t pace)
{
	memset(e, 0, sizeof(*e));
	e->interval_ns = pace ? 1000000000ULL / pace : 0;
}

static int
split_hostport(const char *s, char *host, size_t hostlen, const char **port)
{
	const char *end, *colon;
	size_t n;

	if (s[0] == '[') {
		end = strchr(s, ']');
		if (end == NULL || end[1] != ':')
			return -1;
		s++;
		colon = end + 1;
		n = (size_t)(end - s);
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return -1;
		n = (size_t)(colon - s);
	}
	if (n == 0 || n >= hostlen)
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	*port = colon + 1;
	return 0;
}

/* Errors that a route appearing later can cure. */
static int
no_route(int err)
{
	return err == ENETUNREACH || err == EHOSTUNREACH || err == ENETDOWN;
}

/* Socket for c, connected unless there is no route yet (c->connected). */
static int
open_socket(struct export_collector *c, const struct addrinfo *ai)
{
	int fd, fl, err;

	fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	if (fd == -1)
		return -1;
	fl = fcntl(fd, F_GETFL);
	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		goto fail;
	c->connected = connect(fd, ai->ai_addr, ai->ai_addrlen) == 0;
	if (!c->connected && !no_route(errno))
		goto fail;
	if (ai->ai_addrlen > sizeof(c->addr)) {
		errno = EAFNOSUPPORT;
		goto fail;
	}
	memcpy(&c->addr, ai->ai_addr, ai->ai_addrlen);
	c->addrlen = ai->ai_addrlen;
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

int
export_add(struct export *e, const char *hostport, char *err, size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	struct export_collector *c;
	const char *port;
	char host[256];
	int rc, saved, fd = -1;

	if (e->ncol == EXPORT_MAX_COLLECTORS) {
		snprintf(err, errlen, "%s: too many collectors (at most %d)",
		    hostport, EXPORT_MAX_COLLECTORS);
		return -1;
	}
	if (split_hostport(hostport, host, sizeof(host), &port) == -1) {
		snprintf(err, errlen, "%s: expected host:port or "
		    "[IPv6-address]:port", hostport);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s: %s", hostport, gai_strerror(rc));
		return -1;
	}
	c = &e->col[e->ncol];
	memset(c, 0, sizeof(*c));
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next)
		fd = open_socket(c, ai);
	saved = errno;
	freeaddrinfo(res);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", hostport, strerror(saved));
		return -1;
	}
	e->ncol++;
	c->fd = fd;
	snprintf(c->name, sizeof(c->name), "%s", hostport);
	if (c->connected)
		return 0;
	snprintf(err, errlen, "%s: %s for now; sends will be retried and "
	    "failures counted", hostport, strerror(saved));
	return 1;
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * Token bucket: up to EXPORT_BURST at once, then one per interval.  Of
 * want datagrams, how many may leave now; sleeps until one may.
 */
static unsigned
pace(struct export *e, unsigned want)
{
	uint64_t now, credit, due;
	struct timespec ts;

	if (e->interval_ns == 0)
		return want;
	now = mono_ns();
	credit = e->interval_ns * EXPORT_BURST;
	if (e->next_ns + credit < now)
		e->next_ns = now - credit;
	if (e->next_ns > now) {
		ts.tv_sec = (time_t)((e->next_ns - now) / 1000000000ULL);
		ts.tv_nsec = (long)((e->next_ns - now) % 1000000000ULL);
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
		now = e->next_ns;
	}
	/* Datagram i of these is due at next_ns + i * interval. */
	due = 1 + (now - e->next_ns) / e->interval_ns;
	if (due < want)
		want = (unsigned)due;
	e->next_ns += want * e->interval_ns;
	return want;
}

/* What poll says of fd within ms (POLLOUT: writable), or 0. */
static int
wait_writable(int fd, int ms)
{
	struct pollfd pfd;

	pfd.fd = fd;
	pfd.events = POLLOUT;
	pfd.revents = 0;
	return poll(&pfd, 1, ms) == 1 ? pfd.revents : 0;
}

/*
 * A datagram's try failed with err: count it as the cause deserves, and
 * say whether to try it again (tries: its failed tries before this one;
 * every datagram gets two).
 */
static int
try_again(struct export *e, int fd, int err, int tries)
{
	e->last_errno = err;
	if (err == EINTR)
		return 1;
	if (err == ECONNREFUSED) {
		/* An ICMP error left by an earlier datagram, which is lost;
		 * this one was not sent, so it gets one more try. */
		e->st.refused++;
		e->st.errors++;
		return 1;
	}
	if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) {
		if (tries == 0 && wait_writable(fd, EXPORT_WAIT_MS) != 0)
			return 1;
		e->st.nobufs++;
	} else if (no_route(err))
		e->st.unreachable++;
	return 0;
}

/*
 * dg[0..n) to one collector, in order, each datagram counted on its own.
 * A failure that sendmmsg(2) did not name (sendbatch.h) is a full send
 * buffer if the socket is not writable; otherwise it was a pending error,
 * which on a connected UDP socket is an ICMP error for an earlier datagram
 * (nearly always "port unreachable"), so it counts as a refusal.
 */
static int
send_col(struct export *e, struct export_collector *c, struct iovec *dg,
    size_t n)
{
	size_t i = 0, k;
	int tries = 0, rc = 0, err;

	while (i < n) {
		if (!c->connected && connect(c->fd,
		    (struct sockaddr *)&c->addr, c->addrlen) == -1) {
			e->last_errno = errno;
			e->st.unreachable++;
			e->st.errors++;
			rc = -1;
			i++;
			continue;
		}
		c->connected = 1;
		err = 0;
		k = sendbatch(c->fd, dg + i, n - i, &err);
		if (k != 0)
			tries = 0;
		for (; k != 0; k--, i++) {
			e->st.datagrams++;
			e->st.bytes += dg[i].iov_len;
		}
		if (i == n)
			break;
		if (err == 0)
			err = (wait_writable(c->fd, 0) & POLLOUT) != 0 ?
			    ECONNREFUSED : EAGAIN;
		if (try_again(e, c->fd, err, tries) && ++tries < 2)
			continue;
		e->st.errors++;
		rc = -1;
		tries = 0;
		i++;
	}
	return rc;
}

/* dg[0..n) to every collector, paced per datagram. */
static int
send_all(struct export *e, struct iovec *dg, unsigned n)
{
	unsigned done = 0, i;
	int rc = 0;

	while (done < n) {
		unsigned k = pace(e, n - done);

		for (i = 0; i < e->ncol; i++)
			if (send_col(e, &e->col[i], dg + done, k) == -1)
				rc = -1;
		done += k;
	}
	return rc;
}

size_t
export_batch_bytes(size_t mtu)
{
	size_t n;

	if (mtu == 0)
		return 0;
	n = EXPORT_BATCH_BYTES / mtu;
	if (n > EXPORT_BATCH_MAX)
		n = EXPORT_BATCH_MAX;
	return n >= 2 ? n * mtu : 0;
}

int
export_batch(struct export *e, size_t mtu)
{
	size_t bytes = export_batch_bytes(mtu);

	if (bytes == 0)
		return 0;
	if ((e->q = mem_alloc(bytes, "export batch")) == NULL)
		return -1;
	e->qslot = mtu;
	e->qmax = (unsigned)(bytes / mtu);
	return 0;
}

int
export_flush(struct export *e)
{
	unsigned n = e->qn;

	e->qn = 0;
	return n == 0 ? 0 : send_all(e, e->qv, n);
}

int
export_send(struct export *e, const void *buf, size_t len)
{
	struct iovec v;

	if (e->q == NULL || len > e->qslot) {
		/* No queue (or an oversized datagram): send at once, in
		 * order after anything queued. */
		int rc = export_flush(e);

		v.iov_base = (void *)(uintptr_t)buf;
		v.iov_len = len;
		if (send_all(e, &v, 1) == -1)
			rc = -1;
		return rc;
	}
	v.iov_base = e->q + e->qn * e->qslot;
	v.iov_len = len;
	memcpy(v.iov_base, buf, len);
	e->qv[e->qn++] = v;
	return e->qn == e->qmax ? export_flush(e) : 0;
}

unsigned
export_queued(const struct export *e)
{
	return e->qn;
}

void
export_close(struct export *e)
{
	unsigned i;

	export_flush(e);
	for (i = 0; i < e->ncol; i++)
		close(e->col[i].fd);
	e->ncol = 0;
	mem_free(e->q);
	e->q = NULL;
	e->qmax = 0;
}
