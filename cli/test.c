/*
 * test.c - `svp test [--coverage] [--min-coverage PCT] [--format text|json]
 * TESTFILE...`: run the test cases that policy authors keep beside a policy.
 *
 * A test file is JSON (README.md, under `svp test`):
 *
 *   { "policy": "nelc-social-value.svp",          optional, relative to the file
 *     "bases":  { "NAME": { ...a whole record... } },
 *     "cases":  [ { "name": "...", "base": "NAME", "set": { "value": "100000.01" },
 *                   "verdict": "non-compliant", "fires": ["sv-weighting"],
 *                   "decisions": { "sv_responsibility": "Leadership Team" } } ] }
 *
 * Every case is evaluated (each policy is compiled once) with explain on, and
 * its expectations are compared with the result: the verdict, the exact set of
 * rules that fired (in any order), the named decisions (exact JSON values, as
 * in the result) and, for an invalid record, the field at fault.  A failing
 * case prints one line; the last line is "N passed, M failed".
 *
 * Coverage (--coverage): for every record rule of the policy, and every clause
 * that such a rule cites, whether some evaluated case makes it fire and some
 * evaluated case makes it not fire.  The rules and their citations come from
 * the policy (svp_policy_rule_*); whether each fired, from the results'
 * traces.
 *
 * Exit status: 2 for a usage error, an unreadable or malformed test file or a
 * policy that does not compile (the other test files still run); else 1 when a
 * case failed or a policy's coverage is below --min-coverage; else 0.
 *
 * Uses only svp.h, and cJSON to read test files and results.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* A test file (or a policy) bigger than this is refused. */
#define TEST_MAX_FILE (64u << 20)

/* ---- small helpers ----------------------------------------------------- */

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("svp: out of memory\n", stderr);
        exit(2);
    }
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("svp: out of memory\n", stderr);
        exit(2);
    }
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

static void *check_alloc(void *p)
{
    if (!p) {
        fputs("svp: out of memory\n", stderr);
        exit(2);
    }
    return p;
}

/* A growing NUL-terminated string. */
typedef struct Str {
    char *s;
    size_t len, cap;
} Str;

static void str_addn(Str *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void str_add(Str *b, const char *s) { str_addn(b, s, strlen(s)); }

static void str_addf(Str *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        if (b->len + (size_t)n + 1 > b->cap) {
            b->cap = (b->len + (size_t)n + 1) * 2;
            b->s = xrealloc(b->s, b->cap);
        }
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

/* A JSON value in one line, appended to b. */
static void str_add_json(Str *b, const cJSON *v)
{
    char *t = check_alloc(cJSON_PrintUnformatted(v));
    str_add(b, t);
    cJSON_free(t);
}

/* Read a whole file; NULL with errno set when it cannot be read. */
static char *read_file(const char *path, size_t *len)
{
    /* only a regular file: a FIFO would block, a device never end */
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
        close(fd);
        errno = S_ISDIR(st.st_mode) ? EISDIR : ENODEV;
        return NULL;
    }
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *data = xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap >= TEST_MAX_FILE) {
                free(data);
                fclose(f);
                errno = EFBIG;
                return NULL;
            }
            cap *= 2;
            data = xrealloc(data, cap + 1);
        }
        errno = 0;
        size_t got = fread(data + n, 1, cap - n, f);
        if (!got)
            break;
        n += got;
    }
    int err = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    if (err) {
        free(data);
        errno = err;
        return NULL;
    }
    data[n] = '\0';
    *len = n;
    return data;
}


/* ---- the policies under test -------------------------------------------- */

/* A policy, compiled once however many test files name it, and what the
 * cases evaluated against it showed (for --coverage). */
typedef struct Policy {
    char *path;            /* as the first test file naming it resolves it */
    bool known;            /* the file exists: it is known by device and inode, */
    dev_t dev;             /* so that it is compiled once however it is named */
    ino_t ino;
    char *text;
    size_t len;
    svp_policy *p;
    svp_evaluator *ev;
    /* record rules in policy order, from the first trace (or, when no case
     * was evaluated, from the policy text) */
    char **rules;
    char **cites;          /* the clause each rule cites; NULL: none (or not known) */
    bool *cite_from_result;
    size_t nrules;
    bool rules_known;
    /* one row of nrules bytes per evaluated case: 1 where the rule fired */
    unsigned char *rows;
    size_t nrows, rowcap;
    bool odd_trace;        /* a trace did not list the rules the first one did */
} Policy;

static Policy **policies;
static size_t npolicies;

static void add_rule(Policy *pol, const char *id, const char *cite, bool from_result)
{
    pol->rules = xrealloc(pol->rules, (pol->nrules + 1) * sizeof *pol->rules);
    pol->cites = xrealloc(pol->cites, (pol->nrules + 1) * sizeof *pol->cites);
    pol->cite_from_result = xrealloc(pol->cite_from_result, (pol->nrules + 1) * sizeof *pol->cite_from_result);
    pol->rules[pol->nrules] = xstrdup(id);
    pol->cites[pol->nrules] = cite ? xstrdup(cite) : NULL;
    pol->cite_from_result[pol->nrules] = from_result;
    pol->nrules++;
}

static long rule_index(const Policy *pol, const char *id)
{
    for (size_t i = 0; i < pol->nrules; i++)
        if (!strcmp(pol->rules[i], id))
            return (long)i;
    return -1;
}

/* The policy at path, compiled (once); NULL when it cannot be read or does
 * not compile, after saying why on stderr. */
