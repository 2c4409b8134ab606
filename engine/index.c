/*
 * index.c - the language knowledge an editor needs (svp lsp): symbols,
 * references, hover texts, completion and the rules of renaming.
 *
 * Built from the tree that parse and check leave behind, errors or not
 * (policy_analyse): every declaration that parsed becomes a symbol, and
 * every name the checker resolved (its Expr's ref_kind) becomes a reference
 * to the symbol of what it resolved to, so "where is this defined" gives
 * exactly the checker's answer.  Names the checker reads as text (a field's
 * type, `required from`, `because`, `dated by`) are looked up here the way
 * the checker looks them up.  Everything is in bytes of the policy text;
 * the protocol's positions are the command's business (cli/lsp_*.c).
 */
#include "index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define NO_SYMBOL ((size_t)-1)

/* ---- Building: symbols, references, the declaration table ---------------- */

static const char *copy(svp_index *ix, const char *text, size_t len)
{
    const char *s = arena_strndup(&ix->arena, text, len);
    if (!s) {
        ix->oom = true;
        return "";
    }
    return s;
}

/* Grow *array (of *cap items of size) so that one more fits. */
static bool reserve(svp_index *ix, void **array, size_t count, size_t *cap, size_t size)
{
    if (count < *cap)
        return true;
    size_t more = *cap ? *cap * 2 : 64;
    void *a = svp_mem_realloc(ix->alloc, *array, *cap * size, more * size);
    if (!a) {
        ix->oom = true;
        return false;
    }
    *array = a;
    *cap = more;
    return true;
}

static size_t hash_pointer(const void *p, size_t mask)
{
    uintptr_t x = (uintptr_t)p;
    x ^= x >> 17;
    x *= 0x9E3779B97F4A7C15u;
    return (size_t)(x >> 7) & mask;
}

/* Remember that declaration key (a Param, EnumDecl, Name of a value,
 * RecordDecl, Field, Decision or Rule) is symbol i. */
static void remember(svp_index *ix, const void *key, size_t i)
{
    if ((ix->nsymbols + 1) * 2 > ix->nkeys) {
        size_t n = ix->nkeys ? ix->nkeys * 2 : 256;
        const void **keys = svp_mem_alloc(ix->alloc, n * sizeof *keys);
        size_t *syms = svp_mem_alloc(ix->alloc, n * sizeof *syms);
        if (!keys || !syms) {
            svp_mem_free(ix->alloc, keys, n * sizeof *keys);
            svp_mem_free(ix->alloc, syms, n * sizeof *syms);
            ix->oom = true;
            return;
        }
        memset(keys, 0, n * sizeof *keys);
        for (size_t k = 0; k < ix->nkeys; k++)
            if (ix->keys[k]) {
                size_t h = hash_pointer(ix->keys[k], n - 1);
                while (keys[h])
                    h = (h + 1) & (n - 1);
                keys[h] = ix->keys[k];
                syms[h] = ix->key_symbol[k];
            }
        svp_mem_free(ix->alloc, ix->keys, ix->nkeys * sizeof *ix->keys);
        svp_mem_free(ix->alloc, ix->key_symbol, ix->nkeys * sizeof *ix->key_symbol);
        ix->keys = keys;
        ix->key_symbol = syms;
        ix->nkeys = n;
    }
    size_t h = hash_pointer(key, ix->nkeys - 1);
    while (ix->keys[h] && ix->keys[h] != key)
        h = (h + 1) & (ix->nkeys - 1);
    ix->keys[h] = key;
    ix->key_symbol[h] = i;
}

static size_t symbol_of(const svp_index *ix, const void *key)
{
    if (!key || !ix->nkeys)
        return NO_SYMBOL;
    size_t h = hash_pointer(key, ix->nkeys - 1);
    while (ix->keys[h]) {
        if (ix->keys[h] == key)
            return ix->key_symbol[h];
        h = (h + 1) & (ix->nkeys - 1);
    }
    return NO_SYMBOL;
}

static void add_reference(svp_index *ix, size_t start, size_t end, size_t symbol, bool definition)
{
    if (symbol == NO_SYMBOL || end <= start ||
        !reserve(ix, (void **)&ix->refs, ix->nrefs, &ix->cap_refs, sizeof *ix->refs))
        return;
    ix->refs[ix->nrefs++] = (svp_reference){start, end, symbol, definition};
}

/* A symbol for the declaration key named name; its name is its definition. */
static size_t add_symbol(svp_index *ix, const void *key, svp_symbol_kind kind, Name name, Span decl,
                         const char *detail, size_t parent)
{
    if (!reserve(ix, (void **)&ix->symbols, ix->nsymbols, &ix->cap_symbols, sizeof *ix->symbols))
        return NO_SYMBOL;
    size_t i = ix->nsymbols++;
    svp_symbol *s = &ix->symbols[i];
    s->kind = kind;
    s->name = copy(ix, name.text, name.len);
    s->detail = detail ? detail : "";
    s->start = name.span.start;
    s->end = name.span.end;
    s->decl_start = decl.start < name.span.start ? decl.start : name.span.start;
    s->decl_end = decl.end > name.span.end ? decl.end : name.span.end;
    s->parent = parent;
    remember(ix, key, i);
    add_reference(ix, s->start, s->end, i, true);
    return i;
}

/* The source text of a span, copied. */
static const char *source_text(svp_index *ix, Span s)
{
    const svp_policy *p = ix->policy;
    if (s.end > p->source_len || s.end < s.start)
        return "";
    return copy(ix, p->source + s.start, s.end - s.start);
}

/* A string literal as a reader sees it: quotes off, escapes undone, a line
 * break and the spaces around it one space. */
static const char *literal_text(svp_index *ix, Name raw)
{
    if (raw.len < 2)
        return "";
    Buf b;
    buf_init(&b, ix->alloc);
    for (size_t i = 1; i + 1 < raw.len; i++) {
        char c = raw.text[i];
        if (c == '\\' && i + 2 < raw.len) {
            buf_putc(&b, raw.text[++i]);
        } else if (c == '\n' || c == '\r') {
            while (b.len && b.data[b.len - 1] == ' ')
                b.data[--b.len] = '\0';
            while (i + 2 < raw.len && (raw.text[i + 1] == ' ' || raw.text[i + 1] == '\t' ||
                                       raw.text[i + 1] == '\n' || raw.text[i + 1] == '\r'))
                i++;
            buf_putc(&b, ' ');
        } else {
            buf_putc(&b, c);
        }
    }
    const char *s = b.failed ? "" : copy(ix, b.data ? b.data : "", b.len);
    if (b.failed)
        ix->oom = true;
    buf_free(&b);
    return s;
}

