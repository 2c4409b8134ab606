/*
 * result.c - a result as JSON (results.md) and as text for a person.
 *
 * The JSON is written by hand into the evaluator's buffer rather than
 * built as a cJSON tree: one record's line is a few hundred bytes, and a
 * batch of a million records should spend its time on the rules, not on
 * allocating and freeing output nodes.
 */
#include <string.h>

#include "eval.h"
#include "value.h"

typedef enum MoneyForm {
    MONEY_PLAIN,    /* "420000.00": decisions' JSON values */
    MONEY_PENCE     /* "£420,000.00": messages, because, text */
} MoneyForm;

static void format_int(Buf *b, const svp_policy *p, Val v, MoneyForm form)
{
    char text[SVP_VALUE_TEXT_MAX];
    size_t n;
    switch ((TypeKind)v.type) {
    case T_MONEY:
        n = form == MONEY_PLAIN ? value_format_money_plain(v.u.i, text) : value_format_money(v.u.i, text);
        break;
    case T_PERCENT: n = value_format_percent(v.u.i, text); break;
    case T_DATE: n = value_format_date((int32_t)v.u.i, text); break;
    case T_ENUM: {
        Name m = p->enums[v.ref]->members[v.u.i];
        buf_append(b, m.text, m.len);
        return;
    }
    default: n = value_format_number(v.u.i, text); break;
    }
    buf_append(b, text, n);
}

void format_val(Buf *b, const svp_policy *p, Val v)
{
    switch ((ValKind)v.kind) {
    case VK_ABSENT: buf_puts(b, "(none)"); break;
    case VK_BOOL: buf_puts(b, v.u.b ? "true" : "false"); break;
    case VK_INT: format_int(b, p, v, MONEY_PENCE); break;
    case VK_TEXT: buf_append(b, v.u.s, v.n); break;
    case VK_LIST:
        if (!v.n)
            buf_puts(b, "(none)");
        for (uint32_t i = 0; i < v.n; i++) {
            if (i)
                buf_puts(b, ", ");
            format_val(b, p, v.u.items[i]);
        }
        break;
    case VK_OBJECT: buf_puts(b, "(item)"); break;
    }
}

void format_val_json(Buf *b, const svp_policy *p, Val v, bool human)
{
    switch ((ValKind)v.kind) {
    case VK_ABSENT: buf_puts(b, "null"); return;
    case VK_BOOL: buf_puts(b, v.u.b ? "true" : "false"); return;
    case VK_TEXT: buf_json_string(b, v.u.s, v.n); return;
    case VK_INT: /* enum members are identifiers: nothing to escape */
        buf_putc(b, '"');
        format_int(b, p, v, human ? MONEY_PENCE : MONEY_PLAIN);
        buf_putc(b, '"');
        return;
    case VK_LIST:
        buf_putc(b, '[');
        for (uint32_t i = 0; i < v.n; i++) {
            if (i)
                buf_putc(b, ',');
            format_val_json(b, p, v.u.items[i], human);
        }
        buf_putc(b, ']');
        return;
    case VK_OBJECT: {
        const ObjectType *o = &p->objects[v.ref];
        buf_putc(b, '{');
        for (uint32_t i = 0; i < v.n; i++) {
            if (i)
                buf_putc(b, ',');
            buf_json_string(b, o->members[i]->path_str, strlen(o->members[i]->path_str));
            buf_putc(b, ':');
            format_val_json(b, p, v.u.items[i], human);
        }
        buf_putc(b, '}');
        return;
    }
    }
}

static void json_key(Buf *b, const char *key)
{
    buf_json_string(b, key, strlen(key));
    buf_putc(b, ':');
}

static void json_text_or_null(Buf *b, const char *s)
{
    if (s)
        buf_json_string(b, s, strlen(s));
    else
        buf_puts(b, "null");
}

static void frag(Buf *b, Frag f) { buf_append(b, f.text, f.len); }

/* {"path": value, ...} for the given field slots. */
static void json_fields(Buf *b, const svp_policy *p, const Val *slots, const uint32_t *which, uint32_t n)
{
    buf_putc(b, '{');
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            buf_putc(b, ',');
        frag(b, p->fields[which[i]]->json_key);
        format_val_json(b, p, slots[which[i]], true);
    }
    buf_putc(b, '}');
}

