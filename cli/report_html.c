/*
 * report_html.c - `svp report` as one self-contained HTML page: inline CSS
 * and SVG charts, no script, nothing fetched from elsewhere, laid out to
 * print on A4.  It reads what report.c gathered and the library's figures;
 * it computes nothing of its own but the geometry of the charts (which may
 * use floating point: it only places bars, it never decides a figure).
 *
 * Every text that comes from a policy or a record passes through
 * html_text, so a title holding `<script>` reads as that text.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_page.h"

/* "2025-04-01" as "1 April 2025". */
static void long_date(FILE *out, const char *d)
{
    static const char *const months[] = {"January", "February", "March", "April", "May", "June", "July",
                                         "August", "September", "October", "November", "December"};
    int m = (d[5] - '0') * 10 + (d[6] - '0');
    fprintf(out, "%d %s %.4s", (d[8] - '0') * 10 + (d[9] - '0'), months[m - 1], d);
}

/* Bars for the groups of figure i: one row a group, scaled to the largest
 * (a share to 100%). */
static bool bar_chart(FILE *out, svp_figures *f, size_t i)
{
    size_t n = svp_figure_group_count(f, i);
    bool share = !strcmp(svp_figure_measure(f, i), "share");
    const char **labels = calloc(n, sizeof *labels), **texts = calloc(n, sizeof *texts);
    char *text = calloc(n, 64);
    double *values = calloc(n, sizeof *values), max = share ? 10000 : 0;
    bool ok = labels && texts && text && values;
    for (size_t g = 0; ok && g < n; g++) {
        svp_figure_cell_value c;
        svp_figure_cell(f, i, g, false, &c);
        labels[g] = c.label; /* the figure's own, stable */
        snprintf(text + 64 * g, 64, "%s", c.known ? c.text : "none");
        texts[g] = text + 64 * g;
        values[g] = c.known ? (double)c.value : 0;
        if (values[g] > max)
            max = values[g];
    }
    if (ok)
        page_bars(out, svp_figure_title(f, i), n, labels, values, texts, max);
    free(labels);
    free(texts);
    free(text);
    free(values);
    return ok;
}

/* A share over time: a line through the periods, and the target as a
 * dashed line when the figure has one. */
static void line_chart(FILE *out, svp_figures *f, size_t i)
{
    size_t n = svp_figure_group_count(f, i);
    const int width = 640, height = 250, left = 90, right = 50, top = 26, bottom = 40;
    double plot_w = width - left - right, plot_h = height - top - bottom;
    double step = n > 1 ? plot_w / (double)(n - 1) : 0;
    fprintf(out, "<svg class=\"chart\" role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n<title>",
            width, height, width, height);
    html_text(out, svp_figure_title(f, i));
    fputs("</title>\n", out);
    for (int pct = 0; pct <= 100; pct += 25) { /* the axis, every 25% */
        double y = top + plot_h * (1 - pct / 100.0);
        fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                     "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d%%</text>\n",
                left - 40, y, width - right + 40, y, left - 46, y + 4, pct);
    }
    long long target;
    const char *target_text;
    if (svp_figure_target(f, i, false, &target, &target_text)) {
        double y = top + plot_h * (1 - (double)target / 10000.0);
        fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#b8405e\" stroke-width=\"2\" "
                     "stroke-dasharray=\"6 4\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#b8405e\">target ",
                left - 40, y, width - right + 40, y, width - right + 40, y - 5);
        html_text(out, target_text);
        fputs("</text>\n", out);
    }
    /* the line breaks where a period has no share (no money in it) */
    bool open = false;
    for (size_t g = 0; g < n; g++) {
        svp_figure_cell_value c;
        svp_figure_cell(f, i, g, false, &c);
        if (c.known && !open)
            fputs("<polyline fill=\"none\" stroke=\"#1b6ca8\" stroke-width=\"3\" points=\"", out);
        if (c.known)
            fprintf(out, "%.1f,%.1f ", left + step * (double)g + (n == 1 ? plot_w / 2 : 0),
                    top + plot_h * (1 - (double)c.value / 10000.0));
        if (!c.known && open)
            fputs("\"/>\n", out);
        open = c.known;
    }
    if (open)
        fputs("\"/>\n", out);
    for (size_t g = 0; g < n; g++) {
        svp_figure_cell_value c;
        svp_figure_cell(f, i, g, false, &c);
        double x = left + step * (double)g + (n == 1 ? plot_w / 2 : 0);
        if (c.known) {
            double y = top + plot_h * (1 - (double)c.value / 10000.0);
            fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#1b6ca8\"/><text x=\"%.1f\" y=\"%.1f\" "
                         "text-anchor=\"middle\">", x, y, x, y - 8);
            html_text(out, c.text);
            fputs("</text>", out);
        }
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", x, height - bottom + 18);
        html_text(out, c.label);
        fputs("</text>\n", out);
    }
    fputs("</svg>\n", out);
}