/* "date, required from tender", "list of outcome", "boolean, default false". */
static const char *field_detail(svp_index *ix, const Field *f)
{
    char text[512];
    int n = snprintf(text, sizeof text, "%s%.*s", f->is_list ? "list of " : "", (int)f->type_name.len,
                     f->type_name.text);
    if (f->required && f->from.len)
        n += snprintf(text + n, sizeof text - (size_t)n, ", required from %.*s", (int)f->from.len, f->from.text);
    else if (f->required)
        n += snprintf(text + n, sizeof text - (size_t)n, ", required");
    else
        n += snprintf(text + n, sizeof text - (size_t)n, ", optional");
    if (f->dflt && n < (int)sizeof text)
        snprintf(text + n, sizeof text - (size_t)n, ", default %.*s", (int)(f->dflt->span.end - f->dflt->span.start),
                 ix->policy->source + f->dflt->span.start);
    return copy(ix, text, strlen(text));
}

static void index_declarations(svp_index *ix)
{
    Policy *a = &ix->policy->ast;
    for (Param *prm = a->params; prm; prm = prm->next) {
        Span decl = {prm->name.span.start, prm->value ? prm->value->span.end : prm->name.span.end};
        add_symbol(ix, prm, SVP_SYMBOL_PARAMETER, prm->name, decl, prm->value ? source_text(ix, prm->value->span) : "",
                   NO_SYMBOL);
    }
    for (EnumDecl *e = a->enums; e; e = e->next) {
        Span decl = {e->name.span.start, e->count ? e->members[e->count - 1].span.end : e->name.span.end};
        Buf b;
        buf_init(&b, ix->alloc);
        buf_puts(&b, e->ordered ? "in order: " : "");
        for (uint32_t m = 0; m < e->count; m++) {
            buf_puts(&b, m ? ", " : "");
            buf_append(&b, e->members[m].text, e->members[m].len);
        }
        const char *detail = b.failed ? "" : copy(ix, b.data ? b.data : "", b.len);
        buf_free(&b);
        size_t en = add_symbol(ix, e, SVP_SYMBOL_ENUM, e->name, decl, detail, NO_SYMBOL);
        for (uint32_t m = 0; m < e->count; m++)
            add_symbol(ix, &e->members[m], SVP_SYMBOL_VALUE, e->members[m], e->members[m].span, e->name.len ? copy(ix, e->name.text, e->name.len) : "", en);
    }
    for (RecordDecl *r = a->records; r; r = r->next) {
        char detail[64];
        snprintf(detail, sizeof detail, "%u field%s", r->count, r->count == 1 ? "" : "s");
        size_t rs = add_symbol(ix, r, r->is_object ? SVP_SYMBOL_OBJECT : SVP_SYMBOL_RECORD, r->name, r->span,
                               copy(ix, detail, strlen(detail)), NO_SYMBOL);
        for (Field *f = r->fields; f; f = f->next)
            add_symbol(ix, f, SVP_SYMBOL_FIELD, f->path, f->span, field_detail(ix, f), rs);
    }
    for (Decision *d = a->decisions; d; d = d->next)
        add_symbol(ix, d, SVP_SYMBOL_DECISION, d->name, d->span, literal_text(ix, d->title), NO_SYMBOL);
    for (Rule *r = a->rules; r; r = r->next)
        add_symbol(ix, r, r->figure ? SVP_SYMBOL_FIGURE : r->portfolio ? SVP_SYMBOL_PORTFOLIO_RULE : SVP_SYMBOL_RULE,
                   r->id, r->span,
                   literal_text(ix, r->title), NO_SYMBOL);
    for (TableDecl *t = a->tables; t; t = t->next)
        add_symbol(ix, t, SVP_SYMBOL_TABLE, t->name, t->span, literal_text(ix, t->title), NO_SYMBOL);
}

/* The input record: the checker's, or the first that is not an object. */
static const RecordDecl *input_record(const svp_index *ix)
{
    if (ix->policy->record)
        return ix->policy->record;
    for (const RecordDecl *r = ix->policy->ast.records; r; r = r->next)
        if (!r->is_object)
            return r;
    return NULL;
}

static const Field *field_by_path(const svp_index *ix, const char *text, size_t len)
{
    const RecordDecl *r = input_record(ix);
    for (const Field *f = r ? r->fields : NULL; f; f = f->next)
        if (f->path.len == len && !memcmp(f->path.text, text, len))
            return f;
    return NULL;
}

/* A name read as text: a field of the record (`because`, `dated by`). */
static void reference_field_text(svp_index *ix, const Expr *e)
{
    if (e && e->kind == E_NAME) {
        const Field *f = field_by_path(ix, e->text.text, e->text.len);
        if (f)
            add_reference(ix, e->span.start, e->span.end, symbol_of(ix, f), false);
    }
}

static void index_expr(svp_index *ix, const Expr *e)
{
    if (!e)
        return;
    const svp_policy *p = ix->policy;
    if (e->kind == E_NAME) {
        size_t start = e->span.start, end = e->span.end;
        const char *dot = memchr(e->text.text, '.', e->text.len);
        switch ((RefKind)e->ref_kind) {
        case R_FIELD:
            if (e->ref < p->nfields)
                add_reference(ix, start, end, symbol_of(ix, p->fields[e->ref]), false);
            break;
        case R_PARAM:
            if (e->ref < p->nparams)
                add_reference(ix, start, end, symbol_of(ix, p->params[e->ref]), false);
            break;
        case R_DECISION:
            if (e->ref >= p->nfields && e->ref - p->nfields < p->ndecisions)
                add_reference(ix, start, end, symbol_of(ix, p->decisions[e->ref - p->nfields]), false);
            break;
        case R_MEMBER:
            if (e->type.kind == T_ENUM && e->type.ref < p->nenums && e->ref < p->enums[e->type.ref]->count) {
                const EnumDecl *en = p->enums[e->type.ref];
                if (dot) { /* stage.tender: the enumeration, then its value */
                    size_t at = (size_t)(dot - e->text.text);
                    add_reference(ix, start, start + at, symbol_of(ix, en), false);
                    start += at + 1;
                }
                add_reference(ix, start, end, symbol_of(ix, &en->members[e->ref]), false);
            }
            break;
        case R_PROJECT: /* social_value.measures.target: the list field, then its member */
            if (e->ref < p->nfields) {
                const Field *list = p->fields[e->ref];
                size_t at = list->path.len;
                add_reference(ix, start, start + at, symbol_of(ix, list), false);
                if (list->type.ref < p->nobjects && e->ref_member < p->objects[list->type.ref].nmembers)
                    add_reference(ix, start + at + 1, end,
                                  symbol_of(ix, p->objects[list->type.ref].members[e->ref_member]), false);
            }
            break;
        case R_ITEM: /* inside `count of LIST where ...`: a member of the items */
            if (e->ref < p->nobjects && e->ref_member < p->objects[e->ref].nmembers)
                add_reference(ix, start, end, symbol_of(ix, p->objects[e->ref].members[e->ref_member]), false);
            break;
        default: /* a group of fields names no one declaration; unresolved names none */
            break;
        }
        return;
    }
    if (e->kind == E_LOOKUP && e->ref_kind == R_TABLE && e->ref < p->ntables)
        add_reference(ix, e->text.span.start, e->text.span.end, symbol_of(ix, p->tables[e->ref]), false);
    index_expr(ix, e->a);
    index_expr(ix, e->b);
    index_expr(ix, e->c);
    for (const ExprList *l = e->items; l; l = l->next)
        index_expr(ix, l->expr);
}

