/*
 * input.c - the records a command reads: one JSON record, a batch in JSON
 * Lines, or a batch given as one JSON array, from a file or standard input
 * ("-").  `svp eval`, `svp portfolio` and `svp impact` all read through
 * cli_read_records, so they agree on what a record is and on its line.
 *
 * Which one.  A .jsonl/.ndjson file is always JSON Lines.  Otherwise the
 * input is one JSON value when its first value ends and only white space
 * follows it: then a JSON array is a batch of its items (an item's "line"
 * is its position in the array: 1, 2, ...) and any other value is one
 * record, line 1.  Every other input is JSON Lines, whatever its first line
 * holds (a broken record, a lone `{`, a `#`, a NUL): N non-blank lines give
 * N records.  To decide, the reader follows only the structure of the text
 * (strings, brackets, commas, colons) with a small state machine, not a
 * parse, keeping the lines it has read until the question is settled.  In
 * JSON Lines it is settled on the second non-blank line (a complete first
 * line followed by anything that is not white space), so a batch streams:
 * only the line being evaluated is kept, and each record is parsed once,
 * by the record reader.
 *
 * Lines.  A line is every byte up to a line feed, NUL bytes included (a NUL
 * never ends or merges lines); a CR before the LF is dropped.  Lines are
 * numbered from 1 in the input, blank lines counted; blank lines are never
 * records.  A line longer than CLI_MAX_LINE is not kept whole: its first
 * CLI_MAX_LINE + 1 bytes are handed on, and the record reader refuses it
 * by its size, whatever its length.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* The most of a line that is kept: one byte over the limit says "too long". */
#define LINE_KEEP ((size_t)CLI_MAX_LINE + 1)
/* Bytes asked of the system at a time. */
#define READ_CHUNK ((size_t)1 << 16)
/* The most text held while deciding between one JSON value and JSON Lines
 * (README, Limits): a JSON array of records larger than this is read as
 * JSON Lines. */
#define HELD_MAX ((size_t)64 << 20)
/* Nesting the structure scanner follows; deeper is not one value svp can
 * read (cJSON stops at 1,000 levels), so the input is read as lines. */
#define SHAPE_MAX_DEPTH 1024

bool cli_has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* ---- Lines ----------------------------------------------------------------- */

typedef struct LineReader {
    int fd;
    char *buf;            /* bytes read, not yet handed out: [start, end) */
    size_t start, end, cap;
    bool eof;
    int error;            /* errno of a failed read, ENOMEM; 0 when fine */
    unsigned long number; /* the line last handed out, from 1 */
} LineReader;

/* Read more bytes after r->end, first moving what is kept to the front
 * and making room.  False at end of input or on an error (r->error). */
static bool fill(LineReader *r)
{
    if (r->start) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->cap - r->end < READ_CHUNK) {
        size_t cap = r->end + READ_CHUNK;
        char *bigger = realloc(r->buf, cap);
        if (!bigger) {
            r->error = ENOMEM;
            return false;
        }
        r->buf = bigger;
        r->cap = cap;
    }
    for (;;) {
        ssize_t got = read(r->fd, r->buf + r->end, r->cap - r->end);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            r->error = errno;
        if (got <= 0) {
            r->eof = true;
            return false;
        }
        r->end += (size_t)got;
        return true;
    }
}

/* The next line, without its LF (and a CR before it), in *text and *len,
 * valid until the next call.  A line longer than CLI_MAX_LINE comes back
 * cut to LINE_KEEP bytes, *cut true.  False at the end of the input or on
 * an error (r->error says which). */
