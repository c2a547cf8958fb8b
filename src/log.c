/* Logging to stderr or syslog, with printf checking and a rate limiter. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static int		use_stderr = 1;
static int		starting = 1;
static unsigned		warnings;
static enum log_level	level = LOG_LVL_NOTICE;

/*
 * A daemon started with descriptor 0, 1 or 2 closed would hand that
 * number to its first socket, and stderr's messages would go into it.
 */
static void
std_fds_open(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) != -1 && fd <= STDERR_FILENO)
		;
	if (fd > STDERR_FILENO)
		close(fd);
}

void
log_init(int to_stderr, enum log_level verbosity)
{
	std_fds_open();
	use_stderr = to_stderr;
	level = verbosity;
	if (!use_stderr)
		openlog("picoflow", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_running(void)
{
	starting = 0;
}

unsigned
log_warnings(void)
{
	return warnings;
}

/*
 * Our levels are syslog's from LOG_ERR on, in its order (as everywhere
 * syslog.h has them: 3 to 7), so a priority is LOG_ERR + level; a table
 * would be 20 bytes.  A syslog.h of another order fails the build here.
 */
typedef char prio_in_order[LOG_WARNING == LOG_ERR + LOG_LVL_WARN &&
    LOG_NOTICE == LOG_ERR + LOG_LVL_NOTICE &&
    LOG_INFO == LOG_ERR + LOG_LVL_INFO &&
    LOG_DEBUG == LOG_ERR + LOG_LVL_DEBUG ? 1 : -1];

static void
vlog(enum log_level lvl, const char *err, const char *fmt, va_list ap)
{
	char msg[512];

	if (lvl <= LOG_LVL_WARN && warnings < UINT_MAX)
		warnings++;
	if (lvl > level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!use_stderr && err != NULL)
		syslog(LOG_ERR + (int)lvl, "%s: %s", msg, err);
	else if (!use_stderr)
		syslog(LOG_ERR + (int)lvl, "%s", msg);
	/* What stops a start must be seen even where no syslog runs (a
	 * container, "2>file"): stderr too, until the probe runs. */
	if (use_stderr || (starting && lvl <= LOG_LVL_WARN)) {
		if (err != NULL)
			fprintf(stderr, "picoflow: %s: %s\n", msg, err);
		else
			fprintf(stderr, "picoflow: %s\n", msg);
		fflush(stderr);
	}
}

void
log_warn(const char *fmt, ...)
{
	const char *err = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_WARN, err, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_WARN, NULL, fmt, ap);
	va_end(ap);
}

void
log_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_NOTICE, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

void
log_warnx_rl(unsigned *last_s, unsigned now_s, const char *fmt, ...)
{
	va_list ap;

	/* A message that can fire per packet or per datagram is said at
	 * most once a minute; the counters keep the full story. */
	if (*last_s != 0 && now_s - *last_s < 60)
		return;
	*last_s = now_s ? now_s : 1;
	va_start(ap, fmt);
	vlog(LOG_LVL_WARN, NULL, fmt, ap);
	va_end(ap);
}
