/*
 * check.c - the checker: names, types, units and the shape of a policy.
 *
 * Works over the tree the parser built and turns it into the compiled form
 * of program.h: record fields get slots, every name in an expression gets
 * resolved to a field, parameter, decision or enumeration value, and every
 * expression gets a type.  Units are part of the type: money and percent
 * never mix by accident (money * percent is money; money > percent is an
 * error).  Every independent mistake is reported, each once: an expression
 * whose type is already wrong has type T_ERROR, which is compatible with
 * everything, so one typo does not cascade.
 */
#include "check.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "table.h"
#include "value.h"

typedef struct Checker {
    svp_policy *p;
    AstBuilder *ab;
    svp_diagnostics *d;
    uint32_t visible_decisions; /* decisions declared above the one checked */
    uint32_t *reads;            /* fields read by the rule being checked */
    uint32_t nreads, cap_reads;
    bool collecting;
    bool after_syntax_errors; /* parts of the file were dropped by recovery */
    size_t limits;            /* limits passed: checking stops at the phase */
    bool register_level;      /* checking a portfolio rule's require or message:
                                 `share` is known, one record's fields are not */
    size_t suggest_budget;    /* names left to compare for near misses */
    bool figure_target;       /* ... or a figure's target (register level too) */
    bool record_condition;    /* checking a `required when` condition: decided as the
                                 record is read, before any decision */
    const ObjectType *item;   /* inside `count of LIST where ...`: the items' type */
} Checker;

static const Type TYPE_ERROR = {T_ERROR, 0, 0};
static const Type TYPE_BOOL = {T_BOOL, 0, 0};

static Type type_of(TypeKind k) { Type t = {(uint8_t)k, 0, 0}; return t; }

static bool name_is(Name n, const char *s) { return strlen(s) == n.len && !memcmp(n.text, s, n.len); }
static bool names_equal(Name a, Name b) { return a.len == b.len && !memcmp(a.text, b.text, a.len); }

