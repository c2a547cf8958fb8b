/*
 * Compiles platform/capture_bpf.c itself against the shim <net/bpf.h> and
 * prints what it derived from the header: the struct bpf_hdr layout it
 * hands the walker and its DLT table, in test_bpf_walk --tables format,
 * plus the sizes of the structs it passes to ioctls.  Used by
 * tests/integration/bsd_shim.sh and bsd_constants.sh.
 */
#include "../../platform/capture_bpf.c"

int	main(void);

int
main(void)
{
	const struct bpf_walk_layout *l = &hdr_layout;
	const struct bpf_walk_dlts *d = &sys_dlts;

	printf("layout shim sec=%u/%u usec=%u/%u caplen=%u datalen=%u "
	    "hdrlen=%u align=%u\n", l->sec_off, l->sec_size, l->usec_off,
	    l->usec_size, l->caplen_off, l->datalen_off, l->hdrlen_off,
	    l->align);
	printf("dlt shim NULL=%d EN10MB=%d PPP=%d RAW=%d LOOP=%d\n",
	    d->null, d->en10mb, d->ppp, d->raw, d->loop);
	printf("sizeof bpf_hdr=%zu bpf_stat=%zu bpf_program=%zu "
	    "bpf_insn=%zu timeval=%zu u_int=%zu\n", sizeof(struct bpf_hdr),
	    sizeof(struct bpf_stat), sizeof(struct bpf_program),
	    sizeof(struct bpf_insn), sizeof(struct timeval), sizeof(u_int));
	return capture_live.open == NULL;
}
