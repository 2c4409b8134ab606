/*
 * impact.c - the April review: what a new version of a policy does to a
 * register of records (svp_impact; what changed in the policy is diff.c).
 *
 * svp_impact compares two results of the same record, one per version:
 * verdict, decisions (those both versions have, by name) and the ids of
 * the rules that fired.  It keeps only counters, one per kind of change
 * and per decision and rule, so a register of any length runs in the same
 * memory.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "eval.h"
#include "result.h"
#include "value.h"

struct svp_impact {
    const svp_policy *a, *b;      /* old and new */
    const svp_allocator *alloc;
    Arena arena;                  /* the tables below; fixed after new */
    /* Decisions both versions have, by name. */
    uint32_t ndec;
    uint32_t *dec_a, *dec_b;      /* decision index in each version */
    unsigned long *dec_changed;
    /* Record rules of either version, by id: old ones first, in order,
     * then those only the new version has. */
    uint32_t nrules;
    const char **rule_id;
    uint32_t *of_a, *of_b;        /* rule index in a version -> union index */
    bool *fired_a, *fired_b;      /* this record */
    unsigned long *newly, *no_longer;
    uint8_t *sev_a, *sev_b;       /* each rule's severity in each version (SEV_NONE: not there) */
    int32_t value_a, value_b;     /* slot of the money field `value` in each version, -1 */
    int64_t money_changed, money_to_noncompliant, money_to_compliant; /* pence */
    bool money_overflow;
    unsigned long records, changed, to_noncompliant, to_compliant, became_invalid, became_valid,
        error_changed, invalid_both;
    Buf text, json, summary, va, vb;
};

/* No rule of that id in a version (sev_a, sev_b). */
#define SEV_NONE 0xff

/* The slot of the record's money field `value` (the procurement's value,
 * which the totals add up), or -1 when the policy has none. */
static int32_t money_value_slot(const svp_policy *p)
{
    for (uint32_t i = 0; i < p->nfields; i++)
        if (p->fields[i]->type.kind == T_MONEY && !strcmp(p->fields[i]->path_str, "value"))
            return (int32_t)i;
    return -1;
}

/* Add the value of the record to *total (nothing when it has none). */
static void add_money(svp_impact *im, const svp_result *x, const svp_result *y, int64_t *total)
{
    const svp_result *r = y->slots && im->value_b >= 0 ? y : x;
    int32_t slot = r == y ? im->value_b : im->value_a;
    if (!r->slots || slot < 0 || r->slots[slot].kind != VK_INT)
        return;
    im->money_overflow |= !value_add(*total, r->slots[slot].u.i, total);
}

