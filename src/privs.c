/*
 * Drop root for good: setgroups, setresgid, setresuid, then verify; keep
 * only the capabilities asked for (caps.h) across it.
 */
#define _GNU_SOURCE		/* setresuid/setresgid: glibc and musl */

#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "privs.h"
#include "util.h"

int
privs_lookup(const char *user, uid_t *uid, gid_t *gid, char *err,
    size_t errlen)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errlen, "-u %s: %s", user, errno != 0 ?
		    strerror(errno) : "no such user");
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen, "-u %s: that is root; name an "
		    "unprivileged user", user);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/*
 * Groups first: once the user id is not 0 they can no longer be changed.
 * Setting real, effective and saved ids leaves no way back, which the
 * last check proves (no capability kept lets a process change ids).
 */
int
privs_drop(uid_t uid, gid_t gid, unsigned keep, char *err, size_t errlen)
{
	if (caps_keep_begin(keep, err, errlen) == -1)
		return -1;
	if (setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1 ||
	    setresuid(uid, uid, uid) == -1) {
		util_errmsg(err, errlen, "dropping privileges to uid %lu gid "
		    "%lu", (unsigned long)uid, (unsigned long)gid);
		return -1;
	}
	if (caps_keep_end(keep, err, errlen) == -1)
		return -1;
	if (setuid(0) != -1 || geteuid() != uid || getegid() != gid) {
		snprintf(err, errlen, "privileges could be regained after "
		    "dropping them to uid %lu", (unsigned long)uid);
		return -1;
	}
	return 0;
}
