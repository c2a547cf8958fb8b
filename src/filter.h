/* BPF filter expressions: checked once with libpcap's compiler. */
#ifndef PF_FILTER_H
#define PF_FILTER_H

#include <stddef.h>

/* 0 if expr compiles for Ethernet frames; -1 with a message in err. */
int	filter_check(const char *expr, unsigned snaplen, char *err,
	    size_t errlen);

#endif
