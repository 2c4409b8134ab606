/*
 * util.c - small things the commands share: reading lines of a batch and
 * whole files, compiling a policy file with its diagnostics shown, memory
 * that ends the command when it runs out, and a growing text.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

bool cli_blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr(" \t\r\n", s[i]))
            return false;
    return true;
}

size_t cli_trim_eol(const char *s, size_t n)
{
    if (n && s[n - 1] == '\n')
        n--;
    if (n && s[n - 1] == '\r')
        n--;
    return n;
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

ssize_t cli_getline(char **buf, size_t *cap, FILE *in)
{
    /* Like getline, but a line stops growing past CLI_MAX_LINE: the rest of
     * it is read and dropped, and the length returned is CLI_MAX_LINE + 1,
     * which the record reader refuses with its size limit's message. */
    size_t n = 0;
    if (!*buf || *cap < 4096) {
        char *b = realloc(*buf, 4096);
        if (!b)
            return -1;
        *buf = b;
        *cap = 4096;
    }
    bool long_line = false;
    for (;;) {
        if (n + 2 > *cap && !long_line) {
            if (*cap > CLI_MAX_LINE) {
                long_line = true;
            } else {
                char *b = realloc(*buf, *cap * 2);
                if (!b)
                    return -1;
                *buf = b;
                *cap *= 2;
            }
        }
        char *into = long_line ? *buf + CLI_MAX_LINE : *buf + n;
        size_t room = long_line ? *cap - CLI_MAX_LINE : *cap - n;
        if (!fgets(into, (int)(room < INT_MAX ? room : INT_MAX), in))
            return n ? (ssize_t)(long_line ? CLI_MAX_LINE + 1 : n) : -1;
        size_t got = strlen(into); /* a NUL byte in the line ends it early here: the rest is the next "line" */
        if (!long_line)
            n += got;
        if (got && into[got - 1] == '\n')
            return (ssize_t)(long_line ? CLI_MAX_LINE + 1 : n);
        if (long_line)
            continue;
    }
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
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        errno = EISDIR;
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
