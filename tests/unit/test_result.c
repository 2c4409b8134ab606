/*
 * test_result.c - reading a result through svp.h without parsing JSON:
 * decisions by index and by name (name, title, value as JSON and as a
 * person reads it), whether a rule fired, and what an invalid record
 * holds.  The values asserted are the ones the JSON line shows, so a
 * client reading the accessors and one reading the JSON agree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "svp.h"

static const char POLICY[] =
    "policy \"T\" version \"1\" effective 2020-04-01\n"
    "record r\n"
    "  id    text required\n"
    "  value money required\n"
    "  owner text\n"
    "decision big \"Over the threshold\"\n"
    "  is value > £100,000\n"
    "decision fee\n"
    "  is value * 10%\n"
    "decision who\n"
    "  by value\n"
    "    over £350,000 -> \"Cabinet\"\n"
    "    otherwise     -> \"Officer\"\n"
    "rule too-big \"Too big\"\n"
    "  cite \"A, 1\"\n"
    "  when big\n"
    "  report warning \"{value} is big\"\n"
    "rule has-owner\n"
    "  cite \"A, 2\"\n"
    "  require owner is present\n"
    "  else error \"no owner\"\n";

typedef struct Fixture {
    svp_policy *p;
    svp_evaluator *ev;
} Fixture;

static int setup(void **state)
{
    static Fixture f;
    svp_diagnostics *d = NULL;
    f.p = svp_policy_compile("t.svp", POLICY, sizeof POLICY - 1, NULL, &d);
    svp_diagnostics_free(d);
    f.ev = f.p ? svp_evaluator_new(f.p, NULL) : NULL;
    *state = &f;
    return f.ev ? 0 : -1;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    svp_evaluator_free(f->ev);
    svp_policy_free(f->p);
    return 0;
}

static const svp_result *eval(Fixture *f, const char *json)
{
    return svp_evaluate(f->ev, json, strlen(json), 1, false);
}

static void test_decisions_by_index(void **state)
{
    Fixture *f = *state;
    const svp_result *r = eval(f, "{\"id\":\"A\",\"value\":420000}");
    assert_int_equal(svp_result_status(r), SVP_NONCOMPLIANT);
    assert_int_equal(svp_result_decision_count(r), 3);
    assert_string_equal(svp_result_decision_name(r, 0), "big");
    assert_string_equal(svp_result_decision_title(r, 0), "Over the threshold");
    assert_null(svp_result_decision_title(r, 1)); /* fee has none */
    assert_string_equal(svp_result_decision_json(f->ev, r, 0), "true");
    assert_string_equal(svp_result_decision_text(f->ev, r, 0), "true");
    assert_string_equal(svp_result_decision_json(f->ev, r, 1), "\"42000.00\"");
    assert_string_equal(svp_result_decision_text(f->ev, r, 1), "£42,000.00");
    assert_string_equal(svp_result_decision_json(f->ev, r, 2), "\"Cabinet\"");
    assert_string_equal(svp_result_decision_text(f->ev, r, 2), "Cabinet");
    assert_null(svp_result_decision_name(r, 3));
    assert_null(svp_result_decision_json(f->ev, r, 3));
}

static void test_decision_strings_outlive_each_other(void **state)
{
    Fixture *f = *state;
    const svp_result *r = eval(f, "{\"id\":\"A\",\"value\":420000}");
    const char *a = svp_result_decision_json(f->ev, r, 1);
    const char *b = svp_result_decision_text(f->ev, r, 2);
    assert_string_equal(a, "\"42000.00\""); /* not overwritten by the second */
    assert_string_equal(b, "Cabinet");
}

static void test_decision_by_name(void **state)
{
    Fixture *f = *state;
    const svp_result *r = eval(f, "{\"id\":\"A\",\"value\":5}");
    size_t i = 99;
    assert_true(svp_result_decision_find(r, "who", &i));
    assert_int_equal(i, 2);
    assert_string_equal(svp_result_decision_json(f->ev, r, i), "\"Officer\"");
    assert_false(svp_result_decision_find(r, "nobody", &i));
    assert_false(svp_result_decision_find(r, NULL, &i));
}

static void test_rule_fired(void **state)
{
    Fixture *f = *state;
    const svp_result *r = eval(f, "{\"id\":\"A\",\"value\":420000}");
    assert_true(svp_result_rule_fired(r, "too-big"));
    assert_true(svp_result_rule_fired(r, "has-owner"));
    assert_false(svp_result_rule_fired(r, "no-such-rule"));
    r = eval(f, "{\"id\":\"A\",\"value\":5,\"owner\":\"Jo\"}");
    assert_int_equal(svp_result_status(r), SVP_COMPLIANT);
    assert_false(svp_result_rule_fired(r, "too-big"));
    assert_false(svp_result_rule_fired(r, "has-owner"));
    assert_false(svp_result_rule_fired(r, NULL));
}

/* The accessors agree with the JSON line. */
static void test_agrees_with_json(void **state)
{
    Fixture *f = *state;
    const svp_result *r = eval(f, "{\"id\":\"A\",\"value\":420000}");
    size_t len = 0;
    const char *line = svp_result_json(f->ev, r, &len);
    assert_non_null(strstr(line, "\"decisions\":{\"big\":true,\"fee\":\"42000.00\",\"who\":\"Cabinet\"}"));
    assert_non_null(strstr(line, "\"message\":\"£420,000.00 is big\""));
}

static void test_invalid_record_has_no_decisions(void **state)
{
    Fixture *f = *state;
    const svp_result *r = eval(f, "{\"id\":\"A\"}");
    assert_int_equal(svp_result_status(r), SVP_INVALID);
    assert_int_equal(svp_result_decision_count(r), 0);
    assert_null(svp_result_decision_name(r, 0));
    assert_null(svp_result_decision_json(f->ev, r, 0));
    size_t i;
    assert_false(svp_result_decision_find(r, "big", &i));
    assert_false(svp_result_rule_fired(r, "has-owner"));
    assert_string_equal(svp_result_error_field(r), "value");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decisions_by_index),
        cmocka_unit_test(test_decision_strings_outlive_each_other),
        cmocka_unit_test(test_decision_by_name),
        cmocka_unit_test(test_rule_fired),
        cmocka_unit_test(test_agrees_with_json),
        cmocka_unit_test(test_invalid_record_has_no_decisions),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
