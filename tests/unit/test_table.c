/*
 * test_table.c - unit tests for engine/table.c: the order of keys and
 * finding a row by key.
 *
 * The checker sorts each edition's rows with table_sort_rows and every read
 * finds its row with table_find, so the order must be one total order that
 * both use: texts by their bytes with a prefix first (a record's text may be
 * any bytes, a NUL included), enumeration values by position, equal keys in
 * the order written.  Rows are built by hand, as the checker leaves them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "table.h"

/* A checked row keyed by text (str) or by an enumeration value (member),
 * written at offset `at` of the policy. */
static TableRow text_row(Expr *key, const char *str, uint32_t at)
{
    memset(key, 0, sizeof *key);
    key->kind = E_TEXT;
    key->str = str;
    return (TableRow){key, NULL, {at, at + 1}, NULL};
}

static TableRow member_row(Expr *key, uint32_t member, uint32_t at)
{
    memset(key, 0, sizeof *key);
    key->kind = E_NAME;
    key->ref_kind = R_MEMBER;
    key->ref = member;
    return (TableRow){key, NULL, {at, at + 1}, NULL};
}

static TableKey text(const char *s) { return (TableKey){s, strlen(s), 0}; }

static void test_key_order(void **state)
{
    (void)state;
    assert_true(table_key_compare(text("NT1"), text("NT1")) == 0);
    assert_true(table_key_compare(text("NT1"), text("NT10")) < 0); /* a prefix first */
    assert_true(table_key_compare(text("NT10"), text("NT2")) < 0); /* bytes, not numbers */
    assert_true(table_key_compare(text("NT2"), text("NT10")) > 0);
    assert_true(table_key_compare(text(""), text("A")) < 0);
    assert_true(table_key_compare((TableKey){"A\0B", 3, 0}, text("A")) > 0); /* a NUL in a record's text */
    assert_true(table_key_compare((TableKey){"A\0B", 3, 0}, (TableKey){"A\0C", 3, 0}) < 0);
    assert_true(table_key_compare((TableKey){NULL, 0, 2}, (TableKey){NULL, 0, 10}) < 0);
    assert_true(table_key_compare((TableKey){NULL, 0, 3}, (TableKey){NULL, 0, 3}) == 0);
}

static void test_sort_and_find_texts(void **state)
{
    (void)state;
    static const char *const keys[] = {"NT8", "NT1", "NT45", "NT4", "NT29", "NT1"};
    Expr k[6];
    TableRow rows[6];
    TableRow *sorted[6];
    for (uint32_t i = 0; i < 6; i++) {
        rows[i] = text_row(&k[i], keys[i], 10 * i);
        sorted[i] = &rows[i];
    }
    table_sort_rows(sorted, 6);
    static const char *const want[] = {"NT1", "NT1", "NT29", "NT4", "NT45", "NT8"};
    for (int i = 0; i < 6; i++)
        assert_string_equal(sorted[i]->key->str, want[i]);
    assert_ptr_equal(sorted[0], &rows[1]); /* equal keys in the order written */
    assert_ptr_equal(sorted[1], &rows[5]);
    TableEdition ed = {0};
    ed.sorted = sorted;
    ed.nsorted = 6;
    assert_ptr_equal(table_find(&ed, text("NT45")), &rows[2]);
    assert_ptr_equal(table_find(&ed, text("NT8")), &rows[0]);
    assert_ptr_equal(table_find(&ed, text("NT29")), &rows[4]);
    assert_non_null(table_find(&ed, text("NT1")));
    assert_null(table_find(&ed, text("NT")));
    assert_null(table_find(&ed, text("NT10")));
    assert_null(table_find(&ed, text("ZZ9")));
    assert_null(table_find(&ed, text("")));
    ed.nsorted = 0;
    assert_null(table_find(&ed, text("NT1"))); /* an edition without rows */
}

static void test_sort_and_find_members(void **state)
{
    (void)state;
    static const uint32_t members[] = {4, 0, 2};
    Expr k[3];
    TableRow rows[3];
    TableRow *sorted[3];
    for (uint32_t i = 0; i < 3; i++) {
        rows[i] = member_row(&k[i], members[i], i);
        sorted[i] = &rows[i];
    }
    table_sort_rows(sorted, 3);
    assert_int_equal(sorted[0]->key->ref, 0);
    assert_int_equal(sorted[2]->key->ref, 4);
    TableEdition ed = {0};
    ed.sorted = sorted;
    ed.nsorted = 3;
    assert_ptr_equal(table_find(&ed, (TableKey){NULL, 0, 2}), &rows[2]);
    assert_ptr_equal(table_find(&ed, (TableKey){NULL, 0, 4}), &rows[0]);
    assert_null(table_find(&ed, (TableKey){NULL, 0, 1})); /* a value without a row */
    assert_null(table_find(&ed, (TableKey){NULL, 0, 5}));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_order),
        cmocka_unit_test(test_sort_and_find_texts),
        cmocka_unit_test(test_sort_and_find_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
