/*
 * mapping.c - import mappings: compiling one against its policy, and
 * applying it to a source item to make a record.
 *
 * A mapping says, in the policy language, how a source (OCDS notices, a
 * CSV register) fills the record a policy declares.  Everything specific
 * to a council, a policy or a register layout is in the mapping file: the
 * column names, which amount is the value, what a stage is, what counts as
 * an SME.  This file knows only the language.
 *
 * Compiling checks the mapping against the policy's record declaration, so
 * an unknown record field, a value of the wrong type or an enumeration
 * value the policy lacks is an error at file:line:col, as for a policy.
 * Names in a mapping's expressions read the source: a path into the item
 * (`tender.value.amount`, or a column's name), a `let`, or, inside a
 * `where` filter, a path into the list's item.  A bare name standing where
 * a record field of an enumeration is filled is that enumeration's value.
 *
 * Applying a mapping evaluates its expressions over one item's tree
 * (source.h).  Source values are typed where they are used: compared with
 * money they are read as amounts (exactly, from the characters written:
 * value.c), with a date as a date, and each `set` converts to its field's
 * type.  A value that cannot be read so leaves the item out, with the
 * field and the value in the reason: nothing is guessed.  Texts compare
 * without regard to case or surrounding spaces, as registers are typed.
 */
#include "mapping.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import.h"
#include "parse.h"
#include "value.h"

/* ==== Compiling ========================================================== */

/* Static kinds of a mapping expression. */
typedef enum MType {
    MT_ERROR,   /* already reported */
    MT_SOURCE,  /* read from the source: typed where it is used */
    MT_BOOL, MT_AMOUNT, MT_MONEY, MT_PERCENT, MT_NUMBER, MT_DATE, MT_TEXT,
    MT_MEMBER,  /* an enumeration value: Expr.type.ref the enumeration */
    MT_LIST     /* a list literal [a, b] */
} MType;

typedef struct MapChecker {
    svp_mapping *m;
    AstBuilder *ab;
    svp_diagnostics *d;
    uint32_t visible_lets;  /* lets declared above the declaration checked */
    ReadPath *item_prefix;  /* inside `where`: the list's path (for reads) */
    bool in_where;
} MapChecker;

static void merror(MapChecker *C, Span s, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void merror(MapChecker *C, Span s, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(C->d, SVP_ERROR, code, s.start, s.end, fmt, ap);
    va_end(ap);
}

static void *alloc_in(MapChecker *C, size_t size)
{
    void *p = arena_alloc(&C->m->arena, size);
    if (!p)
        C->ab->oom = true;
    return p;
}

static char *dup_in(MapChecker *C, const char *text, size_t len)
{
    char *s = arena_strndup(&C->m->arena, text, len);
    if (!s)
        C->ab->oom = true;
    return s;
}

/* The decoded value of a text literal as written (with its quotes). */
static const char *decode(MapChecker *C, Name raw)
{
    if (raw.len < 2)
        return "";
    const char *s = ast_decode_text(C->ab, raw.text + 1, raw.len - 2, raw.span.start + 1, false);
    return s ? s : "";
}

/* ---- The tree of paths read ---------------------------------------------- */

ReadPath *read_path_child(Arena *a, ReadPath *parent, const char *key)
{
    for (ReadPath *c = parent->children; c; c = c->next)
        if (!strcmp(c->key, key))
            return c;
    ReadPath *c = arena_alloc(a, sizeof *c);
    if (!c)
        return NULL;
    c->key = key;
    c->next = parent->children;
    parent->children = c;
    return c;
}

static ReadPath *note_read(MapChecker *C, ReadPath *from, const char *const *keys, uint32_t n)
{
    for (uint32_t i = 0; from && i < n; i++)
        from = read_path_child(&C->m->arena, from, keys[i]);
    if (!from)
        C->ab->oom = true;
    return from;
}

/* ---- Names ------------------------------------------------------------------ */

static int find_member_ci(const EnumDecl *e, const char *text, size_t len)
{
    for (uint32_t i = 0; i < e->count; i++)
        if (e->members[i].len == len && !strncasecmp(e->members[i].text, text, len))
            return (int)i;
    return -1;
}

static const char *member_list(const EnumDecl *e, char *out, size_t size)
{
    size_t at = 0;
    out[0] = '\0';
    for (uint32_t i = 0; i < e->count && at + 4 < size; i++)
        at += (size_t)snprintf(out + at, size - at, "%s%.*s", i ? ", " : "", (int)e->members[i].len,
                               e->members[i].text);
    return out;
}

static int find_let(MapChecker *C, const char *text, size_t len)
{
    for (uint32_t i = C->visible_lets; i-- > 0;)
        if (strlen(C->m->lets[i].name) == len && !memcmp(C->m->lets[i].name, text, len))
            return (int)i;
    return -1;
}

static int find_column(MapChecker *C, const char *text, size_t len)
{
    for (uint32_t i = 0; i < C->m->ncolumns; i++)
        if (strlen(C->m->columns[i].name) == len && !memcmp(C->m->columns[i].name, text, len))
            return (int)i;
    return -1;
}

static MapPath *new_path(MapChecker *C, Expr *e)
{
    svp_mapping *m = C->m;
    if (m->npaths == m->cap_paths) {
        uint32_t cap = m->cap_paths ? m->cap_paths * 2 : 32;
        MapPath *bigger = alloc_in(C, cap * sizeof *bigger);
        if (!bigger)
            return NULL;
        if (m->npaths)
            memcpy(bigger, m->paths, m->npaths * sizeof *bigger);
        m->paths = bigger;
        m->cap_paths = cap;
    }
    e->ref = m->npaths;
    MapPath *p = &m->paths[m->npaths++];
    memset(p, 0, sizeof *p);
    return p;
}

/* Split "a.b.c" into keys. */
static bool split_keys(MapChecker *C, Name n, const char ***keys, uint32_t *count)
{
    uint32_t k = 1;
    for (uint32_t i = 0; i < n.len; i++)
        k += n.text[i] == '.';
    const char **out = alloc_in(C, k * sizeof *out);
    if (!out)
        return false;
    uint32_t at = 0, start = 0;
    for (uint32_t i = 0; i <= n.len; i++)
        if (i == n.len || n.text[i] == '.') {
            out[at++] = dup_in(C, n.text + start, i - start);
            start = i + 1;
        }
    *keys = out;
    *count = k;
    return true;
}

/* The enumeration value a name stands for where a field of enumeration
 * `want` is filled: `tender` or `stage.tender`; -1 when it is none. */
static int resolve_member(const svp_policy *p, Type want, Name n)
{
    if (want.kind != T_ENUM)
        return -1;
    const EnumDecl *e = p->enums[want.ref];
    const char *dot = memchr(n.text, '.', n.len);
    if (!dot)
        return find_member_ci(e, n.text, n.len) >= 0 ? (int)(find_member_ci(e, n.text, n.len)) : -1;
    size_t head = (size_t)(dot - n.text);
    if (head != e->name.len || memcmp(n.text, e->name.text, head) || memchr(dot + 1, '.', n.len - head - 1))
        return -1;
    return find_member_ci(e, dot + 1, n.len - head - 1);
}

static MType resolve_name(MapChecker *C, Expr *e, const Type *want)
{
    const svp_policy *p = C->m->policy;
    Name n = e->text;
    if (want) {
        int member = resolve_member(p, *want, n);
        if (member >= 0) {
            e->ref_kind = R_MEMBER;
            e->ref = (uint32_t)member;
            e->type = *want;
            return MT_MEMBER;
        }
    }
    const char **keys;
    uint32_t nkeys;
    if (!split_keys(C, n, &keys, &nkeys))
        return MT_ERROR;
    if (C->in_where) {
        MapPath *path = new_path(C, e);
        if (!path)
            return MT_ERROR;
        *path = (MapPath){MR_ITEM, 0, keys, nkeys};
        e->ref_kind = MR_ITEM;
        note_read(C, C->item_prefix, keys, nkeys);
        return MT_SOURCE;
    }
    int let = find_let(C, keys[0], strlen(keys[0]));
    if (let >= 0) {
        const MapLet *l = &C->m->lets[let];
        if (nkeys > 1 && l->mt != MT_SOURCE) {
            merror(C, e->span, "type", "`%s` is not a list of items from the source: `%.*s` reads nothing",
                   l->name, (int)n.len, n.text);
            return MT_ERROR;
        }
        MapPath *path = new_path(C, e);
        if (!path)
            return MT_ERROR;
        *path = (MapPath){MR_LET, (uint32_t)let, keys + 1, nkeys - 1};
        e->ref_kind = MR_LET;
        if (l->prefix)
            note_read(C, l->prefix, keys + 1, nkeys - 1);
        return nkeys > 1 ? MT_SOURCE : (MType)l->mt;
    }
    if (want && want->kind == T_ENUM && nkeys == 1 && !(C->m->format == MAP_CSV && find_column(C, keys[0], n.len) >= 0)) {
        char list[256];
        const EnumDecl *en = p->enums[want->ref];
        merror(C, e->span, "unknown-value", "`%.*s` is not a value of the policy's enumeration `%.*s` (%s)",
               (int)n.len, n.text, (int)en->name.len, en->name.text, member_list(en, list, sizeof list));
        return MT_ERROR;
    }
    if (C->m->format == MAP_CSV) {
        if (nkeys > 1 || find_column(C, keys[0], n.len) < 0) {
            merror(C, e->span, "unknown-name",
                   "unknown name `%.*s`: a CSV mapping reads the columns it names under `columns`, and its `let`s",
                   (int)n.len, n.text);
            return MT_ERROR;
        }
    }
    MapPath *path = new_path(C, e);
    if (!path)
        return MT_ERROR;
    *path = (MapPath){MR_SOURCE, 0, keys, nkeys};
    e->ref_kind = MR_SOURCE;
    note_read(C, &C->m->reads, keys, nkeys);
    return MT_SOURCE;
}

/* ---- Expressions ------------------------------------------------------------ */

static const char *mtype_words(MType t)
{
    static const char *const words[] = {[MT_ERROR] = "a value", [MT_SOURCE] = "a value from the source",
                                        [MT_BOOL] = "true or false", [MT_AMOUNT] = "an amount",
                                        [MT_MONEY] = "money", [MT_PERCENT] = "a percentage",
                                        [MT_NUMBER] = "a number", [MT_DATE] = "a date", [MT_TEXT] = "a text",
                                        [MT_MEMBER] = "an enumeration value", [MT_LIST] = "a list"};
    return words[t];
}

static MType check_mexpr(MapChecker *C, Expr *e, const Type *want);

static void expect_condition(MapChecker *C, Expr *e, const char *role)
{
    MType t = check_mexpr(C, e, NULL);
    if (t != MT_BOOL && t != MT_SOURCE && t != MT_ERROR)
        merror(C, e->span, "type", "%s must be true or false, and this is %s", role, mtype_words(t));
}

static bool amount_like(MType t) { return t == MT_AMOUNT || t == MT_MONEY || t == MT_PERCENT || t == MT_NUMBER; }

static bool comparable(MType a, MType b)
{
    if (a == MT_SOURCE || b == MT_SOURCE || a == MT_ERROR || b == MT_ERROR)
        return true;
    if (a == MT_AMOUNT || b == MT_AMOUNT)
        return amount_like(a) && amount_like(b);
    return a == b && a != MT_LIST;
}

static MType check_mexpr_kind(MapChecker *C, Expr *e, const Type *want)
{
    switch ((ExprKind)e->kind) {
    case E_BOOL: return MT_BOOL;
    case E_MONEY: return MT_MONEY;
    case E_PERCENT: return MT_PERCENT;
    case E_NUMBER:
        if (e->num % (VALUE_NUMBER_ONE / 100))
            merror(C, e->span, "type", "a mapping's numbers have at most two decimals, like the amounts it reads");
        return MT_NUMBER;
    case E_DATE: return MT_DATE;
    case E_TEXT: return MT_TEXT;
    case E_NAME: return resolve_name(C, e, want);
    case E_LIST:
        for (ExprList *i = e->items; i; i = i->next) {
            MType t = check_mexpr(C, i->expr, NULL);
            if (t == MT_LIST)
                merror(C, i->expr->span, "type", "a list inside a list: write its items in the outer one");
        }
        return MT_LIST;
    case E_NOT:
        expect_condition(C, e->a, "what `not` negates");
        return MT_BOOL;
    case E_AND: case E_OR:
        expect_condition(C, e->a, e->kind == E_AND ? "each side of `and`" : "each side of `or`");
        expect_condition(C, e->b, e->kind == E_AND ? "each side of `and`" : "each side of `or`");
        return MT_BOOL;
    case E_EQ: case E_NE: case E_LT: case E_LE: case E_GT: case E_GE: {
        MType a = check_mexpr(C, e->a, NULL), b = check_mexpr(C, e->b, NULL);
        if (!comparable(a, b))
            merror(C, e->span, "type", "cannot compare %s with %s", mtype_words(a), mtype_words(b));
        return MT_BOOL;
    }
    case E_IN: {
        MType a = check_mexpr(C, e->a, NULL), b = check_mexpr(C, e->b, NULL);
        if (a == MT_LIST)
            merror(C, e->a->span, "type", "the left of `in` is one value, not a list");
        if (b != MT_LIST && b != MT_SOURCE && b != MT_ERROR)
            merror(C, e->b->span, "type", "the right of `in` is a list, like [\"Yes\", \"Y\"], or a list from the source");
        for (ExprList *i = b == MT_LIST ? e->b->items : NULL; i; i = i->next)
            if (!comparable(a, (MType)i->expr->type.kind)) {
                merror(C, i->expr->span, "type", "cannot compare %s with %s", mtype_words(a),
                       mtype_words((MType)i->expr->type.kind));
                break;
            }
        return MT_BOOL;
    }
    case E_PRESENT: case E_BLANK:
        check_mexpr(C, e->a, NULL);
        return MT_BOOL;
    case E_IF: {
        expect_condition(C, e->a, "the condition of `if`");
        MType a = check_mexpr(C, e->b, want), b = check_mexpr(C, e->c, want);
        return a == b ? a : a == MT_ERROR ? b : b == MT_ERROR ? a : MT_SOURCE;
    }
    case E_COUNT: case E_SUM: case E_FIRST: {
        MType a = check_mexpr(C, e->a, NULL);
        if (a != MT_SOURCE && a != MT_ERROR) {
            merror(C, e->a->span, "type", "`%s of` reads a list from the source, and this is %s",
                   e->kind == E_COUNT ? "count" : e->kind == E_SUM ? "sum" : "first", mtype_words(a));
            return MT_ERROR;
        }
        return e->kind == E_COUNT ? MT_NUMBER : e->kind == E_SUM ? MT_AMOUNT : MT_SOURCE;
    }
    case E_ADD: case E_SUB: case E_MUL: case E_ALL: case E_ANY: case E_NAMES: case E_SHARE:
    case E_DIV: case E_DAYS: case E_MONTHS: case E_MIN: case E_MAX:
        merror(C, e->span, "mapping",
               "a mapping reads and compares values: arithmetic, `all of`, `any of`, `names of` and `share` "
               "belong in a policy");
        return MT_ERROR;
    case E_LOOKUP:
        merror(C, e->span, "mapping", "a mapping reads and compares the source's values: tables belong in a policy");
        return MT_ERROR;
    case E_EACH:
        merror(C, e->span, "mapping", "`%s` belongs in a policy; in a mapping, keep the items with "
               "`let NAME = LIST where CONDITION`, then use `count of NAME`",
               e->num == E_COUNT ? "count of ... where" : e->num == E_ANY ? "any of ... where"
               : e->num == E_ALL ? "all of ... where" : "sum over ... of");
        return MT_ERROR;
    }
    return MT_ERROR;
}

static MType check_mexpr(MapChecker *C, Expr *e, const Type *want)
{
    if (!e)
        return MT_ERROR;
    MType t = check_mexpr_kind(C, e, want);
    if (t != MT_MEMBER) {
        e->type.kind = (uint8_t)t; /* the mapping's own kinds (MType) */
        e->type.ref = 0;
    }
    return t;
}

/* ---- Declarations ------------------------------------------------------------ */

static bool date_format_ok(const char *f)
{
    /* dd, mm and yyyy once each, separated by one character that is not a letter */
    const char *d = strstr(f, "dd"), *mo = strstr(f, "mm"), *y = strstr(f, "yyyy");
    if (!d || !mo || !y || strlen(f) != 10)
        return false;
    for (const char *c = f; *c; c++)
        if (!(c >= d && c < d + 2) && !(c >= mo && c < mo + 2) && !(c >= y && c < y + 4) &&
            ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
            return false;
    return true;
}

static void check_header(MapChecker *C, const char *mapping_path)
{
    svp_mapping *m = C->m;
    MapHeader *h = m->ast.mapping;
    if (!h) {
        diag_add(C->d, SVP_ERROR, "header", 0, 0,
                 "the file has no `import` header: a mapping starts with `import \"Name\"`, then `into \"POLICY.svp\"` "
                 "and `reads ocds` or `reads csv`");
        return;
    }
    m->name = decode(C, h->name);
    if (!h->reads.len)
        merror(C, h->span, "header", "the header has no `reads`: add `reads ocds` or `reads csv`");
    else if (h->reads.len == 4 && !memcmp(h->reads.text, "ocds", 4))
        m->format = MAP_OCDS;
    else if (h->reads.len == 3 && !memcmp(h->reads.text, "csv", 3))
        m->format = MAP_CSV;
    else
        merror(C, h->reads.span, "header", "svp imports `ocds` (OCDS releases and packages) or `csv` (a register), not `%.*s`",
               (int)h->reads.len, h->reads.text);
    if (!h->into.len) {
        merror(C, h->span, "header", "the header has no `into`: name the policy whose record the mapping fills, "
                                     "like `into \"../nelc-social-value.svp\"` (relative to this file)");
        return;
    }
    const char *into = decode(C, h->into);
    const char *slash = strrchr(mapping_path, '/');
    size_t dir = slash && into[0] != '/' ? (size_t)(slash - mapping_path) + 1 : 0;
    char *path = alloc_in(C, dir + strlen(into) + 1);
    if (!path)
        return;
    memcpy(path, mapping_path, dir);
    strcpy(path + dir, into);
    m->policy_path = path;
    for (ExprList *i = h->dates; i; i = i->next)
        m->ndate_formats++;
    m->date_formats = alloc_in(C, (m->ndate_formats + 1) * sizeof *m->date_formats);
    if (!m->date_formats)
        return;
    uint32_t k = 0;
    for (ExprList *i = h->dates; i; i = i->next) {
        const char *f = i->expr && i->expr->str ? i->expr->str : "";
        if (!date_format_ok(f))
            merror(C, i->expr->span, "header",
                   "`%s` is not a date format svp reads: write dd, mm and yyyy with a separator, like \"dd/mm/yyyy\"", f);
        m->date_formats[k++] = f;
    }
    if (!k) /* OCDS and ISO 8601: the date part of a date-time */
        m->date_formats[k++] = "yyyy-mm-dd";
    m->ndate_formats = k;
}

static Field *find_field(const svp_policy *p, const char *text, size_t len, Field **near)
{
    size_t best = (size_t)-1;
    *near = NULL;
    for (uint32_t i = 0; i < p->nfields; i++) {
        Field *f = p->fields[i];
        if (f->path.len == len && !memcmp(f->path.text, text, len))
            return f;
        size_t d = diag_distance(text, len, f->path.text, f->path.len, len <= 8 ? 2 : 3);
        if (d < best && d <= (len <= 8 ? 2 : 3)) {
            best = d;
            *near = f;
        }
    }
    return NULL;
}

static bool fits_field(MType t, Type f)
{
    switch (t) {
    case MT_ERROR: case MT_SOURCE: return true;
    case MT_BOOL: return f.kind == T_BOOL;
    case MT_AMOUNT: return f.kind == T_MONEY || f.kind == T_PERCENT || f.kind == T_NUMBER;
    case MT_MONEY: return f.kind == T_MONEY;
    case MT_PERCENT: return f.kind == T_PERCENT;
    case MT_NUMBER: return f.kind == T_NUMBER;
    case MT_DATE: return f.kind == T_DATE;
    case MT_TEXT: return f.kind == T_TEXT;
    case MT_MEMBER: return f.kind == T_ENUM;
    case MT_LIST: return false;
    }
    return false;
}

static const char *field_words(const svp_policy *p, Type t, char *out, size_t size)
{
    static const char *const words[] = {[T_BOOL] = "true or false", [T_MONEY] = "money",
                                        [T_PERCENT] = "a percentage", [T_NUMBER] = "a number",
                                        [T_DATE] = "a date", [T_TEXT] = "a text"};
    if (t.kind == T_ENUM)
        snprintf(out, size, "a value of `%.*s`", (int)p->enums[t.ref]->name.len, p->enums[t.ref]->name.text);
    else
        snprintf(out, size, "%s", t.kind < sizeof words / sizeof *words && words[t.kind] ? words[t.kind] : "a value");
    return out;
}

static void check_value_for(MapChecker *C, Expr *e, Field *f)
{
    MType t = check_mexpr(C, e, &f->type);
    if (!fits_field(t, f->type)) {
        char fw[96];
        merror(C, e->span, "type", "`%.*s` holds %s, and this is %s", (int)f->path.len, f->path.text,
               field_words(C->m->policy, f->type, fw, sizeof fw), mtype_words(t));
    }
}

static void check_set(MapChecker *C, MapDecl *d)
{
    svp_mapping *m = C->m;
    Field *near;
    Field *f = find_field(m->policy, d->name.text, d->name.len, &near);
    if (!f) {
        if (near)
            merror(C, d->name.span, "unknown-field",
                   "unknown record field `%.*s`; did you mean `%.*s`? (the record `%.*s` of %s)", (int)d->name.len,
                   d->name.text, (int)near->path.len, near->path.text, (int)m->policy->record->name.len,
                   m->policy->record->name.text, m->policy_path);
        else
            merror(C, d->name.span, "unknown-field", "unknown record field `%.*s`: the record `%.*s` of %s has no such field",
                   (int)d->name.len, d->name.text, (int)m->policy->record->name.len, m->policy->record->name.text,
                   m->policy_path);
    } else if (f->type.kind == T_LIST || f->type.kind == T_OBJECT) {
        merror(C, d->name.span, "type", "`%.*s` is a list: svp import fills fields of one value",
               (int)d->name.len, d->name.text);
        f = NULL;
    } else {
        for (uint32_t i = 0; i < m->nsets; i++)
            if (m->sets[i].field == f) {
                merror(C, d->name.span, "duplicate", "`%.*s` is set twice: give it one `set`, with cases if needed",
                       (int)d->name.len, d->name.text);
                break;
            }
    }
    for (MapCase *c = d->cases; c; c = c->next) {
        if (c->when)
            expect_condition(C, c->when, "the condition of `when`");
        if (f)
            check_value_for(C, c->value, f);
        else
            check_mexpr(C, c->value, NULL);
        if (!c->when && c->next)
            merror(C, c->next->span, "unreachable", "a case after `otherwise` is never used: `otherwise` comes last");
    }
    if (d->value) {
        if (f)
            check_value_for(C, d->value, f);
        else
            check_mexpr(C, d->value, NULL);
    }
    m->sets[m->nsets++] = (MapSet){d, f};
}

/* The read-path node of the list a let names, when it is a path. */
static ReadPath *let_prefix(MapChecker *C, const Expr *e)
{
    if (e->kind == E_FIRST)
        e = e->a;
    if (e->kind != E_NAME || e->type.kind != MT_SOURCE)
        return NULL;
    const MapPath *p = &C->m->paths[e->ref];
    ReadPath *from = p->base == MR_SOURCE ? &C->m->reads : p->base == MR_LET ? C->m->lets[p->let].prefix : NULL;
    return from ? note_read(C, from, p->keys, p->nkeys) : NULL;
}

static void check_let(MapChecker *C, MapDecl *d)
{
    svp_mapping *m = C->m;
    MapLet *l = &m->lets[m->nlets];
    l->decl = d;
    l->name = dup_in(C, d->name.text, d->name.len);
    if (find_let(C, d->name.text, d->name.len) >= 0 ||
        (m->format == MAP_CSV && find_column(C, d->name.text, d->name.len) >= 0))
        merror(C, d->name.span, "duplicate", "`%.*s` is already a name in this mapping: choose another",
               (int)d->name.len, d->name.text);
    MType t = check_mexpr(C, d->value, NULL);
    l->mt = (uint8_t)(t == MT_MEMBER ? MT_ERROR : t);
    l->prefix = let_prefix(C, d->value);
    if (d->where) {
        if (t != MT_SOURCE && t != MT_ERROR)
            merror(C, d->value->span, "type", "`where` filters a list from the source, and this is %s", mtype_words(t));
        C->in_where = true;
        C->item_prefix = l->prefix ? l->prefix : &m->reads;
        expect_condition(C, d->where, "the condition of `where`");
        C->in_where = false;
    }
    m->nlets++;
    C->visible_lets = m->nlets;
}

/* Split a reason into literal text and {expressions}, as a rule's message. */
static MsgPart *check_reason(MapChecker *C, MapDecl *d)
{
    const char *raw = d->text.text + 1;
    size_t len = d->text.len - 2;
    uint32_t base = d->text.span.start + 1;
    MsgPart *first = NULL, **tail = &first;
    size_t lit = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && raw[i] == '\\') {
            i++;
            continue;
        }
        if (i < len && raw[i] != '{')
            continue;
        size_t close = i + 1;
        while (close < len && raw[close] != '}')
            close++;
        if (i < len && close >= len) {
            merror(C, (Span){base + (uint32_t)i, base + (uint32_t)i + 1}, "syntax",
                   "unclosed `{` in the reason: close it with `}`, or write \\{ for a brace");
            return first;
        }
        MsgPart *t = alloc_in(C, sizeof *t);
        if (!t)
            return first;
        t->text = ast_decode_text(C->ab, raw + lit, i - lit, base + (uint32_t)lit, false);
        *tail = t;
        tail = &t->next;
        if (i == len)
            break;
        MsgPart *x = alloc_in(C, sizeof *x);
        if (!x)
            return first;
        C->ab->parsed_expr = NULL;
        if (parse_source(C->ab, base + (uint32_t)i + 1, base + (uint32_t)close, true) == 0 && C->ab->parsed_expr) {
            x->expr = C->ab->parsed_expr;
            check_mexpr(C, x->expr, NULL);
        } else {
            x->text = "";
        }
        *tail = x;
        tail = &x->next;
        lit = close + 1;
        i = close;
    }
    return first;
}

static void check_declarations(MapChecker *C)
{
    svp_mapping *m = C->m;
    uint32_t n = 0;
    for (MapDecl *d = m->ast.maps; d; d = d->next)
        n++;
    m->lets = alloc_in(C, (n + 1) * sizeof *m->lets);
    m->sets = alloc_in(C, (n + 1) * sizeof *m->sets);
    m->leaves = alloc_in(C, (n + 1) * sizeof *m->leaves);
    m->reasons = alloc_in(C, (n + 1) * sizeof *m->reasons);
    uint32_t ncolumns = 0;
    for (Param *c = m->ast.columns; c; c = c->next)
        ncolumns++;
    m->columns = alloc_in(C, (ncolumns + 1) * sizeof *m->columns);
    if (!m->lets || !m->sets || !m->leaves || !m->reasons || !m->columns)
        return;
    for (Param *c = m->ast.columns; c; c = c->next) {
        if (m->format != MAP_CSV)
            merror(C, c->name.span, "mapping", "`columns` name a CSV register's columns: this mapping reads ocds");
        if (find_column(C, c->name.text, c->name.len) >= 0)
            merror(C, c->name.span, "duplicate", "the column name `%.*s` is given twice", (int)c->name.len, c->name.text);
        m->columns[m->ncolumns].name = dup_in(C, c->name.text, c->name.len);
        m->columns[m->ncolumns++].header = c->value->str ? c->value->str : "";
    }
    for (MapDecl *d = m->ast.maps; d && !C->ab->oom; d = d->next) {
        if (d->kind == M_LET)
            check_let(C, d);
        else if (d->kind == M_SET)
            check_set(C, d);
        else if (d->kind == M_LEAVE) {
            expect_condition(C, d->value, "the condition of `leave out when`");
            m->reasons[m->nleaves] = check_reason(C, d);
            m->leaves[m->nleaves++] = d;
        }
    }
    /* policy declarations have no place in a mapping */
    Policy *a = &m->ast;
    Span stray = a->name.len ? a->header
               : a->params ? a->params->name.span
               : a->enums ? a->enums->name.span
               : a->records ? a->records->span
               : a->decisions ? a->decisions->span
               : a->rules ? a->rules->span : (Span){0, 0};
    if (stray.end)
        merror(C, stray, "mapping", "a mapping holds `import`, `columns`, `let`, `set` and `leave out`: "
                                    "policy declarations belong in the policy it names");
    if (!m->nsets && m->ast.mapping)
        merror(C, m->ast.mapping->span, "mapping", "the mapping sets no field: add `set FIELD = ...` lines");
}