/* The value `required from NAME` names: of an ordered enumeration. */
static const Name *stage_member(const svp_index *ix, Name n)
{
    for (const EnumDecl *e = ix->policy->ast.enums; e; e = e->next)
        for (uint32_t m = 0; e->ordered && m < e->count; m++)
            if (e->members[m].len == n.len && !memcmp(e->members[m].text, n.text, n.len))
                return &e->members[m];
    return NULL;
}

/* A field's type name: an enumeration or an object declared here, which
 * is also remembered as the field's type. */
static void index_field_type(svp_index *ix, const Field *f)
{
    size_t type = NO_SYMBOL;
    for (const EnumDecl *e = ix->policy->ast.enums; e && type == NO_SYMBOL; e = e->next)
        if (e->name.len == f->type_name.len && !memcmp(e->name.text, f->type_name.text, e->name.len))
            type = symbol_of(ix, e);
    for (const RecordDecl *r = ix->policy->ast.records; r && type == NO_SYMBOL; r = r->next)
        if (r->is_object && r->name.len == f->type_name.len && !memcmp(r->name.text, f->type_name.text, r->name.len))
            type = symbol_of(ix, r);
    add_reference(ix, f->type_name.span.start, f->type_name.span.end, type, false);
    size_t field = symbol_of(ix, f);
    if (field < ix->nsymbols && ix->field_type)
        ix->field_type[field] = type;
}

/* The enumeration or object a field symbol holds, or NULL. */
static const svp_symbol *type_symbol(const svp_index *ix, const svp_symbol *field, svp_symbol_kind kind)
{
    size_t t = ix->field_type ? ix->field_type[field - ix->symbols] : NO_SYMBOL;
    return t < ix->nsymbols && ix->symbols[t].kind == kind ? &ix->symbols[t] : NULL;
}

static void index_uses(svp_index *ix)
{
    Policy *a = &ix->policy->ast;
    for (const ExprList *l = a->dated_by; l; l = l->next)
        reference_field_text(ix, l->expr);
    for (RecordDecl *r = a->records; r; r = r->next)
        for (Field *f = r->fields; f; f = f->next) {
            index_field_type(ix, f);
            const Name *stage = f->from.len ? stage_member(ix, f->from) : NULL;
            if (stage)
                add_reference(ix, f->from.span.start, f->from.span.end, symbol_of(ix, stage), false);
        }
    for (Decision *d = a->decisions; d; d = d->next) {
        index_expr(ix, d->is);
        index_expr(ix, d->by);
        for (Tier *t = d->tiers; t; t = t->next) {
            index_expr(ix, t->bound);
            index_expr(ix, t->value);
        }
    }
    for (Rule *r = a->rules; r; r = r->next) {
        index_expr(ix, r->when);
        index_expr(ix, r->require);
        index_expr(ix, r->share_of);
        index_expr(ix, r->share_where);
        for (const ExprList *l = r->because; l; l = l->next)
            reference_field_text(ix, l->expr);
        for (const MsgPart *m = r->parts; m; m = m->next)
            index_expr(ix, m->expr);
    }
    for (TableDecl *t = a->tables; t; t = t->next) {
        for (const EnumDecl *e = a->enums; e; e = e->next)
            if (e->name.len == t->key_type.len && !memcmp(e->name.text, t->key_type.text, e->name.len))
                add_reference(ix, t->key_type.span.start, t->key_type.span.end, symbol_of(ix, e), false);
        index_expr(ix, t->edition_by);
        for (TableEdition *ed = t->editions; ed; ed = ed->next)
            for (TableRow *row = ed->rows; row; row = row->next) {
                index_expr(ix, row->key);
                index_expr(ix, row->value);
            }
    }
}

static int by_start(const void *a, const void *b)
{
    const svp_reference *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start ? 1 : (int)y->definition - (int)x->definition;
}

svp_index *svp_index_new(const char *name, const char *text, size_t len, const svp_allocator *alloc,
                         svp_diagnostics **diags)
{
    svp_diagnostics *d = diag_new(alloc, name, text, len);
    if (diags)
        *diags = d;
    if (!d)
        return NULL;
    svp_index *ix = svp_mem_alloc(alloc, sizeof *ix);
    if (!ix) {
        if (!diags)
            svp_diagnostics_free(d);
        return NULL;
    }
    memset(ix, 0, sizeof *ix);
    ix->alloc = alloc;
    arena_init(&ix->arena, alloc, 0);
    ix->policy = policy_analyse(text, len, alloc, d, &ix->compiled);
    for (size_t i = 0; i < d->count; i++)
        ix->syntax_errors |= d->items[i].severity == SVP_ERROR && !strcmp(d->items[i].code, "syntax");
    if (ix->policy) {
        index_declarations(ix);
        ix->field_type = svp_mem_alloc(alloc, (ix->nsymbols + 1) * sizeof *ix->field_type);
        if (ix->field_type)
            memset(ix->field_type, 0xff, (ix->nsymbols + 1) * sizeof *ix->field_type); /* NO_SYMBOL */
        else
            ix->oom = true;
        index_uses(ix);
        if (ix->nrefs)
            qsort(ix->refs, ix->nrefs, sizeof *ix->refs, by_start);
    }
    if (!diags)
        svp_diagnostics_free(d);
    if (ix->oom) {
        svp_index_free(ix);
        return NULL;
    }
    return ix;
}

