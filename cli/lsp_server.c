/*
 * lsp_server.c - the language server (LSP 3.17) behind `svp lsp`.
 *
 * JSON-RPC requests are read with the framing of lsp_protocol.c, parsed
 * with cJSON and dispatched by method name; everything the answers say
 * about the language comes from the library's index (svp.h, "Language
 * knowledge for editors"): this file only turns byte offsets into the
 * protocol's positions (lsp_documents.c) and back, and shapes JSON.
 * Diagnostics are published after every open and change, and are exactly
 * what `svp check` reports for the text: each note goes with the
 * diagnostic before it as related information, and the checks across
 * versions of the folder are added (lsp_versions.c).
 *
 * Whatever a client sends, the answer is a reply or nothing, never a
 * crash: a malformed header or body is a JSON-RPC parse error (id null),
 * an unknown method "method not found", a request about a document that
 * is not open "invalid params".
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsp.h"

/* JSON-RPC and LSP error codes. */
enum {
    PARSE_ERROR = -32700,
    INVALID_REQUEST = -32600,
    METHOD_NOT_FOUND = -32601,
    INVALID_PARAMS = -32602,
    INTERNAL_ERROR = -32603,
    SERVER_NOT_INITIALIZED = -32002,
    REQUEST_FAILED = -32803
};

struct LspServer {
    LspReader reader;
    LspWriteFn write;
    void *ctx;
    LspDocuments docs;
    char today[11];
    bool has_today;
    bool initialized, shut_down, exited;
};

LspServer *lsp_server_new(LspWriteFn write, void *ctx, const char *today)
{
    LspServer *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    lsp_reader_init(&s->reader);
    s->write = write;
    s->ctx = ctx;
    if (today) {
        snprintf(s->today, sizeof s->today, "%s", today);
        s->has_today = true;
    }
    return s;
}

void lsp_server_free(LspServer *s)
{
    if (!s)
        return;
    lsp_reader_free(&s->reader);
    lsp_docs_free(&s->docs);
    free(s);
}

int lsp_server_exit_status(const LspServer *s) { return s->exited && s->shut_down ? 0 : 1; }

/* ---- Sending ------------------------------------------------------------------ */

/* Send j (and free it). */
static void send_json(LspServer *s, cJSON *j)
{
    char *text = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    if (text)
        lsp_write_message(s->write, s->ctx, text, strlen(text));
    free(text);
}

static cJSON *message(const cJSON *id)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "jsonrpc", "2.0");
    cJSON_AddItemToObject(m, "id", id ? cJSON_Duplicate(id, true) : cJSON_CreateNull());
    return m;
}

static void reply(LspServer *s, const cJSON *id, cJSON *result)
{
    cJSON *m = message(id);
    cJSON_AddItemToObject(m, "result", result ? result : cJSON_CreateNull());
    send_json(s, m);
}

static void reply_error(LspServer *s, const cJSON *id, int code, const char *text)
{
    cJSON *m = message(id);
    cJSON *e = cJSON_AddObjectToObject(m, "error");
    cJSON_AddNumberToObject(e, "code", code);
    cJSON_AddStringToObject(e, "message", text);
    send_json(s, m);
}

static void notify(LspServer *s, const char *method, cJSON *params)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "jsonrpc", "2.0");
    cJSON_AddStringToObject(m, "method", method);
    cJSON_AddItemToObject(m, "params", params);
    send_json(s, m);
}

/* ---- Positions and ranges -------------------------------------------------------- */

static cJSON *position_json(const LspDocument *d, size_t offset)
{
    LspPosition p = lsp_doc_position(d, offset);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "line", (double)p.line);
    cJSON_AddNumberToObject(j, "character", (double)p.character);
    return j;
}

static cJSON *range_json(const LspDocument *d, size_t start, size_t end)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddItemToObject(r, "start", position_json(d, start));
    cJSON_AddItemToObject(r, "end", position_json(d, end));
    return r;
}

static cJSON *location_json(const LspDocument *d, size_t start, size_t end)
{
    cJSON *l = cJSON_CreateObject();
    cJSON_AddStringToObject(l, "uri", d->uri);
    cJSON_AddItemToObject(l, "range", range_json(d, start, end));
    return l;
}

