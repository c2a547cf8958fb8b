/*
 * Optional privilege drop (-u USER) once capture and export sockets are
 * open: supplementary groups, then group, then user, all three ids each.
 * Nothing is kept: opening a new capture afterwards would need root again
 * (the AF_PACKET backend re-attaches a removed interface on the socket it
 * already has, which needs none).
 */
#ifndef PF_PRIVS_H
#define PF_PRIVS_H

#include <stddef.h>
#include <sys/types.h>

/* Look USER up; -1 with a message in err (unknown user, or root). */
int	privs_lookup(const char *user, uid_t *uid, gid_t *gid, char *err,
	    size_t errlen);
/* Become uid/gid for good; -1 with a message in err. */
int	privs_drop(uid_t uid, gid_t gid, char *err, size_t errlen);

#endif
