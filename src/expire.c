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
finish(struct expire *ex, const struct flowtab *tab,
    const struct flowtab_ent *e, enum flow_end end, struct flow_rec *out)
{
	flowtab_get(tab, e, out);
	out->end = (uint8_t)end;
	ex->st.ended[end]++;
}

static void
retire(struct expire *ex, struct flowtab *tab, struct flowtab_ent *e,
    enum flow_end end, struct flow_rec *out)
{
	flowtab_take(tab, e, out);
	out->end = (uint8_t)end;
	ex->st.ended[end]++;
}

static int
idle_due(const struct expire *ex, const struct flowtab *tab,
    const struct flowtab_ent *e, enum flowtab_class cls, uint64_t now)
{
	return elapsed(now, flowtab_last_ms(tab, e)) >= ex->cfg.idle_ms[cls];
}

/*
 * The table is full: end the least recently touched flow.  If its idle
 * timeout has already passed (expire_due() has not run yet), it ends for
 * that reason, so ended[FLOW_END_EVICTED] counts only flows the table
 * really had no room for.  0 if the table is empty.
 */
static size_t
make_room(struct expire *ex, struct flowtab *tab, uint64_t now,
    struct flow_rec *out)
{
	struct flowtab_ent *e = flowtab_oldest_any(tab);
	enum flowtab_class cls;

	if (e == NULL)
		return 0;
	cls = flowtab_ent_class(e);
	retire(ex, tab, e, elapsed(now, flowtab_ent_last_ms(flowtab_epoch(tab),
	    e)) >= ex->cfg.idle_ms[cls] ? idle_end(cls) : FLOW_END_EVICTED,
	    out);
	return 1;
}

size_t
expire_packet(struct expire *ex, struct flowtab *tab,
    const struct flow_key *key, const struct pkt_meta *meta, uint64_t now,
    struct flow_rec *out)
{
	struct flowtab_ent *e;
	enum flowtab_class cls;
	size_t n = 0;
	uint64_t epoch;
	uint32_t off;
	uint8_t flags;

	if ((e = flowtab_find(tab, key)) == NULL) {
		cls = class_for(key->proto, meta->tcp_flags);
		/*
		 * An IPv6 flow needs two free units: up to two flows may
		 * have to go.  An empty table takes any flow, so this ends.
		 */
		if (EXPIRE_LAST)	/* the packet may go to no flow */
			ex->last = NULL;
		while (!flowtab_fits(tab, key))
			if (make_room(ex, tab, now, &out[n]) == 0)
				return n;
			else
				n++;
		if ((e = flowtab_insert_missed(tab, cls, now)) == NULL)
			return n;	/* cannot happen: it fits */
		ex->st.created++;
		flowtab_ent_set_tos(e, meta->tos);
		epoch = flowtab_epoch(tab);
		off = flowtab_offset(epoch, now);
	} else {
		/*
		 * A flow past its idle timeout is over even if expire_due()
		 * has not run yet: no record spans an idle gap, however
		 * seldom the caller ticks.  The table's 32-bit counters
		 * end a record as an active timeout would.
		 * Times compare as offsets from the table's epoch.
		 */
		epoch = flowtab_epoch(tab);
		off = flowtab_offset(epoch, now);
		cls = flowtab_ent_class(e);
		if (elapsed(off, e->last) >= ex->cfg.idle_ms[cls]) {
			finish(ex, tab, e, idle_end(cls), &out[n++]);
			flowtab_restart(tab, e, now, meta->tos);
		} else if (elapsed(off, e->first) >= ex->cfg.active_ms ||
		    e->packets == FLOWTAB_PACKETS_MAX ||
		    e->bytes > FLOWTAB_BYTES_MAX - meta->bytes) {
			finish(ex, tab, e, FLOW_END_ACTIVE, &out[n++]);
			flowtab_restart(tab, e, now, meta->tos);
		}
	}
	flags = flowtab_ent_add(e, meta->bytes, meta->tcp_flags, off);
	flowtab_touch(tab, e, class_for(key->proto, flags));
	if (EXPIRE_LAST)
		ex->last = e;
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
		struct flowtab_ent *e;

		while (n < max && (e = flowtab_oldest(tab, cls)) != NULL &&
		    idle_due(ex, tab, e, cls, now))
			retire(ex, tab, e, idle_end(cls), &out[n++]);
	}
	return n;
}

size_t
expire_all(struct expire *ex, struct flowtab *tab, struct flow_rec *out,
    size_t max)
{
	struct flowtab_ent *e;
	size_t n = 0;

	while (n < max && (e = flowtab_oldest_any(tab)) != NULL)
		retire(ex, tab, e, FLOW_END_FLUSH, &out[n++]);
	return n;
}

uint64_t
expire_next_ms(const struct expire *ex, struct flowtab *tab, uint64_t now)
{
	uint64_t best = UINT64_MAX;
	int c;

	for (c = 0; c < FLOWTAB_NCLASS; c++) {
		const struct flowtab_ent *e;
		uint64_t idle, el;

		if ((e = flowtab_oldest(tab, (enum flowtab_class)c)) == NULL)
			continue;
		idle = ex->cfg.idle_ms[c];
		el = elapsed(now, flowtab_last_ms(tab, e));
		best = MIN(best, el >= idle ? 0 : idle - el);
	}
	return best == UINT64_MAX ? EXPIRE_NEXT_EMPTY_MS : best;
}
