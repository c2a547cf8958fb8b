/*
 * No capabilities to keep (caps.h): where there are none, or no way to
 * keep them across setuid, a flag that needs one cannot run with -u.
 */
#include <stdio.h>

#include "caps.h"

int
caps_keep_begin(unsigned keep, char *err, size_t errlen)
{
	if (keep == 0)
		return 0;
	snprintf(err, errlen, "-u: keeping a capability across the switch "
	    "needs Linux; run as root or leave -u out");
	return -1;
}

int
caps_keep_end(unsigned keep, char *err, size_t errlen)
{
	(void)keep;
	(void)err;
	(void)errlen;
	return 0;
}
