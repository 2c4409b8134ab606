/*
 * policy.c - compiling a policy: read, parse, check; and freeing it.
 *
 * The compiled policy owns one arena holding the source copy, the syntax
 * tree and everything the checker adds, so a failed compile (syntax error,
 * type error or out of memory) frees everything in one call and leaks
 * nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.h"
#include "analyse.h"
#include "check.h"
#include "program.h"
#include "result.h"
#include "value.h"


static svp_diagnostics *new_diags(const svp_allocator *alloc, const char *name, const char *text, size_t len,
                                  svp_diagnostics **diags)
{
    svp_diagnostics *d = diag_new(alloc, name, text, len);
    if (diags)
        *diags = d;
    return d;
}

/* Refuse what the scanner should never see: oversized files and NUL bytes. */
static bool acceptable_source(svp_diagnostics *d, const char *text, size_t len)
{
    if (len > SVP_MAX_POLICY_BYTES) {
        diag_add(d, SVP_ERROR, "limit", (size_t)-1, 0, "the policy is %zu bytes; svp reads policies of up to %u bytes",
                 len, SVP_MAX_POLICY_BYTES);
        return false;
    }
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        size_t at = (size_t)(nul - text);
        diag_add(d, SVP_ERROR, "syntax", at, at + 1, "the policy contains a NUL byte: is it a text file?");
        return false;
    }
    return true;
}

/* Parse text into p->ast with a builder over p's arena. */
static bool parse_into(svp_policy *p, AstBuilder *ab, svp_diagnostics *d)
{
    ast_builder_init(ab, &p->arena, d, p->source, p->source_len, &p->ast);
    int rc = parse_source(ab, 0, (uint32_t)p->source_len, false);
    if (ab->oom)
        diag_add(d, SVP_ERROR, "oom", (size_t)-1, 0, "out of memory while reading the policy");
    return rc == 0 && !ab->oom && d->errors == 0;
}

/* A policy object with its own copy of the source; NULL when out of memory. */
static svp_policy *policy_new(const svp_allocator *alloc, const char *text, size_t len)
{
    svp_policy *p = svp_mem_alloc(alloc, sizeof *p);
    if (!p)
        return NULL;
    memset(p, 0, sizeof *p);
    p->alloc = alloc;
    arena_init(&p->arena, alloc, 0);
    p->source = arena_strndup(&p->arena, text, len);
    p->source_len = len;
    if (!p->source) {
        svp_policy_free(p);
        return NULL;
    }
    return p;
}

svp_policy *policy_analyse(const char *text, size_t len, const svp_allocator *alloc, svp_diagnostics *d, bool *ok)
{
    *ok = false;
    if (!acceptable_source(d, text, len))
        return NULL;
    svp_policy *p = policy_new(alloc, text, len);
    if (!p) {
        diag_add(d, SVP_ERROR, "oom", (size_t)-1, 0, "out of memory while reading the policy");
        return NULL;
    }
    AstBuilder ab;
    /* The checker runs after syntax errors too, so that one run reports
     * every independent mistake: error recovery drops the declaration
     * that failed whole, leaving only complete nodes in the tree. */
    bool parsed = parse_into(p, &ab, d);
    bool checked = !ab.oom && check_policy(p, &ab) && parsed;
    if (checked && (!analyse_policy(p, d) || !result_prepare(p)))
        ab.oom = true;
    if (checked)
        value_format_date(p->effective, p->effective_text);
    if (ab.oom && d->errors == 0)
        diag_add(d, SVP_ERROR, "oom", (size_t)-1, 0, "out of memory while checking the policy");
    if (ab.oom) {
        svp_policy_free(p); /* half-built tables: nothing to keep */
        return NULL;
    }
    *ok = checked && d->errors == 0;
    return p;
}

svp_policy *svp_policy_compile(const char *name, const char *text, size_t len, const svp_allocator *alloc,
                               svp_diagnostics **diags)
{
    svp_diagnostics *d = new_diags(alloc, name, text, len, diags);
    if (!d)
        return NULL;
    bool ok = false;
    svp_policy *p = policy_analyse(text, len, alloc, d, &ok);
    if (!ok) {
        svp_policy_free(p);
        p = NULL;
    }
    if (!diags)
        svp_diagnostics_free(d);
    return p;
}

/* Why a policy file could not be read: an errno, or one of these. */
#define READ_NOT_REGULAR (-1)
#define READ_TOO_LARGE (-2)

/* Open path for reading a policy: only a regular file, since a FIFO or a
 * device would block or never end.  The open does not block (a FIFO
 * would wait for a writer).  Returns the descriptor, or -1 with *err. */
static int open_regular(const char *path, size_t *size, int *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        *err = errno;
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        *err = S_ISDIR(st.st_mode) ? EISDIR : READ_NOT_REGULAR;
        close(fd);
        return -1;
    }
    *size = (size_t)st.st_size;
    return fd;
}

