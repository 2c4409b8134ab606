/*
 * record.c - reading one JSON record and binding it to the policy's slots.
 *
 * Exact numbers.  cJSON turns every JSON number into a double, and a
 * double cannot hold 100000.01 or tell 100000.001 from 100000.00 at large
 * magnitudes.  So before cJSON sees the text, mark_numbers() copies it and
 * rewrites every number outside a string as a string whose first byte is
 * 0xFF followed by the number's own characters: `"value": 100000.01`
 * becomes `"value": "\xFF100000.01"`.  0xFF never occurs in UTF-8, and
 * cJSON's \u escapes only ever produce valid UTF-8, so no real string can
 * look like a marked number; input holding a raw 0xFF byte is refused.
 * The lexeme is then checked against the JSON number grammar here, and
 * read digit by digit by value_parse_json_number, which accepts it only if
 * it stands for a whole number of hundredths (pence, hundredths of a per
 * cent).  No double is ever involved.
 *
 * Binding walks the record and the policy's tree of declared paths
 * together; each declared field is converted once into its slot, unknown
 * keys are skipped, null counts as absent, and the first problem found
 * (document order, then missing required fields in declaration order)
 * makes the record invalid.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "eval.h"
#include "value.h"

#define NUMBER_MARK '\xFF'

/* Limits on a record (README, Limits). */
#define RECORD_MAX_BYTES (1u << 20)
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
    bool failed;
} Binder;

/* ---- Marking numbers --------------------------------------------------- */

/* The JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool json_number_ok(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && s[i] >= '1' && s[i] <= '9')
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    else
        return false;
    if (i < n && s[i] == '.') {
        size_t start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t start = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return false;
    }
    return i == n;
}

static bool number_char(char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* Copy json into ev->text with numbers marked (see the top of the file).
 * False when the text cannot be JSON: a malformed number, a 0xFF or NUL
 * byte, or an unterminated string. */
static bool mark_numbers(svp_evaluator *ev, const char *json, size_t len)
{
    Buf *b = &ev->text;
    buf_clear(b);
    size_t run = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = json[i];
        if (in_string) {
            /* the bulk of a record is text: skip it in a tight loop */
            while (i < len && json[i] != '"' && json[i] != '\\' && json[i] != NUMBER_MARK && json[i] != '\0')
                i++;
            if (i >= len)
                break;
            c = json[i];
            if (c == NUMBER_MARK || c == '\0')
                return false;
            if (c == '\\')
                i++;
            else
                in_string = false;
            continue;
        }
        if (c == NUMBER_MARK || c == '\0')
            return false;
        if (c == '"') {
            in_string = true;
            continue;
        }
        if (c != '-' && (c < '0' || c > '9'))
            continue;
        size_t end = i;
        while (end < len && number_char(json[end]))
            end++;
        if (!json_number_ok(json + i, end - i))
            return false;
        buf_append(b, json + run, i - run);
        buf_append(b, "\"\xFF", 2);
        buf_append(b, json + i, end - i);
        buf_putc(b, '"');
        run = end;
        i = end - 1;
    }
    if (in_string)
        return false;
    buf_append(b, json + run, len - run);
    return !b->failed;
}

static bool is_marked_number(const cJSON *j)
{
    return cJSON_IsString(j) && j->valuestring[0] == NUMBER_MARK;
}

/* ---- Errors ------------------------------------------------------------ */