static cJSON *edit_json(const LspDocument *d, size_t start, size_t end, const char *text)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddItemToObject(e, "range", range_json(d, start, end));
    cJSON_AddStringToObject(e, "newText", text);
    return e;
}

/* A whole number in [0, 2^31) from j, or -1. */
static long whole(const cJSON *j)
{
    if (!cJSON_IsNumber(j) || !(j->valuedouble >= 0) || j->valuedouble >= 2147483648.0)
        return -1;
    return (long)j->valuedouble;
}

static bool read_position(const cJSON *j, LspPosition *p)
{
    p->line = whole(cJSON_GetObjectItemCaseSensitive(j, "line"));
    p->character = whole(cJSON_GetObjectItemCaseSensitive(j, "character"));
    return p->line >= 0 && p->character >= 0;
}

static const char *text_of(const cJSON *j, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- Diagnostics ----------------------------------------------------------------------- */

static cJSON *diagnostic_json(const LspDocument *d, const svp_diagnostic *g)
{
    cJSON *j = cJSON_CreateObject();
    size_t start = g->line ? g->start : 0, end = g->line ? g->end : 0;
    cJSON_AddItemToObject(j, "range", range_json(d, start, end));
    cJSON_AddNumberToObject(j, "severity", g->severity == SVP_ERROR ? 1 : g->severity == SVP_WARNING ? 2 : 3);
    cJSON_AddStringToObject(j, "code", g->code);
    cJSON_AddStringToObject(j, "source", "svp");
    cJSON_AddStringToObject(j, "message", g->message);
    return j;
}

/* Every diagnostic of d as the protocol has them: a note becomes related
 * information of the diagnostic before it. */
static cJSON *diagnostics_json(LspServer *s, LspDocument *d)
{
    cJSON *list = cJSON_CreateArray();
    cJSON *last = NULL;
    size_t shown = 0;
    for (size_t i = 0; i < svp_diagnostics_count(d->diags); i++) {
        const svp_diagnostic *g = svp_diagnostics_get(d->diags, i);
        if (g->severity == SVP_NOTE && last) {
            cJSON *related = cJSON_GetObjectItemCaseSensitive(last, "relatedInformation");
            if (!related)
                related = cJSON_AddArrayToObject(last, "relatedInformation");
            cJSON *r = cJSON_CreateObject();
            cJSON_AddItemToObject(r, "location", location_json(d, g->start, g->end));
            cJSON_AddStringToObject(r, "message", g->message);
            cJSON_AddItemToArray(related, r);
            continue;
        }
        last = diagnostic_json(d, g);
        cJSON_AddItemToArray(list, last);
        shown += g->severity != SVP_NOTE;
    }
    size_t total = svp_diagnostics_errors(d->diags) + svp_diagnostics_warnings(d->diags);
    if (total > shown) { /* as `svp check` ends its list */
        char text[160];
        snprintf(text, sizeof text, "%zu more diagnostics not shown (svp shows the first 200)", total - shown);
        svp_diagnostic more = {.severity = SVP_NOTE, .code = "limit", .message = text};
        cJSON_AddItemToArray(list, diagnostic_json(d, &more));
    }
    if (!d->index) {
        svp_diagnostic oom = {.severity = SVP_ERROR, .code = "oom", .message = "out of memory while checking the policy"};
        cJSON_AddItemToArray(list, diagnostic_json(d, &oom));
    }
    lsp_version_diagnostics(&s->docs, d, s->has_today ? s->today : NULL, list);
    return list;
}

static void publish(LspServer *s, LspDocument *d)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "uri", d->uri);
    cJSON_AddNumberToObject(p, "version", (double)d->version);
    cJSON_AddItemToObject(p, "diagnostics", diagnostics_json(s, d));
    notify(s, "textDocument/publishDiagnostics", p);
}

/* The other open versions in d's folder see d's change too. */
static void publish_folder(LspServer *s, LspDocument *d)
{
    publish(s, d);
    const char *slash = strrchr(d->path, '/');
    size_t n = slash ? (size_t)(slash - d->path) + 1 : 0;
    for (LspDocument *o = s->docs.first; o; o = o->next)
        if (o != d && n && !strncmp(o->path, d->path, n) && !strchr(o->path + n, '/'))
            publish(s, o);
}

