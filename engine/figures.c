/*
 * figures.c - the figures a policy declares for its report (`figure` in the
 * language), worked out over a register.
 *
 * A figure selects records (`when`), measures them (`count`, `sum AMOUNT`,
 * or `share AMOUNT where CONDITION`) and may group them (`by` an
 * enumeration, a true/false value, a text such as a decision's tier, or a
 * period of a date: month, quarter, year).  Records stream past once, as for
 * portfolio rules: each figure keeps a few integers per group, so memory
 * grows with the number of groups (at most FIGURES_MAX_GROUPS a figure),
 * never with the register.
 *
 * Several versions of a policy may be in force over a register: each record
 * is measured by the figure of the same id in the version it was evaluated
 * under (svp_result_policy), and figures are reported as the newest version
 * declares them.  A record whose version does not declare a figure is not
 * counted in it.
 *
 * Periods follow the council's financial year, April to March: the quarter
 * of 2025-05-10 is "2025/26 Q1", its year "2025/26"; months read "2025-05".
 * Money is summed exactly in pence and overflow is reported, never wrapped.
 */
#include <stdio.h>
#include <string.h>

#include "eval.h"
#include "result.h"
#include "value.h"

/* Groups beyond this many in one figure are counted in its whole but not
 * shown apart (svp_figure_groups_dropped). */
#define FIGURES_MAX_GROUPS 1000

typedef struct Cell {
    const char *label;   /* in the figures' arena; NULL for the whole */
    int64_t order;       /* sort key: period start, or declaration order */
    uint64_t records;
    int64_t part, total; /* sum: total; share: part of total */
    bool overflow;
} Cell;

typedef struct Figure {
    const Rule *rule;        /* as the newest version declares it */
    const Rule **by_version; /* the figure of the same id in each version */
    Cell whole;
    Cell *groups;
    uint32_t ngroups, cap;
    uint64_t dropped;        /* records in groups past the limit */
    bool sorted;
    bool filled;             /* empty periods added (fill_periods) */
} Figure;

struct svp_figures {
    const svp_allocator *alloc;
    const svp_policy **versions;
    size_t nversions;
    const svp_policy *newest;
    svp_evaluator **scratch; /* one per version: figures' expressions read its parameters */
    Arena arena;             /* labels, per-version tables */
    Figure *figs;
    uint32_t nfigs;
    bool oom;
    char text[3][SVP_VALUE_TEXT_MAX * 2]; /* the cell handed out last */
    Buf out;
};

static bool is_true(Val v) { return v.kind == VK_BOOL && v.u.b; }

static Cell *add_group(svp_figures *f, Figure *fig, const char *label, size_t len, int64_t order)
{
    for (uint32_t i = 0; i < fig->ngroups; i++)
        if (strlen(fig->groups[i].label) == len && !memcmp(fig->groups[i].label, label, len))
            return &fig->groups[i];
    if (fig->ngroups == FIGURES_MAX_GROUPS)
        return NULL;
    if (fig->ngroups == fig->cap) {
        uint32_t cap = fig->cap ? fig->cap * 2 : 8;
        Cell *g = svp_mem_realloc(f->alloc, fig->groups, fig->cap * sizeof *g, cap * sizeof *g);
        if (!g) {
            f->oom = true;
            return NULL;
        }
        fig->groups = g;
        fig->cap = cap;
    }
    char *copy = arena_strndup(&f->arena, label, len);
    if (!copy) {
        f->oom = true;
        return NULL;
    }
    Cell *c = &fig->groups[fig->ngroups++];
    memset(c, 0, sizeof *c);
    c->label = copy;
    c->order = order;
    fig->sorted = false;
    return c;
}

/* The groups a reader expects to see even when empty, in the order the
 * policy gives them: an enumeration's members, a tiered decision's texts,
 * yes and no. */
