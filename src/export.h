/*
 * UDP export to one or more collectors.  Knows bytes, not flows: every
 * datagram goes to every collector, each over its own connected socket.
 * Send failures are counted, never fatal, and sending is paced so that a
 * collector with default socket buffers keeps up with end-of-file bursts.
 *
 * Datagrams may be queued and sent several at a time (export_batch()):
 * a flood of new flows fills a datagram every ~25 packets, and a system
 * call and a wake-up of the collector per datagram cost more than the
 * probe's own work.  The queue keeps their order; the caller flushes it
 * whenever it is about to wait (export_flush()), so no datagram waits
 * longer than the caller's current burst of work.
 */
#ifndef PF_EXPORT_H
#define PF_EXPORT_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <stddef.h>
#include <stdint.h>

#define EXPORT_MAX_COLLECTORS	8
/* Queued datagrams at most, and the bytes a queue may take (a 9000-byte
 * MTU gets 2 slots, 1400 bytes 16). */
#define EXPORT_BATCH_MAX	16
#define EXPORT_BATCH_BYTES	(24 * 1024)

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
	uint8_t		*q;		/* queue: qmax slots of qslot bytes,
					 * or NULL: each datagram goes at once */
	size_t		qslot;
	unsigned	qmax;
	unsigned	qn;		/* datagrams queued */
	struct iovec	qv[EXPORT_BATCH_MAX];	/* their slots and lengths */
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
/*
 * Bytes export_batch() takes for datagrams of up to mtu bytes (0 if no
 * queue would hold two).
 */
size_t	export_batch_bytes(size_t mtu);
/*
 * Queue datagrams of up to mtu bytes, export_batch_bytes(mtu) taken from
 * mem_alloc() (mem.h) under the name "export batch".  -1 if that fails;
 * without a queue export works as before, a send per datagram.
 */
int	export_batch(struct export *, size_t mtu);
/*
 * Send one datagram to every collector: queued (the buffer is copied) if
 * there is a queue, and the queue sent when full.  0 if every datagram
 * sent by this call reached every collector, -1 otherwise; the stats
 * count each datagram and collector on its own.
 */
int	export_send(struct export *, const void *buf, size_t len);
/* Send what is queued, now; as export_send() otherwise. */
int	export_flush(struct export *);
/* Datagrams queued, not yet sent. */
unsigned export_queued(const struct export *);
/* Flushes, closes the sockets and gives back the queue. */
void	export_close(struct export *);

#endif