svp_impact *svp_impact_new(const svp_policy *old_policy, const svp_policy *new_policy, const svp_allocator *alloc)
{
    if (!old_policy || !new_policy)
        return NULL;
    svp_impact *im = svp_mem_alloc(alloc, sizeof *im);
    if (!im)
        return NULL;
    memset(im, 0, sizeof *im);
    im->a = old_policy;
    im->b = new_policy;
    im->alloc = alloc;
    arena_init(&im->arena, alloc, 0);
    buf_init(&im->text, alloc);
    buf_init(&im->json, alloc);
    buf_init(&im->summary, alloc);
    buf_init(&im->va, alloc);
    buf_init(&im->vb, alloc);
    const svp_policy *a = old_policy, *b = new_policy;
    Arena *ar = &im->arena;
    uint32_t most = a->ndecisions + 1, all = a->nrules + b->nrules + 1;
    im->dec_a = arena_alloc(ar, most * sizeof *im->dec_a);
    im->dec_b = arena_alloc(ar, most * sizeof *im->dec_b);
    im->dec_changed = arena_alloc(ar, most * sizeof *im->dec_changed);
    im->rule_id = arena_alloc(ar, all * sizeof *im->rule_id);
    im->of_a = arena_alloc(ar, (a->nrules + 1) * sizeof *im->of_a);
    im->of_b = arena_alloc(ar, (b->nrules + 1) * sizeof *im->of_b);
    im->fired_a = arena_alloc(ar, all);
    im->fired_b = arena_alloc(ar, all);
    im->newly = arena_alloc(ar, all * sizeof *im->newly);
    im->no_longer = arena_alloc(ar, all * sizeof *im->no_longer);
    im->sev_a = arena_alloc(ar, all);
    im->sev_b = arena_alloc(ar, all);
    if (!im->sev_a || !im->sev_b || !im->dec_a || !im->dec_b || !im->dec_changed || !im->rule_id || !im->of_a ||
        !im->of_b || !im->fired_a ||
        !im->fired_b || !im->newly || !im->no_longer) {
        svp_impact_free(im);
        return NULL;
    }
    for (uint32_t i = 0; i < a->ndecisions; i++)
        for (uint32_t j = 0; j < b->ndecisions; j++)
            if (!a->decisions[i]->working && !b->decisions[j]->working && /* working values: in no result */
                !strcmp(a->decisions[i]->name_str, b->decisions[j]->name_str)) {
                im->dec_a[im->ndec] = i;
                im->dec_b[im->ndec++] = j;
                break;
            }
    for (uint32_t i = 0; i < a->nrules; i++) {
        im->of_a[i] = im->nrules;
        im->rule_id[im->nrules++] = a->rules[i]->id_str;
    }
    /* A rule renamed with the same body (svp_diff says which) is one rule:
     * its records neither start nor stop firing it. */
    svp_diff *d = svp_diff_new(a, b, alloc);
    if (!d) {
        svp_impact_free(im);
        return NULL;
    }
    for (uint32_t j = 0; j < b->nrules; j++) {
        const char *old_id = b->rules[j]->id_str;
        for (size_t k = 0; k < svp_diff_count(d); k++) {
            const svp_change *c = svp_diff_get(d, k);
            if (!strcmp(c->kind, "rule-renamed") && !strcmp(c->new_value, b->rules[j]->id_str))
                old_id = c->old_value;
        }
        uint32_t u = 0;
        while (u < a->nrules && strcmp(im->rule_id[u], old_id))
            u++;
        if (u == a->nrules) {
            u = im->nrules;
            im->rule_id[im->nrules++] = b->rules[j]->id_str;
        }
        im->of_b[j] = u;
    }
    svp_diff_free(d);
    memset(im->sev_a, SEV_NONE, all);
    memset(im->sev_b, SEV_NONE, all);
    for (uint32_t i = 0; i < a->nrules; i++)
        im->sev_a[im->of_a[i]] = a->rules[i]->severity;
    for (uint32_t j = 0; j < b->nrules; j++)
        im->sev_b[im->of_b[j]] = b->rules[j]->severity;
    im->value_a = money_value_slot(a);
    im->value_b = money_value_slot(b);
    return im;
}

void svp_impact_free(svp_impact *im)
{
    if (!im)
        return;
    arena_free(&im->arena);
    buf_free(&im->text);
    buf_free(&im->json);
    buf_free(&im->summary);
    buf_free(&im->va);
    buf_free(&im->vb);
    svp_mem_free(im->alloc, im, sizeof *im);
}

bool svp_impact_merge(svp_impact *into, const svp_impact *from)
{
    if (!into || !from || into == from || into->a != from->a || into->b != from->b)
        return false;
    /* Same two policies: the same tables, index for index. */
    for (uint32_t i = 0; i < into->ndec; i++)
        into->dec_changed[i] += from->dec_changed[i];
    for (uint32_t u = 0; u < into->nrules; u++) {
        into->newly[u] += from->newly[u];
        into->no_longer[u] += from->no_longer[u];
    }
    into->records += from->records;
    into->changed += from->changed;
    into->to_noncompliant += from->to_noncompliant;
    into->to_compliant += from->to_compliant;
    into->became_invalid += from->became_invalid;
    into->became_valid += from->became_valid;
    into->error_changed += from->error_changed;
    into->invalid_both += from->invalid_both;
    /* Money never negative (the record refuses it): a total that
     * overflowed in either share, or when they are added, overflows. */
    into->money_overflow |= from->money_overflow;
    into->money_overflow |= !value_add(into->money_changed, from->money_changed, &into->money_changed);
    into->money_overflow |= !value_add(into->money_to_noncompliant, from->money_to_noncompliant,
                                       &into->money_to_noncompliant);
    into->money_overflow |= !value_add(into->money_to_compliant, from->money_to_compliant,
                                       &into->money_to_compliant);
    return true;
}

