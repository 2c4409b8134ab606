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
#include "jobs.h"


typedef struct Run {
    svp_evaluator **a, **b;   /* one over each version, per worker */
    svp_impact **im;          /* one per worker, merged at the end */
    bool json;
} Run;

/* One record on worker w (jobs.h): evaluated under both versions, and its
 * line when it changed. */
static void compare(void *ctx, unsigned w, const char *text, size_t len, unsigned long line, CliJobResult *res)
{
    Run *run = ctx;
    /* The record is parsed once: the new version binds the tree the old
     * one read (a tree cJSON made lives in its arena, as in `svp eval`). */
    cli_json_arena_next_record();
    svp_evaluate(run->a[w], text, len, line, false);
    svp_evaluate_shared(run->b[w], run->a[w], text, len, line, 0);
    if (svp_impact_add(run->im[w], run->a[w], run->b[w])) {
        size_t n = 0;
        const char *out = run->json ? svp_impact_record_json(run->im[w], &n) : svp_impact_record_text(run->im[w], &n);
        if (out)
            cli_text_addn(&res->out, out, n);
        else
            res->oom = true;
    }
    /* Let go of the record (b's texts point into a's) before the arena is
     * reused. */
    svp_evaluator_reset(run->b[w]);
    svp_evaluator_reset(run->a[w]);
}

int cli_impact(int argc, char **argv)
{
    const char *paths[3] = {NULL, NULL, NULL}, *format = NULL;
    int npaths = 0;
    unsigned jobs = cli_default_jobs();
    bool bad_jobs = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (cli_take_format(argc, argv, &i, &format) || cli_take_jobs(argc, argv, &i, &jobs, &bad_jobs))
            continue;
        if (cli_take_review_arg("impact", a, paths, &npaths))
            return 2;
    }
    if (cli_review_args_complete("impact", npaths))
        return 2;
    if (format && strcmp(format, "json") && strcmp(format, "text"))
        return cli_usage_error("unknown format `%s`: use text or json", format);
    if (bad_jobs)
        return cli_usage_error("--jobs takes a whole number of threads from 1 to %s", CLI_JOBS_MAX_TEXT);

    if (cli_refuse_folders("impact", paths, 2) ||
        cli_refuse_swapped(paths, 2, paths[2], "give the old policy, the new one, then the records"))
        return 2;
    svp_policy *a = cli_load_policy(paths[0]), *b = cli_load_policy(paths[1]);
    if (!a || !b) {
        svp_policy_free(a);
        svp_policy_free(b);
        return 2;
    }
    Run run = {0};
    run.json = format && !strcmp(format, "json");
    run.a = calloc(jobs, sizeof *run.a);
    run.b = calloc(jobs, sizeof *run.b);
    run.im = calloc(jobs, sizeof *run.im);
    bool ok = run.a && run.b && run.im;
    for (unsigned w = 0; ok && w < jobs; w++) {
        run.a[w] = svp_evaluator_new(a, NULL);
        run.b[w] = svp_evaluator_new(b, NULL);
        run.im[w] = svp_impact_new(a, b, NULL);
        ok = run.a[w] && run.b[w] && run.im[w];
    }
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    cli_json_arena_install();
    int status = 2;
    if (!ok) {
        fputs("svp: out of memory\n", stderr);
    } else {
        int worst = 0; /* records give no status of their own here */
        status = cli_jobs_run(paths[2], jobs, compare, &run, &worst);
        if (worst == 2)
            status = 2; /* out of memory, said */
        svp_impact *im = run.im[0];
        for (unsigned w = 1; w < jobs; w++)
            svp_impact_merge(im, run.im[w]);
        size_t n = 0;
        const char *summary = NULL;
        if (status != 2) {
            summary = run.json ? svp_impact_summary_json(im, &n) : svp_impact_summary_text(im, &n);
            if (summary && !run.json && svp_impact_changed(im))
                fputc('\n', stdout);
            if (summary)
                fwrite(summary, 1, n, stdout);
        }
        if (status != 2 && !summary) {
            fputs("svp: out of memory\n", stderr);
            status = 2;
        } else if (status != 2) {
            status = svp_impact_changed(im) ? 1 : 0;
        }
    }
    if (cli_flush() != 0)
        status = 2;
    for (unsigned w = 0; w < jobs; w++) {
        if (run.im)
            svp_impact_free(run.im[w]);
        if (run.a)
            svp_evaluator_free(run.a[w]);
        if (run.b)
            svp_evaluator_free(run.b[w]);
    }
    free(run.im);
    free(run.a);
    free(run.b);
    cli_json_arena_release();
    svp_policy_free(a);
    svp_policy_free(b);
    return status;
}
