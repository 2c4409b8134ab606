/*
 * serve_api.c - the JSON API of `svp serve`, under /api/ (README, "The
 * officer's desk").  The page uses nothing else.
 *
 *   GET  /api/form            the record declaration the form is built from
 *   POST /api/evaluate        a record -> the line `svp eval --partial --format json` prints
 *   POST /api/records         save a record: a new revision and a decision-log entry
 *   GET  /api/records         the register, latest revisions (?stage= &verdict= &decision= &value= &q=)
 *   GET  /api/records/{id}    one record, every revision and its decision log
 *   GET  /api/export.jsonl    the register as JSON Lines (latest revisions)
 *   GET  /api/export.csv      the register as CSV, a column per field
 *   POST /api/import          JSON Lines, one record a line, saved in one transaction;
 *                             ?mapping=NAME: what an --import mapping reads (OCDS, CSV)
 *   GET  /api/portfolio       the portfolio rules over the register
 *
 * Requests reach here having passed serve.c's checks (Host, Origin,
 * content type, size).  The evaluator and the register are used under the
 * server's lock, one request at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

static void text_puts(ServeText *t, const char *s) { serve_text_add(t, s, strlen(s)); }

/* ---- Evaluation ------------------------------------------------------------ */

const svp_result *serve_evaluate(Server *S, const char *text, size_t len, const char **line, size_t *line_len,
                                 size_t *policy)
{
    /* The one place the server evaluates: `svp eval --partial` with one
     * record, so that an incomplete record gets its checklist. */
    const svp_result *r = svp_evaluate_with(S->ev, text, len, 1, SVP_EVAL_PARTIAL);
    *line = svp_result_json(S->ev, r, line_len);
    const svp_policy *p = svp_result_policy(r);
    *policy = 0;
    for (size_t i = 0; i < S->versions.n; i++)
        if (S->versions.policies[i] == p)
            *policy = i;
    return *line ? r : NULL;
}

/* The verdict a result line gives: invalid, compliant, non-compliant, or
 * incomplete (a partial evaluation that could not decide). */
static const char *verdict_of(const cJSON *result)
{
    if (cJSON_GetObjectItem(result, "error"))
        return "invalid";
    const cJSON *c = cJSON_GetObjectItem(result, "compliant");
    if (cJSON_IsTrue(c))
        return "compliant";
    if (cJSON_IsFalse(c))
        return "non-compliant";
    return "incomplete";
}

/* The record's JSON text without layout (outside strings), so that each
 * saved record is one line of JSON Lines: whitespace between tokens is
 * dropped, every token kept as written (numbers keep their own digits). */
static char *compact_json(const char *s, size_t n)
{
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    bool in_string = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_string) {
            *o++ = c;
            if (c == '\\' && i + 1 < n)
                *o++ = s[++i];
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
            *o++ = c;
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            *o++ = c;
        }
    }
    *o = '\0';
    return out;
}

static void release_save(ServeSave *save)
{
    free((char *)save->record_id);
    free((char *)save->record);
    free((char *)save->result);
    memset(save, 0, sizeof *save);
}

/* One record of a save or an import, checked and evaluated: what the
 * register keeps (release it with release_save).  False, with nothing
 * kept and the message in err, when the record cannot be saved. */
static bool prepare_save(Server *S, const char *text, size_t len, ServeSave *save, char *err, size_t errlen)
{
    memset(save, 0, sizeof *save);
    cJSON *j = cJSON_ParseWithLength(text, len);
    bool object = cJSON_IsObject(j);
    cJSON_Delete(j);
    if (!object) {
        snprintf(err, errlen, "a record to save is a JSON object");
        return false;
    }
    char *record = compact_json(text, len);
    const char *line = NULL;
    size_t line_len = 0, policy = 0;
    const svp_result *r = record ? serve_evaluate(S, record, strlen(record), &line, &line_len, &policy) : NULL;
    const char *id = r ? svp_result_id(r) : NULL;
    if (!r || !id || !*id) {
        snprintf(err, errlen, r ? "the record has no reference (its id): give one before saving" : "out of memory");
        free(record);
        return false;
    }
    cJSON *result = cJSON_ParseWithLength(line, line_len);
    save->record_id = strdup(id);
    save->record = record;
    save->result = strndup(line, line_len && line[line_len - 1] == '\n' ? line_len - 1 : line_len);
    save->verdict = verdict_of(result);
    cJSON_Delete(result);
    const svp_policy *p = S->versions.policies[policy];
    save->policy_name = svp_policy_name(p);
    save->policy_version = svp_policy_version(p);
    save->policy_sha256 = S->sha256[policy];
    if (!save->record_id || !save->result) {
        snprintf(err, errlen, "out of memory");
        release_save(save);
        return false;
    }
    return true;
}

