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
 * non-compliant; else 4 when any record is dated before every version
 * given (no version was in force: it is not judged); else 3 when any
 * record is incomplete (--partial only: some rule of severity error waits
 * for a missing field); else 0.
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
#include "jobs.h"


typedef struct EvalRun {
    svp_evaluator **ev;     /* one per worker: over the policy, or over its versions */
    Versions versions;      /* every version given */
    svp_versions *set;      /* several versions: the library picks one per record */
    svp_portfolio **pf;     /* `svp portfolio`, one per worker: tally records, print no line each */
    unsigned jobs;
    bool json, colour;
    unsigned flags;         /* SVP_EVAL_*: --explain, --partial; portfolio fields */
    int worst;              /* the exit status of the records: 0, 3, 1 or 2, each worse */
    struct Tally *tally;    /* one per worker: for the text summary a batch ends with */
} EvalRun;

/* A rule that fired, for the summary: first is where it first fired (the
 * record's line, then the finding's place in it), so that workers' tallies
 * merge into the order one thread would have seen. */
typedef struct Fired {
    char *rule;
    const char *title;      /* the policy's, which outlives the run */
    unsigned long n, first_line;
    size_t first_finding;
} Fired;

/* What one worker has counted of the records it evaluated. */
typedef struct Tally {
    unsigned long records;
    unsigned long by_status[SVP_INCOMPLETE + 1]; /* records by svp_status */
    unsigned long no_version; /* of the invalid: dated before every version */
    Fired *fired;                                /* findings by rule */
    size_t nfired, cap_fired;
} Tally;

/* Add s to t with control characters and bytes that are not UTF-8 escaped
 * (svp_terminal_text), as cli_put_safe writes it. */
static void add_safe(CliText *t, const char *s)
{
    char *safe = svp_terminal_text(s, strlen(s));
    cli_text_add(t, safe ? safe : "(out of memory)");
    svp_string_free(safe);
}

/* Room in t for one more rule; false when memory ran out. */
static bool tally_room(Tally *t)
{
    if (t->nfired < t->cap_fired)
        return true;
    size_t cap = t->cap_fired ? t->cap_fired * 2 : 16;
    Fired *f = realloc(t->fired, cap * sizeof *f);
    if (!f)
        return false;
    t->fired = f;
    t->cap_fired = cap;
    return true;
}

/* The rule id's entry in t, added (counted 0 times, first fired at line,
 * finding) when it is new; NULL when memory ran out. */
static Fired *tally_rule(Tally *t, const char *id, const svp_result *r, unsigned long line, size_t finding)
{
    for (size_t k = 0; k < t->nfired; k++)
        if (!strcmp(t->fired[k].rule, id))
            return &t->fired[k];
    if (!tally_room(t))
        return NULL; /* the summary is short of a rule; the results are whole */
    char *copy = strdup(id);
    if (!copy)
        return NULL;
    const svp_policy *p = svp_result_policy(r);
    const char *title = NULL;
    for (size_t j = 0; p && j < svp_policy_rule_count(p); j++)
        if (!strcmp(svp_policy_rule_id(p, j), id))
            title = svp_policy_rule_title(p, j);
    t->fired[t->nfired] = (Fired){copy, title, 0, line, finding};
    return &t->fired[t->nfired++];
}

/* Count r's verdict and the rules that fired on it into t. */
static void count_record(Tally *t, const svp_result *r)
{
    t->records++;
    t->by_status[svp_result_status(r)]++;
    const char *code = svp_result_error_code(r);
    if (code && !strcmp(code, "no-version")) { /* not judged, and not invalid either */
        t->by_status[SVP_INVALID]--;
        t->no_version++;
    }
    for (size_t i = 0; i < svp_result_finding_count(r); i++) {
        Fired *f = tally_rule(t, svp_result_finding_rule(r, i), r, svp_result_line(r), i);
        if (f)
            f->n++;
    }
}

/* Fold worker tallies 1 .. jobs - 1 into tally 0 (emptying them), its
 * rules in the order they first fired in the input, as one thread counts
 * them.  False when memory ran out. */
static bool merge_tallies(Tally *tally, unsigned jobs)
{
    Tally *t = &tally[0];
    for (unsigned w = 1; w < jobs; w++) {
        Tally *o = &tally[w];
        t->records += o->records;
        for (size_t s = 0; s <= SVP_INCOMPLETE; s++)
            t->by_status[s] += o->by_status[s];
        t->no_version += o->no_version;
        for (size_t k = 0; k < o->nfired; k++) {
            Fired *of = &o->fired[k];
            size_t j = 0;
            while (j < t->nfired && strcmp(t->fired[j].rule, of->rule))
                j++;
            if (j == t->nfired) {
                if (!tally_room(t))
                    return false;
                t->fired[t->nfired++] = *of; /* the copy of the id moves */
                of->rule = NULL;
                continue;
            }
            Fired *f = &t->fired[j];
            f->n += of->n;
            if (of->first_line < f->first_line ||
                (of->first_line == f->first_line && of->first_finding < f->first_finding)) {
                f->first_line = of->first_line;
                f->first_finding = of->first_finding;
            }
        }
    }
    /* insertion sort by first firing: the list is short, and one worker's
     * is sorted already */
    for (size_t k = 1; k < t->nfired; k++) {
        Fired x = t->fired[k];
        size_t j = k;
        while (j > 0 && (t->fired[j - 1].first_line > x.first_line ||
                         (t->fired[j - 1].first_line == x.first_line && t->fired[j - 1].first_finding > x.first_finding))) {
            t->fired[j] = t->fired[j - 1];
            j--;
        }
        t->fired[j] = x;
    }
    return true;
}

/* Free what the tallies hold. */
static void free_tallies(Tally *tally, unsigned jobs)
{
    for (unsigned w = 0; tally && w < jobs; w++) {
        for (size_t k = 0; k < tally[w].nfired; k++)
            free(tally[w].fired[k].rule);
        free(tally[w].fired);
    }
    free(tally);
}

/* The end of a batch in text: records by verdict, the rules that fired
 * most (up to five). */
static void print_summary(Tally *t)
{
    printf("%lu records: %lu compliant, %lu non-compliant, ", t->records, t->by_status[SVP_COMPLIANT],
           t->by_status[SVP_NONCOMPLIANT]);
    if (t->by_status[SVP_INCOMPLETE]) /* only --partial has them */
        printf("%lu incomplete, ", t->by_status[SVP_INCOMPLETE]);
    if (t->no_version)
        printf("%lu dated before every version, ", t->no_version);
    printf("%lu invalid\n", t->by_status[SVP_INVALID]);
    for (size_t shown = 0; shown < 5 && shown < t->nfired; shown++) {
        size_t best = shown; /* selection of the next most: the list is short */
        for (size_t k = shown + 1; k < t->nfired; k++)
            if (t->fired[k].n > t->fired[best].n)
                best = k;
        Fired f = t->fired[best]; /* moved up, the others kept in order */
        memmove(&t->fired[shown + 1], &t->fired[shown], (best - shown) * sizeof f);
        t->fired[shown] = f;
        printf("%s %-24s %6lu  %s\n", shown ? "                 " : "rules fired most:", f.rule, f.n,
               f.title ? f.title : "");
    }
}

/* Say (for stderr) why record r is invalid (its line on stdout says it
 * too). */
static void say_invalid(const svp_result *r, CliText *err)
{
    const char *id = svp_result_id(r);
    const char *code = svp_result_error_code(r);
    bool no_version = code && !strcmp(code, "no-version");
    /* every problem, a line each; what came from the record is escaped:
     * it could hold ESC sequences */
    for (size_t i = 0; i < svp_result_error_count(r); i++) {
        const char *field = svp_result_error_field_at(r, i);
        cli_text_addf(err, "svp: line %lu", svp_result_line(r));
        if (id) {
            cli_text_add(err, " (");
            add_safe(err, id);
            cli_text_add(err, ")");
        }
        cli_text_add(err, no_version ? ": " : ": invalid record: ");
        if (field && !no_version) {
            add_safe(err, field);
            cli_text_add(err, ": ");
        }
        add_safe(err, svp_result_error_message_at(r, i));
        cli_text_add(err, "\n");
    }
    if (svp_result_errors_dropped(r))
        cli_text_addf(err, "svp: line %lu: and %zu more problems\n", svp_result_line(r), svp_result_errors_dropped(r));
}

