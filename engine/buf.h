/*
 * buf.h - a growable byte buffer, the one way svp builds text.
 *
 * Output lines, rendered diagnostics and formatted policies are all built
 * here.  An allocation failure is sticky: later appends do nothing and
 * buf_take returns NULL, so callers check once at the end.
 */
#ifndef SVP_BUF_H
#define SVP_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include "svp.h"

typedef struct Buf {
    const svp_allocator *alloc;
    char *data;  /* always NUL-terminated when cap > 0 */
    size_t len;
    size_t cap;
    bool failed; /* an allocation failed; contents are incomplete */
} Buf;

void buf_init(Buf *b, const svp_allocator *alloc);
void buf_append_slow(Buf *b, const char *s, size_t n);

/* Append n bytes.  Inline: output is built from many short pieces. */
static inline void buf_append(Buf *b, const char *s, size_t n)
{
    if (b->len + n < b->cap && !b->failed) {
        __builtin_memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
        return;
    }
    buf_append_slow(b, s, n);
}
void buf_puts(Buf *b, const char *s);
void buf_putc(Buf *b, char c);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as the inside of a JSON string (quotes not included). */
void buf_json_escape(Buf *b, const char *s, size_t n);
/* Append s as a JSON string, quotes included. */
void buf_json_string(Buf *b, const char *s, size_t n);
/* The length of the well-formed UTF-8 character at s (n > 0 bytes there):
 * 1 for ASCII, 0 when the bytes are not one (a stray continuation byte, an
 * overlong form, a surrogate, past U+10FFFF, cut short). */
size_t buf_utf8_char(const char *s, size_t n);
/* Append s for a terminal: control characters (C0, DEL, C1) and bytes that
 * are not UTF-8 written as \x1b or \u009b, everything else as it is. */
void buf_terminal_escape(Buf *b, const char *s, size_t n);
/* Append NUL-terminated s as a JSON string, or null when s is NULL. */
void buf_json_text_or_null(Buf *b, const char *s);
void buf_clear(Buf *b);
/* Hand the contents to the caller (free with svp_string_free when the
 * allocator is the default one) and reset b; NULL after a failure. */
char *buf_take(Buf *b, size_t *len);
void buf_free(Buf *b);
/* The contents as a rendering the caller reads but does not own: the
 * text (never NULL when it succeeded, "" when empty) and its length in
 * *len (when len is not NULL).  After an allocation failure: NULL, with b
 * emptied and ready for the next rendering. */
const char *buf_finish(Buf *b, size_t *len);

#endif
