/* UDP export: one connected socket per collector, paced, errors counted. */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "export.h"

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

/* Token bucket: up to EXPORT_BURST at once, then one per interval. */
static void
pace(struct export *e)
{
	uint64_t now, credit;
	struct timespec ts;

	if (e->interval_ns == 0)
		return;
	now = mono_ns();
	credit = e->interval_ns * EXPORT_BURST;
	if (e->next_ns + credit < now)
		e->next_ns = now - credit;
	if (e->next_ns > now) {
		ts.tv_sec = (time_t)((e->next_ns - now) / 1000000000ULL);
		ts.tv_nsec = (long)((e->next_ns - now) % 1000000000ULL);
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
	}
	e->next_ns += e->interval_ns;
}

static int
wait_writable(int fd)
{
	struct pollfd pfd;

	pfd.fd = fd;
	pfd.events = POLLOUT;
	return poll(&pfd, 1, EXPORT_WAIT_MS) == 1;
}

static int
send_one(struct export *e, struct export_collector *c, const void *buf,
    size_t len)
{
	int tries;

	if (!c->connected && connect(c->fd, (struct sockaddr *)&c->addr,
	    c->addrlen) == -1) {
		e->last_errno = errno;
		e->st.unreachable++;
		return -1;
	}
	c->connected = 1;
	for (tries = 0; tries < 2; tries++) {
		int err;

		if (send(c->fd, buf, len, 0) == (ssize_t)len)
			return 0;
		err = e->last_errno = errno;
		if (err == EINTR)
			continue;
		if (err == ECONNREFUSED) {
			/* An ICMP error left by an earlier datagram, which
			 * is lost; this one was not sent, so it gets one
			 * more try. */
			e->st.refused++;
			e->st.errors++;
			continue;
		}
		if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) {
			if (tries == 0 && wait_writable(c->fd))
				continue;
			e->st.nobufs++;
		} else if (err == EHOSTUNREACH || err == ENETUNREACH ||
		    err == ENETDOWN)
			e->st.unreachable++;
		return -1;
	}
	return -1;
}

int
export_send(struct export *e, const void *buf, size_t len)
{
	unsigned i;
	int rc = 0;

	pace(e);
	for (i = 0; i < e->ncol; i++) {
		if (send_one(e, &e->col[i], buf, len) == 0) {
			e->st.datagrams++;
			e->st.bytes += len;
		} else {
			e->st.errors++;
			rc = -1;
		}
	}
	return rc;
}

void
export_close(struct export *e)
{
	unsigned i;

	for (i = 0; i < e->ncol; i++)
		close(e->col[i].fd);
	e->ncol = 0;
}
