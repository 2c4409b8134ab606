/*
 * test_run.c - running the cases of `svp test`: the policies under test
 * (each compiled once however many test files name it) and one case at a
 * time, evaluated with its expectations compared against the result.
 *
 * The result is read through svp.h's accessors (verdict, the rules that
 * fired, decisions by name as JSON text, the field at fault), never by
 * parsing the result's JSON line.  A failing case prints one line, or with
 * --format json adds an entry saying what was expected and what came.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test.h"

/* A policy file bigger than the library reads is refused by it, with its
 * own message; this only bounds what is read to hand it over. */

/* ---- the policies under test ---------------------------------------------- */

/* pol's record rules and their citations, from the policy; portfolio rules
 * judge a register, not a record, so per-record cases cannot cover them. */
static void list_rules(TestPolicy *pol)
{
    size_t n = svp_policy_rule_count(pol->p);
    pol->rules = cli_alloc((n + 1) * sizeof *pol->rules);
    pol->cites = cli_alloc((n + 1) * sizeof *pol->cites);
    for (size_t i = 0; i < n; i++)
        if (!svp_policy_rule_is_portfolio(pol->p, i)) {
            const char *cite = svp_policy_rule_cite(pol->p, i);
            pol->rules[pol->nrules] = svp_policy_rule_id(pol->p, i);
            pol->cites[pol->nrules++] = cite && *cite ? cite : NULL;
        }
}

/* Read and compile the policy at pol->path, saying why not on stderr. */
static bool policy_compile(TestPolicy *pol, const char *testfile)
{
    size_t len = 0;
    svp_diagnostics *why = NULL;
    /* read as svp_policy_load reads: a regular file, within the size limit */
    char *text = svp_policy_read(pol->path, &len, &why);
    if (!text) {
        const svp_diagnostic *g = why && svp_diagnostics_count(why) ? svp_diagnostics_get(why, 0) : NULL;
        const char *reason = g ? g->message : "out of memory", *prefix = "cannot read the policy: ";
        if (!strncmp(reason, prefix, strlen(prefix)))
            reason += strlen(prefix);
        fprintf(stderr, "svp: %s: cannot read the policy %s: %s\n", testfile, pol->path, reason);
        svp_diagnostics_free(why);
        return false;
    }
    svp_diagnostics *d = NULL;
    pol->p = svp_policy_compile(pol->path, text, len, NULL, &d);
    free(text);
    if (!pol->p) {
        cli_print_diagnostics(d);
        size_t e = d ? svp_diagnostics_errors(d) : 0;
        fprintf(stderr, "svp: %s: the policy %s does not compile (%zu error%s)\n", testfile, pol->path, e,
                e == 1 ? "" : "s");
    }
    svp_diagnostics_free(d);
    if (pol->p) {
        pol->ev = cli_need(svp_evaluator_new(pol->p, NULL));
        list_rules(pol);
    }
    return pol->p != NULL;
}

TestPolicy *test_policy_get(TestPolicies *all, const char *path, const char *testfile)
{
    struct stat st;
    bool known = stat(path, &st) == 0;
    for (size_t i = 0; i < all->n; i++) {
        TestPolicy *q = all->items[i];
        if (known ? q->known && q->dev == st.st_dev && q->ino == st.st_ino : !strcmp(q->path, path))
            return q->p ? q : NULL; /* a failure is said once */
    }
    TestPolicy *pol = cli_alloc(sizeof *pol);
    memset(pol, 0, sizeof *pol);
    pol->path = cli_strdup(path);
    if ((pol->known = known)) {
        pol->dev = st.st_dev;
        pol->ino = st.st_ino;
    }
    all->items = cli_realloc(all->items, (all->n + 1) * sizeof *all->items);
    all->items[all->n++] = pol;
    return policy_compile(pol, testfile) ? pol : NULL;
}

void test_policies_free(TestPolicies *all)
{
    for (size_t i = 0; i < all->n; i++) {
        TestPolicy *pol = all->items[i];
        svp_evaluator_free(pol->ev);
        svp_policy_free(pol->p);
        free(pol->rules);
        free(pol->cites);
        free(pol->rows);
        free(pol->path);
        free(pol);
    }
    free(all->items);
    all->items = NULL;
    all->n = 0;
}