static Policy *policy_get(const char *path, const char *testfile)
{
    struct stat st;
    bool known = stat(path, &st) == 0;
    for (size_t i = 0; i < npolicies; i++) {
        Policy *q = policies[i];
        if (known ? q->known && q->dev == st.st_dev && q->ino == st.st_ino : !strcmp(q->path, path))
            return q->p ? q : NULL;
    }
    Policy *pol = xmalloc(sizeof *pol);
    memset(pol, 0, sizeof *pol);
    pol->path = xstrdup(path);
    if ((pol->known = known)) {
        pol->dev = st.st_dev;
        pol->ino = st.st_ino;
    }
    policies = xrealloc(policies, (npolicies + 1) * sizeof *policies);
    policies[npolicies++] = pol;
    svp_diagnostics *why = NULL;
    pol->text = svp_policy_read(path, &pol->len, &why);
    if (!pol->text) {
        const svp_diagnostic *g = why && svp_diagnostics_count(why) ? svp_diagnostics_get(why, 0) : NULL;
        const char *reason = g ? g->message : "out of memory", *prefix = "cannot read the policy: ";
        if (!strncmp(reason, prefix, strlen(prefix)))
            reason += strlen(prefix);
        fprintf(stderr, "svp: %s: cannot read the policy %s: %s\n", testfile, path, reason);
        svp_diagnostics_free(why);
        return NULL;
    }
    svp_diagnostics *d = NULL;
    pol->p = svp_policy_compile(path, pol->text, pol->len, NULL, &d);
    if (!pol->p) {
        cli_print_diagnostics(d);
        size_t e = d ? svp_diagnostics_errors(d) : 0;
        fprintf(stderr, "svp: %s: the policy %s does not compile (%zu error%s)\n", testfile, path, e,
                e == 1 ? "" : "s");
        svp_diagnostics_free(d);
        return NULL;
    }
    svp_diagnostics_free(d);
    pol->ev = svp_evaluator_new(pol->p, NULL);
    if (!pol->ev) {
        fputs("svp: out of memory\n", stderr);
        exit(2);
    }
    /* the record rules and their citations; portfolio rules judge a
     * register, not a record, so per-record tests cannot cover them */
    for (size_t i = 0; i < svp_policy_rule_count(pol->p); i++)
        if (!svp_policy_rule_is_portfolio(pol->p, i))
            add_rule(pol, svp_policy_rule_id(pol->p, i), svp_policy_rule_cite(pol->p, i), true);
    pol->rules_known = true;
    return pol;
}

static void policy_free(Policy *pol)
{
    svp_evaluator_free(pol->ev);
    svp_policy_free(pol->p);
    for (size_t i = 0; i < pol->nrules; i++) {
        free(pol->rules[i]);
        free(pol->cites[i]);
    }
    free(pol->rules);
    free(pol->cites);
    free(pol->cite_from_result);
    free(pol->rows);
    free(pol->text);
    free(pol->path);
    free(pol);
}

/* Record what one evaluated result shows for coverage: its trace (every
 * record rule, fired or not) and the citations of its findings. */
static void policy_note(Policy *pol, const cJSON *res)
{
    const cJSON *trace = cJSON_GetObjectItemCaseSensitive(res, "trace");
    const cJSON *t;
    if (!cJSON_IsArray(trace))
        return;
    if (!pol->rules_known) {
        cJSON_ArrayForEach(t, trace) {
            const cJSON *rule = cJSON_GetObjectItemCaseSensitive(t, "rule");
            if (cJSON_IsString(rule) && rule_index(pol, rule->valuestring) < 0)
                add_rule(pol, rule->valuestring, NULL, false);
        }
        pol->rules_known = true;
    }
    if (pol->nrows == pol->rowcap) {
        pol->rowcap = pol->rowcap ? pol->rowcap * 2 : 64;
        pol->rows = xrealloc(pol->rows, pol->rowcap * (pol->nrules ? pol->nrules : 1));
    }
    unsigned char *row = pol->rows + pol->nrows * pol->nrules;
    memset(row, 0, pol->nrules);
    size_t seen = 0;
    cJSON_ArrayForEach(t, trace) {
        const cJSON *rule = cJSON_GetObjectItemCaseSensitive(t, "rule");
        long i = cJSON_IsString(rule) ? rule_index(pol, rule->valuestring) : -1;
        if (i < 0) {
            pol->odd_trace = true;
            continue;
        }
        seen++;
        row[i] = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "fired"));
    }
    if (seen != pol->nrules)
        pol->odd_trace = true;
    pol->nrows++;
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(res, "findings")) {
        const cJSON *rule = cJSON_GetObjectItemCaseSensitive(f, "rule");
        const cJSON *cite = cJSON_GetObjectItemCaseSensitive(f, "cite");
        long i = cJSON_IsString(rule) ? rule_index(pol, rule->valuestring) : -1;
        if (i < 0 || pol->cite_from_result[i])
            continue;
        free(pol->cites[i]);
        pol->cites[i] = cJSON_IsString(cite) && cite->valuestring[0] ? xstrdup(cite->valuestring) : NULL;
        pol->cite_from_result[i] = true;
    }
}

/* ---- test files ---------------------------------------------------------- */

typedef struct Case {
    const char *name;
    char *record;            /* the JSON text evaluated */
    int verdict;             /* -1: no expectation; else an svp_status */
    const cJSON *fires;      /* array of rule ids, or NULL */
    const cJSON *decisions;  /* object, or NULL */
    bool has_error_field;
    const char *error_field; /* NULL: expected null (the record is not an object) */
} Case;

typedef struct TestFile {
    const char *path;
    char *text;
    cJSON *root;
    char *policy_path;
    Case *cases;
    size_t ncases;
} TestFile;

static const char *const verdict_names[] = {"compliant", "non-compliant", "invalid"};

/* Say what is wrong with a test file; always false (the file is not run). */
static bool malformed(const char *path, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "svp: %s: ", path);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return false;
}

/* Line and column of position at in text (1-based). */
static void line_col(const char *text, const char *at, unsigned long *line, unsigned long *col)
{
    *line = 1;
    *col = 1;
    for (const char *p = text; p < at && *p; p++) {
        if (*p == '\n') {
            ++*line;
            *col = 1;
        } else if (((unsigned char)*p & 0xC0) != 0x80) {
            ++*col;
        }
    }
}

