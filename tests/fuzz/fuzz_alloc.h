/*
 * fuzz_alloc.h - the checking allocator both fuzz harnesses hand to svp.
 *
 * svp's allocator interface is realloc-style and passes the size a block
 * was allocated with back on every realloc and free (svp.h, Memory).  The
 * C library's allocator, which svp uses when given NULL, ignores that size,
 * so a wrong old_size goes unnoticed there and only breaks embedders whose
 * allocator relies on it (pools, arenas, size-class allocators).  This one
 * stores each block's size in a header in front of it and aborts when svp
 * gives a block back with any other size; it also counts the live blocks,
 * so a harness can check that freeing everything left nothing behind.
 *
 * It can also fail on purpose: with fail_from = k, the k-th request and
 * every later one return NULL (the allocator has run dry), which drives the
 * out-of-memory paths svp promises to report and clean up after.
 *
 * A header only: each harness includes it once.
 */
#ifndef SVP_FUZZ_ALLOC_H
#define SVP_FUZZ_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svp.h"

typedef struct FuzzAlloc {
    svp_allocator api;       /* what svp is given; api.ctx points back here */
    size_t live_blocks;      /* allocated and not yet freed */
    size_t live_bytes;
    unsigned long requests;  /* allocations and reallocations asked for */
    unsigned long fail_from; /* 0: never fail; k: fail request k and later */
} FuzzAlloc;

/* Room in front of each block for its size, keeping svp's alignment. */
#define FUZZ_ALLOC_HEADER ((sizeof(max_align_t) + 15u) & ~(size_t)15u)

static inline size_t fuzz_alloc_stored_size(void *p)
{
    size_t stored;
    memcpy(&stored, (unsigned char *)p - FUZZ_ALLOC_HEADER, sizeof stored);
    return stored;
}

static inline void *fuzz_alloc_realloc(void *ctx, void *p, size_t old_size, size_t size)
{
    FuzzAlloc *fa = ctx;
    if (p) {
        size_t stored = fuzz_alloc_stored_size(p);
        if (stored != old_size) {
            fprintf(stderr,
                    "svp fuzz: allocator contract broken: a block of %zu bytes was %s with old_size %zu\n",
                    stored, size ? "reallocated" : "freed", old_size);
            abort();
        }
    }
    if (size == 0) {
        if (p) {
            fa->live_blocks--;
            fa->live_bytes -= old_size;
            free((unsigned char *)p - FUZZ_ALLOC_HEADER);
        }
        return NULL;
    }
    fa->requests++;
    if (fa->fail_from && fa->requests >= fa->fail_from)
        return NULL; /* like realloc: p, if any, is left as it was */
    if (size > SIZE_MAX - FUZZ_ALLOC_HEADER)
        return NULL;
    unsigned char *h = realloc(p ? (unsigned char *)p - FUZZ_ALLOC_HEADER : NULL, FUZZ_ALLOC_HEADER + size);
    if (!h)
        return NULL;
    memcpy(h, &size, sizeof size);
    if (p) {
        fa->live_bytes -= old_size;
    } else {
        fa->live_blocks++;
    }
    fa->live_bytes += size;
    return h + FUZZ_ALLOC_HEADER;
}

static inline void fuzz_alloc_init(FuzzAlloc *fa, unsigned long fail_from)
{
    memset(fa, 0, sizeof *fa);
    fa->api.realloc = fuzz_alloc_realloc;
    fa->api.ctx = fa;
    fa->fail_from = fail_from;
}

/* Abort when svp left blocks behind after everything was freed. */
static inline void fuzz_alloc_check_empty(const FuzzAlloc *fa, const char *after)
{
    if (fa->live_blocks || fa->live_bytes) {
        fprintf(stderr, "svp fuzz: %zu blocks (%zu bytes) still allocated after %s\n", fa->live_blocks,
                fa->live_bytes, after);
        abort();
    }
}

/* Read every byte of s[0, len) so that ASan checks the whole span. */
static volatile unsigned char fuzz_sink;
static inline void fuzz_touch(const char *s, size_t len)
{
    unsigned char x = 0;
    for (size_t i = 0; i < len; i++)
        x ^= (unsigned char)s[i];
    fuzz_sink = x;
}

/* A NUL-terminated string svp handed out: read it whole (NULL is fine). */
static inline size_t fuzz_touch_str(const char *s)
{
    if (!s)
        return 0;
    size_t n = strlen(s);
    fuzz_touch(s, n);
    return n;
}

/* Oracle checks (semantic invariants, beyond memory safety) are on when
 * SVP_FUZZ_ORACLES is set to anything but "" or "0". */
static inline int fuzz_env_flag(const char *name)
{
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0") != 0;
}

#define FUZZ_REQUIRE(cond, ...)                                                \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "svp fuzz: oracle failed: %s: ", #cond);           \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
            abort();                                                           \
        }                                                                      \
    } while (0)

#endif
