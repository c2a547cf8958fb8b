/*
 * Optional privilege drop (-u USER) once capture and export sockets are
 * open: supplementary groups, then group, then user, all three ids each.
 * Only the capabilities the flags need survive it (caps.h: CAP_NET_ADMIN
 * for conntrack); no other.  Opening a new capture afterwards would need
 * root again (the AF_PACKET backend re-attaches a removed interface on the
 * socket it already has, which needs no privilege).
 */
#ifndef PF_PRIVS_H
#define PF_PRIVS_H

#include <stddef.h>
#include <sys/types.h>

/* Look USER up; -1 with a message in err (unknown user, or root). */
int	privs_lookup(const char *user, uid_t *uid, gid_t *gid, char *err,
	    size_t errlen);
/*
 * Become uid/gid for good, keeping the capabilities keep names (CAPS_*
 * bits of caps.h, 0 for none); -1 with a message in err.
 */
int	privs_drop(uid_t uid, gid_t gid, unsigned keep, char *err,
	    size_t errlen);

#endif
