/*
 * diff.c - the April review: what changed between two versions of a policy
 * (svp_diff; what the change does to a register is impact.c).
 *
 * svp_diff compares two compiled policies declaration by declaration,
 * matched by name (rule ids, parameter, field and decision names), never
 * by position in the file.  Expressions are compared as trees, not as
 * text: comments, layout, redundant parentheses and the spelling of a
 * literal (£100000 and £100,000) are not changes; what is shown is the
 * canonical form `svp fmt` prints (fmt_expr).  Every change is one entry
 * with a kind, a name, an aspect and the old and new values, so the text
 * report and the JSON say the same things.
 */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "program.h"
#include "result.h"
#include "table.h"
#include "value.h"

/* ==== Canonical text ==================================================== */

typedef struct Cmp {
    const svp_policy *a, *b; /* old and new */
    Arena *arena;
    Buf tmp;
    bool oom;
} Cmp;

static const char *keep_buf(Cmp *C, Buf *b)
{
    const char *s = b->failed ? NULL : arena_strndup(C->arena, b->data ? b->data : "", b->len);
    buf_clear(b);
    if (!s)
        C->oom = true;
    return s ? s : "";
}

static const char *keep_str(Cmp *C, const char *s)
{
    buf_clear(&C->tmp);
    buf_puts(&C->tmp, s);
    return keep_buf(C, &C->tmp);
}

static bool name_eq(Name x, Name y) { return x.len == y.len && (x.len == 0 || !memcmp(x.text, y.text, x.len)); }

/* A text literal's contents as the policy means them: escapes decoded and
 * a line break with the spaces around it folded to one space (as
 * ast_decode_text does; the policy compiled, so every escape is known). */
static void decode_literal(Buf *b, Name raw)
{
    if (raw.len < 2)
        return;
    const char *s = raw.text + 1;
    size_t len = raw.len - 2;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\n' || c == '\r') {
            while (b->len > 0 && (b->data[b->len - 1] == ' ' || b->data[b->len - 1] == '\t'))
                b->data[--b->len] = '\0';
            while (i + 1 < len && strchr(" \t\r\n", s[i + 1]))
                i++;
            buf_putc(b, ' ');
        } else if (c == '\\' && i + 1 < len) {
            char e = s[++i];
            buf_putc(b, e == 'n' ? '\n' : e == 't' ? '\t' : e);
        } else {
            buf_putc(b, c);
        }
    }
}

/* Text as a canonical literal on one line: in double quotes, with \" \\
 * \n \t (and, in a message, \{ \}) escaped. */
static void quote_into(Buf *b, const char *s, bool braces)
{
    for (; *s; s++) {
        switch (*s) {
        case '"': buf_puts(b, "\\\""); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\t': buf_puts(b, "\\t"); break;
        case '{': case '}':
            if (braces)
                buf_putc(b, '\\');
            buf_putc(b, *s);
            break;
        default: buf_putc(b, *s);
        }
    }
}

/* The decoded contents of a literal (NUL-terminated, in the arena). */
static const char *decoded(Cmp *C, Name raw)
{
    buf_clear(&C->tmp);
    decode_literal(&C->tmp, raw);
    return keep_buf(C, &C->tmp);
}

static const char *quoted(Cmp *C, const char *s)
{
    buf_clear(&C->tmp);
    buf_putc(&C->tmp, '"');
    quote_into(&C->tmp, s, false);
    buf_putc(&C->tmp, '"');
    return keep_buf(C, &C->tmp);
}

/* Append an expression as `svp fmt` prints it, on one line (a wrapped
 * text literal's line break reads as a space). */
static void expr_into(Buf *b, const svp_policy *p, const Expr *e)
{
    size_t at = b->len;
    fmt_expr(b, p->source, e);
    if (b->failed)
        return;
    size_t w = at;
    for (size_t r = at; r < b->len; r++) {
        char c = b->data[r];
        if (c == '\n' || c == '\r') {
            while (w > at && (b->data[w - 1] == ' ' || b->data[w - 1] == '\t'))
                w--;
            while (r + 1 < b->len && strchr(" \t\r\n", b->data[r + 1]))
                r++;
            c = ' ';
        }
        b->data[w++] = c;
    }
    b->len = w;
    b->data[w] = '\0';
}

static const char *expr_str(Cmp *C, const svp_policy *p, const Expr *e)
{
    buf_clear(&C->tmp);
    if (e)
        expr_into(&C->tmp, p, e);
    else
        buf_puts(&C->tmp, "(none)");
    return keep_buf(C, &C->tmp);
}

static void list_into(Buf *b, const svp_policy *p, const ExprList *l)
{
    for (; l; l = l->next) {
        expr_into(b, p, l->expr);
        if (l->next)
            buf_puts(b, ", ");
    }
}

static const char *list_str(Cmp *C, const svp_policy *p, const ExprList *l)
{
    buf_clear(&C->tmp);
    if (l)
        list_into(&C->tmp, p, l);
    else
        buf_puts(&C->tmp, "(none)");
    return keep_buf(C, &C->tmp);
}

/* ---- Meaning: expressions compared as trees ------------------------------ */

static bool expr_eq(const Cmp *C, const Expr *x, const Expr *y);

static bool list_eq(const Cmp *C, const ExprList *x, const ExprList *y)
{
    for (; x && y; x = x->next, y = y->next)
        if (!expr_eq(C, x->expr, y->expr))
            return false;
    return !x && !y;
}

/* Same meaning, whatever the spelling of literals, the parentheses that
 * change nothing, or a qualified enumeration value (`stage.tender` is
 * `tender`).  x is from the old policy, y from the new. */
static bool expr_eq(const Cmp *C, const Expr *x, const Expr *y)
{
    if (!x || !y)
        return !x && !y;
    if (x->kind != y->kind)
        return false;
    switch ((ExprKind)x->kind) {
    case E_BOOL: case E_MONEY: case E_PERCENT: case E_NUMBER: case E_DATE:
        return x->num == y->num;
    case E_TEXT:
        return !strcmp(x->str ? x->str : "", y->str ? y->str : "");
    case E_SHARE:
        return true;
    case E_NAME:
        if (x->ref_kind == R_MEMBER && y->ref_kind == R_MEMBER && x->type.kind == T_ENUM && y->type.kind == T_ENUM) {
            const EnumDecl *ex = C->a->enums[x->type.ref], *ey = C->b->enums[y->type.ref];
            return name_eq(ex->name, ey->name) && x->ref < ex->count && y->ref < ey->count &&
                   name_eq(ex->members[x->ref], ey->members[y->ref]);
        }
        return name_eq(x->text, y->text);
    case E_LIST: case E_MIN: case E_MAX:
        return list_eq(C, x->items, y->items);
    case E_LOOKUP:
        return name_eq(x->text, y->text) && expr_eq(C, x->a, y->a);
    case E_EACH:
    case E_DIV: /* the rounding is part of the meaning */
        return x->num == y->num && expr_eq(C, x->a, y->a) && expr_eq(C, x->b, y->b);
    default:
        return x->flag == y->flag && expr_eq(C, x->a, y->a) && expr_eq(C, x->b, y->b) && expr_eq(C, x->c, y->c);
    }
}

/* ==== svp_diff ========================================================== */

typedef enum Kind {
    K_HEADER, K_CLAUSE_ADDED, K_CLAUSE_REMOVED,
    K_PARAM_ADDED, K_PARAM_REMOVED, K_PARAM_CHANGED,
    K_ENUM_ADDED, K_ENUM_REMOVED, K_ENUM_VALUE_ADDED, K_ENUM_VALUE_REMOVED, K_ENUM_CHANGED,
    K_RECORD_CHANGED, K_OBJECT_ADDED, K_OBJECT_REMOVED, K_FIELD_ADDED, K_FIELD_REMOVED, K_FIELD_CHANGED,
    K_DECISION_ADDED, K_DECISION_REMOVED, K_DECISION_CHANGED, K_TIER_ADDED, K_TIER_REMOVED, K_TIER_CHANGED,
    K_RULE_ADDED, K_RULE_REMOVED, K_RULE_CHANGED,
    K_PORTFOLIO_ADDED, K_PORTFOLIO_REMOVED, K_PORTFOLIO_CHANGED,
    K_RULE_RENAMED, K_PORTFOLIO_RENAMED,
    K_FIGURE_ADDED, K_FIGURE_REMOVED, K_FIGURE_CHANGED,
    K_TABLE_ADDED, K_TABLE_REMOVED, K_TABLE_CHANGED, K_TABLE_EDITION_ADDED, K_TABLE_EDITION_REMOVED,
    K_TABLE_ROW_ADDED, K_TABLE_ROW_REMOVED, K_TABLE_ROW_CHANGED
} Kind;

