/*
 * test_eval.c - unit tests of evaluation, seen only through svp.h.
 *
 * Three groups:
 *
 *   expressions  small policies whose rule shows one expression's value in
 *                its message ("{EXPR}") or through a decision, evaluated
 *                over small records: every expression form, three-valued
 *                logic with absent values, units and rounding, tiers,
 *                messages, results as JSON and text, arithmetic overflow.
 *   records      every way a record can be invalid (engine/record.c): the
 *                field path and the exact message, and the exact reading
 *                of numbers (their indexing must stay aligned with the
 *                record's numbers wherever they sit).
 *   memory       an allocator that counts, checks the sizes it is given
 *                back and fails on demand; cJSON is routed through it with
 *                cJSON_InitHooks (for the whole program) so the record
 *                parser's allocations count too.  The council's policy is
 *                compiled and the register evaluated while allocation N
 *                fails (only N, or every one from N on), for every N, with
 *                svp's and cJSON's allocations numbered separately; each
 *                run must end in a clean error (NULL and an out-of-memory
 *                diagnostic, or an invalid result saying memory) and leak
 *                nothing.  Then the compile alone, swept over block
 *                boundaries, and an evaluator whose memory grows many
 *                times over a record with long lists.
 *
 * Expected values are worked out from the language's rules (README, the
 * header of engine/eval.c), not copied from the program's output.  The
 * memory group reads policies/nelc-social-value.svp and
 * examples/register.jsonl: run from the repository root (or set SVP_NELC
 * and SVP_REGISTER).
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

#include <cjson/cJSON.h>

#include "svp.h"

/* ---- Fixture: one policy and one evaluator at a time -------------------- */

#define HEADER "policy \"T\" version \"1\" effective 2020-04-01\n"

/* Declarations shared by the expression tests.  Every field is optional, so
 * any of them can be left absent. */
#define DECLS                                                                 \
    "parameters\n"                                                            \
    "  cap   = £100,000\n"                                                    \
    "  rate  = 10%\n"                                                         \
    "  label = \"L\"\n"                                                       \
    "  two   = 2\n"                                                           \
    "enum size: small, medium, large\n"                                       \
    "enum stage in order: planning, tender, award\n"                          \
    "object item\n"                                                           \
    "  name   text    required\n"                                             \
    "  amount money\n"                                                        \
    "  ok     boolean\n"                                                      \
    "record r\n"                                                              \
    "  id     text\n"                                                         \
    "  a      boolean\n"                                                      \
    "  b      boolean\n"                                                      \
    "  m      money\n"                                                        \
    "  m2     money\n"                                                        \
    "  p      percent\n"                                                      \
    "  p2     percent\n"                                                      \
    "  n      number\n"                                                       \
    "  n2     number\n"                                                       \
    "  t      text\n"                                                         \
    "  t2     text\n"                                                         \
    "  d      date\n"                                                         \
    "  d2     date\n"                                                         \
    "  s      size\n"                                                         \
    "  st     stage\n"                                                        \
    "  sizes  list of size\n"                                                 \
    "  items  list of item\n"                                                 \
    "  g.x    boolean\n"                                                      \
    "  g.y    boolean\n"                                                      \
    "  g.z    boolean\n"

static svp_policy *g_policy;
static svp_diagnostics *g_diags;
static svp_evaluator *g_ev;
static char g_src[1 << 16];

/* The run of an out-of-memory loop in progress (0: none), so that a crash
 * inside one says where it was.  SVP_OOM_VERBOSE=1 prints every run. */
static size_t g_oom_run;
static const char *g_oom_loop;

static void release(void)
{
    svp_evaluator_free(g_ev);
    svp_policy_free(g_policy);
    svp_diagnostics_free(g_diags);
    g_ev = NULL;
    g_policy = NULL;
    g_diags = NULL;
}

/* After every test, and after a failed assertion jumped out of one: the
 * sanitizers then report only the engine's leaks. */
static int teardown(void **state)
{
    (void)state;
    release();
    if (g_oom_run)
        fprintf(stderr, "the out-of-memory loop (%s) stopped in the run failing allocation N=%zu\n", g_oom_loop,
                g_oom_run);
    g_oom_run = 0;
    return 0;
}

/* The rendered diagnostics, for failure messages (static storage). */
static const char *dump(const svp_diagnostics *d)
{
    static char text[4096];
    char *r = d ? svp_diagnostics_render(d, false) : NULL;
    snprintf(text, sizeof text, "%s", r ? r : "(no diagnostics)");
    svp_string_free(r);
    return text;
}

/* Compile src (it must compile) and make an evaluator for it. */
static void load(const char *src, int line)
{
    release();
    g_policy = svp_policy_compile("t.svp", src, strlen(src), NULL, &g_diags);
    if (!g_policy)
        fail_msg("line %d: the test policy does not compile:\n%s", line, dump(g_diags));
    g_ev = svp_evaluator_new(g_policy, NULL);
    assert_non_null(g_ev);
}
#define LOAD(src) load((src), __LINE__)

static const svp_result *eval_n(const char *json, size_t len) { return svp_evaluate(g_ev, json, len, 1, false); }
static const svp_result *eval(const char *json) { return eval_n(json, strlen(json)); }

static const char *status_word(svp_status s)
{
    return s == SVP_COMPLIANT ? "compliant" : s == SVP_NONCOMPLIANT ? "non-compliant" : "invalid";
}

/* A result, described for a failure message. */
static const char *describe(const svp_result *r)
{
    static char text[2048];
    if (svp_result_status(r) == SVP_INVALID) {
        snprintf(text, sizeof text, "invalid: %s: %s", svp_result_error_field(r) ? svp_result_error_field(r) : "(null)",
                 svp_result_error_message(r));
        return text;
    }
    size_t at = (size_t)snprintf(text, sizeof text, "%s", status_word(svp_result_status(r)));
    for (size_t i = 0; i < svp_result_finding_count(r) && at < sizeof text; i++)
        at += (size_t)snprintf(text + at, sizeof text - at, "; %s: %s", svp_result_finding_rule(r, i),
                               svp_result_finding_message(r, i));
    return text;
}

/* ---- Expression helpers -------------------------------------------------- */

/* The message of a rule that reports "{expr}" on the record. */
static void expect_shown(const char *expr, const char *json, const char *want, int line)
{
    snprintf(g_src, sizeof g_src, "%s%s%s%s", HEADER DECLS, "rule r \"R\"\n  cite \"c\"\n  report info \"{", expr, "}\"\n");
    load(g_src, line);
    const svp_result *r = eval(json);
    if (svp_result_status(r) != SVP_COMPLIANT || svp_result_finding_count(r) != 1)
        fail_msg("line %d: {%s} on %s: %s", line, expr, json, describe(r));
    const char *got = svp_result_finding_message(r, 0);
    if (strcmp(got, want) != 0)
        fail_msg("line %d: {%s} on %s: got \"%s\", want \"%s\"", line, expr, json, got, want);
}
#define SHOWS(expr, json, want) expect_shown((expr), (json), (want), __LINE__)

/* The same through a decision "v" (for expressions with text literals,
 * which a message's braces cannot hold). */
static void expect_decided(const char *expr, const char *json, const char *want, int line)
{
    snprintf(g_src, sizeof g_src, "%sdecision v \"V\" is %s\nrule r \"R\"\n  cite \"c\"\n  report info \"{v}\"\n",
             HEADER DECLS, expr);
    load(g_src, line);
    const svp_result *r = eval(json);
    if (svp_result_status(r) != SVP_COMPLIANT || svp_result_finding_count(r) != 1)
        fail_msg("line %d: decision %s on %s: %s", line, expr, json, describe(r));
    const char *got = svp_result_finding_message(r, 0);
    if (strcmp(got, want) != 0)
        fail_msg("line %d: decision %s on %s: got \"%s\", want \"%s\"", line, expr, json, got, want);
}
#define DECIDES(expr, json, want) expect_decided((expr), (json), (want), __LINE__)

/* Whether a rule with this `when` and `require` fires on the record:
 * "fired", "passed" (applies, requirement met) or "skipped". */
static void expect_rule(const char *when, const char *require, const char *json, const char *want, int line)
{
    snprintf(g_src, sizeof g_src, "%srule r \"R\"\n  cite \"c\"\n  when %s\n  require %s\n  else error \"no\"\n",
             HEADER DECLS, when, require);
    load(g_src, line);
    const svp_result *r = svp_evaluate(g_ev, json, strlen(json), 1, true);
    if (svp_result_status(r) == SVP_INVALID)
        fail_msg("line %d: %s", line, describe(r));
    size_t len = 0;
    const char *out = svp_result_json(g_ev, r, &len);
    bool fired = svp_result_finding_count(r) == 1;
    bool applies = strstr(out, "\"applies\":true") != NULL;
    const char *got = fired ? "fired" : applies ? "passed" : "skipped";
    if (strcmp(got, want) != 0)
        fail_msg("line %d: when %s require %s on %s: got %s, want %s", line, when, require, json, got, want);
    assert_int_equal(svp_result_status(r), fired ? SVP_NONCOMPLIANT : SVP_COMPLIANT);
}
#define RULE(when, require, json, want) expect_rule((when), (require), (json), (want), __LINE__)

/* ---- Expressions ---------------------------------------------------------- */

static void test_and_or_not_three_valued(void **state)
{
    (void)state;
    /* and: false wins over absent, from either side */
    SHOWS("a and b", "{\"a\":true,\"b\":true}", "true");
    SHOWS("a and b", "{\"a\":true,\"b\":false}", "false");
    SHOWS("a and b", "{\"a\":false,\"b\":true}", "false");
    SHOWS("a and b", "{\"a\":false}", "false");
    SHOWS("a and b", "{\"b\":false}", "false");
    SHOWS("a and b", "{\"a\":true}", "(none)");
    SHOWS("a and b", "{\"b\":true}", "(none)");
    SHOWS("a and b", "{}", "(none)");
    SHOWS("a and b", "{\"a\":null,\"b\":null}", "(none)");
    /* or: true wins over absent, from either side */
    SHOWS("a or b", "{\"a\":false,\"b\":false}", "false");
    SHOWS("a or b", "{\"a\":false,\"b\":true}", "true");
    SHOWS("a or b", "{\"a\":true}", "true");
    SHOWS("a or b", "{\"b\":true}", "true");
    SHOWS("a or b", "{\"a\":false}", "(none)");
    SHOWS("a or b", "{\"b\":false}", "(none)");
    SHOWS("a or b", "{}", "(none)");
    /* not */
    SHOWS("not a", "{\"a\":true}", "false");
    SHOWS("not a", "{\"a\":false}", "true");
    SHOWS("not a", "{}", "(none)");
    SHOWS("not (a and b)", "{\"a\":false}", "true");
    SHOWS("not not a", "{\"a\":true}", "true");
    /* the left side decides alone, even when the right would overflow */
    SHOWS("a or m + m2 > cap", "{\"a\":true,\"m\":\"92233720368547758.07\",\"m2\":1}", "true");
    SHOWS("a and m + m2 > cap", "{\"a\":false,\"m\":\"92233720368547758.07\",\"m2\":1}", "false");
    /* precedence: and binds tighter than or */
    SHOWS("a or b and g.x", "{\"a\":true,\"b\":false,\"g\":{\"x\":false}}", "true");
    SHOWS("(a or b) and g.x", "{\"a\":true,\"b\":false,\"g\":{\"x\":false}}", "false");
}

/* A rule applies only when `when` is definitely true; its requirement is
 * met only when definitely true. */
static void test_when_and_require_with_absent_values(void **state)
{
    (void)state;
    RULE("a", "b", "{\"a\":true,\"b\":true}", "passed");
    RULE("a", "b", "{\"a\":true,\"b\":false}", "fired");
    RULE("a", "b", "{\"a\":true}", "fired");          /* cannot check: fires */
    RULE("a", "b", "{\"b\":false}", "skipped");        /* may not apply: skipped */
    RULE("a", "b", "{\"a\":false,\"b\":false}", "skipped");
    RULE("m > cap", "p >= rate", "{\"m\":\"100000.01\"}", "fired");
    RULE("m > cap", "p >= rate", "{\"m\":\"100000.01\",\"p\":10}", "passed");
    RULE("m > cap", "p >= rate", "{\"m\":\"100000.00\",\"p\":0}", "skipped");
    RULE("not a", "b or g.x", "{\"a\":false,\"g\":{\"x\":true}}", "passed");
    RULE("not a", "b or g.x", "{\"a\":false,\"b\":false}", "fired");
}

static void test_comparisons(void **state)
{
    (void)state;
    SHOWS("m > cap", "{\"m\":100000}", "false");
    SHOWS("m > cap", "{\"m\":100000.01}", "true");
    SHOWS("m >= cap", "{\"m\":100000}", "true");
    SHOWS("m >= cap", "{\"m\":\"99999.99\"}", "false");
    SHOWS("m < cap", "{\"m\":\"99999.99\"}", "true");
    SHOWS("m < cap", "{\"m\":100000}", "false");
    SHOWS("m <= cap", "{\"m\":100000}", "true");
    SHOWS("m <= cap", "{\"m\":\"100000.01\"}", "false");
    SHOWS("m = m2", "{\"m\":\"5.10\",\"m2\":5.1}", "true");
    SHOWS("m != m2", "{\"m\":\"5.10\",\"m2\":5.1}", "false");
    SHOWS("m != m2", "{\"m\":5,\"m2\":6}", "true");
    SHOWS("m = m2", "{\"m\":5}", "(none)");
    SHOWS("m > cap", "{}", "(none)");
    SHOWS("m != m2", "{\"m2\":5}", "(none)");
    SHOWS("p = rate", "{\"p\":1e1}", "true");
    SHOWS("n > 2.5", "{\"n\":2.51}", "true");
    SHOWS("n = two", "{\"n\":2}", "true");
    /* dates, enumerations, booleans, text */
    SHOWS("d < d2", "{\"d\":\"2024-02-29\",\"d2\":\"2024-03-01\"}", "true");
    SHOWS("d < d2", "{\"d\":\"2024-03-01\",\"d2\":\"2024-03-01\"}", "false");
    SHOWS("d >= 2024-03-01", "{\"d\":\"2024-03-01\"}", "true");
    SHOWS("d < d2", "{\"d\":\"2024-03-01\"}", "(none)");
    SHOWS("st >= tender", "{\"st\":\"award\"}", "true");
    SHOWS("st >= tender", "{\"st\":\"planning\"}", "false");
    SHOWS("st > stage.planning", "{\"st\":\"tender\"}", "true");
    SHOWS("s = small", "{\"s\":\"small\"}", "true");
    SHOWS("s != small", "{\"s\":\"large\"}", "true");
    SHOWS("a = b", "{\"a\":false,\"b\":false}", "true");
    SHOWS("a != b", "{\"a\":true,\"b\":false}", "true");
    SHOWS("t = t2", "{\"t\":\"abc\",\"t2\":\"abc\"}", "true");
    SHOWS("t = t2", "{\"t\":\"abc\",\"t2\":\"abd\"}", "false");
    SHOWS("t = t2", "{\"t\":\"abc\",\"t2\":\"ab\"}", "false");
    DECIDES("t = \"x y\"", "{\"t\":\"x y\"}", "true");
    DECIDES("t != \"\"", "{\"t\":\"\"}", "false");
    DECIDES("t = label", "{\"t\":\"L\"}", "true");
}

