/*
 * versions.c - several versions of one policy: loading them, checking that
 * they fit together, and picking the one in force for a record.
 *
 * A policy says when it takes effect (`effective`) and which of a record's
 * fields date it (`dated by`).  For each record, the version in force is
 * the latest that took effect on or before the record's own date: the
 * first `dated by` field it has, else --as-of, else today.  Two versions
 * taking effect on the same day would make that choice ambiguous, so it
 * is an error; and when a policy's review month has passed since its
 * newest version took effect, `svp check` says the review is due.
 * ISO dates compare as text, so dates stay strings here.
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"

static const char *const month_names[] = {"January", "February", "March", "April", "May", "June", "July",
                                          "August", "September", "October", "November", "December"};

const char *cli_today(char out[11], const char *override)
{
    if (override)
        return override;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
    return out;
}

bool cli_is_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int year = atoi(s), month = atoi(s + 5), day = atoi(s + 8);
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return year >= 1 && month >= 1 && month <= 12 && day >= 1 &&
           day <= days[month - 1] + (month == 2 && leap);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add path, or every *.svp in it when it is a folder, to files. */
static int expand(const char *path, char ***files, size_t *n)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        char **more = realloc(*files, (*n + 1) * sizeof *more);
        if (!more || !(more[*n] = strdup(path)))
            return 2;
        *files = more;
        (*n)++;
        return 0;
    }
    DIR *dir = opendir(path);
    if (!dir) {
        fprintf(stderr, "svp: cannot read the folder %s\n", path);
        return 2;
    }
    size_t first = *n;
    for (struct dirent *e; (e = readdir(dir));) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".svp"))
            continue;
        char **more = realloc(*files, (*n + 1) * sizeof *more);
        if (more)
            *files = more;
        char *full = more ? malloc(strlen(path) + len + 2) : NULL;
        if (!full) {
            closedir(dir);
            return 2;
        }
        size_t plen = strlen(path);
        while (plen > 1 && path[plen - 1] == '/')
            plen--; /* "policies/" and "policies" name the same files */
        sprintf(full, "%.*s/%s", (int)plen, path, e->d_name);
        (*files)[(*n)++] = full;
    }
    closedir(dir);
    qsort(*files + first, *n - first, sizeof **files, by_name);
    if (*n == first) {
        fprintf(stderr, "svp: no .svp files in the folder %s\n", path);
        return 2;
    }
    return 0;
}

int cli_load_versions(char **paths, int npaths, Versions *v, bool verbose)
{
    memset(v, 0, sizeof *v);
    for (int i = 0; i < npaths; i++)
        if (expand(paths[i], &v->files, &v->n))
            return 2;
    v->policies = calloc(v->n ? v->n : 1, sizeof *v->policies);
    v->warnings = calloc(v->n ? v->n : 1, sizeof *v->warnings);
    if (!v->policies || !v->warnings)
        return 2;
    int status = 0;
    for (size_t i = 0; i < v->n; i++) {
        svp_diagnostics *d = NULL;
        const char *file = v->files[i];
        svp_policy *p = v->policies[i] = svp_policy_load(file, NULL, &d);
        const svp_diagnostic *g = svp_diagnostics_get(d, 0);
        bool unreadable = !d || (g && !strcmp(g->code, "io"));
        if (!p || verbose)
            cli_print_diagnostics(d);
        size_t w = v->warnings[i] = svp_diagnostics_warnings(d);
        if (p && verbose) {
            printf("%s: ok (%s %s)%s", file, svp_policy_name(p), svp_policy_version(p), w ? "," : "\n");
            if (w)
                printf(" %zu warning%s\n", w, w == 1 ? "" : "s");
        } else if (!p && !unreadable) {
            size_t e = svp_diagnostics_errors(d);
            fprintf(stderr, "%s: %zu error%s\n", file, e, e == 1 ? "" : "s");
        }
        if (!p)
            status = unreadable ? 2 : (status ? status : 1);
        svp_diagnostics_free(d);
    }
    return status;
}

void cli_free_versions(Versions *v)
{
    for (size_t i = 0; i < v->n; i++) {
        svp_policy_free(v->policies ? v->policies[i] : NULL);
        free(v->files[i]);
    }
    free(v->policies);
    free(v->warnings);
    free(v->files);
    memset(v, 0, sizeof *v);
}

/* The first of year/month after `effective` when the review falls. */
static void review_due(const char *effective, int month, char out[11])
{
    int year = atoi(effective), m = atoi(effective + 5);
    snprintf(out, 11, "%04d-%02d-01", month > m ? year : year + 1, month);
}

int cli_check_versions(const Versions *v, const char *today)
{
    int status = 0;
    for (size_t i = 0; i < v->n; i++) {
        const svp_policy *p = v->policies[i];
        bool newest = true;
        for (size_t j = 0; j < v->n; j++) {
            const svp_policy *q = v->policies[j];
            if (j == i || strcmp(svp_policy_name(p), svp_policy_name(q)))
                continue;
            int c = strcmp(svp_policy_effective(q), svp_policy_effective(p));
            if (c > 0)
                newest = false;
            if (c == 0 && j > i) {
                fprintf(stderr, "%s: error: %s and %s both take effect on %s: two versions of \"%s\" cannot be "
                                "in force on the same day\n",
                        v->files[j], v->files[i], v->files[j], svp_policy_effective(p), svp_policy_name(p));
                status = 1;
            }
        }
        int month = svp_policy_review_month(p);
        char due[11];
        if (newest && month) {
            review_due(svp_policy_effective(p), month, due);
            if (strcmp(today, due) >= 0)
                fprintf(stderr, "%s: warning: annual review due since %s %.4s: version %s took effect on %s "
                                "and no newer version is given\n",
                        v->files[i], month_names[month - 1], due, svp_policy_version(p), svp_policy_effective(p));
        }
    }
    return status;
}

/* The text of the dotted path in object j, if it is a string. */
static const char *text_at(const cJSON *j, const char *path)
{
    char key[128];
    while (j && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        j = cJSON_GetObjectItemCaseSensitive(j, key);
        path += n + (dot != NULL);
    }
    return cJSON_IsString(j) ? j->valuestring : NULL;
}

long cli_pick_version(const Versions *v, const char *json, size_t len, const char *as_of, char date[11],
                      const char **dated_by, char *id, size_t id_size)
{
    if (v->n == 1)
        return 0;
    const svp_policy *newest = v->policies[0];
    for (size_t i = 1; i < v->n; i++)
        if (strcmp(svp_policy_effective(v->policies[i]), svp_policy_effective(newest)) > 0)
            newest = v->policies[i];
    *dated_by = NULL;
    snprintf(date, 11, "%s", as_of);
    cJSON *root = cJSON_ParseWithLength(json, len);
    const char *rid = text_at(root, "id");
    snprintf(id, id_size, "%s", rid ? rid : "");
    for (size_t i = 0; root && i < svp_policy_dated_by_count(newest); i++) {
        const char *t = text_at(root, svp_policy_dated_by(newest, i));
        if (t && cli_is_date(t)) {
            snprintf(date, 11, "%s", t);
            *dated_by = svp_policy_dated_by(newest, i);
            break;
        }
    }
    cJSON_Delete(root);
    long best = -1;
    for (size_t i = 0; i < v->n; i++) {
        const char *e = svp_policy_effective(v->policies[i]);
        if (strcmp(e, date) <= 0 && (best < 0 || strcmp(e, svp_policy_effective(v->policies[best])) > 0))
            best = (long)i;
    }
    return best;
}
