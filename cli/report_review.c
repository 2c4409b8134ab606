/*
 * report_review.c - `svp report --review OLD.svp NEW.svp RECORDS [--format
 * html|json] [-o FILE]`: the paper a reviewer takes to committee.
 *
 * What changed, in words (the library's svp_diff), and what it does to the
 * register, with money: every record is evaluated under both versions (as
 * `svp impact` does) and the paper counts, with the value of the
 * procurements concerned,
 *   - the records each ungrouped `count` figure of the policy (such as
 *     "Procurements in scope of the policy") newly counts or no longer
 *     counts;
 *   - the verdicts that flip, by the rule that makes them flip, and why
 *     (the rule newly fires, stops firing, or only its severity changed);
 *   - the decisions that change;
 *   - every figure before and after.
 * A procurement's value is its record's `value` field, read exactly as
 * written (a JSON number by its shortest form): it is money the paper
 * adds, never a figure a rule compares.
 *
 * Exit status: 0 when the paper is written, 2 for a usage error, a policy
 * that does not compile, an unreadable input or a failed write.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_page.h"

int cli_report_review(int argc, char **argv);

/* A count with the money behind it. */
typedef struct Money {
    unsigned long records;
    long long pence;
    bool overflow;
} Money;

/* What changed for one rule, decision or figure across the register. */
typedef struct Line {
    char *key; /* first: report_table_find keeps the table */
    const char *title, *cite;
    Money to_noncompliant, to_compliant; /* rules: verdicts they flip */
    Money changed;                       /* decisions: records whose value changes */
    Money newly, no_longer;              /* figures: records newly counted, no longer */
    bool severity_only;                  /* a rule: fired under both, its severity changed */
    char *old_severity, *new_severity;
} Line;

typedef struct Lines {
    Line *items;
    size_t n, cap;
} Lines;

typedef struct Paper {
    svp_policy *old_p, *new_p;
    svp_evaluator *old_ev, *new_ev;
    svp_figures *old_fig, *new_fig;
    svp_impact *impact;
    unsigned long records, invalid_old, invalid_new, unpriced;
    Money all, to_noncompliant, to_compliant;
    Lines rules, decisions, figures;
    bool oom;
} Paper;

static Line *line_find(Paper *pp, Lines *l, const char *key)
{
    return report_table_find((void **)&l->items, &l->n, &l->cap, sizeof(Line), key, true, &pp->oom);
}

static void lines_free(Lines *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].key);
        free(l->items[i].old_severity);
        free(l->items[i].new_severity);
    }
    free(l->items);
}

static void money_add(Money *m, long long pence)
{
    m->records++;
    if (pence >= 0)
        m->overflow |= __builtin_add_overflow(m->pence, pence, &m->pence);
}

/* "145000.50" (at most two decimals, no sign) as pence; false otherwise. */
static bool parse_pence(const char *s, long long *out)
{
    long long v = 0;
    int decimals = -1;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s == '.' && decimals < 0) {
            decimals = 0;
            continue;
        }
        if (*s < '0' || *s > '9' || decimals == 2 || __builtin_mul_overflow(v, 10, &v) ||
            __builtin_add_overflow(v, *s - '0', &v))
            return false;
        if (decimals >= 0)
            decimals++;
    }
    for (int d = decimals < 0 ? 0 : decimals; d < 2; d++)
        if (__builtin_mul_overflow(v, 10, &v))
            return false;
    *out = v;
    return true;
}

/* The record's `value` in pence, or -1 when it has none the paper can read. */
static long long record_value(const char *text, size_t len)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    const cJSON *v = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "value") : NULL;
    long long pence = -1;
    char *printed = v && cJSON_IsNumber(v) ? cJSON_PrintUnformatted(v) : NULL;
    const char *s = v && cJSON_IsString(v) ? v->valuestring : printed;
    if (!s || !parse_pence(s, &pence))
        pence = -1;
    free(printed);
    cJSON_Delete(root);
    return pence;
}

