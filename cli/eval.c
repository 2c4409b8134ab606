/*
 * eval.c - `svp eval POLICY RECORDS|- [--format text|json] [--explain] [--partial]`.
 *
 * Input is one JSON record, a batch in JSON Lines or a JSON array of
 * records (cli/input.c decides which).  A batch streams: one line in, one
 * result out, so memory does not grow with the batch.  Every non-blank
 * line gets exactly one result line, in order.
 *
 * --partial evaluates records that are not complete yet (SVP_EVAL_PARTIAL):
 * missing required fields are listed, and the rules waiting for them.
 *
 * Exit status: 2 when the policy does not compile, the command line is
 * wrong, or any record is invalid; else 1 when any record is
 * non-compliant; else 3 when any record is incomplete (--partial only:
 * some rule of severity error waits for a missing field); else 0.
 *
 * `svp portfolio POLICY RECORDS|- [--format text|json]` reads the same
 * input, evaluates the policy's portfolio rules over the whole register,
 * and prints one result for it.  Of each record it reads only the fields
 * the portfolio rules read (SVP_EVAL_PORTFOLIO_FIELDS).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"


typedef struct EvalRun {
    svp_evaluator *ev;      /* over the policy, or over its versions */
    Versions versions;      /* every version given */
    svp_versions *set;      /* several versions: the library picks one per record */
    svp_portfolio *pf;      /* `svp portfolio`: tally records, print no line each */
    bool json, colour;
    unsigned flags;         /* SVP_EVAL_*: --explain, --partial; portfolio fields */
    int worst;              /* the exit status so far: 0, 3, 1 or 2, each worse */
    unsigned long records;
    unsigned long by_status[SVP_INCOMPLETE + 1]; /* records by svp_status, for the text summary */
    struct Fired { char *rule; const char *title; unsigned long n; } *fired; /* findings by rule */
    size_t nfired, cap_fired;
} EvalRun;

/* Count the rules that fired on r, for the summary a batch ends with. */
static void count_fired(EvalRun *run, const svp_result *r)
{
    for (size_t i = 0; i < svp_result_finding_count(r); i++) {
        const char *id = svp_result_finding_rule(r, i);
        size_t k = 0;
        while (k < run->nfired && strcmp(run->fired[k].rule, id))
            k++;
        if (k == run->nfired) {
            if (run->nfired == run->cap_fired) {
                size_t cap = run->cap_fired ? run->cap_fired * 2 : 16;
                struct Fired *f = realloc(run->fired, cap * sizeof *f);
                if (!f)
                    return; /* the summary is short of a rule; the results are whole */
                run->fired = f;
                run->cap_fired = cap;
            }
            char *copy = strdup(id);
            if (!copy)
                return;
            const svp_policy *p = svp_result_policy(r);
            const char *title = NULL;
            for (size_t j = 0; p && j < svp_policy_rule_count(p); j++)
                if (!strcmp(svp_policy_rule_id(p, j), id))
                    title = svp_policy_rule_title(p, j);
            run->fired[run->nfired++] = (struct Fired){copy, title, 0};
        }
        run->fired[k].n++;
    }
}

/* The end of a batch in text: records by verdict, the rules that fired
 * most (up to five). */
static void print_summary(EvalRun *run)
{
    printf("%lu records: %lu compliant, %lu non-compliant, ", run->records, run->by_status[SVP_COMPLIANT],
           run->by_status[SVP_NONCOMPLIANT]);
    if (run->by_status[SVP_INCOMPLETE]) /* only --partial has them */
        printf("%lu incomplete, ", run->by_status[SVP_INCOMPLETE]);
    printf("%lu invalid\n", run->by_status[SVP_INVALID]);
    for (size_t shown = 0; shown < 5 && shown < run->nfired; shown++) {
        size_t best = shown; /* selection of the next most: the list is short */
        for (size_t k = shown + 1; k < run->nfired; k++)
            if (run->fired[k].n > run->fired[best].n)
                best = k;
        struct Fired t = run->fired[best]; /* moved up, the others kept in order */
        memmove(&run->fired[shown + 1], &run->fired[shown], (best - shown) * sizeof t);
        run->fired[shown] = t;
        printf("%s %-24s %6lu  %s\n", shown ? "                 " : "rules fired most:", run->fired[shown].rule,
               run->fired[shown].n, run->fired[shown].title ? run->fired[shown].title : "");
    }
}

/* Say on stderr why record r is invalid (its line on stdout says it too). */
static void say_invalid(const svp_result *r)
{
    const char *id = svp_result_id(r);
    const char *code = svp_result_error_code(r);
    bool no_version = code && !strcmp(code, "no-version");
    cli_flush();
    /* every problem, a line each; what came from the record is escaped:
     * it could hold ESC sequences */
    for (size_t i = 0; i < svp_result_error_count(r); i++) {
        const char *field = svp_result_error_field_at(r, i);
        fprintf(stderr, "svp: line %lu", svp_result_line(r));
        if (id) {
            fputs(" (", stderr);
            cli_put_safe(stderr, id);
            fputc(')', stderr);
        }
        fputs(no_version ? ": " : ": invalid record: ", stderr);
        if (field && !no_version) {
            cli_put_safe(stderr, field);
            fputs(": ", stderr);
        }
        cli_put_safe(stderr, svp_result_error_message_at(r, i));
        fputc('\n', stderr);
    }
    if (svp_result_errors_dropped(r))
        fprintf(stderr, "svp: line %lu: and %zu more problems\n", svp_result_line(r), svp_result_errors_dropped(r));
}

