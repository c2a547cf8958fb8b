/*
 * UDP export to one or more collectors.  Knows bytes, not flows: every
 * datagram goes to every collector, each over its own connected socket.
 * Send failures are counted, never fatal, and sending is paced so that a
 * collector with default socket buffers keeps up with end-of-file bursts.
 */
#ifndef PF_EXPORT_H
#define PF_EXPORT_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#define EXPORT_MAX_COLLECTORS	8

struct export_stats {
	uint64_t	datagrams;	/* sent successfully (all collectors) */
	uint64_t	bytes;
	uint64_t	errors;		/* datagrams lost: sends that failed,
					 * any reason, plus refusals reported
					 * for earlier ones */
	uint64_t	refused;	/* ECONNREFUSED: nobody listening (an
					 * earlier datagram was dropped) */
	uint64_t	unreachable;	/* EHOSTUNREACH/ENETUNREACH/ENETDOWN */
	uint64_t	nobufs;		/* ENOBUFS/EAGAIN after a short wait */
};

struct export_collector {
	int		fd;
	int		connected;	/* 0: no route at start, retried */
	struct sockaddr_storage addr;
	socklen_t	addrlen;
	char		name[64];	/* as given, for messages */
};

struct export {
	struct export_collector	col[EXPORT_MAX_COLLECTORS];
	unsigned	ncol;
	uint64_t	interval_ns;	/* 1e9 / pace; 0 = no pacing */
	uint64_t	next_ns;	/* earliest time of the next send */
	struct export_stats st;
	int		last_errno;
};

void	export_init(struct export *, uint32_t pace);
/*
 * Parse "host:port" or "[v6addr]:port", resolve it, create and connect a
 * non-blocking UDP socket.  -1 with a message in err.  1, also with a
 * message, when the collector was added but has no route yet (a router's
 * uplink may come up after the probe): every send first retries the
 * connect, and failures are counted as unreachable.
 */
int	export_add(struct export *, const char *hostport, char *err,
	    size_t errlen);
/* Send one datagram to every collector; 0 if all took it, -1 otherwise. */
int	export_send(struct export *, const void *buf, size_t len);
void	export_close(struct export *);

#endif
