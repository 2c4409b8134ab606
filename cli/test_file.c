/*
 * test_file.c - the test-file format of `svp test` (README.md, under `svp
 * test`): reading a .tests.json file and checking it whole before any case
 * runs, so that a mistake in the file is reported as one, never as a
 * failing case.
 *
 *   { "policy": "nelc-social-value.svp",          optional, relative to the file
 *     "bases":  { "NAME": { ...a whole record... } },
 *     "cases":  [ { "name": "...", "base": "NAME", "set": { "value": "100000.01" },
 *                   "verdict": "non-compliant", "fires": ["sv-weighting"],
 *                   "decisions": { "sv_responsibility": "Leadership Team" } } ] }
 *
 * Each case becomes the JSON text of its record (a base or record with its
 * "set" applied, or record_text as written) and its expectations.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

/* A test file bigger than this is refused. */
#define TEST_MAX_FILE (64u << 20)

const char *const test_verdict_names[3] = {"compliant", "non-compliant", "invalid"};

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
            CliText keys = {0};
            for (size_t i = 0; allowed[i]; i++)
                cli_text_addf(&keys, "%s%s", i ? ", " : "", allowed[i]);
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
    char *p = cli_strdup(dotted);
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
            next = cli_need(cJSON_AddObjectToObject(obj, seg));
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
            cJSON_ReplaceItemInObjectCaseSensitive(obj, seg, cli_need(cJSON_CreateObject()));
            next = cJSON_GetObjectItemCaseSensitive(obj, seg);
        }
        obj = next;
    }
    if (cJSON_IsNull(value)) {
        while (cJSON_GetObjectItemCaseSensitive(obj, seg))
            cJSON_DeleteItemFromObjectCaseSensitive(obj, seg);
    } else {
        cJSON *copy = cli_need(cJSON_Duplicate(value, true));
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
    CliText b = {0};
    if (policy) {
        if (policy->valuestring[0] != '/')
            cli_text_addn(&b, testfile, dirlen);
        cli_text_add(&b, policy->valuestring);
        return b.s;
    }
    size_t n = strlen(testfile);
    if (cli_has_suffix(testfile, ".tests.json"))
        n -= strlen(".tests.json");
    else if (cli_has_suffix(testfile, ".json"))
        n -= strlen(".json");
    cli_text_addn(&b, testfile, n);
    cli_text_add(&b, ".svp");
    return b.s;
}

/* "fires": a list of distinct rule ids; false after saying why not. */
static bool case_fires(const char *path, const char *named, const cJSON *fires)
{
    const cJSON *f;
    bool good = cJSON_IsArray(fires);
    cJSON_ArrayForEach(f, fires) {
        good = good && cJSON_IsString(f);
        for (const cJSON *g = fires->child; good && g != f; g = g->next)
            if (!strcmp(g->valuestring, f->valuestring))
                return malformed(path, "%s: \"fires\" names `%s` twice", named, f->valuestring);
    }
    if (!good)
        return malformed(path, "%s: \"fires\" must be a list of rule ids, like [\"sv-weighting\"] ([] for none)",
                         named);
    return true;
}

/* The record of case c, as JSON text into out->record: "record" or a
 * base, with "set" applied, or "record_text" as written.  False after
 * saying what is wrong. */
static bool case_record(const char *path, const char *named, const cJSON *c, const cJSON *bases, TestCase *out)
{
    const cJSON *record = cJSON_GetObjectItemCaseSensitive(c, "record");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(c, "record_text");
    const cJSON *base = cJSON_GetObjectItemCaseSensitive(c, "base");
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(c, "set");
    if (!!record + !!text + !!base != 1)
        return malformed(path, "%s: give the record one way: \"record\", \"record_text\" or \"base\"", named);
    if (text && !cJSON_IsString(text))
        return malformed(path, "%s: \"record_text\" must be a text (the record's JSON, as it is to be read)", named);
    if (text && set)
        return malformed(path, "%s: \"set\" goes with \"base\" or \"record\", not with \"record_text\"", named);
    if (set && !cJSON_IsObject(set))
        return malformed(path, "%s: \"set\" must be an object of {\"field.path\": value}", named);
    if (base && !cJSON_IsString(base))
        return malformed(path, "%s: \"base\" must be the name of one of the \"bases\"", named);
    const cJSON *from = record;
    if (base) {
        from = cJSON_GetObjectItemCaseSensitive(bases, base->valuestring);
        if (!from)
            return malformed(path, "%s: there is no base named \"%s\"", named, base->valuestring);
    }
    out->set = set;
    if (text) {
        out->record = cli_strdup(text->valuestring);
    } else {
        cJSON *rec = cli_need(cJSON_Duplicate(from, true));
        const cJSON *s;
        bool set_ok = true;
        cJSON_ArrayForEach(s, set) {
            if (!(set_ok = set_path(path, named, rec, s->string, s)))
                break;
        }
        if (set_ok)
            out->record = cli_need(cJSON_PrintUnformatted(rec));
        cJSON_Delete(rec);
        if (!set_ok)
            return false;
    }
    return true;
}

