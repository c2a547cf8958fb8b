/*
 * For the netlink parser tests: find an attribute in recorded message
 * bytes, to corrupt it.  Header-only; static, so each test has its copy.
 */
#ifndef PF_NL_FIND_H
#define PF_NL_FIND_H

#include <stddef.h>
#include <stdint.h>

/* Offset of the first attribute of type (nested flag ignored) at or after
 * from, walking a flat run of attributes; 0 if none. */
static size_t
find(const uint8_t *m, size_t n, size_t from, unsigned type)
{
	size_t off = from;

	while (off + 4 <= n) {
		size_t len = (size_t)(m[off] | m[off + 1] << 8);

		if (((m[off + 2] | m[off + 3] << 8) & 0x3fff) == type)
			return off;
		if (len < 4)
			return 0;
		off += (len + 3) & ~(size_t)3;
	}
	return 0;
}

#endif
