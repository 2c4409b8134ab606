/*
 * impact.c - `svp impact OLD NEW RECORDS [--format text|json]`: what a new
 * version of a policy does to a register.  Every record is evaluated under
 * both versions (one evaluator over each); the records whose verdict,
 * decisions or findings differ are listed as they stream past, then the
 * totals per kind of change (the comparison is the library's: svp_impact
 * in svp.h).
 *
 * RECORDS is read as `svp eval` reads its input: JSON Lines (a .jsonl or
 * .ndjson file always; otherwise when the first non-blank line is a JSON
 * value by itself), else the whole input is one record; - is standard
 * input.  One line is read at a time, so memory does not grow with the
 * register.
 *
 * Exit status: 0 when no record changes, 1 when some do, 2 for a usage
 * error, a policy that does not compile or an unreadable input.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"


typedef struct Run {
    svp_evaluator *a, *b;
    svp_impact *im;
    bool json;
    bool oom;
} Run;

static void compare(Run *run, const char *text, size_t len, unsigned long line)
{
    svp_evaluate(run->a, text, len, line, false);
    svp_evaluate(run->b, text, len, line, false);
    if (!svp_impact_add(run->im, run->a, run->b))
        return;
    size_t n = 0;
    const char *out = run->json ? svp_impact_record_json(run->im, &n) : svp_impact_record_text(run->im, &n);
    if (out)
        fwrite(out, 1, n, stdout);
    else
        run->oom = true;
}



static void compare_record(void *ctx, const char *text, size_t len, unsigned long line)
{
    compare(ctx, text, len, line);
}

int cli_impact(int argc, char **argv)
{
    const char *paths[3] = {NULL, NULL, NULL}, *format = NULL;
    int npaths = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (cli_take_format(argc, argv, &i, &format))
            continue;
        if (a[0] == '-' && a[1])
            return cli_usage_error("unknown option `%s` for impact", a);
        else if (npaths < 3)
            paths[npaths++] = a;
        else
            return cli_usage_error("unexpected argument `%s`: give the old policy, the new one and the records", a);
    }
    if (npaths < 3)
        return cli_usage_error("%s needs the old policy, the new one and the records (a file, or - for standard input)",
                               "impact");
    if (format && strcmp(format, "json") && strcmp(format, "text"))
        return cli_usage_error("unknown format `%s`: use text or json", format);

    if (cli_refuse_folders("impact", paths, 2))
        return 2;
    svp_policy *a = cli_load_policy(paths[0]), *b = cli_load_policy(paths[1]);
    if (!a || !b) {
        svp_policy_free(a);
        svp_policy_free(b);
        return 2;
    }
    Run run = {0};
    run.json = format && !strcmp(format, "json");
    run.a = svp_evaluator_new(a, NULL);
    run.b = svp_evaluator_new(b, NULL);
    run.im = svp_impact_new(a, b, NULL);
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    int status = 2;
    if (!run.a || !run.b || !run.im) {
        fputs("svp: out of memory\n", stderr);
    } else {
        status = cli_read_records(paths[2], compare_record, &run);
        size_t n = 0;
        const char *summary = NULL;
        if (status != 2) {
            summary = run.json ? svp_impact_summary_json(run.im, &n) : svp_impact_summary_text(run.im, &n);
            if (summary && !run.json && svp_impact_changed(run.im))
                fputc('\n', stdout);
            if (summary)
                fwrite(summary, 1, n, stdout);
        }
        if (status != 2 && (!summary || run.oom)) {
            fputs("svp: out of memory\n", stderr);
            status = 2;
        } else if (status != 2) {
            status = svp_impact_changed(run.im) ? 1 : 0;
        }
    }
    if (cli_flush() != 0)
        status = 2;
    svp_impact_free(run.im);
    svp_evaluator_free(run.a);
    svp_evaluator_free(run.b);
    svp_policy_free(a);
    svp_policy_free(b);
    return status;
}
