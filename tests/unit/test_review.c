/*
 * test_review.c - the April review through the public API: svp_diff on
 * pairs of policies that differ in one thing each, svp_impact on records
 * chosen to flip and not to flip, one record evaluated under two versions
 * from one reading (svp_evaluate_shared), the analysis codes, and the accessors
 * that pick a version (effective date, review month, dated by, rules).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "svp.h"

static const char base[] =
    "policy \"T\" version \"1\" effective 2020-04-01 review every April\n"
    "  dated by dates.publication\n"
    "parameters\n"
    "  threshold = £100,000\n"
    "enum stage in order: planning, tender\n"
    "record r\n"
    "  id    text  required\n"
    "  stage stage required\n"
    "  value money required\n"
    "  dates.publication date\n"
    "decision big \"Big\"\n"
    "  cite \"S, 1\"\n"
    "  is   value > threshold\n"
    "rule too-big \"Too big\"\n"
    "  cite    \"S, 2\"\n"
    "  when    stage >= tender\n"
    "  require value <= threshold\n"
    "  else    warning \"over {threshold}\"\n";

/* base with one piece of text replaced. */
static svp_policy *variant(const char *from, const char *to)
{
    char text[2048];
    const char *at = from ? strstr(base, from) : NULL;
    if (from)
        assert_non_null(at);
    if (at)
        snprintf(text, sizeof text, "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
    else
        snprintf(text, sizeof text, "%s", base);
    svp_diagnostics *d = NULL;
    svp_policy *p = svp_policy_compile("t.svp", text, strlen(text), NULL, &d);
    if (!p)
        fail_msg("does not compile: %s", svp_diagnostics_render(d, false));
    svp_diagnostics_free(d);
    return p;
}

/* The one change between base and the variant: kind, name, aspect, values. */
static void one_change(const char *from, const char *to, const char *kind, const char *name, const char *aspect,
                       const char *old_value, const char *new_value)
{
    svp_policy *a = variant(NULL, NULL), *b = variant(from, to);
    svp_diff *d = svp_diff_new(a, b, NULL);
    assert_non_null(d);
    assert_int_equal(svp_diff_count(d), 1);
    const svp_change *c = svp_diff_get(d, 0);
    assert_string_equal(c->kind, kind);
    assert_string_equal(c->name, name);
    if (aspect)
        assert_string_equal(c->aspect, aspect);
    if (old_value)
        assert_string_equal(c->old_value, old_value);
    if (new_value)
        assert_string_equal(c->new_value, new_value);
    svp_diff_free(d);
    svp_policy_free(a);
    svp_policy_free(b);
}

static void test_diff_one_thing_each(void **state)
{
    (void)state;
    one_change("threshold = £100,000", "threshold = £50,000", "parameter-changed", "threshold", NULL, "£100,000",
               "£50,000");
    one_change("else    warning", "else    error", "rule-changed", "too-big", "severity", "warning", "error");
    one_change("cite    \"S, 2\"", "cite    \"S, 3\"", "rule-changed", "too-big", "cite", NULL, NULL);
    one_change("when    stage >= tender", "when    stage >= planning", "rule-changed", "too-big", "when",
               "stage >= tender", "stage >= planning");
    one_change("  dates.publication date\n", "  dates.publication date required\n", "field-changed",
               "dates.publication", NULL, NULL, NULL);
}

static void test_diff_layout_and_comments_are_not_changes(void **state)
{
    (void)state;
    svp_policy *a = variant(NULL, NULL);
    svp_policy *b = variant("  require value <= threshold\n", "  # a comment\n  require   (value <= threshold)\n");
    svp_diff *d = svp_diff_new(a, b, NULL);
    assert_int_equal(svp_diff_count(d), 0);
    size_t len = 0;
    const char *text = svp_diff_text(d, &len);
    assert_non_null(strstr(text, "no differences"));
    svp_diff_free(d);
    svp_policy_free(a);
    svp_policy_free(b);
}

static void test_impact_flips_and_keeps(void **state)
{
    (void)state;
    svp_policy *a = variant(NULL, NULL), *b = variant("threshold = £100,000", "threshold = £50,000");
    svp_evaluator *ea = svp_evaluator_new(a, NULL), *eb = svp_evaluator_new(b, NULL);
    svp_impact *im = svp_impact_new(a, b, NULL);
    /* £60,000 at tender: under the old threshold, over the new: flips */
    static const char flips[] = "{\"id\":\"F\",\"stage\":\"tender\",\"value\":\"60000\"}";
    /* £20,000 is under both; £200,000 over both */
    static const char under[] = "{\"id\":\"U\",\"stage\":\"tender\",\"value\":\"20000\"}";
    static const char over[] = "{\"id\":\"O\",\"stage\":\"tender\",\"value\":\"200000\"}";
    const char *records[] = {flips, under, over};
    bool expect[] = {true, false, false};
    for (int i = 0; i < 3; i++) {
        svp_evaluate(ea, records[i], strlen(records[i]), (unsigned long)i + 1, false);
        svp_evaluate(eb, records[i], strlen(records[i]), (unsigned long)i + 1, false);
        assert_int_equal(svp_impact_add(im, ea, eb), expect[i]);
    }
    assert_int_equal(svp_impact_records(im), 3);
    assert_int_equal(svp_impact_changed(im), 1);
    size_t len = 0;
    const char *summary = svp_impact_summary_json(im, &len);
    assert_non_null(summary);
    assert_non_null(strstr(summary, "\"changed\":1"));
    svp_impact_free(im);
    svp_evaluator_free(ea);
    svp_evaluator_free(eb);
    svp_policy_free(a);
    svp_policy_free(b);
}


/* svp_evaluate_shared: the new version evaluating the record the old one
 * has just read gives, byte for byte, what evaluating the text itself
 * gives: when the two versions read records alike (the binding is taken
 * over), when they do not (a field is no longer required, an enumeration
 * gains a member, a field is added: the tree is bound again), for valid
 * records, records that fail binding and texts that are not JSON. */
static void test_shared_evaluation(void **state)
{
    (void)state;
    static const char *const records[] = {
        "{\"id\":\"F\",\"stage\":\"tender\",\"value\":\"60000\",\"dates\":{\"publication\":\"2021-05-01\"}}",
        "{\"id\":\"U\",\"stage\":\"planning\",\"value\":20000.5}",
        "{\"id\":\"M\",\"stage\":\"tender\"}",
        "{\"id\":\"T\",\"stage\":\"award\",\"value\":\"lots\",\"value\":1}",
        "{\"id\":\"N\",\"stage\":\"tender\",\"value\":100000.001}",
        "[1, 2]",
        "{\"id\": \"bad\", ",
        "{\"id\":\"E\",\"title\":\"caf\\u00e9 \\ud83d\\ude00\",\"stage\":\"tender\",\"value\":\"1\"}",
    };
    static const char *const variants[][2] = {
        {"threshold = £100,000", "threshold = £50,000"},          /* reads records alike */
        {"value money required", "value money"},                  /* not required any more */
        {"planning, tender", "planning, tender, award"},           /* a stage more */
        {"dates.publication date", "dates.publication date\n  title text"}, /* a field more */
    };
    svp_policy *a = variant(NULL, NULL);
    svp_evaluator *ea = svp_evaluator_new(a, NULL);
    for (size_t v = 0; v < sizeof variants / sizeof *variants; v++) {
        svp_policy *b = variant(variants[v][0], variants[v][1]);
        svp_evaluator *shared = svp_evaluator_new(b, NULL), *alone = svp_evaluator_new(b, NULL);
        for (int round = 0; round < 2; round++) /* the second time, the comparison of the two is kept */
            for (size_t i = 0; i < sizeof records / sizeof *records; i++) {
                const char *text = records[i];
                size_t len = strlen(text), n1 = 0, n2 = 0;
                svp_evaluate(ea, text, len, i + 1, false);
                const svp_result *r1 = svp_evaluate_shared(shared, ea, text, len, i + 1, 0);
                const svp_result *r2 = svp_evaluate_with(alone, text, len, i + 1, 0);
                const char *j1 = svp_result_json(shared, r1, &n1), *j2 = svp_result_json(alone, r2, &n2);
                assert_non_null(j1);
                assert_non_null(j2);
                if (n1 != n2 || memcmp(j1, j2, n1))
                    fail_msg("variant %zu, record %zu: shared %.*s\nalone %.*s", v, i, (int)n1, j1, (int)n2, j2);
                assert_int_equal(svp_result_error_count(r1), svp_result_error_count(r2));
                svp_evaluator_reset(shared);
            }
        /* another text than the one ea read (a copy): read, not shared */
        char copy[256];
        snprintf(copy, sizeof copy, "%s", records[0]);
        svp_evaluate(ea, records[2], strlen(records[2]), 1, false);
        const svp_result *r = svp_evaluate_shared(shared, ea, copy, strlen(copy), 1, 0);
        assert_int_equal(svp_result_status(r), svp_result_status(svp_evaluate(alone, copy, strlen(copy), 1, false)));
        assert_string_equal(svp_result_id(r), "F");
        svp_evaluator_free(shared);
        svp_evaluator_free(alone);
        svp_policy_free(b);
    }
    svp_evaluator_free(ea);
    svp_policy_free(a);
    /* `required when` reads a parameter the versions set apart: each binds
     * the record its own way (not required under one, missing under the
     * other) */
    static const char *const when_records[] = {
        "{\"id\":\"W\",\"stage\":\"tender\",\"value\":\"60000\"}",
        "{\"id\":\"X\",\"stage\":\"tender\",\"value\":\"160000\"}",
    };
    const char *when = "dates.publication date required when value > threshold";
    svp_policy *wa = variant("dates.publication date", when);
    char text[2048];
    const char *at = strstr(base, "dates.publication date"), *t = strstr(base, "threshold = £100,000");
    assert_true(t < at);
    snprintf(text, sizeof text, "%.*sthreshold = £50,000%.*s%s%s", (int)(t - base), base,
             (int)(at - t - strlen("threshold = £100,000")), t + strlen("threshold = £100,000"), when,
             at + strlen("dates.publication date"));
    svp_diagnostics *d = NULL;
    svp_policy *wb = svp_policy_compile("t.svp", text, strlen(text), NULL, &d);
    svp_diagnostics_free(d);
    assert_non_null(wa);
    assert_non_null(wb);
    svp_evaluator *ewa = svp_evaluator_new(wa, NULL), *shared = svp_evaluator_new(wb, NULL),
                  *alone = svp_evaluator_new(wb, NULL);
    for (size_t i = 0; i < 2; i++) {
        size_t len = strlen(when_records[i]), n1 = 0, n2 = 0;
        svp_evaluate(ewa, when_records[i], len, 1, false);
        const svp_result *r1 = svp_evaluate_shared(shared, ewa, when_records[i], len, 1, 0);
        const svp_result *r2 = svp_evaluate_with(alone, when_records[i], len, 1, 0);
        const char *j1 = svp_result_json(shared, r1, &n1), *j2 = svp_result_json(alone, r2, &n2);
        assert_non_null(j1);
        assert_non_null(j2);
        if (n1 != n2 || memcmp(j1, j2, n1))
            fail_msg("required when, record %zu: shared %.*s\nalone %.*s", i, (int)n1, j1, (int)n2, j2);
    }
    assert_int_equal(svp_result_status(svp_evaluate_shared(shared, ewa, when_records[0], strlen(when_records[0]), 1, 0)),
                     SVP_INVALID); /* W: £60,000 is over £50,000: the date is missing */
    svp_evaluator_free(ewa);
    svp_evaluator_free(shared);
    svp_evaluator_free(alone);
    svp_policy_free(wa);
    svp_policy_free(wb);
}

/* The analysis code the text gives, as the first warning; NULL for none. */
static void analysis(const char *from, const char *to, const char *code)
{
    char text[2048];
    const char *at = strstr(base, from);
    assert_non_null(at);
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
    svp_diagnostics *d = NULL;
    svp_policy *p = svp_policy_compile("t.svp", text, strlen(text), NULL, &d);
    assert_non_null(p);
    const char *got = NULL;
    for (size_t i = 0; i < svp_diagnostics_count(d); i++)
        if (svp_diagnostics_get(d, i)->severity == SVP_WARNING && !got)
            got = svp_diagnostics_get(d, i)->code;
    if (code)
        assert_string_equal(got ? got : "(none)", code);
    else
        assert_null(got);
    svp_diagnostics_free(d);
    svp_policy_free(p);
}

static void test_analysis_codes(void **state)
{
    (void)state;
    analysis("when    stage >= tender", "when    stage < planning", "never-applies");
    analysis("when    stage >= tender", "when    stage >= planning", "always-applies");
    analysis("require value <= threshold", "require threshold > £1", "never-fires");
    analysis("require value <= threshold", "require false", "always-fires");
    analysis("  dated by dates.publication\n", "  dated by dates.publication\n  clauses \"S, 1\", \"S, 2\", \"S, 9\"\n",
             "uncited-clause");
    analysis("cite    \"S, 2\"", "cite    \"S, 2\"", NULL); /* the base: no finding */
}

static void test_version_accessors(void **state)
{
    (void)state;
    svp_policy *p = variant(NULL, NULL);
    assert_string_equal(svp_policy_effective(p), "2020-04-01");
    assert_int_equal(svp_policy_review_month(p), 4);
    assert_int_equal(svp_policy_dated_by_count(p), 1);
    assert_string_equal(svp_policy_dated_by(p, 0), "dates.publication");
    assert_null(svp_policy_dated_by(p, 1));
    assert_int_equal(svp_policy_rule_count(p), 1);
    assert_string_equal(svp_policy_rule_id(p, 0), "too-big");
    assert_string_equal(svp_policy_rule_cite(p, 0), "S, 2");
    assert_false(svp_policy_rule_is_portfolio(p, 0));
    svp_policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff_one_thing_each),
        cmocka_unit_test(test_diff_layout_and_comments_are_not_changes),
        cmocka_unit_test(test_impact_flips_and_keeps),
        cmocka_unit_test(test_shared_evaluation),
        cmocka_unit_test(test_analysis_codes),
        cmocka_unit_test(test_version_accessors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