static void error(Checker *C, Span s, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void error(Checker *C, Span s, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(C->d, SVP_ERROR, code, s.start, s.end, fmt, ap);
    va_end(ap);
}

static void warning(Checker *C, Span s, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void warning(Checker *C, Span s, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(C->d, SVP_WARNING, code, s.start, s.end, fmt, ap);
    va_end(ap);
}

static void *alloc(Checker *C, size_t size)
{
    void *m = arena_alloc(&C->p->arena, size);
    if (!m)
        C->ab->oom = true;
    return m;
}

/* An arena copy of text[0..len); "" (and the compile marked out of
 * memory, so it fails) when there is no room. */
static const char *dup_text(Checker *C, const char *text, size_t len)
{
    const char *s = arena_strndup(&C->p->arena, text, len);
    if (!s) {
        C->ab->oom = true;
        return "";
    }
    return s;
}

/* Declarations of one kind a policy may have: checking is quadratic in
 * places (duplicates), and a policy file is untrusted input. */
#define CHECK_MAX_DECLS 5000

static bool within_limit(Checker *C, uint32_t count, const char *what, Span at)
{
    if (count <= CHECK_MAX_DECLS)
        return true;
    C->limits++;
    error(C, at, "limit", "the policy declares %u %s; svp reads at most %d", count, what, CHECK_MAX_DECLS);
    return false;
}

/* ---- Describing types in messages -------------------------------------- */

static const char *kind_words(uint8_t k)
{
    switch ((TypeKind)k) {
    case T_BOOL: return "true/false";
    case T_MONEY: return "money";
    case T_PERCENT: return "a percentage";
    case T_NUMBER: return "a number";
    case T_DATE: return "a date";
    case T_TEXT: return "text";
    case T_OBJECT: return "an object";
    case T_GROUP: return "a group of true/false fields";
    case T_LIST: return "a list";
    default: return "a value";
    }
}

/* "money", "a value of `stage`", "a list of `outcome`" ... into out. */
static const char *type_words(Checker *C, Type t, char *out, size_t size)
{
    if (t.kind == T_ENUM && t.ref < C->p->nenums) {
        Name n = C->p->enums[t.ref]->name;
        snprintf(out, size, "a value of `%.*s`", (int)n.len, n.text);
    } else if (t.kind == T_LIST) {
        if (t.elem == T_ENUM && t.ref < C->p->nenums) {
            Name n = C->p->enums[t.ref]->name;
            snprintf(out, size, "a list of `%.*s`", (int)n.len, n.text);
        } else {
            snprintf(out, size, "a list of %s", t.elem == T_ERROR ? "values" : kind_words(t.elem));
        }
    } else {
        snprintf(out, size, "%s", kind_words(t.kind));
    }
    return out;
}

static bool same_type(Type a, Type b)
{
    if (a.kind == T_ERROR || b.kind == T_ERROR)
        return true;
    if (a.kind != b.kind)
        return false;
    if (a.kind == T_ENUM || a.kind == T_OBJECT)
        return a.ref == b.ref;
    if (a.kind == T_LIST)
        return a.elem == T_ERROR || b.elem == T_ERROR ||
               (a.elem == b.elem && (a.elem != T_ENUM || a.ref == b.ref));
    return true;
}

/* ---- Suggestions for near misses --------------------------------------- */

/* A search for the declared name nearest a mistyped one.  Each search
 * compares the name with every candidate, and a policy within the limits
 * can hold many thousands of both, so the whole check shares a budget of
 * comparisons (SUGGEST_BUDGET): past it, errors come without a suggestion,
 * and checking any policy stays a matter of seconds (README, Limits). */
#define SUGGEST_BUDGET 4000000u

typedef struct Suggest {
    Name want;
    size_t best;
    Name name;
    const char *kind;
    size_t *budget;
} Suggest;

static Suggest suggest_start(Checker *C, Name want)
{
    /* once the diagnostics are full, they are only counted: no search */
    if (diag_full(C->d))
        C->suggest_budget = 0;
    return (Suggest){want, 99, {0}, NULL, &C->suggest_budget};
}

static void suggest_consider(Suggest *s, Name n, const char *kind)
{
    if (!*s->budget)
        return;
    --*s->budget;
    size_t limit = s->want.len <= 4 ? 1 : s->want.len <= 8 ? 2 : 3;
    size_t d = diag_distance(s->want.text, s->want.len, n.text, n.len, limit);
    if (d <= limit && d < s->best) {
        s->best = d;
        s->name = n;
        s->kind = kind;
    }
}

/* ---- Declarations: enums, params, records ------------------------------ */

static const char *const builtin_types[] = {"money", "percent", "number", "date", "text", "boolean", NULL};
static const TypeKind builtin_kinds[] = {T_MONEY, T_PERCENT, T_NUMBER, T_DATE, T_TEXT, T_BOOL};

static void check_enums(Checker *C)
{
    svp_policy *p = C->p;
    uint32_t n = 0;
    for (EnumDecl *e = p->ast.enums; e; e = e->next) {
        n++;
        if (!within_limit(C, e->count, "values in one enumeration", e->name.span))
            return;
    }
    if (!within_limit(C, n, "enumerations", p->ast.header))
        return;
    p->enums = alloc(C, (n + 1) * sizeof *p->enums);
    if (!p->enums)
        return;
    p->nenums = n;
    uint32_t i = 0;
    for (EnumDecl *e = p->ast.enums; e; e = e->next) {
        for (int b = 0; builtin_types[b]; b++)
            if (name_is(e->name, builtin_types[b]))
                error(C, e->name.span, "duplicate", "`%s` is a built-in type: give the enumeration another name",
                      builtin_types[b]);
        /* each repeat is reported once, against the first (break) */
        for (uint32_t j = 0; j < i; j++)
            if (names_equal(p->enums[j]->name, e->name)) {
                error(C, e->name.span, "duplicate", "enumeration `%.*s` is declared twice",
                      (int)e->name.len, e->name.text);
                break;
            }
        for (uint32_t m = 0; m < e->count; m++)
            for (uint32_t k = 0; k < m; k++)
                if (names_equal(e->members[k], e->members[m])) {
                    error(C, e->members[m].span, "duplicate", "`%.*s` is listed twice in `%.*s`",
                          (int)e->members[m].len, e->members[m].text, (int)e->name.len, e->name.text);
                    break;
                }
        p->enums[i++] = e;
    }
}

static int find_enum(Checker *C, Name n)
{
    for (uint32_t i = 0; i < C->p->nenums; i++)
        if (names_equal(C->p->enums[i]->name, n))
            return (int)i;
    return -1;
}

static int find_member(const EnumDecl *e, const char *text, size_t len)
{
    for (uint32_t m = 0; m < e->count; m++)
        if (e->members[m].len == len && !memcmp(e->members[m].text, text, len))
            return (int)m;
    return -1;
}

static Type literal_type(const Expr *e)
{
    switch ((ExprKind)e->kind) {
    case E_BOOL: return type_of(T_BOOL);
    case E_MONEY: return type_of(T_MONEY);
    case E_PERCENT: return type_of(T_PERCENT);
    case E_NUMBER: return type_of(T_NUMBER);
    case E_DATE: return type_of(T_DATE);
    case E_TEXT: return type_of(T_TEXT);
    default: return TYPE_ERROR;
    }
}

static void check_params(Checker *C)
{
    svp_policy *p = C->p;
    uint32_t n = 0;
    for (Param *a = p->ast.params; a; a = a->next)
        n++;
    if (!within_limit(C, n, "parameters", p->ast.header))
        return;
    p->params = alloc(C, (n + 1) * sizeof *p->params);
    if (!p->params)
        return;
    p->nparams = n;
    uint32_t i = 0;
    for (Param *a = p->ast.params; a; a = a->next) {
        for (uint32_t j = 0; j < i; j++)
            if (names_equal(p->params[j]->name, a->name)) {
                error(C, a->name.span, "duplicate", "parameter `%.*s` is set twice: keep one",
                      (int)a->name.len, a->name.text);
                break;
            }
        if (a->value)
            a->value->type = literal_type(a->value);
        p->params[i++] = a;
    }
}

/* The type a field declares: a built-in, an enumeration, or (in a list)
 * an object. */
static Type field_type(Checker *C, Field *f)
{
    Type t = TYPE_ERROR;
    bool found = false;
    for (int b = 0; builtin_types[b]; b++)
        if (name_is(f->type_name, builtin_types[b])) {
            t = type_of(builtin_kinds[b]);
            found = true;
        }
    int e = found ? -1 : find_enum(C, f->type_name);
    if (e >= 0) {
        t.kind = T_ENUM;
        t.ref = (uint16_t)e;
        found = true;
    }
    for (uint32_t o = 0; !found && o < C->p->nobjects; o++)
        if (names_equal(C->p->objects[o].decl->name, f->type_name)) {
            t.kind = T_OBJECT;
            t.ref = (uint16_t)o;
            found = true;
            if (!f->is_list)
                error(C, f->type_name.span, "type", "an object type is used as `list of %.*s`",
                      (int)f->type_name.len, f->type_name.text);
        }
    if (!found) {
        Suggest s = suggest_start(C, f->type_name);
        for (int b = 0; builtin_types[b]; b++) {
            Name n = {builtin_types[b], (uint32_t)strlen(builtin_types[b]), {0, 0}};
            suggest_consider(&s, n, "type");
        }
        for (uint32_t i = 0; i < C->p->nenums; i++)
            suggest_consider(&s, C->p->enums[i]->name, "enumeration");
        if (s.kind) {
            error(C, f->type_name.span, "unknown-name", "unknown type `%.*s`; did you mean `%.*s`?",
                  (int)f->type_name.len, f->type_name.text, (int)s.name.len, s.name.text);
            diag_suggest(C->d, s.name.text, s.name.len); /* the quick fix of editors */
        } else
            error(C, f->type_name.span, "unknown-name",
                  "unknown type `%.*s`: use money, percent, number, date, text, boolean, "
                  "an enum declared in this policy, or `list of` one of them",
                  (int)f->type_name.len, f->type_name.text);
        return TYPE_ERROR;
    }
    if (f->is_list) {
        Type l = {T_LIST, t.kind, t.ref};
        if (t.kind == T_LIST)
            l.elem = T_ERROR;
        return l;
    }
    return t;
}

/* Temporary tree of paths, flattened into Shape arrays afterwards. */
typedef struct PathNode {
    Name key;
    Field *field;
    int32_t slot;
    struct PathNode *child, *sibling;
    uint32_t nchildren;
} PathNode;

static PathNode *path_child(Checker *C, PathNode *parent, const char *key, uint32_t len)
{
    for (PathNode *c = parent->child; c; c = c->sibling)
        if (c->key.len == len && !memcmp(c->key.text, key, len))
            return c;
    PathNode *c = alloc(C, sizeof *c);
    if (!c)
        return NULL;
    c->key.text = key;
    c->key.len = len;
    c->slot = -1;
    PathNode **tail = &parent->child;
    while (*tail)
        tail = &(*tail)->sibling;
    *tail = c;
    parent->nchildren++;
    return c;
}

static void path_insert(Checker *C, PathNode *root, Field *f, int32_t slot)
{
    PathNode *n = root;
    const char *s = f->path.text, *end = s + f->path.len;
    while (n && s < end) {
        const char *dot = memchr(s, '.', (size_t)(end - s));
        const char *stop = dot ? dot : end;
        if (n->field) {
            error(C, f->path.span, "duplicate", "`%.*s` is declared as a field, so it cannot also have fields inside it",
                  (int)n->field->path.len, n->field->path.text);
            return;
        }
        n = path_child(C, n, s, (uint32_t)(stop - s));
        s = dot ? dot + 1 : end;
    }
    if (!n)
        return;
    if (n->field || n->child) {
        error(C, f->path.span, "duplicate", n->field ? "field `%.*s` is declared twice"
                                                     : "`%.*s` already has fields inside it, so it cannot be a field itself",
              (int)f->path.len, f->path.text);
        return;
    }
    n->field = f;
    n->slot = slot;
}

static void path_flatten(Checker *C, const PathNode *n, Shape *out)
{
    out->key = n->key.len ? dup_text(C, n->key.text, n->key.len) : "";
    out->key_len = n->key.len;
    out->slot = n->slot;
    out->field = n->field;
    out->nchildren = n->nchildren;
    if (!n->nchildren)
        return;
    out->children = alloc(C, n->nchildren * sizeof *out->children);
    if (!out->children) {
        out->nchildren = 0;
        return;
    }
    uint32_t i = 0;
    for (const PathNode *c = n->child; c; c = c->sibling)
        path_flatten(C, c, &out->children[i++]);
}

static void check_default(Checker *C, Field *f)
{
    if (!f->dflt)
        return;
    Type t = literal_type(f->dflt);
    f->dflt->type = t;
    char a[64], b[64];
    if (!same_type(t, f->type) || f->type.kind == T_LIST)
        error(C, f->dflt->span, "type", "the default of `%.*s` is %s, but the field holds %s",
              (int)f->path.len, f->path.text, type_words(C, t, a, sizeof a), type_words(C, f->type, b, sizeof b));
    if (f->required)
        warning(C, f->dflt->span, "unused-default", "`%.*s` is required, so its default is never used",
                (int)f->path.len, f->path.text);
    else if (f->required_when)
        warning(C, f->dflt->span, "unused-default",
                "`%.*s` has a default, so `required when` never finds it missing: keep one of them",
                (int)f->path.len, f->path.text);
}

static const char *decode_header(Checker *C, Name n);

/* Fill in the fields of one record or object declaration and its shape. */
static void check_fields(Checker *C, RecordDecl *r, Field **by_slot, Shape *shape)
{
    PathNode root;
    memset(&root, 0, sizeof root);
    root.slot = -1;
    int32_t slot = 0;
    for (Field *f = r->fields; f; f = f->next, slot++) {
        f->path_str = dup_text(C, f->path.text, f->path.len);
        f->label_str = f->label.len ? decode_header(C, f->label) : NULL; /* reports a bad escape */
        f->help_str = f->help.len ? decode_header(C, f->help) : NULL;
        f->type = field_type(C, f);
        f->slot = (uint32_t)slot;
        by_slot[slot] = f;
        path_insert(C, &root, f, slot);
        if (f->type.kind == T_LIST && f->type.elem == T_OBJECT && r->is_object)
            error(C, f->type_name.span, "type", "an object cannot hold a list of objects (one level only)");
        check_default(C, f);
        if (f->from.len && r->is_object)
            error(C, f->from.span, "type", "`required from` is for record fields; an object's member is `required` or not");
        if (f->required_when && r->is_object)
            error(C, f->required_when->span, "type",
                  "`required when` is for record fields; an object's member is `required` or not");
    }
    path_flatten(C, &root, shape);
}

/* An object's name must say one thing: not a built-in type, not an
 * enumeration, not an earlier object (the first of two would silently
 * win wherever the name is used).  `before` objects are already listed. */
static void object_name_unique(Checker *C, const RecordDecl *r, uint32_t before)
{
    for (int b = 0; builtin_types[b]; b++)
        if (name_is(r->name, builtin_types[b]))
            error(C, r->name.span, "duplicate", "`%s` is a built-in type: give the object another name", builtin_types[b]);
    if (find_enum(C, r->name) >= 0)
        error(C, r->name.span, "duplicate", "`%.*s` is already an enumeration: give the object another name",
              (int)r->name.len, r->name.text);
    for (uint32_t j = 0; j < before; j++)
        if (names_equal(C->p->objects[j].decl->name, r->name)) {
            error(C, r->name.span, "duplicate", "object `%.*s` is declared twice", (int)r->name.len, r->name.text);
            break;
        }
}

static void check_objects(Checker *C)
{
    svp_policy *p = C->p;
    uint32_t n = 0;
    for (RecordDecl *r = p->ast.records; r; r = r->next) {
        n += r->is_object;
        if (!within_limit(C, r->count, "fields in one record or object", r->name.span))
            return;
    }
    if (!within_limit(C, n, "objects", p->ast.header))
        return;
    p->objects = alloc(C, (n + 1) * sizeof *p->objects);
    if (!p->objects)
        return;
    p->nobjects = n;
    uint32_t i = 0;
    for (RecordDecl *r = p->ast.records; r; r = r->next) {
        if (!r->is_object)
            continue;
        object_name_unique(C, r, i);
        ObjectType *o = &p->objects[i++];
        o->decl = r;
        o->nmembers = r->count;
        o->members = alloc(C, (r->count + 1) * sizeof *o->members);
        if (!o->members)
            return;
    }
    /* Members are typed after every object is known, so that a member can
     * name any enumeration. */
    for (uint32_t k = 0; k < p->nobjects; k++)
        check_fields(C, p->objects[k].decl, p->objects[k].members, &p->objects[k].root);
}

/* "required from tender": tender must be a member of an ordered
 * enumeration, and the record must have exactly one always-required field
 * of that enumeration (the stage) to compare with. */
static void check_required_from(Checker *C)
{
    svp_policy *p = C->p;
    for (uint32_t s = 0; s < p->nfields; s++) {
        Field *f = p->fields[s];
        if (!f->from.len)
            continue;
        int found_enum = -1, member = -1;
        for (uint32_t e = 0; e < p->nenums && found_enum < 0; e++) {
            member = find_member(p->enums[e], f->from.text, f->from.len);
            if (member >= 0)
                found_enum = (int)e;
        }
        if (found_enum < 0) {
            Suggest sg = suggest_start(C, f->from);
            for (uint32_t e = 0; e < p->nenums; e++)
                if (p->enums[e]->ordered)
                    for (uint32_t m = 0; m < p->enums[e]->count; m++)
                        suggest_consider(&sg, p->enums[e]->members[m], "value");
            if (sg.kind) {
                error(C, f->from.span, "unknown-name", "`%.*s` is not a value of any enumeration; did you mean `%.*s`?",
                      (int)f->from.len, f->from.text, (int)sg.name.len, sg.name.text);
                diag_suggest(C->d, sg.name.text, sg.name.len); /* the quick fix of editors */
            } else
                error(C, f->from.span, "unknown-name", "`%.*s` is not a value of any enumeration: `required from` names a stage",
                      (int)f->from.len, f->from.text);
            continue;
        }
        EnumDecl *e = p->enums[found_enum];
        if (!e->ordered) {
            error(C, f->from.span, "type", "`required from %.*s` needs `%.*s` to be declared `in order`",
                  (int)f->from.len, f->from.text, (int)e->name.len, e->name.text);
            continue;
        }
        int32_t stage = -1;
        for (uint32_t k = 0; k < p->nfields; k++) {
            Field *g = p->fields[k];
            if (g->type.kind == T_ENUM && g->type.ref == found_enum && g->required && !g->from.len)
                stage = stage < 0 ? (int32_t)k : -2;
        }
        if (stage < 0) {
            error(C, f->from.span, "type",
                  stage == -1 ? "`required from %.*s` needs one always-required field of type `%.*s` in the record"
                              : "`required from %.*s` is ambiguous: the record has several required fields of type `%.*s`",
                  (int)f->from.len, f->from.text, (int)e->name.len, e->name.text);
            continue;
        }
        if (p->stage_slot >= 0 && p->stage_slot != stage)
            error(C, f->from.span, "type", "every `required from` must refer to the same stage field");
        p->stage_slot = stage;
        f->from_rank = member;
    }
}

static void check_record(Checker *C)
{
    svp_policy *p = C->p;
    RecordDecl *record = NULL;
    for (RecordDecl *r = p->ast.records; r; r = r->next) {
        if (r->is_object)
            continue;
        if (record)
            error(C, r->name.span, "duplicate",
                  "a second `record`: a policy reads one kind of record (declare item types with `object`)");
        else
            record = r;
    }
    if (!record) {
        diag_add(C->d, SVP_ERROR, "no-record", p->ast.header.start, p->ast.header.end,
                 "the policy declares no `record`: say which fields a procurement record has");
        return;
    }
    p->fields = alloc(C, (record->count + 1) * sizeof *p->fields);
    if (!p->fields)
        return;
    p->record = record;
    p->nfields = record->count;
    check_fields(C, record, p->fields, &p->root);
    p->stage_slot = -1;
    check_required_from(C);
    p->id_slot = UINT32_MAX;
    for (uint32_t s = 0; s < p->nfields; s++)
        if (name_is(p->fields[s]->path, "id") && p->fields[s]->type.kind == T_TEXT)
            p->id_slot = s;
}

/* ---- Names in expressions ---------------------------------------------- */

static void note_read(Checker *C, uint32_t slot)
{
    if (!C->collecting)
        return;
    for (uint32_t i = 0; i < C->nreads; i++)
        if (C->reads[i] == slot)
            return;
    if (C->nreads == C->cap_reads) {
        uint32_t cap = C->cap_reads ? C->cap_reads * 2 : 16;
        uint32_t *r = alloc(C, cap * sizeof *r);
        if (!r)
            return;
        if (C->nreads)
            memcpy(r, C->reads, C->nreads * sizeof *r);
        C->reads = r;
        C->cap_reads = cap;
    }
    C->reads[C->nreads++] = slot;
}

static Field *find_field(Checker *C, const char *text, size_t len)
{
    for (uint32_t s = 0; s < C->p->nfields; s++)
        if (C->p->fields[s]->path.len == len && !memcmp(C->p->fields[s]->path.text, text, len))
            return C->p->fields[s];
    return NULL;
}

static bool resolve_group(Checker *C, Expr *e)
{
    svp_policy *p = C->p;
    uint32_t n = 0;
    bool all_bool = true;
    for (uint32_t s = 0; s < p->nfields; s++) {
        Name f = p->fields[s]->path;
        if (f.len > e->text.len && f.text[e->text.len] == '.' && !memcmp(f.text, e->text.text, e->text.len)) {
            n++;
            all_bool &= p->fields[s]->type.kind == T_BOOL;
        }
    }
    if (!n)
        return false;
    if (!all_bool) {
        error(C, e->span, "type", "`%.*s` groups fields of different types: name one of them, like `%.*s.name`",
              (int)e->text.len, e->text.text, (int)e->text.len, e->text.text);
        e->type = TYPE_ERROR;
        return true;
    }
    uint32_t *slots = alloc(C, n * sizeof *slots);
    if (!slots)
        return true;
    uint32_t i = 0;
    for (uint32_t s = 0; s < p->nfields; s++) {
        Name f = p->fields[s]->path;
        if (f.len > e->text.len && f.text[e->text.len] == '.' && !memcmp(f.text, e->text.text, e->text.len)) {
            slots[i++] = s;
            note_read(C, s);
        }
    }
    e->ref_kind = R_GROUP;
    e->group = slots;
    e->ref_count = (uint16_t)n;
    e->type = type_of(T_GROUP);
    return true;
}

/* "social_value.measures.target": a member of the objects of a list field,
 * read as the list of that member's values. */
static bool resolve_projection(Checker *C, Expr *e)
{
    svp_policy *p = C->p;
    for (uint32_t s = 0; s < p->nfields; s++) {
        Field *f = p->fields[s];
        if (f->type.kind != T_LIST || f->type.elem != T_OBJECT)
            continue;
        if (e->text.len <= f->path.len + 1 || e->text.text[f->path.len] != '.' ||
            memcmp(e->text.text, f->path.text, f->path.len))
            continue;
        const char *rest = e->text.text + f->path.len + 1;
        size_t rest_len = e->text.len - f->path.len - 1;
        ObjectType *o = &p->objects[f->type.ref];
        for (uint32_t m = 0; m < o->nmembers; m++) {
            Field *member = o->members[m];
            if (member->path.len == rest_len && !memcmp(member->path.text, rest, rest_len)) {
                e->ref_kind = R_PROJECT;
                e->ref = s;
                e->ref_member = (uint16_t)m;
                Type t = {T_LIST, member->type.kind, member->type.ref};
                e->type = member->type.kind == T_LIST ? TYPE_ERROR : t;
                if (member->type.kind == T_LIST)
                    error(C, e->span, "type", "lists inside list items cannot be read");
                note_read(C, s);
                return true;
            }
        }
    }
    return false;
}

static bool resolve_member(Checker *C, Expr *e)
{
    svp_policy *p = C->p;
    const char *dot = memchr(e->text.text, '.', e->text.len);
    if (dot) { /* qualified: stage.tender */
        Name en = {e->text.text, (uint32_t)(dot - e->text.text), e->span};
        int k = find_enum(C, en);
        if (k < 0)
            return false;
        int m = find_member(p->enums[k], dot + 1, (size_t)(e->text.text + e->text.len - dot - 1));
        if (m < 0)
            return false;
        e->ref_kind = R_MEMBER;
        e->ref = (uint32_t)m;
        e->type.kind = T_ENUM;
        e->type.ref = (uint16_t)k;
        return true;
    }
    int found = -1, member = -1;
    for (uint32_t k = 0; k < p->nenums; k++) {
        int m = find_member(p->enums[k], e->text.text, e->text.len);
        if (m < 0)
            continue;
        if (found >= 0) {
            Name a = p->enums[found]->name, b = p->enums[k]->name;
            error(C, e->span, "ambiguous", "`%.*s` is a value of both `%.*s` and `%.*s`: write `%.*s.%.*s`",
                  (int)e->text.len, e->text.text, (int)a.len, a.text, (int)b.len, b.text,
                  (int)a.len, a.text, (int)e->text.len, e->text.text);
            e->type = TYPE_ERROR;
            return true;
        }
        found = (int)k;
        member = m;
    }
    if (found < 0)
        return false;
    e->ref_kind = R_MEMBER;
    e->ref = (uint32_t)member;
    e->type.kind = T_ENUM;
    e->type.ref = (uint16_t)found;
    return true;
}

static void report_unknown(Checker *C, Expr *e)
{
    svp_policy *p = C->p;
    Suggest s = suggest_start(C, e->text);
    if (diag_full(C->d)) { /* only counted now: spare the search for a suggestion */
        error(C, e->span, "unknown-name", "unknown name");
        e->type = TYPE_ERROR;
        return;
    }
    for (uint32_t m = 0; C->item && m < C->item->nmembers; m++)
        suggest_consider(&s, C->item->members[m]->path, "item member");
    for (uint32_t i = 0; i < p->nfields; i++)
        suggest_consider(&s, p->fields[i]->path, "field");
    for (uint32_t i = 0; i < p->nparams; i++)
        suggest_consider(&s, p->params[i]->name, "parameter");
    for (uint32_t i = 0; i < p->ndecisions; i++)
        suggest_consider(&s, p->decisions[i]->name, "decision");
    for (uint32_t k = 0; k < p->nenums; k++)
        for (uint32_t m = 0; m < p->enums[k]->count; m++)
            suggest_consider(&s, p->enums[k]->members[m], "value");
    if (!s.kind && C->after_syntax_errors) {
        /* likely declared in a declaration the syntax error dropped:
         * calling it unknown would mislead (a near miss is still a typo) */
        e->type = TYPE_ERROR;
        return;
    }
    if (s.kind) {
        error(C, e->span, "unknown-name", "unknown name `%.*s`; did you mean the %s `%.*s`?",
              (int)e->text.len, e->text.text, s.kind, (int)s.name.len, s.name.text);
        diag_suggest(C->d, s.name.text, s.name.len); /* the quick fix of editors */
    } else
        error(C, e->span, "unknown-name",
              "unknown name `%.*s`: it is not a field of the record, a parameter, a decision or an enumeration value",
              (int)e->text.len, e->text.text);
    e->type = TYPE_ERROR;
}

/* In a portfolio rule's requirement or message, only register-wide values
 * make sense; a record's field or decision there is a mistake. */
static void register_level_only(Checker *C, Expr *e)
{
    if (!C->register_level || e->type.kind == T_ERROR)
        return;
    if (C->figure_target &&
        (e->ref_kind == R_FIELD || e->ref_kind == R_GROUP || e->ref_kind == R_PROJECT || e->ref_kind == R_DECISION)) {
        error(C, e->span, "figure",
              "a figure's `target` is one figure for the whole register, not a record's: use a parameter or a "
              "literal; `%.*s` belongs in `when`, the amount or `by`",
              (int)e->text.len, e->text.text);
        e->type = TYPE_ERROR;
    } else if (e->ref_kind == R_FIELD || e->ref_kind == R_GROUP || e->ref_kind == R_PROJECT || e->ref_kind == R_DECISION) {
        error(C, e->span, "portfolio",
              "a portfolio rule's `require` and message see the whole register, not one record: use `share` "
              "(and parameters) here; `%.*s` belongs in `when` or `share ... where ...`",
              (int)e->text.len, e->text.text);
        e->type = TYPE_ERROR;
    }
}

static void resolve_name_in_record(Checker *C, Expr *e);

static void resolve_name(Checker *C, Expr *e)
{
    resolve_name_in_record(C, e);
    register_level_only(C, e);
}

static bool resolve_item_member(Checker *C, Expr *e);
static bool report_table_as_name(Checker *C, Expr *e);

static void resolve_name_in_record(Checker *C, Expr *e)
{
    svp_policy *p = C->p;
    if (resolve_item_member(C, e))
        return;
    Field *f = find_field(C, e->text.text, e->text.len);
    if (f) {
        e->ref_kind = R_FIELD;
        e->ref = f->slot;
        e->type = f->type;
        note_read(C, f->slot);
        return;
    }
    if (resolve_group(C, e) || resolve_projection(C, e))
        return;
    for (uint32_t i = 0; i < p->nparams; i++)
        if (names_equal(p->params[i]->name, e->text)) {
            for (uint32_t j = i; j < p->nparams; j++) /* a duplicate is reported once, as a duplicate */
                if (names_equal(p->params[j]->name, e->text))
                    p->params[j]->used = true;
            e->ref_kind = R_PARAM;
            e->ref = i;
            e->type = p->params[i]->value ? p->params[i]->value->type : TYPE_ERROR;
            return;
        }
    for (uint32_t i = 0; i < p->ndecisions; i++)
        if (names_equal(p->decisions[i]->name, e->text)) {
            if (C->record_condition) {
                error(C, e->span, "order",
                      "`required when` is decided as the record is read, before any decision: write the condition "
                      "with fields and parameters, not the decision `%.*s`", (int)e->text.len, e->text.text);
                e->type = TYPE_ERROR;
                return;
            }
            p->decisions[i]->read = true;
            if (i >= C->visible_decisions) {
                error(C, e->span, "order", "decision `%.*s` is used before it is decided: declare it above this point",
                      (int)e->text.len, e->text.text);
                e->type = TYPE_ERROR;
                return;
            }
            e->ref_kind = R_DECISION;
            e->ref = p->nfields + i;
            e->type = p->decisions[i]->type;
            return;
        }
    if (!resolve_member(C, e) && !report_table_as_name(C, e))
        report_unknown(C, e);
}

/* ---- Types of expressions ---------------------------------------------- */

static Type check_expr(Checker *C, Expr *e);

/* The hint for a bare number where a unit was expected: the literal
 * itself, or a parameter set to one. */
static void unit_hint(Checker *C, const Expr *e, Type want, char *out, size_t size)
{
    const char *unit = want.kind == T_PERCENT ? "a percentage with `%`, like 10%"
                     : want.kind == T_MONEY ? "money with `£`, like £100,000" : NULL;
    if (!e || !unit)
        return;
    if (e->kind == E_NUMBER) {
        snprintf(out, size, ": write %s", unit);
    } else if (e->kind == E_NAME && e->ref_kind == R_PARAM) {
        const Param *a = C->p->params[e->ref];
        if (a->value && a->value->kind == E_NUMBER) {
            unsigned line = 1;
            for (uint32_t i = 0; i < a->name.span.start; i++)
                line += C->p->source[i] == '\n';
            snprintf(out, size, ": parameter `%.*s` is set to a plain number on line %u; write %s",
                     (int)a->name.len, a->name.text, line, unit);
        }
    }
}

/* Comparing a product or quotient with the other unit: say what unit it
 * has and how to get the one wanted (a hint only where there was none). */
static void units_hint(const char *what, const Expr *a, Type ta, const Expr *b, Type tb, char *hint, size_t size)
{
    bool arith = a->kind == E_MUL || a->kind == E_DIV || b->kind == E_MUL || b->kind == E_DIV;
    bool money_percent = (ta.kind == T_MONEY && tb.kind == T_PERCENT) || (ta.kind == T_PERCENT && tb.kind == T_MONEY);
    if (hint[0] || strcmp(what, "compare") || !arith || !money_percent)
        return;
    snprintf(hint, size, ": a percentage of an amount is money, and one amount divided by another "
                         "(`A / B rounded down`) is a percentage: compare like with like");
}

/* "cannot compare money (`value`) with a percentage (`10%`)". */
static void mismatch(Checker *C, Span s, const char *what, Expr *a, Type ta, Expr *b, Type tb)
{
    char wa[80], wb[80], hint[200] = "";
    unit_hint(C, b, ta, hint, sizeof hint);
    if (!hint[0])
        unit_hint(C, a, tb, hint, sizeof hint);
    bool between = !strcmp(what, "choose between") || !strcmp(what, "mix");
    if (!hint[0] && (!strcmp(what, "add") || !strcmp(what, "subtract")) &&
        ((ta.kind == T_MONEY && tb.kind == T_PERCENT) || (ta.kind == T_PERCENT && tb.kind == T_MONEY)))
        snprintf(hint, sizeof hint, ": to take a percentage of an amount, multiply, like `value * 10%%`");
    units_hint(what, a, ta, b, tb, hint, sizeof hint);
    error(C, s, "type", "cannot %s %s (`%.*s`) %s %s (`%.*s`)%s", what,
          type_words(C, ta, wa, sizeof wa), (int)(a->span.end - a->span.start), C->p->source + a->span.start,
          between ? "and" : "with",
          type_words(C, tb, wb, sizeof wb), (int)(b->span.end - b->span.start), C->p->source + b->span.start, hint);
}

static Type expect(Checker *C, Expr *e, TypeKind want, const char *role)
{
    Type t = check_expr(C, e);
    if (t.kind != T_ERROR && t.kind != want) {
        char w[80];
        error(C, e->span, "type", "%s must be %s, but `%.*s` is %s", role, kind_words(want),
              (int)(e->span.end - e->span.start), C->p->source + e->span.start, type_words(C, t, w, sizeof w));
        return TYPE_ERROR;
    }
    return t;
}

static Type check_compare(Checker *C, Expr *e)
{
    Type a = check_expr(C, e->a), b = check_expr(C, e->b);
    if (!same_type(a, b)) {
        mismatch(C, e->span, "compare", e->a, a, e->b, b);
        return TYPE_BOOL;
    }
    Type t = a.kind == T_ERROR ? b : a;
    bool ordered = t.kind == T_MONEY || t.kind == T_PERCENT || t.kind == T_NUMBER || t.kind == T_DATE ||
                   t.kind == T_ERROR || (t.kind == T_ENUM && C->p->enums[t.ref]->ordered);
    bool equality = e->kind == E_EQ || e->kind == E_NE;
    if (t.kind == T_LIST || t.kind == T_GROUP || t.kind == T_OBJECT) {
        error(C, e->span, "type", "lists cannot be compared: use `in`, `count of`, `all of` or `any of`");
    } else if (!equality && !ordered) {
        char w[80];
        error(C, e->span, "type", "%s has no order%s", type_words(C, t, w, sizeof w),
              t.kind == T_ENUM ? ": declare the enumeration `in order` to compare its values" : "");
    }
    return TYPE_BOOL;
}

/* ---- Units: division, dates apart, min and max, not in ----------------- */

/* The source text of e, for quoting in a message. */
#define SRC(e) (int)((e)->span.end - (e)->span.start), C->p->source + (e)->span.start

/* A product the language has no unit for: say what can be multiplied. */
static void multiply_misuse(Checker *C, Expr *e, Type a, Type b)
{
    char wa[80], wb[80];
    bool dates = a.kind == T_DATE || b.kind == T_DATE;
    bool amounts = a.kind == T_MONEY && b.kind == T_MONEY;
    if (!dates && !amounts) {
        mismatch(C, e->span, "multiply", e->a, a, e->b, b);
        return;
    }
    error(C, e->span, "type", "cannot multiply %s (`%.*s`) with %s (`%.*s`): %s", type_words(C, a, wa, sizeof wa),
          SRC(e->a), type_words(C, b, wb, sizeof wb), SRC(e->b),
          dates ? "a date is a day, not an amount; for the time between two dates, write `days from A to B` or "
                  "`months from A to B`"
                : "multiply money by a number or a percentage; for one amount as a share of another, divide: "
                  "`A / B rounded down` is a percentage");
}

/* The unit of a / b, or T_ERROR when the language has none:
 * X / number is X; money / money a percentage; percent / percent a
 * number; money / percentage money (the whole a share comes from). */
static TypeKind quotient_unit(TypeKind a, TypeKind b)
{
    bool amount = a == T_MONEY || a == T_PERCENT || a == T_NUMBER;
    if (amount && b == T_NUMBER)
        return a;
    if (a == T_MONEY && b == T_MONEY)
        return T_PERCENT;
    if (a == T_PERCENT && b == T_PERCENT)
        return T_NUMBER;
    if (a == T_MONEY && b == T_PERCENT)
        return T_MONEY;
    return T_ERROR;
}

static Type check_divide(Checker *C, Expr *e)
{
    Type a = check_expr(C, e->a), b = check_expr(C, e->b);
    if (e->num == DIV_UNSTATED)
        error(C, e->span, "rounding",
              "say how `%.*s` rounds: write `%.*s rounded down`, `rounded up` or `rounded to nearest`",
              SRC(e), SRC(e));
    if (a.kind == T_ERROR || b.kind == T_ERROR)
        return TYPE_ERROR;
    TypeKind unit = quotient_unit(a.kind, b.kind);
    if (unit != T_ERROR)
        return type_of(unit);
    char wa[80], wb[80];
    const char *how = a.kind == T_DATE || b.kind == T_DATE
        ? "a date is a day, not an amount; for the time between two dates, write `days from A to B` or `months from A to B`"
        : "divide money by a number, by money (a percentage) or by a percentage; a percentage by a number or by a "
          "percentage; a number by a number";
    error(C, e->span, "type", "cannot divide %s (`%.*s`) by %s (`%.*s`): %s", type_words(C, a, wa, sizeof wa),
          SRC(e->a), type_words(C, b, wb, sizeof wb), SRC(e->b), how);
    return TYPE_ERROR;
}

/* days from A to B, months from A to B: a number of days or whole months. */
static Type check_between(Checker *C, Expr *e)
{
    const char *role = e->kind == E_DAYS ? "each end of `days from ... to ...`" : "each end of `months from ... to ...`";
    expect(C, e->a, T_DATE, role);
    expect(C, e->b, T_DATE, role);
    return type_of(T_NUMBER);
}

/* min(a, b, ...), max(a, b, ...): two or more values of one ordered type. */
static Type check_extreme(Checker *C, Expr *e)
{
    const char *word = e->kind == E_MIN ? "min" : "max";
    Type t = TYPE_ERROR;
    uint32_t n = 0;
    for (ExprList *i = e->items; i; i = i->next, n++) {
        Type it = check_expr(C, i->expr);
        if (it.kind == T_ERROR)
            continue;
        if (it.kind != T_MONEY && it.kind != T_PERCENT && it.kind != T_NUMBER && it.kind != T_DATE) {
            char w[80];
            error(C, i->expr->span, "type", "`%s` chooses among money, percentages, numbers or dates; `%.*s` is %s",
                  word, SRC(i->expr), type_words(C, it, w, sizeof w));
            continue;
        }
        if (t.kind == T_ERROR)
            t = it;
        else if (!same_type(t, it))
            mismatch(C, i->expr->span, "choose between", e->items->expr, t, i->expr, it);
    }
    if (n < 2)
        error(C, e->span, "type", "`%s` chooses among two or more values, like `%s(contract.value, £100,000)`", word, word);
    return t;
}

static Type check_arith(Checker *C, Expr *e)
{
    Type a = check_expr(C, e->a), b = check_expr(C, e->b);
    if (a.kind == T_ERROR || b.kind == T_ERROR)
        return TYPE_ERROR;
    TypeKind ka = a.kind, kb = b.kind;
    if (e->kind == E_ADD || e->kind == E_SUB) {
        if (ka == kb && (ka == T_MONEY || ka == T_PERCENT || ka == T_NUMBER))
            return a;
        mismatch(C, e->span, e->kind == E_ADD ? "add" : "subtract", e->a, a, e->b, b);
        return TYPE_ERROR;
    }
    /* multiplication: a unit times a plain number keeps the unit, money
     * times a percentage is money (a share of an amount). */
    if (ka == T_NUMBER && (kb == T_NUMBER || kb == T_MONEY || kb == T_PERCENT))
        return b;
    if (kb == T_NUMBER && (ka == T_MONEY || ka == T_PERCENT))
        return a;
    if ((ka == T_MONEY && kb == T_PERCENT) || (ka == T_PERCENT && kb == T_MONEY))
        return type_of(T_MONEY);
    if (ka == T_PERCENT && kb == T_PERCENT)
        return a; /* a share of a share: 10% of a 40% element is 4% */
    multiply_misuse(C, e, a, b);
    return TYPE_ERROR;
}

static Type check_in(Checker *C, Expr *e)
{
    Type a = check_expr(C, e->a), b = check_expr(C, e->b);
    if (a.kind == T_ERROR || b.kind == T_ERROR)
        return TYPE_BOOL;
    if (b.kind != T_LIST) {
        char w[80];
        error(C, e->b->span, "type", "`%s` needs a list on its right, like [award, delivery]; `%.*s` is %s",
              e->flag ? "not in" : "in",
              (int)(e->b->span.end - e->b->span.start), C->p->source + e->b->span.start, type_words(C, b, w, sizeof w));
        return TYPE_BOOL;
    }
    Type item = {b.elem, 0, b.ref};
    if (b.elem != T_ERROR && !same_type(a, item))
        mismatch(C, e->span, "look for", e->a, a, e->b, b);
    return TYPE_BOOL;
}

static Type check_list(Checker *C, Expr *e)
{
    Type t = TYPE_ERROR;
    for (ExprList *i = e->items; i; i = i->next) {
        Type it = check_expr(C, i->expr);
        if (it.kind == T_LIST || it.kind == T_GROUP) {
            error(C, i->expr->span, "type", "a list cannot hold lists");
            continue;
        }
        if (t.kind == T_ERROR)
            t = it;
        else if (!same_type(t, it))
            mismatch(C, i->expr->span, "mix", e->items->expr, t, i->expr, it);
    }
    Type l = {T_LIST, t.kind, t.ref};
    return l;
}

static Type check_test(Checker *C, Expr *e)
{
    Type t = check_expr(C, e->a);
    bool field = e->a->ref_kind == R_FIELD || e->a->ref_kind == R_ITEM || e->a->kind == E_LOOKUP;
    if (t.kind != T_ERROR && !field)
        error(C, e->a->span, "type", "only a field of the record can be tested with `is %s%s`",
              e->flag ? "not " : "", e->kind == E_PRESENT ? "present" : "blank");
    else if (e->kind == E_BLANK && t.kind != T_ERROR && t.kind != T_TEXT)
        error(C, e->a->span, "type", "`is %sblank` tests text, but `%.*s` is %s: to test that it is given, write `%.*s is %spresent`",
              e->flag ? "not " : "", (int)e->a->text.len, e->a->text.text, kind_words(t.kind),
              (int)e->a->text.len, e->a->text.text, e->flag ? "" : "not ");
    return TYPE_BOOL;
}

static Type check_aggregate(Checker *C, Expr *e)
{
    Type t = check_expr(C, e->a);
    if (t.kind == T_ERROR)
        return e->kind == E_COUNT ? type_of(T_NUMBER) : e->kind == E_NAMES ? (Type){T_LIST, T_TEXT, 0} : TYPE_ERROR;
    bool list = t.kind == T_LIST, group = t.kind == T_GROUP;
    switch ((ExprKind)e->kind) {
    case E_COUNT:
        if (!list && !group)
            error(C, e->a->span, "type", "`count of` needs a list");
        return type_of(T_NUMBER);
    case E_SUM:
        if (list && (t.elem == T_MONEY || t.elem == T_PERCENT || t.elem == T_NUMBER))
            return type_of(t.elem);
        error(C, e->a->span, "type", "`sum of` needs a list of money, percentages or numbers");
        return TYPE_ERROR;
    case E_ALL:
    case E_ANY:
        if (!group && !(list && t.elem == T_BOOL))
            error(C, e->a->span, "type", "`%s of` needs true/false values, like a group of declarations",
                  e->kind == E_ALL ? "all" : "any");
        return TYPE_BOOL;
    default: /* E_NAMES */
        if (!group)
            error(C, e->a->span, "type", "`names of` needs a group of true/false fields, like supplier.ethical");
        return (Type){T_LIST, T_TEXT, 0};
    }
}

static Type check_if(Checker *C, Expr *e)
{
    expect(C, e->a, T_BOOL, "the condition of `if`");
    Type a = check_expr(C, e->b), b = check_expr(C, e->c);
    if (!same_type(a, b)) {
        mismatch(C, e->span, "choose between", e->b, a, e->c, b);
        return TYPE_ERROR;
    }
    return a.kind == T_ERROR ? b : a;
}

/* `table[key]`: the table resolved (ref), the key of its key type; a
 * constant key checked against the rows.  Its type is the table's values'. */
static Type check_lookup(Checker *C, Expr *e);
static Type check_each(Checker *C, Expr *e);

static Type check_expr_kind(Checker *C, Expr *e)
{
    switch ((ExprKind)e->kind) {
    case E_BOOL: case E_MONEY: case E_PERCENT: case E_NUMBER: case E_DATE: case E_TEXT:
        return literal_type(e);
    case E_NAME:
        resolve_name(C, e);
        return e->type;
    case E_LIST: return check_list(C, e);
    case E_NOT:
        expect(C, e->a, T_BOOL, "what `not` negates");
        return TYPE_BOOL;
    case E_AND: case E_OR:
        expect(C, e->a, T_BOOL, e->kind == E_AND ? "each side of `and`" : "each side of `or`");
        expect(C, e->b, T_BOOL, e->kind == E_AND ? "each side of `and`" : "each side of `or`");
        return TYPE_BOOL;
    case E_EQ: case E_NE: case E_LT: case E_LE: case E_GT: case E_GE:
        return check_compare(C, e);
    case E_ADD: case E_SUB: case E_MUL:
        return check_arith(C, e);
    case E_IN: return check_in(C, e);
    case E_PRESENT: case E_BLANK: return check_test(C, e);
    case E_IF: return check_if(C, e);
    case E_COUNT: case E_SUM: case E_ALL: case E_ANY: case E_NAMES:
        return check_aggregate(C, e);
    case E_SHARE:
        if (!C->register_level) {
            error(C, e->span, "portfolio",
                  "`share` is known only in the `require` and message of a portfolio rule");
            return TYPE_ERROR;
        }
        return type_of(T_PERCENT);
    case E_FIRST:
        error(C, e->span, "mapping", "`first of` is for import mappings: a policy reads a record's own fields");
        return TYPE_ERROR;
    case E_LOOKUP: return check_lookup(C, e);
    case E_EACH: return check_each(C, e);
    case E_DIV: return check_divide(C, e);
    case E_DAYS: case E_MONTHS: return check_between(C, e);
    case E_MIN: case E_MAX: return check_extreme(C, e);
    }
    return TYPE_ERROR;
}

static Type check_expr(Checker *C, Expr *e)
{
    if (!e)
        return TYPE_ERROR;
    e->type = check_expr_kind(C, e);
    return e->type;
}

/* ---- Tables and the items of lists --------------------------------------
 * A table's rows are constants: keys of its `keyed by` type, values of one
 * type, every key once per edition, editions labelled by literals of one
 * type that its `edition by` expression matches.  A read `table[key]` with
 * a constant key is checked against the rows here, so a code that no
 * edition has is a compile error and not a silent absence at run time. */

/* The table declared with name n (checked so far), or NULL. */
static TableDecl *find_table(Checker *C, Name n)
{
    for (uint32_t i = 0; i < C->p->ntables; i++)
        if (names_equal(C->p->tables[i]->name, n))
            return C->p->tables[i];
    return NULL;
}

/* Two constant cells (checked: text literals or enumeration values) equal? */
static bool cells_equal(const Expr *a, const Expr *b)
{
    if (a->kind == E_TEXT || b->kind == E_TEXT)
        return a->kind == b->kind && !strcmp(a->str, b->str);
    if (a->kind == E_NAME || b->kind == E_NAME)
        return a->kind == b->kind && a->ref_kind == R_MEMBER && b->ref_kind == R_MEMBER && a->ref == b->ref;
    return a->kind == b->kind && a->num == b->num;
}

/* A cell must be a literal or an enumeration value: its type, or
 * T_ERROR when it is not (reported). */
static Type check_cell(Checker *C, Expr *e, const char *what)
{
    if (e->kind != E_NAME)
        return check_expr(C, e);
    if (resolve_member(C, e)) /* a value, even where a field or decision has its name */
        return e->type;
    error(C, e->span, "table", "a table's %s is a literal or an enumeration value; `%.*s` is neither",
          what, (int)e->text.len, e->text.text);
    return e->type = TYPE_ERROR;
}

/* t->key from `keyed by`: text or an enumeration; T_ERROR (reported) when
 * missing or neither. */
static void check_table_key_type(Checker *C, TableDecl *t)
{
    t->key = TYPE_ERROR;
    if (!t->key_type.len) {
        error(C, t->name.span, "table", "table `%.*s` does not say what it is keyed by: add `keyed by text` or "
              "`keyed by` an enumeration", (int)t->name.len, t->name.text);
    } else if (name_is(t->key_type, "text")) {
        t->key = type_of(T_TEXT);
    } else {
        int k = find_enum(C, t->key_type);
        if (k >= 0)
            t->key = (Type){T_ENUM, 0, (uint16_t)k};
        else
            error(C, t->key_type.span, "table", "a table is keyed by `text` or by an enumeration; `%.*s` is neither",
                  (int)t->key_type.len, t->key_type.text);
    }
}

/* The edition labels: literals of one type, each once, and `edition by`
 * an expression of that type; or no labels and no `edition by`. */
static void check_table_editions(Checker *C, TableDecl *t)
{
    Type label = TYPE_ERROR;
    for (TableEdition *ed = t->editions; ed; ed = ed->next) {
        if (!ed->label)
            continue;
        Type lt = check_expr(C, ed->label);
        if (lt.kind != T_NUMBER && lt.kind != T_TEXT && lt.kind != T_DATE) {
            error(C, ed->label->span, "table", "an edition is labelled by a number (2025), a text or a date");
            continue;
        }
        if (label.kind == T_ERROR)
            label = lt;
        else if (!same_type(label, lt))
            mismatch(C, ed->label->span, "mix", t->editions->label, label, ed->label, lt);
        for (TableEdition *q = t->editions; q != ed; q = q->next)
            if (q->label && cells_equal(q->label, ed->label)) {
                error(C, ed->label->span, "duplicate", "edition %.*s of table `%.*s` is given twice",
                      (int)ed->label->text.len, ed->label->text.text, (int)t->name.len, t->name.text);
                break;
            }
    }
    bool labelled = t->editions && t->editions->label;
    if (labelled && !t->edition_by)
        error(C, t->name.span, "table", "table `%.*s` has editions: say which one a record reads, like "
              "`edition by toms_edition` (a field of the record)", (int)t->name.len, t->name.text);
    else if (!labelled && t->edition_by)
        error(C, t->edition_key, "table", "`edition by` needs editions: write the rows under `edition LABEL:`");
    else if (t->edition_by) {
        Type by = check_expr(C, t->edition_by);
        if (!same_type(by, label)) {
            char wb[80], wl[80];
            const Expr *first = t->editions->label, *e = t->edition_by;
            error(C, e->span, "type", "the editions of table `%.*s` are labelled by %s (`%.*s`), but `%.*s` is %s: "
                  "`edition by` names a value of the same type", (int)t->name.len, t->name.text,
                  type_words(C, label, wl, sizeof wl), (int)first->text.len, first->text.text,
                  (int)(e->span.end - e->span.start), C->p->source + e->span.start, type_words(C, by, wb, sizeof wb));
        }
    }
}

/* Every enumeration value once in each edition of an enumeration-keyed
 * table: one left out reads as absent, which is allowed but warned of. */
static void check_table_complete(Checker *C, const TableDecl *t, const TableEdition *ed)
{
    const EnumDecl *en = C->p->enums[t->key.ref];
    for (uint32_t m = 0; m < en->count; m++) {
        if (!table_find(ed, (TableKey){NULL, 0, m})) {
            char in[80] = "";
            if (ed->label)
                snprintf(in, sizeof in, " in edition %.*s", (int)ed->label->text.len, ed->label->text.text);
            warning(C, ed->label ? ed->label->span : t->name.span, "table-incomplete",
                    "table `%.*s` has no row for `%.*s`%s: reading it gives an absent value", (int)t->name.len,
                    t->name.text, (int)en->members[m].len, en->members[m].text, in);
        }
    }
}

/* Sort the rows with a key of the right type into ed->sorted, and report a
 * key given twice (each repeat once, where it is repeated). */
static void sort_table_rows(Checker *C, const TableDecl *t, TableEdition *ed)
{
    if (!(ed->sorted = alloc(C, (ed->nrows + 1) * sizeof *ed->sorted)))
        return;
    for (TableRow *r = ed->rows; r; r = r->next)
        if (r->key->type.kind != T_ERROR && same_type(r->key->type, t->key))
            ed->sorted[ed->nsorted++] = r;
    table_sort_rows(ed->sorted, ed->nsorted);
    for (uint32_t i = 1; i < ed->nsorted; i++) {
        const Expr *k = ed->sorted[i]->key;
        if (!table_key_compare(table_row_key(ed->sorted[i - 1]), table_row_key(ed->sorted[i])))
            error(C, k->span, "duplicate", "key %.*s is given twice in table `%.*s`%s: keep one",
                  (int)(k->span.end - k->span.start), C->p->source + k->span.start, (int)t->name.len, t->name.text,
                  ed->label ? " in the same edition" : "");
    }
}

/* The rows of one edition: keys of the table's key type, values of one
 * type (t->value, taken from the first row of the first edition), then
 * sorted for reading, and complete when keyed by an enumeration. */
static void check_table_rows(Checker *C, TableDecl *t, TableEdition *ed)
{
    for (TableRow *r = ed->rows; r; r = r->next) {
        Type k = check_cell(C, r->key, "key");
        if (!same_type(k, t->key)) {
            char wk[80], wt[80];
            error(C, r->key->span, "type", "table `%.*s` is keyed by %s, but the key `%.*s` is %s", (int)t->name.len,
                  t->name.text, type_words(C, t->key, wt, sizeof wt), (int)(r->key->span.end - r->key->span.start),
                  C->p->source + r->key->span.start, type_words(C, k, wk, sizeof wk));
            k = TYPE_ERROR;
        }
        Type v = check_cell(C, r->value, "value");
        if (t->value.kind == T_ERROR)
            t->value = v;
        else if (!same_type(t->value, v))
            mismatch(C, r->value->span, "mix", ed->rows->value, t->value, r->value, v);
        if (k.kind == T_ERROR)
            r->key->type = TYPE_ERROR; /* left out of the sorted rows */
    }
    sort_table_rows(C, t, ed);
    if (t->key.kind == T_ENUM && !C->d->errors)
        check_table_complete(C, t, ed);
}

/* Every table, in order, into p->tables (the index an E_LOOKUP's ref
 * names); before the decisions, so that they can read the tables, and
 * after the record, which `edition by` reads. */
static void check_tables(Checker *C)
{
    svp_policy *p = C->p;
    uint32_t n = 0;
    for (TableDecl *t = p->ast.tables; t; t = t->next)
        n++;
    if (!within_limit(C, n, "tables", p->ast.header) || !(p->tables = alloc(C, (n + 1) * sizeof *p->tables)))
        return;
    for (TableDecl *t = p->ast.tables; t; t = t->next) {
        uint32_t editions = 0;
        for (TableEdition *ed = t->editions; ed; ed = ed->next)
            editions++;
        if (!within_limit(C, editions, "editions of one table", t->name.span))
            return;
        if (find_table(C, t->name))
            error(C, t->name.span, "duplicate", "table `%.*s` is declared twice", (int)t->name.len, t->name.text);
        t->index = p->ntables;
        p->tables[p->ntables++] = t;
        t->name_str = dup_text(C, t->name.text, t->name.len);
        t->title_str = decode_header(C, t->title);
        t->cite_str = decode_header(C, t->cite);
        t->value = TYPE_ERROR;
        check_table_key_type(C, t);
        check_table_editions(C, t);
        for (TableEdition *ed = t->editions; ed; ed = ed->next)
            check_table_rows(C, t, ed);
    }
}

/* A constant key read from t: in which editions is it missing? */
static void check_constant_key(Checker *C, const TableDecl *t, const Expr *key)
{
    uint32_t editions = 0, missing = 0;
    const TableEdition *gap = NULL;
    TableKey k = key->kind == E_TEXT ? (TableKey){key->str, strlen(key->str), 0} : (TableKey){NULL, 0, key->ref};
    for (const TableEdition *ed = t->editions; ed; ed = ed->next) {
        editions++;
        if (!table_find(ed, k) && !missing++)
            gap = ed;
    }
    int len = (int)(key->span.end - key->span.start);
    const char *text = C->p->source + key->span.start;
    if (missing && missing == editions)
        error(C, key->span, "table", "table `%.*s` has no row for %.*s: add the row, or check the key",
              (int)t->name.len, t->name.text, len, text);
    else if (missing)
        warning(C, key->span, "table-incomplete", "edition %.*s of table `%.*s` has no row for %.*s: a record "
                "under it reads an absent value", (int)gap->label->text.len, gap->label->text.text,
                (int)t->name.len, t->name.text, len, text);
}

static Type check_lookup(Checker *C, Expr *e)
{
    Type k = check_expr(C, e->a);
    TableDecl *t = find_table(C, e->text);
    if (!t) {
        error(C, e->text.span, "unknown-name", "unknown table `%.*s`: `NAME[KEY]` reads a table declared with "
              "`table NAME`", (int)e->text.len, e->text.text);
        return TYPE_ERROR;
    }
    e->ref_kind = R_TABLE;
    e->ref = t->index;
    if (!same_type(k, t->key)) {
        char wk[80], wt[80];
        error(C, e->a->span, "type", "table `%.*s` is keyed by %s, but `%.*s` is %s", (int)t->name.len,
              t->name.text, type_words(C, t->key, wt, sizeof wt), (int)(e->a->span.end - e->a->span.start),
              C->p->source + e->a->span.start, type_words(C, k, wk, sizeof wk));
        return t->value;
    }
    bool constant = e->a->kind == E_TEXT || (e->a->kind == E_NAME && e->a->ref_kind == R_MEMBER);
    if (constant && k.kind != T_ERROR && t->key.kind != T_ERROR)
        check_constant_key(C, t, e->a);
    return t->value;
}

/* A table's name where a value is expected: it is read with a key. */
static bool report_table_as_name(Checker *C, Expr *e)
{
    const TableDecl *t = find_table(C, e->text);
    if (!t)
        return false;
    const Expr *key = t->editions && t->editions->rows ? t->editions->rows->key : NULL;
    error(C, e->span, "table", "`%.*s` is a table: read one value with a key, like `%.*s[%.*s]`",
          (int)e->text.len, e->text.text, (int)e->text.len, e->text.text, key ? (int)key->text.len : 3,
          key ? key->text.text : "KEY");
    e->type = TYPE_ERROR;
    return true;
}

/* Inside `... of LIST where ...`: a member of the items, by its name. */
static bool resolve_item_member(Checker *C, Expr *e)
{
    const ObjectType *o = C->item;
    if (!o)
        return false;
    for (uint32_t m = 0; m < o->nmembers; m++)
        if (names_equal(o->members[m]->path, e->text)) {
            e->ref_kind = R_ITEM;
            e->ref = (uint32_t)(o - C->p->objects);
            e->ref_member = (uint16_t)m;
            e->type = o->members[m]->type;
            if (e->type.kind == T_LIST) {
                error(C, e->span, "type", "lists inside list items cannot be read");
                e->type = TYPE_ERROR;
            }
            return true;
        }
    return false;
}

static const char *each_words(int64_t which)
{
    return which == E_COUNT ? "count of" : which == E_ANY ? "any of" : which == E_ALL ? "all of" : "sum over";
}

/* `count of LIST where COND`, `any of`, `all of`, `sum over LIST of
 * AMOUNT`: LIST a list of objects, the body read once per item with the
 * item's members in scope (they hide record fields of the same name). */
static Type check_each(Checker *C, Expr *e)
{
    bool sum = e->num == E_SUM;
    Type result = sum ? TYPE_ERROR : e->num == E_COUNT ? type_of(T_NUMBER) : TYPE_BOOL;
    Type l = check_expr(C, e->a);
    if (l.kind == T_ERROR)
        return result;
    if (l.kind != T_LIST || l.elem != T_OBJECT || e->a->ref_kind != R_FIELD) {
        error(C, e->a->span, "type", "`%s ... %s` goes over a list of objects, like `bid.commitments`; for a list "
              "of values write `%s %.*s`", each_words(e->num), sum ? "of" : "where",
              sum ? "sum of" : e->num == E_COUNT ? "count of" : each_words(e->num),
              (int)(e->a->span.end - e->a->span.start), C->p->source + e->a->span.start);
        return result;
    }
    if (C->item) {
        error(C, e->span, "type", "`%s` inside another's condition is not supported: make the inner one a "
              "decision, or count in two steps", each_words(e->num));
        return result;
    }
    C->item = &C->p->objects[l.ref];
    Type b = check_expr(C, e->b);
    C->item = NULL;
    if (!sum) {
        if (b.kind != T_ERROR && b.kind != T_BOOL) {
            char w[80];
            error(C, e->b->span, "type", "the condition after `where` must be true/false, but `%.*s` is %s",
                  (int)(e->b->span.end - e->b->span.start), C->p->source + e->b->span.start,
                  type_words(C, b, w, sizeof w));
        }
        return result;
    }
    if (b.kind == T_MONEY || b.kind == T_PERCENT || b.kind == T_NUMBER || b.kind == T_ERROR)
        return b;
    char w[80];
    error(C, e->b->span, "type", "`sum over ... of` adds up money, percentages or numbers, but `%.*s` is %s%s",
          (int)(e->b->span.end - e->b->span.start), C->p->source + e->b->span.start, type_words(C, b, w, sizeof w),
          b.kind == T_BOOL ? ": to compare the sum, put it in parentheses, like `(sum over LIST of AMOUNT) >= X`" : "");
    return TYPE_ERROR;
}

/* ---- Decisions --------------------------------------------------------- */

/* The value of a constant expression (a literal or a parameter), for
 * tier bounds; false when it is not constant. */
static bool constant_value(Checker *C, const Expr *e, int64_t *out)
{
    if (e->kind == E_NAME && e->ref_kind == R_MEMBER) { /* a tier over an ordered enumeration */
        *out = e->ref;
        return true;
    }
    if (e->kind == E_MONEY || e->kind == E_PERCENT || e->kind == E_NUMBER || e->kind == E_DATE) {
        *out = e->num;
        return true;
    }
    if (e->kind == E_NAME && e->ref_kind == R_PARAM && C->p->params[e->ref]->value) {
        *out = C->p->params[e->ref]->value->num;
        return true;
    }
    return false;
}

/* Tiers over an enumeration: it must be declared `in order`. */
static Type check_enum_by(Checker *C, Decision *d, Type by)
{
    const EnumDecl *en = C->p->enums[by.ref];
    if (en->ordered)
        return by;
    error(C, d->by->span, "type",
          "tiers over `%.*s` need its values in order: declare it `enum %.*s in order: ...`, lowest first",
          (int)en->name.len, en->name.text, (int)en->name.len, en->name.text);
    return TYPE_ERROR;
}

/* A tier's bound over an ordered enumeration: a bare name is looked up
 * among that enumeration's values only (it needs no qualifying), and a
 * name that is none of them says which there are.  False when reported. */
static bool enum_bound(Checker *C, Type by, Expr *bound)
{
    const EnumDecl *en = C->p->enums[by.ref];
    if (bound->kind != E_NAME || memchr(bound->text.text, '.', bound->text.len))
        return true; /* checked as any bound */
    int m = find_member(en, bound->text.text, bound->text.len);
    if (m >= 0) {
        bound->ref_kind = R_MEMBER;
        bound->ref = (uint32_t)m;
        bound->type = by;
        return true;
    }
    char values[200] = "";
    size_t at = 0;
    for (uint32_t i = 0; i < en->count && at < sizeof values - 40; i++)
        at += (size_t)snprintf(values + at, sizeof values - at, "%s%.*s", i ? ", " : "",
                               (int)en->members[i].len, en->members[i].text);
    error(C, bound->span, "tier", "`%.*s` is not a value of `%.*s`: its values, in order, are %s%s",
          (int)bound->text.len, bound->text.text, (int)en->name.len, en->name.text, values,
          at >= sizeof values - 40 ? ", ..." : "");
    bound->type = TYPE_ERROR;
    return false;
}

static void check_tiers(Checker *C, Decision *d)
{
    Type by = check_expr(C, d->by);
    if (by.kind == T_ENUM)
        by = check_enum_by(C, d, by);
    else if (by.kind != T_ERROR && by.kind != T_MONEY && by.kind != T_PERCENT && by.kind != T_NUMBER && by.kind != T_DATE)
        error(C, d->by->span, "type", "tiers split money, percentages, numbers, dates or an enumeration in order, not %s",
              kind_words(by.kind));
    Type result = TYPE_ERROR;
    bool have_prev = false, saw_otherwise = false;
    int64_t prev = 0;
    int prev_over = 0;
    Span prev_span = {0, 0};
    for (Tier *t = d->tiers; t; t = t->next) {
        if (saw_otherwise)
            error(C, t->span, "tier", "`otherwise` must be the last tier: no value reaches this one");
        Type v = check_expr(C, t->value);
        if (result.kind == T_ERROR)
            result = v;
        else if (!same_type(result, v))
            mismatch(C, t->value->span, "mix", d->tiers->value, result, t->value, v);
        if (t->kind == TIER_OTHERWISE) {
            saw_otherwise = true;
            continue;
        }
        if (by.kind == T_ENUM && !enum_bound(C, by, t->bound))
            continue;
        Type bt = t->bound->ref_kind == R_MEMBER && by.kind == T_ENUM ? t->bound->type : check_expr(C, t->bound);
        int64_t amount;
        if (!same_type(bt, by)) {
            mismatch(C, t->bound->span, "compare", d->by, by, t->bound, bt);
            continue;
        }
        if (bt.kind == T_ERROR)
            continue;
        if (!constant_value(C, t->bound, &amount)) {
            error(C, t->bound->span, "tier", "a tier's bound must be a parameter or a literal amount");
            continue;
        }
        int over = t->kind == TIER_OVER;
        /* Bands go from the highest down; each starts strictly below the
         * one above it, or it would be empty (overlap). */
        if (have_prev && (amount > prev || (amount == prev && over >= prev_over)))
            error(C, t->span, "tier-overlap",
                  "this band is empty: the tier above (`%.*s`) already takes every value it would; list tiers from the highest bound down",
                  (int)(prev_span.end - prev_span.start), C->p->source + prev_span.start);
        have_prev = true;
        prev = amount;
        prev_over = over;
        prev_span = t->span;
    }
    if (!saw_otherwise && d->tiers && have_prev) {
        const Tier *last = d->tiers;
        while (last->next)
            last = last->next;
        Span b = last->bound ? last->bound->span : last->span;
        error(C, d->name.span, "tier-gap",
              "the tiers of `%.*s` leave a gap: values %s `%.*s` get no answer; add `otherwise -> ...`",
              (int)d->name.len, d->name.text, prev_over ? "of, or less than," : "less than",
              (int)(b.end - b.start), C->p->source + b.start);
    }
    d->type = result;
}


static void check_decisions(Checker *C)
{
    svp_policy *p = C->p;
    uint32_t n = 0;
    for (Decision *d = p->ast.decisions; d; d = d->next)
        n++;
    if (!within_limit(C, n, "decisions", p->ast.header))
        return;
    p->decisions = alloc(C, (n + 1) * sizeof *p->decisions);
    if (!p->decisions)
        return;
    p->ndecisions = n;
    uint32_t i = 0;
    for (Decision *d = p->ast.decisions; d; d = d->next)
        p->decisions[i++] = d;
    for (i = 0; i < p->ndecisions; i++) {
        Decision *d = p->decisions[i];
        d->slot = p->nfields + i;
        d->name_str = dup_text(C, d->name.text, d->name.len);
        d->title_str = decode_header(C, d->title); /* reports a bad escape too */
        (void)decode_header(C, d->cite);
        C->visible_decisions = i;
        for (uint32_t j = 0; j < i; j++)
            if (names_equal(p->decisions[j]->name, d->name)) {
                error(C, d->name.span, "duplicate", "decision `%.*s` is declared twice", (int)d->name.len, d->name.text);
                break;
            }
        if (find_field(C, d->name.text, d->name.len))
            error(C, d->name.span, "duplicate", "`%.*s` is already a field of the record", (int)d->name.len, d->name.text);
        for (uint32_t j = 0; j < p->nparams; j++)
            if (names_equal(p->params[j]->name, d->name))
                error(C, d->name.span, "duplicate", "`%.*s` is already a parameter", (int)d->name.len, d->name.text);
        if (d->is) {
            d->type = check_expr(C, d->is);
            if (d->type.kind == T_LIST || d->type.kind == T_GROUP)
                error(C, d->is->span, "type", "a decision is one value, not a list");
        } else {
            check_tiers(C, d);
        }
    }
    C->visible_decisions = p->ndecisions;
}

/* ---- Rules ------------------------------------------------------------- */


static MsgPart *msg_part(Checker *C, MsgPart ***tail)
{
    MsgPart *m = alloc(C, sizeof *m);
    if (m) {
        **tail = m;
        *tail = &m->next;
    }
    return m;
}

/* Split a message into literal text and {expressions}; each expression is
 * parsed from its place in the file, so its errors point there. */
static void check_message(Checker *C, Rule *r)
{
    const char *raw = r->message.text + 1;
    size_t len = r->message.len - 2;
    uint32_t base = r->message.span.start + 1;
    MsgPart **tail = &r->parts;
    size_t lit = 0;
    for (size_t i = 0; i < len; i++) {
        if (raw[i] == '\\') {
            i++;
            continue;
        }
        if (raw[i] != '{')
            continue;
        size_t close = i + 1;
        while (close < len && raw[close] != '}' && raw[close] != '{' && raw[close] != '"')
            close++;
        if (close >= len || raw[close] != '}') {
            error(C, (Span){base + (uint32_t)i, base + (uint32_t)i + 1}, "syntax",
                  "unclosed `{` in the message: close it with `}`, or write \\{ for a brace");
            return;
        }
        bool empty = true;
        for (size_t k = i + 1; k < close; k++)
            empty &= raw[k] == ' ' || raw[k] == '\t';
        if (empty) {
            error(C, (Span){base + (uint32_t)i, base + (uint32_t)close + 1}, "syntax",
                  "empty `{}` in the message: put a name inside, like {value}, or write \\{ for a brace");
            return;
        }
        MsgPart *m = msg_part(C, &tail);
        if (m && i > lit)
            m->text = ast_decode_text(C->ab, raw + lit, i - lit, base + (uint32_t)lit, false);
        else if (m)
            m->text = "";
        m = msg_part(C, &tail);
        C->ab->parsed_expr = NULL;
        if (parse_source(C->ab, base + (uint32_t)i + 1, base + (uint32_t)close, true) == 0 && m) {
            m->expr = C->ab->parsed_expr;
            Type t = check_expr(C, m->expr);
            if (t.kind == T_OBJECT)
                error(C, m->expr->span, "type", "an object cannot be shown in a message");
        } else if (m) {
            m->text = "";
        }
        lit = close + 1;
        i = close;
    }
    MsgPart *m = msg_part(C, &tail);
    if (m)
        m->text = ast_decode_text(C->ab, raw + lit, len - lit, base + (uint32_t)lit, false);
}

static void check_because(Checker *C, Rule *r)
{
    uint32_t n = 0;
    for (ExprList *l = r->because; l; l = l->next)
        n++;
    r->because_slots = alloc(C, (n + 1) * sizeof *r->because_slots);
    if (!r->because_slots)
        return;
    for (ExprList *l = r->because; l; l = l->next) {
        Expr *e = l->expr;
        Field *f = e ? find_field(C, e->text.text, e->text.len) : NULL;
        if (!f && e) {
            Suggest s = suggest_start(C, e->text);
            for (uint32_t i = 0; i < C->p->nfields; i++)
                suggest_consider(&s, C->p->fields[i]->path, "field");
            if (s.kind) {
                error(C, e->span, "unknown-name", "`because` lists fields of the record; `%.*s` is not one: did you mean `%.*s`?",
                      (int)e->text.len, e->text.text, (int)s.name.len, s.name.text);
                diag_suggest(C->d, s.name.text, s.name.len); /* the quick fix of editors */
            } else
                error(C, e->span, "unknown-name", "`because` lists fields of the record; `%.*s` is not one",
                      (int)e->text.len, e->text.text);
            continue;
        }
        if (f)
            r->because_slots[r->nbecause++] = f->slot;
    }
}

static void check_rule_shape(Checker *C, Rule *r)
{
    bool has_else = false, has_report = false, has_require = false;
    Span else_span = r->id.span;
    /* by clause, not by r->require: a requirement whose expression was
     * refused (too deep, say) is still there as far as the shape goes */
    for (Clause *c = r->clauses; c; c = c->next) {
        has_require |= c->kind == C_REQUIRE;
        if (c->kind == C_ELSE) {
            has_else = true;
            else_span = c->key;
        }
        if (c->kind == C_REPORT) {
            has_report = true;
            else_span = c->key;
        }
    }
    if (has_require && !has_else && !has_report)
        error(C, r->id.span, "rule-shape",
              "rule `%.*s` has `require` but no `else`: add, for example, `else error \"what is wrong\"`",
              (int)r->id.len, r->id.text);
    else if (has_require && has_report)
        error(C, else_span, "rule-shape",
              "a rule with `require` says what is wrong with `else`; `report` is for rules with no requirement");
    else if (!has_require && has_else)
        error(C, else_span, "rule-shape", "`else` needs a `require` before it; to report whenever the rule applies, use `report`");
    else if (!has_require && !has_report)
        error(C, r->id.span, "rule-shape",
              "rule `%.*s` reports nothing: add `require CONDITION else error \"message\"`, or `report warning \"message\"`",
              (int)r->id.len, r->id.text);
    if (!r->cite.len && !ast_allowed(r->clauses, "uncited-rule"))
        warning(C, r->id.span, "uncited-rule", "rule `%.*s` cites no clause: add `cite \"Section, paragraph\"`",
                (int)r->id.len, r->id.text);
}

/* The parts of a portfolio rule: `when` and `share` read each record of
 * the register; `require` and the message read the register's share. */
/* The fields portfolio rule r reads (in `when` and `share ... where`) are
 * the ones `svp portfolio` reads of each record (SVP_EVAL_PORTFOLIO_FIELDS):
 * with the record's id and, when one of them is required from a stage,
 * the stage. */
static void note_portfolio_reads(Checker *C)
{
    svp_policy *p = C->p;
    if (!p->portfolio_reads)
        return;
    for (uint32_t i = 0; i < C->nreads; i++) {
        uint32_t slot = C->reads[i];
        p->portfolio_reads[slot] = 1;
        if (p->fields[slot]->from_rank >= 0 && p->stage_slot >= 0)
            p->portfolio_reads[p->stage_slot] = 1;
    }
    if (p->id_slot < p->nfields)
        p->portfolio_reads[p->id_slot] = 1;
}

static void check_portfolio_rule(Checker *C, Rule *r)
{
    C->collecting = true;
    C->nreads = 0;
    if (r->when)
        expect(C, r->when, T_BOOL, "the condition after `when`");
    if (!r->share_of) {
        error(C, r->id.span, "rule-shape",
              "portfolio rule `%.*s` has no `share`: say what is shared out and which part counts, "
              "like `share value where supplier.vcse`", (int)r->id.len, r->id.text);
    } else {
        Type t = check_expr(C, r->share_of);
        if (t.kind != T_ERROR && t.kind != T_MONEY && t.kind != T_NUMBER && t.kind != T_PERCENT)
            error(C, r->share_of->span, "type", "`share` adds up money or numbers, but `%.*s` is %s",
                  (int)(r->share_of->span.end - r->share_of->span.start), C->p->source + r->share_of->span.start,
                  kind_words(t.kind));
        expect(C, r->share_where, T_BOOL, "the condition after `where`");
    }
    C->collecting = false;
    note_portfolio_reads(C);
    if (r->because)
        error(C, r->because->expr ? r->because->expr->span : r->id.span, "rule-shape",
              "a portfolio finding always shows the share and the amounts behind it: leave out `because`");
    if (r->severity_when)
        error(C, r->severity_when->span, "portfolio",
              "a portfolio rule's severity is fixed: it judges the whole register, not one record; write "
              "`else error \"...\"` or `else warning \"...\"`");
    C->register_level = true;
    if (r->require)
        expect(C, r->require, T_BOOL, "the requirement after `require`");
    if (r->message.len >= 2)
        check_message(C, r);
    C->register_level = false;
}

/* A figure for the report: `when`, the amount and the grouping read each
 * record; the target, like a portfolio rule's requirement, the register. */
static void check_figure(Checker *C, Rule *r)
{
    if (r->when)
        expect(C, r->when, T_BOOL, "the condition after `when`");
    Type amount = type_of(T_NUMBER);
    if (r->measure == FIG_NONE) {
        error(C, r->id.span, "figure-shape",
              "figure `%.*s` measures nothing: add `count`, `sum AMOUNT` or `share AMOUNT where CONDITION`",
              (int)r->id.len, r->id.text);
    } else if (r->measure != FIG_COUNT && r->share_of) {
        amount = check_expr(C, r->share_of);
        if (amount.kind != T_ERROR && amount.kind != T_MONEY && amount.kind != T_NUMBER && amount.kind != T_PERCENT)
            error(C, r->share_of->span, "type", "a figure adds up money or numbers, but `%.*s` is %s",
                  (int)(r->share_of->span.end - r->share_of->span.start), C->p->source + r->share_of->span.start,
                  kind_words(amount.kind));
        if (r->share_where)
            expect(C, r->share_where, T_BOOL, "the condition after `where`");
    }
    if (r->group_by) {
        if (r->period) {
            expect(C, r->group_by, T_DATE, "what a figure groups by month, quarter or year");
        } else {
            Type g = check_expr(C, r->group_by);
            if (g.kind != T_ERROR && g.kind != T_ENUM && g.kind != T_BOOL && g.kind != T_TEXT)
                error(C, r->group_by->span, "type",
                      "a figure groups by an enumeration, a true/false value or a text (a decision's tier, say), "
                      "but `%.*s` is %s; group dates with `by quarter of DATE`",
                      (int)(r->group_by->span.end - r->group_by->span.start),
                      C->p->source + r->group_by->span.start, kind_words(g.kind));
        }
    }
    if (r->target) {
        C->register_level = C->figure_target = true;
        TypeKind want = r->measure == FIG_SHARE ? T_PERCENT : amount.kind == T_ERROR ? T_NUMBER : amount.kind;
        expect(C, r->target, want, "a figure's `target`");
        C->register_level = C->figure_target = false;
    }
}

/* `else error when COND otherwise warning "..."` (issue 11): the condition
 * reads the record like `when` (but is not among the fields the rule is
 * said to read: a record not complete yet still settles the rule), and
 * the two severities differ. */
static void check_severity_when(Checker *C, Rule *r)
{
    if (!r->severity_when)
        return;
    C->collecting = true;
    C->nreads = 0;
    expect(C, r->severity_when, T_BOOL, "the condition that chooses the severity");
    C->collecting = false;
    r->nseverity_reads = C->nreads;
    r->severity_reads = alloc(C, (C->nreads + 1) * sizeof *r->severity_reads);
    if (r->severity_reads && C->nreads)
        memcpy(r->severity_reads, C->reads, C->nreads * sizeof *r->severity_reads);
    if (r->severity == r->severity_otherwise)
        error(C, r->severity_when->span, "rule-shape",
              "both severities are the same: leave out `when ... otherwise ...`, or choose another severity");
}

/* A record rule: `when`, `require` and the message all read one record. */
static void check_record_rule(Checker *C, Rule *r)
{
    svp_policy *p = C->p;
    C->collecting = true;
    C->nreads = 0;
    if (r->when)
        expect(C, r->when, T_BOOL, "the condition after `when`");
    if (r->require)
        expect(C, r->require, T_BOOL, "the requirement after `require`");
    C->collecting = false;
    r->nread = C->nreads;
    r->read_slots = alloc(C, (C->nreads + 1) * sizeof *r->read_slots);
    if (r->read_slots && C->nreads)
        memcpy(r->read_slots, C->reads, C->nreads * sizeof *r->read_slots);
    if (r->message.len >= 2)
        check_message(C, r);
    check_severity_when(C, r);
    if (r->because) {
        check_because(C, r);
    } else {
        r->because_slots = r->read_slots;
        r->nbecause = r->nread;
    }
    (void)p;
}

static void check_rules(Checker *C)
{
    svp_policy *p = C->p;
    uint32_t total = 0, nport = 0, nfig = 0;
    for (Rule *r = p->ast.rules; r; r = r->next) {
        total++;
        nport += r->portfolio;
        nfig += r->figure;
    }
    if (!within_limit(C, total, "rules", p->ast.header))
        return;
    p->rules = alloc(C, (total - nport - nfig + 1) * sizeof *p->rules);
    p->portfolio = alloc(C, (nport + 1) * sizeof *p->portfolio);
    p->portfolio_reads = alloc(C, p->nfields + 1);
    p->figures = alloc(C, (nfig + 1) * sizeof *p->figures);
    if (!p->rules || !p->portfolio || !p->portfolio_reads || !p->figures)
        return;
    memset(p->portfolio_reads, 0, p->nfields + 1);
    for (Rule *r = p->ast.rules; r; r = r->next) {
        for (Rule *q = p->ast.rules; q != r; q = q->next)
            if (names_equal(q->id, r->id)) {
                error(C, r->id.span, "duplicate", "rule id `%.*s` is used twice: ids must be unique", (int)r->id.len,
                      r->id.text);
                break;
            }
        if (r->figure)
            p->figures[p->nfigures++] = r;
        else if (r->portfolio)
            p->portfolio[p->nportfolio++] = r;
        else
            p->rules[p->nrules++] = r;
        r->id_str = dup_text(C, r->id.text, r->id.len);
        r->cite_str = decode_header(C, r->cite);
        r->title_str = decode_header(C, r->title); /* reports a bad escape in the title */
        if (r->figure) {
            check_figure(C, r);
            continue;
        }
        check_rule_shape(C, r);
        if (r->portfolio)
            check_portfolio_rule(C, r);
        else
            check_record_rule(C, r);
    }
}

/* ---- Header and the whole policy --------------------------------------- */

static const char *const months[] = {"January", "February", "March", "April", "May", "June", "July",
                                     "August", "September", "October", "November", "December"};

static const char *decode_header(Checker *C, Name n)
{
    return n.len >= 2 ? ast_decode_text(C->ab, n.text + 1, n.len - 2, n.span.start + 1, false) : "";
}

static void check_header(Checker *C)
{
    svp_policy *p = C->p;
    Policy *a = &p->ast;
    Span at = a->header;
    if (a->mapping || a->maps || a->columns) {
        /* an import mapping given where a policy belongs (or the reverse
         * mixed into one file): say which command reads it */
        Span m = a->mapping ? a->mapping->span : a->maps ? a->maps->span : a->columns->name.span;
        error(C, m, "mapping", "%s", a->mapping && !a->name.len
                  ? "this is an import mapping, not a policy: `svp import` reads it, with the policy it names"
                  : "an import mapping's declarations do not belong in a policy: put them in a mapping file");
        return;
    }
    if (C->after_syntax_errors)
        return; /* a header item may be what failed to parse */
    if (!a->name.len) {
        diag_add(C->d, SVP_ERROR, "header", 0, 0,
                 "the file has no `policy` header: start it with `policy \"Name\"`, then version, effective and review");
        return;
    }
    if (!a->version.len)
        error(C, at, "header", "the header has no `version`: add, for example, `version \"2020.1\"`");
    if (!a->effective)
        error(C, at, "header", "the header has no `effective` date: add, for example, `effective 2020-04-01`");
    p->name = decode_header(C, a->name);
    p->version = decode_header(C, a->version);
    p->source_doc = decode_header(C, a->source);
    p->effective = a->effective ? (int32_t)a->effective->num : 0;
    if (a->review.len) {
        for (int m = 0; m < 12; m++)
            if (name_is(a->review, months[m]))
                p->review_month = m + 1;
        if (!p->review_month)
            error(C, a->review.span, "header", "`%.*s` is not a month: write `review every April` (a month name, capitalised)",
                  (int)a->review.len, a->review.text);
    }
    if (a->order && a->order->kind == D_RULE)
        (void)0;
}

/* `required when CONDITION` (issue 11): the condition reads the record's
 * fields and parameters; it is decided as the record is read, so before
 * any decision. */
static void check_required_when(Checker *C)
{
    svp_policy *p = C->p;
    for (uint32_t s = 0; s < p->nfields; s++) {
        Field *f = p->fields[s];
        if (!f->required_when)
            continue;
        C->record_condition = true;
        C->collecting = true;
        C->nreads = 0;
        expect(C, f->required_when, T_BOOL, "the condition after `required when`");
        C->collecting = false;
        C->record_condition = false;
        f->required_when_reads = alloc(C, (C->nreads + 1) * sizeof *f->required_when_reads);
        if (f->required_when_reads) {
            if (C->nreads)
                memcpy(f->required_when_reads, C->reads, C->nreads * sizeof *f->required_when_reads);
            f->nrequired_when_reads = C->nreads;
        }
    }
    /* `svp portfolio` reads only the fields its rules read: one of them
     * required when a condition holds needs the fields the condition reads
     * too, or the record would pass there as valid while `svp eval` finds
     * it invalid.  Those may be required on a condition in turn. */
    for (bool more = p->portfolio_reads != NULL; more;) {
        more = false;
        for (uint32_t s = 0; s < p->nfields; s++) {
            const Field *f = p->fields[s];
            for (uint32_t i = 0; p->portfolio_reads[s] && i < f->nrequired_when_reads; i++)
                if (!p->portfolio_reads[f->required_when_reads[i]]) {
                    uint32_t read = f->required_when_reads[i];
                    p->portfolio_reads[read] = 1;
                    if (p->fields[read]->from_rank >= 0 && p->stage_slot >= 0)
                        p->portfolio_reads[p->stage_slot] = 1;
                    more = true;
                }
        }
    }
}

/* The analysis codes a declaration may acknowledge with `allow CODE
 * because "why"`: the warnings said about a rule, or about a decision. */
static const char *const rule_codes[] = {"never-applies", "always-applies", "never-fires", "always-fires",
                                         "uncited-rule", "unknown-clause", "and-or-precedence", NULL};
static const char *const decision_codes[] = {"tier-not-monotonic", "and-or-precedence", "unused-working-decision",
                                             NULL};

static void check_allows_of(Checker *C, Clause *clauses, const char *const *codes, const char *what)
{
    for (Clause *c = clauses; c; c = c->next) {
        if (c->kind != C_ALLOW)
            continue;
        bool known = false;
        for (int i = 0; codes[i]; i++)
            known |= name_is(c->code, codes[i]);
        if (!known) {
            char list[256] = "";
            for (int i = 0, at = 0; codes[i] && at < (int)sizeof list; i++)
                at += snprintf(list + at, sizeof list - (size_t)at, "%s%s", i ? ", " : "", codes[i]);
            error(C, c->code.span, "unknown-name", "`%.*s` is not a warning %s can have: it may allow %s",
                  (int)c->code.len, c->code.text, what, list);
        }
        for (Clause *d = clauses; d != c; d = d->next)
            if (d->kind == C_ALLOW && names_equal(d->code, c->code)) {
                error(C, c->code.span, "duplicate", "`allow %.*s` is given twice: keep one", (int)c->code.len,
                      c->code.text);
                break;
            }
        bool blank = true;
        for (uint32_t i = 1; i + 1 < c->text.len; i++)
            blank &= c->text.text[i] == ' ' || c->text.text[i] == '\t';
        if (blank)
            error(C, c->text.span, "rule-shape",
                  "say why the warning is meant: `allow %.*s because \"the reason\"`, for whoever reads the policy next",
                  (int)c->code.len, c->code.text);
    }
}

static void check_allows(Checker *C)
{
    for (Rule *r = C->p->ast.rules; r; r = r->next)
        if (!r->figure)
            check_allows_of(C, r->clauses, rule_codes, "a rule");
    for (Decision *d = C->p->ast.decisions; d; d = d->next)
        check_allows_of(C, d->clauses, decision_codes, "a decision");
}

/* Only on an otherwise clean policy: with errors about, a parameter can
 * look unused because the rule that uses it misspelt it. */
static void check_unused(Checker *C)
{
    if (C->d->errors)
        return;
    for (uint32_t i = 0; i < C->p->ndecisions; i++) {
        Decision *d = C->p->decisions[i];
        if (d->working && !d->read && !ast_allowed(d->clauses, "unused-working-decision"))
            warning(C, d->name.span, "unused-working-decision",
                    "working decision `%.*s` is read by no rule, decision or figure, and shows in no result: "
                    "use it, remove it, or leave out `working` to show it",
                    (int)d->name.len, d->name.text);
    }
    for (uint32_t i = 0; i < C->p->nparams; i++) {
        Param *a = C->p->params[i];
        if (!a->used)
            warning(C, a->name.span, "unused-parameter", "parameter `%.*s` is never used",
                    (int)a->name.len, a->name.text);
    }
}

/* The invariants the evaluator and the renderers rely on, for a policy
 * that checked clean: field i lives in slot i, decision i in slot
 * nfields + i, and every slot a rule shows or reads is a field's. */
static bool slots_consistent(const svp_policy *p)
{
    for (uint32_t i = 0; i < p->nfields; i++)
        if (p->fields[i]->slot != i)
            return false;
    for (uint32_t i = 0; i < p->ndecisions; i++)
        if (p->decisions[i]->slot != p->nfields + i)
            return false;
    for (uint32_t i = 0; i < p->nrules; i++) {
        const Rule *r = p->rules[i];
        for (uint32_t k = 0; k < r->nbecause; k++)
            if (r->because_slots[k] >= p->nfields)
                return false;
        for (uint32_t k = 0; k < r->nread; k++)
            if (r->read_slots[k] >= p->nfields)
                return false;
    }
    return p->nslots == p->nfields + p->ndecisions;
}

bool check_policy(svp_policy *p, AstBuilder *ab)
{
    Checker C;
    memset(&C, 0, sizeof C);
    C.p = p;
    C.ab = ab;
    C.d = ab->diags;
    C.suggest_budget = SUGGEST_BUDGET;
    size_t errors_before = C.d->errors;
    C.after_syntax_errors = errors_before > 0;
    /* each phase relies on the ones before: after running out of memory
     * (or past a limit) the rest would read half-built tables */
    void (*const phases[])(Checker *) = {check_header, check_enums, check_params, check_objects,
                                         check_record, check_tables, check_decisions, check_rules, check_required_when,
                                         check_allows, check_unused};
    for (size_t i = 0; i < sizeof phases / sizeof *phases; i++) {
        size_t limits = C.limits;
        phases[i](&C);
        if (ab->oom || C.limits != limits)
            break;
    }
    p->nslots = p->nfields + p->ndecisions;
    bool ok = C.d->errors == errors_before && !ab->oom;
    assert(!ok || slots_consistent(p));
    return ok;
}
