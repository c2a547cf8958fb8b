/* UDP export: collectors parsed and resolved, datagrams arrive, errors
 * (nobody listening) are counted, not fatal. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "export.h"
#include "tap.h"

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

static ssize_t
receive(int fd, char *buf, size_t len)
{
	struct pollfd p = { fd, POLLIN, 0 };

	if (poll(&p, 1, 1000) != 1)
		return -1;
	return recv(fd, buf, len, 0);
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
	return done();
}
