/*
 * Classic pcap and pcapng record parsing over a byte buffer: pure
 * functions, no I/O, every length checked against the bytes given.
 * capture_file.c does the reading; tests feed buffers directly.
 */
#ifndef PF_FILE_FORMAT_H
#define PF_FILE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define FF_HEAD_MAX	64	/* bytes that always show a record's size */
#define FF_KEEP		(64 * 1024)	/* frame bytes handed out at most */
#define FF_MAX_IF	64	/* pcapng interfaces per section */

enum {
	FF_OK = 0,
	FF_NEED = 1,		/* buffer r.head bytes, then call again */
	FF_BAD = -1,		/* corrupt file: message in err */
	FF_UNKNOWN = -2		/* neither pcap nor pcapng */
};

struct ff_if {
	int		dlt;
	uint8_t		pow2;		/* tsresol is 2^-res, else 10^-res */
	uint8_t		res;
	int64_t		offset_s;	/* if_tsoffset */
};

struct ff_state {
	int		ng;		/* 0 classic pcap, 1 pcapng */
	int		le;		/* little-endian file */
	int		swap;		/* file order is not the host's */
	int		nsec;		/* classic: nanosecond time stamps */
	int		header_done;	/* classic: file header consumed */
	int		dlt;		/* classic: the file's link type */
	struct ff_if	ifs[FF_MAX_IF];
	unsigned	nif;
	char		err[128];
};

/* What ff_record() found at the head of the buffer. */
struct ff_rec {
	uint64_t	total;		/* bytes the whole record takes */
	int		packet;		/* a frame (possibly 0 bytes long) */
	size_t		head;		/* with FF_NEED: bytes to buffer */
	size_t		data_off;	/* frame start within the record */
	uint32_t	data_len;	/* frame bytes present (<= FF_KEEP) */
	uint32_t	wirelen;
	uint64_t	ts_us;
	int		dlt;
};

/* Identify the format from the first bytes; FF_OK or FF_UNKNOWN. */
int	ff_open(struct ff_state *, const uint8_t *buf, size_t len);
/*
 * Parse the record at buf (len bytes buffered).  FF_OK: *r describes it
 * and any state it carries (file header, interface) was taken in; the
 * caller then drops r->total bytes.  Packet records change no state, so
 * they can be parsed again.
 */
int	ff_record(struct ff_state *, const uint8_t *buf, size_t len,
	    struct ff_rec *r);
/* Link type of the file (classic) or of its first interface (pcapng),
 * -1 before it is known. */
int	ff_datalink(const struct ff_state *);

#endif
