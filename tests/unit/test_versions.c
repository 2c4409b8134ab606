/*
 * test_versions.c - version sets (svp_versions): the checks of versions
 * against each other (different policies, same-day versions, the review
 * due), each with its code and the file it is about; and the version in
 * force picked for each record while it is read (by its `dated by` date,
 * else as_of), with the no-version error for a record dated too early.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svp.h"

/* A version of policy NAME taking effect on DATE, with threshold LIMIT. */
static svp_policy *version(const char *name, const char *v, const char *date, const char *limit)
{
    char text[1024];
    snprintf(text, sizeof text,
             "policy \"%s\" version \"%s\" effective %s review every April dated by dates.publication, "
             "dates.engagement\n"
             "record r\n"
             "  id               text required\n"
             "  value            money required\n"
             "  dates.publication date\n"
             "  dates.engagement date\n"
             "rule big\n"
             "  cite \"A\"\n"
             "  when value > %s\n"
             "  report error \"too big\"\n",
             name, v, date, limit);
    svp_diagnostics *d = NULL;
    svp_policy *p = svp_policy_compile("v.svp", text, strlen(text), NULL, &d);
    if (!p) {
        char *r = svp_diagnostics_render(d, false);
        fail_msg("policy does not compile: %s", r);
    }
    svp_diagnostics_free(d);
    return p;
}

static const char *const FILES[] = {"a.svp", "b.svp", "c.svp"};

static const svp_diagnostic *find_code(const svp_diagnostics *d, const char *code)
{
    for (size_t i = 0; i < svp_diagnostics_count(d); i++)
        if (!strcmp(svp_diagnostics_get(d, i)->code, code))
            return svp_diagnostics_get(d, i);
    return NULL;
}

static void test_different_policies_are_an_error(void **state)
{
    (void)state;
    const svp_policy *p[2] = {version("Alpha", "1", "2020-04-01", "£100"), version("Beta", "1", "2021-04-01", "£100")};
    svp_diagnostics *d = NULL;
    svp_versions *v = svp_versions_new(p, FILES, 2, "2020-05-01", NULL, &d);
    assert_null(v);
    assert_int_equal(svp_diagnostics_errors(d), 1);
    const svp_diagnostic *g = find_code(d, "version-policy");
    assert_non_null(g);
    assert_int_equal(g->severity, SVP_ERROR);
    assert_string_equal(g->file, "b.svp");
    assert_non_null(strstr(g->message, "\"Beta\""));
    char *text = svp_diagnostics_render(d, false);
    assert_string_equal(text, "b.svp: error: this is policy \"Beta\" and a.svp is policy \"Alpha\": versions given "
                              "together must be versions of one policy\n");
    svp_string_free(text);
    svp_diagnostics_free(d);
    svp_policy_free((svp_policy *)p[0]);
    svp_policy_free((svp_policy *)p[1]);
}

static void test_same_day_is_an_error(void **state)
{
    (void)state;
    const svp_policy *p[2] = {version("P", "1", "2021-04-01", "£100"), version("P", "2", "2021-04-01", "£100")};
    svp_diagnostics *d = NULL;
    assert_null(svp_versions_new(p, FILES, 2, "2021-05-01", NULL, &d));
    const svp_diagnostic *g = find_code(d, "version-same-day");
    assert_non_null(g);
    assert_string_equal(g->file, "b.svp");
    assert_string_equal(g->message, "a.svp and b.svp both take effect on 2021-04-01: two versions of \"P\" cannot be "
                                    "in force on the same day");
    svp_diagnostics_free(d);
    svp_policy_free((svp_policy *)p[0]);
    svp_policy_free((svp_policy *)p[1]);
}