void svp_index_free(svp_index *ix)
{
    if (!ix)
        return;
    const svp_allocator *alloc = ix->alloc;
    svp_policy_free(ix->policy);
    if (ix->field_type)
        svp_mem_free(alloc, ix->field_type, (ix->nsymbols + 1) * sizeof *ix->field_type);
    svp_mem_free(alloc, ix->symbols, ix->cap_symbols * sizeof *ix->symbols);
    svp_mem_free(alloc, ix->refs, ix->cap_refs * sizeof *ix->refs);
    svp_mem_free(alloc, ix->keys, ix->nkeys * sizeof *ix->keys);
    svp_mem_free(alloc, ix->key_symbol, ix->nkeys * sizeof *ix->key_symbol);
    arena_free(&ix->arena);
    svp_mem_free(alloc, ix, sizeof *ix);
}

const svp_policy *svp_index_policy(const svp_index *ix) { return ix->compiled ? ix->policy : NULL; }
bool svp_index_has_syntax_errors(const svp_index *ix) { return ix->syntax_errors; }
size_t svp_index_symbol_count(const svp_index *ix) { return ix->nsymbols; }
const svp_symbol *svp_index_symbol(const svp_index *ix, size_t i) { return i < ix->nsymbols ? &ix->symbols[i] : NULL; }
size_t svp_index_reference_count(const svp_index *ix) { return ix->nrefs; }

const svp_reference *svp_index_reference(const svp_index *ix, size_t i)
{
    return i < ix->nrefs ? &ix->refs[i] : NULL;
}

const svp_reference *svp_index_reference_at(const svp_index *ix, size_t offset)
{
    /* the first reference starting after offset, then step back */
    size_t lo = 0, hi = ix->nrefs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->refs[mid].start <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* references do not overlap: only the last one starting at or before
     * offset can hold it */
    if (lo == 0)
        return NULL;
    const svp_reference *r = &ix->refs[lo - 1];
    return offset <= r->end ? r : NULL;
}

/* ---- Words of the language ------------------------------------------------ */

typedef struct Keyword {
    const char *word;
    const char *meaning;
    bool starts_line; /* begins a declaration or a clause */
} Keyword;

static const Keyword keywords[] = {
    {"policy", "Starts the header: `policy \"Name\"`, then `version`, `effective` and optionally `review`, `source`, `dated by`, `clauses`.", true},
    {"version", "The policy's version, a text: `version \"2020.1\"`.", true},
    {"effective", "The date the policy takes effect: `effective 2020-04-01`. With several versions, a record is judged by the one in force on its date.", true},
    {"review", "The month of the annual review: `review every April`. `svp check` warns when it has come round since the newest version took effect.", true},
    {"every", "`review every MONTH`: the month of the annual review.", false},
    {"source", "The document the policy encodes, a text.", true},
    {"dated", "`dated by FIELD, ...`: the record's own dates, in order of preference, that pick the version in force.", true},
    {"clauses", "The source's clauses, as texts: the analysis warns about a clause no rule cites, and a citation not listed.", true},
    {"parameters", "Starts the block of parameters: the figures the annual review changes, `name = value`, used by name everywhere else.", true},
    {"enum", "Declares an enumeration: `enum stage in order: planning, tender, award, delivery`.", true},
    {"order", "`in order`: the enumeration's values compare by position, so `stage >= award` means \"from award on\".", false},
    {"record", "Declares the input record: each line a field's JSON path, its type and when it is required.", true},
    {"object", "Declares an object type, the items of a `list of OBJECT` field.", true},
    {"required", "The field must be present (`required`), or from a stage on (`required from tender`: at that stage and every later one).", false},
    {"from", "`required from STAGE`: required at that stage and every later one. In tiers, `from X`: at least X.", false},
    {"default", "`default LITERAL`: the value an absent optional field reads as.", false},
    {"label", "`label \"...\"`: the field's name as people read it, on forms and in reports.", true},
    {"help", "`help \"...\"`: a sentence that helps whoever fills the field in.", true},
    {"list", "`list of TYPE`: a list of enumeration values or of objects.", false},
    {"of", "`list of`, `count of`, `sum of`, `all of`, `any of`, `names of`.", false},
    {"decision", "Declares a decision: a named value computed for every record (`is EXPR`, or `by EXPR` with tiers) and reported in every result.", true},
    {"cite", "The clause of the source document this rule or decision comes from.", true},
    {"is", "`is EXPR`: the decision's value. In conditions, `is present`, `is blank`, `is not ...`.", true},
    {"by", "`by EXPR` then tiers (`over X -> ...`, `from X -> ...`, `otherwise -> ...`), from the highest band down.", true},
    {"over", "A tier for values strictly greater than the bound.", true},
    {"otherwise", "The last tier: every value no band above took.", true},
    {"rule", "Declares a rule: an id, a title, `cite`, an optional `when`, then `require ... else SEVERITY \"message\"` or `report SEVERITY \"message\"`.", true},
    {"portfolio", "Declares a portfolio rule, judged over a whole register: `when`, `share AMOUNT where CONDITION`, `require`, `else`.", true},
    {"when", "When the rule applies: it applies only when this is definitely true (no `when`: always).", true},
    {"require", "What must hold when the rule applies; the rule fires when it does not (or cannot be checked for lack of a value).", true},
    {"else", "`else SEVERITY \"message\"`: what the finding says when the requirement is not met.", true},
    {"report", "`report SEVERITY \"message\"`: the rule fires whenever it applies.", true},
    {"because", "The record fields a finding shows; without it, every field the condition read.", true},
    {"figure", "Declares a figure for `svp report`: an id, a title, `cite`, an optional `when`, one of `count`, `sum AMOUNT` or `share AMOUNT where CONDITION`, an optional `by VALUE` (or `by quarter of DATE`, `month`, `year`) and `target`.", true},
    {"share", "A portfolio rule's `share AMOUNT where CONDITION`: the part of AMOUNT over the records where CONDITION holds, as a percentage.", true},
    {"where", "`share AMOUNT where CONDITION`: which records' amounts count as the share.", false},
    {"error", "Severity: the record is non-compliant.", false},
    {"warning", "Severity: reported, but the record stays compliant.", false},
    {"info", "Severity: for information.", false},
    {"and", "True when both sides are (false and absent is false).", false},
    {"or", "True when either side is (true or absent is true).", false},
    {"not", "Negation (not absent is absent).", false},
    {"in", "Membership: `supplier.size in [micro, small]`, `strong_economy in social_value.outcomes`; `x not in [a, b]` is its negation.", false},
    {"true", "The boolean true.", false},
    {"false", "The boolean false.", false},
    {"if", "`if CONDITION then A else B`.", false},
    {"then", "`if CONDITION then A else B`.", false},
    {"present", "`is present`: the field has a value (not absent, not null).", false},
    {"blank", "`is blank`: absent, or text of only spaces.", false},
    {"count", "`count of LIST`: how many items (0 for an absent list); a figure's `count`: how many records it selects.", false},
    {"sum", "`sum of LIST`: the items added up; a figure's `sum AMOUNT`: the amounts of the records it selects, added up.", false},
    {"all", "`all of GROUP are true`: every boolean field under the path is true.", false},
    {"any", "`any of GROUP are true`: some boolean field under the path is true.", false},
    {"names", "`names of GROUP that are false`: the names of the fields under the path with that value.", false},
    {"that", "`names of GROUP that are ...`.", false},
    {"are", "`all of GROUP are true`, `names of GROUP that are false`.", false},
    /* issue 11 (rules) */
    {"working", "`working decision NAME is ...`: a working value, computed for other decisions and rules and shown in no result (svp test may still assert on it).", true},
    {"allow", "`allow CODE because \"why\"`: this rule or decision means the analysis warning CODE (say `tier-not-monotonic`), so `svp check` stays quiet about it here.", true},
    {"table", "Declares a table of lookup data: `table NAME \"Title\"`, `cite`, `keyed by text` (or an enumeration), optionally `edition by FIELD`, then its rows `KEY -> VALUE, ...` after `:` or under each `edition LABEL:`. Read one value with `NAME[KEY]`: absent when the key has no row.", true},
    {"keyed", "`keyed by text` or `keyed by ENUM`: what a table's keys are.", true},
    {"edition", "`edition by FIELD`: which edition of a table a record reads (a date picks the latest edition dated on or before it); `edition LABEL:` starts an edition's rows.", true},
    /* Units (README, "Units: division, dates apart, min and max"). */
    {"rounded", "`A / B rounded down`, `rounded up` or `rounded to nearest` (halves away from zero): every division says how it rounds, to the penny, a hundredth of a per cent or a ten-thousandth.", false},
    {"to", "`rounded to nearest`; `days from A to B`, `months from A to B`.", false},
    {"days", "`days from A to B`: the days from date A to date B, a number (negative when B is before A).", false},
    {"months", "`months from A to B`: the whole calendar months from date A to date B; one month after 31 January is 28 February.", false},
    {"min", "`min(A, B, ...)`: the least of two or more amounts or dates of one type (absent if any is absent).", false},
    {"max", "`max(A, B, ...)`: the greatest of two or more amounts or dates of one type (absent if any is absent).", false},
};

