/*
 * Drives platform/sandbox_openbsd.c or sandbox_freebsd.c (whichever it is
 * linked with) against fakes of pledge(2) and cap_enter(2) that record
 * what they were asked, and checks it for each set of needs: the promises
 * pledge gets, and when capability mode is entered.  TAP output.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sandbox.h"

int	pledge(const char *, const char *);
int	cap_enter(void);

static char	promised[128];
static int	pledged, entered, fail_with;
static unsigned	tests, failed;

int
pledge(const char *promises, const char *execpromises)
{
	pledged++;
	snprintf(promised, sizeof(promised), "%s%s", promises,
	    execpromises != NULL ? " EXECPROMISES" : "");
	if (fail_with != 0) {
		errno = fail_with;
		return -1;
	}
	return 0;
}

int
cap_enter(void)
{
	entered++;
	if (fail_with != 0) {
		errno = fail_with;
		return -1;
	}
	return 0;
}

static void
ok(int cond, const char *what, const char *detail)
{
	tests++;
	if (!cond)
		failed++;
	printf("%sok %u - %s%s%s\n", cond ? "" : "not ", tests, what,
	    detail[0] != '\0' ? ": " : "", detail);
}

static int
enter(unsigned needs, char *err, size_t len)
{
	pledged = entered = 0;
	promised[0] = '\0';
	err[0] = '\0';
	return sandbox_enter(needs, err, len);
}

static void
openbsd(void)
{
	static const struct {
		unsigned	needs;
		const char	*promises;
	} c[] = {
		{ SANDBOX_FILE, "stdio" },
		{ SANDBOX_FILE | SANDBOX_EXPORT | SANDBOX_SLEEP, "stdio inet" },
		{ SANDBOX_CAPTURE | SANDBOX_IFLIST | SANDBOX_EXPORT |
		    SANDBOX_SYSLOG, "stdio inet bpf route" },
		{ SANDBOX_CAPTURE | SANDBOX_IFLIST, "stdio bpf route" },
	};
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int rc = enter(c[i].needs, err, sizeof(err));

		ok(rc == 0 && pledged == 1 && strcmp(promised, c[i].promises)
		    == 0, c[i].promises, promised);
	}
	fail_with = EPERM;
	ok(enter(SANDBOX_FILE, err, sizeof(err)) == -1 &&
	    strstr(err, "pledge") != NULL, "a refusal is an error", err);
	fail_with = 0;
}

static void
freebsd(void)
{
	char err[256];

	ok(enter(SANDBOX_FILE, err, sizeof(err)) == 0 && entered == 1,
	    "-r -P: capability mode", err);
	ok(enter(SANDBOX_FILE | SANDBOX_EXPORT, err, sizeof(err)) == 1 &&
	    entered == 0, "export (connect) stays outside, says why", err);
	ok(enter(SANDBOX_CAPTURE | SANDBOX_IFLIST, err, sizeof(err)) == 1 &&
	    entered == 0, "the interface list stays outside", err);
	fail_with = ENOSYS;
	ok(enter(SANDBOX_FILE, err, sizeof(err)) == 1,
	    "a kernel without Capsicum: no sandbox, said", err);
	fail_with = EPERM;
	ok(enter(SANDBOX_FILE, err, sizeof(err)) == -1, "other refusals "
	    "are errors", err);
	fail_with = 0;
}

int
main(void)
{
	if (strcmp(sandbox_kind(), "pledge") == 0)
		openbsd();
	else
		freebsd();
	printf("1..%u\n", tests);
	return failed != 0;
}
