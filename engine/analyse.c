/*
 * analyse.c - policy analysis: findings about a policy that compiles.
 *
 * The checker makes sure a policy means something; this pass looks for
 * what is probably not what the author meant, and reports it as warnings
 * with a code each (README, "Policy analysis"):
 *   never-applies / always-applies   a rule's `when` is constant
 *   never-fires / always-fires       a rule's `require` is constant
 *   tier-not-monotonic               a larger value gets a lower result
 *   uncited-clause / unknown-clause  against the header's `clauses` list
 *   and-or-precedence                `a or b and c` without parentheses
 *   unneeded-allow                   `allow CODE` where CODE does not fire
 * It also reads the header's `dated by` fields.  Constants are found by a
 * small abstract evaluation: literals, parameters, and an ordered
 * enumeration field that is always required compared with its first or
 * last value (`stage >= planning` always holds).
 */
#include <stdio.h>
#include <string.h>

#include "analyse.h"

typedef enum Truth { T_UNKNOWN = -1, T_FALSE = 0, T_TRUE = 1 } Truth;

static void warn(svp_diagnostics *d, Span s, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void warn(svp_diagnostics *d, Span s, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, SVP_WARNING, code, s.start, s.end, fmt, ap);
    va_end(ap);
}

/* The constant value of e (a literal or a parameter's), if it has one. */
static bool constant(const svp_policy *p, const Expr *e, int64_t *v)
{
    if (!e)
        return false;
    if (e->kind == E_MONEY || e->kind == E_PERCENT || e->kind == E_NUMBER || e->kind == E_DATE) {
        *v = e->num;
        return true;
    }
    if (e->kind == E_NAME && e->ref_kind == R_PARAM)
        return constant(p, p->params[e->ref]->value, v);
    if (e->kind == E_NAME && e->ref_kind == R_MEMBER) {
        *v = e->ref;
        return true;
    }
    return false;
}

static bool compare(uint8_t op, int64_t a, int64_t b)
{
    switch ((ExprKind)op) {
    case E_EQ: return a == b;
    case E_NE: return a != b;
    case E_LT: return a < b;
    case E_LE: return a <= b;
    case E_GT: return a > b;
    default: return a >= b;
    }
}

/* An always-present ordered enumeration field compared with its first or
 * last value. */
static Truth enum_bound(const svp_policy *p, const Expr *e)
{
    const Expr *f = e->a, *m = e->b;
    if (!f || !m || f->kind != E_NAME || f->ref_kind != R_FIELD || m->kind != E_NAME || m->ref_kind != R_MEMBER)
        return T_UNKNOWN;
    const Field *field = p->fields[f->ref];
    if (field->type.kind != T_ENUM || !field->required || field->from.len)
        return T_UNKNOWN;
    uint32_t last = p->enums[field->type.ref]->count - 1;
    if (m->ref == 0 && e->kind == E_GE) return T_TRUE;
    if (m->ref == 0 && e->kind == E_LT) return T_FALSE;
    if (m->ref == last && e->kind == E_LE) return T_TRUE;
    if (m->ref == last && e->kind == E_GT) return T_FALSE;
    return T_UNKNOWN;
}

static Truth truth(const svp_policy *p, const Expr *e)
{
    if (!e)
        return T_UNKNOWN;
    switch ((ExprKind)e->kind) {
    case E_BOOL:
        return e->num ? T_TRUE : T_FALSE;
    case E_NOT: {
        Truth t = truth(p, e->a);
        return t == T_UNKNOWN ? T_UNKNOWN : t == T_TRUE ? T_FALSE : T_TRUE;
    }
    case E_AND: {
        Truth a = truth(p, e->a), b = truth(p, e->b);
        if (a == T_FALSE || b == T_FALSE)
            return T_FALSE;
        return a == T_TRUE && b == T_TRUE ? T_TRUE : T_UNKNOWN;
    }
    case E_OR: {
        Truth a = truth(p, e->a), b = truth(p, e->b);
        if (a == T_TRUE || b == T_TRUE)
            return T_TRUE;
        return a == T_FALSE && b == T_FALSE ? T_FALSE : T_UNKNOWN;
    }
    case E_EQ: case E_NE: case E_LT: case E_LE: case E_GT: case E_GE: {
        int64_t a, b;
        if (constant(p, e->a, &a) && constant(p, e->b, &b))
            return compare(e->kind, a, b) ? T_TRUE : T_FALSE;
        return enum_bound(p, e);
    }
    default:
        return T_UNKNOWN;
    }
}

