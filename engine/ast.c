/*
 * ast.c - constructors for the syntax tree, called from the grammar.
 *
 * Each constructor allocates from the compile's arena and tolerates NULL
 * children: when memory runs out the builder is marked and the tree is
 * thrown away whole, so no caller checks every step.  Constructors that
 * gather clauses (rules, decisions, fields) report clauses given twice
 * or that do not belong, at the clause that is wrong.
 */
#include "ast.h"

#include <string.h>

#include "value.h"

void ast_builder_init(AstBuilder *b, Arena *arena, svp_diagnostics *diags,
                      const char *src, size_t len, Policy *policy)
{
    memset(b, 0, sizeof *b);
    b->arena = arena;
    b->diags = diags;
    b->src = src;
    b->len = len;
    b->policy = policy;
    b->order_tail = &policy->order;
    b->param_tail = &policy->params;
    b->enum_tail = &policy->enums;
    b->record_tail = &policy->records;
    b->decision_tail = &policy->decisions;
    b->rule_tail = &policy->rules;
    b->comment_tail = &policy->comments;
    b->map_tail = &policy->maps;
    b->column_tail = &policy->columns;
    b->table_tail = &policy->tables;
}

static void *node(AstBuilder *b, size_t size)
{
    void *p = arena_alloc(b->arena, size);
    if (!p)
        b->oom = true;
    return p;
}

Span span_join(Span a, Span b)
{
    Span s = {a.start < b.start ? a.start : b.start, a.end > b.end ? a.end : b.end};
    return s;
}

Name ast_name(AstBuilder *b, Span s)
{
    Name n = {b->src + s.start, s.end - s.start, s};
    return n;
}

static void error_at(AstBuilder *b, Span s, const char *code, const char *fmt, const char *arg)
{
    diag_add(b->diags, SVP_ERROR, code, s.start, s.end, fmt, arg);
}

DeclRef *ast_add_decl(AstBuilder *b, DeclKind kind, void *decl, Span s)
{
    DeclRef *d = node(b, sizeof *d);
    if (!d)
        return NULL;
    d->kind = (uint8_t)kind;
    d->decl = decl;
    d->span = s;
    *b->order_tail = d;
    b->order_tail = &d->next;
    return d;
}

/* ---- Expressions ------------------------------------------------------- */

static Expr *expr_new(AstBuilder *b, ExprKind kind, Span s)
{
    Expr *e = node(b, sizeof *e);
    if (e) {
        e->kind = (uint8_t)kind;
        e->span = s;
        e->depth = 1;
    }
    return e;
}

/* A node over the given operands (any may be absent by design: pass
 * present = false for those), or NULL when an operand that should be there
 * is missing (an error already reported, or out of memory) or the nesting
 * passes AST_MAX_EXPR_DEPTH, which is reported here, once per expression. */
static Expr *expr_over(AstBuilder *b, ExprKind kind, Span s, Expr *x, Expr *y, Expr *z, int operands)
{
    Expr *ops[3] = {x, y, z};
    uint16_t depth = 0;
    for (int i = 0; i < operands; i++) {
        if (!ops[i])
            return NULL;
        if (ops[i]->depth > depth)
            depth = ops[i]->depth;
    }
    if (depth >= AST_MAX_EXPR_DEPTH) {
        diag_add(b->diags, SVP_ERROR, "limit", s.start, s.start + 1,
                 "this expression nests more than %d levels deep: split it into decisions", AST_MAX_EXPR_DEPTH);
        return NULL;
    }
    Expr *e = expr_new(b, kind, s);
    if (e) {
        e->a = x;
        e->b = y;
        e->c = z;
        e->depth = (uint16_t)(depth + 1);
    }
    return e;
}

Expr *ast_literal(AstBuilder *b, ExprKind kind, Span s, int64_t num)
{
    Expr *e = expr_new(b, kind, s);
    if (e) {
        e->num = num;
        e->text = ast_name(b, s);
    }
    return e;
}

