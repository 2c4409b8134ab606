/*
 * lsp_versions.c - the checks `svp check` makes across the versions of a
 * policy, for the version open in an editor: the other *.svp files of its
 * folder are its fellow versions (as `svp check FOLDER` takes them).
 *
 * The versions of the same policy (by name) that compile, this one as
 * edited and the others as open in the editor or else as on disk, in file
 * order, make a version set (svp_versions_new), whose diagnostics about
 * this file are the editor's: two versions taking effect on the same day,
 * and the annual review falling due.  A same-day error, which `svp check`
 * reports against the later file, names both and is shown in both.
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsp.h"

static void add(cJSON *out, const svp_diagnostic *g)
{
    cJSON *j = cJSON_CreateObject();
    cJSON *range = cJSON_AddObjectToObject(j, "range");
    cJSON *start = cJSON_AddObjectToObject(range, "start"), *end = cJSON_AddObjectToObject(range, "end");
    cJSON_AddNumberToObject(start, "line", 0);
    cJSON_AddNumberToObject(start, "character", 0);
    cJSON_AddNumberToObject(end, "line", 0);
    cJSON_AddNumberToObject(end, "character", 0);
    cJSON_AddNumberToObject(j, "severity", g->severity == SVP_ERROR ? 1 : g->severity == SVP_WARNING ? 2 : 3);
    cJSON_AddStringToObject(j, "code", g->code);
    cJSON_AddStringToObject(j, "source", "svp");
    cJSON_AddStringToObject(j, "message", g->message);
    cJSON_AddItemToArray(out, j);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The *.svp files of folder (ending in '/'), sorted, and d's own path
 * when it is not there yet (a new file); NULL when out of memory. */
static char **folder_files(const char *folder, const char *own, size_t *n)
{
    DIR *dir = opendir(folder);
    char **files = calloc(1, sizeof *files);
    *n = 0;
    bool own_seen = false;
    for (struct dirent *e; dir && files && (e = readdir(dir));) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".svp"))
            continue;
        char **more = realloc(files, (*n + 2) * sizeof *files);
        if (!more)
            break;
        files = more;
        if ((files[*n] = malloc(strlen(folder) + len + 1))) {
            sprintf(files[*n], "%s%s", folder, e->d_name);
            own_seen |= !strcmp(files[*n], own);
            (*n)++;
        }
    }
    if (dir)
        closedir(dir);
    if (files && !own_seen && (files[*n] = strdup(own)))
        (*n)++;
    if (files && *n)
        qsort(files, *n, sizeof *files, by_name);
    return files;
}

void lsp_version_diagnostics(LspDocuments *docs, const LspDocument *d, const char *today, cJSON *out)
{
    const svp_policy *mine = d->index ? svp_index_policy(d->index) : NULL;
    const char *slash = strrchr(d->path, '/');
    if (!mine || !slash || strncmp(d->uri, "file://", 7))
        return;
    char *folder = strndup(d->path, (size_t)(slash - d->path) + 1);
    size_t n = 0;
    char **files = folder ? folder_files(folder, d->path, &n) : NULL;
    const svp_policy **set = calloc(n + 1, sizeof *set);
    const char **names = calloc(n + 1, sizeof *names);
    svp_policy **owned = calloc(n + 1, sizeof *owned);
    size_t k = 0;
    for (size_t i = 0; files && set && names && owned && i < n; i++) {
        const svp_policy *p = NULL;
        const LspDocument *open = NULL;
        for (const LspDocument *o = docs->first; o; o = o->next)
            if (!strcmp(o->path, files[i]))
                open = o;
        if (!strcmp(files[i], d->path))
            p = mine;
        else if (open)
            p = open->index ? svp_index_policy(open->index) : NULL;
        else
            p = owned[i] = svp_policy_load(files[i], NULL, NULL);
        if (p && !strcmp(svp_policy_name(p), svp_policy_name(mine))) { /* versions of this policy */
            set[k] = p;
            names[k++] = files[i];
        }
    }
    svp_diagnostics *diags = NULL;
    svp_versions_free(k ? svp_versions_new(set, names, k, today, NULL, &diags) : NULL);
    for (size_t i = 0; i < svp_diagnostics_count(diags); i++) {
        const svp_diagnostic *g = svp_diagnostics_get(diags, i);
        bool about_me = g->file && !strcmp(g->file, d->path);
        bool names_me = !strcmp(g->code, "version-same-day") && strstr(g->message, d->path);
        if (about_me || names_me)
            add(out, g);
    }
    svp_diagnostics_free(diags);
    for (size_t i = 0; i < n; i++) {
        if (owned)
            svp_policy_free(owned[i]);
        free(files[i]);
    }
    free(owned);
    free(names);
    free(set);
    free(files);
    free(folder);
}