static void test_review_due_is_a_warning(void **state)
{
    (void)state;
    const svp_policy *p[2] = {version("P", "1", "2020-04-01", "£100"), version("P", "2", "2021-04-01", "£100")};
    svp_diagnostics *d = NULL;
    svp_versions *v = svp_versions_new(p, FILES, 2, "2022-03-31", NULL, &d);
    assert_non_null(v);
    assert_int_equal(svp_diagnostics_count(d), 0); /* not yet April */
    svp_diagnostics_free(d);
    svp_versions_free(v);
    v = svp_versions_new(p, FILES, 2, "2022-04-01", NULL, &d);
    assert_non_null(v); /* a warning does not stop the set */
    assert_int_equal(svp_versions_count(v), 2);
    assert_ptr_equal(svp_versions_get(v, 1), p[1]);
    assert_null(svp_versions_get(v, 2));
    const svp_diagnostic *g = find_code(d, "review-due");
    assert_non_null(g);
    assert_int_equal(g->severity, SVP_WARNING);
    assert_string_equal(g->file, "b.svp"); /* the newest version */
    assert_string_equal(g->message, "annual review due since April 2022: version 2 took effect on 2021-04-01 and no "
                                    "newer version is given");
    svp_diagnostics_free(d);
    svp_versions_free(v);
    assert_null(svp_versions_new(p, FILES, 2, "2022-13-01", NULL, &d)); /* not a date */
    assert_null(d);
    svp_policy_free((svp_policy *)p[0]);
    svp_policy_free((svp_policy *)p[1]);
}

static void test_version_in_force_for_each_record(void **state)
{
    (void)state;
    /* listed newest first: the choice is by date, not by order */
    const svp_policy *p[2] = {version("P", "2021", "2021-04-01", "£50"), version("P", "2020", "2020-04-01", "£100")};
    svp_versions *v = svp_versions_new(p, FILES, 2, "2021-05-01", NULL, NULL);
    assert_non_null(v);
    svp_evaluator *ev = svp_evaluator_new_versions(v, "2020-06-30", NULL);
    assert_non_null(ev);
    static const struct {
        const char *json, *version, *status;
    } cases[] = {
        {"{\"id\":\"A\",\"value\":60,\"dates\":{\"publication\":\"2021-04-01\"}}", "2021", "noncompliant"},
        {"{\"id\":\"B\",\"value\":60,\"dates\":{\"publication\":\"2021-03-31\"}}", "2020", "compliant"},
        {"{\"id\":\"C\",\"value\":60,\"dates\":{\"engagement\":\"2021-05-01\"}}", "2021", "noncompliant"},
        {"{\"id\":\"D\",\"value\":60,\"dates\":{\"publication\":\"2021-02-30\",\"engagement\":\"2021-05-01\"}}",
         "2021", "invalid"}, /* an impossible date is skipped for picking, then refused by binding */
        {"{\"id\":\"E\",\"value\":60}", "2020", "compliant"}, /* undated: as_of */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const svp_result *r = svp_evaluate(ev, cases[i].json, strlen(cases[i].json), i + 1, false);
        svp_status s = svp_result_status(r);
        const char *word = s == SVP_COMPLIANT ? "compliant" : s == SVP_NONCOMPLIANT ? "noncompliant" : "invalid";
        assert_string_equal(word, cases[i].status);
        assert_string_equal(svp_policy_version(svp_result_policy(r)), cases[i].version);
    }
    svp_evaluator_free(ev);
    svp_versions_free(v);
    svp_policy_free((svp_policy *)p[0]);
    svp_policy_free((svp_policy *)p[1]);
}

static void test_dated_before_every_version(void **state)
{
    (void)state;
    const svp_policy *p[2] = {version("P", "2020", "2020-04-01", "£100"), version("P", "2021", "2021-04-01", "£50")};
    svp_versions *v = svp_versions_new(p, FILES, 2, "2021-05-01", NULL, NULL);
    svp_evaluator *ev = svp_evaluator_new_versions(v, "2019-01-01", NULL);
    const char *rec = "{\"id\":\"OLD\",\"value\":60,\"dates\":{\"engagement\":\"2019-05-05\"}}";
    const svp_result *r = svp_evaluate(ev, rec, strlen(rec), 4, false);
    assert_int_equal(svp_result_status(r), SVP_INVALID);
    assert_string_equal(svp_result_error_code(r), "no-version");
    assert_string_equal(svp_result_error_field(r), "dates.engagement");
    assert_string_equal(svp_result_error_message(r),
                        "no version of the policy is in force on 2019-05-05: the earliest takes effect on 2020-04-01");
    assert_string_equal(svp_result_id(r), "OLD");
    size_t len;
    assert_string_equal(svp_result_json(ev, r, &len),
                        "{\"id\":\"OLD\",\"line\":4,\"no_version\":{\"field\":\"dates.engagement\",\"message\":"
                        "\"no version of the policy is in force on 2019-05-05: the earliest takes effect on 2020-04-01\"}}\n");
    assert_non_null(strstr(svp_result_text(ev, r, false, &len), "OLD  NO VERSION IN FORCE  (line 4)\n"));
    rec = "{\"id\":\"UNDATED\",\"value\":60}"; /* as_of is too early too: no field to name */
    r = svp_evaluate(ev, rec, strlen(rec), 5, false);
    assert_string_equal(svp_result_error_code(r), "no-version");
    assert_null(svp_result_error_field(r));
    rec = "{\"value\":60"; /* not JSON: that is what is wrong */
    r = svp_evaluate(ev, rec, strlen(rec), 6, false);
    assert_string_equal(svp_result_error_code(r), "record");
    assert_string_equal(svp_result_error_message(r),
                        "not valid JSON at line 1, column 12: the text ends before the record does: a closing brace, "
                        "bracket or quote is missing");
    assert_null(svp_evaluator_new_versions(v, "2019-02-29", NULL)); /* not a date */
    svp_evaluator_free(ev);
    svp_versions_free(v);
    svp_policy_free((svp_policy *)p[0]);
    svp_policy_free((svp_policy *)p[1]);
}

