/* Small helpers shared by every module: array sizes, min/max, attributes. */
#ifndef PF_UTIL_H
#define PF_UTIL_H

#include <stddef.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

#if defined(__GNUC__) || defined(__clang__)
#define PF_PRINTF(f, a)	__attribute__((format(printf, f, a)))
#define PF_NORETURN	__attribute__((noreturn))
#define PF_UNUSED	__attribute__((unused))
#define PF_NOINLINE	__attribute__((noinline))
#else
#define PF_PRINTF(f, a)
#define PF_NORETURN
#define PF_UNUSED
#define PF_NOINLINE
#endif

/*
 * snprintf(buf, len, fmt, ...) followed by ": " and strerror(errno), errno
 * as it was on entry: the message of a failed call, "WHAT: REASON".
 */
void	util_errmsg(char *buf, size_t len, const char *fmt, ...)
	    PF_PRINTF(3, 4);

/* Recover the enclosing struct from a pointer to one of its members. */
#define CONTAINER_OF(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif
