/*
 * jsonread.c - a record's JSON text read into a cJSON-shaped tree in one
 * pass (jsonread.h).
 *
 * Why a reader of our own, beside cJSON: a batch spends most of its time
 * reading JSON, and cJSON reads it in general-purpose ways (a malloc per
 * node and per string, strtod on every number, a strncmp for each of
 * null, false and true before every value), after which record.c must
 * scan the same text again to find each number's characters.  This reader
 * does the record's JSON in one pass: nodes come from the evaluator's
 * scratch arena in batches, all strings share one buffer the size of the
 * text, numbers are checked against JSON's grammar and noted where they
 * are, never converted.
 *
 * It is strict, and it is modest: whatever it meets that is not plain,
 * valid JSON of the kind records hold, it gives up and returns NULL, and
 * record.c reads the text the proven way (its scan, then cJSON), which
 * finds and words the problem.  So the reader never decides that a record
 * is invalid, and never has to word an error; what it must get right is
 * to accept only texts the slow path accepts, and to build the same tree.
 * tests/unit/test_jsonread.c compares the two on every kind of text.
 */
#include "jsonread.h"

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "buf.h"

/* Nesting followed before giving up (cJSON's limit is 1,000; records are
 * refused past 64 levels anyway, with a message the slow path words). */
#define MAX_DEPTH 128
/* cJSON 1.7.15 reads at most 63 characters of a number: longer ones are
 * left to it. */
#define MAX_NUMBER 60
/* Nodes taken from the arena at a time. */
#define NODE_BATCH 32

typedef struct Reader {
    const unsigned char *s;
    size_t len, at;         /* the text, and the next byte to read */
    char *strings;          /* where the next string's bytes go */
    cJSON *free_node, *end_node; /* the batch of nodes being used */
    Arena *arena;
    JsonNumbers nums;
} Reader;

/* A zeroed node of the given type; NULL when out of memory. */
static cJSON *new_node(Reader *r, int type)
{
    if (r->free_node == r->end_node) {
        r->free_node = arena_alloc(r->arena, NODE_BATCH * sizeof(cJSON)); /* zeroed */
        if (!r->free_node)
            return NULL;
        r->end_node = r->free_node + NODE_BATCH;
    }
    cJSON *n = r->free_node++;
    n->type = type;
    return n;
}

static void skip_space(Reader *r)
{
    while (r->at < r->len) {
        unsigned char c = r->s[r->at];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
            return;
        r->at++;
    }
}

/* The value of hex digit c, or -1. */
static int hex(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

/* The escape after a backslash at s[at - 1], written at *out (which
 * advances).  False for anything left to the slow path: an unknown
 * escape, \u0000, a UTF-16 surrogate (cJSON pairs them), a short \u. */
static bool unescape(Reader *r, char **out)
{
    if (r->at >= r->len)
        return false;
    unsigned char c = r->s[r->at++];
    char *o = *out;
    switch (c) {
    case '"': case '\\': case '/': *o++ = (char)c; break;
    case 'b': *o++ = '\b'; break;
    case 'f': *o++ = '\f'; break;
    case 'n': *o++ = '\n'; break;
    case 'r': *o++ = '\r'; break;
    case 't': *o++ = '\t'; break;
    case 'u': {
        if (r->len - r->at < 4)
            return false;
        unsigned cp = 0;
        for (int i = 0; i < 4; i++) {
            int h = hex(r->s[r->at++]);
            if (h < 0)
                return false;
            cp = cp << 4 | (unsigned)h;
        }
        if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        if (cp < 0x80) {
            *o++ = (char)cp;
        } else if (cp < 0x800) {
            *o++ = (char)(0xC0 | cp >> 6);
            *o++ = (char)(0x80 | (cp & 0x3F));
        } else {
            *o++ = (char)(0xE0 | cp >> 12);
            *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
            *o++ = (char)(0x80 | (cp & 0x3F));
        }
        break;
    }
    default:
        return false;
    }
    *out = o;
    return true;
}

/* The string whose opening quote is at s[at], unescaped and NUL-terminated
 * in the strings buffer; NULL for anything the slow path should see (a
 * raw control character, bytes that are not UTF-8, no closing quote, an
 * escape unescape leaves). */
static const char *read_string(Reader *r)
{
    char *start = r->strings, *o = start;
    size_t k = r->at + 1;
    for (;;) {
#ifdef __SSE2__
        /* sixteen bytes at a time, where the processor can (every x86-64
         * can), copied whole and kept up to the first that is not plain (a
         * quote, a backslash, a control character, a byte of a multi-byte
         * character).  The copy stays inside the strings buffer: o is
         * behind k by at least the opening quote. */
        const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
        while (k + 16 <= r->len) {
            __m128i v = _mm_loadu_si128((const __m128i *)(r->s + k));
            /* a signed compare: bytes from 0x80 are negative, below space */
            __m128i odd = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                       _mm_cmplt_epi8(v, space));
            unsigned mask = (unsigned)_mm_movemask_epi8(odd);
            _mm_storeu_si128((__m128i *)o, v);
            if (mask) {
                unsigned plain = (unsigned)__builtin_ctz(mask);
                o += plain;
                k += plain;
                break;
            }
            o += 16;
            k += 16;
        }
#endif
        while (k < r->len && r->s[k] >= 0x20 && r->s[k] < 0x80 && r->s[k] != '"' && r->s[k] != '\\')
            *o++ = (char)r->s[k++];
        if (k >= r->len)
            return NULL;
        unsigned char c = r->s[k];
        if (c == '"') {
            *o++ = '\0';
            r->strings = o;
            r->at = k + 1;
            return start;
        }
        if (c < 0x20)
            return NULL;
        if (c == '\\') {
            r->at = k + 1;
            if (!unescape(r, &o))
                return NULL;
            k = r->at;
        } else {
            size_t n = buf_utf8_char((const char *)r->s + k, r->len - k);
            if (!n)
                return NULL;
            memcpy(o, r->s + k, n);
            o += n;
            k += n;
        }
    }
}

