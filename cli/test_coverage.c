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

static void print_row(const char *name, size_t width, unsigned long yes, unsigned long no)
{
    printf("  %s%*s  %5lu  %13lu\n", name, (int)(width - text_width(name)), "", yes, no);
}

/* Coverage of one policy; returns false when below min (hundredths of a
 * per cent; negative: no minimum). */
bool test_coverage(const TestRun *run, const TestPolicy *pol, long min, cJSON *jcov)
{
    size_t nr = pol->nrules, nrows = pol->nrows;
    unsigned long *rfire = cli_alloc((nr + 1) * sizeof *rfire);
    const char **clauses = cli_alloc((nr + 1) * sizeof *clauses);
    unsigned long *cfire = cli_alloc((nr + 1) * sizeof *cfire);
    size_t nc = 0;
    for (size_t i = 0; i < nr; i++) {
        rfire[i] = 0;
        for (size_t r = 0; r < nrows; r++)
            rfire[i] += pol->rows[r * nr + i];
        if (!pol->cites[i])
            continue;
        size_t k = 0;
        while (k < nc && strcmp(clauses[k], pol->cites[i]))
            k++;
        if (k == nc)
            clauses[nc++] = pol->cites[i];
    }
    for (size_t k = 0; k < nc; k++) {
        cfire[k] = 0;
        for (size_t r = 0; r < nrows; r++) {
            bool any = false;
            for (size_t i = 0; i < nr && !any; i++)
                any = pol->rows[r * nr + i] && pol->cites[i] && !strcmp(pol->cites[i], clauses[k]);
            cfire[k] += any;
        }
    }
    unsigned long items = 2 * (unsigned long)(nr + nc), covered = 0;
    for (size_t i = 0; i < nr; i++)
        covered += (rfire[i] > 0) + (rfire[i] < nrows);
    for (size_t k = 0; k < nc; k++)
        covered += (cfire[k] > 0) + (cfire[k] < nrows);
    unsigned long hundredths = items ? covered * 10000 / items : 10000;
    bool met = min < 0 || covered * 10000 >= (unsigned long)min * items;
    CliText pct = {0}, minimum = {0};
    add_percent(&pct, hundredths);
    if (min >= 0)
        add_percent(&minimum, (unsigned long)min);

    if (!run->json) {
        size_t w = strlen("clause");
        for (size_t i = 0; i < nr; i++)
            w = text_width(pol->rules[i]) > w ? text_width(pol->rules[i]) : w;
        for (size_t k = 0; k < nc; k++)
            w = text_width(clauses[k]) > w ? text_width(clauses[k]) : w;
        printf("coverage of %s (%zu case%s evaluated):\n", pol->path, nrows, nrows == 1 ? "" : "s");
        printf("  %-*s  fires  does not fire\n", (int)w, "rule");
        for (size_t i = 0; i < nr; i++)
            print_row(pol->rules[i], w, rfire[i], nrows - rfire[i]);
        if (nc)
            printf("  %-*s  fires  does not fire\n", (int)w, "clause");
        else
            puts("  (no rule cites a clause)");
        for (size_t k = 0; k < nc; k++)
            print_row(clauses[k], w, cfire[k], nrows - cfire[k]);
        CliText un = {0};
        for (size_t i = 0; i < nr; i++) {
            if (!rfire[i])
                cli_text_addf(&un, "  rule %s never fires\n", pol->rules[i]);
            if (rfire[i] == nrows)
                cli_text_addf(&un, "  rule %s %s\n", pol->rules[i], nrows ? "fires in every case" : "is never evaluated");
        }
        for (size_t k = 0; k < nc; k++) {
            if (!cfire[k])
                cli_text_addf(&un, "  clause \"%s\" never fires\n", clauses[k]);
            if (cfire[k] == nrows)
                cli_text_addf(&un, "  clause \"%s\" %s\n", clauses[k], nrows ? "fires in every case" : "is never evaluated");
        }
        if (un.len)
            printf("not covered:\n%s", un.s);
        const char *sep = "rules that cite no clause: ";
        for (size_t i = 0; i < nr; i++)
            if (!pol->cites[i]) {
                printf("%s%s", sep, pol->rules[i]);
                sep = ", ";
            }
        if (strcmp(sep, "rules that cite no clause: "))
            putchar('\n');
        printf("covered %lu of %lu items (%s)", covered, items, pct.s);
        if (min >= 0)
            printf(met ? ", at least the minimum %s" : ", below the minimum %s", minimum.s);
        putchar('\n');
        free(un.s);
    } else {
        cJSON *jp = cli_need(cJSON_CreateObject());
        cJSON_AddStringToObject(jp, "policy", pol->path);
        cJSON_AddNumberToObject(jp, "evaluated", (double)nrows);
        cJSON *jr = cli_need(cJSON_AddArrayToObject(jp, "rules"));
        for (size_t i = 0; i < nr; i++) {
            cJSON *o = cli_need(cJSON_CreateObject());
            cJSON_AddStringToObject(o, "rule", pol->rules[i]);
            cJSON_AddItemToObject(o, "cite", pol->cites[i] ? cJSON_CreateString(pol->cites[i]) : cJSON_CreateNull());
            cJSON_AddNumberToObject(o, "fires", (double)rfire[i]);
            cJSON_AddNumberToObject(o, "does_not_fire", (double)(nrows - rfire[i]));
            cJSON_AddItemToArray(jr, o);
        }
        cJSON *jc = cli_need(cJSON_AddArrayToObject(jp, "clauses"));
        for (size_t k = 0; k < nc; k++) {
            cJSON *o = cli_need(cJSON_CreateObject());
            cJSON_AddStringToObject(o, "cite", clauses[k]);
            cJSON_AddNumberToObject(o, "fires", (double)cfire[k]);
            cJSON_AddNumberToObject(o, "does_not_fire", (double)(nrows - cfire[k]));
            cJSON_AddItemToArray(jc, o);
        }
        cJSON_AddNumberToObject(jp, "covered", (double)covered);
        cJSON_AddNumberToObject(jp, "items", (double)items);
        cJSON_AddStringToObject(jp, "percent", pct.s);
        cJSON_AddItemToObject(jp, "minimum", min >= 0 ? cJSON_CreateString(minimum.s) : cJSON_CreateNull());
        cJSON_AddBoolToObject(jp, "met", met);
        cJSON_AddItemToArray(jcov, jp);
    }
    free(pct.s);
    free(minimum.s);
    free(rfire);
    free(clauses);
    free(cfire);
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