/* ---- Loading ------------------------------------------------------------------ */

bool svp_text_is_mapping(const char *text, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (text[i] == '#') {
            while (i < len && text[i] != '\n')
                i++;
        } else if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n') {
            i++;
        } else {
            break;
        }
    }
    return len - i > 6 && !memcmp(text + i, "import", 6) && (text[i + 6] == ' ' || text[i + 6] == '\t');
}

void svp_mapping_free(svp_mapping *m)
{
    if (!m)
        return;
    const svp_allocator *alloc = m->alloc;
    svp_policy_free(m->policy);
    arena_free(&m->arena);
    svp_mem_free(alloc, m, sizeof *m);
}

const char *svp_mapping_policy_path(const svp_mapping *m) { return m->policy_path; }
const svp_policy *svp_mapping_policy(const svp_mapping *m) { return m->policy; }

svp_mapping *svp_mapping_compile(const char *name, const char *text, size_t len, const svp_allocator *alloc,
                                 svp_diagnostics **diags, svp_diagnostics **policy_diags)
{
    *policy_diags = NULL;
    svp_diagnostics *d = diag_new(alloc, name, text, len);
    *diags = d;
    if (!d)
        return NULL;
    svp_mapping *m = svp_mem_alloc(alloc, sizeof *m);
    if (!m) {
        diag_add(d, SVP_ERROR, "oom", (size_t)-1, 0, "out of memory while reading the mapping");
        return NULL;
    }
    memset(m, 0, sizeof *m);
    m->alloc = alloc;
    arena_init(&m->arena, alloc, 0);
    if (len > (1u << 20) || memchr(text, '\0', len)) {
        diag_add(d, SVP_ERROR, "limit", (size_t)-1, 0, "the mapping is not a text file of up to 1048576 bytes");
        svp_mapping_free(m);
        return NULL;
    }
    m->source = arena_strndup(&m->arena, text, len);
    m->source_len = len;
    AstBuilder ab;
    MapChecker C = {.m = m, .ab = &ab, .d = d};
    if (m->source) {
        ast_builder_init(&ab, &m->arena, d, m->source, len, &m->ast);
        bool parsed = parse_source(&ab, 0, (uint32_t)len, false) == 0 && !ab.oom;
        if (parsed && !ab.oom)
            check_header(&C, name);
        if (parsed && !ab.oom && !d->errors) {
            m->policy = svp_policy_load(m->policy_path, alloc, policy_diags);
            if (!m->policy)
                merror(&C, m->ast.mapping->into.span, "policy", "the policy %s cannot be used: its diagnostics follow",
                       m->policy_path);
        }
        if (m->policy)
            check_declarations(&C);
        if (m->policy && m->format == MAP_OCDS && !ab.oom && !ocds_add_party_reads(&m->reads, &m->arena))
            ab.oom = true;
    }
    if ((!m->source || ab.oom) && !d->errors)
        diag_add(d, SVP_ERROR, "oom", (size_t)-1, 0, "out of memory while reading the mapping");
    if (d->errors || !m->source || ab.oom) {
        svp_mapping_free(m);
        return NULL;
    }
    return m;
}

