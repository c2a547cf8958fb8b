# /dev/bpf live capture: FreeBSD, NetBSD, OpenBSD, macOS (BACKEND=bsd, or
# its alias bpf; the default where uname -s says so).  libpcap stays for
# the -r file reader and the filter compiler.
PLATFORM_EXTRA	:= platform/capture_bpf.c
# sendmmsg(2) where the system has it (FreeBSD 11, NetBSD 7); send(2) on
# OpenBSD, DragonFly and macOS (sendbatch.h).
PLATFORM_EXTRA	+= platform/sendbatch_$(if $(filter FreeBSD NetBSD,$(shell \
		   uname -s 2>/dev/null)),mmsg,send).c
PF_LDLIBS	+= -lpcap
# pledge(2) on OpenBSD, Capsicum on FreeBSD, none elsewhere (sandbox.h).
PLATFORM_EXTRA	+= platform/sandbox_$(or $(if $(filter OpenBSD,$(shell \
		   uname -s 2>/dev/null)),openbsd),$(if $(filter FreeBSD,$(shell \
		   uname -s 2>/dev/null)),freebsd),none).c
# No capabilities to keep across -u (caps.h).
PLATFORM_EXTRA	+= platform/caps_none.c
# With _POSIX_C_SOURCE the BSDs hide their own API (u_int, struct ifreq,
# the BIOC* ioctls, and so parts of <pcap/pcap.h>); their default
# environment already includes POSIX 2008, so ask for nothing.
PF_CPPFLAGS	:= $(filter-out -D_POSIX_C_SOURCE=%,$(PF_CPPFLAGS))
