# Linux: AF_PACKET sockets with a TPACKET_V3 ring (capture_afpacket.c).
# libpcap is still linked, for the -r file reader and to compile -f
# expressions; live capture does not go through it.
PLATFORM_EXTRA	:= platform/capture_afpacket.c
# Export datagrams leave in batches, one sendmmsg(2) each (sendbatch.h).
PLATFORM_EXTRA	+= platform/sendbatch_mmsg.c
PF_LDLIBS	+= -lpcap
# Once started, a seccomp-bpf allow-list of the calls the probe makes.
PLATFORM_EXTRA	+= platform/sandbox_linux.c
# -u keeps CAP_NET_ADMIN for --nat and --offload-flows (caps.h).
PLATFORM_EXTRA	+= platform/caps_linux.c