/* For each kind: its JSON name, its section, and how its text line reads:
 * %n the name, %a the aspect, %o the old value, %v the new value.  Kinds
 * without a template read "%n: %a: %o -> %v" (or "%n: %o -> %v"). */
static const struct {
    const char *kind;
    uint8_t section;
    const char *line;
} kinds[] = {
    [K_HEADER] = {"header-changed", 0, NULL},
    [K_CLAUSE_ADDED] = {"clause-added", 0, "clause added: %v"},
    [K_CLAUSE_REMOVED] = {"clause-removed", 0, "clause removed: %o"},
    [K_PARAM_ADDED] = {"parameter-added", 1, "added: %n = %v"},
    [K_PARAM_REMOVED] = {"parameter-removed", 1, "removed: %n (was %o)"},
    [K_PARAM_CHANGED] = {"parameter-changed", 1, NULL},
    [K_ENUM_ADDED] = {"enum-added", 2, "added: %n: %v"},
    [K_ENUM_REMOVED] = {"enum-removed", 2, "removed: %n (was %o)"},
    [K_ENUM_VALUE_ADDED] = {"enum-value-added", 2, "%n: value added: %v"},
    [K_ENUM_VALUE_REMOVED] = {"enum-value-removed", 2, "%n: value removed: %o"},
    [K_ENUM_CHANGED] = {"enum-changed", 2, NULL},
    [K_RECORD_CHANGED] = {"record-changed", 3, NULL},
    [K_OBJECT_ADDED] = {"object-added", 3, "added: object %n (%v)"},
    [K_OBJECT_REMOVED] = {"object-removed", 3, "removed: object %n (%o)"},
    [K_FIELD_ADDED] = {"field-added", 3, "added: %n (%v)"},
    [K_FIELD_REMOVED] = {"field-removed", 3, "removed: %n (%o)"},
    [K_FIELD_CHANGED] = {"field-changed", 3, NULL},
    [K_DECISION_ADDED] = {"decision-added", 4, "added: %n %v"},
    [K_DECISION_REMOVED] = {"decision-removed", 4, "removed: %n %o"},
    [K_DECISION_CHANGED] = {"decision-changed", 4, NULL},
    [K_TIER_ADDED] = {"tier-added", 4, "%n: tier added: %v"},
    [K_TIER_REMOVED] = {"tier-removed", 4, "%n: tier removed: %o"},
    [K_TIER_CHANGED] = {"tier-changed", 4, NULL},
    [K_RULE_ADDED] = {"rule-added", 5, "added: %n %v"},
    [K_RULE_REMOVED] = {"rule-removed", 5, "removed: %n %o"},
    [K_RULE_CHANGED] = {"rule-changed", 5, NULL},
    [K_PORTFOLIO_ADDED] = {"portfolio-rule-added", 6, "added: %n %v"},
    [K_PORTFOLIO_REMOVED] = {"portfolio-rule-removed", 6, "removed: %n %o"},
    [K_PORTFOLIO_CHANGED] = {"portfolio-rule-changed", 6, NULL},
    [K_RULE_RENAMED] = {"rule-renamed", 5, "renamed: %o -> %v"},
    [K_PORTFOLIO_RENAMED] = {"portfolio-rule-renamed", 6, "renamed: %o -> %v"},
    [K_FIGURE_ADDED] = {"figure-added", 7, "added: %n %v"},
    [K_FIGURE_REMOVED] = {"figure-removed", 7, "removed: %n %o"},
    [K_FIGURE_CHANGED] = {"figure-changed", 7, NULL},
    [K_TABLE_ADDED] = {"table-added", 8, "added: %n %v"},
    [K_TABLE_REMOVED] = {"table-removed", 8, "removed: %n %o"},
    [K_TABLE_CHANGED] = {"table-changed", 8, NULL},
    [K_TABLE_EDITION_ADDED] = {"table-edition-added", 8, "%n: edition %a added: %v"},
    [K_TABLE_EDITION_REMOVED] = {"table-edition-removed", 8, "%n: edition %a removed (was %o)"},
    [K_TABLE_ROW_ADDED] = {"table-row-added", 8, "%n of %a added: %v"},
    [K_TABLE_ROW_REMOVED] = {"table-row-removed", 8, "%n of %a removed (was %o)"},
    [K_TABLE_ROW_CHANGED] = {"table-row-changed", 8, "%n of %a changed from %o to %v"},
};

static const char *const sections[] = {"Header", "Parameters", "Enumerations", "Record fields",
                                       "Decisions", "Rules", "Portfolio rules", "Figures", "Tables"};

typedef struct Change {
    svp_change pub;
    uint8_t kind; /* Kind */
} Change;

struct svp_diff {
    const svp_allocator *alloc;
    Arena arena;
    Change *changes;
    size_t count, cap;
    Buf out;
    Cmp C;
};

static void add(svp_diff *d, Kind k, const char *name, const char *aspect, const char *old_value, const char *new_value)
{
    if (d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 32;
        Change *grown = svp_mem_realloc(d->alloc, d->changes, d->cap * sizeof *grown, cap * sizeof *grown);
        if (!grown) {
            d->C.oom = true;
            return;
        }
        d->changes = grown;
        d->cap = cap;
    }
    d->changes[d->count++] = (Change){{kinds[k].kind, name, aspect, old_value, new_value}, (uint8_t)k};
}

static const char *name_str(svp_diff *d, Name n)
{
    buf_clear(&d->C.tmp);
    buf_append(&d->C.tmp, n.text, n.len);
    return keep_buf(&d->C, &d->C.tmp);
}

/* Old and new strings differ: one change of kind k. */
static void compare_str(svp_diff *d, Kind k, const char *name, const char *aspect, const char *o, const char *n)
{
    if (strcmp(o, n))
        add(d, k, name, aspect, o, n);
}

/* ---- Header ------------------------------------------------------------ */

static const char *const months[] = {"January", "February", "March", "April", "May", "June", "July",
                                     "August", "September", "October", "November", "December"};

static const char *review_str(Cmp *C, int month)
{
    if (month < 1 || month > 12)
        return "(none)";
    buf_clear(&C->tmp);
    buf_printf(&C->tmp, "every %s", months[month - 1]);
    return keep_buf(C, &C->tmp);
}

static const char *date_str(Cmp *C, int32_t days)
{
    char text[SVP_VALUE_TEXT_MAX];
    value_format_date(days, text);
    return keep_str(C, text);
}

/* The decoded text of one item of a list of text literals. */
static const char *item_text(Cmp *C, const svp_policy *p, const Expr *e)
{
    if (e && e->kind == E_TEXT && e->str)
        return e->str;
    return expr_str(C, p, e);
}

static bool has_text(Cmp *C, const svp_policy *p, const ExprList *l, const char *s)
{
    for (; l; l = l->next)
        if (!strcmp(item_text(C, p, l->expr), s))
            return true;
    return false;
}