static void test_arithmetic_units_and_rounding(void **state)
{
    (void)state;
    SHOWS("m + m2", "{\"m\":0.1,\"m2\":0.2}", "£0.30");
    SHOWS("m + m2", "{\"m\":\"999999.99\",\"m2\":0.01}", "£1,000,000.00");
    SHOWS("m - m2", "{\"m\":5,\"m2\":10}", "-£5.00");
    SHOWS("m - cap", "{\"m\":100000.5}", "£0.50");
    SHOWS("m + m2", "{\"m\":5}", "(none)");
    SHOWS("m - m2", "{\"m2\":5}", "(none)");
    SHOWS("p + p2", "{\"p\":30,\"p2\":59.99}", "89.99%");
    SHOWS("p + p2 + rate", "{\"p\":30,\"p2\":59.99}", "99.99%");
    SHOWS("p - p2", "{\"p\":10,\"p2\":12.5}", "-2.5%");
    SHOWS("n + n2", "{\"n\":0.5,\"n2\":2}", "2.5");
    /* money * percent is money, rounded to the penny, halves away from zero */
    SHOWS("m * rate", "{\"m\":0.05}", "£0.01");         /* 0.5p */
    SHOWS("m * rate", "{\"m\":0.04}", "£0.00");         /* 0.4p */
    SHOWS("m * rate", "{\"m\":0.15}", "£0.02");         /* 1.5p */
    SHOWS("m * rate", "{\"m\":333.33}", "£33.33");      /* 3333.3p */
    SHOWS("m * p", "{\"m\":123.45,\"p\":12.5}", "£15.43"); /* 1543.125p */
    SHOWS("m * p", "{\"m\":1,\"p\":0.5}", "£0.01");     /* 0.5p */
    SHOWS("m * p", "{\"m\":0.05,\"p\":50}", "£0.03");   /* 2.5p */
    SHOWS("p * m", "{\"m\":0.05,\"p\":50}", "£0.03");   /* either order */
    SHOWS("m * p", "{\"m\":420000,\"p\":100}", "£420,000.00");
    SHOWS("m * p", "{\"m\":420000,\"p\":0}", "£0.00");
    SHOWS("m * p", "{\"m\":1}", "(none)");
    /* a plain number keeps the unit of the other side */
    SHOWS("n * m", "{\"n\":2.5,\"m\":10}", "£25.00");
    SHOWS("m * n", "{\"n\":0.33,\"m\":0.05}", "£0.02"); /* 1.65p */
    SHOWS("m * 2", "{\"m\":0.05}", "£0.10");
    SHOWS("n * p", "{\"n\":2,\"p\":10}", "20%");
    SHOWS("p * n", "{\"n\":0.5,\"p\":0.01}", "0.01%");  /* 0.005 -> 0.01 */
    SHOWS("n * n2", "{\"n\":2.5,\"n2\":2.5}", "6.25");
    SHOWS("n * n2", "{\"n\":0.01,\"n2\":0.49}", "0.0049"); /* numbers keep four decimals */
    SHOWS("n * n2", "{\"n\":0.0001,\"n2\":0.49}", "0");  /* 0.000049 */
    SHOWS("n * n2", "{\"n\":0.0001,\"n2\":0.5}", "0.0001"); /* 0.00005: half away */
    SHOWS("n * n2", "{\"n\":0.125,\"n2\":0.5}", "0.0625");
    SHOWS("two * rate", "{}", "20%");
    SHOWS("m * rate + m2", "{\"m\":100,\"m2\":0.01}", "£10.01");
    SHOWS("m2 + m * rate", "{\"m\":100,\"m2\":0.01}", "£10.01"); /* * binds tighter */
}

/* The units of issue 11 through the evaluator: every value worked out by
 * hand in its comment. */
static void test_units(void **state)
{
    (void)state;
    SHOWS("p * p2", "{\"p\":10,\"p2\":40}", "4%");              /* 10% of 40% */
    SHOWS("p * p2", "{\"p\":12.5,\"p2\":33.33}", "4.17%");      /* 4.16625% */
    SHOWS("p * p2", "{\"p\":10}", "(none)");
    SHOWS("m / n rounded down", "{\"m\":1000,\"n\":12}", "£83.33");
    SHOWS("m / n rounded up", "{\"m\":1000,\"n\":12}", "£83.34");
    SHOWS("m / n rounded to nearest", "{\"m\":0.18,\"n\":12}", "£0.02"); /* 1.5p */
    SHOWS("m / m2 rounded down", "{\"m\":1,\"m2\":3}", "33.33%");
    SHOWS("m / m2 rounded up", "{\"m\":1,\"m2\":3}", "33.34%");
    SHOWS("p / p2 rounded down", "{\"p\":10,\"p2\":40}", "0.25");
    SHOWS("m / p rounded down", "{\"m\":40,\"p\":40}", "£100.00");
    SHOWS("n / n2 rounded down", "{\"n\":1,\"n2\":16}", "0.0625");
    SHOWS("n / n2 rounded down", "{\"n\":1,\"n2\":3}", "0.3333");
    SHOWS("n / n2 rounded up", "{\"n\":1,\"n2\":3}", "0.3334");
    SHOWS("m / n rounded down", "{\"m\":1000}", "(none)");
    SHOWS("months from d to d2", "{\"d\":\"2025-01-31\",\"d2\":\"2025-02-28\"}", "1");
    SHOWS("days from d to d2", "{\"d\":\"2024-02-28\",\"d2\":\"2024-03-01\"}", "2"); /* leap day */
    SHOWS("days from d to d2", "{\"d\":\"2024-02-28\"}", "(none)");
    SHOWS("min(m, m2, £5)", "{\"m\":10,\"m2\":3}", "£3.00");
    SHOWS("max(p, p2)", "{\"p\":10,\"p2\":12.5}", "12.5%");
    SHOWS("max(d, d2)", "{\"d\":\"2024-02-28\",\"d2\":\"2020-01-01\"}", "2024-02-28");
    SHOWS("min(m, m2)", "{\"m\":10}", "(none)");
    SHOWS("s not in [small, medium]", "{\"s\":\"large\"}", "true");
    SHOWS("s not in [small, medium]", "{\"s\":\"small\"}", "false");
    SHOWS("s not in [small, medium]", "{}", "(none)");                /* as `in` is */
    SHOWS("small not in sizes", "{\"sizes\":[\"large\"]}", "true");
    SHOWS("small not in sizes", "{}", "true");                        /* `in` is false */
    SHOWS("not s not in [small]", "{\"s\":\"small\"}", "true");   /* not (s not in [small]) */
    SHOWS("n * 0.0625", "{\"n\":2}", "0.125");
}

static void test_in_lists(void **state)
{
    (void)state;
    SHOWS("s in [small, medium]", "{\"s\":\"medium\"}", "true");
    SHOWS("s in [small, medium]", "{\"s\":\"large\"}", "false");
    SHOWS("s in [small, medium]", "{}", "(none)");
    SHOWS("s in []", "{\"s\":\"large\"}", "false");
    SHOWS("small in sizes", "{\"sizes\":[\"large\",\"small\"]}", "true");
    SHOWS("small in sizes", "{\"sizes\":[\"large\"]}", "false");
    SHOWS("small in sizes", "{\"sizes\":[]}", "false");
    SHOWS("small in sizes", "{}", "false");          /* an absent list holds nothing */
    SHOWS("s in sizes", "{\"sizes\":[\"large\"]}", "(none)");
    SHOWS("s in sizes", "{\"s\":\"large\",\"sizes\":[null,\"large\"]}", "true");
    SHOWS("m in [cap, £5]", "{\"m\":5}", "true");
    SHOWS("m in [m2, £5]", "{\"m\":6}", "false");    /* an absent item matches nothing */
    SHOWS("m in [m2, £5]", "{\"m\":6,\"m2\":6}", "true");
    SHOWS("d in [2024-01-01, d2]", "{\"d\":\"2024-01-01\"}", "true");
    SHOWS("st in [tender, award]", "{\"st\":\"award\"}", "true");
    SHOWS("a in [true]", "{\"a\":false}", "false");
    DECIDES("t in [\"a\", \"b\"]", "{\"t\":\"b\"}", "true");
    DECIDES("t in [\"a\", \"b\"]", "{\"t\":\"bb\"}", "false");
    DECIDES("t in [label, t2]", "{\"t\":\"L\"}", "true");
    SHOWS("n in [1, 2.5]", "{\"n\":2.50}", "true");
}

static void test_present_and_blank(void **state)
{
    (void)state;
    SHOWS("m is present", "{\"m\":0}", "true");
    SHOWS("m is present", "{\"m\":null}", "false");
    SHOWS("m is present", "{}", "false");
    SHOWS("m is not present", "{}", "true");
    SHOWS("m is not present", "{\"m\":1}", "false");
    SHOWS("a is present", "{\"a\":false}", "true");
    SHOWS("sizes is present", "{\"sizes\":[]}", "true");
    SHOWS("sizes is present", "{}", "false");
    SHOWS("t is blank", "{}", "true");
    SHOWS("t is blank", "{\"t\":null}", "true");
    SHOWS("t is blank", "{\"t\":\"\"}", "true");
    SHOWS("t is blank", "{\"t\":\" \\t\\r\\n \"}", "true");
    SHOWS("t is blank", "{\"t\":\"  x \"}", "false");
    SHOWS("t is not blank", "{\"t\":\"x\"}", "true");
    SHOWS("t is not blank", "{\"t\":\"\\n\"}", "false");
    SHOWS("t is not blank", "{}", "false");
    SHOWS("t is blank", "{\"t\":\"\\u00a0\"}", "false"); /* only ASCII white space is blank */
}

static void test_if_then_else(void **state)
{
    (void)state;
    SHOWS("if a then m else m2", "{\"a\":true,\"m\":1,\"m2\":2}", "£1.00");
    SHOWS("if a then m else m2", "{\"a\":false,\"m\":1,\"m2\":2}", "£2.00");
    SHOWS("if a then m else m2", "{\"m\":1,\"m2\":2}", "(none)");
    SHOWS("if a then m else m2", "{\"a\":true,\"m2\":2}", "(none)");
    SHOWS("if a and b then rate else 0%", "{\"a\":false}", "0%");
    SHOWS("if m > cap then rate else 0%", "{\"m\":100000}", "0%");
    SHOWS("if a then (if b then 1 else 2) else 3", "{\"a\":true,\"b\":false}", "2");
    DECIDES("if s = large then \"big\" else label", "{\"s\":\"small\"}", "L");
    DECIDES("if s = large then \"big\" else label", "{\"s\":\"large\"}", "big");
    /* the branch not taken is not evaluated: its overflow does not count */
    SHOWS("if a then m + m2 else m", "{\"a\":false,\"m\":\"92233720368547758.07\",\"m2\":1}",
          "£92,233,720,368,547,758.07");
}

#define ITEMS3                                                                \
    "\"items\":[{\"name\":\"a\",\"amount\":6,\"ok\":true},"                 \
    "{\"name\":\"b\",\"amount\":\"5.50\",\"ok\":false},null,{\"name\":\"c\"}]"

static void test_count_and_sum(void **state)
{
    (void)state;
    SHOWS("count of sizes", "{\"sizes\":[\"small\",null,\"large\",\"small\"]}", "3");
    SHOWS("count of sizes", "{\"sizes\":[]}", "0");
    SHOWS("count of sizes", "{}", "0");
    SHOWS("count of sizes > 2", "{\"sizes\":[\"small\",\"large\",\"small\"]}", "true");
    SHOWS("count of items", "{" ITEMS3 "}", "3");
    SHOWS("count of items.amount", "{" ITEMS3 "}", "2");  /* c has no amount */
    SHOWS("count of items.ok", "{" ITEMS3 "}", "2");
    SHOWS("count of g", "{\"g\":{\"x\":true,\"z\":false}}", "2");
    SHOWS("count of g", "{}", "0");
    SHOWS("count of [m, m2, cap]", "{\"m\":1}", "2");
    SHOWS("sum of items.amount", "{" ITEMS3 "}", "£11.50");
    SHOWS("sum of items.amount", "{\"items\":[]}", "£0.00");
    SHOWS("sum of items.amount", "{\"items\":[{\"name\":\"a\"}]}", "£0.00");
    SHOWS("sum of items.amount", "{}", "£0.00");
    SHOWS("sum of [m, m2]", "{\"m\":1.25,\"m2\":2}", "£3.25");
    SHOWS("sum of [p, p2, rate]", "{\"p\":30,\"p2\":59.99}", "99.99%");
    SHOWS("sum of [n, 1.5]", "{\"n\":2}", "3.5");
    SHOWS("sum of items.amount > £11.49", "{" ITEMS3 "}", "true");
    SHOWS("items.amount", "{" ITEMS3 "}", "£6.00, £5.50");
    SHOWS("items.name", "{" ITEMS3 "}", "a, b, c");
    SHOWS("items.amount", "{}", "(none)");
    SHOWS("items", "{\"items\":[{\"name\":\"a\"}]}", "(item)");
    SHOWS("sizes", "{\"sizes\":[\"small\",\"large\"]}", "small, large");
    SHOWS("sizes", "{\"sizes\":[]}", "(none)");
    SHOWS("[m, m2]", "{\"m\":1}", "£1.00, (none)");
}

static void test_all_any_names(void **state)
{
    (void)state;
    SHOWS("all of g are true", "{\"g\":{\"x\":true,\"y\":true,\"z\":true}}", "true");
    SHOWS("all of g are true", "{\"g\":{\"x\":true,\"y\":false,\"z\":true}}", "false");
    SHOWS("all of g are true", "{\"g\":{\"x\":true,\"y\":true}}", "false"); /* absent is not true */
    SHOWS("all of g are false", "{\"g\":{\"x\":false,\"y\":false,\"z\":false}}", "true");
    SHOWS("all of g are false", "{}", "false");
    SHOWS("any of g are true", "{\"g\":{\"y\":true}}", "true");
    SHOWS("any of g are true", "{\"g\":{\"x\":false}}", "false");
    SHOWS("any of g are false", "{\"g\":{\"z\":false}}", "true");
    SHOWS("any of g are false", "{}", "false");
    SHOWS("names of g that are false", "{\"g\":{\"x\":false,\"y\":true,\"z\":false}}", "x, z");
    SHOWS("names of g that are false", "{\"g\":{\"x\":true,\"y\":true,\"z\":true}}", "(none)");
    SHOWS("names of g that are false", "{\"g\":{\"x\":true}}", "(none)"); /* absent is not false */
    SHOWS("names of g that are true", "{\"g\":{\"y\":true,\"z\":true}}", "y, z");
    SHOWS("count of names of g that are true", "{\"g\":{\"y\":true,\"z\":true}}", "2");
    /* over a list of booleans (a projection) */
    SHOWS("all of items.ok are true", "{\"items\":[{\"name\":\"a\",\"ok\":true},{\"name\":\"b\"}]}", "true");
    SHOWS("all of items.ok are true", "{" ITEMS3 "}", "false");
    SHOWS("any of items.ok are false", "{" ITEMS3 "}", "true");
    SHOWS("any of items.ok are false", "{\"items\":[]}", "false");
    SHOWS("all of items.ok are true", "{\"items\":[]}", "true");
    SHOWS("all of items.ok are true", "{}", "(none)");
    SHOWS("any of items.ok are true", "{}", "(none)");
}

