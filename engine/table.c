/*
 * table.c - finding a table's rows by key.
 *
 * A table's rows are written in the order an officer reads them; lookups
 * need them by key.  The checker sorts each edition once into
 * `TableEdition.sorted` (an array of the rows, by key), reporting
 * duplicates as neighbours; afterwards every read is a binary search.
 * Keys compare as the evaluator's values do: texts by their bytes,
 * enumeration values by position, so the order used to sort is the one
 * used to find.
 */
#include "table.h"

#include <stdlib.h>
#include <string.h>

TableKey table_row_key(const TableRow *r)
{
    const Expr *k = r->key;
    if (k->kind == E_TEXT)
        return (TableKey){k->str, strlen(k->str), 0};
    return (TableKey){NULL, 0, k->ref};
}

int table_key_compare(TableKey a, TableKey b)
{
    if (!a.text || !b.text) /* one table's keys are all texts or all values */
        return a.member < b.member ? -1 : a.member > b.member;
    int c = memcmp(a.text, b.text, a.len < b.len ? a.len : b.len);
    if (c)
        return c;
    return a.len < b.len ? -1 : a.len > b.len;
}

static int row_order(const void *x, const void *y)
{
    const TableRow *a = *(const TableRow *const *)x, *b = *(const TableRow *const *)y;
    int c = table_key_compare(table_row_key(a), table_row_key(b));
    if (c)
        return c;
    return a->span.start < b->span.start ? -1 : a->span.start > b->span.start;
}

void table_sort_rows(TableRow **rows, size_t n)
{
    if (n > 1)
        qsort(rows, n, sizeof *rows, row_order);
}

const TableRow *table_find(const TableEdition *ed, TableKey key)
{
    size_t lo = 0, hi = ed->nsorted;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = table_key_compare(table_row_key(ed->sorted[mid]), key);
        if (c == 0)
            return ed->sorted[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