static void seed_groups(svp_figures *f, Figure *fig)
{
    const Expr *by = fig->rule->group_by;
    if (!by || fig->rule->period)
        return;
    const svp_policy *p = f->newest;
    if (by->type.kind == T_ENUM) {
        const EnumDecl *e = p->enums[by->type.ref];
        for (uint32_t i = 0; i < e->count; i++)
            add_group(f, fig, e->members[i].text, e->members[i].len, i);
    } else if (by->type.kind == T_BOOL) {
        add_group(f, fig, "yes", 3, 0);
        add_group(f, fig, "no", 2, 1);
    } else if (by->ref_kind == R_DECISION) {
        const Decision *d = p->decisions[by->ref - p->nfields];
        int64_t i = 0;
        for (const Tier *t = d->tiers; t; t = t->next, i++)
            if (t->value && t->value->kind == E_TEXT && t->value->str)
                add_group(f, fig, t->value->str, strlen(t->value->str), i);
    }
}

svp_figures *svp_figures_new(const svp_policy *const *versions, size_t n, const svp_allocator *alloc)
{
    if (!versions || !n)
        return NULL;
    svp_figures *f = svp_mem_alloc(alloc, sizeof *f);
    if (!f)
        return NULL;
    memset(f, 0, sizeof *f);
    f->alloc = alloc;
    arena_init(&f->arena, alloc, 0);
    buf_init(&f->out, alloc);
    f->nversions = n;
    f->versions = arena_alloc(&f->arena, n * sizeof *f->versions);
    f->scratch = arena_alloc(&f->arena, n * sizeof *f->scratch);
    if (!f->versions || !f->scratch)
        goto fail;
    for (size_t v = 0; v < n; v++) {
        if (!versions[v])
            goto fail;
        f->versions[v] = versions[v];
        if (!f->newest || versions[v]->effective > f->newest->effective)
            f->newest = versions[v];
        if (!(f->scratch[v] = svp_evaluator_new(versions[v], alloc)))
            goto fail;
    }
    f->nfigs = f->newest->nfigures;
    f->figs = arena_alloc(&f->arena, (f->nfigs + 1) * sizeof *f->figs);
    if (!f->figs)
        goto fail;
    for (uint32_t i = 0; i < f->nfigs; i++) {
        Figure *fig = &f->figs[i];
        fig->rule = f->newest->figures[i];
        fig->by_version = arena_alloc(&f->arena, n * sizeof *fig->by_version);
        if (!fig->by_version)
            goto fail;
        for (size_t v = 0; v < n; v++)
            for (uint32_t j = 0; j < versions[v]->nfigures; j++)
                if (!strcmp(versions[v]->figures[j]->id_str, fig->rule->id_str))
                    fig->by_version[v] = versions[v]->figures[j];
        seed_groups(f, fig);
    }
    if (f->oom)
        goto fail;
    return f;
fail:
    svp_figures_free(f);
    return NULL;
}

void svp_figures_free(svp_figures *f)
{
    if (!f)
        return;
    for (uint32_t i = 0; f->figs && i < f->nfigs; i++)
        svp_mem_free(f->alloc, f->figs[i].groups, f->figs[i].cap * sizeof *f->figs[i].groups);
    for (size_t v = 0; f->scratch && v < f->nversions; v++)
        svp_evaluator_free(f->scratch[v]);
    buf_free(&f->out);
    arena_free(&f->arena);
    svp_mem_free(f->alloc, f, sizeof *f);
}

/* Financial year of a date: the year in which its April falls. */
static void period_of(int32_t days, uint8_t period, char *label, int64_t *order)
{
    char d[SVP_VALUE_TEXT_MAX];
    value_format_date(days, d);
    int y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    int m = (d[5] - '0') * 10 + (d[6] - '0');
    int fy = m >= 4 ? y : y - 1;
    if (period == PERIOD_MONTH) {
        memcpy(label, d, 7);
        label[7] = '\0';
        *order = (int64_t)y * 12 + m;
    } else if (period == PERIOD_QUARTER) {
        int q = (m >= 4 ? m - 4 : m + 8) / 3 + 1;
        snprintf(label, 24, "%04d/%02d Q%d", fy, (fy + 1) % 100, q);
        *order = (int64_t)fy * 4 + q;
    } else {
        snprintf(label, 24, "%04d/%02d", fy, (fy + 1) % 100);
        *order = fy;
    }
}

