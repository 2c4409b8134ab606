/*
 * eval.c - evaluating a bound record: decisions, then rules.
 *
 * Missing values.  A field the record leaves out (or sets to null) is
 * absent, and absence propagates: a comparison or sum with an absent
 * operand is itself absent, `and`/`or`/`not` follow three-valued logic
 * (false and absent is false; true or absent is true).  A rule applies only
 * when its `when` is definitely true, and its requirement is met only when
 * definitely true, so a requirement that cannot be checked for lack of a
 * value fires rather than passing silently.  `is present` and `is blank`
 * are the tests that look at absence itself.
 *
 * Termination and memory: expressions are trees with no loops or calls,
 * so evaluation is one pass over each rule; lists come from the record and
 * are bounded by its size; all memory is the per-record scratch arena.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "eval.h"
#include "record.h"
#include "table.h"
#include "value.h"

static const Val ABSENT = {VK_ABSENT, 0, 0, 0, {.i = 0}};

static Val val_bool(bool b) { return (Val){VK_BOOL, T_BOOL, 0, 0, {.b = b}}; }
static Val val_int(uint8_t type, uint16_t ref, int64_t i) { return (Val){VK_INT, type, ref, 0, {.i = i}}; }
static bool is_true(Val v) { return v.kind == VK_BOOL && v.u.b; }
static bool is_false(Val v) { return v.kind == VK_BOOL && !v.u.b; }

static Val *scratch_vals(svp_evaluator *ev, uint32_t n)
{
    Val *v = arena_alloc(&ev->scratch, (n ? n : 1) * sizeof *v);
    if (!v)
        ev->overflow = true; /* out of memory ends the record like overflow */
    return v;
}

static Val literal(const Expr *e)
{
    switch ((ExprKind)e->kind) {
    case E_BOOL: return val_bool(e->num != 0);
    case E_TEXT: return (Val){VK_TEXT, T_TEXT, 0, (uint32_t)strlen(e->str), {.s = e->str}};
    default: return val_int(e->type.kind, e->type.ref, e->num);
    }
}

/* The last segment of a field path: "modern_slavery" of
 * "supplier.ethical.modern_slavery". */
static Name last_segment(Name path)
{
    const char *s = path.text + path.len;
    while (s > path.text && s[-1] != '.')
        s--;
    Name n = {s, (uint32_t)(path.text + path.len - s), path.span};
    return n;
}

static Val eval_name(svp_evaluator *ev, const Val *slots, const Expr *e)
{
    const svp_policy *p = ev->p;
    switch ((RefKind)e->ref_kind) { /* fields and decisions: eval_expr's fast path */
    case R_PARAM:
        assert(e->ref < p->nparams);
        return literal(p->params[e->ref]->value);
    case R_MEMBER:
        return val_int(T_ENUM, e->type.ref, e->ref);
    case R_GROUP: {
        Val *items = scratch_vals(ev, e->ref_count);
        if (!items)
            return ABSENT;
        for (uint32_t i = 0; i < e->ref_count; i++) {
            assert(e->group[i] < p->nfields);
            items[i] = slots[e->group[i]];
        }
        return (Val){VK_LIST, T_LIST, 0, e->ref_count, {.items = items}};
    }
    case R_PROJECT: { /* a member of every item of a list of objects */
        assert(e->ref < p->nfields && p->fields[e->ref]->type.elem == T_OBJECT);
        Val list = slots[e->ref];
        if (list.kind != VK_LIST)
            return ABSENT;
        Val *items = scratch_vals(ev, list.n);
        if (!items)
            return ABSENT;
        uint32_t k = 0;
        for (uint32_t i = 0; i < list.n; i++) {
            assert(list.u.items[i].kind == VK_OBJECT && e->ref_member < list.u.items[i].n);
            Val m = list.u.items[i].u.items[e->ref_member];
            if (m.kind != VK_ABSENT)
                items[k++] = m;
        }
        return (Val){VK_LIST, T_LIST, e->type.ref, k, {.items = items}};
    }
    case R_ITEM: /* a member of the item `count of ... where` is at */
        assert(ev->item && ev->item->kind == VK_OBJECT && e->ref_member < ev->item->n);
        return ev->item->u.items[e->ref_member];
    default:
        return ABSENT;
    }
}