static void test_is_date(void **state)
{
    (void)state;
    assert_true(svp_is_date("2024-02-29"));
    assert_false(svp_is_date("2023-02-29"));
    assert_false(svp_is_date("2023-2-28"));
    assert_false(svp_is_date("2023-02-28x"));
    assert_false(svp_is_date(NULL));
}

/* An allocator that fails its Nth allocation (and every one after), and
 * counts what is live, for the out-of-memory loop. */
static struct {
    size_t calls, fail_at;
    long live;
} oom;

static void *failing_realloc(void *ctx, void *p, size_t old_size, size_t size)
{
    (void)ctx;
    (void)old_size;
    if (size == 0) {
        if (p)
            oom.live--;
        free(p);
        return NULL;
    }
    if (++oom.calls >= oom.fail_at)
        return NULL;
    void *q = realloc(p, size);
    if (q && !p)
        oom.live++;
    return q;
}

/* Make a version set and evaluate a record under it with allocation N
 * failing, for every N until it succeeds: each failure is clean (NULL, or
 * an invalid result saying so) and nothing is left allocated. */
static void test_out_of_memory(void **state)
{
    (void)state;
    const svp_policy *p[2] = {version("P", "2020", "2020-04-01", "£100"), version("P", "2021", "2021-04-01", "£50")};
    const svp_allocator failing = {failing_realloc, NULL};
    const char *rec = "{\"id\":\"A\",\"value\":60,\"dates\":{\"publication\":\"2021-04-01\"}}";
    bool done = false;
    for (size_t n = 1; !done && n < 10000; n++) {
        oom.calls = 0;
        oom.fail_at = n;
        oom.live = 0;
        svp_diagnostics *d = NULL;
        svp_versions *v = svp_versions_new(p, FILES, 2, "2022-05-01", &failing, &d);
        svp_evaluator *ev = v ? svp_evaluator_new_versions(v, NULL, &failing) : NULL;
        if (ev) {
            const svp_result *r = svp_evaluate(ev, rec, strlen(rec), 1, true);
            if (svp_result_status(r) == SVP_NONCOMPLIANT) {
                assert_string_equal(svp_policy_version(svp_result_policy(r)), "2021");
                size_t len;
                const char *line = svp_result_json(ev, r, &len);
                done = strstr(line, "\"version\":\"2021\"") != NULL;
            } else {
                assert_int_equal(svp_result_status(r), SVP_INVALID);
            }
        }
        if (d) { /* the warning is kept, or its loss is said */
            char *text = svp_diagnostics_render(d, false);
            assert_true(!text || strstr(text, "annual review due") || strstr(text, "out of memory"));
            free(text);
        }
        svp_evaluator_free(ev);
        svp_versions_free(v);
        svp_diagnostics_free(d);
        assert_int_equal(oom.live, 0);
    }
    assert_true(done);
    svp_policy_free((svp_policy *)p[0]);
    svp_policy_free((svp_policy *)p[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_different_policies_are_an_error),
        cmocka_unit_test(test_same_day_is_an_error),
        cmocka_unit_test(test_review_due_is_a_warning),
        cmocka_unit_test(test_version_in_force_for_each_record),
        cmocka_unit_test(test_dated_before_every_version),
        cmocka_unit_test(test_is_date),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
