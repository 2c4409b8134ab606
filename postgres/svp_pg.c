/*
 * svp_pg.c - svp inside PostgreSQL: the SQL functions of the svp extension.
 *
 * A council's registers live in a database; this module lets a query judge
 * them where they are: svp_eval(policy, record) gives the result `svp eval`
 * gives, svp_compliant(policy, record) its verdict as a boolean, and
 * svp_check(policy) the diagnostics of `svp check` as rows.  It is a thin
 * client of engine/svp.h, like the command: everything it knows about
 * policies comes from the library (linked in statically, built with -fPIC).
 *
 * Exactness: a jsonb keeps numbers as exact decimals, so the record goes to
 * the library as the jsonb's own text (JsonbToCString, numeric_out's digits),
 * never through a double; the library then reads each number digit by digit
 * as it does for a file.
 *
 * Compiled policies are cached per backend (each parallel worker is its own
 * process with its own cache), keyed by a 64-bit hash of the policy text and
 * confirmed by comparing the text itself, so a hash collision can never pick
 * the wrong policy.  The cache holds at most SVP_PG_CACHE policies (least
 * recently used goes first), each with one evaluator.  The library and cJSON
 * allocate with malloc, outside PostgreSQL's memory contexts: every such
 * object either lives in the cache or is freed before an SQL error can jump
 * out of the function (PG_FINALLY where palloc could raise one).
 *
 * The functions are IMMUTABLE: the result depends only on the policy text
 * and the record (a single policy's evaluation reads no clock), and PARALLEL
 * SAFE: a worker's cache is private to it.  The review reminder of `svp
 * check`, which depends on today's date, is not part of svp_check.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include <stdlib.h>
#include <string.h>

#include "svp.h"

PG_MODULE_MAGIC;

/* How many compiled policies one backend keeps. */
#define SVP_PG_CACHE 16

/* What diagnostics call a policy given as text. */
#define SVP_PG_POLICY_NAME "policy"

/* One cached policy: its text (malloc'd copy, to confirm a hash match),
 * the compiled policy and an evaluator over it. */
typedef struct PolicyEntry {
    uint64 hash;
    char *text;
    size_t len;
    svp_policy *policy;
    svp_evaluator *ev;
    uint64 last_used;           /* the cache clock when last looked up */
} PolicyEntry;

static PolicyEntry cache[SVP_PG_CACHE];
static int cache_used;
static uint64 cache_clock;

/* Free everything entry e holds and mark it empty. */
static void entry_clear(PolicyEntry *e)
{
    svp_evaluator_free(e->ev);
    svp_policy_free(e->policy);
    free(e->text);
    memset(e, 0, sizeof *e);
}

/* The first error of d as "line:column: message" in a palloc'd string (or
 * a general phrase when there is none to name). */
static char *first_error(const svp_diagnostics *d)
{
    for (size_t i = 0; d && i < svp_diagnostics_count(d); i++) {
        const svp_diagnostic *g = svp_diagnostics_get(d, i);
        if (g->severity == SVP_ERROR)
            return psprintf("%u:%u: %s", g->line, g->column, g->message);
    }
    return pstrdup("the policy has errors");
}

/* Compile text[0, len) or raise an SQL error carrying its diagnostics: the
 * first error in the message, every diagnostic (rendered as `svp check`
 * renders them) in the detail.  Returns the compiled policy (malloc'd, the
 * caller's). */
static svp_policy *compile_or_error(const char *text, size_t len)
{
    svp_diagnostics *diags = NULL;
    svp_policy *p = svp_policy_compile(SVP_PG_POLICY_NAME, text, len, NULL, &diags);
    if (p) {
        svp_diagnostics_free(diags);
        return p;
    }
    if (!diags)
        ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
                        errmsg("svp: out of memory compiling the policy")));
    /* Copy into palloc'd memory, then free the library's, then raise. */
    char *first = NULL, *detail = NULL;
    char *rendered = svp_diagnostics_render(diags, false);
    PG_TRY();
    {
        first = first_error(diags);
        detail = rendered ? pstrdup(rendered) : NULL;
    }
    PG_FINALLY();
    {
        svp_string_free(rendered);
        svp_diagnostics_free(diags);
    }
    PG_END_TRY();
    if (detail) {
        size_t n = strlen(detail);
        if (n > 0 && detail[n - 1] == '\n')
            detail[n - 1] = '\0';
    }
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("svp: the policy does not compile: %s", first),
                    detail ? errdetail("%s", detail) : 0));
    return NULL;                /* not reached */
}