/* ---- Handlers ----------------------------------------------------------------- */

static enum MHD_Result api_evaluate(Server *S, const ServeRequest *rq)
{
    if (rq->body_len == 0)
        return serve_respond_error(rq->conn, 400, "the request has no body: send the record as JSON");
    pthread_mutex_lock(&S->lock);
    const char *line = NULL;
    size_t len = 0, policy;
    const svp_result *r = serve_evaluate(S, rq->body, rq->body_len, &line, &len, &policy);
    enum MHD_Result ok = r ? serve_respond(rq->conn, 200, "application/json", line, len)
                           : serve_respond_error(rq->conn, 500, "out of memory");
    pthread_mutex_unlock(&S->lock);
    return ok;
}

static enum MHD_Result api_save(Server *S, const ServeRequest *rq)
{
    char err[256];
    ServeSave save;
    pthread_mutex_lock(&S->lock);
    bool ok = prepare_save(S, rq->body, rq->body_len, &save, err, sizeof err);
    long revision = 0;
    bool saved = ok && serve_db_save(S->db, &save, 1, &revision, err, sizeof err);
    pthread_mutex_unlock(&S->lock);
    enum MHD_Result res;
    if (saved) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "id", save.record_id);
        cJSON_AddNumberToObject(j, "revision", (double)revision);
        cJSON_AddStringToObject(j, "verdict", save.verdict);
        cJSON_AddItemToObject(j, "result", cJSON_Parse(save.result));
        res = serve_respond_json(rq->conn, 201, j);
    } else {
        res = serve_respond_error(rq->conn, ok ? 500 : 400, err);
    }
    release_save(&save);
    return res;
}

static const char *arg(const ServeRequest *rq, const char *name)
{
    const char *v = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
    return v && *v ? v : NULL;
}

static bool is_name(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
            return false;
    return true;
}

static enum MHD_Result api_list(Server *S, const ServeRequest *rq)
{
    ServeFilter f = {0};
    f.stage = arg(rq, "stage");
    f.verdict = arg(rq, "verdict");
    f.decision = arg(rq, "decision");
    f.decision_value = arg(rq, "value");
    f.search = arg(rq, "q");
    if (f.decision && !is_name(f.decision))
        return serve_respond_error(rq->conn, 400, "decision= takes a decision's name");
    char err[256];
    pthread_mutex_lock(&S->lock);
    f.stage_path = f.stage ? S->stage_field : NULL;
    cJSON *list = serve_db_list(S->db, &f, err, sizeof err);
    pthread_mutex_unlock(&S->lock);
    if (!list)
        return serve_respond_error(rq->conn, 500, err);
    return serve_respond_json(rq->conn, 200, list);
}

static enum MHD_Result api_form(Server *S, const ServeRequest *rq)
{
    return serve_respond(rq->conn, 200, "application/json", S->form_json, strlen(S->form_json));
}

/* GET /api/records/{id} */
static enum MHD_Result api_get(Server *S, const ServeRequest *rq)
{
    const char *id = rq->url + strlen("/api/records/");
    char err[256];
    bool found = false;
    pthread_mutex_lock(&S->lock);
    cJSON *j = serve_db_get(S->db, id, &found, err, sizeof err);
    pthread_mutex_unlock(&S->lock);
    if (!j)
        return found ? serve_respond_error(rq->conn, 500, err) : serve_respond_error(rq->conn, 404, "no record with this reference in the register");
    return serve_respond_json(rq->conn, 200, j);
}

static void export_line(void *ctx, const char *id, const char *record, long revision, const char *saved_at,
                        const char *result)
{
    (void)id, (void)revision, (void)saved_at, (void)result;
    text_puts(ctx, record);
    text_puts(ctx, "\n");
}

/* Answer with what a register walk built, or the walk's failure. */
static enum MHD_Result respond_text(const ServeRequest *rq, bool ok, ServeText *t, const char *type, const char *err)
{
    enum MHD_Result res;
    if (!ok)
        res = serve_respond_error(rq->conn, 500, err);
    else if (t->failed)
        res = serve_respond_error(rq->conn, 500, "out of memory");
    else
        res = serve_respond(rq->conn, 200, type, t->data ? t->data : "", t->len);
    free(t->data);
    return res;
}

