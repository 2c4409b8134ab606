/*
 * serve.c - `svp serve POLICY... [--db FILE] [--listen ADDR:PORT]`: the
 * officer's desk, a local web application over the library.
 *
 * This file starts the command (policies, register, listening socket) and
 * is the HTTP side: every request passes the same checks here before a
 * handler sees it (the Host is ours, a state-changing request comes from
 * our own Origin, the body is within its limit), and every response
 * carries the same security headers.  The page is static (web/, embedded
 * in the binary) and builds itself from GET /api/form; the API is in
 * serve_api.c, the register in serve_db.c.
 */
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <nettle/sha2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* Content-Security-Policy: the page's own scripts and styles, requests
 * to itself, nothing else; no framing, no plugins, no inline script. */
#define SERVE_CSP                                                                                                  \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "               \
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/* ---- Responses ----------------------------------------------------------- */

enum MHD_Result serve_respond(struct MHD_Connection *conn, unsigned status, const char *content_type,
                              const char *body, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", content_type);
    MHD_add_response_header(r, "Content-Security-Policy", SERVE_CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ok = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ok;
}

enum MHD_Result serve_respond_json(struct MHD_Connection *conn, unsigned status, cJSON *j)
{
    char *text = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    size_t n = text ? strlen(text) : 0;
    char *line = text ? realloc(text, n + 2) : NULL; /* one line, newline included */
    if (!line) {
        free(text);
        return serve_respond(conn, 500, "text/plain; charset=utf-8", "out of memory\n", 14);
    }
    line[n] = '\n';
    line[n + 1] = '\0';
    enum MHD_Result ok = serve_respond(conn, status, "application/json", line, n + 1);
    free(line);
    return ok;
}

enum MHD_Result serve_respond_error(struct MHD_Connection *conn, unsigned status, const char *message)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "error", message);
    return serve_respond_json(conn, status, j);
}

/* ---- Requests --------------------------------------------------------------- */

