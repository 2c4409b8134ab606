/*
 * diag.c - the diagnostic list and its rendering for people.
 *
 * Rendering follows the compilers people already know: a "file:line:col:
 * severity: message" line, then the source line, then a caret line whose
 * carets sit under the offending text (tabs in the source are kept in the
 * caret line so the carets line up whatever the tab width).
 */
#include "diag.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"

svp_diagnostics *diag_new(const svp_allocator *alloc, const char *file,
                          const char *source, size_t len)
{
    svp_diagnostics *d = svp_mem_alloc(alloc, sizeof *d);
    if (!d)
        return NULL;
    memset(d, 0, sizeof *d);
    d->alloc = alloc;
    arena_init(&d->arena, alloc, 0);
    d->file = arena_strndup(&d->arena, file, strlen(file));
    d->source = arena_strndup(&d->arena, source ? source : "", source ? len : 0);
    d->source_len = source ? len : 0;
    if (!d->file || !d->source) {
        arena_free(&d->arena);
        svp_mem_free(alloc, d, sizeof *d);
        return NULL;
    }
    return d;
}

/* The length of a UTF-8 byte-order mark opening src (0 or 3): the scanner
 * skips it, and columns and excerpts do not count or show it. */
static size_t bom_length(const char *src, size_t len)
{
    return len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3) ? 3 : 0;
}

/* 1-based line and character column of byte offset `at`. */
static void line_and_column(const char *src, size_t len, size_t at,
                            unsigned *line, unsigned *column)
{
    unsigned l = 1, c = 1;
    if (at > len)
        at = len;
    for (size_t i = bom_length(src, len); i < at; i++) {
        unsigned char ch = (unsigned char)src[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++; /* count characters, not UTF-8 continuation bytes */
        }
    }
    *line = l;
    *column = c;
}

static bool diag_reserve(svp_diagnostics *d)
{
    if (d->count < d->cap)
        return true;
    size_t cap = d->cap ? d->cap * 2 : 16;
    svp_diagnostic *items = svp_mem_realloc(d->alloc, d->items,
                                            d->cap * sizeof *items, cap * sizeof *items);
    if (!items)
        return false;
    d->items = items;
    d->cap = cap;
    return true;
}

void diag_vadd(svp_diagnostics *d, svp_severity sev, const char *code,
               size_t start, size_t end, const char *fmt, va_list ap)
{
    if (sev == SVP_ERROR)
        d->errors++;
    else if (sev == SVP_WARNING)
        d->warnings++;
    d->last_kept = false;
    if (d->count >= DIAG_MAX_KEPT) {
        d->dropped++; /* counted, not kept: see svp_diagnostics_render */
        return;
    }
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    char *text = arena_strndup(&d->arena, msg, strlen(msg));
    if (!text || !diag_reserve(d)) {
        d->oom = true;
        return;
    }
    svp_diagnostic *g = &d->items[d->count++];
    g->file = NULL;
    g->severity = sev;
    g->code = code;
    g->message = text;
    g->replacement = NULL;
    d->last_kept = true;
    g->start = start;
    g->end = end < start ? start : end;
    if (start == (size_t)-1) {
        g->line = g->column = 0;
        g->start = g->end = 0;
    } else {
        line_and_column(d->source, d->source_len, start, &g->line, &g->column);
    }
}

void diag_add(svp_diagnostics *d, svp_severity sev, const char *code,
              size_t start, size_t end, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, sev, code, start, end, fmt, ap);
    va_end(ap);
}

void diag_suggest(svp_diagnostics *d, const char *text, size_t len)
{
    if (d->last_kept && d->count)
        d->items[d->count - 1].replacement = arena_strndup(&d->arena, text, len);
}

size_t diag_distance(const char *a, size_t na, const char *b, size_t nb, size_t max)
{
    /* Only the cells within max of the diagonal can stay within max, so
     * each row computes just those (a band 2 * max + 1 wide) and the
     * search stops as soon as a whole row is out of reach. */
    const size_t out = max + 1;
    size_t row[72];
    if (na > 70 || nb > 70 || (na > nb ? na - nb : nb - na) > max)
        return out; /* the lengths alone put it out of reach */
    for (size_t j = 0; j <= nb; j++)
        row[j] = j <= max ? j : out;
    for (size_t i = 1; i <= na; i++) {
        size_t lo = i > max ? i - max : 1, hi = i + max < nb ? i + max : nb;
        size_t diag = row[lo - 1], left = lo == 1 && i <= max ? i : out, least = left;
        row[lo - 1] = left;
        for (size_t j = lo; j <= hi; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (left + 1 < best)
                best = left + 1;
            if (up + 1 < best)
                best = up + 1;
            best = best < out ? best : out;
            row[j] = left = best;
            diag = up;
            least = best < least ? best : least;
        }
        if (least > max)
            return out; /* every later row is at least this far */
    }
    return row[nb] < out ? row[nb] : out;
}

size_t svp_diagnostics_count(const svp_diagnostics *d) { return d ? d->count : 0; }
size_t svp_diagnostics_errors(const svp_diagnostics *d) { return d ? d->errors : 0; }
size_t svp_diagnostics_warnings(const svp_diagnostics *d) { return d ? d->warnings : 0; }

const svp_diagnostic *svp_diagnostics_get(const svp_diagnostics *d, size_t i)
{
    return d && i < d->count ? &d->items[i] : NULL;
}

static const char *severity_word(svp_severity s)
{
    return s == SVP_ERROR ? "error" : s == SVP_WARNING ? "warning" : "note";
}

