# /dev/bpf live capture: FreeBSD, NetBSD, OpenBSD, macOS (BACKEND=bsd, or
# its alias bpf; the default where uname -s says so).  libpcap stays for
# the -r file reader and the filter compiler.
PLATFORM_EXTRA	:= platform/capture_bpf.c
PF_LDLIBS	+= -lpcap
# With _POSIX_C_SOURCE the BSDs hide their own API (u_int, struct ifreq,
# the BIOC* ioctls, and so parts of <pcap/pcap.h>); their default
# environment already includes POSIX 2008, so ask for nothing.
PF_CPPFLAGS	:= $(filter-out -D_POSIX_C_SOURCE=%,$(PF_CPPFLAGS))