static enum MHD_Result api_export_jsonl(Server *S, const ServeRequest *rq)
{
    ServeText t = {0};
    char err[256];
    pthread_mutex_lock(&S->lock);
    bool ok = serve_db_each_latest(S->db, export_line, &t, err, sizeof err);
    pthread_mutex_unlock(&S->lock);
    return respond_text(rq, ok, &t, "application/x-ndjson; charset=utf-8", err);
}

/* ---- CSV: a column per field of the record, then the verdict and the
 * decisions. -------------------------------------------------------------- */

typedef struct CsvRun {
    ServeText out;
    const cJSON *fields;
    cJSON *decisions; /* names, in the order first met */
    bool header_done;
} CsvRun;

/* One CSV cell: quoted, quotes doubled; a text a spreadsheet would run
 * as a formula (=, +, -, @ first) starts with an apostrophe. */
static void csv_cell(ServeText *t, const char *s, bool first)
{
    if (!first)
        text_puts(t, ",");
    text_puts(t, "\"");
    if (strchr("=+-@\t\r", s[0]) && s[0])
        text_puts(t, "'");
    for (const char *c = s; *c; c++)
        serve_text_add(t, *c == '"' ? "\"\"" : c, *c == '"' ? 2 : 1);
    text_puts(t, "\"");
}

/* The value at a dotted path of a record, NULL when absent. */
static const cJSON *at_path(const cJSON *record, const char *path)
{
    char key[256];
    const cJSON *j = record;
    while (j && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        j = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, key) : NULL;
        path += n + (path[n] == '.');
    }
    return j;
}

/* A cell's text for a JSON value: a string as it is, a list of strings
 * joined with "; ", anything else as JSON. */
static char *cell_text(const cJSON *v)
{
    if (!v || cJSON_IsNull(v))
        return strdup("");
    if (cJSON_IsString(v))
        return strdup(v->valuestring);
    if (cJSON_IsArray(v)) {
        bool strings = true;
        for (const cJSON *e = v->child; e; e = e->next)
            strings = strings && cJSON_IsString(e);
        if (strings) {
            ServeText t = {0};
            for (const cJSON *e = v->child; e; e = e->next) {
                if (e != v->child)
                    text_puts(&t, "; ");
                text_puts(&t, e->valuestring);
            }
            return t.data ? t.data : strdup("");
        }
    }
    return cJSON_PrintUnformatted(v);
}

static void csv_decision_names(void *ctx, const char *id, const char *record, long revision, const char *saved_at,
                               const char *result)
{
    (void)id, (void)record, (void)revision, (void)saved_at;
    CsvRun *run = ctx;
    cJSON *r = cJSON_Parse(result);
    for (const cJSON *d = cJSON_GetObjectItem(r, "decisions") ? cJSON_GetObjectItem(r, "decisions")->child : NULL; d;
         d = d->next) {
        bool known = false;
        for (const cJSON *n = run->decisions->child; n; n = n->next)
            known = known || !strcmp(n->valuestring, d->string);
        if (!known)
            cJSON_AddItemToArray(run->decisions, cJSON_CreateString(d->string));
    }
    cJSON_Delete(r);
}

static void csv_row(void *ctx, const char *id, const char *record, long revision, const char *saved_at,
                    const char *result)
{
    CsvRun *run = ctx;
    ServeText *t = &run->out;
    if (!run->header_done) {
        csv_cell(t, "id", true);
        csv_cell(t, "revision", false);
        csv_cell(t, "saved_at", false);
        csv_cell(t, "verdict", false);
        for (const cJSON *f = run->fields->child; f; f = f->next)
            csv_cell(t, cJSON_GetStringValue(cJSON_GetObjectItem(f, "path")), false);
        for (const cJSON *n = run->decisions->child; n; n = n->next)
            csv_cell(t, n->valuestring, false);
        text_puts(t, "\r\n");
        run->header_done = true;
    }
    cJSON *rec = cJSON_Parse(record), *res = cJSON_Parse(result);
    char rev[32];
    snprintf(rev, sizeof rev, "%ld", revision);
    csv_cell(t, id, true);
    csv_cell(t, rev, false);
    csv_cell(t, saved_at, false);
    csv_cell(t, verdict_of(res), false);
    for (const cJSON *f = run->fields->child; f; f = f->next) {
        char *cell = cell_text(at_path(rec, cJSON_GetStringValue(cJSON_GetObjectItem(f, "path"))));
        csv_cell(t, cell ? cell : "", false);
        free(cell);
    }
    const cJSON *decisions = cJSON_GetObjectItem(res, "decisions");
    for (const cJSON *n = run->decisions->child; n; n = n->next) {
        char *cell = cell_text(cJSON_GetObjectItem(decisions, n->valuestring));
        csv_cell(t, cell ? cell : "", false);
        free(cell);
    }
    text_puts(t, "\r\n");
    cJSON_Delete(rec);
    cJSON_Delete(res);
}