/* The severity of rule id's finding in r, or NULL when it did not fire. */
static const char *fired_as(const svp_result *r, const char *id)
{
    for (size_t i = 0; i < svp_result_finding_count(r); i++)
        if (!strcmp(svp_result_finding_rule(r, i), id))
            return svp_result_finding_severity(r, i);
    return NULL;
}

static const char *rule_title(const svp_policy *p, const char *id, const char **cite)
{
    for (size_t i = 0; i < svp_policy_rule_count(p); i++)
        if (!strcmp(svp_policy_rule_id(p, i), id)) {
            *cite = svp_policy_rule_cite(p, i);
            return svp_policy_rule_title(p, i);
        }
    return NULL;
}

/* The rules that flipped a verdict from `from` (the side that was
 * compliant) to `to`: those that fire as an error on the `to` side and did
 * not on the other. */
static void attribute_flip(Paper *pp, const svp_result *from, const svp_result *to, bool to_noncompliant,
                           long long pence)
{
    for (size_t i = 0; i < svp_result_finding_count(to); i++) {
        const char *id = svp_result_finding_rule(to, i);
        const char *sev = svp_result_finding_severity(to, i), *before = fired_as(from, id);
        if (strcmp(sev, "error") || (before && !strcmp(before, "error")))
            continue;
        Line *l = line_find(pp, &pp->rules, id);
        if (!l)
            return;
        money_add(to_noncompliant ? &l->to_noncompliant : &l->to_compliant, pence);
        if (before && !l->old_severity) { /* fired under both: only its severity changed */
            l->severity_only = true;
            l->old_severity = strdup(to_noncompliant ? before : sev);
            l->new_severity = strdup(to_noncompliant ? sev : before);
            pp->oom |= !l->old_severity || !l->new_severity;
        }
    }
}

static void count_decisions(Paper *pp, const svp_result *a, const svp_result *b, long long pence)
{
    for (size_t i = 0; i < svp_result_decision_count(b); i++) {
        size_t j;
        const char *name = svp_result_decision_name(b, i);
        if (svp_result_decision_working(b, i) || !svp_result_decision_find(a, name, &j) ||
            svp_result_decision_working(a, j))
            continue; /* a working value is in no result, and not in the paper */
        const char *x = svp_result_decision_json(pp->old_ev, a, j);
        char *old_value = x ? strdup(x) : NULL;
        const char *y = svp_result_decision_json(pp->new_ev, b, i);
        if (!old_value || !y) {
            free(old_value);
            pp->oom = true;
            return;
        }
        if (strcmp(old_value, y)) {
            Line *l = line_find(pp, &pp->decisions, name);
            if (l) {
                l->title = svp_result_decision_title(b, i);
                money_add(&l->changed, pence);
            }
        }
        free(old_value);
    }
}

/* Whether each ungrouped count figure counted the record: its count
 * before and after adding it. */
static void count_figures(Paper *pp, long long pence)
{
    size_t n = svp_figures_count(pp->new_fig);
    unsigned long long before_old[n + 1], before_new[n + 1];
    svp_figure_cell_value c;
    size_t m = svp_figures_count(pp->old_fig);
    for (size_t i = 0; i < m; i++)
        before_old[i] = svp_figure_cell(pp->old_fig, i, SIZE_MAX, true, &c) ? c.records : 0;
    for (size_t i = 0; i < n; i++)
        before_new[i] = svp_figure_cell(pp->new_fig, i, SIZE_MAX, true, &c) ? c.records : 0;
    svp_figures_add(pp->old_fig, pp->old_ev);
    svp_figures_add(pp->new_fig, pp->new_ev);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(svp_figure_measure(pp->new_fig, i), "count") || svp_figure_grouping(pp->new_fig, i))
            continue;
        size_t k = 0; /* the same figure in the old version */
        while (k < m && strcmp(svp_figure_id(pp->old_fig, k), svp_figure_id(pp->new_fig, i)))
            k++;
        svp_figure_cell(pp->new_fig, i, SIZE_MAX, true, &c);
        bool now = c.records > before_new[i], then = false;
        if (k < m) {
            svp_figure_cell(pp->old_fig, k, SIZE_MAX, true, &c);
            then = c.records > before_old[k];
        }
        if (now == then)
            continue;
        Line *l = line_find(pp, &pp->figures, svp_figure_id(pp->new_fig, i));
        if (!l)
            return;
        l->title = svp_figure_title(pp->new_fig, i);
        money_add(now ? &l->newly : &l->no_longer, pence);
    }
}

