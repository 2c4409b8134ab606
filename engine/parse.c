/*
 * parse.c - running the scanner and parser, and wording syntax errors.
 *
 * The grammar and the scanner stay declarative: what turns a failure into
 * a helpful sentence is here, what turns a token into a value is lex.c.
 */
#include "parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexer.h"
#include "value.h"

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
        size_t d = diag_distance(word, len, k, klen, best_d);
        if (d <= best_d && d > 0) {
            best = k;
            best_d = d;
        }
    }
    return best;
}

/* A syntax error on the line where a text that ran over a line end
 * closed: the text's own closing quote is most likely missing, and the
 * quote that closed it opened the next text.  Said at the opening quote;
 * true when said. */
static bool unterminated_text(AstBuilder *ab, const LexState *ls, Span where)
{
    Span t = ls->last_text;
    if (!ls->last_text_lines || t.end > where.start)
        return false;
    for (uint32_t i = t.end; i < where.start; i++)
        if (ab->src[i] == '\n')
            return false;
    unsigned line = 1;
    for (uint32_t i = 0; i < t.end; i++)
        line += ab->src[i] == '\n';
    diag_add(ab->diags, SVP_ERROR, "syntax", t.start, t.start + 1,
             "unterminated text: this `\"` opens a text that runs on to line %u; add its closing `\"`", line);
    return true;
}

void parse_syntax_error(AstBuilder *ab, LexState *ls, Span where, bool invalid, bool eof,
                        bool dashed, const char *const *expected, int n)
{
    if (invalid) {
        diag_add(ab->diags, SVP_ERROR, "syntax", where.start, where.end, "%s", ls->msg);
        return;
    }
    if (!eof && unterminated_text(ab, ls, where))
        return;
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
    /* The operators that came with units (`/`, `not in`, `rounded`) are
     * never listed: "an operator" covers them, and the messages written
     * before them read as they did. */
    static const char *const unit_ops[] = {"not in", "'/'", "rounded", NULL};
    int quiet = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; unit_ops[k]; k++)
            quiet += !strcmp(expected[i], unit_ops[k]);
    for (int i = 0; i < n; i++) {
        bool unit_op = false;
        for (int k = 0; unit_ops[k]; k++)
            unit_op |= !strcmp(expected[i], unit_ops[k]);
        if (unit_op)
            continue;
        static const char *const ops[] = {"and", "or", "not", "in", "is", "'+'", "'-'", "'*'", "'='",
                                          "'<'", "'>'", "<=", ">=", "!=", "'['", NULL};
        bool op = false;
        for (int k = 0; ops[k]; k++)
            op |= !strcmp(expected[i], ops[k]);
        if (op && n - quiet > PARSE_MAX_EXPECTED) {
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
    /* The scanner's state lives only as long as this parse (diagnostics
     * copy what they need), so it is not taken from the policy's arena:
     * a policy with a hundred thousand `{...}` in its messages would keep
     * 3 KB for each. */
    LexState state;
    memset(&state, 0, sizeof state);
    LexState *ls = &state;
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