/* Is every key of obj given only once?  (cJSON keeps both of a repeated
 * key; a test file that repeats one is refused rather than guessed at.) */
static bool no_duplicate_keys(const char *path, const char *what, const cJSON *obj)
{
    const cJSON *k;
    cJSON_ArrayForEach(k, obj) {
        for (const cJSON *j = obj->child; j != k; j = j->next)
            if (!strcmp(j->string, k->string))
                return malformed(path, "%s: \"%s\" is given twice", what, k->string);
    }
    return true;
}

/* Is every key of obj one of the allowed keys, and given only once? */
static bool check_keys(const char *path, const char *what, const cJSON *obj, const char *const *allowed)
{
    const cJSON *k;
    cJSON_ArrayForEach(k, obj) {
        bool ok = false;
        for (size_t i = 0; allowed[i]; i++)
            ok = ok || !strcmp(k->string, allowed[i]);
        if (!ok) {
            Str keys = {0};
            for (size_t i = 0; allowed[i]; i++)
                str_addf(&keys, "%s%s", i ? ", " : "", allowed[i]);
            malformed(path, "%s: unknown key \"%s\" (the keys are %s)", what, k->string, keys.s);
            free(keys.s);
            return false;
        }
        for (const cJSON *j = obj->child; j != k; j = j->next)
            if (!strcmp(j->string, k->string))
                return malformed(path, "%s: \"%s\" is given twice", what, k->string);
    }
    return true;
}

/* Set (or, for null, remove) the field at a dotted path of rec. */
static bool set_path(const char *path, const char *what, cJSON *rec, const char *dotted, const cJSON *value)
{
    if (!*dotted || dotted[0] == '.' || cli_has_suffix(dotted, ".") || strstr(dotted, ".."))
        return malformed(path, "%s: \"%s\" is not a field path: write names joined by dots, like weighting.price",
                         what, dotted);
    if (!cJSON_IsObject(rec))
        return malformed(path, "%s: \"set\" needs a record that is a JSON object", what);
    char *p = xstrdup(dotted);
    cJSON *obj = rec;
    char *seg = p;
    for (char *dot; (dot = strchr(seg, '.')); seg = dot + 1) {
        *dot = '\0';
        cJSON *next = cJSON_GetObjectItemCaseSensitive(obj, seg);
        if (!next) {
            if (cJSON_IsNull(value)) {
                free(p);
                return true; /* nothing to remove */
            }
            next = check_alloc(cJSON_AddObjectToObject(obj, seg));
        } else if (!cJSON_IsObject(next)) {
            if (cJSON_IsNull(value)) {
                free(p); /* nothing under a non-object to remove */
                return true;
            }
            if (!cJSON_IsNull(next)) {
                int prefix = (int)(dot - p);
                free(p);
                return malformed(path, "%s: cannot set \"%s\": \"%.*s\" is not an object in the record", what,
                                 dotted, prefix, dotted);
            }
            /* a null counts as absent: it becomes an object */
            cJSON_ReplaceItemInObjectCaseSensitive(obj, seg, check_alloc(cJSON_CreateObject()));
            next = cJSON_GetObjectItemCaseSensitive(obj, seg);
        }
        obj = next;
    }
    if (cJSON_IsNull(value)) {
        while (cJSON_GetObjectItemCaseSensitive(obj, seg))
            cJSON_DeleteItemFromObjectCaseSensitive(obj, seg);
    } else {
        cJSON *copy = check_alloc(cJSON_Duplicate(value, true));
        if (cJSON_GetObjectItemCaseSensitive(obj, seg))
            cJSON_ReplaceItemInObjectCaseSensitive(obj, seg, copy);
        else
            cJSON_AddItemToObject(obj, seg, copy);
    }
    free(p);
    return true;
}

/* The policy a test file names: "policy" relative to the file's folder, or
 * the .svp beside it with the same stem (x.tests.json or x.json: x.svp). */
static char *policy_path_for(const char *testfile, const cJSON *policy)
{
    const char *slash = strrchr(testfile, '/');
    size_t dirlen = slash ? (size_t)(slash - testfile) + 1 : 0;
    Str b = {0};
    if (policy) {
        if (policy->valuestring[0] != '/')
            str_addn(&b, testfile, dirlen);
        str_add(&b, policy->valuestring);
        return b.s;
    }
    size_t n = strlen(testfile);
    if (cli_has_suffix(testfile, ".tests.json"))
        n -= strlen(".tests.json");
    else if (cli_has_suffix(testfile, ".json"))
        n -= strlen(".json");
    str_addn(&b, testfile, n);
    str_add(&b, ".svp");
    return b.s;
}

