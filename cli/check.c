/*
 * check.c - `svp check POLICY...`: compile each policy and print its
 * diagnostics.  Exit 0 when every policy is clean (warnings allowed),
 * 1 when any has errors, 2 for a usage error or an unreadable file.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

bool cli_use_colour(FILE *f)
{
    const char *no = getenv("NO_COLOR");
    return isatty(fileno(f)) && !(no && *no);
}

void cli_print_diagnostics(const svp_diagnostics *d)
{
    if (!d || !svp_diagnostics_count(d))
        return;
    char *text = svp_diagnostics_render(d, cli_use_colour(stderr));
    if (text)
        fputs(text, stderr);
    else
        fputs("svp: out of memory\n", stderr);
    svp_string_free(text);
}

/* True when the only problem is that the file could not be read. */
static bool unreadable(const svp_diagnostics *d)
{
    const svp_diagnostic *g = svp_diagnostics_get(d, 0);
    return g && !strcmp(g->code, "io");
}

int cli_check(int argc, char **argv)
{
    if (argc < 1)
        return cli_usage_error("%s", "check needs at least one policy file");
    int status = 0;
    for (int i = 0; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("unknown option `%s` for check", argv[i]);
    }
    for (int i = 0; i < argc; i++) {
        svp_diagnostics *d = NULL;
        svp_policy *p = svp_policy_load(argv[i], NULL, &d);
        cli_print_diagnostics(d);
        if (p) {
            size_t w = svp_diagnostics_warnings(d);
            printf("%s: ok (%s %s)%s", argv[i], svp_policy_name(p), svp_policy_version(p), w ? "," : "\n");
            if (w)
                printf(" %zu warning%s\n", w, w == 1 ? "" : "s");
        } else if (!d || unreadable(d)) {
            status = 2;
        } else if (status == 0) {
            status = 1;
        }
        if (!p && d && !unreadable(d)) {
            size_t e = svp_diagnostics_errors(d);
            fprintf(stderr, "%s: %zu error%s\n", argv[i], e, e == 1 ? "" : "s");
        }
        svp_policy_free(p);
        svp_diagnostics_free(d);
    }
    return status;
}
