/*
 * check.h - the checker: names, types, units, tiers (internal; check.c).
 */
#ifndef SVP_CHECK_H
#define SVP_CHECK_H

#include "program.h"

/* Check the parsed policy p->ast, filling in the compiled form around it
 * (program.h: slots, binding tree, resolved names); problems go to the
 * builder's diagnostics.  Returns true when there were no errors. */
bool check_policy(svp_policy *p, AstBuilder *ab);

#endif