static bool load_case(TestFile *tf, const cJSON *c, size_t index, const cJSON *bases, Case *out)
{
    static const char *const keys[] = {"name",  "note",    "record",    "record_text", "base",
                                       "set",   "verdict", "fires",     "decisions",   "error_field", NULL};
    char what[64];
    memset(out, 0, sizeof *out);
    snprintf(what, sizeof what, "case %zu", index + 1);
    if (!cJSON_IsObject(c))
        return malformed(tf->path, "%s: a case is a JSON object", what);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
    if (!cJSON_IsString(name) || !name->valuestring[0])
        return malformed(tf->path, "%s: \"name\" must be a text that names the case", what);
    char *named = NULL;
    {
        Str b = {0};
        str_addf(&b, "case \"%s\"", name->valuestring);
        named = b.s;
    }
    bool ok = false;
    if (!check_keys(tf->path, named, c, keys))
        goto done;
    for (size_t i = 0; i < index; i++)
        if (!strcmp(tf->cases[i].name, name->valuestring)) {
            malformed(tf->path, "%s: another case has the same name", named);
            goto done;
        }
    out->name = name->valuestring;
    out->verdict = -1;

    const cJSON *record = cJSON_GetObjectItemCaseSensitive(c, "record");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(c, "record_text");
    const cJSON *base = cJSON_GetObjectItemCaseSensitive(c, "base");
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(c, "set");
    if (!!record + !!text + !!base != 1) {
        malformed(tf->path, "%s: give the record one way: \"record\", \"record_text\" or \"base\"", named);
        goto done;
    }
    if (text && !cJSON_IsString(text)) {
        malformed(tf->path, "%s: \"record_text\" must be a text (the record's JSON, as it is to be read)", named);
        goto done;
    }
    if (text && set) {
        malformed(tf->path, "%s: \"set\" goes with \"base\" or \"record\", not with \"record_text\"", named);
        goto done;
    }
    if (set && !cJSON_IsObject(set)) {
        malformed(tf->path, "%s: \"set\" must be an object of {\"field.path\": value}", named);
        goto done;
    }
    if (base && !cJSON_IsString(base)) {
        malformed(tf->path, "%s: \"base\" must be the name of one of the \"bases\"", named);
        goto done;
    }
    const cJSON *from = record;
    if (base) {
        from = cJSON_GetObjectItemCaseSensitive(bases, base->valuestring);
        if (!from) {
            malformed(tf->path, "%s: there is no base named \"%s\"", named, base->valuestring);
            goto done;
        }
    }
    if (text) {
        out->record = xstrdup(text->valuestring);
    } else {
        cJSON *rec = check_alloc(cJSON_Duplicate(from, true));
        const cJSON *s;
        bool set_ok = true;
        cJSON_ArrayForEach(s, set) {
            if (!(set_ok = set_path(tf->path, named, rec, s->string, s)))
                break;
        }
        if (set_ok)
            out->record = check_alloc(cJSON_PrintUnformatted(rec));
        cJSON_Delete(rec);
        if (!set_ok)
            goto done;
    }

    const cJSON *verdict = cJSON_GetObjectItemCaseSensitive(c, "verdict");
    if (verdict) {
        for (int v = 0; v < 3; v++)
            if (cJSON_IsString(verdict) && !strcmp(verdict->valuestring, verdict_names[v]))
                out->verdict = v;
        if (out->verdict < 0) {
            malformed(tf->path, "%s: \"verdict\" is one of \"compliant\", \"non-compliant\", \"invalid\"", named);
            goto done;
        }
    }
    const cJSON *fires = cJSON_GetObjectItemCaseSensitive(c, "fires");
    if (fires) {
        const cJSON *f;
        bool good = cJSON_IsArray(fires);
        cJSON_ArrayForEach(f, fires) {
            good = good && cJSON_IsString(f);
            for (const cJSON *g = fires->child; good && g != f; g = g->next)
                if (!strcmp(g->valuestring, f->valuestring)) {
                    malformed(tf->path, "%s: \"fires\" names `%s` twice", named, f->valuestring);
                    goto done;
                }
        }
        if (!good) {
            malformed(tf->path, "%s: \"fires\" must be a list of rule ids, like [\"sv-weighting\"] ([] for none)",
                      named);
            goto done;
        }
        out->fires = fires;
    }
    const cJSON *decisions = cJSON_GetObjectItemCaseSensitive(c, "decisions");
    if (decisions) {
        if (!cJSON_IsObject(decisions)) {
            malformed(tf->path, "%s: \"decisions\" must be an object of {\"decision\": value}", named);
            goto done;
        }
        if (!no_duplicate_keys(tf->path, named, decisions))
            goto done;
        out->decisions = decisions;
    }
    const cJSON *ef = cJSON_GetObjectItemCaseSensitive(c, "error_field");
    if (ef) {
        if (!cJSON_IsString(ef) && !cJSON_IsNull(ef)) {
            malformed(tf->path, "%s: \"error_field\" must be a field path like \"weighting.price\" (or null)", named);
            goto done;
        }
        out->has_error_field = true;
        out->error_field = cJSON_IsString(ef) ? ef->valuestring : NULL;
    }
    if (out->verdict < 0 && !fires && !decisions && !ef) {
        malformed(tf->path, "%s: expects nothing: give \"verdict\", \"fires\", \"decisions\" or \"error_field\"",
                  named);
        goto done;
    }
    bool invalid = out->verdict == SVP_INVALID || ef;
    if (ef && out->verdict >= 0 && out->verdict != SVP_INVALID) {
        malformed(tf->path, "%s: \"error_field\" is for invalid records, but \"verdict\" is \"%s\"", named,
                  verdict_names[out->verdict]);
        goto done;
    }
    if (invalid && (fires || decisions)) {
        malformed(tf->path, "%s: an invalid record has no findings or decisions: drop \"fires\" and \"decisions\"",
                  named);
        goto done;
    }
    ok = true;
done:
    if (!ok) {
        free(out->record);
        out->record = NULL;
    }
    free(named);
    return ok;
}

/* Read and check a whole test file; false (after saying why) when it
 * cannot be read or is malformed. */