static bool vals_equal(Val a, Val b)
{
    if (a.kind != b.kind)
        return false;
    switch ((ValKind)a.kind) {
    case VK_BOOL: return a.u.b == b.u.b;
    case VK_INT: return a.u.i == b.u.i;
    case VK_TEXT: return a.n == b.n && !memcmp(a.u.s, b.u.s, a.n);
    default: return false;
    }
}

static Val eval_compare(svp_evaluator *ev, const Val *slots, const Expr *e)
{
    Val a = eval_expr(ev, slots, e->a), b = eval_expr(ev, slots, e->b);
    if (a.kind == VK_ABSENT || b.kind == VK_ABSENT)
        return ABSENT;
    if (e->kind == E_EQ)
        return val_bool(vals_equal(a, b));
    if (e->kind == E_NE)
        return val_bool(!vals_equal(a, b));
    assert(a.kind == VK_INT && b.kind == VK_INT); /* the checker allows order on numbers only */
    int64_t x = a.u.i, y = b.u.i;
    switch ((ExprKind)e->kind) {
    case E_LT: return val_bool(x < y);
    case E_LE: return val_bool(x <= y);
    case E_GT: return val_bool(x > y);
    default: return val_bool(x >= y);
    }
}

__attribute__((noinline)) static Val eval_arith(svp_evaluator *ev, const Val *slots, const Expr *e)
{
    Val a = eval_expr(ev, slots, e->a), b = eval_expr(ev, slots, e->b);
    if (a.kind != VK_INT || b.kind != VK_INT)
        return ABSENT;
    assert(e->kind == E_ADD || e->kind == E_SUB || e->kind == E_MUL);
    int64_t r = 0;
    bool ok;
    if (e->kind == E_ADD)
        ok = value_add(a.u.i, b.u.i, &r);
    else if (e->kind == E_SUB)
        ok = value_sub(a.u.i, b.u.i, &r);
    else if (a.type == T_PERCENT && b.type == T_MONEY)
        ok = value_mul_percent(b.u.i, a.u.i, &r);
    else if (a.type == T_MONEY && b.type == T_PERCENT)
        ok = value_mul_percent(a.u.i, b.u.i, &r);
    else
        ok = value_mul(a.u.i, b.u.i, &r);
    if (!ok) {
        ev->overflow = true;
        return ABSENT;
    }
    return val_int(e->type.kind, 0, r);
}

/* ---- Units: division, dates apart, min and max -------------------------- */

/* a / b rounded as the policy says (value_div: every unit pair is the
 * same sum).  Dividing by zero stops the record with an error that names
 * the division (svp_evaluate_with), rather than guess a value. */
__attribute__((noinline)) static Val eval_divide(svp_evaluator *ev, const Val *slots, const Expr *e)
{
    Val a = eval_expr(ev, slots, e->a), b = eval_expr(ev, slots, e->b);
    if (a.kind != VK_INT || b.kind != VK_INT)
        return ABSENT;
    int64_t r;
    if (b.u.i == 0) {
        if (!ev->div_zero)
            ev->div_zero = e;
        ev->overflow = true;
        return ABSENT;
    }
    if (!value_div(a.u.i, b.u.i, (ValueRounding)e->num, &r)) {
        ev->overflow = true;
        return ABSENT;
    }
    return val_int(e->type.kind, 0, r);
}

/* days or whole months from one date to another; absent if either is. */
static Val eval_between(svp_evaluator *ev, const Val *slots, const Expr *e)
{
    Val a = eval_expr(ev, slots, e->a), b = eval_expr(ev, slots, e->b);
    if (a.kind != VK_INT || b.kind != VK_INT)
        return ABSENT;
    int64_t units = e->kind == E_DAYS ? b.u.i - a.u.i : value_months_between((int32_t)a.u.i, (int32_t)b.u.i);
    return val_int(T_NUMBER, 0, units * VALUE_NUMBER_ONE); /* dates span < 4 million days: no overflow */
}

