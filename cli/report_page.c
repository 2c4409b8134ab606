/*
 * report_page.c - the frame of the HTML pages `svp report` writes: one
 * self-contained page, style inline, no script, no link to anywhere, laid
 * out for a screen and for A4 paper (print keeps charts whole on a page).
 */
#include <stddef.h>

#include "report_page.h"

void html_text(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default:
            if (*p >= 0x20 || *p == '\t' || *p == '\n')
                fputc(*p, out);
        }
    }
}

/* The colours of the bars, in turn (they stay apart printed in grey). */
static const char *const palette[] = {"#1b6ca8", "#e0822f", "#3a9a5b", "#b8405e", "#7a5ea8", "#8a7a2f"};

void page_bars(FILE *out, const char *title, size_t n, const char *const *labels, const double *values,
               const char *const *texts, double max)
{
    /* each row: the label on a line of its own (titles are long), the bar
     * under it, its text after the bar */
    const int row = 40, bar_w = 460, width = 640;
    fprintf(out, "<svg class=\"chart\" role=\"img\" width=\"%d\" height=\"%zu\" viewBox=\"0 0 %d %zu\">\n<title>",
            width, n * row + 4, width, n * row + 4);
    html_text(out, title);
    fputs("</title>\n", out);
    for (size_t g = 0; g < n; g++) {
        double w = max > 0 && values[g] > 0 ? bar_w * values[g] / max : 0;
        int y = (int)g * row;
        fprintf(out, "<text x=\"0\" y=\"%d\">", y + 14);
        html_text(out, labels[g]);
        fprintf(out, "</text><rect x=\"0\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%s\"/>", y + 19, w,
                palette[g % (sizeof palette / sizeof *palette)]);
        fprintf(out, "<text x=\"%.1f\" y=\"%d\">", w + 6, y + 32);
        html_text(out, texts[g]);
        fputs("</text>\n", out);
    }
    fputs("</svg>\n", out);
}

static const char style[] =
    "@page{size:A4;margin:16mm 14mm}\n"
    "body{font-family:\"DejaVu Sans\",Arial,Helvetica,sans-serif;color:#1d1d1d;max-width:180mm;margin:2em auto;"
    "padding:0 1em;line-height:1.4;font-size:11pt}\n"
    "h1{font-size:20pt;margin-bottom:.2em;color:#123f63}\n"
    "h2{font-size:15pt;border-bottom:2px solid #123f63;padding-bottom:.15em;margin-top:1.6em;color:#123f63}\n"
    "h3{font-size:12pt;margin:1.1em 0 .2em}\n"
    ".number{font-size:22pt;font-weight:bold;margin:.1em 0;color:#1b6ca8}\n"
    ".detail,.period{color:#444;margin:.2em 0 .6em}\n"
    "table{border-collapse:collapse;margin:.5em 0 1em;min-width:60%}\n"
    "th,td{border-bottom:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\n"
    "td:last-child{text-align:right}\n"
    "svg.chart{display:block;max-width:100%;height:auto;font-size:12px;font-family:inherit}\n"
    "svg text{fill:#1d1d1d}\n"
    ".changes li{margin:.2em 0}\n"
    "pre{white-space:pre-wrap;font-size:9pt;background:#f4f4f4;padding:.6em}\n"
    "section.figure,svg.chart,table{break-inside:avoid;page-break-inside:avoid}\n"
    "h2,h3{break-after:avoid;page-break-after:avoid}\n"
    "@media print{body{margin:0;max-width:none;font-size:10pt}}\n";

void page_open(FILE *out, const char *name, const char *what)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<title>", out);
    html_text(out, name);
    fputs(": ", out);
    html_text(out, what);
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", style);
    html_text(out, name);
    fputs("</h1>\n<p class=\"subtitle\">", out);
    html_text(out, what);
    fputs("</p>\n", out);
}

void page_close(FILE *out)
{
    fputs("<p class=\"detail\">Made with svp from the policy as written and the procurement register.</p>\n"
          "</body>\n</html>\n", out);
}