static bool load_test_file(TestFile *tf)
{
    size_t len = 0;
    tf->text = read_file(tf->path, &len);
    if (!tf->text) {
        fprintf(stderr, "svp: cannot read %s: %s\n", tf->path,
                errno == ENODEV ? "not a regular file (a test file is a file, not a pipe or a device)" : strerror(errno));
        return false;
    }
    const char *end = NULL;
    tf->root = cJSON_ParseWithOpts(tf->text, &end, true);
    if (!tf->root) {
        const char *at = cJSON_GetErrorPtr();
        if (at < tf->text || at > tf->text + len)
            at = tf->text + len;
        unsigned long line, col;
        line_col(tf->text, at, &line, &col);
        return malformed(tf->path, "not JSON: error at line %lu, column %lu", line, col);
    }
    if (strlen(tf->text) != len)
        return malformed(tf->path, "not JSON: the file contains a NUL byte");
    if (!cJSON_IsObject(tf->root))
        return malformed(tf->path, "a test file is a JSON object with \"cases\" (and \"bases\", \"policy\")");
    static const char *const keys[] = {"policy", "bases", "cases", "note", NULL};
    if (!check_keys(tf->path, "the test file", tf->root, keys))
        return false;
    const cJSON *policy = cJSON_GetObjectItemCaseSensitive(tf->root, "policy");
    if (policy && (!cJSON_IsString(policy) || !policy->valuestring[0]))
        return malformed(tf->path, "\"policy\" must be the path of the policy file, relative to the test file");
    const cJSON *bases = cJSON_GetObjectItemCaseSensitive(tf->root, "bases");
    if (bases) {
        if (!cJSON_IsObject(bases))
            return malformed(tf->path, "\"bases\" must be an object of {\"name\": record}");
        if (!no_duplicate_keys(tf->path, "\"bases\"", bases))
            return false;
    }
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(tf->root, "cases");
    if (!cJSON_IsArray(cases) || !cases->child)
        return malformed(tf->path, "\"cases\" must be a list of at least one case");
    tf->policy_path = policy_path_for(tf->path, policy);
    size_t n = (size_t)cJSON_GetArraySize(cases);
    tf->cases = xmalloc(n * sizeof *tf->cases);
    const cJSON *c;
    cJSON_ArrayForEach(c, cases) {
        if (!load_case(tf, c, tf->ncases, bases, &tf->cases[tf->ncases]))
            return false;
        tf->ncases++;
    }
    return true;
}

static void test_file_free(TestFile *tf)
{
    for (size_t i = 0; i < tf->ncases; i++)
        free(tf->cases[i].record);
    free(tf->cases);
    free(tf->policy_path);
    cJSON_Delete(tf->root);
    free(tf->text);
}

/* ---- running the cases --------------------------------------------------- */

typedef struct Run {
    bool json;
    unsigned long passed, failed;
    cJSON *jcases; /* --format json: every case's outcome */
} Run;

