/*
 * serve_db.c - the register of `svp serve` in SQLite (see serve_db.h).
 *
 * The schema is two tables that only ever grow: `revisions` (every saved
 * version of every record, as given) and `decision_log` (for each save,
 * when, under which policy text, and the result).  The file says what it
 * is with SQLite's application_id and its schema version with user_version;
 * both are read, and the tables' columns compared with ours, before
 * anything is written, so a file that is not our register is never
 * changed.
 */
#include "serve_db.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "svpr": this is an svp register. */
#define REGISTER_APPLICATION_ID 0x73767072
/* The schema version this svp writes and reads. */
#define REGISTER_SCHEMA_VERSION 1

struct ServeDb {
    sqlite3 *db;
};

static const char schema[] =
    "CREATE TABLE revisions ("
    "  record_id TEXT NOT NULL,"
    "  revision INTEGER NOT NULL,"
    "  saved_at TEXT NOT NULL,"
    "  record TEXT NOT NULL,"
    "  PRIMARY KEY (record_id, revision));"
    "CREATE TABLE decision_log ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  record_id TEXT NOT NULL,"
    "  revision INTEGER NOT NULL,"
    "  evaluated_at TEXT NOT NULL,"
    "  policy_name TEXT NOT NULL,"
    "  policy_version TEXT NOT NULL,"
    "  policy_sha256 TEXT NOT NULL,"
    "  verdict TEXT NOT NULL,"
    "  result TEXT NOT NULL,"
    "  FOREIGN KEY (record_id, revision) REFERENCES revisions (record_id, revision));"
    "CREATE INDEX decision_log_record ON decision_log (record_id, revision);";

/* Each table of the schema and its columns, in order: what "our shape" is. */
static const struct {
    const char *table;
    const char *columns[10];
} shape[] = {
    {"revisions", {"record_id", "revision", "saved_at", "record", NULL}},
    {"decision_log",
     {"seq", "record_id", "revision", "evaluated_at", "policy_name", "policy_version", "policy_sha256", "verdict",
      "result", NULL}},
};

