/*
 * report.c - `svp report POLICY... RECORDS [--from DATE] [--to DATE]
 * [--format html|json|csv] [-o FILE]`: the annual report on a register.
 *
 * Every record is evaluated partially, as `svp eval --partial` does
 * (several policies: under the version in force on its date) and tallied:
 * verdicts (a record lacking a required field is incomplete, not invalid),
 * the rules that fired, every field at fault in invalid records, every
 * required field missing, the portfolio rules (read as `svp portfolio`
 * reads them) and the figures the policy declares (the library's
 * svp_figures, over the records that lack no required field).  A record is
 * in the period when its date falls in it: the first of the newest
 * version's `dated by` fields it holds as a date, which is the date that
 * picks its version.  With a period, undated records are left out and
 * counted as such.  Memory grows with the number of rules, fields and
 * groups, never with the register.
 *
 * This file gathers and writes JSON and CSV; report_html.c writes the page;
 * report_review.c the committee paper (`--review`).
 *
 * Exit status: 0 when the report is written, 2 for a usage error, a
 * policy that does not compile, an unreadable input or a failed write.
 * (A report describes non-compliance; it is not itself non-compliant.)
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jobs.h"
#include "report.h"

int cli_report_review(int argc, char **argv); /* report_review.c */

/* ---- Counting ------------------------------------------------------------- */

/* How many distinct fields at fault are told apart; more are "(other)". */
#define REPORT_MAX_FIELDS 200

void *report_table_find(void **items, size_t *n, size_t *cap, size_t size, const char *key, bool add, bool *oom)
{
    for (size_t i = 0; i < *n; i++) {
        char *item = (char *)*items + i * size;
        if (!strcmp(*(char **)item, key))
            return item;
    }
    if (!add)
        return NULL;
    if (*n == *cap) {
        size_t grown = *cap ? *cap * 2 : 16;
        void *more = realloc(*items, grown * size);
        if (!more) {
            *oom = true;
            return NULL;
        }
        *items = more;
        *cap = grown;
    }
    char *item = (char *)*items + *n * size, *copy = strdup(key);
    if (!copy) {
        *oom = true;
        return NULL;
    }
    memset(item, 0, size);
    *(char **)item = copy;
    (*n)++;
    return item;
}

static ReportCount *count_find(Report *r, ReportCounts *c, const char *key, bool add)
{
    ReportCount *it = report_table_find((void **)&c->items, &c->n, &c->cap, sizeof *it, key, false, &r->oom);
    if (it || !add)
        return it;
    if ((c == &r->fields || c == &r->missing) && c->n >= REPORT_MAX_FIELDS && strcmp(key, "(other)"))
        key = "(other)";
    return report_table_find((void **)&c->items, &c->n, &c->cap, sizeof *it, key, true, &r->oom);
}

static void counts_free(ReportCounts *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->items[i].key);
    free(c->items);
}

void report_sort_counts(ReportCounts *c)
{
    for (size_t i = 1; i < c->n; i++) { /* stable: ties keep their order */
        ReportCount x = c->items[i];
        size_t j = i;
        while (j > 0 && c->items[j - 1].n < x.n) {
            c->items[j] = c->items[j - 1];
            j--;
        }
        c->items[j] = x;
    }
}

/* A field path as the data quality table counts it: a list item's
 * position dropped ("social_value.measures[].unit"), so that one field
 * missing from every item is one row, not one per item.  Into buf. */
static const char *field_key(const char *path, char *buf, size_t size)
{
    size_t n = 0;
    const char *s = path;
    for (; *s && n + 1 < size; s++) {
        buf[n++] = *s;
        if (*s == '[')
            while (s[1] >= '0' && s[1] <= '9')
                s++;
    }
    if (((unsigned char)*s & 0xC0) == 0x80) { /* cut inside a UTF-8 character: drop all of it */
        while (n > 0 && ((unsigned char)buf[n - 1] & 0xC0) == 0x80)
            n--;
        n -= n > 0;
    }
    buf[n] = '\0';
    return buf;
}

/* Count one record under key in c, once however often the record names
 * it: seen holds the keys this record has counted already. */
