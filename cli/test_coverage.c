/*
 * test_coverage.c - `svp test --coverage`: for every record rule of a
 * policy, and every clause such a rule cites, whether some evaluated case
 * makes it fire and some makes it not fire.  The rules and their
 * citations come from the policy (svp_policy_rule_*); whether each fired,
 * from the results (svp_result_rule_fired), noted by test_run.c.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"

/* A percentage rounded down to a hundredth, in its shortest form ("95.45%",
 * "70%"), so that 99.999% never reads as 100%. */
static void add_percent(CliText *b, unsigned long hundredths)
{
    unsigned long whole = hundredths / 100, frac = hundredths % 100;
    if (!frac)
        cli_text_addf(b, "%lu%%", whole);
    else if (frac % 10 == 0)
        cli_text_addf(b, "%lu.%lu%%", whole, frac / 10);
    else
        cli_text_addf(b, "%lu.%02lu%%", whole, frac);
}

/* Characters (not bytes) in a UTF-8 text, for lining up columns. */
static size_t text_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* One line of the table: the name, padded to width, and its two counts. */
static void print_row(const char *name, size_t width, unsigned long yes, unsigned long no)
{
    printf("  %s%*s  %5lu  %13lu\n", name, (int)(width - text_width(name)), "", yes, no);
}

/* What the cases of one policy covered: per rule, and per distinct
 * clause the rules cite, in how many evaluated cases it fired. */
typedef struct Tally {
    size_t nrules, nrows, nclauses;
    unsigned long *rule_fired;  /* by rule */
    const char **clauses;       /* the distinct citations, in rule order */
    unsigned long *clause_fired;
    unsigned long items, covered; /* 2 per rule and per clause; those met */
} Tally;

/* In how many rows some rule citing clause fired. */
static unsigned long clause_count(const TestPolicy *pol, const char *clause)
{
    unsigned long n = 0;
    for (size_t r = 0; r < pol->nrows; r++) {
        bool any = false;
        for (size_t i = 0; i < pol->nrules && !any; i++)
            any = pol->rows[r * pol->nrules + i] && pol->cites[i] && !strcmp(pol->cites[i], clause);
        n += any;
    }
    return n;
}

/* Count what pol's cases covered into t (free its arrays after). */
static void tally(const TestPolicy *pol, Tally *t)
{
    size_t nr = t->nrules = pol->nrules, nrows = t->nrows = pol->nrows;
    t->rule_fired = cli_alloc((nr + 1) * sizeof *t->rule_fired);
    t->clauses = cli_alloc((nr + 1) * sizeof *t->clauses);
    t->clause_fired = cli_alloc((nr + 1) * sizeof *t->clause_fired);
    t->nclauses = 0;
    for (size_t i = 0; i < nr; i++) {
        t->rule_fired[i] = 0;
        for (size_t r = 0; r < nrows; r++)
            t->rule_fired[i] += pol->rows[r * nr + i];
        if (!pol->cites[i])
            continue;
        size_t k = 0;
        while (k < t->nclauses && strcmp(t->clauses[k], pol->cites[i]))
            k++;
        if (k == t->nclauses)
            t->clauses[t->nclauses++] = pol->cites[i];
    }
    for (size_t k = 0; k < t->nclauses; k++)
        t->clause_fired[k] = clause_count(pol, t->clauses[k]);
    t->items = 2 * (unsigned long)(nr + t->nclauses);
    t->covered = 0;
    for (size_t i = 0; i < nr; i++)
        t->covered += (t->rule_fired[i] > 0) + (t->rule_fired[i] < nrows);
    for (size_t k = 0; k < t->nclauses; k++)
        t->covered += (t->clause_fired[k] > 0) + (t->clause_fired[k] < nrows);
}

static void tally_free(Tally *t)
{
    free(t->rule_fired);
    free(t->clauses);
    free(t->clause_fired);
}

/* "  rule X never fires" and the like, for what is not covered. */
static void not_covered(const char *name, unsigned long fired, size_t nrows, CliText *out)
{
    if (!fired)
        cli_text_addf(out, "  %s never fires\n", name);
    if (fired == nrows)
        cli_text_addf(out, "  %s %s\n", name, nrows ? "fires in every case" : "is never evaluated");
}