static const char *verdict_word(svp_status s)
{
    return s == SVP_COMPLIANT ? "compliant" : s == SVP_NONCOMPLIANT ? "non-compliant" : "invalid";
}

/* Mark which rules (union index) fired in r. */
/* Which rules fired for this record, and the severity each fired with
 * (a rule's severity may be chosen by a condition, record by record). */
static void mark_fired(const svp_impact *im, const svp_policy *p, const svp_result *r, const uint32_t *of, bool *fired,
                       uint8_t *severity)
{
    memset(fired, 0, im->nrules);
    for (size_t i = 0; i < r->nfindings; i++) {
        assert(r->findings[i].rule_index < p->nrules);
        fired[of[r->findings[i].rule_index]] = true;
        severity[of[r->findings[i].rule_index]] = r->findings[i].severity;
    }
}

static bool same_error(const svp_result *x, const svp_result *y)
{
    const char *fx = x->error_field ? x->error_field : "", *fy = y->error_field ? y->error_field : "";
    const char *mx = x->error_message ? x->error_message : "", *my = y->error_message ? y->error_message : "";
    return !x->error_field == !y->error_field && !strcmp(fx, fy) && !strcmp(mx, my);
}

static void error_text(Buf *b, const svp_result *r)
{
    if (r->error_field)
        buf_printf(b, "%s: ", r->error_field);
    buf_puts(b, r->error_message ? r->error_message : "");
}

static void error_json(Buf *b, const svp_result *r)
{
    if (r->status != SVP_INVALID) {
        buf_puts(b, "null");
        return;
    }
    buf_puts(b, "{\"field\":");
    buf_json_text_or_null(b, r->error_field);
    buf_puts(b, ",\"message\":");
    buf_json_text_or_null(b, r->error_message);
    buf_putc(b, '}');
}

/* "; " between the parts of a record's text line. */
static void part(Buf *b, bool *first)
{
    if (!*first)
        buf_puts(b, "; ");
    *first = false;
}

/* Empty b for the next piece, forgetting an earlier allocation failure. */
static void reset(Buf *b)
{
    if (b->failed) {
        buf_free(b);
        buf_init(b, b->alloc);
    }
    buf_clear(b);
}

/* A record invalid under either version: whether it changed (became
 * valid or invalid, or a different error), said on the record's lines. */
static bool add_invalid(svp_impact *im, const svp_result *x, const svp_result *y)
{
    Buf *t = &im->text, *j = &im->json;
    bool changed = true;
    if (x->status == SVP_INVALID && y->status == SVP_INVALID) {
        if (same_error(x, y)) {
            im->invalid_both++;
            changed = false;
        } else {
            im->error_changed++;
            buf_puts(t, "error: ");
            error_text(t, x);
            buf_puts(t, " -> ");
            error_text(t, y);
        }
    } else {
        buf_printf(t, "verdict: %s", verdict_word(x->status));
        if (x->status == SVP_INVALID) {
            im->became_valid++;
            buf_puts(t, " (");
            error_text(t, x);
            buf_printf(t, ") -> %s", verdict_word(y->status));
        } else {
            im->became_invalid++;
            buf_puts(t, " -> invalid (");
            error_text(t, y);
            buf_putc(t, ')');
        }
    }
    buf_puts(j, ",\"error\":{\"old\":");
    error_json(j, x);
    buf_puts(j, ",\"new\":");
    error_json(j, y);
    buf_puts(j, "},\"decisions\":{},\"fires_now\":[],\"no_longer_fires\":[]}\n");
    return changed;
}

/* The decisions both versions have whose values differ (as a person reads
 * them, and in kind: absent is not the text "(none)"). */