static void compare(void *ctx, const char *text, size_t len, unsigned long line)
{
    Paper *pp = ctx;
    const svp_result *a = svp_evaluate(pp->old_ev, text, len, line, false);
    const svp_result *b = svp_evaluate(pp->new_ev, text, len, line, false);
    long long pence = record_value(text, len);
    pp->records++;
    pp->unpriced += pence < 0;
    money_add(&pp->all, pence);
    svp_impact_add(pp->impact, pp->old_ev, pp->new_ev);
    svp_status sa = svp_result_status(a), sb = svp_result_status(b);
    pp->invalid_old += sa == SVP_INVALID;
    pp->invalid_new += sb == SVP_INVALID;
    if (sa == SVP_INVALID || sb == SVP_INVALID) {
        count_figures(pp, pence); /* figures leave invalid records out themselves */
        return;
    }
    if (sa == SVP_COMPLIANT && sb == SVP_NONCOMPLIANT) {
        money_add(&pp->to_noncompliant, pence);
        attribute_flip(pp, a, b, true, pence);
    } else if (sa == SVP_NONCOMPLIANT && sb == SVP_COMPLIANT) {
        money_add(&pp->to_compliant, pence);
        attribute_flip(pp, b, a, false, pence);
    }
    count_decisions(pp, a, b, pence);
    count_figures(pp, pence);
}

/* ---- Writing ------------------------------------------------------------------ */

