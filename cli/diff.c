/*
 * diff.c - `svp diff OLD NEW [--format text|json]`: what changed between
 * two versions of a policy, in words a reviewer can paste into a committee
 * report (the comparison itself is the library's: svp_diff in svp.h).
 *
 * Exit status: 0 when the versions mean the same (comments and layout are
 * never a difference), 1 when they differ, 2 for a usage error or a policy
 * that does not compile (its diagnostics are printed).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Read `OLD NEW [--format text|json]`.  Returns 0, or the exit status of
 * a usage error. */
static int arguments(int argc, char **argv, const char **old_path, const char **new_path, bool *json)
{
    const char *format = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (cli_take_format(argc, argv, &i, &format))
            continue;
        if (a[0] == '-' && a[1])
            return cli_usage_error("unknown option `%s` for diff", a);
        else if (!*old_path)
            *old_path = a;
        else if (!*new_path)
            *new_path = a;
        else
            return cli_usage_error("unexpected argument `%s`: give the old policy and the new one", a);
    }
    if (!*old_path || !*new_path)
        return cli_usage_error("%s needs two policies: the old version and the new one", "diff");
    if (format && strcmp(format, "json") && strcmp(format, "text"))
        return cli_usage_error("unknown format `%s`: use text or json", format);
    *json = format && !strcmp(format, "json");
    return 0;
}

int cli_diff(int argc, char **argv)
{
    const char *old_path = NULL, *new_path = NULL;
    bool json = false;
    int status = arguments(argc, argv, &old_path, &new_path, &json);
    if (status)
        return status;
    const char *versions[] = {old_path, new_path};
    if (cli_refuse_folders("diff", versions, 2) ||
        cli_refuse_swapped(versions, 2, NULL, "give the old policy, then the new one"))
        return 2;
    svp_policy *a = cli_load_policy(old_path), *b = cli_load_policy(new_path);
    if (!a || !b) {
        svp_policy_free(a);
        svp_policy_free(b);
        return 2;
    }
    svp_diff *d = svp_diff_new(a, b, NULL);
    size_t len = 0;
    const char *out = !d ? NULL : json ? svp_diff_json(d, &len) : svp_diff_text(d, &len);
    if (!out) {
        fputs("svp: out of memory\n", stderr);
        status = 2;
    } else {
        if (!json)
            printf("%s (%s %s) -> %s (%s %s): %zu change%s\n\n", old_path, svp_policy_name(a), svp_policy_version(a),
                   new_path, svp_policy_name(b), svp_policy_version(b), svp_diff_count(d),
                   svp_diff_count(d) == 1 ? "" : "s");
        fwrite(out, 1, len, stdout);
        status = svp_diff_count(d) ? 1 : 0;
    }
    if (cli_flush() != 0)
        status = 2;
    svp_diff_free(d);
    svp_policy_free(a);
    svp_policy_free(b);
    return status;
}
