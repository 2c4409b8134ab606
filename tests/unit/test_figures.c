/*
 * test_figures.c - the figures a policy declares, through the public API
 * (svp_figures in svp.h): their values, groups and targets over records
 * chosen by hand, two versions measured each by its own figure, records
 * measured on other figures and added in order (svp_figures_measure), and an
 * out-of-memory loop (every allocation failed in turn: a clean NULL or a
 * whole result, and nothing leaked).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svp.h"

#define POLICY(VERSION, EFFECTIVE, THRESHOLD)                                                      \
    "policy \"T\" version \"" VERSION "\" effective " EFFECTIVE "\n"                                \
    "  dated by awarded\n"                                                                          \
    "parameters\n  threshold = " THRESHOLD "\n  aim = 25%\n"                                        \
    "enum size: small, large\n"                                                                     \
    "record procurement\n  id text required\n  value money required\n  size size required\n"        \
    "  awarded date\n"                                                                              \
    "decision tier \"Who signs\"\n  by value\n    over threshold -> \"Cabinet\"\n"                  \
    "    otherwise -> \"Officer\"\n"                                                                \
    "figure big \"Big ones\"\n  when value > threshold\n  count\n"                                  \
    "figure small-share \"Money to small suppliers\"\n  share value where size = small\n"           \
    "  by quarter of awarded\n  target aim\n"                                                       \
    "figure by-tier \"By who signs\"\n  sum value\n  by tier\n"

static svp_policy *compile(const char *text, const svp_allocator *alloc)
{
    svp_diagnostics *d = NULL;
    svp_policy *p = svp_policy_compile("t.svp", text, strlen(text), alloc, &d);
    if (!p && d) {
        char *r = svp_diagnostics_render(d, false);
        fprintf(stderr, "%s", r ? r : "");
        svp_string_free(r);
    }
    svp_diagnostics_free(d);
    return p;
}

static const char *const records[] = {
    "{\"id\":\"A\",\"value\":\"150000.00\",\"size\":\"small\",\"awarded\":\"2025-03-31\"}",
    "{\"id\":\"B\",\"value\":\"50000.00\",\"size\":\"large\",\"awarded\":\"2025-04-01\"}",
    "{\"id\":\"C\",\"value\":\"25000.50\",\"size\":\"small\",\"awarded\":\"2025-06-30\"}",
    "{\"id\":\"D\",\"value\":\"nope\",\"size\":\"small\"}",
};

/* Evaluate every record and hand it to the figures. */
static void add_all(svp_evaluator *ev, svp_figures *f)
{
    for (size_t i = 0; i < sizeof records / sizeof *records; i++) {
        svp_evaluate(ev, records[i], strlen(records[i]), i + 1, false);
        svp_figures_add(f, ev);
    }
}

static void test_values_and_groups(void **state)
{
    (void)state;
    svp_policy *p = compile(POLICY("1", "2020-04-01", "£100,000"), NULL);
    assert_non_null(p);
    svp_evaluator *ev = svp_evaluator_new(p, NULL);
    svp_figures *f = svp_figures_new((const svp_policy *const *)&p, 1, NULL);
    assert_non_null(f);
    add_all(ev, f);
    assert_int_equal(svp_figures_count(f), 3);
    assert_string_equal(svp_figure_id(f, 0), "big");
    assert_string_equal(svp_figure_title(f, 0), "Big ones");
    assert_string_equal(svp_figure_measure(f, 0), "count");
    assert_null(svp_figure_grouping(f, 0));
    assert_null(svp_figure_cite(f, 0));
    svp_figure_cell_value c;
    assert_true(svp_figure_cell(f, 0, SIZE_MAX, false, &c));
    assert_int_equal(c.value, 1); /* A only; D is invalid and left out */
    assert_string_equal(svp_figure_grouping(f, 1), "quarter");
    assert_true(svp_figure_cell(f, 1, SIZE_MAX, false, &c));
    assert_int_equal(c.value, 7777); /* £175,000.50 of £225,000.50 (A and C of A, B, C), rounded down */
    assert_int_equal(svp_figure_group_count(f, 1), 2);
    assert_true(svp_figure_cell(f, 1, 0, false, &c));
    assert_string_equal(c.label, "2024/25 Q4");
    assert_string_equal(c.text, "100%");
    assert_true(svp_figure_cell(f, 1, 1, false, &c));
    assert_string_equal(c.label, "2025/26 Q1");
    assert_string_equal(c.part_text, "£25,000.50");
    assert_string_equal(c.total_text, "£75,000.50");
    assert_string_equal(c.text, "33.33%");
    long long target;
    const char *target_text;
    assert_true(svp_figure_target(f, 1, false, &target, &target_text));
    assert_int_equal(target, 2500);
    assert_string_equal(target_text, "25%");
    assert_false(svp_figure_target(f, 0, false, &target, &target_text));
    assert_int_equal(svp_figure_group_count(f, 2), 2);
    assert_true(svp_figure_cell(f, 2, 0, true, &c));
    assert_string_equal(c.label, "Cabinet");
    assert_string_equal(c.text, "150000.00");
    assert_true(svp_figure_cell(f, 2, 1, false, &c));
    assert_string_equal(c.label, "Officer");
    assert_string_equal(c.text, "£75,000.50");
    assert_false(svp_figure_cell(f, 2, 2, false, &c));
    assert_false(svp_figure_cell(f, 3, SIZE_MAX, false, &c));
    assert_null(svp_figure_id(f, 3));
    size_t len = 0;
    const char *json = svp_figures_json(f, &len);
    assert_non_null(json);
    assert_int_equal(len, strlen(json));
    assert_non_null(strstr(json, "{\"group\":\"Officer\",\"records\":2,\"value\":\"75000.50\"}"));
    svp_figures_free(f);
    svp_evaluator_free(ev);
    svp_policy_free(p);
}

