/*
 * util.c - small things the commands share: reading lines of a batch and
 * whole files, compiling a policy file with its diagnostics shown, memory
 * that ends the command when it runs out, and a growing text.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

bool cli_blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') /* a NUL is not blank */
            return false;
    return true;
}

svp_policy *cli_load_policy(const char *path)
{
    svp_diagnostics *d = NULL;
    svp_policy *p = svp_policy_load(path, NULL, &d);
    if (!p) {
        cli_print_diagnostics(d);
        if (!d)
            fprintf(stderr, "svp: out of memory reading %s\n", path);
    }
    svp_diagnostics_free(d);
    return p;
}

bool cli_take_format(int argc, char **argv, int *i, const char **format)
{
    const char *a = argv[*i];
    if (!strcmp(a, "--format") && *i + 1 < argc) {
        *format = argv[++*i];
        return true;
    }
    if (!strncmp(a, "--format=", 9)) {
        *format = a + 9;
        return true;
    }
    return false;
}

/* The errno of the first failed flush of standard output (0: none yet):
 * by the time the command ends, stdio has forgotten why it failed. */
static int output_errno;

int cli_flush(void)
{
    if (fflush(stdout) == 0)
        return 0;
    if (!output_errno)
        output_errno = errno;
    return EOF;
}

int cli_output_error(void) { return output_errno; }

bool cli_write(const char *text, size_t len)
{
    if (fwrite(text, 1, len, stdout) == len)
        return true;
    if (!output_errno)
        output_errno = errno;
    return false;
}

void cli_put_safe(FILE *f, const char *s)
{
    char *safe = svp_terminal_text(s, strlen(s));
    fputs(safe ? safe : "(out of memory)", f);
    svp_string_free(safe);
}

bool cli_refuse_folders(const char *command, const char *const *paths, int n)
{
    for (int i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            fprintf(stderr, "svp: %s is a folder: %s compares two versions, one file each (OLD.svp NEW.svp)\n",
                    paths[i], command);
            return true;
        }
    }
    return false;
}

size_t cli_read_head(const char *path, char *buf, size_t cap)
{
    /* only a regular file is looked into: opening a FIFO would block (what
     * is not a regular file is refused when it is read for real) */
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* Does path end with suffix, in any case? */
static bool has_suffix_nocase(const char *path, const char *suffix)
{
    size_t n = strlen(path), k = strlen(suffix);
    return n > k && !strcasecmp(path + n - k, suffix);
}

/* Does the file at path look like records rather than a policy: named
 * like a records file, or JSON from its first character on (after
 * layout and a byte-order mark; no policy starts with `{` or `[`)?  A
 * folder or an unreadable file does not: its loader says what is wrong. */
static bool looks_like_records(const char *path)
{
    if (has_suffix_nocase(path, ".json") || has_suffix_nocase(path, ".jsonl") ||
        has_suffix_nocase(path, ".ndjson") || has_suffix_nocase(path, ".csv"))
        return true;
    unsigned char head[512];
    size_t n = cli_read_head(path, (char *)head, sizeof head);
    size_t i = n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF ? 3 : 0;
    while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
        i++;
    return i < n && (head[i] == '{' || head[i] == '[');
}

bool cli_refuse_swapped(const char *const *paths, int n, const char *input, const char *order)
{
    for (int i = 0; i < n; i++)
        if (looks_like_records(paths[i])) {
            fprintf(stderr, "svp: `%s` looks like records, not a policy: %s\n", paths[i], order);
            return true;
        }
    if (input && has_suffix_nocase(input, ".svp")) {
        fprintf(stderr, "svp: `%s` looks like a policy, not records: %s\n", input, order);
        return true;
    }
    return false;
}

void *cli_need(void *p)
{
    if (!p) {
        fputs("svp: out of memory\n", stderr);
        exit(2);
    }
    return p;
}

void *cli_alloc(size_t n) { return cli_need(malloc(n ? n : 1)); }

void *cli_realloc(void *p, size_t n) { return cli_need(realloc(p, n ? n : 1)); }

char *cli_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(cli_alloc(n), s, n);
}

/* Room in t for n more bytes and the NUL. */
static void text_reserve(CliText *t, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->s = cli_realloc(t->s, t->cap);
    }
}

void cli_text_addn(CliText *t, const char *s, size_t n)
{
    text_reserve(t, n);
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

void cli_text_add(CliText *t, const char *s) { cli_text_addn(t, s, strlen(s)); }

void cli_text_addf(CliText *t, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        text_reserve(t, (size_t)n);
        vsnprintf(t->s + t->len, (size_t)n + 1, fmt, again);
        t->len += (size_t)n;
    }
    va_end(again);
}

char *cli_read_file(const char *path, size_t max, size_t *len)
{
    /* only a regular file: a FIFO would block, a device never end */
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
        close(fd);
        errno = S_ISDIR(st.st_mode) ? EISDIR : ENODEV;
        return NULL;
    }
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *data = cli_alloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap >= max) {
                free(data);
                fclose(f);
                errno = EFBIG;
                return NULL;
            }
            cap *= 2;
            data = cli_realloc(data, cap + 1);
        }
        errno = 0;
        size_t got = fread(data + n, 1, cap - n, f);
        if (!got)
            break;
        n += got;
    }
    int err = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    if (err) {
        free(data);
        errno = err;
        return NULL;
    }
    data[n] = '\0';
    *len = n;
    return data;
}
