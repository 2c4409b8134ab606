/*
 * jobs.h - the records of an input evaluated by several threads, their
 * output written in input order (`--jobs N` of eval, portfolio and impact).
 *
 * The records come from the batch reader (cli_read_records, input.c) on
 * the calling thread, which also writes every result; N - 1 worker threads
 * and the calling thread do the work, each with its own state (its own evaluators: a compiled policy
 * is read-only, an evaluator is not).  Memory is bounded by N and the
 * record limit, never by the batch: at most CLI_JOBS_WINDOW chunks of
 * records per worker are in flight (read but not yet written) at a time.
 */
#ifndef SVP_CLI_JOBS_H
#define SVP_CLI_JOBS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

/* Chunks of records (up to 64 records or 256 KiB, jobs.c) in flight per
 * worker: the reorder window. */
#define CLI_JOBS_WINDOW 8

/* The most workers --jobs takes. */
#define CLI_JOBS_MAX 256
#define CLI_JOBS_MAX_TEXT "256" /* the same, for messages */

/* What one record produced: written in input order, out to stdout, then
 * (stdout flushed first, so the two streams interleave as they would
 * without threads) err to stderr.  status is the record's part of the exit
 * status: 0, 3, 1 or 2, each worse than the one before (the run's is the
 * worst); oom says the library ran out of memory making the output, which
 * the writer reports (status 2). */
typedef struct CliJobResult {
    CliText out, err;      /* cli.h: running out of memory ends the process */
    int status;
    bool oom;
} CliJobResult;

/* Work on one record on worker `worker` (0 .. jobs - 1, each used by one
 * thread at a time): evaluate text[0, len) (batch line `line`) with that
 * worker's state and fill res (emptied before each call). */
typedef void (*CliJobWork)(void *ctx, unsigned worker, const char *text, size_t len, unsigned long line,
                           CliJobResult *res);

/* Hand every record of path ("-": standard input) to work on `jobs`
 * workers (1: on this thread, no other is started) and write the results
 * in input order.  *worst becomes the worst record status (see
 * CliJobResult), or stays as it was when it is worse.  Returns 0, or 2 when
 * the input could not be read (or not to its end), said on stderr by the
 * reader.  Fewer workers run when threads cannot be started. */
int cli_jobs_run(const char *path, unsigned jobs, CliJobWork work, void *ctx, int *worst);

/* What the calling thread does with each record's result, in input order,
 * instead of writing it out (cli_jobs_collect). */
typedef void (*CliJobCollect)(void *ctx, const CliJobResult *res);

/* cli_jobs_run, but each result (work's res->out holding whatever work
 * put there for it) is handed to collect on the calling thread, in input
 * order, and nothing is written; res->status still folds into *worst.  For
 * a command that sums its records up in order (svp report): the workers
 * do the work, the tallies stay on one thread. */
int cli_jobs_collect(const char *path, unsigned jobs, CliJobWork work, CliJobCollect collect, void *ctx,
                     int *worst);

/* When argv[*i] is `--jobs N` or `--jobs=N`: store N in *jobs, step *i
 * past it and say true; *bad is set when N is not a whole number from 1
 * to CLI_JOBS_MAX (the caller reports the usage error). */
bool cli_take_jobs(int argc, char **argv, int *i, unsigned *jobs, bool *bad);

/* The default --jobs: the processors online (1 when unknown), at most
 * CLI_JOBS_MAX. */
unsigned cli_default_jobs(void);

#endif
