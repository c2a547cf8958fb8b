/*
 * Minimal TAP producer for unit tests: ok(), is_int(), is_mem() with a hex
 * diff, diag(), done().  done() prints "N passed, N failed" and returns the
 * exit status, so each test's main ends with "return done();".
 */
#ifndef PF_TAP_H
#define PF_TAP_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_fail;

#define diag(...) \
	do { printf("# "); printf(__VA_ARGS__); printf("\n"); } while (0)

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

static inline int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#include <stdarg.h>

static inline int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	if (!pass)
		tap_fail++;
	printf("%sok %d - ", pass ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass)
		printf("#   failed at %s:%d\n", file, line);
	return pass;
}

#define is_int(got, want, ...) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	if (!ok(g_ == w_, __VA_ARGS__))					\
		diag("  got %lld, want %lld", g_, w_);			\
} while (0)

static inline void
tap_hex(const char *label, const uint8_t *p, size_t n, size_t mark)
{
	size_t i;

	printf("#   %s (%zu bytes):", label, n);
	for (i = 0; i < n; i++) {
		if (i % 16 == 0)
			printf("\n#   %04zx:", i);
		printf(i == mark ? " [%02x]" : " %02x", p[i]);
	}
	printf("\n");
}

#define is_mem(got, gotlen, want, wantlen, ...) \
	tap_is_mem((const uint8_t *)(got), (gotlen), \
	    (const uint8_t *)(want), (wantlen), __FILE__, __LINE__, __VA_ARGS__)

static inline int
tap_is_mem(const uint8_t *got, size_t gl, const uint8_t *want, size_t wl,
    const char *file, int line, const char *what)
{
	size_t i = 0;

	while (i < gl && i < wl && got[i] == want[i])
		i++;
	if (tap_ok(gl == wl && i == gl, file, line, "%s", what))
		return 1;
	printf("#   first difference at byte %zu\n", i);
	tap_hex("got", got, gl, i);
	tap_hex("want", want, wl, i);
	return 0;
}

static inline int
done(void)
{
	printf("1..%d\n", tap_n);
	printf("%d passed, %d failed\n", tap_n - tap_fail, tap_fail);
	return tap_fail ? 1 : 0;
}

#endif
