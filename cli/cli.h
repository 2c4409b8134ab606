/*
 * cli.h - the subcommands of the svp command.  Each takes the arguments
 * after its name and returns the process exit status.
 */
#ifndef SVP_CLI_H
#define SVP_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include "svp.h"

int cli_check(int argc, char **argv);
int cli_fmt(int argc, char **argv);
int cli_eval(int argc, char **argv);
int cli_portfolio(int argc, char **argv);
int cli_test(int argc, char **argv);    /* cli/test.c */
int cli_diff(int argc, char **argv);    /* cli/diff.c */
int cli_impact(int argc, char **argv);  /* cli/impact.c */
int cli_report(int argc, char **argv);  /* cli/report.c */
int cli_import(int argc, char **argv);  /* cli/import.c */
/* import.c: mapping files given to `svp check`. */
bool cli_is_mapping_file(const char *path);
int cli_check_mapping(const char *path);
int cli_lsp(int argc, char **argv);     /* cli/lsp.c: the language server */
int cli_serve(int argc, char **argv);   /* cli/serve.c */

/* Print "svp: <message>" and the usage text to stderr; returns 2. */
int cli_usage_error(const char *fmt, const char *arg);

/* Colour on a terminal, unless NO_COLOR is set (https://no-color.org). */
bool cli_use_colour(FILE *f);

/* Print rendered diagnostics to stderr (when there are any). */
void cli_print_diagnostics(const svp_diagnostics *d);

/* util.c: small things every command needs. */
/* True when s[0..n) is only spaces, tabs and line ends. */
bool cli_blank_line(const char *s, size_t n);
/* The longest batch line read whole (the record size limit). */
#define CLI_MAX_LINE (1u << 20)
/* When argv[*i] is `--format X` or `--format=X`: store X, step *i past
 * it, and say true. */
bool cli_take_format(int argc, char **argv, int *i, const char **format);
/* fflush(stdout), remembering why the first failure failed (errno) for
 * cli_output_error; main() reports a failed write and exits 2. */
int cli_flush(void);
int cli_output_error(void);
/* fwrite to stdout, remembering why it failed, as cli_flush. */
bool cli_write(const char *text, size_t len);
/* Write s to f with control characters and bytes that are not UTF-8
 * escaped (svp_terminal_text): for text from a record or a policy. */
void cli_put_safe(FILE *f, const char *s);
/* For diff and impact, which compare two versions: when one of paths is
 * a folder, say so (they take one file per version) and return true. */
bool cli_refuse_folders(const char *command, const char *const *paths, int n);
/* The first bytes (up to cap) of the regular file at path into buf: how
 * many; 0 when it is not a regular file or cannot be read (never blocks
 * on a FIFO). */
size_t cli_read_head(const char *path, char *buf, size_t cap);
/* Where a command takes policies first: when one of paths (policies)
 * looks like records (a name ending .json, .jsonl, .ndjson or .csv, or a
 * file whose text starts with `{` or `[`), or the input (NULL: none)
 * is named like a policy (.svp), say which argument is which, ending
 * with order ("give the policy first, then one input"), and return true. */
bool cli_refuse_swapped(const char *const *paths, int n, const char *input, const char *order);
/* The arguments OLD.svp NEW.svp RECORDS of a review command (`impact`,
 * `report --review`): a positional argument a takes the next place in
 * paths; an option not known to the command, or a fourth argument, is a
 * usage error (its status, 2, is returned; else 0). */
int cli_take_review_arg(const char *command, const char *a, const char *paths[3], int *npaths);
/* 0 when all three were given, else the usage error's status (2). */
int cli_review_args_complete(const char *command, int npaths);
/* Compile one policy file; on failure print its diagnostics, NULL. */
svp_policy *cli_load_policy(const char *path);

/* Memory for the commands.  Running out is said ("svp: out of memory")
 * and ends the process with status 2: a command holds nothing the system
 * does not clean up.  cli_need(p) is p, or that end when p is NULL (for
 * what other allocators, cJSON's, return). */
void *cli_alloc(size_t n);
void *cli_realloc(void *p, size_t n);
char *cli_strdup(const char *s);
void *cli_need(void *p);
/* A growing NUL-terminated text; {0} is empty, free(t.s) frees it. */
typedef struct CliText {
    char *s;
    size_t len, cap;
} CliText;
void cli_text_addn(CliText *t, const char *s, size_t n);
void cli_text_add(CliText *t, const char *s);
void cli_text_addf(CliText *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The whole file at path (at most max bytes), NUL-terminated, its length
 * in *len; free() it.  NULL with errno set when it cannot be read
 * (EISDIR for a folder, ENODEV for anything else that is not a regular
 * file, refused unread: a FIFO or a device; EFBIG when larger than max). */
char *cli_read_file(const char *path, size_t max, size_t *len);

/* input.c: the records of an input (README, `svp eval`): one JSON value
 * (a record, or an array of records), else JSON Lines. */
typedef void (*CliRecordFn)(void *ctx, const char *text, size_t len, unsigned long line);
/* Hand every record of path ("-": standard input) to each, in order: its
 * text (valid only during the call) and its line (for an array, its
 * position).  Returns 0, or 2 when the input cannot be read (said on
 * stderr; the records read before the failure were handed out). */
int cli_read_records(const char *path, CliRecordFn each, void *ctx);
bool cli_has_suffix(const char *s, const char *suffix);

/* versions.c: several versions of one policy. */
typedef struct Versions {
    char **files;           /* the policy files, folders expanded */
    svp_policy **policies;  /* compiled, NULL where a file failed */
    size_t *warnings;       /* how many warnings each had */
    size_t n;
} Versions;

/* Compile every file (folders: every *.svp in them, by name), printing
 * errors, and (verbose, for `svp check`) warnings and an "ok" line per
 * file.  Returns 0, 1 (some policy has errors) or 2 (unreadable). */
int cli_load_versions(char **paths, int npaths, Versions *v, bool verbose);
void cli_free_versions(Versions *v);
/* The policies of v (every one compiled) as one version set, as of today
 * ("YYYY-MM-DD", NULL: now) for the review reminder, its diagnostics
 * printed; NULL when they do not fit together (or out of memory). */
svp_versions *cli_version_set(const Versions *v, const char *today);
/* `svp check`: the compiled policies of v, grouped by policy name, each
 * group checked as the versions of one policy, diagnostics printed.
 * Returns 0, 1 (some group has errors) or 2 (out of memory). */
int cli_check_version_sets(const Versions *v, const char *today);

/* json_arena.c: a per-record arena for cJSON in `svp eval`.  Install it
 * once, call next_record before each svp_evaluate, and release it after
 * the evaluator is freed. */
void cli_json_arena_install(void);
void cli_json_arena_next_record(void);
void cli_json_arena_release(void);
/* Free the calling thread's arena blocks (each --jobs worker, as it ends). */
void cli_json_arena_thread_release(void);

#endif
