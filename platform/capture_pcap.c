/*
 * libpcap glue shared by every build: the pcap/pcapng file reader behind
 * -r (capture_file), and the ops the libpcap live backend reuses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_common.h"

int
pcapcap_filter(struct capture *c, const struct capture_cfg *cfg, char *err,
    size_t errlen)
{
	struct bpf_program prog;
	int rc;

	if (cfg->filter == NULL)
		return 0;
	if (pcap_compile(c->pc, &prog, cfg->filter, 1,
	    PCAP_NETMASK_UNKNOWN) == -1) {
		snprintf(err, errlen, "filter '%s': %s", cfg->filter,
		    pcap_geterr(c->pc));
		return -1;
	}
	rc = pcap_setfilter(c->pc, &prog);
	pcap_freecode(&prog);
	if (rc == -1) {
		snprintf(err, errlen, "filter '%s': %s", cfg->filter,
		    pcap_geterr(c->pc));
		return -1;
	}
	return 0;
}

int
pcapcap_fd(struct capture *c)
{
	return c->fd;
}

int
pcapcap_datalink(struct capture *c)
{
	return c->dlt;
}

int
pcapcap_next(struct capture *c, struct pkt *p)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	rc = pcap_next_ex(c->pc, &h, &data);
	if (rc == 0)
		return 0;
	if (rc == PCAP_ERROR_BREAK)
		return CAPTURE_EOF;
	if (rc != 1) {
		snprintf(c->err, sizeof(c->err), "%s", pcap_geterr(c->pc));
		return -1;
	}
	p->data = data;
	p->caplen = h->caplen;
	p->wirelen = h->len;
	/* Files before 1970 or past time_t's range are mapped to 0 rather
	 * than to a huge unsigned time. */
	p->ts_us = h->ts.tv_sec < 0 ? 0 : (uint64_t)h->ts.tv_sec * 1000000 +
	    (uint64_t)h->ts.tv_usec;
	p->ifindex = c->ifindex;
	p->direction = 0;
	p->dlt = c->dlt;
	return 1;
}

const char *
pcapcap_error(struct capture *c)
{
	return c->err;
}

int
pcapcap_stats(struct capture *c, struct capture_stats *st)
{
	struct pcap_stat ps;

	memset(st, 0, sizeof(*st));
	if (c->fd == -1 || pcap_stats(c->pc, &ps) == -1)
		return -1;
	st->received = ps.ps_recv;
	st->dropped = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
	return 0;
}

void
pcapcap_close(struct capture *c)
{
	if (c == NULL)
		return;
	if (c->pc != NULL)
		pcap_close(c->pc);
	free(c);
}

static struct capture *
file_open(const struct capture_cfg *cfg, char *err, size_t errlen)
{
	char pcerr[PCAP_ERRBUF_SIZE];
	struct capture *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->fd = -1;
	c->pc = pcap_open_offline_with_tstamp_precision(cfg->source,
	    PCAP_TSTAMP_PRECISION_MICRO, pcerr);
	if (c->pc == NULL) {
		snprintf(err, errlen, "%s: %s", cfg->source, pcerr);
		free(c);
		return NULL;
	}
	c->dlt = pcap_datalink(c->pc);
	if (pcapcap_filter(c, cfg, err, errlen) == -1) {
		pcapcap_close(c);
		return NULL;
	}
	return c;
}

const struct capture_ops capture_libpcap_file = {
	.name = "libpcap-file",
	.open = file_open,
	.fd = pcapcap_fd,
	.datalink = pcapcap_datalink,
	.next = pcapcap_next,
	.error = pcapcap_error,
	.stats = pcapcap_stats,
	.close = pcapcap_close,
};