static void diff_header(svp_diff *d)
{
    Cmp *C = &d->C;
    const svp_policy *a = C->a, *b = C->b;
    compare_str(d, K_HEADER, "policy", NULL, quoted(C, a->name ? a->name : ""), quoted(C, b->name ? b->name : ""));
    compare_str(d, K_HEADER, "version", NULL, a->version ? a->version : "", b->version ? b->version : "");
    compare_str(d, K_HEADER, "effective", NULL, date_str(C, a->effective), date_str(C, b->effective));
    compare_str(d, K_HEADER, "review", NULL, review_str(C, a->review_month), review_str(C, b->review_month));
    compare_str(d, K_HEADER, "source", NULL, a->ast.source.len ? quoted(C, a->source_doc) : "(none)",
                b->ast.source.len ? quoted(C, b->source_doc) : "(none)");
    if (!list_eq(C, a->ast.dated_by, b->ast.dated_by))
        add(d, K_HEADER, "dated by", NULL, list_str(C, a, a->ast.dated_by), list_str(C, b, b->ast.dated_by));
    for (const ExprList *l = a->ast.clauses; l; l = l->next) {
        const char *t = item_text(C, a, l->expr);
        if (!has_text(C, b, b->ast.clauses, t))
            add(d, K_CLAUSE_REMOVED, "clauses", NULL, quoted(C, t), NULL);
    }
    for (const ExprList *l = b->ast.clauses; l; l = l->next) {
        const char *t = item_text(C, b, l->expr);
        if (!has_text(C, a, a->ast.clauses, t))
            add(d, K_CLAUSE_ADDED, "clauses", NULL, NULL, quoted(C, t));
    }
}

/* ---- Parameters -------------------------------------------------------- */

static const Param *find_param(const svp_policy *p, Name n)
{
    for (uint32_t i = 0; i < p->nparams; i++)
        if (name_eq(p->params[i]->name, n))
            return p->params[i];
    return NULL;
}

static void diff_params(svp_diff *d)
{
    Cmp *C = &d->C;
    for (uint32_t i = 0; i < C->a->nparams; i++) {
        const Param *x = C->a->params[i], *y = find_param(C->b, x->name);
        if (!y)
            add(d, K_PARAM_REMOVED, name_str(d, x->name), NULL, expr_str(C, C->a, x->value), NULL);
        else if (!expr_eq(C, x->value, y->value))
            add(d, K_PARAM_CHANGED, name_str(d, x->name), NULL, expr_str(C, C->a, x->value), expr_str(C, C->b, y->value));
    }
    for (uint32_t i = 0; i < C->b->nparams; i++) {
        const Param *y = C->b->params[i];
        if (!find_param(C->a, y->name))
            add(d, K_PARAM_ADDED, name_str(d, y->name), NULL, NULL, expr_str(C, C->b, y->value));
    }
}

/* ---- Enumerations ------------------------------------------------------ */

static const EnumDecl *find_enum(const svp_policy *p, Name n)
{
    for (uint32_t i = 0; i < p->nenums; i++)
        if (name_eq(p->enums[i]->name, n))
            return p->enums[i];
    return NULL;
}

static bool has_member(const EnumDecl *e, Name m)
{
    for (uint32_t i = 0; i < e->count; i++)
        if (name_eq(e->members[i], m))
            return true;
    return false;
}

/* "planning, tender, award": the members of e that other has too (all of
 * them when other is NULL), with "in order: " in front when asked. */
static const char *members_str(Cmp *C, const EnumDecl *e, const EnumDecl *other, bool say_order)
{
    buf_clear(&C->tmp);
    if (say_order && e->ordered)
        buf_puts(&C->tmp, "in order: ");
    bool first = true;
    for (uint32_t i = 0; i < e->count; i++) {
        if (other && !has_member(other, e->members[i]))
            continue;
        if (!first)
            buf_puts(&C->tmp, ", ");
        first = false;
        buf_append(&C->tmp, e->members[i].text, e->members[i].len);
    }
    return keep_buf(C, &C->tmp);
}

static void diff_enums(svp_diff *d)
{
    Cmp *C = &d->C;
    for (uint32_t i = 0; i < C->a->nenums; i++) {
        const EnumDecl *x = C->a->enums[i], *y = find_enum(C->b, x->name);
        const char *name = name_str(d, x->name);
        if (!y) {
            add(d, K_ENUM_REMOVED, name, NULL, members_str(C, x, NULL, true), NULL);
            continue;
        }
        if (x->ordered != y->ordered)
            add(d, K_ENUM_CHANGED, name, "ordering", x->ordered ? "in order" : "unordered",
                y->ordered ? "in order" : "unordered");
        for (uint32_t m = 0; m < x->count; m++)
            if (!has_member(y, x->members[m]))
                add(d, K_ENUM_VALUE_REMOVED, name, NULL, name_str(d, x->members[m]), NULL);
        for (uint32_t m = 0; m < y->count; m++)
            if (!has_member(x, y->members[m]))
                add(d, K_ENUM_VALUE_ADDED, name, NULL, NULL, name_str(d, y->members[m]));
        /* The order matters only where values compare by it. */
        if (x->ordered && y->ordered) {
            const char *xo = members_str(C, x, y, false), *yo = members_str(C, y, x, false);
            if (strcmp(xo, yo))
                add(d, K_ENUM_CHANGED, name, "order", members_str(C, x, NULL, false), members_str(C, y, NULL, false));
        }
    }
    for (uint32_t i = 0; i < C->b->nenums; i++)
        if (!find_enum(C->a, C->b->enums[i]->name))
            add(d, K_ENUM_ADDED, name_str(d, C->b->enums[i]->name), NULL, NULL, members_str(C, C->b->enums[i], NULL, true));
}

/* ---- Record fields ----------------------------------------------------- */

static const char *field_type(Cmp *C, const Field *f)
{
    buf_clear(&C->tmp);
    if (f->is_list)
        buf_puts(&C->tmp, "list of ");
    buf_append(&C->tmp, f->type_name.text, f->type_name.len);
    return keep_buf(C, &C->tmp);
}

static const char *field_requirement(Cmp *C, const svp_policy *p, const Field *f)
{
    if (f->required_when) { /* issue 11: "required when method = open" */
        const char *cond = expr_str(C, p, f->required_when);
        buf_clear(&C->tmp);
        buf_printf(&C->tmp, "required when %s", cond);
        return keep_buf(C, &C->tmp);
    }
    if (!f->required)
        return "optional";
    if (!f->from.len)
        return "required";
    buf_clear(&C->tmp);
    buf_puts(&C->tmp, "required from ");
    buf_append(&C->tmp, f->from.text, f->from.len);
    return keep_buf(C, &C->tmp);
}

/* "date, required from award", "boolean, optional, default false". */
static const char *field_summary(Cmp *C, const svp_policy *p, const Field *f)
{
    const char *type = field_type(C, f), *req = field_requirement(C, p, f);
    const char *dflt = f->dflt ? expr_str(C, p, f->dflt) : NULL;
    buf_clear(&C->tmp);
    buf_printf(&C->tmp, "%s, %s", type, req);
    if (dflt)
        buf_printf(&C->tmp, ", default %s", dflt);
    return keep_buf(C, &C->tmp);
}

/* A field's label or help as the report shows it: quoted, or (none). */
static const char *field_text(Cmp *C, const char *text)
{
    return text ? quoted(C, text) : "(none)";
}

static const Field *find_field(const RecordDecl *r, Name path)
{
    for (const Field *f = r ? r->fields : NULL; f; f = f->next)
        if (name_eq(f->path, path))
            return f;
    return NULL;
}

/* The fields of one record or object declaration in both versions; the
 * fields of an object are named OBJECT.FIELD. */
