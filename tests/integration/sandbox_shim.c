/*
 * Test shim for sandbox_bites.sh, preloaded (LD_PRELOAD) into ./picoflow:
 * the first export call (sendmmsg(), or send() for a lone datagram),
 * which comes only after start-up, first makes
 * the forbidden call named by SANDBOX_SHIM, as code injected through a
 * parser bug would: open, openat("/etc/shadow"), and if that comes back,
 * "survived" written to the file SANDBOX_SHIM_MARK; exec, a shell that
 * writes the mark (and whose exit status becomes the run's).  Built by
 * the test alone; nothing of it is in picoflow.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/syscall.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char	**environ;
int	sendmmsg(int, struct mmsghdr *, unsigned int, int);
ssize_t	send(int, const void *, size_t, int);

static void
forbidden(void)
{
	static int done;
	const char *what = getenv("SANDBOX_SHIM");
	const char *mark = getenv("SANDBOX_SHIM_MARK");
	char *argv[] = { "sh", "-c", "echo survived > \"$SANDBOX_SHIM_MARK\"",
	    NULL };
	int fd;

	if (what == NULL || done)
		return;
	done = 1;
	/* raw system calls: what shellcode makes, no libc in between */
	if (strcmp(what, "exec") == 0)
		syscall(SYS_execve, "/bin/sh", argv, environ);
	else
		syscall(SYS_openat, AT_FDCWD, "/etc/shadow", O_RDONLY);
	if (mark != NULL && (fd = open(mark, O_WRONLY | O_CREAT, 0644)) != -1) {
		if (write(fd, "survived\n", 9) != 9)
			_exit(3);
		close(fd);
	}
}

int
sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	static int (*real)(int, struct mmsghdr *, unsigned int, int);

	forbidden();
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "sendmmsg");
	return real(fd, v, n, flags);
}

ssize_t
send(int fd, const void *buf, size_t len, int flags)
{
	static ssize_t (*real)(int, const void *, size_t, int);

	forbidden();
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "send");
	return real(fd, buf, len, flags);
}