static bool next_line(LineReader *r, const char **text, size_t *len, bool *cut)
{
    size_t scanned = 0; /* bytes after start known to hold no LF */
    *cut = false;
    for (;;) {
        size_t unscanned = r->end - r->start - scanned;
        char *lf = unscanned ? memchr(r->buf + r->start + scanned, '\n', unscanned) : NULL;
        if (lf || (r->eof && r->end > r->start)) {
            size_t n = lf ? (size_t)(lf - (r->buf + r->start)) : r->end - r->start;
            *text = r->buf + r->start;
            r->start = lf ? r->start + n + 1 : r->end;
            if (n > LINE_KEEP) {
                n = LINE_KEEP;
                *cut = true;
            }
            if (!*cut && n && (*text)[n - 1] == '\r')
                n--;
            *len = n;
            r->number++;
            return true;
        }
        scanned = r->end - r->start;
        if (scanned > LINE_KEEP) { /* over the limit: keep its start only */
            r->end = r->start + LINE_KEEP;
            scanned = LINE_KEEP;
            *cut = true;
        }
        if (r->eof || !fill(r)) {
            if (r->error || r->end == r->start)
                return false;
        }
    }
}

/* ---- The structure of one JSON value ------------------------------------------ */

typedef enum ShapeState {
    SH_VALUE,          /* a value must come */
    SH_VALUE_OR_CLOSE, /* just after `[` */
    SH_KEY,            /* after `,` in an object */
    SH_KEY_OR_CLOSE,   /* just after `{` */
    SH_COLON,          /* after a key */
    SH_AFTER,          /* after a value inside a container: `,` or the closer */
    SH_STRING,
    SH_ESCAPE,         /* after a backslash in a string */
    SH_LITERAL,        /* a number, true, false or null (not checked here) */
    SH_DONE,           /* the value has ended: only white space may follow */
    SH_BAD             /* this text is not one JSON value */
} ShapeState;

typedef struct Span {
    size_t start, end;
} Span;

/* Follows the structure of the text fed to it, byte by byte, and notes
 * where each item of a top-level array starts and ends. */
typedef struct Shape {
    ShapeState state;
    bool key;        /* the string being read is an object's key */
    bool array;      /* the value is an array */
    unsigned depth;  /* containers open */
    uint8_t is_object[SHAPE_MAX_DEPTH / 8]; /* a bit per level */
    size_t item_start;
    Span *items;     /* the top-level array's items, in order */
    size_t nitems, cap_items;
    bool oom;
} Shape;

static bool json_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static bool literal_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '+' ||
           c == '.';
}

static bool top_is_object(const Shape *s)
{
    unsigned level = s->depth - 1;
    return (s->is_object[level / 8] >> (level % 8)) & 1;
}

/* A value ended at `end` (one past its last byte). */
static void value_end(Shape *s, size_t end)
{
    if (s->key) {
        s->key = false;
        s->state = SH_COLON;
        return;
    }
    if (s->depth == 1 && s->array) {
        if (s->nitems == s->cap_items) {
            size_t cap = s->cap_items ? s->cap_items * 2 : 64;
            Span *bigger = realloc(s->items, cap * sizeof *bigger);
            if (!bigger) {
                s->oom = true;
                s->state = SH_BAD;
                return;
            }
            s->items = bigger;
            s->cap_items = cap;
        }
        s->items[s->nitems++] = (Span){s->item_start, end};
    }
    s->state = s->depth == 0 ? SH_DONE : SH_AFTER;
}

static void value_start(Shape *s, unsigned char c, size_t at)
{
    if (s->depth == 1 && s->array)
        s->item_start = at;
    if (c == '{' || c == '[') {
        if (s->depth == SHAPE_MAX_DEPTH) {
            s->state = SH_BAD;
            return;
        }
        if (s->depth == 0)
            s->array = c == '[';
        unsigned level = s->depth++;
        uint8_t bit = (uint8_t)(1u << (level % 8));
        s->is_object[level / 8] = (uint8_t)(c == '{' ? s->is_object[level / 8] | bit : s->is_object[level / 8] & ~bit);
        s->state = c == '{' ? SH_KEY_OR_CLOSE : SH_VALUE_OR_CLOSE;
    } else if (c == '"') {
        s->state = SH_STRING;
    } else {
        s->state = literal_char(c) ? SH_LITERAL : SH_BAD;
    }
}

