/*
 * diag.h - collecting diagnostics while a policy is parsed and checked.
 *
 * Places are byte spans into the source; line and column are worked out
 * when a diagnostic is added, from the source the list keeps a copy of, so
 * the rendered form can show the offending line long after the compile.
 */
#ifndef SVP_DIAG_H
#define SVP_DIAG_H

#include <stdarg.h>
#include "arena.h"
#include "svp.h"

struct svp_diagnostics {
    const svp_allocator *alloc;
    Arena arena;           /* messages, file name, source copy */
    const char *file;      /* name shown in front of each diagnostic */
    const char *source;    /* NUL-terminated copy of the policy text */
    size_t source_len;
    svp_diagnostic *items; /* allocated through alloc */
    size_t count, cap;
    size_t errors, warnings;
    bool oom;              /* an allocation failed: say so once */
    size_t dropped;        /* diagnostics past DIAG_MAX_KEPT, counted only */
    bool last_kept;        /* the last diagnostic added is items[count - 1] */
};

/* Diagnostics kept for one compile; the rest are counted.  A file of a
 * million mistakes gets a useful answer quickly. */
#define DIAG_MAX_KEPT 200

/* True when another diagnostic would only be counted: callers skip the
 * work of wording it (suggestions search every name). */
static inline bool diag_full(const svp_diagnostics *d) { return d->count >= DIAG_MAX_KEPT; }

/* A new empty list that keeps a copy of the source; NULL when out of memory. */
svp_diagnostics *diag_new(const svp_allocator *alloc, const char *file,
                          const char *source, size_t len);

/* Add a diagnostic over bytes [start, end) of the source, printf-style.
 * Out of memory sets d->oom and drops the diagnostic; an error is still
 * counted so that a compile never passes by losing its errors. */
void diag_add(svp_diagnostics *d, svp_severity sev, const char *code,
              size_t start, size_t end, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

void diag_vadd(svp_diagnostics *d, svp_severity sev, const char *code,
               size_t start, size_t end, const char *fmt, va_list ap);

/* The last diagnostic added suggests text[0..len) in place of its span
 * (a "did you mean"): recorded for editors' quick fixes.  Nothing when
 * that diagnostic was only counted, or out of memory. */
void diag_suggest(svp_diagnostics *d, const char *text, size_t len);

/* Add a diagnostic with no place about file (not the list's own), which
 * the rendering names in front of it: for lists that speak of several
 * files, like a version set's. */
void diag_add_about(svp_diagnostics *d, svp_severity sev, const char *code, const char *file,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Edit distance between two short words (for "did you mean" suggestions);
 * large for words over 70 characters, which are never suggested. */
size_t diag_distance(const char *a, size_t na, const char *b, size_t nb, size_t max);

#endif
