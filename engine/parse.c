/*
 * parse.c - running the scanner and parser, and wording their errors.
 *
 * The grammar and the scanner stay declarative; everything that turns a
 * token into a value or a failure into a helpful sentence is here.
 */
#include "parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    int64_t hundredths;
    if (value_parse_decimal(text, len, 2, &hundredths)) {
        lval->num = hundredths;
        return token;
    }
    return lex_invalid(ls, lval, "`%.*s%s` has more than two decimals or is too large: svp is exact to a hundredth",
                       (int)len, text, token == PERCENT ? "%" : "");
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

/* ---- Syntax errors ----------------------------------------------------- */

/* Token names come from the grammar's aliases: "\"rule\"" for keywords,
 * "'['" for characters, and plain words such as "name" for categories. */
static void describe_token(char *out, size_t size, const char *name)
{
    static const char *const categories[] = {
        "money amount", "percentage", "number", "date", "text in quotes", "name",
        "field path", "rule id", "invalid text", "end of file", NULL};
    /* bison 3.8 gives keyword aliases unquoted and characters as 'x' */
    size_t len = strlen(name);
    if (len >= 2 && (name[0] == '"' || name[0] == '\'')) {
        name++;
        len -= 2;
    }
    for (int i = 0; categories[i]; i++)
        if (strlen(categories[i]) == len && !strncmp(categories[i], name, len)) {
            snprintf(out, size, "%s %.*s", strchr("aeiou", name[0]) ? "an" : "a", (int)len, name);
            return;
        }
    snprintf(out, size, "`%.*s`", (int)len, name);
}

static bool is_category(const char *name)
{
    static const char *const categories[] = {"name", "number", "date", "percentage", NULL};
    for (int i = 0; categories[i]; i++)
        if (!strcmp(categories[i], name))
            return true;
    return false;
}

/* A misspelt keyword: the expected keyword closest to the found word.
 * Keywords are the expected names made only of lowercase letters. */
static const char *keyword_suggestion(const char *word, size_t len, const char *const *expected, int n)
{
    const char *best = NULL;
    size_t best_d = len <= 4 ? 1 : 2;
    for (int i = 0; i < n; i++) {
        const char *k = expected[i];
        size_t klen = strlen(k);
        if (strspn(k, "abcdefghijklmnopqrstuvwxyz") != klen || is_category(k))
            continue;
        size_t d = diag_distance(word, len, k, klen);
        if (d <= best_d && d > 0) {
            best = k;
            best_d = d;
        }
    }
    return best;
}

void parse_syntax_error(AstBuilder *ab, LexState *ls, Span where, bool invalid, bool eof,
                        bool dashed, const char *const *expected, int n)
{
    if (invalid) {
        diag_add(ab->diags, SVP_ERROR, "syntax", where.start, where.end, "%s", ls->msg);
        return;
    }
    char found[96];
    size_t len = where.end - where.start;
    const char *text = ab->src + where.start;
    if (eof)
        snprintf(found, sizeof found, "end of file");
    else if (len > 40 || memchr(text, '\n', len))
        snprintf(found, sizeof found, "`%.37s...`", text);
    else
        snprintf(found, sizeof found, "`%.*s`", (int)len, text);

    if (eof && ls->expr_mode) {
        diag_add(ab->diags, SVP_ERROR, "syntax", where.start, where.start + 1,
                 "unexpected `}`: the expression in the message's braces is incomplete");
        return;
    }
    /* A long list helps nobody: after an expression, leave out the
     * operators that could continue it, and list what remains if short. */
    const char *shown[PARSE_MAX_EXPECTED];
    int listed = 0;
    bool operators = false;
    for (int i = 0; i < n; i++) {
        static const char *const ops[] = {"and", "or", "not", "in", "is", "'+'", "'-'", "'*'", "'='",
                                          "'<'", "'>'", "<=", ">=", "!=", NULL};
        bool op = false;
        for (int k = 0; ops[k]; k++)
            op |= !strcmp(expected[i], ops[k]);
        if (op && n > PARSE_MAX_EXPECTED) {
            operators = true;
            continue;
        }
        if (listed < PARSE_MAX_EXPECTED)
            shown[listed] = expected[i];
        listed++;
    }
    if (listed > PARSE_MAX_EXPECTED)
        listed = 0;
    char msg[640];
    int at = snprintf(msg, sizeof msg, "unexpected %s", found);
    for (int i = 0; i < listed && at < (int)sizeof msg - 64; i++) {
        char name[64];
        describe_token(name, sizeof name, shown[i]);
        at += snprintf(msg + at, sizeof msg - (size_t)at, "%s%s",
                       i == 0 ? ", expected " : i == listed - 1 && !operators ? " or " : ", ", name);
    }
    if (listed && operators && at < (int)sizeof msg - 32)
        at += snprintf(msg + at, sizeof msg - (size_t)at, " or an operator");
    const char *kw = (!eof && !dashed) ? keyword_suggestion(text, len, expected, n) : NULL;
    if (kw)
        snprintf(msg + at, sizeof msg - (size_t)at, "; did you mean `%s`?", kw);
    else if (dashed)
        snprintf(msg + at, sizeof msg - (size_t)at,
                 "; only rule ids contain `-`: for subtraction put spaces around it, like `a - b`");
    if (eof && ls->depth > 0)
        snprintf(msg + at, sizeof msg - (size_t)at, "; a bracket is still open");
    diag_add(ab->diags, SVP_ERROR, "syntax", where.start, where.end, "%s", msg);
    if (kw)
        diag_suggest(ab->diags, kw, strlen(kw)); /* the quick fix of editors */

    bool wants_close = false;
    for (int i = 0; i < n; i++)
        if (!strcmp(expected[i], "')'") || !strcmp(expected[i], "']'"))
            wants_close = true;
    if (wants_close && ls->depth > 0 && ls->depth <= LEX_MAX_OPEN) {
        Span o = ls->open[ls->depth - 1];
        diag_add(ab->diags, SVP_NOTE, "syntax", o.start, o.end,
                 "the `%c` opened here is not closed", ab->src[o.start]);
    }
}

/* ---- Driver ------------------------------------------------------------ */

int parse_source(AstBuilder *ab, uint32_t start, uint32_t end, bool expr_only)
{
    /* yy_scan_buffer scans in place and needs two NULs after the text. */
    size_t len = end - start;
    char *text = arena_alloc(ab->arena, len + 2);
    if (!text) {
        ab->oom = true;
        return 1;
    }
    memcpy(text, ab->src + start, len);
    LexState *ls = arena_alloc(ab->arena, sizeof *ls);
    if (!ls) {
        ab->oom = true;
        return 1;
    }
    ls->base = start;
    ls->ab = ab;
    ls->start_token = expr_only ? START_EXPR : 0;
    ls->expr_mode = expr_only;
    yyscan_t scanner = NULL;
    if (svpyylex_init_extra(ls, &scanner))
        abort(); /* the pool is large enough: see svpyyalloc */
    svpyy_scan_buffer(text, len + 2, scanner);
    int rc = svpyyparse(scanner, ab, ls);
    svpyylex_destroy(scanner);
    return rc;
}