#define TIERS                                                                 \
    "decision band \"Band\"\n"                                                \
    "  cite \"Tiers\"\n"                                                      \
    "  by   m\n"                                                              \
    "    over cap     -> \"big\"\n"                                           \
    "    from £50,000 -> \"mid\"\n"                                           \
    "    otherwise    -> \"small\"\n"                                         \
    "decision cut \"Cut\"\n"                                              \
    "  by   p\n"                                                              \
    "    from 50%     -> m * p\n"                                             \
    "    over rate    -> m * rate\n"                                          \
    "    otherwise    -> £0\n"                                                \
    "rule r \"R\"\n"                                                          \
    "  cite \"c\"\n"                                                          \
    "  report info \"{band} {cut}\"\n"

static void expect_tiers(const char *json, const char *want, int line)
{
    load(HEADER DECLS TIERS, line);
    const svp_result *r = eval(json);
    if (svp_result_finding_count(r) != 1 || strcmp(svp_result_finding_message(r, 0), want) != 0)
        fail_msg("line %d: %s: got %s, want \"%s\"", line, json, describe(r), want);
}

static void test_tiers(void **state)
{
    (void)state;
    expect_tiers("{\"m\":\"100000.01\"}", "big (none)", __LINE__);
    expect_tiers("{\"m\":100000}", "mid (none)", __LINE__); /* over is strict */
    expect_tiers("{\"m\":50000}", "mid (none)", __LINE__);  /* from is not */
    expect_tiers("{\"m\":\"49999.99\"}", "small (none)", __LINE__);
    expect_tiers("{\"m\":0}", "small (none)", __LINE__);
    expect_tiers("{}", "(none) (none)", __LINE__);
    expect_tiers("{\"m\":1000,\"p\":50}", "small £500.00", __LINE__);
    expect_tiers("{\"m\":1000,\"p\":49.99}", "small £100.00", __LINE__);
    expect_tiers("{\"m\":1000,\"p\":10.01}", "small £100.00", __LINE__);
    expect_tiers("{\"m\":1000,\"p\":10}", "small £0.00", __LINE__);
    expect_tiers("{\"p\":60}", "(none) (none)", __LINE__);
    /* decisions as JSON: money plain, text as text, absent as null */
    load(HEADER DECLS TIERS, __LINE__);
    size_t len = 0;
    const char *out = svp_result_json(g_ev, eval("{\"m\":\"100000.01\",\"p\":50}"), &len);
    assert_non_null(strstr(out, "\"decisions\":{\"band\":\"big\",\"cut\":\"50000.01\"}"));
}

static void test_messages(void **state)
{
    (void)state;
    LOAD(HEADER DECLS
         "decision big \"Big\" is m > cap\n"
         "rule r \"R\"\n"
         "  cite \"c\"\n"
         "  when big\n"
         "  report warning \"{m} over {cap} ({rate}, {label}, {two}); {p}; {d}; {s}; {t}; {big}; {sizes}; {a}: \\{not}\"\n");
    const svp_result *r = eval("{\"m\":148000,\"p\":12.5,\"d\":\"2020-02-29\",\"s\":\"large\",\"t\":\"a \\\"b\\\"\","
                               "\"sizes\":[\"small\"]}");
    assert_int_equal(svp_result_status(r), SVP_COMPLIANT); /* a warning only */
    assert_int_equal(svp_result_finding_count(r), 1);
    /* a parameter as the policy writes it; the record's values exactly */
    assert_string_equal(svp_result_finding_message(r, 0),
                        "£148,000.00 over £100,000 (10%, L, 2); 12.5%; 2020-02-29; large; a \"b\"; true; small; (none): {not}");
    assert_string_equal(svp_result_finding_severity(r, 0), "warning");
    assert_string_equal(svp_result_finding_rule(r, 0), "r");
    assert_string_equal(svp_result_finding_cite(r, 0), "c");
    r = eval("{\"m\":100000}");
    assert_int_equal(svp_result_finding_count(r), 0);
    assert_int_equal(svp_result_status(r), SVP_COMPLIANT);
}

static void test_severities_order_and_status(void **state)
{
    (void)state;
    LOAD(HEADER DECLS
         "rule first-info \"I\"\n  cite \"c1\"\n  when a\n  report info \"info\"\n"
         "rule second-error \"E\"\n  cite \"c2\"\n  require b\n  else error \"error\"\n"
         "rule third-warning \"W\"\n  cite \"c3\"\n  when a or b\n  report warning \"warning\"\n");
    const svp_result *r = eval("{\"id\":\"X-1\",\"a\":true,\"b\":false}");
    assert_int_equal(svp_result_status(r), SVP_NONCOMPLIANT);
    assert_string_equal(svp_result_id(r), "X-1");
    assert_int_equal(svp_result_line(r), 1);
    assert_null(svp_result_error_field(r));
    assert_null(svp_result_error_message(r));
    assert_int_equal(svp_result_finding_count(r), 3);
    const char *want[][4] = {{"first-info", "info", "info", "c1"},
                             {"second-error", "error", "error", "c2"},
                             {"third-warning", "warning", "warning", "c3"}};
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(svp_result_finding_rule(r, i), want[i][0]);
        assert_string_equal(svp_result_finding_severity(r, i), want[i][1]);
        assert_string_equal(svp_result_finding_message(r, i), want[i][2]);
        assert_string_equal(svp_result_finding_cite(r, i), want[i][3]);
    }
    /* out of range */
    assert_null(svp_result_finding_rule(r, 3));
    assert_null(svp_result_finding_severity(r, 3));
    assert_null(svp_result_finding_message(r, 3));
    assert_null(svp_result_finding_cite(r, 3));
    r = eval("{\"a\":true,\"b\":true}");
    assert_int_equal(svp_result_status(r), SVP_COMPLIANT);
    assert_null(svp_result_id(r));
    assert_int_equal(svp_result_finding_count(r), 2);
    assert_string_equal(svp_result_finding_rule(r, 1), "third-warning");
    /* an id that is not text is no id */
    r = eval("{\"id\":5,\"a\":false,\"b\":true}");
    assert_int_equal(svp_result_status(r), SVP_INVALID); /* id is declared text */
    assert_null(svp_result_id(r));
    r = svp_evaluate(g_ev, "{\"b\":true}", 10, 42, false);
    assert_int_equal(svp_result_line(r), 42);
}

/* Defaults fill absent fields (and null ones); a present value wins. */
static void test_defaults(void **state)
{
    (void)state;
    LOAD(HEADER
         "record r\n"
         "  opt  boolean default true\n"
         "  note text    default \"none\"\n"
         "  fee  money   default £5\n"
         "  pc   percent default 12.5%\n"
         "  day  date    default 2020-01-31\n"
         "rule r \"R\"\n  cite \"c\"\n  report info \"{opt} {note} {fee} {pc} {day} {fee * pc}\"\n");
    const svp_result *r = eval("{\"note\":null}");
    assert_string_equal(svp_result_finding_message(r, 0), "true none £5.00 12.5% 2020-01-31 £0.63");
    r = eval("{\"opt\":false,\"note\":\"x\",\"fee\":1,\"pc\":50,\"day\":\"2021-12-31\"}");
    assert_string_equal(svp_result_finding_message(r, 0), "false x £1.00 50% 2021-12-31 £0.50");
}

/* ---- Results as JSON and text -------------------------------------------- */

#define SMALL                                                                 \
    HEADER                                                                    \
    "parameters\n"                                                            \
    "  cap = £100\n"                                                          \
    "enum size: small, large\n"                                               \
    "record r\n"                                                              \
    "  id    text required\n"                                                 \
    "  m     money\n"                                                         \
    "  p     percent\n"                                                       \
    "  s     size\n"                                                          \
    "  t     text\n"                                                          \
    "  g.x   boolean\n"                                                       \
    "  g.y   boolean\n"                                                       \
    "decision big \"Big\"\n  cite \"D1\"\n  is m > cap\n"                     \
    "decision size \"Size\"\n  cite \"D2\"\n  is s\n"                         \
    "decision fee \"Fee\"\n  cite \"D3\"\n  is m * p\n"                       \
    "rule over-cap \"Over\"\n"                                                \
    "  cite    \"S 1\"\n"                                                     \
    "  when    big\n"                                                         \
    "  require p >= 10%\n"                                                    \
    "  else    error \"{m} needs {p} >= 10% \\\"quoted\\\"\"\n"               \
    "  because m, p\n"                                                        \
    "rule flags \"Flags\"\n"                                                  \
    "  cite    \"S 2\"\n"                                                     \
    "  require all of g are true\n"                                           \
    "  else    warning \"not: {names of g that are false}\"\n"                \
    "rule note \"Note\"\n"                                                    \
    "  cite    \"S 3\"\n"                                                     \
    "  when    t is not blank\n"                                              \
    "  report  info \"{t}\"\n"

static void test_result_json_bytes(void **state)
{
    (void)state;
    LOAD(SMALL);
    size_t len = 0;
    const svp_result *r = eval("{\"id\":\"A\\\"1\",\"m\":\"150.5\",\"p\":5,\"s\":\"large\",\"g\":{\"x\":true,\"y\":false}}");
    const char *out = svp_result_json(g_ev, r, &len);
    const char *want =
        "{\"id\":\"A\\\"1\",\"policy\":{\"name\":\"T\",\"version\":\"1\"},\"compliant\":false,"
        "\"decisions\":{\"big\":true,\"size\":\"large\",\"fee\":\"7.53\"},"
        "\"findings\":[{\"rule\":\"over-cap\",\"severity\":\"error\",\"message\":\"£150.50 needs 5% >= 10% \\\"quoted\\\"\","
        "\"cite\":\"S 1\",\"because\":{\"m\":\"£150.50\",\"p\":\"5%\"}},"
        "{\"rule\":\"flags\",\"severity\":\"warning\",\"message\":\"not: y\",\"cite\":\"S 2\","
        "\"because\":{\"g.x\":true,\"g.y\":false}}]}\n";
    assert_string_equal(out, want);
    assert_int_equal(len, strlen(want));

    /* compliant, absent values as null, a text finding with escapes */
    r = eval("{\"id\":\"B\",\"g\":{\"x\":true,\"y\":true},\"t\":\"tab\\tnew\\nline\\u0001\"}");
    out = svp_result_json(g_ev, r, &len);
    want = "{\"id\":\"B\",\"policy\":{\"name\":\"T\",\"version\":\"1\"},\"compliant\":true,"
           "\"decisions\":{\"big\":null,\"size\":null,\"fee\":null},"
           "\"findings\":[{\"rule\":\"note\",\"severity\":\"info\",\"message\":\"tab\\tnew\\nline\\u0001\","
           "\"cite\":\"S 3\",\"because\":{\"t\":\"tab\\tnew\\nline\\u0001\"}}]}\n";
    assert_string_equal(out, want);
    assert_int_equal(len, strlen(want));

    /* invalid: line, field and message; the id when it could be read */
    r = svp_evaluate(g_ev, "{\"id\":\"C\",\"m\":-1}", strlen("{\"id\":\"C\",\"m\":-1}"), 7, false);
    out = svp_result_json(g_ev, r, &len);
    want = "{\"id\":\"C\",\"line\":7,\"error\":{\"field\":\"m\",\"message\":"
           "\"expected money: pounds, not negative, to the penny, got -1\"},"
           "\"errors\":[{\"field\":\"m\",\"message\":\"expected money: pounds, not negative, to the penny, got -1\"}]}\n";
    assert_string_equal(out, want);
    assert_int_equal(len, strlen(want));
    r = svp_evaluate(g_ev, "[]", 2, 3, false);
    out = svp_result_json(g_ev, r, &len);
    assert_string_equal(out, "{\"id\":null,\"line\":3,\"error\":{\"field\":null,\"message\":"
                             "\"expected a JSON object for the record\"},\"errors\":[{\"field\":null,"
                             "\"message\":\"expected a JSON object for the record\"}]}\n");
}

static void test_result_json_trace(void **state)
{
    (void)state;
    LOAD(SMALL);
    size_t len = 0;
    const char *json = "{\"id\":\"A\",\"m\":50,\"g\":{\"x\":true,\"y\":true}}";
    const svp_result *r = svp_evaluate(g_ev, json, strlen(json), 1, true);
    const char *out = svp_result_json(g_ev, r, &len);
    const char *want =
        "{\"id\":\"A\",\"policy\":{\"name\":\"T\",\"version\":\"1\"},\"compliant\":true,"
        "\"decisions\":{\"big\":false,\"size\":null,\"fee\":null},\"findings\":[],"
        "\"trace\":[{\"rule\":\"over-cap\",\"applies\":false,\"requirement\":null,\"fired\":false,\"read\":{\"p\":null}},"
        "{\"rule\":\"flags\",\"applies\":true,\"requirement\":true,\"fired\":false,\"read\":{\"g.x\":true,\"g.y\":true}},"
        "{\"rule\":\"note\",\"applies\":false,\"requirement\":null,\"fired\":false,\"read\":{\"t\":null}}]}\n";
    assert_string_equal(out, want);
}

static void test_result_text(void **state)
{
    (void)state;
    LOAD(SMALL);
    size_t len = 0;
    const char *json = "{\"id\":\"A\",\"m\":150.5,\"p\":5,\"g\":{\"x\":true}}";
    const svp_result *r = svp_evaluate(g_ev, json, strlen(json), 1, true);
    const char *out = svp_result_text(g_ev, r, false, &len);
    const char *want = "A  NON-COMPLIANT  under T 1\n"
                       "  error    over-cap: £150.50 needs 5% >= 10% \"quoted\"\n"
                       "           cite: S 1\n"
                       "  warning  flags: not: (none)\n"
                       "           cite: S 2\n"
                       "  decisions:\n"
                       "    Big: true  (big)\n"
                       "    Size: (none)  (size)\n"
                       "    Fee: £7.53  (fee)\n"
                       "  explanation:\n"
                       "    over-cap                 FIRED; read p = 5%\n"
                       "    flags                    FIRED; read g.x = true, g.y = (none)\n"
                       "    note                     does not apply; read t = (none)\n"
                       "\n";
    assert_string_equal(out, want);
    assert_int_equal(len, strlen(want));
    out = svp_result_text(g_ev, r, true, &len);
    assert_non_null(strstr(out, "\033[1;31mNON-COMPLIANT\033[0m"));
    assert_non_null(strstr(out, "\033[31m  error   \033[0m"));
    assert_non_null(strstr(out, "\033[33m  warning \033[0m"));

    r = eval("{\"id\":\"B\",\"g\":{\"x\":true,\"y\":true},\"t\":\"hi\"}");
    out = svp_result_text(g_ev, r, true, &len);
    assert_non_null(strstr(out, "\033[1;32mCOMPLIANT\033[0m"));
    assert_non_null(strstr(out, "\033[36m  info    \033[0m"));
    r = eval("{\"g\":{\"x\":true,\"y\":true}}");
    out = svp_result_text(g_ev, r, false, &len);
    assert_string_equal(out, "(no id)  INVALID  (line 1)\n  id: missing: this field is required\n\n");
    r = eval("{\"id\":\"C\",\"g\":{\"x\":true,\"y\":true}}");
    out = svp_result_text(g_ev, r, false, &len);
    assert_string_equal(out, "C  COMPLIANT  under T 1\n  no findings\n  decisions:\n"
                             "    Big: (none)  (big)\n"
                             "    Size: (none)  (size)\n"
                             "    Fee: (none)  (fee)\n\n");
    r = eval("nope");
    out = svp_result_text(g_ev, r, true, &len);
    assert_string_equal(out, "\033[1m(no id)\033[0m  \033[1;33mINVALID\033[0m  (line 1)\n"
                             "  not valid JSON at line 1, column 1: expected a value: a text goes in double quotes\n\n");
}

