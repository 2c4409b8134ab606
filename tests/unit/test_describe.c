/*
 * test_describe.c - svp_policy_describe_record: the record declaration as
 * the JSON a form is built from (svp serve's page).  Each test compiles a
 * small policy and compares the description, or the part of it that
 * matters, with the exact text expected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "svp.h"

#define HEADER "policy \"T\" version \"1\" effective 2020-04-01\n"

static svp_policy *g_policy;
static char *g_text;

static int teardown(void **state)
{
    (void)state;
    svp_policy_free(g_policy);
    svp_string_free(g_text);
    g_policy = NULL;
    g_text = NULL;
    return 0;
}

/* The description of src, which must compile. */
static const char *describe(const char *src)
{
    svp_diagnostics *d = NULL;
    g_policy = svp_policy_compile("t.svp", src, strlen(src), NULL, &d);
    svp_diagnostics_free(d);
    assert_non_null(g_policy);
    size_t len = 0;
    g_text = svp_policy_describe_record(g_policy, &len);
    assert_non_null(g_text);
    assert_int_equal(len, strlen(g_text));
    assert_int_equal(g_text[len - 1], '\n');
    return g_text;
}

static void test_fields_types_and_texts(void **state)
{
    (void)state;
    const char *out = describe(HEADER
                               "enum stage in order: planning, tender\n"
                               "enum colour: red, blue\n"
                               "object item\n"
                               "  n number required label \"N\"\n"
                               "record r\n"
                               "  id text required\n"
                               "    label \"Reference\"\n"
                               "    help  \"Like \\\"R-1\\\"\"\n"
                               "  stage stage required\n"
                               "  value money required from tender\n"
                               "  rate percent\n"
                               "  when.done date\n"
                               "  ok boolean default false\n"
                               "  colours list of colour\n"
                               "  items list of item\n"
                               "decision big \"Is it big\" is value > £10\n"
                               "decision small is not big\n"
                               "rule r-1 \"T\"\n"
                               "  cite \"S, 1\"\n"
                               "  report info \"x\"\n");
    assert_string_equal(
        out,
        "{\"policy\":{\"name\":\"T\",\"version\":\"1\",\"effective\":\"2020-04-01\"},\"record\":\"r\","
        "\"stage_field\":\"stage\",\"id_field\":\"id\",\"fields\":["
        "{\"path\":\"id\",\"type\":\"text\",\"list\":false,\"required\":true,\"required_from\":null,\"default\":null,"
        "\"label\":\"Reference\",\"help\":\"Like \\\"R-1\\\"\"},"
        "{\"path\":\"stage\",\"type\":\"enum\",\"list\":false,\"enum\":\"stage\",\"ordered\":true,"
        "\"values\":[\"planning\",\"tender\"],\"required\":true,\"required_from\":null,\"default\":null,\"label\":null,"
        "\"help\":null},"
        "{\"path\":\"value\",\"type\":\"money\",\"list\":false,\"required\":false,\"required_from\":\"tender\","
        "\"default\":null,\"label\":null,\"help\":null},"
        "{\"path\":\"rate\",\"type\":\"percent\",\"list\":false,\"required\":false,\"required_from\":null,"
        "\"default\":null,\"label\":null,\"help\":null},"
        "{\"path\":\"when.done\",\"type\":\"date\",\"list\":false,\"required\":false,\"required_from\":null,"
        "\"default\":null,\"label\":null,\"help\":null},"
        "{\"path\":\"ok\",\"type\":\"boolean\",\"list\":false,\"required\":false,\"required_from\":null,"
        "\"default\":\"false\",\"label\":null,\"help\":null},"
        "{\"path\":\"colours\",\"type\":\"enum\",\"list\":true,\"enum\":\"colour\",\"ordered\":false,"
        "\"values\":[\"red\",\"blue\"],\"required\":false,\"required_from\":null,\"default\":null,\"label\":null,"
        "\"help\":null},"
        "{\"path\":\"items\",\"type\":\"object\",\"list\":true,\"object\":\"item\",\"members\":["
        "{\"path\":\"n\",\"type\":\"number\",\"list\":false,\"required\":true,\"required_from\":null,\"default\":null,"
        "\"label\":\"N\",\"help\":null}],"
        "\"required\":false,\"required_from\":null,\"default\":null,\"label\":null,\"help\":null}],"
        "\"decisions\":[{\"name\":\"big\",\"title\":\"Is it big\"},{\"name\":\"small\",\"title\":null}],"
        "\"rules\":[{\"id\":\"r-1\",\"cite\":\"S, 1\"}]}\n");
}

/* The council's policy: every field labelled, the labels as written. */
static void test_council_policy_labels_every_field(void **state)
{
    (void)state;
    svp_diagnostics *d = NULL;
    g_policy = svp_policy_load("policies/nelc-social-value.svp", NULL, &d);
    svp_diagnostics_free(d);
    assert_non_null(g_policy);
    g_text = svp_policy_describe_record(g_policy, NULL);
    assert_non_null(g_text);
    assert_non_null(strstr(g_text, "{\"path\":\"value\",\"type\":\"money\",\"list\":false,\"required\":true,"
                                   "\"required_from\":null,\"default\":null,\"label\":\"Estimated value (excluding VAT)\","));
    assert_null(strstr(g_text, "\"label\":null"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_fields_types_and_texts, teardown),
        cmocka_unit_test_teardown(test_council_policy_labels_every_field, teardown),
    };
    return cmocka_run_group_tests_name("describe", tests, NULL, NULL) ? 1 : 0;
}
