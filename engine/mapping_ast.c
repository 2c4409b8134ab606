/*
 * mapping_ast.c - the syntax tree of an import mapping, as the grammar
 * builds it.
 *
 * A mapping is written in the policy language and parsed by the same
 * grammar (grammar/parser.y): these constructors are the grammar's
 * actions for the declarations only a mapping has (`import`, `columns`,
 * `let`, `set`, `leave out`).  Like ast.c they allocate from the
 * compile's arena, tolerate NULL children (an error already reported, or
 * out of memory) and report a header item given twice where it is.  What
 * the declarations mean is engine/mapping.c's business.
 */
#include "ast.h"

#include <string.h>

static void *map_node(AstBuilder *b, size_t size)
{
    void *p = arena_alloc(b->arena, size);
    if (!p)
        b->oom = true;
    return p;
}

/* Append a declaration to the mapping and to the file's order. */
static MapDecl *map_decl(AstBuilder *b, MapKind kind, Span s)
{
    MapDecl *m = map_node(b, sizeof *m);
    if (!m)
        return NULL;
    m->kind = (uint8_t)kind;
    m->span = s;
    *b->map_tail = m;
    b->map_tail = &m->next;
    ast_add_decl(b, D_MAP, m, s);
    return m;
}

void map_header(AstBuilder *b, Span s, Span name)
{
    if (b->policy->mapping) {
        diag_add(b->diags, SVP_ERROR, "duplicate", s.start, s.end,
                 "a second `import` header: a file holds one mapping");
        return;
    }
    MapHeader *h = map_node(b, sizeof *h);
    if (!h)
        return;
    h->name = ast_name(b, name);
    h->span = s;
    b->policy->mapping = h;
}

void map_header_item(AstBuilder *b, int which, Span key, Span value)
{
    MapHeader *h = b->policy->mapping;
    if (!h)
        return;
    Name *slot = which == 'i' ? &h->into : &h->reads;
    if (slot->len) {
        diag_add(b->diags, SVP_ERROR, "duplicate", key.start, key.end, "`%s` is given twice in the header: keep one",
                 which == 'i' ? "into" : "reads");
        return;
    }
    *slot = ast_name(b, value);
}

void map_header_dates(AstBuilder *b, Span key, ExprList *formats)
{
    MapHeader *h = b->policy->mapping;
    if (!h)
        return;
    if (h->dates) {
        diag_add(b->diags, SVP_ERROR, "duplicate", key.start, key.end, "`dates` is given twice in the header: keep one");
        return;
    }
    h->dates = formats;
    h->dates_span = key;
}

void map_columns_begin(AstBuilder *b, Span s)
{
    b->current_columns = ast_add_decl(b, D_COLUMNS, NULL, s);
}

/* A column is kept as a parameter is (a name and a text), so that the
 * formatter lays a `columns` block out as it does `parameters`. */
void map_column(AstBuilder *b, Span name, Span header)
{
    Param *m = map_node(b, sizeof *m);
    Expr *text = ast_text(b, header);
    if (!m || !text)
        return;
    m->name = ast_name(b, name);
    m->value = text;
    *b->column_tail = m;
    b->column_tail = &m->next;
    DeclRef *d = b->current_columns;
    if (d) {
        if (!d->decl)
            d->decl = m;
        d->nparams++;
    }
}

void map_let(AstBuilder *b, Span s, Span name, Expr *value, Expr *where)
{
    if (!value)
        return;
    MapDecl *m = map_decl(b, M_LET, s);
    if (!m)
        return;
    m->name = ast_name(b, name);
    m->value = value;
    m->where = where;
}

void map_set(AstBuilder *b, Span s, Span path, Expr *value, MapCase *cases)
{
    if (!value && !cases)
        return;
    MapDecl *m = map_decl(b, M_SET, s);
    if (!m)
        return;
    m->name = ast_name(b, path);
    m->value = value;
    m->cases = cases;
}

void map_leave(AstBuilder *b, Span s, Expr *when, Span reason)
{
    if (!when)
        return;
    MapDecl *m = map_decl(b, M_LEAVE, s);
    if (!m)
        return;
    m->value = when;
    m->text = ast_name(b, reason);
}

MapCase *map_case(AstBuilder *b, Span s, Expr *when, Expr *value)
{
    MapCase *c = map_node(b, sizeof *c);
    if (!c)
        return NULL;
    c->when = when;
    c->value = value;
    c->span = s;
    c->last = c;
    return c;
}

MapCase *map_cases(MapCase *list, MapCase *c)
{
    if (!list)
        return c;
    if (!c)
        return list;
    list->last->next = c;
    list->last = c;
    return list;
}
