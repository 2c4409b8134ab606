/*
 * fuzz_lsp.c - libFuzzer harness: any bytes as what an editor sends to
 * `svp lsp`.
 *
 * A fresh server (cli/lsp_server.c, the one the command runs) is made for
 * each input, sent an `initialize` request, then the input, which is the
 * stream of bytes on its standard input: Content-Length framing, JSON-RPC,
 * document edits and requests, right or wrong.  The first byte of the input
 * picks how the stream is cut into pieces (1 to 256 bytes a piece, or all at
 * once), so that messages split anywhere are read too.  Everything the
 * server writes is kept and, at the end, read back with the same framing:
 * each message must be whole and its body a JSON object, or the harness
 * aborts (a finding).  The server is freed after each input, so a leak
 * report means the server lost memory.
 *
 * Build: as the other harnesses (see run.sh), with cli/lsp_server.c,
 * cli/lsp_documents.c, cli/lsp_protocol.c and cli/lsp_versions.c; without
 * libFuzzer, link it with tests/fuzz/replay.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lsp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct Output {
    char *bytes;
    size_t len, cap;
} Output;

static void keep(void *ctx, const char *bytes, size_t n)
{
    Output *o = ctx;
    if (o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 4096;
        while (cap < o->len + n)
            cap *= 2;
        char *b = realloc(o->bytes, cap);
        if (!b)
            abort();
        o->bytes = b;
        o->cap = cap;
    }
    memcpy(o->bytes + o->len, bytes, n);
    o->len += n;
}

/* Every message the server wrote is framed right and holds a JSON object. */
static void check_output(const Output *o)
{
    LspReader r;
    lsp_reader_init(&r);
    if (o->len && !lsp_reader_feed(&r, o->bytes, o->len))
        abort();
    for (;;) {
        const char *body = NULL, *why = NULL;
        size_t n = 0;
        LspFrameStatus st = lsp_reader_next(&r, &body, &n, &why);
        if (st == LSP_FRAME_NEED_MORE)
            break;
        if (st != LSP_FRAME_MESSAGE) {
            fprintf(stderr, "svp fuzz: the server wrote a badly framed message: %s\n", why);
            abort();
        }
        cJSON *j = cJSON_ParseWithLength(body, n);
        if (!cJSON_IsObject(j)) {
            fprintf(stderr, "svp fuzz: the server wrote a message that is not a JSON object: %.*s\n", (int)n, body);
            abort();
        }
        cJSON_Delete(j);
    }
    if (r.len) {
        fprintf(stderr, "svp fuzz: the server's output ends in the middle of a message\n");
        abort();
    }
    lsp_reader_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char init[] = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{}}";
    char header[64];
    int h = snprintf(header, sizeof header, "Content-Length: %zu\r\n\r\n", sizeof init - 1);
    Output out = {0};
    LspServer *s = lsp_server_new(keep, &out, "2020-05-01");
    if (!s)
        return 0;
    lsp_server_feed(s, header, (size_t)h);
    lsp_server_feed(s, init, sizeof init - 1);
    size_t piece = size ? (size_t)data[0] + 1 : 1;
    if (piece == 256)
        piece = size; /* all at once */
    for (size_t at = size ? 1 : 0; at < size;) {
        size_t n = size - at < piece ? size - at : piece;
        if (!lsp_server_feed(s, (const char *)data + at, n))
            break; /* `exit`: nothing more is read */
        at += n;
    }
    lsp_server_free(s);
    check_output(&out);
    free(out.bytes);
    return 0;
}