/* "[a, b]" */
static void str_add_list(Str *b, const char *const *items, size_t n)
{
    str_add(b, "[");
    for (size_t i = 0; i < n; i++)
        str_addf(b, "%s%s", i ? ", " : "", items[i]);
    str_add(b, "]");
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

/* One failed expectation: a part of the text line, and a JSON entry. */
static void mismatch(Str *line, cJSON *failures, const char *what, cJSON *expected, cJSON *got, const char *text)
{
    str_addf(line, "%s%s: %s", line->len ? "; " : "", what, text);
    cJSON *f = check_alloc(cJSON_CreateObject());
    cJSON_AddStringToObject(f, "what", what);
    cJSON_AddItemToObject(f, "expected", expected ? expected : cJSON_CreateNull());
    cJSON_AddItemToObject(f, "got", got ? got : cJSON_CreateNull());
    cJSON_AddItemToArray(failures, f);
}

static void run_case(Run *run, const TestFile *tf, const Case *c, Policy *pol)
{
    const svp_result *r = svp_evaluate(pol->ev, c->record, strlen(c->record), 1, true);
    svp_status st = svp_result_status(r);
    size_t jlen = 0;
    const char *js = svp_result_json(pol->ev, r, &jlen);
    cJSON *res = check_alloc(cJSON_ParseWithLength(js, jlen));
    if (st != SVP_INVALID)
        policy_note(pol, res);

    const cJSON *jid = cJSON_GetObjectItemCaseSensitive(res, "id");
    const char *id = cJSON_IsString(jid) ? jid->valuestring : NULL;
    const cJSON *decisions = cJSON_GetObjectItemCaseSensitive(res, "decisions");
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(res, "error");
    const cJSON *efield = cJSON_GetObjectItemCaseSensitive(error, "field");
    const cJSON *emsg = cJSON_GetObjectItemCaseSensitive(error, "message");
    /* the rules that fired, in policy order */
    size_t nfired = 0;
    const char **fired = xmalloc(((size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(res, "findings")) + 1) *
                                 sizeof *fired);
    cJSON *jfired = check_alloc(cJSON_CreateArray());
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(res, "findings")) {
        const cJSON *rule = cJSON_GetObjectItemCaseSensitive(f, "rule");
        if (cJSON_IsString(rule)) {
            fired[nfired++] = rule->valuestring;
            cJSON_AddItemToArray(jfired, cJSON_CreateString(rule->valuestring));
        }
    }
    Str error_text = {0};
    if (st == SVP_INVALID)
        str_addf(&error_text, "%s%s%s", cJSON_IsString(efield) ? efield->valuestring : "",
                 cJSON_IsString(efield) ? ": " : "", cJSON_IsString(emsg) ? emsg->valuestring : "");

    Str line = {0}, t = {0};
    cJSON *failures = check_alloc(cJSON_CreateArray());
    if (c->verdict >= 0 && (int)st != c->verdict) {
        t.len = 0;
        str_addf(&t, "expected %s, got %s", verdict_names[c->verdict], verdict_names[st]);
        if (st != SVP_INVALID && !c->fires) { /* say which rules made the verdict */
            str_add(&t, " (fired ");
            str_add_list(&t, fired, nfired);
            str_add(&t, ")");
        }
        mismatch(&line, failures, "verdict", cJSON_CreateString(verdict_names[c->verdict]),
                 cJSON_CreateString(verdict_names[st]), t.s);
    }
    if (c->fires) {
        bool same = true;
        const cJSON *e;
        cJSON_ArrayForEach(e, c->fires) {
            same = same && in_json_list(jfired, e->valuestring);
        }
        same = same && (size_t)cJSON_GetArraySize(c->fires) == nfired;
        if (!same) {
            t.len = 0;
            size_t ne = (size_t)cJSON_GetArraySize(c->fires), k = 0;
            const char **exp = xmalloc((ne + 1) * sizeof *exp);
            cJSON_ArrayForEach(e, c->fires) {
                exp[k++] = e->valuestring;
            }
            str_add(&t, "expected ");
            str_add_list(&t, exp, ne);
            str_add(&t, ", got ");
            if (st == SVP_INVALID)
                str_add(&t, "none (the record is invalid)");
            else
                str_add_list(&t, fired, nfired);
            if (st != SVP_INVALID) {
                const char *sep = " (";
                cJSON_ArrayForEach(e, c->fires) {
                    if (in_json_list(jfired, e->valuestring))
                        continue;
                    bool known = !pol->rules_known || rule_index(pol, e->valuestring) >= 0;
                    str_addf(&t, "%s%s %s", sep, known ? "missing" : "no such rule:", e->valuestring);
                    sep = "; ";
                }
                for (size_t i = 0; i < nfired; i++)
                    if (!in_json_list(c->fires, fired[i])) {
                        str_addf(&t, "%sunexpected %s", sep, fired[i]);
                        sep = "; ";
                    }
                if (strcmp(sep, " ("))
                    str_add(&t, ")");
            }
            free(exp);
            mismatch(&line, failures, "fires", cJSON_Duplicate(c->fires, true),
                     st == SVP_INVALID ? NULL : cJSON_Duplicate(jfired, true), t.s);
        }
    }
    if (c->decisions) {
        const cJSON *e;
        cJSON_ArrayForEach(e, c->decisions) {
            const cJSON *g = cJSON_GetObjectItemCaseSensitive(decisions, e->string);
            if (g && cJSON_Compare(e, g, true))
                continue;
            t.len = 0;
            Str what = {0};
            str_addf(&what, "decisions.%s", e->string);
            str_add(&t, "expected ");
            str_add_json(&t, e);
            if (st == SVP_INVALID) {
                str_add(&t, ", got none (the record is invalid)");
            } else if (!g) {
                str_add(&t, ", got nothing: the policy has no such decision");
            } else {
                str_add(&t, ", got ");
                str_add_json(&t, g);
            }
            mismatch(&line, failures, what.s, cJSON_Duplicate(e, true), g ? cJSON_Duplicate(g, true) : NULL, t.s);
            free(what.s);
        }
    }
    if (c->has_error_field) {
        bool same = st == SVP_INVALID &&
                    (c->error_field ? cJSON_IsString(efield) && !strcmp(efield->valuestring, c->error_field)
                                    : !cJSON_IsString(efield));
        if (!same) {
            t.len = 0;
            if (c->error_field)
                str_addf(&t, "expected \"%s\", got ", c->error_field);
            else
                str_add(&t, "expected null (not a JSON object), got ");
            if (st != SVP_INVALID)
                str_addf(&t, "no error (the record is %s)", verdict_names[st]);
            else if (cJSON_IsString(efield))
                str_addf(&t, "\"%s\" (%s)", efield->valuestring, cJSON_IsString(emsg) ? emsg->valuestring : "");
            else
                str_addf(&t, "null (%s)", cJSON_IsString(emsg) ? emsg->valuestring : "");
            mismatch(&line, failures, "error_field",
                     c->error_field ? cJSON_CreateString(c->error_field) : cJSON_CreateNull(),
                     st == SVP_INVALID && cJSON_IsString(efield) ? cJSON_CreateString(efield->valuestring) : NULL,
                     t.s);
        }
    }
    bool passed = cJSON_GetArraySize(failures) == 0;
    /* An unexpected invalid record: say why it was invalid. */
    if (!passed && st == SVP_INVALID && c->verdict != SVP_INVALID && !c->has_error_field)
        str_addf(&line, "; the record is invalid: %s", error_text.s ? error_text.s : "");
    if (passed)
        run->passed++;
    else
        run->failed++;
    if (!passed && !run->json)
        printf("FAIL %s: %s [%s]: %s\n", tf->path, c->name, id ? id : "no id", line.s);
    if (run->json) {
        cJSON *jc = check_alloc(cJSON_CreateObject());
        cJSON_AddStringToObject(jc, "file", tf->path);
        cJSON_AddStringToObject(jc, "name", c->name);
        cJSON_AddItemToObject(jc, "id", id ? cJSON_CreateString(id) : cJSON_CreateNull());
        cJSON_AddBoolToObject(jc, "passed", passed);
        cJSON_AddItemToObject(jc, "failures", failures);
        failures = NULL;
        cJSON *got = check_alloc(cJSON_AddObjectToObject(jc, "got"));
        cJSON_AddStringToObject(got, "verdict", verdict_names[st]);
        cJSON_AddItemToObject(got, "fires", st == SVP_INVALID ? cJSON_CreateNull() : cJSON_Duplicate(jfired, true));
        cJSON_AddItemToObject(got, "decisions", decisions ? cJSON_Duplicate(decisions, true) : cJSON_CreateNull());
        cJSON_AddItemToObject(got, "error", error ? cJSON_Duplicate(error, true) : cJSON_CreateNull());
        cJSON_AddItemToArray(run->jcases, jc);
    }
    cJSON_Delete(failures);
    cJSON_Delete(jfired);
    free(fired);
    free(line.s);
    free(t.s);
    free(error_text.s);
    cJSON_Delete(res);
}

/* ---- coverage ------------------------------------------------------------ */

/* A percentage rounded down to a hundredth, in its shortest form ("95.45%",
 * "70%"), so that 99.999% never reads as 100%. */
static void str_add_percent(Str *b, unsigned long hundredths)
{
    unsigned long whole = hundredths / 100, frac = hundredths % 100;
    if (!frac)
        str_addf(b, "%lu%%", whole);
    else if (frac % 10 == 0)
        str_addf(b, "%lu.%lu%%", whole, frac / 10);
    else
        str_addf(b, "%lu.%02lu%%", whole, frac);
}