static bool figure_section(FILE *out, svp_figures *f, size_t i)
{
    svp_figure_cell_value c;
    svp_figure_cell(f, i, SIZE_MAX, false, &c);
    bool share = !strcmp(svp_figure_measure(f, i), "share");
    fputs("<section class=\"figure\">\n<h3>", out);
    html_text(out, svp_figure_title(f, i));
    fputs("</h3>\n<p class=\"number\">", out);
    html_text(out, c.known ? c.text : "none");
    fputs("</p>\n<p class=\"detail\">", out);
    if (share && c.known) {
        html_text(out, c.part_text);
        fputs(" of ", out);
        html_text(out, c.total_text);
        fputs(", ", out);
    }
    fprintf(out, "%llu procurement%s", c.records, c.records == 1 ? "" : "s");
    long long target;
    const char *target_text;
    if (svp_figure_target(f, i, false, &target, &target_text)) {
        fputs("; target ", out);
        html_text(out, target_text);
        /* a count's target is a number: ten-thousandths, like every number of the language */
        long long value = strcmp(svp_figure_measure(f, i), "count") ? c.value : c.value * 10000;
        if (c.known)
            fputs(value >= target ? " (met)" : " (not met)", out);
    }
    if (svp_figure_cite(f, i)) {
        fputs("; policy: ", out);
        html_text(out, svp_figure_cite(f, i));
    }
    fputs("</p>\n", out);
    const char *by = svp_figure_grouping(f, i);
    if (by && svp_figure_group_count(f, i)) {
        if (share && strcmp(by, "group"))
            line_chart(out, f, i);
        else if (!bar_chart(out, f, i))
            return false;
    }
    fputs("</section>\n", out);
    return true;
}

/* The ten fields counted most in c, under a heading, when there are any. */
static void field_table(FILE *out, const ReportCounts *c, const char *heading, const char *column)
{
    if (!c->n)
        return;
    fprintf(out, "<h3>%s</h3>\n<table class=\"fields\">\n<tr><th>%s</th><th>Records</th></tr>\n", heading, column);
    for (size_t i = 0; i < c->n && i < 10; i++) {
        fputs("<tr><td>", out);
        html_text(out, c->items[i].key);
        fprintf(out, "</td><td>%lu</td></tr>\n", c->items[i].n);
    }
    fputs("</table>\n", out);
}