/* ---- Notifications about documents ------------------------------------------------------- */

static void did_open(LspServer *s, const cJSON *params)
{
    const cJSON *td = cJSON_GetObjectItemCaseSensitive(params, "textDocument");
    const char *uri = text_of(td, "uri"), *text = text_of(td, "text");
    if (!uri || !text)
        return;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(td, "version");
    LspDocument *d = lsp_doc_open(&s->docs, uri, text, strlen(text), whole(v) >= 0 ? whole(v) : 0);
    if (!d)
        return;
    lsp_doc_analyse(d);
    publish_folder(s, d);
}

static void did_change(LspServer *s, const cJSON *params)
{
    const cJSON *td = cJSON_GetObjectItemCaseSensitive(params, "textDocument");
    LspDocument *d = lsp_doc_find(&s->docs, text_of(td, "uri") ? text_of(td, "uri") : "");
    const cJSON *changes = cJSON_GetObjectItemCaseSensitive(params, "contentChanges");
    if (!d || !cJSON_IsArray(changes))
        return;
    const cJSON *c;
    cJSON_ArrayForEach(c, changes) {
        const char *text = text_of(c, "text");
        const cJSON *range = cJSON_GetObjectItemCaseSensitive(c, "range");
        LspPosition a, b;
        if (!text)
            continue;
        if (!range) {
            lsp_doc_set_text(d, text, strlen(text));
        } else if (read_position(cJSON_GetObjectItemCaseSensitive(range, "start"), &a) &&
                   read_position(cJSON_GetObjectItemCaseSensitive(range, "end"), &b)) {
            lsp_doc_replace(d, lsp_doc_offset(d, a), lsp_doc_offset(d, b), text, strlen(text));
        }
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(td, "version");
    if (whole(v) >= 0)
        d->version = whole(v);
    lsp_doc_analyse(d);
    publish_folder(s, d);
}

static void did_close(LspServer *s, const cJSON *params)
{
    const cJSON *td = cJSON_GetObjectItemCaseSensitive(params, "textDocument");
    const char *uri = text_of(td, "uri");
    if (!uri || !lsp_doc_find(&s->docs, uri))
        return;
    lsp_doc_close(&s->docs, uri);
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "uri", uri);
    cJSON_AddArrayToObject(p, "diagnostics");
    notify(s, "textDocument/publishDiagnostics", p);
}

static void did_save(LspServer *s, const cJSON *params)
{
    const cJSON *td = cJSON_GetObjectItemCaseSensitive(params, "textDocument");
    LspDocument *d = lsp_doc_find(&s->docs, text_of(td, "uri") ? text_of(td, "uri") : "");
    if (d) /* versions on disk changed: the folder's checks again */
        publish_folder(s, d);
}

/* ---- Requests about a place in a document ---------------------------------------------------- */

typedef struct Place {
    LspDocument *doc;
    size_t offset;
} Place;

/* The open document params names (and the offset of its position, when
 * want_position); false, after replying with an error, when there is none. */
static bool find_place(LspServer *s, const cJSON *id, const cJSON *params, bool want_position, Place *out)
{
    const cJSON *td = cJSON_GetObjectItemCaseSensitive(params, "textDocument");
    const char *uri = text_of(td, "uri");
    LspPosition p = {0, 0};
    if (!uri || (want_position && !read_position(cJSON_GetObjectItemCaseSensitive(params, "position"), &p))) {
        reply_error(s, id, INVALID_PARAMS, want_position ? "expected textDocument.uri and position" : "expected textDocument.uri");
        return false;
    }
    out->doc = lsp_doc_find(&s->docs, uri);
    if (!out->doc) {
        char text[300];
        snprintf(text, sizeof text, "the document %.200s is not open: send textDocument/didOpen first", uri);
        reply_error(s, id, INVALID_PARAMS, text);
        return false;
    }
    if (!out->doc->index) {
        reply_error(s, id, INTERNAL_ERROR, "out of memory while checking the policy");
        return false;
    }
    out->offset = lsp_doc_offset(out->doc, p);
    return true;
}

