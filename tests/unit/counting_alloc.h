/*
 * counting_alloc.h - an allocator for the unit tests that counts, checks
 * sizes and fails on demand: the out-of-memory loops of test_check.c and
 * test_import.c give it to svp (svp_allocator {counting_realloc, &c}) and
 * raise fail_at until the operation succeeds, checking each time that
 * nothing is left allocated (live_blocks) and that svp passed back the size
 * of every block it freed (size_mismatch).  Header-only: each test program
 * is one file.
 */
#ifndef SVP_TEST_COUNTING_ALLOC_H
#define SVP_TEST_COUNTING_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

/* Each block carries its size in front so that the size svp passes back
 * on free and realloc can be checked. */
typedef struct Counting {
    size_t live_bytes, live_blocks;
    size_t calls;       /* allocations and reallocations so far */
    size_t fail_at;     /* the call number that fails (0: none) */
    bool failed;        /* some call has failed */
    bool size_mismatch; /* svp passed an old_size that was not the block's */
} Counting;

static void *counting_realloc(void *ctx, void *p, size_t old_size, size_t size)
{
    Counting *c = ctx;
    max_align_t *head = p ? (max_align_t *)p - 1 : NULL;
    if (head && *(size_t *)head != old_size)
        c->size_mismatch = true;
    if (size == 0) {
        if (head) {
            c->live_bytes -= *(size_t *)head;
            c->live_blocks--;
            free(head);
        }
        return NULL;
    }
    c->calls++;
    if (c->fail_at && c->calls >= c->fail_at) {
        c->failed = true;
        return NULL;
    }
    size_t before = head ? *(size_t *)head : 0;
    max_align_t *grown = realloc(head, sizeof *head + size);
    if (!grown)
        return NULL;
    *(size_t *)grown = size;
    c->live_bytes += size - before;
    if (!head)
        c->live_blocks++;
    return grown + 1;
}

#endif
