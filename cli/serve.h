/*
 * serve.h - what the parts of `svp serve` share: the running server's
 * state (policies, evaluator, register) and the request and response
 * helpers the API handlers use.
 *
 * serve.c runs the command and the HTTP side (libmicrohttpd) and applies
 * the safety checks every request passes; serve_api.c answers /api/;
 * serve_db.c keeps the register.
 */
#ifndef SVP_SERVE_H
#define SVP_SERVE_H

#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>

#include "cli.h"
#include "serve_db.h"

/* The largest request body read: one record (the record limit), or a
 * JSON Lines import of up to 16 MiB. */
#define SERVE_MAX_BODY (16u << 20)

typedef struct Server {
    Versions versions;         /* the policy files, compiled from the text hashed */
    char (*sha256)[65];        /* SHA-256 of each policy file's text, hex */
    svp_versions *set;         /* several versions: one is picked per record */
    svp_evaluator *ev;         /* over the policy, or its versions */
    const svp_policy *newest;  /* the version taking effect last: the form, the portfolio */
    char *form_json;           /* GET /api/form, prepared at start */
    cJSON *fields;             /* the record's fields (the form's description) */
    char *stage_field;         /* the record's stage field, NULL when none */
    svp_mapping **mappings;    /* --import MAPPING.svp: sources POST /api/import reads */
    char **mapping_names;      /* each one's file name without .svp ("ocds") */
    size_t nmappings;
    ServeDb *db;
    pthread_mutex_t lock;      /* one request at a time uses ev and db */
    bool loopback;             /* listening on a loopback address only */
    unsigned port;
} Server;

/* A growing NUL-terminated text; {0} is empty, free(t.data) frees it.
 * Running out of memory is sticky (failed) and answered with a 500: not
 * the commands' CliText, which ends the process, as a server must not. */
typedef struct ServeText {
    char *data;
    size_t len, cap;
    bool failed;
} ServeText;
void serve_text_add(ServeText *t, const char *s, size_t n);

/* A request as the handlers see it: the method, the path, and the body
 * read whole. */
typedef struct ServeRequest {
    struct MHD_Connection *conn;
    const char *method, *url;
    const char *body;
    size_t body_len;
} ServeRequest;

/* Queue a response with the headers every response carries (Content-
 * Security-Policy and friends).  body is copied. */
enum MHD_Result serve_respond(struct MHD_Connection *conn, unsigned status, const char *content_type,
                              const char *body, size_t len);
/* A JSON response: cJSON j rendered (and deleted). */
enum MHD_Result serve_respond_json(struct MHD_Connection *conn, unsigned status, cJSON *j);
/* {"error": message} with status. */
enum MHD_Result serve_respond_error(struct MHD_Connection *conn, unsigned status, const char *message);

/* Answer a request under /api/ (serve_api.c). */
enum MHD_Result serve_api(Server *S, const ServeRequest *rq);

/* Evaluate one record's JSON text as `svp eval --partial --format json`
 * would, under S->lock held by the caller.  The result line (newline
 * included) in *line, its policy's index in S->versions in *policy.  NULL
 * when out of memory. */
const svp_result *serve_evaluate(Server *S, const char *text, size_t len, const char **line, size_t *line_len,
                                 size_t *policy);

/* The static files of the page, embedded in the binary (web/, built into
 * build/gen/web_assets.c). */
typedef struct ServeAsset {
    const char *path, *content_type;
    const unsigned char *data;
    size_t len;
} ServeAsset;
extern const ServeAsset serve_assets[];
extern const size_t serve_asset_count;

#endif
