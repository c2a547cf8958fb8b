/*
 * The sandbox entered once start-up is done (captures open, sockets
 * connected, rings mapped, privileges dropped): from then on the kernel
 * refuses every system call the steady state does not make, so a bug in a
 * parser of hostile packets cannot become a shell.  Linux: a seccomp-bpf
 * allow-list (platform/sandbox_linux.c); OpenBSD: pledge(2); FreeBSD:
 * Capsicum; elsewhere nothing (sandbox_none.c).  The platform file is
 * chosen by the Makefile (platform/linux.mk, bsd.mk, pcap.mk).
 *
 * What the steady state does depends on the flags, so the caller says
 * which of these it needs; each adds the calls named beside it.
 */
#ifndef PF_SANDBOX_H
#define PF_SANDBOX_H

#include <stddef.h>

#define SANDBOX_FILE	0x001	/* -r: read(2) the file */
#define SANDBOX_CAPTURE	0x002	/* live captures: socket options, names */
#define SANDBOX_REBIND	0x004	/* a capture may be bound to an interface
				 * again: its index and link type, bind */
#define SANDBOX_NETLINK	0x008	/* questions and events on netlink sockets
				 * opened at start (--egress, --nat,
				 * --offload-flows, link events) */
#define SANDBOX_IFLIST	0x010	/* interfaces listed anew through a fresh
				 * NETLINK_ROUTE socket (if_nameindex) */
#define SANDBOX_EXPORT	0x020	/* UDP to collectors: connect, sendmmsg */
#define SANDBOX_SYSLOG	0x040	/* log to syslog (may reconnect) */
#define SANDBOX_SLEEP	0x080	/* --pace, the replay test hook */
#define SANDBOX_PROC	0x100	/* --process: /proc read, files opened
				 * read-only, directories listed, links
				 * and names read (procinfo.h) */

/*
 * Enter the sandbox, for good.  0: entered; 1: there is none here (err
 * says why: the platform, or a sanitizer build); -1: the kernel refused
 * (err says so).
 */
int		 sandbox_enter(unsigned needs, char *err, size_t errlen);
/* What sandbox_enter() sets up here: "seccomp-bpf", "pledge"... */
const char	*sandbox_kind(void);

#endif