/* The cache entry for the policy text[0, len), compiling it (and evicting
 * the least recently used entry when the cache is full) on a miss.  Raises
 * an SQL error when the policy does not compile or memory runs out; the
 * cache is left consistent either way. */
static PolicyEntry *policy_for(const char *text, size_t len)
{
    uint64 hash = hash_bytes_extended((const unsigned char *)text, (int)len, 0);
    cache_clock++;
    for (int i = 0; i < cache_used; i++) {
        PolicyEntry *e = &cache[i];
        if (e->hash == hash && e->len == len && memcmp(e->text, text, len) == 0) {
            e->last_used = cache_clock;
            return e;
        }
    }

    svp_policy *p = compile_or_error(text, len);
    svp_evaluator *ev = svp_evaluator_new(p, NULL);
    char *copy = malloc(len + 1);
    if (!ev || !copy) {
        svp_evaluator_free(ev);
        svp_policy_free(p);
        free(copy);
        ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
                        errmsg("svp: out of memory caching the policy")));
    }
    memcpy(copy, text, len);
    copy[len] = '\0';

    PolicyEntry *slot;
    if (cache_used < SVP_PG_CACHE) {
        slot = &cache[cache_used++];
    } else {
        slot = &cache[0];
        for (int i = 1; i < SVP_PG_CACHE; i++)
            if (cache[i].last_used < slot->last_used)
                slot = &cache[i];
        entry_clear(slot);
    }
    slot->hash = hash;
    slot->text = copy;
    slot->len = len;
    slot->policy = p;
    slot->ev = ev;
    slot->last_used = cache_clock;
    return slot;
}

/* How the record argument is given: jsonb, or text (read as written). */
typedef enum RecordKind { RECORD_JSONB, RECORD_TEXT } RecordKind;

/* Evaluate the function's record (argument 1, of the given kind) under its
 * policy (argument 0).  The result belongs to the cached evaluator, valid
 * until the next evaluation in this backend; *ev_out receives that
 * evaluator. */
static const svp_result *evaluate_args(FunctionCallInfo fcinfo, RecordKind kind,
                                       svp_evaluator **ev_out)
{
    text *policy = PG_GETARG_TEXT_PP(0);
    PolicyEntry *e = policy_for(VARDATA_ANY(policy), VARSIZE_ANY_EXHDR(policy));
    const char *json;
    size_t len;
    if (kind == RECORD_JSONB) {
        /* The record as jsonb_out prints it: numbers keep their exact
         * digits. */
        Jsonb *record = PG_GETARG_JSONB_P(1);
        json = JsonbToCString(NULL, &record->root, VARSIZE(record));
        len = strlen(json);
    } else {
        text *record = PG_GETARG_TEXT_PP(1);
        json = VARDATA_ANY(record);
        len = VARSIZE_ANY_EXHDR(record);
    }
    *ev_out = e->ev;
    return svp_evaluate(e->ev, json, len, 1, false);
}

/* The result's JSON line without its newline, palloc'd and NUL-terminated. */
static char *result_json(FunctionCallInfo fcinfo, RecordKind kind)
{
    svp_evaluator *ev;
    const svp_result *r = evaluate_args(fcinfo, kind, &ev);
    size_t len = 0;
    const char *out = svp_result_json(ev, r, &len);
    if (!out)
        ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
                        errmsg("svp: out of memory writing the result")));
    if (len > 0 && out[len - 1] == '\n')
        len--;
    return pnstrdup(out, len);
}

PG_FUNCTION_INFO_V1(svp_pg_eval);
PG_FUNCTION_INFO_V1(svp_pg_eval_raw);
/* svp_eval(policy text, record jsonb or text) returns jsonb: the result of
 * `svp eval` for the record. */
