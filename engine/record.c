/*
 * record.c - reading one JSON record and binding it to the policy's slots.
 *
 * Exact numbers.  cJSON turns every JSON number into a double, and a
 * double cannot hold 100000.01 or tell 100000.001 from 100000.00 at large
 * magnitudes.  So svp never reads a number's value from cJSON.  Before
 * parsing, find_numbers() scans the text once and notes where each number
 * outside a string starts and ends (checking it against the JSON number
 * grammar).  cJSON's tree keeps document order, so when walk_tree() visits
 * the tree it numbers the number nodes in the same order and stores each
 * node's index in its (otherwise unused) valueint.  Reading a money or
 * percent field then reads the number's own characters, digit by digit,
 * with value_parse_json_number, which accepts it only if it stands for a
 * whole number of hundredths (pence, hundredths of a per cent); a number
 * field the same way in ten-thousandths (value_parse_json_number4).  No
 * double is ever involved.
 *
 * Binding walks the record and the policy's tree of declared paths
 * together; each declared field is converted once into its slot, unknown
 * keys are skipped, null counts as absent, and the first problem found
 * (document order, then missing required fields in declaration order)
 * makes the record invalid.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonread.h"
#include "record.h"
#include "value.h"
#include "versions.h"


/* Limits on a record (README, Limits). */
#define RECORD_MAX_BYTES (1u << 20)
#define RECORD_MAX_PROBLEMS 100 /* listed in "errors"; more are counted */
#define RECORD_MAX_DEPTH 64

/* One step of the path to the value being read: a key, or a list index.
 * The path is kept as steps and only spelt out when a record fails, so a
 * valid record (nearly all of a batch) pays nothing for its messages. */
typedef struct PathStep {
    const char *key;    /* NULL for a list index */
    size_t key_len;
    long index;
} PathStep;

typedef struct Binder {
    svp_evaluator *ev;
    PathStep steps[RECORD_MAX_DEPTH + 2];
    size_t depth;       /* steps in use (deeper ones are not recorded) */
    size_t numbers;     /* number nodes met so far, in document order */
    bool failed;        /* some problem was found: the record is invalid */
    bool fatal;         /* a problem that stops reading (not JSON, too deep,
                           out of memory): nothing after it can be trusted */
    const uint8_t *only; /* the field slots to read (others are skipped), or NULL: all */
    bool partial;       /* missing required fields are listed, not problems */
} Binder;