static void analyse_rule(const svp_policy *p, svp_diagnostics *d, const Rule *r)
{
    Truth when = truth(p, r->when), req = truth(p, r->require);
    Clause *allows = r->clauses;
    if (r->when && when == T_FALSE && !ast_allowed(allows, "never-applies"))
        warn(d, r->when->span, "never-applies", "rule `%s` can never apply: this condition is always false", r->id_str);
    else if (r->when && when == T_TRUE && !ast_allowed(allows, "always-applies"))
        warn(d, r->when->span, "always-applies", "the condition of rule `%s` always holds: leave out `when`, or check it",
             r->id_str);
    if (r->require && req == T_TRUE && when != T_FALSE && !ast_allowed(allows, "never-fires"))
        warn(d, r->require->span, "never-fires", "rule `%s` can never fire: its requirement always holds", r->id_str);
    else if (r->require && req == T_FALSE && when != T_FALSE && !ast_allowed(allows, "always-fires"))
        warn(d, r->require->span, "always-fires",
             "the requirement of rule `%s` can never hold, so it fires whenever it applies: use `report` if that is meant",
             r->id_str);
}

/* Tier results of an ordered type must not rise as the value falls. */
static void analyse_tiers(const svp_policy *p, svp_diagnostics *d, const Decision *dec)
{
    uint8_t k = dec->type.kind;
    bool ordered = k == T_MONEY || k == T_PERCENT || k == T_NUMBER || k == T_DATE ||
                   (k == T_ENUM && p->enums[dec->type.ref]->ordered);
    if (!dec->tiers || !ordered)
        return;
    const Tier *prev = NULL;
    int64_t prev_v = 0;
    for (const Tier *t = dec->tiers; t; t = t->next) {
        int64_t v;
        if (!constant(p, t->value, &v))
            return;
        if (prev && v > prev_v && !ast_allowed(dec->clauses, "tier-not-monotonic"))
            warn(d, t->span, "tier-not-monotonic",
                 "tiers of `%s` are not monotonic: this lower band gets a higher result than the band above it",
                 dec->name_str);
        prev = t;
        prev_v = v;
    }
}

static bool cites(const svp_policy *p, const char *clause)
{
    for (uint32_t i = 0; i < p->nrules; i++)
        if (!strcmp(p->rules[i]->cite_str, clause))
            return true;
    for (uint32_t i = 0; i < p->nportfolio; i++)
        if (!strcmp(p->portfolio[i]->cite_str, clause))
            return true;
    for (uint32_t i = 0; i < p->ndecisions; i++) {
        const Name c = p->decisions[i]->cite;
        if (c.len >= 2 && strlen(clause) == c.len - 2 && !memcmp(clause, c.text + 1, c.len - 2))
            return true;
    }
    return false;
}

static bool listed(const svp_policy *p, const char *clause)
{
    for (const ExprList *l = p->ast.clauses; l; l = l->next)
        if (l->expr && l->expr->str && !strcmp(l->expr->str, clause))
            return true;
    return false;
}

static void analyse_clauses(const svp_policy *p, svp_diagnostics *d)
{
    if (!p->ast.clauses)
        return;
    for (const ExprList *l = p->ast.clauses; l; l = l->next)
        if (l->expr && l->expr->str && !cites(p, l->expr->str))
            warn(d, l->expr->span, "uncited-clause", "no rule or decision cites the clause \"%s\"", l->expr->str);
    for (uint32_t i = 0; i < p->nrules + p->nportfolio; i++) {
        const Rule *r = i < p->nrules ? p->rules[i] : p->portfolio[i - p->nrules];
        if (r->cite.len && !listed(p, r->cite_str) && !ast_allowed(r->clauses, "unknown-clause"))
            warn(d, r->cite.span, "unknown-clause", "\"%s\" is not among the clauses the header lists", r->cite_str);
    }
}

/* ---- Issue 11 (rules): precedence, and warnings said to be meant -------- */

/* The source text of e, or "..." when it is too long to quote. */
static void quote(const svp_policy *p, const Expr *e, char *out, size_t size)
{
    uint32_t n = e->span.end - e->span.start;
    if (n > 40)
        snprintf(out, size, "...");
    else
        snprintf(out, size, "%.*s", (int)n, p->source + e->span.start);
}

/* `a or b and c` reads as `a or (b and c)`: and binds tighter.  Said once
 * for each `or` with an unparenthesised `and` beside it, unless the
 * declaration (clauses) allows it. */