void serve_text_add(ServeText *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *more = realloc(t->data, cap);
        if (!more) {
            t->failed = true;
            return;
        }
        t->data = more;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

/* The body of a request as it arrives, kept whole up to SERVE_MAX_BODY. */
typedef struct Upload {
    ServeText body;
    bool too_big;
} Upload;

/* True when host (a Host header, or an Origin's host part) names this
 * server: with a loopback address, 127.0.0.1, localhost or [::1] and our
 * port; listening elsewhere (given explicitly), any host. */
static bool host_is_ours(const Server *S, const char *host)
{
    if (!S->loopback)
        return true;
    if (!host)
        return false;
    char want[64];
    static const char *const names[] = {"127.0.0.1", "localhost", "[::1]"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(want, sizeof want, "%s:%u", names[i], S->port);
        if (!strcmp(host, want))
            return true;
    }
    return false;
}

/* A state-changing request must come from our own page: its Origin, when
 * given, is http:// and the Host it was sent to.  (Browsers always send
 * Origin with a POST; a program such as curl sends none and is let in.) */
static bool origin_is_ours(const char *origin, const char *host)
{
    if (!origin)
        return true;
    if (!host || strncmp(origin, "http://", 7))
        return false;
    return !strcmp(origin + 7, host);
}

static bool is_json_content_type(const char *ct)
{
    if (!ct)
        return false;
    size_t n = strlen("application/json");
    return !strncasecmp(ct, "application/json", n) && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static enum MHD_Result serve_static(struct MHD_Connection *conn, const char *url)
{
    for (size_t i = 0; i < serve_asset_count; i++)
        if (!strcmp(url, serve_assets[i].path))
            return serve_respond(conn, 200, serve_assets[i].content_type, (const char *)serve_assets[i].data,
                                 serve_assets[i].len);
    return serve_respond_error(conn, 404, "no such page");
}

static enum MHD_Result dispatch(Server *S, struct MHD_Connection *conn, const char *url, const char *method,
                                Upload *up)
{
    const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
    if (!host_is_ours(S, host))
        return serve_respond_error(conn, 403, "this server answers only to its own address (the Host header names another)");
    bool reads = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    if (!reads) {
        const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
        if (!origin_is_ours(origin, host))
            return serve_respond_error(conn, 403, "refused: the request comes from another site (Origin)");
        if (up->too_big) {
            char msg[96];
            snprintf(msg, sizeof msg, "the request body is over %u bytes, the most svp serve reads", SERVE_MAX_BODY);
            return serve_respond_error(conn, 413, msg);
        }
        if (strncmp(url, "/api/", 5))
            return serve_respond_error(conn, 405, "only the API under /api/ takes requests that change things");
        const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
        /* A CSV register for an import mapping is text/csv; everything else
         * is JSON.  Neither is a type a form on another site can send. */
        bool csv_import = !strcmp(url, "/api/import") && ct && !strncasecmp(ct, "text/csv", 8) &&
                          MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "mapping");
        if (!is_json_content_type(ct) && !csv_import)
            return serve_respond_error(conn, 415, "the API takes Content-Type: application/json (text/csv for an import mapping)");
    }
    if (!strncmp(url, "/api/", 5)) {
        ServeRequest rq = {conn, method, url, up->body.data ? up->body.data : "", up->body.len};
        return serve_api(S, &rq);
    }
    return serve_static(conn, url);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    Upload *up = *con_cls;
    if (!up) {
        up = calloc(1, sizeof *up);
        if (!up)
            return MHD_NO;
        *con_cls = up;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (up->too_big || n > SERVE_MAX_BODY - up->body.len) {
            up->too_big = true; /* read and dropped: memory stays bounded */
            return MHD_YES;
        }
        serve_text_add(&up->body, upload_data, n);
        return up->body.failed ? MHD_NO : MHD_YES;
    }
    return dispatch(cls, conn, url, method, up);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    Upload *up = *con_cls;
    if (up) {
        free(up->body.data);
        free(up);
    }
    *con_cls = NULL;
}

/* ---- Starting up ---------------------------------------------------------- */

static void sha256_hex(const char *text, size_t len, char out[65])
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, len, (const uint8_t *)text);
    sha256_digest(&ctx, sizeof digest, digest);
    for (size_t i = 0; i < sizeof digest; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

/* Compile every policy again from the very text that is hashed, so the
 * SHA-256 in the decision log is the text that decided. */
static bool hash_policies(Server *S)
{
    Versions *v = &S->versions;
    S->sha256 = calloc(v->n, sizeof *S->sha256);
    if (!S->sha256)
        return false;
    for (size_t i = 0; i < v->n; i++) {
        size_t len = 0;
        char *text = cli_read_file(v->files[i], SVP_MAX_POLICY_BYTES, &len);
        if (!text) {
            fprintf(stderr, "svp serve: cannot read %s: %s\n", v->files[i], strerror(errno));
            return false;
        }
        svp_diagnostics *d = NULL;
        svp_policy *p = svp_policy_compile(v->files[i], text, len, NULL, &d);
        if (!p)
            cli_print_diagnostics(d);
        svp_diagnostics_free(d);
        sha256_hex(text, len, S->sha256[i]);
        free(text);
        if (!p)
            return false;
        svp_policy_free(v->policies[i]);
        v->policies[i] = p;
    }
    return true;
}

/* What GET /api/form answers: the newest version's record declaration and
 * the versions given. */
static bool prepare_form(Server *S)
{
    size_t newest = 0;
    for (size_t i = 1; i < S->versions.n; i++)
        if (strcmp(svp_policy_effective(S->versions.policies[i]), svp_policy_effective(S->versions.policies[newest])) > 0)
            newest = i;
    S->newest = S->versions.policies[newest];
    char *desc = svp_policy_describe_record(S->newest, NULL);
    cJSON *form = desc ? cJSON_Parse(desc) : NULL;
    svp_string_free(desc);
    if (!form)
        return false;
    cJSON *versions = cJSON_AddArrayToObject(form, "versions");
    for (size_t i = 0; i < S->versions.n; i++) {
        const svp_policy *p = S->versions.policies[i];
        cJSON *v = cJSON_CreateObject();
        cJSON_AddItemToArray(versions, v);
        cJSON_AddStringToObject(v, "name", svp_policy_name(p));
        cJSON_AddStringToObject(v, "version", svp_policy_version(p));
        cJSON_AddStringToObject(v, "effective", svp_policy_effective(p));
        cJSON_AddStringToObject(v, "sha256", S->sha256[i]);
    }
    cJSON *mappings = cJSON_AddArrayToObject(form, "mappings");
    for (size_t i = 0; i < S->nmappings; i++)
        cJSON_AddItemToArray(mappings, cJSON_CreateString(S->mapping_names[i]));
    S->fields = cJSON_Duplicate(cJSON_GetObjectItem(form, "fields"), true);
    const char *stage = cJSON_GetStringValue(cJSON_GetObjectItem(form, "stage_field"));
    S->stage_field = stage ? strdup(stage) : NULL;
    S->form_json = cJSON_PrintUnformatted(form);
    cJSON_Delete(form);
    return S->form_json && S->fields;
}

/* Split ADDR:PORT ([ADDR]:PORT for IPv6). */
static bool parse_listen(const char *listen, char *addr, size_t addrlen, char *port, size_t portlen)
{
    const char *colon = strrchr(listen, ':');
    if (!colon || !colon[1] || strlen(colon + 1) >= portlen)
        return false;
    const char *a = listen;
    size_t n = (size_t)(colon - listen);
    if (n >= 2 && a[0] == '[' && a[n - 1] == ']') {
        a++;
        n -= 2;
    }
    if (n == 0 || n >= addrlen)
        return false;
    memcpy(addr, a, n);
    addr[n] = '\0';
    strcpy(port, colon + 1);
    for (const char *c = port; *c; c++)
        if (*c < '0' || *c > '9')
            return false;
    return atol(port) <= 65535;
}

static bool is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6)
        return !memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr, &in6addr_loopback, sizeof(struct in6_addr));
    return false;
}