static bool add_decisions(svp_impact *im, const svp_result *x, const svp_result *y, bool *first)
{
    Buf *t = &im->text, *j = &im->json;
    bool any = false;
    buf_puts(j, ",\"decisions\":{");
    for (uint32_t k = 0; k < im->ndec; k++) {
        Val va = x->slots[im->a->nfields + im->dec_a[k]], vb = y->slots[im->b->nfields + im->dec_b[k]];
        buf_clear(&im->va);
        buf_clear(&im->vb);
        value_format_text(&im->va, im->a, va);
        value_format_text(&im->vb, im->b, vb);
        if (va.kind == vb.kind && im->va.len == im->vb.len &&
            (!im->va.len || !memcmp(im->va.data, im->vb.data, im->va.len)))
            continue;
        im->dec_changed[k]++;
        const char *name = im->a->decisions[im->dec_a[k]]->name_str;
        if (!any) {
            part(t, first);
            buf_puts(t, "decisions: ");
        } else {
            buf_puts(t, ", ");
        }
        buf_printf(t, "%s: %s -> %s", name, im->va.data ? im->va.data : "", im->vb.data ? im->vb.data : "");
        buf_puts(j, any ? "," : "");
        buf_json_string(j, name, strlen(name));
        buf_puts(j, ":{\"old\":");
        value_format_json(j, im->a, va, false);
        buf_puts(j, ",\"new\":");
        value_format_json(j, im->b, vb, false);
        buf_putc(j, '}');
        any = true;
    }
    buf_putc(j, '}');
    return any;
}

/* The rules (union index, through `of` in one version's order, nrules of
 * them) that fired under `now` but not under `before`: counted in counts,
 * listed after label on the text line and as a JSON list. */
static bool add_rules(svp_impact *im, const char *label, const uint32_t *of, uint32_t nrules, const bool *now,
                      const bool *before, unsigned long *counts, bool *first)
{
    Buf *t = &im->text, *j = &im->json;
    bool any = false;
    buf_putc(j, '[');
    for (uint32_t k = 0; k < nrules; k++) {
        uint32_t u = of[k];
        if (!now[u] || before[u])
            continue;
        counts[u]++;
        if (!any) {
            part(t, first);
            buf_puts(t, label);
        }
        buf_printf(t, "%s%s", any ? ", " : "", im->rule_id[u]);
        buf_puts(j, any ? "," : "");
        buf_json_text_or_null(j, im->rule_id[u]);
        any = true;
    }
    buf_putc(j, ']');
    return any;
}

/* A verdict that flips with no rule starting or stopping: say which rule's
 * severity moved it (",\"severity_changed\":[...]" in JSON, always). */
static void add_severity_changes(svp_impact *im, const svp_result *x, const svp_result *y, bool *first)
{
    Buf *t = &im->text, *j = &im->json;
    buf_puts(j, ",\"severity_changed\":[");
    bool any = false;
    for (uint32_t u = 0; x->status != y->status && u < im->nrules; u++) {
        if (!im->fired_a[u] || !im->fired_b[u] || im->sev_a[u] == im->sev_b[u])
            continue;
        const char *so = result_severity_word(im->sev_a[u]), *sn = result_severity_word(im->sev_b[u]);
        if (!any) {
            part(t, first);
            buf_puts(t, "severity changed: ");
        }
        buf_printf(t, "%s%s %s -> %s", any ? ", " : "", im->rule_id[u], so, sn);
        buf_puts(j, any ? ",{\"rule\":" : "{\"rule\":");
        buf_json_text_or_null(j, im->rule_id[u]);
        buf_printf(j, ",\"old\":\"%s\",\"new\":\"%s\"}", so, sn);
        any = true;
    }
    buf_putc(j, ']');
}

/* A record valid under both versions: verdict, decisions, rules. */
static bool add_valid(svp_impact *im, const svp_result *x, const svp_result *y)
{
    bool changed = false, first = true;
    if (x->status != y->status) {
        changed = true;
        part(&im->text, &first);
        buf_printf(&im->text, "verdict: %s -> %s", verdict_word(x->status), verdict_word(y->status));
        if (y->status == SVP_NONCOMPLIANT)
            im->to_noncompliant++;
        else
            im->to_compliant++;
    }
    changed |= add_decisions(im, x, y, &first);
    mark_fired(im, im->a, x, im->of_a, im->fired_a, im->sev_a);
    mark_fired(im, im->b, y, im->of_b, im->fired_b, im->sev_b);
    /* Fires now: in the new version's order; no longer: the old's. */
    buf_puts(&im->json, ",\"fires_now\":");
    changed |= add_rules(im, "fires now: ", im->of_b, im->b->nrules, im->fired_b, im->fired_a, im->newly, &first);
    buf_puts(&im->json, ",\"no_longer_fires\":");
    changed |= add_rules(im, "no longer fires: ", im->of_a, im->a->nrules, im->fired_a, im->fired_b, im->no_longer,
                         &first);
    add_severity_changes(im, x, y, &first);
    buf_puts(&im->json, "}\n");
    if (x->status != y->status)
        add_money(im, x, y, y->status == SVP_NONCOMPLIANT ? &im->money_to_noncompliant : &im->money_to_compliant);
    return changed;
}

