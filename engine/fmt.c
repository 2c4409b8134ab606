/*
 * fmt.c - the canonical layout of a policy file (`svp fmt`).
 *
 * Prints the syntax tree back as text: one declaration after another with
 * a blank line between, clauses on their own lines in a fixed order,
 * columns aligned within a block.  Literals keep the spelling they were
 * written with and parentheses stay where the author put them, so the
 * printed policy parses to the same tree: formatting never changes what
 * the policy means.  Comments are not in the tree; they are kept by
 * position: each is printed before the first construct that follows it,
 * or at the end of the line it trailed.
 *
 * Line breaks inside an expression, a list or an enumeration are the
 * author's: the formatter keeps each one where it was written (between the
 * same two operands, on the same side of the operator) and gives the next
 * line the canonical indentation, under the start of the expression or
 * just inside the bracket that holds it; it never joins lines or adds
 * breaks of its own.  A file written with CRLF line ends is printed with
 * CRLF line ends throughout.
 */
#include <string.h>

#include "buf.h"
#include "fmt.h"
#include "parse.h"
#include "program.h"
#include "value.h"

typedef struct Fmt {
    Buf out;
    const char *src;
    Comment *next;       /* first comment not yet printed (in source order) */
    size_t run_width;    /* mapping: name width of the run of one-line lets or sets */
    bool one_line;       /* diff.c's printer: author's line breaks not kept */
    int nesting;         /* expr() calls open: 0 outside an expression */
    size_t indent;       /* column a continued line of the expression starts at */
    size_t col_len;      /* column(): output length when last measured, */
    size_t col;          /* the column there, */
    bool col_known;      /* and whether that still holds (false after trimming) */
} Fmt;

static void text(Fmt *F, const char *s) { buf_puts(&F->out, s); }
static void name(Fmt *F, Name n) { buf_append(&F->out, n.text, n.len); }
static void span(Fmt *F, Span s) { buf_append(&F->out, F->src + s.start, s.end - s.start); }

/* The source text of a comment: to the end of its line, without the
 * carriage return of a CRLF line end (the output's line ends are chosen
 * once, for the whole file). */
static void comment_text(Fmt *F, Span s)
{
    while (s.end > s.start && F->src[s.end - 1] == '\r')
        s.end--;
    span(F, s);
}

static void pad(Fmt *F, size_t have, size_t width)
{
    for (size_t i = have; i < width; i++)
        buf_putc(&F->out, ' ');
}

/* Characters (not bytes) in the n bytes of UTF-8 at s: a `£` in a tier's
 * bound is one column wide, so arrows line up by what the reader sees. */