svp_mapping *svp_mapping_load(const char *path, const svp_allocator *alloc, svp_diagnostics **diags,
                              svp_diagnostics **policy_diags)
{
    /* read as a policy is read: a regular file (a FIFO would block), within
     * the policy size limit */
    *policy_diags = NULL;
    size_t len = 0;
    char *text = svp_policy_read(path, &len, diags);
    if (!text)
        return NULL;
    svp_mapping *m = svp_mapping_compile(path, text, len, alloc, diags, policy_diags);
    svp_string_free(text);
    return m;
}

/* ==== Applying ============================================================= */

typedef enum MVKind { V_ABSENT, V_BOOL, V_AMOUNT, V_DATE, V_TEXT, V_MEMBER, V_NODES, V_LIST } MVKind;

typedef struct MV {
    uint8_t kind;          /* MVKind */
    uint8_t unit;          /* V_AMOUNT: MT_MONEY, MT_PERCENT, MT_NUMBER or MT_AMOUNT (not yet known) */
    int64_t num;           /* bool, amount (hundredths), date (days), member index */
    const char *text;      /* V_TEXT */
    const SNode **nodes;   /* V_NODES: present source values (absent ones skipped) */
    uint32_t n;
    const Expr *list;      /* V_LIST: the literal */
} MV;

static const MV ABSENT_MV = {.kind = V_ABSENT};

typedef struct MapEval {
    const svp_mapping *m;
    Arena *scratch;
    const SNode *root;
    const SNode *item;     /* inside `where`: the list's item */
    MV *lets;
    const char *field;     /* the field being filled, for reasons */
    Buf *why;
    bool failed;           /* a value could not be read: the item is left out */
} MapEval;

static MV mv_bool(int v) { MV r = {.kind = V_BOOL, .num = v}; return r; }

static void fail(MapEval *E, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(MapEval *E, const char *fmt, ...)
{
    if (E->failed)
        return;
    E->failed = true;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    buf_puts(E->why, msg);
}

static const char *node_text(const SNode *n)
{
    return n->kind == SN_STRING || n->kind == SN_NUMBER ? n->text
         : n->kind == SN_TRUE ? "true" : n->kind == SN_FALSE ? "false" : NULL;
}

/* Text as it reads with surrounding spaces left out: [*s, *s + *len). */
static void trim(const char **s, size_t *len)
{
    while (*len && strchr(" \t\r\n", (*s)[0]))
        (*s)++, (*len)--;
    while (*len && strchr(" \t\r\n", (*s)[*len - 1]))
        (*len)--;
}

/* An amount as registers write it: 1234.56, 1,234.56, £1,234.56, with
 * spaces around it or after the £ sign.  Nothing negative, nothing finer
 * than a penny (amount_fault says which, for the reason). */
static bool parse_amount_text(const char *s, int64_t *out)
{
    size_t len = strlen(s);
    trim(&s, &len);
    if (len >= 2 && !memcmp(s, "\xC2\xA3", 2)) {
        s += 2, len -= 2;
        trim(&s, &len); /* "£ 1,234.56": a space after the sign, as some exports write it */
    }
    if (!memchr(s, ',', len))
        return value_parse_decimal(s, len, 2, out);
    /* Thousands separators: groups of three digits after the first group of
     * one to three, before any point (1,234.5 and 1,234,567 read; 1,00 and
     * 12,34 do not).  Dropped, the rest reads as a plain decimal. */
    char plain[64];
    size_t n = 0, group = 0, i = 0;
    bool first = true;
    for (; i < len && s[i] != '.'; i++) {
        if (s[i] == ',') {
            if (group == 0 || group > 3 || (!first && group != 3))
                return false;
            first = false;
            group = 0;
        } else if (n < sizeof plain - 1) {
            plain[n++] = s[i];
            group++;
        } else
            return false;
    }
    if (!first && group != 3)
        return false;
    if (len - i >= sizeof plain - n)
        return false;
    memcpy(plain + n, s + i, len - i);
    return value_parse_decimal(plain, n + (len - i), 2, out);
}

static bool node_amount(const SNode *n, int64_t *out)
{
    if (n->kind == SN_NUMBER)
        return value_parse_json_number(n->text, strlen(n->text), out);
    return n->kind == SN_STRING && parse_amount_text(n->text, out);
}

/* A date in one of the mapping's formats; "yyyy-mm-dd" also takes the date
 * of an ISO 8601 date-time as written (2025-01-23T17:45:04Z: 2025-01-23). */
static bool parse_date_text(const svp_mapping *m, const char *s, int32_t *days)
{
    size_t len = strlen(s);
    trim(&s, &len);
    for (uint32_t f = 0; f < m->ndate_formats; f++) {
        const char *fmt = m->date_formats[f];
        char iso[11] = "0000-00-00";
        size_t i = 0, k = 0;
        bool ok = true;
        for (; fmt[k] && ok; k++) {
            char want = fmt[k];
            if (want == 'd' || want == 'm' || want == 'y') {
                /* a run of d, m or y; day and month may be written with one digit */
                size_t run = 1;
                while (fmt[k + run] == want)
                    run++;
                size_t digits = 0;
                while (i + digits < len && s[i + digits] >= '0' && s[i + digits] <= '9' && digits < run)
                    digits++;
                ok = digits == run || (want != 'y' && digits == 1);
                char *dst = want == 'y' ? iso : want == 'm' ? iso + 5 : iso + 8;
                memcpy(dst + (run - digits), s + i, digits);
                i += digits;
                k += run - 1;
            } else {
                ok = i < len && s[i] == want;
                i++;
            }
        }
        if (ok && (i == len || (!strcmp(fmt, "yyyy-mm-dd") && (s[i] == 'T' || s[i] == ' '))) &&
            value_parse_date(iso, 10, days))
            return true;
    }
    return false;
}

static bool text_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    trim(&a, &la);
    trim(&b, &lb);
    return la == lb && !strncasecmp(a, b, la);
}