/* The least or greatest of the values; absent if any is absent (a missing
 * operand could have been the answer). */
static Val eval_extreme(svp_evaluator *ev, const Val *slots, const Expr *e)
{
    Val best = ABSENT;
    for (const ExprList *i = e->items; i; i = i->next) {
        Val v = eval_expr(ev, slots, i->expr);
        if (v.kind != VK_INT)
            return ABSENT;
        if (best.kind == VK_ABSENT || (e->kind == E_MIN ? v.u.i < best.u.i : v.u.i > best.u.i))
            best = v;
    }
    return best;
}

static Val eval_logic(svp_evaluator *ev, const Val *slots, const Expr *e)
{
    Val a = eval_expr(ev, slots, e->a);
    if (e->kind == E_AND ? is_false(a) : is_true(a))
        return a; /* decided by the left side alone */
    Val b = eval_expr(ev, slots, e->b);
    if (e->kind == E_AND ? is_false(b) : is_true(b))
        return b;
    if (a.kind == VK_ABSENT || b.kind == VK_ABSENT)
        return ABSENT;
    return val_bool(e->kind == E_AND);
}

static bool blank(Val v)
{
    if (v.kind == VK_ABSENT)
        return true;
    for (uint32_t i = 0; i < v.n; i++)
        if (!strchr(" \t\r\n", v.u.s[i]))
            return false;
    return true;
}

__attribute__((noinline)) static Val eval_in(svp_evaluator *ev, const Val *slots, const Expr *e)
{
    Val a = eval_expr(ev, slots, e->a), list = eval_expr(ev, slots, e->b);
    /* `not in` (flag) is exactly `not (a in b)`: absent stays absent */
    if (a.kind == VK_ABSENT)
        return ABSENT;
    if (list.kind != VK_LIST)
        return list.kind == VK_ABSENT ? val_bool(e->flag) : ABSENT;
    for (uint32_t i = 0; i < list.n; i++)
        if (vals_equal(a, list.u.items[i]))
            return val_bool(!e->flag);
    return val_bool(e->flag);
}

__attribute__((noinline)) static Val eval_names(svp_evaluator *ev, const Val *slots, const Expr *e)
{
    const Expr *g = e->a;
    if (g->ref_kind != R_GROUP)
        return ABSENT;
    Val *items = scratch_vals(ev, g->ref_count);
    if (!items)
        return ABSENT;
    uint32_t k = 0;
    for (uint32_t i = 0; i < g->ref_count; i++) {
        assert(g->group[i] < ev->p->nfields);
        Val v = slots[g->group[i]];
        if (v.kind == VK_BOOL && v.u.b == e->flag) {
            Name n = last_segment(ev->p->fields[g->group[i]]->path);
            items[k++] = (Val){VK_TEXT, T_TEXT, 0, n.len, {.s = n.text}};
        }
    }
    return (Val){VK_LIST, T_LIST, 0, k, {.items = items}};
}

/* Partial evaluation (SVP_EVAL_PARTIAL): is e a read of a required field
 * the record still lacks?  Its value is then not "absent" but not known
 * yet: a test of its presence, or an `all of` / `any of` that nothing else
 * decides, waits for it (is absent) rather than deciding on the gap. */
static bool waits_for_field(const svp_evaluator *ev, const Expr *e)
{
    return ev->missing_slot && e->kind == E_NAME && e->ref_kind == R_FIELD && ev->missing_slot[e->ref];
}

/* The same for item i of a group of fields (`supplier.ethical`). */
static bool waits_for_item(const svp_evaluator *ev, const Expr *g, uint32_t i)
{
    return ev->missing_slot && g->kind == E_NAME && g->ref_kind == R_GROUP && i < g->ref_count &&
           ev->missing_slot[g->group[i]];
}