static void diff_fields(svp_diff *d, const RecordDecl *x, const RecordDecl *y)
{
    Cmp *C = &d->C;
    const char *prefix = x && x->is_object ? name_str(d, x->name) : NULL;
    for (const Field *f = x ? x->fields : NULL; f; f = f->next) {
        buf_clear(&C->tmp);
        if (prefix)
            buf_printf(&C->tmp, "%s.", prefix);
        buf_append(&C->tmp, f->path.text, f->path.len);
        const char *name = keep_buf(C, &C->tmp);
        const Field *g = find_field(y, f->path);
        if (!g) {
            add(d, K_FIELD_REMOVED, name, NULL, field_summary(C, C->a, f), NULL);
            continue;
        }
        compare_str(d, K_FIELD_CHANGED, name, "type", field_type(C, f), field_type(C, g));
        compare_str(d, K_FIELD_CHANGED, name, "requirement", field_requirement(C, C->a, f),
                    field_requirement(C, C->b, g));
        if (!expr_eq(C, f->dflt, g->dflt))
            add(d, K_FIELD_CHANGED, name, "default", expr_str(C, C->a, f->dflt), expr_str(C, C->b, g->dflt));
        compare_str(d, K_FIELD_CHANGED, name, "label", field_text(C, f->label_str), field_text(C, g->label_str));
        compare_str(d, K_FIELD_CHANGED, name, "help", field_text(C, f->help_str), field_text(C, g->help_str));
    }
    for (const Field *g = y ? y->fields : NULL; g; g = g->next) {
        if (find_field(x, g->path))
            continue;
        buf_clear(&C->tmp);
        if (prefix)
            buf_printf(&C->tmp, "%s.", prefix);
        buf_append(&C->tmp, g->path.text, g->path.len);
        const char *name = keep_buf(C, &C->tmp);
        add(d, K_FIELD_ADDED, name, NULL, NULL, field_summary(C, C->b, g));
    }
}

static const RecordDecl *find_object(const svp_policy *p, Name n)
{
    for (uint32_t i = 0; i < p->nobjects; i++)
        if (name_eq(p->objects[i].decl->name, n))
            return p->objects[i].decl;
    return NULL;
}

static const char *object_fields(Cmp *C, const RecordDecl *r)
{
    buf_clear(&C->tmp);
    for (const Field *f = r->fields; f; f = f->next)
        buf_printf(&C->tmp, "%s%.*s", f == r->fields ? "" : ", ", (int)f->path.len, f->path.text);
    return keep_buf(C, &C->tmp);
}

static void diff_records(svp_diff *d)
{
    Cmp *C = &d->C;
    const RecordDecl *x = C->a->record, *y = C->b->record;
    if (x && y && !name_eq(x->name, y->name))
        add(d, K_RECORD_CHANGED, "record", "name", name_str(d, x->name), name_str(d, y->name));
    diff_fields(d, x, y);
    for (uint32_t i = 0; i < C->a->nobjects; i++) {
        const RecordDecl *o = C->a->objects[i].decl, *n = find_object(C->b, o->name);
        if (n)
            diff_fields(d, o, n);
        else
            add(d, K_OBJECT_REMOVED, name_str(d, o->name), NULL, object_fields(C, o), NULL);
    }
    for (uint32_t i = 0; i < C->b->nobjects; i++) {
        const RecordDecl *n = C->b->objects[i].decl;
        if (!find_object(C->a, n->name))
            add(d, K_OBJECT_ADDED, name_str(d, n->name), NULL, NULL, object_fields(C, n));
    }
}

/* ---- Decisions --------------------------------------------------------- */

static void tier_bound_into(Buf *b, const svp_policy *p, const Tier *t)
{
    if (t->kind == TIER_OTHERWISE) {
        buf_puts(b, "otherwise");
        return;
    }
    buf_puts(b, t->kind == TIER_OVER ? "over " : "from ");
    expr_into(b, p, t->bound);
    /* a reader of the review wants the figure, not only its name */
    if (t->bound->kind == E_NAME && t->bound->ref_kind == R_PARAM && t->bound->ref < p->nparams) {
        buf_puts(b, " (");
        expr_into(b, p, p->params[t->bound->ref]->value);
        buf_putc(b, ')');
    }
}

static const char *tier_str(Cmp *C, const svp_policy *p, const Tier *t, bool bound, bool result)
{
    buf_clear(&C->tmp);
    if (bound)
        tier_bound_into(&C->tmp, p, t);
    if (bound && result)
        buf_puts(&C->tmp, " -> ");
    if (result)
        expr_into(&C->tmp, p, t->value);
    return keep_buf(C, &C->tmp);
}

/* "is EXPR" or "by EXPR: TIER; TIER; ...". */
static const char *definition(Cmp *C, const svp_policy *p, const Decision *x)
{
    buf_clear(&C->tmp);
    buf_puts(&C->tmp, x->is ? "is " : "by ");
    expr_into(&C->tmp, p, x->is ? x->is : x->by);
    for (const Tier *t = x->is ? NULL : x->tiers; t; t = t->next) {
        buf_puts(&C->tmp, t == x->tiers ? ": " : "; ");
        tier_bound_into(&C->tmp, p, t);
        buf_puts(&C->tmp, " -> ");
        expr_into(&C->tmp, p, t->value);
    }
    return keep_buf(C, &C->tmp);
}

static bool same_bound(const Cmp *C, const Tier *x, const Tier *y)
{
    return x->kind == y->kind && expr_eq(C, x->bound, y->bound);
}

static size_t count_tiers(const Tier *t)
{
    size_t n = 0;
    for (; t; t = t->next)
        n++;
    return n;
}

/* ---- Matching tiers -------------------------------------------------------
 * A decision may have tens of thousands of tiers, so tiers are not compared
 * pair by pair: each tier's result and bound get a hash that expressions
 * equal under expr_eq share, tiers are sorted by it, and only tiers of one
 * hash are compared (with expr_eq, which has the last word). */

static uint64_t hash_bytes(uint64_t h, const void *data, size_t n)
{
    const unsigned char *s = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3u; /* FNV-1a */
    return h;
}

static uint64_t expr_hash(const Expr *e);

static uint64_t list_hash(uint64_t h, const ExprList *l)
{
    for (; l; l = l->next)
        h = hash_bytes(h, &(uint64_t){expr_hash(l->expr)}, sizeof(uint64_t));
    return h;
}

/* Equal under expr_eq implies equal hashes: a name hashes by its last
 * segment, which is all that a qualified and a bare enumeration value
 * (`stage.tender`, `tender`) have in common. */
static uint64_t expr_hash(const Expr *e)
{
    uint64_t h = 0xcbf29ce484222325u;
    if (!e)
        return h;
    h = hash_bytes(h, &e->kind, sizeof e->kind);
    switch ((ExprKind)e->kind) {
    case E_BOOL: case E_MONEY: case E_PERCENT: case E_NUMBER: case E_DATE:
        return hash_bytes(h, &e->num, sizeof e->num);
    case E_TEXT:
        return e->str ? hash_bytes(h, e->str, strlen(e->str)) : h;
    case E_SHARE:
        return h;
    case E_NAME: {
        size_t at = e->text.len;
        while (at > 0 && e->text.text[at - 1] != '.')
            at--;
        return hash_bytes(h, e->text.text + at, e->text.len - at);
    }
    case E_LIST: case E_MIN: case E_MAX:
        return list_hash(h, e->items);
    case E_DIV:
        h = hash_bytes(h, &e->num, sizeof e->num);
        h = hash_bytes(h, &(uint64_t){expr_hash(e->a)}, sizeof(uint64_t));
        return hash_bytes(h, &(uint64_t){expr_hash(e->b)}, sizeof(uint64_t));
    default:
        h = hash_bytes(h, &e->flag, sizeof e->flag);
        h = hash_bytes(h, &(uint64_t){expr_hash(e->a)}, sizeof(uint64_t));
        h = hash_bytes(h, &(uint64_t){expr_hash(e->b)}, sizeof(uint64_t));
        return hash_bytes(h, &(uint64_t){expr_hash(e->c)}, sizeof(uint64_t));
    }
}

typedef struct Keyed {
    uint64_t hash;
    size_t index; /* in the tier array, the tie-break: tiers keep their order */
} Keyed;