static bool is_rule(const TestPolicy *pol, const char *id)
{
    for (size_t i = 0; i < pol->nrules; i++)
        if (!strcmp(pol->rules[i], id))
            return true;
    return false;
}

/* Note for coverage which record rules the evaluated result r made fire. */
static void note_coverage(TestPolicy *pol, const svp_result *r)
{
    if (pol->nrows == pol->rowcap) {
        pol->rowcap = pol->rowcap ? pol->rowcap * 2 : 64;
        pol->rows = cli_realloc(pol->rows, pol->rowcap * (pol->nrules ? pol->nrules : 1));
    }
    unsigned char *row = pol->rows + pol->nrows++ * pol->nrules;
    for (size_t i = 0; i < pol->nrules; i++)
        row[i] = svp_result_rule_fired(r, pol->rules[i]);
}

/* ---- one case --------------------------------------------------------------- */

/* What one evaluated case came to, read from its result. */
typedef struct Outcome {
    svp_evaluator *ev;
    const svp_result *r;
    svp_status status;
    const char **fired;      /* rule ids, in policy order */
    size_t nfired;
    CliText error;           /* "field: message" of an invalid record */
} Outcome;

/* A JSON value in one line, appended to t. */
static void add_json(CliText *t, const cJSON *v)
{
    char *text = cli_need(cJSON_PrintUnformatted(v));
    cli_text_add(t, text);
    cJSON_free(text);
}

/* "[a, b]" */
static void add_list(CliText *t, const char *const *items, size_t n)
{
    cli_text_add(t, "[");
    for (size_t i = 0; i < n; i++)
        cli_text_addf(t, "%s%s", i ? ", " : "", items[i]);
    cli_text_add(t, "]");
}

static bool in_json_list(const cJSON *list, const char *s)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, list) {
        if (cJSON_IsString(x) && !strcmp(x->valuestring, s))
            return true;
    }
    return false;
}

static bool fired(const Outcome *o, const char *id)
{
    for (size_t i = 0; i < o->nfired; i++)
        if (!strcmp(o->fired[i], id))
            return true;
    return false;
}

/* One failed expectation: a part of the text line, and a JSON entry. */
static void mismatch(CliText *line, cJSON *failures, const char *what, cJSON *expected, cJSON *got, const char *text)
{
    cli_text_addf(line, "%s%s: %s", line->len ? "; " : "", what, text);
    cJSON *f = cli_need(cJSON_CreateObject());
    cJSON_AddStringToObject(f, "what", what);
    cJSON_AddItemToObject(f, "expected", expected ? expected : cJSON_CreateNull());
    cJSON_AddItemToObject(f, "got", got ? got : cJSON_CreateNull());
    cJSON_AddItemToArray(failures, f);
}

/* The rules that fired, as a JSON list (NULL for an invalid record). */
static cJSON *fired_json(const Outcome *o)
{
    if (o->status == SVP_INVALID)
        return NULL;
    cJSON *list = cli_need(cJSON_CreateArray());
    for (size_t i = 0; i < o->nfired; i++)
        cJSON_AddItemToArray(list, cli_need(cJSON_CreateString(o->fired[i])));
    return list;
}

static void expect_verdict(const TestCase *c, const Outcome *o, CliText *line, cJSON *failures)
{
    if (c->verdict < 0 || (int)o->status == c->verdict)
        return;
    CliText t = {0};
    cli_text_addf(&t, "expected %s, got %s", test_verdict_names[c->verdict], test_verdict_names[o->status]);
    if (o->status != SVP_INVALID && !c->fires) { /* say which rules made the verdict */
        cli_text_add(&t, " (fired ");
        add_list(&t, o->fired, o->nfired);
        cli_text_add(&t, ")");
    }
    mismatch(line, failures, "verdict", cJSON_CreateString(test_verdict_names[c->verdict]),
             cJSON_CreateString(test_verdict_names[o->status]), t.s);
    free(t.s);
}