/* Lists of objects in `because` are shown item by item, member by member;
 * texts are escaped; a long message goes into the text whole. */
static void test_result_lists_of_objects_and_long_text(void **state)
{
    (void)state;
    LOAD(HEADER DECLS
         "rule r \"R\"\n"
         "  cite    \"c\"\n"
         "  when    count of items > 1\n"
         "  report  warning \"{t}\"\n"
         "  because items, t\n");
    const svp_result *r = eval("{\"items\":[{\"name\":\"a\\\\b\",\"amount\":1.5},null,{\"ok\":false,\"name\":\"c\"}],"
                               "\"t\":\"back\\\\slash\"}");
    size_t len = 0;
    const char *out = svp_result_json(g_ev, r, &len);
    assert_string_equal(out, "{\"id\":null,\"policy\":{\"name\":\"T\",\"version\":\"1\"},\"compliant\":true,\"decisions\":{},"
                             "\"findings\":[{\"rule\":\"r\",\"severity\":\"warning\",\"message\":\"back\\\\slash\",\"cite\":\"c\","
                             "\"because\":{\"items\":[{\"name\":\"a\\\\b\",\"amount\":\"£1.50\",\"ok\":null},"
                             "{\"name\":\"c\",\"amount\":null,\"ok\":false}],\"t\":\"back\\\\slash\"}}]}\n");
    char json[2048], want[2048];
    char long_text[601];
    memset(long_text, 'x', 600);
    long_text[600] = '\0';
    snprintf(json, sizeof json, "{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"t\":\"%s\"}", long_text);
    r = eval(json);
    out = svp_result_text(g_ev, r, false, &len);
    snprintf(want, sizeof want,
             "(no id)  COMPLIANT  under T 1\n  warning  r: %s\n           cite: c\n  decisions:\n\n", long_text);
    assert_string_equal(out, want);
    assert_int_equal(len, strlen(want));
}

/* ---- The council's policy -------------------------------------------------- */

static const char *nelc_path(void)
{
    const char *p = getenv("SVP_NELC");
    return p && *p ? p : "policies/nelc-social-value.svp";
}

static void load_nelc(void)
{
    release();
    g_policy = svp_policy_load(nelc_path(), NULL, &g_diags);
    if (!g_policy)
        fail_msg("%s does not compile (run from the repository root or set SVP_NELC):\n%s", nelc_path(), dump(g_diags));
    g_ev = svp_evaluator_new(g_policy, NULL);
    assert_non_null(g_ev);
}

#define NELC_TENDER(weighting, extra)                                                                                \
    "{\"id\":\"N-1\",\"stage\":\"tender\",\"category\":\"works\",\"value\":\"420000.00\","                          \
    "\"dates\":{\"engagement\":\"2025-01-14\",\"publication\":\"2025-03-03\"},"                                      \
    "\"weighting\":" weighting ",\"social_value\":{\"outcomes\":[\"strong_economy\"]}" extra "}"

static void test_nelc_findings(void **state)
{
    (void)state;
    load_nelc();
    /* results.md's example, byte for byte */
    const char *fires = NELC_TENDER("{\"price\":60,\"quality\":35,\"social_value\":5}", "");
    size_t len = 0;
    const svp_result *r = eval(fires);
    const char *want =
        "{\"id\":\"N-1\",\"policy\":{\"name\":\"NELC Social Value Policy\",\"version\":\"2020.1\"},\"compliant\":false,"
        "\"decisions\":{\"social_value_required\":true,\"sv_responsibility\":\"Cabinet\",\"min_social_value_weighting\":\"10%\"},"
        "\"findings\":[{\"rule\":\"sv-weighting\",\"severity\":\"error\",\"message\":\"social value weighting 5% is below "
        "the 10% minimum for procurements over £100,000\",\"cite\":\"Delivery and Reporting, 2\","
        "\"because\":{\"value\":\"£420,000.00\",\"weighting.social_value\":\"5%\"}}]}\n";
    assert_string_equal(svp_result_json(g_ev, r, &len), want);

    /* weightings that do not add up, in exact hundredths */
    r = eval(NELC_TENDER("{\"price\":30,\"quality\":59.99,\"social_value\":10.02}", ""));
    assert_int_equal(svp_result_finding_count(r), 1);
    assert_string_equal(svp_result_finding_rule(r, 0), "weighting-total");
    assert_string_equal(svp_result_finding_message(r, 0),
                        "price 30%, quality 59.99% and social value 10.02% add up to 100.01%, not 100%");
    r = eval(NELC_TENDER("{\"price\":30,\"quality\":59.99,\"social_value\":10.01}", ""));
    assert_int_equal(svp_result_status(r), SVP_COMPLIANT);
    assert_int_equal(svp_result_finding_count(r), 0);

    /* opted out without evidence, over the threshold */
    r = eval("{\"id\":\"N-2\",\"stage\":\"planning\",\"category\":\"goods\",\"value\":150000,"
             "\"social_value\":{\"opt_out\":true,\"opt_out_evidence\":\"  \"}}");
    assert_int_equal(svp_result_status(r), SVP_NONCOMPLIANT);
    assert_int_equal(svp_result_finding_count(r), 2);
    assert_string_equal(svp_result_finding_rule(r, 0), "sv-opt-out-evidence");
    assert_string_equal(svp_result_finding_message(r, 0),
                        "social value was opted out without evidence that it cannot be included");
    assert_string_equal(svp_result_finding_rule(r, 1), "sv-opt-out");
    assert_string_equal(svp_result_finding_severity(r, 1), "warning");
    assert_string_equal(svp_result_finding_message(r, 1),
                        "social value was opted out of a procurement of £150,000.00, over the £100,000 threshold");

    /* an award with undeclared ethics: names of a group */
    r = eval("{\"id\":\"N-3\",\"stage\":\"award\",\"category\":\"services\",\"value\":90000,"
             "\"dates\":{\"engagement\":\"2025-01-01\",\"publication\":\"2025-02-01\",\"award\":\"2025-03-01\"},"
             "\"weighting\":{\"price\":50,\"quality\":40,\"social_value\":10},"
             "\"social_value\":{\"outcomes\":[\"safe\"]},\"publication\":{\"commitments_published\":true},"
             "\"supplier\":{\"name\":\"S\",\"size\":\"small\",\"living_wage\":false,\"ethical\":{\"modern_slavery\":true,"
             "\"health_safety\":false,\"child_labour\":true,\"employment_terms\":true,\"equality\":false,"
             "\"supply_chain_review\":true}}}");
    assert_int_equal(svp_result_finding_count(r), 2);
    assert_string_equal(svp_result_finding_rule(r, 0), "living-wage");
    assert_string_equal(svp_result_finding_message(r, 0),
                        "the supplier has not committed to pay at least the real Living Wage");
    assert_string_equal(svp_result_finding_rule(r, 1), "ethical-sourcing");
    assert_string_equal(svp_result_finding_message(r, 1), "the supplier has not declared: health_safety, equality");
}

/* ---- Arithmetic overflow ----------------------------------------------------- */

static void expect_overflow(const char *src_tail, const char *json, int line)
{
    snprintf(g_src, sizeof g_src, "%s%s", HEADER DECLS, src_tail);
    load(g_src, line);
    const svp_result *r = eval(json);
    if (svp_result_status(r) != SVP_INVALID)
        fail_msg("line %d: %s: want invalid (overflow), got %s", line, json, describe(r));
    if (svp_result_error_field(r) != NULL || !strstr(svp_result_error_message(r), "overflow"))
        fail_msg("line %d: %s: %s", line, json, describe(r));
    assert_string_equal(svp_result_error_message(r),
                        "arithmetic overflow or out of memory while evaluating the rules");
    assert_int_equal(svp_result_finding_count(r), 0);
    /* the evaluator carries on with the next record */
    r = eval("{\"m\":1,\"m2\":2,\"n\":3,\"items\":[]}");
    if (svp_result_status(r) == SVP_INVALID)
        fail_msg("line %d: the record after an overflow: %s", line, describe(r));
}

#define MAXMONEY "\"92233720368547758.07\"" /* INT64_MAX pence */

static void test_arithmetic_overflow(void **state)
{
    (void)state;
    const char *when = "rule r \"R\"\n  cite \"c\"\n  when m + m2 > cap\n  report info \"x\"\n";
    expect_overflow(when, "{\"m\":" MAXMONEY ",\"m2\":0.01}", __LINE__);
    expect_overflow(when, "{\"m\":\"50000000000000000\",\"m2\":\"50000000000000000\"}", __LINE__);
    expect_overflow("rule r \"R\"\n  cite \"c\"\n  require m - m2 - m2 < cap\n  else info \"x\"\n",
                    "{\"m\":0,\"m2\":" MAXMONEY "}", __LINE__);
    expect_overflow("rule r \"R\"\n  cite \"c\"\n  report info \"{n * m}\"\n",
                    "{\"m\":" MAXMONEY ",\"n\":2}", __LINE__);
    expect_overflow("rule r \"R\"\n  cite \"c\"\n  report info \"{n * n2}\"\n",
                    "{\"n\":\"92233720368547\",\"n2\":\"1000\"}", __LINE__);
    expect_overflow("decision total \"T\" is sum of items.amount\n",
                    "{\"items\":[{\"name\":\"a\",\"amount\":" MAXMONEY "},{\"name\":\"b\",\"amount\":1}]}", __LINE__);
    expect_overflow("decision v \"V\"\n  by m + m2\n    over cap -> 1\n    otherwise -> 2\n",
                    "{\"m\":" MAXMONEY ",\"m2\":" MAXMONEY "}", __LINE__);
    /* the largest amounts that do not overflow are fine */
    SHOWS("m + m2", "{\"m\":\"92233720368547758.06\",\"m2\":0.01}", "£92,233,720,368,547,758.07");
    SHOWS("m * p", "{\"m\":" MAXMONEY ",\"p\":100}", "£92,233,720,368,547,758.07");
    /* the JSON of an overflowed record */
    expect_overflow(when, "{\"id\":\"O\",\"m\":" MAXMONEY ",\"m2\":" MAXMONEY "}", __LINE__);
    const svp_result *r = svp_evaluate(g_ev, "{\"id\":\"O\",\"m\":" MAXMONEY ",\"m2\":" MAXMONEY "}",
                                       strlen("{\"id\":\"O\",\"m\":" MAXMONEY ",\"m2\":" MAXMONEY "}"), 9, false);
    size_t len = 0;
    assert_string_equal(svp_result_json(g_ev, r, &len),
                        "{\"id\":\"O\",\"line\":9,\"error\":{\"field\":null,\"message\":"
                        "\"arithmetic overflow or out of memory while evaluating the rules\"},\"errors\":[{\"field\":null,"
                        "\"message\":\"arithmetic overflow or out of memory while evaluating the rules\"}]}\n");
}

/* ---- Records: the reader and binder (engine/record.c) ---------------------- */

#define REC                                                                   \
    HEADER                                                                    \
    "enum stage in order: planning, tender, award\n"                          \
    "enum size: small, medium, large\n"                                       \
    "object item\n"                                                           \
    "  name   text   required\n"                                              \
    "  amount money\n"                                                        \
    "  size   size\n"                                                         \
    "record r\n"                                                              \
    "  id          text    required\n"                                        \
    "  stage       stage   required\n"                                        \
    "  value       money   required\n"                                        \
    "  rate        percent\n"                                                 \
    "  qty         number\n"                                                  \
    "  title       text\n"                                                    \
    "  flag        boolean\n"                                                 \
    "  start       date\n"                                                    \
    "  sizes       list of size\n"                                            \
    "  items       list of item\n"                                            \
    "  dates.award date    required from award\n"                             \
    "  w.sv        percent required from tender\n"                            \
    "  deep.a.b.c  number\n"                                                  \
    "rule show \"Show\"\n"                                                    \
    "  cite \"c\"\n"                                                          \
    "  report info \"{value} {rate} {qty} {w.sv} {deep.a.b.c} {items.amount}\"\n"

/* The start of a record that REC accepts at planning. */
#define OK "{\"id\":\"x\",\"stage\":\"planning\",\"value\":1"

#define DUP "this key appears twice in the same object (parsers disagree on which one counts)"
#define MONEY_WANTED "expected money: pounds, not negative, to the penny, got "
/* a text in a money field that is none of the forms: the forms are listed */
#define MONEY_TEXT_WANTED                                                                                          \
    "expected money: pounds, not negative, to the penny, written 145000.50, \"145000.50\", \"£145,000\" or "     \
    "\"£145,000.50\" (commas only after £), got "
#define PERCENT_TEXT_WANTED "expected percent 0..100, written 12.5, \"12.5\" or \"12.5%\", got "

static void expect_invalid_n(const char *json, size_t len, const char *field, const char *message, int line)
{
    const svp_result *r = svp_evaluate(g_ev, json, len, 5, false);
    if (svp_result_status(r) != SVP_INVALID)
        fail_msg("line %d: %.*s: want invalid, got %s", line, (int)(len < 300 ? len : 300), json, describe(r));
    const char *f = svp_result_error_field(r), *m = svp_result_error_message(r);
    bool field_ok = field ? f && !strcmp(f, field) : f == NULL;
    /* "not valid JSON" stands for any "not valid JSON at line L, column C: ..." */
    bool message_ok = m && (!strcmp(message, "not valid JSON") ? !strncmp(m, "not valid JSON at line ", 23)
                                                                : !strcmp(m, message));
    if (!field_ok || !message_ok)
        fail_msg("line %d: %.*s:\n  got  %s: %s\n  want %s: %s", line, (int)(len < 300 ? len : 300), json,
                 f ? f : "(null)", m ? m : "(null)", field ? field : "(null)", message);
    assert_int_equal(svp_result_line(r), 5);
    assert_int_equal(svp_result_finding_count(r), 0);
}
#define INVALID(json, field, message) expect_invalid_n((json), strlen(json), (field), (message), __LINE__)

/* A record REC accepts; want is the message of its one finding. */
static void expect_valid_n(const char *json, size_t len, const char *want, int line)
{
    const svp_result *r = eval_n(json, len);
    if (svp_result_status(r) == SVP_INVALID || svp_result_finding_count(r) != 1)
        fail_msg("line %d: %.*s: %s", line, (int)(len < 300 ? len : 300), json, describe(r));
    if (strcmp(svp_result_finding_message(r, 0), want) != 0)
        fail_msg("line %d: %.*s:\n  got  \"%s\"\n  want \"%s\"", line, (int)(len < 300 ? len : 300), json,
                 svp_result_finding_message(r, 0), want);
}
#define VALID(json, want) expect_valid_n((json), strlen(json), (want), __LINE__)

#define NOTHING "£1.00 (none) (none) (none) (none) (none)"