static void count_into(Cell *c, const Rule *rule, Val amount, bool in_part)
{
    c->records++;
    if (rule->measure == FIG_COUNT)
        return;
    c->overflow |= !value_add(c->total, amount.u.i, &c->total);
    if (in_part)
        c->overflow |= !value_add(c->part, amount.u.i, &c->part);
}

/* The group label of a record's value, in buf (a text may be longer:
 * *label then points at it). */
static bool group_of(svp_figures *f, const svp_policy *p, const Rule *rule, Val g, char *buf,
                     const char **label, size_t *len, int64_t *order)
{
    *order = INT64_MAX; /* unseeded groups: after the seeded, by first appearance */
    *label = buf;
    if (g.kind == VK_ABSENT) {
        strcpy(buf, "(not given)");
    } else if (rule->period && g.kind == VK_INT) {
        period_of((int32_t)g.u.i, rule->period, buf, order);
    } else if (g.kind == VK_BOOL) {
        strcpy(buf, g.u.b ? "yes" : "no");
    } else if (g.kind == VK_INT && g.type == T_ENUM) {
        const EnumDecl *e = p->enums[g.ref];
        if (g.u.i < 0 || (uint64_t)g.u.i >= e->count)
            return false;
        *label = e->members[g.u.i].text;
        *len = e->members[g.u.i].len;
        return true;
    } else if (g.kind == VK_TEXT) {
        *label = g.u.s;
        *len = g.n;
        return true;
    } else {
        (void)f;
        return false;
    }
    *len = strlen(buf);
    return true;
}

/* ---- Counting a record ----------------------------------------------------
 *
 * A record is counted in two steps, measuring (what the record adds to each
 * figure: whether it counts, its amount, its group, worked out from the
 * evaluator's slots) and adding (the counts and groups updated), so that
 * threads can measure records in any order and one svp_figures add them in
 * input order (svp_figures_measure).  A measure is bytes:
 *
 *   version index (uint32), then per figure a byte: 0 not counted, else
 *   1 | 2 (in the share's part) | 4 (grouped), the amount (int64), and
 *   when grouped the group's sort key (int64, INT64_MAX: by first
 *   appearance), its label's length (uint32) and the label.
 */

static void put_bytes(Buf *b, const void *p, size_t n) { buf_append(b, p, n); }

/* Measure record ev's result into f->out (emptied first).  False when the
 * record counts in no figure (invalid, or not of f's versions). */
static bool measure(svp_figures *f, const svp_evaluator *ev)
{
    const svp_result *r = &ev->result;
    Buf *b = &f->out;
    buf_clear(b);
    if (r->status == SVP_INVALID || !r->slots || !r->policy)
        return false;
    uint32_t v = 0;
    while (v < f->nversions && f->versions[v] != r->policy)
        v++;
    if (v == f->nversions)
        return false; /* not one of the figures' versions */
    put_bytes(b, &v, sizeof v);
    svp_evaluator *scratch = f->scratch[v];
    for (uint32_t i = 0; i < f->nfigs; i++) {
        const Rule *rule = f->figs[i].by_version[v];
        uint8_t flags = 0;
        Val amount = {VK_INT, T_NUMBER, 0, 0, {.i = 0}};
        if (rule && (!rule->when || is_true(eval_expr(scratch, r->slots, rule->when))) &&
            (rule->measure == FIG_COUNT || (amount = eval_expr(scratch, r->slots, rule->share_of)).kind == VK_INT)) {
            flags = 1; /* a record without the amount adds nothing */
            if (rule->measure != FIG_SHARE || is_true(eval_expr(scratch, r->slots, rule->share_where)))
                flags |= 2;
        }
        char buf[32];
        const char *label = NULL;
        size_t len = 0;
        int64_t order = 0;
        if (flags && rule->group_by &&
            group_of(f, r->policy, rule, eval_expr(scratch, r->slots, rule->group_by), buf, &label, &len, &order))
            flags |= 4;
        put_bytes(b, &flags, 1);
        if (!flags)
            continue;
        put_bytes(b, &amount.u.i, sizeof amount.u.i);
        if (flags & 4) {
            uint32_t n = (uint32_t)len;
            put_bytes(b, &order, sizeof order);
            put_bytes(b, &n, sizeof n);
            put_bytes(b, label, len);
        }
    }
    arena_reset(&scratch->scratch);
    return true;
}