static void hover(LspServer *s, const cJSON *id, const cJSON *params)
{
    Place at;
    if (!find_place(s, id, params, true, &at))
        return;
    size_t start = 0, end = 0;
    char *text = svp_index_hover(at.doc->index, at.offset, &start, &end);
    if (!text) {
        reply(s, id, NULL);
        return;
    }
    cJSON *h = cJSON_CreateObject();
    cJSON *contents = cJSON_AddObjectToObject(h, "contents");
    cJSON_AddStringToObject(contents, "kind", "markdown");
    cJSON_AddStringToObject(contents, "value", text);
    cJSON_AddItemToObject(h, "range", range_json(at.doc, start, end));
    svp_string_free(text);
    reply(s, id, h);
}

static void definition(LspServer *s, const cJSON *id, const cJSON *params)
{
    Place at;
    if (!find_place(s, id, params, true, &at))
        return;
    const svp_reference *r = svp_index_reference_at(at.doc->index, at.offset);
    if (!r) {
        reply(s, id, NULL);
        return;
    }
    const svp_symbol *sym = svp_index_symbol(at.doc->index, r->symbol);
    reply(s, id, location_json(at.doc, sym->start, sym->end));
}

static void references(LspServer *s, const cJSON *id, const cJSON *params)
{
    Place at;
    if (!find_place(s, id, params, true, &at))
        return;
    const svp_reference *r = svp_index_reference_at(at.doc->index, at.offset);
    const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(params, "context");
    bool declaration = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ctx, "includeDeclaration"));
    if (!r) {
        reply(s, id, NULL);
        return;
    }
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < svp_index_reference_count(at.doc->index); i++) {
        const svp_reference *q = svp_index_reference(at.doc->index, i);
        if (q->symbol == r->symbol && (declaration || !q->definition))
            cJSON_AddItemToArray(list, location_json(at.doc, q->start, q->end));
    }
    reply(s, id, list);
}

static void prepare_rename(LspServer *s, const cJSON *id, const cJSON *params)
{
    Place at;
    if (!find_place(s, id, params, true, &at))
        return;
    const svp_reference *r = svp_index_reference_at(at.doc->index, at.offset);
    const svp_symbol *sym = r ? svp_index_symbol(at.doc->index, r->symbol) : NULL;
    if (!sym || (sym->kind != SVP_SYMBOL_PARAMETER && sym->kind != SVP_SYMBOL_DECISION)) {
        reply_error(s, id, REQUEST_FAILED, "only parameters and decisions can be renamed");
        return;
    }
    cJSON *result = cJSON_CreateObject();
    cJSON_AddItemToObject(result, "range", range_json(at.doc, r->start, r->end));
    cJSON_AddStringToObject(result, "placeholder", sym->name);
    reply(s, id, result);
}

static void rename_symbol(LspServer *s, const cJSON *id, const cJSON *params)
{
    Place at;
    if (!find_place(s, id, params, true, &at))
        return;
    const char *name = text_of(params, "newName");
    if (!name) {
        reply_error(s, id, INVALID_PARAMS, "expected newName");
        return;
    }
    const svp_reference *r = svp_index_reference_at(at.doc->index, at.offset);
    char why[300];
    const char *refusal = svp_index_rename_refusal(at.doc->index, r ? r->symbol : (size_t)-1, name, why, sizeof why);
    if (refusal) {
        reply_error(s, id, REQUEST_FAILED, refusal);
        return;
    }
    cJSON *edit = cJSON_CreateObject();
    cJSON *changes = cJSON_AddObjectToObject(edit, "changes");
    cJSON *edits = cJSON_AddArrayToObject(changes, at.doc->uri);
    for (size_t i = 0; i < svp_index_reference_count(at.doc->index); i++) {
        const svp_reference *q = svp_index_reference(at.doc->index, i);
        if (q->symbol == r->symbol)
            cJSON_AddItemToArray(edits, edit_json(at.doc, q->start, q->end, name));
    }
    reply(s, id, edit);
}