/* One record, on worker w (jobs.h): its result line (or its tally, for
 * `svp portfolio`), what is said on stderr, and its part of the exit
 * status (2 invalid, 1 non-compliant, 3 incomplete with --partial). */
static void evaluate(void *ctx, unsigned w, const char *text, size_t len, unsigned long line, CliJobResult *res)
{
    EvalRun *run = ctx;
    svp_evaluator *ev = run->ev[w];
    cli_json_arena_next_record();
    const svp_result *r = svp_evaluate_with(ev, text, len, line, run->flags);
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
    if (!run->json && !run->pf)
        count_record(&run->tally[w], r);
    const char *code = svp_result_error_code(r);
    if (s == SVP_INVALID && code && !strcmp(code, "no-version")) {
        say_invalid(r, &res->err);
        res->status = 4; /* not judged: no version was in force on its date */
    } else if (s == SVP_INVALID) {
        say_invalid(r, &res->err);
        res->status = 2;
    } else if (s == SVP_NONCOMPLIANT) {
        res->status = 1;
    } else if (s == SVP_INCOMPLETE) {
        res->status = 3; /* --partial: a record waits for missing fields */
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
    svp_status verdict = svp_portfolio_status(pf);
    if (verdict == SVP_INVALID) {
        cli_flush();
        fprintf(stderr, "svp: %s\n", svp_portfolio_error(pf));
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
    bool explain = false, partial = false, bad_jobs = false;
    unsigned jobs = cli_default_jobs();
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
    if (cli_refuse_swapped((const char *const *)positional, npos - 1, input, "give the policy first, then one input")) {
        free(positional);
        return 2;
    }

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
    run.tally = calloc(jobs, sizeof *run.tally);
    bool ok = run.ev && (!portfolio || run.pf) && run.tally;
    for (unsigned w = 0; ok && w < jobs; w++) {
        run.ev[w] = run.set ? svp_evaluator_new_versions(run.set, as_of, NULL) : svp_evaluator_new(p, NULL);
        ok = run.ev[w] && (!portfolio || (run.pf[w] = svp_portfolio_new(p, NULL)));
    }
    run.json = format ? !strcmp(format, "json") : !isatty(fileno(stdout));
    run.colour = !run.json && cli_use_colour(stdout);
    run.flags = (explain ? SVP_EVAL_EXPLAIN : 0u) | (partial ? SVP_EVAL_PARTIAL : 0u) |
                (portfolio ? SVP_EVAL_PORTFOLIO_FIELDS : 0u);
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    cli_json_arena_install();
    /* Input that could not be read (or not to its end) makes the status 2;
     * the reader has said why on stderr. */
    bool read = ok && cli_jobs_run(input, jobs, evaluate, &run, &run.worst) == 0;
    status = !ok || !read ? 2 : run.worst;
    if (!ok)
        fputs("svp: out of memory\n", stderr);
    else if (portfolio && read) /* figures over part of a register would mislead: none */
        status = print_portfolio(&run, status);
    else if (!run.json && !portfolio && merge_tallies(run.tally, jobs) && run.tally[0].records > 1)
        print_summary(&run.tally[0]);
    cli_flush();
    for (unsigned w = 0; w < jobs; w++) {
        if (run.pf)
            svp_portfolio_free(run.pf[w]);
        if (run.ev)
            svp_evaluator_free(run.ev[w]);
    }
    free(run.pf);
    free(run.ev);
    free_tallies(run.tally, jobs);
    svp_versions_free(run.set);
    cli_json_arena_release();
    cli_free_versions(&run.versions);
    return status;
}

int cli_eval(int argc, char **argv) { return run_command(argc, argv, false); }
int cli_portfolio(int argc, char **argv) { return run_command(argc, argv, true); }