/* Decode the inside of a text literal: escapes \" \\ \n \t \{ \}, and a
 * line break with the indentation around it folds to one space (so long
 * messages can be wrapped in the file).  keep_braces leaves \{ and \} as
 * written, for messages whose braces are split out later.  Returns an
 * arena string, or NULL when out of memory; bad escapes are reported. */
char *ast_decode_text(AstBuilder *b, const char *raw, size_t len, uint32_t at, bool keep_braces)
{
    char *out = arena_alloc(b->arena, len + 1);
    if (!out) {
        b->oom = true;
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = raw[i];
        if (c == '\n' || c == '\r') {
            while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
                n--;
            while (i + 1 < len && (raw[i + 1] == ' ' || raw[i + 1] == '\t' ||
                                   raw[i + 1] == '\n' || raw[i + 1] == '\r'))
                i++;
            out[n++] = ' ';
            continue;
        }
        if (c != '\\' || i + 1 >= len) {
            out[n++] = c;
            continue;
        }
        char e = raw[++i];
        switch (e) {
        case '"': case '\\': out[n++] = e; break;
        case 'n': out[n++] = '\n'; break;
        case 't': out[n++] = '\t'; break;
        case '{': case '}':
            if (keep_braces)
                out[n++] = '\\';
            out[n++] = e;
            break;
        default: {
            Span s = {at + (uint32_t)i - 1, at + (uint32_t)i + 1};
            char esc[3] = {'\\', e, 0};
            error_at(b, s, "syntax", "unknown escape `%s` in text: write \\\\ for a backslash, \\\" for a quote", esc);
        }
        }
    }
    out[n] = '\0';
    return out;
}

Expr *ast_text(AstBuilder *b, Span s)
{
    Expr *e = ast_literal(b, E_TEXT, s, 0);
    if (e)
        e->str = ast_decode_text(b, b->src + s.start + 1, s.end - s.start - 2, s.start + 1, false);
    return e;
}

Expr *ast_ref(AstBuilder *b, Span s)
{
    Expr *e = expr_new(b, E_NAME, s);
    if (e)
        e->text = ast_name(b, s);
    return e;
}

Expr *ast_unary(AstBuilder *b, ExprKind kind, Span s, Expr *a)
{
    return expr_over(b, kind, s, a, NULL, NULL, 1);
}

Expr *ast_binary(AstBuilder *b, ExprKind kind, Expr *a, Expr *c)
{
    if (!a || !c)
        return NULL;
    return expr_over(b, kind, span_join(a->span, c->span), a, c, NULL, 2);
}

Expr *ast_test(AstBuilder *b, ExprKind kind, bool negated, Span s, Expr *a)
{
    Expr *e = ast_unary(b, kind, s, a);
    if (e)
        e->flag = negated;
    return e;
}

Expr *ast_quantifier(AstBuilder *b, ExprKind kind, bool flag, Span s, Expr *a)
{
    Expr *e = ast_unary(b, kind, s, a);
    if (e)
        e->flag = flag;
    return e;
}

Expr *ast_if(AstBuilder *b, Span s, Expr *cond, Expr *then, Expr *otherwise)
{
    return expr_over(b, E_IF, s, cond, then, otherwise, 3);
}

Expr *ast_list(AstBuilder *b, Span s, ExprList *items)
{
    Expr *deepest = NULL;
    for (ExprList *i = items; i; i = i->next) {
        if (!i->expr)
            return NULL;
        if (!deepest || i->expr->depth > deepest->depth)
            deepest = i->expr;
    }
    Expr *e = deepest ? expr_over(b, E_LIST, s, deepest, NULL, NULL, 1) : expr_new(b, E_LIST, s);
    if (e) {
        e->a = NULL; /* the depth came from the deepest item; items hold them all */
        e->items = items;
    }
    return e;
}

/* ---- Units: not in, division, dates apart, min and max ----------------- */

Expr *ast_not_in(AstBuilder *b, Expr *a, Expr *c)
{
    Expr *e = ast_binary(b, E_IN, a, c);
    if (e)
        e->flag = true;
    return e;
}

