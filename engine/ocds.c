/*
 * ocds.c - reading Open Contracting Data Standard notices for svp import.
 *
 * Only what the standard itself defines is here: the forms notices come in
 * (a release, a release package, a record package, or JSON Lines of any of
 * them), compiling a procurement's releases into one record by the
 * standard's merge rules, and resolving the parties that awards, tenders
 * and buyers name by id.  What a procurement means to a council (its
 * stage, value, supplier size) is the mapping's business.
 *
 * Merging (OCDS 1.1): a procurement is its ocid; its releases are merged
 * in the order of their dates taken as instants, time zones applied (ties
 * in input order; see release_instant).  A field in a later release
 * replaces the earlier one, null removes it, objects merge member by
 * member, and lists of objects with an `id` merge item by item (a new id
 * is added); other lists are replaced whole.  The compiled tree also holds
 * `releases`: each release's own fields the mapping reads (its `id`, `date`,
 * `tag`), in date order, since the merge keeps only the latest of those.
 *
 * Memory: a JSON Lines input is read a line at a time, and of each release
 * only the paths the mapping reads are kept (mapping.h, ReadPath), so memory
 * grows with the number of procurements, not with the size of the notices.
 * A document (a package spread over many lines) is one JSON text and is read
 * whole.  Amounts keep the characters written: every number's text is found
 * before cJSON parses (cJSON would make it a double), and each number node
 * is tied to its text by its place in document order.
 */
#include "import.h"
#include "value.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The most a document (not JSON Lines) may be: it is read whole. */
#define OCDS_MAX_DOCUMENT (512u << 20)

typedef struct Release {
    SNode *tree;          /* the release, pruned to the paths read */
    SNode *history;       /* its own id, date, tag... (paths read under `releases`) */
    int64_t when;         /* its date as an instant, for ordering (release_instant) */
    uint32_t seq;         /* input order, for ties */
} Release;

typedef struct Procurement {
    const char *ocid;
    const char *input;    /* where it first appeared */
    Release *releases;
    uint32_t n, cap;
    bool damaged;         /* memory ran out while keeping a release: left out */
} Procurement;

struct OcdsReader {
    const svp_mapping *m;
    const svp_allocator *alloc;
    Arena arena;          /* every kept release */
    Arena scratch;        /* one procurement's merge and mapping */
    Procurement *procs;
    uint32_t nprocs, cap_procs;
    uint32_t *table;      /* open addressing: index + 1 into procs, 0 empty */
    uint32_t table_size;
    uint32_t seq;
    bool oom;
    /* the numbers of the text being read, in document order */
    const char **num_text;
    uint32_t *num_len;
    uint32_t nnums, cap_nums;
    uint32_t next_num;
    char error[160];
};

/* Organisation references the standard resolves against `parties`. */
static const char *const party_refs[][3] = {
    {"buyer", NULL, NULL}, {"tender", "procuringEntity", NULL}, {"tender", "tenderers", NULL},
    {"awards", "suppliers", NULL}};

static const ReadPath LEAF = {0};

/* ---- Paths read ------------------------------------------------------------ */

static ReadPath *read_child(const ReadPath *p, const char *key)
{
    for (ReadPath *c = p ? p->children : NULL; c; c = c->next)
        if (!strcmp(c->key, key))
            return c;
    return NULL;
}

static bool union_into(Arena *a, ReadPath *dst, const ReadPath *src)
{
    for (const ReadPath *c = src->children; c; c = c->next) {
        ReadPath *d = read_path_child(a, dst, c->key);
        if (!d || !union_into(a, d, c))
            return false;
    }
    return true;
}

bool ocds_add_party_reads(ReadPath *root, Arena *a)
{
    for (size_t i = 0; i < sizeof party_refs / sizeof *party_refs; i++) {
        const ReadPath *ref = root;
        for (int k = 0; k < 3 && party_refs[i][k] && ref; k++)
            ref = read_child(ref, party_refs[i][k]);
        if (!ref || !ref->children)
            continue;
        ReadPath *parties = read_path_child(a, root, "parties");
        if (!parties || !read_path_child(a, parties, "id") || !union_into(a, parties, ref))
            return false;
    }
    return true;
}

/* ---- Numbers: their text, before cJSON makes doubles of them ---------------- */

