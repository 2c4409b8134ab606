/*
 * analyse.h - policy analysis after a clean check (see analyse.c).
 */
#ifndef SVP_ANALYSE_H
#define SVP_ANALYSE_H

#include "program.h"

/* Warn about constant conditions, non-monotonic tiers and clauses cited
 * by nothing; resolve `dated by` (an error if it names no date field).
 * False when out of memory. */
bool analyse_policy(svp_policy *p, svp_diagnostics *d);

#endif