static int by_hash(const void *x, const void *y)
{
    const Keyed *a = x, *b = y;
    if (a->hash != b->hash)
        return a->hash < b->hash ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* tiers[0..n) keyed by their result (bound false) or bound, sorted. */
static Keyed *keyed(Cmp *C, const Tier *const *tiers, size_t n, bool bound)
{
    Keyed *k = arena_alloc(C->arena, (n + 1) * sizeof *k);
    if (!k)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        uint64_t h = bound ? hash_bytes(expr_hash(tiers[i]->bound), &tiers[i]->kind, sizeof tiers[i]->kind)
                           : expr_hash(tiers[i]->value);
        k[i] = (Keyed){h, i};
    }
    qsort(k, n, sizeof *k, by_hash);
    return k;
}

/* The first entry of sorted k[0..n) with hash h, or n. */
static size_t first_with(const Keyed *k, size_t n, uint64_t h)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k[mid].hash < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Whether tier i's result is given by no other tier of the same list:
 * unique[i], from the sorted result keys.  (Tiers whose results merely
 * share a hash count as the same here; expr_eq confirms every match.) */
static bool *unique_results(Cmp *C, const Keyed *k, size_t n)
{
    bool *unique = arena_alloc(C->arena, n + 1);
    if (!unique)
        return NULL;
    for (size_t i = 0; i < n; i++)
        unique[k[i].index] = (i == 0 || k[i - 1].hash != k[i].hash) && (i + 1 == n || k[i + 1].hash != k[i].hash);
    return unique;
}

/* Tiers are matched by their result where it is unique ("Leadership
 * Team": its bound moved), then by their bound (its result changed); the
 * rest were added or removed. */
static void match_tiers(Cmp *C, const Tier **xs, size_t nx, const Tier **ys, size_t ny, const Tier **match,
                        bool *taken, bool *by_result)
{
    Keyed *xr = keyed(C, xs, nx, false), *yr = keyed(C, ys, ny, false), *yb = keyed(C, ys, ny, true);
    bool *xu = xr ? unique_results(C, xr, nx) : NULL, *yu = yr ? unique_results(C, yr, ny) : NULL;
    if (!xr || !yr || !yb || !xu || !yu) {
        C->oom = true;
        return;
    }
    for (size_t i = 0; i < nx; i++) {
        if (!xu[i])
            continue;
        uint64_t h = expr_hash(xs[i]->value);
        for (size_t at = first_with(yr, ny, h); at < ny && yr[at].hash == h; at++) {
            size_t j = yr[at].index;
            if (!taken[j] && yu[j] && expr_eq(C, xs[i]->value, ys[j]->value)) {
                match[i] = ys[j];
                taken[j] = true;
                by_result[i] = true;
                break;
            }
        }
    }
    for (size_t i = 0; i < nx; i++) {
        if (match[i])
            continue;
        uint64_t h = hash_bytes(expr_hash(xs[i]->bound), &xs[i]->kind, sizeof xs[i]->kind);
        for (size_t at = first_with(yb, ny, h); at < ny && yb[at].hash == h; at++) {
            size_t j = yb[at].index;
            if (!taken[j] && same_bound(C, xs[i], ys[j])) {
                match[i] = ys[j];
                taken[j] = true;
                break;
            }
        }
    }
}

static void diff_tiers(svp_diff *d, const char *name, const Decision *x, const Decision *y)
{
    Cmp *C = &d->C;
    size_t nx = count_tiers(x->tiers), ny = count_tiers(y->tiers);
    const Tier **xs = arena_alloc(C->arena, (nx + 1) * sizeof *xs);
    const Tier **ys = arena_alloc(C->arena, (ny + 1) * sizeof *ys);
    const Tier **match = arena_alloc(C->arena, (nx + 1) * sizeof *match); /* old i -> new */
    bool *taken = arena_alloc(C->arena, ny + 1);
    bool *by_result = arena_alloc(C->arena, nx + 1);
    if (!xs || !ys || !match || !taken || !by_result) {
        C->oom = true;
        return;
    }
    memset(match, 0, (nx + 1) * sizeof *match);
    memset(taken, 0, ny + 1);
    memset(by_result, 0, nx + 1);
    size_t i = 0;
    for (const Tier *t = x->tiers; t; t = t->next)
        xs[i++] = t;
    i = 0;
    for (const Tier *t = y->tiers; t; t = t->next)
        ys[i++] = t;
    match_tiers(C, xs, nx, ys, ny, match, taken, by_result);
    if (C->oom)
        return;
    for (i = 0; i < nx; i++) {
        const Tier *t = xs[i], *u = match[i];
        if (!u) {
            add(d, K_TIER_REMOVED, name, NULL, tier_str(C, C->a, t, true, true), NULL);
            continue;
        }
        if (!same_bound(C, t, u)) {
            buf_clear(&C->tmp);
            buf_puts(&C->tmp, "tier ");
            expr_into(&C->tmp, C->b, u->value);
            const char *aspect = keep_buf(C, &C->tmp);
            add(d, K_TIER_CHANGED, name, aspect, tier_str(C, C->a, t, true, false), tier_str(C, C->b, u, true, false));
        }
        if (!by_result[i] && !expr_eq(C, t->value, u->value)) {
            buf_clear(&C->tmp);
            buf_puts(&C->tmp, "tier ");
            tier_bound_into(&C->tmp, C->b, u);
            const char *aspect = keep_buf(C, &C->tmp);
            add(d, K_TIER_CHANGED, name, aspect, tier_str(C, C->a, t, false, true), tier_str(C, C->b, u, false, true));
        }
    }
    for (size_t j = 0; j < ny; j++)
        if (!taken[j])
            add(d, K_TIER_ADDED, name, NULL, NULL, tier_str(C, C->b, ys[j], true, true));
}

/* The analysis warnings a rule or decision allows (issue 11), as written:
 * "tier-not-monotonic because \"...\"; ...", or "(none)". */
static const char *allows_str(Cmp *C, const Clause *clauses)
{
    buf_clear(&C->tmp);
    for (const Clause *c = clauses; c; c = c->next)
        if (c->kind == C_ALLOW) {
            if (C->tmp.len)
                buf_puts(&C->tmp, "; ");
            buf_append(&C->tmp, c->code.text, c->code.len);
            buf_puts(&C->tmp, " because ");
            buf_append(&C->tmp, c->text.text, c->text.len);
        }
    return C->tmp.len ? keep_buf(C, &C->tmp) : "(none)";
}

static const char *title_str(Cmp *C, Name title)
{
    return title.len ? quoted(C, decoded(C, title)) : "";
}

static const char *cite_str(Cmp *C, Name cite)
{
    return cite.len ? quoted(C, decoded(C, cite)) : "(none)";
}

static const Decision *find_decision(const svp_policy *p, Name n)
{
    for (uint32_t i = 0; i < p->ndecisions; i++)
        if (name_eq(p->decisions[i]->name, n))
            return p->decisions[i];
    return NULL;
}

static void diff_decisions(svp_diff *d)
{
    Cmp *C = &d->C;
    for (uint32_t i = 0; i < C->a->ndecisions; i++) {
        const Decision *x = C->a->decisions[i], *y = find_decision(C->b, x->name);
        const char *name = name_str(d, x->name);
        if (!y) {
            add(d, K_DECISION_REMOVED, name, NULL, title_str(C, x->title), NULL);
            continue;
        }
        const char *tx = title_str(C, x->title), *ty = title_str(C, y->title);
        if (strcmp(tx, ty))
            add(d, K_DECISION_CHANGED, name, "title", *tx ? tx : "(none)", *ty ? ty : "(none)");
        compare_str(d, K_DECISION_CHANGED, name, "cite", cite_str(C, x->cite), cite_str(C, y->cite));
        if (x->working != y->working) /* issue 11: a working value is shown in no result */
            add(d, K_DECISION_CHANGED, name, "shown", x->working ? "no (working)" : "in results",
                y->working ? "no (working)" : "in results");
        compare_str(d, K_DECISION_CHANGED, name, "allow", allows_str(C, x->clauses), allows_str(C, y->clauses));
        if (!x->is != !y->is) {
            add(d, K_DECISION_CHANGED, name, "definition", definition(C, C->a, x), definition(C, C->b, y));
        } else if (x->is) {
            if (!expr_eq(C, x->is, y->is))
                add(d, K_DECISION_CHANGED, name, "is", expr_str(C, C->a, x->is), expr_str(C, C->b, y->is));
        } else {
            if (!expr_eq(C, x->by, y->by))
                add(d, K_DECISION_CHANGED, name, "by", expr_str(C, C->a, x->by), expr_str(C, C->b, y->by));
            diff_tiers(d, name, x, y);
        }
    }
    for (uint32_t i = 0; i < C->b->ndecisions; i++) {
        const Decision *y = C->b->decisions[i];
        if (!find_decision(C->a, y->name))
            add(d, K_DECISION_ADDED, name_str(d, y->name), NULL, NULL, title_str(C, y->title));
    }
}