static bool note_number(OcdsReader *r, const char *at, size_t len)
{
    if (r->nnums == r->cap_nums) {
        uint32_t cap = r->cap_nums ? r->cap_nums * 2 : 256;
        const char **t = svp_mem_realloc(r->alloc, r->num_text, r->cap_nums * sizeof *t, cap * sizeof *t);
        if (!t)
            return false;
        r->num_text = t;
        uint32_t *l = svp_mem_realloc(r->alloc, r->num_len, r->cap_nums * sizeof *l, cap * sizeof *l);
        if (!l)
            return false;
        r->num_len = l;
        r->cap_nums = cap;
    }
    r->num_text[r->nnums] = at;
    r->num_len[r->nnums++] = (uint32_t)len;
    return true;
}

/* Note where every number outside a string starts and ends. */
static bool find_numbers(OcdsReader *r, const char *s, size_t len)
{
    r->nnums = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '"') {
            for (i++; i < len && s[i] != '"'; i++)
                if (s[i] == '\\')
                    i++;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            size_t start = i;
            while (i < len && strchr("0123456789+-.eE", s[i]) && s[i])
                i++;
            if (!note_number(r, s + start, i - start))
                return false;
            i--;
        }
    }
    return true;
}

/* Number the number nodes in document order (cJSON keeps it). */
static void number_nodes(OcdsReader *r, cJSON *j)
{
    for (; j; j = j->next) {
        if (cJSON_IsNumber(j))
            j->valueint = (int)r->next_num++;
        if (j->child)
            number_nodes(r, j->child);
    }
}

/* ---- Pruned copies -------------------------------------------------------- */

static char *keep(OcdsReader *r, const char *s, size_t len)
{
    char *c = arena_strndup(&r->arena, s, len);
    if (!c)
        r->oom = true;
    return c;
}

/* A copy of j with only the paths under rp (and every object's `id`). */
static SNode *prune(OcdsReader *r, const cJSON *j, const char *key, const ReadPath *rp)
{
    SNode *n = NULL;
    if (cJSON_IsNull(j)) {
        n = snode_new(&r->arena, SN_NULL, key, NULL);
    } else if (cJSON_IsBool(j)) {
        n = snode_new(&r->arena, cJSON_IsTrue(j) ? SN_TRUE : SN_FALSE, key, NULL);
    } else if (cJSON_IsNumber(j)) {
        uint32_t k = (uint32_t)j->valueint;
        if (k < r->nnums)
            n = snode_new(&r->arena, SN_NUMBER, key, keep(r, r->num_text[k], r->num_len[k]));
    } else if (cJSON_IsString(j)) {
        n = snode_new(&r->arena, SN_STRING, key, keep(r, j->valuestring, strlen(j->valuestring)));
    } else if (cJSON_IsArray(j)) {
        n = snode_new(&r->arena, SN_ARRAY, key, NULL);
        SNode **tail = n ? &n->child : NULL;
        for (const cJSON *c = j->child; c && n; c = c->next) {
            SNode *item = prune(r, c, NULL, rp);
            if (item) {
                *tail = item;
                tail = &item->next;
            }
        }
    } else if (cJSON_IsObject(j)) {
        n = snode_new(&r->arena, SN_OBJECT, key, NULL);
        SNode **tail = n ? &n->child : NULL;
        for (const cJSON *c = j->child; c && n; c = c->next) {
            const ReadPath *sub = read_child(rp, c->string);
            if (!sub && strcmp(c->string, "id"))
                continue;
            /* keys are the mapping's own strings: no copy per release */
            SNode *m = prune(r, c, sub ? sub->key : "id", sub ? sub : &LEAF);
            if (m) {
                *tail = m;
                tail = &m->next;
            }
        }
    }
    if (!n)
        r->oom = true;
    return n;
}

/* ---- Procurements by ocid --------------------------------------------------- */

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static bool grow_table(OcdsReader *r)
{
    uint32_t size = r->table_size ? r->table_size * 2 : 1024;
    uint32_t *t = svp_mem_alloc(r->alloc, size * sizeof *t);
    if (!t)
        return false;
    memset(t, 0, size * sizeof *t);
    for (uint32_t i = 0; i < r->nprocs; i++) {
        uint32_t at = hash(r->procs[i].ocid) & (size - 1);
        while (t[at])
            at = (at + 1) & (size - 1);
        t[at] = i + 1;
    }
    svp_mem_free(r->alloc, r->table, r->table_size * sizeof *r->table);
    r->table = t;
    r->table_size = size;
    return true;
}

