/*
 * fmt.h - the canonical layout of a policy (internal; fmt.c, behind the
 * public svp_format).
 *
 * The expression printer is exported for svp_diff (diff.c): a difference
 * between two versions is shown in canonical form, the way `svp fmt`
 * prints it, never copied from the source text, so comments and layout
 * are never a difference.
 */
#ifndef SVP_FMT_H
#define SVP_FMT_H

#include "ast.h"
#include "buf.h"

/* Append expression e as `svp fmt` prints it (literals as written,
 * parentheses where written) to b.  src is the policy source the
 * expression was parsed from. */
void fmt_expr(Buf *b, const char *src, const Expr *e);

#endif
