/*
 * versions.c - a version set: the versions of one policy, checked against
 * each other, and the version in force for a record.
 *
 * A policy says when it takes effect (`effective`), when it is reviewed
 * (`review every April`) and which of a record's fields date it (`dated
 * by`).  For a record, the version in force is the latest that took effect
 * on or before the record's own date.  That choice is made while the
 * record is read (record.c calls versions_pick on the one tree it parses),
 * so a record is parsed once whatever the number of versions.
 *
 * The checks: versions must be of one policy (the same `policy` name);
 * two versions taking effect on the same day would make the choice
 * ambiguous; and when the review month has come round since the newest
 * version took effect, the review is due (a warning).  Their messages are
 * the ones `svp check` has always printed, each naming the file it is
 * about.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "eval.h"
#include "value.h"
#include "versions.h"

static const char *const month_names[] = {"January", "February", "March", "April", "May", "June", "July",
                                          "August", "September", "October", "November", "December"};

int32_t versions_today(void)
{
    time_t now = time(NULL);
    struct tm tm;
    char text[16];
    int32_t days = 0;
    gmtime_r(&now, &tm);
    size_t n = strftime(text, sizeof text, "%Y-%m-%d", &tm);
    (void)value_parse_date(text, n, &days);
    return days;
}

bool svp_is_date(const char *text)
{
    int32_t days;
    return text && value_parse_date(text, strlen(text), &days);
}

/* The first day of the review month after p took effect ("YYYY-MM-01"). */
static void review_due(const svp_policy *p, char out[11])
{
    int year = atoi(p->effective_text), month = atoi(p->effective_text + 5);
    snprintf(out, 11, "%04d-%02d-01", p->review_month > month ? year : year + 1, p->review_month);
}

/* Versions of different policies: an error about each odd one out. */
static bool check_names(svp_diagnostics *d, const svp_policy *const *policies, const char *const *files, size_t n)
{
    bool ok = true;
    for (size_t i = 1; i < n; i++)
        if (strcmp(policies[i]->name, policies[0]->name)) {
            diag_add_about(d, SVP_ERROR, "version-policy", files[i],
                           "this is policy \"%s\" and %s is policy \"%s\": versions given together must be "
                           "versions of one policy",
                           policies[i]->name, files[0], policies[0]->name);
            ok = false;
        }
    return ok;
}

/* Same-day versions (errors, about the later file) and, for the newest
 * version, the review due as of today: in file order, as `svp check`
 * has always printed them. */
static void check_dates(svp_diagnostics *d, const svp_policy *const *policies, const char *const *files, size_t n,
                        int32_t today)
{
    char today_text[SVP_VALUE_TEXT_MAX];
    value_format_date(today, today_text);
    for (size_t i = 0; i < n; i++) {
        const svp_policy *p = policies[i];
        bool newest = true;
        for (size_t j = 0; j < n; j++) {
            if (j == i)
                continue;
            if (policies[j]->effective > p->effective)
                newest = false;
            if (policies[j]->effective == p->effective && j > i)
                diag_add_about(d, SVP_ERROR, "version-same-day", files[j],
                               "%s and %s both take effect on %s: two versions of \"%s\" cannot be in force on "
                               "the same day",
                               files[i], files[j], p->effective_text, p->name);
        }
        char due[11];
        if (newest && p->review_month) {
            review_due(p, due);
            if (strcmp(today_text, due) >= 0)
                diag_add_about(d, SVP_WARNING, "review-due", files[i],
                               "annual review due since %s %.4s: version %s took effect on %s and no newer "
                               "version is given",
                               month_names[p->review_month - 1], due, p->version, p->effective_text);
        }
    }
}

