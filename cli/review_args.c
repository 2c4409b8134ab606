/*
 * review_args.c - the OLD NEW RECORDS arguments of the review commands
 * (svp impact, svp report --review), read one way for both.
 *
 * Kept out of util.c because util.c is also linked into the batch reader's
 * fuzz harness, which has no usage text to print.
 */
#include <stdio.h>

#include "cli.h"

int cli_take_review_arg(const char *command, const char *a, const char *paths[3], int *npaths)
{
    if (a[0] == '-' && a[1]) {
        char message[256];
        snprintf(message, sizeof message, "unknown option `%s` for %s", a, command);
        return cli_usage_error("%s", message);
    }
    if (*npaths >= 3)
        return cli_usage_error("unexpected argument `%s`: give the old policy, the new one and the records", a);
    paths[(*npaths)++] = a;
    return 0;
}

int cli_review_args_complete(const char *command, int npaths)
{
    if (npaths < 3)
        return cli_usage_error("%s needs the old policy, the new one and the records (a file, or - for standard input)",
                               command);
    return 0;
}