__attribute__((noinline)) static Val eval_aggregate(svp_evaluator *ev, const Val *slots, const Expr *e)
{
    if (e->kind == E_NAMES)
        return eval_names(ev, slots, e);
    Val list = eval_expr(ev, slots, e->a);
    uint32_t n = list.kind == VK_LIST ? list.n : 0;
    if (e->kind == E_COUNT) {
        uint32_t present = 0;
        for (uint32_t i = 0; i < n; i++)
            present += list.u.items[i].kind != VK_ABSENT;
        return val_int(T_NUMBER, 0, (int64_t)present * VALUE_NUMBER_ONE);
    }
    if (e->kind == E_SUM) {
        int64_t total = 0;
        for (uint32_t i = 0; i < n; i++)
            if (!value_add(total, list.u.items[i].u.i, &total)) {
                ev->overflow = true;
                return ABSENT;
            }
        return val_int(e->type.kind, 0, total);
    }
    if (list.kind != VK_LIST)
        return ABSENT;
    /* all / any: an absent item matches neither true nor false (but one
     * still to be filled in could be either: see waits_for_item) */
    bool want_all = e->kind == E_ALL, waiting = false;
    for (uint32_t i = 0; i < n; i++) {
        Val v = list.u.items[i];
        if (v.kind == VK_ABSENT && waits_for_item(ev, e->a, i)) {
            waiting = true;
            continue;
        }
        bool match = v.kind == VK_BOOL && v.u.b == e->flag;
        if (want_all && !match)
            return val_bool(false);
        if (!want_all && match)
            return val_bool(true);
    }
    return waiting ? ABSENT : val_bool(want_all);
}

/* ---- Tables and the items of lists ------------------------------------ */

/* The edition of table t a record reads: the one its `edition by` value
 * names (a date: the latest edition dated on or before it), the only one
 * when the table has no editions, or NULL (absent or no such edition). */
static const TableEdition *table_edition(svp_evaluator *ev, const Val *slots, const TableDecl *t)
{
    if (!t->edition_by)
        return t->editions;
    Val by = eval_expr(ev, slots, t->edition_by);
    if (by.kind == VK_ABSENT)
        return NULL;
    const TableEdition *found = NULL;
    for (const TableEdition *ed = t->editions; ed; ed = ed->next) {
        Val label = literal(ed->label);
        if (label.type != T_DATE && vals_equal(label, by))
            return ed;
        if (label.type == T_DATE && label.u.i <= by.u.i && (!found || found->label->num < label.u.i))
            found = ed;
    }
    return found;
}

/* table[key]: the value of the key's row in the record's edition, or
 * absent when the key, the edition or the row is missing. */
__attribute__((noinline)) static Val eval_lookup(svp_evaluator *ev, const Val *slots, const Expr *e)
{
    assert(e->ref_kind == R_TABLE && e->ref < ev->p->ntables);
    const TableDecl *t = ev->p->tables[e->ref];
    Val key = eval_expr(ev, slots, e->a);
    const TableEdition *ed = key.kind == VK_ABSENT ? NULL : table_edition(ev, slots, t);
    if (!ed)
        return ABSENT;
    TableKey k = key.kind == VK_TEXT ? (TableKey){key.u.s, key.n, 0} : (TableKey){NULL, 0, (uint32_t)key.u.i};
    const TableRow *r = table_find(ed, k);
    return r ? eval_expr(ev, slots, r->value) : ABSENT;
}

/* count of / any of / all of LIST where COND, sum over LIST of AMOUNT.
 * An item whose condition or amount is absent makes a count or sum absent
 * (it cannot be known), and an `any`/`all` that no other item decides.  An
 * absent list has no items, as for `count of` (0, 0, false, true). */
