/*
 * Export encoder: NetFlow v9 (RFC 3954), IPFIX (RFC 7011) and NetFlow v5,
 * one engine driven by the field tables of nf9_fields.h.  Turns flow
 * records into export packets in a caller-supplied buffer; knows records
 * and bytes, never sockets.  Deterministic: the same records, times and
 * config give the same bytes.
 */
#ifndef PF_NF9_H
#define PF_NF9_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "iftable.h"

/*
 * With app_fields or proc_fields the smallest MTU is larger: the
 * templates are twice as many and a record may carry a name of
 * APPNAME_MAX bytes and two owners.  nf9_init() checks it;
 * NF9_MTU_MIN_APP covers every format.
 */
#define NF9_MTU_MIN_APP	1100

/*
 * The smallest MTU that still takes the header, all templates, the options
 * data record and one IPv6 data FlowSet in one packet (20 + 132 + 24 + 16 +
 * 72), so nf9_add() never fails on an empty packet.  nf9_init() re-checks
 * it against the field tables: IPFIX, with its 8-byte times, needs
 * NF9_MTU_MIN_IPFIX (16 + 132 + 24 + 16 + 80).
 */
#define NF9_MTU_MIN	264
#define NF9_MTU_MAX	9000
#define NF9_MTU_DEFAULT	1400
#define NF9_MTU_MIN_IPFIX 268
/* What nat_fields adds to those minimums: 4 more template fields. */
#define NF9_MTU_NAT_EXTRA 16
/* NetFlow v5: 30 records of 48 bytes after the 24-byte header at most. */
#define NF5_RECORDS_MAX	30
#define NF5_MTU		(24 + 48 * NF5_RECORDS_MAX)
/* The v5 header gives the sampling interval 14 bits. */
#define NF5_SAMPLING_MAX 16383

/* Export formats: the -v values. */
#define NF9_FMT_V5	5
#define NF9_FMT_V9	9
#define NF9_FMT_IPFIX	10

/* One field of a record layout: type (IPFIX: Information Element), bytes. */
struct nf9_field {
	uint16_t	type;
	uint16_t	len;		/* bytes on the wire */
};

#define NF9_FIELDS_MAX	40	/* fields a layout may have */

/*
 * One copy of a data record's encoding (nf9.c): len bytes from offset off
 * of the record's value image, or len zero bytes if off is NF9_RUN_ZERO.
 */
struct nf9_run {
	uint8_t		off;
	uint16_t	len;
};

#define NF9_RUN_ZERO	0xff

/* A record layout as sent: the table with the format's substitutions. */
struct nf9_layout {
	struct nf9_field f[NF9_FIELDS_MAX];
	uint16_t	n;
	uint16_t	len;		/* bytes a record (variable-length
					 * fields: empty, their length byte) */
	uint16_t	nbase;		/* fields from the value image; the
					 * rest are nf9_app.c's */
	uint16_t	names_max;	/* the most bytes names add to len
					 * (nf9_app.c's layouts) */
	/* Data layouts: the record as copies, and what its fields hold. */
	uint8_t		nrun;
	uint8_t		img_len;	/* image bytes the copies read */
	struct nf9_run	run[2 * NF9_FIELDS_MAX];
	uint64_t	pkts_max;	/* larger counts are refused */
	uint64_t	bytes_max;
	uint32_t	in_max;		/* larger interface indexes go as 0 */
	uint32_t	out_max;
};

struct nf9_cfg {
	unsigned	version;	/* NF9_FMT_*; 0 means v9 */
	uint32_t	source_id;	/* v9 Source ID, IPFIX Observation
					 * Domain, v5 engine type << 8 | id */
	uint16_t	mtu;		/* max datagram payload bytes */
	uint32_t	tmpl_every_pkts; /* re-send templates every N packets */
	uint32_t	tmpl_every_ms;	/* ... or after this much time */
	uint32_t	sampling_interval; /* field 34; 1 = not sampled */
	uint8_t		sampling_algorithm; /* field 35: 1 determ., 2 random */
	int		nat_fields;	/* IPv4 records end with 225-228 */
	int		app_fields;	/* --app-info: records with flow_app
					 * facts get templates of their own */
	int		proc_fields;	/* --process: ... with the owners */
};

struct nf9_fmt;			/* per-format constants, in nf9.c */

/*
 * One data FlowSet being staged: encoded records only; nf9_finish() adds
 * the FlowSet header and padding when it assembles the packet.
 */
struct nf9_set {
	uint8_t		*rec;		/* staging area in the caller's buf */
	uint16_t	cap;		/* its size in bytes */
	uint16_t	len;		/* record bytes staged */
	uint16_t	nrec;
	uint16_t	tmpl_id;
};

/*
 * Encoder state; treat the members as private.  Times given to it are
 * probe-clock milliseconds (the same scale as flow_rec first_ms/last_ms).
 * boot_ms is the probe-clock time that sysUptime 0 stands for;
 * wall_offset_ms converts probe time to Unix time (0 in replay, where
 * packet time is already Unix time).
 */
