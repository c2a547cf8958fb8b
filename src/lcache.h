/*
 * A small direct-mapped cache of lookup answers: fixed-size key bytes to
 * fixed-size value bytes, each answer kept for ttl seconds.  One slot per
 * hash: a new answer replaces whatever sat there, so the cache never
 * grows and a collision costs a repeated lookup, never a wrong answer
 * (the whole key is compared).  Memory is taken once from mem.h; get and
 * put never allocate.  Keys are compared as raw bytes: callers clear
 * their padding.  now_s is seconds on a clock that does not wrap in the
 * program's life (the probe clock: seconds since boot).
 */
#ifndef PF_LCACHE_H
#define PF_LCACHE_H

#include <stddef.h>
#include <stdint.h>

struct lcache;

/* Bytes lcache_new() takes for these sizes (slots rounded up to 2^n). */
size_t		 lcache_bytes(size_t slots, size_t keylen, size_t vallen);
/* NULL if the memory budget has no room (what names it in mem_report). */
struct lcache	*lcache_new(size_t slots, size_t keylen, size_t vallen,
		    uint32_t ttl_s, const char *what);
/* The value stored for key if it is younger than ttl at now_s, or NULL. */
const void	*lcache_get(const struct lcache *, const void *key,
		    uint32_t now_s);
void		 lcache_put(struct lcache *, const void *key, const void *val,
		    uint32_t now_s);
/* Forget every answer (the facts behind them changed). */
void		 lcache_flush(struct lcache *);
void		 lcache_free(struct lcache *);

#endif
