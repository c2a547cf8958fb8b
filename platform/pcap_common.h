/*
 * What the libpcap file reader and the libpcap live backend share: one
 * struct capture around a pcap_t, and the ops that do not care which.
 */
#ifndef PF_PCAP_COMMON_H
#define PF_PCAP_COMMON_H

#include <pcap/pcap.h>

#include "capture.h"

struct capture {
	pcap_t		*pc;
	int		 fd;		/* selectable fd, -1 for files */
	uint32_t	 ifindex;
	int		 dlt;
	char		 err[PCAP_ERRBUF_SIZE + 128];
};

/* Compile and attach cfg->filter, if any.  -1 with a message in err. */
int		 pcapcap_filter(struct capture *, const struct capture_cfg *,
		    char *err, size_t errlen);
int		 pcapcap_fd(struct capture *);
int		 pcapcap_datalink(struct capture *);
int		 pcapcap_next(struct capture *, struct pkt *);
const char	*pcapcap_error(struct capture *);
int		 pcapcap_stats(struct capture *, struct capture_stats *);
void		 pcapcap_close(struct capture *);

#endif