/* Take n bytes of a measure at *at into out; false past its end. */
static bool take_bytes(const char *m, size_t len, size_t *at, void *out, size_t n)
{
    if (len - *at < n)
        return false;
    memcpy(out, m + *at, n);
    *at += n;
    return true;
}

/* Add measure m[0, len) (measure's bytes) to f's counts. */
static bool add_measure(svp_figures *f, const char *m, size_t len)
{
    size_t at = 0;
    uint32_t v;
    if (!take_bytes(m, len, &at, &v, sizeof v) || v >= f->nversions)
        return false;
    for (uint32_t i = 0; i < f->nfigs; i++) {
        Figure *fig = &f->figs[i];
        const Rule *rule = fig->by_version[v];
        uint8_t flags;
        int64_t amount;
        if (!take_bytes(m, len, &at, &flags, 1))
            return false;
        if (!flags)
            continue;
        if (!rule || !take_bytes(m, len, &at, &amount, sizeof amount))
            return false;
        Val a = {VK_INT, T_NUMBER, 0, 0, {.i = amount}};
        count_into(&fig->whole, rule, a, flags & 2);
        if (!(flags & 4))
            continue;
        int64_t order;
        uint32_t n;
        if (!take_bytes(m, len, &at, &order, sizeof order) || !take_bytes(m, len, &at, &n, sizeof n) ||
            len - at < n)
            return false;
        Cell *c = add_group(f, fig, m + at, n, order == INT64_MAX ? (int64_t)fig->ngroups + 1000000 : order);
        at += n;
        if (c)
            count_into(c, rule, a, flags & 2);
        else
            fig->dropped++;
    }
    return at == len;
}

void svp_figures_add(svp_figures *f, const svp_evaluator *ev)
{
    if (measure(f, ev)) {
        if (f->out.failed)
            f->oom = true;
        else
            add_measure(f, f->out.data, f->out.len);
    }
    buf_clear(&f->out);
}

const char *svp_figures_measure(svp_figures *f, const svp_evaluator *ev, size_t *len)
{
    *len = 0;
    if (!measure(f, ev))
        return "";
    return buf_finish(&f->out, len);
}

bool svp_figures_add_measured(svp_figures *f, const char *measure_bytes, size_t len)
{
    if (!len)
        return true; /* the record counts in no figure */
    return add_measure(f, measure_bytes, len);
}

/* ---- Reading the figures ------------------------------------------------- */

size_t svp_figures_count(const svp_figures *f) { return f->nfigs; }

static const Rule *fig_rule(const svp_figures *f, size_t i) { return i < f->nfigs ? f->figs[i].rule : NULL; }

const char *svp_figure_id(const svp_figures *f, size_t i) { return fig_rule(f, i) ? fig_rule(f, i)->id_str : NULL; }

const char *svp_figure_title(const svp_figures *f, size_t i)
{
    const Rule *r = fig_rule(f, i);
    return !r ? NULL : r->title_str && *r->title_str ? r->title_str : r->id_str;
}

const char *svp_figure_cite(const svp_figures *f, size_t i)
{
    const Rule *r = fig_rule(f, i);
    return r && r->cite.len ? r->cite_str : NULL;
}

const char *svp_figure_measure(const svp_figures *f, size_t i)
{
    const Rule *r = fig_rule(f, i);
    return !r ? NULL : r->measure == FIG_COUNT ? "count" : r->measure == FIG_SUM ? "sum" : "share";
}

const char *svp_figure_grouping(const svp_figures *f, size_t i)
{
    const Rule *r = fig_rule(f, i);
    if (!r || !r->group_by)
        return NULL;
    static const char *const periods[] = {"", "month", "quarter", "year"};
    return r->period ? periods[r->period] : "group";
}

