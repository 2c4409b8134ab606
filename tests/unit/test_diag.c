/*
 * test_diag.c - the near-miss distance behind "did you mean ...?"
 * (engine/diag.c): the banded search with its early stop must give the
 * true edit distance whenever that is within the bound, and "out of
 * reach" (bound + 1) otherwise, whatever the strings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* The textbook edit distance, the whole table: the reference. */
static size_t full_distance(const char *a, size_t na, const char *b, size_t nb)
{
    size_t t[80][80];
    for (size_t i = 0; i <= na; i++)
        t[i][0] = i;
    for (size_t j = 0; j <= nb; j++)
        t[0][j] = j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            size_t best = t[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (t[i - 1][j] + 1 < best)
                best = t[i - 1][j] + 1;
            if (t[i][j - 1] + 1 < best)
                best = t[i][j - 1] + 1;
            t[i][j] = best;
        }
    return t[na][nb];
}

static void test_examples(void **state)
{
    (void)state;
    assert_int_equal(diag_distance("sv_treshold", 11, "sv_threshold", 12, 3), 1);
    assert_int_equal(diag_distance("kitten", 6, "sitting", 7, 3), 3);
    assert_int_equal(diag_distance("kitten", 6, "sitting", 7, 2), 3); /* out of reach: bound + 1 */
    assert_int_equal(diag_distance("abc", 3, "abcdefg", 7, 3), 4);   /* lengths alone */
    assert_int_equal(diag_distance("", 0, "ab", 2, 3), 2);
}

/* Random strings over a small alphabet (so that near misses are common),
 * every bound from 0 to 4. */
static void test_agrees_with_the_full_table(void **state)
{
    (void)state;
    srand(9);
    char a[40], b[40];
    for (int round = 0; round < 20000; round++) {
        size_t na = (size_t)(rand() % 12), nb = (size_t)(rand() % 12);
        for (size_t i = 0; i < na; i++)
            a[i] = "abc"[rand() % 3];
        for (size_t i = 0; i < nb; i++)
            b[i] = round % 2 && i < na ? a[i] : "abc"[rand() % 3];
        size_t want = full_distance(a, na, b, nb);
        for (size_t max = 0; max <= 4; max++) {
            size_t got = diag_distance(a, na, b, nb, max);
            assert_int_equal(got, want <= max ? want : max + 1);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples),
        cmocka_unit_test(test_agrees_with_the_full_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