static Procurement *procurement(OcdsReader *r, const char *ocid, const char *input)
{
    if ((r->nprocs + 1) * 2 > r->table_size && !grow_table(r))
        return NULL;
    uint32_t at = hash(ocid) & (r->table_size - 1);
    while (r->table[at]) {
        Procurement *p = &r->procs[r->table[at] - 1];
        if (!strcmp(p->ocid, ocid))
            return p;
        at = (at + 1) & (r->table_size - 1);
    }
    if (r->nprocs == r->cap_procs) {
        uint32_t cap = r->cap_procs ? r->cap_procs * 2 : 256;
        Procurement *p = svp_mem_realloc(r->alloc, r->procs, r->cap_procs * sizeof *p, cap * sizeof *p);
        if (!p)
            return NULL;
        r->procs = p;
        r->cap_procs = cap;
    }
    Procurement *p = &r->procs[r->nprocs];
    memset(p, 0, sizeof *p);
    p->ocid = keep(r, ocid, strlen(ocid));
    p->input = keep(r, input, strlen(input));
    if (!p->ocid || !p->input)
        return NULL;
    r->table[at] = ++r->nprocs;
    return p;
}

/* Keep one release; false (with the reason in r->error) when it is not one. */
/* Digits s[0..n) as a number, or -1 when any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* A release's date (OCDS: an RFC 3339 date-time) as microseconds since
 * 1970-01-01T00:00:00Z, so that releases written in different time zones
 * merge in the order they happened: 2025-01-23T23:30:00-05:00 comes after
 * 2025-01-24T01:00:00Z, though it sorts before it as text.  A date without
 * a time is its midnight; a time without a zone is taken as UTC.  A date
 * that is absent or not one sorts first (INT64_MIN), as an empty text did;
 * ties keep input order. */
static int64_t release_instant(const char *s)
{
    int32_t days;
    if (strlen(s) < 10 || !value_parse_date(s, 10, &days))
        return INT64_MIN;
    int64_t seconds = (int64_t)days * 86400, micros = 0;
    const char *t = s + 10;
    if (*t == 'T' || *t == 't' || *t == ' ') {
        /* each test reads only up to the first character that fails it */
        int h = digits(t + 1, 2), m = -1, sec = 0;
        if (h >= 0 && t[3] == ':')
            m = digits(t + 4, 2);
        if (h < 0 || h > 23 || m < 0 || m > 59)
            return INT64_MIN;
        t += 6;
        if (*t == ':') {
            sec = digits(t + 1, 2);
            if (sec < 0 || sec > 60)
                return INT64_MIN;
            t += 3;
        }
        if (*t == '.' || *t == ',') {
            int64_t scale = 100000;
            for (t++; *t >= '0' && *t <= '9'; t++, scale /= 10)
                micros += (*t - '0') * scale;
        }
        seconds += h * 3600 + m * 60 + sec;
        if (*t == '+' || *t == '-') {
            int oh = digits(t + 1, 2), om = -1;
            if (oh >= 0)
                om = t[3] == ':' ? digits(t + 4, 2) : digits(t + 3, 2);
            if (oh < 0 || oh > 23 || om < 0 || om > 59)
                return INT64_MIN;
            int64_t offset = oh * 3600 + om * 60;
            seconds += *t == '+' ? -offset : offset; /* local time minus offset is UTC */
        }
    }
    return seconds * 1000000 + micros;
}

static bool add_release(OcdsReader *r, const cJSON *rel, const char *input)
{
    const cJSON *ocid = cJSON_GetObjectItemCaseSensitive(rel, "ocid");
    if (!cJSON_IsObject(rel) || !cJSON_IsString(ocid) || !ocid->valuestring[0]) {
        snprintf(r->error, sizeof r->error, "%s", cJSON_IsObject(rel) ? "a release without an ocid" : "a release that is not a JSON object");
        return false;
    }
    Procurement *p = procurement(r, ocid->valuestring, input);
    if (!p) {
        r->oom = true;
        return true;
    }
    if (p->n == p->cap) {
        uint32_t cap = p->cap ? p->cap * 2 : 2;
        Release *bigger = svp_mem_realloc(r->alloc, p->releases, p->cap * sizeof *bigger, cap * sizeof *bigger);
        if (!bigger) {
            r->oom = p->damaged = true;
            return true;
        }
        p->releases = bigger;
        p->cap = cap;
    }
    const cJSON *date = cJSON_GetObjectItemCaseSensitive(rel, "date");
    Release *k = &p->releases[p->n++];
    k->tree = prune(r, rel, NULL, &r->m->reads);
    const ReadPath *hist = read_child(&r->m->reads, "releases");
    k->history = hist ? prune(r, rel, NULL, hist) : NULL;
    k->when = release_instant(cJSON_IsString(date) ? date->valuestring : "");
    k->seq = r->seq++;
    if (r->oom || !k->tree)
        p->damaged = true; /* a part of the release may be missing */
    return true;
}

