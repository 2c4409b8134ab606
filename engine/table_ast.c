/*
 * table_ast.c - the syntax tree of a table declaration, as the grammar
 * builds it.
 *
 * A table is written over several grammar actions (its head, its clauses,
 * each edition, each row), so the builder keeps the table being filled in
 * `current_table` and each edition keeps a tail for appending rows in
 * constant time (a table may hold thousands).  Like ast.c, constructors
 * allocate from the compile's arena, tolerate NULL children and report a
 * clause given twice where it is; what the rows mean (types, keys, which
 * edition a record reads) is engine/table.c's business.
 */
#include "ast.h"

#include <string.h>

static void *table_node(AstBuilder *b, size_t size)
{
    void *p = arena_alloc(b->arena, size);
    if (!p)
        b->oom = true;
    return p;
}

/* A clause of the table given a second time: say so at the second. */
static bool table_once(AstBuilder *b, Span already, Span key, const char *what)
{
    if (already.end == 0)
        return true;
    diag_add(b->diags, SVP_ERROR, "duplicate", key.start, key.end,
             "`%s` is given twice in this table: keep one", what);
    return false;
}

void ast_table(AstBuilder *b, Span s, Span name, Span title)
{
    TableDecl *t = table_node(b, sizeof *t);
    b->current_table = t;
    if (!t)
        return;
    t->name = ast_name(b, name);
    if (title.end > name.end)
        t->title = ast_name(b, title);
    t->span = s;
    *b->table_tail = t;
    b->table_tail = &t->next;
    t->decl = ast_add_decl(b, D_TABLE, t, s);
}

void ast_table_cite(AstBuilder *b, Span key, Span text)
{
    TableDecl *t = b->current_table;
    if (t && table_once(b, t->cite_key, key, "cite")) {
        t->cite = ast_name(b, text);
        t->cite_key = key;
    }
}

void ast_table_keyed(AstBuilder *b, Span key, Span type_name)
{
    TableDecl *t = b->current_table;
    if (t && table_once(b, t->keyed_key, key, "keyed by")) {
        t->key_type = ast_name(b, type_name);
        t->keyed_key = key;
    }
}

void ast_table_edition_by(AstBuilder *b, Span key, Expr *e)
{
    TableDecl *t = b->current_table;
    if (t && table_once(b, t->edition_key, key, "edition by")) {
        t->edition_by = e;
        t->edition_key = key;
    }
}

/* Open an edition: label is its literal, or NULL for the rows of a table
 * without editions (`: KEY -> VALUE, ...`). */
void ast_table_edition(AstBuilder *b, Span s, Expr *label)
{
    TableDecl *t = b->current_table;
    TableEdition *ed = t ? table_node(b, sizeof *ed) : NULL;
    if (!ed)
        return;
    ed->label = label;
    ed->span = s;
    ed->row_tail = &ed->rows;
    if (t->last_edition)
        t->last_edition->next = ed;
    else
        t->editions = ed;
    t->last_edition = ed;
}

void ast_table_entry(AstBuilder *b, Span s, Expr *key, Expr *value)
{
    TableDecl *t = b->current_table;
    TableEdition *ed = t ? t->last_edition : NULL;
    if (!ed || !key || !value)
        return;
    TableRow *r = table_node(b, sizeof *r);
    if (!r)
        return;
    r->key = key;
    r->value = value;
    r->span = s;
    *ed->row_tail = r;
    ed->row_tail = &r->next;
    ed->nrows++;
}

/* The table's whole span is known only when its last row has been read:
 * the formatter and the language server use it. */
void ast_table_end(AstBuilder *b, Span s)
{
    TableDecl *t = b->current_table;
    if (t) {
        t->span = s;
        if (t->decl)
            t->decl->span = s;
    }
    b->current_table = NULL;
}