static MV eval_m(MapEval *E, const Expr *e);

/* Follow keys from the given nodes; arrays met on the way are flattened. */
static MV project(MapEval *E, const SNode *const *from, uint32_t nfrom, const char *const *keys, uint32_t nkeys)
{
    uint32_t cap = nfrom + 8, n = 0;
    const SNode **cur = arena_alloc(E->scratch, cap * sizeof *cur);
    if (!cur) {
        fail(E, "out of memory");
        return ABSENT_MV;
    }
    for (uint32_t i = 0; i < nfrom; i++)
        cur[n++] = from[i];
    for (uint32_t k = 0; k <= nkeys; k++) {
        uint32_t count = 0;
        for (uint32_t i = 0; i < n; i++) {
            const SNode *v = k < nkeys ? (cur[i]->kind == SN_OBJECT ? snode_get(cur[i], keys[k]) : NULL) : cur[i];
            if (v && v->kind == SN_ARRAY)
                for (const SNode *it = v->child; it; it = it->next)
                    count += it->kind != SN_NULL;
            else
                count += v && v->kind != SN_NULL;
        }
        const SNode **next = arena_alloc(E->scratch, (count + 1) * sizeof *next);
        if (!next) {
            fail(E, "out of memory");
            return ABSENT_MV;
        }
        uint32_t at = 0;
        for (uint32_t i = 0; i < n; i++) {
            const SNode *v = k < nkeys ? (cur[i]->kind == SN_OBJECT ? snode_get(cur[i], keys[k]) : NULL) : cur[i];
            if (v && v->kind == SN_ARRAY) {
                for (const SNode *it = v->child; it; it = it->next)
                    if (it->kind != SN_NULL)
                        next[at++] = it;
            } else if (v && v->kind != SN_NULL) {
                next[at++] = v;
            }
        }
        cur = next;
        n = at;
    }
    if (!n)
        return ABSENT_MV;
    MV r = {.kind = V_NODES, .nodes = cur, .n = n};
    return r;
}

static MV eval_name(MapEval *E, const Expr *e)
{
    if (e->ref_kind == R_MEMBER) {
        MV r = {.kind = V_MEMBER, .num = e->ref, .unit = (uint8_t)e->type.ref};
        return r;
    }
    const MapPath *p = &E->m->paths[e->ref];
    const SNode *start = p->base == MR_ITEM ? E->item : E->root;
    if (p->base == MR_LET) {
        MV l = E->lets[p->let];
        if (!p->nkeys || l.kind != V_NODES)
            return p->nkeys ? ABSENT_MV : l;
        return project(E, l.nodes, l.n, p->keys, p->nkeys);
    }
    return start ? project(E, &start, 1, p->keys, p->nkeys) : ABSENT_MV;
}

/* Where an expression's source it came from, for a reason. */
static void describe(const Expr *e, const char *src, char *out, size_t size)
{
    size_t len = e->span.end - e->span.start;
    snprintf(out, size, "%.*s", (int)(len > 60 ? 60 : len), src + e->span.start);
}

/* One scalar of a value: a node, when it is a single one. */
static const SNode *single(const MV *v) { return v->kind == V_NODES && v->n == 1 ? v->nodes[0] : NULL; }

/* What a reason calls the value of e: the field it fills, or the expression. */
static void label_of(const MapEval *E, const Expr *e, char *out, size_t size)
{
    char text[72];
    describe(e, E->m->source, text, sizeof text);
    if (E->field && strcmp(E->field, text))
        snprintf(out, size, "%s (from %s)", E->field, text);
    else if (E->field)
        snprintf(out, size, "%s", E->field);
    else
        snprintf(out, size, "%s", text);
}

/* Why text that is not an amount is not one, when the cause is one a user
 * would not see at a glance: a minus sign, or more than two decimal places
 * (svp keeps pence exactly and never rounds).  "" otherwise. */
static const char *amount_fault(const char *t)
{
    size_t len = strlen(t);
    trim(&t, &len);
    if (len >= 2 && !memcmp(t, "\xC2\xA3", 2)) {
        t += 2, len -= 2;
        trim(&t, &len);
    }
    if (len && t[0] == '-')
        return ": a negative amount, which a contract's value cannot be";
    const char *dot = memchr(t, '.', len);
    if (dot) {
        size_t decimals = 0;
        while (dot + 1 + decimals < t + len && dot[1 + decimals] >= '0' && dot[1 + decimals] <= '9')
            decimals++;
        if (decimals > 2 && dot + 1 + decimals == t + len)
            return ": more than two decimal places (svp keeps pence exactly and never rounds)";
    }
    return "";
}

static bool as_amount(MapEval *E, const MV *v, const Expr *e, int64_t *out)
{
    if (v->kind == V_AMOUNT) {
        *out = v->num;
        return true;
    }
    const SNode *n = single(v);
    if (n && node_amount(n, out))
        return true;
    char where[200];
    label_of(E, e, where, sizeof where);
    const char *t = n ? node_text(n) : NULL;
    if (v->kind == V_NODES && v->n > 1)
        fail(E, "%s: %u values where one amount was expected", where, v->n);
    else
        fail(E, "%s: `%s` is not an amount%s", where, t ? t : "(not a value)", t ? amount_fault(t) : "");
    return false;
}

static bool as_date(MapEval *E, const MV *v, const Expr *e, int32_t *out)
{
    if (v->kind == V_DATE) {
        *out = (int32_t)v->num;
        return true;
    }
    const SNode *n = single(v);
    if (n && n->kind == SN_STRING && parse_date_text(E->m, n->text, out))
        return true;
    char where[200], formats[160] = "";
    label_of(E, e, where, sizeof where);
    for (uint32_t i = 0, at = 0; i < E->m->ndate_formats && at < sizeof formats - 40; i++)
        at += (uint32_t)snprintf(formats + at, sizeof formats - at, "%s%s", i ? " or " : "", E->m->date_formats[i]);
    const char *t = n ? node_text(n) : NULL;
    if (v->kind == V_NODES && v->n > 1)
        fail(E, "%s: %u values where one date was expected", where, v->n);
    else
        fail(E, "%s: `%s` is not a date written %s", where, t ? t : "(not a value)", formats);
    return false;
}

/* -1, 0, 1; or 2 when a value is absent, 3 when they are not comparable
 * (a value that could not be read: reported). */
