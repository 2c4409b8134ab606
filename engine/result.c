/*
 * result.c - the one home of a result: its accessors, and its renderings as
 * JSON (results.md) and as text for a person (see result.h).
 *
 * Everything here reads what the evaluator left in an svp_result (the
 * slots, findings and trace); nothing here evaluates.  The JSON is written
 * by hand into the evaluator's output buffer rather than built as a cJSON
 * tree: one record's line is a few hundred bytes, and a batch of a million
 * records should spend its time on the rules, not on allocating and
 * freeing output nodes.  The constant pieces of every line are prepared
 * once per policy by result_prepare.
 */
#include <assert.h>
#include <string.h>

#include "eval.h"
#include "result.h"

/* ---- Preparing the constant pieces, once per policy ------------------ */

/* "key": */
static void json_key(Buf *b, const char *key)
{
    buf_json_string(b, key, strlen(key));
    buf_putc(b, ':');
}

/* A prepared piece, appended. */
static void frag(Buf *b, Frag f) { buf_append(b, f.text, f.len); }

const char *result_severity_word(int severity)
{
    static const char *const words[] = {[SEV_INFO] = "info", [SEV_WARNING] = "warning", [SEV_ERROR] = "error"};
    assert(severity >= SEV_INFO && severity <= SEV_ERROR);
    return words[severity];
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

/* An array of n empty Frags in the policy's arena (at least one, so that
 * an empty policy still has somewhere to point); NULL when out of memory. */
static Frag *frags(svp_policy *p, uint32_t n)
{
    return arena_alloc(&p->arena, (n ? n : 1) * sizeof(Frag)); /* zeroed */
}

bool result_prepare(svp_policy *p)
{
    uint32_t nrules = p->nrules + p->nportfolio;
    ResultPieces *rp = p->pieces = arena_alloc(&p->arena, sizeof *rp);
    if (!rp)
        return false;
    rp->field_keys = frags(p, p->nfields);
    rp->decision_keys = frags(p, p->ndecisions);
    rp->rule_heads = frags(p, nrules);
    rp->rule_tails = frags(p, nrules);
    if (!rp->field_keys || !rp->decision_keys || !rp->rule_heads || !rp->rule_tails)
        return false;
    Buf b;
    buf_init(&b, p->alloc);
    bool ok = true;
    for (uint32_t i = 0; i < p->nfields; i++) {
        json_key(&b, p->fields[i]->path_str);
        ok &= keep(p, &b, &rp->field_keys[i]);
    }
    for (uint32_t i = 0; i < p->ndecisions; i++) {
        json_key(&b, p->decisions[i]->name_str);
        ok &= keep(p, &b, &rp->decision_keys[i]);
    }
    for (uint32_t i = 0; i < nrules; i++) {
        const Rule *r = i < p->nrules ? p->rules[i] : p->portfolio[i - p->nrules];
        buf_puts(&b, "{\"rule\":");
        buf_json_text_or_null(&b, r->id_str);
        buf_puts(&b, ",\"severity\":");
        if (!r->severity_when) { /* else chosen for each record: result_finding_open */
            buf_json_text_or_null(&b, result_severity_word(r->severity));
            buf_puts(&b, ",\"message\":");
        }
        ok &= keep(p, &b, &rp->rule_heads[i]);
        buf_puts(&b, ",\"cite\":");
        buf_json_text_or_null(&b, r->cite_str);
        buf_puts(&b, ",\"because\":");
        ok &= keep(p, &b, &rp->rule_tails[i]);
    }
    buf_putc(&b, ',');
    result_policy_json(&b, "policy", p);
    buf_puts(&b, ",\"compliant\":");
    ok &= keep(p, &b, &rp->policy);
    buf_free(&b);
    return ok;
}

void result_policy_json(Buf *b, const char *key, const svp_policy *p)
{
    json_key(b, key);
    buf_puts(b, "{\"name\":");
    buf_json_text_or_null(b, p->name);
    buf_puts(b, ",\"version\":");
    buf_json_text_or_null(b, p->version);
    buf_putc(b, '}');
}

void result_finding_open(Buf *b, const svp_policy *p, uint32_t rule_index, int severity, const char *message)
{
    assert(rule_index < p->nrules + p->nportfolio);
    const Rule *r = rule_index < p->nrules ? p->rules[rule_index] : p->portfolio[rule_index - p->nrules];
    frag(b, p->pieces->rule_heads[rule_index]);
    if (r->severity_when) {
        buf_json_text_or_null(b, result_severity_word(severity));
        buf_puts(b, ",\"message\":");
    }
    buf_json_text_or_null(b, message);
    frag(b, p->pieces->rule_tails[rule_index]);
}

/* ---- JSON ------------------------------------------------------------- */

/* {"path": value, ...} for the given field slots. */
static void json_fields(Buf *b, const svp_policy *p, const Val *slots, const uint32_t *which, uint32_t n)
{
    buf_putc(b, '{');
    for (uint32_t i = 0; i < n; i++) {
        assert(which[i] < p->nfields);
        if (i)
            buf_putc(b, ',');
        frag(b, p->pieces->field_keys[which[i]]);
        value_format_json(b, p, slots[which[i]], true);
    }
    buf_putc(b, '}');
}

static void json_findings(Buf *b, const svp_policy *p, const svp_result *r)
{
    buf_puts(b, ",\"findings\":[");
    for (size_t i = 0; i < r->nfindings; i++) {
        const Finding *f = &r->findings[i];
        if (i)
            buf_putc(b, ',');
        result_finding_open(b, p, f->rule_index, f->severity, f->message);
        json_fields(b, p, r->slots, f->rule->because_slots, f->rule->nbecause);
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
        buf_json_text_or_null(b, t->rule->id_str);
        buf_puts(b, ",\"applies\":");
        buf_puts(b, t->applies.kind == VK_BOOL && t->applies.u.b ? "true" : "false");
        buf_puts(b, ",\"requirement\":");
        value_format_json(b, p, t->holds, true);
        buf_puts(b, ",\"fired\":");
        buf_puts(b, t->fired ? "true" : "false");
        buf_puts(b, ",\"read\":");
        json_fields(b, p, r->slots, t->rule->read_slots, t->rule->nread);
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
}

/* {"field":...,"message":...} */
static void json_problem(Buf *b, const char *field, const char *message)
{
    buf_puts(b, "{\"field\":");
    buf_json_text_or_null(b, field);
    buf_puts(b, ",\"message\":");
    buf_json_text_or_null(b, message);
    buf_putc(b, '}');
}

/* The error line of an invalid record: the first problem as "error" (as
 * results.md has it), and every problem as "errors". */
/* A record dated before every version of the policy (issue 11): not a
 * data error, so no "error": "no_version" says so, with the field that
 * dated the record (null when --as-of or today did) and the message. */
static void json_no_version(Buf *b, const svp_result *r)
{
    buf_printf(b, ",\"line\":%lu,\"no_version\":", r->line);
    json_problem(b, r->error_field, r->error_message);
    buf_puts(b, "}\n");
}

static void json_invalid(Buf *b, const svp_result *r)
{
    if (r->error_code && !strcmp(r->error_code, RESULT_ERROR_NO_VERSION)) {
        json_no_version(b, r);
        return;
    }
    buf_printf(b, ",\"line\":%lu,\"error\":", r->line);
    json_problem(b, r->error_field, r->error_message);
    buf_puts(b, ",\"errors\":[");
    for (size_t i = 0; i < r->nerrors; i++) {
        if (i)
            buf_putc(b, ',');
        json_problem(b, r->errors[i].field, r->errors[i].message);
    }
    buf_putc(b, ']');
    if (r->errors_dropped)
        buf_printf(b, ",\"errors_not_listed\":%zu", r->errors_dropped);
    buf_puts(b, "}\n");
}

/* SVP_EVAL_PARTIAL: "missing" and "undecided" (the officer's checklist). */
static void json_partial(Buf *b, const svp_policy *p, const svp_result *r)
{
    buf_puts(b, ",\"missing\":[");
    for (size_t i = 0; i < r->nmissing; i++) {
        if (i)
            buf_putc(b, ',');
        buf_json_text_or_null(b, r->missing[i]);
    }
    buf_puts(b, "],\"undecided\":[");
    for (size_t i = 0; i < r->nundecided; i++) {
        const Undecided *u = &r->undecided[i];
        buf_puts(b, i ? ",{\"rule\":" : "{\"rule\":");
        buf_json_text_or_null(b, u->rule->id_str);
        buf_puts(b, ",\"severity\":");
        buf_json_text_or_null(b, result_severity_word(u->severity));
        buf_puts(b, ",\"needs\":[");
        for (uint32_t k = 0; k < u->nneeds; k++) {
            if (k)
                buf_putc(b, ',');
            buf_json_text_or_null(b, p->fields[u->needs[k]]->path_str);
        }
        buf_puts(b, "]}");
    }
    buf_putc(b, ']');
}

/* b's text as a rendering, or (after an allocation failure) `oom`, with b
 * made ready for the next rendering. */
static const char *finish(Buf *b, const svp_allocator *alloc, const char *oom, size_t *len)
{
    if (b->failed) {
        buf_free(b);
        buf_init(b, alloc);
        *len = strlen(oom);
        return oom;
    }
    *len = b->len;
    return b->data;
}

const char *svp_result_json(svp_evaluator *ev, const svp_result *r, size_t *len)
{
    assert(r == &ev->result); /* a result is rendered by its own evaluator */
    const svp_policy *p = r->policy;
    Buf *b = &ev->out;
    buf_clear(b);
    buf_puts(b, "{\"id\":");
    buf_json_text_or_null(b, r->id);
    if (r->status == SVP_INVALID) {
        json_invalid(b, r);
    } else {
        assert(r->slots);
        frag(b, p->pieces->policy);
        buf_puts(b, r->status == SVP_COMPLIANT ? "true" : r->status == SVP_INCOMPLETE ? "null" : "false");
        buf_puts(b, ",\"decisions\":{");
        for (uint32_t i = 0, shown = 0; i < p->ndecisions; i++) {
            if (p->decisions[i]->working)
                continue; /* a working value: computes others, shown in no result */
            if (shown++)
                buf_putc(b, ',');
            frag(b, p->pieces->decision_keys[i]);
            value_format_json(b, p, r->slots[p->nfields + i], false);
        }
        buf_putc(b, '}');
        json_findings(b, p, r);
        if (r->partial)
            json_partial(b, p, r);
        if (r->trace)
            json_trace(b, p, r);
        buf_puts(b, "}\n");
    }
    return finish(b, ev->alloc, "{\"id\":null,\"line\":0,\"error\":{\"field\":null,\"message\":\"out of memory\"}}\n",
                  len);
}

/* ---- Text ---------------------------------------------------------------- */

static void colour(Buf *b, bool on, const char *code)
{
    if (on)
        buf_puts(b, code);
}

/* Text from a record or a policy, for a terminal: control characters
 * escaped (an id could hold ESC sequences). */
static void safe(Buf *b, const char *s)
{
    buf_terminal_escape(b, s, strlen(s));
}

/* A value as a person reads it, escaped like any text from a record. */
static void safe_value(svp_evaluator *ev, Buf *b, const svp_policy *p, Val v)
{
    Buf *tmp = &ev->msg;
    buf_clear(tmp);
    value_format_text(tmp, p, v);
    b->failed |= tmp->failed;
    buf_terminal_escape(b, tmp->data ? tmp->data : "", tmp->len);
}

static void text_invalid(Buf *b, const svp_result *r)
{
    buf_printf(b, "  (line %lu)\n", r->line);
    for (size_t i = 0; i < r->nerrors; i++) {
        buf_puts(b, "  ");
        if (r->errors[i].field) {
            safe(b, r->errors[i].field);
            buf_puts(b, ": ");
        }
        safe(b, r->errors[i].message);
        buf_putc(b, '\n');
    }
    if (r->errors_dropped)
        buf_printf(b, "  ... and %zu more problems\n", r->errors_dropped);
    buf_putc(b, '\n');
}

/* The officer's checklist of a record not complete yet. */
static void text_checklist(Buf *b, const svp_policy *p, const svp_result *r)
{
    if (!r->nmissing)
        return;
    buf_puts(b, "  missing (required by the policy at this stage):\n");
    for (size_t i = 0; i < r->nmissing; i++) {
        buf_puts(b, "    [ ] ");
        safe(b, r->missing[i]);
        buf_putc(b, '\n');
    }
    if (r->nundecided)
        buf_puts(b, "  waiting for them:\n");
    for (size_t i = 0; i < r->nundecided; i++) {
        const Undecided *u = &r->undecided[i];
        buf_printf(b, "    %-24s %-8s needs ", u->rule->id_str, result_severity_word(u->severity));
        for (uint32_t k = 0; k < u->nneeds; k++)
            buf_printf(b, "%s%s", k ? ", " : "", p->fields[u->needs[k]]->path_str);
        buf_putc(b, '\n');
    }
}

/* The procurement's own title, when the policy declares a text field
 * `title` and the record gives one: a person knows a procurement by it. */
static void result_text_title(Buf *b, const svp_policy *p, const svp_result *r)
{
    for (uint32_t i = 0; i < p->nfields; i++) {
        const Field *f = p->fields[i];
        if (f->type.kind == T_TEXT && !strcmp(f->path_str, "title") && r->slots[i].kind == VK_TEXT) {
            buf_puts(b, "  ");
            buf_terminal_escape(b, r->slots[i].u.s, r->slots[i].n); /* no terminal control from a record */
            buf_putc(b, '\n');
            return;
        }
    }
}

const char *svp_result_text(svp_evaluator *ev, const svp_result *r, bool color, size_t *len)
{
    assert(r == &ev->result);
    const svp_policy *p = r->policy;
    Buf *b = &ev->out;
    buf_clear(b);
    static const char *const verdicts[] = {[SVP_COMPLIANT] = "COMPLIANT", [SVP_NONCOMPLIANT] = "NON-COMPLIANT",
                                           [SVP_INVALID] = "INVALID", [SVP_INCOMPLETE] = "INCOMPLETE"};
    static const char *const tints[] = {[SVP_COMPLIANT] = "\033[1;32m", [SVP_NONCOMPLIANT] = "\033[1;31m",
                                        [SVP_INVALID] = "\033[1;33m", [SVP_INCOMPLETE] = "\033[1;36m"};
    colour(b, color, "\033[1m");
    safe(b, r->id ? r->id : "(no id)");
    colour(b, color, "\033[0m");
    buf_puts(b, "  ");
    colour(b, color, tints[r->status]);
    bool no_version = r->status == SVP_INVALID && r->error_code && !strcmp(r->error_code, RESULT_ERROR_NO_VERSION);
    buf_puts(b, no_version ? "NO VERSION IN FORCE" : verdicts[r->status]);
    colour(b, color, "\033[0m");
    if (r->status == SVP_INVALID) {
        text_invalid(b, r);
    } else {
        buf_puts(b, "  under ");
        safe(b, p->name);
        buf_putc(b, ' ');
        safe(b, p->version);
        buf_putc(b, '\n');
        result_text_title(b, p, r);
        text_checklist(b, p, r);
        for (size_t i = 0; i < r->nfindings; i++) {
            const Rule *rule = r->findings[i].rule;
            uint8_t severity = r->findings[i].severity;
            const char *sev = result_severity_word(severity);
            colour(b, color, severity == SEV_ERROR ? "\033[31m" : severity == SEV_WARNING ? "\033[33m" : "\033[36m");
            buf_printf(b, "  %-8s", sev);
            colour(b, color, "\033[0m");
            buf_printf(b, " %s: ", rule->id_str);
            safe(b, r->findings[i].message);
            buf_puts(b, "\n           cite: ");
            safe(b, rule->cite_str);
            buf_putc(b, '\n');
        }
        if (!r->nfindings)
            buf_puts(b, "  no findings\n");
        buf_puts(b, "  decisions:\n");
        for (uint32_t i = 0; i < p->ndecisions; i++) {
            const Decision *d = p->decisions[i];
            if (d->working)
                continue;
            if (*d->title_str) { /* a person reads the title; the name is for the policy's author */
                buf_puts(b, "    ");
                safe(b, d->title_str);
                buf_puts(b, ": ");
                safe_value(ev, b, p, r->slots[p->nfields + i]);
                buf_printf(b, "  (%s)\n", d->name_str);
                continue;
            }
            buf_printf(b, "    %-28s ", d->name_str);
            safe_value(ev, b, p, r->slots[p->nfields + i]);
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
                    safe_value(ev, b, p, r->slots[t->rule->read_slots[k]]);
                }
                buf_putc(b, '\n');
            }
        }
        buf_putc(b, '\n');
    }
    return finish(b, ev->alloc, "out of memory\n", len);
}

