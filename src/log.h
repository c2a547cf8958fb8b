/*
 * Logging: stderr when attached to a terminal or asked for, syslog
 * otherwise; until log_running(), warnings and errors also go to stderr,
 * so a start that fails says why wherever it was started from.  Stage
 * modules never log; main and probe do.
 */
#ifndef PF_LOG_H
#define PF_LOG_H

#include "util.h"

enum log_level {
	LOG_LVL_ERR = 0,
	LOG_LVL_WARN,
	LOG_LVL_NOTICE,		/* the default: start, stop, stats */
	LOG_LVL_INFO,
	LOG_LVL_DEBUG
};

/* to_stderr: 1 stderr, 0 syslog; verbosity: highest level printed. */
void	log_init(int to_stderr, enum log_level verbosity);
/* Start-up is over: with syslog, nothing more goes to stderr. */
void	log_running(void);
/* Warnings and errors said so far (-T reports them). */
unsigned log_warnings(void);
void	log_warn(const char *, ...) PF_PRINTF(1, 2);	/* appends strerror */
void	log_warnx(const char *, ...) PF_PRINTF(1, 2);
void	log_notice(const char *, ...) PF_PRINTF(1, 2);
void	log_debug(const char *, ...) PF_PRINTF(1, 2);
/* At most one message per interval_s for this call site's key. */
void	log_warnx_rl(unsigned *last_s, unsigned now_s, const char *, ...)
	    PF_PRINTF(3, 4);

#endif
