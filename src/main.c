/* picoflow: command line in, exit status out; the work is in probe.c. */
#include "opts.h"
#include "probe.h"

int
main(int argc, char **argv)
{
	struct pf_opts o;

	switch (opts_parse(&o, argc, argv)) {
	case OPTS_EXIT_OK:
		return 0;
	case OPTS_EXIT_USAGE:
		return 2;
	case OPTS_RUN:
		break;
	}
	return probe_run(&o);
}