/* ---- Reading a result (the public accessors) ------------------------------ */

svp_status svp_result_status(const svp_result *r) { return r->status; }
const char *svp_result_id(const svp_result *r) { return r->id; }
unsigned long svp_result_line(const svp_result *r) { return r->line; }
const char *svp_result_error_field(const svp_result *r) { return r->error_field; }
const char *svp_result_error_message(const svp_result *r) { return r->status == SVP_INVALID ? r->error_message : NULL; }
const char *svp_result_error_code(const svp_result *r) { return r->status == SVP_INVALID ? r->error_code : NULL; }
const svp_policy *svp_result_policy(const svp_result *r) { return r->policy; }
size_t svp_result_finding_count(const svp_result *r) { return r->nfindings; }

static const Rule *finding_rule(const svp_result *r, size_t i) { return i < r->nfindings ? r->findings[i].rule : NULL; }

const char *svp_result_finding_rule(const svp_result *r, size_t i)
{
    const Rule *rule = finding_rule(r, i);
    return rule ? rule->id_str : NULL;
}

const char *svp_result_finding_severity(const svp_result *r, size_t i)
{
    return i < r->nfindings ? result_severity_word(r->findings[i].severity) : NULL;
}

const char *svp_result_finding_message(const svp_result *r, size_t i)
{
    return i < r->nfindings ? r->findings[i].message : NULL;
}

