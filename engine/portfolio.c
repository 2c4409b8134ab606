/*
 * portfolio.c - rules over a whole register (`portfolio` in the language).
 *
 * A portfolio rule reads each record once, as the register streams past:
 * `when` says whether the record counts, `share AMOUNT where CONDITION`
 * adds AMOUNT to the total and, when CONDITION holds, to the share.  Only
 * two integers per rule are kept, so a register of any length runs in the
 * same memory.  At the end `share` is the part over the total, as a
 * percentage rounded down to a hundredth (so "at least 25%" never passes
 * on 24.999%), and the rule's `require` and message are evaluated with it.
 */
#include <assert.h>
#include <string.h>

#include "eval.h"
#include "result.h"
#include "value.h"

typedef struct Tally {
    int64_t part;     /* amounts of counted records meeting `where` */
    int64_t total;    /* amounts of every counted record */
    uint64_t records; /* records counted */
    bool overflow;
} Tally;

struct svp_portfolio {
    const svp_policy *p;
    const svp_allocator *alloc;
    svp_evaluator *ev;   /* its own, for the final requirements and messages */
    Tally *tallies;      /* one per portfolio rule */
    uint64_t records, invalid;
    Buf out;
};

svp_portfolio *svp_portfolio_new(const svp_policy *p, const svp_allocator *alloc)
{
    svp_portfolio *pf = svp_mem_alloc(alloc, sizeof *pf);
    if (!pf)
        return NULL;
    memset(pf, 0, sizeof *pf);
    pf->p = p;
    pf->alloc = alloc;
    buf_init(&pf->out, alloc);
    pf->ev = svp_evaluator_new(p, alloc);
    size_t n = p->nportfolio ? p->nportfolio : 1;
    pf->tallies = svp_mem_alloc(alloc, n * sizeof *pf->tallies);
    if (!pf->ev || !pf->tallies) {
        svp_portfolio_free(pf);
        return NULL;
    }
    memset(pf->tallies, 0, n * sizeof *pf->tallies);
    return pf;
}

void svp_portfolio_free(svp_portfolio *pf)
{
    if (!pf)
        return;
    svp_evaluator_free(pf->ev);
    svp_mem_free(pf->alloc, pf->tallies, (pf->p->nportfolio ? pf->p->nportfolio : 1) * sizeof *pf->tallies);
    buf_free(&pf->out);
    svp_mem_free(pf->alloc, pf, sizeof *pf);
}

size_t svp_portfolio_rule_count(const svp_portfolio *pf) { return pf->p->nportfolio; }

static bool is_true(Val v) { return v.kind == VK_BOOL && v.u.b; }

void svp_portfolio_add(svp_portfolio *pf, const svp_evaluator *ev)
{
    assert(pf && ev && ev->p == pf->p); /* an evaluator over the portfolio's own policy */
    const svp_result *r = &ev->result;
    pf->records++;
    if (r->status == SVP_INVALID || !r->slots) {
        pf->invalid++;
        return;
    }
    /* eval_expr only reads the evaluator's policy and scratch arena for
     * these record-level expressions; the portfolio's own evaluator lends
     * its arena so the caller's result is left as it was. */
    svp_evaluator *scratch = pf->ev;
    for (uint32_t i = 0; i < pf->p->nportfolio; i++) {
        const Rule *rule = pf->p->portfolio[i];
        Tally *t = &pf->tallies[i];
        if (rule->when && !is_true(eval_expr(scratch, r->slots, rule->when)))
            continue;
        Val amount = eval_expr(scratch, r->slots, rule->share_of);
        if (amount.kind != VK_INT)
            continue; /* a record without the amount adds nothing */
        t->records++;
        if (t->overflow)
            continue; /* the figure is lost already: count nothing more */
        t->overflow |= !value_add(t->total, amount.u.i, &t->total);
        if (is_true(eval_expr(scratch, r->slots, rule->share_where)))
            t->overflow |= !value_add(t->part, amount.u.i, &t->part);
    }
    arena_reset(&scratch->scratch);
}