/* Keep a copy of b's text in the policy's arena as f; false when out of
 * memory.  b is cleared for the next piece. */
static bool keep(svp_policy *p, Buf *b, Frag *f)
{
    f->text = b->failed ? NULL : arena_strndup(&p->arena, b->data ? b->data : "", b->len);
    f->len = (uint32_t)b->len;
    buf_clear(b);
    return f->text != NULL;
}

bool result_prepare(svp_policy *p)
{
    Buf b;
    buf_init(&b, p->alloc);
    bool ok = true;
    for (uint32_t i = 0; i < p->nfields; i++) {
        json_key(&b, p->fields[i]->path_str);
        ok &= keep(p, &b, &p->fields[i]->json_key);
    }
    for (uint32_t i = 0; i < p->ndecisions; i++) {
        json_key(&b, p->decisions[i]->name_str);
        ok &= keep(p, &b, &p->decisions[i]->json_key);
    }
    static const char *const words[] = {[SEV_INFO] = "info", [SEV_WARNING] = "warning", [SEV_ERROR] = "error"};
    for (uint32_t i = 0; i < p->nrules + p->nportfolio; i++) {
        Rule *r = i < p->nrules ? p->rules[i] : p->portfolio[i - p->nrules];
        buf_puts(&b, "{\"rule\":");
        json_text_or_null(&b, r->id_str);
        buf_puts(&b, ",\"severity\":");
        json_text_or_null(&b, words[r->severity]);
        buf_puts(&b, ",\"message\":");
        ok &= keep(p, &b, &r->json_head);
        buf_puts(&b, ",\"cite\":");
        json_text_or_null(&b, r->cite_str);
        buf_puts(&b, ",\"because\":");
        ok &= keep(p, &b, &r->json_tail);
    }
    buf_puts(&b, ",\"policy\":{\"name\":");
    json_text_or_null(&b, p->name);
    buf_puts(&b, ",\"version\":");
    json_text_or_null(&b, p->version);
    buf_puts(&b, "},\"compliant\":");
    ok &= keep(p, &b, &p->json_policy);
    buf_free(&b);
    return ok;
}