static void completion(LspServer *s, const cJSON *id, const cJSON *params)
{
    Place at;
    if (!find_place(s, id, params, true, &at))
        return;
    svp_completions *c = svp_index_complete(at.doc->index, at.offset);
    if (!c) {
        reply_error(s, id, INTERNAL_ERROR, "out of memory");
        return;
    }
    /* CompletionItemKind: Field 5, Constant 21, Function 3, EnumMember 20, Keyword 14, Snippet 15,
     * Struct 22 (a table) */
    static const int kinds[] = {5, 21, 3, 20, 14, 15, 22};
    cJSON *list = cJSON_CreateObject();
    cJSON_AddFalseToObject(list, "isIncomplete");
    cJSON *items = cJSON_AddArrayToObject(list, "items");
    size_t start = svp_completions_start(c);
    for (size_t i = 0; i < svp_completions_count(c); i++) {
        const svp_completion *k = svp_completions_get(c, i);
        cJSON *item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "label", k->label);
        cJSON_AddNumberToObject(item, "kind", kinds[k->kind]);
        if (*k->detail)
            cJSON_AddStringToObject(item, "detail", k->detail);
        if (k->kind == SVP_COMPLETE_SNIPPET)
            cJSON_AddNumberToObject(item, "insertTextFormat", 2);
        cJSON_AddItemToObject(item, "textEdit", edit_json(at.doc, start, at.offset, k->insert));
        cJSON_AddItemToArray(items, item);
    }
    svp_completions_free(c);
    reply(s, id, list);
}

/* SymbolKind: Constant 14, Enum 10, EnumMember 22, Struct 23, Field 8, Function 12, Method 6, Event 24,
 * Number 16 (a figure), Array 18 (a table) */
static int symbol_kind(svp_symbol_kind k)
{
    static const int kinds[] = {14, 10, 22, 23, 23, 8, 12, 6, 24, 16, 18};
    return kinds[k];
}

static cJSON *symbol_json(const LspDocument *d, const svp_symbol *sym)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", sym->name);
    if (*sym->detail)
        cJSON_AddStringToObject(j, "detail", sym->detail);
    cJSON_AddNumberToObject(j, "kind", symbol_kind(sym->kind));
    cJSON_AddItemToObject(j, "range", range_json(d, sym->decl_start, sym->decl_end));
    cJSON_AddItemToObject(j, "selectionRange", range_json(d, sym->start, sym->end));
    return j;
}

static void document_symbols(LspServer *s, const cJSON *id, const cJSON *params)
{
    Place at;
    if (!find_place(s, id, params, false, &at))
        return;
    const svp_index *ix = at.doc->index;
    cJSON *list = cJSON_CreateArray();
    cJSON *parent = NULL;
    size_t parent_index = (size_t)-1;
    for (size_t i = 0; i < svp_index_symbol_count(ix); i++) {
        const svp_symbol *sym = svp_index_symbol(ix, i);
        cJSON *j = symbol_json(at.doc, sym);
        if (sym->parent == parent_index && parent) {
            cJSON *children = cJSON_GetObjectItemCaseSensitive(parent, "children");
            if (!children)
                children = cJSON_AddArrayToObject(parent, "children");
            cJSON_AddItemToArray(children, j);
        } else {
            cJSON_AddItemToArray(list, j);
            parent = j;
            parent_index = i;
        }
    }
    reply(s, id, list);
}

/* Start of the UTF-8 character holding byte i. */
static size_t char_start(const char *t, size_t i)
{
    while (i > 0 && ((unsigned char)t[i] & 0xC0) == 0x80)
        i--;
    return i;
}

static void formatting(LspServer *s, const cJSON *id, const cJSON *params)
{
    Place at;
    if (!find_place(s, id, params, false, &at))
        return;
    const LspDocument *d = at.doc;
    size_t n = 0;
    char *out = svp_format(d->path, d->text, d->len, NULL, NULL, &n);
    if (!out) {
        reply_error(s, id, REQUEST_FAILED, "the policy has syntax errors (see the problems): it was not formatted");
        return;
    }
    /* one edit over what differs: the common start and end stay */
    size_t pre = 0, suf = 0;
    while (pre < d->len && pre < n && d->text[pre] == out[pre])
        pre++;
    pre = char_start(d->text, pre);
    while (suf < d->len - pre && suf < n - pre && d->text[d->len - 1 - suf] == out[n - 1 - suf])
        suf++;
    while (suf > 0 && ((unsigned char)d->text[d->len - suf] & 0xC0) == 0x80)
        suf--;
    cJSON *edits = cJSON_CreateArray();
    if (pre != d->len || pre != n) {
        out[n - suf] = '\0';
        cJSON_AddItemToArray(edits, edit_json(d, pre, d->len - suf, out + pre));
    }
    svp_string_free(out);
    reply(s, id, edits);
}

