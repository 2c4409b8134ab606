/*
 * lex.h - the scanner's helpers (lex.c), called from grammar/lexer.l's
 * actions.  The literal readers (money, amounts, dates) return the token
 * to hand the parser with the value stored in *lval, or INVALID with a
 * message in ls->msg, as lex_invalid does; the others keep what the
 * formatter and the error messages need (comments, open brackets).
 */
#ifndef SVP_LEX_H
#define SVP_LEX_H

#include "parse.h" /* LexState and the token values */

int lex_money(LexState *ls, const char *text, size_t len, SVPYYSTYPE *lval);
int lex_amount(LexState *ls, const char *text, size_t len, int token, SVPYYSTYPE *lval, Span where);
int lex_date(LexState *ls, const char *text, size_t len, SVPYYSTYPE *lval);
int lex_invalid(LexState *ls, SVPYYSTYPE *lval, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int lex_invalid_char(LexState *ls, SVPYYSTYPE *lval, unsigned char c);
/* A text in quotes: STRING, or INVALID at its first byte that is not UTF-8
 * or is a control character other than tab and line breaks. */
int lex_text(LexState *ls, const char *text, size_t len, SVPYYSTYPE *lval, SVPYYLTYPE *lloc);
/* `100,000` without a pound sign: INVALID, saying how to write it. */
int lex_grouped_number(LexState *ls, const char *text, size_t len, SVPYYSTYPE *lval);
/* Remember the span of the text in quotes just scanned (see parse.c). */
void lex_note_text(LexState *ls, Span s);
void lex_comment(LexState *ls, Span s);
void lex_open(LexState *ls, Span s);
void lex_close(LexState *ls);
void lex_fatal(void *scanner, const char *msg);

#endif