/* The rounding a division states: `word` is the name after `rounded`
 * (after `rounded to` when `to`), empty when the division says nothing. */
static int64_t rounding_named(AstBuilder *b, bool to, Span word)
{
    const char *w = b->src + word.start;
    size_t n = word.end - word.start;
    if (n == 0)
        return DIV_UNSTATED;
    if (!to && n == 4 && !memcmp(w, "down", 4))
        return VALUE_ROUND_DOWN;
    if (!to && n == 2 && !memcmp(w, "up", 2))
        return VALUE_ROUND_UP;
    if (to && n == 7 && !memcmp(w, "nearest", 7))
        return VALUE_ROUND_NEAREST;
    error_at(b, word, "syntax", "say how the division rounds: `rounded down`, `rounded up` or `rounded to nearest`%s", "");
    return VALUE_ROUND_NEAREST; /* reported: any mode keeps the checker going */
}

Expr *ast_divide(AstBuilder *b, Span s, Expr *a, Expr *c, bool to, Span word)
{
    Expr *e = expr_over(b, E_DIV, s, a, c, NULL, 2);
    if (e)
        e->num = rounding_named(b, to, word);
    return e;
}

Expr *ast_between(AstBuilder *b, ExprKind kind, Span s, Expr *from, Expr *to)
{
    return expr_over(b, kind, s, from, to, NULL, 2);
}

Expr *ast_extreme(AstBuilder *b, ExprKind kind, Span s, ExprList *items)
{
    Expr *e = ast_list(b, s, items);
    if (e)
        e->kind = (uint8_t)kind;
    return e;
}

Expr *ast_parens(Expr *e, Span s)
{
    if (e) {
        e->parens = true;
        e->span = s;
    }
    return e;
}

/* Appends e to the end of list, in constant time (the first item keeps the
 * last: a policy file is untrusted, and may list a hundred thousand). */
ExprList *ast_expr_list(AstBuilder *b, ExprList *list, Expr *e)
{
    ExprList *item = node(b, sizeof *item);
    if (!item)
        return list;
    item->expr = e;
    if (!list) {
        item->last = item;
        return item;
    }
    list->last->next = item;
    list->last = item;
    return list;
}

/* ---- The header and simple declarations -------------------------------- */

void ast_header(AstBuilder *b, Span name)
{
    Policy *p = b->policy;
    if (p->name.len) {
        error_at(b, name, "duplicate", "%s", "a second `policy` header: a file holds one policy");
        return;
    }
    p->name = ast_name(b, name);
    p->header = name;
}

void ast_header_item(AstBuilder *b, int which, Span key, Span value, Expr *date)
{
    Policy *p = b->policy;
    Name *slot = which == 'v' ? &p->version : which == 's' ? &p->source : which == 'r' ? &p->review : NULL;
    if ((slot && slot->len) || (which == 'e' && p->effective)) {
        static const char *const words[] = {['v'] = "version", ['s'] = "source", ['r'] = "review", ['e'] = "effective"};
        error_at(b, key, "duplicate", "`%s` is given twice in the header: keep one", words[which]);
        return;
    }
    if (slot)
        *slot = ast_name(b, value);
    else
        p->effective = date;
}

void ast_header_list(AstBuilder *b, int which, Span key, ExprList *items)
{
    Policy *p = b->policy;
    ExprList **slot = which == 'd' ? &p->dated_by : &p->clauses;
    if (*slot) {
        error_at(b, key, "duplicate", "`%s` is given twice in the header: keep one", which == 'd' ? "dated by" : "clauses");
        return;
    }
    *slot = items;
    if (which == 'd')
        p->dated_span = key;
    else
        p->clauses_span = key;
}

void ast_params_begin(AstBuilder *b, Span s)
{
    b->current_params = ast_add_decl(b, D_PARAMS, NULL, s);
}