static void code_actions(LspServer *s, const cJSON *id, const cJSON *params)
{
    Place at;
    if (!find_place(s, id, params, false, &at))
        return;
    const cJSON *range = cJSON_GetObjectItemCaseSensitive(params, "range");
    LspPosition a, b;
    if (!read_position(cJSON_GetObjectItemCaseSensitive(range, "start"), &a) ||
        !read_position(cJSON_GetObjectItemCaseSensitive(range, "end"), &b)) {
        reply_error(s, id, INVALID_PARAMS, "expected range");
        return;
    }
    size_t from = lsp_doc_offset(at.doc, a), to = lsp_doc_offset(at.doc, b);
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < svp_diagnostics_count(at.doc->diags); i++) {
        const svp_diagnostic *g = svp_diagnostics_get(at.doc->diags, i);
        if (!g->replacement || !g->line || g->end < from || g->start > to)
            continue;
        char title[300];
        snprintf(title, sizeof title, "Replace `%.*s` with `%s`", (int)(g->end - g->start), at.doc->text + g->start,
                 g->replacement);
        cJSON *action = cJSON_CreateObject();
        cJSON_AddStringToObject(action, "title", title);
        cJSON_AddStringToObject(action, "kind", "quickfix");
        cJSON_AddTrueToObject(action, "isPreferred");
        cJSON *diags = cJSON_AddArrayToObject(action, "diagnostics");
        cJSON_AddItemToArray(diags, diagnostic_json(at.doc, g));
        cJSON *edit = cJSON_AddObjectToObject(action, "edit");
        cJSON *changes = cJSON_AddObjectToObject(edit, "changes");
        cJSON *edits = cJSON_AddArrayToObject(changes, at.doc->uri);
        cJSON_AddItemToArray(edits, edit_json(at.doc, g->start, g->end, g->replacement));
        cJSON_AddItemToArray(list, action);
    }
    reply(s, id, list);
}

/* ---- Lifecycle and dispatch ---------------------------------------------------------------------- */

static void initialize(LspServer *s, const cJSON *id)
{
    cJSON *r = cJSON_CreateObject();
    cJSON *caps = cJSON_AddObjectToObject(r, "capabilities");
    cJSON_AddStringToObject(caps, "positionEncoding", "utf-16");
    cJSON *sync = cJSON_AddObjectToObject(caps, "textDocumentSync");
    cJSON_AddTrueToObject(sync, "openClose");
    cJSON_AddNumberToObject(sync, "change", 2); /* incremental */
    cJSON_AddObjectToObject(sync, "save");
    cJSON_AddTrueToObject(caps, "hoverProvider");
    cJSON_AddTrueToObject(caps, "definitionProvider");
    cJSON_AddTrueToObject(caps, "referencesProvider");
    cJSON_AddTrueToObject(caps, "documentSymbolProvider");
    cJSON_AddTrueToObject(caps, "documentFormattingProvider");
    cJSON_AddTrueToObject(cJSON_AddObjectToObject(caps, "renameProvider"), "prepareProvider");
    cJSON *complete = cJSON_AddObjectToObject(caps, "completionProvider");
    cJSON *triggers = cJSON_AddArrayToObject(complete, "triggerCharacters");
    cJSON_AddItemToArray(triggers, cJSON_CreateString("."));
    cJSON *actions = cJSON_AddObjectToObject(caps, "codeActionProvider");
    cJSON *kinds = cJSON_AddArrayToObject(actions, "codeActionKinds");
    cJSON_AddItemToArray(kinds, cJSON_CreateString("quickfix"));
    cJSON *info = cJSON_AddObjectToObject(r, "serverInfo");
    cJSON_AddStringToObject(info, "name", "svp");
    s->initialized = true;
    reply(s, id, r);
}

