/*
 * main.c - the svp command: check, format, evaluate and test policies, and
 * review a new version.
 *
 * Uses only the public header svp.h.  Each subcommand lives in its own
 * file (cli/check.c, cli/fmt.c, cli/eval.c for eval and portfolio,
 * cli/test.c, cli/diff.c, cli/impact.c); this file dispatches and holds the
 * usage text, which lists every command and every option each takes.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: svp <command> [arguments]\n"
    "\n"
    "  svp check [--today DATE] POLICY.svp...      check policies; exit 0 clean, 1 errors, 2 usage/IO\n"
    "  svp fmt [-w] POLICY.svp                     print (or rewrite, with -w) in canonical layout\n"
    "  svp eval POLICY.svp... RECORDS|- [--format text|json] [--explain] [--as-of DATE] [--partial]\n"
    "           [--jobs N]                         evaluate records (one JSON value, or JSON Lines)\n"
    "  svp portfolio POLICY.svp RECORDS|- [--format text|json] [--jobs N]\n"
    "                                              evaluate the portfolio rules over a whole register\n"
    "  svp test [--coverage] [--min-coverage PCT] [--format text|json] [--policy P.svp] TESTS...\n"
    "                                              run a policy's test cases (TESTS: X.tests.json files,\n"
    "                                              or a policy X.svp for the tests beside it); --policy\n"
    "                                              runs them against another version of the policy\n"
    "  svp diff OLD.svp NEW.svp [--format text|json]\n"
    "                                              what changed between two versions\n"
    "  svp impact OLD.svp NEW.svp RECORDS [--format text|json] [--jobs N]\n"
    "                                              which records the change would flip\n"
    "  svp report POLICY.svp... RECORDS|- [--from DATE] [--to DATE] [--format html|json|csv] [--jobs N]\n"
    "                                              [-o FILE]\n"
    "                                              the annual report: figures, compliance, data quality\n"
    "  svp report --review OLD.svp NEW.svp RECORDS [--format html|json] [-o FILE]\n"
    "                                              the committee paper for an amendment\n"
    "  svp import MAPPING.svp INPUT...             OCDS notices or a CSV register in, records out (JSON Lines)\n"
    "  svp lsp [--today DATE]                      the language server for editors (LSP over stdio)\n"
    "  svp serve POLICY.svp... [--db FILE] [--listen ADDR:PORT] [--import MAPPING.svp]...\n"
    "                                              the officer's desk: a form, evaluation and the register\n"
    "                                              in the browser (default 127.0.0.1:8080, svp-register.sqlite)\n"
    "  (--jobs N: records on N threads, default the processors; output unchanged)\n"
    "  svp help                                    this text\n";

int cli_usage_error(const char *fmt, const char *arg)
{
    fputs("svp: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n\n", stderr);
    fputs(usage, stderr);
    return 2;
}

/* Every command's output reaches its file, or the command fails: a full
 * disk or a closed pipe must not pass for success.  status is the
 * command's own exit status; returns it, or 2 when standard output could
 * not be written or closed (said on stderr). */
static int finish_output(int status)
{
    bool failed = cli_flush() != 0 || ferror(stdout);
    int err = cli_output_error();
    if (fclose(stdout) != 0 && !failed) {
        failed = true;
        err = errno;
    }
    if (!failed)
        return status;
    fprintf(stderr, "svp: cannot write the output: %s\n", err ? strerror(err) : "write error");
    return 2;
}

static int run(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("%s", "no command given");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "check"))
        return cli_check(argc - 2, argv + 2);
    if (!strcmp(cmd, "fmt"))
        return cli_fmt(argc - 2, argv + 2);
    if (!strcmp(cmd, "eval"))
        return cli_eval(argc - 2, argv + 2);
    if (!strcmp(cmd, "portfolio"))
        return cli_portfolio(argc - 2, argv + 2);
    if (!strcmp(cmd, "test"))
        return cli_test(argc - 2, argv + 2);
    if (!strcmp(cmd, "diff"))
        return cli_diff(argc - 2, argv + 2);
    if (!strcmp(cmd, "impact"))
        return cli_impact(argc - 2, argv + 2);
    if (!strcmp(cmd, "report"))
        return cli_report(argc - 2, argv + 2);
    if (!strcmp(cmd, "import"))
        return cli_import(argc - 2, argv + 2);
    if (!strcmp(cmd, "lsp"))
        return cli_lsp(argc - 2, argv + 2);
    if (!strcmp(cmd, "serve"))
        return cli_serve(argc - 2, argv + 2);
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        fputs(usage, stdout);
        return 0;
    }
    return cli_usage_error("unknown command `%s`", cmd);
}

int main(int argc, char **argv)
{
    /* Past a file-size limit a write fails (EFBIG) and is reported like any
     * failed write, rather than the process being killed part way (and
     * `svp fmt -w` leaving its temporary file behind). */
    signal(SIGXFSZ, SIG_IGN);
    return finish_output(run(argc, argv));
}
