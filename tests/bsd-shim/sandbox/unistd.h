/*
 * Stand-in for OpenBSD's <unistd.h> in sandbox_bsd.sh: the host's, plus
 * pledge(2) as OpenBSD declares it (a fake in sandbox_fake.c records it).
 */
#include_next <unistd.h>

int	pledge(const char *, const char *);