static int compare(MapEval *E, MV a, const Expr *ea, MV b, const Expr *eb)
{
    if (a.kind == V_ABSENT || b.kind == V_ABSENT)
        return 2;
    if (a.kind == V_AMOUNT || b.kind == V_AMOUNT) {
        int64_t x, y;
        if (!as_amount(E, &a, ea, &x) || !as_amount(E, &b, eb, &y))
            return 3;
        return x < y ? -1 : x > y;
    }
    if (a.kind == V_DATE || b.kind == V_DATE) {
        int32_t x, y;
        if (!as_date(E, &a, ea, &x) || !as_date(E, &b, eb, &y))
            return 3;
        return x < y ? -1 : x > y;
    }
    if (a.kind == V_BOOL || b.kind == V_BOOL) {
        const SNode *n = a.kind == V_BOOL ? single(&b) : single(&a);
        int64_t other = a.kind == V_BOOL && b.kind == V_BOOL ? b.num : n && n->kind == SN_TRUE ? 1 : n && n->kind == SN_FALSE ? 0 : -1;
        if (other < 0)
            return 3;
        int64_t mine = a.kind == V_BOOL ? a.num : b.num;
        return mine == other ? 0 : 1;
    }
    const SNode *na = single(&a), *nb = single(&b);
    if (na && nb && na->kind == SN_NUMBER && nb->kind == SN_NUMBER) {
        int64_t x, y;
        if (node_amount(na, &x) && node_amount(nb, &y))
            return x < y ? -1 : x > y;
    }
    const char *ta = a.kind == V_TEXT ? a.text : na ? node_text(na) : NULL;
    const char *tb = b.kind == V_TEXT ? b.text : nb ? node_text(nb) : NULL;
    if (!ta || !tb)
        return 2;
    if (text_equal(ta, tb))
        return 0;
    return strcasecmp(ta, tb) < 0 ? -1 : 1;
}

/* x in list: any item equal. */
/* Whether x is among the values of list expression e->b. */
static bool found_in(MapEval *E, const Expr *e, MV x)
{
    MV l = eval_m(E, e->b);
    if (l.kind == V_LIST) {
        for (const ExprList *i = l.list->items; i; i = i->next)
            if (compare(E, x, e->a, eval_m(E, i->expr), i->expr) == 0)
                return true;
        return false;
    }
    for (uint32_t i = 0; l.kind == V_NODES && i < l.n; i++) {
        MV one = {.kind = V_NODES, .nodes = &l.nodes[i], .n = 1};
        if (compare(E, x, e->a, one, e->b) == 0)
            return true;
    }
    return false;
}

/* `in`, and `not in` (flag) as its negation: absent stays absent. */
static MV eval_in(MapEval *E, const Expr *e)
{
    MV x = eval_m(E, e->a);
    if (x.kind == V_ABSENT)
        return ABSENT_MV;
    return mv_bool(found_in(E, e, x) != e->flag);
}

static int truth(MV v)
{
    if (v.kind == V_BOOL)
        return (int)v.num;
    const SNode *n = single(&v);
    return n && n->kind == SN_TRUE ? 1 : n && n->kind == SN_FALSE ? 0 : -1;
}

static MV eval_m(MapEval *E, const Expr *e)
{
    if (E->failed)
        return ABSENT_MV;
    switch ((ExprKind)e->kind) {
    case E_BOOL: return mv_bool((int)e->num);
    case E_MONEY: case E_PERCENT: case E_NUMBER: {
        /* a mapping's amounts are hundredths; a number literal is kept in
         * ten-thousandths (value.h), and the checker refused finer ones */
        MV r = {.kind = V_AMOUNT, .num = e->kind == E_NUMBER ? e->num / (VALUE_NUMBER_ONE / 100) : e->num,
                .unit = e->kind == E_MONEY ? MT_MONEY : e->kind == E_PERCENT ? MT_PERCENT : MT_NUMBER};
        return r;
    }
    case E_DATE: { MV r = {.kind = V_DATE, .num = e->num}; return r; }
    case E_TEXT: { MV r = {.kind = V_TEXT, .text = e->str ? e->str : ""}; return r; }
    case E_NAME: return eval_name(E, e);
    case E_LIST: { MV r = {.kind = V_LIST, .list = e}; return r; }
    case E_NOT: {
        int t = truth(eval_m(E, e->a));
        return t < 0 ? ABSENT_MV : mv_bool(!t);
    }
    case E_AND: case E_OR: {
        int a = truth(eval_m(E, e->a)), b = truth(eval_m(E, e->b));
        if (e->kind == E_AND)
            return a == 0 || b == 0 ? mv_bool(0) : a < 0 || b < 0 ? ABSENT_MV : mv_bool(1);
        return a == 1 || b == 1 ? mv_bool(1) : a < 0 || b < 0 ? ABSENT_MV : mv_bool(0);
    }
    case E_EQ: case E_NE: case E_LT: case E_LE: case E_GT: case E_GE: {
        int c = compare(E, eval_m(E, e->a), e->a, eval_m(E, e->b), e->b);
        if (c > 1)
            return ABSENT_MV;
        switch ((ExprKind)e->kind) {
        case E_EQ: return mv_bool(c == 0);
        case E_NE: return mv_bool(c != 0);
        case E_LT: return mv_bool(c < 0);
        case E_LE: return mv_bool(c <= 0);
        case E_GT: return mv_bool(c > 0);
        default: return mv_bool(c >= 0);
        }
    }
    case E_IN: return eval_in(E, e);
    case E_PRESENT: case E_BLANK: {
        MV v = eval_m(E, e->a);
        bool yes;
        if (e->kind == E_PRESENT) {
            yes = v.kind != V_ABSENT;
        } else {
            const SNode *n = single(&v);
            const char *t = v.kind == V_TEXT ? v.text : n ? node_text(n) : NULL;
            size_t len = t ? strlen(t) : 0;
            if (t)
                trim(&t, &len);
            yes = v.kind == V_ABSENT || (t && !len);
        }
        return mv_bool(e->flag ? !yes : yes);
    }
    case E_IF: {
        int c = truth(eval_m(E, e->a));
        return c < 0 ? ABSENT_MV : eval_m(E, c ? e->b : e->c);
    }
    case E_COUNT: {
        MV v = eval_m(E, e->a);
        MV r = {.kind = V_AMOUNT, .unit = MT_NUMBER, .num = (int64_t)(v.kind == V_NODES ? v.n : 0) * 100};
        return r;
    }
    case E_SUM: {
        MV v = eval_m(E, e->a);
        int64_t total = 0;
        for (uint32_t i = 0; v.kind == V_NODES && i < v.n; i++) {
            MV one = {.kind = V_NODES, .nodes = &v.nodes[i], .n = 1};
            int64_t x;
            if (!as_amount(E, &one, e->a, &x))
                return ABSENT_MV;
            if (!value_add(total, x, &total)) {
                char where[200];
                label_of(E, e, where, sizeof where);
                fail(E, "%s: the sum is too large", where);
                return ABSENT_MV;
            }
        }
        MV r = {.kind = V_AMOUNT, .unit = MT_AMOUNT, .num = total};
        return r;
    }
    case E_FIRST: {
        MV v = eval_m(E, e->a);
        if (v.kind == V_NODES)
            v.n = 1;
        return v;
    }
    default:
        return ABSENT_MV; /* refused by the checker */
    }
}

/* Evaluate a let: a value, or the items of a list that pass its filter. */
static MV eval_let(MapEval *E, const MapDecl *d)
{
    MV v = eval_m(E, d->value);
    if (!d->where || v.kind != V_NODES)
        return d->where && v.kind != V_NODES ? ABSENT_MV : v;
    const SNode **kept = arena_alloc(E->scratch, (v.n + 1) * sizeof *kept);
    if (!kept) {
        fail(E, "out of memory");
        return ABSENT_MV;
    }
    uint32_t n = 0;
    const SNode *outer = E->item;
    for (uint32_t i = 0; i < v.n; i++) {
        E->item = v.nodes[i];
        if (truth(eval_m(E, d->where)) == 1)
            kept[n++] = v.nodes[i];
    }
    E->item = outer;
    if (!n)
        return ABSENT_MV;
    MV r = {.kind = V_NODES, .nodes = kept, .n = n};
    return r;
}