/* A record package's record: its embedded releases, else its compiled release. */
static bool add_record(OcdsReader *r, const cJSON *rec, const char *input)
{
    const cJSON *rels = cJSON_GetObjectItemCaseSensitive(rec, "releases");
    const cJSON *first = cJSON_IsArray(rels) ? rels->child : NULL;
    /* embedded releases have their ocid and id; linked ones only a url */
    if (first && cJSON_IsObject(first) && (cJSON_GetObjectItemCaseSensitive(first, "ocid") ||
                                            cJSON_GetObjectItemCaseSensitive(first, "id"))) {
        for (const cJSON *rel = first; rel; rel = rel->next)
            if (!add_release(r, rel, input))
                return false;
        return true;
    }
    const cJSON *compiled = cJSON_GetObjectItemCaseSensitive(rec, "compiledRelease");
    if (cJSON_IsObject(compiled))
        return add_release(r, compiled, input);
    snprintf(r->error, sizeof r->error, "a record with neither its releases nor a compiledRelease");
    return false;
}

/* One JSON text: a release, a release package or a record package. */
static void add_text(OcdsReader *r, svp_import *im, const char *text, size_t len, const char *input, unsigned long line,
                     bool whole)
{
    char label[64];
    if (whole)
        snprintf(label, sizeof label, "the document");
    else
        snprintf(label, sizeof label, "line %lu", line);
    if (!find_numbers(r, text, len)) {
        r->oom = true;
        return;
    }
    cJSON *j = cJSON_ParseWithLength(text, len);
    if (!j) {
        import_left_out(im, true, input, label, "not JSON");
        return;
    }
    r->next_num = 0;
    number_nodes(r, j);
    const cJSON *records = cJSON_GetObjectItemCaseSensitive(j, "records");
    const cJSON *releases = cJSON_GetObjectItemCaseSensitive(j, "releases");
    const cJSON *list = cJSON_IsArray(records) ? records : cJSON_IsArray(releases) && !cJSON_GetObjectItemCaseSensitive(j, "ocid") ? releases : NULL;
    if (list) {
        unsigned long k = 0;
        for (const cJSON *item = list->child; item; item = item->next) {
            k++;
            bool ok = list == records ? add_record(r, item, input) : add_release(r, item, input);
            if (!ok) {
                char which[96];
                snprintf(which, sizeof which, "%s, %s %lu", label, list == records ? "record" : "release", k);
                import_left_out(im, true, input, which, r->error);
            }
        }
    } else if (!add_release(r, j, input)) {
        import_left_out(im, true, input, label,
                        cJSON_IsObject(j) ? "not an OCDS release, release package or record package: it has no ocid"
                                          : "not an OCDS release, release package or record package");
    }
    cJSON_Delete(j);
}

/* ---- Reading inputs --------------------------------------------------------- */

OcdsReader *ocds_new(const svp_mapping *m, const svp_allocator *alloc)
{
    OcdsReader *r = svp_mem_alloc(alloc, sizeof *r);
    if (!r)
        return NULL;
    memset(r, 0, sizeof *r);
    r->m = m;
    r->alloc = alloc;
    arena_init(&r->arena, alloc, 0);
    arena_init(&r->scratch, alloc, 0);
    return r;
}

void ocds_free(OcdsReader *r)
{
    if (!r)
        return;
    for (uint32_t i = 0; i < r->nprocs; i++)
        svp_mem_free(r->alloc, r->procs[i].releases, r->procs[i].cap * sizeof *r->procs[i].releases);
    svp_mem_free(r->alloc, r->procs, r->cap_procs * sizeof *r->procs);
    svp_mem_free(r->alloc, r->table, r->table_size * sizeof *r->table);
    svp_mem_free(r->alloc, r->num_text, r->cap_nums * sizeof *r->num_text);
    svp_mem_free(r->alloc, r->num_len, r->cap_nums * sizeof *r->num_len);
    arena_free(&r->arena);
    arena_free(&r->scratch);
    svp_mem_free(r->alloc, r, sizeof *r);
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!s[i] || !strchr(" \t\r\n", s[i]))
            return false;
    return true;
}