struct nf9 {
	struct nf9_cfg	cfg;
	const struct nf9_fmt *fmt;
	struct nf9_layout lay[4];	/* data records: IPv4, IPv6, and
					 * both with application facts */
	struct nf9_layout scope, opt;	/* options template */
	struct nf9_layout ifscope, ifopt; /* interface names template */
	uint64_t	boot_ms;
	int64_t		wall_offset_ms;
	uint64_t	rebase_ms;	/* boot_ms from the next packet on */
	int64_t		rebase_offset_ms; /* wall_offset_ms from then on */
	int		rebase_pending;
	int		if_wide;	/* 4-byte interface fields (else 2) */
	int		widen_pending;	/* ... from the next packet on */
	uint32_t	seq;		/* next header sequence number: v9
					 * packets, IPFIX data records, v5
					 * flows sent before this packet */
	uint32_t	pkts_since_tmpl; /* sent since last templates, incl. */
	uint64_t	tmpl_sent_ms;	/* now_ms of that packet */
	int		tmpl_ever_sent;
	int		tmpl_force;
	int		tmpl_in_pkt;	/* the packet being built has them */
	uint16_t	tmpl_bytes;	/* template + options FlowSets */
	uint16_t	tmpl_records;	/* records in them, for the Count */
	uint16_t	opt_id;		/* options template ID */
	uint16_t	ifopt_id;	/* interface names template ID */
	uint32_t	tmpl_sends;	/* packets that carried templates */
	uint8_t		*out;		/* the assembled packet, mtu bytes */
	struct nf9_set	set[4];		/* as lay (v5: IPv4 only) */
	uint16_t	max_recs;	/* data records a packet, 0: MTU */
	size_t		used;		/* bytes the packet would take now */
	uint64_t	last_ms;	/* latest record end staged */
};

/* Bytes of buffer nf9_init() needs for this MTU (5 * mtu). */
size_t	nf9_buf_bytes(uint16_t mtu);
/*
 * buf must hold nf9_buf_bytes(cfg->mtu) bytes and outlive the encoder.
 * Returns -1 (errno EINVAL) if the MTU is outside NF9_MTU_MIN..NF9_MTU_MAX
 * or too small for the format's templates, the buffer is too small, the
 * version is unknown, or (v5) the sampling interval is over
 * NF5_SAMPLING_MAX or the source ID over 65535.  The first packet carries
 * the templates (v5 has none).
 */
int	nf9_init(struct nf9 *, const struct nf9_cfg *, uint8_t *buf,
	    size_t bufsz, uint64_t boot_ms, int64_t wall_offset_ms);
/*
 * Stage one record for the packet being built.  Returns 1 when staged, 0
 * when it does not fit (call nf9_finish(), send, then nf9_add() again; this
 * never happens on an empty packet), -1 for a record that no packet of
 * this format can carry as it is: key.ipver neither 4 nor 6, in v5 every
 * IPv6 flow, and a count over 32 bits (see nf9_parts()).  A record
 * ending after now_ms moves the packet's export time forward, so
 * LAST_SWITCHED <= sysUptime holds.
 */
int	nf9_add(struct nf9 *, const struct flow_rec *, uint64_t now_ms);
/*
 * The records it takes to send r whole: 1 when nf9_add() takes it as it
 * is; more when a count exceeds the layout's 32-bit counters (a flow from
 * conntrack's 64-bit ones, --offload-flows), to be sent as the parts
 * nf9_part() gives; 0 when no packet of this format can carry it (IPv6
 * in v5, a bad ipver, or over NF9_PARTS_MAX parts).
 */
#define NF9_PARTS_MAX	(1u << 20)	/* 4 PiB in 32-bit byte counts */
uint32_t nf9_parts(const struct nf9 *, const struct flow_rec *r);
/*
 * Part i (0 <= i < n) of r cut into n: r's key and times, counters
 * shared out evenly, so the n parts sum to r's.
 */
void	nf9_part(const struct flow_rec *r, uint32_t i, uint32_t n,
	    struct flow_rec *part);
/* Number of data records staged. */
unsigned nf9_pending(const struct nf9 *);
/*
 * 1 if templates are due at now_ms (so a packet should go out even empty):
 * before the first packet, after nf9_force_templates() or nf9_rebase(), when
 * tmpl_every_pkts packets have gone out since the last templates (the packet
 * that carried them included: packets 0, N, 2N... on a busy link), or when
 * tmpl_every_ms has passed since then.  0 disables either trigger.
 */
int	nf9_templates_due(const struct nf9 *, uint64_t now_ms);
/*
 * Complete the export packet at now_ms and return a pointer to it and its
 * length via *len (templates included when due).  Resets for the next
 * packet and advances the sequence number.  With nothing staged and no
 * templates due, returns NULL and sets *len to 0.  The packet stays valid
 * until the next nf9_add() or nf9_finish().
 */
const uint8_t *nf9_finish(struct nf9 *, uint64_t now_ms, size_t *len);
/*
 * Interface names: one datagram with the interface options template and
 * the IF_NAME records of ifs[*next], ifs[*next + 1]... that fit in the
 * MTU; *next moves past them.  Returns NULL (*len 0) once *next reaches
 * n, and always for v5, which has no options.  The datagram is built in
 * the packet buffer, away from the staged records: send it before the
 * next nf9_finish().  It takes a sequence number like any packet.
 */
const uint8_t *nf9_ifnames(struct nf9 *, const struct iftable_entry *ifs,
	    size_t n, size_t *next, uint64_t now_ms, size_t *len);
/* How many packets have carried templates: names go out after each. */
uint32_t nf9_template_sends(const struct nf9 *);
/* Make the next packet carry templates (new boot time, collector restart). */
void	nf9_force_templates(struct nf9 *);
/*
 * Rebase sysUptime: boot_ms becomes the new zero, wall_offset_ms the new
 * probe-to-Unix offset (it changes when the wall clock is stepped), and
 * templates are sent again.  Records already staged keep the old zero
 * and offset: the change takes effect with the next packet, or at once if
 * nothing is staged.
 */
void	nf9_rebase(struct nf9 *, uint64_t boot_ms, int64_t wall_offset_ms);

#endif
