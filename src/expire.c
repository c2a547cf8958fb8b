/* Flow expiry policy: lists by protocol, timeouts, eviction and flushing. */
#include <stddef.h>
#include <stdint.h>

#include "expire.h"
#include "flowtab.h"
#include "util.h"

#define TH_FIN		0x01
#define TH_RST		0x04

void
expire_defaults(struct expire_cfg *cfg)
{
	cfg->idle_ms[FLOWTAB_GENERAL] = 15000;
	cfg->idle_ms[FLOWTAB_TCP] = 60000;
	cfg->idle_ms[FLOWTAB_TCP_FIN] = 10000;
	cfg->idle_ms[FLOWTAB_TCP_RST] = 5000;
	cfg->idle_ms[FLOWTAB_UDP] = 15000;
	cfg->idle_ms[FLOWTAB_ICMP] = 15000;
	cfg->active_ms = 300000;
}

/* The list for a flow of this protocol whose packets' flags OR to flags. */
static enum flowtab_class
class_for(uint8_t proto, uint8_t flags)
{
	switch (proto) {
	case 6:
		if (flags & TH_RST)
			return FLOWTAB_TCP_RST;
		if (flags & TH_FIN)
			return FLOWTAB_TCP_FIN;
		return FLOWTAB_TCP;
	case 17:
	case 136:
		return FLOWTAB_UDP;
	case 1:
	case 58:
		return FLOWTAB_ICMP;
	default:
		return FLOWTAB_GENERAL;
	}
}

static enum flow_end
idle_end(enum flowtab_class cls)
{
	return cls == FLOWTAB_TCP_FIN || cls == FLOWTAB_TCP_RST ?
	    FLOW_END_TCP : FLOW_END_IDLE;
}

/* now - then, or 0 if then is ahead of now. */
static uint64_t
elapsed(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

static void
finish(struct expire *ex, const struct flow_rec *r, enum flow_end end,
    struct flow_rec *out)
{
	*out = *r;
	out->end = (uint8_t)end;
	ex->st.ended[end]++;
}

static void
retire(struct expire *ex, struct flowtab *tab, struct flow_rec *r,
    enum flow_end end, struct flow_rec *out)
{
	finish(ex, r, end, out);
	flowtab_remove(tab, r);
}

/* Least recently touched flow on any list, or NULL; see expire.h. */
static struct flow_rec *
oldest_overall(struct flowtab *tab)
{
	struct flow_rec *r, *best = NULL;
	int c;

	for (c = 0; c < FLOWTAB_NCLASS; c++) {
		r = flowtab_oldest(tab, (enum flowtab_class)c);
		if (r != NULL && (best == NULL || r->last_ms < best->last_ms))
			best = r;
	}
	return best;
}

static int
idle_due(const struct expire *ex, const struct flow_rec *r,
    enum flowtab_class cls, uint64_t now)
{
	return elapsed(now, r->last_ms) >= ex->cfg.idle_ms[cls];
}

/*
 * The table is full: end the least recently touched flow.  If its idle
 * timeout has already passed (expire_due() has not run yet), it ends for
 * that reason, so ended[FLOW_END_EVICTED] counts only flows the table
 * really had no room for.
 */
static void
make_room(struct expire *ex, struct flowtab *tab, uint64_t now,
    struct flow_rec *out)
{
	struct flow_rec *r = oldest_overall(tab);
	enum flowtab_class cls = flowtab_class_of(tab, r);

	retire(ex, tab, r, idle_due(ex, r, cls, now) ? idle_end(cls) :
	    FLOW_END_EVICTED, out);
}

/* Make r a fresh record in place; the caller then accounts the packet. */
static void
restart(struct flow_rec *r, const struct pkt_meta *meta, uint64_t now)
{
	r->packets = 0;
	r->bytes = 0;
	r->first_ms = now;
	r->tcp_flags = 0;
	r->tos = meta->tos;
}

size_t
expire_packet(struct expire *ex, struct flowtab *tab,
    const struct flow_key *key, const struct pkt_meta *meta, uint64_t now,
    struct flow_rec *out)
{
	struct flow_rec *r;
	enum flowtab_class cls;
	size_t n = 0;

	if ((r = flowtab_find(tab, key)) == NULL) {
		if (flowtab_count(tab) == flowtab_capacity(tab))
			make_room(ex, tab, now, &out[n++]);
		cls = class_for(key->proto, meta->tcp_flags);
		/* Cannot fail: there is at least one free entry now. */
		if ((r = flowtab_insert(tab, key, cls)) == NULL)
			return n;
		ex->st.created++;
		restart(r, meta, now);
	} else {
		/*
		 * A flow past its idle timeout is over even if expire_due()
		 * has not run yet: no record spans an idle gap, however
		 * seldom the caller ticks.
		 */
		cls = flowtab_class_of(tab, r);
		if (idle_due(ex, r, cls, now)) {
			finish(ex, r, idle_end(cls), &out[n++]);
			restart(r, meta, now);
		} else if (elapsed(now, r->first_ms) >= ex->cfg.active_ms) {
			finish(ex, r, FLOW_END_ACTIVE, &out[n++]);
			restart(r, meta, now);
		}
	}
	r->packets++;
	r->bytes += meta->bytes;
	r->tcp_flags |= meta->tcp_flags;
	r->last_ms = now;
	flowtab_touch(tab, r, class_for(key->proto, r->tcp_flags));
	return n;
}

size_t
expire_due(struct expire *ex, struct flowtab *tab, uint64_t now,
    struct flow_rec *out, size_t max)
{
	size_t n = 0;
	int c;

	for (c = 0; c < FLOWTAB_NCLASS && n < max; c++) {
		enum flowtab_class cls = (enum flowtab_class)c;
		struct flow_rec *r;

		while (n < max && (r = flowtab_oldest(tab, cls)) != NULL &&
		    idle_due(ex, r, cls, now))
			retire(ex, tab, r, idle_end(cls), &out[n++]);
	}
	return n;
}

size_t
expire_all(struct expire *ex, struct flowtab *tab, struct flow_rec *out,
    size_t max)
{
	struct flow_rec *r;
	size_t n = 0;

	while (n < max && (r = oldest_overall(tab)) != NULL)
		retire(ex, tab, r, FLOW_END_FLUSH, &out[n++]);
	return n;
}

uint64_t
expire_next_ms(const struct expire *ex, struct flowtab *tab, uint64_t now)
{
	uint64_t best = UINT64_MAX;
	int c;

	for (c = 0; c < FLOWTAB_NCLASS; c++) {
		const struct flow_rec *r;
		uint64_t idle, e;

		if ((r = flowtab_oldest(tab, (enum flowtab_class)c)) == NULL)
			continue;
		idle = ex->cfg.idle_ms[c];
		e = elapsed(now, r->last_ms);
		best = MIN(best, e >= idle ? 0 : idle - e);
	}
	return best == UINT64_MAX ? EXPIRE_NEXT_EMPTY_MS : best;
}