typedef void (*Handler)(LspServer *s, const cJSON *id, const cJSON *params);
static const struct {
    const char *method;
    Handler handle;
} requests[] = {
    {"textDocument/hover", hover},
    {"textDocument/definition", definition},
    {"textDocument/references", references},
    {"textDocument/prepareRename", prepare_rename},
    {"textDocument/rename", rename_symbol},
    {"textDocument/completion", completion},
    {"textDocument/documentSymbol", document_symbols},
    {"textDocument/formatting", formatting},
    {"textDocument/codeAction", code_actions},
};

static void handle_request(LspServer *s, const char *method, const cJSON *id, const cJSON *params)
{
    if (!strcmp(method, "initialize")) {
        if (s->initialized)
            reply_error(s, id, INVALID_REQUEST, "the server is already initialized");
        else
            initialize(s, id);
        return;
    }
    if (!s->initialized) {
        reply_error(s, id, SERVER_NOT_INITIALIZED, "send initialize first");
        return;
    }
    if (s->shut_down) {
        reply_error(s, id, INVALID_REQUEST, "the server is shut down: only exit is expected");
        return;
    }
    if (!strcmp(method, "shutdown")) {
        s->shut_down = true;
        reply(s, id, NULL);
        return;
    }
    for (size_t i = 0; i < sizeof requests / sizeof *requests; i++)
        if (!strcmp(method, requests[i].method)) {
            requests[i].handle(s, id, params);
            return;
        }
    char text[200];
    snprintf(text, sizeof text, "unknown method %.150s", method);
    reply_error(s, id, METHOD_NOT_FOUND, text);
}

static void handle_notification(LspServer *s, const char *method, const cJSON *params)
{
    if (!strcmp(method, "exit")) {
        s->exited = true;
        return;
    }
    if (!s->initialized || s->shut_down)
        return; /* notifications before initialize are dropped (LSP 3.17) */
    if (!strcmp(method, "textDocument/didOpen"))
        did_open(s, params);
    else if (!strcmp(method, "textDocument/didChange"))
        did_change(s, params);
    else if (!strcmp(method, "textDocument/didClose"))
        did_close(s, params);
    else if (!strcmp(method, "textDocument/didSave"))
        did_save(s, params);
    else if (!strcmp(method, "workspace/didChangeWatchedFiles"))
        for (LspDocument *d = s->docs.first; d; d = d->next)
            publish(s, d); /* a version on disk changed: the folders' checks again */
    /* others ("initialized", "$/cancelRequest", ...) need nothing */
}

static void handle_body(LspServer *s, const char *body, size_t n)
{
    cJSON *m = cJSON_ParseWithLength(body, n);
    if (!m) {
        reply_error(s, NULL, PARSE_ERROR, "the message is not JSON");
        return;
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(m, "method");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(m, "params");
    bool valid_id = !id || cJSON_IsNumber(id) || cJSON_IsString(id);
    if (!cJSON_IsObject(m) || !valid_id || (method && !cJSON_IsString(method))) {
        reply_error(s, valid_id ? id : NULL, INVALID_REQUEST, "not a JSON-RPC request or notification");
    } else if (!method) {
        /* a response to a request of ours: the server sends none */
    } else if (id) {
        handle_request(s, method->valuestring, id, params);
    } else {
        handle_notification(s, method->valuestring, params);
    }
    cJSON_Delete(m);
}

bool lsp_server_feed(LspServer *s, const char *bytes, size_t n)
{
    if (s->exited)
        return false;
    if (!lsp_reader_feed(&s->reader, bytes, n)) {
        reply_error(s, NULL, INTERNAL_ERROR, "out of memory reading a message");
        lsp_reader_free(&s->reader);
        return true;
    }
    for (;;) {
        const char *body = NULL, *why = NULL;
        size_t len = 0;
        LspFrameStatus st = lsp_reader_next(&s->reader, &body, &len, &why);
        if (st == LSP_FRAME_NEED_MORE)
            return true;
        if (st == LSP_FRAME_MESSAGE)
            handle_body(s, body, len);
        else
            reply_error(s, NULL, st == LSP_FRAME_TOO_LARGE ? INVALID_REQUEST : PARSE_ERROR, why);
        if (s->exited)
            return false;
    }
}