static void free_server(Server *S)
{
    serve_db_close(S->db);
    svp_evaluator_free(S->ev);
    svp_versions_free(S->set);
    cli_free_versions(&S->versions);
    free(S->sha256);
    cJSON_free(S->form_json);
    cJSON_Delete(S->fields);
    free(S->stage_field);
    for (size_t i = 0; i < S->nmappings; i++) {
        svp_mapping_free(S->mappings[i]);
        free(S->mapping_names[i]);
    }
    free(S->mappings);
    free(S->mapping_names);
}

/* --import MAPPING.svp: compile it; its name is the file's without .svp. */
static bool add_mapping(Server *S, const char *path)
{
    svp_diagnostics *d = NULL, *pd = NULL;
    svp_mapping *m = svp_mapping_load(path, NULL, &d, &pd);
    if (!m) {
        cli_print_diagnostics(pd);
        cli_print_diagnostics(d);
    }
    svp_diagnostics_free(d);
    svp_diagnostics_free(pd);
    if (!m)
        return false;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t n = strlen(base);
    char *name = strndup(base, cli_has_suffix(base, ".svp") ? n - 4 : n);
    svp_mapping **more = realloc(S->mappings, (S->nmappings + 1) * sizeof *more);
    if (more)
        S->mappings = more;
    char **names = more ? realloc(S->mapping_names, (S->nmappings + 1) * sizeof *names) : NULL;
    if (names)
        S->mapping_names = names;
    if (!name || !more || !names) {
        free(name);
        svp_mapping_free(m);
        return false;
    }
    S->mappings[S->nmappings] = m;
    S->mapping_names[S->nmappings++] = name;
    return true;
}

