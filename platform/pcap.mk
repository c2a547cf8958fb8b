# Portable live capture through libpcap (BACKEND=pcap), where no native
# backend exists (linux.mk: AF_PACKET; bsd.mk: /dev/bpf).
PLATFORM_EXTRA	:= platform/capture_pcap_live.c
# sendmmsg(2) where the system has it, send(2) elsewhere (sendbatch.h).
PLATFORM_EXTRA	+= platform/sendbatch_$(if $(filter Linux FreeBSD NetBSD,$(shell \
		   uname -s 2>/dev/null)),mmsg,send).c
PF_LDLIBS	+= -lpcap
# No sandbox: libpcap's live capture makes calls no list here describes.
PLATFORM_EXTRA	+= platform/sandbox_none.c
# Capabilities kept across -u on Linux, none elsewhere (caps.h).
PLATFORM_EXTRA	+= platform/caps_$(if $(filter Linux,$(shell \
		   uname -s 2>/dev/null)),linux,none).c
