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

/* What the command line asks for. */
typedef struct Options {
    bool coverage;
    long min;                /* --min-coverage in hundredths; -1: none */
    const char *format;      /* NULL: text */
    const char *policy;      /* --policy: the policy to test instead */
    char **files;            /* the TESTS arguments */
    size_t nfiles;
} Options;

/* Read the command line into o; 0, or the exit status of a usage error. */
static int read_options(int argc, char **argv, Options *o)
{
    bool options = true;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (options && !strcmp(a, "--")) {
            options = false;
        } else if (options && !strcmp(a, "--coverage")) {
            o->coverage = true;
        } else if (options && (!strcmp(a, "--min-coverage") || !strncmp(a, "--min-coverage=", 15))) {
            const char *val = a[14] == '=' ? a + 15 : i + 1 < argc ? argv[++i] : NULL;
            if (!val)
                return cli_usage_error("%s", "--min-coverage needs a percentage, like 100 or 87.5");
            if ((o->min = test_parse_percent(val)) < 0)
                return cli_usage_error("--min-coverage `%s`: give a percentage from 0 to 100, like 100 or 87.5", val);
            o->coverage = true;
        } else if (options && cli_take_format(argc, argv, &i, &o->format)) {
            if (strcmp(o->format, "text") && strcmp(o->format, "json"))
                return cli_usage_error("unknown format `%s`: use text or json", o->format);
        } else if (options && !strcmp(a, "--policy") && i + 1 < argc) {
            o->policy = argv[++i]; /* the same tests against another version: the April review */
        } else if (options && a[0] == '-' && a[1]) {
            return cli_usage_error("unknown option `%s` for test", a);
        } else {
            o->files[o->nfiles++] = argv[i];
        }
    }
    if (!o->nfiles)
        return cli_usage_error("%s", "test needs at least one test file (POLICY.tests.json)");
    return 0;
}

/* Run every case of the tests that argument arg names (under --policy,
 * when given), adding the file's entry to jfiles with --format json.
 * Returns 0, or 2 when the file or its policy cannot be used. */
static int run_file(TestRun *run, TestPolicies *policies, const char *arg, const char *policy, cJSON *jfiles)
{
    TestFile tf = {0};
    char *path = test_file_for(arg);
    tf.path = path;
    TestPolicy *pol = NULL;
    const char *problem = NULL;
    if (strcmp(path, arg) && access(path, F_OK) != 0) {
        fprintf(stderr, "svp: %s is a policy, and there are no tests beside it: %s does not exist\n", arg, path);
        problem = "the policy has no tests beside it";
    } else if (!test_file_load(&tf)) {
        problem = "the test file cannot be read or is malformed";
    } else if (!(pol = test_policy_get(policies, policy ? policy : tf.policy_path, tf.path))) {
        problem = "the policy cannot be read or does not compile";
    } else if (!test_file_check_sets(&tf, pol->p, pol->path)) {
        problem = "a case sets a field the policy does not declare";
    }
    for (size_t k = 0; !problem && k < tf.ncases; k++)
        test_run_case(run, &tf, &tf.cases[k], pol);
    if (jfiles) {
        cJSON *jf = cli_need(cJSON_CreateObject());
        cJSON_AddStringToObject(jf, "file", tf.path);
        cJSON_AddItemToObject(jf, "policy", tf.policy_path ? cJSON_CreateString(tf.policy_path) : cJSON_CreateNull());
        cJSON_AddNumberToObject(jf, "cases", problem ? 0 : (double)tf.ncases);
        cJSON_AddItemToObject(jf, "error", problem ? cJSON_CreateString(problem) : cJSON_CreateNull());
        cJSON_AddItemToArray(jfiles, jf);
    }
    test_file_free(&tf);
    free(path);
    return problem ? 2 : 0;
}

int cli_test(int argc, char **argv)
{
    Options o = {false, -1, NULL, NULL, cli_alloc(((size_t)argc + 1) * sizeof(char *)), 0};
    int usage = read_options(argc, argv, &o);
    if (usage) {
        free(o.files);
        return usage;
    }
    TestRun run = {0};
    TestPolicies policies = {0};
    run.json = o.format && !strcmp(o.format, "json");
    cJSON *out = NULL, *jfiles = NULL;
    if (run.json) {
        out = cli_need(cJSON_CreateObject());
        jfiles = cli_need(cJSON_AddArrayToObject(out, "files"));
        run.jcases = cli_need(cJSON_AddArrayToObject(out, "cases"));
    }
    int status = 0;
    for (size_t i = 0; i < o.nfiles; i++)
        if (run_file(&run, &policies, o.files[i], o.policy, jfiles))
            status = 2;
    if (run.failed && status == 0)
        status = 1;
    if (o.coverage) {
        cJSON *jcov = run.json ? cli_need(cJSON_AddArrayToObject(out, "coverage")) : NULL;
        for (size_t i = 0; i < policies.n; i++)
            if (policies.items[i]->p && !test_coverage(&run, policies.items[i], o.min, jcov) && status == 0)
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
    cli_flush();
    test_policies_free(&policies);
    free(o.files);
    return status;
}