/* Two versions: each record is measured by its own version's figure (the
 * threshold that makes a procurement "big" differs). */
static void test_versions(void **state)
{
    (void)state;
    svp_policy *ps[2] = {compile(POLICY("1", "2020-04-01", "£100,000"), NULL),
                         compile(POLICY("2", "2025-04-01", "£40,000"), NULL)};
    assert_non_null(ps[0]);
    assert_non_null(ps[1]);
    svp_versions *v = svp_versions_new((const svp_policy *const *)ps, (const char *const[]){"1.svp", "2.svp"}, 2,
                                       "2025-05-01", NULL, NULL);
    assert_non_null(v);
    svp_evaluator *ev = svp_evaluator_new_versions(v, "2025-05-01", NULL);
    svp_figures *f = svp_figures_new((const svp_policy *const *)ps, 2, NULL);
    add_all(ev, f);
    svp_figure_cell_value c;
    assert_true(svp_figure_cell(f, 0, SIZE_MAX, false, &c));
    assert_int_equal(c.value, 2); /* A under version 1 (over £100,000), B under 2 (over £40,000); not C */
    assert_true(svp_figure_cell(f, 2, 0, false, &c));
    assert_string_equal(c.label, "Cabinet");
    assert_int_equal(c.records, 2);
    svp_figures_free(f);
    svp_evaluator_free(ev);
    svp_versions_free(v);
    svp_policy_free(ps[0]);
    svp_policy_free(ps[1]);
}


/* A register split between threads, each measuring its records with its
 * own figures, the measures added in input order: the same JSON, byte for
 * byte, as one svp_figures fed every record, with groups by text past the
 * limit of 1000 (which ones are dropped depends on the order records come
 * in), groups by quarter and by tier, records without the grouping value
 * and invalid records. */
#define MERGE_POLICY                                                                               \
    "policy \"T\" version \"1\" effective 2020-04-01\n"                                          \
    "parameters\n  threshold = £100,000\n"                                                        \
    "enum size: small, large\n"                                                                   \
    "record procurement\n  id text required\n  value money required\n  size size required\n"       \
    "  buyer text\n  awarded date\n"                                                               \
    "decision tier \"Who signs\"\n  by value\n    over threshold -> \"Cabinet\"\n"                  \
    "    otherwise -> \"Officer\"\n"                                                                \
    "figure by-buyer \"By buyer\"\n  sum value\n  by buyer\n"                                       \
    "figure by-quarter \"Small, by quarter\"\n  share value where size = small\n  by quarter of awarded\n" \
    "figure by-tier \"By who signs\"\n  count\n  by tier\n"

#define MERGE_RECORDS 4000

static void merge_record(char *out, size_t size, unsigned i)
{
    if (i % 97 == 5) { /* invalid */
        snprintf(out, size, "{\"id\":\"R%u\",\"value\":\"lots\",\"size\":\"small\"}", i);
        return;
    }
    char buyer[40] = "", awarded[40] = "";
    if (i % 11)
        snprintf(buyer, sizeof buyer, ",\"buyer\":\"B%u\"", (i * 7919u) % 1700u);
    if (i % 13)
        snprintf(awarded, sizeof awarded, ",\"awarded\":\"20%02u-%02u-15\"", 20 + i % 6, 1 + (i * 5) % 12);
    snprintf(out, size, "{\"id\":\"R%u\",\"value\":\"%u.%02u\",\"size\":\"%s\"%s%s}", i,
             (i * 104729u) % 300000u, i % 100, i % 3 ? "small" : "large", buyer, awarded);
}