static void close_container(Shape *s, size_t at)
{
    s->depth--;
    value_end(s, at + 1);
}

/* Feed the byte c, at offset `at` of the text. */
static void shape_feed(Shape *s, unsigned char c, size_t at)
{
    switch (s->state) {
    case SH_STRING:
        if (c == '"')
            value_end(s, at + 1);
        else if (c == '\\')
            s->state = SH_ESCAPE;
        else if (c < 0x20)
            s->state = SH_BAD; /* a raw control character or line end */
        return;
    case SH_ESCAPE:
        s->state = SH_STRING;
        return;
    case SH_LITERAL:
        if (literal_char(c))
            return;
        value_end(s, at);
        break;
    default:
        break;
    }
    if (json_space(c) || s->state == SH_BAD)
        return;
    switch (s->state) {
    case SH_VALUE_OR_CLOSE:
        if (c == ']') {
            close_container(s, at);
            return;
        }
        /* fall through */
    case SH_VALUE:
        value_start(s, c, at);
        return;
    case SH_KEY_OR_CLOSE:
        if (c == '}') {
            close_container(s, at);
            return;
        }
        /* fall through */
    case SH_KEY:
        s->key = c == '"';
        s->state = s->key ? SH_STRING : SH_BAD;
        return;
    case SH_COLON:
        s->state = c == ':' ? SH_VALUE : SH_BAD;
        return;
    case SH_AFTER:
        if (c == ',')
            s->state = top_is_object(s) ? SH_KEY : SH_VALUE;
        else if (c == (top_is_object(s) ? '}' : ']'))
            close_container(s, at);
        else
            s->state = SH_BAD;
        return;
    default:
        s->state = SH_BAD; /* something after the value */
        return;
    }
}

/* At the end of the text: did it hold exactly one value? */
static bool shape_one_value(Shape *s, size_t len)
{
    if (s->state == SH_LITERAL && s->depth == 0)
        value_end(s, len);
    return s->state == SH_DONE;
}

/* ---- Reading ---------------------------------------------------------------------- */

typedef struct Reader {
    LineReader lines;
    CliRecordFn each;
    void *ctx;
    char *held;             /* the lines read while deciding, joined by LF */
    size_t held_len, held_cap;
    unsigned long held_from; /* the number of the first held line */
    Shape shape;
} Reader;

static void one_line(Reader *rd, const char *text, size_t len, bool cut, unsigned long number)
{
    if (cut)
        rd->each(rd->ctx, text, LINE_KEEP, number);
    else if (!cli_blank_line(text, len))
        rd->each(rd->ctx, text, len, number);
}

/* The held lines, each a record of JSON Lines (blank ones skipped). */
static void release_held_as_lines(Reader *rd)
{
    unsigned long number = rd->held_from;
    for (size_t at = 0; at < rd->held_len; number++) {
        const char *line = rd->held + at;
        const char *lf = memchr(line, '\n', rd->held_len - at);
        size_t n = lf ? (size_t)(lf - line) : rd->held_len - at;
        one_line(rd, line, n, false, number);
        at += n + 1;
    }
    rd->held_len = 0;
}

/* Every line left in the input, as JSON Lines. */
static void stream_lines(Reader *rd)
{
    const char *text;
    size_t len;
    bool cut;
    while (next_line(&rd->lines, &text, &len, &cut))
        one_line(rd, text, len, cut, rd->lines.number);
}