int cli_serve(int argc, char **argv)
{
    const char *db_path = "svp-register.sqlite", *listen = "127.0.0.1:8080";
    char **positional = calloc((size_t)argc + 1, sizeof *positional);
    char **imports = calloc((size_t)argc + 1, sizeof *imports);
    int npos = 0, nimports = 0;
    if (!positional || !imports) {
        free(positional);
        free(imports);
        return 2;
    }
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--import") && i + 1 < argc)
            imports[nimports++] = argv[++i];
        else if (!strcmp(argv[i], "--db") && i + 1 < argc)
            db_path = argv[++i];
        else if (!strcmp(argv[i], "--listen") && i + 1 < argc)
            listen = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1]) {
            free(positional);
            free(imports);
            return cli_usage_error("unknown option `%s` for serve", argv[i]);
        } else
            positional[npos++] = argv[i];
    }
    char addr[256], port[8];
    if (npos == 0) {
        free(positional);
        free(imports);
        return cli_usage_error("%s", "serve needs a policy (several files or a folder: its versions)");
    }
    if (!parse_listen(listen, addr, sizeof addr, port, sizeof port)) {
        free(positional);
        free(imports);
        return cli_usage_error("--listen takes ADDRESS:PORT, like 127.0.0.1:8080, not `%s`", listen);
    }
    Server S;
    memset(&S, 0, sizeof S);
    int status = cli_load_versions(positional, npos, &S.versions, false);
    free(positional);
    if (!status && !hash_policies(&S))
        status = 2;
    for (int i = 0; !status && i < nimports; i++)
        if (!add_mapping(&S, imports[i]))
            status = 2;
    free(imports);
    if (!status && S.versions.n > 1 && !(S.set = cli_version_set(&S.versions, NULL)))
        status = 2;
    if (!status) {
        S.ev = S.set ? svp_evaluator_new_versions(S.set, NULL, NULL) : svp_evaluator_new(S.versions.policies[0], NULL);
        if (!S.ev || !prepare_form(&S)) {
            fputs("svp serve: out of memory\n", stderr);
            status = 2;
        }
    }
    char err[512] = "";
    if (!status && !(S.db = serve_db_open(db_path, err, sizeof err))) {
        fprintf(stderr, "svp serve: the register %s %s\n", db_path, err);
        status = 2;
    }
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    if (!status && getaddrinfo(addr, port, &hints, &ai) != 0) {
        fprintf(stderr, "svp serve: cannot listen on %s: unknown address\n", listen);
        status = 2;
    }
    if (status) {
        free_server(&S);
        return status;
    }
    S.loopback = is_loopback(ai->ai_addr);
    S.port = (unsigned)atoi(port); /* 0: the port the system picks, read below */
    pthread_mutex_init(&S.lock, NULL);

    /* SIGINT and SIGTERM are waited for here, not delivered to the
     * server's threads, which inherit this mask. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_AUTO;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &S, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
                                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, &S, MHD_OPTION_THREAD_POOL_SIZE,
                                            (unsigned)4, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                                            MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!d) {
        fprintf(stderr, "svp serve: cannot listen on %s (in use, or not an address of this machine)\n", listen);
        free_server(&S);
        return 2;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    S.port = info ? info->port : (unsigned)atoi(port);
    bool v6 = strchr(addr, ':') != NULL;
    printf("svp serve: http://%s%s%s:%u/  (%s %s; register %s)\n", v6 ? "[" : "", addr, v6 ? "]" : "", S.port,
           svp_policy_name(S.newest), svp_policy_version(S.newest), db_path);
    fflush(stdout);
    int sig = 0;
    sigwait(&stop, &sig);
    MHD_stop_daemon(d);
    pthread_mutex_destroy(&S.lock);
    free_server(&S);
    return 0;
}
