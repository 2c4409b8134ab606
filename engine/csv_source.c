/*
 * csv_source.c - reading a CSV register for svp import, with libcsv.
 *
 * Debian's libcsv does the parsing as RFC 4180 has it: quoted fields with
 * commas, doubled quotes and line breaks inside, CR, LF or CRLF line ends,
 * blank lines skipped.  Around it, this file adds what registers as people
 * export them need: a UTF-8 byte-order mark is dropped; the first row is
 * the header, whose names (spaces around them and case ignored) find the
 * columns the mapping names, in any order, extra columns ignored; a row
 * with more or fewer fields than the header is left out with its line
 * number, and the rest goes on.  Each row becomes an item whose members
 * are the mapping's column names, holding the cells' texts; a blank cell
 * is absent.  A row whose cells are not UTF-8 is left out, saying which.
 *
 * libcsv reports fields and row ends, not lines, so the input is fed one
 * physical line at a time: a row starts on the first line that is not
 * blank after the previous row ended, which is the line a reason names.
 */
#include "import.h"

#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct CsvState {
    const svp_allocator *alloc;
    const svp_mapping *m;
    svp_import *im;
    const char *input;
    Arena scratch;
    char **cells;          /* the current row's fields (through alloc) */
    size_t *cell_size;     /* each cell's allocation, for freeing it */
    size_t ncells, cap;
    bool oom;
    bool in_row;           /* a row has started and not ended */
    unsigned long row_line;
    bool have_header;
    int32_t *column_of;    /* for each mapping column: its field index in a row */
    size_t nheader;
    const char *error;
    char error_text[512];
} CsvState;

static void on_field(void *data, size_t len, void *ctx)
{
    CsvState *S = ctx;
    if (S->ncells == S->cap) {
        size_t cap = S->cap ? S->cap * 2 : 32;
        char **bigger = svp_mem_realloc(S->alloc, S->cells, S->cap * sizeof *bigger, cap * sizeof *bigger);
        size_t *sizes = bigger ? svp_mem_realloc(S->alloc, S->cell_size, S->cap * sizeof *sizes, cap * sizeof *sizes) : NULL;
        if (bigger)
            S->cells = bigger;
        if (!sizes) {
            S->oom = true;
            return;
        }
        S->cell_size = sizes;
        S->cap = cap;
    }
    char *cell = svp_mem_alloc(S->alloc, len + 1);
    if (!cell) {
        S->oom = true;
        return;
    }
    S->cell_size[S->ncells] = len + 1;
    if (len)
        memcpy(cell, data, len);
    cell[len] = '\0';
    S->cells[S->ncells++] = cell;
}

static void clear_row(CsvState *S)
{
    for (size_t i = 0; i < S->ncells; i++)
        svp_mem_free(S->alloc, S->cells[i], S->cell_size[i]);
    S->ncells = 0;
}

static bool blank_text(const char *s)
{
    return s[strspn(s, " \t\r\n")] == '\0';
}

static bool same_header(const char *cell, const char *want)
{
    size_t len = strlen(cell);
    while (len && strchr(" \t", cell[len - 1]))
        len--;
    cell += strspn(cell, " \t");
    len = strlen(cell) < len ? strlen(cell) : len;
    return strlen(want) == len && !strncasecmp(cell, want, len);
}

/* The offset of the first byte of s that is not UTF-8, or -1 when all is. */
static long first_non_utf8(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t k = buf_utf8_char(s + i, n - i);
        if (!k)
            return (long)i;
        i += k;
    }
    return -1;
}

static void take_header(CsvState *S)
{
    const svp_mapping *m = S->m;
    S->column_of = svp_mem_alloc(S->alloc, (m->ncolumns + 1) * sizeof *S->column_of);
    if (!S->column_of) {
        S->oom = true;
        return;
    }
    char missing[400] = "";
    size_t at = 0;
    for (uint32_t c = 0; c < m->ncolumns; c++) {
        S->column_of[c] = -1;
        for (size_t i = 0; i < S->ncells && S->column_of[c] < 0; i++)
            if (same_header(S->cells[i], m->columns[c].header))
                S->column_of[c] = (int32_t)i;
        if (S->column_of[c] < 0 && at < sizeof missing - 80)
            at += (size_t)snprintf(missing + at, sizeof missing - at, "%s\"%.60s\"", at ? ", " : "",
                                   m->columns[c].header);
    }
    if (at) {
        bool non_utf8 = false;
        for (size_t i = 0; i < S->ncells; i++)
            non_utf8 |= first_non_utf8(S->cells[i]) >= 0;
        snprintf(S->error_text, sizeof S->error_text, "the header row (line %lu) has no column %s%s", S->row_line, missing,
                 non_utf8 ? " (and it is not UTF-8: save the register as \"CSV UTF-8\")" : "");
        S->error = S->error_text;
    }
    /* A column the mapping reads, named twice: which one holds the value is
     * not known, so neither is guessed at. */
    for (uint32_t c = 0; c < m->ncolumns && !S->error; c++)
        for (size_t i = (size_t)S->column_of[c] + 1; S->column_of[c] >= 0 && i < S->ncells && !S->error; i++)
            if (same_header(S->cells[i], m->columns[c].header)) {
                snprintf(S->error_text, sizeof S->error_text,
                         "the header row (line %lu) names the column \"%.60s\" twice (columns %d and %zu)",
                         S->row_line, m->columns[c].header, S->column_of[c] + 1, i + 1);
                S->error = S->error_text;
            }
    S->nheader = S->ncells;
    S->have_header = true;
}

