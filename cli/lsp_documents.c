/*
 * lsp_documents.c - open documents, edits and positions.
 *
 * The protocol counts a line's characters in UTF-16 code units (LSP 3.17's
 * default and the only encoding every client speaks): `£` is one unit and
 * two UTF-8 bytes, an emoji two units and four bytes.  Each document keeps
 * the offsets where its lines start, rebuilt after each edit, so a
 * position becomes an offset by walking one line only.  Memory is the
 * text, its line table and one index: an edit frees what the last one
 * built, so a thousand edits use what one does.
 */
#include "lsp_documents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

LspDocument *lsp_doc_find(LspDocuments *docs, const char *uri)
{
    for (LspDocument *d = docs->first; d; d = d->next)
        if (!strcmp(d->uri, uri))
            return d;
    return NULL;
}

static bool index_lines(LspDocument *d)
{
    size_t n = 1;
    for (size_t i = 0; i < d->len; i++)
        n += d->text[i] == '\n';
    size_t *lines = malloc(n * sizeof *lines);
    if (!lines)
        return false;
    lines[0] = 0;
    for (size_t i = 0, k = 1; i < d->len; i++)
        if (d->text[i] == '\n')
            lines[k++] = i + 1;
    free(d->lines);
    d->lines = lines;
    d->nlines = n;
    return true;
}

static void free_doc(LspDocument *d)
{
    svp_index_free(d->index);
    svp_diagnostics_free(d->diags);
    free(d->lines);
    free(d->text);
    free(d->path);
    free(d->uri);
    free(d);
}

bool lsp_doc_set_text(LspDocument *d, const char *text, size_t n)
{
    char *t = malloc(n + 1);
    if (!t)
        return false;
    memcpy(t, text, n);
    t[n] = '\0';
    char *old = d->text;
    size_t old_len = d->len;
    d->text = t;
    d->len = n;
    if (!index_lines(d)) {
        d->text = old;
        d->len = old_len;
        free(t);
        return false;
    }
    free(old);
    return true;
}

bool lsp_doc_replace(LspDocument *d, size_t start, size_t end, const char *text, size_t n)
{
    if (end > d->len)
        end = d->len;
    if (start > end)
        start = end;
    size_t len = d->len - (end - start) + n;
    char *t = malloc(len + 1);
    if (!t)
        return false;
    memcpy(t, d->text, start);
    memcpy(t + start, text, n);
    memcpy(t + start + n, d->text + end, d->len - end);
    t[len] = '\0';
    bool ok = lsp_doc_set_text(d, t, len);
    free(t);
    return ok;
}

LspDocument *lsp_doc_open(LspDocuments *docs, const char *uri, const char *text, size_t len, long version)
{
    lsp_doc_close(docs, uri);
    LspDocument *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->uri = strdup(uri);
    d->path = lsp_uri_to_path(uri);
    d->version = version;
    if (!d->uri || !d->path || !lsp_doc_set_text(d, text, len)) {
        free_doc(d);
        return NULL;
    }
    d->next = docs->first;
    docs->first = d;
    return d;
}

void lsp_doc_close(LspDocuments *docs, const char *uri)
{
    for (LspDocument **at = &docs->first; *at; at = &(*at)->next)
        if (!strcmp((*at)->uri, uri)) {
            LspDocument *d = *at;
            *at = d->next;
            free_doc(d);
            return;
        }
}

void lsp_docs_free(LspDocuments *docs)
{
    while (docs->first) {
        LspDocument *d = docs->first;
        docs->first = d->next;
        free_doc(d);
    }
}

void lsp_doc_analyse(LspDocument *d)
{
    svp_index_free(d->index);
    svp_diagnostics_free(d->diags);
    d->diags = NULL;
    d->index = svp_index_new(d->path, d->text, d->len, NULL, &d->diags);
    if (svp_text_is_mapping(d->text, d->len)) {
        /* an import mapping, not a policy: its diagnostics are the mapping
         * compiler's, as `svp check` gives them (those of the policy it
         * fills are about that other file, and stay there) */
        svp_diagnostics *mine = NULL, *policy = NULL;
        svp_mapping_free(svp_mapping_compile(d->path, d->text, d->len, NULL, &mine, &policy));
        svp_diagnostics_free(policy);
        if (mine) {
            svp_diagnostics_free(d->diags);
            d->diags = mine;
        }
    }
}

/* UTF-16 code units of the UTF-8 sequence starting with byte c. */
static int units_of(unsigned char c) { return c >= 0xF0 ? 2 : 1; }
static bool continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

size_t lsp_doc_offset(const LspDocument *d, LspPosition p)
{
    if (p.line < 0)
        return 0;
    if ((size_t)p.line >= d->nlines)
        return d->len;
    size_t i = d->lines[p.line];
    size_t end = (size_t)p.line + 1 < d->nlines ? d->lines[p.line + 1] - 1 : d->len;
    if (end > i && d->text[end - 1] == '\r')
        end--;
    for (long units = 0; i < end && units < p.character;) {
        units += units_of((unsigned char)d->text[i]);
        if (units > p.character)
            break; /* inside a surrogate pair: the character's start */
        i++;
        while (i < end && continuation((unsigned char)d->text[i]))
            i++;
    }
    return i;
}

LspPosition lsp_doc_position(const LspDocument *d, size_t offset)
{
    if (offset > d->len)
        offset = d->len;
    size_t lo = 0, hi = d->nlines; /* the last line starting at or before offset */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->lines[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    LspPosition p = {(long)lo, 0};
    for (size_t i = d->lines[lo]; i < offset; i++)
        if (!continuation((unsigned char)d->text[i]))
            p.character += units_of((unsigned char)d->text[i]);
    return p;
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

char *lsp_uri_to_path(const char *uri)
{
    static const char scheme[] = "file://";
    if (strncmp(uri, scheme, sizeof scheme - 1))
        return strdup(uri);
    const char *s = uri + sizeof scheme - 1;
    if (strncmp(s, "localhost/", 10) == 0)
        s += 9;
    char *out = malloc(strlen(s) + 1), *o = out;
    if (!out)
        return NULL;
    for (; *s; s++) {
        if (*s == '%' && hex(s[1]) >= 0 && hex(s[2]) >= 0) {
            char c = (char)(hex(s[1]) * 16 + hex(s[2]));
            *o++ = c ? c : '?'; /* a NUL cannot be in a path */
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}