/* Show a value in a reason. */
static void show(Buf *b, MV v)
{
    char t[SVP_VALUE_TEXT_MAX];
    switch ((MVKind)v.kind) {
    case V_AMOUNT:
        if (v.unit == MT_MONEY)
            value_format_money(v.num, t);
        else
            value_format_hundredths(v.num, t);
        buf_puts(b, t);
        return;
    case V_DATE: value_format_date((int32_t)v.num, t); buf_puts(b, t); return;
    case V_TEXT: buf_puts(b, v.text); return;
    case V_BOOL: buf_puts(b, v.num ? "true" : "false"); return;
    case V_NODES:
        for (uint32_t i = 0; i < v.n; i++) {
            const char *s = node_text(v.nodes[i]);
            buf_puts(b, i ? ", " : "");
            buf_puts(b, s ? s : "(an object)");
        }
        return;
    default: buf_puts(b, "(none)"); return;
    }
}

/* The JSON of a value for field f, or NULL when it is absent (reasons for
 * what cannot be read go to E->why). */
static const char *field_json(MapEval *E, const Field *f, MV v, const Expr *e)
{
    if (v.kind == V_ABSENT || E->failed)
        return NULL;
    Buf b;
    buf_init(&b, E->m->alloc);
    char t[SVP_VALUE_TEXT_MAX];
    char where[200];
    label_of(E, e, where, sizeof where);
    switch ((TypeKind)f->type.kind) {
    case T_TEXT:
        if (v.kind == V_TEXT) {
            buf_json_string(&b, v.text, strlen(v.text));
        } else if (v.kind == V_NODES) {
            /* several texts (the names of several suppliers) join with "; " */
            Buf joined;
            buf_init(&joined, E->m->alloc);
            for (uint32_t i = 0; i < v.n; i++) {
                const char *s = node_text(v.nodes[i]);
                if (!s) {
                    fail(E, "%s: the source gives an object or list, not a text", where);
                    break;
                }
                if (i)
                    buf_puts(&joined, "; ");
                buf_puts(&joined, s);
            }
            buf_json_string(&b, joined.data ? joined.data : "", joined.len);
            buf_free(&joined);
        } else {
            fail(E, "%s: not a text", where);
        }
        break;
    case T_MONEY: case T_PERCENT: case T_NUMBER: {
        int64_t x;
        if (!as_amount(E, &v, e, &x))
            break;
        if (x < 0) {
            fail(E, "%s: the amount is negative", where);
            break;
        }
        if (f->type.kind == T_PERCENT && x > 10000) {
            fail(E, "%s: a percentage over 100", where);
            break;
        }
        if (f->type.kind == T_MONEY)
            value_format_money_plain(x, t);
        else
            value_format_hundredths(x, t);
        buf_json_string(&b, t, strlen(t));
        break;
    }
    case T_DATE: {
        int32_t days;
        if (as_date(E, &v, e, &days)) {
            value_format_date(days, t);
            buf_json_string(&b, t, strlen(t));
        }
        break;
    }
    case T_BOOL: {
        int x = truth(v);
        if (x < 0)
            fail(E, "%s: the source gives neither true nor false", where);
        else
            buf_puts(&b, x ? "true" : "false");
        break;
    }
    case T_ENUM: {
        const EnumDecl *en = E->m->policy->enums[f->type.ref];
        int member = -1;
        if (v.kind == V_MEMBER) {
            member = (int)v.num;
        } else {
            const SNode *n = single(&v);
            const char *s = v.kind == V_TEXT ? v.text : n ? node_text(n) : NULL;
            size_t len = s ? strlen(s) : 0;
            if (s)
                trim(&s, &len);
            member = s ? find_member_ci(en, s, len) : -1;
            if (member < 0) {
                char list[256];
                fail(E, "%s: `%s` is not one of %s", where, s ? s : "(several values)", member_list(en, list, sizeof list));
            }
        }
        if (member >= 0)
            buf_json_string(&b, en->members[member].text, en->members[member].len);
        break;
    }
    default:
        break;
    }
    const char *out = E->failed || b.failed || !b.data ? NULL : arena_strndup(E->scratch, b.data, b.len);
    if (!out && !E->failed && (b.failed || b.data))
        fail(E, "out of memory");
    buf_free(&b);
    return out;
}

/* Write the object at shape with the values set under it; false when
 * nothing under it is set (the key is then left out). */
static bool write_shape(Buf *out, const Shape *s, const char *const *json, const svp_allocator *alloc)
{
    bool any = false;
    for (uint32_t i = 0; i < s->nchildren; i++) {
        const Shape *c = &s->children[i];
        bool set = c->slot >= 0 ? json[c->slot] != NULL : false;
        if (c->slot < 0) {
            /* a parent: only if something below is set */
            Buf inner;
            buf_init(&inner, alloc);
            set = write_shape(&inner, c, json, alloc);
            if (inner.failed)
                out->failed = true; /* out of memory: the record is not written */
            else if (set) {
                buf_putc(out, any ? ',' : '{');
                buf_json_string(out, c->key, c->key_len);
                buf_putc(out, ':');
                buf_append(out, inner.data, inner.len);
            }
            buf_free(&inner);
        } else if (set) {
            buf_putc(out, any ? ',' : '{');
            buf_json_string(out, c->key, c->key_len);
            buf_putc(out, ':');
            buf_puts(out, json[c->slot]);
        }
        any |= set;
    }
    if (any)
        buf_putc(out, '}');
    return any;
}

bool mapping_apply(const svp_mapping *m, Arena *scratch, const SNode *root, Buf *out, Buf *why)
{
    MapEval E = {.m = m, .scratch = scratch, .root = root, .why = why};
    E.lets = arena_alloc(scratch, (m->nlets + 1) * sizeof *E.lets);
    const char **json = arena_alloc(scratch, (m->policy->nfields + 1) * sizeof *json);
    if (!E.lets || !json) {
        buf_puts(why, "out of memory");
        return false;
    }
    uint32_t let = 0, leave = 0;
    for (const MapDecl *d = m->ast.maps; d && !E.failed; d = d->next) {
        if (d->kind == M_LET) {
            E.lets[let] = eval_let(&E, d);
            let++;
        } else if (d->kind == M_LEAVE) {
            if (truth(eval_m(&E, d->value)) == 1 && !E.failed) {
                for (const MsgPart *p = m->reasons[leave]; p; p = p->next)
                    if (p->expr)
                        show(why, eval_m(&E, p->expr));
                    else
                        buf_puts(why, p->text ? p->text : "");
                return false;
            }
            leave++;
        }
    }
    for (uint32_t i = 0; i < m->nsets && !E.failed; i++) {
        const MapDecl *d = m->sets[i].decl;
        const Field *f = m->sets[i].field;
        const Expr *from = d->value;
        MV v = ABSENT_MV;
        if (d->value) {
            E.field = f->path_str;
            v = eval_m(&E, d->value);
        } else {
            for (const MapCase *c = d->cases; c; c = c->next)
                if (!c->when || truth(eval_m(&E, c->when)) == 1) {
                    from = c->value;
                    E.field = f->path_str;
                    v = eval_m(&E, c->value);
                    break;
                }
        }
        E.field = f->path_str;
        json[f->slot] = field_json(&E, f, v, from);
        E.field = NULL;
    }
    if (E.failed)
        return false;
    if (!write_shape(out, &m->policy->root, json, m->alloc))
        buf_puts(out, "{}");
    buf_putc(out, '\n');
    if (out->failed)
        buf_puts(why, "out of memory");
    return !out->failed;
}