void ast_param(AstBuilder *b, Span name, Expr *value)
{
    Param *p = node(b, sizeof *p);
    if (!p)
        return;
    p->name = ast_name(b, name);
    p->value = value;
    *b->param_tail = p;
    b->param_tail = &p->next;
    DeclRef *d = b->current_params;
    if (d) {
        if (!d->decl)
            d->decl = p;
        d->nparams++;
    }
}

void ast_enum(AstBuilder *b, Span s, Span name, bool ordered, ExprList *members)
{
    EnumDecl *e = node(b, sizeof *e);
    if (!e)
        return;
    e->name = ast_name(b, name);
    e->ordered = ordered;
    for (ExprList *m = members; m; m = m->next)
        e->count++;
    e->members = node(b, (e->count ? e->count : 1) * sizeof *e->members);
    if (!e->members)
        return;
    uint32_t i = 0;
    for (ExprList *m = members; m; m = m->next)
        if (m->expr)
            e->members[i++] = m->expr->text;
    e->count = i;
    *b->enum_tail = e;
    b->enum_tail = &e->next;
    ast_add_decl(b, D_ENUM, e, s);
}

RecordDecl *ast_record(AstBuilder *b, Span s, Span name, bool is_object)
{
    RecordDecl *r = node(b, sizeof *r);
    if (!r)
        return NULL;
    r->name = ast_name(b, name);
    r->is_object = is_object;
    r->span = s;
    *b->record_tail = r;
    b->record_tail = &r->next;
    ast_add_decl(b, D_RECORD, r, s);
    return r;
}

/* ---- Clauses ----------------------------------------------------------- */

static Clause *clause_new(AstBuilder *b, ClauseKind kind, Span key, Span s)
{
    Clause *c = node(b, sizeof *c);
    if (c) {
        c->kind = (uint8_t)kind;
        c->key = key;
        c->span = s;
    }
    return c;
}

Clause *ast_clause(AstBuilder *b, ClauseKind kind, Span key, Span s, Expr *e)
{
    Clause *c = clause_new(b, kind, key, s);
    if (c)
        c->expr = e;
    return c;
}

Clause *ast_clause_text(AstBuilder *b, ClauseKind kind, Span key, Span s, Span text, int severity)
{
    Clause *c = clause_new(b, kind, key, s);
    if (c) {
        c->text = ast_name(b, text);
        c->severity = (uint8_t)severity;
    }
    return c;
}

Clause *ast_clause_names(AstBuilder *b, Span key, Span s, ExprList *names)
{
    Clause *c = clause_new(b, C_BECAUSE, key, s);
    if (c)
        c->names = names;
    return c;
}

Clause *ast_clause_tier(AstBuilder *b, TierKind kind, Span s, Expr *bound, Expr *value)
{
    Clause *c = clause_new(b, C_TIER, s, s);
    if (c) {
        c->tier = (uint8_t)kind;
        c->expr = bound;
        c->value = value;
    }
    return c;
}

Clause *ast_clauses(Clause *list, Clause *c)
{
    if (c && !c->last)
        c->last = c; /* a single new clause (a list's first already knows its last) */
    if (!list)
        return c;
    if (!c)
        return list;
    if (!list->last)
        list->last = list;
    list->last->next = c;
    list->last = c->last;
    return list;
}

Clause *ast_clause_share(AstBuilder *b, Span key, Span s, Expr *of, Expr *where)
{
    Clause *c = clause_new(b, C_SHARE, key, s);
    if (c) {
        c->expr = of;
        c->value = where;
    }
    return c;
}

static const char *clause_word(const Clause *c)
{
    static const char *const words[] = {"cite", "when", "require", "else", "report", "because",
                                        "is", "by", "tier", "required", "default", "label",
                                        "help", "share", "count", "sum", "by", "target", "allow"};
    return words[c->kind];
}

/* Report a clause given twice; true when c is the first of its kind. */
static bool first_clause(AstBuilder *b, const void *already, const Clause *c, const char *what)
{
    if (!already)
        return true;
    diag_add(b->diags, SVP_ERROR, "duplicate", c->key.start, c->key.end,
             "`%s` is given twice in %s: keep one", clause_word(c), what);
    return false;
}