/* Which expected rules are missing (or unknown) and which fired unasked. */
static void explain_fires(const TestCase *c, const Outcome *o, const TestPolicy *pol, CliText *t)
{
    const char *sep = " (";
    const cJSON *e;
    cJSON_ArrayForEach(e, c->fires) {
        if (fired(o, e->valuestring))
            continue;
        cli_text_addf(t, "%s%s %s", sep, is_rule(pol, e->valuestring) ? "missing" : "no such rule:", e->valuestring);
        sep = "; ";
    }
    for (size_t i = 0; i < o->nfired; i++)
        if (!in_json_list(c->fires, o->fired[i])) {
            cli_text_addf(t, "%sunexpected %s", sep, o->fired[i]);
            sep = "; ";
        }
    if (strcmp(sep, " ("))
        cli_text_add(t, ")");
}

static void expect_fires(const TestCase *c, const Outcome *o, const TestPolicy *pol, CliText *line, cJSON *failures)
{
    if (!c->fires)
        return;
    bool same = (size_t)cJSON_GetArraySize(c->fires) == o->nfired;
    const cJSON *e;
    cJSON_ArrayForEach(e, c->fires) {
        same = same && fired(o, e->valuestring);
    }
    if (same)
        return;
    size_t ne = (size_t)cJSON_GetArraySize(c->fires), k = 0;
    const char **want = cli_alloc((ne + 1) * sizeof *want);
    cJSON_ArrayForEach(e, c->fires) {
        want[k++] = e->valuestring;
    }
    CliText t = {0};
    cli_text_add(&t, "expected ");
    add_list(&t, want, ne);
    cli_text_add(&t, ", got ");
    if (o->status == SVP_INVALID) {
        cli_text_add(&t, "none (the record is invalid)");
    } else {
        add_list(&t, o->fired, o->nfired);
        explain_fires(c, o, pol, &t);
    }
    mismatch(line, failures, "fires", cJSON_Duplicate(c->fires, true), fired_json(o), t.s);
    free(want);
    free(t.s);
}

/* Each decision named has exactly this value: the expected JSON, in one
 * line, against the decision's value as the result's JSON shows it. */
static void expect_decisions(const TestCase *c, const Outcome *o, CliText *line, cJSON *failures)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, c->decisions) {
        size_t i;
        const char *got = svp_result_decision_find(o->r, e->string, &i)
                              ? cli_need((void *)svp_result_decision_json(o->ev, o->r, i))
                              : NULL;
        char *want = cli_need(cJSON_PrintUnformatted(e));
        bool same = got && !strcmp(want, got);
        cJSON_free(want);
        if (same)
            continue;
        CliText t = {0}, what = {0};
        cli_text_addf(&what, "decisions.%s", e->string);
        cli_text_add(&t, "expected ");
        add_json(&t, e);
        if (o->status == SVP_INVALID)
            cli_text_add(&t, ", got none (the record is invalid)");
        else if (!got)
            cli_text_add(&t, ", got nothing: the policy has no such decision");
        else
            cli_text_addf(&t, ", got %s", got);
        if (got && got[0] == '"' && cJSON_IsNumber(e)) /* exact amounts print as text, never as a double */
            cli_text_addf(&t, " (numbers, money and percentages print as text, exactly: write %s)", got);
        mismatch(line, failures, what.s, cJSON_Duplicate(e, true), got ? cli_need(cJSON_CreateRaw(got)) : NULL, t.s);
        free(what.s);
        free(t.s);
    }
}

static void expect_error_field(const TestCase *c, const Outcome *o, CliText *line, cJSON *failures)
{
    if (!c->has_error_field)
        return;
    const char *field = svp_result_error_field(o->r), *message = svp_result_error_message(o->r);
    bool same = o->status == SVP_INVALID && (c->error_field ? field && !strcmp(field, c->error_field) : !field);
    if (same)
        return;
    CliText t = {0};
    if (c->error_field)
        cli_text_addf(&t, "expected \"%s\", got ", c->error_field);
    else
        cli_text_add(&t, "expected null (not a JSON object), got ");
    if (o->status != SVP_INVALID)
        cli_text_addf(&t, "no error (the record is %s)", test_verdict_names[o->status]);
    else if (field)
        cli_text_addf(&t, "\"%s\" (%s)", field, message ? message : "");
    else
        cli_text_addf(&t, "null (%s)", message ? message : "");
    mismatch(line, failures, "error_field", c->error_field ? cJSON_CreateString(c->error_field) : cJSON_CreateNull(),
             o->status == SVP_INVALID && field ? cJSON_CreateString(field) : NULL, t.s);
    free(t.s);
}

