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


typedef struct EvalRun {
    svp_evaluator *ev;      /* the evaluator of the version in force */
    Versions versions;      /* every version given */
    svp_evaluator **evs;    /* one evaluator per version */
    const char *as_of;      /* the date of a record that has none */
    svp_portfolio *pf;      /* `svp portfolio`: tally records, print no line each */
    bool json, explain, colour;
    int worst;              /* 0, 1 or 2: the exit status so far */
    unsigned long records;
} EvalRun;

static void emit(EvalRun *run, const svp_result *r)
{
    size_t len;
    if (run->pf) {
        svp_portfolio_add(run->pf, run->ev);
    } else {
        const char *out = run->json ? svp_result_json(run->ev, r, &len)
                                    : svp_result_text(run->ev, r, run->colour, &len);
        fwrite(out, 1, len, stdout);
    }
    svp_status s = svp_result_status(r);
    if (s == SVP_INVALID) {
        const char *id = svp_result_id(r), *field = svp_result_error_field(r);
        cli_flush();
        fprintf(stderr, "svp: line %lu", svp_result_line(r));
        if (id) {
            fputs(" (", stderr);
            cli_put_safe(stderr, id);
            fputc(')', stderr);
        }
        fputs(": invalid record: ", stderr);
        if (field) {
            cli_put_safe(stderr, field);
            fputs(": ", stderr);
        }
        cli_put_safe(stderr, svp_result_error_message(r));
        fputc('\n', stderr);
        run->worst = 2;
    } else if (s == SVP_NONCOMPLIANT && run->worst < 1) {
        run->worst = 1;
    }
    run->records++;
}

/* The id came back cut to fit its buffer, perhaps inside a character:
 * drop a last character that is not whole, so the output stays UTF-8. */
static void drop_partial_character(char *id)
{
    size_t n = strlen(id), k = n;
    while (k > 0 && ((unsigned char)id[k - 1] & 0xC0) == 0x80)
        k--; /* continuation bytes */
    if (k == 0 || (unsigned char)id[k - 1] < 0xC0)
        return;
    unsigned lead = (unsigned char)id[k - 1];
    size_t whole = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (n - (k - 1) < whole)
        id[k - 1] = '\0';
}

/* A record before every version took effect: an error line of its own. */
static void no_version(EvalRun *run, char *id, unsigned long line, const char *date, const char *field)
{
    drop_partial_character(id);
    const char *earliest = svp_policy_effective(run->versions.policies[0]);
    for (size_t i = 1; i < run->versions.n; i++)
        if (strcmp(svp_policy_effective(run->versions.policies[i]), earliest) < 0)
            earliest = svp_policy_effective(run->versions.policies[i]);
    char message[160];
    snprintf(message, sizeof message, "no version of the policy is in force on %s: the earliest takes effect on %s",
             date, earliest);
    if (run->json) {
        printf("{\"id\":");
        if (*id) {
            putchar('"');
            for (const char *c = id; *c; c++)
                printf(*c == '"' || *c == '\\' ? "\\%c" : (unsigned char)*c < 0x20 ? "\\u%04x" : "%c", *c);
            putchar('"');
        } else {
            printf("null");
        }
        printf(",\"line\":%lu,\"error\":{\"field\":%s%s%s,\"message\":\"%s\"}}\n", line, field ? "\"" : "",
               field ? field : "null", field ? "\"" : "", message);
    } else {
        cli_put_safe(stdout, *id ? id : "(no id)");
        printf("  INVALID  (line %lu)\n  %s%s%s\n\n", line, field ? field : "", field ? ": " : "", message);
    }
    cli_flush();
    fprintf(stderr, "svp: line %lu", line);
    if (*id) {
        fputs(" (", stderr);
        cli_put_safe(stderr, id);
        fputc(')', stderr);
    }
    fprintf(stderr, ": %s\n", message);
    run->worst = 2;
    run->records++;
}

static void evaluate(EvalRun *run, const char *text, size_t len, unsigned long line)
{
    cli_json_arena_next_record();
    if (run->versions.n > 1) {
        char date[11], id[256];
        const char *field;
        long k = cli_pick_version(&run->versions, text, len, run->as_of, date, &field, id, sizeof id);
        if (k < 0) {
            no_version(run, id, line, date, field);
            return;
        }
        run->ev = run->evs[k];
    }
    emit(run, svp_evaluate(run->ev, text, len, line, run->explain));
    /* The record's tree lives in the cJSON arena, which the next record
     * reuses: let go of it now, whichever version's evaluator held it. */
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
    bool explain = false;
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
        else if (!strcmp(a, "--as-of") && i + 1 < argc)
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
    else if (as_of && !cli_is_date(as_of))
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
    char today[11];
    if (!status && run.versions.n > 1 && cli_check_versions(&run.versions, cli_today(today, as_of)))
        status = 2;
    if (status) {
        cli_free_versions(&run.versions);
        return 2;
    }
    run.as_of = as_of ? as_of : cli_today(today, NULL);
    run.evs = calloc(run.versions.n, sizeof *run.evs);
    bool ok = run.evs != NULL;
    for (size_t i = 0; ok && i < run.versions.n; i++)
        ok = (run.evs[i] = svp_evaluator_new(run.versions.policies[i], NULL)) != NULL;
    svp_policy *p = run.versions.policies[0];
    run.ev = ok ? run.evs[0] : NULL;
    run.json = format ? !strcmp(format, "json") : !isatty(fileno(stdout));
    run.colour = !run.json && cli_use_colour(stdout);
    run.explain = explain;
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
    cli_flush();
    svp_portfolio_free(run.pf);
    for (size_t i = 0; run.evs && i < run.versions.n; i++)
        svp_evaluator_free(run.evs[i]);
    free(run.evs);
    cli_json_arena_release();
    cli_free_versions(&run.versions);
    return status;
}

int cli_eval(int argc, char **argv) { return run_command(argc, argv, false); }
int cli_portfolio(int argc, char **argv) { return run_command(argc, argv, true); }