static bool fail(Binder *B, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(Binder *B, const char *fmt, ...)
{
    if (B->failed)
        return false;
    B->failed = true;
    char *out = B->ev->error_field;
    size_t size = sizeof B->ev->error_field, at = 0;
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
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(B->ev->error_message, sizeof B->ev->error_message, fmt, ap);
    va_end(ap);
    return false;
}

/* What the record holds, for "expected X, got Y": the JSON as written,
 * shortened. */
static void describe_json(const cJSON *j, char *out, size_t size)
{
    if (is_marked_number(j))
        snprintf(out, size, "%.40s", j->valuestring + 1);
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
    describe_json(j, got, sizeof got);
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

/* ---- Duplicate keys ---------------------------------------------------- */

/* JSON parsers disagree on which of two equal keys wins, so a record that
 * has one is refused rather than guessed at (the whole tree is checked,
 * unknown fields included). */
static bool check_duplicates(Binder *B, const cJSON *j, int depth)
{
    if (depth > RECORD_MAX_DEPTH)
        return fail(B, "nested deeper than %d levels", RECORD_MAX_DEPTH);
    long index = 0;
    for (const cJSON *c = j->child; c; c = c->next, index++) {
        if (cJSON_IsObject(j))
            for (const cJSON *d = j->child; d != c; d = d->next)
                if (d->string[0] == c->string[0] && !strcmp(d->string, c->string)) {
                    size_t saved = path_push(B, c->string, -1);
                    fail(B, "this key appears twice in the same object (parsers disagree on which one counts)");
                    path_pop(B, saved);
                    return false;
                }
        if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
            size_t saved = path_push(B, c->string, cJSON_IsArray(j) ? index : -1);
            bool ok = check_duplicates(B, c, depth + 1);
            path_pop(B, saved);
            if (!ok)
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
    if (cJSON_IsString(j) && !is_marked_number(j)) {
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
    if (cJSON_IsString(j) && !is_marked_number(j)) {
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
static bool bind_amount(Binder *B, TypeKind t, const cJSON *j, Val *out)
{
    int64_t v = 0;
    bool ok = false;
    if (is_marked_number(j)) {
        const char *s = j->valuestring + 1;
        ok = value_parse_json_number(s, strlen(s), &v);
    } else if (cJSON_IsString(j)) {
        ok = value_parse_decimal(j->valuestring, strlen(j->valuestring), 2, &v);
    }
    int64_t max = t == T_PERCENT ? 10000 : INT64_MAX;
    if (ok && v >= 0 && v <= max) {
        *out = (Val){VK_INT, (uint8_t)t, 0, 0, {.i = v}};
        return true;
    }
    bool commas = cJSON_IsString(j) && strchr(j->valuestring, ',');
    return fail_expected(B, j, t == T_PERCENT ? (commas ? "percent 0..100 (no commas)" : "percent 0..100")
                             : t == T_MONEY ? (commas ? "money: pounds, not negative, to the penny, without thousands separators"
                                                      : "money: pounds, not negative, to the penny")
                                            : "a number, not negative, to two decimals");
}

static bool bind_object_into(Binder *B, const ObjectType *o, const cJSON *j, Val *members);
static bool bind_value(Binder *B, Type t, const cJSON *j, Val *out);

static bool bind_list(Binder *B, Type t, const cJSON *j, Val *out)
{
    const svp_policy *p = B->ev->p;
    if (!cJSON_IsArray(j))
        return fail_expected(B, j, "a list");
    uint32_t n = 0;
    for (const cJSON *c = j->child; c; c = c->next)
        n++;
    Val *items = arena_alloc(&B->ev->scratch, (n ? n : 1) * sizeof *items);
    if (!items)
        return fail(B, "the record is too large to read (out of memory)");
    uint32_t k = 0;
    long index = 0;
    for (const cJSON *c = j->child; c; c = c->next, index++) {
        if (cJSON_IsNull(c))
            continue; /* null counts as absent, at every level */
        size_t saved = path_push(B, NULL, index);
        bool ok;
        if (t.elem == T_ENUM) {
            ok = bind_enum(B, p->enums[t.ref], t.ref, c, &items[k]);
        } else if (t.elem == T_OBJECT) {
            const ObjectType *o = &p->objects[t.ref];
            Val *members = arena_alloc(&B->ev->scratch, (o->nmembers ? o->nmembers : 1) * sizeof *members);
            ok = members ? bind_object_into(B, o, c, members) : fail(B, "out of memory");
            items[k] = (Val){VK_OBJECT, T_OBJECT, t.ref, o->nmembers, {.items = members}};
        } else {
            ok = bind_value(B, (Type){t.elem, 0, t.ref}, c, &items[k]);
        }
        path_pop(B, saved);
        if (!ok)
            return false;
        k++;
    }
    *out = (Val){VK_LIST, T_LIST, t.ref, k, {.items = items}};
    return true;
}

/* Convert j to a value of type t, or fail saying what was expected. */
static bool bind_value(Binder *B, Type t, const cJSON *j, Val *out)
{
    switch ((TypeKind)t.kind) {
    case T_TEXT:
        if (!cJSON_IsString(j) || is_marked_number(j))
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
        if (!cJSON_IsString(j) || is_marked_number(j) ||
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

static const Shape *shape_child(const Shape *s, const char *key)
{
    for (uint32_t i = 0; i < s->nchildren; i++)
        if (s->children[i].key[0] == key[0] && !strcmp(s->children[i].key, key))
            return &s->children[i];
    return NULL;
}

static bool bind_shape(Binder *B, const Shape *shape, const cJSON *obj, Val *slots)
{
    for (const cJSON *c = obj->child; c; c = c->next) {
        const Shape *s = shape_child(shape, c->string);
        if (!s || cJSON_IsNull(c))
            continue;
        size_t saved = path_push(B, c->string, -1);
        bool ok;
        if (s->slot >= 0)
            ok = bind_value(B, s->field->type, c, &slots[s->slot]);
        else if (!cJSON_IsObject(c))
            ok = fail_expected(B, c, "an object");
        else
            ok = bind_shape(B, s, c, slots);
        path_pop(B, saved);
        if (!ok)
            return false;
    }
    return true;
}

/* Required fields that are missing, and defaults for absent fields.
 * stage is the record's stage rank, -1 when it has none (only the
 * always-required fields are then asked for). */
static bool complete(Binder *B, Field *const *fields, uint32_t n, Val *slots, int64_t stage)
{
    for (uint32_t s = 0; s < n; s++) {
        const Field *f = fields[s];
        if (slots[s].kind != VK_ABSENT)
            continue;
        if (f->required && (f->from_rank < 0 || stage >= f->from_rank)) {
            path_push_n(B, f->path.text, f->path.len, -1);
            if (f->from_rank >= 0) {
                const EnumDecl *e = B->ev->p->enums[B->ev->p->fields[B->ev->p->stage_slot]->type.ref];
                const Name st = e->members[stage], from = e->members[f->from_rank];
                return fail(B, "missing: required from %.*s, and this record is at %.*s", (int)from.len, from.text,
                            (int)st.len, st.text);
            }
            return fail(B, "missing: this field is required");
        }
        if (f->dflt) {
            const Expr *d = f->dflt;
            slots[s] = d->kind == E_BOOL ? (Val){VK_BOOL, T_BOOL, 0, 0, {.b = d->num != 0}}
                     : d->kind == E_TEXT ? (Val){VK_TEXT, T_TEXT, 0, (uint32_t)strlen(d->str), {.s = d->str}}
                                         : (Val){VK_INT, f->type.kind, f->type.ref, 0, {.i = d->num}};
        }
    }
    return true;
}

static bool bind_object_into(Binder *B, const ObjectType *o, const cJSON *j, Val *members)
{
    if (!cJSON_IsObject(j))
        return fail_expected(B, j, "an object");
    return bind_shape(B, &o->root, j, members) && complete(B, o->members, o->nmembers, members, 0);
}

Val *record_bind(svp_evaluator *ev, const char *json, size_t len, const char **id)
{
    const svp_policy *p = ev->p;
    Binder B;
    memset(&B, 0, sizeof B);
    B.ev = ev;
    *id = NULL;
    cJSON_Delete(ev->tree);
    ev->tree = NULL;
    ev->error_field[0] = ev->error_message[0] = '\0';
    if (len > RECORD_MAX_BYTES) {
        fail(&B, "the record is %zu bytes; svp reads records of up to %u bytes", len, RECORD_MAX_BYTES);
        ev->error_field[0] = '\0';
        return NULL;
    }
    cJSON *root = mark_numbers(ev, json, len)
                      ? cJSON_ParseWithLengthOpts(ev->text.data, ev->text.len + 1, NULL, 1)
                      : NULL;
    if (!root) {
        fail(&B, ev->text.failed ? "the record is too large to read (out of memory)" : "not valid JSON");
        return NULL;
    }
    Val *slots = NULL;
    if (!cJSON_IsObject(root)) {
        fail(&B, "expected a JSON object for the record");
        goto done;
    }
    const cJSON *idj = cJSON_GetObjectItemCaseSensitive(root, "id");
    if (cJSON_IsString(idj) && !is_marked_number(idj))
        *id = arena_strndup(&ev->scratch, idj->valuestring, strlen(idj->valuestring));
    if (!check_duplicates(&B, root, 0))
        goto done;
    slots = arena_alloc(&ev->scratch, (p->nslots ? p->nslots : 1) * sizeof *slots);
    if (!slots) {
        fail(&B, "the record is too large to read (out of memory)");
        goto done;
    }
    if (bind_shape(&B, &p->root, root, slots)) {
        int64_t stage = p->stage_slot >= 0 && slots[p->stage_slot].kind == VK_INT ? slots[p->stage_slot].u.i : -1;
        complete(&B, p->fields, p->nfields, slots, stage);
    }
done:
    /* Text values point into the tree: it lives until the next record. */
    ev->tree = root;
    return B.failed ? NULL : slots;
}