bool report_html(FILE *out, Report *r)
{
    page_open(out, svp_policy_name(r->newest), "social value report");
    fputs("<p class=\"period\">", out);
    if (r->from || r->to) {
        fputs("Procurements dated ", out);
        if (r->from) {
            fputs("from ", out);
            long_date(out, r->from);
        }
        if (r->to) {
            fputs(r->from ? " to " : "up to ", out);
            long_date(out, r->to);
        }
    } else {
        fputs("Every procurement in the register", out);
    }
    fprintf(out, ": %lu procurement%s.</p>\n<p>Judged under ", r->records, r->records == 1 ? "" : "s");
    for (size_t v = 0, k = 0; v < r->versions.n; v++) {
        if (r->versions.n > 1 && !r->version_records[v])
            continue;
        fputs(k++ ? "; " : "", out);
        fputs("version ", out);
        html_text(out, svp_policy_version(r->versions.policies[v]));
        fputs(" (in force from ", out);
        long_date(out, svp_policy_effective(r->versions.policies[v]));
        fprintf(out, ", %lu procurement%s)", r->version_records[v], r->version_records[v] == 1 ? "" : "s");
    }
    fputs(".</p>\n", out);

    fputs("<h2>Figures</h2>\n", out);
    for (size_t i = 0; i < svp_figures_count(r->figures); i++)
        if (!figure_section(out, r->figures, i))
            return false;
    if (!svp_figures_count(r->figures))
        fputs("<p>The policy declares no figures.</p>\n", out);

    fputs("<h2>Compliance with the policy</h2>\n<table class=\"verdicts\">\n", out);
    fprintf(out, "<tr><th>Compliant</th><td>%lu</td></tr>\n<tr><th>Not compliant</th><td>%lu</td></tr>\n"
                 "<tr><th>Incomplete (required details missing)</th><td>%lu</td></tr>\n"
                 "<tr><th>Could not be assessed (invalid record)</th><td>%lu</td></tr>\n",
            r->compliant, r->noncompliant, r->incomplete, r->invalid);
    if (r->no_version)
        fprintf(out, "<tr><th>Dated before every version of the policy (no version in force)</th><td>%lu</td></tr>\n",
                r->no_version);
    fputs("</table>\n", out);
    ReportCounts fired = r->rules; /* a sorted copy: the JSON keeps policy order */
    ReportCount *sorted = malloc((fired.n + 1) * sizeof *sorted);
    if (!sorted)
        return false;
    if (fired.n)
        memcpy(sorted, fired.items, fired.n * sizeof *sorted);
    fired.items = sorted;
    report_sort_counts(&fired);
    fputs("<h3>The rules that found most</h3>\n", out);
    if (!fired.n || !fired.items[0].n) {
        fputs("<p>No rule found anything.</p>\n", out);
    } else {
        fputs("<table class=\"rules\">\n<tr><th>Rule</th><th>Policy clause</th><th>Procurements</th></tr>\n", out);
        for (size_t i = 0; i < fired.n && i < 10 && fired.items[i].n; i++) {
            fputs("<tr><td>", out);
            html_text(out, fired.items[i].title ? fired.items[i].title : fired.items[i].key);
            fputs("</td><td>", out);
            html_text(out, fired.items[i].cite ? fired.items[i].cite : "");
            fprintf(out, "</td><td>%lu</td></tr>\n", fired.items[i].n);
        }
        fputs("</table>\n", out);
    }
    free(sorted);

    fputs("<h2>Data quality</h2>\n", out);
    fprintf(out, "<p>%lu record%s could not be assessed and %lu %s incomplete.", r->invalid,
            r->invalid == 1 ? "" : "s", r->incomplete, r->incomplete == 1 ? "was" : "were");
    if (r->from || r->to)
        fprintf(out, " %lu record%s dated outside the period and %lu without a date %s left out.", r->outside,
                r->outside == 1 ? "" : "s", r->undated, r->outside + r->undated == 1 ? "was" : "were");
    fputs("</p>\n", out);
    if (r->figures_left_out)
        fprintf(out, "<p>The figures leave out %lu record%s that lack%s a required field.</p>\n", r->figures_left_out,
                r->figures_left_out == 1 ? "" : "s", r->figures_left_out == 1 ? "s" : "");
    field_table(out, &r->missing, "The fields missing most", "Required field missing");
    field_table(out, &r->fields, "The fields at fault in invalid records", "Field wrong");
    page_close(out);
    return true;
}