/* A register exported as Excel's "CSV" (not "CSV UTF-8") is in
 * Windows-1252, where £ is the single byte 0xA3.  Such a row is left out
 * with every column at fault named, and a fix that an officer can follow:
 * guessing the encoding would put wrong letters into the register. */
static bool refuse_non_utf8(CsvState *S, const char *label)
{
    char why[400];
    size_t at = 0;
    bool pound = false;
    for (uint32_t c = 0; c < S->m->ncolumns; c++) {
        const char *cell = S->cells[S->column_of[c]];
        long bad = first_non_utf8(cell);
        if (bad < 0)
            continue;
        pound |= (unsigned char)cell[bad] == 0xA3;
        if (at < sizeof why - 120)
            at += (size_t)snprintf(why + at, sizeof why - at, "%s\"%.60s\" holds the byte 0x%02X", at ? ", " : "",
                                   S->m->columns[c].header, (unsigned char)cell[bad]);
    }
    if (!at)
        return false;
    snprintf(why + at, sizeof why - at, ", which is not UTF-8%s: save the register as \"CSV UTF-8\"",
             pound ? " (a £ in Windows-1252, as Excel's plain \"CSV\" writes it)" : "");
    import_left_out(S->im, false, S->input, label, why);
    return true;
}

static void take_row(CsvState *S)
{
    char label[48];
    snprintf(label, sizeof label, "line %lu", S->row_line);
    if (S->ncells != S->nheader) {
        char why[128];
        snprintf(why, sizeof why, "the row has %zu fields and the header %zu", S->ncells, S->nheader);
        import_left_out(S->im, false, S->input, label, why);
        return;
    }
    if (refuse_non_utf8(S, label))
        return;
    const svp_mapping *m = S->m;
    SNode *row = snode_new(&S->scratch, SN_OBJECT, NULL, NULL);
    SNode **tail = row ? &row->child : NULL;
    for (uint32_t c = 0; c < m->ncolumns && row; c++) {
        const char *cell = S->cells[S->column_of[c]];
        if (blank_text(cell))
            continue; /* a blank cell is absent */
        SNode *n = snode_new(&S->scratch, SN_STRING, m->columns[c].name, arena_strndup(&S->scratch, cell, strlen(cell)));
        if (!n || !n->text) {
            row = NULL;
            break;
        }
        *tail = n;
        tail = &n->next;
    }
    if (!row) {
        import_left_out(S->im, false, S->input, label, "out of memory");
        arena_reset(&S->scratch);
        return;
    }
    import_item(S->im, S->input, label, row, &S->scratch);
}

static void on_row(int terminator, void *ctx)
{
    (void)terminator;
    CsvState *S = ctx;
    S->in_row = false;
    bool all_blank = true;
    for (size_t i = 0; i < S->ncells; i++)
        all_blank &= blank_text(S->cells[i]);
    if (!S->oom && !S->error && !all_blank) {
        if (!S->have_header)
            take_header(S);
        else
            take_row(S);
    }
    clear_row(S);
}

bool csv_read(const svp_mapping *m, svp_import *im, FILE *in, const char *name, const char **error,
              const svp_allocator *alloc)
{
    static char message[600];
    CsvState S;
    memset(&S, 0, sizeof S);
    S.alloc = alloc;
    S.m = m;
    S.im = im;
    S.input = name;
    arena_init(&S.scratch, alloc, 0);
    struct csv_parser parser;
    if (csv_init(&parser, CSV_APPEND_NULL) != 0) {
        *error = "out of memory";
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned long lineno = 0;
    while ((got = getline(&line, &cap, in)) >= 0 && !S.error && !S.oom) {
        lineno++;
        const char *text = line;
        size_t len = (size_t)got;
        if (lineno == 1 && len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
            text += 3, len -= 3; /* a byte-order mark */
        if (!S.in_row && len && !blank_text(text)) {
            S.in_row = true;
            S.row_line = lineno;
        }
        if (csv_parse(&parser, text, len, on_field, on_row, &S) != len) {
            snprintf(message, sizeof message, "line %lu: %s", lineno, csv_strerror(csv_error(&parser)));
            S.error = message;
        }
    }
    bool read_failed = ferror(in);
    if (!S.error && !S.oom)
        csv_fini(&parser, on_field, on_row, &S);
    csv_free(&parser);
    clear_row(&S);
    svp_mem_free(alloc, S.cells, S.cap * sizeof *S.cells);
    svp_mem_free(alloc, S.cell_size, S.cap * sizeof *S.cell_size);
    svp_mem_free(alloc, S.column_of, (m->ncolumns + 1) * sizeof *S.column_of);
    free(line);
    arena_free(&S.scratch);
    if (read_failed) {
        snprintf(message, sizeof message, "cannot read: %s", strerror(errno));
        S.error = message;
    } else if (S.oom) {
        S.error = "out of memory";
    } else if (!S.error && !S.have_header) {
        S.error = "the register is empty: no header row";
    }
    if (S.error && S.error == S.error_text) {
        snprintf(message, sizeof message, "%s", S.error_text);
        S.error = message;
    }
    *error = S.error;
    return S.error == NULL;
}