static const Keyword *keyword(const char *text, size_t len)
{
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
        if (strlen(keywords[i].word) == len && !memcmp(keywords[i].word, text, len))
            return &keywords[i];
    return NULL;
}

static const char *const type_names[] = {"money", "percent", "number", "date", "text", "boolean"};

static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* True when offset is inside a comment or a string literal: the text is
 * scanned from the start, as the scanner would. */
static bool in_comment_or_text(const svp_policy *p, size_t offset)
{
    bool text = false, comment = false;
    for (size_t i = 0; i < offset && i < p->source_len; i++) {
        char c = p->source[i];
        if (comment)
            comment = c != '\n';
        else if (text && c == '\\')
            i++;
        else if (c == '"')
            text = !text;
        else if (!text && c == '#')
            comment = true;
    }
    return text || comment;
}

/* ---- Hover ----------------------------------------------------------------- */

/* The comment that explains a parameter: the one trailing its line (a
 * block of comments above a parameter may speak for several). */
static void param_comment(const svp_policy *p, const svp_symbol *s, Buf *b)
{
    size_t line_end = s->decl_end;
    while (line_end < p->source_len && p->source[line_end] != '\n')
        line_end++;
    for (const Comment *c = p->ast.comments; c && c->span.start < line_end; c = c->next)
        if (c->span.start >= s->decl_end) {
            const char *t = p->source + c->span.start + 1;
            size_t n = c->span.end - c->span.start - 1;
            while (n && *t == ' ')
                t++, n--;
            buf_append(b, t, n);
            return;
        }
}

/* What the officer's form shows for a field (its `label` and `help`), so
 * that an author sees it where the field is used.  The checker's decoded
 * texts when the policy compiled, else the literals as written. */
static void field_texts(const svp_policy *p, const svp_symbol *s, Buf *b)
{
    for (const RecordDecl *r = p->ast.records; r; r = r->next)
        for (const Field *f = r->fields; f; f = f->next) {
            if (f->path.span.start != s->start)
                continue;
            if (f->label_str)
                buf_printf(b, "\n\nlabel: %s", f->label_str);
            else if (f->label.len >= 2)
                buf_printf(b, "\n\nlabel: %.*s", (int)(f->label.len - 2), f->label.text + 1);
            if (f->help_str)
                buf_printf(b, "\n\nhelp: %s", f->help_str);
            else if (f->help.len >= 2)
                buf_printf(b, "\n\nhelp: %.*s", (int)(f->help.len - 2), f->help.text + 1);
            return;
        }
}

/* A table's hover: its title, what it is keyed by, and its editions. */
static void table_hover(const svp_policy *p, const svp_symbol *s, Buf *b)
{
    buf_printf(b, "**table** `%s`", s->name);
    if (*s->detail)
        buf_printf(b, ": %s", s->detail);
    for (const TableDecl *t = p->ast.tables; t; t = t->next) {
        if (t->name.span.start != s->start)
            continue;
        size_t rows = 0;
        for (const TableEdition *ed = t->editions; ed; ed = ed->next)
            rows += ed->nrows;
        buf_printf(b, "\n\nkeyed by %.*s, %zu row%s", (int)t->key_type.len, t->key_type.text, rows,
                   rows == 1 ? "" : "s");
        if (t->edition_by) {
            buf_printf(b, "; edition by %.*s:", (int)(t->edition_by->span.end - t->edition_by->span.start),
                       p->source + t->edition_by->span.start);
            for (const TableEdition *ed = t->editions; ed; ed = ed->next)
                if (ed->label)
                    buf_printf(b, "%s %.*s", ed == t->editions ? "" : ",", (int)ed->label->text.len,
                               ed->label->text.text);
        }
        if (t->cite.len >= 2)
            buf_printf(b, "\n\ncite: %.*s", (int)(t->cite.len - 2), t->cite.text + 1);
    }
}