Field *ast_field(AstBuilder *b, Span path, Span type_name, bool is_list, Clause *mods, Span s)
{
    Field *f = node(b, sizeof *f);
    if (!f)
        return NULL;
    f->path = ast_name(b, path);
    f->type_name = ast_name(b, type_name);
    f->is_list = is_list;
    f->span = s;
    f->from_rank = -1;
    f->decl_end = type_name.end;
    bool seen_required = false;
    for (Clause *c = mods; c; c = c->next) {
        if (c->kind == C_LABEL || c->kind == C_HELP) {
            Name *text = c->kind == C_LABEL ? &f->label : &f->help;
            if (first_clause(b, text->len ? c : NULL, c, "this field")) {
                *text = c->text;
                *(c->kind == C_LABEL ? &f->label_clause : &f->help_clause) = c->span;
            }
            continue;
        }
        if (c->span.end > f->decl_end)
            f->decl_end = c->span.end;
        if (c->kind == C_REQUIRED) {
            if (first_clause(b, seen_required ? c : NULL, c, "this field")) {
                f->required = !c->expr;
                f->required_when = c->expr;
                if (c->severity)
                    f->from = c->text;
            }
            seen_required = true;
        } else if (first_clause(b, f->dflt, c, "this field")) {
            f->dflt = c->expr;
        }
    }
    return f;
}

void ast_record_add(AstBuilder *b, RecordDecl *r, Field *f)
{
    (void)b;
    if (!r || !f)
        return;
    if (r->last_field)
        r->last_field->next = f;
    else
        r->fields = f;
    r->last_field = f;
    r->count++;
    r->span = span_join(r->span, f->span);
}

void ast_decision(AstBuilder *b, Span s, Span name, Span title, Clause *clauses)
{
    Decision *d = node(b, sizeof *d);
    if (!d)
        return;
    d->name = ast_name(b, name);
    if (title.end > title.start)
        d->title = ast_name(b, title);
    d->span = s;
    d->clauses = clauses;
    d->working = b->decision_working;
    b->decision_working = false;
    Tier **tail = &d->tiers;
    for (Clause *c = clauses; c; c = c->next) {
        if (c->kind == C_CITE) {
            d->cite = c->text;
        } else if (c->kind == C_IS) {
            d->is = c->expr;
        } else if (c->kind == C_BY) {
            d->by = c->expr;
        } else if (c->kind == C_TIER) {
            Tier *t = node(b, sizeof *t);
            if (!t)
                return;
            t->kind = c->tier;
            t->bound = c->expr;
            t->value = c->value;
            t->span = c->span;
            *tail = t;
            tail = &t->next;
        }
    }
    *b->decision_tail = d;
    b->decision_tail = &d->next;
    ast_add_decl(b, D_DECISION, d, s);
}

/* Sort a rule's clauses into place, reporting repeats; the checks that need
 * the whole rule (require without else, ...) are the checker's. */
static void rule_take_clause(AstBuilder *b, Rule *r, Clause *c)
{
    switch ((ClauseKind)c->kind) {
    case C_CITE:
        if (first_clause(b, r->cite.len ? c : NULL, c, "a rule"))
            r->cite = c->text;
        break;
    case C_WHEN:
        if (first_clause(b, r->when, c, "a rule: combine the conditions with `and`"))
            r->when = c->expr;
        break;
    case C_REQUIRE:
        if (first_clause(b, r->require, c, "a rule: combine the requirements with `and`"))
            r->require = c->expr;
        break;
    case C_ELSE:
    case C_REPORT:
        if (first_clause(b, r->message.len ? c : NULL, c, "a rule")) {
            r->message = c->text;
            r->severity = c->severity;
            r->severity_when = c->expr;
            r->severity_otherwise = c->otherwise_severity;
        }
        break;
    case C_ALLOW:
        break; /* read where the analysis warns (engine/analyse.c) */
    case C_BECAUSE:
        if (first_clause(b, r->because, c, "a rule"))
            r->because = c->names;
        break;
    case C_SHARE:
        if (!r->portfolio)
            diag_add(b->diags, SVP_ERROR, "syntax", c->key.start, c->key.end,
                     "`share` belongs in a `portfolio` rule, which reads a whole register");
        else if (first_clause(b, r->share_of, c, "a portfolio rule")) {
            r->share_of = c->expr;
            r->share_where = c->value;
        }
        break;
    default:
        diag_add(b->diags, SVP_ERROR, "syntax", c->key.start, c->key.end,
                 "`%s` belongs in a decision, not a rule", clause_word(c));
    }
}