/* The coverage as a table for a person, then what is not covered. */
static void print_text(const TestPolicy *pol, const Tally *t, const char *pct, const char *minimum, bool met)
{
    size_t w = strlen("clause");
    for (size_t i = 0; i < t->nrules; i++)
        w = text_width(pol->rules[i]) > w ? text_width(pol->rules[i]) : w;
    for (size_t k = 0; k < t->nclauses; k++)
        w = text_width(t->clauses[k]) > w ? text_width(t->clauses[k]) : w;
    printf("coverage of %s (%zu case%s evaluated):\n", pol->path, t->nrows, t->nrows == 1 ? "" : "s");
    printf("  %-*s  fires  does not fire\n", (int)w, "rule");
    for (size_t i = 0; i < t->nrules; i++)
        print_row(pol->rules[i], w, t->rule_fired[i], t->nrows - t->rule_fired[i]);
    if (t->nclauses)
        printf("  %-*s  fires  does not fire\n", (int)w, "clause");
    else
        puts("  (no rule cites a clause)");
    for (size_t k = 0; k < t->nclauses; k++)
        print_row(t->clauses[k], w, t->clause_fired[k], t->nrows - t->clause_fired[k]);
    CliText un = {0}, name = {0};
    for (size_t i = 0; i < t->nrules; i++) {
        name.len = 0;
        cli_text_addf(&name, "rule %s", pol->rules[i]);
        not_covered(name.s, t->rule_fired[i], t->nrows, &un);
    }
    for (size_t k = 0; k < t->nclauses; k++) {
        name.len = 0;
        cli_text_addf(&name, "clause \"%s\"", t->clauses[k]);
        not_covered(name.s, t->clause_fired[k], t->nrows, &un);
    }
    if (un.len)
        printf("not covered:\n%s", un.s);
    const char *sep = "rules that cite no clause: ";
    for (size_t i = 0; i < t->nrules; i++)
        if (!pol->cites[i]) {
            printf("%s%s", sep, pol->rules[i]);
            sep = ", ";
        }
    if (strcmp(sep, "rules that cite no clause: "))
        putchar('\n');
    printf("covered %lu of %lu items (%s)", t->covered, t->items, pct);
    if (minimum)
        printf(met ? ", at least the minimum %s" : ", below the minimum %s", minimum);
    putchar('\n');
    free(un.s);
    free(name.s);
}

/* The coverage as one JSON object of the run's "coverage" list. */
static cJSON *coverage_json(const TestPolicy *pol, const Tally *t, const char *pct, const char *minimum, bool met)
{
    cJSON *jp = cli_need(cJSON_CreateObject());
    cJSON_AddStringToObject(jp, "policy", pol->path);
    cJSON_AddNumberToObject(jp, "evaluated", (double)t->nrows);
    cJSON *jr = cli_need(cJSON_AddArrayToObject(jp, "rules"));
    for (size_t i = 0; i < t->nrules; i++) {
        cJSON *o = cli_need(cJSON_CreateObject());
        cJSON_AddStringToObject(o, "rule", pol->rules[i]);
        cJSON_AddItemToObject(o, "cite", pol->cites[i] ? cJSON_CreateString(pol->cites[i]) : cJSON_CreateNull());
        cJSON_AddNumberToObject(o, "fires", (double)t->rule_fired[i]);
        cJSON_AddNumberToObject(o, "does_not_fire", (double)(t->nrows - t->rule_fired[i]));
        cJSON_AddItemToArray(jr, o);
    }
    cJSON *jc = cli_need(cJSON_AddArrayToObject(jp, "clauses"));
    for (size_t k = 0; k < t->nclauses; k++) {
        cJSON *o = cli_need(cJSON_CreateObject());
        cJSON_AddStringToObject(o, "cite", t->clauses[k]);
        cJSON_AddNumberToObject(o, "fires", (double)t->clause_fired[k]);
        cJSON_AddNumberToObject(o, "does_not_fire", (double)(t->nrows - t->clause_fired[k]));
        cJSON_AddItemToArray(jc, o);
    }
    cJSON_AddNumberToObject(jp, "covered", (double)t->covered);
    cJSON_AddNumberToObject(jp, "items", (double)t->items);
    cJSON_AddStringToObject(jp, "percent", pct);
    cJSON_AddItemToObject(jp, "minimum", minimum ? cJSON_CreateString(minimum) : cJSON_CreateNull());
    cJSON_AddBoolToObject(jp, "met", met);
    return jp;
}

bool test_coverage(const TestRun *run, const TestPolicy *pol, long min, cJSON *jcov)
{
    Tally t;
    tally(pol, &t);
    bool met = min < 0 || t.covered * 10000 >= (unsigned long)min * t.items;
    CliText pct = {0}, minimum = {0};
    add_percent(&pct, t.items ? t.covered * 10000 / t.items : 10000);
    if (min >= 0)
        add_percent(&minimum, (unsigned long)min);
    if (run->json)
        cJSON_AddItemToArray(jcov, coverage_json(pol, &t, pct.s, minimum.s, met));
    else
        print_text(pol, &t, pct.s, minimum.s, met);
    free(pct.s);
    free(minimum.s);
    tally_free(&t);
    return met;
}

/* --min-coverage: 0 to 100, up to two decimals, optional %; in hundredths. */
long test_parse_percent(const char *s)
{
    long whole = 0, frac = 0;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return -1;
    while (*p >= '0' && *p <= '9' && whole <= 100)
        whole = whole * 10 + (*p++ - '0');
    if (*p == '.') {
        p++;
        int digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 2) {
            frac = frac * 10 + (*p++ - '0');
            digits++;
        }
        if (!digits)
            return -1;
        if (digits == 1)
            frac *= 10;
    }
    if (*p == '%')
        p++;
    if (*p || whole > 100 || (whole == 100 && frac))
        return -1;
    return whole * 100 + frac;
}
