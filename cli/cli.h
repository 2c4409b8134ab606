/*
 * cli.h - the subcommands of the svp command.  Each takes the arguments
 * after its name and returns the process exit status.
 */
#ifndef SVP_CLI_H
#define SVP_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include "svp.h"

int cli_check(int argc, char **argv);
int cli_fmt(int argc, char **argv);
int cli_eval(int argc, char **argv);
int cli_portfolio(int argc, char **argv);

/* Print "svp: <message>" and the usage text to stderr; returns 2. */
int cli_usage_error(const char *fmt, const char *arg);

/* Colour on a terminal, unless NO_COLOR is set (https://no-color.org). */
bool cli_use_colour(FILE *f);

/* Print rendered diagnostics to stderr (when there are any). */
void cli_print_diagnostics(const svp_diagnostics *d);

/* json_arena.c: a per-record arena for cJSON in `svp eval`.  Install it
 * once, call next_record before each svp_evaluate, and release it after
 * the evaluator is freed. */
void cli_json_arena_install(void);
void cli_json_arena_next_record(void);
void cli_json_arena_release(void);

#endif
