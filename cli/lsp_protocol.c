/*
 * lsp_protocol.c - Content-Length framing of LSP messages.
 *
 * A message is a block of header lines ("Name: value", each ending in
 * CRLF; a bare LF is accepted too), a blank line, then exactly
 * Content-Length bytes of JSON.  Input arrives in arbitrary pieces, so the
 * reader buffers and hands out whole bodies.  Everything a peer can get
 * wrong is a status, never a crash or a wait for bytes that will not come:
 * a header block with no (or a malformed, or a repeated) Content-Length is
 * dropped, a header block that never ends is dropped after LSP_MAX_HEADER
 * bytes, and an oversized body is skipped without being kept.
 */
#include "lsp_protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define AWAITING_HEADER ((size_t)-1)

void lsp_reader_init(LspReader *r)
{
    memset(r, 0, sizeof *r);
    r->body = AWAITING_HEADER;
}

void lsp_reader_free(LspReader *r)
{
    free(r->buf);
    lsp_reader_init(r);
}

static void consume(LspReader *r, size_t n);

bool lsp_reader_feed(LspReader *r, const char *bytes, size_t n)
{
    consume(r, r->handed);
    r->handed = 0;
    if (r->skip) { /* the rest of an oversized body: dropped as it comes */
        size_t drop = n < r->skip ? n : r->skip;
        r->skip -= drop;
        bytes += drop;
        n -= drop;
    }
    if (!n)
        return true;
    if (r->len + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + n + 1)
            cap *= 2;
        char *b = realloc(r->buf, cap);
        if (!b)
            return false;
        r->buf = b;
        r->cap = cap;
    }
    memcpy(r->buf + r->len, bytes, n);
    r->len += n;
    r->buf[r->len] = '\0';
    return true;
}

/* Drop the first n buffered bytes. */
static void consume(LspReader *r, size_t n)
{
    if (!n)
        return;
    memmove(r->buf, r->buf + n, r->len - n);
    r->len -= n;
    if (r->buf)
        r->buf[r->len] = '\0';
}

/* The end of the header block (just past its blank line), or 0. */
static size_t header_end(const char *b, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (b[i] != '\n')
            continue;
        if (i + 1 < len && b[i + 1] == '\n')
            return i + 2;
        if (i + 2 < len && b[i + 1] == '\r' && b[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

/* The Content-Length of a header block, or -1 with *why set. */
static long long content_length(const char *h, size_t n, const char **why)
{
    long long length = -1;
    const char *end = h + n;
    for (const char *line = h; line < end;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (!eol)
            eol = end;
        size_t len = (size_t)(eol - line);
        if (len && line[len - 1] == '\r')
            len--;
        static const char key[] = "content-length:";
        if (len >= sizeof key - 1 && !strncasecmp(line, key, sizeof key - 1)) {
            if (length >= 0) {
                *why = "the header gives Content-Length twice";
                return -1;
            }
            const char *v = line + sizeof key - 1, *ve = line + len;
            while (v < ve && (*v == ' ' || *v == '\t'))
                v++;
            if (v == ve) {
                *why = "Content-Length has no value";
                return -1;
            }
            length = 0;
            for (; v < ve && *v != ' ' && *v != '\t'; v++) {
                if (*v < '0' || *v > '9' || length > (1LL << 50)) { /* no overflow, however many digits */
                    *why = "Content-Length is not a number of bytes";
                    return -1;
                }
                length = length * 10 + (*v - '0');
            }
            while (v < ve && (*v == ' ' || *v == '\t'))
                v++;
            if (v != ve) {
                *why = "Content-Length is not a number of bytes";
                return -1;
            }
        } else if (len && !memchr(line, ':', len)) {
            *why = "a header line is not `Name: value`";
            return -1;
        }
        line = eol + 1;
    }
    if (length < 0)
        *why = "the header has no Content-Length";
    return length;
}

LspFrameStatus lsp_reader_next(LspReader *r, const char **body, size_t *body_len, const char **why)
{
    consume(r, r->handed);
    r->handed = 0;
    if (r->body == AWAITING_HEADER) {
        /* blank lines between messages are tolerated */
        size_t lead = 0;
        while (lead < r->len && (r->buf[lead] == '\r' || r->buf[lead] == '\n'))
            lead++;
        if (lead)
            consume(r, lead);
        size_t end = header_end(r->buf, r->len);
        if (!end) {
            if (r->len <= LSP_MAX_HEADER)
                return LSP_FRAME_NEED_MORE;
            *why = "a header block longer than 8192 bytes";
            r->len = 0;
            return LSP_FRAME_BAD_HEADER;
        }
        long long length = content_length(r->buf, end, why);
        consume(r, end);
        if (length < 0)
            return LSP_FRAME_BAD_HEADER;
        if ((unsigned long long)length > LSP_MAX_BODY) {
            size_t have = r->len < (size_t)length ? r->len : (size_t)length;
            consume(r, have);
            r->skip = (size_t)length - have;
            *why = "a message larger than svp reads";
            return LSP_FRAME_TOO_LARGE;
        }
        r->body = (size_t)length;
    }
    if (r->len < r->body)
        return LSP_FRAME_NEED_MORE;
    /* hand out the body in place; it is consumed at the next call */
    static const char empty[] = "";
    *body = r->buf ? r->buf : empty;
    *body_len = r->handed = r->body;
    r->body = AWAITING_HEADER;
    return LSP_FRAME_MESSAGE;
}

void lsp_write_message(LspWriteFn write, void *ctx, const char *body, size_t n)
{
    char header[64];
    int h = snprintf(header, sizeof header, "Content-Length: %zu\r\n\r\n", n);
    write(ctx, header, (size_t)h);
    write(ctx, body, n);
}