/* Keep a line while deciding; false when out of memory. */
static bool hold(Reader *rd, const char *text, size_t len)
{
    size_t need = rd->held_len + len + 1;
    if (need > rd->held_cap) {
        size_t cap = rd->held_cap ? rd->held_cap : 65536;
        while (cap < need)
            cap *= 2;
        char *bigger = realloc(rd->held, cap);
        if (!bigger)
            return false;
        rd->held = bigger;
        rd->held_cap = cap;
    }
    if (rd->held_len)
        rd->held[rd->held_len++] = '\n';
    memcpy(rd->held + rd->held_len, text, len);
    rd->held_len += len;
    return true;
}

/* Read lines, holding them, until the input is known to be JSON Lines
 * (true: the held lines are handed out and the rest streams) or the input
 * ends (false: what is held is decided by the shape). */
static bool read_deciding(Reader *rd)
{
    const char *text;
    size_t len;
    bool cut;
    while (next_line(&rd->lines, &text, &len, &cut)) {
        if (!rd->held_from && !cut && cli_blank_line(text, len))
            continue; /* blank lines before the first record: counted only */
        if (!rd->held_from)
            rd->held_from = rd->lines.number;
        size_t from = rd->held_len + (rd->held_len ? 1 : 0);
        if (cut || from + len > HELD_MAX || !hold(rd, text, len)) {
            /* not one value svp would read (or no memory to hold it):
             * lines, this one included */
            release_held_as_lines(rd);
            one_line(rd, text, len, cut, rd->lines.number);
            return true;
        }
        if (from)
            shape_feed(&rd->shape, '\n', from - 1);
        for (size_t i = 0; i < len && rd->shape.state != SH_BAD; i++)
            shape_feed(&rd->shape, (unsigned char)text[i], from + i);
        if (rd->shape.state == SH_BAD) {
            release_held_as_lines(rd);
            return true;
        }
    }
    return false;
}

/* Hand out the records of the input that read_deciding left undecided. */
static void release_held(Reader *rd)
{
    if (!rd->held_from)
        return; /* nothing but blank lines */
    if (!shape_one_value(&rd->shape, rd->held_len)) {
        release_held_as_lines(rd);
    } else if (rd->shape.array) {
        for (size_t i = 0; i < rd->shape.nitems; i++) {
            Span s = rd->shape.items[i];
            rd->each(rd->ctx, rd->held + s.start, s.end - s.start, i + 1);
        }
    } else {
        rd->each(rd->ctx, rd->held, rd->held_len, 1);
    }
}

/* Open path for reading records; -1 (said on stderr) when it cannot be. */
static int open_input(const char *path)
{
    if (!strcmp(path, "-"))
        return STDIN_FILENO;
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "svp: cannot read %s: it is a folder; give a file of records, or - for standard input\n",
                path);
        close(fd);
        return -1;
    }
    if (fd < 0)
        fprintf(stderr, "svp: cannot read %s: %s\n", path, strerror(errno));
    return fd;
}

int cli_read_records(const char *path, CliRecordFn each, void *ctx)
{
    int fd = open_input(path);
    if (fd < 0)
        return 2;
    Reader *rd = calloc(1, sizeof *rd);
    if (!rd) {
        fprintf(stderr, "svp: out of memory reading %s\n", path);
        if (fd != STDIN_FILENO)
            close(fd);
        return 2;
    }
    rd->lines.fd = fd;
    rd->each = each;
    rd->ctx = ctx;
    if (cli_has_suffix(path, ".jsonl") || cli_has_suffix(path, ".ndjson"))
        stream_lines(rd);
    else if (read_deciding(rd))
        stream_lines(rd);
    else if (!rd->lines.error)
        release_held(rd);
    int status = 0;
    if (rd->lines.error || rd->shape.oom) {
        int err = rd->shape.oom ? ENOMEM : rd->lines.error;
        fprintf(stderr, "svp: error reading %s: %s\n", path, strerror(err));
        status = 2;
    }
    if (fd != STDIN_FILENO)
        close(fd);
    free(rd->lines.buf);
    free(rd->held);
    free(rd->shape.items);
    free(rd);
    return status;
}