static char *figures_text(svp_figures *f)
{
    size_t len = 0;
    const char *json = svp_figures_json(f, &len);
    assert_non_null(json);
    char *copy = malloc(len + 64);
    assert_non_null(copy);
    memcpy(copy, json, len);
    snprintf(copy + len, 64, " dropped %llu", svp_figure_groups_dropped(f, 0));
    return copy;
}

static void test_measured(void **state)
{
    (void)state;
    svp_policy *p = compile(MERGE_POLICY, NULL);
    assert_non_null(p);
    const svp_policy *const *v = (const svp_policy *const *)&p;
    enum { PARTS = 3 };
    svp_evaluator *ev = svp_evaluator_new(p, NULL), *evs[PARTS];
    svp_figures *one = svp_figures_new(v, 1, NULL), *added = svp_figures_new(v, 1, NULL), *part[PARTS];
    assert_non_null(one);
    assert_non_null(added);
    for (int k = 0; k < PARTS; k++) {
        assert_non_null(part[k] = svp_figures_new(v, 1, NULL));
        assert_non_null(evs[k] = svp_evaluator_new(p, NULL));
    }
    /* measured by the parts in chunks of 64, in turn, the chunks out of
     * order; the measures kept and added in input order */
    static char *measures[MERGE_RECORDS + 1];
    static size_t lens[MERGE_RECORDS + 1];
    for (unsigned chunk = 0; chunk < (MERGE_RECORDS / 64 + 2) / 2 * 2; chunk++) { /* an even number */
        unsigned c = chunk ^ 1; /* 1, 0, 3, 2, ... */
        for (unsigned i = c * 64 + 1; i <= c * 64 + 64 && i <= MERGE_RECORDS; i++) {
            char text[256];
            merge_record(text, sizeof text, i);
            svp_evaluator *e = evs[c % PARTS];
            svp_evaluate(e, text, strlen(text), i, false);
            size_t len = 0;
            const char *m = svp_figures_measure(part[c % PARTS], e, &len);
            assert_non_null(m);
            measures[i] = malloc(len + 1);
            memcpy(measures[i], m, len);
            lens[i] = len;
        }
    }
    size_t empty = 0;
    for (unsigned i = 1; i <= MERGE_RECORDS; i++) {
        char text[256];
        merge_record(text, sizeof text, i);
        svp_evaluate(ev, text, strlen(text), i, false);
        svp_figures_add(one, ev);
        assert_non_null(measures[i]);
        assert_true(svp_figures_add_measured(added, measures[i], lens[i]));
        empty += lens[i] == 0;
        free(measures[i]);
    }
    assert_true(empty > 0); /* invalid records count in no figure */
    char *want = figures_text(one), *got = figures_text(added);
    assert_non_null(strstr(want, "\"group\":\"(not given)\""));
    assert_true(svp_figure_groups_dropped(one, 0) > 0); /* the limit was reached */
    assert_string_equal(got, want);
    free(want);
    free(got);
    /* bytes that are not a measure */
    assert_false(svp_figures_add_measured(added, "\x07\0\0\0", 4));
    assert_false(svp_figures_add_measured(added, "\0\0\0\0\x01", 5));
    for (int k = 0; k < PARTS; k++) {
        svp_figures_free(part[k]);
        svp_evaluator_free(evs[k]);
    }
    svp_figures_free(added);
    svp_figures_free(one);
    svp_evaluator_free(ev);
    svp_policy_free(p);
}

typedef struct Mem {
    size_t count, fail_at, live;
} Mem;

static void *mem_realloc(void *ctx, void *p, size_t old_size, size_t size)
{
    Mem *m = ctx;
    (void)old_size;
    if (!size) {
        if (p)
            m->live--;
        free(p);
        return NULL;
    }
    if (++m->count == m->fail_at)
        return NULL;
    void *q = realloc(p, size);
    if (q && !p)
        m->live++;
    return q;
}

static void test_out_of_memory(void **state)
{
    (void)state;
    svp_policy *p = compile(POLICY("1", "2020-04-01", "£100,000"), NULL);
    svp_evaluator *ev = svp_evaluator_new(p, NULL);
    for (size_t n = 1;; n++) {
        Mem m = {0, n, 0};
        svp_allocator alloc = {mem_realloc, &m};
        svp_figures *f = svp_figures_new((const svp_policy *const *)&p, 1, &alloc);
        if (f) {
            add_all(ev, f);
            size_t len;
            const char *json = svp_figures_json(f, &len);
            if (m.count < n) /* nothing failed: the whole result */
                assert_non_null(json);
            svp_figures_free(f);
        }
        assert_int_equal(m.live, 0);
        if (m.count < n)
            break;
    }
    svp_evaluator_free(ev);
    svp_policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_and_groups),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_measured),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