static void test_not_json(void **state)
{
    (void)state;
    LOAD(REC);
    VALID(OK "}", NOTHING);
    const char *bad[] = {
        "", "   ", "\n", "{", OK, OK ",}", "{'id':'x'}", "{id:1}", OK ",\"u\":01}", OK ",\"u\":1.}",
        OK ",\"u\":.5}", OK ",\"u\":-}", OK ",\"u\":1e}", OK ",\"u\":1e+}", OK ",\"u\":+1}", OK ",\"u\":0x10}",
        OK ",\"u\":NaN}", OK ",\"u\":Infinity}", OK ",\"u\":-Infinity}", OK ",\"u\":1.5.5}", OK ",\"u\":1-2}",
        OK ",\"u\":--1}", OK ",\"u\":\"open}", OK ",\"u\":\"\\\"}", OK ",\"u\":[1,2}", OK ",\"u\":tru}",
        OK ",\"u\":[1,]}", OK "\"u\":1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        expect_invalid_n(bad[i], strlen(bad[i]), NULL, "not valid JSON", __LINE__);
    /* a NUL byte, inside a string or after the object */
    const char nul_in[] = OK ",\"title\":\"a\0b\"}";
    expect_invalid_n(nul_in, sizeof nul_in - 1, NULL, "not valid JSON", __LINE__);
    const char nul_after[] = OK "}\0";
    expect_invalid_n(nul_after, sizeof nul_after - 1, NULL, "not valid JSON", __LINE__);
    /* nothing but white space may follow the object */
    INVALID(OK "} x", NULL, "not valid JSON");
    INVALID(OK "}{}", NULL, "not valid JSON");
    INVALID(OK "} 1", NULL, "not valid JSON");
    INVALID(OK "},", NULL, "not valid JSON");
    INVALID(OK "}\f", NULL, "not valid JSON");
    VALID(OK "} \t\r\n", NOTHING);
    VALID(" \r\n\t" OK "}", NOTHING);
    /* the root must be an object */
    const char *roots[] = {"[]", "[1]", "1", "-0.5", "\"x\"", "null", "true", "false", "[" OK "}]"};
    for (size_t i = 0; i < sizeof roots / sizeof *roots; i++)
        expect_invalid_n(roots[i], strlen(roots[i]), NULL, "expected a JSON object for the record", __LINE__);
    /* escaped quotes and backslashes inside strings do not end them early */
    VALID(OK ",\"title\":\"a\\\"1\",\"u\":\"\\\\\",\"rate\":5}", "£1.00 5% (none) (none) (none) (none)");
    VALID(OK ",\"title\":\"\\\\\\\"2\\\\\",\"qty\":7}", "£1.00 (none) 7 (none) (none) (none)");
}

/* What JSON (RFC 8259) does not allow and cJSON lets through: white space
 * other than space, tab, CR and LF between tokens; raw control characters
 * inside a string; bytes that are not UTF-8.  Such a record is not JSON,
 * and svp's own output must stay valid JSON (UTF-8) whatever it reads. */
static void test_lenient_json_is_refused(void **state)
{
    (void)state;
    LOAD(REC);
    const char *bad[] = {
        "\x01" OK "}",                       /* a control byte before the object */
        "{\x0b\"id\":\"x\",\"stage\":\"planning\",\"value\":1}", /* vertical tab between tokens */
        OK ",\x1f\"u\":1}",
        OK ",\"title\":\"a\tb\"}",           /* a raw tab inside a string */
        OK ",\"title\":\"line\nbreak\"}",
        OK ",\"title\":\"\xff\xfe\"}",        /* not UTF-8 */
        OK ",\"title\":\"\xc3\"}",            /* a cut UTF-8 sequence */
    };
    const char *what[] = {"control byte 0x01 before the object", "vertical tab between tokens",
                          "control byte 0x1f between tokens", "raw tab in a string", "raw line feed in a string",
                          "bytes 0xff 0xfe in a string", "a cut UTF-8 sequence in a string"};
    char accepted[1024] = "";
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const svp_result *r = eval(bad[i]);
        const char *m = svp_result_error_message(r);
        if (svp_result_status(r) != SVP_INVALID || svp_result_error_field(r) || strncmp(m, "not valid JSON at line ", 23) != 0)
            snprintf(accepted + strlen(accepted), sizeof accepted - strlen(accepted), "\n  %s: %s", what[i],
                     describe(r));
    }
    if (accepted[0])
        fail_msg("records that are not JSON were read:%s", accepted);
}

/* The text need not be NUL-terminated: only len bytes are read. */
static void test_not_nul_terminated(void **state)
{
    (void)state;
    LOAD(REC);
    const char *text = OK ",\"rate\":12.5}";
    size_t len = strlen(text);
    char *exact = malloc(len);
    assert_non_null(exact);
    memcpy(exact, text, len);
    expect_valid_n(exact, len, "£1.00 12.5% (none) (none) (none) (none)", __LINE__);
    free(exact);
    const char *more = OK ",\"qty\":2}7, garbage \"";
    expect_valid_n(more, strlen(OK ",\"qty\":2}"), "£1.00 (none) 2 (none) (none) (none)", __LINE__);
    const char *cut = OK ",\"qty\":25}";
    expect_invalid_n(cut, strlen(OK ",\"qty\":2"), NULL, "not valid JSON", __LINE__); /* "25}" cut after 2 */
}

/* A record of exactly `size` bytes: OK, then an unknown text padded out. */
static char *record_of_size(size_t size)
{
    static const char head[] = OK ",\"pad\":\"", tail[] = "\"}";
    char *s = malloc(size + 1);
    assert_non_null(s);
    memcpy(s, head, sizeof head - 1);
    memset(s + sizeof head - 1, 'a', size - (sizeof head - 1) - (sizeof tail - 1));
    memcpy(s + size - (sizeof tail - 1), tail, sizeof tail);
    return s;
}

static void test_record_size_limit(void **state)
{
    (void)state;
    LOAD(REC);
    char *s = record_of_size(1u << 20);
    expect_valid_n(s, 1u << 20, NOTHING, __LINE__);
    free(s);
    s = record_of_size((1u << 20) + 1);
    expect_invalid_n(s, (1u << 20) + 1, NULL, "the record is longer than 1048576 bytes, the most svp reads",
                     __LINE__);
    assert_null(svp_result_id(eval_n(s, (1u << 20) + 1)));
    free(s);
    /* the evaluator is still good */
    VALID(OK "}", NOTHING);
}

/* "u" holding `levels` nested arrays (u itself is the first). */
static char *nested(const char *before, const char *key, size_t levels, char open, const char *after)
{
    size_t cap = strlen(before) + strlen(after) + levels * (strlen(key) + 8) + 64;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t at = (size_t)snprintf(s, cap, "%s", before);
    for (size_t i = 0; i < levels; i++)
        at += (size_t)(open == '[' ? snprintf(s + at, cap - at, "[") : snprintf(s + at, cap - at, "{\"%s\":", key));
    at += (size_t)snprintf(s + at, cap - at, "1");
    for (size_t i = 0; i < levels; i++)
        s[at++] = open == '[' ? ']' : '}';
    snprintf(s + at, cap - at, "%s", after);
    return s;
}

static char *repeat_path(const char *first, const char *step, size_t n)
{
    size_t cap = strlen(first) + n * strlen(step) + 1;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t at = (size_t)snprintf(s, cap, "%s", first);
    for (size_t i = 0; i < n; i++)
        at += (size_t)snprintf(s + at, cap - at, "%s", step);
    return s;
}

static void test_depth_limit(void **state)
{
    (void)state;
    LOAD(REC);
    const char *deeper = "nested deeper than 64 levels";
    /* arrays in an unknown field: levels 1..64 are fine, 65 is not */
    char *s = nested(OK ",\"u\":", "", 64, '[', ",\"qty\":3}");
    VALID(s, "£1.00 (none) 3 (none) (none) (none)");
    free(s);
    s = nested(OK ",\"u\":", "", 65, '[', "}");
    char *path = repeat_path("u", "[0]", 64);
    INVALID(s, path, deeper);
    free(s);
    free(path);
    /* objects in an unknown field */
    s = nested(OK ",\"u\":", "k", 64, '{', "}"); /* u is level 1, the innermost 64 */
    VALID(s, NOTHING);
    free(s);
    s = nested(OK ",\"u\":", "k", 65, '{', "}");
    path = repeat_path("u", ".k", 64);
    INVALID(s, path, deeper);
    free(s);
    free(path);
    /* inside an item of a declared list: items 1, the item 2, u 3 */
    s = nested(OK ",\"items\":[{\"name\":\"a\",\"u\":", "", 62, '[', "}]}");
    VALID(s, "£1.00 (none) (none) (none) (none) (none)");
    free(s);
    s = nested(OK ",\"items\":[null,{\"name\":\"a\",\"u\":", "", 63, '[', "}]}");
    path = repeat_path("items[1].u", "[0]", 62);
    INVALID(s, path, deeper);
    free(s);
    free(path);
    /* under a declared object */
    s = nested(OK ",\"w\":{\"u\":", "", 64, '[', "}}");
    path = repeat_path("w.u", "[0]", 63);
    INVALID(s, path, deeper);
    free(s);
    free(path);
    /* far deeper than cJSON's own limit (1000): refused, without a path */
    s = nested(OK ",\"u\":", "", 2000, '[', "}");
    const svp_result *r = eval(s);
    assert_int_equal(svp_result_status(r), SVP_INVALID);
    assert_null(svp_result_error_field(r));
    free(s);
}

static void test_duplicate_keys(void **state)
{
    (void)state;
    LOAD(REC);
    INVALID("{\"id\":\"x\",\"id\":\"y\",\"stage\":\"planning\",\"value\":1}", "id", DUP);
    INVALID(OK ",\"value\":2}", "value", DUP);
    INVALID("{\"value\":null,\"id\":\"x\",\"stage\":\"planning\",\"value\":1}", "value", DUP);
    INVALID(OK ",\"rate\":null,\"rate\":null}", "rate", DUP);
    INVALID(OK ",\"u\":1,\"qty\":2,\"u\":2}", "u", DUP);
    INVALID(OK ",\"u\":{\"v\":{\"w\":1,\"w\":2}}}", "u.v.w", DUP);
    INVALID(OK ",\"u\":[{\"a\":1},{\"a\":1,\"b\":[],\"a\":2}]}", "u[1].a", DUP);
    INVALID(OK ",\"u\":[[],[{\"a\":[{\"k\":1,\"k\":1}]}]]}", "u[1][0].a[0].k", DUP);
    INVALID(OK ",\"w\":{\"sv\":1,\"sv\":2}}", "w.sv", DUP);
    INVALID(OK ",\"w\":{\"sv\":1},\"w\":{\"sv\":1}}", "w", DUP);
    INVALID(OK ",\"w\":{\"x\":{},\"x\":{}}}", "w.x", DUP);
    INVALID(OK ",\"deep\":{\"a\":{\"b\":{\"c\":1,\"c\":1}}}}", "deep.a.b.c", DUP);
    INVALID(OK ",\"items\":[{\"name\":\"a\"},{\"name\":\"a\",\"name\":\"b\"}]}", "items[1].name", DUP);
    INVALID(OK ",\"items\":[{\"name\":\"a\",\"x\":1,\"x\":1}]}", "items[0].x", DUP);
    INVALID(OK ",\"items\":[{\"name\":\"a\",\"x\":{\"y\":[1,{\"z\":0,\"z\":0}]}}]}", "items[0].x.y[1].z", DUP);
    /* the first problem in document order wins */
    INVALID("{\"id\":\"x\",\"stage\":\"planning\",\"value\":-1,\"value\":1}", "value", MONEY_WANTED "-1");
    INVALID("{\"u\":1,\"u\":1,\"value\":-1}", "u", DUP);
    /* keys differ by case: not duplicates; equal values in a list are fine */
    VALID(OK ",\"u\":1,\"U\":2,\"sizes\":[\"small\",\"small\"]}", NOTHING);
}

/* A declared object with more than 64 children: the binder's bit set of
 * keys seen covers the first 64, the rest are compared one by one. */
static void test_duplicate_keys_past_64_fields(void **state)
{
    (void)state;
    size_t at = (size_t)snprintf(g_src, sizeof g_src, HEADER "record r\n");
    for (int i = 0; i < 70; i++)
        at += (size_t)snprintf(g_src + at, sizeof g_src - at, "  f%d number\n", i);
    snprintf(g_src + at, sizeof g_src - at, "rule r \"R\"\n  cite \"c\"\n  report info \"{f0} {f63} {f64} {f69}\"\n");
    LOAD(g_src);
    char json[2048];
    at = (size_t)snprintf(json, sizeof json, "{");
    for (int i = 69; i >= 0; i--) /* reverse order: every lookup wraps around */
        at += (size_t)snprintf(json + at, sizeof json - at, "\"f%d\":%d%s", i, i, i ? "," : "}");
    const svp_result *r = eval(json);
    assert_int_equal(svp_result_status(r), SVP_COMPLIANT);
    assert_string_equal(svp_result_finding_message(r, 0), "0 63 64 69");
    INVALID("{\"f69\":1,\"f0\":1,\"f69\":2}", "f69", DUP);
    INVALID("{\"f63\":1,\"f64\":1,\"f63\":2}", "f63", DUP);
    INVALID("{\"f64\":1,\"f63\":1,\"f64\":2}", "f64", DUP);
    INVALID("{\"f66\":null,\"f66\":null}", "f66", DUP);
    VALID("{\"f64\":1,\"f65\":2,\"f69\":3}", "(none) (none) 1 3");
}