__attribute__((noinline)) static Val eval_each(svp_evaluator *ev, const Val *slots, const Expr *e)
{
    Val list = eval_expr(ev, slots, e->a);
    if (list.kind != VK_LIST)
        list.n = 0;
    const Val *outer = ev->item;
    int64_t total = 0;
    bool unknown = false, decided = false;
    for (uint32_t i = 0; i < list.n && !decided && !ev->overflow; i++) {
        ev->item = &list.u.items[i];
        Val v = eval_expr(ev, slots, e->b);
        if (v.kind == VK_ABSENT)
            unknown = true;
        else if (e->num == E_SUM)
            ev->overflow |= !value_add(total, v.u.i, &total);
        else if (e->num == E_COUNT)
            total += v.u.b ? VALUE_NUMBER_ONE : 0; /* a count is a number (value.h) */
        else
            decided = v.u.b == (e->num == E_ANY);
    }
    ev->item = outer;
    if (decided)
        return val_bool(e->num == E_ANY);
    if (unknown || ev->overflow)
        return ABSENT;
    if (e->num == E_ANY || e->num == E_ALL)
        return val_bool(e->num == E_ALL);
    return val_int(e->type.kind, 0, total);
}

Val eval_expr(svp_evaluator *ev, const Val *slots, const Expr *e)
{
    /* the most common node by far: a field or decision read */
    if (e->kind == E_NAME && (e->ref_kind == R_FIELD || e->ref_kind == R_DECISION))
        return slots[e->ref];
    switch ((ExprKind)e->kind) {
    case E_BOOL: case E_MONEY: case E_PERCENT: case E_NUMBER: case E_DATE: case E_TEXT:
        return literal(e);
    case E_NAME:
        return eval_name(ev, slots, e);
    case E_LIST: {
        uint32_t n = 0;
        for (const ExprList *i = e->items; i; i = i->next)
            n++;
        Val *items = scratch_vals(ev, n);
        if (!items)
            return ABSENT;
        n = 0;
        for (const ExprList *i = e->items; i; i = i->next)
            items[n++] = eval_expr(ev, slots, i->expr);
        return (Val){VK_LIST, T_LIST, e->type.ref, n, {.items = items}};
    }
    case E_NOT: {
        Val a = eval_expr(ev, slots, e->a);
        return a.kind == VK_BOOL ? val_bool(!a.u.b) : ABSENT;
    }
    case E_AND: case E_OR:
        return eval_logic(ev, slots, e);
    case E_EQ: case E_NE: case E_LT: case E_LE: case E_GT: case E_GE:
        return eval_compare(ev, slots, e);
    case E_ADD: case E_SUB: case E_MUL:
        return eval_arith(ev, slots, e);
    case E_IN:
        return eval_in(ev, slots, e);
    case E_PRESENT:
        if (waits_for_field(ev, e->a))
            return ABSENT;
        return val_bool((eval_expr(ev, slots, e->a).kind != VK_ABSENT) != e->flag);
    case E_BLANK:
        if (waits_for_field(ev, e->a))
            return ABSENT;
        return val_bool(blank(eval_expr(ev, slots, e->a)) != e->flag);
    case E_IF: {
        Val c = eval_expr(ev, slots, e->a);
        if (c.kind != VK_BOOL)
            return ABSENT;
        return eval_expr(ev, slots, c.u.b ? e->b : e->c);
    }
    case E_COUNT: case E_SUM: case E_ALL: case E_ANY: case E_NAMES:
        return eval_aggregate(ev, slots, e);
    case E_SHARE:
        return ev->share;
    case E_FIRST: /* refused by the checker in a policy */
        break;
    case E_LOOKUP:
        return eval_lookup(ev, slots, e);
    case E_EACH:
        return eval_each(ev, slots, e);
    case E_DIV:
        return eval_divide(ev, slots, e);
    case E_DAYS: case E_MONTHS:
        return eval_between(ev, slots, e);
    case E_MIN: case E_MAX:
        return eval_extreme(ev, slots, e);
    }
    return ABSENT;
}

/* ---- Decisions and rules ----------------------------------------------- */

/* The value of decision d over slots: its `is`, or the tier its `by`
 * falls in (the checker has made the tiers cover every value, in order). */
