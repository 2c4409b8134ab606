/*
 * util.c - small things the commands share: reading lines of a batch and
 * compiling a policy file with its diagnostics shown.
 */
#include <stdlib.h>
#include <string.h>

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
