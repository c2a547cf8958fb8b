/*
 * A build without --app-info and --process (make APP_INFO=no): the flags
 * are refused at start (app_probe_check()), so nothing else here is ever
 * asked for more than "none".  The calls that APP_PROBE_BUILT and
 * NF9_APP_BUILT guard compile away when optimising; their stubs are here
 * so that every build links (-O0 keeps dead calls), as in quic_none.c.
 * What only app_probe.c calls (app_packet(), app_stats(), ...) needs no
 * stub: that file is not linked either.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "app.h"
#include "app_probe.h"
#include "kfilter.h"
#include "nf9_app.h"

struct app *
app_new(struct flowtab *t, size_t index_end, unsigned what)
{
	(void)t;
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

/*
 * kfilter_app.c's: no classifier.  Never called: app_snaplen, which asks
 * for it, is never set in this build (app_probe_capture() is empty).
 */
int
kfilter_app_join(struct kfilter *kf, const struct kfilter_cfg *cfg,
    size_t npro, char *err, size_t errlen)
{
	(void)cfg;
	(void)npro;
	kfilter_free(kf);
	if (errlen > 0)
		err[0] = '\0';
	return -1;
}

/*
 * nf9_app.c's: no application layouts.  No caller asks for them:
 * probe.c's cfg.app_fields and proc_fields are 0 in this build, and
 * nf9.c's tests of a record's facts are NF9_APP_BUILT's.
 */
int
nf9_app_layouts(struct nf9 *nf)
{
	(void)nf;
	return 0;
}

size_t
nf9_app_extra(const struct nf9 *nf, const struct flow_app *a)
{
	(void)nf;
	(void)a;
	return 0;
}

void
nf9_app_put(uint8_t *p, const struct nf9 *nf, const struct flow_app *a)
{
	(void)p;
	(void)nf;
	(void)a;
}

/*
 * app_probe.c's: --app-info and --process are refused with the other
 * bad combinations of flags; app_probe.h has the rest inline, doing
 * what a probe without them does.
 */
int
app_probe_check(const struct pf_opts *o)
{
	if (!o->app_info && !o->process)
		return 0;
	fputs("picoflow: built without --app-info, --process\n", stderr);
	return 1;
}