/* ---- Rules ------------------------------------------------------------- */

static const char *const severities[] = {[SEV_INFO] = "info", [SEV_WARNING] = "warning", [SEV_ERROR] = "error"};

/* A rule's severity as the policy says it: "error", or (issue 11) "error
 * when published >= 2027-04-01 otherwise warning". */
static const char *severity_str(Cmp *C, const svp_policy *p, const Rule *r)
{
    if (!r->severity_when)
        return severities[r->severity];
    const char *cond = expr_str(C, p, r->severity_when);
    buf_clear(&C->tmp);
    buf_printf(&C->tmp, "%s when %s otherwise %s", severities[r->severity], cond, severities[r->severity_otherwise]);
    return keep_buf(C, &C->tmp);
}


/* A message as a canonical literal: its text with {expressions} printed
 * canonically. */
static const char *message_str(Cmp *C, const svp_policy *p, const Rule *r)
{
    buf_clear(&C->tmp);
    buf_putc(&C->tmp, '"');
    for (const MsgPart *m = r->parts; m; m = m->next) {
        if (m->expr) {
            buf_putc(&C->tmp, '{');
            expr_into(&C->tmp, p, m->expr);
            buf_putc(&C->tmp, '}');
        } else if (m->text) {
            quote_into(&C->tmp, m->text, true);
        }
    }
    buf_putc(&C->tmp, '"');
    return keep_buf(C, &C->tmp);
}

static bool message_eq(const Cmp *C, const Rule *x, const Rule *y)
{
    const MsgPart *m = x->parts, *n = y->parts;
    for (; m && n; m = m->next, n = n->next) {
        if (!m->expr != !n->expr)
            return false;
        if (m->expr ? !expr_eq(C, m->expr, n->expr) : strcmp(m->text ? m->text : "", n->text ? n->text : ""))
            return false;
    }
    /* Empty text pieces (between two expressions) carry nothing. */
    for (; m; m = m->next)
        if (m->expr || (m->text && *m->text))
            return false;
    for (; n; n = n->next)
        if (n->expr || (n->text && *n->text))
            return false;
    return true;
}

static const char *share_str(Cmp *C, const svp_policy *p, const Rule *r)
{
    if (!r->share_of)
        return "(none)";
    buf_clear(&C->tmp);
    expr_into(&C->tmp, p, r->share_of);
    buf_puts(&C->tmp, " where ");
    expr_into(&C->tmp, p, r->share_where);
    return keep_buf(C, &C->tmp);
}

static const Rule *find_rule(Rule *const *rules, uint32_t n, Name id)
{
    for (uint32_t i = 0; i < n; i++)
        if (name_eq(rules[i]->id, id))
            return rules[i];
    return NULL;
}

static void diff_rule(svp_diff *d, Kind k, const char *id, const Rule *x, const Rule *y)
{
    Cmp *C = &d->C;
    const char *tx = title_str(C, x->title), *ty = title_str(C, y->title);
    if (strcmp(tx, ty))
        add(d, k, id, "title", *tx ? tx : "(none)", *ty ? ty : "(none)");
    compare_str(d, k, id, "cite", cite_str(C, x->cite), cite_str(C, y->cite));
    if (!expr_eq(C, x->when, y->when))
        add(d, k, id, "when", expr_str(C, C->a, x->when), expr_str(C, C->b, y->when));
    if (!expr_eq(C, x->share_of, y->share_of) || !expr_eq(C, x->share_where, y->share_where))
        add(d, k, id, "share", share_str(C, C->a, x), share_str(C, C->b, y));
    if (!expr_eq(C, x->require, y->require))
        add(d, k, id, "require", expr_str(C, C->a, x->require), expr_str(C, C->b, y->require));
    compare_str(d, k, id, "severity", severity_str(C, C->a, x), severity_str(C, C->b, y));
    compare_str(d, k, id, "allow", allows_str(C, x->clauses), allows_str(C, y->clauses));
    if (!message_eq(C, x, y))
        add(d, k, id, "message", message_str(C, C->a, x), message_str(C, C->b, y));
    if (!list_eq(C, x->because, y->because))
        add(d, k, id, "because", list_str(C, C->a, x->because), list_str(C, C->b, y->because));
}

/* The start of a rule or figure shown whole: its title and `when`, into
 * b (which the caller frees), made with the diff's allocator. */
static void whole_open(Buf *b, Cmp *C, const svp_policy *p, const Rule *r)
{
    buf_init(b, C->tmp.alloc);
    const char *title = title_str(C, r->title);
    buf_puts(b, *title ? title : "(no title)");
    if (r->when) {
        buf_puts(b, "; when ");
        expr_into(b, p, r->when);
    }
}

/* What a rule does, whole, for a rule added or removed: its title, when,
 * share, requirement, severity and message, citation. */
static const char *rule_whole(Cmp *C, const svp_policy *p, const Rule *r)
{
    Buf b;
    whole_open(&b, C, p, r);
    if (r->share_of) {
        buf_puts(&b, "; share ");
        expr_into(&b, p, r->share_of);
        buf_puts(&b, " where ");
        expr_into(&b, p, r->share_where);
    }
    if (r->require) {
        buf_puts(&b, "; require ");
        expr_into(&b, p, r->require);
    }
    buf_puts(&b, r->require ? "; else " : "; report ");
    buf_puts(&b, severity_str(C, p, r));
    buf_putc(&b, ' ');
    buf_puts(&b, message_str(C, p, r));
    if (r->cite.len) {
        buf_puts(&b, "; cite ");
        buf_puts(&b, cite_str(C, r->cite));
    }
    const char *kept = keep_buf(C, &b);
    buf_free(&b);
    return kept;
}

/* The same rule under another id: everything but the id and title equal. */
static bool rule_body_eq(Cmp *C, const Rule *x, const Rule *y)
{
    return expr_eq(C, x->when, y->when) && expr_eq(C, x->share_of, y->share_of) &&
           expr_eq(C, x->share_where, y->share_where) && expr_eq(C, x->require, y->require) &&
           x->severity == y->severity && expr_eq(C, x->severity_when, y->severity_when) &&
           x->severity_otherwise == y->severity_otherwise && message_eq(C, x, y) && list_eq(C, x->because, y->because) &&
           !strcmp(cite_str(C, x->cite), cite_str(C, y->cite));
}

