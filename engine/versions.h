/*
 * versions.h - a version set: several compiled versions of one policy, and
 * choosing the one in force for a record (internal; versions.c, behind the
 * public svp_versions).
 */
#ifndef SVP_VERSIONS_H
#define SVP_VERSIONS_H

#include <cjson/cJSON.h>

#include "program.h"

struct svp_versions {
    const svp_allocator *alloc;
    const svp_policy **policies; /* in the order given; never NULL entries */
    size_t n;
    const svp_policy *newest;    /* latest `effective`: its `dated by` dates records */
    const svp_policy *earliest;
};

/* The version of v in force for the record whose parsed tree is root: the
 * latest taking effect on or before the record's date, which is the first
 * of the newest version's `dated by` fields the record holds as a valid
 * date, else as_of (days since 1970-01-01).  *field receives that field's
 * path (NULL when as_of was used) and *date the date.  NULL when every
 * version takes effect after the date. */
const svp_policy *versions_pick(const svp_versions *v, const cJSON *root, int32_t as_of, const char **field,
                                int32_t *date);

/* Today's date (UTC), in days since 1970-01-01. */
int32_t versions_today(void);

#endif
