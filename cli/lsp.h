/*
 * lsp.h - the language server behind `svp lsp`: JSON-RPC requests in,
 * answers and diagnostics out, over the framing of lsp_protocol.h.
 *
 * The server (cli/lsp_server.c) is fed bytes and writes bytes through a
 * callback, so that the command (cli/lsp.c: standard input and output) and
 * the fuzz harness (tests/fuzz/fuzz_lsp.c: memory) run the same code.
 */
#ifndef SVP_LSP_H
#define SVP_LSP_H

#include <stdbool.h>
#include <stddef.h>
#include "lsp_documents.h"
#include "lsp_protocol.h"

typedef struct LspServer LspServer;

/* A server writing its messages through write.  today ("YYYY-MM-DD") fixes
 * the date of the review reminder (NULL: today's date).  NULL when out of
 * memory. */
LspServer *lsp_server_new(LspWriteFn write, void *ctx, const char *today);
void lsp_server_free(LspServer *s);

/* Handle n more bytes of input: every whole message in them is answered.
 * False once the client has sent `exit` (nothing more is read). */
bool lsp_server_feed(LspServer *s, const char *bytes, size_t n);

/* The exit status: 0 after `shutdown` then `exit`, else 1 (LSP 3.17). */
int lsp_server_exit_status(const LspServer *s);

/* lsp_versions.c: diagnostics from the other versions of a policy in its
 * folder (same-day versions, the annual review), as `svp check` gives
 * them for several files; added to the JSON array out.  d's own policy is
 * compared only when it compiled; the folder's other *.svp files are read
 * from the editor when open there, else from disk. */
struct cJSON;
void lsp_version_diagnostics(LspDocuments *docs, const LspDocument *d, const char *today, struct cJSON *out);

#endif