static void describe(const svp_index *ix, const svp_symbol *s, Buf *b)
{
    const svp_policy *p = ix->policy;
    const svp_symbol *parent = s->parent < ix->nsymbols ? &ix->symbols[s->parent] : NULL;
    switch (s->kind) {
    case SVP_SYMBOL_PARAMETER:
        buf_printf(b, "**parameter** `%s` = `%s`", s->name, s->detail);
        size_t before = b->len;
        buf_puts(b, "\n\n");
        size_t mark = b->len;
        param_comment(p, s, b);
        if (b->len == mark) {
            b->len = before;
            if (b->data)
                b->data[before] = '\0';
        }
        break;
    case SVP_SYMBOL_ENUM:
        buf_printf(b, "**enumeration** `%s`%s%s", s->name, !strncmp(s->detail, "in order", 8) ? ", " : ": ",
                   s->detail);
        break;
    case SVP_SYMBOL_VALUE:
        buf_printf(b, "**value** `%s` of the enumeration `%s`", s->name, parent ? parent->name : "?");
        if (parent)
            buf_printf(b, "%s%s", !strncmp(parent->detail, "in order", 8) ? ", " : ": ", parent->detail);
        break;
    case SVP_SYMBOL_RECORD:
        buf_printf(b, "**record** `%s`: the input record, %s", s->name, s->detail);
        break;
    case SVP_SYMBOL_OBJECT:
        buf_printf(b, "**object** `%s`: the items of a `list of %s` field, %s", s->name, s->name, s->detail);
        break;
    case SVP_SYMBOL_FIELD:
        if (parent && parent->kind == SVP_SYMBOL_OBJECT)
            buf_printf(b, "**field** `%s` of the object `%s`: %s", s->name, parent->name, s->detail);
        else
            buf_printf(b, "**field** `%s`: %s", s->name, s->detail);
        const svp_symbol *e = type_symbol(ix, s, SVP_SYMBOL_ENUM); /* its values, to save a jump */
        if (e)
            buf_printf(b, "\n\n`%s`: %s", e->name, e->detail);
        field_texts(p, s, b);
        break;
    case SVP_SYMBOL_TABLE:
        table_hover(p, s, b);
        break;
    case SVP_SYMBOL_DECISION:
    case SVP_SYMBOL_RULE:
    case SVP_SYMBOL_PORTFOLIO_RULE:
    case SVP_SYMBOL_FIGURE: {
        const char *what = s->kind == SVP_SYMBOL_DECISION ? "decision"
                           : s->kind == SVP_SYMBOL_RULE   ? "rule"
                           : s->kind == SVP_SYMBOL_FIGURE ? "figure"
                                                          : "portfolio rule";
        buf_printf(b, "**%s** `%s`", what, s->name);
        if (*s->detail)
            buf_printf(b, ": %s", s->detail);
        Name cite = {0};
        for (const Decision *d = p->ast.decisions; d && !cite.len; d = d->next)
            if (s->kind == SVP_SYMBOL_DECISION && d->name.span.start == s->start)
                cite = d->cite;
        for (const Rule *r = p->ast.rules; r && !cite.len; r = r->next)
            if (s->kind != SVP_SYMBOL_DECISION && r->id.span.start == s->start)
                cite = r->cite;
        if (cite.len >= 2)
            buf_printf(b, "\n\ncite: %.*s", (int)(cite.len - 2), cite.text + 1);
        else if (s->kind != SVP_SYMBOL_DECISION)
            buf_puts(b, "\n\ncites no clause");
        break;
    }
    }
}

char *svp_index_hover(const svp_index *ix, size_t offset, size_t *start, size_t *end)
{
    if (!ix->policy)
        return NULL;
    Buf b;
    buf_init(&b, NULL); /* handed to the caller: the C library's */
    const svp_reference *r = svp_index_reference_at(ix, offset);
    if (r) {
        describe(ix, &ix->symbols[r->symbol], &b);
        *start = r->start;
        *end = r->end;
        return buf_take(&b, NULL);
    }
    const char *src = ix->policy->source;
    size_t s = offset, e = offset;
    while (s > 0 && word_char(src[s - 1]))
        s--;
    while (e < ix->policy->source_len && word_char(src[e]))
        e++;
    bool part_of_name = (s > 0 && (src[s - 1] == '.' || src[s - 1] == '-')) ||
                        (e < ix->policy->source_len && (src[e] == '.' || src[e] == '-'));
    const Keyword *k = e > s && !part_of_name ? keyword(src + s, e - s) : NULL;
    const char *type = NULL;
    for (size_t i = 0; !k && e > s && !part_of_name && i < sizeof type_names / sizeof *type_names; i++)
        if (strlen(type_names[i]) == e - s && !memcmp(type_names[i], src + s, e - s))
            type = type_names[i];
    if ((!k && !type) || in_comment_or_text(ix->policy, s))
        return NULL;
    if (k)
        buf_printf(&b, "**%s** (keyword): %s", k->word, k->meaning);
    else
        buf_printf(&b, "**%s** (type)", type);
    *start = s;
    *end = e;
    return buf_take(&b, NULL);
}

/* ---- Rename ---------------------------------------------------------------- */