bool ocds_read(OcdsReader *r, svp_import *im, FILE *in, const char *name, const char **error)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned long lineno = 0;
    bool lines = false, decided = false, ok = true;
    Buf doc;
    buf_init(&doc, r->alloc);
    while ((got = getline(&line, &cap, in)) >= 0) {
        lineno++;
        size_t len = (size_t)got;
        char *text = line;
        if (lineno == 1 && len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
            text += 3, len -= 3; /* a byte-order mark */
        if (!decided) {
            buf_append(&doc, text, len);
            if (blank(text, len))
                continue;
            /* JSON Lines when the first line that is not blank is a JSON
             * value by itself; otherwise the input is one document */
            cJSON *probe = cJSON_ParseWithLength(text, len);
            lines = probe != NULL;
            cJSON_Delete(probe);
            decided = true;
            if (!lines)
                continue;
            buf_clear(&doc);
        }
        if (lines) {
            if (!blank(text, len))
                add_text(r, im, text, len, name, lineno, false);
        } else {
            if (doc.len + len > OCDS_MAX_DOCUMENT) {
                snprintf(r->error, sizeof r->error, "the document is larger than %u bytes: give it as JSON Lines",
                         OCDS_MAX_DOCUMENT);
                ok = false;
                break;
            }
            buf_append(&doc, text, len);
        }
        if (r->oom)
            break;
    }
    if (ferror(in)) {
        snprintf(r->error, sizeof r->error, "cannot read: %s", strerror(errno));
        ok = false;
    } else if (ok && decided && !lines && !r->oom) {
        cJSON *probe = doc.failed ? NULL : cJSON_ParseWithLength(doc.data, doc.len);
        if (!probe) {
            snprintf(r->error, sizeof r->error, "%s", doc.failed ? "out of memory" : "not JSON, nor JSON Lines");
            ok = false;
        } else {
            cJSON_Delete(probe);
            add_text(r, im, doc.data, doc.len, name, 1, true);
        }
    } else if (ok && !decided) {
        snprintf(r->error, sizeof r->error, "the input is empty");
        ok = false;
    }
    if (r->oom) {
        snprintf(r->error, sizeof r->error, "out of memory");
        ok = false;
    }
    free(line);
    buf_free(&doc);
    *error = r->error;
    return ok;
}

/* ---- Compiling a procurement ------------------------------------------------ */

static SNode *copy(Arena *a, const SNode *s)
{
    bool container = s->kind == SN_OBJECT || s->kind == SN_ARRAY;
    SNode *n = snode_new(a, (SNodeKind)s->kind, s->key, container ? NULL : s->text);
    if (!n || !container)
        return n;
    SNode **tail = &n->child;
    for (const SNode *c = s->child; c; c = c->next) {
        SNode *d = copy(a, c);
        if (!d)
            return NULL;
        *tail = d;
        tail = &d->next;
    }
    return n;
}

static const char *item_id(const SNode *item)
{
    const SNode *id = item->kind == SN_OBJECT ? snode_get(item, "id") : NULL;
    return id && (id->kind == SN_STRING || id->kind == SN_NUMBER) ? id->text : NULL;
}

/* A list whose items are all objects with an id merges item by item. */
static bool merges_by_id(const SNode *list)
{
    if (!list->child)
        return false;
    for (const SNode *c = list->child; c; c = c->next)
        if (!item_id(c))
            return false;
    return true;
}

static bool merge_object(Arena *a, SNode *dst, const SNode *src);

/* Replace (or add) dst's member with the key of s by a copy of s. */
static bool replace_member(Arena *a, SNode *dst, const SNode *s)
{
    SNode **at = &dst->child;
    while (*at && strcmp((*at)->key, s->key))
        at = &(*at)->next;
    if (s->kind == SN_NULL) {
        if (*at)
            *at = (*at)->next; /* null removes the field */
        return true;
    }
    SNode *n = copy(a, s);
    if (!n)
        return false;
    n->next = *at ? (*at)->next : NULL;
    *at = n;
    return true;
}

