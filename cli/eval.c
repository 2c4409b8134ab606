/*
 * eval.c - `svp eval POLICY RECORDS|- [--format text|json] [--explain]`.
 *
 * Input is one JSON record (a .json file, pretty-printed or not) or a batch
 * in JSON Lines.  Which one: a .jsonl/.ndjson file is always a batch;
 * otherwise, if the first non-blank line is a JSON value on its own, the
 * input is read as JSON Lines, else the whole input is one record.  A batch
 * streams: one line in, one result out, so memory does not grow with the
 * batch.  Every non-blank line gets exactly one result line, in order.
 *
 * Exit status: 2 when the policy does not compile, the command line is
 * wrong, or any record is invalid; else 1 when any record is
 * non-compliant; else 0.
 *
 * `svp portfolio POLICY RECORDS|- [--format text|json]` reads the same
 * input, evaluates the policy's portfolio rules over the whole register,
 * and prints one result for it.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "jobs.h"


typedef struct EvalRun {
    svp_evaluator **ev;     /* one per worker: over the policy, or over its versions */
    Versions versions;      /* every version given */
    svp_versions *set;      /* several versions: the library picks one per record */
    svp_portfolio **pf;     /* `svp portfolio`, one per worker: tally records, print no line each */
    unsigned jobs;
    bool json, explain, colour;
} EvalRun;

/* Say (for stderr) why record r is invalid (its line on stdout says it
 * too). */
static void say_invalid(const svp_result *r, CliText *err)
{
    const char *id = svp_result_id(r), *field = svp_result_error_field(r);
    const char *code = svp_result_error_code(r);
    bool no_version = code && !strcmp(code, "no-version");
    cli_text_addf(err, "svp: line %lu%s%s%s: %s%s%s%s\n", svp_result_line(r), id ? " (" : "", id ? id : "",
                  id ? ")" : "", no_version ? "" : "invalid record: ", field && !no_version ? field : "",
                  field && !no_version ? ": " : "", svp_result_error_message(r));
}

/* One record, on worker w (jobs.h): its result line (or its tally, for
 * `svp portfolio`), what is said on stderr, and its part of the exit
 * status (2 invalid, 1 non-compliant). */
static void evaluate(void *ctx, unsigned w, const char *text, size_t len, unsigned long line, CliJobResult *res)
{
    EvalRun *run = ctx;
    svp_evaluator *ev = run->ev[w];
    cli_json_arena_next_record();
    const svp_result *r = svp_evaluate(ev, text, len, line, run->explain);
    size_t out_len = 0;
    if (run->pf) {
        svp_portfolio_add(run->pf[w], ev);
    } else {
        const char *out = run->json ? svp_result_json(ev, r, &out_len)
                                    : svp_result_text(ev, r, run->colour, &out_len);
        if (out)
            cli_text_addn(&res->out, out, out_len);
        else
            res->oom = true;
    }
    svp_status s = svp_result_status(r);
    if (s == SVP_INVALID) {
        say_invalid(r, &res->err);
        res->status = 2;
    } else if (s == SVP_NONCOMPLIANT) {
        res->status = 1;
    }
    /* The record's tree lives in the cJSON arena, which the next record
     * reuses: let go of it now. */
    svp_evaluator_reset(ev);
}

/* The portfolio findings, after the whole register; the exit status is
 * 2 when a record was invalid, else 1 when a portfolio rule fired as an
 * error, else 0 (the records' own verdicts do not count here). */
static int print_portfolio(EvalRun *run, int status)
{
    size_t len = 0;
    svp_portfolio *pf = run->pf[0];
    for (unsigned w = 1; w < run->jobs; w++)
        svp_portfolio_merge(pf, run->pf[w]);
    const char *out = run->json ? svp_portfolio_json(pf, &len) : svp_portfolio_text(pf, run->colour, &len);
    if (!out) {
        fputs("svp: out of memory\n", stderr);
        return 2;
    }
    fwrite(out, 1, len, stdout);
    if (status == 2)
        return 2;
    return svp_portfolio_status(pf) == SVP_NONCOMPLIANT ? 1 : 0;
}

