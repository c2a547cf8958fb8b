# Portable live capture through libpcap (BACKEND=pcap), where no native
# backend exists (linux.mk: AF_PACKET; bsd.mk: /dev/bpf).
PLATFORM_EXTRA	:= platform/capture_pcap_live.c
PF_LDLIBS	+= -lpcap
