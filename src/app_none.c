/*
 * A build without --app-info (make APP_INFO=no): the flag is refused at
 * start, so nothing else is ever called.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "app.h"
#include "kfilter.h"

size_t
app_bytes(size_t index_end)
{
	(void)index_end;
	return 0;
}

struct app *
app_new(size_t index_end, unsigned what)
{
	(void)index_end;
	(void)what;
	errno = ENOTSUP;
	return NULL;
}

void
app_free(struct app *a)
{
	(void)a;
}

void
app_packet(struct app *a, struct flowtab *t, const struct pkt *p,
    const struct flow_key *k, const struct pkt_meta *m, uint32_t slot)
{
	(void)a;
	(void)t;
	(void)p;
	(void)k;
	(void)m;
	(void)slot;
}

void
app_export(const struct app *a, struct flow_rec *r, char *namebuf)
{
	(void)a;
	(void)r;
	(void)namebuf;
}

void
app_release(struct app *a, const struct flow_rec *r)
{
	(void)a;
	(void)r;
}

void
app_stats(const struct app *a, struct app_stats *st)
{
	(void)a;
	(void)st;
}

int
app_owner_wanted(struct app *a, uint32_t slot)
{
	(void)a;
	(void)slot;
	return 0;
}

void
app_owner_set(struct app *a, uint32_t slot, int dst,
    const struct proc_owner *o)
{
	(void)a;
	(void)slot;
	(void)dst;
	(void)o;
}

void
app_log_stats(const struct app_stats *st)
{
	(void)st;
}

void
app_print(FILE *f, const struct flow_app *a)
{
	(void)f;
	(void)a;
}

void
app_usage(FILE *f)
{
	(void)f;	/* the flags are not offered */
}

/* kfilter_app.c's: no classifier (app_snaplen is never set here). */
int
kfilter_app_expr(char *buf, size_t len, const struct kfilter_cfg *cfg)
{
	(void)buf;
	(void)len;
	(void)cfg;
	return -1;
}