void ast_rule(AstBuilder *b, Span s, Span id, Span title, Clause *clauses, bool portfolio)
{
    Rule *r = node(b, sizeof *r);
    if (!r)
        return;
    r->portfolio = portfolio;
    r->id = ast_name(b, id);
    if (title.end > title.start)
        r->title = ast_name(b, title);
    r->span = s;
    r->clauses = clauses;
    r->severity = SEV_ERROR;
    for (Clause *c = clauses; c; c = c->next)
        rule_take_clause(b, r, c);
    *b->rule_tail = r;
    b->rule_tail = &r->next;
    ast_add_decl(b, D_RULE, r, s);
}

void ast_comment(AstBuilder *b, Span s)
{
    Comment *c = node(b, sizeof *c);
    if (!c)
        return;
    c->span = s;
    *b->comment_tail = c;
    b->comment_tail = &c->next;
}

/* ---- Figures ------------------------------------------------------------ */

Clause *ast_clause_period(AstBuilder *b, Span key, Span s, Span period, Expr *date)
{
    Clause *c = clause_new(b, C_GROUP, key, s);
    if (!c)
        return NULL;
    c->expr = date;
    c->text = ast_name(b, period);
    static const char *const words[] = {[PERIOD_MONTH] = "month", [PERIOD_QUARTER] = "quarter",
                                        [PERIOD_YEAR] = "year"};
    for (uint8_t i = PERIOD_MONTH; i <= PERIOD_YEAR; i++)
        if (strlen(words[i]) == c->text.len && !memcmp(words[i], c->text.text, c->text.len))
            c->tier = i;
    if (!c->tier) {
        diag_add(b->diags, SVP_ERROR, "syntax", period.start, period.end,
                 "a figure groups dates by `month`, `quarter` or `year`, not `%.*s`: write, for example, "
                 "`by quarter of dates.award`", (int)c->text.len, c->text.text);
        c->tier = PERIOD_QUARTER; /* checked as a period of a date: no second error */
    }
    return c;
}

/* `target EXPR`: `target` is a plain name in the grammar (fields may be
 * called so), recognised here. */
Clause *ast_clause_named(AstBuilder *b, Span key, Span s, Expr *e)
{
    Name n = ast_name(b, key);
    if (!(n.len == 6 && !memcmp(n.text, "target", 6))) {
        diag_add(b->diags, SVP_ERROR, "syntax", key.start, key.end,
                 "unexpected `%.*s` in a figure: its clauses are `cite`, `when`, `count`, `sum`, `share`, `by` "
                 "and `target`", (int)n.len, n.text);
        return NULL; /* dropped: its expression is not checked as anything */
    }
    Clause *c = clause_new(b, C_TARGET, key, s);
    if (c)
        c->expr = e;
    return c;
}