static bool digit(unsigned char c) { return c >= '0' && c <= '9'; }

size_t jsonread_number_len(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && s[i] >= '1' && s[i] <= '9')
        while (i < n && digit(s[i]))
            i++;
    else
        return 0;
    if (i < n && s[i] == '.') {
        size_t from = ++i;
        while (i < n && digit(s[i]))
            i++;
        if (i == from)
            return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t from = i;
        while (i < n && digit(s[i]))
            i++;
        if (i == from)
            return 0;
    }
    return i;
}

/* The number starting at s[at] (a '-' or a digit), checked against JSON's
 * grammar (jsonread_number_len) and noted in nums.  It must not run on
 * into characters that can be part of a number: cJSON and record.c's scan
 * read those as one malformed number. */
static bool read_number(Reader *r, cJSON *node)
{
    const unsigned char *s = r->s;
    size_t n = r->len, len = jsonread_number_len((const char *)s + r->at, n - r->at), i = r->at + len;
    if (!len)
        return false;
    if (i < n && (digit(s[i]) || s[i] == '-' || s[i] == '+' || s[i] == '.' || s[i] == 'e' || s[i] == 'E'))
        return false;
    if (i - r->at > MAX_NUMBER)
        return false;
    JsonNumbers *nums = &r->nums;
    if (*nums->count == *nums->cap) {
        size_t cap = *nums->cap ? *nums->cap * 2 : 64;
        NumberSpan *bigger =
            svp_mem_realloc(nums->alloc, *nums->spans, *nums->cap * sizeof *bigger, cap * sizeof *bigger);
        if (!bigger)
            return false;
        *nums->spans = bigger;
        *nums->cap = cap;
    }
    node->valueint = (int)*nums->count;
    (*nums->spans)[(*nums->count)++] = (NumberSpan){(const char *)s + r->at, (uint32_t)(i - r->at)};
    r->at = i;
    return true;
}

/* true, false or null at s[at], of length n. */
static bool literal(Reader *r, const char *word, size_t n)
{
    if (r->len - r->at < n || memcmp(r->s + r->at, word, n))
        return false;
    r->at += n;
    return true;
}

static bool read_value(Reader *r, cJSON *node, unsigned depth);

/* The members of the object or items of the array at s[at] (its opening
 * bracket), as node's children, each linked as cJSON links them (prev of
 * the first child is the last). */
static bool read_container(Reader *r, cJSON *node, unsigned depth)
{
    bool object = r->s[r->at] == '{';
    unsigned char close = object ? '}' : ']';
    if (depth >= MAX_DEPTH)
        return false;
    r->at++;
    skip_space(r);
    if (r->at < r->len && r->s[r->at] == close) {
        r->at++;
        return true;
    }
    cJSON *last = NULL;
    for (;;) {
        const char *key = NULL;
        if (object) {
            if (r->at >= r->len || r->s[r->at] != '"' || !(key = read_string(r)))
                return false;
            skip_space(r);
            if (r->at >= r->len || r->s[r->at] != ':')
                return false;
            r->at++;
            skip_space(r);
        }
        cJSON *child = new_node(r, 0);
        if (!child)
            return false;
        child->string = (char *)key;
        if (!read_value(r, child, depth + 1))
            return false;
        if (last) {
            last->next = child;
            child->prev = last;
        } else {
            node->child = child;
        }
        last = child;
        node->child->prev = last;
        skip_space(r);
        if (r->at >= r->len)
            return false;
        if (r->s[r->at] == close) {
            r->at++;
            return true;
        }
        if (r->s[r->at] != ',')
            return false;
        r->at++;
        skip_space(r);
    }
}

/* The value at s[at] (white space skipped already) into node. */
static bool read_value(Reader *r, cJSON *node, unsigned depth)
{
    if (r->at >= r->len)
        return false;
    switch (r->s[r->at]) {
    case '{':
        node->type = cJSON_Object;
        return read_container(r, node, depth);
    case '[':
        node->type = cJSON_Array;
        return read_container(r, node, depth);
    case '"':
        node->type = cJSON_String;
        return (node->valuestring = (char *)read_string(r)) != NULL;
    case 't':
        node->type = cJSON_True;
        node->valueint = 1;
        return literal(r, "true", 4);
    case 'f':
        node->type = cJSON_False;
        return literal(r, "false", 5);
    case 'n':
        node->type = cJSON_NULL;
        return literal(r, "null", 4);
    default:
        node->type = cJSON_Number;
        return (r->s[r->at] == '-' || digit(r->s[r->at])) && read_number(r, node);
    }
}

cJSON *jsonread_parse(Arena *arena, const char *json, size_t len, JsonNumbers nums)
{
    Reader r = {.s = (const unsigned char *)json, .len = len, .arena = arena, .nums = nums};
    *nums.count = 0;
    if (!(r.strings = arena_alloc(arena, len + 1)))
        return NULL;
    cJSON *root = new_node(&r, 0);
    if (!root)
        return NULL;
    skip_space(&r);
    if (!read_value(&r, root, 0))
        return NULL;
    skip_space(&r);
    return r.at == len ? root : NULL;
}