const char *svp_index_rename_refusal(const svp_index *ix, size_t symbol, const char *new_name, char *why, size_t size)
{
    const svp_symbol *s = svp_index_symbol(ix, symbol);
    size_t n = strlen(new_name);
    if (!s || (s->kind != SVP_SYMBOL_PARAMETER && s->kind != SVP_SYMBOL_DECISION)) {
        snprintf(why, size, "only parameters and decisions can be renamed");
        return why;
    }
    if (ix->syntax_errors) {
        snprintf(why, size, "the policy has syntax errors: fix them first, so that no use of `%s` is missed", s->name);
        return why;
    }
    bool name = n > 0 && ((new_name[0] >= 'a' && new_name[0] <= 'z') || (new_name[0] >= 'A' && new_name[0] <= 'Z'));
    for (size_t i = 0; i < n; i++)
        name &= word_char(new_name[i]);
    if (!name) {
        snprintf(why, size, "`%s` is not a name: use letters, digits and `_`, starting with a letter", new_name);
        return why;
    }
    if (keyword(new_name, n)) {
        snprintf(why, size, "`%s` is a keyword of the language", new_name);
        return why;
    }
    for (size_t i = 0; i < sizeof type_names / sizeof *type_names; i++)
        if (!strcmp(type_names[i], new_name)) {
            snprintf(why, size, "`%s` is a built-in type", new_name);
            return why;
        }
    static const char *const kinds[] = {"a parameter", "an enumeration", "an enumeration value", "a record",
                                        "an object", "a field", "a decision", "a rule", "a portfolio rule", "a figure",
                                        "a table"};
    for (size_t i = 0; i < ix->nsymbols; i++) {
        const svp_symbol *t = &ix->symbols[i];
        size_t tn = strlen(t->name);
        bool top_field = t->kind == SVP_SYMBOL_FIELD && tn > n && t->name[n] == '.' && !strncmp(t->name, new_name, n);
        if (i == symbol || (strcmp(t->name, new_name) && !top_field))
            continue;
        if (t->kind == SVP_SYMBOL_RULE || t->kind == SVP_SYMBOL_PORTFOLIO_RULE || t->kind == SVP_SYMBOL_FIGURE)
            continue; /* rule and figure ids live apart: no expression names them */
        if (t->kind == SVP_SYMBOL_FIELD && t->parent < ix->nsymbols && ix->symbols[t->parent].kind == SVP_SYMBOL_OBJECT)
            continue; /* an object's member is read only through its list */
        size_t line = 1;
        for (size_t k = 0; k < t->start && k < ix->policy->source_len; k++)
            line += ix->policy->source[k] == '\n';
        if (top_field)
            snprintf(why, size, "`%s` is already the start of the field `%s` (line %zu)", new_name, t->name, line);
        else
            snprintf(why, size, "`%s` is already %s (line %zu)", new_name, kinds[t->kind], line);
        return why;
    }
    return NULL;
}

/* ---- Completion ------------------------------------------------------------- */

struct svp_completions {
    const svp_allocator *alloc;
    Arena arena;
    svp_completion *items;
    size_t count, cap;
    size_t start;
    const char *typed;   /* what is typed so far, for filtering */
    size_t ntyped;
    bool oom;
};

static void offer(svp_completions *c, svp_completion_kind kind, const char *label, size_t label_len,
                  const char *detail, const char *insert)
{
    if (label_len < c->ntyped || memcmp(label, c->typed, c->ntyped))
        return;
    for (size_t i = 0; i < c->count; i++) /* one offer per label */
        if (strlen(c->items[i].label) == label_len && !memcmp(c->items[i].label, label, label_len))
            return;
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        svp_completion *items = svp_mem_realloc(c->alloc, c->items, c->cap * sizeof *items, cap * sizeof *items);
        if (!items) {
            c->oom = true;
            return;
        }
        c->items = items;
        c->cap = cap;
    }
    char *l = arena_strndup(&c->arena, label, label_len);
    if (!l) {
        c->oom = true;
        return;
    }
    c->items[c->count++] = (svp_completion){kind, l, detail ? detail : "", insert ? insert : l};
}

static const char rule_snippet[] =
    "rule ${1:rule-id} \"${2:What the rule requires}\"\n"
    "  cite    \"${3:Section, paragraph}\"\n"
    "  when    ${4:condition}\n"
    "  require ${5:requirement}\n"
    "  else    ${6|error,warning,info|} \"${7:message}\"";

static const char decision_snippet[] =
    "decision ${1:name} \"${2:What it decides}\"\n"
    "  cite \"${3:Section, paragraph}\"\n"
    "  is   ${4:expression}";

/* The name just before position i on its line (skipping spaces), or none. */
static Name name_before(const char *src, size_t line_start, size_t i)
{
    while (i > line_start && (src[i - 1] == ' ' || src[i - 1] == '\t'))
        i--;
    size_t e = i;
    while (i > line_start && (word_char(src[i - 1]) || src[i - 1] == '.'))
        i--;
    return (Name){src + i, (uint32_t)(e - i), {(uint32_t)i, (uint32_t)e}};
}

/* The enumeration compared with at `at` (the start of the word being
 * typed): `FIELD op ` or `FIELD in [a, `; NULL when it is not that. */
static const svp_symbol *compared_enum(const svp_index *ix, size_t line_start, size_t at)
{
    const char *src = ix->policy->source;
    size_t i = at;
    while (i > line_start && (src[i - 1] == ' ' || src[i - 1] == '\t'))
        i--;
    if (i > line_start && (src[i - 1] == '[' || src[i - 1] == ',')) {
        while (i > line_start && src[i - 1] != '[')
            i--;
        if (i == line_start)
            return NULL;
        i--;
        Name in = name_before(src, line_start, i);
        if (in.len != 2 || memcmp(in.text, "in", 2))
            return NULL;
        i = in.span.start;
    } else {
        size_t ops = 0;
        while (i > line_start && strchr("=!<>", src[i - 1]) && ops < 2)
            i--, ops++;
        if (!ops)
            return NULL;
    }
    Name field = name_before(src, line_start, i);
    const Field *f = field.len ? field_by_path(ix, field.text, field.len) : NULL;
    size_t fs = f ? symbol_of(ix, f) : NO_SYMBOL;
    return fs < ix->nsymbols ? type_symbol(ix, &ix->symbols[fs], SVP_SYMBOL_ENUM) : NULL;
}

static void offer_values(svp_completions *c, const svp_index *ix, const svp_symbol *en)
{
    size_t e = (size_t)(en - ix->symbols);
    for (size_t k = 0; k < ix->nsymbols; k++)
        if (ix->symbols[k].parent == e && ix->symbols[k].kind == SVP_SYMBOL_VALUE)
            offer(c, SVP_COMPLETE_VALUE, ix->symbols[k].name, strlen(ix->symbols[k].name), en->name, NULL);
}

/* After "a.b.": the next part of every record field under the prefix, the
 * members of a list of objects, or the values of an enumeration. */