/* line in decimal into out (at least 21 bytes); its length. */
static size_t line_digits(unsigned long line, char *out)
{
    char rev[24];
    size_t n = 0;
    do {
        rev[n++] = (char)('0' + line % 10);
        line /= 10;
    } while (line);
    for (size_t i = 0; i < n; i++)
        out[i] = rev[n - 1 - i];
    return n;
}

bool svp_impact_add(svp_impact *im, const svp_evaluator *old_ev, const svp_evaluator *new_ev)
{
    if (!im)
        return false;
    reset(&im->text);
    reset(&im->json);
    if (!old_ev || !new_ev || old_ev->p != im->a || new_ev->p != im->b)
        return false;
    const svp_result *x = &old_ev->result, *y = &new_ev->result;
    im->records++;
    Buf *t = &im->text, *j = &im->json;
    const char *id = y->id ? y->id : x->id;
    unsigned long line = y->line ? y->line : x->line;
    /* every record passes here, changed or not: no printf */
    char number[24];
    size_t digits = line_digits(line, number);
    buf_puts(t, id ? id : "(no id)");
    buf_puts(t, " (line ");
    buf_append(t, number, digits);
    buf_puts(t, "): ");
    buf_puts(j, "{\"id\":");
    buf_json_text_or_null(j, id);
    buf_puts(j, ",\"line\":");
    buf_append(j, number, digits);
    buf_puts(j, ",\"verdict\":{\"old\":\"");
    buf_puts(j, verdict_word(x->status));
    buf_puts(j, "\",\"new\":\"");
    buf_puts(j, verdict_word(y->status));
    buf_puts(j, "\"}");
    bool changed = x->status == SVP_INVALID || y->status == SVP_INVALID ? add_invalid(im, x, y) : add_valid(im, x, y);
    buf_putc(t, '\n');
    if (changed) {
        add_money(im, x, y, &im->money_changed);
        im->changed++;
    } else {
        buf_clear(t);
        buf_clear(j);
    }
    return changed;
}

const char *svp_impact_record_text(svp_impact *im, size_t *len) { return buf_finish(&im->text, len); }
const char *svp_impact_record_json(svp_impact *im, size_t *len) { return buf_finish(&im->json, len); }
unsigned long svp_impact_records(const svp_impact *im) { return im ? im->records : 0; }
unsigned long svp_impact_changed(const svp_impact *im) { return im ? im->changed : 0; }

/* The summary's table: a label (and a name) per line, counts in one
 * column.  Run once to measure (b NULL), once to print. */
static void count_line(Buf *b, size_t *width, const char *label, const char *name, unsigned long n)
{
    size_t w = strlen(label) + (name ? strlen(name) : 0);
    if (!b) {
        if (w > *width)
            *width = w;
        return;
    }
    buf_printf(b, "  %s%s", label, name ? name : "");
    for (; w < *width + 2; w++)
        buf_putc(b, ' ');
    buf_printf(b, "%lu\n", n);
}

static void count_lines(const svp_impact *im, Buf *b, size_t *width)
{
    count_line(b, width, "verdict flipped to non-compliant", NULL, im->to_noncompliant);
    count_line(b, width, "verdict flipped to compliant", NULL, im->to_compliant);
    count_line(b, width, "became invalid", NULL, im->became_invalid);
    count_line(b, width, "became valid", NULL, im->became_valid);
    if (im->error_changed)
        count_line(b, width, "invalid under both, error changed", NULL, im->error_changed);
    if (im->invalid_both)
        count_line(b, width, "invalid under both, unchanged", NULL, im->invalid_both);
    for (uint32_t k = 0; k < im->ndec; k++)
        if (im->dec_changed[k])
            count_line(b, width, "decision changed: ", im->a->decisions[im->dec_a[k]]->name_str, im->dec_changed[k]);
    for (uint32_t u = 0; u < im->nrules; u++)
        if (im->newly[u])
            count_line(b, width, "rule newly firing: ", im->rule_id[u], im->newly[u]);
    for (uint32_t u = 0; u < im->nrules; u++)
        if (im->no_longer[u])
            count_line(b, width, "rule no longer firing: ", im->rule_id[u], im->no_longer[u]);
}