/* Sort groups by their order key (insertion sort: groups are few, and the
 * sort is stable so first appearance breaks ties). */
static void sort_groups(Figure *fig)
{
    if (fig->sorted)
        return;
    for (uint32_t i = 1; i < fig->ngroups; i++) {
        Cell c = fig->groups[i];
        uint32_t j = i;
        while (j > 0 && fig->groups[j - 1].order > c.order) {
            fig->groups[j] = fig->groups[j - 1];
            j--;
        }
        fig->groups[j] = c;
    }
    fig->sorted = true;
}

/* The label of the period whose sort key is order (period_of's keys). */
static void period_label(uint8_t period, int64_t order, char *label)
{
    if (period == PERIOD_MONTH)
        snprintf(label, 24, "%04d-%02d", (int)((order - 1) / 12), (int)((order - 1) % 12 + 1));
    else if (period == PERIOD_QUARTER)
        snprintf(label, 24, "%04d/%02d Q%d", (int)((order - 1) / 4), (int)(((order - 1) / 4 + 1) % 100),
                 (int)((order - 1) % 4 + 1));
    else
        snprintf(label, 24, "%04d/%02d", (int)order, (int)((order + 1) % 100));
}

/* Periods with no record between the first and the last are shown empty,
 * so that a line over time keeps its spacing (when the span is short
 * enough to draw: at most FIGURES_MAX_SPAN periods). */
#define FIGURES_MAX_SPAN 120
static void fill_periods(svp_figures *f, Figure *fig)
{
    const Rule *r = fig->rule;
    if (!r->period || fig->ngroups < 2 || fig->filled)
        return;
    fig->filled = true;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (uint32_t g = 0; g < fig->ngroups; g++)
        if (fig->groups[g].order < 1000000) { /* periods, not "(not given)" */
            lo = fig->groups[g].order < lo ? fig->groups[g].order : lo;
            hi = fig->groups[g].order > hi ? fig->groups[g].order : hi;
        }
    if (lo == INT64_MAX || hi - lo > FIGURES_MAX_SPAN)
        return;
    for (int64_t k = lo + 1; k < hi; k++) {
        char label[32];
        period_label(r->period, k, label);
        add_group(f, fig, label, strlen(label), k);
    }
}

size_t svp_figure_group_count(svp_figures *f, size_t i)
{
    if (i >= f->nfigs)
        return 0;
    fill_periods(f, &f->figs[i]);
    sort_groups(&f->figs[i]);
    return f->figs[i].ngroups;
}

unsigned long long svp_figure_groups_dropped(const svp_figures *f, size_t i)
{
    return i < f->nfigs ? f->figs[i].dropped : 0;
}

/* Amount v in the unit of the figure's amount, as a person reads it. */
static void amount_text(const Rule *r, int64_t v, char *out, bool json)
{
    uint8_t unit = r->measure == FIG_COUNT ? T_NUMBER : r->share_of->type.kind;
    if (unit == T_MONEY)
        json ? value_format_money_plain(v, out) : value_format_money(v, out);
    else if (unit == T_PERCENT)
        value_format_percent(v, out);
    else
        value_format_number(v, out);
}

bool svp_figure_cell(svp_figures *f, size_t i, size_t g, bool json, svp_figure_cell_value *out)
{
    memset(out, 0, sizeof *out);
    if (i >= f->nfigs)
        return false;
    Figure *fig = &f->figs[i];
    fill_periods(f, fig);
    sort_groups(fig);
    if (g != SIZE_MAX && g >= fig->ngroups)
        return false;
    const Cell *c = g == SIZE_MAX ? &fig->whole : &fig->groups[g];
    const Rule *r = fig->rule;
    out->label = c->label;
    out->records = c->records;
    out->known = !c->overflow;
    out->part = c->part;
    out->total = c->total;
    if (r->measure == FIG_COUNT) {
        out->value = (int64_t)c->records;
        snprintf(f->text[0], sizeof f->text[0], "%llu", (unsigned long long)c->records);
    } else if (r->measure == FIG_SUM) {
        out->value = c->total;
        amount_text(r, c->total, f->text[0], json);
    } else {
        out->known &= c->total > 0;
        if (out->known) {
            __extension__ __int128 h = (__int128)c->part * 10000 / c->total;
            out->value = (int64_t)h;
            value_format_percent(out->value, f->text[0]);
        } else {
            strcpy(f->text[0], json ? "" : "(none)");
        }
    }
    if (c->overflow)
        strcpy(f->text[0], json ? "" : "(too large)");
    amount_text(r, c->part, f->text[1], json);
    amount_text(r, c->total, f->text[2], json);
    out->text = f->text[0];
    out->part_text = f->text[1];
    out->total_text = f->text[2];
    return true;
}

