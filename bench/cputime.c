/* cputime: runs one command and appends what it cost to a file (scripts/bench.sh).
 *
 *   cputime OUT CMD [ARG...]
 *
 * appends "user_us sys_us maxrss_kib wall_us status" to OUT. The times come from
 * wait4(2): the command's user and system CPU time, including every descendant it
 * waited for (a shell script's sed, mount, chpasswd...), in microseconds; the kernel
 * sums the scheduler's exact run time, so the total user+sys is not rounded to clock
 * ticks as /usr/bin/time's 10 ms figures are. maxrss is the largest resident set of
 * the command or any of those descendants (KiB). wall_us spans fork to reap. status is
 * the exit code, or 128+signal. The command's own stdin/stdout/stderr are inherited.
 * Exits 0 when the line was written, 2 on a usage or system error.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long us(struct timeval tv) { return (long long)tv.tv_sec * 1000000 + tv.tv_usec; }

int main(int argc, char **argv) {
    if (argc < 3) {
        fputs("usage: cputime OUT CMD [ARG...]\n", stderr);
        return 2;
    }
    FILE *out = fopen(argv[1], "ae"); /* close-on-exec: the command does not inherit it */
    if (!out) {
        perror(argv[1]);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("wait4");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long wall = (long long)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    fprintf(out, "%lld %lld %ld %lld %d\n", us(ru.ru_utime), us(ru.ru_stime), ru.ru_maxrss, wall, code);
    return fclose(out) == 0 ? 0 : 2;
}
