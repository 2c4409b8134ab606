/*
 * buf.c - growable byte buffer, and the two ways text leaves svp: escaped
 * for JSON, and escaped for a person's terminal (where an ESC sequence in
 * a record's id could rewrite the screen).
 */
#include "buf.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"

void buf_init(Buf *b, const svp_allocator *alloc)
{
    b->alloc = alloc;
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}

/* Room for n more bytes plus the terminating NUL. */
static bool buf_reserve(Buf *b, size_t n)
{
    if (b->failed)
        return false;
    if (n > ((size_t)-1) / 4 - b->len) {
        b->failed = true;
        return false;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *data = svp_mem_realloc(b->alloc, b->data, b->cap, cap);
    if (!data) {
        b->failed = true;
        return false;
    }
    b->data = data;
    b->cap = cap;
    return true;
}

void buf_append_slow(Buf *b, const char *s, size_t n)
{
    assert(b && (s || !n));
    if (!buf_reserve(b, n))
        return;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    assert(b->len < b->cap); /* room for the NUL, always */
    b->data[b->len] = '\0';
}

void buf_puts(Buf *b, const char *s) { buf_append(b, s, strlen(s)); }

void buf_putc(Buf *b, char c) { buf_append(b, &c, 1); }

void buf_printf(Buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        buf_append(b, small, (size_t)n);
        return;
    }
    if (!buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Bytes that JSON strings must escape: control characters, '"', '\\'. */
static const uint8_t must_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['"'] = 1, ['\\'] = 1};

void buf_json_escape(Buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0; /* start of the pending run of plain bytes */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!must_escape[c])
            continue;
        buf_append(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': buf_append(b, "\\\"", 2); break;
        case '\\': buf_append(b, "\\\\", 2); break;
        case '\n': buf_append(b, "\\n", 2); break;
        case '\r': buf_append(b, "\\r", 2); break;
        case '\t': buf_append(b, "\\t", 2); break;
        default: {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            buf_append(b, esc, 6);
        }
        }
    }
    buf_append(b, s + run, n - run);
}

void buf_json_string(Buf *b, const char *s, size_t n)
{
    buf_putc(b, '"');
    buf_json_escape(b, s, n);
    buf_putc(b, '"');
}

size_t buf_utf8_char(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    if (c < 0xC2 || c > 0xF4)
        return 0; /* a continuation byte, an overlong lead, or past U+10FFFF */
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (n < len)
        return 0;
    for (size_t k = 1; k < len; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
        (c == 0xF4 && s[1] > 0x8F))
        return 0; /* overlong, a surrogate, or past U+10FFFF */
    return len;
}

void buf_terminal_escape(Buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0; /* start of the pending run of bytes shown as they are */
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c >= 0x20 && c < 0x7F ? 1 : buf_utf8_char(s + i, n - i);
        /* C0 controls, DEL and the C1 controls (U+0080..U+009F, which
         * some terminals obey as ESC sequences) are shown escaped */
        bool control = len == 1 ? c < 0x20 || c == 0x7F : len == 2 && c == 0xC2 && (unsigned char)s[i + 1] < 0xA0;
        if (len && !control) {
            i += len;
            continue;
        }
        buf_append(b, s + run, i - run);
        if (control && len == 2) {
            char esc[6] = {'\\', 'u', '0', '0', hex[((unsigned char)s[i + 1]) >> 4], hex[s[i + 1] & 15]};
            buf_append(b, esc, 6);
        } else {
            char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            buf_append(b, esc, 4);
        }
        i += len ? len : 1;
        run = i;
    }
    buf_append(b, s + run, n - run);
}

char *svp_terminal_text(const char *s, size_t n)
{
    Buf b;
    buf_init(&b, NULL);
    buf_terminal_escape(&b, s, n);
    return buf_take(&b, NULL);
}

void buf_json_text_or_null(Buf *b, const char *s)
{
    if (s)
        buf_json_string(b, s, strlen(s));
    else
        buf_puts(b, "null");
}

void buf_clear(Buf *b)
{
    b->len = 0;
    b->failed = false; /* a fresh start: the old contents are gone anyway */
    if (b->data)
        b->data[0] = '\0';
}

char *buf_take(Buf *b, size_t *len)
{
    if (!b->failed && !b->data)
        buf_append(b, "", 0);
    if (b->failed) {
        buf_free(b);
        return NULL;
    }
    char *s = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void buf_free(Buf *b)
{
    svp_mem_free(b->alloc, b->data, b->cap);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}

const char *buf_finish(Buf *b, size_t *len)
{
    if (b->failed) {
        buf_free(b);
        return NULL;
    }
    if (len)
        *len = b->len;
    return b->data ? b->data : "";
}