const char *svp_result_finding_cite(const svp_result *r, size_t i)
{
    const Rule *rule = finding_rule(r, i);
    return rule ? rule->cite_str : NULL;
}

bool svp_result_rule_fired(const svp_result *r, const char *rule_id)
{
    for (size_t i = 0; rule_id && i < r->nfindings; i++)
        if (!strcmp(r->findings[i].rule->id_str, rule_id))
            return true;
    return false;
}

/* An invalid record has no decisions: no rule, and no decision, ran. */
size_t svp_result_decision_count(const svp_result *r) { return r->slots ? r->policy->ndecisions : 0; }

const char *svp_result_decision_name(const svp_result *r, size_t i)
{
    return i < svp_result_decision_count(r) ? r->policy->decisions[i]->name_str : NULL;
}

const char *svp_result_decision_title(const svp_result *r, size_t i)
{
    if (i >= svp_result_decision_count(r))
        return NULL;
    const char *title = r->policy->decisions[i]->title_str;
    return title && *title ? title : NULL;
}

bool svp_result_decision_find(const svp_result *r, const char *name, size_t *index)
{
    for (size_t i = 0; name && i < svp_result_decision_count(r); i++)
        if (!strcmp(r->policy->decisions[i]->name_str, name)) {
            *index = i;
            return true;
        }
    return false;
}