/* The set itself, once the checks have passed; NULL when out of memory. */
static svp_versions *versions_make(const svp_policy *const *policies, size_t n, const svp_allocator *alloc)
{
    svp_versions *v = svp_mem_alloc(alloc, sizeof *v);
    const svp_policy **copy = svp_mem_alloc(alloc, n * sizeof *copy);
    if (!v || !copy) {
        svp_mem_free(alloc, v, sizeof *v);
        svp_mem_free(alloc, copy, n * sizeof *copy);
        return NULL;
    }
    memcpy(copy, policies, n * sizeof *copy);
    *v = (svp_versions){alloc, copy, n, copy[0], copy[0]};
    for (size_t i = 1; i < n; i++) {
        if (copy[i]->effective > v->newest->effective)
            v->newest = copy[i];
        if (copy[i]->effective < v->earliest->effective)
            v->earliest = copy[i];
    }
    return v;
}

svp_versions *svp_versions_new(const svp_policy *const *policies, const char *const *files, size_t n,
                               const char *today, const svp_allocator *alloc, svp_diagnostics **diags)
{
    if (diags)
        *diags = NULL;
    if (!policies || !files || n == 0)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!policies[i] || !files[i])
            return NULL;
    int32_t today_days = versions_today();
    if (today && !value_parse_date(today, strlen(today), &today_days))
        return NULL;
    svp_diagnostics *d = diag_new(alloc, files[0], NULL, 0);
    if (!d)
        return NULL;
    if (check_names(d, policies, files, n))
        check_dates(d, policies, files, n, today_days);
    svp_versions *v = d->errors || d->oom ? NULL : versions_make(policies, n, alloc);
    if (diags)
        *diags = d;
    else
        svp_diagnostics_free(d);
    return v;
}

void svp_versions_free(svp_versions *v)
{
    if (!v)
        return;
    svp_mem_free(v->alloc, v->policies, v->n * sizeof *v->policies);
    svp_mem_free(v->alloc, v, sizeof *v);
}

size_t svp_versions_count(const svp_versions *v) { return v ? v->n : 0; }

const svp_policy *svp_versions_get(const svp_versions *v, size_t i) { return v && i < v->n ? v->policies[i] : NULL; }

/* The member of object j whose key is path[0, len), or NULL. */
static const cJSON *member(const cJSON *j, const char *path, size_t len)
{
    if (!j || (j->type & 0xFF) != cJSON_Object)
        return NULL;
    for (const cJSON *c = j->child; c; c = c->next)
        if (c->string && !strncmp(c->string, path, len) && c->string[len] == '\0')
            return c;
    return NULL;
}

/* The date at dotted path in root, if it holds a valid date text. */
static bool date_at(const cJSON *root, const char *path, int32_t *date)
{
    const cJSON *j = root;
    while (j && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        j = member(j, path, n);
        path += n + (dot != NULL);
    }
    return j && (j->type & 0xFF) == cJSON_String && value_parse_date(j->valuestring, strlen(j->valuestring), date);
}

const svp_policy *versions_pick(const svp_versions *v, const cJSON *root, int32_t as_of, const char **field,
                                int32_t *date)
{
    assert(v && v->n > 0);
    *field = NULL;
    *date = as_of;
    const svp_policy *newest = v->newest;
    for (uint32_t i = 0; i < newest->ndated_by; i++)
        if (date_at(root, newest->dated_by[i], date)) {
            *field = newest->dated_by[i];
            break;
        }
    const svp_policy *best = NULL;
    for (size_t i = 0; i < v->n; i++) {
        const svp_policy *p = v->policies[i];
        if (p->effective <= *date && (!best || p->effective > best->effective))
            best = p;
    }
    return best;
}

svp_evaluator *svp_evaluator_new_versions(const svp_versions *v, const char *as_of, const svp_allocator *alloc)
{
    int32_t days = versions_today();
    if (!v || (as_of && !value_parse_date(as_of, strlen(as_of), &days)))
        return NULL;
    svp_evaluator *ev = svp_evaluator_new(v->newest, alloc);
    if (ev) {
        ev->versions = v;
        ev->as_of = days;
    }
    return ev;
}
