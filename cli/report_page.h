/*
 * report_page.h - what the HTML report and the committee paper share: the
 * page around them (head, inline style for screen and A4 print) and text
 * escaped for HTML (cli/report_page.c).
 */
#ifndef SVP_CLI_REPORT_PAGE_H
#define SVP_CLI_REPORT_PAGE_H

#include <stdio.h>

/* Write s (UTF-8, NULL reads as "") as HTML text: &, <, >, " and ' are
 * escaped, and control characters other than tab and line ends dropped. */
void html_text(FILE *out, const char *s);

/* A bar chart as inline SVG: n rows, each a label, a bar of length
 * values[i] / max of the full width and texts[i] after it; title names
 * the chart for screen readers. */
void page_bars(FILE *out, const char *title, size_t n, const char *const *labels, const double *values,
               const char *const *texts, double max);

/* The page's head and heading ("NAME: WHAT"), and its end. */
void page_open(FILE *out, const char *name, const char *what);
void page_close(FILE *out);

#endif
