/* Compile a BPF expression without a capture, to reject it at start-up. */
#include <pcap/pcap.h>
#include <stdio.h>

#include "filter.h"

int
filter_check(const char *expr, unsigned snaplen, char *err, size_t errlen)
{
	struct bpf_program prog;
	pcap_t *pc;
	int rc = 0;

	if ((pc = pcap_open_dead(DLT_EN10MB, (int)snaplen)) == NULL) {
		snprintf(err, errlen, "cannot initialise libpcap");
		return -1;
	}
	if (pcap_compile(pc, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		snprintf(err, errlen, "-f '%s': %s", expr, pcap_geterr(pc));
		rc = -1;
	} else
		pcap_freecode(&prog);
	pcap_close(pc);
	return rc;
}