static void count_once(Report *r, ReportCounts *c, ReportCounts *seen, const char *key)
{
    if (report_table_find((void **)&seen->items, &seen->n, &seen->cap, sizeof *seen->items, key, false, &r->oom))
        return;
    report_table_find((void **)&seen->items, &seen->n, &seen->cap, sizeof *seen->items, key, true, &r->oom);
    ReportCount *it = count_find(r, c, key, true);
    if (it)
        it->n++;
}

/* The record's own date, "YYYY-MM-DD", into date ("" when it has none):
 * the first `dated by` field of the newest version it holds as a date. */
static void record_date(const Report *r, const char *text, size_t len, char date[11])
{
    date[0] = '\0';
    size_t n = svp_policy_dated_by_count(r->newest);
    if (!n)
        return;
    cJSON *root = cJSON_ParseWithLength(text, len);
    for (size_t i = 0; root && i < n && !date[0]; i++) {
        const char *path = svp_policy_dated_by(r->newest, i);
        const cJSON *node = root;
        char key[256];
        while (node && *path) {
            size_t k = strcspn(path, ".");
            if (k >= sizeof key)
                node = NULL;
            else {
                memcpy(key, path, k);
                key[k] = '\0';
                node = cJSON_IsObject(node) ? cJSON_GetObjectItemCaseSensitive(node, key) : NULL;
            }
            path += k + (path[k] == '.');
        }
        if (node && cJSON_IsString(node) && svp_is_date(node->valuestring))
            memcpy(date, node->valuestring, 11);
    }
    cJSON_Delete(root);
}

/* ---- One record: worked out on a worker, counted in input order -----------
 *
 * A worker (cli/jobs.c) evaluates the record and writes what the report
 * counts of it into its result's out, as entries of a tag byte and a text
 * ending in NUL:
 *
 *   P        left out: not dated, with a period (alone)
 *   Q        left out: dated outside the period (alone)
 *   V<n>     the version it was judged under (index), first
 *   S<c>     its verdict: i invalid, p incomplete, c compliant, n non-compliant,
 *            v no version in force (dated before every version)
 *   F<key>   a field at fault (invalid records), as field_key gives it
 *   M<key>   a required field it lacks
 *   R<id>    a rule that fired
 *   L        left out of the figures (it lacks a required field)
 *   G<n>     its part of the figures: n bytes (svp_figures_measure) follow,
 *            last
 *
 * and the calling thread counts the entries in input order (collect), so
 * that the tables come out as one thread counts them, ties in the order
 * first seen.  The portfolio rules' sums do not depend on order: each
 * worker adds to its own and they are merged at the end. */

static void put_entry(CliText *t, char tag, const char *text)
{
    cli_text_addn(t, &tag, 1);
    cli_text_addn(t, text, strlen(text) + 1);
}