/* Read a whole policy file through the allocator, at most
 * SVP_MAX_POLICY_BYTES of it; NULL with *err (an errno or READ_*) on
 * failure.  *cap is the allocation's size, for freeing. */
static char *read_file(const svp_allocator *alloc, const char *path, size_t *len, size_t *cap, int *err)
{
    size_t size = 0, n = 0;
    int fd = open_regular(path, &size, err);
    if (fd < 0)
        return NULL;
    *len = size;
    *cap = (size < SVP_MAX_POLICY_BYTES ? size : SVP_MAX_POLICY_BYTES) + 2;
    char *data = size > SVP_MAX_POLICY_BYTES ? NULL : svp_mem_alloc(alloc, *cap);
    *err = size > SVP_MAX_POLICY_BYTES ? READ_TOO_LARGE : data ? 0 : ENOMEM;
    /* read one byte past the size, to notice a file that grew */
    while (!*err && n < *cap - 1) {
        ssize_t got = read(fd, data + n, *cap - 1 - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            *err = got < 0 ? errno : 0;
            break;
        }
        n += (size_t)got;
    }
    close(fd);
    if (!*err && n > SVP_MAX_POLICY_BYTES) {
        *err = READ_TOO_LARGE;
        *len = n;
    }
    if (*err) {
        svp_mem_free(alloc, data, *cap);
        return NULL;
    }
    data[n] = '\0';
    *len = n;
    return data;
}

/* The diagnostics of a file that could not be read. */
static void unreadable(const svp_allocator *alloc, const char *path, int err, size_t len, svp_diagnostics **diags)
{
    svp_diagnostics *d = new_diags(alloc, path, "", 0, diags);
    if (d && err == READ_TOO_LARGE)
        diag_add(d, SVP_ERROR, "limit", (size_t)-1, 0, "the policy is %zu bytes; svp reads policies of up to %u bytes",
                 len, SVP_MAX_POLICY_BYTES);
    else if (d)
        diag_add(d, SVP_ERROR, "io", (size_t)-1, 0, "cannot read the policy: %s",
                 err == READ_NOT_REGULAR ? "not a regular file (a policy is a file, not a pipe or a device)"
                                         : strerror(err));
    if (!diags)
        svp_diagnostics_free(d);
}

svp_policy *svp_policy_load(const char *path, const svp_allocator *alloc, svp_diagnostics **diags)
{
    size_t len = 0, cap = 0;
    int err = 0;
    char *text = read_file(alloc, path, &len, &cap, &err);
    if (!text) {
        unreadable(alloc, path, err, len, diags);
        return NULL;
    }
    svp_policy *p = svp_policy_compile(path, text, len, alloc, diags);
    svp_mem_free(alloc, text, cap);
    return p;
}

char *svp_policy_read(const char *path, size_t *len, svp_diagnostics **diags)
{
    size_t cap = 0;
    int err = 0;
    *len = 0;
    if (diags)
        *diags = NULL;
    char *text = read_file(NULL, path, len, &cap, &err);
    if (!text)
        unreadable(NULL, path, err, *len, diags);
    return text;
}

void svp_policy_free(svp_policy *p)
{
    if (!p)
        return;
    const svp_allocator *alloc = p->alloc;
    arena_free(&p->arena);
    svp_mem_free(alloc, p, sizeof *p);
}

const char *svp_policy_name(const svp_policy *p) { return p->name; }
const char *svp_policy_version(const svp_policy *p) { return p->version; }
const char *svp_policy_effective(const svp_policy *p) { return p->effective_text; }
int svp_policy_review_month(const svp_policy *p) { return p->review_month; }
static const Rule *rule_at(const svp_policy *p, size_t i)
{
    return i < p->nrules ? p->rules[i] : i < p->nrules + p->nportfolio ? p->portfolio[i - p->nrules] : NULL;
}

size_t svp_policy_rule_count(const svp_policy *p) { return p->nrules + p->nportfolio; }

const char *svp_policy_rule_id(const svp_policy *p, size_t i)
{
    const Rule *r = rule_at(p, i);
    return r ? r->id_str : NULL;
}

const char *svp_policy_rule_cite(const svp_policy *p, size_t i)
{
    const Rule *r = rule_at(p, i);
    return r && r->cite.len ? r->cite_str : NULL;
}

const char *svp_policy_rule_title(const svp_policy *p, size_t i)
{
    const Rule *r = rule_at(p, i);
    return !r ? NULL : r->title_str && *r->title_str ? r->title_str : r->id_str;
}

bool svp_policy_rule_is_portfolio(const svp_policy *p, size_t i) { return i >= p->nrules; }

size_t svp_policy_dated_by_count(const svp_policy *p) { return p->ndated_by; }
const char *svp_policy_dated_by(const svp_policy *p, size_t i) { return i < p->ndated_by ? p->dated_by[i] : NULL; }

void svp_string_free(char *s) { free(s); }
