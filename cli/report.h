/*
 * report.h - what `svp report` gathers from a register, shared by the
 * gathering (cli/report.c) and the renderers (report.c for JSON and CSV,
 * report_html.c for the page).  Everything a renderer shows comes from
 * here or from the library through svp.h: renderers only read.
 */
#ifndef SVP_CLI_REPORT_H
#define SVP_CLI_REPORT_H

#include <stdio.h>

#include "cli.h"

/* A name and how many records it counts: a rule's findings, a field
 * missing or wrong. */
typedef struct ReportCount {
    char *key; /* first: report_table_find keeps the table */
    const char *title, *cite; /* a rule's, from its newest version; NULL for a field */
    unsigned long n;
} ReportCount;

typedef struct ReportCounts {
    ReportCount *items;
    size_t n, cap;
} ReportCounts;

typedef struct Report {
    Versions versions;
    svp_versions *set;              /* several versions, else NULL */
    const svp_policy *newest;       /* whose titles the report uses */
    unsigned jobs;                  /* worker threads (--jobs) */
    svp_evaluator **evs;            /* one per worker */
    svp_figures *figures;           /* what the report shows, counted in input order */
    svp_figures **measurers;        /* one per worker: each record's part of the figures */
    svp_portfolio **portfolios;     /* one per version and worker (worker w's from w x versions);
                                     * the first worker's hold every worker's after the run */
    unsigned long *version_records; /* records judged under each version */
    const char *from, *to;          /* the period, NULL when open */
    unsigned long records;          /* in the period */
    unsigned long compliant, noncompliant, incomplete, invalid;
    unsigned long no_version;       /* dated before every version: no verdict, not a data error */
    unsigned long outside, undated; /* left out: dated outside the period, or not dated */
    ReportCounts rules;             /* findings by rule, every rule listed */
    ReportCounts fields;            /* invalid records by each field at fault */
    ReportCounts missing;           /* records by each required field they lack */
    unsigned long figures_left_out; /* valid records lacking a required field: in no figure */
    bool oom;
} Report;

/* The item of key in a growable table of n items (capacity *cap) of the
 * given size, each beginning with its `char *key` (owned by the table),
 * added (zeroed, key copied) when add is true and it is not there.  NULL
 * when absent and not added, or out of memory (*oom set). */
void *report_table_find(void **items, size_t *n, size_t *cap, size_t size, const char *key, bool add, bool *oom);

/* s as a JSON string ("" for NULL). */
void report_json_string(FILE *out, const char *s);

/* The counts sorted by n, most first (ties: in the order first seen). */
void report_sort_counts(ReportCounts *c);

/* The renderers: write the report to out; false when memory ran out. */
bool report_json(FILE *out, Report *r);
bool report_csv(FILE *out, Report *r);
bool report_html(FILE *out, Report *r);

#endif