static void measure_record(void *ctx, unsigned w, const char *text, size_t len, unsigned long line, CliJobResult *res)
{
    Report *r = ctx;
    CliText *t = &res->out;
    if (r->from || r->to) {
        char date[11];
        record_date(r, text, len, date);
        /* dates written YYYY-MM-DD compare as text */
        if (!date[0] || (r->from && strcmp(date, r->from) < 0) || (r->to && strcmp(date, r->to) > 0)) {
            put_entry(t, date[0] ? 'Q' : 'P', "");
            return;
        }
    }
    /* Partial evaluation: a record whose only problem is required fields
     * it lacks yet is incomplete, not invalid, and its missing fields are
     * listed (issue 9). */
    svp_evaluator *ev = r->evs[w];
    const svp_result *res_ = svp_evaluate_with(ev, text, len, line, SVP_EVAL_PARTIAL);
    const svp_policy *p = svp_result_policy(res_);
    size_t v = 0;
    while (v < r->versions.n && r->versions.policies[v] != p)
        v++;
    const char *code = svp_result_error_code(res_);
    bool no_version = code && !strcmp(code, "no-version");
    if (v == r->versions.n) /* no policy to count it under: the newest's portfolio counts it invalid */
        for (v = 0; r->versions.policies[v] != r->newest; v++)
            ;
    char buf[512];
    snprintf(buf, sizeof buf, "%zu", v);
    put_entry(t, 'V', buf);
    svp_status s = svp_result_status(res_);
    /* Incomplete: no error found on what the record holds, and something
     * it must hold missing, whether or not a rule of severity error waits
     * for it (the library calls the latter compliant): a record lacking a
     * required detail is not reported compliant. */
    bool missing = svp_result_missing_count(res_) > 0;
    /* A record dated before every version is not a data error (issue 11):
     * counted apart, with no field at fault. */
    put_entry(t, 'S', no_version ? "v" : s == SVP_INVALID ? "i" : s == SVP_INCOMPLETE || (s == SVP_COMPLIANT && missing) ? "p"
                    : s == SVP_COMPLIANT ? "c" : "n");
    /* data quality: every field at fault in an invalid record, every
     * required field lacking */
    for (size_t i = 0; s == SVP_INVALID && !no_version && i < svp_result_error_count(res_); i++) {
        const char *field = svp_result_error_field_at(res_, i);
        put_entry(t, 'F', field ? field_key(field, buf, sizeof buf) : "(the record as a whole)");
    }
    for (size_t i = 0; i < svp_result_missing_count(res_); i++)
        put_entry(t, 'M', field_key(svp_result_missing(res_, i), buf, sizeof buf));
    for (size_t i = 0; s != SVP_INVALID && i < svp_result_finding_count(res_); i++)
        put_entry(t, 'R', svp_result_finding_rule(res_, i));
    /* A figure reads fields the library does not name to its caller, so a
     * record that lacks any required field is left out of every figure
     * (and counted as left out) rather than counted on what it lacks. */
    if (s != SVP_INVALID && missing) {
        put_entry(t, 'L', "");
    } else {
        size_t n = 0;
        const char *m = svp_figures_measure(r->measurers[w], ev, &n);
        if (!m) {
            res->oom = true;
        } else if (n) {
            snprintf(buf, sizeof buf, "%zu", n);
            put_entry(t, 'G', buf);
            cli_text_addn(t, m, n);
        }
    }
    /* The portfolio as `svp portfolio` counts it: only the fields its
     * rules read are read and checked (this ends the result above). */
    svp_evaluate_with(ev, text, len, line, SVP_EVAL_PORTFOLIO_FIELDS);
    svp_portfolio_add(r->portfolios[w * r->versions.n + v], ev);
}

/* Count one record's entries (measure_record) into the report. */
static void collect_record(void *ctx, const CliJobResult *res)
{
    Report *r = ctx;
    const char *e = res->out.s, *end = e ? e + res->out.len : e;
    ReportCounts fields_seen = {0}, missing_seen = {0};
    while (e && e < end) {
        char tag = *e++;
        const char *text = e;
        e += strlen(text) + 1;
        switch (tag) {
        case 'P': r->undated++; break;
        case 'Q': r->outside++; break;
        case 'V': r->records++; r->version_records[strtoul(text, NULL, 10)]++; break;
        case 'S':
            *(text[0] == 'i' ? &r->invalid : text[0] == 'p' ? &r->incomplete : text[0] == 'v' ? &r->no_version
              : text[0] == 'c' ? &r->compliant : &r->noncompliant) += 1;
            break;
        case 'F': count_once(r, &r->fields, &fields_seen, text); break;
        case 'M': count_once(r, &r->missing, &missing_seen, text); break;
        case 'R': {
            ReportCount *c = count_find(r, &r->rules, text, true);
            if (c)
                c->n++;
            break;
        }
        case 'L': r->figures_left_out++; break;
        case 'G': {
            size_t n = strtoul(text, NULL, 10);
            if (!svp_figures_add_measured(r->figures, e, n))
                r->oom = true;
            e += n;
            break;
        }
        default: break;
        }
    }
    if (res->oom)
        r->oom = true;
    counts_free(&fields_seen);
    counts_free(&missing_seen);
}

/* Every record rule of every version, newest first, so that the report
 * lists rules that never fired too, with the newest version's title. */