static Val decide(svp_evaluator *ev, const Val *slots, const Decision *d)
{
    assert((d->is != NULL) != (d->by != NULL));
    if (d->is)
        return eval_expr(ev, slots, d->is);
    Val by = eval_expr(ev, slots, d->by);
    if (by.kind != VK_INT)
        return ABSENT;
    for (const Tier *t = d->tiers; t; t = t->next) {
        if (t->kind == TIER_OTHERWISE)
            return eval_expr(ev, slots, t->value);
        Val bound = eval_expr(ev, slots, t->bound);
        if (t->kind == TIER_OVER ? by.u.i > bound.u.i : by.u.i >= bound.u.i)
            return eval_expr(ev, slots, t->value);
    }
    return ABSENT;
}

/* The message of a fired rule.  A parameter shows as the policy writes it
 * ("£100,000"), so the message quotes the policy; a value from the record
 * shows exactly, to the penny ("£148,000.00"). */
const char *eval_message(svp_evaluator *ev, const Val *slots, const Rule *r)
{
    Buf b = ev->msg; /* reused: no allocation once it has grown */
    buf_clear(&b);
    for (const MsgPart *m = r->parts; m; m = m->next) {
        const Expr *e = m->expr;
        if (m->text)
            buf_puts(&b, m->text);
        else if (e && e->kind == E_NAME && e->ref_kind == R_PARAM && ev->p->params[e->ref]->value->kind != E_TEXT)
            buf_append(&b, ev->p->params[e->ref]->value->text.text, ev->p->params[e->ref]->value->text.len);
        else if (e)
            value_format_text(&b, ev->p, eval_expr(ev, slots, e));
    }
    ev->msg = b;
    char *copy = b.failed ? NULL : arena_strndup(&ev->scratch, b.data ? b.data : "", b.len);
    if (!copy) {
        ev->overflow = true;
        buf_free(&ev->msg);
        buf_init(&ev->msg, ev->alloc);
    }
    return copy ? copy : "";
}

/* If rule r reads required fields the record lacks (SVP_EVAL_PARTIAL), list
 * it as undecided with them and say true. */
static bool wait_for_fields(svp_evaluator *ev, const Rule *r, const uint32_t *reads, uint32_t nreads,
                            uint8_t severity);

static bool wait_for_missing(svp_evaluator *ev, const Rule *r, uint8_t severity)
{
    return wait_for_fields(ev, r, r->read_slots, r->nread, severity);
}

/* The same for the fields reads[0, nreads) (a rule's condition, or the
 * condition that chooses its severity): undecided when any is a missing
 * required field, listed with the severity it would have. */
static bool wait_for_fields(svp_evaluator *ev, const Rule *r, const uint32_t *reads, uint32_t nreads,
                            uint8_t severity)
{
    svp_result *res = &ev->result;
    uint32_t n = 0;
    for (uint32_t k = 0; k < nreads; k++)
        n += ev->missing_slot[reads[k]];
    if (!n)
        return false; /* absent for want of an optional field: fires, as always */
    uint32_t *needs = arena_alloc(&ev->scratch, n * sizeof *needs);
    if (!needs) {
        ev->overflow = true;
        return true;
    }
    n = 0;
    for (uint32_t k = 0; k < nreads; k++)
        if (ev->missing_slot[reads[k]])
            needs[n++] = reads[k];
    ((Undecided *)res->undecided)[res->nundecided++] = (Undecided){r, needs, n, severity};
    return true;
}

/* The severity of rule r for this record: fixed, or chosen by its
 * condition (`else error when COND otherwise warning`); a condition that
 * reads an absent field does not hold, as a `when` does not. */
static uint8_t rule_severity(svp_evaluator *ev, const Val *slots, const Rule *r)
{
    if (!r->severity_when)
        return r->severity;
    return is_true(eval_expr(ev, slots, r->severity_when)) ? r->severity : r->severity_otherwise;
}

/* Run every record rule over slots (decisions made): findings in policy
 * order, the verdict, and with explain the trace of every rule. */