/* Characters (not bytes) in a UTF-8 text, for lining up columns. */
static size_t text_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void print_row(const char *name, size_t width, unsigned long yes, unsigned long no)
{
    printf("  %s%*s  %5lu  %13lu\n", name, (int)(width - text_width(name)), "", yes, no);
}

/* Coverage of one policy; returns false when below min (hundredths of a
 * per cent; negative: no minimum). */
static bool coverage(Run *run, Policy *pol, long min, cJSON *jcov)
{
    if (pol->odd_trace)
        fprintf(stderr, "svp: warning: the traces from %s did not all list the same rules; coverage may be wrong\n",
                pol->path);
    size_t nr = pol->nrules, nrows = pol->nrows;
    unsigned long *rfire = xmalloc((nr + 1) * sizeof *rfire);
    const char **clauses = xmalloc((nr + 1) * sizeof *clauses);
    unsigned long *cfire = xmalloc((nr + 1) * sizeof *cfire);
    size_t nc = 0;
    for (size_t i = 0; i < nr; i++) {
        rfire[i] = 0;
        for (size_t r = 0; r < nrows; r++)
            rfire[i] += pol->rows[r * nr + i];
        if (!pol->cites[i])
            continue;
        size_t k = 0;
        while (k < nc && strcmp(clauses[k], pol->cites[i]))
            k++;
        if (k == nc)
            clauses[nc++] = pol->cites[i];
    }
    for (size_t k = 0; k < nc; k++) {
        cfire[k] = 0;
        for (size_t r = 0; r < nrows; r++) {
            bool any = false;
            for (size_t i = 0; i < nr && !any; i++)
                any = pol->rows[r * nr + i] && pol->cites[i] && !strcmp(pol->cites[i], clauses[k]);
            cfire[k] += any;
        }
    }
    unsigned long items = 2 * (unsigned long)(nr + nc), covered = 0;
    for (size_t i = 0; i < nr; i++)
        covered += (rfire[i] > 0) + (rfire[i] < nrows);
    for (size_t k = 0; k < nc; k++)
        covered += (cfire[k] > 0) + (cfire[k] < nrows);
    unsigned long hundredths = items ? covered * 10000 / items : 10000;
    bool met = min < 0 || covered * 10000 >= (unsigned long)min * items;
    Str pct = {0}, minimum = {0};
    str_add_percent(&pct, hundredths);
    if (min >= 0)
        str_add_percent(&minimum, (unsigned long)min);

    if (!run->json) {
        size_t w = strlen("clause");
        for (size_t i = 0; i < nr; i++)
            w = text_width(pol->rules[i]) > w ? text_width(pol->rules[i]) : w;
        for (size_t k = 0; k < nc; k++)
            w = text_width(clauses[k]) > w ? text_width(clauses[k]) : w;
        printf("coverage of %s (%zu case%s evaluated):\n", pol->path, nrows, nrows == 1 ? "" : "s");
        printf("  %-*s  fires  does not fire\n", (int)w, "rule");
        for (size_t i = 0; i < nr; i++)
            print_row(pol->rules[i], w, rfire[i], nrows - rfire[i]);
        if (nc)
            printf("  %-*s  fires  does not fire\n", (int)w, "clause");
        else
            puts("  (no rule cites a clause)");
        for (size_t k = 0; k < nc; k++)
            print_row(clauses[k], w, cfire[k], nrows - cfire[k]);
        Str un = {0};
        for (size_t i = 0; i < nr; i++) {
            if (!rfire[i])
                str_addf(&un, "  rule %s never fires\n", pol->rules[i]);
            if (rfire[i] == nrows)
                str_addf(&un, "  rule %s %s\n", pol->rules[i], nrows ? "fires in every case" : "is never evaluated");
        }
        for (size_t k = 0; k < nc; k++) {
            if (!cfire[k])
                str_addf(&un, "  clause \"%s\" never fires\n", clauses[k]);
            if (cfire[k] == nrows)
                str_addf(&un, "  clause \"%s\" %s\n", clauses[k], nrows ? "fires in every case" : "is never evaluated");
        }
        if (un.len)
            printf("not covered:\n%s", un.s);
        const char *sep = "rules that cite no clause: ";
        for (size_t i = 0; i < nr; i++)
            if (!pol->cites[i]) {
                printf("%s%s", sep, pol->rules[i]);
                sep = ", ";
            }
        if (strcmp(sep, "rules that cite no clause: "))
            putchar('\n');
        printf("covered %lu of %lu items (%s)", covered, items, pct.s);
        if (min >= 0)
            printf(met ? ", at least the minimum %s" : ", below the minimum %s", minimum.s);
        putchar('\n');
        free(un.s);
    } else {
        cJSON *jp = check_alloc(cJSON_CreateObject());
        cJSON_AddStringToObject(jp, "policy", pol->path);
        cJSON_AddNumberToObject(jp, "evaluated", (double)nrows);
        cJSON *jr = check_alloc(cJSON_AddArrayToObject(jp, "rules"));
        for (size_t i = 0; i < nr; i++) {
            cJSON *o = check_alloc(cJSON_CreateObject());
            cJSON_AddStringToObject(o, "rule", pol->rules[i]);
            cJSON_AddItemToObject(o, "cite", pol->cites[i] ? cJSON_CreateString(pol->cites[i]) : cJSON_CreateNull());
            cJSON_AddNumberToObject(o, "fires", (double)rfire[i]);
            cJSON_AddNumberToObject(o, "does_not_fire", (double)(nrows - rfire[i]));
            cJSON_AddItemToArray(jr, o);
        }
        cJSON *jc = check_alloc(cJSON_AddArrayToObject(jp, "clauses"));
        for (size_t k = 0; k < nc; k++) {
            cJSON *o = check_alloc(cJSON_CreateObject());
            cJSON_AddStringToObject(o, "cite", clauses[k]);
            cJSON_AddNumberToObject(o, "fires", (double)cfire[k]);
            cJSON_AddNumberToObject(o, "does_not_fire", (double)(nrows - cfire[k]));
            cJSON_AddItemToArray(jc, o);
        }
        cJSON_AddNumberToObject(jp, "covered", (double)covered);
        cJSON_AddNumberToObject(jp, "items", (double)items);
        cJSON_AddStringToObject(jp, "percent", pct.s);
        cJSON_AddItemToObject(jp, "minimum", min >= 0 ? cJSON_CreateString(minimum.s) : cJSON_CreateNull());
        cJSON_AddBoolToObject(jp, "met", met);
        cJSON_AddItemToArray(jcov, jp);
    }
    free(pct.s);
    free(minimum.s);
    free(rfire);
    free(clauses);
    free(cfire);
    return met;
}

