/*
 * Command line: getopt_long into struct pf_opts, every number range-checked
 * with a message that names the flag and what would be accepted.
 */
#ifndef PF_OPTS_H
#define PF_OPTS_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "flowtab.h"
#include "offload.h"

#define OPTS_MAX_COLLECTORS	8
#define OPTS_MAX_IFACES		8

struct pf_opts {
	const char	*ifaces[OPTS_MAX_IFACES];
	unsigned	 nifaces;
	const char	*file;			/* -r */
	const char	*collectors[OPTS_MAX_COLLECTORS];
	unsigned	 ncollectors;
	const char	*filter;		/* -f */
	uint32_t	 sample_interval;	/* -s, 1 = all */
	int		 sample_random;		/* --sample-mode=random */
	uint32_t	 max_flows;		/* -m, 0 = from -M or default */
	size_t		 mem_budget;		/* -M, 0 = none */
	uint32_t	 idle_s[FLOWTAB_NCLASS];	/* -t; 0 = default */
	uint32_t	 active_s;
	uint32_t	 source_id;		/* -S */
	unsigned	 version;		/* -v */
	int		 debug;			/* -d */
	int		 check_only;		/* -T */
	int		 print;			/* -P */
	uint16_t	 mtu;
	uint32_t	 tmpl_packets;
	uint32_t	 tmpl_secs;
	uint32_t	 pace;			/* datagrams/s */
	uint32_t	 snaplen;
	int		 promisc;
	int		 no_ifnames;		/* --no-ifnames */
	int		 libpcap_reader;	/* --libpcap-reader */
	const char	*user;			/* -u: drop root to USER */
	int		 egress;		/* --egress: OUTPUT_SNMP */
	int		 nat;			/* --nat: fields 225-228 */
	uint32_t	 lookup_rate;		/* --lookup-rate, 0 = no cap */
	int		 offload;		/* --offload-flows: OFFLOAD_* */
	int		 no_sandbox;		/* --no-sandbox */
	int		 app_info;		/* --app-info: names, TCP
						 * quality (app.h) */
	int		 process;		/* --process: owners of the
						 * host's own ends */
};

#define OPTS_DEFAULT_MAX_FLOWS	8192
#define OPTS_DEFAULT_TMPL_PKTS	20
#define OPTS_DEFAULT_TMPL_SECS	60
#define OPTS_DEFAULT_PACE	10000
#define OPTS_DEFAULT_SNAPLEN	256
#define OPTS_DEFAULT_LOOKUP_RATE 1000

enum opts_result {
	OPTS_RUN = 0,
	OPTS_EXIT_OK,		/* -h, -V: done, exit 0 */
	OPTS_EXIT_USAGE		/* bad command line: message printed, exit 2 */
};

enum opts_result opts_parse(struct pf_opts *, int argc, char **argv);
void	opts_usage(FILE *);

#endif
