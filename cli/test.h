/*
 * test.h - `svp test` in three parts (cli/test.c is the command):
 *   test_file.c      the test-file format: reading and checking a
 *                    .tests.json file into cases, each a record's JSON
 *                    text and what is expected of it;
 *   test_run.c       the policies under test (each compiled once) and
 *                    running a case: evaluating it and comparing the result,
 *                    read through svp.h's accessors, with what is expected;
 *   test_coverage.c  which rules and cited clauses the cases made fire and
 *                    not fire, against a minimum.
 */
#ifndef SVP_CLI_TEST_H
#define SVP_CLI_TEST_H

#include <cjson/cJSON.h>
#include <sys/types.h>

#include "cli.h"

/* ---- test_file.c ---------------------------------------------------------- */

/* "compliant", "non-compliant", "invalid", by svp_status. */
extern const char *const test_verdict_names[3];

typedef struct TestCase {
    const char *name;
    char *record;            /* the JSON text evaluated */
    int verdict;             /* -1: no expectation; else an svp_status */
    const cJSON *fires;      /* array of rule ids, or NULL */
    const cJSON *decisions;  /* object, or NULL */
    bool has_error_field;
    const char *error_field; /* NULL: expected null (the record is not an object) */
    const cJSON *set;        /* the case's "set" object, or NULL */
} TestCase;

typedef struct TestFile {
    const char *path;
    char *text;
    cJSON *root;             /* the cases' names and expectations point in */
    char *policy_path;       /* the policy it names (or the one beside it) */
    TestCase *cases;
    size_t ncases;
} TestFile;

/* Read and check the test file at tf->path; false (after saying why on
 * stderr) when it cannot be read or is malformed. */
bool test_file_load(TestFile *tf);
/* Does every "set" path of tf's cases name a field the policy p declares
 * (a field, or a group of fields like `weighting`)?  A path that names none would set nothing the policy reads, and
 * the case would test nothing: false, after naming the test file, the
 * case and the path on stderr. */
bool test_file_check_sets(const TestFile *tf, const svp_policy *p, const char *policy_path);
void test_file_free(TestFile *tf);

/* ---- test_run.c ------------------------------------------------------------- */

/* A policy under test, compiled once however many test files name it, and
 * which of its record rules each evaluated case made fire (--coverage). */
typedef struct TestPolicy {
    char *path;              /* as the first test file naming it resolves it */
    bool known;              /* the file exists: it is known by device and inode, */
    dev_t dev;               /* so that it is compiled once however it is named */
    ino_t ino;
    svp_policy *p;           /* NULL when it cannot be read or does not compile */
    svp_evaluator *ev;
    const char **rules;      /* record rule ids in policy order (the policy's) */
    const char **cites;      /* the clause each cites; NULL: none */
    size_t nrules;
    unsigned char *rows;     /* one row of nrules bytes per evaluated case: 1 fired */
    size_t nrows, rowcap;
} TestPolicy;

/* The policies of one `svp test` run. */
typedef struct TestPolicies {
    TestPolicy **items;
    size_t n;
} TestPolicies;

/* The policy at path, compiled (once per run); NULL when it cannot be read
 * or does not compile, after saying why (naming testfile) on stderr. */
TestPolicy *test_policy_get(TestPolicies *all, const char *path, const char *testfile);
void test_policies_free(TestPolicies *all);

typedef struct TestRun {
    bool json;
    unsigned long passed, failed;
    cJSON *jcases;           /* --format json: every case's outcome */
} TestRun;

/* Evaluate case c of tf under pol, compare, count it in run, note it for
 * coverage, and report a failure (a text line, or a JSON entry). */
void test_run_case(TestRun *run, const TestFile *tf, const TestCase *c, TestPolicy *pol);

/* ---- test_coverage.c -------------------------------------------------------- */

/* Print (or, with run->json, add to jcov) the coverage of pol; false when
 * below min (hundredths of a per cent; negative: no minimum). */
bool test_coverage(const TestRun *run, const TestPolicy *pol, long min, cJSON *jcov);

/* A --min-coverage value: 0 to 100, up to two decimals, optional %; in
 * hundredths, or -1 when malformed. */
long test_parse_percent(const char *s);

#endif