static void figure_take_clause(AstBuilder *b, Rule *r, Clause *c)
{
    switch ((ClauseKind)c->kind) {
    case C_CITE:
        if (first_clause(b, r->cite.len ? c : NULL, c, "a figure"))
            r->cite = c->text;
        break;
    case C_WHEN:
        if (first_clause(b, r->when, c, "a figure: combine the conditions with `and`"))
            r->when = c->expr;
        break;
    case C_COUNT:
    case C_SUM:
    case C_SHARE:
        if (r->measure) {
            diag_add(b->diags, SVP_ERROR, "duplicate", c->key.start, c->key.end,
                     "a figure measures one thing: `count`, `sum AMOUNT` or `share AMOUNT where CONDITION`; "
                     "declare another figure for `%s`", clause_word(c));
            break;
        }
        r->measure = c->kind == C_COUNT ? FIG_COUNT : c->kind == C_SUM ? FIG_SUM : FIG_SHARE;
        r->share_of = c->expr;
        r->share_where = c->value;
        break;
    case C_GROUP:
        if (first_clause(b, r->group_by, c, "a figure")) {
            r->group_by = c->expr;
            r->period = c->tier;
        }
        break;
    case C_TARGET:
        if (first_clause(b, r->target, c, "a figure"))
            r->target = c->expr;
        break;
    default:
        break; /* the grammar gives a figure no other clause */
    }
}

void ast_figure(AstBuilder *b, Span s, Span id, Span title, Clause *clauses)
{
    Rule *r = node(b, sizeof *r);
    if (!r)
        return;
    r->figure = true;
    r->id = ast_name(b, id);
    if (title.end > title.start)
        r->title = ast_name(b, title);
    r->span = s;
    r->clauses = clauses;
    r->severity = SEV_INFO;
    for (Clause *c = clauses; c; c = c->next)
        figure_take_clause(b, r, c);
    *b->rule_tail = r;
    b->rule_tail = &r->next;
    ast_add_decl(b, D_RULE, r, s);
}

/* ---- Issue 11 (rules): conditional severity, allowed warnings ----------- */

/* `else SEV when COND otherwise SEV "message"`: the clause of ast_clause_text
 * with the condition in expr and the second severity beside it. */
Clause *ast_clause_severity(AstBuilder *b, ClauseKind kind, Span key, Span s, Span text, int severity, Expr *cond,
                            int otherwise)
{
    Clause *c = ast_clause_text(b, kind, key, s, text, severity);
    if (c) {
        c->expr = cond;
        c->otherwise_severity = (uint8_t)otherwise;
    }
    return c;
}

/* `allow CODE because "why"`: the code (a name) and the reason (a raw
 * string literal); the analysis checks the code and marks it used. */
Clause *ast_clause_allow(AstBuilder *b, Span key, Span s, Span code, Span reason)
{
    Clause *c = clause_new(b, C_ALLOW, key, s);
    if (c) {
        c->code = ast_name(b, code);
        c->text = ast_name(b, reason);
    }
    return c;
}

/* True when clauses (a rule's or a decision's) hold `allow code`: the
 * analysis then keeps that warning quiet, and the clause is marked used
 * (an allow never used is itself a warning: engine/analyse.c). */
bool ast_allowed(Clause *clauses, const char *code)
{
    size_t n = strlen(code);
    for (Clause *c = clauses; c; c = c->next)
        if (c->kind == C_ALLOW && c->code.len == n && !memcmp(c->code.text, code, n)) {
            c->allow_used = true;
            return true;
        }
    return false;
}

/* ---- Tables and items of lists (see engine/table.c) -------------------- */

/* `table[key]`: a read of the table named at `table`, resolved by the
 * checker.  NULL when the key is (an error already reported). */
Expr *ast_lookup(AstBuilder *b, Span s, Span table, Expr *key)
{
    Expr *e = expr_over(b, E_LOOKUP, s, key, NULL, NULL, 1);
    if (e)
        e->text = ast_name(b, table);
    return e;
}

/* `count of LIST where COND` (which = E_COUNT, E_ANY, E_ALL) or `sum over
 * LIST of AMOUNT` (E_SUM): body is read once per item of list. */
Expr *ast_each(AstBuilder *b, ExprKind which, Span s, Expr *list, Expr *body)
{
    Expr *e = expr_over(b, E_EACH, s, list, body, NULL, 2);
    if (e)
        e->num = which;
    return e;
}
