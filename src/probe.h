/* The probe: opens every stage, runs the capture loop, exits. */
#ifndef PF_PROBE_H
#define PF_PROBE_H

#include "opts.h"

/* Exit status: 0 done, 1 run-time failure, 2 configuration rejected. */
int	probe_run(const struct pf_opts *);

#endif
