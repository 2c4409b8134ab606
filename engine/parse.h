/*
 * parse.h - what the scanner, the grammar and the rest of the engine share.
 *
 * The scanner's state (LexState) lives outside flex's own so that the
 * grammar's error reporter can read it: the message of a malformed
 * literal, and the brackets still open when input ran out.
 */
#ifndef SVP_PARSE_H
#define SVP_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include "ast.h"

#define LEX_MAX_OPEN 64

typedef struct LexState {
    uint32_t base;        /* offset in the policy of the scanner's first byte */
    uint32_t offset;      /* bytes consumed so far */
    int start_token;      /* returned once before the input (expression parses) */
    bool expr_mode;       /* parsing the expression inside a message's braces */
    AstBuilder *ab;
    Span open[LEX_MAX_OPEN]; /* unclosed ( and [ */
    int depth;            /* may exceed LEX_MAX_OPEN; only the first are kept */
    char msg[320];        /* message of the last INVALID token */
    Span last_text;       /* the last text in quotes scanned ... */
    bool last_text_lines; /* ... and whether it runs over a line end */
    _Alignas(max_align_t) unsigned char pool[2048]; /* flex's own allocations: see parse.c */
    size_t pool_used;
} LexState;

#include "parser.h"

#define YYSTYPE SVPYYSTYPE
#define YYLTYPE SVPYYLTYPE

int svpyylex(SVPYYSTYPE *lval, SVPYYLTYPE *lloc, void *scanner);

#include "lex.h" /* the scanner's helpers */

/* Parse a whole policy, or (expr_only) one expression, from
 * src[start, end) of the builder's source.  Diagnostics go to the builder's
 * list.  Returns 0 when it parsed with no error. */
int parse_source(AstBuilder *ab, uint32_t start, uint32_t end, bool expr_only);



/* How many expected tokens a syntax error lists; more and it lists none
 * (they are still used to suggest a keyword for a misspelt one). */
#define PARSE_MAX_EXPECTED 7

/* Word and record a syntax error at `where`.  invalid: the token was a
 * malformed literal whose message is in ls->msg; eof: input ended; dashed:
 * a rule-id-like token stood where it cannot. */
void parse_syntax_error(AstBuilder *ab, LexState *ls, Span where, bool invalid, bool eof,
                        bool dashed, const char *const *expected, int n);
#endif