static void list_rules(Report *r)
{
    const svp_policy *order[r->versions.n + 1];
    size_t n = 0;
    order[n++] = r->newest;
    for (size_t v = 0; v < r->versions.n; v++)
        if (r->versions.policies[v] != r->newest)
            order[n++] = r->versions.policies[v];
    for (size_t v = 0; v < n; v++)
        for (size_t i = 0; i < svp_policy_rule_count(order[v]); i++) {
            if (svp_policy_rule_is_portfolio(order[v], i))
                continue;
            ReportCount *c = count_find(r, &r->rules, svp_policy_rule_id(order[v], i), true);
            if (c && !c->title) {
                c->title = svp_policy_rule_title(order[v], i);
                c->cite = svp_policy_rule_cite(order[v], i);
            }
        }
}

/* ---- JSON and CSV ----------------------------------------------------------- */

void report_json_string(FILE *out, const char *s)
{
    cJSON *j = cJSON_CreateString(s ? s : "");
    char *text = j ? cJSON_PrintUnformatted(j) : NULL;
    fputs(text ? text : "\"\"", out);
    free(text);
    cJSON_Delete(j);
}

static void json_nullable(FILE *out, const char *s)
{
    if (s)
        report_json_string(out, s);
    else
        fputs("null", out);
}

bool report_json(FILE *out, Report *r)
{
    fputs("{\"policy\":", out);
    report_json_string(out, svp_policy_name(r->newest));
    fputs(",\"period\":{\"from\":", out);
    json_nullable(out, r->from);
    fputs(",\"to\":", out);
    json_nullable(out, r->to);
    fputs("},\"versions\":[", out);
    for (size_t v = 0, k = 0; v < r->versions.n; v++) {
        if (!r->version_records[v] && r->versions.n > 1)
            continue; /* not in force for any record of the period */
        fputs(k++ ? ",{\"version\":" : "{\"version\":", out);
        report_json_string(out, svp_policy_version(r->versions.policies[v]));
        fputs(",\"effective\":", out);
        report_json_string(out, svp_policy_effective(r->versions.policies[v]));
        fprintf(out, ",\"records\":%lu}", r->version_records[v]);
    }
    fprintf(out, "],\"records\":%lu,\"left_out\":{\"outside_period\":%lu,\"undated\":%lu}", r->records, r->outside,
            r->undated);
    fprintf(out, ",\"verdicts\":{\"compliant\":%lu,\"non-compliant\":%lu,\"incomplete\":%lu,\"invalid\":%lu",
            r->compliant, r->noncompliant, r->incomplete, r->invalid);
    if (r->no_version) /* only when there are any: reports of one version read as before */
        fprintf(out, ",\"no_version\":%lu", r->no_version);
    fputc('}', out);
    fputs(",\"findings\":{", out);
    for (size_t i = 0; i < r->rules.n; i++) {
        fputs(i ? "," : "", out);
        report_json_string(out, r->rules.items[i].key);
        fprintf(out, ":%lu", r->rules.items[i].n);
    }
    fputs("},\"invalid_fields\":{", out);
    for (size_t i = 0; i < r->fields.n; i++) {
        fputs(i ? "," : "", out);
        report_json_string(out, r->fields.items[i].key);
        fprintf(out, ":%lu", r->fields.items[i].n);
    }
    fputs("},\"missing_fields\":{", out);
    for (size_t i = 0; i < r->missing.n; i++) {
        fputs(i ? "," : "", out);
        report_json_string(out, r->missing.items[i].key);
        fprintf(out, ":%lu", r->missing.items[i].n);
    }
    fprintf(out, "},\"figures_left_out\":%lu,\"portfolio\":", r->figures_left_out);
    size_t len = 0, in_force = 0;
    for (size_t v = 0; v < r->versions.n; v++)
        in_force += r->version_records[v] > 0;
    /* one version in force: the object `svp portfolio` prints; several:
     * one such object per version, over the records judged by it */
    if (in_force > 1)
        fputc('[', out);
    for (size_t v = 0, k = 0; v < r->versions.n; v++) {
        bool shown = in_force ? r->version_records[v] > 0 : r->versions.policies[v] == r->newest;
        const char *pf = shown ? svp_portfolio_json(r->portfolios[v], &len) : "";
        if (!pf)
            return false;
        if (!shown)
            continue;
        if (k++)
            fputc(',', out);
        fwrite(pf, 1, len - 1, out); /* without its newline */
    }
    if (in_force > 1)
        fputc(']', out);
    const char *figs = svp_figures_json(r->figures, &len);
    if (!figs)
        return false;
    fputs(",\"figures\":", out);
    fwrite(figs, 1, len, out);
    fputs("}\n", out);
    return true;
}

