/*
 * lex.c - the scanner's helpers, called from grammar/lexer.l's actions:
 * turning a literal's text into its value (or into an invalid token that
 * says what is wrong with it), keeping comments and open brackets for the
 * formatter and the error messages, and flex's allocations.
 */
#include "lex.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "lexer.h"
#include "value.h"

/* ---- Scanner helpers --------------------------------------------------- */

int lex_invalid(LexState *ls, SVPYYSTYPE *lval, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ls->msg, sizeof ls->msg, fmt, ap);
    va_end(ap);
    lval->msg = ls->msg;
    return INVALID;
}

/* A text in quotes: only well-formed UTF-8, and no control character but
 * the layout ones (tab, line breaks), since texts end up on people's
 * screens and in JSON.  A bad byte is reported where it is. */
int lex_text(LexState *ls, const char *text, size_t len, SVPYYSTYPE *lval, SVPYYLTYPE *lloc)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)text[i];
        size_t n = buf_utf8_char(text + i, len - i);
        bool control = n == 1 && (c == 0x7F || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'));
        if (n && !control) {
            i += n;
            continue;
        }
        lloc->start += (uint32_t)i;
        lloc->end = lloc->start + 1;
        if (control)
            return lex_invalid(ls, lval, "this text holds the control character 0x%02X: remove it", c);
        return lex_invalid(ls, lval, "this text holds the byte 0x%02X, which is not UTF-8: save the policy as UTF-8", c);
    }
    return STRING;
}

int lex_invalid_char(LexState *ls, SVPYYSTYPE *lval, unsigned char c)
{
    if (c == '\'')
        return lex_invalid(ls, lval, "unexpected `'`: text is written in double quotes, \"like this\"");
    if (c == '%')
        return lex_invalid(ls, lval, "unexpected `%%`: a percentage is written with its number, like 10%%");
    if (c == '.')
        return lex_invalid(ls, lval, "unexpected `.`: a field path is written without spaces, like weighting.price");
    if (c >= 0x20 && c < 0x7F)
        return lex_invalid(ls, lval, "unexpected character `%c`", c);
    return lex_invalid(ls, lval, "unexpected byte 0x%02X", c);
}

int lex_money(LexState *ls, const char *text, size_t len, SVPYYSTYPE *lval)
{
    const size_t pound = 2; /* "£" is two bytes of UTF-8 */
    int64_t pence;
    if (value_parse_money_literal(text + pound, len - pound, &pence)) {
        lval->num = pence;
        return MONEY;
    }
    size_t bad = strspn(text + pound, "0123456789,.");
    if (pound + bad < len)
        return lex_invalid(ls, lval,
                           "`%c` is not a digit, in the money amount `%.*s`: write pounds like £100,000 or £350,000.00",
                           text[pound + bad], (int)len, text);
    if (strspn(text + pound, "0123456789,") == len - pound && len - pound > 19)
        return lex_invalid(ls, lval, "the money amount `%.*s` is too large: svp handles amounts below £92,233,720,368,547,758.07",
                           (int)len, text);
    return lex_invalid(ls, lval,
                       "malformed money amount `%.*s`: write pounds with commas between groups of three digits and, "
                       "if needed, two digits of pence, like £100,000 or £350,000.00",
                       (int)len, text);
}

int lex_amount(LexState *ls, const char *text, size_t len, int token, SVPYYSTYPE *lval, Span where)
{
    (void)where;
    int64_t amount; /* a percentage in hundredths, a number in ten-thousandths */
    if (token == PERCENT ? value_parse_decimal(text, len, 2, &amount) : value_parse_number(text, len, &amount)) {
        lval->num = amount;
        return token;
    }
    if (token == NUMBER)
        return lex_invalid(ls, lval, "`%.*s` has more than four decimals or is too large: svp keeps numbers exact to a ten-thousandth",
                           (int)len, text);
    return lex_invalid(ls, lval, "`%.*s%s` has more than two decimals or is too large: svp is exact to a hundredth",
                       (int)len, text, "%");
}

int lex_date(LexState *ls, const char *text, size_t len, SVPYYSTYPE *lval)
{
    int32_t days;
    if (value_parse_date(text, len, &days)) {
        lval->num = days;
        return DATE;
    }
    return lex_invalid(ls, lval, "`%.*s` is not a date in the calendar: write YYYY-MM-DD, like 2020-04-01",
                       (int)len, text);
}

/* `100,000` without its pound sign (issue 11): one INVALID token saying
 * the two ways to write it, rather than a cascade from the first comma. */
int lex_grouped_number(LexState *ls, const char *text, size_t len, SVPYYSTYPE *lval)
{
    char plain[64];
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < sizeof plain; i++)
        if (text[i] != ',')
            plain[n++] = text[i];
    plain[n] = '\0';
    return lex_invalid(ls, lval,
                       "`%.*s` is not a number: write money with its pound sign, like £%.*s, or a number without "
                       "commas, like %s (in a list of numbers, put a space after each comma)",
                       (int)len, text, (int)len, text, plain);
}

/* Keep where the last text in quotes was, and whether it ran over a line
 * end: a syntax error just after such a text is most likely a missing
 * closing quote (parse.c says so, at the opening one). */
void lex_note_text(LexState *ls, Span s)
{
    ls->last_text = s;
    const char *src = ls->ab ? ls->ab->src : NULL;
    ls->last_text_lines = false;
    for (uint32_t i = s.start; src && i < s.end; i++)
        if (src[i] == '\n') {
            ls->last_text_lines = true;
            break;
        }
}

void lex_comment(LexState *ls, Span s)
{
    if (!ls->start_token && ls->ab)
        ast_comment(ls->ab, s);
}

void lex_open(LexState *ls, Span s)
{
    if (ls->depth < LEX_MAX_OPEN)
        ls->open[ls->depth] = s;
    ls->depth++;
}

void lex_close(LexState *ls)
{
    if (ls->depth > 0)
        ls->depth--;
}

void lex_fatal(void *scanner, const char *msg)
{
    /* Unreachable: the scanner's few allocations come from LexState's pool
     * (below) and are sized with room to spare.  flex cannot continue past
     * a fatal error, so stopping is the only honest response. */
    (void)scanner;
    (void)msg;
    abort();
}

/* flex's allocations (its state, one buffer header and the buffer stack)
 * come from a fixed pool inside LexState, and the text is scanned in place
 * (yy_scan_buffer), so scanning allocates nothing and cannot run out of
 * memory.  yylex_init_extra sets the extra pointer on a stand-in scanner
 * before its first allocation, so the pool is always reachable. */
void *svpyyalloc(size_t size, void *scanner)
{
    LexState *ls = scanner ? svpyyget_extra(scanner) : NULL;
    size = (size + 15) & ~(size_t)15;
    if (!ls || ls->pool_used + size > sizeof ls->pool)
        return NULL;
    void *p = ls->pool + ls->pool_used;
    ls->pool_used += size;
    return p;
}

void *svpyyrealloc(void *p, size_t size, void *scanner)
{
    (void)p;
    (void)size;
    (void)scanner;
    return NULL; /* in-place scanning never grows a buffer */
}

void svpyyfree(void *p, void *scanner)
{
    (void)p;
    (void)scanner;
}
