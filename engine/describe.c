/*
 * describe.c - the policy's record declaration as data, for a program that
 * builds a form from it (svp serve's page does).
 *
 * A form must not know any field by name: everything it shows comes from
 * here.  The description is one JSON object written with the library's
 * own text buffer, read straight off the compiled policy: each field's
 * path, type (with an enumeration's values, an object's members), whether
 * it is required and from which stage, its default as the policy writes
 * it, and its label and help text.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "program.h"

/* The JSON name of a field's scalar type (the item type for a list). */
static const char *kind_word(uint8_t kind)
{
    switch ((TypeKind)kind) {
    case T_BOOL: return "boolean";
    case T_MONEY: return "money";
    case T_PERCENT: return "percent";
    case T_NUMBER: return "number";
    case T_DATE: return "date";
    case T_TEXT: return "text";
    case T_ENUM: return "enum";
    case T_OBJECT: return "object";
    default: return "unknown";
    }
}

/* "values": the members of enumeration e, in declaration order. */
static void enum_values(Buf *b, const EnumDecl *e)
{
    buf_puts(b, ",\"enum\":");
    buf_json_string(b, e->name.text, e->name.len);
    buf_printf(b, ",\"ordered\":%s,\"values\":[", e->ordered ? "true" : "false");
    for (uint32_t m = 0; m < e->count; m++) {
        if (m)
            buf_putc(b, ',');
        buf_json_string(b, e->members[m].text, e->members[m].len);
    }
    buf_putc(b, ']');
}

static void describe_fields(Buf *b, const svp_policy *p, Field *const *fields, uint32_t n);

/* One field as a JSON object. */
static void describe_field(Buf *b, const svp_policy *p, const Field *f)
{
    bool list = f->type.kind == T_LIST;
    uint8_t kind = list ? f->type.elem : f->type.kind;
    buf_puts(b, "{\"path\":");
    buf_json_text_or_null(b, f->path_str);
    buf_printf(b, ",\"type\":\"%s\",\"list\":%s", kind_word(kind), list ? "true" : "false");
    if (kind == T_ENUM && f->type.ref < p->nenums)
        enum_values(b, p->enums[f->type.ref]);
    if (kind == T_OBJECT && f->type.ref < p->nobjects) {
        const ObjectType *o = &p->objects[f->type.ref];
        buf_puts(b, ",\"object\":");
        buf_json_string(b, o->decl->name.text, o->decl->name.len);
        buf_puts(b, ",\"members\":");
        describe_fields(b, p, o->members, o->nmembers);
    }
    buf_printf(b, ",\"required\":%s,\"required_from\":", f->required && !f->from.len ? "true" : "false");
    if (f->from.len)
        buf_json_string(b, f->from.text, f->from.len);
    else
        buf_puts(b, "null");
    /* `required when CONDITION`: the condition as the policy writes it
     * (only for such a field); the evaluation's "missing" says whether it
     * holds for this record */
    if (f->required_when) {
        buf_puts(b, ",\"required_when\":");
        buf_json_string(b, p->source + f->required_when->span.start,
                        f->required_when->span.end - f->required_when->span.start);
    }
    buf_puts(b, ",\"default\":");
    if (f->dflt)
        buf_json_string(b, p->source + f->dflt->span.start, f->dflt->span.end - f->dflt->span.start);
    else
        buf_puts(b, "null");
    buf_puts(b, ",\"label\":");
    buf_json_text_or_null(b, f->label_str);
    buf_puts(b, ",\"help\":");
    buf_json_text_or_null(b, f->help_str);
    buf_putc(b, '}');
}

static void describe_fields(Buf *b, const svp_policy *p, Field *const *fields, uint32_t n)
{
    buf_putc(b, '[');
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            buf_putc(b, ',');
        describe_field(b, p, fields[i]);
    }
    buf_putc(b, ']');
}

char *svp_policy_describe_record(const svp_policy *p, size_t *len)
{
    Buf b;
    buf_init(&b, NULL);
    buf_puts(&b, "{\"policy\":{\"name\":");
    buf_json_text_or_null(&b, p->name);
    buf_puts(&b, ",\"version\":");
    buf_json_text_or_null(&b, p->version);
    buf_puts(&b, ",\"effective\":");
    buf_json_text_or_null(&b, p->effective_text);
    buf_puts(&b, "},\"record\":");
    buf_json_string(&b, p->record->name.text, p->record->name.len);
    buf_puts(&b, ",\"stage_field\":");
    buf_json_text_or_null(&b, p->stage_slot >= 0 ? p->fields[p->stage_slot]->path_str : NULL);
    buf_puts(&b, ",\"id_field\":");
    buf_json_text_or_null(&b, p->id_slot != UINT32_MAX ? p->fields[p->id_slot]->path_str : NULL);
    buf_puts(&b, ",\"fields\":");
    describe_fields(&b, p, p->fields, p->nfields);
    /* What a result names, with what a person reads for it. */
    buf_puts(&b, ",\"decisions\":[");
    for (uint32_t i = 0, shown = 0; i < p->ndecisions; i++) {
        const Decision *d = p->decisions[i];
        if (d->working)
            continue; /* in no result, so not on the form either */
        buf_puts(&b, shown++ ? ",{\"name\":" : "{\"name\":");
        buf_json_string(&b, d->name.text, d->name.len);
        buf_puts(&b, ",\"title\":");
        buf_json_text_or_null(&b, d->title_str && *d->title_str ? d->title_str : NULL);
        buf_putc(&b, '}');
    }
    buf_puts(&b, "],\"rules\":[");
    for (uint32_t i = 0; i < p->nrules; i++) {
        buf_puts(&b, i ? ",{\"id\":" : "{\"id\":");
        buf_json_text_or_null(&b, p->rules[i]->id_str);
        buf_puts(&b, ",\"cite\":");
        buf_json_text_or_null(&b, p->rules[i]->cite_str);
        buf_putc(&b, '}');
    }
    buf_puts(&b, "]}\n");
    return buf_take(&b, len);
}
