/*
 * table.h - finding a table's rows by key (engine/table.c).
 *
 * The checker sorts each edition's rows by key once (table_sort_rows);
 * the checker's constant keys and the evaluator's reads then find a row by
 * binary search, so a table of thousands of rows costs a few comparisons
 * per read and checking it stays n log n.
 */
#ifndef SVP_TABLE_H
#define SVP_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "ast.h"

/* A key to look for: a text (bytes, not NUL-terminated) or, for a table
 * keyed by an enumeration, a value's index. */
typedef struct TableKey {
    const char *text;  /* NULL for an enumeration value */
    size_t len;
    uint32_t member;
} TableKey;

/* The key of a checked row (a text literal or an enumeration value). */
TableKey table_row_key(const TableRow *r);

/* <0, 0, >0 as a sorts before, with or after b: texts byte by byte (a
 * prefix first), enumeration values by position. */
int table_key_compare(TableKey a, TableKey b);

/* Sort rows[0..n) by key, rows of equal keys in source order (qsort's
 * order is not stable: the span breaks ties). */
void table_sort_rows(TableRow **rows, size_t n);

/* The row of edition ed whose key is key, or NULL: ed->sorted must have
 * been filled by the checker. */
const TableRow *table_find(const TableEdition *ed, TableKey key);

#endif