static size_t chars_in(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

/* Characters (not bytes) in a name, for alignment. */
static size_t width_of(Name n)
{
    return chars_in(n.text, n.len);
}

/* True when the source has an empty line between offsets a and b. */
static bool blank_line_between(const Fmt *F, uint32_t a, uint32_t b)
{
    int newlines = 0;
    for (uint32_t i = a; i < b && F->src[i]; i++) {
        if (F->src[i] == '\n')
            newlines++;
        else if (F->src[i] != ' ' && F->src[i] != '\t' && F->src[i] != '\r')
            newlines = 0;
        if (newlines >= 2)
            return true;
    }
    return false;
}

/* Comments that start before `offset`, each on its own line; at the top
 * level an empty line after a comment is kept (it separates a file's
 * opening remarks from what follows). */
static void comments_before(Fmt *F, uint32_t offset, int indent)
{
    while (F->next && F->next->span.start < offset) {
        Comment *c = F->next;
        F->next = c->next;
        pad(F, 0, (size_t)indent);
        comment_text(F, c->span);
        buf_putc(&F->out, '\n');
        uint32_t upto = F->next && F->next->span.start < offset ? F->next->span.start : offset;
        if (indent == 0 && upto != UINT32_MAX && blank_line_between(F, c->span.end, upto))
            buf_putc(&F->out, '\n');
    }
}

/* End a line whose construct ended at `end`, taking along a comment that
 * trailed it on the same source line. */
static void end_line(Fmt *F, uint32_t end)
{
    Comment *c = F->next;
    if (c && c->span.start >= end && !memchr(F->src + end, '\n', c->span.start - end)) {
        text(F, "  ");
        comment_text(F, c->span);
        F->next = c->next;
    }
    buf_putc(&F->out, '\n');
}

/* ---- Expressions ------------------------------------------------------- */

/* The column the output is at: characters (a `£` is one column) since the
 * last line end.  Measured on from the last measurement, so that a policy
 * of one long line with many parentheses costs linear time, not quadratic;
 * after the output was trimmed (col_known false) measured back to the line
 * start, which is near: trimming happens only where a line is broken. */
static size_t column(Fmt *F)
{
    size_t col = 0;
    if (F->col_known && F->col_len <= F->out.len) {
        col = F->col;
        for (size_t i = F->col_len; i < F->out.len; i++)
            col = F->out.data[i] == '\n' ? 0 : col + (((unsigned char)F->out.data[i] & 0xC0) != 0x80);
    } else {
        for (size_t i = F->out.len; i > 0 && F->out.data[i - 1] != '\n'; i--)
            col += ((unsigned char)F->out.data[i - 1] & 0xC0) != 0x80;
    }
    F->col_len = F->out.len;
    F->col = col;
    F->col_known = true;
    return col;
}

/* Drop the spaces that end the output, before a line break. */
static void trim_spaces(Fmt *F)
{
    while (F->out.len && F->out.data[F->out.len - 1] == ' ')
        F->out.len--;
    F->col_known = false;
}

/* The first source offset in [from, to) that is neither layout nor part
 * of a comment: where the word between two operands was written. */
static uint32_t word_at(const Fmt *F, uint32_t from, uint32_t to)
{
    uint32_t i = from;
    while (i < to) {
        char c = F->src[i];
        if (c == '#')
            while (i < to && F->src[i] != '\n')
                i++;
        else if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            i++;
        else
            break;
    }
    return i;
}

/* Start a new line inside a construct, at column F->indent.  The comments
 * written before source offset `upto` go with the break: one that trailed
 * the source line ending at `from` stays at the end of the printed line,
 * the others take lines of their own at the same indentation. */
static void line_break(Fmt *F, uint32_t from, uint32_t upto)
{
    trim_spaces(F);
    bool trailing = true;
    while (F->next && F->next->span.start < upto) {
        Comment *c = F->next;
        F->next = c->next;
        if (trailing && c->span.start >= from && !memchr(F->src + from, '\n', c->span.start - from)) {
            text(F, "  ");
        } else {
            buf_putc(&F->out, '\n');
            pad(F, 0, F->indent);
        }
        trailing = false;
        comment_text(F, c->span);
    }
    buf_putc(&F->out, '\n');
    pad(F, 0, F->indent);
}

/* Print `word` (" and ", ", ") between two parts of a construct whose
 * source lies before `from` and from `to` on.  When the author broke the
 * line between them, the break is kept: before the word when the word
 * began a source line (and `may_lead`: a comma never leads), after it
 * otherwise. */
static void joint(Fmt *F, uint32_t from, uint32_t to, const char *word, bool may_lead)
{
    if (F->one_line || from >= to || !memchr(F->src + from, '\n', to - from)) {
        text(F, word);
        return;
    }
    uint32_t w = word_at(F, from, to);
    const char *bare = word + strspn(word, " ");
    size_t bare_len = strlen(bare);
    while (bare_len && bare[bare_len - 1] == ' ')
        bare_len--;
    if (may_lead && memchr(F->src + from, '\n', w - from)) {
        line_break(F, from, w);
        buf_append(&F->out, bare, bare_len);
        text(F, " ");
        return;
    }
    buf_append(&F->out, word, (size_t)(bare - word) + bare_len);
    line_break(F, from, to);
}

static void expr(Fmt *F, const Expr *e);

/* joint() between two operands (either may be missing after an error). */
static void between(Fmt *F, const Expr *a, const Expr *b, const char *word, bool may_lead)
{
    if (a && b)
        joint(F, a->span.end, b->span.start, word, may_lead);
    else
        text(F, word);
}

static const char *binary_word(uint8_t kind)
{
    switch ((ExprKind)kind) {
    case E_AND: return " and ";
    case E_OR: return " or ";
    case E_EQ: return " = ";
    case E_NE: return " != ";
    case E_LT: return " < ";
    case E_LE: return " <= ";
    case E_GT: return " > ";
    case E_GE: return " >= ";
    case E_ADD: return " + ";
    case E_SUB: return " - ";
    case E_MUL: return " * ";
    case E_IN: return " in ";
    default: return NULL;
    }
}

/* open, the items separated by commas (a wrapped item lines up under the
 * first), close: a list's brackets, min( and max( and their parenthesis. */
static void items(Fmt *F, const char *open, const ExprList *list, const char *close)
{
    text(F, open);
    size_t outer = F->indent;
    F->indent = column(F);
    for (const ExprList *i = list; i; i = i->next) {
        expr(F, i->expr);
        if (i->next)
            between(F, i->expr, i->next->expr, ", ", false);
    }
    F->indent = outer;
    text(F, close);
}

/* Units: division with its rounding, dates apart, min and max.  False
 * when e is none of them. */
static bool units_expr(Fmt *F, const Expr *e)
{
    static const char *const rounding[] = {
        [VALUE_ROUND_DOWN] = " rounded down", [VALUE_ROUND_UP] = " rounded up",
        [VALUE_ROUND_NEAREST] = " rounded to nearest"};
    switch ((ExprKind)e->kind) {
    case E_DIV:
        expr(F, e->a);
        between(F, e->a, e->b, " / ", true);
        expr(F, e->b);
        if (e->num >= VALUE_ROUND_DOWN && e->num <= VALUE_ROUND_NEAREST)
            text(F, rounding[e->num]);
        return true;
    case E_DAYS: case E_MONTHS:
        text(F, e->kind == E_DAYS ? "days from " : "months from ");
        expr(F, e->a);
        between(F, e->a, e->b, " to ", true);
        expr(F, e->b);
        return true;
    case E_MIN: case E_MAX:
        items(F, e->kind == E_MIN ? "min(" : "max(", e->items, ")");
        return true;
    default:
        return false;
    }
}

static void expr_inner(Fmt *F, const Expr *e)
{
    const char *op = binary_word(e->kind);
    if (op) {
        expr(F, e->a);
        between(F, e->a, e->b, e->kind == E_IN && e->flag ? " not in " : op, true);
        expr(F, e->b);
        return;
    }
    if (units_expr(F, e))
        return;
    switch ((ExprKind)e->kind) {
    case E_NOT: text(F, "not "); expr(F, e->a); return;
    case E_PRESENT: case E_BLANK:
        expr(F, e->a);
        text(F, e->flag ? " is not " : " is ");
        text(F, e->kind == E_PRESENT ? "present" : "blank");
        return;
    case E_IF:
        text(F, "if "); expr(F, e->a);
        between(F, e->a, e->b, " then ", true);
        expr(F, e->b);
        between(F, e->b, e->c, " else ", true);
        expr(F, e->c);
        return;
    case E_COUNT: text(F, "count of "); expr(F, e->a); return;
    case E_FIRST: text(F, "first of "); expr(F, e->a); return;
    case E_SUM: text(F, "sum of "); expr(F, e->a); return;
    case E_ALL: case E_ANY:
        text(F, e->kind == E_ALL ? "all of " : "any of ");
        expr(F, e->a);
        text(F, e->flag ? " are true" : " are false");
        return;
    case E_NAMES:
        text(F, "names of "); expr(F, e->a);
        text(F, e->flag ? " that are true" : " that are false");
        return;
    case E_LOOKUP:
        name(F, e->text); text(F, "["); expr(F, e->a); text(F, "]");
        return;
    case E_EACH:
        text(F, e->num == E_SUM ? "sum over " : e->num == E_COUNT ? "count of " : e->num == E_ANY ? "any of " : "all of ");
        expr(F, e->a);
        between(F, e->a, e->b, e->num == E_SUM ? " of " : " where ", true); /* a break the author made is kept */
        expr(F, e->b);
        return;
    case E_LIST:
        items(F, "[", e->items, "]");
        return;
    default: /* literals and names: as written */
        name(F, e->text);
        return;
    }
}

/* Print e.  A line the author broke inside it continues under the start
 * of the outermost expression, or just inside the parenthesis around it. */
static void expr(Fmt *F, const Expr *e)
{
    if (!e)
        return;
    size_t outer = F->indent;
    if (F->nesting++ == 0 && !F->one_line)
        F->indent = column(F);
    if (e->parens) {
        text(F, "(");
        if (!F->one_line)
            F->indent = column(F);
    }
    expr_inner(F, e);
    if (e->parens)
        text(F, ")");
    F->indent = outer;
    F->nesting--;
}

/* The expression printer for diff.c (see diff.h): the same printing as
 * `svp fmt`, into the caller's buffer, always on one line. */
void fmt_expr(Buf *b, const char *src, const Expr *e)
{
    Fmt F = {.out = *b, .src = src, .next = NULL, .one_line = true};
    expr(&F, e);
    *b = F.out;
}

/* ---- Declarations ------------------------------------------------------ */

static void header_line(Fmt *F, const char *key, Name value, bool every)
{
    if (!value.len)
        return;
    comments_before(F, value.span.start, 2);
    text(F, "  ");
    text(F, key);
    pad(F, strlen(key), 10);
    if (every)
        text(F, "every ");
    name(F, value);
    end_line(F, value.span.end);
}

static void header_list(Fmt *F, const char *key, Span at, const ExprList *items)
{
    if (!items)
        return;
    comments_before(F, at.start, 2);
    text(F, "  ");
    text(F, key);
    pad(F, strlen(key), 10);
    uint32_t end = at.end;
    size_t line_start = F->out.len - 12; /* "  " + key padded to 10 */
    for (const ExprList *i = items; i; i = i->next) {
        size_t width = i->expr ? i->expr->span.end - i->expr->span.start : 0;
        if (i != items && F->out.len - line_start + width > 96) {
            /* a long list wraps, continuing under its first item */
            trim_spaces(F);
            text(F, "\n            ");
            line_start = F->out.len - 12;
        }
        expr(F, i->expr);
        if (i->expr)
            end = i->expr->span.end;
        if (i->next) {
            F->indent = 12; /* the author's breaks are kept too, under the first item */
            between(F, i->expr, i->next->expr, ", ", false);
            if (column(F) == 12)
                line_start = F->out.len - 12;
        }
    }
    end_line(F, end);
}

static void header(Fmt *F, const Policy *p)
{
    if (!p->name.len)
        return;
    comments_before(F, p->header.start, 0);
    text(F, "policy ");
    name(F, p->name);
    end_line(F, p->name.span.end);
    header_line(F, "version", p->version, false);
    if (p->effective)
        header_line(F, "effective", p->effective->text, false);
    header_line(F, "review", p->review, true);
    header_line(F, "source", p->source, false);
    header_list(F, "dated by", p->dated_span, p->dated_by);
    header_list(F, "clauses", p->clauses_span, p->clauses);
}

/* A `parameters` block, or a mapping's `columns` (kept as parameters). */
static void params(Fmt *F, const DeclRef *d)
{
    text(F, d->kind == D_COLUMNS ? "columns" : "parameters");
    end_line(F, d->span.end);
    size_t w = 0;
    const Param *a = d->decl;
    for (uint32_t i = 0; i < d->nparams && a; i++, a = a->next)
        if (width_of(a->name) > w)
            w = width_of(a->name);
    a = d->decl;
    for (uint32_t i = 0; i < d->nparams && a; i++, a = a->next) {
        comments_before(F, a->name.span.start, 2);
        text(F, "  ");
        name(F, a->name);
        pad(F, width_of(a->name), w);
        text(F, " = ");
        expr(F, a->value);
        end_line(F, a->value ? a->value->span.end : a->name.span.end);
    }
}

static void enumeration(Fmt *F, const EnumDecl *e)
{
    text(F, "enum ");
    name(F, e->name);
    text(F, e->ordered ? " in order: " : ": ");
    F->indent = column(F); /* a continued line starts under the first member */
    for (uint32_t m = 0; m < e->count; m++) {
        if (m)
            joint(F, e->members[m - 1].span.end, e->members[m].span.start, ", ", false);
        name(F, e->members[m]);
    }
    end_line(F, e->count ? e->members[e->count - 1].span.end : e->name.span.end);
}

static void field_mods(Fmt *F, const Field *f)
{
    if (f->required) {
        text(F, " required");
        if (f->from.len) {
            text(F, " from ");
            name(F, f->from);
        }
    }
    if (f->required_when) {
        text(F, " required when ");
        expr(F, f->required_when);
    }
    if (f->dflt) {
        text(F, " default ");
        expr(F, f->dflt);
    }
}

/* A field's label or help on a line of its own under the field, indented
 * past the field paths; nothing when the field has none. */
static void field_text(Fmt *F, const char *key, Span clause)
{
    if (clause.end == clause.start)
        return;
    comments_before(F, clause.start, 4);
    text(F, "    ");
    text(F, key);
    /* The clause is the keyword, layout, then the string literal, which
     * ends the clause: copy the literal as written. */
    uint32_t q = clause.start;
    while (q < clause.end && F->src[q] != '"')
        q++;
    span(F, (Span){q, clause.end});
    end_line(F, clause.end);
}

static void record(Fmt *F, const RecordDecl *r)
{
    text(F, r->is_object ? "object " : "record ");
    name(F, r->name);
    end_line(F, r->name.span.end);
    size_t wp = 0, wt = 0;
    for (const Field *f = r->fields; f; f = f->next) {
        size_t t = width_of(f->type_name) + (f->is_list ? 8 : 0);
        if (width_of(f->path) > wp)
            wp = width_of(f->path);
        if (t > wt)
            wt = t;
    }
    for (const Field *f = r->fields; f; f = f->next) {
        comments_before(F, f->span.start, 2);
        text(F, "  ");
        name(F, f->path);
        pad(F, width_of(f->path), wp + 1);
        if (f->is_list)
            text(F, "list of ");
        name(F, f->type_name);
        if (f->required || f->required_when || f->dflt)
            pad(F, width_of(f->type_name) + (f->is_list ? 8 : 0), wt);
        field_mods(F, f);
        end_line(F, f->decl_end);
        field_text(F, "label ", f->label_clause);
        field_text(F, "help  ", f->help_clause);
    }
}

/* "  key     " then the rest of a clause line. */
static void clause_key(Fmt *F, const Clause *c, const char *key, size_t width)
{
    comments_before(F, c->span.start, 2);
    text(F, "  ");
    text(F, key);
    pad(F, strlen(key), width);
    text(F, " ");
}

static const char *severity_word(uint8_t s)
{
    return s == SEV_ERROR ? "error " : s == SEV_WARNING ? "warning " : "info ";
}

/* `allow CODE because "why"`, at the given indent (issue 11). */
static void allow_clause(Fmt *F, const Clause *c, int indent)
{
    comments_before(F, c->span.start, indent);
    text(F, indent == 2 ? "  allow   " : "  allow ");
    name(F, c->code);
    text(F, " because ");
    name(F, c->text);
}

/* `else error when COND otherwise warning "message"`: the severity part. */
static void severity_part(Fmt *F, const Clause *c)
{
    text(F, severity_word(c->severity));
    if (c->expr) {
        text(F, "when ");
        expr(F, c->expr);
        text(F, " otherwise ");
        text(F, severity_word(c->otherwise_severity));
    }
}

static void decision(Fmt *F, const Decision *d)
{
    if (d->working)
        text(F, "working ");
    text(F, "decision ");
    name(F, d->name);
    if (d->title.len) {
        text(F, " ");
        name(F, d->title);
    }
    end_line(F, d->title.len ? d->title.span.end : d->name.span.end);
    size_t arrow = 0;
    for (const Clause *c = d->clauses; c; c = c->next)
        if (c->kind == C_TIER) {
            size_t w = c->tier == TIER_OTHERWISE
                           ? 9
                           : 5 + (c->expr ? chars_in(F->src + c->expr->span.start, c->expr->span.end - c->expr->span.start) : 0);
            if (w > arrow)
                arrow = w;
        }
    for (const Clause *c = d->clauses; c; c = c->next) {
        if (c->kind == C_CITE) {
            clause_key(F, c, "cite", 4);
            name(F, c->text);
        } else if (c->kind == C_IS || c->kind == C_BY) {
            clause_key(F, c, c->kind == C_IS ? "is" : "by", 4);
            expr(F, c->expr);
        } else if (c->kind == C_ALLOW) {
            allow_clause(F, c, 0);
        } else {
            comments_before(F, c->span.start, 4);
            size_t at = F->out.len;
            text(F, "    ");
            if (c->tier == TIER_OTHERWISE) {
                text(F, "otherwise");
            } else {
                text(F, c->tier == TIER_OVER ? "over " : "from ");
                expr(F, c->expr);
            }
            pad(F, chars_in(F->out.data + at, F->out.len - at) - 4, arrow);
            text(F, " -> ");
            expr(F, c->value);
        }
        end_line(F, c->span.end);
    }
}

static void rule(Fmt *F, const Rule *r)
{
    text(F, r->figure ? "figure " : r->portfolio ? "portfolio " : "rule ");
    name(F, r->id);
    if (r->title.len) {
        text(F, " ");
        name(F, r->title);
    }
    end_line(F, r->title.len ? r->title.span.end : r->id.span.end);
    /* Clauses stay in the order written: moving one would separate it
     * from the comments around it. */
    static const char *const keys[] = {[C_CITE] = "cite", [C_WHEN] = "when", [C_REQUIRE] = "require",
                                       [C_ELSE] = "else", [C_REPORT] = "report", [C_BECAUSE] = "because",
                                       [C_SHARE] = "share", [C_COUNT] = "count", [C_SUM] = "sum",
                                       [C_GROUP] = "by", [C_TARGET] = "target"};
    for (const Clause *c = r->clauses; c; c = c->next) {
        if (c->kind == C_ALLOW) { /* a key longer than the others: no column */
            allow_clause(F, c, 2);
            end_line(F, c->span.end);
            continue;
        }
        if (c->kind == C_COUNT) { /* a keyword alone: no padding after it */
            comments_before(F, c->span.start, 2);
            text(F, "  count");
            end_line(F, c->span.end);
            continue;
        }
        clause_key(F, c, keys[c->kind], 7);
        if (c->kind == C_CITE) {
            name(F, c->text);
        } else if (c->kind == C_WHEN || c->kind == C_REQUIRE || c->kind == C_SUM || c->kind == C_TARGET) {
            expr(F, c->expr);
        } else if (c->kind == C_GROUP) {
            if (c->tier) {
                name(F, c->text);
                text(F, " of ");
            }
            expr(F, c->expr);
        } else if (c->kind == C_SHARE) {
            F->indent = column(F);
            expr(F, c->expr);
            between(F, c->expr, c->value, " where ", true);
            expr(F, c->value);
        } else if (c->kind == C_BECAUSE) {
            F->indent = column(F);
            for (const ExprList *i = c->names; i; i = i->next) {
                expr(F, i->expr);
                if (i->next)
                    between(F, i->expr, i->next->expr, ", ", false);
            }
        } else {
            severity_part(F, c);
            name(F, c->text);
        }
        end_line(F, c->span.end);
    }
}

/* ---- Import mappings ----------------------------------------------------
 * Consecutive one-line `let`s (or `set`s) with no empty line between form
 * a run: printed without empty lines, their `=` aligned. */

static void mapping_header(Fmt *F, const Policy *p)
{
    const MapHeader *h = p->mapping;
    if (!h)
        return;
    comments_before(F, h->span.start, 0);
    text(F, "import ");
    name(F, h->name);
    end_line(F, h->name.span.end);
    header_line(F, "into", h->into, false);
    header_line(F, "reads", h->reads, false);
    header_list(F, "dates", h->dates_span, h->dates);
}

/* A one-line let or set, which runs together with its neighbours. */
static bool map_one_line(const DeclRef *d)
{
    if (!d || d->kind != D_MAP)
        return false;
    const MapDecl *m = d->decl;
    return m->kind == M_LET || (m->kind == M_SET && !m->cases);
}

static bool map_same_run(const Fmt *F, const DeclRef *a, const DeclRef *b)
{
    return map_one_line(a) && map_one_line(b) && ((const MapDecl *)a->decl)->kind == ((const MapDecl *)b->decl)->kind &&
           !blank_line_between(F, a->span.end, b->span.start);
}

static void mapping(Fmt *F, const MapDecl *m)
{
    if (m->kind == M_LEAVE) {
        text(F, "leave out when ");
        expr(F, m->value);
        end_line(F, m->value->span.end);
        comments_before(F, m->text.span.start, 2);
        text(F, "  because ");
        name(F, m->text);
        end_line(F, m->text.span.end);
        return;
    }
    text(F, m->kind == M_LET ? "let " : "set ");
    name(F, m->name);
    if (!m->cases) {
        pad(F, width_of(m->name), F->run_width);
        text(F, " = ");
        expr(F, m->value);
        if (m->where) {
            text(F, " where ");
            expr(F, m->where);
        }
        end_line(F, m->span.end);
        return;
    }
    end_line(F, m->name.span.end);
    size_t arrow = 0;
    for (const MapCase *c = m->cases; c; c = c->next) {
        size_t w = c->when ? 5 + chars_in(F->src + c->when->span.start, c->when->span.end - c->when->span.start) : 9;
        if (w > arrow)
            arrow = w;
    }
    for (const MapCase *c = m->cases; c; c = c->next) {
        comments_before(F, c->span.start, 2);
        size_t at = F->out.len;
        text(F, "  ");
        if (c->when) {
            text(F, "when ");
            expr(F, c->when);
        } else {
            text(F, "otherwise");
        }
        pad(F, chars_in(F->out.data + at, F->out.len - at) - 2, arrow);
        text(F, " -> ");
        expr(F, c->value);
        end_line(F, c->span.end);
    }
}

/* End a table's line whose construct ended at `end`; a comment after it
 * trails this line only if it comes before `next`, where the next
 * construct starts (a table's rows may share a source line). */
static void table_end_line(Fmt *F, uint32_t end, uint32_t next)
{
    if (F->next && F->next->span.start > next)
        buf_putc(&F->out, '\n');
    else
        end_line(F, end);
}

/* One clause line of a table: `  KEY VALUE`, the keys in a column. */
static void table_clause(Fmt *F, Span key, const char *word)
{
    comments_before(F, key.start, 2);
    text(F, "  ");
    text(F, word);
    pad(F, strlen(word), 11);
}

/* A table: its clauses, then each edition's rows one to a line, the
 * arrows in a column, a comma after every row but an edition's last. */
static void table(Fmt *F, const TableDecl *t)
{
    text(F, "table ");
    name(F, t->name);
    if (t->title.len) {
        text(F, " ");
        name(F, t->title);
    }
    uint32_t end = t->title.len ? t->title.span.end : t->name.span.end;
    if (t->cite.len) {
        table_end_line(F, end, t->cite_key.start);
        table_clause(F, t->cite_key, "cite");
        name(F, t->cite);
        end = t->cite.span.end;
    }
    if (t->key_type.len) {
        table_end_line(F, end, t->keyed_key.start);
        table_clause(F, t->keyed_key, "keyed by");
        name(F, t->key_type);
        end = t->key_type.span.end;
    }
    if (t->edition_by) {
        table_end_line(F, end, t->edition_key.start);
        table_clause(F, t->edition_key, "edition by");
        expr(F, t->edition_by);
        end = t->edition_by->span.end;
    }
    size_t arrow = 0;
    for (const TableEdition *ed = t->editions; ed; ed = ed->next)
        for (const TableRow *r = ed->rows; r; r = r->next)
            if (width_of(r->key->text) > arrow)
                arrow = width_of(r->key->text);
    for (const TableEdition *ed = t->editions; ed; ed = ed->next) {
        if (ed->label) {
            table_end_line(F, end, ed->span.start);
            comments_before(F, ed->span.start, 2);
            text(F, "  edition ");
            name(F, ed->label->text);
            end = ed->label->span.end;
        }
        text(F, ":");
        for (const TableRow *r = ed->rows; r; r = r->next) {
            table_end_line(F, end, r->span.start);
            comments_before(F, r->span.start, 4);
            text(F, "    ");
            name(F, r->key->text);
            pad(F, width_of(r->key->text), arrow);
            text(F, " -> ");
            expr(F, r->value);
            if (r->next)
                text(F, ",");
            end = r->span.end;
        }
    }
    end_line(F, end);
}

static void declaration(Fmt *F, const DeclRef *d)
{
    switch ((DeclKind)d->kind) {
    case D_PARAMS: params(F, d); break;
    case D_ENUM: enumeration(F, d->decl); break;
    case D_RECORD: record(F, d->decl); break;
    case D_DECISION: decision(F, d->decl); break;
    case D_RULE: rule(F, d->decl); break;
    case D_COLUMNS: params(F, d); break;
    case D_MAP: mapping(F, d->decl); break;
    case D_TABLE: table(F, d->decl); break;
    }
}

/* True when the file's line ends are CRLF: its first line end is. */
static bool crlf_file(const char *src, size_t len)
{
    const char *nl = memchr(src, '\n', len);
    return nl && nl > src && nl[-1] == '\r';
}

/* Turn every LF in b into CRLF, in place. */
static void with_crlf(Buf *b)
{
    size_t lines = 0;
    for (size_t i = 0; i < b->len; i++)
        lines += b->data[i] == '\n';
    if (!lines || b->failed)
        return;
    size_t old_len = b->len;
    for (size_t i = 0; i < lines; i++)
        buf_putc(b, ' '); /* room for the carriage returns */
    if (b->failed)
        return;
    for (size_t from = old_len, to = b->len; from > 0;) {
        char c = b->data[--from];
        b->data[--to] = c;
        if (c == '\n')
            b->data[--to] = '\r';
    }
}

char *svp_format(const char *file, const char *src, size_t len, const svp_allocator *alloc,
                 svp_diagnostics **diags, size_t *out_len)
{
    svp_diagnostics *d = diag_new(alloc, file, src, len);
    if (diags)
        *diags = d;
    if (!d)
        return NULL;
    Arena arena;
    arena_init(&arena, alloc, 0);
    Policy tree;
    memset(&tree, 0, sizeof tree);
    AstBuilder ab;
    char *result = NULL;
    const char *copy = len <= (1u << 20) ? arena_strndup(&arena, src, len) : NULL;
    if (len > (1u << 20)) {
        diag_add(d, SVP_ERROR, "limit", (size_t)-1, 0, "the policy is %zu bytes; svp reads policies of up to %u bytes",
                 len, 1u << 20);
    } else if (copy && !memchr(src, '\0', len)) {
        ast_builder_init(&ab, &arena, d, copy, len, &tree);
        if (parse_source(&ab, 0, (uint32_t)len, false) == 0 && !ab.oom && !d->errors) {
            Fmt F;
            memset(&F, 0, sizeof F); /* no line breaks dropped, no expression open, no column known */
            buf_init(&F.out, NULL); /* handed to the caller: C library memory */
            F.src = copy;
            F.next = tree.comments;
            F.run_width = 0;
            header(&F, &tree);
            mapping_header(&F, &tree);
            bool first = !tree.name.len && !tree.mapping;
            const DeclRef *prev = NULL;
            for (const DeclRef *r = tree.order; r; prev = r, r = r->next) {
                bool runs_on = map_same_run(&F, prev, r);
                if (!first && !runs_on)
                    buf_putc(&F.out, '\n');
                first = false;
                if (!runs_on && map_one_line(r)) {
                    F.run_width = 0;
                    for (const DeclRef *n = r, *before = NULL; n && (!before || map_same_run(&F, before, n));
                         before = n, n = n->next)
                        if (width_of(((const MapDecl *)n->decl)->name) > F.run_width)
                            F.run_width = width_of(((const MapDecl *)n->decl)->name);
                }
                comments_before(&F, r->span.start, 0);
                declaration(&F, r);
            }
            if (F.next && !first)
                buf_putc(&F.out, '\n');
            comments_before(&F, UINT32_MAX, 0);
            if (crlf_file(copy, len))
                with_crlf(&F.out);
            result = buf_take(&F.out, out_len);
        } else if (ab.oom) {
            diag_add(d, SVP_ERROR, "oom", (size_t)-1, 0, "out of memory while reading the policy");
        }
    } else if (copy) {
        const char *nul = memchr(src, '\0', len);
        diag_add(d, SVP_ERROR, "syntax", (size_t)(nul - src), (size_t)(nul - src) + 1,
                 "the policy contains a NUL byte: is it a text file?");
    }
    arena_free(&arena);
    if (!diags)
        svp_diagnostics_free(d);
    return result;
}