static void say(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* The first column of the first row of sql as an integer; false when the
 * statement fails. */
static bool query_int(sqlite3 *db, const char *sql, long long *out)
{
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
    if (ok)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return ok;
}

/* True when table has exactly the columns given, in order. */
static bool table_matches(sqlite3 *db, const char *table, const char *const *columns)
{
    char sql[128];
    snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", table);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return false;
    size_t i = 0;
    bool ok = true;
    while (ok && sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        ok = columns[i] && name && !strcmp(name, columns[i]);
        i++;
    }
    sqlite3_finalize(st);
    return ok && !columns[i];
}

/* Check that an existing database is our register, reading only. */
static bool check_shape(sqlite3 *db, long long app_id, long long version, char *err, size_t errlen)
{
    if (app_id != REGISTER_APPLICATION_ID) {
        say(err, errlen, "is an SQLite database but not an svp register (its application id is %lld): refused, left unchanged",
            app_id);
        return false;
    }
    if (version > REGISTER_SCHEMA_VERSION) {
        say(err, errlen,
            "is a register of schema version %lld, newer than this svp reads (%d): use a newer svp; left unchanged",
            version, REGISTER_SCHEMA_VERSION);
        return false;
    }
    for (size_t t = 0; t < sizeof shape / sizeof shape[0]; t++)
        if (version != REGISTER_SCHEMA_VERSION || !table_matches(db, shape[t].table, shape[t].columns)) {
            say(err, errlen, "is marked as an svp register but its tables are not the expected ones (table %s): refused, left unchanged",
                shape[t].table);
            return false;
        }
    return true;
}

static bool exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return true;
    say(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return false;
}

ServeDb *serve_db_open(const char *path, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
        say(err, errlen, "cannot be opened: %s", db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 10000);
    long long app_id = 0, version = 0, objects = 0;
    if (!query_int(db, "PRAGMA application_id", &app_id) || !query_int(db, "PRAGMA user_version", &version) ||
        !query_int(db, "SELECT count(*) FROM sqlite_master", &objects)) {
        say(err, errlen, "cannot be read as an SQLite database (%s): refused, left unchanged", sqlite3_errmsg(db));
        sqlite3_close(db);
        return NULL;
    }
    bool fresh = objects == 0 && app_id == 0 && version == 0;
    if (!fresh && !check_shape(db, app_id, version, err, errlen)) {
        sqlite3_close(db);
        return NULL;
    }
    /* Durability: write-ahead logging, and every commit synced to disk
     * before it is acknowledged. */
    if (!exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", err, errlen)) {
        sqlite3_close(db);
        return NULL;
    }
    if (fresh) {
        char create[1024];
        snprintf(create, sizeof create, "BEGIN IMMEDIATE; %s PRAGMA application_id=%d; PRAGMA user_version=%d; COMMIT;",
                 schema, REGISTER_APPLICATION_ID, REGISTER_SCHEMA_VERSION);
        if (!exec(db, create, err, errlen)) {
            sqlite3_close(db);
            return NULL;
        }
    }
    ServeDb *s = malloc(sizeof *s);
    if (!s) {
        say(err, errlen, "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    s->db = db;
    return s;
}

void serve_db_close(ServeDb *db)
{
    if (!db)
        return;
    sqlite3_close(db->db);
    free(db);
}

/* Now, UTC, to the millisecond: "2026-11-30T04:12:33.123Z". */
static void now_text(char out[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* Add one revision and its log entry (inside the caller's transaction). */
static bool save_one(sqlite3 *db, const ServeSave *s, const char *now, long *revision)
{
    sqlite3_stmt *next = NULL, *rev = NULL, *log = NULL;
    bool ok = sqlite3_prepare_v2(db, "SELECT coalesce(max(revision), 0) + 1 FROM revisions WHERE record_id = ?1", -1,
                                 &next, NULL) == SQLITE_OK &&
              sqlite3_prepare_v2(db, "INSERT INTO revisions (record_id, revision, saved_at, record) VALUES (?1, ?2, ?3, ?4)",
                                 -1, &rev, NULL) == SQLITE_OK &&
              sqlite3_prepare_v2(db,
                                 "INSERT INTO decision_log (record_id, revision, evaluated_at, policy_name, policy_version,"
                                 " policy_sha256, verdict, result) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                 -1, &log, NULL) == SQLITE_OK;
    long r = 0;
    if (ok) {
        sqlite3_bind_text(next, 1, s->record_id, -1, SQLITE_STATIC);
        ok = sqlite3_step(next) == SQLITE_ROW;
        r = ok ? (long)sqlite3_column_int64(next, 0) : 0;
    }
    if (ok) {
        sqlite3_bind_text(rev, 1, s->record_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(rev, 2, r);
        sqlite3_bind_text(rev, 3, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(rev, 4, s->record, -1, SQLITE_STATIC);
        ok = sqlite3_step(rev) == SQLITE_DONE;
    }
    if (ok) {
        sqlite3_bind_text(log, 1, s->record_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(log, 2, r);
        sqlite3_bind_text(log, 3, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(log, 4, s->policy_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(log, 5, s->policy_version, -1, SQLITE_STATIC);
        sqlite3_bind_text(log, 6, s->policy_sha256, -1, SQLITE_STATIC);
        sqlite3_bind_text(log, 7, s->verdict, -1, SQLITE_STATIC);
        sqlite3_bind_text(log, 8, s->result, -1, SQLITE_STATIC);
        ok = sqlite3_step(log) == SQLITE_DONE;
    }
    sqlite3_finalize(next);
    sqlite3_finalize(rev);
    sqlite3_finalize(log);
    *revision = r;
    return ok;
}

bool serve_db_save(ServeDb *db, const ServeSave *saves, size_t n, long *revisions, char *err, size_t errlen)
{
    char now[32];
    now_text(now);
    if (!exec(db->db, "BEGIN IMMEDIATE", err, errlen))
        return false;
    for (size_t i = 0; i < n; i++) {
        long r;
        if (!save_one(db->db, &saves[i], now, &r)) {
            say(err, errlen, "the register refused the save: %s", sqlite3_errmsg(db->db));
            sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
            return false;
        }
        if (revisions)
            revisions[i] = r;
    }
    /* COMMIT returns once the write-ahead log is synced (synchronous=FULL). */
    if (!exec(db->db, "COMMIT", err, errlen)) {
        sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
        return false;
    }
    return true;
}

/* The latest revision of each record with its log entry's result. */
#define LATEST_SELECT                                                                                               \
    "SELECT r.record_id, r.revision, r.saved_at, r.record, l.result FROM revisions r"                              \
    " JOIN decision_log l ON l.record_id = r.record_id AND l.revision = r.revision"                                \
    " WHERE r.revision = (SELECT max(revision) FROM revisions WHERE record_id = r.record_id)"

/* Column i of st (text, never NULL: "" for NULL). */
static const char *col(sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    return t ? t : "";
}

/* A JSON text from the register, parsed (or kept as a string when it does
 * not parse). */
static cJSON *json_or_string(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    return j ? j : cJSON_CreateString(text);
}

cJSON *serve_db_list(ServeDb *db, const ServeFilter *f, char *err, size_t errlen)
{
    char stage_path[300] = "", decision_path[300] = "";
    if (f->stage_path)
        snprintf(stage_path, sizeof stage_path, "$.%s", f->stage_path);
    if (f->decision)
        snprintf(decision_path, sizeof decision_path, "$.decisions.%s", f->decision);
    const char *sql = LATEST_SELECT
        " AND (?1 IS NULL OR json_extract(r.record, ?2) = ?1)"
        " AND (?3 IS NULL OR l.verdict = ?3)"
        " AND (?4 IS NULL OR json_extract(l.result, ?5) = ?4)"
        " AND (?6 IS NULL OR EXISTS (SELECT 1 FROM json_tree(r.record) t WHERE t.type = 'text'"
        "      AND instr(lower(t.value), lower(?6)) > 0))"
        " ORDER BY r.saved_at DESC, r.record_id";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK) {
        say(err, errlen, "%s", sqlite3_errmsg(db->db));
        return NULL;
    }
    sqlite3_bind_text(st, 1, f->stage_path ? f->stage : NULL, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, stage_path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, f->verdict, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, f->decision ? f->decision_value : NULL, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, decision_path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, f->search && *f->search ? f->search : NULL, -1, SQLITE_STATIC);
    cJSON *list = cJSON_CreateArray();
    int rc = SQLITE_DONE;
    while (list && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *row = cJSON_CreateObject();
        cJSON_AddItemToArray(list, row);
        cJSON_AddStringToObject(row, "id", col(st, 0));
        cJSON_AddNumberToObject(row, "revision", (double)sqlite3_column_int64(st, 1));
        cJSON_AddStringToObject(row, "saved_at", col(st, 2));
        cJSON_AddItemToObject(row, "record", json_or_string(col(st, 3)));
        cJSON_AddItemToObject(row, "result", json_or_string(col(st, 4)));
    }
    if (list && rc != SQLITE_DONE) {
        say(err, errlen, "%s", sqlite3_errmsg(db->db));
        cJSON_Delete(list);
        list = NULL;
    }
    sqlite3_finalize(st);
    return list;
}

cJSON *serve_db_get(ServeDb *db, const char *id, bool *found, char *err, size_t errlen)
{
    *found = false;
    sqlite3_stmt *revs = NULL, *log = NULL;
    if (sqlite3_prepare_v2(db->db, "SELECT revision, saved_at, record FROM revisions WHERE record_id = ?1 ORDER BY revision",
                           -1, &revs, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->db,
                           "SELECT l.revision, l.evaluated_at, l.policy_name, l.policy_version, l.policy_sha256,"
                           " l.verdict, r.record, l.result FROM decision_log l JOIN revisions r"
                           " ON r.record_id = l.record_id AND r.revision = l.revision WHERE l.record_id = ?1 ORDER BY l.seq",
                           -1, &log, NULL) != SQLITE_OK) {
        say(err, errlen, "%s", sqlite3_errmsg(db->db));
        sqlite3_finalize(revs);
        *found = true;
        return NULL;
    }
    sqlite3_bind_text(revs, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(log, 1, id, -1, SQLITE_STATIC);
    cJSON *out = cJSON_CreateObject();
    cJSON *revisions = cJSON_AddArrayToObject(out, "revisions");
    cJSON *entries = cJSON_AddArrayToObject(out, "decision_log");
    cJSON_AddStringToObject(out, "id", id);
    while (sqlite3_step(revs) == SQLITE_ROW) {
        *found = true;
        cJSON *r = cJSON_CreateObject();
        cJSON_AddItemToArray(revisions, r);
        cJSON_AddNumberToObject(r, "revision", (double)sqlite3_column_int64(revs, 0));
        cJSON_AddStringToObject(r, "saved_at", col(revs, 1));
        cJSON_AddItemToObject(r, "record", json_or_string(col(revs, 2)));
    }
    while (sqlite3_step(log) == SQLITE_ROW) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(entries, e);
        cJSON_AddNumberToObject(e, "revision", (double)sqlite3_column_int64(log, 0));
        cJSON_AddStringToObject(e, "time", col(log, 1));
        cJSON *pol = cJSON_AddObjectToObject(e, "policy");
        cJSON_AddStringToObject(pol, "name", col(log, 2));
        cJSON_AddStringToObject(pol, "version", col(log, 3));
        cJSON_AddStringToObject(pol, "sha256", col(log, 4));
        cJSON_AddStringToObject(e, "verdict", col(log, 5));
        cJSON_AddItemToObject(e, "record", json_or_string(col(log, 6)));
        cJSON_AddItemToObject(e, "result", json_or_string(col(log, 7)));
    }
    sqlite3_finalize(revs);
    sqlite3_finalize(log);
    if (!*found) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

bool serve_db_each_latest(ServeDb *db, ServeEachFn each, void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->db, LATEST_SELECT " ORDER BY r.saved_at, r.record_id", -1, &st, NULL) != SQLITE_OK) {
        say(err, errlen, "%s", sqlite3_errmsg(db->db));
        return false;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        each(ctx, col(st, 0), col(st, 3), (long)sqlite3_column_int64(st, 1), col(st, 2), col(st, 4));
    bool ok = rc == SQLITE_DONE;
    if (!ok)
        say(err, errlen, "%s", sqlite3_errmsg(db->db));
    sqlite3_finalize(st);
    return ok;
}
