/*
 * libFuzzer target for the built-in pcap/pcapng reader, also linked with
 * replay.c for a plain build.  The input is a capture file, read twice:
 *   - by file_format.c alone (ff_open, ff_record over the whole buffer),
 *     checking that every frame it hands out lies inside the bytes given
 *     and is never longer than FF_KEEP;
 *   - through capture_file (the -r reader: its read buffer, records that
 *     straddle it, skips, the libpcap fallback for other formats), every
 *     frame then decoded as the probe would, from a temporary file made
 *     once per process.
 * Seeds: tests/fuzz/corpus/reader (tests/fuzz/mkseeds.py).
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "decode.h"
#include "file_format.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)
#define RECORDS_MAX	100000	/* a zero-length record cannot loop */

static void
parse_buffer(const uint8_t *data, size_t size)
{
	static struct ff_state s;	/* 4 KiB: not on the stack */
	struct ff_rec r;
	size_t off = 0;
	unsigned n;

	if (ff_open(&s, data, size) != FF_OK)
		return;
	for (n = 0; n < RECORDS_MAX && off < size; n++) {
		memset(&r, 0, sizeof(r));
		if (ff_record(&s, data + off, size - off, &r) != FF_OK)
			break;
		CHECK(r.total > 0);
		if (r.packet) {
			CHECK(r.data_len <= FF_KEEP);
			CHECK(r.data_off + r.data_len <= r.total);
			CHECK(r.data_off + r.data_len <= size - off);
		}
		/* A record may go on past the bytes given (the reader skips it
		 * by reading on); only what it hands out must be in them. */
		if (r.total > size - off)
			break;
		off += (size_t)r.total;
	}
}

static char path[] = "/tmp/picoflow-fuzz-reader.XXXXXX";

static void
remove_file(void)
{
	unlink(path);
}

/* The temporary file: made once, emptied and refilled for each input. */
static const char *
input_file(const uint8_t *data, size_t size)
{
	static int fd = -1;

	if (fd == -1) {
		if ((fd = mkstemp(path)) == -1)
			abort();
		atexit(remove_file);
	}
	if (ftruncate(fd, 0) == -1 || pwrite(fd, data, size, 0) !=
	    (ssize_t)size)
		abort();
	return path;
}

static void
read_file(const uint8_t *data, size_t size)
{
	struct capture_cfg cfg;
	struct capture *c;
	struct flow_key key;
	struct pkt_meta meta;
	struct pkt p;
	char err[256];
	unsigned n;
	int rc = 1;

	memset(&cfg, 0, sizeof(cfg));
	cfg.source = input_file(data, size);
	cfg.snaplen = 65535;
	if ((c = capture_file.open(&cfg, err, sizeof(err))) == NULL)
		return;
	memset(&p, 0, sizeof(p));
	for (n = 0; n < RECORDS_MAX && rc == 1; n++) {
		rc = capture_file.next(c, &p);
		if (rc != 1)
			break;
		CHECK(p.caplen <= FF_KEEP && p.caplen <= size);
		if (decode_dlt_supported(p.dlt))
			(void)decode_packet(&p, &key, &meta);
	}
	CHECK(rc == 1 || rc == 0 || rc == CAPTURE_EOF || rc == -1);
	if (rc == -1)
		CHECK(capture_file.error(c) != NULL);
	capture_file.close(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_buffer(data, size);
	read_file(data, size);
	return 0;
}
