/*
 * Live capture through libpcap: the portable backend (BACKEND=pcap).
 * Non-blocking; the probe polls the selectable descriptor.
 */
#include <net/if.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_common.h"

/* How long libpcap may hold packets in a ring block before handing them
 * over; it bounds the delay a quiet interface adds (milliseconds). */
#define LIVE_TIMEOUT_MS	100

static int
activate(struct capture *c, const struct capture_cfg *cfg, char *err,
    size_t errlen)
{
	/* libpcap has one snap length for every frame: with app_snaplen,
	 * every frame is copied that far (more ring and copying per frame
	 * than the AF_PACKET backend, which keeps it for frames that may
	 * carry a name), and the decoder sees whole names. */
	unsigned snap = cfg->app_snaplen > cfg->snaplen ? cfg->app_snaplen :
	    cfg->snaplen;
	int rc;

	if (pcap_set_snaplen(c->pc, (int)snap) != 0 ||
	    pcap_set_promisc(c->pc, cfg->promisc) != 0 ||
	    pcap_set_timeout(c->pc, LIVE_TIMEOUT_MS) != 0 ||
	    (cfg->buffer_bytes != 0 &&
	    pcap_set_buffer_size(c->pc, (int)cfg->buffer_bytes) != 0)) {
		snprintf(err, errlen, "%s: cannot configure capture",
		    cfg->source);
		return -1;
	}
	rc = pcap_activate(c->pc);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", cfg->source,
		    rc == PCAP_ERROR ? pcap_geterr(c->pc) :
		    pcap_statustostr(rc));
		return -1;
	}
	return 0;
}

static struct capture *
live_open(const struct capture_cfg *cfg, char *err, size_t errlen)
{
	char pcerr[PCAP_ERRBUF_SIZE];
	struct capture *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->pc = pcap_create(cfg->source, pcerr);
	if (c->pc == NULL) {
		snprintf(err, errlen, "%s: %s", cfg->source, pcerr);
		free(c);
		return NULL;
	}
	if (activate(c, cfg, err, errlen) == -1)
		goto fail;
	c->dlt = pcap_datalink(c->pc);
	c->ifindex = if_nametoindex(cfg->source);
	if (pcapcap_filter(c, cfg, err, errlen) == -1)
		goto fail;
	if (pcap_setnonblock(c->pc, 1, pcerr) == -1) {
		snprintf(err, errlen, "%s: %s", cfg->source, pcerr);
		goto fail;
	}
	if ((c->fd = pcap_get_selectable_fd(c->pc)) == -1) {
		snprintf(err, errlen, "%s: no selectable descriptor",
		    cfg->source);
		goto fail;
	}
	return c;
fail:
	pcapcap_close(c);
	return NULL;
}

const struct capture_ops capture_live = {
	.name = "pcap",
	.open = live_open,
	.fd = pcapcap_fd,
	.datalink = pcapcap_datalink,
	.next = pcapcap_next,
	.error = pcapcap_error,
	.stats = pcapcap_stats,
	.close = pcapcap_close,
};
