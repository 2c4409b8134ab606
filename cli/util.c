/*
 * util.c - small things the commands share: reading lines of a batch and
 * compiling a policy file with its diagnostics shown.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

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
