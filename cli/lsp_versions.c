/*
 * lsp_versions.c - the checks `svp check` makes across several versions of
 * a policy, for the version open in an editor: the other *.svp files of its
 * folder are its fellow versions (as `svp check FOLDER` takes them).
 *
 * Two versions of one policy (by name) taking effect on the same day is an
 * error; the newest version whose review month has come round since it
 * took effect gets the review reminder.  The wording is cli/versions.c's,
 * without the "file: severity:" prefix the editor shows in its own way.
 * This is the one place to switch over when those checks move into the
 * library.
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lsp.h"

static const char *const months[] = {"January", "February", "March", "April", "May", "June", "July",
                                     "August", "September", "October", "November", "December"};

static void add(cJSON *out, int severity, const char *code, const char *message)
{
    cJSON *g = cJSON_CreateObject();
    cJSON *range = cJSON_AddObjectToObject(g, "range");
    cJSON *start = cJSON_AddObjectToObject(range, "start"), *end = cJSON_AddObjectToObject(range, "end");
    cJSON_AddNumberToObject(start, "line", 0);
    cJSON_AddNumberToObject(start, "character", 0);
    cJSON_AddNumberToObject(end, "line", 0);
    cJSON_AddNumberToObject(end, "character", 0);
    cJSON_AddNumberToObject(g, "severity", severity);
    cJSON_AddStringToObject(g, "code", code);
    cJSON_AddStringToObject(g, "source", "svp");
    cJSON_AddStringToObject(g, "message", message);
    cJSON_AddItemToArray(out, g);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

void lsp_version_diagnostics(LspDocuments *docs, const LspDocument *d, const char *today, cJSON *out)
{
    const svp_policy *mine = d->index ? svp_index_policy(d->index) : NULL;
    const char *slash = strrchr(d->path, '/');
    if (!mine || !slash || strncmp(d->uri, "file://", 7))
        return;
    char *folder = strndup(d->path, (size_t)(slash - d->path) + 1);
    DIR *dir = folder ? opendir(folder) : NULL;
    char **files = NULL;
    size_t n = 0;
    for (struct dirent *e; dir && (e = readdir(dir));) {
        size_t len = strlen(e->d_name);
        char **more = len > 4 && !strcmp(e->d_name + len - 4, ".svp") ? realloc(files, (n + 1) * sizeof *files) : NULL;
        if (!more)
            continue;
        files = more;
        if ((files[n] = malloc(strlen(folder) + len + 1)))
            sprintf(files[n++], "%s%s", folder, e->d_name);
    }
    if (dir)
        closedir(dir);
    if (n)
        qsort(files, n, sizeof *files, by_name);
    /* the versions that compiled: this one as edited, the others as open
     * in the editor or else as on disk */
    const svp_policy **policies = calloc(n + 1, sizeof *policies);
    svp_policy **owned = calloc(n + 1, sizeof *owned);
    size_t me = n;
    for (size_t i = 0; policies && owned && i < n; i++) {
        if (!strcmp(files[i], d->path)) {
            policies[i] = mine;
            me = i;
            continue;
        }
        const LspDocument *open = NULL;
        for (const LspDocument *o = docs->first; o; o = o->next)
            if (!strcmp(o->path, files[i]))
                open = o;
        if (open)
            policies[i] = open->index ? svp_index_policy(open->index) : NULL;
        else
            policies[i] = owned[i] = svp_policy_load(files[i], NULL, NULL);
    }
    if (me == n && policies && owned) { /* not saved yet: it is still one of the versions */
        policies[n] = mine;
    }
    char msg[1024], today_buf[11];
    if (!today) { /* today's date, UTC, as `svp check` takes it */
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(today_buf, sizeof today_buf, "%Y-%m-%d", &tm);
        today = today_buf;
    }
    bool newest = true;
    for (size_t j = 0; policies && owned && j <= n; j++) {
        const svp_policy *q = policies[j];
        if (!q || q == mine || strcmp(svp_policy_name(q), svp_policy_name(mine)))
            continue;
        int c = strcmp(svp_policy_effective(q), svp_policy_effective(mine));
        newest &= c <= 0;
        if (c == 0) {
            const char *a = me < j ? d->path : files[j], *b = me < j ? files[j] : d->path;
            snprintf(msg, sizeof msg, "%s and %s both take effect on %s: two versions of \"%s\" cannot be in force "
                                      "on the same day", a, b, svp_policy_effective(mine), svp_policy_name(mine));
            add(out, 1, "versions", msg);
        }
    }
    int month = svp_policy_review_month(mine);
    if (newest && month) {
        const char *effective = svp_policy_effective(mine);
        int year = atoi(effective), m = atoi(effective + 5);
        char due[11];
        snprintf(due, sizeof due, "%04d-%02d-01", month > m ? year : year + 1, month);
        if (strcmp(today, due) >= 0) {
            snprintf(msg, sizeof msg, "annual review due since %s %.4s: version %s took effect on %s and no newer "
                                      "version is given", months[month - 1], due, svp_policy_version(mine), effective);
            add(out, 2, "review-due", msg);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (owned)
            svp_policy_free(owned[i]);
        free(files[i]);
    }
    free(owned);
    free(policies);
    free(files);
    free(folder);
}
