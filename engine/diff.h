/*
 * diff.h - what diff.c (svp_diff, svp_impact) borrows from the rest of the
 * engine (internal).
 *
 * A difference between two versions of a policy is reported in canonical
 * form: an expression is printed the way `svp fmt` prints it, never copied
 * from the source text, so comments and layout are never a difference.
 * The printer is fmt.c's own, exported here rather than written twice.
 */
#ifndef SVP_DIFF_H
#define SVP_DIFF_H

#include "ast.h"
#include "buf.h"

/* fmt.c: append expression e as `svp fmt` prints it (literals as written,
 * parentheses where written) to b.  src is the policy source the
 * expression was parsed from. */
void fmt_expr(Buf *b, const char *src, const Expr *e);

#endif
