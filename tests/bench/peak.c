/* peak.c - run a command and report its wall time and peak memory; a helper
 * for tests/bench/bench.sh.
 *
 *   peak COMMAND [ARGUMENT...]
 *
 * Runs COMMAND (looked up on PATH by execvp) with its stdout sent to /dev/null,
 * so the cost of formatting and writing its output is counted but no reader
 * can slow it down; stdin and stderr are inherited. Waits for it with wait4 and
 * prints one machine-readable line on stdout:
 *
 *   status=S signal=G seconds=T cpu_seconds=C maxrss_kib=K
 *
 *   S  the command's exit status, or -1 if a signal ended it
 *   G  the signal that ended it, or 0
 *   T  wall time from just before fork to just after wait4 (CLOCK_MONOTONIC)
 *   C  the command's user + system CPU time (ru_utime + ru_stime): when it is
 *      well under T on a CPU-bound command, something else had the CPU
 *   K  the command's peak resident set size, ru_maxrss, in KiB (Linux units)
 *
 * peak exits 0 whenever it ran and measured the command, whatever the command's
 * own status: that is in the line, for the caller to judge (svp eval exits 1
 * when some record is non-compliant, which is not a failure to a benchmark).
 * It exits 127 or 126, as a shell would, if the command was not found or could
 * not be run, and 2 on usage or system errors. */

/* wait4 is BSD, not POSIX: glibc and musl declare it only with _DEFAULT_SOURCE,
 * which -D_POSIX_C_SOURCE on the command line would otherwise switch off. */
#define _DEFAULT_SOURCE 1

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Seconds on the monotonic clock, from an arbitrary origin. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A struct timeval as seconds. */
static double seconds(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* In the child: point stdout at /dev/null and exec argv[0]. Never returns;
 * on failure it reports on stderr and _exits 127 (not found) or 126. */
static void run_child(char *const argv[])
{
    int fd = open("/dev/null", O_WRONLY);
    if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) {
        fprintf(stderr, "peak: /dev/null: %s\n", strerror(errno));
        _exit(126);
    }
    if (fd != STDOUT_FILENO)
        close(fd);
    execvp(argv[0], argv);
    int err = errno;
    fprintf(stderr, "peak: %s: %s\n", argv[0], strerror(err));
    _exit(err == ENOENT ? 127 : 126);
}

/* Wait for pid, retrying on EINTR; fills *wstatus and *ru. Returns 0, or -1
 * with errno set. */
static int wait_child(pid_t pid, int *wstatus, struct rusage *ru)
{
    pid_t got;
    do {
        got = wait4(pid, wstatus, 0, ru);
    } while (got < 0 && errno == EINTR);
    return got < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: peak COMMAND [ARGUMENT...]\n");
        return 2;
    }
    fflush(stdout);                 /* nothing buffered to be copied by fork */

    double t0 = now();
    pid_t pid = fork();
    if (pid < 0) {
        perror("peak: fork");
        return 2;
    }
    if (pid == 0)
        run_child(argv + 1);

    int wstatus;
    struct rusage ru;
    if (wait_child(pid, &wstatus, &ru) < 0) {
        perror("peak: wait4");
        return 2;
    }
    double elapsed = now() - t0;

    int status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    int sig = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
    printf("status=%d signal=%d seconds=%.6f cpu_seconds=%.6f maxrss_kib=%ld\n",
           status, sig, elapsed, seconds(ru.ru_utime) + seconds(ru.ru_stime),
           (long)ru.ru_maxrss);
    return status == 126 || status == 127 ? status : 0;
}