static void test_type_errors(void **state)
{
    (void)state;
    LOAD(REC);
    /* text */
    INVALID("{\"id\":5}", "id", "expected text, got 5");
    INVALID(OK ",\"title\":true}", "title", "expected text, got true");
    INVALID(OK ",\"title\":false}", "title", "expected text, got false");
    INVALID(OK ",\"title\":[\"a\"]}", "title", "expected text, got an array");
    INVALID(OK ",\"title\":{\"a\":1}}", "title", "expected text, got an object");
    INVALID(OK ",\"title\":123456789012345678901234567890123456789012345}", "title",
            "expected text, got 1234567890123456789012345678901234567890");
    /* boolean */
    INVALID(OK ",\"flag\":\"yes\"}", "flag", "expected true or false, got \"yes\"");
    INVALID(OK ",\"flag\":0}", "flag", "expected true or false, got 0");
    INVALID(OK ",\"flag\":\"a\\\"b\\n\"}", "flag", "expected true or false, got \"a\\\"b\\n\"");
    INVALID(OK ",\"flag\":\"0123456789012345678901234567890123456789LONG\"}", "flag",
            "expected true or false, got \"0123456789012345678901234567890123456789\"...");
    INVALID(OK ",\"flag\":\"0123456789012345678901234567890123456789\"}", "flag",
            "expected true or false, got \"0123456789012345678901234567890123456789\"");
    /* date */
    INVALID(OK ",\"start\":\"2021-02-29\"}", "start", "expected a date YYYY-MM-DD, got \"2021-02-29\"");
    INVALID(OK ",\"start\":\"2020-1-01\"}", "start", "expected a date YYYY-MM-DD, got \"2020-1-01\"");
    INVALID(OK ",\"start\":20200101}", "start", "expected a date YYYY-MM-DD, got 20200101");
    /* enumeration */
    INVALID("{\"id\":\"x\",\"stage\":\"Tender\"}", "stage",
            "expected one of planning, tender, award (written exactly so: did you mean \"tender\"?), got \"Tender\"");
    INVALID("{\"id\":\"x\",\"stage\":\"bid\"}", "stage", "expected one of planning, tender, award, got \"bid\"");
    INVALID("{\"id\":\"x\",\"stage\":1}", "stage", "expected one of planning, tender, award, got 1");
    INVALID("{\"id\":\"x\",\"stage\":\"\"}", "stage", "expected one of planning, tender, award, got \"\"");
    /* money */
    INVALID("{\"value\":-5}", "value", MONEY_WANTED "-5");
    INVALID("{\"value\":\"-5\"}", "value", MONEY_TEXT_WANTED "\"-5\"");
    INVALID("{\"value\":0.001}", "value", MONEY_WANTED "0.001");
    INVALID("{\"value\":\"0.001\"}", "value", MONEY_TEXT_WANTED "\"0.001\"");
    INVALID("{\"value\":\"£5.5\"}", "value", MONEY_TEXT_WANTED "\"£5.5\""); /* "£5" is money now (issue 9) */
    INVALID("{\"value\":\"£1,0000\"}", "value", MONEY_TEXT_WANTED "\"£1,0000\"");
    INVALID("{\"value\":\" 5\"}", "value", MONEY_TEXT_WANTED "\" 5\"");
    INVALID("{\"value\":\"\"}", "value", MONEY_TEXT_WANTED "\"\"");
    INVALID("{\"value\":true}", "value", MONEY_WANTED "true");
    INVALID("{\"value\":[5]}", "value", MONEY_WANTED "an array");
    INVALID("{\"value\":\"1,000\"}", "value", MONEY_TEXT_WANTED "\"1,000\""); /* commas only after £ */
    INVALID("{\"value\":1e400}", "value", MONEY_WANTED "1e400");
    INVALID("{\"value\":92233720368547758.08}", "value", MONEY_WANTED "92233720368547758.08");
    INVALID("{\"value\":\"92233720368547758.08\"}", "value", MONEY_TEXT_WANTED "\"92233720368547758.08\"");
    /* percent */
    INVALID(OK ",\"rate\":100.01}", "rate", "expected percent 0..100, got 100.01");
    INVALID(OK ",\"rate\":-1}", "rate", "expected percent 0..100, got -1");
    INVALID(OK ",\"rate\":\"1,5\"}", "rate", PERCENT_TEXT_WANTED "\"1,5\"");
    INVALID(OK ",\"rate\":\"10 %\"}", "rate", PERCENT_TEXT_WANTED "\"10 %\"");
    INVALID(OK ",\"rate\":\"%\"}", "rate", PERCENT_TEXT_WANTED "\"%\"");
    INVALID(OK ",\"rate\":12.345}", "rate", "expected percent 0..100, got 12.345");
    VALID(OK ",\"rate\":100}", "£1.00 100% (none) (none) (none) (none)");
    VALID(OK ",\"rate\":\"0\"}", "£1.00 0% (none) (none) (none) (none)");
    /* number */
    INVALID(OK ",\"qty\":-1}", "qty", "expected a number, not negative, to four decimals, got -1");
    INVALID(OK ",\"qty\":0.00001}", "qty", "expected a number, not negative, to four decimals, got 0.00001");
    INVALID(OK ",\"qty\":\"1,000\"}", "qty", "expected a number, not negative, to four decimals, got \"1,000\"");
    /* lists */
    INVALID(OK ",\"sizes\":\"small\"}", "sizes", "expected a list, got \"small\"");
    INVALID(OK ",\"sizes\":{}}", "sizes", "expected a list, got an object");
    INVALID(OK ",\"sizes\":[\"small\",\"huge\"]}", "sizes[1]", "expected one of small, medium, large, got \"huge\"");
    INVALID(OK ",\"sizes\":[null,\"SMALL\"]}", "sizes[1]",
            "expected one of small, medium, large (written exactly so: did you mean \"small\"?), got \"SMALL\"");
    INVALID(OK ",\"sizes\":[[\"small\"]]}", "sizes[0]", "expected one of small, medium, large, got an array");
    INVALID(OK ",\"items\":{}}", "items", "expected a list, got an object");
    INVALID(OK ",\"items\":[5]}", "items[0]", "expected an object, got 5");
    INVALID(OK ",\"items\":[{\"name\":\"a\"},[]]}", "items[1]", "expected an object, got an array");
    INVALID(OK ",\"items\":[{\"name\":\"a\",\"amount\":1},{\"name\":\"b\",\"amount\":\"x\"}]}", "items[1].amount",
            MONEY_TEXT_WANTED "\"x\"");
    INVALID(OK ",\"items\":[null,null,{\"name\":\"b\",\"size\":\"xl\"}]}", "items[2].size",
            "expected one of small, medium, large, got \"xl\"");
    INVALID(OK ",\"items\":[{\"name\":5}]}", "items[0].name", "expected text, got 5");
    /* declared objects */
    INVALID(OK ",\"w\":5}", "w", "expected an object, got 5");
    INVALID(OK ",\"w\":[]}", "w", "expected an object, got an array");
    INVALID(OK ",\"w\":\"x\"}", "w", "expected an object, got \"x\"");
    INVALID(OK ",\"w\":{\"sv\":\"x\"}}", "w.sv", PERCENT_TEXT_WANTED "\"x\"");
    INVALID(OK ",\"deep\":{\"a\":1}}", "deep.a", "expected an object, got 1");
    INVALID(OK ",\"deep\":{\"a\":{\"b\":{\"c\":-1}}}}", "deep.a.b.c",
            "expected a number, not negative, to four decimals, got -1");
    INVALID(OK ",\"deep\":{\"a\":{\"b\":{\"c\":{}}}}}", "deep.a.b.c",
            "expected a number, not negative, to four decimals, got an object");
    /* null is absent at every level */
    VALID(OK ",\"rate\":null,\"w\":null,\"deep\":{\"a\":null},\"sizes\":null,\"items\":[null]}", NOTHING);
}

static void test_missing_required(void **state)
{
    (void)state;
    LOAD(REC);
    const char *missing = "missing: this field is required";
    INVALID("{}", "id", missing);
    INVALID("{\"stage\":\"tender\"}", "id", missing); /* declaration order */
    INVALID("{\"id\":null,\"stage\":\"planning\",\"value\":1}", "id", missing);
    INVALID("{\"id\":\"x\"}", "stage", missing);
    INVALID("{\"id\":\"x\",\"stage\":null,\"value\":1}", "stage", missing);
    INVALID("{\"id\":\"x\",\"stage\":\"planning\"}", "value", missing);
    INVALID("{\"id\":\"x\",\"stage\":\"tender\",\"value\":1}", "w.sv",
            "missing: required from tender, and this record is at tender");
    INVALID("{\"id\":\"x\",\"stage\":\"award\",\"value\":1,\"w\":{\"sv\":1}}", "dates.award",
            "missing: required from award, and this record is at award");
    INVALID("{\"id\":\"x\",\"stage\":\"award\",\"value\":1,\"dates\":{\"award\":\"2020-01-01\"}}", "w.sv",
            "missing: required from tender, and this record is at award");
    INVALID(OK ",\"items\":[{\"name\":\"a\"},null,{\"amount\":1}]}", "items[2].name", missing);
    /* a problem in the record comes before a missing field */
    INVALID("{\"value\":-1}", "value", MONEY_WANTED "-1");
    VALID("{\"id\":\"x\",\"stage\":\"tender\",\"value\":1,\"w\":{\"sv\":0}}", "£1.00 (none) (none) 0% (none) (none)");
    VALID("{\"id\":\"x\",\"stage\":\"award\",\"value\":1,\"w\":{\"sv\":0},\"dates\":{\"award\":\"2020-01-01\"}}",
          "£1.00 (none) (none) 0% (none) (none)");
    /* the id of an invalid record is still reported */
    const svp_result *r = eval("{\"id\":\"Z-9\",\"value\":-1}");
    assert_string_equal(svp_result_id(r), "Z-9");
}

/* Numbers are read from the record's own text, found by a scan before
 * parsing and matched to the tree's number nodes by position: numbers in
 * unknown fields, nulls, nested objects and lists must not shift them. */
static void test_numbers_stay_aligned(void **state)
{
    (void)state;
    LOAD(REC);
    VALID("{\"u0\":1,\"id\":\"x\",\"u1\":[2,3,{\"k\":4,\"9\":[]}],\"stage\":\"planning\",\"value\":100000.01,"
          "\"u2\":5e2,\"rate\":12.5,\"u3\":{\"a\":[6,7,null,true]},\"qty\":0.25,\"u4\":-8,"
          "\"w\":{\"u\":9,\"sv\":33.33,\"v\":10},\"deep\":{\"a\":{\"x\":11,\"b\":{\"c\":1.5,\"y\":12}}},"
          "\"items\":[{\"name\":\"a\",\"amount\":1.01,\"extra\":13},null,{\"name\":\"b\",\"zz\":[14,15],"
          "\"amount\":2.02},{\"amount\":null,\"name\":\"c\",\"q\":16}],\"u5\":17}",
          "£100,000.01 12.5% 0.25 33.33% 1.5 £1.01, £2.02");
    /* numbers inside strings and keys are not numbers */
    VALID("{\"id\":\"1 2 3\",\"u\":\"-4.5e6\",\"77\":\"8\",\"stage\":\"planning\",\"t\":\"\\\"9\\\"\",\"value\":3,"
          "\"u\\\"\":[\"\\\\\",10],\"qty\":11}",
          "£3.00 (none) 11 (none) (none) (none)");
    /* declared fields that are null, and unknown ones after every known one */
    VALID(OK ",\"rate\":null,\"u\":[1,[2,[3]]],\"qty\":4,\"w\":{\"sv\":null,\"u\":5},\"deep\":{\"a\":{\"b\":{\"c\":6}}},"
             "\"v\":7}",
          "£1.00 (none) 4 (none) 6 (none)");
    /* money and percent as strings between numbers */
    VALID("{\"n\":1,\"id\":\"x\",\"stage\":\"planning\",\"value\":\"2.50\",\"m\":3,\"rate\":\"4\",\"o\":5,\"qty\":6}",
          "£2.50 4% 6 (none) (none) (none)");
    /* an unknown field before the first number after a large unknown tree */
    VALID("{\"a\":{\"b\":[{\"c\":[1,2,3,{\"d\":4}]},5],\"e\":[[6],[7,[8,[9]]]]},\"id\":\"x\",\"stage\":\"planning\","
          "\"value\":10,\"qty\":11}",
          "£10.00 (none) 11 (none) (none) (none)");
}

/* More numbers than the scan's first buffer holds (it starts at 64). */
static void test_many_numbers(void **state)
{
    (void)state;
    LOAD(REC);
    char json[8192];
    for (int round = 0; round < 2; round++) {
        size_t at = (size_t)snprintf(json, sizeof json, "{\"u\":[");
        for (int i = 0; i < 300; i++)
            at += (size_t)snprintf(json + at, sizeof json - at, "%s%d.%d", i ? "," : "", i, i % 10);
        snprintf(json + at, sizeof json - at,
                 "],\"id\":\"x\",\"stage\":\"planning\",\"value\":7.77,\"items\":[{\"name\":\"a\",\"amount\":0.5}],"
                 "\"qty\":%d}",
                 round + 1);
        char want[128];
        snprintf(want, sizeof want, "£7.77 (none) %d (none) (none) £0.50", round + 1);
        expect_valid_n(json, strlen(json), want, __LINE__);
        VALID(OK ",\"qty\":9}", "£1.00 (none) 9 (none) (none) (none)");
    }
}

