/*
 * test_import.c - the import API under failure: compiling a mapping and
 * importing OCDS and CSV inputs with an allocator that fails the Nth
 * allocation, for every N until the run succeeds.  Each time the result
 * must be clean: a mapping or errors, every item a record or a reason,
 * nothing leaked.  Run from the repository root (make unit does).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "svp.h"

#include "counting_alloc.h"

typedef struct Seen {
    unsigned long records, left_out;
} Seen;

static void on_record(void *ctx, const char *json, size_t len)
{
    Seen *s = ctx;
    assert_true(len > 2 && json[0] == '{' && json[len - 1] == '\n');
    s->records++;
}

static void on_left_out(void *ctx, const char *input, const char *item, const char *reason)
{
    Seen *s = ctx;
    assert_non_null(input);
    assert_non_null(item);
    assert_true(reason && reason[0]);
    s->left_out++;
}

static void test_is_mapping(void **state)
{
    (void)state;
    assert_true(svp_text_is_mapping("# a comment\n\nimport \"x\"\n", 24));
    assert_false(svp_text_is_mapping("policy \"x\"\n", 11));
    assert_false(svp_text_is_mapping("importance", 10));
}

static void test_mapping_out_of_memory(void **state)
{
    (void)state;
    static Counting counter;
    static const svp_allocator alloc = {counting_realloc, &counter};
    size_t n;
    for (n = 1; n < 200000; n++) {
        memset(&counter, 0, sizeof counter);
        counter.fail_at = n;
        svp_diagnostics *d = NULL, *pd = NULL;
        svp_mapping *m = svp_mapping_load("policies/import/ocds.svp", &alloc, &d, &pd);
        if (!m && !counter.failed)
            fail_msg("n=%zu: the mapping failed with no allocation failure", n);
        if (!m && d && !svp_diagnostics_errors(d) && !(pd && svp_diagnostics_errors(pd)))
            fail_msg("n=%zu: no mapping and no error", n);
        svp_mapping_free(m);
        svp_diagnostics_free(d);
        svp_diagnostics_free(pd);
        if (counter.live_blocks)
            fail_msg("n=%zu: %zu blocks leaked", n, counter.live_blocks);
        if (!counter.failed)
            break;
    }
    if (n < 4 || n >= 200000)
        fail_msg("the loop ended at %zu: is the allocator used?", n);
}

/* Import path with mapping_path through an allocator failing at each N in
 * turn; when nothing fails, `records` records and `left` left out. */
static void import_loop(const char *mapping_path, const char *path, unsigned long records, unsigned long left)
{
    static Counting counter;
    static const svp_allocator alloc = {counting_realloc, &counter};
    size_t n;
    for (n = 1; n < 200000; n++) {
        memset(&counter, 0, sizeof counter);
        svp_diagnostics *d = NULL, *pd = NULL;
        svp_mapping *m = svp_mapping_load(mapping_path, &alloc, &d, &pd);
        svp_diagnostics_free(d);
        svp_diagnostics_free(pd);
        assert_non_null(m);
        size_t base = counter.calls;
        counter.fail_at = base + n;
        Seen seen = {0, 0};
        svp_import_sink sink = {on_record, on_left_out, &seen};
        svp_import *im = svp_import_new(m, &sink, &alloc);
        bool read_ok = false;
        if (im) {
            FILE *f = fopen(path, "rb");
            assert_non_null(f);
            const char *error = NULL;
            read_ok = svp_import_read(im, f, path, &error);
            if (!read_ok)
                assert_true(error && error[0]);
            fclose(f);
            svp_import_finish(im);
            assert_int_equal(svp_import_written(im), seen.records);
            assert_int_equal(svp_import_left_out(im), seen.left_out);
            svp_import_free(im);
        }
        bool failed = counter.failed;
        svp_mapping_free(m);
        if (counter.live_blocks)
            fail_msg("n=%zu: %zu blocks leaked", n, counter.live_blocks);
        if (!failed) {
            assert_true(read_ok);
            assert_int_equal(seen.records, records);
            assert_int_equal(seen.left_out, left);
            break;
        }
    }
    if (n < 4 || n >= 200000)
        fail_msg("the loop ended at %zu: is the allocator used?", n);
}

static void test_import_ocds_out_of_memory(void **state)
{
    (void)state;
    import_loop("policies/import/ocds.svp", "tests/import/fixtures/record-package.json", 2, 0);
}

static void test_import_csv_out_of_memory(void **state)
{
    (void)state;
    import_loop("policies/import/transparency-register.svp", "tests/import/fixtures/edge.csv", 4, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_mapping),
        cmocka_unit_test(test_mapping_out_of_memory),
        cmocka_unit_test(test_import_ocds_out_of_memory),
        cmocka_unit_test(test_import_csv_out_of_memory),
    };
    return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}