static bool fail(Binder *B, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A problem after which nothing more of the record can be read. */
#define fatal(B, ...) ((B)->fatal = true, fail((B), __VA_ARGS__))

/* ---- Marking numbers --------------------------------------------------- */

/* Whether s[0, n) is exactly one JSON number. */
static bool json_number_ok(const char *s, size_t n)
{
    return n && jsonread_number_len(s, n) == n;
}

static bool number_char(char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* What the scan found wrong with a text, if anything. */
typedef enum Scan { SCAN_OK, SCAN_NOT_JSON, SCAN_NUL, SCAN_OOM } Scan;

/* Byte classes inside a string: 0 plain, 1 quote, 2 backslash, 3 a raw
 * control character (JSON forbids them), 4 the start of a UTF-8 sequence,
 * 5 a byte that cannot start one. */
static const uint8_t in_string[256] = {
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    ['"'] = 1, ['\\'] = 2,
    [0x80] = 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5};

/* Check the string whose text starts at json[*i] and leave *i on its
 * closing quote: JSON allows no raw control characters in a string, svp
 * takes only well-formed UTF-8, and a \u0000 would end svp's text early. */
static Scan scan_string(const char *json, size_t *i, size_t len)
{
    const unsigned char *s = (const unsigned char *)json;
    size_t k = *i;
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    for (;;) {
        /* eight plain bytes at a time: no quote, backslash, control
         * character or byte of a multi-byte character among them */
        while (k + 8 <= len) {
            uint64_t v, q, b;
            memcpy(&v, s + k, 8);
            q = v ^ (ones * '"');
            b = v ^ (ones * '\\');
            if (((v | ((q - ones) & ~q) | ((b - ones) & ~b) | ((v - ones * 0x20) & ~v)) & highs))
                break;
            k += 8;
        }
        while (k < len && in_string[s[k]] == 0)
            k++;
        *i = k;
        if (k >= len)
            return SCAN_NOT_JSON;
        switch (in_string[s[k]]) {
        case 1:
            *i = k;
            return SCAN_OK;
        case 2:
            if (k + 5 < len && s[k + 1] == 'u' && !memcmp(json + k + 2, "0000", 4))
                return SCAN_NUL;
            k += 2; /* an escape: the next byte cannot end the string */
            break;
        case 4: {
            size_t n = buf_utf8_char(json + k, len - k);
            if (!n)
                return SCAN_NOT_JSON;
            k += n;
            break;
        }
        default:
            return SCAN_NOT_JSON;
        }
    }
}

/* Note where every number outside a string is, in ev->numbers, and check
 * what cJSON lets through: between tokens only JSON's white space and its
 * own characters, in strings no raw control characters and only
 * well-formed UTF-8 (so that svp's own output is valid JSON). */
static Scan find_numbers(svp_evaluator *ev, const char *json, size_t len, size_t *bad)
{
    /* outside a string: 0 allowed (white space, {}[]:, and the letters of
     * true, false and null, which cJSON checks), 1 a string, 2 a number,
     * 3 not JSON */
    static const uint8_t outside[256] = {
        3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 3, 3, 0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
        0, 3, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 2, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 3, 3, 3, 3, 3,
        3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 3, 0, 3, 3,
        3, 0, 3, 3, 3, 0, 0, 3, 3, 3, 3, 3, 0, 3, 0, 3, 3, 3, 0, 0, 0, 0, 3, 3, 3, 3, 3, 0, 3, 0, 3, 3,
        3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
        3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
        3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
        3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    };
    ev->nnumbers = 0;
    for (size_t i = 0; i < len; i++) {
        while (i < len && !outside[(unsigned char)json[i]])
            i++;
        if (i >= len)
            break;
        *bad = i;
        if (outside[(unsigned char)json[i]] == 3)
            return SCAN_NOT_JSON;
        if (json[i] == '"') {
            i++;
            Scan r = scan_string(json, &i, len);
            *bad = i;
            if (r != SCAN_OK)
                return r;
            continue;
        }
        size_t end = i;
        while (end < len && number_char(json[end]))
            end++;
        if (!json_number_ok(json + i, end - i))
            return SCAN_NOT_JSON;
        if (ev->nnumbers == ev->cap_numbers) {
            size_t cap = ev->cap_numbers ? ev->cap_numbers * 2 : 64;
            NumberSpan *bigger = svp_mem_realloc(ev->alloc, ev->numbers, ev->cap_numbers * sizeof *bigger,
                                                 cap * sizeof *bigger);
            if (!bigger)
                return SCAN_OOM;
            ev->numbers = bigger;
            ev->cap_numbers = cap;
        }
        ev->numbers[ev->nnumbers++] = (NumberSpan){json + i, (uint32_t)(end - i)};
        i = end - 1;
    }
    return SCAN_OK;
}

/* ---- Saying where a record stops being JSON ------------------------------ */

/* What was expected at byte `at` of json, which is valid JSON up to there
 * (cJSON, or the scan above, stopped at `at`): follows the brackets,
 * strings and commas before it. */
static const char *json_expected_at(const char *json, size_t len, size_t at)
{
    enum { VALUE, KEY_OR_CLOSE, KEY, COLON, AFTER } state = VALUE;
    uint8_t is_object[128] = {0}; /* a bit per level, 1024 levels */
    size_t depth = 0;
    for (size_t i = 0; i < at && i < len; i++) {
        char c = json[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        if (c == '"') {
            for (i++; i < at && json[i] != '"'; i++)
                i += json[i] == '\\';
            state = state == KEY || state == KEY_OR_CLOSE ? COLON : AFTER;
        } else if (c == '{' || c == '[') {
            if (depth < 1024)
                is_object[depth / 8] = (uint8_t)(c == '{' ? is_object[depth / 8] | (1u << depth % 8)
                                                          : is_object[depth / 8] & ~(1u << depth % 8));
            depth++;
            state = c == '{' ? KEY_OR_CLOSE : VALUE;
        } else if (c == '}' || c == ']') {
            depth -= depth > 0;
            state = AFTER;
        } else if (c == ':') {
            state = VALUE;
        } else if (c == ',') {
            bool object = depth && depth <= 1024 && (is_object[(depth - 1) / 8] >> ((depth - 1) % 8)) & 1;
            state = object ? KEY : VALUE;
        } else {
            while (i + 1 < at && number_char(json[i + 1]) | (json[i + 1] >= 'a' && json[i + 1] <= 'z'))
                i++;
            state = AFTER;
        }
    }
    bool object = depth && depth <= 1024 && (is_object[(depth - 1) / 8] >> ((depth - 1) % 8)) & 1;
    char c = at < len ? json[at] : 0;
    if (at >= len)
        return "the text ends before the record does: a closing brace, bracket or quote is missing";
    switch (state) {
    case AFTER:
        return !depth ? "unexpected text after the record"
             : object ? "expected ',' or '}' after an object member"
                      : "expected ',' or ']' after a list item";
    case COLON:
        return "expected ':' after a key";
    case KEY_OR_CLOSE:
    case KEY:
        return c == '\'' ? "expected a key in double quotes (JSON does not use single quotes)"
                          : state == KEY ? "expected a key in double quotes after ','"
                                         : "expected a key in double quotes, or '}'";
    default:
        if (c == '"')
            return "a text is not closed, or holds an unknown escape";
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\'')
            return "expected a value: a text goes in double quotes";
        return c == '}' || c == ']' ? "expected a value before the closing bracket (a ',' too many?)" : "expected a value";
    }
}

/* True when json ends inside a string or with a bracket still open: cJSON
 * then reports its last byte, not its end. */
static bool json_open_at_end(const char *json, size_t len)
{
    size_t depth = 0;
    for (size_t i = 0; i < len; i++) {
        if (json[i] == '"') {
            for (i++; i < len && json[i] != '"'; i++)
                i += json[i] == '\\';
            if (i >= len)
                return true;
        } else if (json[i] == '{' || json[i] == '[') {
            depth++;
        } else if ((json[i] == '}' || json[i] == ']') && depth) {
            depth--;
        }
    }
    return depth > 0;
}

/* "not valid JSON at line L, column C: what", for a record that stops
 * being JSON at byte `at` (columns count characters, from 1). */
static void fail_json_at(Binder *B, const char *json, size_t len, size_t at, const char *what)
{
    unsigned long line = 1, column = 1;
    for (size_t i = 0; i < at && i < len; i++) {
        if (json[i] == '\n') {
            line++;
            column = 1;
        } else if (((unsigned char)json[i] & 0xC0) != 0x80) {
            column++;
        }
    }
    fatal(B, "not valid JSON at line %lu, column %lu: %s", line, column,
          what ? what : json_expected_at(json, len, at));
}

/* The characters of number node j, as written in the record. */
static NumberSpan number_text(const svp_evaluator *ev, const cJSON *j)
{
    assert(j->valueint >= 0 && (size_t)j->valueint < ev->nnumbers); /* numbered by walk_tree */
    return ev->numbers[j->valueint];
}

/* cJSON's own cJSON_Is* are out-of-line calls; these are the same tests. */
static inline bool is_type(const cJSON *j, int type) { return j && (j->type & 0xFF) == type; }
#define cJSON_IsNumber(j) is_type((j), cJSON_Number)
#define cJSON_IsString(j) is_type((j), cJSON_String)
#define cJSON_IsObject(j) is_type((j), cJSON_Object)
#define cJSON_IsArray(j) is_type((j), cJSON_Array)
#define cJSON_IsNull(j) is_type((j), cJSON_NULL)
#define cJSON_IsTrue(j) is_type((j), cJSON_True)
#define cJSON_IsBool(j) (is_type((j), cJSON_True) || is_type((j), cJSON_False))

/* ---- Errors ------------------------------------------------------------ */

/* The path to the value being read, spelt out ("social_value.outcomes[1]");
 * "" for the record as a whole. */
static void path_text(const Binder *B, char *out, size_t size)
{
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < B->depth && i < RECORD_MAX_DEPTH + 2 && at < size; i++) {
        const PathStep *st = &B->steps[i];
        size_t len = st->key && st->key_len == SIZE_MAX ? strlen(st->key) : st->key_len;
        int n = st->key ? snprintf(out + at, size - at, "%s%.*s", at ? "." : "", (int)len, st->key)
                        : snprintf(out + at, size - at, "[%ld]", st->index);
        if (n < 0)
            break;
        at += (size_t)n;
    }
}

/* Keep a problem of the record: every one is listed (ev->problems, up to
 * RECORD_MAX_PROBLEMS, the rest counted), and the first is also the
 * result's "error".  Returns false, for `return fail(...)`. */
static bool fail(Binder *B, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(Binder *B, const char *fmt, ...)
{
    svp_evaluator *ev = B->ev;
    char field[sizeof ev->error_field], message[sizeof ev->error_message];
    path_text(B, field, sizeof field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (!B->failed) {
        memcpy(ev->error_field, field, sizeof field);
        memcpy(ev->error_message, message, sizeof message);
    }
    B->failed = true;
    if (ev->nproblems == RECORD_MAX_PROBLEMS) {
        ev->problems_dropped++;
        return false;
    }
    if (!ev->problems) {
        ev->problems = arena_alloc(&ev->scratch, RECORD_MAX_PROBLEMS * sizeof *ev->problems);
        if (!ev->problems) {
            ev->problems_dropped++;
            return false;
        }
    }
    Problem *pr = &ev->problems[ev->nproblems];
    pr->field = field[0] ? arena_strndup(&ev->scratch, field, strlen(field)) : NULL;
    pr->message = arena_strndup(&ev->scratch, message, strlen(message));
    if (pr->message && (pr->field || !field[0]))
        ev->nproblems++;
    else
        ev->problems_dropped++;
    return false;
}


/* What the record holds, for "expected X, got Y": the JSON as written,
 * shortened. */
static void describe_json(const svp_evaluator *ev, const cJSON *j, char *out, size_t size)
{
    if (cJSON_IsNumber(j)) {
        NumberSpan n = number_text(ev, j);
        snprintf(out, size, "%.*s", (int)(n.len < 40 ? n.len : 40), n.text);
    }
    else if (cJSON_IsString(j)) {
        Buf b;
        buf_init(&b, NULL);
        size_t n = strlen(j->valuestring);
        buf_json_string(&b, j->valuestring, n > 40 ? 40 : n);
        snprintf(out, size, "%s%s", b.data ? b.data : "\"\"", n > 40 ? "..." : "");
        buf_free(&b);
    } else if (cJSON_IsBool(j))
        snprintf(out, size, "%s", cJSON_IsTrue(j) ? "true" : "false");
    else if (cJSON_IsArray(j))
        snprintf(out, size, "an array");
    else if (cJSON_IsObject(j))
        snprintf(out, size, "an object");
    else
        snprintf(out, size, "null");
}

static bool fail_expected(Binder *B, const cJSON *j, const char *expected)
{
    char got[64];
    describe_json(B->ev, j, got, sizeof got);
    return fail(B, "expected %s, got %s", expected, got);
}

/* Paths grow and shrink as binding descends. */
static size_t path_push_n(Binder *B, const char *key, size_t key_len, long index)
{
    if (B->depth < RECORD_MAX_DEPTH + 2)
        B->steps[B->depth] = (PathStep){key, key_len, index};
    return B->depth++;
}

/* key NUL-terminated (its length is only needed if the record fails) */
static size_t path_push(Binder *B, const char *key, long index)
{
    return path_push_n(B, key, SIZE_MAX, index);
}

static void path_pop(Binder *B, size_t saved)
{
    B->depth = saved;
}

/* ---- Numbers and duplicate keys ----------------------------------------- */

/* Give number node c the index of its characters (document order: the
 * record is visited in order, see the top of the file). */
static bool take_number(Binder *B, cJSON *c)
{
    if (!cJSON_IsNumber(c))
        return true;
    if (B->numbers >= B->ev->nnumbers)
        return fatal(B, "not valid JSON");
    c->valueint = (int)B->numbers++;
    return true;
}

static bool duplicate(Binder *B, const cJSON *c)
{
    size_t saved = path_push(B, c->string, -1);
    fail(B, "this key appears twice in the same object (parsers disagree on which one counts)");
    path_pop(B, saved);
    return false;
}

/* True when a sibling before c has c's key. */
static bool repeats_earlier_key(const cJSON *first, const cJSON *c)
{
    for (const cJSON *d = first; d != c; d = d->next)
        if (d->string[0] == c->string[0] && !strcmp(d->string, c->string))
            return true;
    return false;
}

static int by_key(const void *a, const void *b)
{
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* For an object with many keys, check them all at once by sorting (the
 * pairwise check is quadratic, and a record of a megabyte can hold a
 * hundred thousand keys).  True when the keys are distinct; *checked
 * says whether this check was made (small objects are left pairwise). */
static bool keys_distinct(Binder *B, const cJSON *obj, bool *checked)
{
    size_t n = 0;
    for (const cJSON *c = obj->child; c; c = c->next)
        n++;
    *checked = n > 32;
    if (!*checked)
        return true;
    const cJSON **keys = arena_alloc(&B->ev->scratch, n * sizeof *keys);
    if (!keys) {
        *checked = false; /* fall back to the pairwise check */
        return true;
    }
    size_t k = 0;
    for (const cJSON *c = obj->child; c; c = c->next)
        keys[k++] = c;
    qsort(keys, n, sizeof *keys, by_key);
    bool distinct = true;
    for (size_t i = 1; i < n; i++)
        if (!strcmp(keys[i - 1]->string, keys[i]->string))
            distinct = duplicate(B, keys[i]); /* every repeat, in key order */
    return distinct;
}

/* A part of the record that the policy does not read: still number its
 * numbers and refuse duplicate keys in it (JSON parsers disagree on which
 * of two equal keys wins, so svp does not guess). */
static bool walk_unknown(Binder *B, cJSON *j, int depth)
{
    if (depth > RECORD_MAX_DEPTH)
        return fatal(B, "nested deeper than %d levels", RECORD_MAX_DEPTH);
    long index = 0;
    bool sorted = false;
    if (cJSON_IsObject(j))
        keys_distinct(B, j, &sorted);
    for (cJSON *c = j->child; c; c = c->next, index++) {
        if (cJSON_IsObject(j) && !sorted && repeats_earlier_key(j->child, c))
            duplicate(B, c); /* a problem; the walk goes on, numbering numbers */
        if (!take_number(B, c))
            return false;
        if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
            size_t saved = path_push(B, c->string, cJSON_IsArray(j) ? index : -1);
            bool ok = walk_unknown(B, c, depth + 1);
            path_pop(B, saved);
            if (!ok && B->fatal)
                return false;
        }
    }
    return true;
}

/* ---- Converting values ------------------------------------------------- */

static const char *enum_choices(const EnumDecl *e, char *out, size_t size)
{
    size_t at = 0;
    for (uint32_t m = 0; m < e->count && at < size; m++) {
        int n = snprintf(out + at, size - at, "%s%.*s", m ? ", " : "", (int)e->members[m].len, e->members[m].text);
        if (n < 0)
            break;
        at += (size_t)n;
    }
    return out;
}

static bool bind_enum(Binder *B, const EnumDecl *e, uint16_t ref, const cJSON *j, Val *out)
{
    if (cJSON_IsString(j)) {
        const char *s = j->valuestring;
        size_t n = strlen(s);
        for (uint32_t m = 0; m < e->count; m++)
            if (e->members[m].len == n && !memcmp(e->members[m].text, s, n)) {
                *out = (Val){VK_INT, T_ENUM, ref, 0, {.i = m}};
                return true;
            }
    }
    char choices[400], expected[480];
    snprintf(expected, sizeof expected, "one of %s", enum_choices(e, choices, sizeof choices));
    if (cJSON_IsString(j)) {
        const char *s = j->valuestring;
        size_t n = strlen(s);
        for (uint32_t m = 0; m < e->count; m++)
            if (e->members[m].len == n && !strncasecmp(e->members[m].text, s, n)) {
                size_t at = strlen(expected);
                snprintf(expected + at, sizeof expected - at, " (written exactly so: did you mean \"%.*s\"?)",
                         (int)n, e->members[m].text);
            }
    }
    return fail_expected(B, j, expected);
}

/* money, percent, number: a marked JSON number or a decimal string. */
/* A text in a money or percent field, as people write it: a plain decimal
 * ("145000.50"), or the policy language's own spelling, "£145,000" or
 * "£145,000.50" for money and "10%" or "12.5%" for a percentage.  Nothing
 * looser: "145,000" without the pound sign is refused. */
static bool parse_amount_text(TypeKind t, const char *s, int64_t *v)
{
    size_t n = strlen(s);
    static const char pound[] = "\xC2\xA3"; /* £ in UTF-8 */
    if (t == T_MONEY && n > 2 && !memcmp(s, pound, 2))
        return value_parse_money_literal(s + 2, n - 2, v);
    if (t == T_PERCENT && n > 1 && s[n - 1] == '%')
        n--;
    if (t == T_NUMBER)
        return value_parse_number(s, n, v);
    return value_parse_decimal(s, n, 2, v);
}

/* money, percent, number: a marked JSON number or a text (above). */
static bool bind_amount(Binder *B, TypeKind t, const cJSON *j, Val *out)
{
    int64_t v = 0;
    bool ok = false;
    if (cJSON_IsNumber(j)) {
        NumberSpan n = number_text(B->ev, j);
        ok = t == T_NUMBER ? value_parse_json_number4(n.text, n.len, &v) : value_parse_json_number(n.text, n.len, &v);
    } else if (cJSON_IsString(j)) {
        ok = parse_amount_text(t, j->valuestring, &v);
    }
    int64_t max = t == T_PERCENT ? 10000 : INT64_MAX;
    if (ok && v >= 0 && v <= max) {
        *out = (Val){VK_INT, (uint8_t)t, 0, 0, {.i = v}};
        return true;
    }
    /* a text that is not one of the forms: say which forms there are */
    bool text = cJSON_IsString(j);
    return fail_expected(B, j, t == T_PERCENT ? (text ? "percent 0..100, written 12.5, \"12.5\" or \"12.5%\""
                                                      : "percent 0..100")
                             : t == T_MONEY ? (text ? "money: pounds, not negative, to the penny, written 145000.50, "
                                                      "\"145000.50\", \"£145,000\" or \"£145,000.50\" (commas only after £)"
                                                    : "money: pounds, not negative, to the penny")
                                            : "a number, not negative, to four decimals");
}

static bool bind_object_into(Binder *B, const ObjectType *o, cJSON *j, Val *members);
static bool bind_value(Binder *B, Type t, cJSON *j, Val *out);

static bool bind_list(Binder *B, Type t, cJSON *j, Val *out)
{
    const svp_policy *p = B->ev->p;
    if (!cJSON_IsArray(j))
        return fail_expected(B, j, "a list");
    uint32_t n = 0;
    for (const cJSON *c = j->child; c; c = c->next)
        n++;
    Val *items = arena_alloc(&B->ev->scratch, (n ? n : 1) * sizeof *items);
    if (!items)
        return fatal(B, "the record is too large to read (out of memory)");
    uint32_t k = 0;
    long index = 0;
    for (cJSON *c = j->child; c; c = c->next, index++) {
        if (cJSON_IsNull(c))
            continue; /* null counts as absent, at every level */
        if (!take_number(B, c))
            return false;
        size_t saved = path_push(B, NULL, index);
        bool ok;
        assert(t.elem == T_ENUM ? t.ref < p->nenums : t.elem != T_OBJECT || t.ref < p->nobjects);
        if (t.elem == T_ENUM) {
            ok = bind_enum(B, p->enums[t.ref], t.ref, c, &items[k]);
        } else if (t.elem == T_OBJECT) {
            const ObjectType *o = &p->objects[t.ref];
            Val *members = arena_alloc(&B->ev->scratch, (o->nmembers ? o->nmembers : 1) * sizeof *members);
            ok = members ? bind_object_into(B, o, c, members) : fatal(B, "out of memory");
            items[k] = (Val){VK_OBJECT, T_OBJECT, t.ref, o->nmembers, {.items = members}};
        } else {
            ok = bind_value(B, (Type){t.elem, 0, t.ref}, c, &items[k]);
        }
        path_pop(B, saved);
        if (!ok && B->fatal)
            return false;
        k += ok; /* a bad item is a problem of its own; the others are read on */
    }
    *out = (Val){VK_LIST, T_LIST, t.ref, k, {.items = items}};
    return true;
}

/* Convert j to a value of type t, or fail saying what was expected. */
static bool bind_value(Binder *B, Type t, cJSON *j, Val *out)
{
    switch ((TypeKind)t.kind) {
    case T_TEXT:
        if (!cJSON_IsString(j))
            return fail_expected(B, j, "text");
        *out = (Val){VK_TEXT, T_TEXT, 0, (uint32_t)strlen(j->valuestring), {.s = j->valuestring}};
        return true;
    case T_BOOL:
        if (!cJSON_IsBool(j))
            return fail_expected(B, j, "true or false");
        *out = (Val){VK_BOOL, T_BOOL, 0, 0, {.b = cJSON_IsTrue(j)}};
        return true;
    case T_DATE: {
        int32_t days;
        if (!cJSON_IsString(j) ||
            !value_parse_date(j->valuestring, strlen(j->valuestring), &days))
            return fail_expected(B, j, "a date YYYY-MM-DD");
        *out = (Val){VK_INT, T_DATE, 0, 0, {.i = days}};
        return true;
    }
    case T_MONEY: case T_PERCENT: case T_NUMBER:
        return bind_amount(B, (TypeKind)t.kind, j, out);
    case T_ENUM:
        return bind_enum(B, B->ev->p->enums[t.ref], t.ref, j, out);
    case T_LIST:
        return bind_list(B, t, j, out);
    default:
        return fail(B, "this field cannot be read");
    }
}

/* ---- Walking the record ------------------------------------------------ */

/* The declared child of s named key, or NULL.  Records mostly list their
 * keys in the order the policy declares them, so the search starts just
 * after the previous match (*cursor) and wraps around. */
static const Shape *shape_child(const Shape *s, const char *key, uint32_t *cursor)
{
    uint32_t n = s->nchildren;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = *cursor + k < n ? *cursor + k : *cursor + k - n;
        const Shape *c = &s->children[i];
        if (c->key[0] == key[0] && !strcmp(c->key, key)) {
            *cursor = i + 1 < n ? i + 1 : 0;
            return c;
        }
    }
    return NULL;
}

/* Bind the children of object obj that shape declares, in one pass over
 * the record that also numbers its numbers and refuses duplicate keys
 * (a declared key seen twice is caught by the `seen` bits; an undeclared
 * one is compared with its earlier siblings). */
static bool bind_shape(Binder *B, const Shape *shape, cJSON *obj, Val *slots, int depth)
{
    if (depth > RECORD_MAX_DEPTH)
        return fatal(B, "nested deeper than %d levels", RECORD_MAX_DEPTH);
    uint32_t cursor = 0;
    uint64_t seen = 0;
    bool sorted = false;
    keys_distinct(B, obj, &sorted);
    for (cJSON *c = obj->child; c; c = c->next) {
        const Shape *s = shape_child(shape, c->string, &cursor);
        size_t at = s ? (size_t)(s - shape->children) : 64;
        if (!sorted && (at < 64 ? (seen >> at) & 1 : repeats_earlier_key(obj->child, c)))
            duplicate(B, c); /* a problem; reading goes on, numbering numbers */
        if (at < 64)
            seen |= (uint64_t)1 << at;
        if (!take_number(B, c))
            return false;
        if (s && s->slot >= 0 && B->only && !B->only[s->slot])
            s = NULL; /* a field this evaluation does not read: skipped like an unknown key */
        if (!s || cJSON_IsNull(c)) {
            if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
                size_t saved = path_push(B, c->string, -1);
                bool ok = walk_unknown(B, c, depth + 1);
                path_pop(B, saved);
                if (!ok && B->fatal)
                    return false;
            }
            continue;
        }
        size_t saved = path_push(B, c->string, -1);
        bool ok;
        assert(s->slot < 0 || s->field);
        if (s->slot >= 0) {
            ok = bind_value(B, s->field->type, c, &slots[s->slot]);
            if (!ok) /* present, if wrong: not also "missing" */
                slots[s->slot] = (Val){VK_TEXT, T_TEXT, 0, 0, {.s = ""}};
        } else if (!cJSON_IsObject(c))
            ok = fail_expected(B, c, "an object");
        else
            ok = bind_shape(B, s, c, slots, depth + 1);
        path_pop(B, saved);
        if (!ok && B->fatal)
            return false;
    }
    return !B->fatal;
}

/* A required field that is absent: a problem, or (reading a record that is
 * not complete yet) one more entry of the result's "missing". */
static void missing(Binder *B, const Field *f, int64_t stage, bool top)
{
    svp_evaluator *ev = B->ev;
    size_t saved = path_push_n(B, f->path.text, f->path.len, -1);
    if (B->partial) {
        char path[sizeof ev->error_field];
        path_text(B, path, sizeof path);
        const char *kept = arena_strndup(&ev->scratch, path, strlen(path));
        if (!ev->missing)
            ev->missing = arena_alloc(&ev->scratch, (ev->p->nfields + RECORD_MAX_PROBLEMS) * sizeof *ev->missing);
        if (!kept || !ev->missing)
            fatal(B, "the record is too large to read (out of memory)");
        else if (ev->nmissing < ev->p->nfields + RECORD_MAX_PROBLEMS)
            ev->missing[ev->nmissing++] = kept; /* (members of list items past that: not listed) */
        if (top && ev->missing_slot)
            ev->missing_slot[f->slot] = 1;
    } else if (f->required_when) {
        const Span c = f->required_when->span;
        fail(B, "missing: required when %.*s", (int)(c.end - c.start), ev->p->source + c.start);
    } else if (f->from_rank >= 0) {
        assert(ev->p->stage_slot >= 0 && stage >= 0);
        const EnumDecl *e = ev->p->enums[ev->p->fields[ev->p->stage_slot]->type.ref];
        const Name st = e->members[stage], from = e->members[f->from_rank];
        fail(B, "missing: required from %.*s, and this record is at %.*s", (int)from.len, from.text, (int)st.len,
             st.text);
    } else {
        fail(B, "missing: this field is required");
    }
    path_pop(B, saved);
}

/* Required fields that are missing, and defaults for absent fields.
 * stage is the record's stage rank, -1 when it has none (only the
 * always-required fields are then asked for). */
static bool complete(Binder *B, Field *const *fields, uint32_t n, Val *slots, int64_t stage, bool top)
{
    for (uint32_t s = 0; s < n; s++) {
        const Field *f = fields[s];
        if (slots[s].kind != VK_ABSENT || (top && B->only && !B->only[s]))
            continue;
        if (f->required && (f->from_rank < 0 || stage >= f->from_rank)) {
            missing(B, f, stage, top); /* every one, in declaration order */
            continue;
        }
        if (f->required_when && !f->dflt)
            continue; /* asked for below, once every default is in */
        if (f->dflt) {
            const Expr *d = f->dflt;
            slots[s] = d->kind == E_BOOL ? (Val){VK_BOOL, T_BOOL, 0, 0, {.b = d->num != 0}}
                     : d->kind == E_TEXT ? (Val){VK_TEXT, T_TEXT, 0, (uint32_t)strlen(d->str), {.s = d->str}}
                                         : (Val){VK_INT, f->type.kind, f->type.ref, 0, {.i = d->num}};
        }
    }
    return true;
}

static bool bind_object_into(Binder *B, const ObjectType *o, cJSON *j, Val *members)
{
    if (!cJSON_IsObject(j))
        return fail_expected(B, j, "an object");
    return bind_shape(B, &o->root, j, members, (int)B->depth) && complete(B, o->members, o->nmembers, members, 0, false);
}

/* `required when CONDITION` (issue 11): an absent field is missing when
 * its condition holds over the record as read (defaults in).  A condition
 * that reads an absent field does not hold, as a rule's `when` does not,
 * so the field is then not asked for.  (Listed after the always-required
 * missing fields, in declaration order.) */
static void required_when(Binder *B, const svp_policy *p, Val *slots, int64_t stage)
{
    for (uint32_t s = 0; s < p->nfields; s++) {
        const Field *f = p->fields[s];
        if (!f->required_when || f->dflt || slots[s].kind != VK_ABSENT || (B->only && !B->only[s]))
            continue;
        Val holds = eval_expr(B->ev, slots, f->required_when);
        if (holds.kind == VK_BOOL && holds.u.b)
            missing(B, f, stage, true);
    }
}

/* With a version set: pick the version in force for the record whose
 * tree is root, into ev->p (versions.c says how).  A record dated before
 * every version is refused, naming the field that dated it. */
static bool pick_version(Binder *B, const cJSON *root)
{
    svp_evaluator *ev = B->ev;
    const char *field;
    int32_t date;
    const svp_policy *p = versions_pick(ev->versions, root, ev->as_of, &field, &date);
    if (p) {
        ev->p = p;
        return true;
    }
    /* No version is in force: the record is bound and reported under the
     * newest, so that its result names one policy whatever records came
     * before it (svp report and svp portfolio count it there). */
    ev->p = ev->versions->newest;
    char on[SVP_VALUE_TEXT_MAX], earliest[SVP_VALUE_TEXT_MAX];
    value_format_date(date, on);
    value_format_date(ev->versions->earliest->effective, earliest);
    if (field)
        path_push_n(B, field, strlen(field), -1);
    ev->error_code = RESULT_ERROR_NO_VERSION;
    return fail(B, "no version of the policy is in force on %s: the earliest takes effect on %s", on, earliest);
}

/* ---- One record, two policies (svp_evaluate_shared) ---------------------- */

static void sign_field(Buf *b, const svp_policy *p, const Field *f, int depth);

/* Lengths first, so that no two declarations spell the same signature. */
static void sign_text(Buf *b, const char *s, size_t n)
{
    buf_printf(b, "%zu:", n);
    buf_append(b, s, n);
}

/* A type, with the enumeration or object type it names. */
static void sign_type(Buf *b, const svp_policy *p, Type t, int depth)
{
    buf_printf(b, "t%u.%u.%u", t.kind, t.elem, t.ref);
    TypeKind k = t.kind == T_LIST ? (TypeKind)t.elem : (TypeKind)t.kind;
    if (k == T_ENUM && t.ref < p->nenums) {
        const EnumDecl *e = p->enums[t.ref];
        buf_printf(b, "e%u.%u", e->count, e->ordered);
        for (uint32_t m = 0; m < e->count; m++)
            sign_text(b, e->members[m].text, e->members[m].len);
    } else if (k == T_OBJECT && t.ref < p->nobjects && depth <= RECORD_MAX_DEPTH) {
        const ObjectType *o = &p->objects[t.ref];
        buf_printf(b, "o%u{", o->nmembers);
        for (uint32_t m = 0; m < o->nmembers; m++)
            sign_field(b, p, o->members[m], depth + 1);
        buf_putc(b, '}');
    }
}

static void sign_field(Buf *b, const svp_policy *p, const Field *f, int depth)
{
    buf_putc(b, 'f');
    sign_text(b, f->path_str, strlen(f->path_str));
    buf_printf(b, "r%d.%d", f->required, (int)f->from_rank);
    sign_type(b, p, f->type, depth);
    if (f->dflt) {
        const Expr *d = f->dflt;
        buf_printf(b, "d%u.%lld", d->kind, (long long)d->num);
        if (d->str)
            sign_text(b, d->str, strlen(d->str));
    }
    /* `required when CONDITION` is decided while binding, by an expression
     * that may read the policy's parameters: such a field is bound alike
     * only under the very same policy. */
    if (f->required_when)
        buf_printf(b, "w%p", (const void *)p);
    buf_putc(b, ';');
}

/* What binding a record under policy p depends on, spelt out: its fields
 * in slot order (path, required from which stage, type, the enumeration or
 * object type it names, default, a `required when` tied to p itself) and
 * the stage field.  Two policies with the same signature give, for any
 * tree, the same slots and the same problems, word for word (the binding
 * tree is built from the fields' paths, in order).  Kept in ev->signature, made once (ev->p does not
 * change without a version set); false when out of memory. */
static bool sign(svp_evaluator *ev)
{
    if (ev->signature.len || ev->signature.failed)
        return !ev->signature.failed;
    const svp_policy *p = ev->p;
    Buf *b = &ev->signature;
    buf_printf(b, "svp record %u %d:", p->nfields, (int)p->stage_slot);
    for (uint32_t i = 0; i < p->nfields; i++)
        sign_field(b, p, p->fields[i], 0);
    return !b->failed;
}

/* Take, as ev's binding of the record, what `from` (an evaluator over a
 * policy that reads records alike) made of it: its field slots, copied
 * into an array of ev's size, or its problems. */
static Val *copy_binding(svp_evaluator *ev, const svp_evaluator *from, const char **id)
{
    ev->root = from->root;
    ev->root_text = from->root_text;
    ev->root_len = from->root_len;
    ev->bound = from->bound;
    ev->bound_ok = true;
    *id = from->result.id;
    if (!from->bound) {
        ev->problems = from->problems;
        ev->nproblems = from->nproblems;
        ev->problems_dropped = from->problems_dropped;
        ev->error_code = from->error_code;
        memcpy(ev->error_field, from->error_field, sizeof ev->error_field);
        memcpy(ev->error_message, from->error_message, sizeof ev->error_message);
        return NULL;
    }
    const svp_policy *p = ev->p;
    Val *slots = arena_alloc(&ev->scratch, (p->nslots ? p->nslots : 1) * sizeof *slots);
    if (!slots) {
        ev->bound = NULL;
        snprintf(ev->error_message, sizeof ev->error_message, "the record is too large to read (out of memory)");
        return NULL;
    }
    memcpy(slots, from->bound, p->nfields * sizeof *slots);
    ev->bound = slots;
    ev->missing = from->missing;
    ev->nmissing = from->nmissing;
    ev->missing_slot = from->missing_slot;
    return slots;
}

/* Whether ev may take from's binding of the record it has just read from
 * json[0, len) rather than bind the tree itself. */
static bool can_copy_binding(svp_evaluator *ev, const svp_evaluator *from, const char *json, size_t len)
{
    if (!from->bound_ok || from->root_text != json || from->root_len != len || ev->versions || from->versions ||
        ev->flags != from->flags || !sign(ev) || !from->signature.len)
        return false;
    return ev->p == from->p || (ev->signature.len == from->signature.len &&
                                !memcmp(ev->signature.data, from->signature.data, ev->signature.len));
}

/* Take the numbers of the record `from` has read (the same text). */
static bool share_numbers(svp_evaluator *ev, const svp_evaluator *from)
{
    if (ev->cap_numbers < from->nnumbers) {
        NumberSpan *bigger = svp_mem_realloc(ev->alloc, ev->numbers, ev->cap_numbers * sizeof *bigger,
                                             from->nnumbers * sizeof *bigger);
        if (!bigger)
            return false; /* read the text instead */
        ev->numbers = bigger;
        ev->cap_numbers = from->nnumbers;
    }
    if (from->nnumbers)
        memcpy(ev->numbers, from->numbers, from->nnumbers * sizeof *ev->numbers);
    ev->nnumbers = from->nnumbers;
    return true;
}

/* Read json[0, len) into a tree, the fast way when the text is plain
 * (jsonread.c), else with record.c's scan and cJSON; the tree cJSON made
 * is kept in ev->tree (freed with the next record), the fast one lives in
 * the scratch arena.  NULL, with the problem kept, when the text is not a
 * JSON value svp reads. */
static cJSON *read_tree(Binder *B, const char *json, size_t len)
{
    svp_evaluator *ev = B->ev;
    if (len > RECORD_MAX_BYTES) {
        fail(B, "the record is longer than %u bytes, the most svp reads", RECORD_MAX_BYTES);
        ev->error_field[0] = '\0';
        return NULL;
    }
    cJSON *fast = jsonread_parse(&ev->scratch, json, len,
                                 (JsonNumbers){&ev->numbers, &ev->nnumbers, &ev->cap_numbers, ev->alloc});
    if (fast)
        return fast;
    const char *end = NULL;
    size_t bad = 0;
    Scan scan = find_numbers(ev, json, len, &bad);
    if (scan == SCAN_OOM || scan == SCAN_NUL) {
        fatal(B, scan == SCAN_OOM ? "the record is too large to read (out of memory)"
                                  : "a text holds \\u0000, a NUL character, which svp does not accept");
        return NULL;
    }
    /* cJSON allocates with its own hooks (the C library's, unless the
     * application set others), so running out of memory there reads as
     * "not valid JSON": cJSON does not tell the two apart. */
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    size_t stop = root ? len : end ? (size_t)(end - json) : 0;
    if (root) { /* nothing but white space may follow the value */
        while (end < json + len && strchr(" \t\r\n", *end))
            end++;
        stop = (size_t)(end - json);
    }
    if (scan == SCAN_NOT_JSON && bad <= stop) { /* the scan stopped first: a string, a number or a stray byte */
        cJSON_Delete(root);
        unsigned char c = (unsigned char)json[bad];
        fail_json_at(B, json, len, bad,
                     bad >= len ? NULL
                     : c == '"' ? NULL
                     : c < 0x20 ? "a control character (a text cannot hold a raw line break or tab: write \\n or \\t)"
                     : c >= 0x80 ? "a byte that is not UTF-8"
                     : (c >= '0' && c <= '9') || c == '-' ? "a malformed number" : NULL);
        return NULL;
    }
    if (stop < len || !root) {
        cJSON_Delete(root);
        if (!root && stop + 1 >= len && json_open_at_end(json, len))
            stop = len; /* cJSON names the last byte when the text ends too soon */
        fail_json_at(B, json, len, stop, NULL);
        return NULL;
    }
    ev->tree = root;
    return root;
}

Val *record_bind(svp_evaluator *ev, const svp_evaluator *from, const char *json, size_t len, const char **id)
{
    const svp_policy *p = ev->p;
    Binder B; /* steps[] are written before they are read: not cleared */
    B.ev = ev;
    B.depth = 0;
    B.numbers = 0;
    B.failed = B.fatal = false;
    B.partial = ev->flags & SVP_EVAL_PARTIAL;
    B.only = ev->flags & SVP_EVAL_PORTFOLIO_FIELDS ? ev->p->portfolio_reads : NULL;
    ev->problems = NULL;
    ev->nproblems = ev->problems_dropped = ev->nmissing = 0;
    ev->missing = NULL;
    ev->missing_slot = NULL;
    *id = NULL;
    cJSON_Delete(ev->tree);
    ev->tree = NULL;
    ev->root = NULL;
    ev->bound = NULL;
    ev->bound_ok = false;
    ev->error_field[0] = ev->error_message[0] = '\0';
    if (from && from != ev && from->root && can_copy_binding(ev, from, json, len))
        return copy_binding(ev, from, id);
    cJSON *root;
    if (from && from != ev && from->root && from->root_text == json && from->root_len == len &&
        share_numbers(ev, from)) {
        root = (cJSON *)from->root; /* binding writes only the numbers' indexes, the same ones */
    } else if (!(root = read_tree(&B, json, len))) {
        return NULL;
    }
    ev->root = root;
    ev->root_text = json;
    ev->root_len = len;
    Val *slots = NULL;
    if (!cJSON_IsObject(root)) {
        fail(&B, "expected a JSON object for the record");
        goto done;
    }
    const cJSON *idj = cJSON_GetObjectItemCaseSensitive(root, "id");
    if (cJSON_IsString(idj) && !(*id = arena_strndup(&ev->scratch, idj->valuestring, strlen(idj->valuestring)))) {
        fail(&B, "the record is too large to read (out of memory)");
        goto done;
    }
    /* The version is chosen from this same tree: the record is parsed
     * once, whatever the number of versions. */
    if (ev->versions && !pick_version(&B, root))
        goto done;
    p = ev->p;
    if (ev->flags & SVP_EVAL_PORTFOLIO_FIELDS)
        B.only = p->portfolio_reads;
    if (B.partial && !(ev->missing_slot = arena_alloc(&ev->scratch, p->nfields + 1))) {
        fatal(&B, "the record is too large to read (out of memory)");
        goto done;
    }
    if (B.partial)
        memset(ev->missing_slot, 0, p->nfields + 1);
    slots = arena_alloc(&ev->scratch, (p->nslots ? p->nslots : 1) * sizeof *slots);
    if (!slots) {
        fail(&B, "the record is too large to read (out of memory)");
        goto done;
    }
    if (bind_shape(&B, &p->root, root, slots, 0)) {
        int64_t stage = p->stage_slot >= 0 && slots[p->stage_slot].kind == VK_INT ? slots[p->stage_slot].u.i : -1;
        complete(&B, p->fields, p->nfields, slots, stage, true);
        required_when(&B, p, slots, stage);
    }
done:
    /* Text values point into the tree: it lives until the next record
     * (ev->tree, or the scratch arena, or from's). */
    ev->bound = B.failed ? NULL : slots;
    ev->bound_ok = !ev->versions && sign(ev); /* another evaluator may take this binding */
    return ev->bound;
}

