/*
 * libFuzzer target for the application-name parsers, also linked with
 * replay.c for a plain build.  The whole input goes to each of the four
 * functions as it is (DNS message, TCP stream, HTTP request, first
 * payload bytes), so one corpus serves all; seeds in
 * tests/fuzz/corpus/appname.
 */
#include <stdlib.h>
#include <string.h>

#include "appname.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

static void
check_name(enum appname_result r, const struct appname *a,
    enum appname_kind kind)
{
	CHECK(r == APPNAME_NONE || r == APPNAME_FOUND || r == APPNAME_MORE);
	CHECK(a->kind == kind);
	CHECK(a->len <= APPNAME_MAX);
	CHECK(a->name[a->len] == '\0');
	if (r != APPNAME_FOUND)
		CHECK(a->len == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct appname a;
	enum appname_result r;
	enum appname_kind k;
	size_t need = 0;

	k = appname_tcp_kind(data, size);
	CHECK(k == APP_NONE || k == APP_TLS || k == APP_HTTP);

	memset(&a, 0xa5, sizeof(a));
	r = appname_dns(data, size, &a);
	check_name(r, &a, APP_DNS);
	CHECK(r != APPNAME_MORE);
	if (r == APPNAME_FOUND)
		CHECK(a.rcode <= 15 && a.response <= 1);

	memset(&a, 0xa5, sizeof(a));
	r = appname_tls(data, size, &a, &need);
	check_name(r, &a, APP_TLS);
	if (r == APPNAME_MORE)
		CHECK(need > size);
	/* what reads as a hello is what the cheap test calls TLS */
	if (r != APPNAME_NONE && size >= 2)
		CHECK(k == APP_TLS);

	memset(&a, 0xa5, sizeof(a));
	r = appname_http(data, size, &a);
	check_name(r, &a, APP_HTTP);
	if (r == APPNAME_FOUND)
		CHECK(a.len > 0);
	if (r != APPNAME_NONE)
		CHECK(k == APP_HTTP);
	return 0;
}