Datum svp_pg_eval(PG_FUNCTION_ARGS)
{
    char *json = result_json(fcinfo, RECORD_JSONB);
    PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(json)));
}
Datum svp_pg_eval_raw(PG_FUNCTION_ARGS)
{
    char *json = result_json(fcinfo, RECORD_TEXT);
    PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(json)));
}

PG_FUNCTION_INFO_V1(svp_pg_eval_text);
PG_FUNCTION_INFO_V1(svp_pg_eval_text_raw);
/* svp_eval_text(policy text, record jsonb or text) returns text: the same
 * result as the exact line `svp eval` writes (without the newline). */
Datum svp_pg_eval_text(PG_FUNCTION_ARGS)
{
    PG_RETURN_TEXT_P(cstring_to_text(result_json(fcinfo, RECORD_JSONB)));
}
Datum svp_pg_eval_text_raw(PG_FUNCTION_ARGS)
{
    PG_RETURN_TEXT_P(cstring_to_text(result_json(fcinfo, RECORD_TEXT)));
}

PG_FUNCTION_INFO_V1(svp_pg_compliant);
PG_FUNCTION_INFO_V1(svp_pg_compliant_raw);
/* svp_compliant(policy text, record jsonb or text) returns boolean: true
 * only for a compliant record (non-compliant and invalid records are
 * false). */
Datum svp_pg_compliant(PG_FUNCTION_ARGS)
{
    svp_evaluator *ev;
    PG_RETURN_BOOL(svp_result_status(evaluate_args(fcinfo, RECORD_JSONB, &ev)) == SVP_COMPLIANT);
}
Datum svp_pg_compliant_raw(PG_FUNCTION_ARGS)
{
    svp_evaluator *ev;
    PG_RETURN_BOOL(svp_result_status(evaluate_args(fcinfo, RECORD_TEXT, &ev)) == SVP_COMPLIANT);
}

/* The SQL name of a severity. */
static const char *severity_name(svp_severity s)
{
    switch (s) {
    case SVP_ERROR: return "error";
    case SVP_WARNING: return "warning";
    default: return "note";
    }
}

PG_FUNCTION_INFO_V1(svp_pg_check);
/* svp_check(policy text) returns setof svp_diagnostic: every diagnostic of
 * compiling the policy, in the order `svp check` prints them.  A broken
 * policy is rows, not an error; running out of memory is an error. */
Datum svp_pg_check(PG_FUNCTION_ARGS)
{
    text *policy = PG_GETARG_TEXT_PP(0);
    ReturnSetInfo *rsinfo = (ReturnSetInfo *)fcinfo->resultinfo;
    InitMaterializedSRF(fcinfo, 0);

    svp_diagnostics *diags = NULL;
    svp_policy *p = svp_policy_compile(SVP_PG_POLICY_NAME, VARDATA_ANY(policy),
                                       VARSIZE_ANY_EXHDR(policy), NULL, &diags);
    svp_policy_free(p);
    if (!diags)
        ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
                        errmsg("svp: out of memory compiling the policy")));

    /* Copy every row's values out, the library's memory freed whatever
     * happens (palloc can raise an error). */
    size_t n = svp_diagnostics_count(diags);
    Datum *rows = NULL;
    PG_TRY();
    {
        rows = palloc_array(Datum, n * 5 + 1);
        for (size_t i = 0; i < n; i++) {
            const svp_diagnostic *g = svp_diagnostics_get(diags, i);
            Datum *v = &rows[i * 5];
            v[0] = CStringGetTextDatum(severity_name(g->severity));
            v[1] = CStringGetTextDatum(g->code ? g->code : "");
            v[2] = Int32GetDatum((int32)g->line);
            v[3] = Int32GetDatum((int32)g->column);
            v[4] = CStringGetTextDatum(g->message ? g->message : "");
        }
    }
    PG_FINALLY();
    {
        svp_diagnostics_free(diags);
    }
    PG_END_TRY();

    bool nulls[5] = {false, false, false, false, false};
    for (size_t i = 0; i < n; i++)
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &rows[i * 5], nulls);
    return (Datum)0;
}