static void offer_after_prefix(svp_completions *c, const svp_index *ix, const char *prefix, size_t n)
{
    for (size_t k = 0; k < ix->nsymbols; k++) {
        const svp_symbol *s = &ix->symbols[k];
        const svp_symbol *parent = s->parent < ix->nsymbols ? &ix->symbols[s->parent] : NULL;
        if (s->kind == SVP_SYMBOL_ENUM && strlen(s->name) == n && !memcmp(s->name, prefix, n))
            offer_values(c, ix, s);
        if (s->kind != SVP_SYMBOL_FIELD || !parent || parent->kind != SVP_SYMBOL_RECORD)
            continue;
        size_t len = strlen(s->name);
        if (len > n + 1 && s->name[n] == '.' && !memcmp(s->name, prefix, n)) {
            const char *rest = s->name + n + 1;
            const char *dot = strchr(rest, '.');
            offer(c, SVP_COMPLETE_FIELD, rest, dot ? (size_t)(dot - rest) : strlen(rest),
                  dot ? "group of fields" : s->detail, NULL);
        }
        const svp_symbol *object = len == n && !memcmp(s->name, prefix, n) ? type_symbol(ix, s, SVP_SYMBOL_OBJECT) : NULL;
        for (size_t m = 0; object && m < ix->nsymbols; m++) /* a list of objects: their members */
            if (ix->symbols[m].parent == (size_t)(object - ix->symbols))
                offer(c, SVP_COMPLETE_FIELD, ix->symbols[m].name, strlen(ix->symbols[m].name), ix->symbols[m].detail,
                      NULL);
    }
}

/* A table is offered as `NAME[`, ready for its key. */
static void offer_table(svp_completions *c, const svp_symbol *s)
{
    size_t n = strlen(s->name);
    char *insert = arena_alloc(&c->arena, n + 2);
    if (!insert) {
        c->oom = true;
        return;
    }
    memcpy(insert, s->name, n);
    memcpy(insert + n, "[", 2);
    offer(c, SVP_COMPLETE_TABLE, s->name, n, *s->detail ? s->detail : "table", insert);
}

/* Names an expression at `at` may use: fields, parameters, decisions
 * declared above the decision being written, values, keywords. */
static void offer_names(svp_completions *c, const svp_index *ix, size_t at)
{
    size_t decision_here = NO_SYMBOL;
    for (size_t k = 0; k < ix->nsymbols; k++)
        if (ix->symbols[k].kind == SVP_SYMBOL_DECISION && ix->symbols[k].decl_start <= at &&
            at <= ix->symbols[k].decl_end)
            decision_here = k;
    for (size_t k = 0; k < ix->nsymbols; k++) {
        const svp_symbol *s = &ix->symbols[k];
        const svp_symbol *parent = s->parent < ix->nsymbols ? &ix->symbols[s->parent] : NULL;
        if (s->kind == SVP_SYMBOL_FIELD && parent && parent->kind == SVP_SYMBOL_RECORD)
            offer(c, SVP_COMPLETE_FIELD, s->name, strlen(s->name), s->detail, NULL);
        else if (s->kind == SVP_SYMBOL_PARAMETER)
            offer(c, SVP_COMPLETE_PARAMETER, s->name, strlen(s->name), s->detail, NULL);
        else if (s->kind == SVP_SYMBOL_DECISION && (decision_here == NO_SYMBOL || k < decision_here))
            offer(c, SVP_COMPLETE_DECISION, s->name, strlen(s->name), s->detail, NULL);
        else if (s->kind == SVP_SYMBOL_VALUE)
            offer(c, SVP_COMPLETE_VALUE, s->name, strlen(s->name), parent ? parent->name : "", NULL);
        else if (s->kind == SVP_SYMBOL_TABLE)
            offer_table(c, s);
    }
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
        if (!keywords[i].starts_line)
            offer(c, SVP_COMPLETE_KEYWORD, keywords[i].word, strlen(keywords[i].word), "keyword", NULL);
}

svp_completions *svp_index_complete(const svp_index *ix, size_t offset)
{
    svp_completions *c = svp_mem_alloc(ix->alloc, sizeof *c);
    if (!c)
        return NULL;
    memset(c, 0, sizeof *c);
    c->alloc = ix->alloc;
    arena_init(&c->arena, ix->alloc, 0);
    c->start = offset;
    if (!ix->policy)
        return c;
    const char *src = ix->policy->source;
    if (offset > ix->policy->source_len)
        offset = c->start = ix->policy->source_len;
    if (in_comment_or_text(ix->policy, offset))
        return c;
    size_t word = offset; /* the word being typed, a path included */
    while (word > 0 && (word_char(src[word - 1]) || src[word - 1] == '.'))
        word--;
    size_t line_start = word;
    while (line_start > 0 && src[line_start - 1] != '\n')
        line_start--;
    const char *last_dot = NULL;
    for (size_t i = word; i < offset; i++)
        if (src[i] == '.')
            last_dot = src + i;
    c->start = last_dot ? (size_t)(last_dot - src) + 1 : word;
    c->typed = src + c->start;
    c->ntyped = offset - c->start;
    bool at_line_start = true;
    for (size_t i = line_start; i < word; i++)
        at_line_start &= src[i] == ' ' || src[i] == '\t';
    const svp_symbol *en = NULL;
    if (last_dot) {
        offer_after_prefix(c, ix, src + word, (size_t)(last_dot - (src + word)));
    } else if (at_line_start) {
        for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
            if (keywords[i].starts_line)
                offer(c, SVP_COMPLETE_KEYWORD, keywords[i].word, strlen(keywords[i].word), "keyword", NULL);
        if (word == line_start) { /* a declaration starts in the first column */
            offer(c, SVP_COMPLETE_SNIPPET, "rule (new rule)", 15, "a new rule", rule_snippet);
            offer(c, SVP_COMPLETE_SNIPPET, "decision (new decision)", 23, "a new decision", decision_snippet);
        }
    } else if ((en = compared_enum(ix, line_start, word)) != NULL) {
        offer_values(c, ix, en);
    } else {
        offer_names(c, ix, word);
    }
    if (c->oom) {
        svp_completions_free(c);
        return NULL;
    }
    return c;
}

size_t svp_completions_count(const svp_completions *c) { return c->count; }
const svp_completion *svp_completions_get(const svp_completions *c, size_t i) { return i < c->count ? &c->items[i] : NULL; }
size_t svp_completions_start(const svp_completions *c) { return c->start; }

void svp_completions_free(svp_completions *c)
{
    if (!c)
        return;
    svp_mem_free(c->alloc, c->items, c->cap * sizeof *c->items);
    arena_free(&c->arena);
    svp_mem_free(c->alloc, c, sizeof *c);
}
