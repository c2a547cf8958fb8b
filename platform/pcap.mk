# Portable live capture through libpcap.
PLATFORM_EXTRA	:= platform/capture_pcap_live.c
PF_LDLIBS	+= -lpcap
