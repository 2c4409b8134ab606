/*
 * lsp_protocol.h - the Language Server Protocol's transport: messages framed
 * by a `Content-Length` header (LSP 3.17, "Base Protocol"), read from a
 * stream of bytes that may arrive in any pieces, and written the same way.
 */
#ifndef SVP_LSP_PROTOCOL_H
#define SVP_LSP_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>

/* The largest message body accepted: a 1 MiB policy escaped as JSON text
 * (at most six bytes a byte) with room to spare.  A larger one is skipped
 * and answered with an error. */
#define LSP_MAX_BODY (8u << 20)
/* The largest header block accepted before its blank line. */
#define LSP_MAX_HEADER 8192

typedef enum LspFrameStatus {
    LSP_FRAME_NEED_MORE,   /* no whole message yet: feed more bytes */
    LSP_FRAME_MESSAGE,     /* *body, *body_len hold one message's body */
    LSP_FRAME_BAD_HEADER,  /* a header block without a usable Content-Length:
                              it was dropped; *why says what was wrong */
    LSP_FRAME_TOO_LARGE    /* a body over LSP_MAX_BODY: being skipped */
} LspFrameStatus;

/* The reading side: bytes in, message bodies out. */
typedef struct LspReader {
    char *buf;             /* bytes received and not yet consumed */
    size_t len, cap;
    size_t skip;           /* bytes of an oversized body still to drop */
    size_t body;           /* length of the body whose header was read, or
                              (size_t)-1 when a header is awaited */
    size_t handed;         /* the body handed out last: consumed at the
                              next call */
} LspReader;

void lsp_reader_init(LspReader *r);
void lsp_reader_free(LspReader *r);

/* Append n bytes received; false when out of memory. */
bool lsp_reader_feed(LspReader *r, const char *bytes, size_t n);

/* The next thing in what was fed.  A message's body stays valid until the
 * next call of lsp_reader_next or lsp_reader_feed.  Call until LSP_FRAME_NEED_MORE. */
LspFrameStatus lsp_reader_next(LspReader *r, const char **body, size_t *body_len, const char **why);

/* Frame body as one message (header and body) and hand it to write. */
typedef void (*LspWriteFn)(void *ctx, const char *bytes, size_t n);
void lsp_write_message(LspWriteFn write, void *ctx, const char *body, size_t n);

#endif