static void test_exact_numbers(void **state)
{
    (void)state;
    LOAD(REC);
    /* 25 significant digits: the nearest double is 100000.01, but the
     * number is not a whole number of pence */
    INVALID("{\"value\":100000.0100000000000000001}", "value", MONEY_WANTED "100000.0100000000000000001");
    INVALID("{\"value\":100000.001}", "value", MONEY_WANTED "100000.001");
    INVALID("{\"value\":1e-3}", "value", MONEY_WANTED "1e-3");
    /* exponents and digit runs far beyond int64 are refused, not wrapped */
    const char *huge[] = {"1e9223372036854775807", "1e-9223372036854775808", "1e99999999999999999999", "1e30",
                          "123456789012345678901234567890", "9223372036854775807e2"};
    for (size_t i = 0; i < sizeof huge / sizeof *huge; i++) {
        char json[128], want[128];
        snprintf(json, sizeof json, "{\"value\":%s}", huge[i]);
        snprintf(want, sizeof want, MONEY_WANTED "%.40s", huge[i]);
        expect_invalid_n(json, strlen(json), "value", want, __LINE__);
    }
    INVALID("{\"value\":1000000000000000000000000000000000000000000000000000000000000000000000}", "value",
            MONEY_WANTED "1000000000000000000000000000000000000000");
    const struct {
        const char *json, *shown;
    } ok[] = {
        {"100000.010", "£100,000.01"}, {"100000.0100000000000000000", "£100,000.01"},
        {"\"100000.01\"", "£100,000.01"}, {"1e5", "£100,000.00"}, {"1E+5", "£100,000.00"},
        {"1.5E2", "£150.00"}, {"0.125e1", "£1.25"}, {"12345e-2", "£123.45"}, {"0.1e-1", "£0.01"},
        {"0", "£0.00"}, {"\"0.5\"", "£0.50"}, {"0.000000000000000000000000000001e30", "£1.00"}, {"92233720368547758.07", "£92,233,720,368,547,758.07"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        char json[256], want[128];
        snprintf(json, sizeof json, "{\"id\":\"x\",\"stage\":\"planning\",\"value\":%s}", ok[i].json);
        snprintf(want, sizeof want, "%s (none) (none) (none) (none) (none)", ok[i].shown);
        expect_valid_n(json, strlen(json), want, __LINE__);
    }
    VALID(OK ",\"rate\":1e2,\"qty\":2.50}", "£1.00 100% 2.5 (none) (none) (none)");
    INVALID(OK ",\"rate\":1.0001e2}", "rate", "expected percent 0..100, got 1.0001e2");
}

/* Per-record scratch memory is capped (64 MiB): a record that needs more
 * is invalid, and the next record is read as usual. */
static void test_scratch_limit(void **state)
{
    (void)state;
    size_t at = (size_t)snprintf(g_src, sizeof g_src, HEADER "object wide\n");
    for (int i = 0; i < 60; i++)
        at += (size_t)snprintf(g_src + at, sizeof g_src - at, "  m%d number\n", i);
    snprintf(g_src + at, sizeof g_src - at,
             "record r\n  id text\n  rows list of wide\nrule r \"R\"\n  cite \"c\"\n  report info \"{count of rows}\"\n");
    LOAD(g_src);
    size_t n = ((1u << 20) - 64) / 3;
    char *json = malloc(n * 3 + 64);
    assert_non_null(json);
    at = (size_t)snprintf(json, 64, "{\"id\":\"big\",\"rows\":[");
    for (size_t i = 0; i < n; i++) {
        memcpy(json + at, i ? ",{}" : "{}", i ? 3 : 2);
        at += i ? 3 : 2;
    }
    memcpy(json + at, "]}", 3);
    at += 2;
    assert_true(at <= 1u << 20);
    const svp_result *r = eval_n(json, at);
    free(json);
    assert_int_equal(svp_result_status(r), SVP_INVALID);
    assert_string_equal(svp_result_id(r), "big");
    assert_non_null(strstr(svp_result_error_message(r), "out of memory"));
    assert_non_null(svp_result_error_field(r));
    assert_memory_equal(svp_result_error_field(r), "rows[", 5);
    r = eval("{\"id\":\"small\",\"rows\":[{},{\"m1\":2}]}");
    assert_int_equal(svp_result_status(r), SVP_COMPLIANT);
    assert_string_equal(svp_result_finding_message(r, 0), "2");
}

/* A declared path may nest deeper than a record may: the record's limit
 * still holds.  A record that declares no field reads any object. */
static void test_declared_paths_and_empty_record(void **state)
{
    (void)state;
    char path[400], json[1024];
    size_t at = 0;
    for (int i = 0; i < 66; i++)
        at += (size_t)snprintf(path + at, sizeof path - at, "%sa", i ? "." : "");
    snprintf(g_src, sizeof g_src, HEADER "record r\n  %s number\nrule r \"R\"\n  cite \"c\"\n  report info \"{%s}\"\n",
             path, path);
    LOAD(g_src);
    at = (size_t)snprintf(json, sizeof json, "{");
    for (int i = 0; i < 65; i++)
        at += (size_t)snprintf(json + at, sizeof json - at, "\"a\":{");
    at += (size_t)snprintf(json + at, sizeof json - at, "\"a\":1");
    for (int i = 0; i < 66; i++)
        json[at++] = '}';
    json[at] = '\0';
    char *field = repeat_path("a", ".a", 64);
    INVALID(json, field, "nested deeper than 64 levels");
    free(field);
    VALID("{\"a\":null}", "(none)");

    LOAD(HEADER "record r\nrule r \"R\"\n  cite \"c\"\n  report info \"hello\"\n");
    VALID("{\"x\":[1,{\"y\":2}]}", "hello");
    INVALID("{\"x\":1,\"x\":2}", "x", DUP);
}

/* ---- Memory ------------------------------------------------------------------ */

/* One allocator for svp and for cJSON (through cJSON_InitHooks, installed
 * for the whole program in main).  Each block carries its size in front,
 * so live bytes are exact and the size svp passes back on free and
 * realloc is checked. */
enum { SVP_CALLS = 1, CJSON_CALLS = 2 };

typedef struct Counting {
    size_t live_bytes, live_blocks;
    int counted;            /* whose calls count (and may fail): SVP_CALLS, CJSON_CALLS */
    size_t calls;           /* allocations and growths so far, of those counted */
    size_t fail_at;         /* the call that fails (0: none) */
    bool sticky;            /* every call from fail_at on fails, not just that one */
    size_t failures;        /* calls failed so far */
    bool failed_in_cjson;   /* the first failed call: cJSON's or svp's */
    size_t failed_size;     /* and its size */
    bool size_mismatch;     /* svp passed an old_size that was not the block's */
} Counting;

static Counting mem;

static bool inject_failure(size_t size, bool cjson)
{
    if (!(mem.counted & (cjson ? CJSON_CALLS : SVP_CALLS)))
        return false;
    mem.calls++;
    if (!mem.fail_at || mem.calls < mem.fail_at || (!mem.sticky && mem.calls != mem.fail_at))
        return false;
    if (!mem.failures) {
        mem.failed_in_cjson = cjson;
        mem.failed_size = size;
    }
    mem.failures++;
    return true;
}

static void *counting_realloc(void *ctx, void *p, size_t old_size, size_t size)
{
    (void)ctx;
    max_align_t *head = p ? (max_align_t *)p - 1 : NULL;
    if (head && *(size_t *)head != old_size)
        mem.size_mismatch = true;
    if (size == 0) {
        if (head) {
            mem.live_bytes -= *(size_t *)head;
            mem.live_blocks--;
            free(head);
        }
        return NULL;
    }
    if (inject_failure(size, false))
        return NULL;
    size_t before = head ? *(size_t *)head : 0;
    max_align_t *grown = realloc(head, sizeof *head + size);
    if (!grown)
        return NULL;
    *(size_t *)grown = size;
    mem.live_bytes = mem.live_bytes - before + size;
    if (!head)
        mem.live_blocks++;
    return grown + 1;
}

static void *cjson_malloc(size_t size)
{
    if (inject_failure(size, true))
        return NULL;
    max_align_t *b = malloc(sizeof *b + size);
    if (!b)
        return NULL;
    *(size_t *)b = size;
    mem.live_bytes += size;
    mem.live_blocks++;
    return b + 1;
}

static void cjson_free(void *p)
{
    if (!p)
        return;
    max_align_t *head = (max_align_t *)p - 1;
    mem.live_bytes -= *(size_t *)head;
    mem.live_blocks--;
    free(head);
}

static const svp_allocator counting = {counting_realloc, NULL};

/* Start a test's ledger afresh: what an earlier test left allocated (a
 * crash inside svp leaves its blocks behind) is not this test's leak. */
static void forget_earlier_blocks(void)
{
    mem.live_bytes = 0;
    mem.live_blocks = 0;
}

static void reset_counts(int counted, size_t fail_at, bool sticky)
{
    size_t live_bytes = mem.live_bytes, live_blocks = mem.live_blocks; /* checked to be 0 after each run */
    memset(&mem, 0, sizeof mem);
    mem.live_bytes = live_bytes;
    mem.live_blocks = live_blocks;
    mem.counted = counted;
    mem.fail_at = fail_at;
    mem.sticky = sticky;
}

/* The register, one record a line (empty lines skipped, as svp eval does). */
typedef struct Batch {
    char *text;
    const char *line[256];
    size_t len[256];
    unsigned long lineno[256];
    size_t n;
} Batch;

static void read_batch(Batch *b)
{
    const char *path = getenv("SVP_REGISTER");
    path = path && *path ? path : "examples/register.jsonl";
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s: run from the repository root or set SVP_REGISTER", path);
    b->text = malloc(1 << 20);
    assert_non_null(b->text);
    size_t len = fread(b->text, 1, (1 << 20) - 1, f);
    fclose(f);
    b->text[len] = '\0';
    b->n = 0;
    unsigned long lineno = 0;
    for (char *at = b->text; *at && b->n < 256;) {
        char *end = strchr(at, '\n');
        size_t n = end ? (size_t)(end - at) : strlen(at);
        lineno++;
        size_t trimmed = n && at[n - 1] == '\r' ? n - 1 : n;
        if (trimmed) {
            b->line[b->n] = at;
            b->len[b->n] = trimmed;
            b->lineno[b->n++] = lineno;
        }
        at += n + (end ? 1 : 0);
    }
}

/* What one run of the batch gives when no allocation fails. */
typedef struct Expected {
    size_t ndiags, nwarnings;
    svp_status status[256];
    char *json[256];
    char *text[256];
} Expected;

/* A failed compile says it ran out of memory: an error diagnostic does, or
 * (when even that could not be stored) the rendering does. */
static bool says_out_of_memory(const svp_diagnostics *d)
{
    if (!svp_diagnostics_errors(d))
        return false;
    for (size_t i = 0; i < svp_diagnostics_count(d); i++) {
        const svp_diagnostic *g = svp_diagnostics_get(d, i);
        if (g->severity == SVP_ERROR && strstr(g->message, "memory"))
            return true;
    }
    char *text = svp_diagnostics_render(d, false); /* malloc, not the allocator */
    bool said = text && strstr(text, "memory");
    svp_string_free(text);
    return said;
}

/* Problems found by one run, collected for the failure message. */
typedef struct Problems {
    char text[8192];
    size_t at, count;
} Problems;

static void problem(Problems *pr, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void problem(Problems *pr, size_t n, const char *fmt, ...)
{
    pr->count++;
    if (pr->count > 12 || pr->at >= sizeof pr->text - 1)
        return;
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    int k = snprintf(pr->text + pr->at, sizeof pr->text - pr->at, "\n  N=%zu (%s %s allocation, of %zu bytes): %s", n,
                     mem.sticky ? "failing from the" : "failing only the", mem.failed_in_cjson ? "cJSON" : "svp",
                     mem.failed_size, what);
    if (k > 0)
        pr->at += (size_t)k;
}

static const char OOM_LINE[] = "{\"id\":null,\"line\":0,\"error\":{\"field\":null,\"message\":\"out of memory\"}}\n";

/* Compile the council's policy and evaluate the batch, with allocation
 * fail_at failing (0: none).  With want NULL, fills expected instead of
 * checking.  Returns whether some allocation failed. */
static bool run_batch(const Batch *b, int counted, size_t fail_at, bool sticky, const Expected *want, Expected *fill,
                      Problems *pr)
{
    reset_counts(counted, fail_at, sticky);
    g_oom_run = fail_at;
    g_oom_loop = counted == SVP_CALLS ? (sticky ? "svp, from N on" : "svp, N only")
                                      : (sticky ? "cJSON, from N on" : "cJSON, N only");
    if (getenv("SVP_OOM_VERBOSE"))
        fprintf(stderr, "%s: N=%zu\n", g_oom_loop, fail_at);
    svp_diagnostics *d = NULL;
    svp_policy *p = svp_policy_load(nelc_path(), &counting, &d);
    if (!p) {
        if (!mem.failures)
            problem(pr, fail_at, "the policy did not compile, and no allocation failed:\n%s", dump(d));
        else if (d && !says_out_of_memory(d))
            problem(pr, fail_at, "NULL policy whose errors do not say out of memory:\n%s", dump(d));
        /* d NULL: the diagnostics themselves could not be allocated (svp.h) */
    } else if (fill) {
        fill->ndiags = svp_diagnostics_count(d);
        fill->nwarnings = svp_diagnostics_warnings(d);
    } else if (svp_diagnostics_count(d) != want->ndiags || svp_diagnostics_warnings(d) != want->nwarnings ||
               svp_diagnostics_errors(d)) {
        problem(pr, fail_at, "the policy compiled, but its diagnostics differ (%zu, want %zu):\n%s",
                svp_diagnostics_count(d), want->ndiags, dump(d));
    }
    svp_evaluator *ev = p ? svp_evaluator_new(p, &counting) : NULL;
    if (p && !ev && !mem.failures)
        problem(pr, fail_at, "svp_evaluator_new returned NULL, and no allocation failed");
    for (size_t i = 0; ev && i < b->n; i++) {
        size_t failures = mem.failures;
        bool explain = i % 2 == 1;
        const svp_result *r = svp_evaluate(ev, b->line[i], b->len[i], b->lineno[i], explain);
        size_t jlen = 0, tlen = 0;
        const char *json = svp_result_json(ev, r, &jlen);
        assert_int_equal(jlen, strlen(json));
        if (fill) {
            fill->status[i] = svp_result_status(r);
            fill->json[i] = strdup(json);
        }
        bool json_same = fill || !strcmp(json, want->json[i]);
        bool json_oom = !strcmp(json, OOM_LINE);
        char json_copy[512];
        snprintf(json_copy, sizeof json_copy, "%s", json);
        const char *text = svp_result_text(ev, r, false, &tlen);
        assert_int_equal(tlen, strlen(text));
        if (fill)
            fill->text[i] = strdup(text);
        bool text_same = fill || !strcmp(text, want->text[i]);
        bool text_oom = !strcmp(text, "out of memory\n");
        if (fill || (json_same && text_same && svp_result_status(r) == want->status[i]))
            continue;
        bool hit = mem.failures > failures;
        const char *msg = svp_result_error_message(r);
        if (!hit)
            problem(pr, fail_at, "line %lu: no allocation failed while evaluating it, but the result differs: %s",
                    b->lineno[i], json_copy);
        else if (svp_result_status(r) == SVP_INVALID && msg && strstr(msg, "memory") &&
                 want->status[i] != SVP_INVALID)
            ; /* a clean error: the record could not be evaluated for lack of memory */
        else if (svp_result_status(r) == SVP_INVALID && msg && strstr(msg, "memory") &&
                 want->status[i] == SVP_INVALID)
            ; /* an invalid record that could not even be read */
        else if ((counted & CJSON_CALLS) && svp_result_status(r) == SVP_INVALID && msg &&
                 !strncmp(msg, "not valid JSON", 14))
            ; /* cJSON returns NULL alike for bad text and for no memory: svp
                 cannot tell them apart, and says the record could not be read */
        else if (svp_result_status(r) == want->status[i] && (json_same || json_oom) && (text_same || text_oom))
            ; /* the rendering ran out of memory and said so */
        else
            problem(pr, fail_at, "line %lu: %s (want %s)", b->lineno[i], json_copy, want->json[i]);
    }
    svp_evaluator_free(ev);
    svp_policy_free(p);
    svp_diagnostics_free(d);
    if (mem.live_bytes || mem.live_blocks)
        problem(pr, fail_at, "%zu blocks (%zu bytes) not freed", mem.live_blocks, mem.live_bytes);
    if (mem.size_mismatch)
        problem(pr, fail_at, "a block was freed or grown with the wrong old size");
    g_oom_run = 0;
    return mem.failures > 0;
}

static void free_expected(Expected *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(e->json[i]);
        free(e->text[i]);
    }
}

/* Without failures: everything allocated is freed, with the sizes given. */
static void test_allocator_balances(void **state)
{
    (void)state;
    forget_earlier_blocks();
    static Batch b;
    static Expected want;
    Problems pr = {{0}, 0, 0};
    read_batch(&b);
    assert_true(b.n >= 10);
    run_batch(&b, SVP_CALLS | CJSON_CALLS, 0, false, NULL, &want, &pr);
    if (pr.count)
        fail_msg("%zu problems:%s", pr.count, pr.text);
    /* and a second time, checked against the first */
    run_batch(&b, SVP_CALLS | CJSON_CALLS, 0, false, &want, NULL, &pr);
    if (pr.count)
        fail_msg("%zu problems:%s", pr.count, pr.text);
    /* (records are read into the scratch arena, whose blocks are kept:
     * few calls, but some) */
    assert_true(mem.calls > 20);
    free_expected(&want, b.n);
    free(b.text);
}

/* Fail allocation N (or every allocation from N on), for N = 1, 2, ...
 * until a run needs no failure.  counted says whose allocations are
 * numbered (and failed): svp's own, through the svp_allocator, or cJSON's,
 * through its hooks; the others always succeed. */
static void out_of_memory_loop(int counted, bool sticky)
{
    forget_earlier_blocks();
    static Batch b;
    static Expected want;
    Problems pr = {{0}, 0, 0};
    read_batch(&b);
    run_batch(&b, counted, 0, false, NULL, &want, &pr);
    if (pr.count)
        fail_msg("the run without failures: %zu problems:%s", pr.count, pr.text);
    size_t total = mem.calls, n;
    for (n = 1; n <= total + 1; n++)
        if (!run_batch(&b, counted, n, sticky, &want, NULL, &pr))
            break;
    free_expected(&want, b.n);
    free(b.text);
    if (pr.count)
        fail_msg("%zu problems in %zu runs:%s", pr.count, n, pr.text);
    /* the loop walked through every allocation of the run */
    if (n != total + 1)
        fail_msg("the runs stopped needing allocation failures at N=%zu, but a run makes %zu allocations", n, total);
}

static void test_out_of_memory_svp_each_allocation(void **state)
{
    (void)state;
    out_of_memory_loop(SVP_CALLS, false);
}

static void test_out_of_memory_svp_from_each_allocation(void **state)
{
    (void)state;
    out_of_memory_loop(SVP_CALLS, true);
}

/* cJSON parses each record: when it runs out of memory, the record must
 * be reported as out of memory, not as "not valid JSON". */
static void test_out_of_memory_cjson_each_allocation(void **state)
{
    (void)state;
    out_of_memory_loop(CJSON_CALLS, false);
}

static void test_out_of_memory_cjson_from_each_allocation(void **state)
{
    (void)state;
    out_of_memory_loop(CJSON_CALLS, true);
}

/* The council's policy compiled with a comment of every length from 0 to
 * 8 KiB (in steps of 16 bytes) added, failing each allocation of the
 * compile in turn.  The compile's allocations are a few arena blocks, so
 * which piece of the compile meets a failure depends on where the blocks
 * end; the comment moves those ends.  Every run must end in NULL and an
 * out-of-memory error, and free everything; a policy returned although an
 * allocation failed means a failure went unnoticed. */
static void test_out_of_memory_compile_sweep(void **state)
{
    (void)state;
    forget_earlier_blocks();
    FILE *f = fopen(nelc_path(), "rb");
    if (!f)
        fail_msg("cannot open %s: run from the repository root or set SVP_NELC", nelc_path());
    char *text = malloc((1 << 20) + 8192);
    assert_non_null(text);
    size_t base = fread(text, 1, 1 << 20, f);
    fclose(f);
    Problems pr = {{0}, 0, 0};
    size_t runs = 0;
    for (size_t pad = 0; pad <= 8192; pad += 16) {
        text[base] = '#';
        memset(text + base + 1, ' ', pad);
        text[base + 1 + pad] = '\n';
        size_t len = base + 2 + pad;
        reset_counts(SVP_CALLS, 0, false);
        svp_diagnostics *d = NULL;
        svp_policy *p = svp_policy_compile("nelc.svp", text, len, &counting, &d);
        if (!p)
            fail_msg("pad %zu: the policy does not compile:\n%s", pad, dump(d));
        svp_policy_free(p);
        svp_diagnostics_free(d);
        size_t total = mem.calls;
        for (size_t n = 1; n <= total; n++, runs++) {
            reset_counts(SVP_CALLS, n, false);
            static char where[64];
            snprintf(where, sizeof where, "compile sweep, %zu bytes of comment added", pad);
            g_oom_run = n;
            g_oom_loop = where;
            d = NULL;
            p = svp_policy_compile("nelc.svp", text, len, &counting, &d);
            if (p)
                problem(&pr, n, "pad %zu: a policy was returned although allocation %zu failed", pad, n);
            else if (d && !says_out_of_memory(d))
                problem(&pr, n, "pad %zu: NULL policy whose errors do not say out of memory:\n%s", pad, dump(d));
            svp_policy_free(p);
            svp_diagnostics_free(d);
            if (mem.live_blocks || mem.live_bytes)
                problem(&pr, n, "pad %zu: %zu blocks (%zu bytes) not freed", pad, mem.live_blocks, mem.live_bytes);
            if (mem.size_mismatch)
                problem(&pr, n, "pad %zu: a block was freed or grown with the wrong old size", pad);
            g_oom_run = 0;
        }
    }
    free(text);
    if (pr.count)
        fail_msg("%zu problems in %zu runs:%s", pr.count, runs, pr.text);
}

/* Evaluation itself under memory pressure: a record with long lists makes
 * the evaluator's scratch memory, its number table, its message buffer and
 * its output grow several times; allocation N of a fresh evaluator fails
 * (or every one from N on) while the policy itself was compiled with the
 * C library's allocator. */
#define BIG_POLICY                                                            \
    HEADER                                                                    \
    "enum size: small, medium, large\n"                                       \
    "object item\n"                                                           \
    "  name   text    required\n"                                             \
    "  amount money\n"                                                        \
    "  ok     boolean\n"                                                      \
    "record r\n"                                                              \
    "  id     text\n"                                                         \
    "  sizes  list of size\n"                                                 \
    "  items  list of item\n"                                                 \
    "  g.x    boolean\n"                                                      \
    "  g.y    boolean\n"                                                      \
    "decision total \"Total\" is sum of items.amount\n"                       \
    "rule all-ok \"All ok\"\n"                                                \
    "  cite    \"c1\"\n"                                                      \
    "  when    count of items > 0 and small in sizes\n"                       \
    "  require all of items.ok are true\n"                                    \
    "  else    error \"{total}: {items.name}; {names of g that are false}; {[total, total]}\"\n" \
    "  because items\n"                                                       \
    "rule any-big \"Any big\"\n"                                              \
    "  cite    \"c2\"\n"                                                      \
    "  when    any of g are true or large in [small, large]\n"                \
    "  report  info \"{sizes} {count of items.amount}\"\n"

static char *big_record(size_t n)
{
    size_t cap = n * 64 + 256, at = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    at += (size_t)snprintf(s + at, cap - at, "{\"id\":\"big\",\"g\":{\"x\":false,\"y\":true},\"sizes\":[");
    for (size_t i = 0; i < n; i++)
        at += (size_t)snprintf(s + at, cap - at, "%s\"%s\"", i ? "," : "", i % 2 ? "large" : "small");
    at += (size_t)snprintf(s + at, cap - at, "],\"items\":[");
    for (size_t i = 0; i < n; i++)
        at += (size_t)snprintf(s + at, cap - at, "%s{\"name\":\"n%zu\",\"amount\":%zu.5,\"ok\":%s}", i ? "," : "", i, i,
                               i == n - 1 ? "false" : "true");
    snprintf(s + at, cap - at, "]}");
    return s;
}

static void evaluate_under_pressure(bool sticky)
{
    forget_earlier_blocks();
    svp_diagnostics *d = NULL;
    svp_policy *p = svp_policy_compile("big.svp", BIG_POLICY, strlen(BIG_POLICY), NULL, &d);
    if (!p)
        fail_msg("the policy does not compile:\n%s", dump(d));
    svp_diagnostics_free(d);
    const char *records[] = {NULL, "{\"id\":\"small\",\"sizes\":[\"small\"],\"items\":[{\"name\":\"a\",\"ok\":true}]}", NULL};
    char *big = big_record(3000);
    records[0] = big;
    records[2] = big;
    char *want_json[3], *want_text[3];
    svp_status want_status[3];
    Problems pr = {{0}, 0, 0};
    size_t total = 0;
    for (size_t n = 0; n == 0 || n <= total + 1; n++) {
        reset_counts(SVP_CALLS, n, sticky);
        g_oom_run = n;
        g_oom_loop = sticky ? "evaluator, from N on" : "evaluator, N only";
        svp_evaluator *ev = svp_evaluator_new(p, &counting);
        if (!ev && !mem.failures)
            problem(&pr, n, "svp_evaluator_new returned NULL, and no allocation failed");
        for (size_t i = 0; ev && i < 3; i++) {
            size_t failures = mem.failures, len = 0;
            const svp_result *r = svp_evaluate(ev, records[i], strlen(records[i]), i + 1, true);
            svp_status status = svp_result_status(r);
            const char *msg = svp_result_error_message(r);
            bool oom = status == SVP_INVALID && msg && strstr(msg, "memory");
            const char *json = svp_result_json(ev, r, &len);
            if (n == 0) {
                want_status[i] = status;
                want_json[i] = strdup(json);
            }
            bool json_ok = !strcmp(json, want_json[i]) || !strcmp(json, OOM_LINE);
            char head[200];
            snprintf(head, sizeof head, "%s", json);
            const char *text = svp_result_text(ev, r, false, &len);
            if (n == 0)
                want_text[i] = strdup(text);
            bool text_ok = !strcmp(text, want_text[i]) || !strcmp(text, "out of memory\n");
            bool same = status == want_status[i] && json_ok && text_ok;
            if (!same && !(oom && mem.failures > failures))
                problem(&pr, n, "record %zu: %s%s (status %s, want %s)", i + 1, mem.failures > failures ? "" :
                        "no allocation failed, yet: ", head, status_word(status), status_word(want_status[i]));
        }
        svp_evaluator_free(ev);
        if (mem.live_blocks || mem.live_bytes)
            problem(&pr, n, "%zu blocks (%zu bytes) not freed", mem.live_blocks, mem.live_bytes);
        if (mem.size_mismatch)
            problem(&pr, n, "a block was freed or grown with the wrong old size");
        g_oom_run = 0;
        if (n == 0)
            total = mem.calls;
        else if (!mem.failures)
            break;
    }
    for (size_t i = 0; i < 3; i++) {
        free(want_json[i]);
        free(want_text[i]);
    }
    free(big);
    svp_policy_free(p);
    if (pr.count)
        fail_msg("%zu problems in %zu runs:%s", pr.count, total + 1, pr.text);
    assert_true(total > 20);
}

static void test_out_of_memory_while_evaluating(void **state)
{
    (void)state;
    evaluate_under_pressure(false);
}

static void test_out_of_memory_from_each_allocation_while_evaluating(void **state)
{
    (void)state;
    evaluate_under_pressure(true);
}

/* ---- Main ------------------------------------------------------------------------ */

/* ---- Tables and lists of objects under memory pressure ------------------------
 * The proxy-values policy (tables with editions, sums and counts over a list
 * of objects) compiled and run over a bid with allocation N failing, for
 * every N: each run ends in a clean error or the same result, and leaks
 * nothing. */

static const char PROXY_BID[] =
    "{\"id\":\"PV-1\",\"toms_edition\":2025,\"contract_value\":\"837000.00\",\"commitments\":["
    "{\"measure\":\"NT1\",\"quantity\":2},{\"measure\":\"NT4\",\"quantity\":400},{\"measure\":\"NT8\","
    "\"quantity\":100},{\"measure\":\"ZZ9\",\"quantity\":1}]}";

/* One run with allocation n failing (0: none): the result's JSON line into
 * out (empty when the policy did not compile). */
static void run_proxy(const char *path, size_t n, char *out, size_t size, Problems *pr)
{
    reset_counts(SVP_CALLS, n, false);
    g_oom_run = n;
    g_oom_loop = "tables, N only";
    out[0] = '\0';
    svp_diagnostics *d = NULL;
    svp_policy *p = svp_policy_load(path, &counting, &d);
    if (!p && (!n || !mem.failures))
        problem(pr, n, "the policy did not compile, and no allocation failed:\n%s", dump(d));
    else if (!p && d && !says_out_of_memory(d))
        problem(pr, n, "NULL policy whose errors do not say out of memory:\n%s", dump(d));
    svp_evaluator *ev = p ? svp_evaluator_new(p, &counting) : NULL;
    if (ev) {
        const svp_result *r = svp_evaluate(ev, PROXY_BID, strlen(PROXY_BID), 1, true);
        size_t len = 0;
        snprintf(out, size, "%s", svp_result_json(ev, r, &len));
    }
    svp_evaluator_free(ev);
    svp_policy_free(p);
    svp_diagnostics_free(d);
    if (mem.live_bytes || mem.live_blocks)
        problem(pr, n, "%zu blocks (%zu bytes) not freed", mem.live_blocks, mem.live_bytes);
    g_oom_run = 0;
}

static void test_out_of_memory_tables(void **state)
{
    (void)state;
    forget_earlier_blocks();
    const char *path = getenv("SVP_PROXY");
    path = path && *path ? path : "policies/proxy-values.svp";
    static char want[4096], got[4096];
    Problems pr = {{0}, 0, 0};
    run_proxy(path, 0, want, sizeof want, &pr);
    /* worked out by hand: NT1, NT4 and NT8 are known in 2025, ZZ9 is not */
    if (!strstr(want, "\"measures_known\":false,\"committed_value\":null") ||
        !strstr(want, "\"rule\":\"pv-known-measures\""))
        fail_msg("the bid's result is not the one worked out: %s", want);
    size_t total = mem.calls, runs = 0;
    for (size_t n = 1; n <= total; n++, runs++) {
        run_proxy(path, n, got, sizeof got, &pr);
        if (got[0] && strcmp(got, want) && !strstr(got, "memory"))
            problem(&pr, n, "the result differs and does not say memory: %s", got);
    }
    if (pr.count)
        fail_msg("%zu problems in %zu runs:%s", pr.count, runs, pr.text);
}

int main(void)
{
    cJSON_Hooks hooks = {cjson_malloc, cjson_free};
    cJSON_InitHooks(&hooks);
    const struct CMUnitTest expressions[] = {
        cmocka_unit_test_teardown(test_and_or_not_three_valued, teardown),
        cmocka_unit_test_teardown(test_when_and_require_with_absent_values, teardown),
        cmocka_unit_test_teardown(test_comparisons, teardown),
        cmocka_unit_test_teardown(test_arithmetic_units_and_rounding, teardown),
        cmocka_unit_test_teardown(test_in_lists, teardown),
        cmocka_unit_test_teardown(test_units, teardown),
        cmocka_unit_test_teardown(test_present_and_blank, teardown),
        cmocka_unit_test_teardown(test_if_then_else, teardown),
        cmocka_unit_test_teardown(test_count_and_sum, teardown),
        cmocka_unit_test_teardown(test_all_any_names, teardown),
        cmocka_unit_test_teardown(test_tiers, teardown),
        cmocka_unit_test_teardown(test_messages, teardown),
        cmocka_unit_test_teardown(test_severities_order_and_status, teardown),
        cmocka_unit_test_teardown(test_defaults, teardown),
        cmocka_unit_test_teardown(test_result_json_bytes, teardown),
        cmocka_unit_test_teardown(test_result_json_trace, teardown),
        cmocka_unit_test_teardown(test_result_text, teardown),
        cmocka_unit_test_teardown(test_result_lists_of_objects_and_long_text, teardown),
        cmocka_unit_test_teardown(test_nelc_findings, teardown),
        cmocka_unit_test_teardown(test_arithmetic_overflow, teardown),
    };
    const struct CMUnitTest records[] = {
        cmocka_unit_test_teardown(test_not_json, teardown),
        cmocka_unit_test_teardown(test_not_nul_terminated, teardown),
        cmocka_unit_test_teardown(test_lenient_json_is_refused, teardown),
        cmocka_unit_test_teardown(test_record_size_limit, teardown),
        cmocka_unit_test_teardown(test_depth_limit, teardown),
        cmocka_unit_test_teardown(test_duplicate_keys, teardown),
        cmocka_unit_test_teardown(test_duplicate_keys_past_64_fields, teardown),
        cmocka_unit_test_teardown(test_type_errors, teardown),
        cmocka_unit_test_teardown(test_missing_required, teardown),
        cmocka_unit_test_teardown(test_numbers_stay_aligned, teardown),
        cmocka_unit_test_teardown(test_many_numbers, teardown),
        cmocka_unit_test_teardown(test_exact_numbers, teardown),
        cmocka_unit_test_teardown(test_scratch_limit, teardown),
        cmocka_unit_test_teardown(test_declared_paths_and_empty_record, teardown),
    };
    const struct CMUnitTest memory[] = {
        cmocka_unit_test_teardown(test_allocator_balances, teardown),
        cmocka_unit_test_teardown(test_out_of_memory_svp_each_allocation, teardown),
        cmocka_unit_test_teardown(test_out_of_memory_svp_from_each_allocation, teardown),
        cmocka_unit_test_teardown(test_out_of_memory_cjson_each_allocation, teardown),
        cmocka_unit_test_teardown(test_out_of_memory_cjson_from_each_allocation, teardown),
        cmocka_unit_test_teardown(test_out_of_memory_compile_sweep, teardown),
        cmocka_unit_test_teardown(test_out_of_memory_while_evaluating, teardown),
        cmocka_unit_test_teardown(test_out_of_memory_from_each_allocation_while_evaluating, teardown),
        cmocka_unit_test_teardown(test_out_of_memory_tables, teardown),
    };
    int failed = cmocka_run_group_tests_name("expressions", expressions, NULL, NULL);
    failed += cmocka_run_group_tests_name("records", records, NULL, NULL);
    failed += cmocka_run_group_tests_name("memory", memory, NULL, NULL);
    return failed ? 1 : 0;
}