/* What came, for --format json: verdict, rules fired, decisions, error. */
static cJSON *got_json(const Outcome *o)
{
    cJSON *got = cli_need(cJSON_CreateObject());
    cJSON_AddStringToObject(got, "verdict", test_verdict_names[o->status]);
    cJSON *list = fired_json(o);
    cJSON_AddItemToObject(got, "fires", list ? list : cJSON_CreateNull());
    if (o->status == SVP_INVALID) {
        cJSON_AddNullToObject(got, "decisions");
        cJSON *error = cli_need(cJSON_AddObjectToObject(got, "error"));
        const char *field = svp_result_error_field(o->r);
        cJSON_AddItemToObject(error, "field", field ? cJSON_CreateString(field) : cJSON_CreateNull());
        cJSON_AddStringToObject(error, "message", svp_result_error_message(o->r));
    } else {
        cJSON *decisions = cli_need(cJSON_AddObjectToObject(got, "decisions"));
        for (size_t i = 0; i < svp_result_decision_count(o->r); i++)
            cJSON_AddRawToObject(decisions, svp_result_decision_name(o->r, i),
                                 cli_need((void *)svp_result_decision_json(o->ev, o->r, i)));
        cJSON_AddNullToObject(got, "error");
    }
    return got;
}

/* Evaluate c under pol and read what came of it. */
static void outcome_read(Outcome *o, const TestCase *c, TestPolicy *pol)
{
    memset(o, 0, sizeof *o);
    o->ev = pol->ev;
    o->r = svp_evaluate(pol->ev, c->record, strlen(c->record), 1, false);
    o->status = svp_result_status(o->r);
    size_t n = svp_result_finding_count(o->r);
    o->fired = cli_alloc((n + 1) * sizeof *o->fired);
    for (size_t i = 0; i < n; i++)
        o->fired[o->nfired++] = svp_result_finding_rule(o->r, i);
    if (o->status == SVP_INVALID) {
        const char *field = svp_result_error_field(o->r);
        cli_text_addf(&o->error, "%s%s%s", field ? field : "", field ? ": " : "", svp_result_error_message(o->r));
    }
}

void test_run_case(TestRun *run, const TestFile *tf, const TestCase *c, TestPolicy *pol)
{
    Outcome o;
    outcome_read(&o, c, pol);
    if (o.status != SVP_INVALID)
        note_coverage(pol, o.r);
    const char *id = svp_result_id(o.r);
    CliText line = {0};
    cJSON *failures = cli_need(cJSON_CreateArray());
    expect_verdict(c, &o, &line, failures);
    expect_fires(c, &o, pol, &line, failures);
    expect_decisions(c, &o, &line, failures);
    expect_error_field(c, &o, &line, failures);
    bool passed = cJSON_GetArraySize(failures) == 0;
    /* An unexpected invalid record: say why it was invalid. */
    if (!passed && o.status == SVP_INVALID && c->verdict != SVP_INVALID && !c->has_error_field)
        cli_text_addf(&line, "; the record is invalid: %s", o.error.s ? o.error.s : "");
    if (passed)
        run->passed++;
    else
        run->failed++;
    if (!passed && !run->json)
        printf("FAIL %s: %s [%s]: %s\n", tf->path, c->name, id ? id : "no id", line.s);
    if (run->json) {
        cJSON *jc = cli_need(cJSON_CreateObject());
        cJSON_AddStringToObject(jc, "file", tf->path);
        cJSON_AddStringToObject(jc, "name", c->name);
        cJSON_AddItemToObject(jc, "id", id ? cJSON_CreateString(id) : cJSON_CreateNull());
        cJSON_AddBoolToObject(jc, "passed", passed);
        cJSON_AddItemToObject(jc, "failures", failures);
        failures = NULL;
        cJSON_AddItemToObject(jc, "got", got_json(&o));
        cJSON_AddItemToArray(run->jcases, jc);
    }
    cJSON_Delete(failures);
    free(o.fired);
    free(o.error.s);
    free(line.s);
}