static void run_rules(svp_evaluator *ev, Val *slots, bool explain)
{
    const svp_policy *p = ev->p;
    svp_result *res = &ev->result;
    res->findings = arena_alloc(&ev->scratch, (p->nrules + 1) * sizeof *res->findings);
    res->trace = explain ? arena_alloc(&ev->scratch, (p->nrules + 1) * sizeof *res->trace) : NULL;
    if (!res->findings || (explain && !res->trace)) {
        ev->overflow = true;
        return;
    }
    bool partial = res->partial;
    if (partial && !(res->undecided = arena_alloc(&ev->scratch, (p->nrules + 1) * sizeof *res->undecided))) {
        ev->overflow = true;
        return;
    }
    for (uint32_t i = 0; i < p->nrules; i++) {
        const Rule *r = p->rules[i];
        Val applies = r->when ? eval_expr(ev, slots, r->when) : val_bool(true);
        Val holds = ABSENT;
        bool fired = false;
        if (is_true(applies)) {
            if (r->require) {
                holds = eval_expr(ev, slots, r->require);
                fired = !is_true(holds);
            } else {
                fired = true;
            }
        }
        /* A record not complete yet: what is unknown for lack of a
         * missing required field is undecided, neither fired nor met. */
        bool unknown = applies.kind == VK_ABSENT || (is_true(applies) && r->require && holds.kind == VK_ABSENT);
        uint8_t severity = fired || (partial && unknown) ? rule_severity(ev, slots, r) : r->severity;
        if (partial && unknown && wait_for_missing(ev, r, severity)) {
            if (severity == SEV_ERROR && res->status == SVP_COMPLIANT)
                res->status = SVP_INCOMPLETE;
            fired = false;
        }
        /* Fired, but the condition that chooses its severity waits for a
         * missing required field: which severity is not known yet. */
        if (partial && fired && r->severity_when && eval_expr(ev, slots, r->severity_when).kind == VK_ABSENT &&
            wait_for_fields(ev, r, r->severity_reads, r->nseverity_reads, r->severity)) {
            if (r->severity == SEV_ERROR && res->status == SVP_COMPLIANT)
                res->status = SVP_INCOMPLETE;
            fired = false;
        }
        if (fired) {
            assert(res->nfindings < p->nrules);
            Finding *f = &res->findings[res->nfindings++];
            f->rule = r;
            f->rule_index = i;
            f->message = eval_message(ev, slots, r);
            f->severity = severity;
            if (severity == SEV_ERROR)
                res->status = SVP_NONCOMPLIANT; /* on known values: whatever waits */
        }
        if (res->trace)
            res->trace[i] = (Trace){r, applies, holds, fired};
    }
}

/* ---- The public face --------------------------------------------------- */

svp_evaluator *svp_evaluator_new(const svp_policy *p, const svp_allocator *alloc)
{
    svp_evaluator *ev = svp_mem_alloc(alloc, sizeof *ev);
    if (!ev)
        return NULL;
    memset(ev, 0, sizeof *ev);
    ev->p = p;
    ev->alloc = alloc;
    arena_init(&ev->scratch, alloc, 64u << 20);
    buf_init(&ev->out, alloc);
    buf_init(&ev->msg, alloc);
    buf_init(&ev->signature, alloc);
    return ev;
}

void svp_evaluator_reset(svp_evaluator *ev)
{
    cJSON_Delete(ev->tree);
    ev->tree = NULL;
    ev->root = NULL;
    arena_reset(&ev->scratch);
    memset(&ev->result, 0, sizeof ev->result);
    ev->result.policy = ev->p;
}

void svp_evaluator_free(svp_evaluator *ev)
{
    if (!ev)
        return;
    cJSON_Delete(ev->tree);
    arena_free(&ev->scratch);
    svp_mem_free(ev->alloc, ev->numbers, ev->cap_numbers * sizeof *ev->numbers);
    buf_free(&ev->out);
    buf_free(&ev->msg);
    buf_free(&ev->signature);
    svp_mem_free(ev->alloc, ev, sizeof *ev);
}

/* The result of a record that could not be evaluated: code says why
 * (RESULT_ERROR_*), message what (NULL: record.c has written it). */