bool svp_figure_target(svp_figures *f, size_t i, bool json, long long *value, const char **text)
{
    const Rule *r = fig_rule(f, i);
    if (!r || !r->target)
        return false;
    svp_evaluator *ev = f->scratch[0];
    for (size_t v = 0; v < f->nversions; v++)
        if (f->versions[v] == f->newest)
            ev = f->scratch[v];
    Val t = eval_expr(ev, NULL, r->target);
    arena_reset(&ev->scratch);
    if (t.kind != VK_INT)
        return false;
    *value = t.u.i;
    if (r->measure == FIG_SHARE)
        value_format_percent(t.u.i, f->text[0]);
    else if (r->measure == FIG_COUNT)
        value_format_number(t.u.i, f->text[0]);
    else
        amount_text(r, t.u.i, f->text[0], json);
    *text = f->text[0];
    return true;
}

const char *svp_figures_json(svp_figures *f, size_t *len)
{
    Buf *b = &f->out;
    buf_clear(b);
    buf_putc(b, '[');
    for (size_t i = 0; i < f->nfigs; i++) {
        const Rule *r = f->figs[i].rule;
        buf_puts(b, i ? ",{\"figure\":" : "{\"figure\":");
        buf_json_string(b, r->id_str, strlen(r->id_str));
        buf_puts(b, ",\"title\":");
        const char *title = svp_figure_title(f, i);
        buf_json_string(b, title, strlen(title));
        buf_puts(b, ",\"cite\":");
        buf_json_text_or_null(b, svp_figure_cite(f, i));
        buf_printf(b, ",\"measure\":\"%s\",\"by\":", svp_figure_measure(f, i));
        buf_json_text_or_null(b, svp_figure_grouping(f, i));
        long long tv;
        const char *tt;
        if (svp_figure_target(f, i, true, &tv, &tt)) {
            buf_puts(b, ",\"target\":");
            buf_json_string(b, tt, strlen(tt));
        }
        size_t ng = svp_figure_group_count(f, i);
        for (size_t g = SIZE_MAX, k = 0; k <= ng; g = k++) {
            svp_figure_cell_value c;
            if (!svp_figure_cell(f, i, g, true, &c))
                break; /* not reached: i and g are in range */
            if (g == SIZE_MAX) {
                buf_puts(b, ",");
            } else {
                buf_puts(b, k == 1 ? ",\"groups\":[{\"group\":" : ",{\"group\":");
                buf_json_string(b, c.label, strlen(c.label));
                buf_putc(b, ',');
            }
            buf_printf(b, "\"records\":%llu,\"value\":", c.records);
            if (!c.known)
                buf_puts(b, "null");
            else if (r->measure == FIG_COUNT)
                buf_puts(b, c.text);
            else
                buf_json_string(b, c.text, strlen(c.text));
            if (r->measure == FIG_SHARE && c.known)
                buf_printf(b, ",\"part\":\"%s\",\"total\":\"%s\"", c.part_text, c.total_text);
            if (g != SIZE_MAX)
                buf_putc(b, '}');
        }
        buf_puts(b, ng ? "]}" : (svp_figure_grouping(f, i) ? ",\"groups\":[]}" : "}"));
    }
    buf_putc(b, ']');
    if (b->failed || f->oom)
        return NULL;
    *len = b->len;
    return b->data;
}