static void json_findings(Buf *b, const svp_policy *p, const svp_result *r)
{
    buf_puts(b, ",\"findings\":[");
    for (size_t i = 0; i < r->nfindings; i++) {
        const Rule *rule = r->findings[i].rule;
        if (i)
            buf_putc(b, ',');
        frag(b, rule->json_head);
        json_text_or_null(b, r->findings[i].message);
        frag(b, rule->json_tail);
        json_fields(b, p, r->slots, rule->because_slots, rule->nbecause);
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
}

static void json_trace(Buf *b, const svp_policy *p, const svp_result *r)
{
    buf_puts(b, ",\"trace\":[");
    for (uint32_t i = 0; i < p->nrules; i++) {
        const Trace *t = &r->trace[i];
        if (i)
            buf_putc(b, ',');
        buf_puts(b, "{\"rule\":");
        json_text_or_null(b, t->rule->id_str);
        buf_puts(b, ",\"applies\":");
        buf_puts(b, t->applies.kind == VK_BOOL && t->applies.u.b ? "true" : "false");
        buf_puts(b, ",\"requirement\":");
        format_val_json(b, p, t->holds, true);
        buf_puts(b, ",\"fired\":");
        buf_puts(b, t->fired ? "true" : "false");
        buf_puts(b, ",\"read\":");
        json_fields(b, p, r->slots, t->rule->read_slots, t->rule->nread);
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
}

const char *svp_result_json(svp_evaluator *ev, const svp_result *r, size_t *len)
{
    const svp_policy *p = ev->p;
    Buf *b = &ev->out;
    buf_clear(b);
    buf_puts(b, "{\"id\":");
    json_text_or_null(b, r->id);
    if (r->status == SVP_INVALID) {
        buf_printf(b, ",\"line\":%lu,\"error\":{\"field\":", r->line);
        json_text_or_null(b, r->error_field);
        buf_puts(b, ",\"message\":");
        json_text_or_null(b, r->error_message);
        buf_puts(b, "}}\n");
    } else {
        frag(b, p->json_policy);
        buf_puts(b, r->status == SVP_COMPLIANT ? "true" : "false");
        buf_puts(b, ",\"decisions\":{");
        for (uint32_t i = 0; i < p->ndecisions; i++) {
            if (i)
                buf_putc(b, ',');
            frag(b, p->decisions[i]->json_key);
            format_val_json(b, p, r->slots[p->nfields + i], false);
        }
        buf_putc(b, '}');
        json_findings(b, p, r);
        if (r->trace)
            json_trace(b, p, r);
        buf_puts(b, "}\n");
    }
    if (b->failed) {
        buf_free(b);
        buf_init(b, ev->alloc);
        static const char oom[] = "{\"id\":null,\"line\":0,\"error\":{\"field\":null,\"message\":\"out of memory\"}}\n";
        *len = sizeof oom - 1;
        return oom;
    }
    *len = b->len;
    return b->data;
}

/* ---- Text ---------------------------------------------------------------- */

static void colour(Buf *b, bool on, const char *code)
{
    if (on)
        buf_puts(b, code);
}

const char *svp_result_text(svp_evaluator *ev, const svp_result *r, bool color, size_t *len)
{
    const svp_policy *p = ev->p;
    Buf *b = &ev->out;
    buf_clear(b);
    const char *verdict = r->status == SVP_COMPLIANT ? "COMPLIANT" : r->status == SVP_NONCOMPLIANT ? "NON-COMPLIANT" : "INVALID";
    const char *tint = r->status == SVP_COMPLIANT ? "\033[1;32m" : r->status == SVP_NONCOMPLIANT ? "\033[1;31m" : "\033[1;33m";
    colour(b, color, "\033[1m");
    buf_puts(b, r->id ? r->id : "(no id)");
    colour(b, color, "\033[0m");
    buf_puts(b, "  ");
    colour(b, color, tint);
    buf_puts(b, verdict);
    colour(b, color, "\033[0m");
    if (r->status == SVP_INVALID) {
        buf_printf(b, "  (line %lu)\n  %s%s%s\n\n", r->line, r->error_field ? r->error_field : "",
                   r->error_field ? ": " : "", r->error_message);
    } else {
        buf_printf(b, "  under %s %s\n", p->name, p->version);
        for (size_t i = 0; i < r->nfindings; i++) {
            const Rule *rule = r->findings[i].rule;
            const char *sev = svp_result_finding_severity(r, i);
            colour(b, color, rule->severity == SEV_ERROR ? "\033[31m" : rule->severity == SEV_WARNING ? "\033[33m" : "\033[36m");
            buf_printf(b, "  %-8s", sev);
            colour(b, color, "\033[0m");
            buf_printf(b, " %s: %s\n           cite: %s\n", rule->id_str, r->findings[i].message, rule->cite_str);
        }
        if (!r->nfindings)
            buf_puts(b, "  no findings\n");
        buf_puts(b, "  decisions:\n");
        for (uint32_t i = 0; i < p->ndecisions; i++) {
            buf_printf(b, "    %-28s ", p->decisions[i]->name_str);
            format_val(b, p, r->slots[p->nfields + i]);
            buf_putc(b, '\n');
        }
        if (r->trace) {
            buf_puts(b, "  explanation:\n");
            for (uint32_t i = 0; i < p->nrules; i++) {
                const Trace *t = &r->trace[i];
                bool applies = t->applies.kind == VK_BOOL && t->applies.u.b;
                buf_printf(b, "    %-24s %s", t->rule->id_str,
                           !applies ? "does not apply" : t->fired ? "FIRED" : "applies, requirement met");
                for (uint32_t k = 0; k < t->rule->nread; k++) {
                    buf_printf(b, "%s%s = ", k ? ", " : "; read ", p->fields[t->rule->read_slots[k]]->path_str);
                    format_val(b, p, r->slots[t->rule->read_slots[k]]);
                }
                buf_putc(b, '\n');
            }
        }
        buf_putc(b, '\n');
    }
    if (b->failed) {
        buf_free(b);
        buf_init(b, ev->alloc);
        *len = 14;
        return "out of memory\n";
    }
    *len = b->len;
    return b->data;
}
