/* The out-of-line helpers of util.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/*
 * One place for what every failed call's message ends with: each of the
 * many "WHAT: %s", strerror(errno) sites cost a call and an argument.
 */
void
util_errmsg(char *buf, size_t len, const char *fmt, ...)
{
	const char *why = strerror(errno);	/* before vsnprintf */
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ": %s", why);
}
