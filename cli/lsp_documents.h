/*
 * lsp_documents.h - the policies an editor has open: their text as the
 * editor has it (not as on disk), edits applied to it, and the protocol's
 * positions (line, UTF-16 code unit) turned into byte offsets and back.
 */
#ifndef SVP_LSP_DOCUMENTS_H
#define SVP_LSP_DOCUMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include "svp.h"

typedef struct LspDocument {
    char *uri;
    char *path;              /* the file the uri names (file: URIs), else the uri */
    char *text;              /* NUL-terminated; the editor's current text */
    size_t len;
    long version;
    size_t *lines;           /* byte offset where each line starts */
    size_t nlines;
    svp_index *index;        /* of text; NULL when out of memory */
    svp_diagnostics *diags;  /* of text, as `svp check` reports them */
    struct LspDocument *next;
} LspDocument;

typedef struct LspDocuments {
    LspDocument *first;
} LspDocuments;

/* A protocol position: zero-based line and UTF-16 code unit in the line. */
typedef struct LspPosition {
    long line, character;
} LspPosition;

LspDocument *lsp_doc_find(LspDocuments *docs, const char *uri);
/* Open (or reopen) uri with text; NULL when out of memory. */
LspDocument *lsp_doc_open(LspDocuments *docs, const char *uri, const char *text, size_t len, long version);
void lsp_doc_close(LspDocuments *docs, const char *uri);
void lsp_docs_free(LspDocuments *docs);

/* Replace bytes [start, end) of the text with text[0..n); false when out
 * of memory (the document is unchanged). */
bool lsp_doc_replace(LspDocument *d, size_t start, size_t end, const char *text, size_t n);
/* Replace the whole text. */
bool lsp_doc_set_text(LspDocument *d, const char *text, size_t n);

/* Parse and check the text again (index and diagnostics). */
void lsp_doc_analyse(LspDocument *d);

/* The byte offset of a position (past the end of a line: the line's end;
 * past the last line: the end of the text; inside a character: its start). */
size_t lsp_doc_offset(const LspDocument *d, LspPosition p);
/* The position of a byte offset. */
LspPosition lsp_doc_position(const LspDocument *d, size_t offset);

/* "file:///a/b%20c.svp" -> "/a/b c.svp" (malloc'd); other URIs as they are. */
char *lsp_uri_to_path(const char *uri);

#endif