static void evaluate(EvalRun *run, const char *text, size_t len, unsigned long line)
{
    cli_json_arena_next_record();
    const svp_result *r = svp_evaluate_with(run->ev, text, len, line, run->flags);
    size_t out_len;
    if (run->pf) {
        svp_portfolio_add(run->pf, run->ev);
    } else {
        const char *out = run->json ? svp_result_json(run->ev, r, &out_len)
                                    : svp_result_text(run->ev, r, run->colour, &out_len);
        fwrite(out, 1, out_len, stdout);
    }
    svp_status s = svp_result_status(r);
    if (!run->json && !run->pf) {
        run->by_status[s]++;
        count_fired(run, r);
    }
    if (s == SVP_INVALID) {
        say_invalid(r);
        run->worst = 2;
    } else if (s == SVP_NONCOMPLIANT && run->worst != 2) {
        run->worst = 1;
    } else if (s == SVP_INCOMPLETE && run->worst == 0) {
        run->worst = 3; /* --partial: a record waits for missing fields */
    }
    run->records++;
    /* The record's tree lives in the cJSON arena, which the next record
     * reuses: let go of it now. */
    svp_evaluator_reset(run->ev);
}

/* Every record of the input, evaluated; the exit status so far. */
static void evaluate_record(void *ctx, const char *text, size_t len, unsigned long line)
{
    evaluate(ctx, text, len, line);
}

/* Evaluate every record of the input; false when the input could not be
 * read (or not to its end), which the reader has said on stderr. */
static bool run_input(EvalRun *run, const char *path)
{
    if (cli_read_records(path, evaluate_record, run) == 0)
        return true;
    run->worst = 2;
    return false;
}

/* The portfolio findings, after the whole register; the exit status is
 * 2 when a record was invalid, else 1 when a portfolio rule fired as an
 * error, else 0 (the records' own verdicts do not count here). */
static int print_portfolio(EvalRun *run, int status)
{
    size_t len = 0;
    const char *out = run->json ? svp_portfolio_json(run->pf, &len) : svp_portfolio_text(run->pf, run->colour, &len);
    if (!out) {
        fputs("svp: out of memory\n", stderr);
        return 2;
    }
    fwrite(out, 1, len, stdout);
    svp_status verdict = svp_portfolio_status(run->pf);
    if (verdict == SVP_INVALID) {
        cli_flush();
        fprintf(stderr, "svp: %s\n", svp_portfolio_error(run->pf));
        return 2;
    }
    if (status == 2)
        return 2;
    return verdict == SVP_NONCOMPLIANT ? 1 : 0;
}

/* `svp eval` and `svp portfolio` share everything but what they print. */
static int run_command(int argc, char **argv, bool portfolio)
{
    const char *cmd = portfolio ? "portfolio" : "eval";
    const char *format = NULL, *as_of = NULL;
    bool explain = false, partial = false;
    char **positional = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *positional);
    int npos = 0;
    if (!positional)
        return 2;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--explain") && !portfolio)
            explain = true;
        else if (!strcmp(a, "--partial") && !portfolio)
            partial = true;
        else if (cli_take_format(argc, argv, &i, &format))
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
    run.ev = run.set ? svp_evaluator_new_versions(run.set, as_of, NULL) : svp_evaluator_new(p, NULL);
    bool ok = run.ev != NULL;
    run.json = format ? !strcmp(format, "json") : !isatty(fileno(stdout));
    run.colour = !run.json && cli_use_colour(stdout);
    run.flags = (explain ? SVP_EVAL_EXPLAIN : 0u) | (partial ? SVP_EVAL_PARTIAL : 0u) |
                (portfolio ? SVP_EVAL_PORTFOLIO_FIELDS : 0u);
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    cli_json_arena_install();
    if (portfolio && ok)
        ok = (run.pf = svp_portfolio_new(p, NULL)) != NULL;
    bool read = ok && run_input(&run, input);
    status = ok ? run.worst : 2;
    if (!ok)
        fputs("svp: out of memory\n", stderr);
    else if (portfolio && read) /* figures over part of a register would mislead: none */
        status = print_portfolio(&run, status);
    else if (!run.json && run.records > 1)
        print_summary(&run);
    cli_flush();
    for (size_t k = 0; k < run.nfired; k++)
        free(run.fired[k].rule);
    free(run.fired);
    svp_portfolio_free(run.pf);
    svp_evaluator_free(run.ev);
    svp_versions_free(run.set);
    cli_json_arena_release();
    cli_free_versions(&run.versions);
    return status;
}

int cli_eval(int argc, char **argv) { return run_command(argc, argv, false); }
int cli_portfolio(int argc, char **argv) { return run_command(argc, argv, true); }
