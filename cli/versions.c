/*
 * versions.c - the policy files given to a command: loading them (folders
 * expanded) and handing them to the library as version sets.
 *
 * Which version of a policy is in force for a record, and whether
 * versions fit together (one policy, no two on the same day, the review
 * due), is the library's business (svp_versions, engine/versions.c); this
 * file only reads files and prints what the library says.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

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
        v->warnings[i] = svp_diagnostics_warnings(d);
        /* (verbose: the "ok" line comes after the versions are checked
         * against each other, so that it counts their warnings too) */
        if (!p && !unreadable) {
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

svp_versions *cli_version_set(const Versions *v, const char *today)
{
    svp_diagnostics *d = NULL;
    svp_versions *set = svp_versions_new((const svp_policy *const *)v->policies, (const char *const *)v->files, v->n,
                                         today, NULL, &d);
    if (!d)
        fputs("svp: out of memory\n", stderr);
    cli_print_diagnostics(d);
    svp_diagnostics_free(d);
    return set;
}

/* Add the warnings of a version set's diagnostics d (the review
 * reminder) to the count of the file each is about. */
static void count_set_warnings(const Versions *v, const svp_diagnostics *d)
{
    for (size_t i = 0; i < svp_diagnostics_count(d); i++) {
        const svp_diagnostic *g = svp_diagnostics_get(d, i);
        for (size_t j = 0; g->severity == SVP_WARNING && g->file && j < v->n; j++)
            if (!strcmp(v->files[j], g->file)) {
                v->warnings[j]++;
                break;
            }
    }
}

/* Check the policies whose indexes are in[0, n) as one version set, its
 * diagnostics kept in *kept (printed by the caller, after the "ok"
 * lines that count their warnings); 0, 1 (errors) or 2 (out of memory). */
static int check_set(const Versions *v, const size_t *in, size_t n, const char *today, svp_diagnostics **kept)
{
    Versions group = {calloc(n, sizeof(char *)), calloc(n, sizeof(svp_policy *)), NULL, n};
    svp_versions *set = NULL;
    int status = 2;
    if (group.files && group.policies) {
        for (size_t k = 0; k < n; k++) {
            group.files[k] = v->files[in[k]];
            group.policies[k] = v->policies[in[k]];
        }
        set = svp_versions_new((const svp_policy *const *)group.policies, (const char *const *)group.files, n, today,
                               NULL, kept);
        if (!*kept)
            fputs("svp: out of memory\n", stderr);
        count_set_warnings(v, *kept);
        status = set ? 0 : 1;
    }
    svp_versions_free(set);
    free(group.files);
    free(group.policies);
    return status;
}

int cli_check_version_sets(const Versions *v, const char *today)
{
    size_t *in = calloc(v->n + 1, sizeof *in), ngroups = 0;
    bool *taken = calloc(v->n + 1, sizeof *taken);
    svp_diagnostics **kept = calloc(v->n + 1, sizeof *kept);
    int status = in && taken && kept ? 0 : 2;
    for (size_t i = 0; !status && i < v->n; i++) {
        if (!v->policies[i] || taken[i])
            continue;
        size_t n = 0;
        for (size_t j = i; j < v->n; j++)
            if (v->policies[j] && !taken[j] &&
                !strcmp(svp_policy_name(v->policies[j]), svp_policy_name(v->policies[i]))) {
                taken[j] = true;
                in[n++] = j;
            }
        int s = check_set(v, in, n, today, &kept[ngroups++]);
        if (s > status)
            status = s;
    }
    /* "ok" with every warning counted, the review reminder's included */
    for (size_t i = 0; i < v->n; i++) {
        const svp_policy *p = v->policies[i];
        size_t w = v->warnings[i];
        if (!p)
            continue;
        printf("%s: ok (%s %s)%s", v->files[i], svp_policy_name(p), svp_policy_version(p), w ? "," : "\n");
        if (w)
            printf(" %zu warning%s\n", w, w == 1 ? "" : "s");
    }
    cli_flush(); /* the "ok" lines before the warnings about versions */
    for (size_t g = 0; kept && g < ngroups; g++) {
        cli_print_diagnostics(kept[g]);
        svp_diagnostics_free(kept[g]);
    }
    free(kept);
    free(in);
    free(taken);
    return status;
}
