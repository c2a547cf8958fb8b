/*
 * Capture backend contract.  Each backend (platform/capture_*.c) defines its
 * own struct capture and exports one const struct capture_ops.  The Makefile
 * links exactly one live backend as capture_live; capture_file (libpcap's
 * offline reader, pcap and pcapng) is always linked for -r and tests.
 */
#ifndef PF_CAPTURE_H
#define PF_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

/* One captured frame; data stays valid until the next call to next(). */
struct pkt {
	const uint8_t	*data;
	uint32_t	caplen;		/* bytes present in data */
	uint32_t	wirelen;	/* bytes on the wire, >= caplen */
	uint64_t	ts_us;		/* capture time, microseconds since 1970 */
	uint32_t	ifindex;	/* interface seen on, 0 if unknown */
	uint8_t		direction;	/* 0 ingress (received), 1 egress
					 * (sent): NetFlow v9 DIRECTION */
	int		dlt;		/* link type as libpcap reports it for
					 * files (a backend whose OS numbers
					 * differ translates) */
};

struct capture_cfg {
	const char	*source;	/* interface name or file path */
	const char	*filter;	/* BPF expression or NULL */
	unsigned	snaplen;	/* bytes per frame to capture */
	unsigned	app_snaplen;	/* bytes per frame that may carry an
					 * application name (DNS, TLS SNI,
					 * HTTP Host); 0: off.  A backend that
					 * cannot tell such frames in the
					 * kernel captures every frame at the
					 * larger of the two */
	size_t		buffer_bytes;	/* kernel ring/buffer size, 0 = default */
	unsigned	max_wait_ms;	/* longest a frame may wait in the
					 * kernel before it is handed over;
					 * 0: the backend's default */
	int		promisc;
	uint32_t	kernel_sample;	/* keep 1 frame in N at random before
					 * it is copied (only backends with
					 * CAPTURE_CAN_SAMPLE); 0, 1: all */
};

struct capture_stats {
	uint64_t	received;	/* frames seen by the kernel/backend */
	uint64_t	dropped;	/* frames the kernel dropped */
};

struct capture;

#define CAPTURE_EOF	(-2)
/* The interface went away; reattach() may bring the capture back. */
#define CAPTURE_GONE	(-3)

/* capture_ops.caps */
#define CAPTURE_CAN_SAMPLE	0x01	/* honours capture_cfg.kernel_sample */

struct capture_ops {
	const char	*name;
	unsigned	caps;		/* CAPTURE_CAN_* */
	/* NULL on failure, with a message in err. */
	struct capture	*(*open)(const struct capture_cfg *, char *err,
			    size_t errlen);
	/* A descriptor to poll for input, or -1 when next() never blocks. */
	int		(*fd)(struct capture *);
	/* libpcap DLT_* value of the frames this capture delivers. */
	int		(*datalink)(struct capture *);
	/*
	 * Optional (NULL: datalink() is the only one): the distinct link
	 * types of a capture whose frames come in several, a pcapng file's
	 * interfaces declared before its first packet, at most max into
	 * dlts; returns how many.
	 */
	unsigned	(*datalinks)(struct capture *, int *dlts, unsigned max);
	/* 1: *p holds a frame; 0: nothing ready now; CAPTURE_EOF;
	 * CAPTURE_GONE; -1: error (message via error()). */
	int		(*next)(struct capture *, struct pkt *p);
	const char	*(*error)(struct capture *);
	/* Totals since open.  -1 if they cannot be read; a live backend also
	 * returns -1 (message via error()) once its capture can never
	 * deliver again, or CAPTURE_GONE when its interface was removed: the
	 * probe polls this every second. */
	int		(*stats)(struct capture *, struct capture_stats *);
	/*
	 * Optional (NULL: the backend cannot): after CAPTURE_GONE, bind the
	 * same capture (ring, filter, counters) to the interface now called
	 * name, which has a new index.  Needs no privileges the socket does
	 * not already have, so it works after -u.  0, or -1 with a message in
	 * err (the capture stays detached and may be tried again).
	 */
	int		(*reattach)(struct capture *, const char *name,
			    char *err, size_t errlen);
	void		(*close)(struct capture *);
};

extern const struct capture_ops capture_live;
/* -r: pcap and pcapng parsed in place; other formats via libpcap. */
extern const struct capture_ops capture_file;
/* -r with --libpcap-reader: libpcap's own offline reader. */
extern const struct capture_ops capture_libpcap_file;

#endif