static const svp_result *invalid(svp_evaluator *ev, const char *code, const char *message)
{
    svp_result *res = &ev->result;
    res->status = SVP_INVALID;
    res->error_code = code;
    res->nfindings = 0;
    res->trace = NULL;
    res->slots = NULL;
    if (message && message != ev->error_message) /* written in place already: division_by_zero */
        snprintf(ev->error_message, sizeof ev->error_message, "%s", message);
    res->error_field = ev->error_field[0] ? ev->error_field : NULL;
    res->error_message = ev->error_message;
    res->missing = NULL;
    res->nmissing = 0;
    res->undecided = NULL;
    res->nundecided = 0;
    /* every problem, when the record reader found them; else the one */
    if (!message && ev->nproblems) {
        res->errors = ev->problems;
        res->nerrors = ev->nproblems;
        res->errors_dropped = ev->problems_dropped;
    } else {
        ev->single_problem = (Problem){res->error_field, res->error_message};
        res->errors = &ev->single_problem;
        res->nerrors = 1;
    }
    return res;
}

/* "division by zero in `a / b rounded down` (policy line 12): ...",
 * written into ev->error_message, which it returns. */
static const char *division_by_zero(svp_evaluator *ev, const Expr *e)
{
    const char *src = ev->p->source;
    unsigned line = 1;
    for (uint32_t i = 0; i < e->span.start; i++)
        line += src[i] == '\n';
    int len = (int)(e->span.end - e->span.start);
    int shown = len > 200 ? 200 : len;
    snprintf(ev->error_message, sizeof ev->error_message,
             "division by zero in `%.*s%s` (policy line %u): the record gives 0 to divide by; test it first, like "
             "`if B > 0 then A / B rounded down else ...`",
             shown, src + e->span.start, shown < len ? "..." : "", line);
    return ev->error_message;
}

const svp_result *svp_evaluate(svp_evaluator *ev, const char *json, size_t len, unsigned long line, bool explain)
{
    return svp_evaluate_with(ev, json, len, line, explain ? SVP_EVAL_EXPLAIN : 0);
}

const svp_result *svp_evaluate_with(svp_evaluator *ev, const char *json, size_t len, unsigned long line,
                                    unsigned flags)
{
    return svp_evaluate_shared(ev, NULL, json, len, line, flags);
}

const svp_result *svp_evaluate_shared(svp_evaluator *ev, const svp_evaluator *from, const char *json, size_t len,
                                      unsigned long line, unsigned flags)
{
    assert(ev && (json || !len));
    svp_result *res = &ev->result;
    bool explain = flags & SVP_EVAL_EXPLAIN;
    arena_reset(&ev->scratch);
    memset(res, 0, sizeof *res);
    res->line = line;
    res->partial = flags & SVP_EVAL_PARTIAL;
    ev->flags = flags;
    ev->overflow = false;
    ev->div_zero = NULL;
    ev->error_code = RESULT_ERROR_RECORD;
    /* Under a version set, binding also picks the version: ev->p is the
     * one in force for this record from here on. */
    Val *slots = record_bind(ev, from, json, len, &res->id);
    const svp_policy *p = res->policy = ev->p;
    if (!slots)
        return invalid(ev, ev->error_code, NULL);
    assert(p->nslots == p->nfields + p->ndecisions);
    for (uint32_t i = 0; i < p->ndecisions; i++)
        slots[p->nfields + i] = decide(ev, slots, p->decisions[i]);
    res->status = SVP_COMPLIANT;
    res->slots = slots;
    res->missing = ev->missing;
    res->nmissing = ev->nmissing;
    if (!(flags & SVP_EVAL_PORTFOLIO_FIELDS))
        run_rules(ev, slots, explain);
    if (ev->overflow) {
        ev->error_field[0] = '\0';
        if (ev->div_zero)
            return invalid(ev, RESULT_ERROR_EVALUATION, division_by_zero(ev, ev->div_zero));
        return invalid(ev, RESULT_ERROR_EVALUATION, "arithmetic overflow or out of memory while evaluating the rules");
    }
    return res;
}