static enum MHD_Result api_export_csv(Server *S, const ServeRequest *rq)
{
    CsvRun run = {{0}, S->fields, cJSON_CreateArray(), false};
    char err[256];
    pthread_mutex_lock(&S->lock);
    bool ok = run.decisions && serve_db_each_latest(S->db, csv_decision_names, &run, err, sizeof err) &&
              serve_db_each_latest(S->db, csv_row, &run, err, sizeof err);
    pthread_mutex_unlock(&S->lock);
    cJSON_Delete(run.decisions);
    return respond_text(rq, ok, &run.out, "text/csv; charset=utf-8", err);
}

/* ---- Import: JSON Lines, every line a record, all saved or none. --------- */

/* Save every record of JSON Lines text[0, len) in one transaction, and
 * answer: what was saved, and (from an import mapping) what was left out. */
static enum MHD_Result import_lines(Server *S, const ServeRequest *rq, const char *text, size_t len, cJSON *left_out)
{
    size_t cap = 16, n = 0;
    ServeSave *saves = calloc(cap, sizeof *saves);
    char err[256] = "", msg[400] = "";
    unsigned long line_no = 0;
    bool ok = saves != NULL;
    pthread_mutex_lock(&S->lock);
    for (const char *p = text, *end = text + len; ok && p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t line_len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        line_no++;
        if (!cli_blank_line(p, line_len)) {
            if (n == cap) {
                ServeSave *more = realloc(saves, 2 * cap * sizeof *saves);
                ok = more != NULL;
                if (ok) {
                    saves = more;
                    cap *= 2;
                }
            }
            size_t record_len = line_len && p[line_len - 1] == '\r' ? line_len - 1 : line_len; /* CRLF */
            if (ok && !(ok = prepare_save(S, p, record_len, &saves[n], err, sizeof err)))
                snprintf(msg, sizeof msg, "line %lu: %s; nothing was imported", line_no, err);
            n += ok;
        }
        p += line_len + (nl != NULL);
    }
    long *revisions = ok ? calloc(n + 1, sizeof *revisions) : NULL;
    if (ok && n == 0) {
        ok = false;
        snprintf(msg, sizeof msg, "no records to import: send JSON Lines, one record a line");
    } else if (ok && !(revisions && serve_db_save(S->db, saves, n, revisions, err, sizeof err))) {
        ok = false;
        snprintf(msg, sizeof msg, "%s; nothing was imported", revisions ? err : "out of memory");
    }
    pthread_mutex_unlock(&S->lock);
    enum MHD_Result res;
    if (ok) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "imported", (double)n);
        cJSON *list = cJSON_AddArrayToObject(j, "records");
        for (size_t i = 0; i < n; i++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddItemToArray(list, e);
            cJSON_AddStringToObject(e, "id", saves[i].record_id);
            cJSON_AddNumberToObject(e, "revision", (double)revisions[i]);
            cJSON_AddStringToObject(e, "verdict", saves[i].verdict);
        }
        if (left_out)
            cJSON_AddItemToObject(j, "left_out", left_out);
        left_out = NULL;
        res = serve_respond_json(rq->conn, 201, j);
    } else {
        res = serve_respond_error(rq->conn, msg[0] ? 400 : 500, msg[0] ? msg : "out of memory");
    }
    cJSON_Delete(left_out);
    for (size_t i = 0; i < n; i++)
        release_save(&saves[i]);
    free(saves);
    free(revisions);
    return res;
}

/* What an import mapping gives: records as JSON Lines, and each item left
 * out with its reason. */
typedef struct MappedImport {
    ServeText records;
    cJSON *left_out;
} MappedImport;

static void mapped_record(void *ctx, const char *json, size_t len)
{
    serve_text_add(&((MappedImport *)ctx)->records, json, len);
}

static void mapped_left_out(void *ctx, const char *input, const char *item, const char *reason)
{
    (void)input;
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "item", item ? item : "");
    cJSON_AddStringToObject(e, "reason", reason ? reason : "");
    cJSON_AddItemToArray(((MappedImport *)ctx)->left_out, e);
}

/* POST /api/import: JSON Lines of records, or (?mapping=NAME) what an
 * import mapping given with --import reads: OCDS notices, a CSV register. */
