/*
 * No sandbox (sandbox.h): systems without seccomp, pledge or Capsicum, and
 * the portable libpcap backend (BACKEND=pcap), whose live capture makes
 * calls no list here describes.  The probe says so once at start.
 */
#include <stdio.h>

#include "sandbox.h"

int
sandbox_enter(unsigned needs, char *err, size_t errlen)
{
	(void)needs;
	snprintf(err, errlen, "this build has no sandbox (seccomp on Linux, "
	    "pledge on OpenBSD, Capsicum on FreeBSD)");
	return 1;
}

const char *
sandbox_kind(void)
{
	return "none";
}