static void money_text(const Money *m, char *out, size_t size)
{
    if (m->overflow) {
        snprintf(out, size, "(too large)");
        return;
    }
    /* £1,234,567.89 */
    char digits[32];
    snprintf(digits, sizeof digits, "%lld", m->pence / 100);
    size_t n = strlen(digits), k = 0;
    out[k++] = '\xc2';
    out[k++] = '\xa3';
    for (size_t i = 0; i < n && k + 6 < size; i++) {
        if (i && (n - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = digits[i];
    }
    snprintf(out + k, size - k, ".%02lld", m->pence % 100);
}

static void money_json(FILE *out, const Money *m)
{
    if (m->overflow)
        fprintf(out, "{\"records\":%lu,\"value\":null}", m->records);
    else
        fprintf(out, "{\"records\":%lu,\"value\":\"%lld.%02lld\"}", m->records, m->pence / 100, m->pence % 100);
}

static void json_policy(FILE *out, const char *key, const svp_policy *p)
{
    fprintf(out, "\"%s\":{\"name\":", key);
    report_json_string(out, svp_policy_name(p));
    fputs(",\"version\":", out);
    report_json_string(out, svp_policy_version(p));
    fputs(",\"effective\":", out);
    report_json_string(out, svp_policy_effective(p));
    fputc('}', out);
}

/* Figure i of f as a whole, as JSON text ("12", "\"1234.56\"", null). */
static void figure_value_json(FILE *out, svp_figures *f, size_t i)
{
    svp_figure_cell_value c;
    if (!svp_figure_cell(f, i, SIZE_MAX, true, &c) || !c.known)
        fputs("null", out);
    else if (!strcmp(svp_figure_measure(f, i), "count"))
        fputs(c.text, out);
    else
        report_json_string(out, c.text);
}

static bool paper_json(FILE *out, Paper *pp)
{
    svp_diff *d = svp_diff_new(pp->old_p, pp->new_p, NULL);
    size_t len = 0;
    const char *diff = d ? svp_diff_json(d, &len) : NULL;
    const char *impact = svp_impact_summary_json(pp->impact, &len);
    cJSON *dj = diff ? cJSON_Parse(diff) : NULL, *ij = impact ? cJSON_Parse(impact) : NULL;
    char *changes = dj ? cJSON_PrintUnformatted(cJSON_GetObjectItem(dj, "changes")) : NULL;
    char *summary = ij ? cJSON_PrintUnformatted(cJSON_GetObjectItem(ij, "summary")) : NULL;
    bool ok = changes && summary;
    if (ok) {
        fputc('{', out);
        json_policy(out, "old", pp->old_p);
        fputc(',', out);
        json_policy(out, "new", pp->new_p);
        fprintf(out, ",\"changes\":%s,\"records\":%lu,\"value\":", changes, pp->records);
        money_json(out, &pp->all);
        fprintf(out, ",\"unpriced\":%lu,\"scope\":[", pp->unpriced);
        for (size_t i = 0; i < pp->figures.n; i++) {
            Line *l = &pp->figures.items[i];
            fputs(i ? ",{\"figure\":" : "{\"figure\":", out);
            report_json_string(out, l->key);
            fputs(",\"title\":", out);
            report_json_string(out, l->title);
            fputs(",\"newly\":", out);
            money_json(out, &l->newly);
            fputs(",\"no_longer\":", out);
            money_json(out, &l->no_longer);
            fputc('}', out);
        }
        fputs("],\"verdicts\":{\"to_noncompliant\":", out);
        money_json(out, &pp->to_noncompliant);
        fputs(",\"to_compliant\":", out);
        money_json(out, &pp->to_compliant);
        fputs("},\"flips_by_rule\":[", out);
        for (size_t i = 0; i < pp->rules.n; i++) {
            Line *l = &pp->rules.items[i];
            fputs(i ? ",{\"rule\":" : "{\"rule\":", out);
            report_json_string(out, l->key);
            fputs(",\"title\":", out);
            report_json_string(out, l->title ? l->title : l->key);
            fputs(",\"cite\":", out);
            if (l->cite)
                report_json_string(out, l->cite);
            else
                fputs("null", out);
            fputs(",\"to_noncompliant\":", out);
            money_json(out, &l->to_noncompliant);
            fputs(",\"to_compliant\":", out);
            money_json(out, &l->to_compliant);
            fputs(",\"why\":", out);
            if (l->severity_only) {
                fputs("{\"severity\":{\"old\":", out);
                report_json_string(out, l->old_severity);
                fputs(",\"new\":", out);
                report_json_string(out, l->new_severity);
                fputs("}}", out);
            } else {
                report_json_string(out, l->to_noncompliant.records ? "fires now" : "no longer fires");
            }
            fputc('}', out);
        }
        fputs("],\"decisions\":[", out);
        for (size_t i = 0; i < pp->decisions.n; i++) {
            Line *l = &pp->decisions.items[i];
            fputs(i ? ",{\"decision\":" : "{\"decision\":", out);
            report_json_string(out, l->key);
            fputs(",\"title\":", out);
            report_json_string(out, l->title ? l->title : l->key);
            fputs(",\"changed\":", out);
            money_json(out, &l->changed);
            fputc('}', out);
        }
        fputs("],\"figures\":[", out);
        for (size_t i = 0, k = 0; i < svp_figures_count(pp->new_fig); i++) {
            size_t j = 0;
            while (j < svp_figures_count(pp->old_fig) &&
                   strcmp(svp_figure_id(pp->old_fig, j), svp_figure_id(pp->new_fig, i)))
                j++;
            fputs(k++ ? ",{\"figure\":" : "{\"figure\":", out);
            report_json_string(out, svp_figure_id(pp->new_fig, i));
            fputs(",\"title\":", out);
            report_json_string(out, svp_figure_title(pp->new_fig, i));
            fputs(",\"old\":", out);
            if (j < svp_figures_count(pp->old_fig))
                figure_value_json(out, pp->old_fig, j);
            else
                fputs("null", out);
            fputs(",\"new\":", out);
            figure_value_json(out, pp->new_fig, i);
            fputc('}', out);
        }
        fprintf(out, "],\"impact\":%s}\n", summary);
    }
    free(changes);
    free(summary);
    cJSON_Delete(dj);
    cJSON_Delete(ij);
    svp_diff_free(d);
    return ok;
}

/* One change of the diff as a sentence. */
static void change_words(FILE *out, const svp_change *c)
{
    static const struct { const char *prefix, *noun; } nouns[] = {
        {"header", "The policy's"}, {"parameter", "The parameter"}, {"enum", "The list"},
        {"field", "The record field"}, {"object", "The object"}, {"decision", "The decision"},
        {"tier", "The decision"}, {"rule", "The rule"}, {"portfolio", "The portfolio rule"}};
    const char *noun = "";
    for (size_t i = 0; i < sizeof nouns / sizeof *nouns; i++)
        if (!strncmp(c->kind, nouns[i].prefix, strlen(nouns[i].prefix)))
            noun = nouns[i].noun;
    fputs("<li>", out);
    html_text(out, noun);
    fputs(" <strong>", out);
    html_text(out, c->name);
    fputs("</strong>", out);
    if (c->aspect) {
        fputs(" (", out);
        html_text(out, c->aspect);
        fputs(")", out);
    }
    if (c->old_value && c->new_value) {
        fputs(" changes from <q>", out);
        html_text(out, c->old_value);
        fputs("</q> to <q>", out);
        html_text(out, c->new_value);
        fputs("</q>.", out);
    } else if (c->new_value) {
        fputs(" is added: ", out);
        html_text(out, c->new_value);
    } else {
        fputs(" is removed", out);
        if (c->old_value) {
            fputs(" (it was: ", out);
            html_text(out, c->old_value);
            fputc(')', out);
        }
        fputc('.', out);
    }
    fputs("</li>\n", out);
}

static void money_cell(FILE *out, const Money *m)
{
    char t[64];
    money_text(m, t, sizeof t);
    fprintf(out, "<td>%lu</td><td>", m->records);
    html_text(out, t);
    fputs("</td>", out);
}

static bool paper_html(FILE *out, Paper *pp)
{
    char title[512];
    snprintf(title, sizeof title, "the review: version %s to version %s", svp_policy_version(pp->old_p),
             svp_policy_version(pp->new_p));
    page_open(out, svp_policy_name(pp->new_p), title);
    char total[64];
    money_text(&pp->all, total, sizeof total);
    fputs("<p class=\"period\">Version ", out);
    html_text(out, svp_policy_version(pp->new_p));
    fputs(" would take effect on ", out);
    html_text(out, svp_policy_effective(pp->new_p));
    fprintf(out, ". Its effect is measured on %lu procurement%s worth ", pp->records, pp->records == 1 ? "" : "s");
    html_text(out, total);
    fputs(", each judged under both versions.</p>\n", out);

    svp_diff *d = svp_diff_new(pp->old_p, pp->new_p, NULL);
    if (!d)
        return false;
    fputs("<h2>What changes in the policy</h2>\n<ul class=\"changes\">\n", out);
    for (size_t i = 0; i < svp_diff_count(d); i++)
        change_words(out, svp_diff_get(d, i));
    if (!svp_diff_count(d))
        fputs("<li>Nothing: the two versions mean the same.</li>\n", out);
    fputs("</ul>\n", out);
    svp_diff_free(d);

    fputs("<h2>What it does to the register</h2>\n", out);
    fputs("<table>\n<tr><th></th><th>Procurements</th><th>Value</th></tr>\n", out);
    for (size_t i = 0; i < pp->figures.n; i++) {
        Line *l = &pp->figures.items[i];
        fputs("<tr><th>Newly counted in: ", out);
        html_text(out, l->title);
        fputs("</th>", out);
        money_cell(out, &l->newly);
        fputs("</tr>\n<tr><th>No longer counted in: ", out);
        html_text(out, l->title);
        fputs("</th>", out);
        money_cell(out, &l->no_longer);
        fputs("</tr>\n", out);
    }
    fputs("<tr><th>Compliant now, not compliant under the new version</th>", out);
    money_cell(out, &pp->to_noncompliant);
    fputs("</tr>\n<tr><th>Not compliant now, compliant under the new version</th>", out);
    money_cell(out, &pp->to_compliant);
    fputs("</tr>\n</table>\n", out);

    /* The chart: verdict flips by rule and decisions that change. */
    size_t n = pp->rules.n + pp->decisions.n;
    const char **labels = calloc(n + 1, sizeof *labels), **texts = calloc(n + 1, sizeof *texts);
    double *values = calloc(n + 1, sizeof *values), max = 0;
    char *text = calloc(n + 1, 96);
    if (!labels || !texts || !values || !text) {
        free(labels);
        free(texts);
        free(values);
        free(text);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        Line *l = i < pp->rules.n ? &pp->rules.items[i] : &pp->decisions.items[i - pp->rules.n];
        const Money *m = i < pp->rules.n ? (l->to_noncompliant.records ? &l->to_noncompliant : &l->to_compliant)
                                         : &l->changed;
        labels[i] = l->title ? l->title : l->key;
        char t[64];
        money_text(m, t, sizeof t);
        snprintf(text + 96 * i, 96, "%lu (%s)", m->records, t);
        texts[i] = text + 96 * i;
        values[i] = (double)m->records;
        max = values[i] > max ? values[i] : max;
    }
    if (pp->rules.n) {
        fputs("<h3>Verdicts that flip, by the rule that flips them</h3>\n"
              "<table>\n<tr><th>Rule</th><th>Policy clause</th><th>Why</th><th>Procurements</th><th>Value</th></tr>\n",
              out);
        for (size_t i = 0; i < pp->rules.n; i++) {
            Line *l = &pp->rules.items[i];
            fputs("<tr><td>", out);
            html_text(out, l->title ? l->title : l->key);
            fputs("</td><td>", out);
            html_text(out, l->cite);
            fputs("</td><td>", out);
            if (l->severity_only) {
                fputs("its severity changes from ", out);
                html_text(out, l->old_severity);
                fputs(" to ", out);
                html_text(out, l->new_severity);
            } else {
                fputs(l->to_noncompliant.records ? "it now finds a breach" : "it no longer finds a breach", out);
            }
            fputs("</td>", out);
            money_cell(out, l->to_noncompliant.records ? &l->to_noncompliant : &l->to_compliant);
            fputs("</tr>\n", out);
        }
        fputs("</table>\n", out);
    }
    if (pp->decisions.n) {
        fputs("<h3>Decisions that change</h3>\n<table>\n<tr><th>Decision</th><th>Procurements</th><th>Value</th></tr>\n",
              out);
        for (size_t i = 0; i < pp->decisions.n; i++) {
            Line *l = &pp->decisions.items[i];
            fputs("<tr><td>", out);
            html_text(out, l->title ? l->title : l->key);
            fputs("</td>", out);
            money_cell(out, &l->changed);
            fputs("</tr>\n", out);
        }
        fputs("</table>\n", out);
    }
    if (n) {
        fputs("<h3>In a picture: procurements affected</h3>\n", out);
        page_bars(out, "Procurements whose verdict or decisions change", n, labels, values, texts, max);
    } else {
        fputs("<p>No verdict and no decision changes for any procurement of the register.</p>\n", out);
    }
    free(labels);
    free(texts);
    free(values);
    free(text);

    fputs("<h2>The figures before and after</h2>\n<table>\n<tr><th>Figure</th><th>Now</th><th>Under the new "
          "version</th></tr>\n", out);
    for (size_t i = 0; i < svp_figures_count(pp->new_fig); i++) {
        svp_figure_cell_value c;
        size_t j = 0;
        while (j < svp_figures_count(pp->old_fig) &&
               strcmp(svp_figure_id(pp->old_fig, j), svp_figure_id(pp->new_fig, i)))
            j++;
        fputs("<tr><td>", out);
        html_text(out, svp_figure_title(pp->new_fig, i));
        fputs("</td><td>", out);
        if (j < svp_figures_count(pp->old_fig) && svp_figure_cell(pp->old_fig, j, SIZE_MAX, false, &c))
            html_text(out, c.known ? c.text : "none");
        fputs("</td><td>", out);
        svp_figure_cell(pp->new_fig, i, SIZE_MAX, false, &c);
        html_text(out, c.known ? c.text : "none");
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
    if (pp->invalid_old || pp->invalid_new || pp->unpriced)
        fprintf(out, "<p class=\"detail\">%lu record%s could not be assessed under the current version and %lu under "
                     "the new; %lu had no value to add up.</p>\n",
                pp->invalid_old, pp->invalid_old == 1 ? "" : "s", pp->invalid_new, pp->unpriced);
    page_close(out);
    return true;
}

static void paper_free(Paper *pp)
{
    svp_figures_free(pp->old_fig);
    svp_figures_free(pp->new_fig);
    svp_impact_free(pp->impact);
    svp_evaluator_free(pp->old_ev);
    svp_evaluator_free(pp->new_ev);
    svp_policy_free(pp->old_p);
    svp_policy_free(pp->new_p);
    lines_free(&pp->rules);
    lines_free(&pp->decisions);
    lines_free(&pp->figures);
}

/* The rules' titles and citations, from the version where they fire. */
static void name_rules(Paper *pp)
{
    for (size_t i = 0; i < pp->rules.n; i++) {
        Line *l = &pp->rules.items[i];
        l->title = rule_title(pp->new_p, l->key, &l->cite);
        if (!l->title)
            l->title = rule_title(pp->old_p, l->key, &l->cite);
    }
}

int cli_report_review(int argc, char **argv)
{
    const char *paths[3] = {NULL, NULL, NULL}, *format = NULL, *output = NULL;
    int npaths = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--review"))
            continue;
        if (cli_take_format(argc, argv, &i, &format))
            continue;
        if (!strcmp(a, "-o") && i + 1 < argc)
            output = argv[++i];
        else if (cli_take_review_arg("report --review", a, paths, &npaths))
            return 2;
    }
    if (cli_review_args_complete("report --review", npaths))
        return 2;
    if (format && strcmp(format, "json") && strcmp(format, "html"))
        return cli_usage_error("unknown format `%s` for report --review: use html or json", format);
    if (cli_refuse_folders("report --review", paths, 2) ||
        cli_refuse_swapped(paths, 2, paths[2], "give the old policy, the new one, then the records"))
        return 2;
    Paper pp;
    memset(&pp, 0, sizeof pp);
    pp.old_p = cli_load_policy(paths[0]);
    pp.new_p = cli_load_policy(paths[1]);
    if (!pp.old_p || !pp.new_p) {
        paper_free(&pp);
        return 2;
    }
    pp.old_ev = svp_evaluator_new(pp.old_p, NULL);
    pp.new_ev = svp_evaluator_new(pp.new_p, NULL);
    pp.old_fig = svp_figures_new((const svp_policy *const *)&pp.old_p, 1, NULL);
    pp.new_fig = svp_figures_new((const svp_policy *const *)&pp.new_p, 1, NULL);
    pp.impact = svp_impact_new(pp.old_p, pp.new_p, NULL);
    if (!pp.old_ev || !pp.new_ev || !pp.old_fig || !pp.new_fig || !pp.impact) {
        fputs("svp: out of memory\n", stderr);
        paper_free(&pp);
        return 2;
    }
    if (cli_read_records(paths[2], compare, &pp)) {
        paper_free(&pp);
        return 2;
    }
    name_rules(&pp);
    FILE *out = output ? fopen(output, "w") : stdout;
    if (!out) {
        fprintf(stderr, "svp: cannot write %s: %s\n", output, strerror(errno));
        paper_free(&pp);
        return 2;
    }
    bool written = !pp.oom && (format && !strcmp(format, "json") ? paper_json(out, &pp) : paper_html(out, &pp));
    if (!written)
        fputs("svp: out of memory\n", stderr);
    bool failed = ferror(out) != 0;
    failed |= (out == stdout ? fflush(out) : fclose(out)) != 0;
    if (failed)
        fprintf(stderr, "svp: cannot write %s\n", output ? output : "the paper to standard output");
    paper_free(&pp);
    return written && !failed ? 0 : 2;
}