static void diff_rule_list(svp_diff *d, bool portfolio)
{
    Cmp *C = &d->C;
    Rule *const *xs = portfolio ? C->a->portfolio : C->a->rules, *const *ys = portfolio ? C->b->portfolio : C->b->rules;
    uint32_t nx = portfolio ? C->a->nportfolio : C->a->nrules, ny = portfolio ? C->b->nportfolio : C->b->nrules;
    /* a rule only the new version has, taken as another's new id */
    bool *renamed = svp_mem_alloc(d->alloc, (ny + 1) * sizeof *renamed);
    if (!renamed) {
        C->oom = true;
        return;
    }
    memset(renamed, 0, (ny + 1) * sizeof *renamed);
    for (uint32_t i = 0; i < nx; i++) {
        const Rule *x = xs[i], *y = find_rule(ys, ny, x->id);
        const char *id = name_str(d, x->id);
        if (y) {
            diff_rule(d, portfolio ? K_PORTFOLIO_CHANGED : K_RULE_CHANGED, id, x, y);
            continue;
        }
        uint32_t j = 0;
        while (j < ny && (renamed[j] || find_rule(xs, nx, ys[j]->id) || !rule_body_eq(C, x, ys[j])))
            j++;
        if (j < ny) {
            renamed[j] = true;
            const char *new_id = name_str(d, ys[j]->id);
            add(d, portfolio ? K_PORTFOLIO_RENAMED : K_RULE_RENAMED, new_id, NULL, id, new_id);
            const char *tx = title_str(C, x->title), *ty = title_str(C, ys[j]->title);
            if (strcmp(tx, ty))
                add(d, portfolio ? K_PORTFOLIO_CHANGED : K_RULE_CHANGED, new_id, "title", *tx ? tx : "(none)",
                    *ty ? ty : "(none)");
        } else {
            add(d, portfolio ? K_PORTFOLIO_REMOVED : K_RULE_REMOVED, id, NULL, rule_whole(C, C->a, x), NULL);
        }
    }
    for (uint32_t i = 0; i < ny; i++)
        if (!renamed[i] && !find_rule(xs, nx, ys[i]->id))
            add(d, portfolio ? K_PORTFOLIO_ADDED : K_RULE_ADDED, name_str(d, ys[i]->id), NULL, NULL,
                rule_whole(C, C->b, ys[i]));
    svp_mem_free(d->alloc, renamed, (ny + 1) * sizeof *renamed);
}

/* ---- Figures -------------------------------------------------------------- */

/* What a figure measures: "count", "sum AMOUNT", "share AMOUNT where C". */
static const char *measure_str(Cmp *C, const svp_policy *p, const Rule *r)
{
    if (r->measure == FIG_COUNT)
        return "count";
    buf_clear(&C->tmp);
    buf_puts(&C->tmp, r->measure == FIG_SUM ? "sum " : "share ");
    if (r->share_of)
        expr_into(&C->tmp, p, r->share_of);
    if (r->measure == FIG_SHARE && r->share_where) {
        buf_puts(&C->tmp, " where ");
        expr_into(&C->tmp, p, r->share_where);
    }
    return keep_buf(C, &C->tmp);
}

/* How a figure groups: "(none)", "category", "quarter of dates.award". */
static const char *grouping_str(Cmp *C, const svp_policy *p, const Rule *r)
{
    static const char *const periods[] = {"", "month of ", "quarter of ", "year of "};
    if (!r->group_by)
        return "(none)";
    buf_clear(&C->tmp);
    buf_puts(&C->tmp, periods[r->period]);
    expr_into(&C->tmp, p, r->group_by);
    return keep_buf(C, &C->tmp);
}

static const char *figure_whole(Cmp *C, const svp_policy *p, const Rule *r)
{
    Buf b;
    whole_open(&b, C, p, r);
    buf_puts(&b, "; ");
    buf_puts(&b, measure_str(C, p, r));
    if (r->group_by) {
        buf_puts(&b, "; by ");
        buf_puts(&b, grouping_str(C, p, r));
    }
    if (r->target) {
        buf_puts(&b, "; target ");
        expr_into(&b, p, r->target);
    }
    const char *kept = keep_buf(C, &b);
    buf_free(&b);
    return kept;
}

/* Figures, by id: the April review may add one as it adds a rule. */
static void diff_figures(svp_diff *d)
{
    Cmp *C = &d->C;
    for (uint32_t i = 0; i < C->a->nfigures; i++) {
        const Rule *x = C->a->figures[i], *y = find_rule(C->b->figures, C->b->nfigures, x->id);
        const char *id = name_str(d, x->id);
        if (!y) {
            add(d, K_FIGURE_REMOVED, id, NULL, figure_whole(C, C->a, x), NULL);
            continue;
        }
        const char *tx = title_str(C, x->title), *ty = title_str(C, y->title);
        if (strcmp(tx, ty))
            add(d, K_FIGURE_CHANGED, id, "title", *tx ? tx : "(none)", *ty ? ty : "(none)");
        compare_str(d, K_FIGURE_CHANGED, id, "cite", cite_str(C, x->cite), cite_str(C, y->cite));
        if (!expr_eq(C, x->when, y->when))
            add(d, K_FIGURE_CHANGED, id, "when", expr_str(C, C->a, x->when), expr_str(C, C->b, y->when));
        if (x->measure != y->measure || !expr_eq(C, x->share_of, y->share_of) ||
            !expr_eq(C, x->share_where, y->share_where))
            add(d, K_FIGURE_CHANGED, id, "measure", measure_str(C, C->a, x), measure_str(C, C->b, y));
        if (x->period != y->period || !expr_eq(C, x->group_by, y->group_by))
            add(d, K_FIGURE_CHANGED, id, "by", grouping_str(C, C->a, x), grouping_str(C, C->b, y));
        if (!expr_eq(C, x->target, y->target))
            add(d, K_FIGURE_CHANGED, id, "target", expr_str(C, C->a, x->target), expr_str(C, C->b, y->target));
    }
    for (uint32_t i = 0; i < C->b->nfigures; i++)
        if (!find_rule(C->a->figures, C->a->nfigures, C->b->figures[i]->id))
            add(d, K_FIGURE_ADDED, name_str(d, C->b->figures[i]->id), NULL, NULL,
                figure_whole(C, C->b, C->b->figures[i]));
}

/* ---- Tables ------------------------------------------------------------
 * Matched by name; editions by label, rows by key, so a reviewer reads
 * `proxy_value of "NT1" in edition 2025 changed from £31,500.00 to
 * £32,000.00` and not a rewritten block. */

static const TableDecl *find_table(const svp_policy *p, Name n)
{
    for (uint32_t i = 0; i < p->ntables; i++)
        if (name_eq(p->tables[i]->name, n))
            return p->tables[i];
    return NULL;
}

static const TableEdition *find_edition(const Cmp *C, const TableDecl *t, const Expr *label)
{
    for (const TableEdition *ed = t->editions; ed; ed = ed->next)
        if ((!ed->label && !label) || (ed->label && label && expr_eq(C, ed->label, label)))
            return ed;
    return NULL;
}

/* The row of ed with the key of old or new policy's row `key`: texts by
 * binary search (a table may hold thousands), an enumeration's values by
 * name (their positions may differ between the versions; they are few). */
static const TableRow *find_row(const Cmp *C, const TableEdition *ed, const Expr *key)
{
    if (key->kind == E_TEXT)
        return table_find(ed, (TableKey){key->str, strlen(key->str), 0});
    for (const TableRow *r = ed->rows; r; r = r->next)
        if (expr_eq(C, r->key, key))
            return r;
    return NULL;
}

/* `KEY -> VALUE, ...`: an edition's rows on one line. */
static const char *rows_str(Cmp *C, const svp_policy *p, const TableEdition *ed)
{
    buf_clear(&C->tmp);
    for (const TableRow *r = ed->rows; r; r = r->next) {
        expr_into(&C->tmp, p, r->key);
        buf_puts(&C->tmp, " -> ");
        expr_into(&C->tmp, p, r->value);
        if (r->next)
            buf_puts(&C->tmp, ", ");
    }
    return keep_buf(C, &C->tmp);
}

/* What a table is, for an added or removed one: its title and shape. */
static const char *table_whole(Cmp *C, const svp_policy *p, const TableDecl *t)
{
    buf_clear(&C->tmp);
    if (t->title.len) {
        buf_append(&C->tmp, t->title.text, t->title.len);
        buf_putc(&C->tmp, ' ');
    }
    size_t editions = 0, rows = 0;
    for (const TableEdition *ed = t->editions; ed; ed = ed->next, editions++)
        rows += ed->nrows;
    buf_printf(&C->tmp, "(keyed by %.*s, %zu rows", (int)t->key_type.len, t->key_type.text, rows);
    if (t->edition_by) {
        buf_printf(&C->tmp, " in %zu editions by ", editions);
        expr_into(&C->tmp, p, t->edition_by);
    }
    buf_putc(&C->tmp, ')');
    return keep_buf(C, &C->tmp);
}

