/*
 * arena.c - bump allocator over blocks from the caller's allocator.
 *
 * Blocks grow geometrically up to a cap, so a small policy costs one small
 * block and a large one a handful.  arena_reset keeps only the newest (and
 * largest) block: the per-record scratch arena settles at one block and
 * stops touching the allocator at all in steady state.
 */
#include "arena.h"

#include <assert.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_FIRST_BLOCK 4096u
#define ARENA_MAX_BLOCK (1u << 20)

struct ArenaBlock {
    ArenaBlock *prev; /* older block */
    size_t size;      /* bytes in data */
    alignas(max_align_t) unsigned char data[];
};

static void *default_alloc(void *ctx, void *p, size_t old_size, size_t size)
{
    (void)ctx;
    (void)old_size;
    if (size == 0) {
        free(p);
        return NULL;
    }
    return realloc(p, size);
}

static const svp_allocator default_allocator = {default_alloc, NULL};

static const svp_allocator *allocator_or_default(const svp_allocator *alloc)
{
    return alloc ? alloc : &default_allocator;
}

void *svp_mem_alloc(const svp_allocator *alloc, size_t size)
{
    alloc = allocator_or_default(alloc);
    return alloc->realloc(alloc->ctx, NULL, 0, size ? size : 1);
}

void *svp_mem_realloc(const svp_allocator *alloc, void *p, size_t old_size, size_t size)
{
    alloc = allocator_or_default(alloc);
    return alloc->realloc(alloc->ctx, p, old_size, size ? size : 1);
}

void svp_mem_free(const svp_allocator *alloc, void *p, size_t size)
{
    if (!p)
        return;
    alloc = allocator_or_default(alloc);
    alloc->realloc(alloc->ctx, p, size, 0);
}

void arena_init(Arena *a, const svp_allocator *alloc, size_t limit)
{
    a->alloc = alloc;
    a->head = NULL;
    a->used = 0;
    a->total = 0;
    a->limit = limit;
}

/* A new head block with room for at least `need` bytes. */
static int arena_grow(Arena *a, size_t need)
{
    size_t size = a->head ? a->head->size * 2 : ARENA_FIRST_BLOCK;
    if (size > ARENA_MAX_BLOCK)
        size = ARENA_MAX_BLOCK;
    if (size < need)
        size = need;
    if (a->limit && a->total + size > a->limit)
        return 0;
    ArenaBlock *b = svp_mem_alloc(a->alloc, sizeof *b + size);
    if (!b)
        return 0;
    b->prev = a->head;
    b->size = size;
    a->head = b;
    a->used = 0;
    a->total += size;
    return 1;
}

void *arena_alloc(Arena *a, size_t size)
{
    assert(a);
    const size_t align = alignof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    if (size == 0)
        size = align;
    if (!a->head || a->head->size - a->used < size) {
        if (size > ((size_t)-1) / 2 || !arena_grow(a, size))
            return NULL;
    }
    void *p = a->head->data + a->used;
    a->used += size;
    assert(a->used <= a->head->size);
    memset(p, 0, size);
    return p;
}

char *arena_strndup(Arena *a, const char *text, size_t len)
{
    char *s = arena_alloc(a, len + 1);
    if (!s)
        return NULL;
    memcpy(s, text, len);
    s[len] = '\0';
    return s;
}

void arena_reset(Arena *a)
{
    if (!a->head)
        return;
    while (a->head->prev) {
        ArenaBlock *old = a->head->prev;
        a->head->prev = old->prev;
        a->total -= old->size;
        svp_mem_free(a->alloc, old, sizeof *old + old->size);
    }
    a->used = 0;
}

void arena_free(Arena *a)
{
    while (a->head) {
        ArenaBlock *old = a->head;
        a->head = old->prev;
        svp_mem_free(a->alloc, old, sizeof *old + old->size);
    }
    a->used = 0;
    a->total = 0;
}
