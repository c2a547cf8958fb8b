/* Human-readable flow lines for -P: UTC times, addresses, counters. */
#include <sys/socket.h>
#include <arpa/inet.h>

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "app.h"
#include "print.h"
#include "util.h"

static const char *const end_names[FLOW_END_MAX] = {
	"idle", "active", "tcp", "evicted", "flush"
};

static void
fmt_time(char *buf, size_t len, uint64_t ms, int64_t off)
{
	int64_t unix_ms = (int64_t)ms + off;
	time_t secs = (time_t)(unix_ms / 1000);
	struct tm tm;

	if (gmtime_r(&secs, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0) {
		snprintf(buf, len, "%" PRId64, unix_ms);
		return;
	}
	snprintf(buf + 19, len - 19, ".%03d", (int)(unix_ms % 1000));
}

static const char *
proto_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case 1:		return "ICMP";
	case 6:		return "TCP";
	case 17:	return "UDP";
	case 58:	return "ICMP6";
	case 132:	return "SCTP";
	}
	snprintf(buf, len, "%u", proto);
	return buf;
}

static void
fmt_flags(char *buf, uint8_t f)
{
	static const char names[] = "CEUAPRSF";
	int i;

	for (i = 0; i < 8; i++)
		buf[i] = (f & (0x80 >> i)) ? names[i] : '.';
	buf[8] = '\0';
}

void
print_header(FILE *f)
{
	fprintf(f, "%-23s %9s %-5s %-41s    %-41s %-8s %8s %10s %s\n",
	    "start (UTC)", "duration", "proto", "source", "destination",
	    "flags", "packets", "bytes", "end");
}

void
print_flow(FILE *f, const struct flow_rec *r, int64_t off)
{
	const struct flow_key *k = &r->key;
	int af = k->ipver == 6 ? AF_INET6 : AF_INET;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char sa[64], da[64], when[40], pbuf[8], flags[9];
	uint64_t dur = r->last_ms - r->first_ms;
	int icmp = k->proto == 1 || k->proto == 58;

	if (inet_ntop(af, k->src, src, sizeof(src)) == NULL ||
	    inet_ntop(af, k->dst, dst, sizeof(dst)) == NULL)
		return;
	if (icmp) {
		snprintf(sa, sizeof(sa), "%s", src);
		snprintf(da, sizeof(da), "%s type %u code %u", dst,
		    (unsigned)(k->dport >> 8), (unsigned)(k->dport & 0xff));
	} else {
		snprintf(sa, sizeof(sa), af == AF_INET6 ? "[%s]:%u" :
		    "%s:%u", src, k->sport);
		snprintf(da, sizeof(da), af == AF_INET6 ? "[%s]:%u" :
		    "%s:%u", dst, k->dport);
	}
	fmt_time(when, sizeof(when), r->first_ms, off);
	fmt_flags(flags, r->tcp_flags);
	fprintf(f, "%-23s %5" PRIu64 ".%03u %-5s %-41s -> %-41s %-8s %8"
	    PRIu64 " %10" PRIu64 " %s", when, dur / 1000,
	    (unsigned)(dur % 1000), proto_name(k->proto, pbuf, sizeof(pbuf)),
	    sa, da, k->proto == 6 ? flags : "", r->packets, r->bytes,
	    r->end < FLOW_END_MAX ? end_names[r->end] : "?");
	if (r->app.flags != 0)
		app_print(f, &r->app);
	fputc('\n', f);
}