static const char *severity_colour(svp_severity s)
{
    return s == SVP_ERROR ? "\033[1;31m" : s == SVP_WARNING ? "\033[1;35m" : "\033[1;36m";
}

/* How much of a long source line an excerpt shows around the mistake. */
#define EXCERPT_BEFORE 60
#define EXCERPT_AFTER 100

/* Step back from i to the start of a UTF-8 character (not before lo). */
static size_t char_start(const char *src, size_t lo, size_t i)
{
    while (i > lo && ((unsigned char)src[i] & 0xC0) == 0x80)
        i--;
    return i;
}

/* The length of the character at s (n > 0 bytes there) when an excerpt
 * shows it as it is: 0 for a control character (tab aside) or a byte that
 * is not UTF-8, which the excerpt shows as U+FFFD so that nothing in a
 * policy can send a terminal an escape sequence. */
static size_t shown_char(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    if (c == '\t')
        return 1;
    if (c < 0x20 || c == 0x7F)
        return 0;
    size_t len = buf_utf8_char(s, n);
    bool c1 = len == 2 && c == 0xC2 && (unsigned char)s[1] < 0xA0;
    return c1 ? 0 : len;
}

/* The source line holding g, then carets under its span (at least one;
 * a span running past the end of the line stops at the line's end).  A
 * very long line is cut to a window around the mistake, marked "...". */
static void render_excerpt(Buf *b, const svp_diagnostics *d, const svp_diagnostic *g, bool color)
{
    const char *src = d->source;
    size_t ls = g->start, le;
    while (ls > 0 && src[ls - 1] != '\n')
        ls--;
    for (le = g->start; le < d->source_len && src[le] != '\n'; le++)
        ;
    if (ls == 0 && g->start >= bom_length(src, d->source_len))
        ls = bom_length(src, d->source_len);
    size_t line_end = le;
    if (line_end > ls && src[line_end - 1] == '\r')
        line_end--;
    size_t from = ls, to = line_end;
    if (g->start - ls > EXCERPT_BEFORE)
        from = char_start(src, ls, g->start - EXCERPT_BEFORE);
    if (to - g->start > EXCERPT_AFTER)
        to = char_start(src, g->start, g->start + EXCERPT_AFTER);
    const char *dots = "...";
    if (from > ls)
        buf_puts(b, dots);
    for (size_t i = from, n; i < to; i += n) {
        n = shown_char(src + i, to - i);
        if (n)
            buf_append(b, src + i, n);
        else
            buf_puts(b, "\xEF\xBF\xBD"); /* U+FFFD: one column, like the byte it stands for */
        n = n ? n : 1;
    }
    if (to < line_end)
        buf_puts(b, dots);
    buf_putc(b, '\n');
    if (from > ls)
        buf_puts(b, "   ");
    for (size_t i = from, n; i < g->start; i += n) {
        n = shown_char(src + i, g->start - i);
        buf_putc(b, src[i] == '\t' ? '\t' : ' ');
        n = n ? n : 1;
    }
    if (color)
        buf_puts(b, "\033[1;32m");
    size_t stop = g->end < to ? g->end : to;
    buf_putc(b, '^');
    size_t first = shown_char(src + g->start, stop > g->start ? stop - g->start : 1);
    for (size_t i = g->start + (first ? first : 1), n; i < stop; i += n) {
        n = shown_char(src + i, stop - i);
        buf_putc(b, '^');
        n = n ? n : 1;
    }
    if (color)
        buf_puts(b, "\033[0m");
    buf_putc(b, '\n');
}

void diag_add_about(svp_diagnostics *d, svp_severity sev, const char *code, const char *file,
                    const char *fmt, ...)
{
    size_t before = d->count;
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, sev, code, (size_t)-1, 0, fmt, ap);
    va_end(ap);
    if (d->count == before)
        return; /* counted only, or out of memory */
    const char *copy = arena_strndup(&d->arena, file, strlen(file));
    if (copy)
        d->items[before].file = copy;
    else
        d->oom = true;
}

char *svp_diagnostics_render(const svp_diagnostics *d, bool color)
{
    Buf b;
    buf_init(&b, NULL); /* strings handed out come from the C library */
    for (size_t i = 0; i < d->count; i++) {
        const svp_diagnostic *g = &d->items[i];
        if (g->line)
            buf_printf(&b, "%s:%u:%u: ", d->file, g->line, g->column);
        else
            buf_printf(&b, "%s: ", g->file ? g->file : d->file);
        if (color)
            buf_puts(&b, severity_colour(g->severity));
        buf_puts(&b, severity_word(g->severity));
        buf_puts(&b, color ? ":\033[0m " : ": ");
        buf_puts(&b, g->message);
        buf_putc(&b, '\n');
        if (g->line)
            render_excerpt(&b, d, g, color);
    }
    if (d->oom)
        buf_printf(&b, "%s: error: out of memory: some diagnostics were lost\n", d->file);
    if (d->dropped)
        buf_printf(&b, "%s: note: %zu more diagnostics not shown (svp shows the first %d)\n", d->file, d->dropped,
                   DIAG_MAX_KEPT);
    return buf_take(&b, NULL);
}

void svp_diagnostics_free(svp_diagnostics *d)
{
    if (!d)
        return;
    const svp_allocator *alloc = d->alloc;
    svp_mem_free(alloc, d->items, d->cap * sizeof *d->items);
    arena_free(&d->arena);
    svp_mem_free(alloc, d, sizeof *d);
}