/* --min-coverage: 0 to 100, up to two decimals, optional %; in hundredths. */
static long parse_percent(const char *s)
{
    long whole = 0, frac = 0;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return -1;
    while (*p >= '0' && *p <= '9' && whole <= 100)
        whole = whole * 10 + (*p++ - '0');
    if (*p == '.') {
        p++;
        int digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 2) {
            frac = frac * 10 + (*p++ - '0');
            digits++;
        }
        if (!digits)
            return -1;
        if (digits == 1)
            frac *= 10;
    }
    if (*p == '%')
        p++;
    if (*p || whole > 100 || (whole == 100 && frac))
        return -1;
    return whole * 100 + frac;
}

/* ---- the command ---------------------------------------------------------- */

int cli_test(int argc, char **argv)
{
    bool want_coverage = false;
    long min = -1;
    const char *format = NULL, *policy_override = NULL;
    char **files = xmalloc(((size_t)argc + 1) * sizeof *files);
    size_t nfiles = 0;
    bool options = true;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (options && !strcmp(a, "--")) {
            options = false;
        } else if (options && !strcmp(a, "--coverage")) {
            want_coverage = true;
        } else if (options && (!strcmp(a, "--min-coverage") || !strncmp(a, "--min-coverage=", 15))) {
            val = a[14] == '=' ? a + 15 : i + 1 < argc ? argv[++i] : NULL;
            if (!val) {
                free(files);
                return cli_usage_error("%s", "--min-coverage needs a percentage, like 100 or 87.5");
            }
            if ((min = parse_percent(val)) < 0) {
                free(files);
                return cli_usage_error("--min-coverage `%s`: give a percentage from 0 to 100, like 100 or 87.5",
                                       val);
            }
            want_coverage = true;
        } else if (options && (!strcmp(a, "--format") || !strncmp(a, "--format=", 9))) {
            format = a[8] == '=' ? a + 9 : i + 1 < argc ? argv[++i] : NULL;
            if (!format || (strcmp(format, "text") && strcmp(format, "json"))) {
                free(files);
                return cli_usage_error("unknown format `%s`: use text or json", format ? format : "");
            }
        } else if (options && !strcmp(a, "--policy") && i + 1 < argc) {
            /* the same tests against another version: the April review */
            policy_override = argv[++i];
        } else if (options && a[0] == '-' && a[1]) {
            free(files);
            return cli_usage_error("unknown option `%s` for test", a);
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (!nfiles) {
        free(files);
        return cli_usage_error("%s", "test needs at least one test file (POLICY.tests.json)");
    }

    Run run = {0};
    run.json = format && !strcmp(format, "json");
    cJSON *out = NULL, *jfiles = NULL;
    if (run.json) {
        out = check_alloc(cJSON_CreateObject());
        jfiles = check_alloc(cJSON_AddArrayToObject(out, "files"));
        run.jcases = check_alloc(cJSON_AddArrayToObject(out, "cases"));
    }
    int status = 0;
    for (size_t i = 0; i < nfiles; i++) {
        TestFile tf = {0};
        tf.path = files[i];
        Policy *pol = NULL;
        const char *problem = NULL;
        if (!load_test_file(&tf))
            problem = "the test file cannot be read or is malformed";
        else if (!(pol = policy_get(policy_override ? policy_override : tf.policy_path, tf.path)))
            problem = "the policy cannot be read or does not compile";
        if (problem)
            status = 2;
        else
            for (size_t k = 0; k < tf.ncases; k++)
                run_case(&run, &tf, &tf.cases[k], pol);
        if (run.json) {
            cJSON *jf = check_alloc(cJSON_CreateObject());
            cJSON_AddStringToObject(jf, "file", tf.path);
            cJSON_AddItemToObject(jf, "policy", tf.policy_path ? cJSON_CreateString(tf.policy_path) : cJSON_CreateNull());
            cJSON_AddNumberToObject(jf, "cases", problem ? 0 : (double)tf.ncases);
            cJSON_AddItemToObject(jf, "error", problem ? cJSON_CreateString(problem) : cJSON_CreateNull());
            cJSON_AddItemToArray(jfiles, jf);
        }
        test_file_free(&tf);
    }
    if (run.failed && status == 0)
        status = 1;
    if (want_coverage) {
        cJSON *jcov = run.json ? check_alloc(cJSON_AddArrayToObject(out, "coverage")) : NULL;
        for (size_t i = 0; i < npolicies; i++)
            if (policies[i]->p && !coverage(&run, policies[i], min, jcov) && status == 0)
                status = 1;
    }
    if (run.json) {
        cJSON_AddNumberToObject(out, "passed", (double)run.passed);
        cJSON_AddNumberToObject(out, "failed", (double)run.failed);
        cJSON_AddNumberToObject(out, "status", status);
        char *text = check_alloc(cJSON_PrintUnformatted(out));
        puts(text);
        cJSON_free(text);
        cJSON_Delete(out);
    } else {
        printf("%lu passed, %lu failed\n", run.passed, run.failed);
    }
    cli_flush();
    for (size_t i = 0; i < npolicies; i++)
        policy_free(policies[i]);
    free(policies);
    policies = NULL;
    npolicies = 0;
    free(files);
    return status;
}