bool svp_result_decision_working(const svp_result *r, size_t i)
{
    return i < svp_result_decision_count(r) && r->policy->decisions[i]->working;
}

/* Decision i's value rendered by the evaluator's message buffer (free
 * once rules have run) and copied into its scratch arena, so that it
 * lives as long as the result.  NULL when i is out of range or memory
 * runs out. */
static const char *decision_copy(svp_evaluator *ev, const svp_result *r, size_t i, bool json)
{
    assert(r == &ev->result); /* the copy goes to the result's own scratch */
    if (i >= svp_result_decision_count(r))
        return NULL;
    const svp_policy *p = r->policy;
    Val v = r->slots[p->nfields + i];
    Buf *b = &ev->msg;
    buf_clear(b);
    if (json)
        value_format_json(b, p, v, false);
    else
        value_format_text(b, p, v);
    const char *copy = b->failed ? NULL : arena_strndup(&ev->scratch, b->data ? b->data : "", b->len);
    if (b->failed) {
        buf_free(b);
        buf_init(b, ev->alloc);
    }
    return copy;
}

const char *svp_result_decision_json(svp_evaluator *ev, const svp_result *r, size_t i)
{
    return decision_copy(ev, r, i, true);
}

const char *svp_result_decision_text(svp_evaluator *ev, const svp_result *r, size_t i)
{
    return decision_copy(ev, r, i, false);
}