/* A CSV field, quoted when it must be (RFC 4180). */
static void csv_field(FILE *out, const char *s)
{
    s = s ? s : "";
    if (!s[strcspn(s, ",\"\r\n")]) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void csv_row(FILE *out, Report *r, size_t i, size_t g)
{
    svp_figure_cell_value c;
    svp_figure_cell(r->figures, i, g, true, &c);
    char records[32];
    snprintf(records, sizeof records, "%llu", c.records);
    const char *fields[] = {svp_figure_id(r->figures, i), svp_figure_title(r->figures, i),
                            svp_figure_measure(r->figures, i), c.label ? c.label : "(all)", records,
                            c.known ? c.text : "", svp_figure_measure(r->figures, i)[1] == 'h' && c.known ? c.part_text : "",
                            svp_figure_measure(r->figures, i)[1] == 'h' && c.known ? c.total_text : ""};
    for (size_t k = 0; k < sizeof fields / sizeof *fields; k++) {
        if (k)
            fputc(',', out);
        csv_field(out, fields[k]);
    }
    fputs("\r\n", out);
}

bool report_csv(FILE *out, Report *r)
{
    fputs("figure,title,measure,group,records,value,part,total\r\n", out);
    for (size_t i = 0; i < svp_figures_count(r->figures); i++) {
        csv_row(out, r, i, SIZE_MAX);
        for (size_t g = 0; g < svp_figure_group_count(r->figures, i); g++)
            csv_row(out, r, i, g);
    }
    return true;
}

/* ---- The command --------------------------------------------------------------- */

static void report_free(Report *r)
{
    for (size_t v = 0; r->portfolios && v < r->jobs * r->versions.n; v++)
        svp_portfolio_free(r->portfolios[v]);
    free(r->portfolios);
    free(r->version_records);
    svp_figures_free(r->figures);
    for (unsigned w = 0; w < r->jobs; w++) {
        if (r->evs)
            svp_evaluator_free(r->evs[w]);
        if (r->measurers)
            svp_figures_free(r->measurers[w]);
    }
    free(r->evs);
    free(r->measurers);
    svp_versions_free(r->set);
    counts_free(&r->rules);
    counts_free(&r->fields);
    counts_free(&r->missing);
    cli_free_versions(&r->versions);
}

int cli_report(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--review"))
            return cli_report_review(argc, argv);
    const char *format = NULL, *output = NULL;
    Report r;
    memset(&r, 0, sizeof r);
    char **positional = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *positional);
    int npos = 0;
    if (!positional)
        return 2;
    int usage = 0;
    unsigned jobs = cli_default_jobs();
    bool bad_jobs = false;
    for (int i = 0; i < argc && !usage; i++) {
        const char *a = argv[i];
        if (cli_take_format(argc, argv, &i, &format) || cli_take_jobs(argc, argv, &i, &jobs, &bad_jobs))
            ;
        else if (!strcmp(a, "--from") && i + 1 < argc)
            r.from = argv[++i];
        else if (!strcmp(a, "--to") && i + 1 < argc)
            r.to = argv[++i];
        else if (!strcmp(a, "-o") && i + 1 < argc)
            output = argv[++i];
        else if (a[0] == '-' && a[1])
            usage = cli_usage_error("unknown option `%s` for report", a);
        else
            positional[npos++] = argv[i];
    }
    if (usage)
        ;
    else if (npos < 2)
        usage = cli_usage_error("%s needs a policy and the records (a file, or - for standard input)", "report");
    else if (format && strcmp(format, "html") && strcmp(format, "json") && strcmp(format, "csv"))
        usage = cli_usage_error("unknown format `%s`: use html, json or csv", format);
    else if (r.from && !svp_is_date(r.from))
        usage = cli_usage_error("--from takes a date written YYYY-MM-DD, not `%s`", r.from);
    else if (r.to && !svp_is_date(r.to))
        usage = cli_usage_error("--to takes a date written YYYY-MM-DD, not `%s`", r.to);
    else if (r.from && r.to && strcmp(r.from, r.to) > 0)
        usage = cli_usage_error("the period ends before it begins: --to %s", r.to);
    else if (bad_jobs)
        usage = cli_usage_error("--jobs takes a whole number of threads from 1 to %s", CLI_JOBS_MAX_TEXT);
    if (usage) {
        free(positional);
        return usage;
    }
    const char *input = positional[npos - 1];
    if (cli_refuse_swapped((const char *const *)positional, npos - 1, input, "give the policy first, then one input")) {
        free(positional);
        return 2;
    }
    int status = cli_load_versions(positional, npos - 1, &r.versions, false);
    free(positional);
    if (!status && r.versions.n > 1 && !(r.set = cli_version_set(&r.versions, NULL)))
        status = 2;
    if (status) {
        report_free(&r);
        return 2;
    }
    r.newest = r.versions.policies[0];
    for (size_t v = 1; v < r.versions.n; v++)
        if (strcmp(svp_policy_effective(r.versions.policies[v]), svp_policy_effective(r.newest)) > 0)
            r.newest = r.versions.policies[v];
    const svp_policy *const *versions = (const svp_policy *const *)r.versions.policies;
    size_t nv = r.versions.n;
    r.jobs = jobs;
    r.figures = svp_figures_new(versions, nv, NULL);
    r.evs = calloc(jobs, sizeof *r.evs);
    r.measurers = calloc(jobs, sizeof *r.measurers);
    r.portfolios = calloc(jobs * nv, sizeof *r.portfolios);
    r.version_records = calloc(nv, sizeof *r.version_records);
    bool ok = r.evs && r.measurers && r.figures && r.portfolios && r.version_records;
    for (unsigned w = 0; ok && w < jobs; w++) {
        r.evs[w] = r.set ? svp_evaluator_new_versions(r.set, NULL, NULL) : svp_evaluator_new(r.newest, NULL);
        r.measurers[w] = svp_figures_new(versions, nv, NULL);
        ok = r.evs[w] && r.measurers[w];
        for (size_t v = 0; ok && v < nv; v++)
            ok = (r.portfolios[w * nv + v] = svp_portfolio_new(r.versions.policies[v], NULL)) != NULL;
    }
    if (ok)
        list_rules(&r);
    if (!ok || r.oom) {
        fputs("svp: out of memory\n", stderr);
        report_free(&r);
        return 2;
    }
    int worst = 0; /* records give no status of their own here */
    status = cli_jobs_collect(input, jobs, measure_record, collect_record, &r, &worst);
    if (status) {
        report_free(&r);
        return 2;
    }
    for (unsigned w = 1; w < jobs; w++)
        for (size_t v = 0; v < nv; v++)
            svp_portfolio_merge(r.portfolios[v], r.portfolios[w * nv + v]);
    report_sort_counts(&r.fields);
    report_sort_counts(&r.missing);
    FILE *out = output ? fopen(output, "w") : stdout;
    if (!out) {
        fprintf(stderr, "svp: cannot write %s: %s\n", output, strerror(errno));
        report_free(&r);
        return 2;
    }
    bool written = !r.oom;
    if (written) {
        if (format && !strcmp(format, "json"))
            written = report_json(out, &r);
        else if (format && !strcmp(format, "csv"))
            written = report_csv(out, &r);
        else
            written = report_html(out, &r);
    }
    if (!written)
        fputs("svp: out of memory\n", stderr);
    bool failed = ferror(out) != 0;
    failed |= (out == stdout ? fflush(out) : fclose(out)) != 0;
    if (failed)
        fprintf(stderr, "svp: cannot write %s\n", output ? output : "the report to standard output");
    report_free(&r);
    return written && !failed ? 0 : 2;
}
