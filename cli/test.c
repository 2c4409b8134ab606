/*
 * test.c - `svp test [--coverage] [--min-coverage PCT] [--format text|json]
 * [--policy P.svp] TESTFILE...`: run the test cases that policy authors keep
 * beside a policy (the format: test_file.c; running a case: test_run.c;
 * coverage: test_coverage.c).
 *
 * Every case is evaluated (each policy is compiled once) and its
 * expectations are compared with the result: the verdict, the exact set of
 * rules that fired (in any order), the named decisions (exact JSON values,
 * as in the result) and, for an invalid record, the field at fault.  A
 * failing case prints one line; the last line is "N passed, M failed".
 * --policy runs the same tests against another version (the April
 * review).  A policy given in place of a test file (X.svp) means the tests
 * beside it (X.tests.json).
 *
 * Exit status: 2 for a usage error, an unreadable or malformed test file or a
 * policy that does not compile (the other test files still run); else 1 when a
 * case failed or a policy's coverage is below --min-coverage; else 0.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

/* The test file meant by a command-line argument: itself, or for a policy
 * (X.svp) the tests beside it (X.tests.json).  Free the result. */
static char *test_file_for(const char *arg)
{
    if (!cli_has_suffix(arg, ".svp"))
        return cli_strdup(arg);
    CliText t = {0};
    cli_text_addn(&t, arg, strlen(arg) - strlen(".svp"));
    cli_text_add(&t, ".tests.json");
    return t.s;
}

int cli_test(int argc, char **argv)
{
    bool want_coverage = false;
    long min = -1;
    const char *format = NULL, *policy_override = NULL;
    char **files = cli_alloc(((size_t)argc + 1) * sizeof *files);
    size_t nfiles = 0;
    bool options = true;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (options && !strcmp(a, "--")) {
            options = false;
        } else if (options && !strcmp(a, "--coverage")) {
            want_coverage = true;
        } else if (options && (!strcmp(a, "--min-coverage") || !strncmp(a, "--min-coverage=", 15))) {
            val = a[14] == '=' ? a + 15 : i + 1 < argc ? argv[++i] : NULL;
            if (!val) {
                free(files);
                return cli_usage_error("%s", "--min-coverage needs a percentage, like 100 or 87.5");
            }
            if ((min = test_parse_percent(val)) < 0) {
                free(files);
                return cli_usage_error("--min-coverage `%s`: give a percentage from 0 to 100, like 100 or 87.5",
                                       val);
            }
            want_coverage = true;
        } else if (options && (!strcmp(a, "--format") || !strncmp(a, "--format=", 9))) {
            format = a[8] == '=' ? a + 9 : i + 1 < argc ? argv[++i] : NULL;
            if (!format || (strcmp(format, "text") && strcmp(format, "json"))) {
                free(files);
                return cli_usage_error("unknown format `%s`: use text or json", format ? format : "");
            }
        } else if (options && !strcmp(a, "--policy") && i + 1 < argc) {
            /* the same tests against another version: the April review */
            policy_override = argv[++i];
        } else if (options && a[0] == '-' && a[1]) {
            free(files);
            return cli_usage_error("unknown option `%s` for test", a);
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (!nfiles) {
        free(files);
        return cli_usage_error("%s", "test needs at least one test file (POLICY.tests.json)");
    }

    TestRun run = {0};
    TestPolicies policies = {0};
    run.json = format && !strcmp(format, "json");
    cJSON *out = NULL, *jfiles = NULL;
    if (run.json) {
        out = cli_need(cJSON_CreateObject());
        jfiles = cli_need(cJSON_AddArrayToObject(out, "files"));
        run.jcases = cli_need(cJSON_AddArrayToObject(out, "cases"));
    }
    int status = 0;
    for (size_t i = 0; i < nfiles; i++) {
        TestFile tf = {0};
        char *path = test_file_for(files[i]);
        tf.path = path;
        TestPolicy *pol = NULL;
        const char *problem = NULL;
        if (strcmp(path, files[i]) && access(path, F_OK) != 0) {
            fprintf(stderr, "svp: %s is a policy, and there are no tests beside it: %s does not exist\n", files[i],
                    path);
            problem = "the policy has no tests beside it";
        } else if (!test_file_load(&tf))
            problem = "the test file cannot be read or is malformed";
        else if (!(pol = test_policy_get(&policies, policy_override ? policy_override : tf.policy_path, tf.path)))
            problem = "the policy cannot be read or does not compile";
        if (problem)
            status = 2;
        else
            for (size_t k = 0; k < tf.ncases; k++)
                test_run_case(&run, &tf, &tf.cases[k], pol);
        if (run.json) {
            cJSON *jf = cli_need(cJSON_CreateObject());
            cJSON_AddStringToObject(jf, "file", tf.path);
            cJSON_AddItemToObject(jf, "policy", tf.policy_path ? cJSON_CreateString(tf.policy_path) : cJSON_CreateNull());
            cJSON_AddNumberToObject(jf, "cases", problem ? 0 : (double)tf.ncases);
            cJSON_AddItemToObject(jf, "error", problem ? cJSON_CreateString(problem) : cJSON_CreateNull());
            cJSON_AddItemToArray(jfiles, jf);
        }
        test_file_free(&tf);
        free(path);
    }
    if (run.failed && status == 0)
        status = 1;
    if (want_coverage) {
        cJSON *jcov = run.json ? cli_need(cJSON_AddArrayToObject(out, "coverage")) : NULL;
        for (size_t i = 0; i < policies.n; i++)
            if (policies.items[i]->p && !test_coverage(&run, policies.items[i], min, jcov) && status == 0)
                status = 1;
    }
    if (run.json) {
        cJSON_AddNumberToObject(out, "passed", (double)run.passed);
        cJSON_AddNumberToObject(out, "failed", (double)run.failed);
        cJSON_AddNumberToObject(out, "status", status);
        char *text = cli_need(cJSON_PrintUnformatted(out));
        puts(text);
        cJSON_free(text);
        cJSON_Delete(out);
    } else {
        printf("%lu passed, %lu failed\n", run.passed, run.failed);
    }
    fflush(stdout);
    test_policies_free(&policies);
    free(files);
    return status;
}