static void precedence_in(const svp_policy *p, svp_diagnostics *d, const Expr *e, Clause *clauses)
{
    if (!e)
        return;
    if (e->kind == E_OR) {
        const Expr *and = e->a && e->a->kind == E_AND && !e->a->parens ? e->a
                        : e->b && e->b->kind == E_AND && !e->b->parens ? e->b : NULL;
        if (and && !ast_allowed(clauses, "and-or-precedence")) {
            char a[48], b[48];
            quote(p, e->a, a, sizeof a);
            quote(p, e->b, b, sizeof b);
            warn(d, e->span, "and-or-precedence",
                 "`and` binds tighter than `or`: this reads as `%s%s%s or %s%s%s`; add parentheses to say so",
                 and == e->a ? "(" : "", a, and == e->a ? ")" : "", and == e->b ? "(" : "", b, and == e->b ? ")" : "");
        }
    }
    precedence_in(p, d, e->a, clauses);
    precedence_in(p, d, e->b, clauses);
    precedence_in(p, d, e->c, clauses);
    for (const ExprList *l = e->items; l; l = l->next)
        precedence_in(p, d, l->expr, clauses);
}

static void analyse_precedence(const svp_policy *p, svp_diagnostics *d)
{
    for (uint32_t s = 0; s < p->nfields; s++)
        precedence_in(p, d, p->fields[s]->required_when, NULL);
    for (uint32_t i = 0; i < p->ndecisions; i++) {
        const Decision *dec = p->decisions[i];
        precedence_in(p, d, dec->is, dec->clauses);
        precedence_in(p, d, dec->by, dec->clauses);
        for (const Tier *t = dec->tiers; t; t = t->next) {
            precedence_in(p, d, t->bound, dec->clauses);
            precedence_in(p, d, t->value, dec->clauses);
        }
    }
    for (const Rule *r = p->ast.rules; r; r = r->next) {
        precedence_in(p, d, r->when, r->clauses);
        precedence_in(p, d, r->require, r->clauses);
        precedence_in(p, d, r->severity_when, r->clauses);
        precedence_in(p, d, r->share_where, r->clauses);
        for (const MsgPart *m = r->parts; m; m = m->next)
            precedence_in(p, d, m->expr, r->clauses);
    }
}

/* An `allow CODE` that kept nothing quiet: the warning it names does not
 * fire there (any more), so the allowance only misleads. */
static void unneeded_in(svp_diagnostics *d, const Clause *clauses, const char *kind, Name name)
{
    for (const Clause *c = clauses; c; c = c->next)
        if (c->kind == C_ALLOW && !c->allow_used)
            warn(d, c->span, "unneeded-allow", "%s `%.*s` has no `%.*s` warning to allow: remove this `allow`", kind,
                 (int)name.len, name.text, (int)c->code.len, c->code.text);
}

static void analyse_allows(const svp_policy *p, svp_diagnostics *d)
{
    for (const Decision *dec = p->ast.decisions; dec; dec = dec->next)
        unneeded_in(d, dec->clauses, "decision", dec->name);
    for (const Rule *r = p->ast.rules; r; r = r->next)
        if (!r->figure)
            unneeded_in(d, r->clauses, "rule", r->id);
}

bool analyse_policy(svp_policy *p, svp_diagnostics *d)
{
    /* `dated by`: the record's own dates, in order of preference */
    uint32_t n = 0;
    for (const ExprList *l = p->ast.dated_by; l; l = l->next)
        n++;
    p->dated_by = arena_alloc(&p->arena, (n + 1) * sizeof *p->dated_by);
    if (!p->dated_by)
        return false;
    for (const ExprList *l = p->ast.dated_by; l; l = l->next) {
        const Expr *e = l->expr;
        const Field *f = NULL;
        for (uint32_t s = 0; e && s < p->nfields; s++)
            if (p->fields[s]->path.len == e->text.len && !memcmp(p->fields[s]->path.text, e->text.text, e->text.len))
                f = p->fields[s];
        if (!f || f->type.kind != T_DATE) {
            diag_add(d, SVP_ERROR, "type", e ? e->span.start : 0, e ? e->span.end : 0,
                     "`dated by` names date fields of the record; `%.*s` is not one", e ? (int)e->text.len : 0,
                     e ? e->text.text : "");
            continue;
        }
        p->dated_by[p->ndated_by++] = f->path_str;
    }
    for (uint32_t i = 0; i < p->nrules + p->nportfolio; i++)
        analyse_rule(p, d, i < p->nrules ? p->rules[i] : p->portfolio[i - p->nrules]);
    for (uint32_t i = 0; i < p->ndecisions; i++)
        analyse_tiers(p, d, p->decisions[i]);
    analyse_clauses(p, d);
    analyse_precedence(p, d);
    analyse_allows(p, d);
    return true;
}