/* What case c expects, into out; false after saying what is wrong. */
static bool case_expectations(const char *path, const char *named, const cJSON *c, TestCase *out)
{
    const cJSON *verdict = cJSON_GetObjectItemCaseSensitive(c, "verdict");
    if (verdict) {
        for (int v = 0; v < 3; v++)
            if (cJSON_IsString(verdict) && !strcmp(verdict->valuestring, test_verdict_names[v]))
                out->verdict = v;
        if (out->verdict < 0)
            return malformed(path, "%s: \"verdict\" is one of \"compliant\", \"non-compliant\", \"invalid\"", named);
    }
    const cJSON *fires = cJSON_GetObjectItemCaseSensitive(c, "fires");
    if (fires && !case_fires(path, named, fires))
        return false;
    out->fires = fires;
    const cJSON *decisions = cJSON_GetObjectItemCaseSensitive(c, "decisions");
    if (decisions) {
        if (!cJSON_IsObject(decisions))
            return malformed(path, "%s: \"decisions\" must be an object of {\"decision\": value}", named);
        if (!no_duplicate_keys(path, named, decisions))
            return false;
        out->decisions = decisions;
    }
    const cJSON *ef = cJSON_GetObjectItemCaseSensitive(c, "error_field");
    if (ef) {
        if (!cJSON_IsString(ef) && !cJSON_IsNull(ef))
            return malformed(path, "%s: \"error_field\" must be a field path like \"weighting.price\" (or null)",
                             named);
        out->has_error_field = true;
        out->error_field = cJSON_IsString(ef) ? ef->valuestring : NULL;
    }
    if (out->verdict < 0 && !fires && !decisions && !ef)
        return malformed(path, "%s: expects nothing: give \"verdict\", \"fires\", \"decisions\" or \"error_field\"",
                         named);
    bool invalid = out->verdict == SVP_INVALID || ef;
    if (ef && out->verdict >= 0 && out->verdict != SVP_INVALID)
        return malformed(path, "%s: \"error_field\" is for invalid records, but \"verdict\" is \"%s\"", named,
                         test_verdict_names[out->verdict]);
    if (invalid && (fires || decisions))
        return malformed(path, "%s: an invalid record has no findings or decisions: drop \"fires\" and \"decisions\"",
                         named);
    return true;
}

static bool load_case(TestFile *tf, const cJSON *c, size_t index, const cJSON *bases, TestCase *out)
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
        CliText b = {0};
        cli_text_addf(&b, "case \"%s\"", name->valuestring);
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

    ok = case_record(tf->path, named, c, bases, out) && case_expectations(tf->path, named, c, out);
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
bool test_file_load(TestFile *tf)
{
    size_t len = 0;
    tf->text = cli_read_file(tf->path, TEST_MAX_FILE, &len);
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
    tf->cases = cli_alloc(n * sizeof *tf->cases);
    const cJSON *c;
    cJSON_ArrayForEach(c, cases) {
        if (!load_case(tf, c, tf->ncases, bases, &tf->cases[tf->ncases]))
            return false;
        tf->ncases++;
    }
    return true;
}

/* ---- "set" paths against the policy's fields ------------------------------ */

/* Add to paths (NUL-separated) the field paths of a describe_record
 * "fields" list.  An object is always a list of them, set whole. */
static void declared_paths(CliText *paths, const cJSON *fields)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, fields) {
        const cJSON *path = cJSON_GetObjectItemCaseSensitive(f, "path");
        if (cJSON_IsString(path))
            cli_text_addn(paths, path->valuestring, strlen(path->valuestring) + 1);
    }
}

/* Is dotted a declared path, or the group above one (`weighting` above
 * `weighting.price`)? */
static bool names_a_field(const CliText *paths, const char *dotted)
{
    size_t n = strlen(dotted);
    for (size_t at = 0; at < paths->len; at += strlen(paths->s + at) + 1) {
        const char *p = paths->s + at;
        if (!strncmp(p, dotted, n) && (p[n] == '\0' || p[n] == '.'))
            return true;
    }
    return false;
}

/* Edit distance between a and b (insert, delete, replace: one each),
 * up to 3; anything further is 3. */
static size_t distance_up_to_3(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > nb + 3 || nb > na + 3 || na > 64 || nb > 64)
        return 3;
    size_t row[65];
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb] < 3 ? row[nb] : 3;
}

/* The declared path closest to dotted (within two edits), or NULL. */
static const char *closest_path(const CliText *paths, const char *dotted)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t at = 0; at < paths->len; at += strlen(paths->s + at) + 1) {
        size_t d = distance_up_to_3(paths->s + at, dotted);
        if (d < best_d) {
            best_d = d;
            best = paths->s + at;
        }
    }
    return best;
}

bool test_file_check_sets(const TestFile *tf, const svp_policy *p, const char *policy_path)
{
    char *desc = cli_need(svp_policy_describe_record(p, NULL));
    cJSON *root = cli_need(cJSON_Parse(desc));
    svp_string_free(desc);
    CliText paths = {0};
    declared_paths(&paths, cJSON_GetObjectItemCaseSensitive(root, "fields"));
    bool ok = true;
    for (size_t i = 0; ok && i < tf->ncases; i++) {
        const cJSON *s;
        cJSON_ArrayForEach(s, tf->cases[i].set) {
            if (names_a_field(&paths, s->string))
                continue;
            const char *near = closest_path(&paths, s->string);
            fprintf(stderr,
                    "svp: %s: case \"%s\": \"set\" names `%s`, which is no field of the policy %s, so the case "
                    "would test nothing: %s%s%s\n",
                    tf->path, tf->cases[i].name, s->string, policy_path, near ? "did you mean `" : "",
                    near ? near : "set a field the policy's record declares", near ? "`?" : "");
            ok = false;
            break;
        }
    }
    free(paths.s);
    cJSON_Delete(root);
    return ok;
}

void test_file_free(TestFile *tf)
{
    for (size_t i = 0; i < tf->ncases; i++)
        free(tf->cases[i].record);
    free(tf->cases);
    free(tf->policy_path);
    cJSON_Delete(tf->root);
    free(tf->text);
}