/* ---- Every problem, and records not complete yet ---------------------------- */

size_t svp_result_error_count(const svp_result *r) { return r->status == SVP_INVALID ? r->nerrors : 0; }
size_t svp_result_errors_dropped(const svp_result *r) { return r->status == SVP_INVALID ? r->errors_dropped : 0; }

const char *svp_result_error_field_at(const svp_result *r, size_t i)
{
    return i < svp_result_error_count(r) ? r->errors[i].field : NULL;
}

const char *svp_result_error_message_at(const svp_result *r, size_t i)
{
    return i < svp_result_error_count(r) ? r->errors[i].message : NULL;
}

size_t svp_result_missing_count(const svp_result *r) { return r->nmissing; }
const char *svp_result_missing(const svp_result *r, size_t i) { return i < r->nmissing ? r->missing[i] : NULL; }
size_t svp_result_undecided_count(const svp_result *r) { return r->nundecided; }

const char *svp_result_undecided_rule(const svp_result *r, size_t i)
{
    return i < r->nundecided ? r->undecided[i].rule->id_str : NULL;
}

const char *svp_result_undecided_severity(const svp_result *r, size_t i)
{
    return i < r->nundecided ? result_severity_word(r->undecided[i].severity) : NULL;
}

size_t svp_result_undecided_needs_count(const svp_result *r, size_t i)
{
    return i < r->nundecided ? r->undecided[i].nneeds : 0;
}

const char *svp_result_undecided_need(const svp_result *r, size_t i, size_t k)
{
    if (k >= svp_result_undecided_needs_count(r, i))
        return NULL;
    return r->policy->fields[r->undecided[i].needs[k]]->path_str;
}
