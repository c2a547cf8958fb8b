# Portable live capture through libpcap.  Also the only backend so far;
# AF_PACKET (linux.mk) and /dev/bpf (bsd.mk) arrive in their own changes.
PLATFORM_EXTRA	:= platform/capture_pcap_live.c
PF_LDLIBS	+= -lpcap
