/* Text output of exported flows (-P), one line per record. */
#ifndef PF_PRINT_H
#define PF_PRINT_H

#include <stdint.h>
#include <stdio.h>

#include "flow.h"

void	print_header(FILE *);
/* wall_offset_ms maps probe-clock times to Unix time (clock.h). */
void	print_flow(FILE *, const struct flow_rec *, int64_t wall_offset_ms);

#endif