/* `svp eval` and `svp portfolio` share everything but what they print. */
static int run_command(int argc, char **argv, bool portfolio)
{
    const char *cmd = portfolio ? "portfolio" : "eval";
    const char *format = NULL, *as_of = NULL;
    bool explain = false, bad_jobs = false;
    unsigned jobs = cli_default_jobs();
    char **positional = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *positional);
    int npos = 0;
    if (!positional)
        return 2;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--explain") && !portfolio)
            explain = true;
        else if (cli_take_format(argc, argv, &i, &format))
            ;
        else if (cli_take_jobs(argc, argv, &i, &jobs, &bad_jobs))
            ;
        else if (!strcmp(a, "--as-of") && i + 1 < argc && !portfolio) /* portfolio: one version */
            as_of = argv[++i];
        else if (a[0] == '-' && a[1]) {
            free(positional);
            return cli_usage_error(portfolio ? "unknown option `%s` for portfolio" : "unknown option `%s` for eval", a);
        } else
            positional[npos++] = argv[i];
    }
    int usage = 0;
    if (npos < 2)
        usage = cli_usage_error("%s needs a policy and an input (a file, or - for standard input)", cmd);
    else if (format && strcmp(format, "json") && strcmp(format, "text"))
        usage = cli_usage_error("unknown format `%s`: use text or json", format);
    else if (as_of && !svp_is_date(as_of))
        usage = cli_usage_error("--as-of takes a date written YYYY-MM-DD, not `%s`", as_of);
    else if (bad_jobs)
        usage = cli_usage_error("--jobs takes a whole number of threads from 1 to %s", CLI_JOBS_MAX_TEXT);
    if (usage) {
        free(positional);
        return usage;
    }
    const char *input = positional[npos - 1];

    /* Every argument but the last is a policy, or a folder of versions. */
    EvalRun run = {0};
    int status = cli_load_versions(positional, npos - 1, &run.versions, false);
    free(positional);
    if (!status && run.versions.n > 1 && portfolio) {
        fputs("svp: portfolio takes one version of a policy\n", stderr);
        status = 2;
    }
    /* Several versions: the library checks them against each other (the
     * review reminder as of --as-of, else today) and picks one per record. */
    if (!status && run.versions.n > 1 && !(run.set = cli_version_set(&run.versions, as_of)))
        status = 2;
    if (status) {
        cli_free_versions(&run.versions);
        return 2;
    }
    svp_policy *p = run.versions.policies[0];
    run.jobs = jobs;
    run.ev = calloc(jobs, sizeof *run.ev);
    run.pf = portfolio ? calloc(jobs, sizeof *run.pf) : NULL;
    bool ok = run.ev && (!portfolio || run.pf);
    for (unsigned w = 0; ok && w < jobs; w++) {
        run.ev[w] = run.set ? svp_evaluator_new_versions(run.set, as_of, NULL) : svp_evaluator_new(p, NULL);
        ok = run.ev[w] && (!portfolio || (run.pf[w] = svp_portfolio_new(p, NULL)));
    }
    run.json = format ? !strcmp(format, "json") : !isatty(fileno(stdout));
    run.colour = !run.json && cli_use_colour(stdout);
    run.explain = explain;
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    cli_json_arena_install();
    status = ok ? cli_jobs_run(input, jobs, evaluate, &run) : 2;
    if (!ok)
        fputs("svp: out of memory\n", stderr);
    else if (portfolio)
        status = print_portfolio(&run, status);
    fflush(stdout);
    for (unsigned w = 0; w < jobs; w++) {
        if (run.pf)
            svp_portfolio_free(run.pf[w]);
        if (run.ev)
            svp_evaluator_free(run.ev[w]);
    }
    free(run.pf);
    free(run.ev);
    svp_versions_free(run.set);
    cli_json_arena_release();
    cli_free_versions(&run.versions);
    return status;
}

int cli_eval(int argc, char **argv) { return run_command(argc, argv, false); }
int cli_portfolio(int argc, char **argv) { return run_command(argc, argv, true); }
