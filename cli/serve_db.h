/*
 * serve_db.h - the register of `svp serve`: procurements and the decisions
 * made about them, kept in an SQLite database.
 *
 * Nothing is ever overwritten or deleted: a save adds a revision of the
 * record and, in the same transaction, an entry in the decision log (the
 * time, the policy's name, version and SHA-256, the result shown).  The
 * database is in write-ahead-log mode with synchronous=FULL, so a save
 * that was acknowledged survives the process being killed.  A database of
 * another shape, or of a newer schema, is refused and left as it was.
 *
 * One connection, used by one thread at a time: the caller serialises.
 */
#ifndef SVP_SERVE_DB_H
#define SVP_SERVE_DB_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct ServeDb ServeDb;

/* Open (creating when missing) the register at path.  NULL when it cannot
 * be opened or is not a register this svp reads; the reason, one line, in
 * err. */
ServeDb *serve_db_open(const char *path, char *err, size_t errlen);
void serve_db_close(ServeDb *db);

/* One save: the record as given, and the evaluation shown for it. */
typedef struct ServeSave {
    const char *record_id;
    const char *record;        /* JSON text, NUL-terminated */
    const char *result;        /* the result line, NUL-terminated */
    const char *verdict;       /* compliant, non-compliant, incomplete, invalid */
    const char *policy_name, *policy_version, *policy_sha256;
} ServeSave;

/* Save saves[0, n) in one transaction: each a new revision of its record
 * with its decision-log entry.  revisions[i] receives the revision number
 * given to saves[i] (when revisions is not NULL).  False, nothing saved,
 * with the reason in err, when the database refuses. */
bool serve_db_save(ServeDb *db, const ServeSave *saves, size_t n, long *revisions, char *err, size_t errlen);

/* What GET /api/records filters on; NULL members do not filter. */
typedef struct ServeFilter {
    const char *stage_path;    /* the record's stage field, with stage */
    const char *stage;
    const char *verdict;
    const char *decision;      /* a decision's name, with decision_value */
    const char *decision_value;
    const char *search;        /* words anywhere in the record's texts */
} ServeFilter;

/* The latest revision of every record that passes the filter, newest save
 * first: a JSON array of {id, revision, saved_at, record, result}
 * (record and result as JSON).  NULL when the database fails (err says
 * why). */
cJSON *serve_db_list(ServeDb *db, const ServeFilter *f, char *err, size_t errlen);

/* Record id with every revision and its decision log; a JSON object, or
 * NULL with *found false when there is no such record, or NULL with
 * *found true when the database fails (err says why). */
cJSON *serve_db_get(ServeDb *db, const char *id, bool *found, char *err, size_t errlen);

/* Call each(ctx, id, record text, revision, saved_at, result text) for
 * the latest revision of every record, oldest first.  False when the
 * database fails (err says why). */
typedef void (*ServeEachFn)(void *ctx, const char *id, const char *record, long revision, const char *saved_at,
                            const char *result);
bool serve_db_each_latest(ServeDb *db, ServeEachFn each, void *ctx, char *err, size_t errlen);

#endif