bool svp_portfolio_merge(svp_portfolio *into, const svp_portfolio *from)
{
    if (!into || !from || into == from || into->p != from->p)
        return false;
    into->records += from->records;
    into->invalid += from->invalid;
    for (uint32_t i = 0; i < into->p->nportfolio; i++) {
        Tally *t = &into->tallies[i];
        const Tally *f = &from->tallies[i];
        t->records += f->records;
        t->overflow |= f->overflow || !value_add(t->total, f->total, &t->total);
        t->overflow |= !value_add(t->part, f->part, &t->part);
    }
    return true;
}

/* part / total as hundredths of a per cent, rounded down. */
static Val share_of(const Tally *t)
{
    if (t->total <= 0 || t->overflow)
        return (Val){VK_ABSENT, 0, 0, 0, {.i = 0}};
    __extension__ __int128 hundredths = (__int128)t->part * 10000 / t->total;
    return (Val){VK_INT, T_PERCENT, 0, 0, {.i = (int64_t)hundredths}};
}

/* Decide rule i: did it fire, and with what message. */
static bool decide_rule(svp_portfolio *pf, uint32_t i, const char **message)
{
    assert(i < pf->p->nportfolio);
    const Rule *rule = pf->p->portfolio[i];
    svp_evaluator *ev = pf->ev;
    ev->share = share_of(&pf->tallies[i]);
    bool fired = rule->require ? !is_true(eval_expr(ev, NULL, rule->require)) : true;
    *message = fired ? eval_message(ev, NULL, rule) : NULL;
    return fired;
}

/* The first rule whose sums overflowed, or NULL. */
static const Rule *overflowed_rule(const svp_portfolio *pf)
{
    for (uint32_t i = 0; i < pf->p->nportfolio; i++)
        if (pf->tallies[i].overflow)
            return pf->p->portfolio[i];
    return NULL;
}

static void overflow_message(Buf *b, const Rule *rule)
{
    buf_printf(b, "%s: the sum over the register is larger than svp can hold (%s), so no share is given",
               rule->id_str, rule->share_of->type.kind == T_MONEY ? "£92,233,720,368,547,758.07" : "92,233,720,368,547,758.07");
}

const char *svp_portfolio_error(svp_portfolio *pf)
{
    const Rule *rule = overflowed_rule(pf);
    if (!rule)
        return NULL;
    buf_clear(&pf->out);
    overflow_message(&pf->out, rule);
    return pf->out.failed ? "out of memory" : pf->out.data;
}

svp_status svp_portfolio_status(svp_portfolio *pf)
{
    if (overflowed_rule(pf))
        return SVP_INVALID;
    svp_status s = SVP_COMPLIANT;
    const char *msg;
    arena_reset(&pf->ev->scratch);
    for (uint32_t i = 0; i < pf->p->nportfolio; i++)
        if (decide_rule(pf, i, &msg) && pf->p->portfolio[i]->severity == SEV_ERROR)
            s = SVP_NONCOMPLIANT;
    arena_reset(&pf->ev->scratch);
    return s;
}

static void money_or_amount(Buf *b, const Rule *rule, int64_t v);

/* A sum as JSON: a string, or null when it overflowed. */
static void sum_json(Buf *b, const Rule *rule, const Tally *t, int64_t v)
{
    if (t->overflow) {
        buf_puts(b, "null");
        return;
    }
    buf_putc(b, '"');
    money_or_amount(b, rule, v);
    buf_putc(b, '"');
}

static void money_or_amount(Buf *b, const Rule *rule, int64_t v)
{
    Val x = {VK_INT, rule->share_of->type.kind, 0, 0, {.i = v}};
    value_format_text(b, NULL, x);
}