const char *svp_impact_summary_text(svp_impact *im, size_t *len)
{
    Buf *b = &im->summary;
    reset(b);
    buf_printf(b, "%lu record%s read: %lu changed, %lu unchanged (%s %s -> %s %s)\n", im->records,
               im->records == 1 ? "" : "s", im->changed, im->records - im->changed, im->a->name, im->a->version,
               im->b->name, im->b->version);
    size_t width = 0;
    count_lines(im, NULL, &width);
    count_lines(im, b, &width);
    if (im->value_a >= 0 || im->value_b >= 0) {
        char m[SVP_VALUE_TEXT_MAX];
        const struct { const char *label; int64_t v; } lines[] = {
            {"value of the records changed", im->money_changed},
            {"value of those now non-compliant", im->money_to_noncompliant},
            {"value of those now compliant", im->money_to_compliant}};
        for (size_t k = 0; k < 3; k++) {
            if (im->money_overflow)
                snprintf(m, sizeof m, "(too large)");
            else
                value_format_money(lines[k].v, m);
            buf_printf(b, "  %s", lines[k].label);
            for (size_t w = strlen(lines[k].label); w < width + 2; w++)
                buf_putc(b, ' ');
            buf_printf(b, "%s\n", m);
        }
    }
    return buf_finish(b, len);
}

/* "key":{"name":n,...} for the nonzero counts. */
static void json_counts(Buf *b, const char *key, const char *const *names, const unsigned long *counts, uint32_t n)
{
    buf_printf(b, ",\"%s\":{", key);
    bool any = false;
    for (uint32_t i = 0; i < n; i++) {
        if (!counts[i])
            continue;
        const char *name = names[i];
        buf_puts(b, any ? "," : "");
        buf_json_string(b, name, strlen(name));
        buf_printf(b, ":%lu", counts[i]);
        any = true;
    }
    buf_putc(b, '}');
}

const char *svp_impact_summary_json(svp_impact *im, size_t *len)
{
    Buf *b = &im->summary;
    reset(b);
    buf_puts(b, "{\"summary\":{");
    result_policy_json(b, "old", im->a);
    buf_putc(b, ',');
    result_policy_json(b, "new", im->b);
    buf_printf(b,
               ",\"records\":%lu,\"changed\":%lu,\"unchanged\":%lu,\"to_noncompliant\":%lu,\"to_compliant\":%lu,"
               "\"became_invalid\":%lu,\"became_valid\":%lu,\"error_changed\":%lu,\"invalid_both\":%lu",
               im->records, im->changed, im->records - im->changed, im->to_noncompliant, im->to_compliant,
               im->became_invalid, im->became_valid, im->error_changed, im->invalid_both);
    /* Decision names, by the matched index. */
    buf_puts(b, ",\"decisions\":{");
    bool any = false;
    for (uint32_t k = 0; k < im->ndec; k++) {
        if (!im->dec_changed[k])
            continue;
        const char *name = im->a->decisions[im->dec_a[k]]->name_str;
        buf_puts(b, any ? "," : "");
        buf_json_string(b, name, strlen(name));
        buf_printf(b, ":%lu", im->dec_changed[k]);
        any = true;
    }
    buf_putc(b, '}');
    json_counts(b, "newly_firing", im->rule_id, im->newly, im->nrules);
    json_counts(b, "no_longer_firing", im->rule_id, im->no_longer, im->nrules);
    if (im->money_overflow) {
        buf_puts(b, ",\"value\":null");
    } else if (im->value_a >= 0 || im->value_b >= 0) {
        char c[SVP_VALUE_TEXT_MAX], n[SVP_VALUE_TEXT_MAX], k[SVP_VALUE_TEXT_MAX];
        value_format_money_plain(im->money_changed, c);
        value_format_money_plain(im->money_to_noncompliant, n);
        value_format_money_plain(im->money_to_compliant, k);
        buf_printf(b, ",\"value\":{\"changed\":\"%s\",\"to_noncompliant\":\"%s\",\"to_compliant\":\"%s\"}", c, n, k);
    }
    buf_puts(b, "}}\n");
    return buf_finish(b, len);
}
