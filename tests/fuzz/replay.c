/*
 * replay.c - run a fuzz harness over saved inputs, without libFuzzer.
 *
 *   replay DIR|FILE...
 *
 * Linked with one harness (fuzz_policy.c or fuzz_record.c) and the library,
 * it reads every regular file in each directory given (not recursing; files
 * whose names start with "." or "README" are skipped), in name order, and
 * passes each one to LLVMFuzzerTestOneInput in a buffer of exactly its size
 * (so a read past the input's end is a sanitizer finding, as under
 * libFuzzer).  A FILE argument is replayed as it is.  Built with
 * -fsanitize=address,undefined -fno-sanitize-recover=all, a bug makes the
 * process die with the sanitizer's report, after a line naming the input;
 * otherwise it prints "replayed N inputs" and exits 0.  Exit 2: usage, or a
 * directory or file that cannot be read.
 *
 * An input that runs longer than SVP_REPLAY_TIMEOUT seconds (default 10; 0:
 * no limit) is a finding too, as under libFuzzer's -timeout: the process
 * aborts naming it.  Inputs saved for a hang are slow only while the bug is
 * there; fixed, every input here runs in milliseconds.
 *
 * Works with gcc or clang, e.g. (from the repository root, after make):
 *   cc -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fsanitize=address,undefined \
 *      -fno-sanitize-recover=all -Iengine -o build/replay_policy \
 *      tests/fuzz/replay.c tests/fuzz/fuzz_policy.c build/libsvp.a -lcjson
 *   build/replay_policy tests/fuzz/regressions/policy
 * (build/libsvp.a may be the plain or the sanitizer build; with the plain
 * one, only the harness is instrumented.)
 */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The sanitizers call this before they end the process (weak: absent when
 * the program is built without them). */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static const char *current = "(none)";

static void say_current(void)
{
    /* async-signal-safe: write(2) only */
    static const char before[] = "replay: the input that failed: ";
    ssize_t ignored = write(2, before, sizeof before - 1);
    ignored = write(2, current, strlen(current));
    ignored = write(2, "\n", 1);
    (void)ignored;
}

static void on_abort(int sig)
{
    say_current();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "replay: timeout: the input ran longer than SVP_REPLAY_TIMEOUT allows\n";
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
    abort(); /* on_abort names the input */
}

static unsigned timeout_seconds = 10;

/* Replay one file; 0 when it was read (whatever the harness did). */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        return -1;
    }
    size_t n = 0, cap = 4096;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *bigger = realloc(buf, cap *= 2);
            if (!bigger)
                free(buf);
            buf = bigger;
        }
    }
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        fprintf(stderr, "replay: cannot read %s\n", path);
        return -1;
    }
    /* An exact-size copy, so that reading past the input is caught. */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        fprintf(stderr, "replay: out of memory for %s\n", path);
        return -1;
    }
    memcpy(exact, buf, n);
    free(buf);
    current = path;
    alarm(timeout_seconds);
    LLVMFuzzerTestOneInput(exact, n);
    alarm(0);
    current = "(none)";
    free(exact);
    return 0;
}

static int wanted(const struct dirent *e)
{
    return e->d_name[0] != '.' && strncmp(e->d_name, "README", 6) != 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
        return 2;
    }
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(say_current);
    signal(SIGABRT, on_abort);
    signal(SIGALRM, on_alarm);
    const char *limit = getenv("SVP_REPLAY_TIMEOUT");
    if (limit && *limit) {
        char *end;
        unsigned long v = strtoul(limit, &end, 10);
        if (*end || v > 86400) {
            fprintf(stderr, "replay: SVP_REPLAY_TIMEOUT must be a number of seconds\n");
            return 2;
        }
        timeout_seconds = (unsigned)v;
    }
    unsigned long replayed = 0;
    for (int a = 1; a < argc; a++) {
        struct stat st;
        if (stat(argv[a], &st) != 0) {
            fprintf(stderr, "replay: cannot read %s\n", argv[a]);
            return 2;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (replay_file(argv[a]) != 0)
                return 2;
            replayed++;
            continue;
        }
        struct dirent **names = NULL;
        int n = scandir(argv[a], &names, wanted, alphasort);
        if (n < 0) {
            fprintf(stderr, "replay: cannot read the directory %s\n", argv[a]);
            return 2;
        }
        int status = 0;
        for (int i = 0; i < n; i++) {
            size_t len = strlen(argv[a]) + strlen(names[i]->d_name) + 2;
            char *path = malloc(len);
            if (!path) {
                status = 2;
            } else {
                size_t dl = strlen(argv[a]);
                snprintf(path, len, "%s%s%s", argv[a], dl && argv[a][dl - 1] == '/' ? "" : "/",
                         names[i]->d_name);
                if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                    if (replay_file(path) != 0)
                        status = 2;
                    else
                        replayed++;
                }
                free(path);
            }
            free(names[i]);
        }
        free(names);
        if (status)
            return status;
    }
    printf("replayed %lu inputs\n", replayed);
    return 0;
}