/* `"NT1" in edition 2025` (or `"NT1"` in a table without editions). */
static const char *row_name(Cmp *C, const svp_policy *p, const TableEdition *ed, const Expr *key)
{
    buf_clear(&C->tmp);
    expr_into(&C->tmp, p, key);
    if (ed->label) {
        buf_puts(&C->tmp, " in edition ");
        expr_into(&C->tmp, p, ed->label);
    }
    return keep_buf(C, &C->tmp);
}

static void diff_rows(svp_diff *d, const char *name, const TableEdition *x, const TableEdition *y)
{
    Cmp *C = &d->C;
    for (const TableRow *r = x->rows; r; r = r->next) {
        const TableRow *q = find_row(C, y, r->key);
        if (!q)
            add(d, K_TABLE_ROW_REMOVED, name, row_name(C, C->a, x, r->key), expr_str(C, C->a, r->value), NULL);
        else if (!expr_eq(C, r->value, q->value))
            add(d, K_TABLE_ROW_CHANGED, name, row_name(C, C->a, x, r->key), expr_str(C, C->a, r->value),
                expr_str(C, C->b, q->value));
    }
    for (const TableRow *q = y->rows; q; q = q->next)
        if (!find_row(C, x, q->key))
            add(d, K_TABLE_ROW_ADDED, name, row_name(C, C->b, y, q->key), NULL, expr_str(C, C->b, q->value));
}

static void diff_table(svp_diff *d, const char *name, const TableDecl *x, const TableDecl *y)
{
    Cmp *C = &d->C;
    const char *tx = title_str(C, x->title), *ty = title_str(C, y->title);
    if (strcmp(tx, ty))
        add(d, K_TABLE_CHANGED, name, "title", *tx ? tx : "(none)", *ty ? ty : "(none)");
    compare_str(d, K_TABLE_CHANGED, name, "cite", cite_str(C, x->cite), cite_str(C, y->cite));
    compare_str(d, K_TABLE_CHANGED, name, "keyed by", name_str(d, x->key_type), name_str(d, y->key_type));
    if (!expr_eq(C, x->edition_by, y->edition_by))
        add(d, K_TABLE_CHANGED, name, "edition by", expr_str(C, C->a, x->edition_by), expr_str(C, C->b, y->edition_by));
    for (const TableEdition *ex = x->editions; ex; ex = ex->next) {
        const TableEdition *ey = find_edition(C, y, ex->label);
        if (ey)
            diff_rows(d, name, ex, ey);
        else
            add(d, K_TABLE_EDITION_REMOVED, name, expr_str(C, C->a, ex->label), rows_str(C, C->a, ex), NULL);
    }
    for (const TableEdition *ey = y->editions; ey; ey = ey->next)
        if (!find_edition(C, x, ey->label))
            add(d, K_TABLE_EDITION_ADDED, name, expr_str(C, C->b, ey->label), NULL, rows_str(C, C->b, ey));
}

static void diff_tables(svp_diff *d)
{
    Cmp *C = &d->C;
    for (uint32_t i = 0; i < C->a->ntables; i++) {
        const TableDecl *x = C->a->tables[i], *y = find_table(C->b, x->name);
        const char *name = name_str(d, x->name);
        if (y)
            diff_table(d, name, x, y);
        else
            add(d, K_TABLE_REMOVED, name, NULL, table_whole(C, C->a, x), NULL);
    }
    for (uint32_t i = 0; i < C->b->ntables; i++)
        if (!find_table(C->a, C->b->tables[i]->name))
            add(d, K_TABLE_ADDED, name_str(d, C->b->tables[i]->name), NULL, NULL, table_whole(C, C->b, C->b->tables[i]));
}

/* ---- The public face --------------------------------------------------- */

svp_diff *svp_diff_new(const svp_policy *old_policy, const svp_policy *new_policy, const svp_allocator *alloc)
{
    if (!old_policy || !new_policy)
        return NULL;
    svp_diff *d = svp_mem_alloc(alloc, sizeof *d);
    if (!d)
        return NULL;
    memset(d, 0, sizeof *d);
    d->alloc = alloc;
    arena_init(&d->arena, alloc, 0);
    buf_init(&d->out, alloc);
    d->C.a = old_policy;
    d->C.b = new_policy;
    d->C.arena = &d->arena;
    buf_init(&d->C.tmp, alloc);
    diff_header(d);
    diff_params(d);
    diff_enums(d);
    diff_records(d);
    diff_decisions(d);
    diff_rule_list(d, false);
    diff_rule_list(d, true);
    diff_figures(d);
    diff_tables(d);
    buf_free(&d->C.tmp);
    if (d->C.oom) {
        svp_diff_free(d);
        return NULL;
    }
    return d;
}

void svp_diff_free(svp_diff *d)
{
    if (!d)
        return;
    svp_mem_free(d->alloc, d->changes, d->cap * sizeof *d->changes);
    arena_free(&d->arena);
    buf_free(&d->out);
    buf_free(&d->C.tmp);
    svp_mem_free(d->alloc, d, sizeof *d);
}

size_t svp_diff_count(const svp_diff *d) { return d ? d->count : 0; }

const svp_change *svp_diff_get(const svp_diff *d, size_t i) { return d && i < d->count ? &d->changes[i].pub : NULL; }

static void change_line(Buf *b, const Change *c)
{
    const char *t = kinds[c->kind].line;
    buf_puts(b, "  ");
    if (!t) {
        buf_puts(b, c->pub.name);
        if (c->pub.aspect)
            buf_printf(b, ": %s", c->pub.aspect);
        buf_printf(b, ": %s -> %s\n", c->pub.old_value, c->pub.new_value);
        return;
    }
    for (; *t; t++) {
        if (*t != '%' || !t[1]) {
            buf_putc(b, *t);
            continue;
        }
        const char *s = *++t == 'n' ? c->pub.name : *t == 'a' ? c->pub.aspect : *t == 'o' ? c->pub.old_value
                                                                                   : c->pub.new_value;
        buf_puts(b, s ? s : "");
    }
    while (b->len && b->data[b->len - 1] == ' ') /* an empty title */
        b->data[--b->len] = '\0';
    buf_putc(b, '\n');
}

const char *svp_diff_text(svp_diff *d, size_t *len)
{
    Buf *b = &d->out;
    buf_clear(b);
    if (!d->count)
        buf_puts(b, "no differences\n");
    int section = -1;
    for (size_t i = 0; i < d->count; i++) {
        const Change *c = &d->changes[i];
        if (kinds[c->kind].section != section) {
            if (section >= 0)
                buf_putc(b, '\n');
            section = kinds[c->kind].section;
            buf_printf(b, "%s\n", sections[section]);
        }
        change_line(b, c);
    }
    return buf_finish(b, len);
}

const char *svp_diff_json(svp_diff *d, size_t *len)
{
    Buf *b = &d->out;
    buf_clear(b);
    buf_putc(b, '{');
    result_policy_json(b, "old", d->C.a);
    buf_putc(b, ',');
    result_policy_json(b, "new", d->C.b);
    buf_printf(b, ",\"count\":%zu,\"changes\":[", d->count);
    for (size_t i = 0; i < d->count; i++) {
        const svp_change *c = &d->changes[i].pub;
        buf_puts(b, i ? ",{\"kind\":" : "{\"kind\":");
        buf_json_text_or_null(b, c->kind);
        buf_puts(b, ",\"section\":");
        buf_json_text_or_null(b, sections[kinds[d->changes[i].kind].section]);
        buf_puts(b, ",\"name\":");
        buf_json_text_or_null(b, c->name);
        buf_puts(b, ",\"aspect\":");
        buf_json_text_or_null(b, c->aspect);
        buf_puts(b, ",\"old\":");
        buf_json_text_or_null(b, c->old_value);
        buf_puts(b, ",\"new\":");
        buf_json_text_or_null(b, c->new_value);
        buf_putc(b, '}');
    }
    buf_puts(b, "]}\n");
    return buf_finish(b, len);
}