static bool merge_list(Arena *a, SNode *dst, const SNode *src)
{
    for (const SNode *item = src->child; item; item = item->next) {
        SNode *same = NULL;
        for (SNode *d = dst->child; d && !same; d = d->next)
            if (item_id(d) && !strcmp(item_id(d), item_id(item)))
                same = d;
        if (same) {
            if (!merge_object(a, same, item))
                return false;
        } else {
            SNode *n = copy(a, item);
            if (!n)
                return false;
            snode_append(dst, n);
        }
    }
    return true;
}

static bool merge_object(Arena *a, SNode *dst, const SNode *src)
{
    for (const SNode *s = src->child; s; s = s->next) {
        SNode *d = snode_get(dst, s->key);
        bool ok;
        if (s->kind == SN_OBJECT && d && d->kind == SN_OBJECT)
            ok = merge_object(a, d, s);
        else if (s->kind == SN_ARRAY && d && d->kind == SN_ARRAY && merges_by_id(s) && merges_by_id(d))
            ok = merge_list(a, d, s);
        else
            ok = replace_member(a, dst, s);
        if (!ok)
            return false;
    }
    return true;
}

/* Give a reference ({id, name}) the fields of the party it names that it
 * does not have itself. */
static bool fill_ref(Arena *a, SNode *ref, const SNode *parties)
{
    const char *id = item_id(ref);
    for (const SNode *p = parties->child; p && id; p = p->next)
        if (item_id(p) && !strcmp(item_id(p), id))
            for (const SNode *f = p->child; f; f = f->next)
                if (!snode_get(ref, f->key)) {
                    SNode *c = copy(a, f);
                    if (!c)
                        return false;
                    snode_append(ref, c);
                }
    return true;
}

/* Follow keys from n (through lists) and fill in the references found. */
static bool resolve_path(Arena *a, SNode *n, const char *const *keys, const SNode *parties)
{
    if (!n)
        return true;
    if (n->kind == SN_ARRAY) {
        for (SNode *item = n->child; item; item = item->next)
            if (!resolve_path(a, item, keys, parties))
                return false;
        return true;
    }
    if (n->kind != SN_OBJECT)
        return true;
    if (!*keys)
        return fill_ref(a, n, parties);
    return resolve_path(a, snode_get(n, keys[0]), keys + 1, parties);
}

static bool resolve_parties(Arena *a, SNode *root)
{
    const SNode *parties = snode_get(root, "parties");
    if (!parties || parties->kind != SN_ARRAY)
        return true;
    for (size_t i = 0; i < sizeof party_refs / sizeof *party_refs; i++)
        if (!resolve_path(a, root, party_refs[i], parties))
            return false;
    return true;
}

static int by_date(const void *x, const void *y)
{
    const Release *a = x, *b = y;
    if (a->when != b->when)
        return a->when < b->when ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void ocds_finish(OcdsReader *r, svp_import *im)
{
    for (uint32_t i = 0; i < r->nprocs; i++) {
        Procurement *p = &r->procs[i];
        char label[300];
        snprintf(label, sizeof label, "ocid %s", p->ocid);
        if (p->damaged || !p->n) {
            import_left_out(im, false, p->input, label, "out of memory");
            continue;
        }
        qsort(p->releases, p->n, sizeof *p->releases, by_date);
        SNode *root = snode_new(&r->scratch, SN_OBJECT, NULL, NULL);
        SNode *history = snode_new(&r->scratch, SN_ARRAY, "releases", NULL);
        bool ok = root && history;
        for (uint32_t k = 0; k < p->n && ok; k++) {
            ok = p->releases[k].tree && merge_object(&r->scratch, root, p->releases[k].tree);
            if (ok && p->releases[k].history) {
                SNode *h = copy(&r->scratch, p->releases[k].history);
                ok = h != NULL;
                if (h)
                    snode_append(history, h);
            }
        }
        if (ok && read_child(&r->m->reads, "releases"))
            replace_member(&r->scratch, root, history) ? (void)0 : (void)(ok = false);
        ok = ok && resolve_parties(&r->scratch, root);
        if (!ok) {
            import_left_out(im, false, p->input, label, "out of memory");
            arena_reset(&r->scratch);
            continue;
        }
        import_item(im, p->input, label, root, &r->scratch);
    }
}