const char *svp_portfolio_json(svp_portfolio *pf, size_t *len)
{
    const svp_policy *p = pf->p;
    Buf *b = &pf->out;
    buf_clear(b);
    arena_reset(&pf->ev->scratch);
    buf_putc(b, '{');
    result_policy_json(b, "policy", p);
    buf_printf(b, ",\"records\":%llu,\"invalid\":%llu", (unsigned long long)pf->records,
               (unsigned long long)pf->invalid);
    bool compliant = true;
    Buf findings;
    buf_init(&findings, pf->alloc);
    for (uint32_t i = 0, n = 0; i < p->nportfolio; i++) {
        const Rule *rule = p->portfolio[i];
        const Tally *t = &pf->tallies[i];
        const char *msg;
        if (!decide_rule(pf, i, &msg))
            continue;
        compliant &= rule->severity != SEV_ERROR;
        if (n++)
            buf_putc(&findings, ',');
        result_finding_open(&findings, p, p->nrules + i, p->portfolio[i]->severity, msg);
        buf_puts(&findings, "{\"share\":");
        value_format_json(&findings, p, share_of(t), true);
        buf_puts(&findings, ",\"part\":");
        sum_json(&findings, rule, t, t->part);
        buf_puts(&findings, ",\"total\":");
        sum_json(&findings, rule, t, t->total);
        buf_printf(&findings, ",\"records\":%llu}}", (unsigned long long)t->records);
    }
    const Rule *overflowed = overflowed_rule(pf);
    if (overflowed) { /* no verdict: say why instead */
        Buf why;
        buf_init(&why, pf->alloc);
        overflow_message(&why, overflowed);
        buf_puts(b, ",\"compliant\":null,\"error\":");
        buf_json_string(b, why.data ? why.data : "", why.len);
        b->failed |= why.failed;
        buf_free(&why);
        buf_puts(b, ",\"findings\":[");
    } else {
        buf_puts(b, compliant ? ",\"compliant\":true,\"findings\":[" : ",\"compliant\":false,\"findings\":[");
    }
    buf_append(b, findings.data ? findings.data : "", findings.len);
    buf_puts(b, "],\"shares\":[");
    for (uint32_t i = 0; i < p->nportfolio; i++) { /* every rule's figures, fired or not */
        const Rule *rule = p->portfolio[i];
        const Tally *t = &pf->tallies[i];
        buf_puts(b, i ? ",{\"rule\":" : "{\"rule\":");
        buf_json_string(b, rule->id_str, strlen(rule->id_str));
        buf_puts(b, ",\"share\":");
        value_format_json(b, p, share_of(t), true);
        buf_puts(b, ",\"part\":");
        sum_json(b, rule, t, t->part);
        buf_puts(b, ",\"total\":");
        sum_json(b, rule, t, t->total);
        buf_printf(b, ",\"records\":%llu}", (unsigned long long)t->records);
    }
    buf_puts(b, "]}\n");
    bool failed = findings.failed || b->failed;
    buf_free(&findings);
    if (failed)
        return NULL;
    *len = b->len;
    return b->data;
}

const char *svp_portfolio_text(svp_portfolio *pf, bool color, size_t *len)
{
    const svp_policy *p = pf->p;
    Buf *b = &pf->out;
    buf_clear(b);
    arena_reset(&pf->ev->scratch);
    buf_printf(b, "%sportfolio%s of %llu records (%llu invalid, left out) under %s %s\n", color ? "\033[1m" : "",
               color ? "\033[0m" : "", (unsigned long long)pf->records, (unsigned long long)pf->invalid, p->name,
               p->version);
    for (uint32_t i = 0; i < p->nportfolio; i++) {
        const Rule *rule = p->portfolio[i];
        const Tally *t = &pf->tallies[i];
        const char *msg;
        bool fired = decide_rule(pf, i, &msg);
        buf_printf(b, "  %-8s %s: ", fired ? result_severity_word(rule->severity) : "ok",
                   rule->id_str);
        if (fired)
            buf_printf(b, "%s\n", msg);
        else
            buf_puts(b, "requirement met\n");
        buf_puts(b, "           share ");
        value_format_text(b, p, share_of(t));
        buf_puts(b, " (");
        if (t->overflow) {
            buf_puts(b, "the sums overflowed");
        } else {
            money_or_amount(b, rule, t->part);
            buf_puts(b, " of ");
            money_or_amount(b, rule, t->total);
        }
        buf_printf(b, ", %llu records); cite: %s\n", (unsigned long long)t->records, rule->cite_str);
    }
    if (b->failed)
        return NULL;
    *len = b->len;
    return b->data;
}
