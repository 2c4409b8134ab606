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

/* The page's head and heading ("NAME: WHAT"), and its end. */
void page_open(FILE *out, const char *name, const char *what);
void page_close(FILE *out);

#endif