static enum MHD_Result api_import(Server *S, const ServeRequest *rq)
{
    const char *name = arg(rq, "mapping");
    if (!name)
        return import_lines(S, rq, rq->body, rq->body_len, NULL);
    const svp_mapping *m = NULL;
    for (size_t i = 0; i < S->nmappings; i++)
        if (!strcmp(S->mapping_names[i], name))
            m = S->mappings[i];
    if (!m)
        return serve_respond_error(rq->conn, 400, "no such import mapping: the server was started without it (--import)");
    MappedImport out = {{0}, cJSON_CreateArray()};
    svp_import_sink sink = {mapped_record, mapped_left_out, &out};
    svp_import *im = out.left_out ? svp_import_new(m, &sink, NULL) : NULL;
    FILE *in = rq->body_len ? fmemopen((void *)rq->body, rq->body_len, "r") : NULL;
    const char *error = NULL;
    char msg[400] = "";
    if (!im)
        snprintf(msg, sizeof msg, "out of memory");
    else if (!in)
        snprintf(msg, sizeof msg, "the request has no body: send what the mapping reads");
    else if (!svp_import_read(im, in, "upload", &error))
        snprintf(msg, sizeof msg, "%s", error ? error : "the upload cannot be read");
    else
        svp_import_finish(im);
    if (in)
        fclose(in);
    svp_import_free(im);
    enum MHD_Result res;
    if (msg[0] || out.records.failed) {
        cJSON_Delete(out.left_out);
        res = serve_respond_error(rq->conn, msg[0] ? 400 : 500, msg[0] ? msg : "out of memory");
    } else {
        res = import_lines(S, rq, out.records.data ? out.records.data : "", out.records.len, out.left_out);
    }
    free(out.records.data);
    return res;
}

/* ---- Portfolio: the newest version's portfolio rules over the register. -- */

typedef struct PortfolioRun {
    svp_evaluator *ev;
    svp_portfolio *pf;
} PortfolioRun;

static void portfolio_add(void *ctx, const char *id, const char *record, long revision, const char *saved_at,
                          const char *result)
{
    (void)id, (void)revision, (void)saved_at, (void)result;
    PortfolioRun *run = ctx;
    svp_evaluate_with(run->ev, record, strlen(record), 1, SVP_EVAL_PORTFOLIO_FIELDS);
    svp_portfolio_add(run->pf, run->ev);
    svp_evaluator_reset(run->ev);
}

static enum MHD_Result api_portfolio(Server *S, const ServeRequest *rq)
{
    PortfolioRun run = {svp_evaluator_new(S->newest, NULL), svp_portfolio_new(S->newest, NULL)};
    char err[256] = "out of memory";
    pthread_mutex_lock(&S->lock);
    bool ok = run.ev && run.pf && serve_db_each_latest(S->db, portfolio_add, &run, err, sizeof err);
    pthread_mutex_unlock(&S->lock);
    size_t len = 0;
    const char *out = ok ? svp_portfolio_json(run.pf, &len) : NULL;
    enum MHD_Result res = out ? serve_respond(rq->conn, 200, "application/json", out, len)
                              : serve_respond_error(rq->conn, 500, err);
    svp_portfolio_free(run.pf);
    svp_evaluator_free(run.ev);
    return res;
}

/* The endpoints: method, path (a prefix when it ends in '/'), handler. */
static const struct {
    const char *method, *path;
    enum MHD_Result (*handle)(Server *S, const ServeRequest *rq);
} routes[] = {
    {"GET", "form", api_form},
    {"POST", "evaluate", api_evaluate},
    {"POST", "records", api_save},
    {"GET", "records", api_list},
    {"GET", "records/", api_get},
    {"GET", "export.jsonl", api_export_jsonl},
    {"GET", "export.csv", api_export_csv},
    {"POST", "import", api_import},
    {"GET", "portfolio", api_portfolio},
};

enum MHD_Result serve_api(Server *S, const ServeRequest *rq)
{
    const char *path = rq->url + strlen("/api/");
    const char *method = strcmp(rq->method, "HEAD") ? rq->method : "GET";
    bool known = false;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        size_t n = strlen(routes[i].path);
        bool prefix = routes[i].path[n - 1] == '/';
        if (prefix ? strncmp(path, routes[i].path, n) || !path[n] : strcmp(path, routes[i].path))
            continue;
        if (!strcmp(method, routes[i].method))
            return routes[i].handle(S, rq);
        known = true;
    }
    return known ? serve_respond_error(rq->conn, 405, "this method is not allowed here")
                 : serve_respond_error(rq->conn, 404, "no such API endpoint");
}
