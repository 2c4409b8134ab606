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

int cli_check(int argc, char **argv)
{
    const char *today_arg = NULL;
    char **files = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *files);
    int nfiles = 0;
    if (!files)
        return 2;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--today") && i + 1 < argc) {
            today_arg = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            free(files);
            return cli_usage_error("unknown option `%s` for check", argv[i]);
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (nfiles < 1 || (today_arg && !svp_is_date(today_arg))) {
        free(files);
        return cli_usage_error("%s", nfiles < 1 ? "check needs at least one policy file"
                                                : "--today takes a date written YYYY-MM-DD");
    }
    /* records given to check (a slip for eval) would be read as a policy
     * and give a screen of syntax errors: say what they are instead */
    if (cli_refuse_swapped((const char *const *)files, nfiles, NULL, "svp check takes policies and import mappings; "
                                                                     "to evaluate records, use svp eval POLICY RECORDS")) {
        free(files);
        return 2;
    }
    /* import mappings are checked one by one, with the policy each names */
    int mapping_status = 0, npolicies = 0;
    for (int i = 0; i < nfiles; i++) {
        if (!cli_is_mapping_file(files[i])) {
            files[npolicies++] = files[i];
            continue;
        }
        int s = cli_check_mapping(files[i]);
        if (s > mapping_status)
            mapping_status = s;
    }
    nfiles = npolicies;
    if (!nfiles) {
        free(files);
        return mapping_status;
    }
    Versions v;
    int status = cli_load_versions(files, nfiles, &v, true);
    if (mapping_status > status)
        status = mapping_status;
    free(files);
    /* Versions are compared among the files that compiled, policy by
     * policy: files of different policies are checked each on its own. */
    int versions = cli_check_version_sets(&v, today_arg);
    if (versions > status)
        status = versions;
    cli_free_versions(&v);
    return status;
}
